"""The sovereign-AI tournament simulator: staged selection of teams under noisy evaluation.

It needs neither the warehouse nor the index: a YAML model in, Monte Carlo results out.
"""
