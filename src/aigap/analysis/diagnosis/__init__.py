"""Where a unit stands: gaps, trends, peer ranks, profiles, decompositions and claim checks."""
