"""``figure(result, lang)``: the chart of any analysis result, in one Plotly template."""

from __future__ import annotations

from functools import singledispatch
from typing import Any

from aigap.analysis.diagnosis.decompose import Decomposition
from aigap.analysis.diagnosis.gap import GapResult
from aigap.analysis.diagnosis.profile import Profile
from aigap.analysis.strategy.frontier import FrontierLagResult
from aigap.analysis.strategy.niche import NicheResult
from aigap.analysis.strategy.partners import PartnerResult
from aigap.analysis.uncertainty.acceptability import AcceptabilityResult
from aigap.analysis.uncertainty.robustness import RobustnessResult
from aigap.present import acceptability, diagnosis, strategy, tournament, uncertainty
from aigap.tournament.simulate import DesignComparison, SweepResult, TournamentResult


@singledispatch
def figure(result: Any, lang: str = "en", **options: Any) -> Any:
    """The Plotly figure of ``result`` with labels in ``lang`` (options: the figure's own)."""
    raise TypeError(f"no figure for {type(result).__name__}; register one in "
                    "aigap.present.figures")


figure.register(Decomposition)(diagnosis.decomposition_figure)
figure.register(Profile)(diagnosis.profile_figure)
figure.register(GapResult)(diagnosis.gap_figure)
figure.register(RobustnessResult)(uncertainty.rank_interval_figure)
figure.register(AcceptabilityResult)(acceptability.acceptability_figure)
figure.register(TournamentResult)(tournament.tournament_summary_figure)
figure.register(DesignComparison)(tournament.comparison_figure)
figure.register(SweepResult)(tournament.sweep_figure)
figure.register(FrontierLagResult)(strategy.frontier_figure)
figure.register(NicheResult)(strategy.niche_figure)
figure.register(PartnerResult)(strategy.partners_figure)
