"""Vintages of one source side by side: which is older, and what changed between two.

A *source family* is a publisher's source across its editions: the dataset ids that start
with the same word (``aiindex2025_*`` and ``aiindex2026_*`` are ``aiindex``; ``oxford_gairi_*``
are ``oxford``; ``epoch_*`` are ``epoch``). A *vintage* is the ``vintage`` string a dataset was
loaded with. Vintages are ordered by the latest year (and month) their string names, so "AI
Index 2025 (Apr 2025)" comes before "AI Index 2026 (Apr 2026)" and "World Bank API v2, last
updated 2026-04-08" before a live pull's later date. Pure functions over frames; the warehouse
reads the rows.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from aigap.errors import AigapError

KEY = ["indicator", "iso3", "year"]
DIFF_COLUMNS = ["change", "indicator", "iso3", "year", "old", "new", "difference", "change_pct",
                "unit", "old_source", "new_source"]
CHANGES = ("revised", "changed", "added", "removed")  # changed = edition to edition

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_DATE = re.compile(
    r"(?:\b(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+)?"
    r"(?<!\d)(?P<year>(?:19|20)\d{2})(?!\d)(?:-(?P<mm>0[1-9]|1[0-2])(?!\d))?", re.IGNORECASE)


def family(dataset_id: str) -> str:
    """The source family of a dataset id: its leading word (``aiindex2026_fig_4_2_8`` ->
    ``aiindex``)."""
    m = re.match(r"[a-z]+", dataset_id)
    return m.group(0) if m else dataset_id


def vintage_key(vintage: str) -> tuple[int, int, str]:
    """Sort key: the latest (year, month) the string names, then the string itself."""
    best = (0, 0)
    for m in _DATE.finditer(vintage):
        month = int(m["mm"]) if m["mm"] else _MONTHS.get((m["mon"] or "").lower()[:3], 0)
        best = max(best, (int(m["year"]), month))
    return (*best, vintage)


def diff(old: pd.DataFrame, new: pd.DataFrame, *, unchanged: bool = False,
         by: str = "year") -> pd.DataFrame:
    """Values added, removed and revised from ``old`` to ``new`` (one row per key each).

    Both frames have ``indicator, iso3, year, value, unit, source``. Revised = both hold the
    key and the values differ by more than 1e-9 relative (float noise of reshaped copies is
    not a revision). ``difference`` = new - old; ``change_pct`` = 100 x difference / |old|.

    ``by="year"`` compares the same (indicator, iso3, year): revisions of one number.
    ``by="edition"`` compares (indicator, iso3) whatever the year, for editions that are
    snapshots (an index's 2023 and 2024 editions hold one year each): a differing value is
    ``changed`` (not a revision), ``year`` is the new edition's year, ``old_year`` the old's.
    """
    if by not in ("year", "edition"):
        raise AigapError(f"unknown comparison {by!r}; use 'year' or 'edition'")
    cols = [*KEY, "value", "unit", "source"]
    key = KEY if by == "year" else ["indicator", "iso3"]
    if by == "edition":
        for side, frame in (("old", old), ("new", new)):
            many = frame.groupby(key)["year"].nunique()
            if (many > 1).any():
                ind, iso3 = many[many > 1].index[0]
                raise AigapError(f"the {side} vintage holds several years of {ind} for {iso3}: "
                                 "compare it by year, not by edition")
    m = old[cols].merge(new[cols], on=key, how="outer", suffixes=("_old", "_new"),
                        indicator=True)
    if by == "edition":
        m["year"] = m["year_new"].fillna(m["year_old"])
    for col in ("value_old", "value_new"):
        m[col] = m[col].astype(float)  # object dtype when a side is empty
    same = np.isclose(m["value_old"], m["value_new"], rtol=1e-9, atol=0.0)
    change = np.select([m["_merge"] == "left_only", m["_merge"] == "right_only", ~same],
                       ["removed", "added", "revised" if by == "year" else "changed"],
                       "unchanged")
    diffs = m["value_new"] - m["value_old"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100 * diffs / m["value_old"].abs()
    out = pd.DataFrame({
        "change": change, "indicator": m["indicator"], "iso3": m["iso3"],
        "year": m["year"].astype(int), "old": m["value_old"], "new": m["value_new"],
        "difference": diffs, "change_pct": pct.where(np.isfinite(pct)),
        "unit": m["unit_new"].fillna(m["unit_old"]), "old_source": m["source_old"],
        "new_source": m["source_new"],
    }, columns=DIFF_COLUMNS)
    if by == "edition":
        out.insert(4, "old_year", m["year_old"].astype("Int64"))
    if not unchanged:
        out = out[out["change"] != "unchanged"]
    order = {c: i for i, c in enumerate((*CHANGES, "unchanged"))}
    out = out.sort_values(["indicator", "iso3", "year"]).sort_values(
        "change", key=lambda s: s.map(order), kind="stable")
    return out.reset_index(drop=True)
