"""`aigap data records`: list the record tables, query one safely."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from aigap.cli import app
from aigap.cli.data import parse_where
from aigap.errors import AigapError

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_lists_tables(real_db: Path) -> None:
    code, out, _ = run("data", "records", "--format", "json", "--db", str(real_db))
    assert code == 0
    rows = {r["table"]: r for r in json.loads(out)}
    assert {"top500_systems", "gpu_clusters", "epoch_models", "data_centers",
            "data_center_timelines", "ml_hardware"} <= set(rows)
    assert rows["data_centers"]["rows"] == 17
    code, out, _ = run("data", "records", "--db", str(real_db))
    assert code == 0 and "Record tables" in out and "TOP500 2000-06 .. TOP500 2025-06 (49)" in out


def test_query_korea_top500(real_db: Path) -> None:
    code, out, _ = run("data", "records", "top500_systems", "--unit", "KOR", "--where",
                       "vintage=TOP500 2025-06", "--columns", "rank,name,iso3", "--format",
                       "csv", "--db", str(real_db))
    assert code == 0, out
    df = pd.read_csv(io.StringIO(out))
    assert list(df.columns) == ["rank", "name", "iso3"]
    assert len(df) == 15 and df["rank"].min() == 18 and set(df["iso3"]) == {"KOR"}
    code, out, _ = run("data", "records", "top500_systems", "-w", "rank=18|19", "-w",
                       "vintage=TOP500 2025-06", "-c", "rank", "--format", "json", "--db",
                       str(real_db))
    assert code == 0 and sorted(r["rank"] for r in json.loads(out)) == [18, 19]


def test_limit_and_caption(real_db: Path) -> None:
    code, out, _ = run("data", "records", "ml_hardware", "-c", "name,designer_iso3", "-n", "3",
                       "--db", str(real_db))
    assert code == 0 and "3 of 170 rows" in out
    code, out, _ = run("data", "records", "ml_hardware", "-c", "name", "-n", "3", "--lang",
                       "ko", "--db", str(real_db))
    assert code == 0 and "전체 170행 중 3행" in out
    code, out, _ = run("data", "records", "ml_hardware", "--format", "json", "--db",
                       str(real_db))
    assert len(json.loads(out)) == 170  # no default cap outside tables


def test_describe(real_db: Path) -> None:
    _, out, _ = run("data", "records", "data_centers", "--describe", "--format", "json",
                       "--db", str(real_db))
    cols = {r["column"]: r for r in json.loads(out)}
    assert cols["coordinates_checked"]["type"] == "BOOLEAN"


@pytest.mark.parametrize(("args", "message"), [
    (["nope"], "unknown record table 'nope'"),
    (["ml_hardware", "-w", "designr=x"], "no column 'designr' (did you mean designer"),
    (["ml_hardware", "-w", "tdp_w=hot"], "'hot' is not a double value"),
    (["ml_hardware", "-w", "tdp_w"], "write COLUMN=VALUE"),
    (["ml_hardware", "-c", "name;drop"], "has no column"),
    (["ml_hardware", "-u", "XXX"], "XXX"),
])
def test_bad_queries_are_clear(real_db: Path, args: list[str], message: str) -> None:
    code, out, err = run("data", "records", *args, "--db", str(real_db))
    assert code != 0 and message in (out + err)


def test_parse_where_types_and_nulls() -> None:
    types = {"rank": "INTEGER", "name": "VARCHAR", "ok": "BOOLEAN", "d": "DATE",
             "countries": "VARCHAR[]"}
    got = parse_where(["rank=1|2", "name=a=b", "ok=TRUE", "d=NULL", "countries=KOR"], types)
    assert got == {"rank": [1, 2], "name": "a=b", "ok": True, "d": None, "countries": "KOR"}
    with pytest.raises(AigapError, match="twice"):
        parse_where(["rank=1", "rank=2"], types)
    with pytest.raises(AigapError, match="not a date"):
        parse_where(["d=tomorrow"], types)
