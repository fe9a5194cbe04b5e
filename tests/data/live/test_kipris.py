"""KIPRIS Plus connector against a fake KIPRIS Plus on 127.0.0.1 (and its pure parts)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from aigap.data.live.http import MissingKeyError
from aigap.data.live.kipris import (
    KIPRIS_URL,
    KiprisApiError,
    PatentQuery,
    applicant_countries,
    country_to_iso3,
    counts_by_applicant,
    counts_by_country,
    counts_by_year,
    detail_url,
    parse_xml,
    search_patents,
    search_url,
)
from aigap.errors import AigapError, ConfigError, DataFormatError, FetchError
from fake_kr_apis import (
    KIPRIS_KEY,
    KIPRIS_PATH,
    FakeKipris,
    FakeServer,
    Patent,
    http,
    kipris_error,
    make_patents,
    running,
)

G06N = PatentQuery("G06N", 2015, 2024)


@pytest.fixture
def kipris() -> FakeKipris:
    return FakeKipris()


@pytest.fixture
def server(kipris: FakeKipris) -> Iterator[FakeServer]:
    with running(FakeServer(kipris.answer)) as srv:
        yield srv


@pytest.fixture
def base(server: FakeServer) -> str:
    return server.root + KIPRIS_PATH


def search(base: str, tmp_path: Path, query: PatentQuery = G06N, **kw: Any) -> Any:
    kw.setdefault("cache", tmp_path)
    return search_patents(query, api_key=KIPRIS_KEY, base_url=base, **kw)


def page_hits(server: FakeServer) -> list[str]:
    return [p["pageNo"] for path, p in server.hits if path.endswith("getAdvancedSearch")]


# -- the query ------------------------------------------------------------------------------


def test_url_has_the_documented_parameters_and_no_key() -> None:
    assert search_url(G06N, 2) == (
        f"{KIPRIS_URL}/getAdvancedSearch?ipcNumber=G06N&applicationDate=20150101~20241231"
        "&patent=true&utility=false&sortSpec=AD&descSort=false&numOfRows=500&pageNo=2")
    assert detail_url("1020190012345") == (f"{KIPRIS_URL}/getBibliographyDetailInfoSearch"
                                           "?applicationNumber=1020190012345")
    assert "ServiceKey" not in search_url(G06N, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [(("G6N", 2015, 2024), "not an IPC"), (("G06N", 2024, 2015), "from 2024 is after to 2015"),
     (("G06N", 1015, 2024), "not plausible"), (("G06N; drop", 2015, 2024), "not an IPC")],
)
def test_bad_queries(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(AigapError, match=message):
        PatentQuery(*args)
    with pytest.raises(AigapError, match="neither patents nor utility"):
        PatentQuery("G06N", 2015, 2024, patents=False)


def test_ipc_group_is_accepted() -> None:
    q = PatentQuery("g06n 3/08", 2020, 2020)
    assert q.ipc_code == "G06N3/08"
    assert "ipcNumber=G06N+3%2F08" in search_url(q, 1)


def test_more_than_500_rows_a_page_is_refused_before_any_request(
    server: FakeServer, base: str, tmp_path: Path
) -> None:
    with pytest.raises(AigapError, match=r"numOfRows 501 is outside 1\.\.500"):
        search(base, tmp_path, rows=501)
    assert server.hits == []


# -- searching ------------------------------------------------------------------------------


def test_paging_over_three_pages_of_500(server: FakeServer, base: str, tmp_path: Path) -> None:
    res = search(base, tmp_path)
    assert res.total_count == 1100 and res.pages == 3 and len(res.frame) == 1100
    assert page_hits(server) == ["1", "2", "3"]  # stops at totalCount: no page 4
    assert {p["numOfRows"] for _, p in server.hits} == {"500"}
    assert {p["ServiceKey"] for _, p in server.hits} == {KIPRIS_KEY}
    assert res.frame["application_number"].is_unique
    assert res.frame["year"].between(2015, 2024).all()
    assert res.frame["application_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    first = res.frame.iloc[0]
    assert first["applicant"] and first["ipc"].startswith("G06N") and first["title"]
    assert len(res.urls) == 3 and not res.from_cache


def test_counts_by_year_and_applicant(server: FakeServer, base: str, tmp_path: Path) -> None:
    frame = search(base, tmp_path).frame
    years = counts_by_year(frame)
    assert years["year"].tolist() == list(range(2015, 2025))
    assert years["patents"].sum() == 1100 and set(years["patents"]) == {110}
    top = counts_by_applicant(frame, top=3)
    assert len(top) == 3 and top["patents"].is_monotonic_decreasing
    assert counts_by_applicant(frame)["patents"].sum() == 1100


def test_date_range_is_passed_and_checked(kipris: FakeKipris, server: FakeServer, base: str,
                                          tmp_path: Path) -> None:
    res = search(base, tmp_path, PatentQuery("G06N", 2020, 2021))
    assert set(res.frame["year"]) == {2020, 2021} and res.total_count == 220
    assert server.params()["applicationDate"] == "20200101~20211231"


def test_no_results_is_an_empty_search(server: FakeServer, base: str, tmp_path: Path) -> None:
    res = search(base, tmp_path, PatentQuery("H04W", 2015, 2024))
    assert res.total_count == 0 and res.frame.empty and res.pages == 0
    assert counts_by_year(res.frame).empty and len(server.hits) == 1


def test_too_many_pages_is_refused_after_the_first(server: FakeServer, base: str,
                                                   tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="1,100 results need 3 pages of 500, more than the "
                       "limit of 2"):
        search(base, tmp_path, max_pages=2)
    assert page_hits(server) == ["1"]


def test_count_inside_body_is_read_too(kipris: FakeKipris, server: FakeServer, base: str,
                                       tmp_path: Path) -> None:
    kipris.count_in_body = True
    assert search(base, tmp_path).total_count == 1100


def test_success_n_is_a_fetch_error_and_not_cached(server: FakeServer, base: str,
                                                   tmp_path: Path) -> None:
    for _ in range(2):
        server.script.append(kipris_error("21", "LIMITED NUMBER OF SERVICE REQUESTS EXCEEDS."))
        with pytest.raises(KiprisApiError) as exc:
            search(base, tmp_path)
        assert exc.value.code == "21"
        assert "KIPRIS Plus error 21: LIMITED NUMBER OF SERVICE REQUESTS EXCEEDS." in \
            str(exc.value)
        assert KIPRIS_KEY not in str(exc.value)
    assert len(server.hits) == 2 and not list((tmp_path / "http").glob("*.body"))


def test_wrong_key_gets_the_servers_error(server: FakeServer, base: str, tmp_path: Path) -> None:
    with pytest.raises(KiprisApiError, match="SERVICE KEY IS NOT REGISTERED"):
        search_patents(G06N, api_key="nope", cache=tmp_path, base_url=base)


def test_503_inside_paging_then_success(kipris: FakeKipris, server: FakeServer, base: str,
                                       tmp_path: Path) -> None:
    sleeps: list[float] = []
    server.script += [reply(kipris, 1), (503, {"Retry-After": "3"}, b"maintenance")]
    res = search(base, tmp_path, client=http(tmp_path, sleeps), cache=None)
    assert res.total_count == 1100 and len(res.frame) == 1100
    assert sleeps == [3.0] and page_hits(server) == ["1", "2", "2", "3"]


def test_exponential_backoff_without_retry_after(server: FakeServer, base: str,
                                                 tmp_path: Path) -> None:
    sleeps: list[float] = []
    server.script += [(502, {}, b""), (503, {}, b""), (500, {}, b"")]
    res = search(base, tmp_path, client=http(tmp_path, sleeps, backoff=2.0), cache=None)
    assert res.total_count == 1100 and sleeps == [2.0, 4.0, 8.0]


def test_cache_hit_needs_no_network(server: FakeServer, base: str, tmp_path: Path) -> None:
    first = search(base, tmp_path)
    server.stop()
    again = search(base, tmp_path)
    assert again.from_cache and again.frame.equals(first.frame)
    assert len(server.hits) == 3
    cached = b"".join(p.read_bytes() for p in (tmp_path / "http").iterdir())
    assert KIPRIS_KEY.encode() not in cached and b"ServiceKey" not in cached


def test_no_key_says_what_to_set_before_any_request(
    server: FakeServer, base: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIPRIS_API_KEY", raising=False)
    with pytest.raises(MissingKeyError) as exc:
        search_patents(G06N, base_url=base)
    assert str(exc.value) == ("set KIPRIS_API_KEY (get a key at https://plus.kipris.or.kr/) to "
                              "use KIPRIS Plus")
    with pytest.raises(MissingKeyError):
        applicant_countries(["1020190000001"], base_url=base)
    assert server.hits == []


def test_key_and_base_url_from_the_environment(
    server: FakeServer, base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIPRIS_API_KEY", KIPRIS_KEY)
    monkeypatch.setenv("AIGAP_KIPRIS_URL", base)
    assert search_patents(PatentQuery("G06N", 2024, 2024), cache=tmp_path).total_count == 110
    monkeypatch.setenv("AIGAP_KIPRIS_URL", "not a url")
    with pytest.raises(ConfigError, match="AIGAP_KIPRIS_URL"):
        search_patents(G06N, cache=tmp_path)


# -- malformed answers ----------------------------------------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<response><header><successYN>Y</successYN></header><body>&lol2;</body></response>"""


@pytest.mark.parametrize(
    ("body", "message"),
    [(BOMB, "DOCTYPE or entity declaration refused"),
     (b"<response><header><successYN>Y</success", "not well-formed XML"),
     (b"<html><body>Service Unavailable</body></html>", "root element is <html>"),
     (b"<response><body/></response>", "no header/successYN"),
     (b"<response><header><successYN>Y</successYN></header><body/></response>",
      "no count element"),
     (b"<response><header><successYN>Y</successYN></header><body/><count><totalCount>many"
      b"</totalCount></count></response>", "count/totalCount 'many' is not a whole number")],
)
def test_malformed_xml_is_refused_and_not_cached(server: FakeServer, base: str, tmp_path: Path,
                                                 body: bytes, message: str) -> None:
    server.script.append((200, {"Content-Type": "text/xml"}, body))
    with pytest.raises(DataFormatError, match=message) as exc:
        search(base, tmp_path)
    assert exc.value.file == search_url(G06N, 1, base_url=base)
    assert search(base, tmp_path).total_count == 1100  # asked again: nothing bad was cached


def test_parse_xml_refuses_external_entities() -> None:
    xxe = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b"<response>&x;</response>")
    with pytest.raises(DataFormatError, match="refused"):
        parse_xml(xxe, "u")


def test_server_ignoring_page_numbers_is_caught(kipris: FakeKipris, server: FakeServer,
                                                base: str, tmp_path: Path) -> None:
    kipris.ignore_page = True
    with pytest.raises(DataFormatError, match="pageNo is 1, asked for 2") as exc:
        search(base, tmp_path)
    assert exc.value.column == "pageNo"
    kipris.ignore_page = False
    assert search(base, tmp_path).total_count == 1100  # every page was evicted


def test_server_ignoring_the_date_filter_is_caught(server: FakeServer, base: str,
                                                   tmp_path: Path) -> None:
    fake = FakeKipris(patents=[*make_patents(3), Patent("1020130000001", "20130405", "x", "미국")])
    server.script.append(reply(fake, 1, applicationDate=""))
    with pytest.raises(DataFormatError, match="filed 2013-04-05, outside 2015-2024") as exc:
        search(base, tmp_path)
    assert exc.value.column == "applicationDate"


def test_item_outside_the_ipc_is_caught(server: FakeServer, base: str, tmp_path: Path) -> None:
    fake = FakeKipris(patents=[Patent("1020200000001", "20200101", "x", "미국"),
                               Patent("1020200000002", "20200102", "y", "미국", ipc="H04W 4/00")])
    server.script.append(reply(fake, 1, ipcNumber=""))
    with pytest.raises(DataFormatError, match="IPC 'H04W 4/00' has no G06N code"):
        search(base, tmp_path)


def test_total_count_changing_between_pages(kipris: FakeKipris, server: FakeServer, base: str,
                                            tmp_path: Path) -> None:
    server.script += [reply(kipris, 1), reply(FakeKipris(patents=make_patents(1099)), 2)]
    with pytest.raises(DataFormatError, match="totalCount is 1099 here but 1100 on page 1"):
        search(base, tmp_path)


def test_fewer_items_than_total_count(kipris: FakeKipris, server: FakeServer, base: str,
                                      tmp_path: Path) -> None:
    _, headers, body = reply(kipris, 3)
    start = body.index(b"<items>") + len(b"<items>")
    first_end = body.index(b"</item>") + len(b"</item>")
    server.script += [reply(kipris, 1), reply(kipris, 2),
                      (200, headers, body[:start] + body[first_end:])]  # one item lost
    with pytest.raises(DataFormatError, match=r"totalCount is 1100 but the 3 page\(s\) held "
                       "1099 items"):
        search(base, tmp_path)


def test_overlapping_pages_are_caught(kipris: FakeKipris, server: FakeServer, base: str,
                                      tmp_path: Path) -> None:
    status, headers, body = reply(kipris, 1)
    again = body.replace(b"<pageNo>1</pageNo>", b"<pageNo>2</pageNo>")
    server.script += [(status, headers, body), (status, headers, again)]
    with pytest.raises(DataFormatError, match="already on page 1"):
        search(base, tmp_path)


def reply(fake: FakeKipris, page: int, **params: str) -> Any:
    """What ``fake`` answers to page ``page`` of the G06N search (params overridden)."""
    query = {**dict(G06N.query(page, 500)), "ServiceKey": KIPRIS_KEY, **params}
    return fake.answer(f"{KIPRIS_PATH}/getAdvancedSearch", query)


# -- applicant countries --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso3"),
    [("대한민국", "KOR"), ("미국", "USA"), ("미합중국", "USA"), ("중국", "CHN"), ("일본", "JPN"),
     ("독일", "DEU"), ("러시아 연방", "RUS"), ("대만", "TWN"), ("KR", "KOR"), ("US", "USA"),
     ("United States", "USA"), ("JPN", "JPN"), ("", None), ("화성", None), ("World", None)],
)
def test_country_names(text: str, iso3: str | None) -> None:
    assert country_to_iso3(text) == iso3


def test_counts_by_applicant_country(server: FakeServer, base: str, tmp_path: Path) -> None:
    res = search(base, tmp_path, PatentQuery("G06N", 2024, 2024))
    assert res.total_count == 110
    seen: list[tuple[int, int]] = []
    countries = applicant_countries(res.frame["application_number"], api_key=KIPRIS_KEY,
                                    base_url=base, cache=tmp_path,
                                    progress=lambda d, t: seen.append((d, t)))
    assert len(countries) == 110 and seen[-1] == (110, 110)
    details = [p for path, p in server.hits if path.endswith("getBibliographyDetailInfoSearch")]
    assert len(details) == 110 and {p["ServiceKey"] for p in details} == {KIPRIS_KEY}
    table = counts_by_country(res.frame, countries)
    # first-named applicant only: the German co-applicant of every application never counts
    assert table["iso3"].tolist() == ["KOR", "USA", "CHN", "JPN"]
    assert table["patents"].tolist() == [56, 28, 13, 13] and "DEU" not in set(table["iso3"])
    assert table.set_index("iso3").loc["KOR", "country"] == "South Korea"
    assert table["share"].sum() == pytest.approx(1.0)
    assert counts_by_country(res.frame, countries, lang="ko")["country"].iloc[0] == "한국"
    # a second run is served from the cache
    server.hits.clear()
    again = applicant_countries(res.frame["application_number"], api_key=KIPRIS_KEY,
                                base_url=base, cache=tmp_path, max_lookups=0)
    assert again.equals(countries) and server.hits == []


def test_lookup_limit_is_checked_before_any_call(server: FakeServer, base: str,
                                                 tmp_path: Path) -> None:
    numbers = [p.number for p in make_patents(30)]
    applicant_countries(numbers[:10], api_key=KIPRIS_KEY, base_url=base, cache=tmp_path)
    server.hits.clear()
    with pytest.raises(FetchError, match="30 applications needs 20 bibliography lookups "
                       "\\(10 cached\\), more than the limit of 19"):
        applicant_countries(numbers, api_key=KIPRIS_KEY, base_url=base, cache=tmp_path,
                            max_lookups=19)
    assert server.hits == []
    applicant_countries(numbers, api_key=KIPRIS_KEY, base_url=base, cache=tmp_path,
                        max_lookups=20)
    assert len(server.hits) == 20


def test_quota_error_mid_way_keeps_what_was_fetched(kipris: FakeKipris, server: FakeServer,
                                                    base: str, tmp_path: Path) -> None:
    numbers = [p.number for p in kipris.patents[:8]]
    real = kipris.answer
    calls = {"n": 0}

    def answer(path: str, params: dict[str, str]) -> Any:
        calls["n"] += 1
        if calls["n"] == 6:
            return kipris_error("22", "LIMITED NUMBER OF SERVICE REQUESTS EXCEEDS ERROR.")
        return real(path, params)

    server.answer = answer
    with pytest.raises(KiprisApiError, match="after 5 of 8 lookups, which are cached: run "
                       "again to resume"):
        applicant_countries(numbers, api_key=KIPRIS_KEY, base_url=base, cache=tmp_path)
    server.hits.clear()
    out = applicant_countries(numbers, api_key=KIPRIS_KEY, base_url=base, cache=tmp_path)
    assert len(out) == 8 and len(server.hits) == 3  # only the missing ones


def test_unknown_country_lists_the_applications(kipris: FakeKipris, server: FakeServer,
                                                base: str, tmp_path: Path) -> None:
    kipris.patents = [Patent("1020200000001", "20200101", "가", "화성"),
                      Patent("1020200000002", "20200102", "나", "대한민국"),
                      Patent("1020200000003", "20200103", "다", "")]
    with pytest.raises(DataFormatError) as exc:
        applicant_countries([p.number for p in kipris.patents], api_key=KIPRIS_KEY,
                            base_url=base, cache=tmp_path)
    msg = str(exc.value)
    assert "'화성' (application 1020200000001)" in msg
    assert "'<blank>' (application 1020200000003)" in msg and "1020200000002" not in msg
    assert exc.value.column == "applicantInfo/country"


def test_unknown_application_has_no_bibliography(server: FakeServer, base: str,
                                                 tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="no body/item"):
        applicant_countries(["1029999999999"], api_key=KIPRIS_KEY, base_url=base,
                            cache=tmp_path)


def test_counts_by_country_needs_every_application() -> None:
    frame = pd.DataFrame({"application_number": ["1", "2"]})
    countries = pd.DataFrame({"application_number": ["1"], "country": ["미국"], "iso3": ["USA"]})
    with pytest.raises(AigapError, match="no applicant country for 1 application"):
        counts_by_country(frame, countries)
