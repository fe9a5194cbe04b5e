"""What it would take: the smallest moves to a target rank, and scenarios to a target year."""
