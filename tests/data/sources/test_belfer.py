"""Belfer CETI 2025 draft parsers: real mirror files and constructed bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aigap.config import data_dir
from aigap.data.sources import belfer
from aigap.errors import ConfigError, DataFormatError, UnknownCountryError

BY_ID = {d.id: d for d in belfer.DATASETS}


@pytest.fixture(scope="module")
def parsed() -> dict[str, pd.DataFrame]:
    try:
        root = data_dir()
    except ConfigError:
        pytest.skip("no data mirror")
    return {d.id: d.parse(root / d.relpath) for d in belfer.DATASETS}


def test_all_datasets(parsed: dict[str, pd.DataFrame]) -> None:
    allrows = pd.concat(parsed.values(), ignore_index=True)
    assert not allrows.duplicated(["indicator", "iso3", "year"]).any()
    assert (allrows.year == 2025).all()
    assert allrows.iso3.str.fullmatch(r"[A-Z]{3}").all()
    for d in belfer.DATASETS:
        assert "draft" in d.flags
        assert set(parsed[d.id].indicator) <= {i.code for i in d.indicators}, d.id


def test_ai_subpillars(parsed: dict[str, pd.DataFrame]) -> None:
    ai = parsed["belfer_ceti_2025_ai"]
    assert ai.indicator.nunique() == 8 and ai.iso3.nunique() == 25
    assert {"ceti_ai_economic_resources", "ceti_ai_human_capital",
            "ceti_ai_accuracy_of_top_models"} <= set(ai.indicator)
    assert ai.value.between(0, 1).all()
    assert {"USA", "KOR", "PRK", "CHN"} <= set(ai.iso3)
    s = ai.set_index(["indicator", "iso3"])["value"]
    assert s["ceti_ai_regulatory", "KOR"] == pytest.approx(0.47826086956521741)
    for sector in ("biotech", "semicon", "space", "quantum"):
        df = parsed[f"belfer_ceti_2025_{sector}"]
        assert df.value.between(0, 1).all() and "USA" in set(df.iso3)


def test_summary_ref_cells_are_noted(parsed: dict[str, pd.DataFrame]) -> None:
    summ = parsed["belfer_ceti_2025_summary"]
    assert set(summ.indicator) == {"ceti_space_raw_score", "ceti_quantum_raw_score"}
    kor = summ[summ.iso3 == "KOR"]
    assert kor.note.str.contains("AI=#REF!").all()
    assert parsed["belfer_ceti_2025_total"].set_index("iso3").value["KOR"] == pytest.approx(0.39)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


AI_HEADER = ("Country,Economic Resources,Human Capital,Global Player,Regulatory,Computing Power,"
             "Algorithms,Data,Accuracy of Top Models\n")
AI = BY_ID["belfer_ceti_2025_ai"].parse
SUMMARY = BY_ID["belfer_ceti_2025_summary"].parse


def test_sector_bad_files(tmp_path: Path) -> None:
    ok = "Japan,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8\n"
    assert len(AI(write(tmp_path, "a.csv", AI_HEADER + ok + "Europe,1,1,1,1,1,1,1,1\n"))) == 8
    # #REF! outside the Summary sheet is an error, not a gap
    with pytest.raises(DataFormatError) as e:
        AI(write(tmp_path, "b.csv", AI_HEADER + ok + "Chile,0.1,#REF!,0,0,0,0,0,0\n"))
    assert e.value.row == 3 and e.value.column == "Human Capital"
    with pytest.raises(DataFormatError) as e:
        AI(write(tmp_path, "c.csv", AI_HEADER + "Chile,1.5,0,0,0,0,0,0,0\n"))
    assert e.value.column == "Economic Resources" and "outside" in str(e.value)
    with pytest.raises(DataFormatError) as e:
        AI(write(tmp_path, "d.csv", AI_HEADER.replace(",Data", "") + "Chile,0,0,0,0,0,0,0\n"))
    assert e.value.column == "Data"
    with pytest.raises(UnknownCountryError) as e:
        AI(write(tmp_path, "e.csv", AI_HEADER + "Wakanda,0,0,0,0,0,0,0,0\n"))
    assert e.value.names == {"Wakanda": 2}
    with pytest.raises(DataFormatError, match="empty"):
        AI(write(tmp_path, "f.csv", ""))
    with pytest.raises(DataFormatError, match="utf-8"):
        AI(write(tmp_path, "g.csv", AI_HEADER.encode() + b"T\xfcrkiye,0,0,0,0,0,0,0,0\n"))
    with pytest.raises(DataFormatError) as e:
        AI(write(tmp_path, "h.csv", AI_HEADER + ok + ok.replace("0.1", "0.2")))
    assert "JPN" in str(e.value)


def test_summary_tolerates_only_excel_errors(tmp_path: Path) -> None:
    head = ",AI,Biotech,Semiconductors,Space,Quantum,Total\n"
    df = SUMMARY(write(tmp_path, "s.csv", head + "Japan,#REF!,#REF!,#REF!,3,4,#REF!\n"
                       "European powers,#REF!,#REF!,#REF!,#N/A,#N/A,#REF!\n"))
    assert sorted(df.value) == [3, 4] and (df.iso3 == "JPN").all()
    assert df.note.str.contains("Total=#REF!").all()
    with pytest.raises(DataFormatError) as e:
        SUMMARY(write(tmp_path, "t.csv", head + "Japan,#REF!,#REF!,#REF!,oops,4,#REF!\n"))
    assert e.value.row == 2 and e.value.column == "Space"
