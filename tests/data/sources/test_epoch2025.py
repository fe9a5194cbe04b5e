"""Epoch AI late-2025 bundle: models and GPU clusters, real mirror and constructed files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aigap.data.sources import epoch2025
from aigap.data.warehouse import Warehouse, pull
from aigap.errors import DataFormatError, UnknownCountryError

LATE = epoch2025.MODELS_VINTAGE


# --- real mirror ---------------------------------------------------------------------------
def test_model_lists(real_wh: Warehouse) -> None:
    recs = real_wh.records("epoch_models", vintage=LATE, columns=["list", "model"])
    assert recs["list"].value_counts().to_dict() == {"notable": 965, "large_scale": 481,
                                                      "frontier": 137}
    tables = real_wh.record_tables().set_index("table")
    assert set(tables.loc["epoch_models", "vintages"]) == {
        LATE, "Epoch AI notable models snapshot (~Apr 2025)"}


def test_model_counts_whole_counting(real_wh: Warehouse) -> None:
    recs = real_wh.records("epoch_models", vintage=LATE, where={"list": "notable"},
                           columns=["countries", "year"])
    counts = real_wh.panel(["notable_ai_models_epoch_2025_12"]).set_index(["iso3", "year"])
    # every country named by a model counts it once: counts add up to country mentions
    mentions = recs.explode("countries").dropna().groupby(["countries", "year"]).size()
    assert counts["value"].sum() == mentions.sum() > 965 - recs["countries"].map(len).eq(0).sum()
    assert counts.loc[("KOR", 2025), "note"].startswith("incomplete")
    fr = real_wh.panel(["frontier_ai_models_epoch_2025_12"], countries=["USA"])
    assert fr["value"].sum() > 50


def test_clusters_real(real_wh: Warehouse) -> None:
    recs = real_wh.records("gpu_clusters")
    assert len(recs) == 786
    colossus = recs[recs["name"].str.startswith("xAI Colossus Memphis Phase")]
    assert colossus["site"].nunique() == 1 and len(colossus) == 3
    cap = real_wh.panel(["gpu_cluster_h100e"], years=[2025]).set_index("iso3")["value"]
    # each site once, at its latest record: the sum equals the site-latest records
    usa = recs[recs["iso3"].eq("USA") & recs["countable"] & recs["status"].eq("Existing")]
    latest = usa.sort_values("first_operational_date", na_position="first").groupby(
        "site").tail(1)
    assert cap["USA"] == pytest.approx(latest["h100_equivalents"].sum())
    assert cap["USA"] < usa["h100_equivalents"].sum()  # phases would double count
    share = real_wh.panel(["gpu_cluster_h100e_share"], years=[2025]).set_index("iso3")["value"]
    assert 65 < share["USA"] < 80 and 10 < share["CHN"] < 20 and share["KOR"] < 2
    assert share.sum() < 100  # clusters of unknown location are in the world total only
    planned = real_wh.panel(["gpu_cluster_h100e_planned"]).set_index("iso3")["value"]
    assert planned["KOR"] > 5e6  # the planned 3 GW cluster
    assert set(real_wh.panel(["gpu_cluster_h100e_planned"])["year"]) == {2025}


# --- constructed clusters ------------------------------------------------------------------
HEADER = ["Name", "Status", "Certainty", "Single cluster?", "H100 equivalents",
          "Chip type (primary)", "Chip quantity (primary)", "Total number of AI chips",
          "Country", "Owner", "First Operational Date", "Sector", "Power Capacity (MW)",
          "Hardware Cost", "Builds Upon", "Superseded by", "Possible Duplicate",
          "Include in Standard Analysis", "Decommissioned Date (if applicable)"]


def row(name: str, status: str = "Existing", h100: float = 100.0, country: str = "Korea "
        "(Republic of)", date: str = "2023-01-01", builds: str = "", superseded: str = "",
        certainty: str = "Confirmed", dup: str = "", power: str = "10", decom: str = "",
        single: str = "Yes") -> dict[str, str]:
    return {"Name": name, "Status": status, "Certainty": certainty, "Single cluster?": single,
            "H100 equivalents": str(h100), "Chip type (primary)": "H100",
            "Chip quantity (primary)": str(h100), "Total number of AI chips": str(h100),
            "Country": country, "Owner": "o", "First Operational Date": date,
            "Sector": "Private", "Power Capacity (MW)": power, "Hardware Cost": "",
            "Builds Upon": builds, "Superseded by": superseded, "Possible Duplicate": dup,
            "Include in Standard Analysis": "True", "Decommissioned Date (if applicable)": decom}


SITE = [  # one site in three phases (each record = the whole cluster then), plus a plan
    row("Site A Phase 1", h100=100, date="2022-03-01", superseded="Site A Phase 2"),
    row("Site A Phase 2", h100=300, date="2023-06-01", builds="Site A Phase 1",
        superseded='"Site A Phase 3"'),
    row('"Site A Phase 3"', h100=500, date="2024-02-01", builds="Site A Phase 2"),
    row("Site A Phase 4", status="Planned", h100=2000, date="", builds="Site A Phase 3"),
    row("Other", h100=50, date="2023-01-15", country="Japan", power=""),
    row("Paper on Other", h100=50, date="2023-02-01", country="Japan", dup="True"),
    row("Old", h100=40, date="2021-01-01", decom="2023-07", country="United States of America"),
    row("Somewhere", h100=10, date="2023-05-01", country=""),
]


def write_clusters(root: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    path = root / epoch2025.DIR / epoch2025.CLUSTERS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).reindex(columns=header).to_csv(path, index=False)
    return path


def test_site_with_phases_counted_once(tmp_path: Path) -> None:
    path = write_clusters(tmp_path, SITE)
    recs = epoch2025.read_clusters(path)
    sites = recs.set_index("name")["site"]
    assert sites["Site A Phase 3"] == sites["Site A Phase 1"] == sites["Site A Phase 4"] \
        == "Site A Phase 1"  # stray quotes on a name do not break its links
    t = epoch2025.cluster_table(recs, snapshot=pd.Timestamp("2025-06-30")).set_index(
        ["iso3", "year"])
    assert t.loc[("KOR", 2022), "existing"] == 100
    assert t.loc[("KOR", 2023), "existing"] == 300  # phase 2 replaces phase 1, not 100 + 300
    assert t.loc[("KOR", 2024), "existing"] == 500
    assert t.loc[("KOR", 2025), "planned"] == 2000 - 500  # planned addition to the site
    assert t.loc[("KOR", 2024), "largest"] == 500
    assert t.loc[("JPN", 2023), "existing"] == 50  # the possible duplicate is left out
    assert np.isnan(t.loc[("JPN", 2023), "power"])  # no power figure: missing, not 0
    assert t.loc[("USA", 2022), "existing"] == 40
    assert ("USA", 2023) not in t.index  # decommissioned in July 2023
    # world total includes the cluster of unknown location: 300 + 50 + 10 in 2023
    assert t.loc[("KOR", 2023), "share"] == pytest.approx(300 / 360 * 100)


def test_dangling_link_is_its_own_site(tmp_path: Path) -> None:
    path = write_clusters(tmp_path, [row("B Phase 2", builds="B Phase 1")])
    assert epoch2025.read_clusters(path)["site"].tolist() == ["B Phase 2"]


def corrupt_missing(root: Path) -> None:
    write_clusters(root, SITE, [h for h in HEADER if h != "Superseded by"])


def corrupt_renamed(root: Path) -> None:
    write_clusters(root, [{("H100e" if k == "H100 equivalents" else k): v for k, v in r.items()}
                          for r in SITE], [("H100e" if h == "H100 equivalents" else h)
                                           for h in HEADER])


def corrupt_country(root: Path) -> None:
    write_clusters(root, [*SITE, row("X", country="Atlantis")])


def corrupt_status(root: Path) -> None:
    write_clusters(root, [*SITE, row("X", status="Rumoured")])


def corrupt_ambiguous_link(root: Path) -> None:
    write_clusters(root, [*SITE, row("Twin"), row("Twin"), row("Z", builds="Twin")])


CASES = [
    ("missing column", corrupt_missing, DataFormatError, ["missing column(s) ['Superseded by']"]),
    ("renamed column", corrupt_renamed, DataFormatError,
     ["missing column(s) ['H100 equivalents']", "H100e"]),
    ("unknown country", corrupt_country, UnknownCountryError, ["'Atlantis' (row 10)"]),
    ("bad status", corrupt_status, DataFormatError, ["row 10", "'Rumoured' is not one of"]),
    ("ambiguous link", corrupt_ambiguous_link, DataFormatError, ["row 12", "names 2 records"]),
]


@pytest.mark.parametrize(("name", "corrupt", "etype", "fragments"), CASES,
                         ids=[c[0] for c in CASES])
def test_bad_clusters_named_and_store_unchanged(tmp_path: Path, name: str, corrupt: object,
                                                etype: type[Exception],
                                                fragments: list[str]) -> None:
    mirror = tmp_path / "mirror"
    write_clusters(mirror, SITE)
    assert_fails_unchanged(tmp_path / "wh.duckdb", mirror, "epoch_2025_12_gpu_clusters",
                           corrupt, etype, ["gpu_clusters.csv", *fragments])


def assert_fails_unchanged(db: Path, mirror: Path, dataset: str, corrupt: object,
                           etype: type[Exception], fragments: list[str]) -> None:
    """Pull, corrupt the mirror, pull again: the error names every fragment and the store
    file is byte-identical."""
    pull(db_path=db, data_dir=mirror, datasets=[dataset])
    before = db.read_bytes()
    corrupt(mirror)  # type: ignore[operator]
    with pytest.raises(etype) as err:
        pull(db_path=db, data_dir=mirror, datasets=[dataset])
    for frag in fragments:
        assert frag in str(err.value), (frag, str(err.value))
    assert db.read_bytes() == before


MODEL_COLS = ["Model", "Publication date", "Country (of organization)",
              *epoch2025.MODEL_FILES["frontier"][1]]


def write_models(root: Path, rows: list[list[str]], cols: list[str] = MODEL_COLS) -> Path:
    path = root / epoch2025.DIR / "ai_models" / "frontier_ai_models.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    full = [dict(zip(["Model", "Publication date", "Country (of organization)"], r,
                     strict=True)) for r in rows]
    pd.DataFrame(full).reindex(columns=cols).fillna("").to_csv(path, index=False)
    return path


MODELS = [["A", "2024-05-01", "Korea (Republic of)"],
          ["B", "2024-06-01", "United States of America,Korea (Republic of)"],
          ["C", "2025-01-01", "Multinational"]]


def test_constructed_models_whole_counting(tmp_path: Path) -> None:
    write_models(tmp_path, MODELS)
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=tmp_path, datasets=["epoch_2025_12_frontier_models"])
    with Warehouse.open(db) as wh:
        s = wh.panel(["frontier_ai_models_epoch_2025_12"]).set_index(["iso3", "year"])["value"]
        assert s.to_dict() == {("KOR", 2024): 2, ("USA", 2024): 1}  # C counts for no country
        recs = wh.records("epoch_models", where={"model": "C"})
        assert recs["multinational"].item() and len(recs["countries"].item()) == 0


@pytest.mark.parametrize(("corrupt", "etype", "fragment"), [
    (lambda root: write_models(root, MODELS, [c for c in MODEL_COLS if c != "Domain"]),
     DataFormatError, "missing column(s) ['Domain']"),
    (lambda root: write_models(root, MODELS, [c.replace("(of organization)",
                                                        "(from Organization)")
                                              for c in MODEL_COLS]),
     DataFormatError, "missing column(s) ['Country (of organization)']"),
    (lambda root: write_models(root, [*MODELS, ["D", "2025-02-01", "Atlantis"]]),
     UnknownCountryError, "'Atlantis' (row 5)"),
    (lambda root: write_models(root, [*MODELS, ["D", "01/02/2025", "France"]]),
     DataFormatError, "row 5"),
], ids=["missing column", "renamed column", "unknown country", "bad date"])
def test_bad_models_file_named_and_store_unchanged(tmp_path: Path, corrupt: object,
                                                   etype: type[Exception],
                                                   fragment: str) -> None:
    write_models(tmp_path, MODELS)
    assert_fails_unchanged(tmp_path / "wh.duckdb", tmp_path, "epoch_2025_12_frontier_models",
                           corrupt, etype, ["frontier_ai_models.csv", fragment])
