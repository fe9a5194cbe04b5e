"""Import an index: COINr iData/iMeta and a JRC COIN Tool workbook -> a spec that rebuilds it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from aigap.cli import app
from aigap.errors import SpecError
from aigap.index import build_index, load_spec
from aigap.index.importer import from_coin_tool, from_coinr, write_imported

runner = CliRunner()


def _asem(asem_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_csv(asem_dir / "iData.csv"), pd.read_csv(asem_dir / "iMeta.csv")


def coin_tool_workbook(asem_dir: Path, path: Path) -> Path:
    """ASEM laid out as a COIN Tool workbook (the cells COINr's import_coin_tool reads)."""
    data, meta = _asem(asem_dir)
    inds = meta[meta["Type"] == "Indicator"]
    aggs = meta[meta["Type"] == "Aggregate"].set_index("iCode")
    wb = openpyxl.Workbook()
    db = wb.active
    db.title = "Database"
    for j, r in enumerate(inds.itertuples(), start=5):
        pillar = r.Parent
        sub = aggs.loc[pillar, "Parent"]
        db.cell(16, j, r.iCode)
        db.cell(15, j, r.iName)
        db.cell(14, j, "sp.none")  # sub-pillar level unused: one code only
        db.cell(13, j, f"p.{pillar}")
        db.cell(12, j, f"si.{sub}")
        db.cell(11, j, "Index")
        db.cell(10, j, float(data[r.iCode].max()))
        db.cell(9, j, float(data[r.iCode].min()))
        db.cell(8, j, int(r.Direction))
        db.cell(7, j, float(r.Weight))
        for i, (code, name, v) in enumerate(zip(data["uCode"], data["uName"], data[r.iCode],
                                                strict=True), start=17):
            db.cell(i, 2, name)
            db.cell(i, 3, code)
            db.cell(i, j, "n/a" if pd.isna(v) else float(v))
    fw = wb.create_sheet("Framework")
    fw.cell(4, 3, "Dimension/indicator")
    for k, h in enumerate(("x", "Weight", "x", "x", "Name"), start=4):
        fw.cell(4, k, h)
    row = 5
    for code, r in aggs.iterrows():
        prefix = "Index" if code == "Index" else ("si." if r["Level"] == 3 else "p.")
        fw.cell(row, 3, "Index" if code == "Index" else f"{prefix}{code}")
        fw.cell(row, 5, float(r["Weight"]))
        fw.cell(row, 8, r["iName"])
        row += 1
    wb.save(path)
    return path


def test_coinr_pair_rebuilds_asem(asem_dir: Path, tmp_path: Path) -> None:
    spec, data = from_coinr(asem_dir / "iData.csv", asem_dir / "iMeta.csv", name="asem-in")
    yaml_path, csv_path = write_imported(spec, data, tmp_path / "asem-in.yaml")
    assert csv_path.name == "asem-in.data.csv"
    got = build_index(str(yaml_path))
    want = build_index("asem")
    np.testing.assert_allclose(got.index.loc[want.index.index], want.index, rtol=1e-12)
    assert load_spec(str(yaml_path)).data.source == "csv"


def test_coin_tool_workbook_rebuilds_asem(asem_dir: Path, tmp_path: Path) -> None:
    book = coin_tool_workbook(asem_dir, tmp_path / "tool.xlsx")
    spec, data = from_coin_tool(book)
    assert len(spec.indicators) == 49 and len(data) == 51
    assert {a.code for a in spec.aggregates} >= {"p.Physical", "si.Conn", "Index"}
    assert "sp.none" not in {a.code for a in spec.aggregates}  # an unused level is dropped
    yaml_path, _ = write_imported(spec, data, tmp_path / "tool.yaml")
    got = build_index(str(yaml_path))
    want = build_index("asem")
    np.testing.assert_allclose(got.index.loc[want.index.index], want.index, rtol=1e-12)


def test_bad_workbooks_name_the_cell(asem_dir: Path, tmp_path: Path) -> None:
    book = coin_tool_workbook(asem_dir, tmp_path / "tool.xlsx")
    wb = openpyxl.load_workbook(book)
    wb["Database"].cell(20, 6, "twelve")
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(SpecError, match=r"cell F20 \(Flights, unit .*\): not a number"):
        from_coin_tool(tmp_path / "bad.xlsx")
    wb = openpyxl.load_workbook(book)
    wb["Database"].cell(8, 5, 3)
    wb.save(tmp_path / "dir.xlsx")
    with pytest.raises(SpecError, match=r"cell E8 .*direction must be 1 or -1"):
        from_coin_tool(tmp_path / "dir.xlsx")
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "empty.xlsx")
    with pytest.raises(SpecError, match="no sheet 'Database'"):
        from_coin_tool(tmp_path / "empty.xlsx")
    (tmp_path / "junk.xlsx").write_text("not a workbook")
    with pytest.raises(SpecError, match=r"not a readable \.xlsx"):
        from_coin_tool(tmp_path / "junk.xlsx")


def test_cli_imports(asem_dir: Path, tmp_path: Path) -> None:
    book = coin_tool_workbook(asem_dir, tmp_path / "tool.xlsx")
    r = runner.invoke(app, ["import-coin-tool", str(book), "-o", str(tmp_path / "t.yaml")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["rank", "--spec", str(tmp_path / "t.yaml"), "--top", "3"])
    top = build_index("asem").index.idxmax()
    assert r.exit_code == 0 and f" {top} " in r.stdout
    r = runner.invoke(app, ["import-coinr", "--idata", str(asem_dir / "iData.csv"), "--imeta",
                            str(asem_dir / "iMeta.csv"), "-o", str(tmp_path / "c.yaml")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["import-coin-tool", str(book), "-o", str(tmp_path / "t.txt")])
    assert r.exit_code != 0 and "must end in .yaml" in r.output


def test_workbook_layout_matches_coinr_reader(asem_dir: Path, tmp_path: Path) -> None:
    """COINr's own import_coin_tool reads the same structure and data from the workbook."""
    if shutil.which("Rscript") is None:
        if os.environ.get("CI"):
            pytest.fail("Rscript must be installed in CI")
        pytest.skip("Rscript not found (run scripts/install-r.sh)")
    book = coin_tool_workbook(asem_dir, tmp_path / "tool.xlsx")
    out = tmp_path / "r"
    out.mkdir()
    script = (f"suppressMessages(library(COINr)); l <- import_coin_tool('{book}'); "
              f"write.csv(l$iData, '{out}/iData.csv', row.names = FALSE); "
              f"write.csv(l$iMeta, '{out}/iMeta.csv', row.names = FALSE)")
    run = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-1500:]
    theirs = pd.read_csv(out / "iMeta.csv")
    spec, data = from_coin_tool(book)
    t_ind = theirs[theirs["Type"] == "Indicator"].set_index("iCode")
    for ind in spec.indicators:
        assert t_ind.loc[ind.code, "Parent"] == ind.parent
        assert t_ind.loc[ind.code, "Direction"] == ind.direction
        assert t_ind.loc[ind.code, "Weight"] == pytest.approx(ind.weight)
    t_agg = theirs[theirs["Type"] == "Aggregate"].set_index("iCode")
    assert set(t_agg.index) == {a.code for a in spec.aggregates}
    t_data = pd.read_csv(out / "iData.csv").set_index("uCode")
    codes = [i.code for i in spec.indicators]
    np.testing.assert_allclose(data.loc[t_data.index, codes].to_numpy(float),
                               t_data[codes].to_numpy(float), rtol=1e-12)
