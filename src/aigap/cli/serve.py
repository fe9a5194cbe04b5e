"""`aigap serve`: the web dashboard and JSON API (FastAPI + uvicorn)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import typer

from aigap.cli._common import err_console, user_errors

_HOST = typer.Option("127.0.0.1", "--host",
                     help="address to bind (loopback by default: the API has no auth)")
_PORT = typer.Option(8000, "--port", min=1, max=65535, help="TCP port")
_DB = typer.Option(None, "--db", help="warehouse file (default: $AIGAP_DB or "
                   "$AIGAP_HOME/warehouse.duckdb)")
_CORS = typer.Option(None, "--cors-origin",
                     help="allow cross-origin requests from this origin (repeat); off by default")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    @app.command("serve")
    @user_errors
    def serve(host: str = _HOST, port: int = _PORT, db: Path | None = _DB,
              cors_origin: list[str] | None = _CORS) -> None:
        """Serve the dashboard (ranking with weight sliders, country pages, tournament) and the
        JSON API under /api/v1 (OpenAPI at /openapi.json, docs at /docs)."""
        import uvicorn

        from aigap.data.warehouse import Warehouse
        from aigap.web import create_app
        from aigap.web.limits import uvicorn_settings

        Warehouse.open(db).close()  # fail now, with the CLI's message, if there is no warehouse
        if not _is_loopback(host):
            err_console.print(f"[yellow]warning:[/] binding {host}: the API has no "
                              "authentication; anyone who can reach this address can use it")
        err_console.print(f"aigap dashboard on http://{host}:{port}/  (Ctrl-C stops)")
        # header/body timeouts, size and connection limits: README "Limits of aigap serve"
        uvicorn.run(create_app(db, cors_origins=cors_origin or None), host=host, port=port,
                    log_level="info", **uvicorn_settings())
