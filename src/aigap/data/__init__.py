"""Data layer: published formats -> tidy observations -> DuckDB warehouse."""
