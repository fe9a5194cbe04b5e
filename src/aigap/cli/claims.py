"""`aigap check-claims`: verdicts on the claims in claims.yaml (and the user's own)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aigap.cli._common import (
    FORMAT_OPTION,
    LANG_OPTION,
    Lang,
    OutputFormat,
    console,
    render,
    user_errors,
)

if TYPE_CHECKING:  # loaded when a command runs: `aigap --help` stays quick
    pass
from aigap.i18n import t

_STYLE = {"supported": "green", "mostly": "green", "partly": "yellow", "contradicted": "red",
          "not checkable": "dim"}


@user_errors
def check_claims_cmd(
    file: Annotated[list[Path] | None, typer.Option("--file", help="your own claims YAML "
                                                    "(same shape as claims.yaml)")] = None,
    no_shipped: Annotated[bool, typer.Option("--no-shipped", help="check only --file claims")]
    = False,
    only: Annotated[list[str] | None, typer.Option("--id", help="only these claim ids")] = None,
    series: Annotated[str | None, typer.Option(
        "--series", help="judge claims on this series first (e.g. cset) where their concept "
        "has it; every source is still shown")] = None,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Supported / partly / contradicted / not checkable, with the numbers behind each, on
    every source that can test a claim (the headline verdict: the default series)."""
    from aigap.analysis.diagnosis.claims import check_claims, load_claims
    from aigap.data.warehouse import Warehouse

    claims = load_claims(file, shipped=not no_shipped)
    if only:
        claims = [c for c in claims if c.id in set(only)]
    with Warehouse.open() as wh:
        checks = check_claims(wh, claims, series=series)
    if fmt is OutputFormat.json:
        render(list(checks), fmt, lang)
        return
    from aigap.present.text import claims_frame

    frame = claims_frame(checks, lang.value)
    if fmt is OutputFormat.csv:
        render(frame, fmt, lang)
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
