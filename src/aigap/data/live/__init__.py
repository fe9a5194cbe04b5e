"""Live connectors: fetch the mirror's files from their publishers' APIs.

:data:`LIVE_SOURCES` maps a mirror relpath (relative to the data directory) to a fetcher.
:func:`fetch_all` downloads the requested files into ``<cache>/live/<relpath>`` (same layout as
the mirror) and returns :class:`LiveFile` objects; the warehouse then runs the normal parsers on
``LiveFile.path`` and records ``LiveFile.vintage``.

Only OWID grapher charts and World Bank WDI indicators have a live API. Tortoise, the Stanford AI
Index (Google Drive), Epoch, Belfer, Oxford Insights, NSF and the WGI estimates (an xlsx, not in
API v2 according to the mirror's DICCIONARIO.csv) stay mirror-only.

KOSIS (:func:`fetch_kosis`) and KIPRIS Plus (:func:`search_patents`) are queried, not mirrored:
they stand in for no mirror file and back `aigap data kosis` / `aigap data kipris`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

import httpx

from aigap.data.live.http import CachedHttp, CachedResponse, HttpStatusError, LiveFile
from aigap.data.live.kipris import search_patents
from aigap.data.live.kosis import fetch_kosis
from aigap.data.live.owid import fetch_owid
from aigap.data.live.worldbank import fetch_worldbank
from aigap.errors import FetchError

__all__ = [
    "LIVE_SOURCES",
    "MIRROR_ONLY",
    "OWID_CHARTS",
    "WDI_INDICATORS",
    "CachedHttp",
    "CachedResponse",
    "HttpStatusError",
    "LiveFile",
    "fetch_all",
    "fetch_kosis",
    "fetch_owid",
    "fetch_worldbank",
    "mirror_only_reason",
    "search_patents",
]


# slug -> value column title in the mirror file (checked, so a renamed chart fails loudly).
OWID_CHARTS: dict[str, str] = {
    "private-investment-in-artificial-intelligence-cset": "Estimated investment - Field: All",
    # OWID may have withdrawn this chart (a 404 then surfaces as a FetchError naming the URL).
    "artificial-intelligence-patents-submitted-per-million":
        "Patent applications per 1 million people - Field: All",
}

# mirror file stem (DICCIONARIO.csv `variable`) -> WB code (`codigo_wb`), rows with fuente=WDI.
WDI_INDICATORS: dict[str, str] = {
    "gdp_per_capita_ppp": "NY.GDP.PCAP.PP.CD",
    "gdp_current_usd": "NY.GDP.MKTP.CD",
    "gdp_growth_annual_pct": "NY.GDP.MKTP.KD.ZG",
    "inflation_consumer_prices": "FP.CPI.TOTL.ZG",
    "unemployment_rate": "SL.UEM.TOTL.ZS",
    "population": "SP.POP.TOTL",
    "labor_force": "SL.TLF.TOTL.IN",
    "exports_pct_gdp": "NE.EXP.GNFS.ZS",
    "trade_pct_gdp": "NE.TRD.GNFS.ZS",
    "fdi_net_inflows": "BX.KLT.DINV.CD.WD",
    "fdi_pct_gdp": "BX.KLT.DINV.WD.GD.ZS",
    "gross_capital_formation_pct_gdp": "NE.GDI.TOTL.ZS",
    "internet_penetration": "IT.NET.USER.ZS",
    "mobile_subscriptions_per100": "IT.CEL.SETS.P2",
    "fixed_broadband_per100": "IT.NET.BBND.P2",
    "secure_servers_per_1m": "IT.NET.SECR.P6",
    "electric_consumption_kwh_pc": "EG.USE.ELEC.KH.PC",
    "tertiary_education_enrollment": "SE.TER.ENRR",
    "education_expenditure_pct_gdp": "SE.XPD.TOTL.GD.ZS",
    "rd_expenditure_pct_gdp": "GB.XPD.RSDV.GD.ZS",
    "researchers_rd_per_million": "SP.POP.SCIE.RD.P6",
    "patent_applications_residents": "IP.PAT.RESD",
    "high_tech_exports_pct_manufactured": "TX.VAL.TECH.MF.ZS",
    "ict_goods_exports_pct": "TX.VAL.ICTG.ZS.UN",
    "ict_service_exports_pct": "BX.GSR.CCIS.ZS",
}


def _registry() -> dict[str, Callable[..., LiveFile]]:
    reg: dict[str, Callable[..., LiveFile]] = {}
    for slug, column in OWID_CHARTS.items():
        rel = f"raw/owid_cset_ai/{slug}.csv"
        reg[rel] = partial(fetch_owid, slug, value_column=column, relpath=rel)
    for name, code in WDI_INDICATORS.items():
        rel = f"raw/world_bank_wdi/{name}.csv"
        reg[rel] = partial(fetch_worldbank, code, name, relpath=rel)
    return reg


# Each fetcher takes keyword arguments client=, cache=, refresh= and returns a LiveFile.
LIVE_SOURCES: dict[str, Callable[..., LiveFile]] = _registry()

# Mirror folders/files with no live API, and why (used in fetch_all's error message).
MIRROR_ONLY: dict[str, str] = {
    "raw/tortoise_global_ai_index/": "Tortoise Global AI Index (no public API)",
    "raw/stanford_ai_index_2026/": "Stanford AI Index (Google Drive, no API)",
    "raw/stanford_ai_index_2025_derived/": "Stanford AI Index (derived here)",
    "raw/epoch_ai/": "Epoch AI (mirror snapshot)",
    "raw/belfer_ceti_2025/": "Belfer CETI (dashboard copy, no API)",
    "raw/oxford_insights_gairi/": "Oxford Insights (xlsx, no API)",
    "raw/nsf_ncses_ai_articles/": "NSF NCSES (report tables, no API)",
    "asem/": "ASEM (local files)",
}
_WGI = ("control_of_corruption", "government_effectiveness", "political_stability",
        "regulatory_quality", "rule_of_law", "voice_accountability")
for _stem in _WGI:
    for _suffix in ("", "_se"):
        MIRROR_ONLY[f"raw/world_bank_wdi/{_stem}{_suffix}.csv"] = "WGI (xlsx, not in API v2)"


def mirror_only_reason(relpath: str) -> str:
    """Why ``relpath`` cannot be fetched live."""
    for prefix, reason in MIRROR_ONLY.items():
        if relpath == prefix or (prefix.endswith("/") and relpath.startswith(prefix)):
            return reason
    return "no live connector"


def _normalise(relpath: str) -> str:
    rel = relpath.replace("\\", "/")
    while rel.startswith("./"):
        rel = rel[2:]
    return rel


def fetch_all(
    relpaths: Iterable[str],
    progress: Callable[[str, int, int], None] | None = None,
    *,
    client: httpx.Client | CachedHttp | None = None,
    cache: Path | None = None,
    refresh: bool = False,
) -> dict[str, LiveFile]:
    """Fetch every relpath; ``progress(relpath, i, n)`` is called before each (i from 1).

    Raises FetchError listing every relpath without a live source before downloading anything,
    so a pull never stops half way for that reason.
    """
    wanted = list(dict.fromkeys(_normalise(r) for r in relpaths))
    unknown = [r for r in wanted if r not in LIVE_SOURCES]
    if unknown:
        listed = "; ".join(f"{r} ({mirror_only_reason(r)})" for r in unknown)
        raise FetchError(
            f"no live source for {len(unknown)} file(s): {listed}. "
            "Use the local mirror (AIGAP_DATA_DIR) for these."
        )
    http = client if isinstance(client, CachedHttp) else CachedHttp(
        Path(cache) / "http" if cache is not None else None, client=client
    )
    out: dict[str, LiveFile] = {}
    try:
        for i, rel in enumerate(wanted, start=1):
            if progress is not None:
                progress(rel, i, len(wanted))
            out[rel] = LIVE_SOURCES[rel](client=http, cache=cache, refresh=refresh)
    finally:
        if http is not client:
            http.close()
    return out
