"""KIPRIS Plus (Korean Intellectual Property Office): AI patent searches and their counts.

Service (XML only), key as ``ServiceKey`` from ``KIPRIS_API_KEY``; ``AIGAP_KIPRIS_URL`` replaces
the base ``https://plus.kipris.or.kr/kipo-api/kipi/patUtiModInfoSearchSevice`` (KIPRIS's own
spelling, "Sevice"):

* ``<base>/getAdvancedSearch`` with ``ipcNumber`` (e.g. G06N), ``applicationDate`` as
  ``YYYYMMDD~YYYYMMDD``, ``patent``/``utility`` (true/false), ``numOfRows`` (at most 500),
  ``pageNo`` (from 1), ``sortSpec=AD&descSort=false`` (by application date, so that pages do
  not shift while they are read);
* ``<base>/getBibliographyDetailInfoSearch`` with ``applicationNumber``: one application's
  bibliography, used for the applicant's country.

Answer::

    <response>
      <header><successYN>Y</successYN><resultCode>00</resultCode><resultMsg>..</resultMsg></header>
      <body><items><item><applicationNumber>1020190012345</applicationNumber>
        <applicationDate>20190131</applicationDate><inventionTitle>..</inventionTitle>
        <applicantName>..</applicantName><ipcNumber>G06N 3/08|G06F 17/16</ipcNumber>
        <registerStatus>등록</registerStatus> ...</item></items></body>
      <count><numOfRows>500</numOfRows><pageNo>1</pageNo><totalCount>1234</totalCount></count>
    </response>

Errors come as HTTP 200 with ``successYN`` N and a ``resultCode``/``resultMsg``: they become a
:class:`KiprisApiError` and are not cached.

Applicant country: a search result names the applicant but not its country. The country is the
bibliography's ``body/item/applicantInfoArray/applicantInfo/country`` (a Korean name such as
대한민국 or 미국) of the first-named applicant, one call per application; each answer is cached
on disk, so a second run (or a run resumed after the quota ran out) only asks for what is
missing. KIPRIS Plus's free tier allows about 1,000 calls a month, so the number of uncached
lookups is capped (``max_lookups``) and checked before the first one is made.

Assumptions, not checkable from this machine (no internet), each failing loudly if wrong:

* ``count`` sits under ``response`` (as above) or under ``response/body``; both are read;
* the server honours ``applicationDate``, ``ipcNumber`` and ``pageNo``: every item is checked
  against the date range and the IPC class, and every page's ``pageNo`` against the one asked,
  so a silently ignored filter stops the search instead of inflating counts;
* the applicant country is a Korean or English country name or an ISO code; any other text is
  an error listing the applications, never a dropped patent;
* the service answers over https (KIPRIS also publishes http URLs; the key should not travel in
  clear text). Set ``AIGAP_KIPRIS_URL`` to the http base if your account needs it.

XML is parsed with defusedxml: a DOCTYPE or entity declaration is refused (KIPRIS sends none).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlencode
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET
import httpx
import pandas as pd
import pycountry

from aigap.data.countries import country_table, name_to_iso3
from aigap.data.live.http import (
    CachedHttp,
    CachedResponse,
    api_key_from_env,
    base_url_from_env,
    resolve_http,
)
from aigap.errors import AigapError, DataFormatError, FetchError

KIPRIS_URL = "https://plus.kipris.or.kr/kipo-api/kipi/patUtiModInfoSearchSevice"
KEY_ENV = "KIPRIS_API_KEY"
URL_ENV = "AIGAP_KIPRIS_URL"
SIGNUP_URL = "https://plus.kipris.or.kr/"
KEY_PARAM = "ServiceKey"
SEARCH_OP = "getAdvancedSearch"
DETAIL_OP = "getBibliographyDetailInfoSearch"
MAX_ROWS = 500  # KIPRIS Plus's largest page
DEFAULT_MAX_PAGES = 40  # 20,000 applications
DEFAULT_MAX_LOOKUPS = 1000  # the free tier's monthly calls
PATENT_COLUMNS = ["application_number", "application_date", "year", "title", "applicant",
                  "ipc", "register_status", "register_number", "open_date"]

_IPC = re.compile(r"^[A-H]\d{2}[A-Z]?(\d{1,4}(/\d{1,6})?)?$")
# Spellings of the applicant's country seen in KIPRIS bibliographies besides aigap's Korean
# short names (KOREAN_NAMES) and pycountry's Korean names.
COUNTRY_ALIASES = {
    "대한민국": "KOR", "한국": "KOR", "남한": "KOR", "미합중국": "USA", "미국": "USA",
    "중화인민공화국": "CHN", "중국": "CHN", "일본국": "JPN", "타이완": "TWN", "중화민국": "TWN",
    "대만": "TWN", "홍콩": "HKG", "러시아연방": "RUS", "독일연방공화국": "DEU",
    "그레이트브리튼및북아일랜드연합왕국": "GBR", "영국": "GBR", "네덜란드왕국": "NLD",
    "스위스연방": "CHE", "인도공화국": "IND", "싱가포르공화국": "SGP", "캐나다": "CAN",
    "이스라엘국": "ISR", "프랑스공화국": "FRA", "스웨덴왕국": "SWE", "핀란드공화국": "FIN",
}


class KiprisApiError(FetchError):
    """KIPRIS Plus answered (HTTP 200) with successYN=N."""

    def __init__(self, code: str, message: str, url: str) -> None:
        self.code = code
        self.api_message = message
        self.url = url
        super().__init__(
            f"KIPRIS Plus error {code or '?'}: {message or 'no message'}; request {url}"
        )


@dataclass(frozen=True)
class PatentQuery:
    """Applications in one IPC class filed between two years (inclusive)."""

    ipc: str
    first_year: int
    last_year: int
    patents: bool = True
    utility: bool = False

    def __post_init__(self) -> None:
        ipc = self.ipc_code
        if not _IPC.match(ipc):
            raise AigapError(f"KIPRIS query: IPC {self.ipc!r} is not an IPC class, subclass or "
                             "group (e.g. G06N, G06N 3/08)")
        if self.first_year > self.last_year:
            raise AigapError(f"KIPRIS query: from {self.first_year} is after to "
                             f"{self.last_year}")
        if not 1948 <= self.first_year <= 2100 or not 1948 <= self.last_year <= 2100:
            raise AigapError(f"KIPRIS query: years {self.first_year}-{self.last_year} are not "
                             "plausible application years")
        if not (self.patents or self.utility):
            raise AigapError("KIPRIS query: neither patents nor utility models asked for")

    @property
    def ipc_code(self) -> str:
        """The IPC without spaces, upper case (``G06N3/08``)."""
        return re.sub(r"\s+", "", self.ipc).upper()

    @property
    def date_range(self) -> tuple[str, str]:
        return f"{self.first_year}0101", f"{self.last_year}1231"

    def query(self, page: int, rows: int) -> list[tuple[str, str]]:
        """Search parameters without the key, in a fixed order (stable cache key)."""
        start, end = self.date_range
        return [("ipcNumber", self.ipc.strip().upper()), ("applicationDate", f"{start}~{end}"),
                ("patent", str(self.patents).lower()), ("utility", str(self.utility).lower()),
                ("sortSpec", "AD"), ("descSort", "false"),
                ("numOfRows", str(rows)), ("pageNo", str(page))]


def search_url(query: PatentQuery, page: int, rows: int = MAX_ROWS,
               base_url: str = KIPRIS_URL) -> str:
    """One page of a search, without the key."""
    query_string = urlencode(query.query(page, rows), quote_via=quote_plus)
    return f"{base_url.rstrip('/')}/{SEARCH_OP}?{query_string}"


def detail_url(application_number: str, base_url: str = KIPRIS_URL) -> str:
    """One application's bibliography, without the key."""
    query_string = urlencode({"applicationNumber": application_number})
    return f"{base_url.rstrip('/')}/{DETAIL_OP}?{query_string}"


@dataclass(frozen=True)
class PatentSearch:
    """Every application a query matched, one row each (:data:`PATENT_COLUMNS`)."""

    query: PatentQuery
    frame: pd.DataFrame
    total_count: int
    pages: int
    urls: tuple[str, ...]  # without the key
    fetched_at: str  # the earliest download of the pages
    from_cache: bool


def _key(api_key: str | None) -> str:
    return api_key or api_key_from_env(KEY_ENV, signup_url=SIGNUP_URL, service="KIPRIS Plus")


def search_patents(
    query: PatentQuery,
    *,
    api_key: str | None = None,
    client: httpx.Client | CachedHttp | None = None,
    cache: Path | None = None,
    refresh: bool = False,
    base_url: str | None = None,
    rows: int = MAX_ROWS,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> PatentSearch:
    """All pages of a search, ``rows`` per page, up to ``totalCount``.

    A search needing more than ``max_pages`` pages is refused after the first page (one call)
    rather than cut short, since a partial list would undercount.
    """
    if not 1 <= rows <= MAX_ROWS:
        raise AigapError(f"KIPRIS query: numOfRows {rows} is outside 1..{MAX_ROWS}")
    if max_pages < 1:
        raise AigapError(f"KIPRIS query: max_pages must be at least 1, got {max_pages}")
    key = _key(api_key)
    base = base_url or base_url_from_env(URL_ENV, KIPRIS_URL)
    http, owned = resolve_http(client, cache)
    responses: list[CachedResponse] = []
    try:
        try:
            records, total, pages = _read_pages(http, responses, query, key, base, rows,
                                                max_pages, refresh)
        except DataFormatError:
            for resp in responses:  # pages must agree with each other: drop them all
                http.evict(resp.url)
            raise
        except KiprisApiError as exc:
            http.evict(exc.url)
            raise
    finally:
        if owned:
            http.close()
    frame = pd.DataFrame.from_records(records, columns=PATENT_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    return PatentSearch(
        query=query, frame=frame, total_count=total, pages=pages,
        urls=tuple(r.url for r in responses),
        fetched_at=min(r.fetched_at for r in responses),
        from_cache=all(r.from_cache for r in responses),
    )


def _read_pages(
    http: CachedHttp, responses: list[CachedResponse], query: PatentQuery, key: str, base: str,
    rows: int, max_pages: int, refresh: bool,
) -> tuple[list[dict[str, Any]], int, int]:
    records: list[dict[str, Any]] = []
    first_seen: dict[str, int] = {}
    total = pages = 0
    page = 1
    while page == 1 or page <= pages:
        url = search_url(query, page, rows, base)
        resp = http.get(url, refresh=refresh, secret_params={KEY_PARAM: key})
        responses.append(resp)
        root = parse_xml(resp.read_bytes(), url)
        check_header(root, url)
        count = _count(root, url)
        if count.get("pageNo") not in (None, page):
            raise DataFormatError(url, f"pageNo is {count['pageNo']}, asked for {page} (the "
                                  "server ignored pageNo?)", column="pageNo")
        if page == 1:
            total = count["totalCount"]
            pages = math.ceil(total / rows)
            if pages > max_pages:
                raise FetchError(
                    f"{query.ipc_code} applications {query.first_year}-{query.last_year}: "
                    f"{total:,} results need {pages} pages of {rows}, more than the limit of "
                    f"{max_pages}; narrow the years or raise max_pages (--max-pages); request {url}"
                )
        elif count["totalCount"] != total:
            raise DataFormatError(url, f"totalCount is {count['totalCount']} here but {total} "
                                  "on page 1 (data changed during the download? run again "
                                  "with refresh)", column="totalCount")
        items = root.findall("body/items/item")
        if len(items) > rows:
            raise DataFormatError(url, f"{len(items)} items on a page of {rows}")
        for i, item in enumerate(items, start=1):
            rec = _patent(item, url, i, query)
            number = rec["application_number"]
            if number in first_seen:
                raise DataFormatError(url, f"item {i}: application {number} already on page "
                                      f"{first_seen[number]} (pages overlap)",
                                      column="applicationNumber")
            first_seen[number] = page
            records.append(rec)
        page += 1
    if len(records) != total:
        raise DataFormatError(responses[0].url, f"totalCount is {total} but the {pages} page(s) "
                              f"held {len(records)} items", column="totalCount")
    return records, total, pages


# -- XML ------------------------------------------------------------------------------------


def parse_xml(data: bytes, url: str) -> Element:
    """The root element; refuses DOCTYPE/entity declarations (entity-expansion attacks)."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise DataFormatError(url, f"XML with a DOCTYPE or entity declaration refused "
                              f"({type(exc).__name__})") from None
    except ParseError as exc:
        raise DataFormatError(url, f"not well-formed XML: {exc}") from None
    if root.tag != "response":
        raise DataFormatError(url, f"root element is <{root.tag}>, expected <response>")
    return root


def _child_text(elem: Element | None, tag: str) -> str:
    if elem is None:
        return ""
    found = elem.find(tag)
    return (found.text or "").strip() if found is not None else ""


def check_header(root: Element, url: str) -> None:
    """Raise KiprisApiError for successYN=N; DataFormatError when there is no header."""
    header = root.find("header")
    if header is None or header.find("successYN") is None:
        raise DataFormatError(url, "no header/successYN element", column="header/successYN")
    success = _child_text(header, "successYN").upper()
    if success == "N":
        raise KiprisApiError(_child_text(header, "resultCode"), _child_text(header, "resultMsg"),
                             url)
    if success != "Y":
        raise DataFormatError(url, f"successYN is {success!r}, expected Y or N",
                              column="header/successYN")


def _count(root: Element, url: str) -> dict[str, int]:
    count = root.find("count")
    if count is None:
        count = root.find("body/count")
    if count is None:
        raise DataFormatError(url, "no count element (response/count)", column="count")
    out: dict[str, int] = {}
    for tag in ("totalCount", "numOfRows", "pageNo"):
        text = _child_text(count, tag)
        if not text:
            continue
        if not text.isdigit():
            raise DataFormatError(url, f"count/{tag} {text!r} is not a whole number",
                                  column=f"count/{tag}")
        out[tag] = int(text)
    if "totalCount" not in out:
        raise DataFormatError(url, "no count/totalCount", column="count/totalCount")
    return out


def _date(text: str, url: str, where: str, tag: str, *, required: bool) -> str:
    """``YYYYMMDD`` as ``YYYY-MM-DD`` ('' when blank and allowed)."""
    if not text and not required:
        return ""
    if not re.fullmatch(r"\d{8}", text):
        raise DataFormatError(url, f"{where}: {tag} {text!r} is not a date YYYYMMDD", column=tag)
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def _patent(item: Element, url: str, i: int, query: PatentQuery) -> dict[str, Any]:
    number = _child_text(item, "applicationNumber")
    where = f"item {i}" + (f" (application {number})" if number else "")
    if not number:
        raise DataFormatError(url, f"{where}: no applicationNumber", column="applicationNumber")
    raw_date = _child_text(item, "applicationDate")
    date = _date(raw_date, url, where, "applicationDate", required=True)
    start, end = query.date_range
    if not start <= raw_date <= end:
        raise DataFormatError(url, f"{where}: filed {date}, outside {query.first_year}-"
                              f"{query.last_year} (the server ignored applicationDate?)",
                              column="applicationDate")
    ipc = _child_text(item, "ipcNumber")
    codes = [re.sub(r"\s+", "", c).upper() for c in ipc.split("|") if c.strip()]
    if codes and not any(c.startswith(query.ipc_code) for c in codes):
        raise DataFormatError(url, f"{where}: IPC {ipc!r} has no {query.ipc_code} code (the "
                              "server ignored ipcNumber?)", column="ipcNumber")
    return {
        "application_number": number,
        "application_date": date,
        "year": int(raw_date[:4]),
        "title": _child_text(item, "inventionTitle"),
        "applicant": _child_text(item, "applicantName"),
        "ipc": ipc,
        "register_status": _child_text(item, "registerStatus"),
        "register_number": _child_text(item, "registerNumber"),
        "open_date": _date(_child_text(item, "openDate"), url, where, "openDate",
                           required=False),
    }


# -- applicant countries --------------------------------------------------------------------


def _squash(name: str) -> str:
    return re.sub(r"[\s·.,()]+", "", name).lower()


@cache
def _country_names() -> dict[str, str]:
    table = country_table()
    names = {_squash(ko): iso3 for iso3, ko in zip(table["iso3"], table["name_ko"], strict=True)
             if ko}
    names.update({_squash(k): v for k, v in COUNTRY_ALIASES.items()})
    return names


def country_to_iso3(text: str) -> str | None:
    """ISO3 of an applicant country as KIPRIS writes it (Korean name, English name, ISO code)."""
    clean = text.strip()
    if not clean:
        return None
    hit = _country_names().get(_squash(clean))
    if hit:
        return hit
    if len(clean) == 2 and clean.isalpha():
        found = pycountry.countries.get(alpha_2=clean.upper())
        return found.alpha_3 if found is not None else None
    return name_to_iso3(clean) or None  # '' (an aggregate) is no country either


def applicant_countries(
    application_numbers: Iterable[str],
    *,
    api_key: str | None = None,
    client: httpx.Client | CachedHttp | None = None,
    cache: Path | None = None,
    refresh: bool = False,
    base_url: str | None = None,
    max_lookups: int = DEFAULT_MAX_LOOKUPS,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """The first-named applicant's country of each application: application_number, country
    (as KIPRIS wrote it), iso3.

    Refuses before any call when more than ``max_lookups`` answers are not cached yet. An error
    answer mid-way (quota used up) keeps what was fetched, so running again resumes.
    """
    numbers = list(dict.fromkeys(application_numbers))
    key = _key(api_key)
    base = base_url or base_url_from_env(URL_ENV, KIPRIS_URL)
    http, owned = resolve_http(client, cache)
    rows: list[tuple[str, str, str]] = []
    unknown: list[tuple[str, str]] = []
    try:
        urls = [detail_url(n, base) for n in numbers]
        missing = len(urls) if refresh else sum(http.cached(u) is None for u in urls)
        if missing > max_lookups:
            raise FetchError(
                f"the applicant country of {len(urls):,} applications needs {missing:,} "
                f"bibliography lookups ({len(urls) - missing:,} cached), more than the limit "
                f"of {max_lookups:,} (KIPRIS Plus's free tier allows about 1,000 calls a "
                "month); narrow the years or raise max_lookups (--max-lookups)"
            )
        for done, (number, url) in enumerate(zip(numbers, urls, strict=True), start=1):
            resp = http.get(url, refresh=refresh, secret_params={KEY_PARAM: key})
            try:
                country = parse_detail_country(resp.read_bytes(), url, number)
            except KiprisApiError as exc:
                http.evict(url)
                raise KiprisApiError(
                    exc.code, f"{exc.api_message} (after {done - 1} of {len(urls)} lookups, "
                    "which are cached: run again to resume)", url,
                ) from None
            except DataFormatError:
                http.evict(url)
                raise
            iso3 = country_to_iso3(country)
            if iso3 is None:
                unknown.append((number, country))
            rows.append((number, country, iso3 or ""))
            if progress is not None:
                progress(done, len(urls))
    finally:
        if owned:
            http.close()
    if unknown:
        listed = "; ".join(f"{c or '<blank>'!r} (application {n})" for n, c in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        raise DataFormatError(f"KIPRIS Plus {DETAIL_OP}", f"unknown applicant country: "
                              f"{listed}{more}", column="applicantInfo/country")
    return pd.DataFrame(rows, columns=["application_number", "country", "iso3"])


def parse_detail_country(data: bytes, url: str, application_number: str) -> str:
    """The first applicant's ``country`` text of one bibliography answer."""
    root = parse_xml(data, url)
    check_header(root, url)
    item = root.find("body/item")
    if item is None:
        raise DataFormatError(url, "no body/item (application unknown to KIPRIS?)",
                              column="body/item")
    got = _child_text(item.find(".//biblioSummaryInfo"), "applicationNumber")
    if got and got != application_number:
        raise DataFormatError(url, f"bibliography of {got}, asked for {application_number}",
                              column="applicationNumber")
    applicant = item.find("applicantInfoArray/applicantInfo")
    if applicant is None:
        raise DataFormatError(url, f"application {application_number}: no applicantInfo",
                              column="applicantInfoArray/applicantInfo")
    return _child_text(applicant, "country")


# -- counts ---------------------------------------------------------------------------------


def counts_by_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Applications per filing year: year, patents."""
    out = frame.groupby("year").size().rename("patents").reset_index()
    return out.astype({"year": "int64", "patents": "int64"})


def counts_by_applicant(frame: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """Applications per applicant name (as KIPRIS writes it), most first: applicant, patents."""
    names = frame["applicant"].where(frame["applicant"] != "", "<no name>")
    out = names.value_counts().rename_axis("applicant").rename("patents").reset_index()
    out = out.sort_values(["patents", "applicant"], ascending=[False, True], kind="stable")
    return (out.head(top) if top else out).reset_index(drop=True)


def counts_by_country(frame: pd.DataFrame, countries: pd.DataFrame,
                      lang: str = "en") -> pd.DataFrame:
    """Applications per first applicant's country, most first: iso3, country, patents, share.

    ``countries`` is :func:`applicant_countries`' frame; every application must be in it.
    """
    merged = frame[["application_number"]].merge(countries, on="application_number",
                                                 how="left", validate="one_to_one")
    lost = merged["iso3"].isna()
    if lost.any():
        raise AigapError(f"no applicant country for {int(lost.sum())} application(s), e.g. "
                         f"{merged.loc[lost, 'application_number'].iloc[0]}")
    out = merged.groupby("iso3").size().rename("patents").reset_index()
    table = country_table().set_index("iso3")
    names = table["name_ko" if lang == "ko" else "name_en"]
    out.insert(1, "country", out["iso3"].map(names).fillna(out["iso3"]))
    total = int(out["patents"].sum())
    out["share"] = out["patents"] / total if total else 0.0
    out = out.sort_values(["patents", "iso3"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True).astype({"patents": "int64"})
