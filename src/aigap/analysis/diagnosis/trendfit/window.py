"""The fit window: which years of a series a trend is fitted on, by a stated rule.

The rule (applied to each country's series; the comparison then uses the years all of them
share):

1. **Adequate coverage.** A year counts when the indicator covers at least half as many units
   (countries) in it as in its best-covered year (for a top-N chart: as N). A source that is
   still building up its coverage, or a newest year with only the early reporters, fails this.
2. **Consecutive.** The most recent run of consecutive years that have a value and adequate
   coverage; a missing year ends the run.
3. **No artefact start.** For the log model, a first value more than 10 times below the median
   of the next three is a coverage artefact (Korea's US$16 million in CSET 2014 against
   US$117-309 million in 2015-2017) and is dropped, as often as the rule applies.
4. **Long enough.** At least :data:`MIN_WINDOW` years remain, or there is no trend.

A window the user sets (``--window 2016:2023``) replaces the rule; it needs three values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aigap.analysis.diagnosis.trendfit.fit import MIN_POINTS, Reason, TrendError

MIN_WINDOW = 5
COVERAGE_SHARE = 0.5
ARTEFACT_FACTOR = 10.0
ARTEFACT_NEXT = 3


@dataclass(frozen=True)
class Window:
    """The years a fit uses and why others were left out."""

    start: int
    end: int
    rule: str  # "rule" (chosen by the window rule) or "user"
    notes: tuple[Reason, ...] = ()  # why years were left out (catalogue ``trend.window.*``)

    def years(self, available: pd.Series) -> pd.Series:
        return available[(available >= self.start) & (available <= self.end)]


def coverage(panel: pd.DataFrame) -> pd.Series:
    """Units with a value in each year of an indicator (its whole panel)."""
    return panel.dropna(subset=["value"]).groupby("year")["iso3"].nunique().sort_index()


def adequate_years(cov: pd.Series, top_n: int | None = None) -> tuple[set[int], int]:
    """Years whose coverage is at least :data:`COVERAGE_SHARE` of the best year's (or of N for
    a top-N chart), and that reference count."""
    if cov.empty:
        return set(), 0
    best = int(cov.max())
    ref = min(best, int(top_n)) if top_n else best
    return {int(y) for y, c in cov.items() if c >= COVERAGE_SHARE * ref}, ref


def _runs(years: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return runs


def rule_window(series: pd.DataFrame, adequate: set[int], ref: int, *, model: str,
                who: str = "", indicator: str = "") -> Window:
    """The window rule on one country's series (columns year, value)."""
    s = series.dropna(subset=["value"]).sort_values("year")
    if model == "log":
        s = s[s["value"] > 0]
    notes: list[Reason] = []
    have = [int(y) for y in s["year"]]
    low = [y for y in have if y not in adequate]
    if low:
        notes.append(Reason("low_coverage", {"years": _span(low), "ref": ref}))
    runs = _runs([y for y in have if y in adequate])
    if not runs:
        raise TrendError(f"{who} has no year of {indicator} with adequate coverage".strip())
    run = runs[-1]
    if len(runs) > 1:
        notes.append(Reason("older_run", {"start": run[0], "end": run[-1],
                                          "left": _span([y for r in runs[:-1] for y in r])}))
    if model == "log":
        values = dict(zip(s["year"].astype(int), s["value"].astype(float), strict=True))
        while len(run) > 1:
            nxt = [values[y] for y in run[1:1 + ARTEFACT_NEXT]]
            first, med = values[run[0]], float(np.median(nxt))
            if first * ARTEFACT_FACTOR >= med:
                break
            notes.append(Reason("artefact", {"year": run[0], "value": first,
                                             "factor": med / first, "n": len(nxt)}))
            run = run[1:]
    if len(run) < MIN_WINDOW:
        raise TrendError(
            f"{who} has {len(run)} usable consecutive year(s) of {indicator} "
            f"({run[0]}-{run[-1]}); a trend needs at least {MIN_POINTS} and the window rule "
            f"at least {MIN_WINDOW} (or set a window with --window)".strip()
        )
    return Window(start=run[0], end=run[-1], rule="rule", notes=tuple(notes))


def user_window(start: int | None, end: int | None, years: pd.Series) -> Window:
    """A window the user set; open ends take the data's first or last year."""
    if start is not None and end is not None and start > end:
        raise TrendError(f"window start {start} is after its end {end}")
    if years.empty:
        raise TrendError("no observations")
    lo = start if start is not None else int(years.min())
    hi = end if end is not None else int(years.max())
    return Window(start=lo, end=hi, rule="user", notes=(Reason("user", {"start": lo, "end": hi}),))


def intersect(a: Window, b: Window) -> Window | None:
    lo, hi = max(a.start, b.start), min(a.end, b.end)
    if hi - lo + 1 < MIN_POINTS:
        return None
    return Window(start=lo, end=hi, rule=a.rule,
                  notes=tuple(a.notes) + tuple(n for n in b.notes if n not in a.notes))


def _span(years: list[int]) -> str:
    return ", ".join(f"{r[0]}" if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in _runs(years))
