"""Observed results of a programme's stages: who advanced, who a rule removed, published points.

A results file (YAML) lists the stages that have happened, in order from the first::

    stages:
      - stage: first                      # a stage's id, name or 1-based number
        advanced: [LG AI Research, SK Telecom, Upstage]
        removed_by_rule: [Naver Cloud]    # removed by the stage's eligibility rule
        scores:                           # published points (any subset of teams)
          LG AI Research: {total: 90.2, components: {benchmarks: 33.6, ...}}
        mean_score: 79.7                  # published average over the teams evaluated

Every team funded at the stage that neither advanced nor was removed by rule was cut on its
score. The simulator conditions on these facts (``simulate_tournament(..., observed=...)``).

A published score at the maximum of its scale (LG AI Research's user evaluation, 25.0 of 25)
is *censored*: the scale cannot show more, so the team's latent reading is only known to be at
least the maximum. Such a point is conditioned on as ``reading ≥ maximum`` (``Point.censored``),
not as an equality; a published mean over such a team uses the team's published (capped)
total as the constant it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from aigap.config import TOURNAMENTS_DIR
from aigap.errors import SpecError
from aigap.tournament.model import TournamentConfig, _Strict, validation_message
from aigap.yamlfile import read_yaml

OBSERVED_DIR = TOURNAMENTS_DIR / "observed"
SUM_TOLERANCE = 0.15  # published components are rounded to 0.1: their sum may miss the total
AT_MAX = 1e-9  # a published score this close to its maximum is at the ceiling (censored)


class TeamScore(_Strict):
    """Published points of one team: the total, its components, or both (they must agree)."""

    total: float | None = None
    components: dict[str, float] = Field(default_factory=dict)


class StageResult(_Strict):
    stage: str | int
    date: str | None = None
    advanced: list[str] = Field(min_length=1)
    removed_by_rule: list[str] = Field(default_factory=list)
    scores: dict[str, TeamScore] = Field(default_factory=dict)
    mean_score: float | None = None
    mean_over: list[str] | None = Field(
        None, description="teams the published mean covers (default: every team evaluated)")
    note: str | None = None


class ObservedFile(_Strict):
    programme: str | None = None
    source: str = ""
    note: str | None = None
    stages: list[StageResult] = Field(min_length=1)


@dataclass(frozen=True)
class Point:
    """One published number: ``kind`` is ``total``, ``component`` or ``mean``.

    ``censored``: the number is the maximum of its scale, so the latent value is at least
    ``value`` (conditioned on as an inequality)."""

    stage: int
    kind: str
    value: float
    teams: tuple[int, ...]
    component: int | None = None
    censored: bool = False


@dataclass(frozen=True)
class Observed:
    """Results resolved against a config: stage and team indices instead of names."""

    source: str
    reference: str  # where the facts come from (the file's `source`)
    alive: dict[int, tuple[int, ...]]  # stage -> teams kept after it
    removed_by_rule: dict[int, tuple[int, ...]]
    removed_by_score: dict[int, tuple[int, ...]]
    points: tuple[Point, ...]
    means: tuple[tuple[int, float], ...] = ()  # (stage, average) as announced

    @property
    def last_stage(self) -> int:
        return max(self.alive)


ObservedArg = str | Path | dict[str, Any] | ObservedFile | Observed | None


def resolve_observed_path(name_or_path: str | Path, base: Path | None = None) -> Path:
    """A file path, a path relative to ``base``, or a shipped results name."""
    p = Path(name_or_path).expanduser()
    stem = p.name.removesuffix(".yaml").removesuffix(".yml")
    for cand in (p, (base / p) if base else None, OBSERVED_DIR / f"{stem}.yaml"):
        if cand is not None and cand.is_file():
            return cand
    shipped = ", ".join(sorted(q.stem for q in OBSERVED_DIR.glob("*.yaml")))
    raise SpecError(f"observed results {str(name_or_path)!r} not found: give a YAML path or "
                    f"one of the shipped names ({shipped})")


def read_observed(observed: ObservedArg, cfg: TournamentConfig
                  ) -> tuple[ObservedFile | None, str]:
    """The results file as a model, and its name for messages (``"default"``: the file the
    config names; ``"none"`` or None: no results)."""
    if observed is None or (isinstance(observed, str) and observed == "none"):
        return None, "observed"
    if isinstance(observed, str) and observed == "default":
        if cfg.observed is None:
            return None, "observed"
        observed = cfg.observed
    source = "observed"
    if isinstance(observed, str | Path):
        path = resolve_observed_path(observed)
        source, observed = path.name, read_yaml(path, "observed results")
    if isinstance(observed, dict):
        try:
            observed = ObservedFile.model_validate(observed)
        except ValidationError as exc:
            raise SpecError(validation_message(exc, source)) from None
    if not isinstance(observed, ObservedFile):
        raise SpecError(f"{source}: expected a mapping with `stages`, got "
                        f"{type(observed).__name__}")
    return observed, source


def load_observed(observed: ObservedArg, cfg: TournamentConfig) -> Observed | None:
    """Parse and check results against ``cfg`` (see :func:`read_observed`)."""
    if isinstance(observed, Observed):
        return observed
    file, source = read_observed(observed, cfg)
    return resolve(file, cfg, source) if file is not None else None


def _team(cfg: TournamentConfig, name: str, where: str) -> int:
    try:
        return cfg.team_index(name)
    except SpecError as exc:
        raise SpecError(f"{where}: {exc}") from None


def resolve(obs: ObservedFile, cfg: TournamentConfig, source: str = "observed") -> Observed:
    """Check results against the config's rules and return indices."""
    if obs.programme is not None and obs.programme != cfg.name:
        raise SpecError(f"{source}: programme: results are for {obs.programme!r}, the config "
                        f"is {cfg.name!r}")
    alive: dict[int, tuple[int, ...]] = {}
    by_rule: dict[int, tuple[int, ...]] = {}
    by_score: dict[int, tuple[int, ...]] = {}
    points: list[Point] = []
    means: list[tuple[int, float]] = []
    funded: set[int] = set()
    for j, sr in enumerate(obs.stages):
        where = f"{source}: stages[{j}]"
        try:
            s = cfg.stage_index(sr.stage)
        except SpecError as exc:
            raise SpecError(f"{where}.stage: {exc}") from None
        if s != j:
            raise SpecError(f"{where}.stage: results must list the stages in order from the "
                            f"first (expected stage {j + 1}, got {sr.stage!r})")
        funded |= {i for i, t in enumerate(cfg.teams) if t.enters_at == s}
        adv = {_team(cfg, n, f"{where}.advanced") for n in sr.advanced}
        rem = {_team(cfg, n, f"{where}.removed_by_rule") for n in sr.removed_by_rule}
        for label, group in (("advanced", adv), ("removed_by_rule", rem)):
            stray = sorted(cfg.teams[i].name for i in group - funded)
            if stray:
                raise SpecError(f"{where}.{label}: {', '.join(stray)} not funded at this stage")
        if adv & rem:
            raise SpecError(f"{where}: {', '.join(cfg.teams[i].name for i in adv & rem)} both "
                            f"advanced and removed by rule")
        if rem and cfg.stages[s].eligibility is None:
            raise SpecError(f"{where}.removed_by_rule: stage {cfg.stages[s].name!r} has no "
                            f"`eligibility` rule in the config")
        evaluated = tuple(sorted(funded))
        capped: dict[int, float | None] = {}  # team with a censored point -> published total
        for name, ts in sr.scores.items():
            i = _team(cfg, name, f"{where}.scores")
            pts = _team_points(cfg, s, i, ts, f"{where}.scores.{name}")
            points.extend(pts)
            if any(p.censored for p in pts):
                capped[i] = _published_total(cfg, s, ts)
        if sr.mean_score is not None:
            over = tuple(sorted(_team(cfg, n, f"{where}.mean_over") for n in sr.mean_over)) \
                if sr.mean_over else evaluated
            means.append((s, sr.mean_score))
            mean = _mean_point(cfg, s, sr.mean_score, over, capped, f"{where}.mean_score")
            if mean is not None:
                points.append(mean)
        alive[s] = tuple(sorted(adv))
        by_rule[s] = tuple(sorted(rem))
        by_score[s] = tuple(sorted(funded - adv - rem))
        funded = set(adv)
    if points and cfg.score_scale is None:
        raise SpecError(f"{source}: published scores need `score_scale` in the config (how "
                        f"points map to capability units)")
    return Observed(source, obs.source, alive, by_rule, by_score, tuple(points), tuple(means))


def _published_total(cfg: TournamentConfig, s: int, ts: TeamScore) -> float | None:
    """A team's published total: given, or the sum of every component (None if unknown)."""
    if ts.total is not None:
        return ts.total
    names = [c.name for c in cfg.stage_evaluation(s).components or []]
    if names and set(ts.components) == set(names):
        return math.fsum(ts.components.values())
    return None


def _mean_point(cfg: TournamentConfig, s: int, value: float, over: tuple[int, ...],
                capped: dict[int, float | None], where: str) -> Point | None:
    """The published mean as a linear point. A mean is of *published* totals: a team at the
    ceiling contributes its capped total (a known constant), not its latent score, so it is
    moved to the constant side: the mean of the other teams is ``(k·mean − Σ capped) / (k − c)``.
    (Teams without published scores are assumed below every ceiling.)"""
    fixed = [i for i in over if i in capped]
    if not fixed:
        return Point(s, "mean", value, over)
    unknown = [cfg.teams[i].name for i in fixed if capped[i] is None]
    if unknown:
        raise SpecError(f"{where}: {', '.join(unknown)} has a score at the maximum (censored) "
                        f"but no published total: give its `total` (or every component) so the "
                        f"mean can use the published, capped value")
    rest = tuple(i for i in over if i not in capped)
    if not rest:
        return None  # the mean only repeats published totals
    total = math.fsum(float(capped[i] or 0.0) for i in fixed)
    return Point(s, "mean", (len(over) * value - total) / len(rest), rest)


def _at_max(value: float, maximum: float) -> bool:
    return value >= maximum - AT_MAX


def _team_points(cfg: TournamentConfig, s: int, i: int, ts: TeamScore, where: str) -> list[Point]:
    ev = cfg.stage_evaluation(s)
    scale = cfg.score_scale
    full = scale.total if scale is not None else math.inf
    for label, v in (("total", ts.total), *ts.components.items()):
        if v is not None and v > full + SUM_TOLERANCE:
            raise SpecError(f"{where}: {label} {v:g} exceeds the maximum of the scale "
                            f"(score_scale.total = {full:g})")
    if not ts.components:
        if ts.total is None:
            raise SpecError(f"{where}: give `total`, `components` or both")
        return [Point(s, "total", ts.total, (i,), censored=_at_max(ts.total, full))]
    names = [c.name for c in ev.components or []]
    unknown = sorted(set(ts.components) - set(names))
    if unknown:
        raise SpecError(f"{where}.components: unknown component(s) {', '.join(unknown)}; the "
                        f"stage's evaluation has: {', '.join(names) or 'no components'}")
    if ts.total is not None and len(ts.components) == len(names):
        total = math.fsum(ts.components.values())
        if abs(total - ts.total) > SUM_TOLERANCE:
            raise SpecError(f"{where}: components add up to {total:g}, not the total "
                            f"{ts.total:g}")
    weights = {c.name: c.weight for c in ev.components or []}
    w_sum = math.fsum(weights.values())
    pts = []
    for c, v in ts.components.items():
        top = full * weights[c] / w_sum  # a component's maximum: its share of the total
        if v > top + SUM_TOLERANCE:
            raise SpecError(f"{where}.components.{c}: {v:g} exceeds the component's maximum "
                            f"{top:g} (weight {weights[c]:g} of {w_sum:g})")
        pts.append(Point(s, "component", v, (i,), names.index(c), censored=_at_max(v, top)))
    if ts.total is not None and len(ts.components) < len(names):
        if any(p.censored for p in pts):
            raise SpecError(f"{where}: a component at its maximum (censored) together with a "
                            f"total over missing components is not supported: publish every "
                            f"component or leave out the total")
        pts.append(Point(s, "total", ts.total, (i,)))  # the total adds the missing components
    return pts
