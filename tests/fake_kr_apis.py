"""Fake KOSIS OpenAPI and KIPRIS Plus servers on 127.0.0.1 for the connector and CLI tests.

They answer in the published formats (KOSIS: JSON rows, error objects with unquoted keys;
KIPRIS Plus: XML with header/successYN, body/items, count/totalCount, bibliographies), check
the key and filter and page the way the real services do, so the connectors are tested over a
real socket end to end. ``script`` replies (a 503, a Retry-After, a broken body) are served
first, one per request, before the normal answers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from aigap.data.live.http import CachedHttp

Reply = tuple[int, dict[str, str], bytes]

KOSIS_KEY = "kosis-test-key/with+chars="
KIPRIS_KEY = "kipris-test-key/with+chars="
KOSIS_PATH = "/openapi/Param/statisticsParameterData.do"
KIPRIS_PATH = "/kipo-api/kipi/patUtiModInfoSearchSevice"


class FakeServer:
    """A threaded HTTP server; ``answer(path, params)`` gives each reply unless scripted."""

    def __init__(self, answer: Callable[[str, dict[str, str]], Reply]) -> None:
        self.answer = answer
        self.hits: list[tuple[str, dict[str, str]]] = []
        self.script: list[Reply] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            # Buffered, so head and body leave in one segment (no Nagle/delayed-ACK stall).
            wbufsize = -1

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True)
                          .items()}
                outer.hits.append((parts.path, params))
                status, headers, body = (outer.script.pop(0) if outer.script
                                         else outer.answer(parts.path, params))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.root = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def params(self, i: int = -1) -> dict[str, str]:
        return self.hits[i][1]


def http(tmp_path: Path, sleeps: list[float] | None = None, **kw: Any) -> CachedHttp:
    """A CachedHttp under ``tmp_path`` that records back-off delays instead of sleeping."""
    record = sleeps.append if sleeps is not None else (lambda _s: None)
    return CachedHttp(tmp_path / "cache" / "http", sleep=record, **kw)


@contextmanager
def running(server: FakeServer) -> Iterator[FakeServer]:
    server.start()
    try:
        yield server
    finally:
        if server.thread.is_alive():
            server.stop()


# -- KOSIS ----------------------------------------------------------------------------------


def dumps_bare(obj: Any) -> str:
    """JSON with object keys left unquoted, as KOSIS writes it."""
    if isinstance(obj, dict):
        return "{" + ",".join(f"{k}:{dumps_bare(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, list):
        return "[" + ",".join(dumps_bare(v) for v in obj) + "]"
    return json.dumps(obj, ensure_ascii=False)


def kosis_row(period: str, item: str, c1: str, value: str, **extra: str) -> dict[str, str]:
    """One row of the ICT exports table (org 127) the way KOSIS sends it."""
    items = {"T001": ("수출액", "Exports"), "T002": ("수입액", "Imports")}
    classes = {"A01": ("정보통신방송기기", "ICT equipment"), "A0201": ("반도체", "Semiconductors"),
               "A0202": ("디스플레이", "Displays")}
    row = {
        "ORG_ID": "127", "TBL_ID": "DT_127005_005", "TBL_NM": "ICT 수출 및 수입액",
        "C1": c1, "C1_NM": classes[c1][0], "C1_NM_ENG": classes[c1][1],
        "C1_OBJ_NM": "품목별", "C1_OBJ_NM_ENG": "By item",
        "ITM_ID": item, "ITM_NM": items[item][0], "ITM_NM_ENG": items[item][1],
        "UNIT_NM": "백만달러", "UNIT_NM_ENG": "Million US$",
        "PRD_SE": "Y", "PRD_DE": period, "DT": value, "LST_CHN_DE": "2025-03-28",
    }
    row.update(extra)
    return row


def kosis_table() -> list[dict[str, str]]:
    """Illustrative numbers (not KOSIS's): 2 items x 3 classes x 2015-2024, a '-' gap."""
    rows = []
    for year in range(2015, 2025):
        for item, scale in (("T001", 1.0), ("T002", 0.55)):
            for c1, base in (("A01", 174_000.0), ("A0201", 62_900.0), ("A0202", 28_300.0)):
                value = round(base * scale * (1 + 0.04 * (year - 2015)), 1)
                text = "-" if (year, item, c1) == (2016, "T002", "A0202") else f"{value}"
                rows.append(kosis_row(str(year), item, c1, text))
    return rows


@dataclass
class FakeKosis:
    """``statisticsParameterData.do`` over one table; ``unquoted`` drops the key quotes."""

    rows: list[dict[str, str]] = field(default_factory=kosis_table)
    unquoted: bool = False
    key: str = KOSIS_KEY

    def answer(self, path: str, p: dict[str, str]) -> Reply:
        if path != KOSIS_PATH:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        if not p.get("apiKey"):
            return self._error("10", "인증KEY가 누락되었습니다.")
        if p["apiKey"] != self.key:
            return self._error("11", "인증KEY의 기간이 만료되었습니다.")
        if p.get("method") != "getList" or not all(p.get(k) for k in
                                                   ("orgId", "tblId", "itmId", "objL1", "prdSe")):
            return self._error("20", "필수요청변수값이 누락되었습니다.")
        items = set(p["itmId"].split())
        classes = set(p["objL1"].split())
        out = [r for r in self.rows
               if r["ORG_ID"] == p["orgId"] and r["TBL_ID"] == p["tblId"]
               and ("ALL" in items or r["ITM_ID"] in items)
               and ("ALL" in classes or r["C1"] in classes)
               and p.get("startPrdDe", "") <= r["PRD_DE"] <= p.get("endPrdDe", "9999")]
        if not out:
            return self._error("30", "데이터가 존재하지 않습니다.")
        body = dumps_bare(out) if self.unquoted or p.get("jsonVD") != "Y" else \
            json.dumps(out, ensure_ascii=False)
        return 200, {"Content-Type": "application/json;charset=UTF-8"}, body.encode()

    @staticmethod
    def _error(code: str, message: str) -> Reply:
        # KOSIS sends its error objects with unquoted keys and HTTP 200.
        body = dumps_bare({"err": code, "errMsg": message})
        return 200, {"Content-Type": "application/json;charset=UTF-8"}, body.encode()


# -- KIPRIS Plus ----------------------------------------------------------------------------

# (applicant name, country as the bibliography writes it) of the synthetic applications.
APPLICANTS = [
    ("삼성전자주식회사", "대한민국"), ("엘지전자 주식회사", "대한민국"),
    ("네이버 주식회사", "대한민국"), ("한국전자통신연구원", "대한민국"),
    ("구글 엘엘씨", "미국"), ("마이크로소프트 테크놀로지 라이센싱, 엘엘씨", "미국"),
    ("화웨이 테크놀러지 컴퍼니 리미티드", "중국"), ("소니 그룹 주식회사", "일본"),
]


@dataclass(frozen=True)
class Patent:
    number: str
    date: str  # YYYYMMDD
    applicant: str
    country: str  # as KIPRIS writes it in the bibliography
    ipc: str = "G06N 3/08|G06F 17/16"


def make_patents(n: int, first_year: int = 2015, last_year: int = 2024) -> list[Patent]:
    """``n`` synthetic G06N applications spread over the years, applicants in a fixed cycle."""
    years = last_year - first_year + 1
    out = []
    for i in range(n):
        year = first_year + i % years
        name, country = APPLICANTS[(i // years) % len(APPLICANTS)]
        date = f"{year}{1 + i % 12:02d}{1 + i % 28:02d}"
        out.append(Patent(f"10{year}{i:07d}", date, name, country))
    return sorted(out, key=lambda p: (p.date, p.number))


def _xml(header: tuple[str, str, str], body: str, count: str = "", *,
         count_in_body: bool = False) -> bytes:
    ok, code, msg = header
    head = (f"<header><requestMsgID/><responseTime>2026-11-20 10:00:00.000</responseTime>"
            f"<responseMsgID/><successYN>{ok}</successYN><resultCode>{code}</resultCode>"
            f"<resultMsg>{escape(msg)}</resultMsg></header>")
    if count_in_body:
        return f'<?xml version="1.0" encoding="UTF-8"?><response>{head}<body>{body}{count}' \
               "</body></response>".encode()
    return f'<?xml version="1.0" encoding="UTF-8"?><response>{head}<body>{body}</body>{count}' \
           "</response>".encode()


def kipris_error(code: str, message: str) -> Reply:
    return 200, {"Content-Type": "text/xml;charset=UTF-8"}, _xml(("N", code, message), "")


@dataclass
class FakeKipris:
    """``getAdvancedSearch`` (filter by IPC and date range, page) and the bibliography."""

    patents: list[Patent] = field(default_factory=lambda: make_patents(1100))
    key: str = KIPRIS_KEY
    count_in_body: bool = False
    ignore_page: bool = False  # a broken server that always serves page 1

    def answer(self, path: str, p: dict[str, str]) -> Reply:
        if p.get("ServiceKey") != self.key:
            return kipris_error("30", "SERVICE KEY IS NOT REGISTERED ERROR.")
        if path == f"{KIPRIS_PATH}/getAdvancedSearch":
            return self._search(p)
        if path == f"{KIPRIS_PATH}/getBibliographyDetailInfoSearch":
            return self._detail(p)
        return 404, {"Content-Type": "text/plain"}, b"not found"

    def _search(self, p: dict[str, str]) -> Reply:
        known = {"ServiceKey", "ipcNumber", "applicationDate", "patent", "utility", "sortSpec",
                 "descSort", "numOfRows", "pageNo"}
        if set(p) - known:
            return kipris_error("10", "INVALID REQUEST PARAMETER ERROR.")
        ipc = p.get("ipcNumber", "").replace(" ", "")
        start, _, end = p.get("applicationDate", "~").partition("~")
        rows = min(int(p.get("numOfRows", "10")), 500)
        page = 1 if self.ignore_page else int(p.get("pageNo", "1"))
        hits = [x for x in self.patents if any(c.replace(" ", "").startswith(ipc)
                                              for c in x.ipc.split("|"))
                and (not start or start <= x.date <= end)]
        chunk = hits[(page - 1) * rows: page * rows]
        items = "".join(
            f"<item><indexNo>{(page - 1) * rows + i + 1}</indexNo><registerStatus>등록"
            f"</registerStatus><inventionTitle>신경망 학습 방법 {x.number}</inventionTitle>"
            f"<ipcNumber>{x.ipc}</ipcNumber><registerNumber/><registerDate/>"
            f"<applicationNumber>{x.number}</applicationNumber>"
            f"<applicationDate>{x.date}</applicationDate><openNumber/><openDate/>"
            f"<publicationNumber/><publicationDate/><astrtCont>요약</astrtCont>"
            f"<drawing/><bigDrawing/><applicantName>{escape(x.applicant)}</applicantName></item>"
            for i, x in enumerate(chunk))
        count = (f"<count><numOfRows>{rows}</numOfRows><pageNo>{page}</pageNo>"
                 f"<totalCount>{len(hits)}</totalCount></count>")
        body = _xml(("Y", "00", "NORMAL SERVICE."), f"<items>{items}</items>", count,
                    count_in_body=self.count_in_body)
        return 200, {"Content-Type": "text/xml;charset=UTF-8"}, body

    def _detail(self, p: dict[str, str]) -> Reply:
        number = p.get("applicationNumber", "")
        found = [x for x in self.patents if x.number == number]
        if not found:
            return 200, {"Content-Type": "text/xml;charset=UTF-8"}, \
                _xml(("Y", "00", "NORMAL SERVICE."), "")
        x = found[0]
        # A co-applicant from elsewhere: only the first-named applicant counts.
        item = (
            "<item><biblioSummaryInfoArray><biblioSummaryInfo>"
            f"<applicationDate>{x.date}</applicationDate>"
            f"<applicationNumber>{x.number}</applicationNumber>"
            "<inventionTitle>신경망 학습 방법</inventionTitle></biblioSummaryInfo>"
            "</biblioSummaryInfoArray><ipcInfoArray><ipcInfo><ipcDate>2019.01.01</ipcDate>"
            "<ipcNumber>G06N 3/08</ipcNumber></ipcInfo></ipcInfoArray>"
            "<applicantInfoArray>"
            f"<applicantInfo><address>..</address><code>119980045698</code>"
            f"<country>{x.country}</country><engName>APPLICANT</engName>"
            f"<name>{escape(x.applicant)}</name></applicantInfo>"
            "<applicantInfo><address>..</address><code>520000000001</code>"
            "<country>독일</country><engName>CO-APPLICANT</engName><name>공동출원인</name>"
            "</applicantInfo></applicantInfoArray></item>"
        )
        return 200, {"Content-Type": "text/xml;charset=UTF-8"}, \
            _xml(("Y", "00", "NORMAL SERVICE."), item)
