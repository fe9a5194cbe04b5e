"""One Excel workbook of an index build: data sets, weights, treatment log, ranks, audit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from aigap.errors import AigapError
from aigap.index.audit import audit
from aigap.index.result import DATASET_ORDER, IndexResult
from aigap.report.builder import atomic_write

# Excel's limit on sheet names
_SHEET = 31


def workbook_sheets(res: IndexResult) -> dict[str, pd.DataFrame]:
    """The sheets, in order: each data set, weights, treatment log, ranks, audit tables."""
    fw = res.framework
    sheets: dict[str, pd.DataFrame] = {}
    for name in DATASET_ORDER:
        if name in res.datasets:
            sheets[name] = res.datasets[name].reset_index()
    sheets["Weights"] = pd.DataFrame({
        "code": [*fw.indicators, *fw.aggregates],
        "level": [fw.level[c] for c in [*fw.indicators, *fw.aggregates]],
        "parent": [fw.parent.get(c) for c in [*fw.indicators, *fw.aggregates]],
        "weight": [fw.weight.get(c) for c in [*fw.indicators, *fw.aggregates]],
        "name": [fw.names.get(c, c) for c in [*fw.indicators, *fw.aggregates]],
    })
    if res.treatment_log is not None and len(res.treatment_log):
        sheets["Treatment log"] = res.treatment_log.reset_index(drop=True)
    sheets["Ranks"] = res.ranks.reset_index()
    for name, frame in audit(res).tables().items():
        sheets[f"Audit {name}"] = frame.reset_index()
    return sheets


def export_xlsx(res: IndexResult, path: str | Path) -> Path:
    """Write :func:`workbook_sheets` to ``path`` (.xlsx) atomically; returns the path."""
    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        raise AigapError(f"export: {str(p)!r} must end in .xlsx")
    if not p.parent.exists():
        raise AigapError(f"export: folder {str(p.parent)!r} does not exist")

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, frame in workbook_sheets(res).items():
                frame.to_excel(xw, sheet_name=name[:_SHEET], index=False)

    atomic_write(p, write)
    return p
