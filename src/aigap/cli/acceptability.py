"""`aigap acceptability` (SMAA rank acceptability) and `aigap rank-range` (attainable ranks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from aigap.cli._common import (
    FORMAT_OPTION,
    LANG_OPTION,
    Lang,
    OutputFormat,
    console,
    progress_bar,
    render,
    user_errors,
)

SPEC_OPTION = typer.Option("aigap", "--spec", "-s", help="shipped spec name or path to a YAML "
                           "spec")
LEVEL_OPTION = typer.Option(2, "--level", help="whose weights vary: 2 = pillars, 1 = indicators "
                            "within their pillars")
BOUNDS_OPTION = typer.Option(None, "--bounds", help="LO:HI for every weight of the level, e.g. "
                             "0.1:0.4 (weights sum to 1 within each parent)")
BOUND_OPTION = typer.Option(None, "--bound", help="CODE=LO:HI for one weight, e.g. "
                            "Talent=0.1:0.3 (repeatable; wins over --bounds)")
PREFER_OPTION = typer.Option(None, "--prefer", help="ordinal preference A>=B, e.g. "
                             "Talent>=Research (repeatable)")
YEAR_OPTION = typer.Option(None, "--year", "-y", help="year of a panel spec (default: latest)")
TOPK_OPTION = typer.Option(3, "--top-k", help="the rank asked about: P(top k), top k attainable")


def _weights(bounds: str | None, bound: list[str] | None, prefer: list[str] | None
             ) -> dict[str, Any]:
    from aigap.analysis.uncertainty.weightspace import weight_options

    return weight_options(bounds, bound, prefer)


def _labeller(area: str, lang: str) -> Callable[..., str]:
    """``lab(key, **fields)``: the catalogue's ``<area>.cli.<key>`` in ``lang``."""
    from aigap.i18n import t

    return lambda key, **kw: t(f"{area}.cli.{key}", lang, **kw)


def _notes(sentence: str | None, warnings: list[str]) -> None:
    """The plain-language sentence and the warnings under the tables."""
    if sentence:
        console.print(sentence, highlight=False, soft_wrap=True)
    for w in warnings:
        console.print(f"[yellow]warning:[/] {w}", highlight=False, soft_wrap=True)


def _weight_header(code: str, lang: str) -> str:
    from aigap.i18n import pillar_name

    return f"w {pillar_name(code, lang)}"


def acceptability_cmd(
    spec: str = SPEC_OPTION,
    top: int = typer.Option(10, "--top", help="units shown and rank columns (P(rank 1..top))"),
    n: int = typer.Option(10_000, "--n", "-n", help="weight vectors drawn"),
    level: int = LEVEL_OPTION,
    bounds: str | None = BOUNDS_OPTION,
    bound: list[str] | None = BOUND_OPTION,
    prefer: list[str] | None = PREFER_OPTION,
    unit: str | None = typer.Option(None, "--unit", "-u", help="unit to highlight and describe, "
                                    "e.g. KOR"),
    vs: Annotated[list[str] | None, typer.Option("--vs", help="with --unit: P(unit above each), "
                                                 "e.g. --vs JPN CHN")] = None,
    uncertainty: str | None = typer.Option(None, "--uncertainty", help="uncertainty spec whose "
                                           "data and method alternatives are drawn with the "
                                           "weights (default: nominal data)"),
    confidence: str = typer.Option("default", "--confidence", help="uncertainty spec of the "
                                   "confidence factors when the run has no data uncertainty "
                                   "('none': nominal data, factors 0 or 1)"),
    seed: int = typer.Option(0, "--seed", help="random seed (same seed, same numbers)"),
    top_k: int = TOPK_OPTION,
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask: 'local' or a "
                                         "scheduler address; default: this process"),
    workers: int = typer.Option(2, "--workers", help="Dask LocalCluster worker processes"),
    year: int | None = YEAR_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
) -> None:
    """SMAA-2 rank acceptability: P(each rank) of every unit over weights drawn uniformly from
    the admissible simplex, central weights, confidence factors, P(A above B)."""
    import pandas as pd

    from aigap import present
    from aigap.analysis.uncertainty.acceptability import acceptability, find_unit
    from aigap.mc import make_backend
    from aigap.present.names import local_name
    from aigap.present.text.uncertainty import bounds_text, level_text

    if top < 1:
        from aigap.errors import SpecError

        raise SpecError(f"--top must be >= 1 (got {top})")
    with progress_bar("SMAA", fmt is OutputFormat.table) as bar:
        res = acceptability(spec, level=level, **_weights(bounds, bound, prefer), n=n,
                            seed=seed, uncertainty=uncertainty,
                            confidence=None if confidence == "none" else confidence, k=top_k,
                            backend=make_backend(scheduler, workers), year=year, progress=bar)
    hi = find_unit(unit, res.units) if unit else None
    others = [find_unit(v, res.units) for v in vs or []]
    if fmt is OutputFormat.json:
        doc = present.document(res)
        if hi:
            doc.update({"unit": hi, **{f"sentence_{lg}": present.sentence(res, lg, unit=hi,
                                                                           vs=others)
                                       for lg in ("en", "ko")},
                        "p_above": {o: res.p_above(hi, o) for o in others}})
        render(doc, fmt, lang)
        return
    df = res.to_frame(ranks=top)
    if fmt is OutputFormat.csv:
        render(df.reset_index(), fmt, lang)
        return
    lg = lang.value
    lab = _labeller("acceptability", lg)

    rows = df.head(top)
    if hi is not None and hi not in rows.index:
        rows = pd.concat([rows, df.loc[[hi]]])
    mark = [f"▶ {u}" if u == hi else u for u in rows.index]
    table = pd.DataFrame({
        lab("unit"): mark,
        lab("name"): [local_name(u, lg, nm) for u, nm in zip(rows.index, rows["name"],
                                                             strict=True)],
        lab("nominal"): rows["nominal_rank"].to_numpy(),
        lab("expected"): rows["expected_rank"].round(2).to_numpy(),
        lab("ptop", k=top_k): rows[f"p_top{top_k}"].round(3).to_numpy(),
        **{lab("rank_col", r=r): rows[f"b{r}"].round(3).to_numpy()
           for r in range(1, min(top, len(res.units)) + 1)}})
    cap = lab("caption", n=res.n_ok, seed=res.seed, failed=res.n_failed,
              level=level_text(res.space, lg), bounds=bounds_text(res.space, lg),
              acc=res.acceptance, basis=res.confidence_basis)
    render(table, fmt, lang, title=f"{lab('title')} — {res.index_name} ({res.spec_name})",
           caption=cap)
    weights = pd.DataFrame({
        lab("unit"): mark, lab("central_rank"): rows["central_rank"].to_numpy(),
        lab("confidence"): rows["confidence"].round(3).to_numpy(),
        **{_weight_header(c, lg): rows[f"w_{c}"].round(3).to_numpy() for c in res.space.codes}})
    render(weights, fmt, lang, title=lab("weights_title"))
    _notes(present.sentence(res, lg, unit=hi, vs=others) if hi else None, res.warnings)


def rank_range_cmd(
    unit: str = typer.Argument(..., help="unit code, e.g. KOR"),
    spec: str = SPEC_OPTION,
    level: int = LEVEL_OPTION,
    bounds: str | None = BOUNDS_OPTION,
    bound: list[str] | None = BOUND_OPTION,
    prefer: list[str] | None = PREFER_OPTION,
    top_k: int = TOPK_OPTION,
    samples: int = typer.Option(20_000, "--samples", help="uniform draws of the search used "
                                "when no exact method applies"),
    seed: int = typer.Option(0, "--seed", help="seed of those draws"),
    year: int | None = YEAR_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    lang: Lang = LANG_OPTION,
) -> None:
    """Best and worst rank UNIT can reach over every admissible weighting (exact MILP for
    arithmetic aggregation), with the weights that attain each."""
    import pandas as pd

    from aigap import present
    from aigap.analysis.uncertainty.rank_range import rank_range
    from aigap.present.names import local_name

    res = rank_range(spec, unit, level=level, **_weights(bounds, bound, prefer), k=top_k,
                     samples=samples, seed=seed, year=year)
    if fmt is OutputFormat.json:
        render(res, fmt, lang)
        return
    df = res.to_frame()
    if fmt is OutputFormat.csv:
        render(df.reset_index(), fmt, lang)
        return
    lg = lang.value
    lab = _labeller("rank_range", lg)

    table = pd.DataFrame({
        lab("case"): [lab(c) for c in df.index], lab("rank"): df["rank"].to_numpy(),
        **{_weight_header(c, lg): df[f"w_{c}"].round(4).to_numpy() for c in res.space.codes}})
    who = local_name(res.unit, lg, res.unit_name)
    render(table, fmt, lang, title=f"{lab('title')} — {who} ({res.spec_name})",
           caption=lab("caption", method=res.method, n=res.n_units))
    _notes(present.sentence(res, lg), res.warnings)


def register(app: typer.Typer) -> None:
    """Add `acceptability` and `rank-range` to the aigap CLI."""
    app.command("acceptability")(user_errors(acceptability_cmd))
    app.command("rank-range")(user_errors(rank_range_cmd))

