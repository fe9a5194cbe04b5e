"""The registry of live sources and fetch_all."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from aigap.data.live import LIVE_SOURCES, MIRROR_ONLY, WDI_INDICATORS, fetch_all
from aigap.data.live.owid import owid_urls
from aigap.data.live.worldbank import worldbank_url
from aigap.errors import FetchError

FIXTURES = Path(__file__).parent / "fixtures"
MIRROR = Path(__file__).resolve().parents[4] / "shared" / "data"
DICTIONARY = MIRROR / "raw" / "world_bank_wdi" / "DICCIONARIO.csv"
OWID_REL = "raw/owid_cset_ai/private-investment-in-artificial-intelligence-cset.csv"
WB_REL = "raw/world_bank_wdi/gdp_current_usd.csv"


def test_registry_holds_owid_and_wdi_files() -> None:
    assert OWID_REL in LIVE_SOURCES
    assert "raw/owid_cset_ai/artificial-intelligence-patents-submitted-per-million.csv" \
        in LIVE_SOURCES
    assert LIVE_SOURCES[WB_REL].args == ("NY.GDP.MKTP.CD", "gdp_current_usd")  # type: ignore[attr-defined]
    assert len(LIVE_SOURCES) == 2 + len(WDI_INDICATORS)
    assert not set(LIVE_SOURCES) & set(MIRROR_ONLY)


@pytest.mark.skipif(not DICTIONARY.is_file(), reason="local mirror not present")
def test_wdi_codes_match_the_mirror_dictionary() -> None:
    with DICTIONARY.open(newline="", encoding="utf-8") as fh:
        entries = list(csv.DictReader(fh))
    wdi = {e["variable"]: e["codigo_wb"] for e in entries if e["fuente"] == "WDI"}
    wgi = [e["variable"] for e in entries if e["fuente"] != "WDI"]
    assert wdi == WDI_INDICATORS
    for name in wgi:
        rel = f"raw/world_bank_wdi/{name}.csv"
        assert rel not in LIVE_SOURCES and rel in MIRROR_ONLY


@pytest.mark.skipif(not MIRROR.is_dir(), reason="local mirror not present")
def test_every_registered_file_exists_in_the_mirror() -> None:
    missing = [rel for rel in LIVE_SOURCES if not (MIRROR / rel).is_file()]
    assert missing == []


def test_fetch_all_refuses_mirror_only_sources_before_any_request(
    tmp_path: Path,
) -> None:
    requests: list[httpx.Request] = []
    client = httpx.Client(transport=httpx.MockTransport(
        lambda r: requests.append(r) or httpx.Response(500)))
    wanted = [WB_REL, "raw/tortoise_global_ai_index/AI_index_db.csv",
              "raw/world_bank_wdi/rule_of_law.csv", "raw/epoch_ai/notable_ai_models.csv",
              "raw/nowhere/x.csv"]
    with pytest.raises(FetchError) as exc:
        fetch_all(wanted, client=client, cache=tmp_path)
    msg = str(exc.value)
    for rel in wanted[1:]:
        assert rel in msg
    assert WB_REL not in msg
    assert "Tortoise" in msg and "WGI" in msg and "no live connector" in msg
    assert requests == []


def test_fetch_all_fetches_and_reports_progress(router: Any, wb: Any, tmp_path: Path) -> None:
    slug = "private-investment-in-artificial-intelligence-cset"
    csv_url, meta_url = owid_urls(slug)
    router.add(csv_url, httpx.Response(
        200, content=(FIXTURES / "owid" / f"{slug}.csv").read_bytes()))
    router.add(meta_url, httpx.Response(
        200, content=(FIXTURES / "owid" / f"{slug}.metadata.json").read_bytes()))
    router.add(
        worldbank_url("NY.GDP.MKTP.CD", page=1),
        wb.page([wb.item("KOR", 2023, 1.0, "Korea, Rep.")], page=1, pages=1, total=1),
    )
    seen: list[tuple[str, int, int]] = []
    out = fetch_all([OWID_REL, f"./{WB_REL}", OWID_REL], lambda *a: seen.append(a),
                    client=router.client(), cache=tmp_path)
    assert list(out) == [OWID_REL, WB_REL]
    assert seen == [(OWID_REL, 1, 2), (WB_REL, 2, 2)]
    assert out[OWID_REL].path == tmp_path / "live" / OWID_REL
    assert out[WB_REL].path == tmp_path / "live" / WB_REL
    assert out[WB_REL].vintage == "2026-04-08" and out[OWID_REL].vintage == "2024-11-18"
    side = json.loads((tmp_path / "live" / (WB_REL + ".live.json")).read_text())
    assert side["relpath"] == WB_REL
