"""`aigap data kosis` and `aigap data kipris` end to end against fake servers on 127.0.0.1."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pandas as pd
import pytest
from typer.testing import CliRunner

from aigap.cli import app
from fake_kr_apis import (
    KIPRIS_KEY,
    KIPRIS_PATH,
    KOSIS_KEY,
    KOSIS_PATH,
    FakeKipris,
    FakeKosis,
    FakeServer,
    make_patents,
    running,
)

runner = CliRunner()
KOSIS_ARGS = ["data", "kosis", "--org", "127", "--table", "DT_127005_005", "--item", "T001",
              "--obj1", "A0201+A0202", "--period", "Y", "--from", "2015", "--to", "2024"]
KIPRIS_ARGS = ["data", "kipris", "--ipc", "G06N", "--from", "2015", "--to", "2024"]


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                "all_proxy"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def kosis(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    with running(FakeServer(FakeKosis().answer)) as srv:
        monkeypatch.setenv("AIGAP_KOSIS_URL", srv.root + KOSIS_PATH)
        monkeypatch.setenv("KOSIS_API_KEY", KOSIS_KEY)
        yield srv


@pytest.fixture
def kipris(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    with running(FakeServer(FakeKipris(patents=make_patents(1100)).answer)) as srv:
        monkeypatch.setenv("AIGAP_KIPRIS_URL", srv.root + KIPRIS_PATH)
        monkeypatch.setenv("KIPRIS_API_KEY", KIPRIS_KEY)
        yield srv


@pytest.mark.parametrize(
    ("args", "var", "line"),
    [(KOSIS_ARGS, "KOSIS_API_KEY",
      "error: set KOSIS_API_KEY (get a key at https://kosis.kr/openapi/) to use the KOSIS "
      "OpenAPI"),
     ([*KIPRIS_ARGS, "--by", "applicant-country"], "KIPRIS_API_KEY",
      "error: set KIPRIS_API_KEY (get a key at https://plus.kipris.or.kr/) to use KIPRIS Plus")],
)
def test_without_a_key_one_line_and_exit_2(
    args: list[str], var: str, line: str, kosis: FakeServer, kipris: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(var)
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert err.splitlines() == [line]
    assert kosis.hits == [] and kipris.hits == []


def test_kosis_table_output(kosis: FakeServer) -> None:
    code, out, err = run(*KOSIS_ARGS)
    assert code == 0, err
    assert "ICT 수출 및 수입액 (KOSIS 127/DT_127005_005)" in out
    assert "Semiconductors" in out and "Displays" in out and "Million US$" in out
    assert "62,900" in out  # Semiconductor exports 2015
    assert "source: KOSIS (orgId 127, tblId DT_127005_005, itmId T001" in out
    assert "last changed 2025-03-28" in out
    assert KOSIS_KEY not in out
    assert kosis.params()["objL1"] == "A0201 A0202" and kosis.params()["apiKey"] == KOSIS_KEY


def test_kosis_korean_labels(kosis: FakeServer) -> None:
    code, out, _ = run(*KOSIS_ARGS, "--lang", "ko")
    assert code == 0
    assert "반도체" in out and "수출액" in out and "백만달러" in out
    assert "단위" in out and "국가" not in out


def test_kosis_csv_and_json(kosis: FakeServer) -> None:
    code, out, _ = run(*KOSIS_ARGS, "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out), dtype={"period": str})
    assert len(df) == 20 and set(df["c1"]) == {"A0201", "A0202"}
    assert df.loc[(df["period"] == "2015") & (df["c1"] == "A0201"), "value"].item() == 62_900.0
    code, out, _ = run(*KOSIS_ARGS, "--format", "json")
    records = json.loads(out)
    assert len(records) == 20 and records[0]["unit_en"] == "Million US$"
    assert len(kosis.hits) == 1  # the second and third runs came from the cache


def test_kosis_unquoted_keys_end_to_end(monkeypatch: pytest.MonkeyPatch) -> None:
    with running(FakeServer(FakeKosis(unquoted=True).answer)) as srv:
        monkeypatch.setenv("AIGAP_KOSIS_URL", srv.root + KOSIS_PATH)
        monkeypatch.setenv("KOSIS_API_KEY", KOSIS_KEY)
        code, out, _ = run(*KOSIS_ARGS, "--format", "csv")
    assert code == 0 and len(pd.read_csv(io.StringIO(out))) == 20


def test_kosis_error_payload_is_one_line(kosis: FakeServer) -> None:
    code, out, err = run("data", "kosis", "--org", "127", "--table", "DT_127005_005",
                         "--from", "1990", "--to", "1991")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("error: KOSIS error 30: 데이터가 존재하지 않습니다.")
    assert "startPrdDe=1990" in err  # the request is named (without the key)
    assert KOSIS_KEY not in err


def test_kosis_bad_option_is_one_line(kosis: FakeServer) -> None:
    code, _, err = run("data", "kosis", "--org", "127", "--table", "DT_127005_005",
                       "--period", "M", "--from", "2015", "--to", "2024")
    assert code == 2 and err.splitlines() == [
        "error: KOSIS request: startPrdDe '2015' is not a period of type M (6 digits, e.g. "
        "201501)"]
    assert kosis.hits == []


def test_kipris_by_applicant_country(kipris: FakeServer) -> None:
    # one year: every lookup is a cached write (two fsyncs), so keep their number small
    code, out, err = run("data", "kipris", "--ipc", "G06N", "--from", "2024", "--to", "2024",
                         "--by", "applicant-country", "--format", "csv")
    assert code == 0, err
    df = pd.read_csv(io.StringIO(out))
    assert df["iso3"].tolist() == ["KOR", "USA", "CHN", "JPN"]
    assert df["patents"].tolist() == [56, 28, 13, 13]
    assert df["share"].sum() == pytest.approx(1.0)
    details = [p for path, p in kipris.hits if path.endswith("getBibliographyDetailInfoSearch")]
    assert len(details) == 110 and len(kipris.hits) == 111
    code, out, _ = run("data", "kipris", "--ipc", "G06N", "--from", "2024", "--to", "2024",
                       "--by", "applicant-country", "--lang", "ko")
    assert code == 0 and "한국" in out and "미국" in out and "50.9" in out
    assert len(kipris.hits) == 111  # all from the cache


def test_kipris_table_by_year_and_applicant(kipris: FakeServer) -> None:
    code, out, _ = run(*KIPRIS_ARGS)
    assert code == 0
    assert "KIPRIS Plus: G06N patent applications filed 2015-2024" in out
    assert "1,100 applications in 3 page(s)" in out and "2024" in out
    code, out, _ = run(*KIPRIS_ARGS, "--by", "applicant", "--top", "2", "--format", "json")
    rows = json.loads(out)
    assert len(rows) == 2 and all(r["patents"] == 140 for r in rows)
    assert len(kipris.hits) == 3  # the second run came from the cache


def test_kipris_lookup_limit_is_one_line(kipris: FakeServer) -> None:
    code, _, err = run(*KIPRIS_ARGS, "--by", "applicant-country", "--max-lookups", "100")
    assert code == 2 and len(err.splitlines()) == 1
    assert "needs 1,100 bibliography lookups (0 cached), more than the limit of 100" in err
    assert all(path.endswith("getAdvancedSearch") for path, _ in kipris.hits)


def test_kipris_no_matches(kipris: FakeServer) -> None:
    code, out, _ = run("data", "kipris", "--ipc", "H04W", "--from", "2015", "--to", "2024")
    assert code == 0 and "no applications match" in out


def test_data_help_lists_both_commands() -> None:
    code, out, _ = run("data", "--help")
    assert code == 0 and "kosis" in out and "kipris" in out
