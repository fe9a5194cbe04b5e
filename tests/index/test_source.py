"""The ASEM reader: checked reading and the tidy warehouse frame."""

from __future__ import annotations

import shutil

import pytest

from aigap.data.sources.base import TIDY_COLUMNS
from aigap.data.sources.coinr_asem import DATASETS, read_asem
from aigap.errors import DataFormatError


def test_read_asem(asem_dir):
    data, meta = read_asem(asem_dir.parent)
    assert data.shape == (51, 60) and meta.shape[0] == 68
    assert data["LPI"].dtype == float and (data["Time"] == 2018).all()
    panel, _ = read_asem(asem_dir.parent, panel=True)
    assert len(panel) == 255 and sorted(panel["Time"].unique()) == list(range(2018, 2023))


def test_dataset_tidy(asem_dir):
    (ds,) = DATASETS
    assert ds.id == "coinr_asem" and ds.relpath == "asem/iData.csv" and ds.licence == "MIT"
    t = ds.parse(asem_dir / "iData.csv")
    assert list(t.columns)[:6] == TIDY_COLUMNS
    assert t["indicator"].str.startswith("asem_").all()
    lpi = t[(t.indicator == "asem_lpi") & (t.iso3 == "KOR")]
    assert len(lpi) == 1 and lpi["unit"].iloc[0] == "Score 1-5" and lpi["year"].iloc[0] == 2018
    assert t["value"].notna().all() and t["indicator"].nunique() == 49


def test_bad_files_name_the_place(asem_dir, tmp_path):
    folder = tmp_path / "asem"
    shutil.copytree(asem_dir, folder)
    text = (folder / "iData.csv").read_text().replace('"LPI"', '"LPIX"', 1)
    (folder / "iData.csv").write_text(text)
    with pytest.raises(DataFormatError, match="missing column"):
        read_asem(tmp_path)
    shutil.copy(asem_dir / "iData.csv", folder / "iData.csv")
    lines = (folder / "iMeta.csv").read_text().splitlines()
    lines[1] = lines[1].replace(",1,1,", ",7,1,", 1)  # Direction 7
    (folder / "iMeta.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFormatError, match=r"row 2.*Direction"):
        read_asem(tmp_path)
