"""Analyses built on the warehouse and on simulation models."""
