"""IMF AI Preparedness Index: the real workbook and constructed bad workbooks."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from aigap.config import data_dir
from aigap.data.sources import imf_aipi
from aigap.data.warehouse import Warehouse, pull
from aigap.errors import ConfigError, DataFormatError, UnknownCountryError
from factories import DATASETS, assert_same, make_mirror, snapshot

HEADER = ["Country", "iso3", "type", "AIPI", "Digitial Infrastructure",
          "Innovation and Economic Integration", "Human Capital and Labor Market Policies",
          "Regulation and Ethics"]
ROWS: list[list[object]] = [
    ["Korea", "KOR", "AE", 0.7, 0.2, 0.15, 0.15, 0.2],
    ["United States", "USA", "AE", 0.8, 0.2, 0.2, 0.2, 0.2],
    ["Taiwan, China", "TWN", "AE", "NA", "NA", 0.1, 0.2, 0.2],
]


def workbook(path: Path, header: list[str] = HEADER, rows: list[list[object]] = ROWS,
             sheet: str = "AIPI") -> Path:
    """A workbook laid out as the publisher's: a title band on row 1, the columns on row 2."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([None, None, None, None, "Components of AIPI"])
    ws.append(header)
    for r in rows:
        ws.append(r)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    try:
        root = data_dir()
    except ConfigError:
        pytest.skip("no data mirror")
    return imf_aipi.parse(root / imf_aipi.RELPATH)


def test_real_workbook_economies_and_missing_scores(real: pd.DataFrame) -> None:
    assert real["iso3"].nunique() == 174  # every economy has at least one pillar value
    index = real[real.indicator == "imf_aipi"]
    # 174 economies, 165 scored: 9 'NA' rows in this copy (PROVENANCE and the issue say 10,
    # counting, it seems, the blank row under the table)
    assert len(index) == 165
    unscored = set(real["iso3"]) - set(index["iso3"])
    assert len(unscored) == 9 and {"TWN", "MAC", "PRI", "AFG", "SOM"} <= unscored
    assert not (index["value"] == 0).any()  # missing, never zero


def test_real_workbook_korea_is_15th_of_scored(real: pd.DataFrame) -> None:
    index = real[real.indicator == "imf_aipi"].set_index("iso3")["value"]
    ranks = index.rank(ascending=False, method="min")
    assert ranks["KOR"] == 15  # as published: Korea 0.73, 15th (imf_aipi/PROVENANCE.md)
    assert ranks["SGP"] == 1 and ranks["DNK"] == 2 and ranks["USA"] == 3
    assert round(index["KOR"], 2) == 0.73 and round(index["CHN"], 2) == 0.64
    assert round(index["IND"], 2) == 0.49


def test_real_workbook_pillars_add_up_and_misspelt_header_is_mapped(real: pd.DataFrame
                                                                    ) -> None:
    wide = real.pivot(index="iso3", columns="indicator", values="value")
    pillars = [i.code for i in imf_aipi.PILLAR_INDS.values()]
    assert "imf_aipi_digital_infrastructure" in wide.columns
    scored = wide.dropna(subset=["imf_aipi"])
    assert (scored[pillars].sum(axis=1) - scored["imf_aipi"]).abs().max() < 1e-9
    assert (wide[pillars].max() <= 0.25).all()
    # an unscored economy keeps the pillar values the IMF does publish, with a note
    twn = real[real.iso3 == "TWN"]
    assert set(twn.indicator) == set(pillars) - {"imf_aipi_digital_infrastructure"}
    assert twn["note"].str.contains("AIPI not published").all()


def test_catalogue_entries_say_how_computed() -> None:
    assert imf_aipi.INDEX.unit == "index 0-1" and imf_aipi.INDEX.name_ko
    for ind in imf_aipi.PILLAR_INDS.values():
        assert "at most 0.25" in ind.description and "add up to imf_aipi" in ind.description
        assert ind.unit == imf_aipi.CONTRIBUTION_UNIT and ind.direction == 1


def test_constructed_workbook_parses_with_either_spelling(tmp_path: Path) -> None:
    for header in (HEADER, [*HEADER[:4], "Digital Infrastructure", *HEADER[5:]]):
        df = imf_aipi.parse(workbook(tmp_path / "a.xlsx", header))
        s = df.set_index(["indicator", "iso3"])["value"]
        assert s["imf_aipi", "KOR"] == 0.7 and s["imf_aipi_digital_infrastructure", "KOR"] == 0.2
        assert ("imf_aipi", "TWN") not in s.index  # 'NA' is missing, not zero
        row = df[(df.iso3 == "USA") & (df.indicator == "imf_aipi")]["_row"].iloc[0]
        assert row == 4  # the sheet's own row number (title band, header, KOR, USA)




BAD = [
    # (name, header, rows, error type, fragments of the message)
    ("pillar sum mismatch", HEADER,
     [ROWS[0], ["United States", "USA", "AE", 0.9, 0.2, 0.2, 0.2, 0.2], ROWS[2]],
     DataFormatError, ["row 4", "column 'AIPI'", "add up to 0.800000, not to AIPI 0.900000"]),
    ("missing column", HEADER[:-1], [r[:-1] for r in ROWS], DataFormatError,
     ["missing column(s) ['Regulation and Ethics']"]),
    ("renamed column", [*HEADER[:-1], "Regulation & Ethics"], ROWS, DataFormatError,
     ["missing column(s) ['Regulation and Ethics']", "Regulation & Ethics"]),
    ("unknown country", HEADER, [*ROWS, ["Atlantis", "ATL", "EM", 0.4, 0.1, 0.1, 0.1, 0.1]],
     UnknownCountryError, ["'ATL' (row 6)"]),
    ("shifted iso3", HEADER, [["Korea", "PRK", "AE", 0.7, 0.2, 0.15, 0.15, 0.2]],
     DataFormatError, ["row 3", "iso3 'PRK' disagrees with 'Korea' -> KOR"]),
    ("contribution over 0.25", HEADER, [["Korea", "KOR", "AE", 0.7, 0.3, 0.1, 0.1, 0.2]],
     DataFormatError, ["row 3", "column 'Digital Infrastructure'", "outside [0, 0.25]"]),
    ("pillar missing beside a score", HEADER, [["Korea", "KOR", "AE", 0.5, 0.2, "NA", 0.1,
                                                0.2]],
     DataFormatError, ["row 3", "column 'Innovation and Economic Integration'",
                       "sum cannot be checked"]),
    ("non-numeric", HEADER, [["Korea", "KOR", "AE", "high", 0.2, 0.15, 0.15, 0.2]],
     DataFormatError, ["row 3", "column 'AIPI'", "non-numeric value 'high'"]),
    ("both spellings", [*HEADER, "Digital Infrastructure"], [[*r, 0.1] for r in ROWS],
     DataFormatError, ["'Digital Infrastructure' appears twice"]),
]


@pytest.mark.parametrize(("name", "header", "rows", "etype", "fragments"), BAD,
                         ids=[b[0] for b in BAD])
def test_bad_workbooks_are_named(tmp_path: Path, name: str, header: list[str],
                                 rows: list[list[object]], etype: type[Exception],
                                 fragments: list[str]) -> None:
    with pytest.raises(etype) as err:
        imf_aipi.parse(workbook(tmp_path / "bad.xlsx", header, rows))
    msg = str(err.value)
    assert "bad.xlsx" in msg
    for frag in fragments:
        assert frag in msg, (frag, msg)


def test_wrong_sheet_and_not_a_workbook(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match=r"no sheet 'AIPI'; sheets: \['Data'\]"):
        imf_aipi.parse(workbook(tmp_path / "s.xlsx", sheet="Data"))
    p = tmp_path / "x.xlsx"
    p.write_text("Country,iso3\nKorea,KOR\n")
    with pytest.raises(DataFormatError, match=r"not a readable \.xlsx workbook"):
        imf_aipi.parse(p)


@pytest.mark.parametrize("case", ["pillar sum mismatch", "unknown country", "renamed column"])
def test_bad_workbook_leaves_store_byte_identical(tmp_path: Path, case: str) -> None:
    mirror = make_mirror(tmp_path / "mirror")
    workbook(mirror / imf_aipi.RELPATH)
    db = tmp_path / "wh.duckdb"
    ids = [*DATASETS, "imf_aipi"]
    pull(db_path=db, data_dir=mirror, datasets=ids)
    with Warehouse.open(db) as wh:
        assert wh.panel(["imf_aipi"])["iso3"].tolist() == ["KOR", "USA"]
    before, raw = snapshot(db), db.read_bytes()
    _, header, rows, etype, _ = next(b for b in BAD if b[0] == case)
    workbook(mirror / imf_aipi.RELPATH, header, rows)
    with pytest.raises(etype, match=r"aipidata\.xlsx"):
        pull(db_path=db, data_dir=mirror, datasets=ids)
    assert db.read_bytes() == raw
    assert_same(before, snapshot(db))


def test_which_economies_have_no_score_nine_not_ten(real: pd.DataFrame) -> None:
    """Checked again cell by cell (openpyxl, the raw workbook): exactly nine economies carry
    the text 'NA' in the AIPI column, so the parser's 9 is right and the mirror's
    PROVENANCE ("10 with AIPI 'NA'") is off by one; the only other row without a score is
    the fully blank row 177 under the table, which is no economy."""
    import openpyxl

    from aigap.config import data_dir

    wb = openpyxl.load_workbook(data_dir() / imf_aipi.RELPATH, read_only=True, data_only=True)
    rows = list(wb[imf_aipi.SHEET].iter_rows(min_row=3, values_only=True))
    wb.close()
    na = {r[1] for r in rows if r[3] == "NA"}
    assert na == {"MAC", "PRI", "TWN", "MDV", "AFG", "STP", "SOM", "SSD", "UZB"}
    assert [r for r in rows if r[3] is None] == [(None,) * 8]  # the blank row, no economy
    index = real[real.indicator == "imf_aipi"]
    assert set(real["iso3"]) - set(index["iso3"]) == na
