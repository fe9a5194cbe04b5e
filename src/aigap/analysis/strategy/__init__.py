"""Where to play: frontier lag, niches (revealed comparative advantage) and partners."""
