"""Epoch AI notable models: real mirror file and constructed bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aigap.config import data_dir
from aigap.data.countries import name_to_iso3
from aigap.data.sources import epoch
from aigap.errors import ConfigError, DataFormatError, UnknownCountryError

DS = epoch.DATASETS[0]


@pytest.fixture(scope="module")
def root() -> Path:
    try:
        return data_dir()
    except ConfigError:
        pytest.skip("no data mirror")


@pytest.fixture(scope="module")
def parsed(root: Path) -> pd.DataFrame:
    return DS.parse(root / DS.relpath)


def test_country_year(parsed: pd.DataFrame) -> None:
    assert set(parsed.indicator) <= {i.code for i in DS.indicators}
    assert parsed.iso3.str.fullmatch(r"[A-Z]{3}").all()
    assert not parsed.duplicated(["indicator", "iso3", "year"]).any()
    s = parsed.set_index(["indicator", "iso3", "year"])["value"]
    assert s["notable_ai_models_epoch", "KOR", 2023] > 0
    assert s["max_training_compute_flop", "USA", 2023] > 1e24
    late = parsed[parsed.year >= 2024]
    assert late.note.str.contains("incomplete").all()
    assert (parsed[parsed.year < 2024].note == "").all()


def test_matches_mirror_derived_counts(root: Path, parsed: pd.DataFrame) -> None:
    der = pd.read_csv(root / "raw/epoch_ai/notable_models_by_country_year.csv").dropna()
    der["iso3"] = der.country.map(name_to_iso3)
    der = der[der.iso3 != ""].assign(year=lambda d: d.year.astype(int))
    ours = parsed[parsed.indicator == "notable_ai_models_epoch"]
    m = der.merge(ours, on=["iso3", "year"], how="outer")
    assert (m.notable_models_count == m.value).all()


def test_read_models(root: Path) -> None:
    models = epoch.read_models(root / DS.relpath)
    assert len(models) == 924
    exaone = models[models.model == "EXAONE Deep 32B"].iloc[0]
    assert exaone.countries == ["KOR"] and exaone.year == 2025
    assert exaone.training_compute_flop == pytest.approx(1.26e24)
    assert models.frontier_model.dtype == bool
    multi = models[models.multinational]
    assert not multi.empty and all("" not in c for c in multi.countries)


HEADER = ",".join(["Model", epoch.COUNTRY, epoch.DATE, *epoch.NUMERIC, *list(epoch.TEXT)[1:]])


def row(model: str, countries: str, date: str, compute: str = "1e20") -> str:
    cells = [model, f'"{countries}"', date, "", compute, "", "", ""] + [""] * 8
    return ",".join(cells)


def write(tmp_path: Path, text: str | bytes) -> Path:
    p = tmp_path / "notable_ai_models.csv"
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


def test_constructed(tmp_path: Path) -> None:
    text = "\n".join([HEADER, row("A", "Korea (Republic of),United States of America",
                                  "2023-01-02", "1e22"),
                      row("B", "Korea (Republic of),Multinational", "2023-05-01", "3e22"),
                      row("C", "Korea (Republic of)", "", "9e25")]) + "\n"
    df = DS.parse(write(tmp_path, text)).set_index(["indicator", "iso3", "year"])["value"]
    assert df["notable_ai_models_epoch", "KOR", 2023] == 2  # undated model C left out
    assert df["notable_ai_models_epoch", "USA", 2023] == 1
    assert df["max_training_compute_flop", "KOR", 2023] == 3e22


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError) as e:
        DS.parse(write(tmp_path, HEADER + "\n" + row("A", "Japan", "2023-13-45") + "\n"))
    assert e.value.row == 2 and e.value.column == epoch.DATE
    with pytest.raises(DataFormatError) as e:
        DS.parse(write(tmp_path, HEADER + "\n" + row("A", "Japan", "2023-01-01", "big") + "\n"))
    assert e.value.row == 2 and e.value.column == epoch.COMPUTE
    with pytest.raises(UnknownCountryError) as e:
        DS.parse(write(tmp_path, HEADER + "\n" + row("A", "Japan,Oceania Prime", "2023-01-01")
                       + "\n"))
    assert e.value.names == {"Oceania Prime": 2}
    with pytest.raises(DataFormatError) as e:
        DS.parse(write(tmp_path, "Model,Domain\nA,Language\n"))
    assert e.value.column == epoch.COUNTRY
    with pytest.raises(DataFormatError, match="empty"):
        DS.parse(write(tmp_path, ""))
    with pytest.raises(DataFormatError, match="utf-8"):
        DS.parse(write(tmp_path, (HEADER + "\n").encode() + b"Mod\xe8le,Japan,2023-01-01\n"))
