"""KOSIS OpenAPI (Statistics Korea): one statistical table as a tidy frame.

Request (KOSIS 공유서비스 OpenAPI, "통계자료" by parameters)::

    https://kosis.kr/openapi/Param/statisticsParameterData.do?method=getList&apiKey=KEY
        &orgId=127&tblId=DT_127005_005&itmId=T001&objL1=ALL&format=json&jsonVD=Y
        &prdSe=Y&startPrdDe=2015&endPrdDe=2024

``itmId`` and ``objL1``..``objL8`` take codes joined by '+' (a space once decoded) or ``ALL``;
``prdSe`` is the period type (Y year, H half-year, Q quarter, M month, D day, IR irregular, F
several years); ``startPrdDe``/``endPrdDe`` are periods written as that type writes them
(``2015``, ``201503`` ...). The key travels as ``apiKey`` and comes from ``KOSIS_API_KEY``;
``AIGAP_KOSIS_URL`` replaces the endpoint (a proxy, a test server).

Answer: a JSON array of rows whose fields are strings: ORG_ID, TBL_ID, TBL_NM, C1..C8
(classification codes), C1_NM.., C1_NM_ENG.., ITM_ID, ITM_NM, ITM_NM_ENG, UNIT_NM,
UNIT_NM_ENG, PRD_SE, PRD_DE, DT (the value, as text) and LST_CHN_DE (last change). Errors come
with HTTP 200 as an object ``{err:"20", errMsg:"..."}``. KOSIS sends object keys without quotes
(``{err:"20",...}``; rows too when ``jsonVD=Y`` is missing), so bodies that are not JSON go
through :func:`quote_bare_keys` once before parsing.

Assumptions, not checkable from this machine (no internet), each failing loudly if wrong:

* error codes follow KOSIS's guide: 10/11 key missing/expired, 20/21 parameter missing/invalid,
  30 no data, 31 more than the 40,000 values one call may return, 40-42 call quotas, 50 server
  error; any other code is passed on as it is;
* DT ``"-"`` and ``""`` mean "no value" (NaN). Any other non-numeric text (a suppression mark
  such as ``"x"``) is refused with an error naming the row, so no number is made up or lost;
* the answer holds only the classification levels the table has; every row has the same ones.
  English names (``*_ENG``) may be absent and then become empty strings;
* bodies are UTF-8 (a BOM is tolerated); single-quoted strings are not supported.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlencode

import httpx
import pandas as pd

from aigap.data.live.http import (
    CachedHttp,
    api_key_from_env,
    base_url_from_env,
    resolve_http,
)
from aigap.errors import AigapError, DataFormatError, FetchError

KOSIS_URL = "https://kosis.kr/openapi/Param/statisticsParameterData.do"
KEY_ENV = "KOSIS_API_KEY"
URL_ENV = "AIGAP_KOSIS_URL"
SIGNUP_URL = "https://kosis.kr/openapi/"
KEY_PARAM = "apiKey"
MAX_LEVELS = 8
# Period types and the number of digits of one period (None: not fixed).
PERIOD_DIGITS: dict[str, int | None] = {"Y": 4, "H": 6, "Q": 6, "M": 6, "D": 8, "IR": None,
                                        "F": None}
MISSING_VALUES = frozenset({"", "-"})
ERROR_HINTS = {
    "10": f"no key reached KOSIS; check {KEY_ENV}",
    "11": f"the key in {KEY_ENV} has expired; renew it at {SIGNUP_URL}",
    "20": "a required parameter is missing; check orgId, tblId, itmId and objL1",
    "21": "a parameter is invalid; check the codes against the table on kosis.kr",
    "30": "no data for this selection and period",
    "31": "more than 40,000 values requested; ask for fewer items, classes or periods",
    "40": "the key's call quota is used up; try again later",
    "41": "the key's row quota is used up; try again later",
    "42": "this key is restricted; see your KOSIS account",
    "50": "KOSIS server error; try again later",
}

_CODE = re.compile(r"^[A-Za-z0-9_.\-]+$")
# A JSON string (skipped whole, so nothing inside it is touched) or a bare object key.
# (The string branch is written "unrolled" so that long strings are consumed in one step.)
_STRING_OR_BARE_KEY = re.compile(r'("[^"\\]*(?:\\.[^"\\]*)*")|([A-Za-z_$][\w$]*)(\s*:)', re.S)


class KosisApiError(FetchError):
    """KOSIS answered (HTTP 200) with an error object instead of rows."""

    def __init__(self, code: str, message: str, url: str) -> None:
        self.code = code
        self.api_message = message
        self.url = url
        hint = ERROR_HINTS.get(code)
        super().__init__(
            f"KOSIS error {code}: {message or 'no message'}" + (f" ({hint})" if hint else "")
            + f"; request {url}"
        )


def split_codes(value: str | Sequence[str] | None, field: str) -> tuple[str, ...]:
    """Codes from ``"T10+T20"``, ``"T10 T20"``, ``"T10,T20"`` or a list; ``ALL`` stands alone."""
    parts = [value] if isinstance(value, str) or value is None else list(value)
    codes = [c for p in parts if p for c in re.split(r"[+,\s]+", p) if c]
    if not codes:
        raise AigapError(f"KOSIS request: {field} is empty (give codes or ALL)")
    if any(c.upper() == "ALL" for c in codes):
        if len(codes) > 1:
            raise AigapError(f"KOSIS request: {field} mixes ALL with codes {codes}")
        return ("ALL",)
    bad = [c for c in codes if not _CODE.match(c)]
    if bad:
        raise AigapError(f"KOSIS request: {field} has invalid code(s) {bad}")
    return tuple(dict.fromkeys(codes))


@dataclass(frozen=True)
class KosisRequest:
    """One call of ``statisticsParameterData.do``; checked when built."""

    org_id: str
    tbl_id: str
    start: str
    end: str
    items: tuple[str, ...] = ("ALL",)
    levels: tuple[tuple[str, ...], ...] = (("ALL",),)  # objL1, objL2, ... in order
    period: str = "Y"

    def __post_init__(self) -> None:
        if not _CODE.match(self.org_id or ""):
            raise AigapError(f"KOSIS request: orgId {self.org_id!r} is not a code (e.g. 101)")
        if not _CODE.match(self.tbl_id or ""):
            raise AigapError(f"KOSIS request: tblId {self.tbl_id!r} is not a table id "
                             "(e.g. DT_1B04005N)")
        if not self.levels:
            raise AigapError("KOSIS request: objL1 is required (codes or ALL)")
        if len(self.levels) > MAX_LEVELS:
            raise AigapError(f"KOSIS request: {len(self.levels)} classification levels; "
                             f"KOSIS has at most {MAX_LEVELS} (objL1..objL{MAX_LEVELS})")
        if self.period not in PERIOD_DIGITS:
            raise AigapError(f"KOSIS request: prdSe {self.period!r} is not one of "
                             f"{', '.join(PERIOD_DIGITS)}")
        digits = PERIOD_DIGITS[self.period]
        for name, value in (("startPrdDe", self.start), ("endPrdDe", self.end)):
            ok = value.isdigit() and (len(value) == digits if digits else 4 <= len(value) <= 8)
            if not ok:
                form = f"{digits} digits" if digits else "4 to 8 digits"
                example = {4: "2015", 6: "201501", 8: "20150101"}[digits or 4]
                raise AigapError(f"KOSIS request: {name} {value!r} is not a period of type "
                                 f"{self.period} ({form}, e.g. {example})")
        if len(self.start) == len(self.end) and self.start > self.end:
            raise AigapError(f"KOSIS request: startPrdDe {self.start} is after endPrdDe {self.end}")

    @classmethod
    def build(
        cls,
        org_id: str,
        tbl_id: str,
        *,
        start: str | int,
        end: str | int,
        items: str | Sequence[str] | None = "ALL",
        levels: Sequence[str | Sequence[str] | None] = ("ALL",),
        period: str = "Y",
    ) -> KosisRequest:
        """From user input: codes as strings like ``"T10+T20"``; trailing empty levels dropped."""
        given = list(levels)
        while given and not given[-1]:
            given.pop()
        gaps = [i + 1 for i, lv in enumerate(given) if not lv]
        if gaps:
            raise AigapError(f"KOSIS request: objL{gaps[0]} is empty but a later level is given")
        return cls(
            org_id=str(org_id).strip(), tbl_id=str(tbl_id).strip(),
            start=str(start).strip(), end=str(end).strip(),
            items=split_codes(items, "itmId"),
            levels=tuple(split_codes(lv, f"objL{i}") for i, lv in enumerate(given, start=1)),
            period=period.strip().upper(),
        )

    def query(self) -> list[tuple[str, str]]:
        """The query parameters (without the key), in a fixed order so the cache key is stable."""
        pairs = [("method", "getList"), ("orgId", self.org_id), ("tblId", self.tbl_id),
                 ("itmId", " ".join(self.items))]
        pairs += [(f"objL{i}", " ".join(codes)) for i, codes in enumerate(self.levels, start=1)]
        pairs += [("format", "json"), ("jsonVD", "Y"), ("prdSe", self.period),
                  ("startPrdDe", self.start), ("endPrdDe", self.end)]
        return pairs


def kosis_url(request: KosisRequest, base_url: str = KOSIS_URL) -> str:
    """The request URL without the key; spaces between codes are written '+' as KOSIS does."""
    return f"{base_url.rstrip('/')}?{urlencode(request.query(), quote_via=quote_plus)}"


@dataclass(frozen=True)
class KosisTable:
    """A fetched table: the tidy frame and where it came from."""

    request: KosisRequest
    frame: pd.DataFrame
    table_name: str  # TBL_NM (Korean)
    url: str  # without the key
    fetched_at: str
    from_cache: bool

    @property
    def last_changed(self) -> str:
        """The latest LST_CHN_DE of the rows (KOSIS's own vintage), '' if none."""
        dates = [d for d in self.frame["last_changed"] if d]
        return max(dates) if dates else ""


def fetch_kosis(
    request: KosisRequest,
    *,
    api_key: str | None = None,
    client: httpx.Client | CachedHttp | None = None,
    cache: Path | None = None,
    refresh: bool = False,
    base_url: str | None = None,
) -> KosisTable:
    """Fetch one table (cached on disk) and return it as a tidy frame.

    The key is ``api_key`` or ``$KOSIS_API_KEY``; without one this fails before any request
    with a message saying what to set. An error answer or a malformed body is not kept in the
    cache, so the next call asks again.
    """
    key = api_key or api_key_from_env(KEY_ENV, signup_url=SIGNUP_URL,
                                      service="the KOSIS OpenAPI")
    url = kosis_url(request, base_url or base_url_from_env(URL_ENV, KOSIS_URL))
    http, owned = resolve_http(client, cache)
    try:
        resp = http.get(url, refresh=refresh, secret_params={KEY_PARAM: key})
        try:
            frame, name = parse_kosis(resp.read_bytes(), url, request)
        except (DataFormatError, FetchError):
            http.evict(url)
            raise
    finally:
        if owned:
            http.close()
    return KosisTable(request, frame, name, url, resp.fetched_at, resp.from_cache)


# -- parsing --------------------------------------------------------------------------------


def quote_bare_keys(text: str) -> str:
    """Put quotes around object keys written without them (``{err:"20"}``).

    Strings are matched whole first, so text inside them is never changed; valid JSON comes
    out unchanged.
    """
    return _STRING_OR_BARE_KEY.sub(lambda m: m.group(1) or f'"{m.group(2)}"{m.group(3)}', text)


def lenient_json(data: bytes, url: str) -> Any:
    """Parse a KOSIS body: strict JSON, else JSON once bare keys are quoted (never eval)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFormatError(url, f"body is not UTF-8: {exc}") from None
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return json.loads(quote_bare_keys(text))
    except ValueError as exc:
        raise DataFormatError(url, f"not valid JSON, even with unquoted keys allowed: {exc}") \
            from None


def parse_value(raw: Any, url: str, where: str | Callable[[], str]) -> float:
    """DT as a float: '-' and blank are NaN, other non-numeric text is an error at ``where``
    (a text, or a function making it, called only for an error)."""

    def fail(problem: str) -> DataFormatError:
        place = where() if callable(where) else where
        return DataFormatError(url, f"{place}: DT {raw!r} {problem}", column="DT")

    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise fail("is not a number")
    text = str(raw).strip()
    if text in MISSING_VALUES:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise fail("is not a number (only '-' or blank mean no value)") from None
    if not math.isfinite(value):
        raise fail("is not finite")
    return value


def parse_kosis(
    data: bytes, url: str, request: KosisRequest | None = None
) -> tuple[pd.DataFrame, str]:
    """The tidy frame and TBL_NM of one answer; KosisApiError for an error object."""
    payload = lenient_json(data, url)
    if isinstance(payload, list) and len(payload) == 1 and _is_error(payload[0]):
        payload = payload[0]
    if isinstance(payload, dict):
        if _is_error(payload):
            raise KosisApiError(_text(payload.get("err")), _text(payload.get("errMsg")), url)
        raise DataFormatError(url, f"expected a JSON array of rows, got an object with keys "
                              f"{sorted(payload)[:8]}")
    if not isinstance(payload, list):
        raise DataFormatError(url, f"expected a JSON array of rows, got {type(payload).__name__}")
    if not payload:
        raise FetchError(f"KOSIS returned no rows for {url}")
    for i, row in enumerate(payload, start=1):
        if not isinstance(row, dict):
            raise DataFormatError(url, f"row {i}: expected an object, got {type(row).__name__}")
    levels = [n for n in range(1, MAX_LEVELS + 1) if f"C{n}" in payload[0]]
    records: list[dict[str, Any]] = []
    seen: dict[tuple[str, ...], int] = {}
    for i, row in enumerate(payload, start=1):
        rec = _parse_row(row, i, url, levels, request)
        key = (rec["item"], *(rec[f"c{n}"] for n in levels), rec["period"])
        if key in seen:
            raise DataFormatError(url, f"row {i}: same item, classes and period as row "
                                  f"{seen[key]} ({', '.join(key)})")
        seen[key] = i
        records.append(rec)
    columns = ["org_id", "tbl_id", "period_type", "period", "item", "item_ko", "item_en"]
    for n in levels:
        columns += [f"c{n}", f"c{n}_ko", f"c{n}_en"]
    columns += ["unit_ko", "unit_en", "value", "last_changed"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame["value"] = frame["value"].astype(float)
    return frame, _text(payload[0].get("TBL_NM"))


def _is_error(obj: Any) -> bool:
    return isinstance(obj, dict) and ("err" in obj or "errMsg" in obj)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _parse_row(
    row: dict[str, Any], i: int, url: str, levels: list[int], request: KosisRequest | None
) -> dict[str, Any]:
    for field in ("ITM_ID", "PRD_DE", "DT", *(f"C{n}" for n in levels)):
        if field not in row:
            raise DataFormatError(url, f"row {i}: no {field} field", column=field)
    extra = [f"C{n}" for n in range(1, MAX_LEVELS + 1) if f"C{n}" in row and n not in levels]
    if extra:
        raise DataFormatError(url, f"row {i}: has {extra[0]}, which row 1 has not",
                              column=extra[0])
    period = _text(row["PRD_DE"])
    codes = [_text(row[f"C{n}"]) for n in levels]

    def where() -> str:  # only built for an error: rows can number 40,000
        return f"row {i} (PRD_DE {period}, ITM_ID {_text(row['ITM_ID'])}" + "".join(
            f", C{n} {c}" for n, c in zip(levels, codes, strict=True)) + ")"

    if request is not None:
        for field, want in (("ORG_ID", request.org_id), ("TBL_ID", request.tbl_id)):
            got = _text(row.get(field))
            if got and got != want:
                raise DataFormatError(url, f"{where()}: {field} {got!r}, expected {want!r}",
                                      column=field)
        if len(period) == len(request.start) and not request.start <= period <= request.end:
            raise DataFormatError(url, f"{where()}: period {period} is outside the requested "
                                  f"{request.start}-{request.end}", column="PRD_DE")
    rec: dict[str, Any] = {
        "org_id": _text(row.get("ORG_ID")),
        "tbl_id": _text(row.get("TBL_ID")),
        "period_type": _text(row.get("PRD_SE")),
        "period": period,
        "item": _text(row["ITM_ID"]),
        "item_ko": _text(row.get("ITM_NM")),
        "item_en": _text(row.get("ITM_NM_ENG")),
    }
    for n, code in zip(levels, codes, strict=True):
        rec[f"c{n}"] = code
        rec[f"c{n}_ko"] = _text(row.get(f"C{n}_NM"))
        rec[f"c{n}_en"] = _text(row.get(f"C{n}_NM_ENG"))
    rec["unit_ko"] = _text(row.get("UNIT_NM"))
    rec["unit_en"] = _text(row.get("UNIT_NM_ENG"))
    rec["value"] = parse_value(row["DT"], url, where)
    rec["last_changed"] = _text(row.get("LST_CHN_DE"))
    return rec
