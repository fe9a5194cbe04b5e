"""KOSIS OpenAPI connector against a fake KOSIS on 127.0.0.1 (and its pure parsing parts)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aigap.data.live.http import HttpStatusError, MissingKeyError
from aigap.data.live.kosis import (
    KOSIS_URL,
    KosisApiError,
    KosisRequest,
    fetch_kosis,
    kosis_url,
    lenient_json,
    parse_kosis,
    parse_value,
    quote_bare_keys,
    split_codes,
)
from aigap.errors import AigapError, ConfigError, DataFormatError, FetchError
from fake_kr_apis import (
    KOSIS_KEY,
    KOSIS_PATH,
    FakeKosis,
    FakeServer,
    dumps_bare,
    http,
    kosis_row,
    running,
)

REQ = KosisRequest.build("127", "DT_127005_005", start=2015, end=2024, items="T001+T002",
                         levels=["ALL"])


@pytest.fixture
def kosis() -> FakeKosis:
    return FakeKosis()


@pytest.fixture
def server(kosis: FakeKosis) -> Iterator[FakeServer]:
    with running(FakeServer(kosis.answer)) as srv:
        yield srv


@pytest.fixture
def base(server: FakeServer) -> str:
    return server.root + KOSIS_PATH


# -- the request ----------------------------------------------------------------------------


def test_url_has_the_documented_parameters_and_no_key() -> None:
    url = kosis_url(REQ)
    assert url == (f"{KOSIS_URL}?method=getList&orgId=127&tblId=DT_127005_005&itmId=T001+T002"
                   "&objL1=ALL&format=json&jsonVD=Y&prdSe=Y&startPrdDe=2015&endPrdDe=2024")
    assert "apiKey" not in url


@pytest.mark.parametrize(
    ("value", "expected"),
    [("T10+T20", ("T10", "T20")), ("T10 T20,T30", ("T10", "T20", "T30")), ("all", ("ALL",)),
     (["A", "B+C"], ("A", "B", "C")), ("A+A", ("A",))],
)
def test_split_codes(value: Any, expected: tuple[str, ...]) -> None:
    assert split_codes(value, "itmId") == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"period": "W"}, "prdSe 'W'"),
     ({"start": "15"}, "startPrdDe '15'"),
     ({"period": "M", "start": "2015", "end": "202412"}, "startPrdDe '2015' is not a period "
      "of type M (6 digits, e.g. 201501)"),
     ({"start": 2024, "end": 2015}, "startPrdDe 2024 is after endPrdDe 2015"),
     ({"items": "ALL+T10"}, "mixes ALL"),
     ({"items": ""}, "itmId is empty"),
     ({"items": "T1;DROP"}, "invalid code"),
     ({"levels": ["ALL", None, "A"]}, "objL2 is empty"),
     ({"levels": ["ALL"] * 9}, "at most 8"),
     ({"org": ""}, "orgId"),
     ({"table": "DT 1"}, "tblId")],
)
def test_bad_requests_name_the_field(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"start": 2015, "end": 2024, "items": "T001", "levels": ["ALL"]}
    org, table = kwargs.pop("org", "127"), kwargs.pop("table", "DT_127005_005")
    args.update(kwargs)
    with pytest.raises(AigapError, match=message.replace("(", r"\(").replace(")", r"\)")):
        KosisRequest.build(org, table, **args)


def test_trailing_empty_levels_are_dropped() -> None:
    req = KosisRequest.build("101", "DT_X", start="2020", end="2021", levels=["A", "B", None, ""])
    assert req.levels == (("A",), ("B",))
    assert "objL2=B&format" in kosis_url(req)


# -- lenient JSON ---------------------------------------------------------------------------


def test_quote_bare_keys_leaves_strings_alone() -> None:
    text = '{err:"20",errMsg:"필수 a: b, c:d {x:1}", n: 1, ok:true, v:null}'
    assert json.loads(quote_bare_keys(text)) == {
        "err": "20", "errMsg": "필수 a: b, c:d {x:1}", "n": 1, "ok": True, "v": None}
    valid = '[{"A":"x:y","B":"\\"q\\": 1"}]'
    assert quote_bare_keys(valid) == valid


_keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
_values = st.one_of(st.text(max_size=12), st.integers(), st.none(), st.booleans())
_records = st.lists(st.dictionaries(_keys, _values, max_size=6), max_size=5)


@given(_records)
def test_unquoted_keys_round_trip(records: list[dict[str, Any]]) -> None:
    bare = dumps_bare(records)
    assert json.loads(quote_bare_keys(bare)) == records
    assert lenient_json(bare.encode(), "u") == records
    # valid JSON means the same after normalising
    strict = json.dumps(records, ensure_ascii=False)
    assert json.loads(quote_bare_keys(strict)) == records


def test_lenient_json_refuses_garbage() -> None:
    with pytest.raises(DataFormatError, match="not valid JSON") as exc:
        lenient_json(b"<html>Service unavailable</html>", "http://x/u")
    assert exc.value.file == "http://x/u"
    with pytest.raises(DataFormatError, match="not UTF-8"):
        lenient_json("[{\"A\":\"한\"}]".encode("cp949"), "u")
    assert lenient_json(b'\xef\xbb\xbf[{A:"1"}]', "u") == [{"A": "1"}]  # BOM tolerated


# -- values and rows ------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("12.5", 12.5), (" 7 ", 7.0), ("-1.5", -1.5),
                                               (3, 3.0), ("1e3", 1000.0)])
def test_values(raw: Any, expected: float) -> None:
    assert parse_value(raw, "u", "row 1") == expected


@pytest.mark.parametrize("raw", ["-", "", "  "])
def test_dash_and_blank_are_missing(raw: str) -> None:
    assert math.isnan(parse_value(raw, "u", "row 1"))


@pytest.mark.parametrize("raw", ["x", "1,234", "…", "nan", "inf", True, None])
def test_other_text_is_an_error_naming_the_row(raw: Any) -> None:
    with pytest.raises(DataFormatError) as exc:
        parse_value(raw, "u", "row 3 (PRD_DE 2019)")
    assert "row 3 (PRD_DE 2019)" in str(exc.value) and exc.value.column == "DT"


def test_suppressed_value_in_a_payload_names_period_item_and_class() -> None:
    rows = [kosis_row("2019", "T001", "A01", "1.0"), kosis_row("2020", "T001", "A0201", "x")]
    with pytest.raises(DataFormatError) as exc:
        parse_kosis(json.dumps(rows).encode(), "u", REQ)
    assert "row 2 (PRD_DE 2020, ITM_ID T001, C1 A0201)" in str(exc.value)
    assert "'x'" in str(exc.value)


@pytest.mark.parametrize(
    ("rows", "message", "column"),
    [([kosis_row("2019", "T001", "A01", "1"), kosis_row("2019", "T001", "A01", "2")],
      "same item, classes and period as row 1", None),
     ([kosis_row("2019", "T001", "A01", "1", ORG_ID="101")], "ORG_ID '101'", "ORG_ID"),
     ([kosis_row("2031", "T001", "A01", "1")], "outside the requested 2015-2024", "PRD_DE"),
     ([kosis_row("2019", "T001", "A01", "1"), {"ITM_ID": "T001", "PRD_DE": "2020", "DT": "1"}],
      "row 2: no C1", "C1"),
     ([kosis_row("2019", "T001", "A01", "1"), kosis_row("2020", "T001", "A01", "1", C2="Z")],
      "has C2, which row 1 has not", "C2")],
)
def test_malformed_rows(rows: list[Any], message: str, column: str | None) -> None:
    with pytest.raises(DataFormatError, match=message) as exc:
        parse_kosis(json.dumps(rows).encode(), "u", REQ)
    assert exc.value.column == column


def test_error_object_in_an_array_and_other_shapes() -> None:
    with pytest.raises(KosisApiError, match="KOSIS error 21"):
        parse_kosis(b'[{err:"21",errMsg:"bad"}]', "u")
    with pytest.raises(DataFormatError, match="expected a JSON array"):
        parse_kosis(b'{"rows": []}', "u")
    with pytest.raises(FetchError, match="no rows"):
        parse_kosis(b"[]", "u")


# -- against the fake server ----------------------------------------------------------------


def test_fetch_returns_a_tidy_frame(server: FakeServer, base: str, tmp_path: Path) -> None:
    table = fetch_kosis(REQ, api_key=KOSIS_KEY, cache=tmp_path, base_url=base)
    df = table.frame
    assert len(df) == 10 * 2 * 3
    assert list(df.columns) == [
        "org_id", "tbl_id", "period_type", "period", "item", "item_ko", "item_en", "c1", "c1_ko",
        "c1_en", "unit_ko", "unit_en", "value", "last_changed"]
    assert df["value"].dtype == float
    semis = df[(df["c1"] == "A0201") & (df["item"] == "T001")].set_index("period")["value"]
    assert semis["2015"] == 62_900.0 and semis["2024"] == pytest.approx(62_900 * 1.36, abs=0.1)
    gap = df[(df["period"] == "2016") & (df["item"] == "T002") & (df["c1"] == "A0202")]
    assert gap["value"].isna().all()  # "-" in DT
    assert df["value"].isna().sum() == 1
    assert set(df["c1_en"]) == {"ICT equipment", "Semiconductors", "Displays"}
    assert df["unit_en"].unique().tolist() == ["Million US$"]
    assert table.table_name == "ICT 수출 및 수입액" and table.last_changed == "2025-03-28"
    assert not table.from_cache and table.url == kosis_url(REQ, base)
    (_, params), = server.hits
    assert params["apiKey"] == KOSIS_KEY  # '/', '+' and '=' in the key survive the encoding
    assert params["itmId"] == "T001 T002" and params["jsonVD"] == "Y"


def test_the_key_is_never_written_to_the_cache(server: FakeServer, base: str,
                                               tmp_path: Path) -> None:
    fetch_kosis(REQ, api_key=KOSIS_KEY, cache=tmp_path, base_url=base)
    files = [p for p in (tmp_path / "http").rglob("*") if p.is_file()]
    assert len(files) == 2  # body + sidecar
    assert not any(KOSIS_KEY.encode() in p.read_bytes() for p in files)
    assert not any(b"apiKey" in p.read_bytes() for p in files)


def test_unquoted_key_rows(kosis: FakeKosis, server: FakeServer, base: str,
                           tmp_path: Path) -> None:
    kosis.unquoted = True
    table = fetch_kosis(REQ, api_key=KOSIS_KEY, cache=tmp_path, base_url=base)
    cached = next((tmp_path / "http").glob("*.body")).read_bytes()
    assert cached.startswith(b"[{ORG_ID:")  # really unquoted on the wire
    assert len(table.frame) == 60 and table.frame["value"].notna().sum() == 59


def test_selection_by_item_and_class(server: FakeServer, base: str, tmp_path: Path) -> None:
    req = KosisRequest.build("127", "DT_127005_005", start=2020, end=2022, items="T001",
                             levels=["A0201+A0202"])
    df = fetch_kosis(req, api_key=KOSIS_KEY, cache=tmp_path, base_url=base).frame
    assert sorted(set(df["c1"])) == ["A0201", "A0202"] and set(df["item"]) == {"T001"}
    assert sorted(set(df["period"])) == ["2020", "2021", "2022"]
    assert server.params()["objL1"] == "A0201 A0202"


@pytest.mark.parametrize(
    ("request_", "key", "code", "hint"),
    [(REQ, "wrong-key", "11", "has expired"),
     (KosisRequest.build("127", "DT_127005_005", start=1990, end=1995), KOSIS_KEY, "30",
      "no data for this selection")],
)
def test_error_payloads_are_fetch_errors_with_code_and_message(
    server: FakeServer, base: str, tmp_path: Path, request_: KosisRequest, key: str,
    code: str, hint: str,
) -> None:
    for _ in range(2):
        with pytest.raises(KosisApiError) as exc:
            fetch_kosis(request_, api_key=key, cache=tmp_path, base_url=base)
        assert exc.value.code == code and f"KOSIS error {code}:" in str(exc.value)
        assert hint in str(exc.value) and kosis_url(request_, base) in str(exc.value)
        assert key not in str(exc.value)
    assert len(server.hits) == 2  # error answers are not cached


def test_error_31_says_to_ask_for_less(server: FakeServer, base: str, tmp_path: Path) -> None:
    server.script.append((200, {}, '{err:"31",errMsg:"조회결과가 40,000건을 초과합니다."}'
                          .encode()))
    with pytest.raises(KosisApiError, match="40,000건을 초과") as exc:
        fetch_kosis(REQ, api_key=KOSIS_KEY, cache=tmp_path, base_url=base)
    assert "ask for fewer" in str(exc.value)


def test_malformed_body_is_not_cached(server: FakeServer, base: str, tmp_path: Path) -> None:
    server.script.append((200, {}, b'[{"ORG_ID":"127",'))
    with pytest.raises(DataFormatError, match="not valid JSON"):
        fetch_kosis(REQ, api_key=KOSIS_KEY, cache=tmp_path, base_url=base)
    assert len(fetch_kosis(REQ, api_key=KOSIS_KEY, cache=tmp_path, base_url=base).frame) == 60
    assert len(server.hits) == 2


def test_503_then_success_is_retried(server: FakeServer, base: str, tmp_path: Path) -> None:
    sleeps: list[float] = []
    server.script += [(503, {}, b"busy"), (503, {}, b"busy")]
    table = fetch_kosis(REQ, api_key=KOSIS_KEY, client=http(tmp_path, sleeps, backoff=0.5),
                        base_url=base)
    assert len(table.frame) == 60
    assert sleeps == [0.5, 1.0] and len(server.hits) == 3


def test_retry_after_is_honoured(server: FakeServer, base: str, tmp_path: Path) -> None:
    sleeps: list[float] = []
    server.script.append((429, {"Retry-After": "7"}, b"slow down"))
    fetch_kosis(REQ, api_key=KOSIS_KEY, client=http(tmp_path, sleeps), base_url=base)
    assert sleeps == [7.0]


def test_final_failure_names_the_url_without_the_key(server: FakeServer, base: str,
                                                     tmp_path: Path) -> None:
    server.script += [(500, {}, b"oops")] * 3
    with pytest.raises(HttpStatusError) as exc:
        fetch_kosis(REQ, api_key=KOSIS_KEY, client=http(tmp_path, max_retries=2), base_url=base)
    assert exc.value.status == 500 and kosis_url(REQ, base) in str(exc.value)
    assert KOSIS_KEY not in str(exc.value) and "apiKey" not in str(exc.value)


def test_cache_hit_needs_no_network(server: FakeServer, base: str, tmp_path: Path) -> None:
    first = fetch_kosis(REQ, api_key=KOSIS_KEY, cache=tmp_path, base_url=base)
    server.stop()
    again = fetch_kosis(REQ, api_key=KOSIS_KEY, cache=tmp_path, base_url=base)
    assert again.from_cache and again.fetched_at == first.fetched_at
    assert again.frame.equals(first.frame)
    assert len(server.hits) == 1
    with pytest.raises(FetchError, match="connection"):  # refresh really asks the (dead) server
        fetch_kosis(REQ, api_key=KOSIS_KEY, client=http(tmp_path, max_retries=0),
                    base_url=base, refresh=True)


def test_no_key_says_what_to_set_before_any_request(
    server: FakeServer, base: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KOSIS_API_KEY", raising=False)
    with pytest.raises(MissingKeyError) as exc:
        fetch_kosis(REQ, base_url=base)
    assert str(exc.value) == ("set KOSIS_API_KEY (get a key at https://kosis.kr/openapi/) to use "
                              "the KOSIS OpenAPI")
    assert isinstance(exc.value, ConfigError) and server.hits == []


def test_key_and_base_url_from_the_environment(
    server: FakeServer, base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOSIS_API_KEY", f"  {KOSIS_KEY} ")
    monkeypatch.setenv("AIGAP_KOSIS_URL", base + "/")
    table = fetch_kosis(REQ, cache=tmp_path)
    assert table.url.startswith(base + "?method=getList")
    assert server.params()["apiKey"] == KOSIS_KEY
    monkeypatch.setenv("AIGAP_KOSIS_URL", "ftp://example.org/x")
    with pytest.raises(ConfigError, match=r"AIGAP_KOSIS_URL='ftp://example\.org/x' is not "
                       "an http"):
        fetch_kosis(REQ, cache=tmp_path)
