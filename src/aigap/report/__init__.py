"""The self-contained bilingual HTML report of a country's AI diagnosis."""

from aigap.report.builder import build_report, write_report

__all__ = ["build_report", "write_report"]
