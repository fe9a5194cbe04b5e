"""The one peer-group convention: who is compared, the median and the percentile.

Every "OECD median", percentile and peer rank that aigap prints (``aigap profile``,
``peer-rank``, ``check-claims``, the report's tables, the dashboard) goes through this module,
so the same question gets the same number everywhere. In plain words (docs/conventions.md):

* **Members as of the data year.** A named group (OECD, G7, G20, EU27, ASEAN) has the members
  of the year the numbers are for (memberships are dated in :mod:`aigap.data.countries`);
  without a year, today's members.
* **The subject is not its own peer.** The comparison set (*peers*) is the group's members
  other than the subject country. The *peer median* is the median of the peers with data,
  the subject left out (so "OECD median" next to Korea is the median of the other members).
* **Median**: the ordinary sample median of the peers with a value (mean of the two middle
  values when their number is even); NaN when no peer has data.
* **Rank "k of n"**: ``k`` = 1 + peers strictly better (ties share the best rank); ``n`` = the
  peers with data plus the subject, i.e. the number of units ranked, the subject included
  (Korea "12/38" among the 38 OECD members when all have data).
* **Percentile** = share of peers with data that the subject beats or ties, x 100:
  ``(n - k) / (n - 1) x 100`` without ties. Best = 100, worst = 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from aigap.errors import AigapError


class PeerGroupError(AigapError):
    """An unknown or empty peer group."""


def group_label(group: str) -> str | None:
    """The canonical name of a named group ("oecd" -> "OECD", "EU" -> "EU27"), else None."""
    from aigap.data.countries import GROUPS

    key = group.strip().upper().replace("-", "")
    if key in (*GROUPS, "EU"):
        return "EU27" if key == "EU" else key
    return None


def peer_group(group: str | Sequence[str], year: int | None = None) -> tuple[str, list[str]]:
    """(label, members) of a named group as of ``year`` or of a custom list.

    A custom list is "KOR,JPN,DEU" (commas, semicolons or spaces) or a sequence of ISO3 codes;
    its label is "custom". One unknown word raises a message naming the known groups.
    """
    from aigap.data.countries import GROUPS, check_iso3, group_members

    if isinstance(group, str):
        label = group_label(group)
        if label is not None:
            return label, group_members(label, year)
        parts = [p.strip() for p in re.split(r"[,;\s]+", group) if p.strip()]
        if len(parts) == 1:
            try:
                return "custom", check_iso3(parts)
            except AigapError:
                raise PeerGroupError(f"unknown peer group {group!r}; use one of "
                                     f"{', '.join(GROUPS)} or ISO3 codes such as JPN,DEU,TWN"
                                     ) from None
        group = parts
    members = sorted(set(check_iso3(list(group))))
    if not members:
        raise PeerGroupError("the custom peer group is empty")
    return "custom", members


def peers_of(members: Sequence[str], unit: str) -> list[str]:
    """The comparison set: the members other than ``unit``."""
    return [m for m in members if m != unit]


def peer_median(values: np.ndarray | Sequence[float] | pd.Series) -> float:
    """The median of the peers' values, NaN skipped (NaN when none is left)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    return float(np.median(x)) if x.size else float("nan")


def percentile_among(value: float, peers: np.ndarray | Sequence[float],
                     direction: int = 1) -> tuple[float, int, int]:
    """(percentile, rank, n) of ``value`` among ``peers`` (NaN peers skipped).

    percentile = 100 x share of peers beaten or tied; rank = 1 + peers strictly better;
    n = peers with data + 1. Percentile and rank are NaN/0 when ``value`` is NaN; the
    percentile is NaN when no peer has data.
    """
    p = np.asarray(peers, dtype=float)
    p = p[~np.isnan(p)] * direction
    n = int(p.size) + 1
    if value is None or math.isnan(value):
        return float("nan"), 0, n
    v = value * direction
    rank = 1 + int(np.sum(p > v))
    pct = float("nan") if p.size == 0 else 100.0 * float(np.sum(p <= v)) / p.size
    return pct, rank, n


def peer_medians(scores: pd.DataFrame, unit: str, members: Sequence[str],
                 columns: Sequence[str] | None = None) -> pd.Series:
    """Per column of ``scores`` (units x columns) the median of ``unit``'s peers."""
    cols = list(columns) if columns is not None else list(scores.columns)
    have = [m for m in peers_of(members, unit) if m in scores.index]
    return pd.Series({c: peer_median(scores.loc[have, c]) for c in cols}, dtype=float)
