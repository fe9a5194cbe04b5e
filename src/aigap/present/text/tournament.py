"""Sentences about a running programme: where it stands, the posterior, the remaining designs.

Every word comes from the catalogue (``tournament.programme.*``); the numbers come from a
:class:`~aigap.tournament.simulate.ProgrammeState`.
"""

from __future__ import annotations

from typing import Any

from aigap.i18n import lang_of, t
from aigap.present.tournament import (
    cost_unit_label,
    design_label,
    label,
    stage_label,
    team_label,
)
from aigap.tournament.simulate import ProgrammeState, TournamentResult


def _names(res: TournamentResult, idx: tuple[int, ...], lang: str) -> str:
    if not idx:
        return t("tournament.programme.none", lang)
    return t("tournament.programme.and", lang).join(team_label(res.config, i, lang) for i in idx)


def state_lines(res: TournamentResult, lang: str = "en") -> list[str]:
    """What has happened: who advanced, who a rule removed, who was cut, who joins."""
    lang = lang_of(lang)
    obs, cfg = res.observed, res.config
    lines: list[str] = []
    if obs is not None:
        for s in sorted(obs.alive):
            st = cfg.stages[s]
            rule = st.eligibility.name_ko if lang == "ko" and st.eligibility and \
                st.eligibility.name_ko else (st.eligibility.name if st.eligibility else "–")
            when = st.date or stage_label(st, lang)
            lines.append(t("tournament.programme.state", lang, date=when,
                           advanced=_names(res, obs.alive[s], lang),
                           by_rule=_names(res, obs.removed_by_rule[s], lang), rule=rule,
                           by_score=_names(res, obs.removed_by_score[s], lang)))
    entrants = tuple(i for i, tm in enumerate(cfg.teams) if tm.enters_at > 0)
    if entrants:
        lines.append(t("tournament.programme.entrant", lang,
                       entrant=_names(res, entrants, lang)))
    return lines


def programme_paragraphs(state: ProgrammeState, lang: str = "en") -> list[str]:
    """The answer to "given the results so far, how likely is the programme to end with its
    best team?", with the alternatives, the design choice and the assumptions."""
    lang = lang_of(lang)
    res, cfg = state.posterior, state.posterior.config
    out = state_lines(res, lang)
    out.append(t("tournament.programme.answer", lang, p=res.p_best_wins,
                 ci=1.96 * res.p_best_wins_se, q=res.p_best_survives))
    obs = res.observed
    if obs is not None:
        done = sorted(obs.alive)
        rows = res.stages.iloc[done]
        by_rule = float(rows["p_best_removed_by_rule"].sum())
        by_score = float(rows["p_best_removed_by_score"].sum())
        elig = next((cfg.stages[s].eligibility for s in done if cfg.stages[s].eligibility), None)
        rule = "–" if elig is None else (elig.name_ko if lang == "ko" and elig.name_ko
                                         else elig.name)
        out.append(t("tournament.programme.gone", lang, p=by_rule + by_score, by_rule=by_rule,
                     by_score=by_score, rule=rule))
        alive = obs.alive[obs.last_stage] + tuple(
            i for i, tm in enumerate(cfg.teams) if tm.enters_at > obs.last_stage)
        p = res.teams["p_truly_best"].to_numpy()
        items = t("tournament.programme.sep", lang).join(
            t("tournament.programme.team_item", lang, team=team_label(cfg, i, lang), p=p[i])
            for i in sorted(alive, key=lambda i: -p[i]))
        out.append(t("tournament.programme.teams", lang, items=items))
    out.append(t("tournament.programme.regret", lang, r=res.expected_regret))
    ps = [r.p_best_wins for r in state.sweep.results]
    out.append(t("tournament.programme.sweep", lang, lo=min(state.sweep.values),
                 hi=max(state.sweep.values), plo=min(ps), phi=max(ps)))
    out.extend(design_lines(state, lang))
    entrant = next((tm for tm in cfg.teams if tm.enters_at > 0), None)
    m = entrant.prior.resolve(cfg.benchmark_scale)[0] if entrant else 0.0
    out.append(t("tournament.programme.assumptions", lang, m=m,
                 sd=float(res.stages["effective_noise_sd"].iloc[0]),
                 pts=cfg.score_scale.unit if cfg.score_scale else 1.0,
                 acc=res.acceptance, n=res.n_proposed))
    return out


def design_lines(state: ProgrammeState, lang: str = "en") -> list[str]:
    cmp = state.designs
    if cmp is None:
        return []
    cfg = state.posterior.config
    if cmp.best is None:
        return [t("tournament.programme.no_design", lang)]
    best = next(d for d in cmp.designs if d.name == cmp.best)
    rb = state.design_result(cmp.best)
    base = state.design_result("published") or cmp.results[0]
    assert rb is not None
    ref = "published" if state.design_result("published") is not None else cmp.designs[0].name
    d, d_se = cmp.difference(cmp.best, ref)
    unit = cost_unit_label(cfg, lang)
    lines = [t("tournament.programme.design", lang, budget=cmp.budget or 0, unit=unit,
               name=design_label(best, lang), v=rb.objective(cmp.objective)[0], d=d,
               dci=1.96 * d_se)]
    no_slot, keep1 = state.design_result("no-entrant"), state.design_result("keep-1")
    if no_slot is not None:
        lines.append(t("tournament.programme.slot", lang, unit=unit,
                       d=base.objective(cmp.objective)[0] - no_slot.objective(cmp.objective)[0],
                       c=base.expected_cost - no_slot.expected_cost))
    if keep1 is not None:
        lines.append(t("tournament.programme.keep2", lang,
                       d=base.objective(cmp.objective)[0] - keep1.objective(cmp.objective)[0],
                       p=base.p_best_survives - keep1.p_best_survives))
    return lines


def design_rows(state: ProgrammeState, lang: str = "en") -> list[dict[str, Any]]:
    """The design comparison as table rows with headers in ``lang``."""
    if state.designs is None:
        return []
    f = state.designs.frame()
    cost = f"{label('expected_cost', lang)} ({cost_unit_label(state.posterior.config, lang)})"
    rows = []
    for d, (_, r) in zip(state.designs.designs, f.iterrows(), strict=True):
        rows.append({
            label("design", lang): design_label(d, lang),
            label("p_best_wins", lang): f"{r['p_best_wins']:.3f}",
            label("p_best_survives", lang): f"{r['p_best_survives']:.3f}",
            label("objective_value", lang):
                f"{r['objective_value']:.3f} ± {1.96 * r['objective_value_se']:.3f}",
            label("vs_first", lang): f"{r['vs_first']:+.4f} ± {1.96 * r['vs_first_se']:.4f}",
            cost: f"{r['expected_cost']:.1f}",
            label("within_budget", lang): label("yes" if r["within_budget"] else "no", lang),
            label("recommended", lang): r["recommended"],
        })
    return rows
