"""The tournament config: teams, how they grow, how they are evaluated and cut (pydantic v2).

Capability is measured in *capability units*: one unit is roughly the spread (one standard
deviation) of our prior belief about where the teams stand relative to each other. Every noise
and growth parameter is expressed in the same units, so "noise 0.5" means an evaluation whose
error is half the between-team spread.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from aigap.config import TOURNAMENTS_DIR
from aigap.errors import SpecError
from aigap.yamlfile import read_yaml


class _Strict(BaseModel):
    # extra="forbid" turns typos such as `nosie_sd` into errors instead of silent defaults.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --------------------------------------------------------------------------------------- teams


class Prior(_Strict):
    """Belief about a team's capability when the programme starts.

    Either ``mean`` and ``sd`` directly, or ``benchmark_scores`` (on the config's
    ``benchmark_scale``): the mean of the scores is the prior mean and, unless ``sd`` is given,
    ``measurement_sd / sqrt(len(scores))`` (or the sample sd of the scores) its spread.
    """

    mean: float | None = None
    sd: float | None = Field(None, ge=0)
    benchmark_scores: list[float] | None = Field(None, min_length=1)
    measurement_sd: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_source(self) -> Prior:
        if (self.mean is None) == (self.benchmark_scores is None):
            raise ValueError("give exactly one of `mean` or `benchmark_scores`")
        if self.mean is not None:
            if self.sd is None:
                raise ValueError("`sd` is required together with `mean`")
            if self.measurement_sd is not None:
                raise ValueError("`measurement_sd` only applies to `benchmark_scores`")
        elif (
            self.sd is None
            and self.measurement_sd is None
            and len(self.benchmark_scores or []) < 2
        ):
            raise ValueError(
                "one benchmark score gives no spread: add `sd` or `measurement_sd`"
            )
        return self

    def resolve(self, scale: BenchmarkScale) -> tuple[float, float]:
        """(mean, sd) in capability units."""
        if self.mean is not None:
            return float(self.mean), float(self.sd or 0.0)
        scores = [(s - scale.center) / scale.unit for s in self.benchmark_scores or []]
        mean = math.fsum(scores) / len(scores)
        if self.sd is not None:
            return mean, float(self.sd)
        if self.measurement_sd is not None:
            return mean, self.measurement_sd / scale.unit / math.sqrt(len(scores))
        var = math.fsum((s - mean) ** 2 for s in scores) / (len(scores) - 1)
        return mean, math.sqrt(var / len(scores))


class Growth(_Strict):
    """Improvement per standard stage period.

    A team's own rate is drawn once per tournament, ``N(mean, rate_sd)`` (we do not know how
    fast each team learns); each period adds ``rate + N(0, shock_sd)`` (luck of a training run).
    """

    mean: float = 0.0
    rate_sd: float = Field(0.0, ge=0)
    shock_sd: float = Field(0.0, ge=0)


class Team(_Strict):
    name: str = Field(min_length=1)
    name_ko: str | None = None
    approach: str = Field(min_length=1, description="label used to count distinct approaches")
    prior: Prior
    growth: Growth = Growth()
    enters_at: int = Field(
        0, ge=0, description="index of the first stage the team is funded in (0 = from the "
        "start; later = an entrant through a re-entry slot)")
    note: str | None = None


class TeamDefaults(_Strict):
    """Values a team inherits unless it sets its own (merged key by key)."""

    approach: str | None = None
    prior: dict[str, Any] | None = None
    growth: dict[str, Any] | None = None


class BenchmarkScale(_Strict):
    """Converts benchmark scores to capability units: ``(score - center) / unit``."""

    center: float = 0.0
    unit: float = Field(1.0, gt=0)


# ---------------------------------------------------------------------------------- evaluation


class Component(_Strict):
    """One part of an evaluation: a benchmark suite (``judges: 1``) or a panel of judges.

    Judges' errors have sd ``noise_sd`` and pairwise ``correlation`` (shared impressions), so
    the panel mean has variance ``noise_sd² · (correlation + (1 - correlation) / judges)``:
    adding judges cannot remove the shared part.
    """

    name: str = Field(min_length=1)
    weight: float = Field(gt=0)
    noise_sd: float = Field(ge=0)
    judges: int = Field(1, ge=1)
    correlation: float = Field(0.0, ge=0, le=1)

    @property
    def mean_error_var(self) -> float:
        return self.noise_sd**2 * (self.correlation + (1 - self.correlation) / self.judges)


class ScoreScale(_Strict):
    """How published points map to scores: ``points = center + unit · score``.

    ``center`` (the points of a team at capability 0) is uncertain with sd ``center_sd``: a
    published average then informs it, so conditioning does not hinge on guessing it.
    Components report ``weight / Σ weights`` of the points, e.g. 40 of 100 for benchmarks.
    """

    center: float = 0.0
    center_sd: float = Field(0.0, ge=0)
    unit: float = Field(1.0, gt=0)
    total: float = Field(100.0, gt=0, description="points of a perfect score (the weights' sum)")


class Evaluation(_Strict):
    """score = capability + error. Either a single benchmark ``noise_sd`` or weighted
    ``components`` (weights are normalised to sum to 1)."""

    noise_sd: float | None = Field(None, ge=0)
    components: list[Component] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _one_form(self) -> Evaluation:
        if (self.noise_sd is None) == (self.components is None):
            raise ValueError("give exactly one of `noise_sd` or `components`")
        if self.components is not None:
            names = [c.name for c in self.components]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ValueError(f"duplicate component name(s): {', '.join(dup)}")
        return self

    @property
    def effective_sd(self) -> float:
        """Sd of the score error. Exact: a weighted sum of independent Gaussian errors is
        Gaussian, so one draw per team and stage reproduces the full panel model."""
        if self.components is None:
            return float(self.noise_sd or 0.0)
        total = math.fsum(c.weight for c in self.components)
        return math.sqrt(math.fsum((c.weight / total) ** 2 * c.mean_error_var
                                   for c in self.components))

    def scaled(self, factor: float) -> Evaluation:
        """The same evaluation with every noise sd multiplied by ``factor``."""
        if self.components is None:
            return Evaluation(noise_sd=float(self.noise_sd or 0.0) * factor)
        return Evaluation(components=[c.model_copy(update={"noise_sd": c.noise_sd * factor})
                                      for c in self.components])


# ------------------------------------------------------------------------------------- rules


class KeepAll(_Strict):
    """No cut: an evaluation that only reports (teams keep growing)."""

    type: Literal["keep_all"]


class TopK(_Strict):
    """Keep the ``k`` best-scoring teams."""

    type: Literal["top_k"]
    k: int = Field(ge=1)


class DropLowest(_Strict):
    """Cut the ``n`` lowest-scoring eligible teams (at least one team is always kept): the
    announced "cut one team at each evaluation" reading of a schedule."""

    type: Literal["drop_lowest"]
    n: int = Field(1, ge=1)


class WinnerTakesAll(_Strict):
    """Keep only the best-scoring team."""

    type: Literal["winner_takes_all"]


class Threshold(_Strict):
    """Keep every team scoring at least ``threshold``; if fewer than ``min_keep`` pass, keep the
    ``min_keep`` best (a programme rarely cancels itself outright)."""

    type: Literal["threshold"]
    threshold: float
    min_keep: int = Field(1, ge=1)


class Portfolio(_Strict):
    """Keep ``k`` teams; with ``distinct_approaches`` each next pick is the best team whose
    approach is not yet kept (falling back to the best remaining when approaches run out)."""

    type: Literal["portfolio"]
    k: int = Field(2, ge=1)
    distinct_approaches: bool = True


class Proportional(_Strict):
    """Split the next stage's funding in proportion to ``max(score - floor, 0)``; teams whose
    share falls below ``min_share`` are cut (the best-scoring team is always kept)."""

    type: Literal["proportional"]
    floor: float
    min_share: float = Field(0.0, ge=0, lt=1)


Rule = Annotated[
    KeepAll | TopK | DropLowest | WinnerTakesAll | Threshold | Portfolio | Proportional,
    Field(discriminator="type"),
]
RULE_TYPES = ("keep_all", "top_k", "drop_lowest", "winner_takes_all", "threshold", "portfolio",
              "proportional")


class Eligibility(_Strict):
    """A rule that removes a team regardless of its score (e.g. an originality criterion).

    Each funded team fails it with probability ``p_fail`` (``p_fail_by_team`` overrides by
    team name), independently of its capability: the score cut is then applied to the teams
    that pass.
    """

    name: str = Field(min_length=1)
    name_ko: str | None = None
    p_fail: float = Field(0.0, ge=0, le=1)
    p_fail_by_team: dict[str, Annotated[float, Field(ge=0, le=1)]] = {}


class Stage(_Strict):
    """A development period followed by an evaluation and a cut."""

    name: str = Field(min_length=1)
    name_ko: str | None = None
    id: str | None = Field(None, description="short key used by observed results")
    date: str | None = None
    rule: Rule
    eligibility: Eligibility | None = None
    evaluation: Evaluation | None = None
    cost_per_team: float = Field(0.0, ge=0, description="paid to each team funded this period")
    growth_scale: float = Field(1.0, ge=0, description="period length / standard period")


# ------------------------------------------------------------------------------------ config


class TournamentConfig(_Strict):
    name: str = Field(min_length=1)
    title: str | None = None
    title_ko: str | None = None
    description: str = ""
    units: str = "capability units"
    cost_unit: str = "cost units"
    budget: float | None = Field(None, gt=0)
    benchmark_scale: BenchmarkScale = BenchmarkScale()
    score_scale: ScoreScale | None = None
    observed: str | None = Field(
        None, description="shipped or relative results file used by default (`--observed`)")
    persistent_bias_sd: float = Field(
        0.0, ge=0, description="team-specific evaluation bias that repeats at every stage"
    )
    team_defaults: TeamDefaults | None = None
    teams: list[Team] = Field(min_length=2)
    evaluation: Evaluation | None = None
    stages: list[Stage] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _apply_team_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("team_defaults"), dict):
            return data
        d = data["team_defaults"]
        teams = data.get("teams")
        if not isinstance(teams, list):
            return data
        merged = []
        for t in teams:
            if not isinstance(t, dict):
                merged.append(t)
                continue
            t = dict(t)
            if d.get("approach") is not None:
                t.setdefault("approach", d["approach"])
            for key in ("prior", "growth"):
                base = d.get(key)
                if isinstance(base, dict) and isinstance(t.get(key, {}), dict):
                    own = t.get(key, {})
                    base = dict(base)
                    if key == "prior" and "benchmark_scores" in own:
                        base.pop("mean", None)  # scores replace a default mean, not clash with it
                    t[key] = {**base, **own}
            merged.append(t)
        return {**data, "teams": merged}

    @field_validator("teams")
    @classmethod
    def _unique_names(cls, teams: list[Team]) -> list[Team]:
        names = [t.name for t in teams]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"duplicate team name(s): {', '.join(dup)}")
        return teams

    @model_validator(mode="after")
    def _check_stages(self) -> TournamentConfig:
        # Upper bound of teams still in before each stage: a rule that cannot cut anyone is
        # almost always a typo (k copied from another design), so say so.
        names = {t.name for t in self.teams}
        for i, t in enumerate(self.teams):
            if t.enters_at >= len(self.stages):
                raise ValueError(f"teams[{i}].enters_at = {t.enters_at}: there are only "
                                 f"{len(self.stages)} stage(s) (0-based index)")
        if not any(t.enters_at == 0 for t in self.teams):
            raise ValueError("no team is funded from the start (every `enters_at` > 0)")
        ids = [st.id for st in self.stages if st.id is not None]
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate stage id(s)")
        alive = 0
        for i, st in enumerate(self.stages):
            alive += sum(t.enters_at == i for t in self.teams)
            if st.eligibility is not None:
                unknown = sorted(set(st.eligibility.p_fail_by_team) - names)
                if unknown:
                    raise ValueError(f"stages[{i}].eligibility.p_fail_by_team: unknown team(s) "
                                     f"{', '.join(unknown)}")
            if st.evaluation is None and self.evaluation is None:
                raise ValueError(
                    f"stages[{i}] has no `evaluation` and there is no top-level `evaluation`"
                )
            r = st.rule
            if isinstance(r, TopK | Portfolio):
                if r.k >= alive:
                    raise ValueError(
                        f"stages[{i}].rule.k = {r.k} cuts nobody: at most {alive} team(s) are "
                        f"still in at this stage (use `type: keep_all` for an evaluation "
                        f"without a cut)"
                    )
                alive = r.k
            elif isinstance(r, WinnerTakesAll):
                alive = 1
            elif isinstance(r, DropLowest):
                if r.n >= alive:
                    raise ValueError(f"stages[{i}].rule.n = {r.n} would cut every one of the "
                                     f"{alive} team(s) still in")
                alive -= r.n
            elif isinstance(r, Threshold) and r.min_keep > alive:
                raise ValueError(
                    f"stages[{i}].rule.min_keep = {r.min_keep} exceeds the {alive} team(s) "
                    f"that can still be in"
                )
        return self

    def stage_index(self, key: str | int) -> int:
        """A stage by its ``id``, its ``name`` or its 1-based number."""
        for i, st in enumerate(self.stages):
            if key in (st.id, st.name) or (isinstance(key, int) and key == i + 1):
                return i
        known = ", ".join(st.id or st.name for st in self.stages)
        raise SpecError(f"unknown stage {key!r}; this config has: {known}")

    def team_index(self, name: str) -> int:
        for i, t in enumerate(self.teams):
            if name in (t.name, t.name_ko):
                return i
        raise SpecError(f"unknown team {name!r}; this config has: "
                        f"{', '.join(t.name for t in self.teams)}")

    def stage_evaluation(self, i: int) -> Evaluation:
        ev = self.stages[i].evaluation or self.evaluation
        assert ev is not None  # guaranteed by _check_stages
        return ev

    @property
    def display_title(self) -> str:
        return self.title or self.name

    def stage_path(self) -> str:
        """Compact description of the cuts, e.g. ``5→3→1``, ``5→≤4+1→≤3`` (``≤``: at most, as
        a threshold or an eligibility rule can remove more; ``+1``: an entrant joins)."""
        upper, exact = sum(t.enters_at == 0 for t in self.teams), True
        parts = [str(upper)]
        for i, st in enumerate(self.stages):
            r = st.rule
            new = sum(t.enters_at == i for t in self.teams) if i else 0
            if new:  # an entrant joins before this stage's evaluation
                upper += new
                parts[-1] += f"+{new}"
            if isinstance(r, DropLowest):
                upper -= r.n
            elif isinstance(r, TopK | Portfolio):
                upper = min(upper, r.k)
            elif isinstance(r, WinnerTakesAll):
                upper, exact = 1, True
            elif isinstance(r, Threshold | Proportional):
                exact = False
            if st.eligibility is not None and not isinstance(r, WinnerTakesAll):
                exact = False
            parts.append(str(upper) if exact else f"≤{upper}")
        return "→".join(parts)


# ------------------------------------------------------------------------------------ loading


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in RULE_TYPES or str(part).startswith("function-"):
            continue  # discriminator tags and validator names are noise to a user
        else:
            out += ("." if out else "") + str(part)
    return out


def validation_message(exc: ValidationError, source: str) -> str:
    """One line naming the first failing field, e.g. ``x.yaml: stages[1].rule.k: ...``."""
    errs = exc.errors(include_url=False)
    first = errs[0]
    msg = first["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    if first["type"] == "union_tag_invalid":
        msg = f"unknown rule type; use one of: {', '.join(RULE_TYPES)}"
    elif first["type"] == "union_tag_not_found":
        msg = f"missing `type`; use one of: {', '.join(RULE_TYPES)}"
    elif first["type"] == "extra_forbidden":
        msg = "unknown field (check its spelling)"
    more = f" (and {len(errs) - 1} more problem(s))" if len(errs) > 1 else ""
    if not first["loc"]:  # whole-config checks already name their field in the message
        return f"{source}: {msg}{more}"
    return f"{source}: {_format_loc(tuple(first['loc']))}: {msg}{more}"


DEFAULT_CONFIG = "sovereign-ai-2026"
# Old shipped names still accepted: `sovereign-ai` was the generic 5→3→1 config.
ALIASES = {"sovereign-ai": "sovereign-ai-generic"}


def shipped_names() -> list[str]:
    """Shipped tournament configs (designs files excluded)."""
    return sorted(p.stem for p in TOURNAMENTS_DIR.glob("*.yaml")
                  if not p.stem.startswith("designs"))


def resolve_path(name_or_path: str | Path) -> Path:
    """A file path, or the bare name of a shipped file (``sovereign-ai``)."""
    p = Path(name_or_path).expanduser()
    if p.is_file():
        return p
    stem = p.name.removesuffix('.yaml').removesuffix('.yml')
    shipped = TOURNAMENTS_DIR / f"{ALIASES.get(stem, stem)}.yaml"
    if p.parent == Path(".") and shipped.is_file():
        return shipped
    raise SpecError(
        f"tournament config {str(name_or_path)!r} not found: give a YAML path or one of the "
        f"shipped names ({', '.join(shipped_names())})"
    )


def parse_config(data: Any, source: str = "config") -> TournamentConfig:
    if not isinstance(data, dict):
        raise SpecError(f"{source}: expected a mapping of settings, got {type(data).__name__}")
    try:
        return TournamentConfig.model_validate(data)
    except ValidationError as exc:
        raise SpecError(validation_message(exc, source)) from None


def load_config(config: str | Path | dict[str, Any] | TournamentConfig) -> TournamentConfig:
    """Accept a model, a dict, a YAML path or a shipped name."""
    if isinstance(config, TournamentConfig):
        return config
    if isinstance(config, dict):
        return parse_config(config)
    path = resolve_path(config)
    return parse_config(read_yaml(path, "tournament config"), path.name)
