"""`aigap reconcile`: a country's rank in every AI index, and why two indices disagree."""

from __future__ import annotations

from typing import Annotated

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
from aigap.i18n import t


@user_errors
def reconcile_cmd(
    unit: Annotated[str, typer.Argument(help="ISO3 code, e.g. KOR")] = "KOR",
    between: Annotated[list[str] | None, typer.Option(
        "--between", help="two specs to decompose (A then B), e.g. --between tortoise "
        "aigap-scale; default: every recomputed index against aigap's first edition")] = None,
    no_decompose: Annotated[bool, typer.Option("--no-decompose",
                                               help="only the table of ranks")] = False,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Ranks in published, recomputed and aigap indices, with the design choices that move
    the rank from one index to another (exact Shapley attribution)."""
    from aigap.analysis.diagnosis.reconcile import (
        ReconcileError,
        decompose_rank_difference,
        default_pairs,
        reconcile,
    )
    from aigap.data.warehouse import Warehouse
    from aigap.present.text import sentence
    from aigap.present.text.reconcile import difference_frame, difference_notes

    if between is not None and len(between) != 2:
        raise ReconcileError(f"--between takes two specs (A B), got {len(between)}: "
                             f"{' '.join(between)}")
    lg = lang.value
    with Warehouse.open() as wh:
        table = reconcile(wh, unit)
        who = wh.country_names(lg).get(table.unit, table.unit)
        pairs = [] if no_decompose else ([tuple(between)] if between else default_pairs())
        diffs = [decompose_rank_difference(wh, table.unit, a=a, b=b) for a, b in pairs]
    if fmt is OutputFormat.json:
        render({"table": table, "decompositions": diffs}, fmt, lang)
        return
    frame = table.to_frame().drop(columns=["url"])
    frame["kind"] = [t(f"reconcile.kind.{k}", lg) for k in frame["kind"]]
    if fmt is OutputFormat.csv:
        render(frame, fmt, lang)
        return
    render(frame, fmt, lang, title=t("reconcile.title", lg, who=who))
    console.print(sentence(table, lg), highlight=False)
    for d in diffs:
        console.print()
        render(difference_frame(d, lg), fmt, lang, title=f"{d.a} -> {d.b}")
        console.print(sentence(d, lg, who=who), highlight=False)
        for note in difference_notes(d, lg):
            console.print(f"[dim]{note}[/]", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("reconcile")(reconcile_cmd)
