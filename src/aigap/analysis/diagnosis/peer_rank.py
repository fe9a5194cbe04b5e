"""Rank of a unit within a peer group (OECD, G7, G20, EU27, ASEAN or a custom list).

One year only: by default the latest year in which the unit has data, so that every member is
compared on the same year; members without a value in that year are named. Ranks use the
indicator's direction (+1: higher is better) and ties share the best rank (method 'min').
Membership is dated: a group's members are those of the ranking year. The group, the rank
("k of n": n counts the subject) and the subject's place in it follow the one convention of
:mod:`aigap.analysis.diagnosis.peers` (docs/conventions.md).

Censored top-N charts (catalogue ``top_n``): a member absent from the data is "not in the top
N", i.e. below every listed country, not "no data". The unit's rank is then exact when it is
listed (absent members all rank below it) and bounded when it is not (between just below the
listed members and last).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

from aigap.analysis.diagnosis.gap import indicator_meta
from aigap.analysis.diagnosis.peers import PeerGroupError, group_label, peer_group
from aigap.data.countries import check_iso3, group_members
from aigap.data.warehouse import Warehouse
from aigap.errors import AigapError
from aigap.jsonsafe import json_safe


class PeerRankError(AigapError):
    """A rank cannot be computed (unit without data, empty group, ...)."""


@dataclass
class PeerRank:
    """Where a unit stands in its group, with everything needed to say it honestly."""

    unit: str
    indicator: str
    group: str  # "OECD", ... or "custom"
    year: int | None
    direction: int
    n_members: int
    n_with_data: int
    rank: int | None  # exact rank (None when only bounds are known)
    rank_bounds: tuple[int, int] | None  # best and worst possible rank
    ranked_of: int  # the "of N" of the sentence
    tied_with: list[str]
    without_data: list[str]  # members with no value in the year (not censored)
    not_in_top_n: list[str]  # members absent from a censored top-N chart
    top_n: int | None
    unit_is_member: bool
    value: float | None
    source: str
    vintage: str
    table: pd.DataFrame = field(repr=False)
    # country names for the sentences (aigap.present.sentence), by ISO3
    names_en: dict[str, str] = field(default_factory=dict, repr=False)
    names_ko: dict[str, str] = field(default_factory=dict, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The group's members with value, rank and year (the ``table``)."""
        return self.table

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)
               if f.name not in ("names_en", "names_ko")}
        return json_safe(out)  # type: ignore[no-any-return]


def _members(group: str | Sequence[str], year: int | None) -> tuple[str, list[str]]:
    """(label, members as of ``year``): the one peer-group rule of :mod:`.peers`."""
    if isinstance(group, str) and group_label(group) is None:
        # "KOR,JPN,DEU" on the command line: a custom list; one word must be a group
        words = [g for g in group.replace(";", ",").split(",") if g.strip()]
        if len(words) == 1:
            group_members(words[0])  # raises "unknown group ..."
    try:
        return peer_group(group, year)
    except PeerGroupError as exc:
        raise PeerRankError(str(exc)) from None


def rank_in_group(
    values: pd.DataFrame,
    unit: str,
    members: Sequence[str],
    *,
    direction: int = 1,
    top_n: int | None = None,
    group: str = "custom",
    year: int | None = None,
    indicator: str = "",
    names_en: dict[str, str] | None = None,
    names_ko: dict[str, str] | None = None,
) -> PeerRank:
    """Pure core of :func:`peer_rank` on one year's values.

    ``values``: columns iso3, value and optionally source, vintage; may hold non-members
    (ignored). ``members``: the group; the unit is added when it is not a member.
    """
    en = names_en or {}
    ko = names_ko or {}
    unit_is_member = unit in members
    pool = sorted(set(members) | {unit})
    v = values[values["iso3"].isin(pool)].dropna(subset=["value"])
    v = v[[c for c in ("iso3", "value", "source", "vintage") if c in v]].copy()
    for col in ("source", "vintage"):
        if col not in v:
            v[col] = ""
    v = v.drop_duplicates("iso3")
    v["rank"] = v["value"].rank(method="min", ascending=direction < 0).astype(int)
    v = v.sort_values(["rank", "iso3"])
    listed = set(v["iso3"])
    absent = [m for m in pool if m not in listed]
    censored = top_n is not None
    n_members = len(pool)
    unit_row = v[v["iso3"] == unit]
    rank: int | None
    if not unit_row.empty:
        rank = int(unit_row["rank"].iloc[0])
        bounds = (rank, rank)
        tied = [i for i in v.loc[v["rank"] == rank, "iso3"] if i != unit]
        value = float(unit_row["value"].iloc[0])
        source, vintage = str(unit_row["source"].iloc[0]), str(unit_row["vintage"].iloc[0])
    elif censored:
        rank = None
        # below every listed member; best case just below them, worst case last
        bounds = (len(v) + 1, n_members)
        tied, value, source, vintage = [], None, "", ""
        if bounds[0] == bounds[1]:
            rank = bounds[0]
    else:
        raise PeerRankError(f"{unit} has no value for {indicator or 'the indicator'}"
                            + (f" in {year}" if year is not None else ""))
    # In a censored chart the absent members are ranked too (below the listed ones).
    ranked_of = n_members if censored else len(v)

    status = ["ranked"] * len(v)
    table = v.assign(status=status)
    extra = pd.DataFrame({
        "iso3": absent, "value": math.nan, "rank": pd.NA,
        "source": "", "vintage": "",
        "status": f"not in top {top_n}" if censored else "no data",
    })
    # concat of an all-NaN frame warns in pandas; build the rows as records instead
    if absent:
        table = pd.DataFrame(table.to_dict("records") + extra.to_dict("records"))
    table.insert(1, "country", table["iso3"].map(lambda i: en.get(i, i)))
    table["member"] = table["iso3"].isin(members)
    table = table[["rank", "iso3", "country", "value", "status", "member", "source",
                   "vintage"]].reset_index(drop=True)
    table["rank"] = table["rank"].astype("Int64")

    without = [] if censored else [m for m in absent if m != unit]
    not_top = [m for m in absent if m != unit] if censored else []
    res = PeerRank(
        unit=unit, indicator=indicator, group=group, year=year, direction=direction,
        n_members=len(members), n_with_data=len(v), rank=rank, rank_bounds=bounds,
        ranked_of=ranked_of, tied_with=tied, without_data=without, not_in_top_n=not_top,
        top_n=top_n, unit_is_member=unit_is_member, value=value, source=source,
        vintage=vintage, table=table, names_en=en, names_ko=ko,
    )
    return res


def peer_rank(
    wh: Warehouse,
    unit: str,
    *,
    indicator: str | None = None,
    peers: str | Sequence[str] = "OECD",
    year: int | None = None,
    values: pd.Series | None = None,
    direction: int | None = None,
) -> PeerRank:
    """Rank of ``unit`` within the group ``peers`` on ``indicator`` (or on supplied ``values``).

    ``values``: scores indexed by ISO3 (e.g. an index level), used instead of the warehouse;
    then ``direction`` defaults to +1 and the source is "supplied values".
    """
    group = peers  # the body's name for the peer group
    u = check_iso3([unit])[0]
    names_en, names_ko = wh.country_names("en"), wh.country_names("ko")
    if values is not None:
        frame = pd.DataFrame({"iso3": [str(i).upper() for i in values.index],
                              "value": values.to_numpy(dtype=float),
                              "source": "supplied values", "vintage": ""})
        label, members = _members(group, year)
        return rank_in_group(frame, u, members, direction=direction or 1, group=label,
                             year=year, indicator=indicator or "supplied values",
                             names_en=names_en, names_ko=names_ko)
    if not indicator:
        raise PeerRankError("name an indicator (--indicator) or pass values")
    meta = indicator_meta(wh, indicator)
    top_n = meta["top_n"]
    sign = direction or int(meta["direction"])
    panel = wh.panel([indicator])
    if panel.empty:
        raise PeerRankError(f"no data for {indicator} in the warehouse")
    if year is None:
        own = panel[panel["iso3"] == u]
        if not own.empty:
            year = int(own["year"].max())
        elif top_n is not None:
            year = int(panel["year"].max())  # absent from a top-N chart: not in the top N
        else:
            raise PeerRankError(f"{u} has no value for {indicator}")
    label, members = _members(group, year)
    frame = panel[panel["year"] == year]
    if frame.empty:
        raise PeerRankError(f"no value for {indicator} in {year}; years with data: "
                            f"{int(panel['year'].min())}-{int(panel['year'].max())}")
    if top_n is not None and not _censored(wh, indicator, year):
        top_n = None  # the catalogue's top-N is one edition's chart; this year's source is full
    res = rank_in_group(frame, u, members, direction=sign, top_n=top_n, group=label,
                        year=year, indicator=indicator, names_en=names_en, names_ko=names_ko)
    # Say in which year members without data last had a value (they were not compared).
    latest = panel.groupby("iso3")["year"].max()
    res.table["latest_year"] = res.table["iso3"].map(latest).astype("Int64")
    return res


def _censored(wh: Warehouse, indicator: str, year: int) -> bool:
    """Whether the year's values come from a censored top-N source (its ``censored-top*`` flag:
    an indicator may have a full table in one edition and a top-15 chart in another)."""
    flags = wh.flags_for(indicator, year=year)
    return any(f.startswith("censored") for fl in flags.values() for f in fl)


def concept_peer_rank(
    wh: Warehouse,
    unit: str,
    concept: str,
    *,
    peers: str | Sequence[str] = "OECD",
    year: int | None = None,
    series: str | None = None,
) -> PeerRank:
    """:func:`peer_rank` on a concept's default series and year: the one year policy per
    concept (:func:`aigap.data.concepts.choose_series`, purpose ``rank``, the group's members
    as the named peers), the same choice the index's data rule and the claims make.

    ``concept``: a concept code (``private_ai_investment`` is the concept, answered by its
    newest adequate series) or one series' code. When the unit has no value in the chosen
    year, its own latest year with data on that series answers (as :func:`peer_rank`).
    """
    from aigap.data.concepts import choose_series

    _, members = _members(peers, year)
    choice = choose_series(wh, concept, units=members, year=year, purpose="rank",
                           series=series)
    try:
        return peer_rank(wh, unit, indicator=choice.indicator, peers=peers,
                         year=choice.year if choice.year is not None else year)
    except PeerRankError:
        if year is not None or choice.year is None:
            raise
        return peer_rank(wh, unit, indicator=choice.indicator, peers=peers)
