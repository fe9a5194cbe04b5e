"""Web dashboard and HTTP API (`aigap serve`): FastAPI, Jinja2 pages and Plotly.js."""

from aigap.web.app import create_app

__all__ = ["create_app"]
