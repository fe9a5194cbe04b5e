"""Epoch AI's Frontier AI Data Centers (``raw/epoch_ai_2025_12/data_centers``), late 2025.

**Sites** (``data_centers.csv``, 17 rows): one row per frontier data centre, with a street
address, coordinates in degrees-minutes-seconds, owner, users, investors and Epoch's
*current* H100 equivalents, power (MW) and total capital cost (2025 US$ bn). The file has no
country column. The country comes from the **address**: its last component that is not a
postcode, read as a US state (name or USPS code, optionally with a ZIP code: ``LA 71269``,
``Mississippi Madison County``) or as a country name (country_converter). The coordinates are
the check: they must lie in the country's bounding box (:data:`BOUNDING_BOXES`, with a
half-degree margin), else the file is rejected naming the row. A country without a box in
that table is kept with ``coordinates_checked`` false; an address whose last component is
neither a state nor a country is kept with ``iso3`` NULL and counted (nothing is guessed).

**Timelines** (``data_center_timelines.csv``): dated construction milestones per site (status
text, power, H100 equivalents, buildings operational, capital, compute and construction cost,
areas, water use). Rows dated after the snapshot are Epoch's projections (``projected``).

Indicators (per country; tracked *frontier* data centres only, Epoch's selection of the
largest AI sites, so a country absent has "none tracked", never zero):

- the snapshot year (2025) is Epoch's published *current* state (``data_centers.csv``);
- earlier years are the state at 31 December from the timelines (each site's latest
  milestone by then; a site enters once its first milestone is dated);
- the timeline state at the snapshot equals the current columns for every site (tested), so
  the two parts join into one series;
- ``frontier_dc_h100e_projected`` (snapshot year only): the H100 equivalents of each site's
  last milestone (projections up to 2029), summed per country.

**Not loaded: chillers and cooling towers** (``data_center_chillers.csv``,
``data_center_cooling_towers.csv``). They are equipment catalogues: one row per product model
of a manufacturer (cooling capacity, fans, dimensions, the product page), which Epoch uses to
estimate a site's cooling (and so power) from satellite images. They name no site and no
country and hold no fact about a country's AI capacity; the power estimates they feed are
already in the site and timeline columns. They would be a reference table with nothing to
join to, so the warehouse leaves them out (they stay in the mirror).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from aigap.data.countries import name_to_iso3
from aigap.data.sources.aiindex2026 import finish
from aigap.data.sources.base import (
    Dataset,
    Indicator,
    RecordColumn,
    RecordSource,
    RecordTable,
    check_non_negative,
    raise_first,
    read_csv_checked,
    tidy,
)
from aigap.data.sources.epoch2025 import DIR, LICENCE, PUBLISHER, _dates
from aigap.errors import DataFormatError

SITES_FILE = "data_centers/data_centers.csv"
TIMELINES_FILE = "data_centers/data_center_timelines.csv"
VINTAGE = "Epoch AI Frontier AI Data Centers, ~30 Nov 2025"
# The date of Epoch's "current" columns: the latest milestone before it matches them for
# every site (tests/data/sources/test_epoch_datacenters.py).
SNAPSHOT = pd.Timestamp("2025-11-30")

# (min latitude, max latitude, min longitude, max longitude), rounded outwards from Natural
# Earth's country extents; France and the Netherlands without overseas territories.
BOUNDING_BOXES: dict[str, tuple[float, float, float, float]] = {
    "USA": (18.9, 71.4, -179.2, -66.9), "CAN": (41.7, 83.1, -141.0, -52.6),
    "MEX": (14.5, 32.7, -118.4, -86.7), "BRA": (-33.8, 5.3, -74.0, -34.7),
    "CHL": (-56.0, -17.5, -75.7, -66.4), "CHN": (18.2, 53.6, 73.5, 134.8),
    "KOR": (33.1, 38.6, 124.6, 131.9), "JPN": (20.4, 45.6, 122.9, 154.0),
    "TWN": (21.9, 26.4, 118.1, 122.1), "SGP": (1.15, 1.48, 103.6, 104.1),
    "MYS": (0.8, 7.4, 99.6, 119.3), "IDN": (-11.0, 6.1, 95.0, 141.0),
    "IND": (6.7, 35.7, 68.1, 97.4), "AUS": (-43.7, -10.6, 112.9, 153.7),
    "ARE": (22.6, 26.1, 51.5, 56.4), "SAU": (16.3, 32.2, 34.5, 55.7),
    "QAT": (24.4, 26.2, 50.7, 51.7), "ISR": (29.4, 33.4, 34.2, 35.9),
    "GBR": (49.8, 60.9, -8.7, 1.8), "IRL": (51.4, 55.4, -10.7, -5.9),
    "FRA": (41.3, 51.1, -5.2, 9.6), "DEU": (47.2, 55.1, 5.8, 15.1),
    "NLD": (50.7, 53.6, 3.3, 7.3), "ESP": (27.6, 43.8, -18.2, 4.4),
    "ITA": (35.5, 47.1, 6.6, 18.6), "SWE": (55.3, 69.1, 11.0, 24.2),
    "NOR": (57.9, 71.2, 4.6, 31.1), "FIN": (59.8, 70.1, 20.5, 31.6),
}
MARGIN = 0.5  # degrees: coordinates on a coast or border stay inside

SITE_NUMERIC = {"Current H100 equivalents": "h100_equivalents",
                "Current power (MW)": "power_mw",
                "Current total capital cost (2025 USD billions)": "capital_cost_usd_bn"}
SITE_TEXT = {"Handle": "handle", "Title": "title", "Project": "project", "Address": "address",
             "Owner": "owner", "Users": "users", "Investors": "investors",
             "Construction companies": "construction_companies",
             "Energy companies": "energy_companies"}
COORDS = {"Latitude": "latitude", "Longitude": "longitude"}

TIMELINE_NUMERIC = {
    "Power (MW)": "power_mw", "H100 equivalents": "h100_equivalents",
    "Buildings operational": "buildings_operational",
    "Total capital cost (2025 USD billions)": "capital_cost_usd_bn",
    "Compute cost (2025 USD billions)": "compute_cost_usd_bn",
    "Construction cost (2025 USD billions)": "construction_cost_usd_bn",
    "Building area (square feet)": "building_area_sqft", "Site area (square feet)":
    "site_area_sqft", "Water use (MGD)": "water_use_mgd",
    "Performance (8-bit OP/s)": "performance_int8_ops",
}

SITES_TABLE = RecordTable(
    name="data_centers",
    description="Epoch AI frontier AI data centres, one row per site (current state).",
    columns=(
        RecordColumn("handle", "VARCHAR", "Epoch's site name (links the timelines)"),
        RecordColumn("title", "VARCHAR", "display name"),
        RecordColumn("project", "VARCHAR", "project, with Epoch's confidence tag"),
        RecordColumn("address", "VARCHAR", "street address as published"),
        RecordColumn("latitude", "DOUBLE", "decimal degrees (north positive)"),
        RecordColumn("longitude", "DOUBLE", "decimal degrees (east positive)"),
        RecordColumn("iso3", "VARCHAR", "country, from the address (NULL: not resolved)"),
        RecordColumn("country_from", "VARCHAR", "the address part the country was read from"),
        RecordColumn("coordinates_checked", "BOOLEAN", "the coordinates lie in the country's "
                     "bounding box (false: no box for the country, not checked)"),
        RecordColumn("owner", "VARCHAR", "owner(s), with confidence tags"),
        RecordColumn("users", "VARCHAR", "users (e.g. the AI lab), with confidence tags"),
        RecordColumn("investors", "VARCHAR", "investors"),
        RecordColumn("construction_companies", "VARCHAR", "construction companies"),
        RecordColumn("energy_companies", "VARCHAR", "energy companies"),
        RecordColumn("h100_equivalents", "DOUBLE", "current H100 equivalents"),
        RecordColumn("power_mw", "DOUBLE", "current power, MW"),
        RecordColumn("capital_cost_usd_bn", "DOUBLE", "current total capital cost, 2025 US$ "
                     "billions"),
    ),
)

TIMELINES_TABLE = RecordTable(
    name="data_center_timelines",
    description="Epoch AI frontier AI data centres: dated construction milestones per site "
    "(rows after the snapshot are Epoch's projections).",
    columns=(
        RecordColumn("date", "DATE", "milestone date"),
        RecordColumn("handle", "VARCHAR", "site (data_centers.handle)"),
        RecordColumn("iso3", "VARCHAR", "country of the site (from its address)"),
        RecordColumn("construction_status", "VARCHAR", "what happened, as published"),
        *(RecordColumn(new, "DOUBLE", old) for old, new in TIMELINE_NUMERIC.items()),
        RecordColumn("projected", "BOOLEAN", f"dated after the snapshot ({SNAPSHOT.date()}): "
                     "Epoch's projection"),
    ),
)


# --- where a site is ---------------------------------------------------------------------
@cache
def us_states() -> dict[str, str]:
    """US state (and DC) names and USPS codes, lower-case -> ISO 3166-2 code (pycountry)."""
    import pycountry

    out: dict[str, str] = {}
    for sub in pycountry.subdivisions.get(country_code="US"):
        if sub.type in ("State", "District"):  # not Puerto Rico, Guam ...: own ISO3 codes
            out[sub.name.lower()] = sub.code
            out[sub.code.split("-")[1].lower()] = sub.code
    return out


_POSTCODE = re.compile(r"[\d\s-]+")
_STATE_CODE = re.compile(r"([A-Za-z]{2})(?:\s+\d{5}(?:-\d{4})?)?")


def address_country(address: str) -> tuple[str | None, str]:
    """(ISO3 or None, the part it was read from) for a postal address.

    The last comma-separated part that is not a postcode is read: a US state name or USPS
    code (with or without ZIP code, or followed by a county: ``Mississippi Madison County``)
    gives USA; otherwise the part must be a country name.
    """
    parts = [p.strip() for p in address.split(",") if p.strip()]
    parts = [p for p in parts if not _POSTCODE.fullmatch(p)]
    if not parts:
        return None, ""
    last = parts[-1]
    states = us_states()
    m = _STATE_CODE.fullmatch(last)
    if m and m.group(1).lower() in states:
        return "USA", last
    words = last.lower().split()
    # longest state name the part starts with ("new mexico ..." before "new ...")
    for n in range(min(len(words), 4), 0, -1):
        if " ".join(words[:n]) in states and (n > 1 or len(words[0]) > 2):
            return "USA", last
    code = name_to_iso3(last)
    return (code or None), last


_DMS = re.compile(r"""(\d+(?:\.\d+)?)\s*°\s*(?:(\d+(?:\.\d+)?)\s*['′]\s*)?"""
                  r"""(?:(\d+(?:\.\d+)?)\s*(?:"|″|''))?\s*([NSEW])""")


def parse_coordinate(text: str, axis: str) -> float:
    """Degrees-minutes-seconds with a hemisphere (``32°35'25"N``) or decimal degrees, as
    signed decimal degrees; NaN when blank. Raises ValueError naming the problem."""
    s = text.strip()
    if not s:
        return float("nan")
    m = _DMS.fullmatch(s)
    if m:
        deg, mins, secs, hemi = m.groups()
        ok = "NS" if axis == "latitude" else "EW"
        if hemi not in ok:
            raise ValueError(f"{s!r}: hemisphere {hemi} is not one of {'/'.join(ok)}")
        value = float(deg) + float(mins or 0) / 60 + float(secs or 0) / 3600
        if float(mins or 0) >= 60 or float(secs or 0) >= 60:
            raise ValueError(f"{s!r}: minutes and seconds must be below 60")
        value = -value if hemi in "SW" else value
    else:
        try:
            value = float(s)
        except ValueError:
            raise ValueError(f"{s!r} is not a coordinate (e.g. 32°35'25\"N or 32.59)") \
                from None
    limit = 90 if axis == "latitude" else 180
    if not -limit <= value <= limit:
        raise ValueError(f"{s!r}: {axis} must lie within ±{limit}°")
    return value


def in_box(iso3: str, lat: float, lon: float) -> bool | None:
    """Whether a point lies in the country's bounding box (None: no box for the country)."""
    box = BOUNDING_BOXES.get(iso3)
    if box is None:
        return None
    lat0, lat1, lon0, lon1 = box
    return (lat0 - MARGIN <= lat <= lat1 + MARGIN) and (lon0 - MARGIN <= lon <= lon1 + MARGIN)


# --- readers -------------------------------------------------------------------------------
def read_sites(path: Path) -> pd.DataFrame:
    """The data-centre sites, checked, with the country of each from its address."""
    path = Path(path)
    df = read_csv_checked(path, [*SITE_TEXT, *COORDS], numeric=SITE_NUMERIC)
    out = pd.DataFrame({new: df[old].str.strip() for old, new in SITE_TEXT.items()},
                       index=df.index)
    raise_first(out["handle"].duplicated(keep=False) | out["handle"].eq(""), df["_row"],
                path, lambda i: f"site name {out['handle'].iloc[i]!r} is blank or not unique",
                "Handle")
    for old, new in COORDS.items():
        vals = []
        for text, row in zip(df[old], df["_row"], strict=True):
            try:
                vals.append(parse_coordinate(text, new))
            except ValueError as exc:
                raise DataFormatError(path, str(exc), row=int(row), column=old) from None
        out[new] = vals
    for old, new in SITE_NUMERIC.items():
        out[new] = df[old]
    check_non_negative(out, SITE_NUMERIC.values(), df["_row"], path)
    iso, part, checked = [], [], []
    for addr, lat, lon, row in zip(out["address"], out["latitude"], out["longitude"],
                                   df["_row"], strict=True):
        code, where = address_country(addr)
        ok = in_box(code, lat, lon) if code and not (np.isnan(lat) or np.isnan(lon)) else None
        if ok is False:
            raise DataFormatError(
                path, f"the address says {code} ({where!r}) but the coordinates {lat:.4f}, "
                f"{lon:.4f} lie outside its bounding box; correct the address or the "
                "coordinates", row=int(row), column="Address")
        iso.append(code)
        part.append(where or None)
        checked.append(bool(ok))
    out["iso3"], out["country_from"], out["coordinates_checked"] = iso, part, checked
    out["_row"] = df["_row"]
    return out


def unresolved(sites: pd.DataFrame) -> pd.DataFrame:
    """Sites whose country could not be read from the address (kept with iso3 NULL)."""
    return sites.loc[sites["iso3"].isna(), ["handle", "address", "_row"]]


def read_timelines(path: Path) -> pd.DataFrame:
    """Milestones of every site, checked, with the site's country (read from the sites file
    beside the timelines)."""
    path = Path(path)
    sites = read_sites(path.parent / Path(SITES_FILE).name)
    df = read_csv_checked(path, ["Date", "Data center", "Construction status"],
                          numeric=TIMELINE_NUMERIC)
    out = pd.DataFrame({"date": _dates(df, "Date", path),
                        "handle": df["Data center"].str.strip(),
                        "construction_status": df["Construction status"].str.strip()},
                       index=df.index)
    raise_first(out["date"].isna(), df["_row"], path, "milestone without a date", "Date")
    country = sites.set_index("handle")["iso3"]
    raise_first(~out["handle"].isin(country.index), df["_row"], path,
                lambda i: f"site {out['handle'].iloc[i]!r} is not in {Path(SITES_FILE).name}",
                "Data center")
    for old, new in TIMELINE_NUMERIC.items():
        out[new] = df[old]
    check_non_negative(out, TIMELINE_NUMERIC.values(), df["_row"], path)
    out["iso3"] = out["handle"].map(country)
    out["projected"] = out["date"] > SNAPSHOT
    out["_row"] = df["_row"]
    return out


# --- indicators ----------------------------------------------------------------------------
_SCOPE = (" Tracked frontier AI data centres only (Epoch AI's selection of the largest AI "
          "sites: 17 in late 2025); a country without one is 'none tracked', not zero. "
          "Country from the site's address, checked against its coordinates. 2025 = Epoch's "
          f"current state (~{SNAPSHOT.date()}); earlier years = the timeline at 31 December.")


def _dc_ind(code: str, en: str, ko: str, unit: str, desc: str,
            scope: str = _SCOPE) -> Indicator:
    return Indicator(code=code, name_en=en, name_ko=ko, pillar="Infrastructure & Compute",
                     direction=1, unit=unit, licence=LICENCE, description=desc + scope)


DC_INDICATORS = {
    "sites": _dc_ind("frontier_dc_sites", "Frontier AI data centres tracked",
                     "추적 대상 프런티어 AI 데이터센터 수", "count",
                     "Number of the country's frontier AI data centres (under construction "
                     "or operating)."),
    "h100_equivalents": _dc_ind(
        "frontier_dc_h100e", "Frontier AI data centre compute (H100 equivalents)",
        "프런티어 AI 데이터센터 연산 용량(H100 환산)", "H100 equivalents",
        "Sum of the H100-equivalent compute installed in the country's frontier AI data "
        "centres."),
    "power_mw": _dc_ind("frontier_dc_power_mw", "Frontier AI data centre power (MW)",
                        "프런티어 AI 데이터센터 전력 용량(MW)", "MW",
                        "Sum of the power capacity of the country's frontier AI data centres."),
    "capital_cost_usd_bn": _dc_ind(
        "frontier_dc_capex", "Frontier AI data centre capital cost (2025 US$ bn)",
        "프런티어 AI 데이터센터 총 자본비용(2025년 불변 10억 달러)",
        "billion US$ (constant 2025)",
        "Total capital cost (compute and construction) of the country's frontier AI data "
        "centres so far, in billions of 2025 US dollars (Epoch's estimate)."),
}
PROJECTED = _dc_ind(
    "frontier_dc_h100e_projected", "Frontier AI data centre compute, projected build-out "
    "(H100 equivalents)", "프런티어 AI 데이터센터 예상 연산 용량(H100 환산, 완공 기준)",
    "H100 equivalents",
    "Sum over the country's frontier AI data centres of the H100 equivalents at each site's "
    "last milestone in Epoch's timeline (projections to 2029 at most), in the snapshot year "
    "only.", scope=" Tracked frontier AI data centres only; country from the site's "
    "address. A projection by Epoch AI, not an observation.")


def _country_sums(frame: pd.DataFrame, year: pd.Series | int) -> pd.DataFrame:
    """Per country (and year): site count and the sums of the measure columns."""
    frame = frame[frame["iso3"].notna()].assign(year=year)
    g = frame.groupby(["iso3", "year"])
    out = g[list(DC_INDICATORS)[1:]].sum(min_count=1)
    out["sites"] = g.size().astype(float)
    out["_row"] = g["_row"].min()
    return out.reset_index()


def _tidy_wide(tab: pd.DataFrame, indicators: dict[str, Indicator], note: str
               ) -> list[pd.DataFrame]:
    return [tidy(tab, indicator=ind.code, iso3=tab["iso3"], year=tab["year"],
                 value=tab[key].astype(float), unit=ind.unit, note=note)
            for key, ind in indicators.items()]


def derive_sites(sites: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The snapshot year: Epoch's current state per country."""
    tab = _country_sums(sites, SNAPSHOT.year)
    return finish(pd.concat(_tidy_wide(tab, DC_INDICATORS, f"Epoch's current state "
                                       f"(~{SNAPSHOT.date()})"), ignore_index=True), path)


def timeline_state(lines: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    """Each site's latest milestone dated on or before ``at``."""
    done = lines[lines["date"] <= at].sort_values(["date", "_row"])
    return done.groupby("handle", sort=False).tail(1)


def derive_timelines(lines: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Year-end state for the years before the snapshot year, and the projected build-out."""
    parts = []
    for year in range(int(lines["date"].dt.year.min()), SNAPSHOT.year):
        state = timeline_state(lines, pd.Timestamp(f"{year}-12-31"))
        if len(state):
            parts.append(_country_sums(state, year))
    tidied = _tidy_wide(pd.concat(parts, ignore_index=True), DC_INDICATORS,
                        "timeline state at 31 December") if parts else []
    last = lines.sort_values(["date", "_row"]).groupby("handle", sort=False).tail(1)
    last = last[last["iso3"].notna()]
    proj = last.groupby("iso3").agg(value=("h100_equivalents", "sum"), _row=("_row", "min"))
    proj = proj.reset_index().assign(year=SNAPSHOT.year)
    tidied.append(tidy(proj, indicator=PROJECTED.code, iso3=proj["iso3"], year=proj["year"],
                       value=proj["value"], unit=PROJECTED.unit,
                       note="Epoch's projection: each site's last milestone"))
    return finish(pd.concat(tidied, ignore_index=True), path)


SITES = RecordSource(SITES_TABLE, read_sites, derive_sites)
TIMELINES = RecordSource(TIMELINES_TABLE, read_timelines, derive_timelines)

DATASETS: list[Dataset] = [
    Dataset(
        id="epoch_2025_12_data_centers", publisher=f"{PUBLISHER}, Frontier AI Data Centers",
        relpath=f"{DIR}/{SITES_FILE}", licence=LICENCE, vintage=VINTAGE,
        parse=SITES.parse, records=SITES, vintage_inferred=True,
        description="Epoch AI frontier AI data centres (17 sites), kept as records (table "
        "data_centers, country from the address checked against the coordinates); per "
        "country in 2025: sites, H100 equivalents, power, capital cost.",
        indicators=tuple(DC_INDICATORS.values())),
    Dataset(
        id="epoch_2025_12_data_center_timelines",
        publisher=f"{PUBLISHER}, Frontier AI Data Centers",
        relpath=f"{DIR}/{TIMELINES_FILE}", licence=LICENCE, vintage=VINTAGE,
        parse=TIMELINES.parse, records=TIMELINES, vintage_inferred=True,
        extra_files=(f"{DIR}/{SITES_FILE}",),
        description="Epoch AI data-centre timelines (dated milestones per site), kept as "
        "records (table data_center_timelines); per country: the year-end state before 2025 "
        "and the projected build-out.",
        indicators=(*DC_INDICATORS.values(), PROJECTED)),
]
