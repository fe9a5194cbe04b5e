"""What a shareable report may carry from each source: its licence read as a redistribution
rule, and the provenance flags a reader must see (draft, unverified, inferred vintage).

The rule (one home; the report's licence box and ``aigap report --redistributable-only`` use it):

* ``forbidden`` — "all rights reserved" (Tortoise): the data may be analysed internally with
  attribution but not redistributed; ``--redistributable-only`` leaves it out.
* ``unchanged`` — CC BY-ND: figures and charts may be shown as published, with attribution, but
  not adapted; kept.
* ``non_commercial`` — CC BY-NC anywhere in the chain: kept, for non-commercial use only.
* ``unstated`` — no licence stated: kept with a "verify before public use" note.
* ``open`` — CC BY, CC0, MIT, public domain, open data or terms that ask only attribution.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

Rule = Literal["forbidden", "unchanged", "non_commercial", "unstated", "open"]
RULES: tuple[Rule, ...] = ("forbidden", "unchanged", "non_commercial", "unstated", "open")

# Flags that tell a reader the numbers are not a final, verified publication.
CAUTION_FLAGS = ("draft", "unverified", "low-confidence", "press-reported", "inferred-vintage",
                 "derived", "censored-top15", "vintage-only")


def redistribution(licence: str | None) -> Rule:
    """The redistribution rule of a source's licence text (see the module doc)."""
    text = (licence or "").lower()
    if "all rights reserved" in text:
        return "forbidden"
    if re.search(r"\bby-nd\b|no ?deriv", text):
        return "unchanged"
    if re.search(r"\bby-nc\b|non-?commercial", text):
        return "non_commercial"
    if not text.strip() or "not stated" in text:
        return "unstated"
    return "open"


def cautions(flags: Iterable[str] | None) -> list[str]:
    """The flags of a source a reader must be told about, in :data:`CAUTION_FLAGS` order."""
    have = set(flags if flags is not None else ())
    return [f for f in CAUTION_FLAGS if f in have]


def forbidden_sources(licences: dict[str, str | None]) -> set[str]:
    """Ids of the sources (id -> licence) whose data may not be redistributed."""
    return {s for s, lic in licences.items() if redistribution(lic) == "forbidden"}
