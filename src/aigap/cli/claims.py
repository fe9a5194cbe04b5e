"""`aigap check-claims`: verdicts on the claims in claims.yaml (and the user's own)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aigap import present
from aigap.analysis.diagnosis.claims import check_claims, load_claims
from aigap.cli._common import (
    FORMAT_OPTION,
    LANG_OPTION,
    Lang,
    OutputFormat,
    console,
    emit,
    emit_json,
    user_errors,
)
from aigap.data.warehouse import Warehouse
from aigap.i18n import t

_STYLE = {"supported": "green", "partly": "yellow", "contradicted": "red",
          "not checkable": "dim"}


@user_errors
def check_claims_cmd(
    file: Annotated[list[Path] | None, typer.Option("--file", help="your own claims YAML "
                                                    "(same shape as claims.yaml)")] = None,
    no_shipped: Annotated[bool, typer.Option("--no-shipped", help="check only --file claims")]
    = False,
    only: Annotated[list[str] | None, typer.Option("--id", help="only these claim ids")] = None,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Supported / partly / contradicted / not checkable, with the numbers behind each."""
    claims = load_claims(file, shipped=not no_shipped)
    if only:
        claims = [c for c in claims if c.id in set(only)]
    with Warehouse.open() as wh:
        checks = check_claims(wh, claims)
    if fmt is OutputFormat.json:
        emit_json([present.document(c) for c in checks])
        return
    from aigap.present.text import claims_frame

    frame = claims_frame(checks, lang.value)
    if fmt is OutputFormat.csv:
        emit(frame, fmt)
        return
    lg = lang.value
    console.print(f"[bold]{t('cli.claims.title', lg)}[/]")
    for row, check in zip(frame.itertuples(), checks, strict=True):
        style = _STYLE[check.verdict]
        console.print(f"\n[bold]{row.claim}[/]  [{style}]■ {row.verdict}[/]", highlight=False)
        console.print(f"  {row.finding}", highlight=False)
        console.print(f"  [dim]{t('cli.claims.sources', lg)}: {row.sources}[/]", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("check-claims")(check_claims_cmd)
