"""Assemble the report: run the sections, render them into one self-contained HTML file."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
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
from aigap.i18n import languages, t, t_or
from aigap.i18n.numbers import format_number
from aigap.report import sections as sec
from aigap.report.headline import headline_section
from aigap.report.licence import cautions, forbidden_sources, redistribution

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
    ("audit", sec.audit_section),
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


def _table_html(records: list[dict[str, Any]], lang: str = "en") -> str:
    if not records:
        return ""
    df = pd.DataFrame(records)
    verdicts = df.pop("_verdict") if "_verdict" in df else None
    df = df.drop(columns=[c for c in df.columns if c == "_sources"])
    head = "".join(f"<th scope='col'>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for i, row in enumerate(df.itertuples(index=False)):
        cls = f" class='v-{verdicts.iloc[i].replace(' ', '-')}'" if verdicts is not None else ""
        cells = "".join(f"<td>{html.escape(_cell(v, lang))}</td>" for v in row)
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cell(v: Any, lang: str = "en") -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "–"
    if isinstance(v, float):  # the language's one number style: 3 (a rank), 65.4, 26.1억
        return format_number(v, lang, decimals=2)
    return str(v)


def _leave_out(sections: list[Section], forbidden: set[str]) -> tuple[list[Section], list[str]]:
    """Sections without data whose licence forbids redistribution: table rows that name their
    sources (``_sources``) are dropped one by one; any other section that uses such a source
    is left out whole. Returns the sections kept and the titles of what was left out."""
    kept, gone = [], []
    for part in sections:
        used = set(part.get("sources", [])) & forbidden
        if not used:
            kept.append(part)
            continue
        tables = part.get("tables", {})
        rows = [r for rows in tables.values() for r in rows]
        if rows and all("_sources" in r for r in rows):
            part = {**part, "tables": {k: [r for r in v if not set(r["_sources"]) & forbidden]
                                       for k, v in tables.items()},
                    "sources": [x for x in part["sources"] if x not in forbidden]}
            kept.append(part)
        gone.append(f"{part['title']} ({', '.join(sorted(used))})")
    return kept, gone


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
    redistributable_only: bool = False,
) -> str:
    """The report as one HTML string (Plotly's JS inlined, no network needed to view it).

    ``redistributable_only``: leave out data whose licence forbids redistribution
    (:mod:`aigap.report.licence`); the sources section says what was left out.
    """
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
        src = wh.sources()
        left_out: list[str] = []
        if redistributable_only:
            sections, left_out = _leave_out(
                sections, forbidden_sources(dict(zip(src["id"], src["licence"], strict=True))))
        used = sorted({s for part in sections for s in part.get("sources", [])})
        src = src[src["id"].isin(used)]
        rendered = []
        for s_i, part in enumerate(sections):
            rendered.append({
                "id": part["id"], "title": part["title"],
                "text": part.get("text", {}).get(lang, []),
                "figures": [_figure_html(f, f"fig-{s_i}-{j}")
                            for j, f in enumerate(part.get("figures", []))],
                "tables": [_table_html(list(t), lang) for t in part.get("tables", {}).values()],
                # an analysis note not in the catalogue stays English, marked so (lang="en")
                "notes": [{"text": n, "en": lang != "en" and not re.search(r"[\uac00-\ud7a3]", n)}
                          for n in part.get("notes", [])],
            })
        sources = [{
            "id": r.id, "publisher": r.publisher, "file": r.file, "sha256": r.sha256[:16],
            "sha256_full": r.sha256,
            "vintage": r.vintage + (t("report.inferred", lang) if r.vintage_inferred else ""),
            "flags": ", ".join(_flag(f, lang) for f in (r.flags if r.flags is not None else ())),
            "licence": r.licence, "origin": r.origin,
            "rule": redistribution(r.licence),
            "rule_text": t(f"report.rule.{redistribution(r.licence)}", lang),
            "cautions": [_flag(f, lang) for f in cautions(r.flags)],
        } for r in src.itertuples()]
        name = ctx.names.get(unit, unit)
        return _env().get_template("report.html.j2").render(
            lang=lang, unit=unit, name=name, sections=rendered, sources=sources,
            plotly_js=get_plotlyjs(), version=__version__, errors=ctx.errors,
            left_out=left_out, redistributable_only=redistributable_only,
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            t=lambda key, **fields: t(f"report.{key}", lang, **fields),
        )
    finally:
        if own:
            wh.close()


def _flag(flag: str, lang: str) -> str:
    """A source flag ("draft", "inferred-vintage") in words of ``lang``."""
    return t_or(f"report.caution.{flag}", lang, flag)


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
