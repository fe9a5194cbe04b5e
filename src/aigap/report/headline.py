"""The report's AI top-3 section, first in the report: can the country be in the top 3?

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
    """AI top-3: P(top 3) under the full uncertainty, the attainable rank with bounded weights,
    SMAA P(top 3) and why the indices disagree, each with its assumptions."""
    from aigap.analysis.uncertainty.structural import headline
    from aigap.present.text.headline import headline_lines

    h = headline(ctx.wh, ctx.unit, ctx.spec)  # default sizes: a few thousand draws each
    se = 0.5 / h.full.n ** 0.5  # the largest binomial standard error of a probability
    tables: dict[str, list[dict[str, Any]]] = {"reconcile": reconcile_table(ctx, h)}
    for d in h.decompositions:
        from aigap.present.text.reconcile import difference_frame

        tables[f"decompose {d.a}->{d.b}"] = difference_frame(d, ctx.lang).to_dict("records")
    return {"id": "ai3", "title": ctx.t("ai3.title", name=ctx.unit_name(ctx.lang)),
            "text": {lang: headline_lines(h, lang, name=ctx.unit_name(lang),
                                          indicator_name=lambda c, lg=lang: ctx.indicator_name(
                                              c, lg)) for lang in languages()},
            "tables": tables, "figures": [],
            "notes": [ctx.t("ai3.fast", runs=h.full.n, draws=h.smaa.n, se=2 * se),
                      *h.warnings],
            "sources": ctx.index_sources, "numbers": h.to_dict()}
