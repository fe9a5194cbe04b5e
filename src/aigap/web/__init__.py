"""Web dashboard and HTTP API (`aigap serve`): FastAPI, Jinja2 pages and Plotly.js."""

from aigap.web.main import ServerThread, create_app

__all__ = ["ServerThread", "create_app"]
