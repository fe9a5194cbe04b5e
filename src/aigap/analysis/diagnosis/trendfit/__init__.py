"""The parts of :mod:`aigap.analysis.diagnosis.trend`: one series' fit and backtest
(:mod:`.fit`), the fit window rule (:mod:`.window`) and the convergence of two fits with the
verdict on a catch-up date (:mod:`.converge`)."""
