"""Findings of the claim checks, and the claims table, in any catalogue language."""

from __future__ import annotations

import re

import pandas as pd

from aigap.analysis.diagnosis.claims import ClaimCheck
from aigap.data.countries import AGGREGATE_UNITS
from aigap.i18n import join, pillar_name, t, t_or
from aigap.present.text._dispatch import TEXT_KEY, sentence


def _ratio(f: dict, lang: str) -> str:
    style = "_zeros" if f.get("zeros") else "_log10" if f["log10"] else ""
    parts = [t(f"claims.ratio.part{style}", lang,
               name=p[f"name_{lang}"] if f"name_{lang}" in p else p["name_en"],
               ratio=p["ratio"], log10=p["log10"], zeros=p.get("zeros") or 0)
             for p in f["parts"]]
    rng = t(f"claims.ratio.range{style}", lang, lo=f["min"], hi=f["max"])
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
    unit = f.get(f"unit_{lang}", f["unit_en"])
    texts = []
    pub = f.get("published")
    if pub:
        texts.append(t("claims.index_rank.published", lang, unit=unit, rank=pub["rank"],
                       of=pub["of"], index=pub["index"], edition=pub["edition"],
                       level=pub["level"], note=pub["units_note"], want=want))
    if "rank" in f:
        text = t("claims.index_rank.finding", lang, unit=unit, rank=f["rank"], of=f["of"],
                 title=f.get(f"title_{lang}", f["title_en"]), spec=f["spec"], want=want)
        if f.get("with_aggregates"):
            lo, hi = f["with_aggregates"]
            text += t("claims.index_rank.with_aggregates", lang, lo=lo, hi=hi,
                      units=", ".join(_aggregate_name(u, lang) for u in f["aggregates"]))
        if f["draft"]:
            text += t("claims.index_rank.belfer_draft", lang)
        texts.append(text)
    return " ".join(texts)


def _not_reproducible(f: dict, lang: str) -> str:
    """A peer rank no year of this vintage gives: the nearest numbers, and the claim's own
    figure beside the mirror's."""
    years = f["years"]
    by_rank: dict[int, list[int]] = {}
    for y in years:
        if y["rank"] is not None:
            by_rank.setdefault(y["rank"], []).append(y["year"])
    history = t("claims.ratio.sep", lang).join(
        t("claims.not_reproducible.rank_item", lang, rank=r, years=join(
            [str(v) for v in sorted(ys)], lang), of=years[0]["of_with_data"])
        for r, ys in sorted(by_rank.items(), key=lambda kv: -max(kv[1])))
    worst = max((y["worst"] for y in years if y["worst"] is not None), default=None)
    without = f.get(f"without_{lang}", f["without_en"])
    text = t("claims.not_reproducible.head", lang, unit=f.get(f"unit_{lang}", f["unit_en"]),
             history=history, rank=f["rank"], of=f["of"])
    if worst is not None and without:
        text += t("claims.not_reproducible.worst", lang, k=len(without),
                  names=join(without, lang), worst=worst)
    fig = f.get("figure")
    if fig is not None:
        key = "same" if fig["same"] else "differs" if fig["mirror"] is not None else "absent"
        text += t(f"claims.not_reproducible.figure_{key}", lang, claimed=fig["claimed"],
                  mirror=fig["mirror"] if fig["mirror"] is not None else 0,
                  year=fig["year"] or years[0]["year"])
    return text + t("claims.not_reproducible.end", lang)


def by_source(check: ClaimCheck, lang: str = "en") -> str:
    """'By source: supported on AI Index 2025; partly on CSET 2023.' (empty for one source)."""
    if len(check.by_source) < 2:
        return ""
    items = []
    for b in check.by_source:
        label = t_or(f"series.{b['source']}", lang, b["source"])
        year = "" if b.get("year") is None else f" {b['year']}"
        if b["verdict"] == "not checkable" and b.get("why"):
            items.append(t("claims.by_source.untestable", lang, label=label,
                           why=_why(b["why"], lang)))
        else:
            items.append(t("claims.by_source.item", lang, label=label, year=year,
                           verdict=t(f"verdict.{b['verdict']}", lang)))
    return t("claims.by_source.line", lang, items=t("claims.by_source.sep", lang).join(items))


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
    """What the data say about a claim: the numbers, years and the claim's own terms, and the
    verdict on each source that can test it."""
    text = _finding(check, lang)
    extra = by_source(check, lang)
    return f"{text} {extra}" if extra else text


def _finding(check: ClaimCheck, lang: str) -> str:
    f = check.facts
    kind = f.get("kind")
    if kind == "ratio":
        return _ratio(f, lang)
    if kind == "peer_rank":
        return _peer_rank(f, lang)
    if kind == "not_reproducible":
        return _not_reproducible(f, lang)
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


def _aggregate_name(name: str, lang: str) -> str:
    """A group ranked as one unit (the European Union) in ``lang``, from AGGREGATE_UNITS."""
    for en, ko in AGGREGATE_UNITS.values():
        if name == en:
            return ko if lang == "ko" else en
    return name


def _why(why: str, lang: str) -> str:
    """Why a source cannot test a claim, in ``lang`` where the catalogue has the reason
    ("no 2023 value for KOR"); other reasons as the data state them."""
    if m := re.fullmatch(r"no (\d{4}) value for (.+)", why):
        return t("claims.by_source.no_value", lang, year=m.group(1), units=m.group(2))
    return why
