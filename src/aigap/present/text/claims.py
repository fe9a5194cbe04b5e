"""Findings of the claim checks, and the claims table, in any catalogue language."""

from __future__ import annotations

import pandas as pd

from aigap.analysis.diagnosis.claims import ClaimCheck
from aigap.i18n import pillar_name, t
from aigap.present.text._dispatch import TEXT_KEY, sentence


def _ratio(f: dict, lang: str) -> str:
    key = "claims.ratio.part_log10" if f["log10"] else "claims.ratio.part"
    parts = [t(key, lang, name=p[f"name_{lang}"] if f"name_{lang}" in p else p["name_en"],
               ratio=p["ratio"], log10=p["log10"]) for p in f["parts"]]
    rng = t("claims.ratio.range_log10" if f["log10"] else "claims.ratio.range", lang,
            lo=f["min"], hi=f["max"])
    unit = f.get(f"unit_{lang}", f["unit_en"])
    text = t("claims.ratio.finding", lang, year=f["year"], unit=unit,
             parts=t("claims.ratio.sep", lang).join(parts), range=rng)
    if f["missing"]:
        names = f.get(f"missing_{lang}", f["missing_en"])
        text += t("claims.ratio.missing", lang, codes=", ".join(f["missing"]),
                  names=", ".join(names))
    return text


def _peer_rank(f: dict, lang: str) -> str:
    text = t("claims.peer_rank.finding", lang, sentence=sentence(f["peer_rank"], lang),
             rank=f["rank"], of=f["of"])
    if f["others"]:
        history = ", ".join(t("claims.peer_rank.history_item", lang, year=y, rank=r, of=n)
                            for y, r, n in f["others"])
        text += t("claims.peer_rank.other_years", lang, history=history)
    if f["quartile"] is not None:
        text += t("claims.peer_rank.same_quartile", lang,
                  quartile=t(f"quartile.{f['quartile']}", lang))
    return text


def _index_rank(f: dict, lang: str) -> str:
    want = t("claims.index_rank.want_top" if f["at_most"] else "claims.index_rank.want_rank",
             lang, rank=f["claimed"])
    text = t("claims.index_rank.finding", lang, unit=f.get(f"unit_{lang}", f["unit_en"]),
             rank=f["rank"], of=f["of"], title=f.get(f"title_{lang}", f["title_en"]),
             spec=f["spec"], want=want)
    if f["draft"]:
        text += t("claims.index_rank.belfer_draft", lang)
    return text


def _profile(f: dict, lang: str) -> str:
    desc = t("claims.profile.sep", lang).join(
        t("claims.profile.item", lang, pillar=pillar_name(e["pillar"], lang),
          score=e["score"], median=e["peer_median"], pct=e["percentile"])
        for e in f["items"])
    text = t("claims.profile.finding", lang, members=f["members"], group=f["group"],
             spec=f["spec"], desc=desc)
    if f["failed"]:
        failed = [pillar_name(p, lang) for p in f["failed"]]
        text += t("claims.profile.failed", lang, failed=", ".join(failed))
    return text


@sentence.register
def _claim(check: ClaimCheck, lang: str = "en") -> str:
    """What the data say about a claim: the numbers, years and the claim's own terms."""
    f = check.facts
    kind = f.get("kind")
    if kind == "ratio":
        return _ratio(f, lang)
    if kind == "peer_rank":
        return _peer_rank(f, lang)
    if kind == "index_rank":
        return _index_rank(f, lang)
    if kind == "profile":
        return _profile(f, lang)
    # only bounds on the rank: the peer-rank sentence says them; else the error that stopped it
    why = sentence(f["peer_rank"], lang) if f.get("peer_rank") is not None else f.get("why", "")
    return t("claims.not_checkable", lang, why=why)


TEXT_KEY[ClaimCheck] = "finding"


def claims_frame(checks: list[ClaimCheck], lang: str = "en") -> pd.DataFrame:
    """One row per claim: id, claim, verdict, finding and sources, in ``lang``."""
    return pd.DataFrame({
        "id": [c.id for c in checks],
        "claim": [(getattr(c, f"text_{lang}", "") or c.text_en) for c in checks],
        "verdict": [t(f"verdict.{c.verdict}", lang) for c in checks],
        "finding": [sentence(c, lang) for c in checks],
        "sources": [", ".join(c.sources) for c in checks],
    })
