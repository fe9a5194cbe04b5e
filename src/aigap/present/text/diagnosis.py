"""Sentences of the diagnosis analyses: gap, trend, peer rank, profile and decomposition.

The analyses compute; these functions only choose the template for a case and fill it in.
Every word comes from the catalogue (:mod:`aigap.i18n`), so the same code speaks each language.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from aigap.analysis.diagnosis.gap import GapResult, GapSummary, is_money, unit_scale
from aigap.analysis.diagnosis.peer_rank import PeerRank
from aigap.data.concepts import SeriesChoice
from aigap.i18n import join, t, t_or
from aigap.i18n.numbers import format_money
from aigap.present.names import attr, column
from aigap.present.text._dispatch import TEXT_KEY, document, sentence

if TYPE_CHECKING:  # imported when their sentences run: a gap's does not load SciPy
    from aigap.analysis.diagnosis.decompose import Decomposition
    from aigap.analysis.diagnosis.profile import Profile
    from aigap.analysis.diagnosis.trend import Convergence, TrendResult

# --------------------------------------------------------------------------- gap


def amount(x: float, measure: str, lang: str) -> str:
    """An amount with its unit as a reader says it: 776.5억 달러, GDP 대비 0.12%."""
    if measure == "% of GDP":
        return t("gap.amount.pct_of_gdp", lang, v=x)
    if measure.startswith("%"):
        return t("gap.amount.pct", lang, v=x)
    if measure.startswith("US$"):
        return format_money(x, lang)
    if is_money(measure) and measure.split()[0] in ("thousand", "million", "billion",
                                                       "trillion"):
        return format_money(x * unit_scale(measure), lang)  # 'billion US$ (current)'
    return t("gap.amount.other", lang, v=x, measure=measure)


def _basis(measure: str, lang: str) -> str:
    """'2021년 불변 달러 기준, ' for constant-dollar series (where the language says it)."""
    m = re.search(r"constant (\d{4})", measure)
    return t("gap.basis_constant", lang, year=m.group(1)) if m else ""


@sentence.register
def _gap(s: GapSummary, lang: str = "en") -> str:
    """The latest common year of a gap, in words: "In 2023, the USA's ... was 29.8x Korea's"."""
    unit_name, other_name = attr(s, "names", lang)
    name = attr(s, "indicator_name", lang)
    if math.isnan(s.ratio):
        return t("gap.sentence.undefined", lang, year=s.year, other=other_name, name=name,
                 other_value=s.other_value, unit=unit_name, value=s.value,
                 measure=s.measure_unit, note=s.note)
    up = s.ratio >= 1
    lead, trail = (other_name, unit_name) if up else (unit_name, other_name)
    lv, tv = (s.other_value, s.value) if up else (s.value, s.other_value)
    ratio = s.ratio if up else (1 / s.ratio if s.ratio > 0 else math.inf)
    lg = s.log10_ratio if up else abs(s.log10_ratio)
    oom = "" if math.isnan(lg) else t("gap.oom", lang, oom=lg)
    return t("gap.sentence.ratio", lang, year=s.year, lead=lead, trail=trail, name=name,
             ratio=ratio, lead_value=lv, trail_value=tv, measure=s.measure_unit,
             lead_amount=amount(lv, s.measure_unit, lang),
             trail_amount=amount(tv, s.measure_unit, lang),
             basis=_basis(s.measure_unit, lang), oom=oom)


def series_label(series: str, lang: str = "en") -> str:
    """'AI Index', 'CSET': the short name of a series id (the id itself when uncatalogued)."""
    return t_or(f"series.{series}", lang, series)


def concept_name(code: str, lang: str = "en") -> str:
    """'private AI investment' / '민간 AI 투자' (the code itself when uncatalogued)."""
    return t_or(f"concept.{code}", lang, code)


def by_series(res: GapResult, lang: str = "en") -> str:
    """'By series: 2025 AI Index (used): United States 161.0x, China 7.0x; 2023 CSET: ...'
    for every concept that has more than one series with numbers (empty when none has)."""
    groups: dict[str, dict[tuple[str, int | None], list[GapSummary]]] = {}
    for s in [*res.summaries, *res.alternatives]:
        groups.setdefault(s.concept, {}).setdefault((s.series, s.year), []).append(s)
    chosen = {(s.concept, s.series) for s in res.summaries}
    lines = []
    for concept, by in groups.items():
        if len(by) < 2:
            continue
        items = []
        for (series, year), rows in by.items():
            parts = t("series_choice.sep", lang).join(
                t("series_choice.part", lang, name=attr(r, "names", lang)[1], ratio=r.ratio)
                for r in rows)
            items.append(t("series_choice.item", lang, year=year,
                           label=series_label(series, lang),
                           used=t("series_choice.used", lang) if (concept, series) in chosen
                           else "", parts=parts))
        lines.append(t("series_choice.by_series", lang,
                       items=t("series_choice.item_sep", lang).join(items)))
    return " ".join(lines)


def newer_warning(res: GapResult | SeriesChoice, lang: str = "en") -> str:
    """'A newer series than the one asked for exists: AI Index (2025).' (empty when none)."""
    if isinstance(res, SeriesChoice):
        found = [(a.coverage.series, a.year) for a in res.newer_than_asked]
    else:
        found = [(s, y) for _c, s, y in res.newer_than_asked()]
    if not found:
        return ""
    items = ", ".join(t("series_choice.newer_item", lang, label=series_label(s, lang), year=y)
                      for s, y in found)
    return t("series_choice.newer", lang, items=items)


@sentence.register
def _series_choice(ch: SeriesChoice, lang: str = "en") -> str:
    """Which series answers and why, in a sentence."""
    label = series_label(ch.chosen.series, lang)
    name = concept_name(ch.concept.code, lang)
    if ch.reason == "none_adequate":
        msg = t("series_choice.reason.none_adequate", lang, label=label, name=name,
                why=ch.why_not, purpose=t(f"series_choice.purpose.{ch.purpose}", lang))
    else:
        msg = t(f"series_choice.reason.{ch.reason}", lang, label=label, name=name,
                year=ch.year, purpose=t(f"series_choice.purpose.{ch.purpose}", lang))
    warn = newer_warning(ch, lang)
    return f"{msg} {warn}".strip()


@sentence.register
def _gap_result(res: GapResult, lang: str = "en") -> str:
    """The headline sentences, the series side by side and the newer-series warning."""
    parts = [sentence(s, lang) for s in res.summaries]
    parts += [by_series(res, lang), newer_warning(res, lang)]
    return " ".join(p for p in parts if p)


@document.register
def _gap_doc(res: GapResult) -> dict[str, Any]:
    """The gap's JSON with each summary's sentence in every language."""
    from aigap.i18n import languages
    from aigap.jsonsafe import json_safe

    out = res.to_dict()
    for s, d in zip([*res.summaries, *res.alternatives],
                    [*out["summary"], *out["alternatives"]], strict=True):
        for lang in languages():
            d[f"sentence_{lang}"] = sentence(s, lang)
    for lang in languages():
        out[f"sentence_{lang}"] = sentence(res, lang)
        out[f"by_series_{lang}"] = by_series(res, lang)
        out[f"warning_{lang}"] = newer_warning(res, lang)
    return json_safe(out)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- trend


def interval_text(ci: tuple[float, float] | None, lang: str = "en") -> str:
    """'3.1–never' / '3.1년~해소되지 않음': a years-to-close interval."""
    if ci is None:
        return t("trend.interval.none", lang)
    hi = t("trend.interval.never", lang) if math.isinf(ci[1]) else \
        t("trend.interval.bound", lang, v=ci[1])
    return t("trend.interval.range", lang, lo=ci[0], hi=hi)


def _gap_text(c: Convergence, v: float, lang: str) -> str:
    """A gap as the model states it: a ratio (log model) or a difference (linear)."""
    if c.model == "linear":
        return f"{v:+.3g}"
    return t("trend.ratio", lang, v=v)


def _newest(c: Convergence, lang: str) -> str:
    """' Newest observed gap: 29.8x in 2023 (private_ai_investment).' with a flag when it lies
    outside the fit's interval."""
    items = []
    for lg in sorted(c.latest, key=lambda x: -x.year):
        flag = "" if lg.consistent else t("trend.newest_off", lang, lo=_gap_text(c, lg.lo, lang),
                                          hi=_gap_text(c, lg.hi, lang))
        if lg.previous is not None and not lg.fitted_series:
            flag += t("trend.newest_prev", lang, ratio=_gap_text(c, lg.previous[1], lang),
                      year=lg.previous[0])
        items.append(t("trend.newest_item", lang, ratio=_gap_text(c, lg.gap, lang),
                       year=lg.year, series=lg.series, flag=flag))
    return t("trend.newest", lang, items=join(items, lang)) if items else ""


def _backtest(c: Convergence, lang: str) -> str:
    bt = c.backtest
    if bt is None:
        return ""
    miss = t("trend.miss_factor", lang, v=bt.factor) if bt.model == "log" else \
        t("trend.miss_units", lang, v=bt.error)
    return t("trend.backtest", lang, fit_end=bt.fit_years[1], n_in=bt.n_inside,
             n=len(bt.inside), span=_span(bt.years[0], bt.years[-1], lang), miss=miss)


def _span(a: int, b: int, lang: str) -> str:
    return str(a) if a == b else t("trend.span", lang, a=a, b=b)


def _why(c: Convergence, lang: str) -> str:
    parts = []
    for r in c.reasons:
        f = dict(r.fields)
        if r.code == "backtest_failed":
            f["span"] = _span(f["first"], f["last"], lang)
        if r.code == "latest_inconsistent":
            f.update(gap=_gap_text(c, f["gap"], lang), lo=_gap_text(c, f["lo"], lang),
                     hi=_gap_text(c, f["hi"], lang))
        parts.append(t(f"trend.why.{r.code}", lang, **f))
    return str(t("trend.why_sep", lang)).join(parts)


def verdict_text(c: Convergence, lang: str = "en") -> str:
    """The catch-up answer in a word or a year: '2035', 'not estimable', 'diverging'."""
    if c.catch_up_year is not None:
        return f"{c.catch_up_year:.0f}"
    return t(f"trend.verdict.{c.verdict or 'not_estimable'}", lang)


@sentence.register
def _convergence(c: Convergence, lang: str = "en") -> str:
    """How the gap moves, whether the data support a catch-up date (and why not), the newest
    observed gap and the backtest."""
    from aigap.analysis.diagnosis.trend import MAX_YEARS

    un, on = attr(c, "names", lang)
    d = c.log_ratio_slope
    lin = c.model == "linear"
    pre = "trend.linear." if lin else "trend."
    pair = f"{c.other}/{c.iso3}" if not lin else f"{c.other}−{c.iso3}"
    if lin:
        g_now = c.gap_now
        shrink = widen = f"{abs(d):.3g}"
        lo, hi = (f"{v:+.3g}" for v in c.log_ratio_slope_ci)
        rate_ci = t(pre + "rate_ci", lang, pair=pair, lo=lo, hi=hi)
    else:
        g_now = math.log(c.ratio_now)
        shrink = f"{-math.expm1(-abs(d)) * 100:.1f}%"
        widen = f"{math.expm1(abs(d)) * 100:.1f}%"
        lo_pct, hi_pct = (math.expm1(v) * 100 for v in c.log_ratio_slope_ci)
        # An interval on one side of zero reads as a fall or a rise ("연 10.1~37.2% 감소")
        side = "_fall" if hi_pct < 0 else "_rise" if lo_pct > 0 else ""
        small, large = sorted((abs(lo_pct), abs(hi_pct)))
        rate_ci = t("trend.rate_ci" + side, lang, pair=pair, lo=lo_pct, hi=hi_pct,
                    small=small, large=large)
    leader, trailer = (on, un) if g_now > 0 else (un, on)
    gap = (t(pre + "gap", lang, leader=leader, trailer=trailer, diff=f"{abs(g_now):.3g}",
             ref=c.reference_year) if lin else
           t("trend.gap", lang, leader=leader, trailer=trailer, ratio=math.exp(abs(g_now)),
             ref=c.reference_year))
    tail = _newest(c, lang) + _backtest(c, lang)
    if tail:
        tail = t("trend.stop", lang) + tail
    if c.status == "crossed":
        return t("trend.crossed", lang, ref=c.reference_year) + tail
    if c.status == "converging" and c.years_to_close is not None:
        if c.verdict in ("", "date"):
            years = c.years_to_close
            when = (t("trend.when", lang, years=years, year=c.close_year,
                      interval=interval_text(c.years_to_close_ci, lang)) if years <= MAX_YEARS
                    else t("trend.when_never", lang, years=years, max=MAX_YEARS))
            return t(pre + "converging", lang, gap=gap, shrink=shrink, rate_ci=rate_ci,
                     when=when) + tail
        return t(pre + "converging_open", lang, gap=gap, shrink=shrink, rate_ci=rate_ci,
                 why=_why(c, lang)) + tail
    key = pre + ("diverging" if c.status == "diverging" else "parallel")
    msg = t(key, lang, gap=gap, widen=widen, rate_ci=rate_ci)
    if c.p_close >= (1 - c.level) / 2:
        msg += t("trend.not_ruled_out", lang, p=c.p_close)
    return msg + tail


def window_lines(res: TrendResult, lang: str = "en") -> list[str]:
    """The fit window and why years were left out of it, one line each."""
    key = "trend.window.set" if res.window_rule == "user" else "trend.window.rule"
    lines = [t(key, lang, start=res.window[0], end=res.window[1])]
    return lines + [t(f"trend.window.{n.code}", lang, **n.fields) for n in res.window_notes
                    if n.code != "user"]


def trend_sentences(res: TrendResult, lang: str = "en") -> list[str]:
    return [sentence(c, lang) for c in res.comparisons]


@sentence.register
def _trend(res: TrendResult, lang: str = "en") -> str:
    return " ".join(trend_sentences(res, lang))


@document.register
def _trend_doc(res: TrendResult) -> dict[str, Any]:
    """The trend's JSON with each comparison's message in every language (``message`` is
    English, as it always was)."""
    from aigap.i18n import languages
    from aigap.jsonsafe import json_safe

    out = res.to_dict()
    for c, d in zip(res.comparisons, out["comparisons"], strict=True):
        for lang in languages():
            d[f"message_{lang}"] = sentence(c, lang)
        d["message"] = d["message_en"]
    return json_safe(out)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- peer rank


def _group(code: str, lang: str) -> str:
    return t_or(f"group.{code}", lang, t("group.other", lang, group=code))


def _names(codes: list[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(c, c) for c in codes)


@sentence.register
def _peer_rank(res: PeerRank, lang: str = "en") -> str:
    """Where the unit stands in its group, saying who has no data and who is tied."""
    names = attr(res, "names", lang)
    # {code} names the unit by its ISO3 code ("KOR ranks 31st", as the tables do), {who} by name
    code, who = res.unit, names.get(res.unit, res.unit)
    when = t("peer_rank.when", lang, year=res.year) if res.year is not None else ""
    grp = t("peer_rank.group.custom", lang) if res.group == "custom" else _group(res.group, lang)
    if not res.unit_is_member:  # "of N G7 members" would be false: say who was compared
        key = "peer_rank.group.not_member" if res.group != "custom" else \
            "peer_rank.group.not_member_custom"
        grp = t(key, lang, group=res.group, grp=grp, who=who, code=code)
    if res.top_n is not None:
        if res.value is None:
            lo, hi = res.rank_bounds or (0, 0)
            core = t("peer_rank.censored_absent", lang, who=who, code=code, top_n=res.top_n,
                     when=when, of=res.ranked_of, grp=grp, lo=lo, hi=hi, listed=res.n_with_data)
        else:
            core = t("peer_rank.censored_listed", lang, who=who, code=code, rank=res.rank or 0,
                     of=res.ranked_of, grp=grp, when=when, top_n=res.top_n,
                     listed=res.n_with_data, rest=res.ranked_of - res.n_with_data)
    else:
        core = t("peer_rank.ranked", lang, who=who, code=code, rank=res.rank or 0, of=res.ranked_of,
                 grp=grp, when=when)
        if res.without_data:
            core += t("peer_rank.without_data", lang, k=len(res.without_data),
                      names=_names(res.without_data, names))
    if res.tied_with:
        core += t("peer_rank.tied", lang, names=_names(res.tied_with, names))
    return t("peer_rank.end", lang, core=core)


# --------------------------------------------------------------------------- profile


def _named_peers(p: Profile) -> list[str]:
    # A custom group is named by the peers actually compared: naming one without data would
    # claim a comparison that was not made.
    return [m for m in p.members if m != p.unit and m not in p.peers_without_data]


def group_phrase(p: Profile, lang: str = "en") -> str:
    """How the sentences name the peers: "OECD members", "독일·일본·미국", ..."""
    from aigap.analysis.diagnosis.profile import country_names

    if p.group != "custom":
        return _group(p.group, lang)
    en, ko = country_names()
    names = ko if lang == "ko" else en
    peers = _named_peers(p)
    if len(peers) <= 5:
        return join([t("profile.member", lang, name=names.get(m, m)) for m in peers], lang,
                    tight=True)
    return t("profile.custom_many", lang, n=len(peers))


def _pillar_names(p: Profile, codes: list[str], lang: str) -> list[str]:
    col = column(p.pillars.columns, "name", lang)
    lookup = dict(zip(p.pillars["code"], p.pillars[col], strict=True))
    return [lookup[c] for c in codes]


def _lowest(p: Profile, lang: str) -> str:
    row = p.pillars.dropna(subset=["percentile"]).sort_values("percentile").iloc[0]
    return t("profile.lowest", lang, name=row[column(p.pillars.columns, "name", lang)],
             pct=row["percentile"])


@sentence.register
def _profile(p: Profile, lang: str = "en") -> str:
    """One sentence on the pillar pattern, true to the percentiles."""
    who, grp = attr(p, "unit_name", lang), group_phrase(p, lang)
    s = join(_pillar_names(p, p.strengths, lang), lang)
    w = join(_pillar_names(p, p.weaknesses, lang), lang)
    if p.pattern == "no_data":
        return t("profile.sentence.no_data", lang, who=who, grp=grp)
    pattern = p.pattern
    if pattern == "strong_across" and len(p.strengths) == len(p.pillars):
        pattern = "strong_across_all"
    low = _lowest(p, lang) if pattern == "strong_only" else ""
    return t(f"profile.sentence.{pattern}", lang, lead=t("profile.lead", lang, grp=grp, who=who),
             s=s, w=w, low=low, strong=p.strong, weak=p.weak)


# --------------------------------------------------------------------------- decomposition


def _pillar_view(dec: Decomposition) -> tuple[pd.DataFrame, float]:
    """Pillars with contributions seen from the leader (positive = widens the leader's lead)."""
    sign = 1.0 if dec.gap >= 0 else -1.0
    p = dec.to_frame("pillar").copy()
    p["lead"] = p["contribution"] * sign
    return p, abs(dec.gap)


@sentence.register
def _decomposition(dec: Decomposition, lang: str = "en") -> str:
    """Where the gap comes from, and what narrows it."""
    from aigap.analysis.diagnosis.decompose import LEVEL, drivers, offsets

    na, nb = attr(dec, "names", lang)
    name = column(dec.contributions.columns, "name", lang)
    if dec.unit_a == dec.unit_b:
        return t("decompose.self", lang, a=na)
    if abs(dec.gap) < LEVEL:
        p, _ = _pillar_view(dec)
        top = p.sort_values("lead")
        a_lead, b_lead = top.iloc[-1], top.iloc[0]
        ahead_a, ahead_b = (na, nb) if dec.gap >= 0 else (nb, na)
        return t("decompose.level", lang, a=na, b=nb, sa=dec.score_a, sb=dec.score_b,
                 gap=abs(dec.gap), ahead_a=ahead_a, ahead_b=ahead_b, pa=a_lead[name],
                 pb=b_lead[name],
                 a_score=_name_score(na, dec.score_a, lang))
    lead, trail = (na, nb) if dec.gap > 0 else (nb, na)
    ls, ts = (dec.score_a, dec.score_b) if dec.gap > 0 else (dec.score_b, dec.score_a)
    p, gap = _pillar_view(dec)
    drv, mostly = drivers(p, gap)
    items = join([t("decompose.item", lang, name=r[name], pts=abs(r["lead"]))
                  for _, r in drv.iterrows()], lang)
    head = t("decompose.head", lang, gap=gap, lead=lead, ls=ls, trail=trail, ts=ts,
             lead_score=_name_score(lead, ls, lang))
    kind = "decompose.mostly" if mostly else "decompose.spread"
    off, any_off = offsets(p, gap)
    if off.empty:  # negligible offsets only: not worth a clause; none at all: say so
        if any_off:
            return head + t(f"{kind}_end", lang, items=items)
        return head + t("decompose.no_offset", lang, cont=t(kind, lang, items=items),
                        trail=trail)
    names = join([t("decompose.item", lang, name=r[name], pts=abs(r["lead"]))
                  for _, r in off.iterrows()], lang)
    return head + t("decompose.offsets", lang, cont=t(kind, lang, items=items), trail=trail,
                    names=names)


def _name_score(name: str, score: float, lang: str) -> str:
    return t_or("decompose.name_score", lang, name, name=name, score=score)


def method_note(dec: Decomposition, lang: str = "en") -> str:
    """What a contribution is, for a table's caption."""
    return t("decompose.note_linear" if dec.method == "linear" else "decompose.note_shapley",
             lang)


TEXT_KEY[GapSummary] = "sentence"
TEXT_KEY[SeriesChoice] = "sentence"
