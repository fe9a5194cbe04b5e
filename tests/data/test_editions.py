"""Source flags and vintages side by side: flags_for, observation_vintages, diff."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aigap.data import vintages as vint
from aigap.data.sources import get_dataset
from aigap.data.sources.base import FLAG_MEANINGS
from aigap.data.warehouse import ResolvedFile, Warehouse, pull
from aigap.errors import AigapError
from factories import DATASETS, WB_GDP, WB_HEADER, WB_ROWS, make_mirror, write

# --- flags on the real mirror ---------------------------------------------------------------


def test_sources_table_marks_documented_flags(real_wh: Warehouse) -> None:
    flags = {i: set(f) for i, f in real_wh.sources()[["id", "flags"]].itertuples(index=False)}
    assert "unverified" in flags["oxford_gairi_2025"]
    assert "unverified" not in flags["oxford_gairi_2024"]
    assert "draft" in flags["belfer_ceti_2025_ai"]
    assert "low-confidence" in flags["ncses_ai_articles"]
    assert "inferred-vintage" in flags["tortoise_global_ai_index"]
    assert "inferred-vintage" not in flags["wb_gdp_current_usd"]
    assert set().union(*flags.values()) <= set(FLAG_MEANINGS)


def test_flags_for_reaches_the_oxford_2025_values(real_wh: Warehouse) -> None:
    assert real_wh.flags_for("gov_ai_readiness_2025_rank", "KOR", 2025) == {
        "oxford_gairi_2025": ("unverified",)}
    assert real_wh.flags_for("gov_ai_readiness", "KOR") == {
        f"oxford_gairi_{y}": () for y in range(2020, 2025)}
    assert real_wh.flags_for("tortoise_total") == {
        "tortoise_global_ai_index": ("inferred-vintage",)}
    assert real_wh.flags_for("gov_ai_readiness_2025", "KOR", 1999) == {}
    with pytest.raises(AigapError, match="did you mean gov_ai_readiness_2025"):
        real_wh.flags_for("gov_ai_readiness_2052")
    with pytest.raises(AigapError, match="unknown country code"):
        real_wh.flags_for("gov_ai_readiness_2025", "XXX")
    # the observations say it too
    note = real_wh.panel(["gov_ai_readiness_2025_rank"], countries=["KOR"])["note"].iloc[0]
    assert "UNVERIFIED" in note and "8th of 195" in note


# --- vintages on the real mirror ------------------------------------------------------------


def test_both_ai_index_editions_are_kept_for_the_same_key(real_wh: Warehouse) -> None:
    both = real_wh.con.execute(
        "SELECT vintage, value, source FROM observation_vintages WHERE indicator = "
        "'private_ai_investment_aiindex' AND iso3 = 'CHN' AND year = 2024 ORDER BY vintage"
    ).fetchall()
    assert [(v, round(x, 6), s) for v, x, s in both] == [
        ("AI Index 2025 (Apr 2025)", 9.290338, "aiindex2025_investment"),
        ("AI Index 2026 (Apr 2026)", 9.387937, "aiindex2026_fig_4_2_11"),
    ]
    # observations keep one number per key: the 2025 edition's, as before
    p = real_wh.panel(["private_ai_investment_aiindex"], countries=["CHN"], years=[2024])
    assert p["source"].tolist() == ["aiindex2025_investment"]
    assert "vintage-only" in set(real_wh.sources().set_index("id")
                                 .loc["aiindex2026_fig_4_2_11", "flags"])


def test_diff_ai_index_editions_for_china(real_wh: Warehouse) -> None:
    d = real_wh.diff(source="aiindex", unit="CHN")
    assert (d.attrs["old"], d.attrs["new"]) == ("AI Index 2025 (Apr 2025)",
                                                "AI Index 2026 (Apr 2026)")
    rev = d[d.change == "revised"].iloc[0]
    assert (rev.indicator, rev.year) == ("private_ai_investment_aiindex", 2024)
    assert rev.old == pytest.approx(9.290337909) and rev.new == pytest.approx(9.38793735)
    assert rev.difference == pytest.approx(rev.new - rev.old)
    assert rev.change_pct == pytest.approx(100 * rev.difference / rev.old)
    assert set(d.change) == {"revised", "added", "removed"}
    assert set(d["iso3"]) == {"CHN"}
    added = d[d.change == "added"]
    assert set(added[added.indicator == "private_ai_investment_aiindex"].year) == {
        *range(2013, 2024), 2025}
    # indicators that only one edition publishes are left out unless asked for
    assert "ai_talent_net_migration" not in set(d.indicator)
    everything = real_wh.diff(source="aiindex", unit="CHN", all_indicators=True)
    assert len(everything) > len(d)


def test_diff_by_indicator_and_chosen_vintages(real_wh: Warehouse) -> None:
    d = real_wh.diff(indicator="gov_ai_readiness", unit="KOR", old="2020", new="2024")
    assert d.attrs["label"] == "gov_ai_readiness"
    assert d[["change", "year"]].values.tolist() == [["added", 2024], ["removed", 2020]]
    assert len(d.attrs["vintages"]) == 5
    with pytest.raises(AigapError, match="matches 5 vintage"):
        real_wh.diff(indicator="gov_ai_readiness", old="Readiness")
    with pytest.raises(AigapError, match="same vintage"):
        real_wh.diff(source="oxford", old="2024", new="2024")


def test_diff_by_edition_compares_snapshot_editions(real_wh: Warehouse) -> None:
    d = real_wh.diff(source="oxford", unit="KOR", old="2023", new="2024", by="edition")
    row = d.set_index("indicator").loc["gov_ai_readiness"]
    assert (row.change, row.year, row.old_year) == ("changed", 2024, 2023)
    assert (row.old, row.new) == (pytest.approx(75.64511212), pytest.approx(79.97780202))
    assert set(d.change) == {"changed"} and len(d) == 4
    # by year the same two editions share no (indicator, country, year)
    by_year = real_wh.diff(source="oxford", unit="KOR", old="2023", new="2024")
    assert set(by_year.change) == {"added", "removed"}
    # the 2024 -> 2025 framework change leaves no indicator in common
    d25 = real_wh.diff(source="oxford", unit="KOR")
    assert d25.empty and d25.attrs["shared"] == 0
    with pytest.raises(AigapError, match="several years of private_ai_investment_aiindex for "
                       "CHN: compare it by year"):
        real_wh.diff(source="aiindex", unit="CHN", by="edition")
    with pytest.raises(AigapError, match="unknown comparison 'month'"):
        real_wh.diff(source="oxford", by="month")


def test_diff_errors_name_the_valid_sources(real_wh: Warehouse) -> None:
    with pytest.raises(AigapError, match=r"unknown source 'nope'; sources: aiindex \(2 "
                       r"vintages\), belfer \(1 vintage\)"):
        real_wh.diff(source="nope")
    with pytest.raises(AigapError, match=r"tortoise has one vintage \(Dec 2021 edition .*"
                       r"two or more vintages: aiindex \(2\)"):
        real_wh.diff(source="tortoise")
    with pytest.raises(AigapError, match="imf_aipi has one vintage"):
        real_wh.diff(indicator="imf_aipi")
    with pytest.raises(AigapError, match="name a source"):
        real_wh.diff()


def test_vintages_listing_is_ordered_oldest_first(real_wh: Warehouse) -> None:
    v = real_wh.vintages()
    ox = v[v.family == "oxford"]["vintage"].tolist()
    assert ox == [f"Government AI Readiness Index {y}" for y in range(2019, 2026)]
    ai = v[v.family == "aiindex"]
    assert ai["vintage"].tolist() == ["AI Index 2025 (Apr 2025)", "AI Index 2026 (Apr 2026)"]
    assert "aiindex2026_fig_4_2_11" in ai["datasets"].iloc[1]


# --- history across pulls (a live pull is a new vintage) -------------------------------------


def test_a_new_vintage_is_kept_beside_the_old_one(tmp_path: Path) -> None:
    mirror = make_mirror(tmp_path / "mirror")
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    live = tmp_path / "live"
    write(live, WB_GDP, WB_HEADER, [WB_ROWS[0].replace("1712792854202.4", "1713000000000"),
                                    WB_ROWS[1]])

    def resolve(ds):  # type: ignore[no-untyped-def]
        if ds.id == "wb_gdp_current_usd":
            return ResolvedFile(live / ds.relpath, origin="live",
                                vintage="World Bank API v2, last updated 2026-07-01")
        return ResolvedFile(mirror / ds.relpath)

    for _ in range(2):  # the same vintage pulled twice replaces itself
        pull(db_path=db, datasets=DATASETS, resolver=resolve)
    with Warehouse.open(db) as wh:
        d = wh.diff(source="wb")
        assert d.attrs["old"] == get_dataset("wb_gdp_current_usd").vintage
        assert d.attrs["new"] == "World Bank API v2, last updated 2026-07-01"
        assert d[["change", "iso3"]].values.tolist() == [["revised", "KOR"], ["removed", "CHN"]]
        assert d["old"].tolist() == [1712792854202.4, 18270356654533.2]
        assert d["new"].iloc[0] == 1713000000000.0 and pd.isna(d["new"].iloc[1])
        assert d.attrs["unchanged"] == 1  # USA
        # the current observations are the newest pull's
        gdp = wh.panel(["gdp_current_usd"]).set_index("iso3")["value"]
        assert gdp.to_dict() == {"KOR": 1713000000000.0, "USA": 27720709000000.0}
        held = wh.con.execute("SELECT count(*) FROM observation_vintages WHERE source = "
                              "'wb_gdp_current_usd'").fetchone()
        assert held == (5,)  # 3 mirror + 2 live, not 3 + 2 + 2
        sv = wh.con.execute("SELECT vintage, origin FROM source_vintages WHERE source = "
                            "'wb_gdp_current_usd' ORDER BY vintage").fetchall()
        assert [o for _, o in sv] == ["mirror", "live"]


# --- the pure functions ---------------------------------------------------------------------


def test_vintage_key_orders_by_the_latest_date_named() -> None:
    vs = ["AI Index 2026 (Apr 2026)", "Epoch AI snapshot (Oct-Nov 2025)",
          "Epoch AI notable models snapshot (~Apr 2025)", "World Bank API v2, 2026-04-08",
          "OWID grapher, downloaded early 2025 (years 2014-2023)", "Dec 2021 edition"]
    assert sorted(vs, key=vint.vintage_key) == [
        "Dec 2021 edition", "OWID grapher, downloaded early 2025 (years 2014-2023)",
        "Epoch AI notable models snapshot (~Apr 2025)", "Epoch AI snapshot (Oct-Nov 2025)",
        "AI Index 2026 (Apr 2026)", "World Bank API v2, 2026-04-08"]
    assert vint.family("aiindex2026_fig_4_2_8") == "aiindex"
    assert vint.family("oxford_gairi_2025") == "oxford"


keys = st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["KOR", "USA", "CHN"]),
                 st.integers(2020, 2023))


def _frame(d: dict[tuple[str, str, int], float], source: str) -> pd.DataFrame:
    rows = [(i, c, y, v, "u", source) for (i, c, y), v in d.items()]
    return pd.DataFrame(rows, columns=["indicator", "iso3", "year", "value", "unit", "source"])


@settings(max_examples=60, deadline=None)  # no timing in unit tests (a loaded machine)
@given(st.dictionaries(keys, st.floats(-1e6, 1e6)), st.dictionaries(keys, st.floats(-1e6, 1e6)))
def test_diff_accounts_for_every_value(old: dict, new: dict) -> None:  # type: ignore[type-arg]
    d = vint.diff(_frame(old, "o"), _frame(new, "n"), unchanged=True)
    n = d["change"].value_counts()
    assert n.get("added", 0) + n.get("revised", 0) + n.get("unchanged", 0) == len(new)
    assert n.get("removed", 0) + n.get("revised", 0) + n.get("unchanged", 0) == len(old)
    rev = d[d.change == "revised"]
    assert (rev["new"] - rev["old"] - rev["difference"]).abs().max() < 1e-6 or rev.empty
    same = vint.diff(_frame(new, "o"), _frame(new, "n"))
    assert same.empty
