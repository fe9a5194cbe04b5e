"""`aigap audit` (statistical audit of an index) and `aigap export` (one Excel workbook)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
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

SPEC_OPTION = typer.Option("asem", "--spec", "-s", help="shipped spec name or path to a YAML spec")
YEAR_OPTION = typer.Option(None, "--year", "-y", help="year of a panel spec (default: latest)")


_STATS_SHOWN = ("n_avail", "frc_avail", "skew", "kurt", "n_outliers_iqr", "frc_unique",
                "flag_avail", "flag_skewkurt", "flag_unique", "flag_nonzero")


class Table(StrEnum):
    all = "all"
    stats = "stats"
    correlations = "correlations"
    levels = "levels"
    aggregates = "aggregates"
    importance = "importance"


@user_errors
def audit_cmd(
    spec: str = SPEC_OPTION,
    table: Annotated[Table, typer.Option("--table", help="one table, or all")] = Table.all,
    dataset: Annotated[str, typer.Option("--dataset", help="data set of the indicator "
                                         "statistics (Raw, Imputed, Treated, ...)")] = "Raw",
    year: int | None = YEAR_OPTION,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Indicator statistics and flags, correlations within and between levels, Cronbach's
    alpha and first-component variance per aggregate, and importance versus weight."""
    from aigap.index.audit import audit
    from aigap.index.pipeline import build_latest

    res = audit(build_latest(spec, year=year), dataset=dataset)
    lg = lang.value
    if fmt is OutputFormat.json and table is Table.all:
        render(res, fmt, lang)
        return
    tables = res.tables()
    names = list(tables) if table is Table.all else [table.value]
    if fmt is not OutputFormat.table:
        if len(names) > 1:
            from aigap.errors import AigapError

            raise AigapError(f"--format {fmt.value} prints one table: add --table "
                             f"({', '.join(tables)})")
        render(tables[names[0]].reset_index(), fmt, lang)
        return
    for name in names:
        frame = tables[name]
        if name == "correlations":
            frame = frame[frame["flag"] != "ok"]
        if name == "stats":  # the flags and what they rest on; every column in csv/json
            frame = frame[[c for c in _STATS_SHOWN if c in frame.columns]]
        render(frame.reset_index() if name != "correlations" else frame, fmt, lang,
               title=t(f"audit.{name}", lg, spec=res.spec_name))
        console.print()
    worst = res.most_misweighted()
    if worst:
        console.print(t("audit.misweighted", lg, codes=", ".join(worst)), highlight=False)
    for note in res.notes:
        console.print(f"[dim]{note}[/]", highlight=False)


@user_errors
def export_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="the .xlsx file to write")],
    spec: str = SPEC_OPTION,
    year: int | None = YEAR_OPTION,
    lang: Lang = LANG_OPTION,
) -> None:
    """Every data set, weights, treatment log, ranks and audit tables in one Excel workbook."""
    from aigap.index.pipeline import build_latest
    from aigap.report.xlsx import export_xlsx

    path = export_xlsx(build_latest(spec, year=year), output)
    console.print(t("audit.exported", lang.value, path=str(path)), highlight=False)


OUT_SPEC = typer.Option(..., "--output", "-o", help="the spec .yaml to write (its data go "
                        "beside it as <name>.data.csv)")


@user_errors
def import_coin_tool_cmd(
    workbook: Annotated[Path, typer.Argument(help="a JRC COIN Tool .xlsx file")],
    output: Path = OUT_SPEC,
    lang: Lang = LANG_OPTION,
) -> None:
    """A spec (tree, weights, directions) and its data from a JRC COIN Tool workbook."""
    from aigap.index.importer import from_coin_tool, write_imported

    spec, data = from_coin_tool(workbook, name=output.stem)
    yaml_path, csv = write_imported(spec, data, output)
    console.print(t("audit.imported", lang.value, path=str(yaml_path), csv=str(csv),
                    n=len(spec.indicators), units=len(data)), highlight=False)


@user_errors
def import_coinr_cmd(
    idata: Annotated[Path, typer.Option("--idata", help="COINr iData CSV")],
    imeta: Annotated[Path, typer.Option("--imeta", help="COINr iMeta CSV")],
    output: Path = OUT_SPEC,
    year: int | None = typer.Option(None, "--year", help="the year of a panel iData"),
    lang: Lang = LANG_OPTION,
) -> None:
    """A spec and its data from a COINr iData/iMeta pair."""
    from aigap.index.importer import from_coinr, write_imported

    spec, data = from_coinr(idata, imeta, name=output.stem, year=year)
    yaml_path, csv = write_imported(spec, data, output)
    console.print(t("audit.imported", lang.value, path=str(yaml_path), csv=str(csv),
                    n=len(spec.indicators), units=len(data)), highlight=False)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit_cmd)
    app.command("export")(export_cmd)
    app.command("import-coin-tool")(import_coin_tool_cmd)
    app.command("import-coinr")(import_coinr_cmd)
