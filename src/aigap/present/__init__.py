"""Presentation: Plotly figures (one template, one colourway) and text built from results."""
