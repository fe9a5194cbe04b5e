"""Assemble the report: run the sections, render them into one self-contained HTML file."""

from __future__ import annotations

import datetime as dt
import html
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.offline import get_plotlyjs

from aigap import __version__
from aigap.analysis.diagnosis.profile import check_unit
from aigap.data.countries import check_iso3
from aigap.data.warehouse import Warehouse
from aigap.i18n import languages, t
from aigap.report import sections as sec
from aigap.report.headline import headline_section

Section = dict[str, Any]
# Order of the report. Each entry makes one or more sections from the shared context.
SECTION_BUILDERS: list[tuple[str, Callable[[sec.ReportContext], Section | list[Section]]]] = [
    ("ai3", headline_section),
    ("index", sec.index_section),
    ("profile", sec.profile_section),
    ("gaps", sec.gaps_section),
    ("trends", sec.trends_section),
    ("decompose", sec.decompose_section),
    ("peers", sec.peer_section),
    ("robustness", sec.robustness_section),
    ("targets", sec.targets_section),
    ("claims", sec.claims_section),
    ("strategy", sec.strategy_sections),
    ("tournament", sec.tournament_section),
]


def _env() -> Environment:
    return Environment(loader=PackageLoader("aigap.report", "templates"),
                       autoescape=select_autoescape(["html", "j2"]))


def _figure_html(fig: Any, div_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


def _table_html(records: list[dict[str, Any]]) -> str:
    if not records:
        return ""
    df = pd.DataFrame(records)
    verdicts = df.pop("_verdict") if "_verdict" in df else None
    head = "".join(f"<th scope='col'>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for i, row in enumerate(df.itertuples(index=False)):
        cls = f" class='v-{verdicts.iloc[i].replace(' ', '-')}'" if verdicts is not None else ""
        cells = "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row)
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:,.2f}" if abs(v) < 1e5 else f"{v:,.0f}"
    return str(v)


def build_report(
    unit: str = "KOR",
    lang: str = "ko",
    *,
    wh: Warehouse | None = None,
    spec: str = "aigap",
    vs: tuple[str, ...] = ("USA", "CHN"),
    peers: str = "OECD",
    only: list[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> str:
    """The report as one HTML string (Plotly's JS inlined, no network needed to view it)."""
    if lang not in languages():
        raise ValueError(f"lang must be one of {', '.join(languages())}, got {lang!r}")
    (unit,) = check_iso3([unit])
    own = wh is None
    wh = wh or Warehouse.open()
    try:
        ctx = sec.ReportContext(wh, unit=unit, lang=lang, spec=spec, vs=tuple(check_iso3(vs)),
                                peers=peers)
        check_unit(ctx.index, unit)  # a country outside the index: one line, not a traceback
        _ = ctx.pillars  # a spec the report cannot show: one line, before any work
        sections: list[Section] = []
        builders = [(k, f) for k, f in SECTION_BUILDERS if only is None or k in only]
        for i, (key, build) in enumerate(builders):
            if progress:
                progress(key, i, len(builders))
            made = build(ctx)
            sections += made if isinstance(made, list) else [made]
        used = sorted({s for part in sections for s in part.get("sources", [])})
        src = wh.sources()
        src = src[src["id"].isin(used)]
        rendered = []
        for s_i, part in enumerate(sections):
            rendered.append({
                "id": part["id"], "title": part["title"],
                "text": part.get("text", {}).get(lang, []),
                "figures": [_figure_html(f, f"fig-{s_i}-{j}")
                            for j, f in enumerate(part.get("figures", []))],
                "tables": [_table_html(list(t)) for t in part.get("tables", {}).values()],
                "notes": part.get("notes", []),
            })
        sources = [{
            "id": r.id, "publisher": r.publisher, "file": r.file, "sha256": r.sha256[:16],
            "vintage": r.vintage + (t("report.inferred", lang) if r.vintage_inferred else ""),
            "flags": ", ".join(r.flags) if r.flags is not None else "",
            "licence": r.licence, "origin": r.origin,
        } for r in src.itertuples()]
        name = ctx.names.get(unit, unit)
        return _env().get_template("report.html.j2").render(
            lang=lang, unit=unit, name=name, sections=rendered, sources=sources,
            plotly_js=get_plotlyjs(), version=__version__, errors=ctx.errors,
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            t=lambda key, **fields: t(f"report.{key}", lang, **fields),
        )
    finally:
        if own:
            wh.close()


def atomic_write(path: Path, text: str | Callable[[Path], None]) -> None:
    """Write ``text`` (or let ``text(tmp)`` write a file) to ``path`` through a temp file
    unique to this call (two reports to one path never share one) that is renamed over
    ``path`` or removed if anything fails."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        if callable(text):
            os.close(fd)
            text(tmp)
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would make a shared report unreadable to others
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_report(path: str | Path, unit: str = "KOR", lang: str = "ko", **kw: Any) -> Path:
    """Write the report atomically (a half-written file never replaces a good one)."""
    path = Path(path)
    text = build_report(unit, lang, **kw)
    atomic_write(path, text)
    return path
