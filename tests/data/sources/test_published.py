"""Published ranks: the real file, constructed bad files, the warehouse table and the EU unit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aigap.config import data_dir
from aigap.data import countries as ctry
from aigap.data.sources import published
from aigap.data.warehouse import Warehouse, pull
from aigap.errors import AigapError, ConfigError, DataFormatError, UnknownCountryError
from factories import DATASETS, make_mirror

HEADER = ",".join(published.COLUMNS)
URL = "https://example.org/a"
ROWS = [
    f"Oxford Insights Government AI Readiness Index,2025,2025-12-22,overall,South Korea,KOR,8,"
    f"195,,0-100,countries,Asia Economy,2025-12-22,{URL}",
    f"Belfer Center CETI,2025,2025-06-05,overall,European Union,EUU,3,26,41,0-100,25 countries "
    f"+ the EU,Chosun Biz,2025-06-09,{URL}",
]


def write(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    try:
        root = data_dir()
    except ConfigError:
        pytest.skip("no data mirror")
    return published.parse(root / published.RELPATH)


def test_real_file_has_the_published_reference_points(real: pd.DataFrame) -> None:
    assert len(real) == 41 and not real.duplicated(published.KEY).any()
    s = real.set_index(["index", "edition", "level", "iso3"])
    ox = "Oxford Insights Government AI Readiness Index"
    assert s.loc[(ox, "2025 (new framework)", "overall", "KOR"), "rank"] == 8
    assert s.loc[(ox, "2025 (new framework)", "overall", "CHN"), "rank"] == 6
    assert s.loc[(ox, "2025 (new framework)", "overall", "KOR"), "of_n"] == 195
    tortoise = s.loc[("Tortoise Global AI Index", "2024 (5th edition)", "overall", "KOR")]
    assert (tortoise["rank"], tortoise["of_n"], tortoise["score"]) == (6, 83, 27.26)
    assert real["source_url"].str.startswith("https://").all()
    assert (real["rank"] <= real["of_n"]).all()


def test_real_file_keeps_the_eu_as_an_aggregate_unit(real: pd.DataFrame) -> None:
    eu = real[real["aggregate"]]
    assert eu["iso3"].tolist() == ["EUU"] and eu["rank"].tolist() == [3]
    assert eu["of_n"].tolist() == [26]
    assert not real[~real["aggregate"]]["iso3"].isin(list(ctry.AGGREGATE_UNITS)).any()


def test_aggregate_units_stay_out_of_iso3_checks() -> None:
    assert ctry.is_aggregate_unit("EUU") and ctry.is_aggregate_unit("eu")
    assert not ctry.is_aggregate_unit("KOR")
    assert ctry.check_unit(" euu ") == "EUU" and ctry.check_unit("kor") == "KOR"
    assert "EUU" not in ctry.known_iso3()
    with pytest.raises(AigapError, match="unknown country code"):
        ctry.check_iso3(["EUU"])
    with pytest.raises(AigapError, match=r"unknown unit 'XYZ'.*EUU"):
        ctry.check_unit("XYZ")
    assert ctry.aggregate_unit_name("EUU") == "European Union (aggregate unit)"
    assert "유럽연합" in ctry.aggregate_unit_name("EUU", "ko")


BAD = [
    # (name, rows, error type, fragments)
    ("unknown code", [*ROWS, ROWS[0].replace("South Korea,KOR", "Atlantis,ATL")],
     UnknownCountryError, ["'ATL' (row 4)"]),
    ("name disagrees with code", [ROWS[0].replace(",KOR,", ",JPN,")], DataFormatError,
     ["row 2", "column 'iso3'", "iso3 'JPN' disagrees with unit 'South Korea' -> KOR"]),
    ("a country coded as the EU", [ROWS[0].replace(",KOR,", ",EUU,")], DataFormatError,
     ["row 2", "unit 'South Korea' is a country but 'EUU' is an aggregate unit"]),
    ("rank over of_n", [ROWS[0].replace(",8,195,", ",196,195,")], DataFormatError,
     ["row 2", "column 'rank'", "rank 196 of only 195 units"]),
    ("fractional rank", [ROWS[0].replace(",8,195,", ",8.5,195,")], DataFormatError,
     ["row 2", "column 'rank'", "whole number"]),
    ("bad date", [ROWS[0].replace("2025-12-22,overall", "22/12/2025,overall")], DataFormatError,
     ["row 2", "column 'published'", "'22/12/2025' is not a date"]),
    ("not a url", [ROWS[0].replace(URL, "asiae article")], DataFormatError,
     ["row 2", "column 'source_url'"]),
    ("duplicate key", [ROWS[0], ROWS[0].replace(",8,", ",9,")], DataFormatError,
     ["duplicate key", "rows 2, 3"]),
    ("non-numeric score", [ROWS[1].replace(",41,", ",forty-one,")], DataFormatError,
     ["row 2", "column 'score'", "non-numeric value 'forty-one'"]),
]


@pytest.mark.parametrize(("name", "rows", "etype", "fragments"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_named(tmp_path: Path, name: str, rows: list[str],
                             etype: type[Exception], fragments: list[str]) -> None:
    with pytest.raises(etype) as err:
        published.parse(write(tmp_path / "ranks.csv", rows))
    msg = str(err.value)
    assert "ranks.csv" in msg
    for frag in fragments:
        assert frag in msg, (frag, msg)


def test_renamed_column_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match=r"missing column\(s\) \['of_n'\]"):
        published.parse(write(tmp_path / "r.csv", ROWS, HEADER.replace("of_n", "out_of")))


@pytest.fixture()
def small_db(tmp_path: Path) -> Path:
    mirror = make_mirror(tmp_path / "mirror")
    write(mirror / published.RELPATH, ROWS)
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=mirror, datasets=[*DATASETS, "published_rankings"])
    return db


def test_warehouse_table_with_provenance(small_db: Path) -> None:
    with Warehouse.open(small_db) as wh:
        df = wh.published_ranks()
        assert list(df.columns) == [*published.TABLE_COLUMNS, "source", "source_row"]
        assert df.set_index("iso3").loc["KOR", "source_row"] == 2
        src = wh.sources().set_index("id").loc["published_rankings"]
        assert src["rows"] == 2 and len(src["sha256"]) == 64
        assert list(src["flags"]) == ["press-reported"]
        eu = wh.published_ranks(unit="euu")
        assert eu["aggregate"].tolist() == [True] and eu["rank"].tolist() == [3]
        assert wh.published_ranks(index="OXFORD")["iso3"].tolist() == ["KOR"]
        assert wh.published_ranks(unit="KOR", index="belfer").empty
        with pytest.raises(AigapError, match="no published index matches 'imf'; indices: "
                           "Belfer Center CETI; Oxford"):
            wh.published_ranks(index="imf")
        # the EU is a unit of published ranks only: observations refuse it as before
        with pytest.raises(AigapError, match="unknown country code"):
            wh.panel(["private_ai_investment"], countries=["EUU"])
        n_obs = wh.con.execute("SELECT count(*) FROM observations").fetchone()
        assert n_obs == (33,)  # the ranks are not observations


def test_ranks_are_a_record_table(small_db: Path) -> None:
    """Published ranks go through the one record-table mechanism (records only)."""
    with Warehouse.open(small_db) as wh:
        tables = wh.record_tables().set_index("table")
        assert tables.loc["published_ranks", "rows"] == 2
        assert tables.loc["published_ranks", "columns"] == published.TABLE_COLUMNS
        kor = wh.records("published_ranks", country="KOR", columns=["rank", "vintage"])
        assert kor["vintage"].tolist() == [published.DATASETS[0].vintage]
        types = wh.record_columns("published_ranks").set_index("column")["type"]
        assert types["rank"] == "INTEGER" and types["aggregate"] == "BOOLEAN"


def test_partial_pull_has_an_empty_ranks_table(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=make_mirror(tmp_path / "mirror"), datasets=DATASETS)
    with Warehouse.open(db) as wh:
        assert wh.published_ranks().empty
        assert "published_ranks" not in set(wh.record_tables()["table"])


def test_store_of_an_older_aigap_gets_the_new_columns(tmp_path: Path) -> None:
    import duckdb

    mirror = make_mirror(tmp_path / "mirror")
    write(mirror / published.RELPATH, ROWS)
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))  # the table as aigap wrote it before it was a record table
    con.execute('CREATE TABLE published_ranks ("index" VARCHAR NOT NULL, edition VARCHAR, '
                "published VARCHAR, level VARCHAR, unit VARCHAR, iso3 VARCHAR, rank INTEGER, "
                "of_n INTEGER, score DOUBLE, scale VARCHAR, units_note VARCHAR, "
                "source_publisher VARCHAR, source_date VARCHAR, source_url VARCHAR, "
                "aggregate BOOLEAN, source VARCHAR NOT NULL, source_row INTEGER)")
    con.close()
    pull(db_path=db, data_dir=mirror, datasets=[*DATASETS, "published_rankings"])
    with Warehouse.open(db) as wh:
        df = wh.published_ranks()
        assert list(df.columns) == [*published.TABLE_COLUMNS, "source", "source_row"]
        assert len(df) == 2


def test_bad_ranks_file_leaves_store_byte_identical(small_db: Path, tmp_path: Path) -> None:
    raw = small_db.read_bytes()
    mirror = tmp_path / "mirror"
    write(mirror / published.RELPATH, [*ROWS, ROWS[0].replace("South Korea,KOR", "Atlantis,ATL")])
    with pytest.raises(UnknownCountryError, match=r"korea_published_ranks\.csv"):
        pull(db_path=small_db, data_dir=mirror, datasets=[*DATASETS, "published_rankings"])
    assert small_db.read_bytes() == raw
