"""The report's AI 3강 section, first in the report: can the country be in the top 3?

The numbers come from :func:`aigap.analysis.uncertainty.structural.headline` (P(top 3) under
the full uncertainty, the attainable rank range with bounded pillar weights, SMAA P(top 3),
the reconciliation table and two decompositions); each is followed by its assumptions in one
line. Sizes are kept to a few thousand draws so the section takes seconds, not minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from aigap.i18n import languages, t

if TYPE_CHECKING:
    from aigap.analysis.uncertainty.structural import Headline
    from aigap.report.sections import ReportContext

N_RUNS = 4096  # Monte Carlo replications of the full uncertainty (one engine block)
N_DRAWS = 4096  # SMAA weight draws
SOBOL_N = 256  # Sobol base sample of the per-dimension drivers


def headline_lines(ctx: ReportContext, h: Headline, lang: str) -> list[str]:
    """The section's paragraphs in ``lang``: each number, then its assumptions."""
    from aigap.analysis.uncertainty.structural import HEADLINE_BOUNDS
    from aigap.present.text import sentence
    from aigap.present.text.uncertainty import weights_text

    name = ctx.unit_name(lang)
    info, rr, row = h.full_info, h.rank_range, h.row
    what = ", ".join(ctx.indicator_name(c, lang) for c in info.series)
    edition = {"intensity edition": "edition_own", "population": "edition_pop"}.get(
        info.edition_source, "edition_none")
    out = [
        ctx.t("ai3.lead", lang, name=name, rank=h.nominal_rank, n=h.n_units, spec=h.spec),
        ctx.t("ai3.full", lang, name=name, p=h.p_top3, runs=h.full.n - h.full.n_failed,
              median=row["median_rank"], lo=row["rank_p05"], hi=row["rank_p95"]),
        ctx.t("ai3.full_how", lang, ind=len(info.leave_out.get(1, [])),
              pil=len(info.leave_out.get(2, [])), heavy=info.heavy_threshold,
              series=(ctx.t("ai3.series_some", lang, what=what) if info.series
                      else ctx.t("ai3.series_none", lang)),
              edition=ctx.t(f"ai3.{edition}", lang)),
    ]
    if h.driver is not None:
        out.append(ctx.t("ai3.driver", lang, name=name, s1=h.driver["S1"], st=h.driver["ST"],
                         dimension=t(f"structural.dimension.{h.driver['dimension']}", lang)))
    lo, hi = HEADLINE_BOUNDS
    reach = (ctx.t("ai3.reachable", lang, weights=weights_text(rr.space, rr.best_weights, lang))
             if rr.attainable else ctx.t("ai3.unreachable", lang, name=name))
    out += [
        ctx.t("ai3.range", lang, name=name, lo=lo, hi=hi, best=rr.best_rank,
              worst=rr.worst_rank) + reach,
        ctx.t("ai3.range_how", lang, pillars=rr.space.c - len(h.zero_pillars), lo=lo, hi=hi,
              method=ctx.t("ai3.exact" if rr.exact else "ai3.inexact", lang)),
        ctx.t("ai3.smaa", lang, name=name, p=h.smaa_p_top3),
        ctx.t("ai3.smaa_how", lang, n=h.smaa.n),
        ctx.t("ai3.reconcile", lang, summary=sentence(h.reconcile, lang)),
        ctx.t("ai3.reconcile_how", lang),
    ]
    for d in h.decompositions:
        a, b = d.titles.get(lang, (d.a, d.b))
        out += [sentence(d, lang, who=name), ctx.t("ai3.decompose_how", lang, a=a, b=b)]
    return out


def reconcile_table(ctx: ReportContext, h: Headline) -> list[dict[str, Any]]:
    """The reconciliation rows with the report's column names."""
    rows = h.reconcile.to_frame()
    table = pd.DataFrame({
        ctx.t("ai3.col.index"): rows["index"] + " (" + rows["edition"].astype(str) + ")",
        ctx.t("ai3.col.kind"): [t(f"reconcile.kind.{k}", ctx.lang) for k in rows["kind"]],
        ctx.t("ai3.col.rank"): rows["rank"].astype("Int64"),
        ctx.t("ai3.col.of_n"): rows["of_n"].astype("Int64"),
        ctx.t("ai3.col.units"): rows["unit_rule"],
        ctx.t("ai3.col.years"): rows["data_years"],
    })
    return table.to_dict("records")  # type: ignore[no-any-return]


def headline_section(ctx: ReportContext) -> dict[str, Any]:
    """AI 3강: P(top 3) under the full uncertainty, the attainable rank with bounded weights,
    SMAA P(top 3) and why the indices disagree, each with its assumptions."""
    from aigap.analysis.uncertainty.structural import headline

    h = headline(ctx.wh, ctx.unit, ctx.spec, n=N_RUNS, draws=N_DRAWS, sobol_n=SOBOL_N)
    se = 0.5 / N_RUNS ** 0.5  # the largest binomial standard error of a probability
    tables: dict[str, list[dict[str, Any]]] = {"reconcile": reconcile_table(ctx, h)}
    for d in h.decompositions:
        from aigap.present.text.reconcile import difference_frame

        tables[f"decompose {d.a}->{d.b}"] = difference_frame(d, ctx.lang).to_dict("records")
    return {"id": "ai3", "title": ctx.t("ai3.title", name=ctx.unit_name(ctx.lang)),
            "text": {lang: headline_lines(ctx, h, lang) for lang in languages()},
            "tables": tables, "figures": [],
            "notes": [ctx.t("ai3.fast", runs=N_RUNS, draws=N_DRAWS, se=2 * se),
                      *h.warnings],
            "sources": ctx.index_sources, "numbers": h.to_dict()}
