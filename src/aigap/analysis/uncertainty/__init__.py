"""How sure a rank is: Monte Carlo robustness, Sobol sensitivity and their assumptions."""
