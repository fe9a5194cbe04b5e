"""aigap: diagnose a country's AI competitiveness gap with numbers and their uncertainty.

Everything a library user needs is importable from here, loaded on first use so that
``import aigap`` (and every CLI start) stays cheap::

    import aigap
    wh = aigap.Warehouse.open()
    res = aigap.build_index("aigap")
    aigap.gap(wh, "KOR", vs=["USA", "CHN"], indicators=["private_ai_investment"])
    aigap.simulate_tournament("sovereign-ai", n=100_000, seed=0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it
_EXPORTS = {
    # data and index
    "Warehouse": "aigap.data.warehouse",
    "pull": "aigap.data.warehouse",
    "IndexResult": "aigap.index",
    "PanelResult": "aigap.index",
    "Spec": "aigap.index",
    "build_index": "aigap.index",
    "load_spec": "aigap.index",
    # diagnosis
    "gap": "aigap.analysis.diagnosis.gap",
    "trend": "aigap.analysis.diagnosis.trend",
    "peer_rank": "aigap.analysis.diagnosis.peer_rank",
    "profile": "aigap.analysis.diagnosis.profile",
    "decompose": "aigap.analysis.diagnosis.decompose",
    "check_claims": "aigap.analysis.diagnosis.claims",
    # uncertainty
    "robustness": "aigap.analysis.uncertainty.robustness",
    "sensitivity": "aigap.analysis.uncertainty.sensitivity",
    "acceptability": "aigap.analysis.uncertainty.acceptability",
    "rank_range": "aigap.analysis.uncertainty.rank_range",
    # targets
    "what_it_takes": "aigap.analysis.targets.what_it_takes",
    "scenario": "aigap.analysis.targets.scenarios",
    # strategy
    "frontier_lag": "aigap.analysis.strategy.frontier",
    "niche": "aigap.analysis.strategy.niche",
    "partners": "aigap.analysis.strategy.partners",
    # the tournament simulator
    "simulate_tournament": "aigap.tournament.simulate",
    "compare_designs": "aigap.tournament.simulate",
    "sweep_tournament": "aigap.tournament.simulate",
}

if TYPE_CHECKING:
    from aigap.analysis.diagnosis.claims import check_claims
    from aigap.analysis.diagnosis.decompose import decompose
    from aigap.analysis.diagnosis.gap import gap
    from aigap.analysis.diagnosis.peer_rank import peer_rank
    from aigap.analysis.diagnosis.profile import profile
    from aigap.analysis.diagnosis.trend import trend
    from aigap.analysis.strategy.frontier import frontier_lag
    from aigap.analysis.strategy.niche import niche
    from aigap.analysis.strategy.partners import partners
    from aigap.analysis.targets.scenarios import scenario
    from aigap.analysis.targets.what_it_takes import what_it_takes
    from aigap.analysis.uncertainty.acceptability import acceptability
    from aigap.analysis.uncertainty.rank_range import rank_range
    from aigap.analysis.uncertainty.robustness import robustness
    from aigap.analysis.uncertainty.sensitivity import sensitivity
    from aigap.data.warehouse import Warehouse, pull
    from aigap.index import IndexResult, PanelResult, Spec, build_index, load_spec
    from aigap.tournament.simulate import compare_designs, simulate_tournament, sweep_tournament

__all__ = [
    "IndexResult",
    "PanelResult",
    "Spec",
    "Warehouse",
    "__version__",
    "acceptability",
    "build_index",
    "check_claims",
    "compare_designs",
    "decompose",
    "frontier_lag",
    "gap",
    "load_spec",
    "niche",
    "partners",
    "peer_rank",
    "profile",
    "pull",
    "rank_range",
    "robustness",
    "scenario",
    "sensitivity",
    "simulate_tournament",
    "sweep_tournament",
    "trend",
    "what_it_takes",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'aigap' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
