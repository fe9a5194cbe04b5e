"""`aigap profile` and `aigap decompose`: strengths and weaknesses, and where a score gap lies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer

from aigap import present
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
from aigap.errors import AigapError
from aigap.i18n import t
from aigap.present.names import attr, column

if TYPE_CHECKING:
    from aigap.analysis.diagnosis.profile import Profile
    from aigap.index import IndexResult

SPEC_OPTION = typer.Option("aigap", "--spec", "-s", help="shipped spec name or path to a YAML "
                           "spec")
YEAR_OPTION = typer.Option(None, "--year", "-y", help="year of a panel spec (default: latest)")

def _labels(lang: str) -> dict[str, str]:
    """The profile and decomposition tables' headers in ``lang``."""
    keys = ("pillar", "indicator", "name", "score", "value", "median", "pct", "rank", "n",
            "status", "imputed", "strength", "weakness", "contribution", "share", "cum",
            "start", "end")
    return {k: t(f"cli.table.{k}", lang) for k in keys}


def _result(spec: str, year: int | None) -> IndexResult:
    from aigap.index.pipeline import build_latest

    return build_latest(spec, year=year)


def profile_cmd(
    unit: Annotated[str, typer.Argument(help="the unit (ISO3), e.g. KOR")],
    spec: str = SPEC_OPTION,
    peers: Annotated[str, typer.Option("--peers", "-p", help="OECD, G7, G20, EU27, ASEAN or a "
                                       "list such as JPN,DEU,TWN")] = "OECD",
    year: int | None = YEAR_OPTION,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Percentile of each pillar and indicator among peers, strengths, weaknesses, a sentence.

    Percentile = share of peers with data the unit beats or ties (best = 100). Pillars use
    index scores; indicators raw values in their direction. Strength >= 75, weakness <= 25.
    """
    from aigap.analysis.diagnosis.profile import profile

    res = _result(spec, year)
    prof = profile(unit, spec, peers, result=res)
    if fmt is OutputFormat.json:
        emit_json(present.document(prof))
        return
    if fmt is OutputFormat.csv:
        emit(prof.to_frame(), fmt)
        return
    lg = lang.value
    lab = _labels(lg)
    name_col = column(prof.pillars.columns, "name", lg)
    status = {"strength": lab["strength"], "weakness": lab["weakness"], "": ""}
    p = prof.pillars
    emit(pd.DataFrame({
        lab["pillar"]: p[name_col], lab["score"]: p["score"], lab["median"]: p["peer_median"],
        lab["pct"]: p["percentile"].round(1), lab["rank"]: p["rank"].astype(str) + "/" +
        p["n"].astype(str), lab["status"]: p["status"].map(status)}), fmt,
        title=_title(prof, lg))
    i = prof.indicators
    pillar_name = dict(zip(p["code"], p[name_col], strict=True))
    emit(pd.DataFrame({
        lab["pillar"]: i["pillar"].map(pillar_name), lab["indicator"]: i[name_col],
        lab["value"]: i["value"], lab["median"]: i["peer_median"],
        lab["pct"]: i["percentile"].round(1),
        lab["rank"]: [f"{r}/{n}" if r else f"-/{n}" for r, n in zip(i["rank"], i["n"],
                                                                   strict=True)],
        lab["status"]: i["status"].map(status),
        lab["imputed"]: i["imputed"].map({True: t("yes", lg), False: ""})}), fmt,
        caption=t("cli.profile.indicator_caption", lg))
    if prof.peers_without_data:
        head = t("cli.profile.peers_without_data", lg)
        console.print(f"[dim]{head}: {', '.join(prof.peers_without_data)}[/]", highlight=False)
    for label, codes in ((lab["strength"], prof.indicator_strengths[:5]),
                         (lab["weakness"], prof.indicator_weaknesses[:5])):
        names = dict(zip(i["code"], i[name_col], strict=True))
        console.print(f"{label}: " + (", ".join(names[c] for c in codes) or "–"),
                      highlight=False)
    console.print(present.sentence(prof, lg), highlight=False)


def _title(prof: Profile, lang: str) -> str:
    from aigap.present.text import group_phrase

    year = f" ({prof.year})" if prof.year is not None else ""
    return t("cli.profile.title", lang, who=attr(prof, "unit_name", lang),
             grp=group_phrase(prof, lang), year=year)


def decompose_cmd(
    unit_a: Annotated[str, typer.Argument(help="first unit (ISO3), e.g. KOR")],
    unit_b: Annotated[str, typer.Argument(help="second unit (ISO3), e.g. USA")],
    spec: str = SPEC_OPTION,
    level: Annotated[str, typer.Option("--level", "-l", help="pillar or indicator")] = "pillar",
    method: Annotated[str, typer.Option("--method", help="auto, linear or shapley")] = "auto",
    year: int | None = YEAR_OPTION,
    lang: Lang = LANG_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Split the index gap (A - B) into pillar or indicator contributions that add up to it.

    Linear (effective weight x normalised value, each unit's own weights) for arithmetic
    indices; nested Shapley (Owen/Winter) values otherwise.
    """
    from aigap.analysis.diagnosis.decompose import decompose

    if level not in ("pillar", "indicator"):
        raise AigapError(f"--level must be pillar or indicator, got {level!r}")
    if method not in ("auto", "linear", "shapley"):
        raise AigapError(f"--method must be auto, linear or shapley, got {method!r}")
    res = _result(spec, year)
    dec = decompose(unit_a, unit_b, spec, result=res, method=method)  # type: ignore[arg-type]
    if fmt is OutputFormat.json:
        emit_json(present.document(dec))
        return
    rows = dec.to_frame(level)
    if fmt is OutputFormat.csv:
        emit(rows, fmt)
        return
    lg = lang.value
    lab = _labels(lg)
    name_col = column(rows.columns, "name", lg)
    na, nb = attr(dec, "names", lg)
    running = dec.score_b + rows["contribution"].cumsum()
    body = pd.DataFrame({
        lab["pillar"] if level == "pillar" else lab["indicator"]: rows[name_col],
        dec.unit_a: rows["value_a"], dec.unit_b: rows["value_b"],
        lab["contribution"]: rows["contribution"], lab["share"]: rows["share"],
        lab["cum"]: running})
    if level == "indicator":
        pill = dec.to_frame("pillar")
        pname = dict(zip(pill["code"], pill[name_col], strict=True))
        body.insert(0, lab["pillar"], rows["parent"].map(pname).fillna(rows["parent"]))
    ends = pd.DataFrame([{body.columns[0]: f"{lab['start']}: {nb}", lab["cum"]: dec.score_b}])
    last = pd.DataFrame([{body.columns[0]: f"{lab['end']}: {na}",
                          lab["contribution"]: dec.gap, lab["share"]: 1.0 if dec.gap else None,
                          lab["cum"]: dec.score_a}])
    table = pd.concat([ends, body, last], ignore_index=True)[body.columns]
    title = (f"{na} − {nb}: {dec.score_a:.2f} − {dec.score_b:.2f} = {dec.gap:+.2f}")
    from aigap.present.text import method_note

    emit(table, fmt, title=title, caption=method_note(dec, lg))
    console.print(present.sentence(dec, lg), highlight=False)


def register(app: typer.Typer) -> None:
    """Add `profile` and `decompose` to the aigap CLI."""
    app.command("profile")(user_errors(profile_cmd))
    app.command("decompose")(user_errors(decompose_cmd))
