"""`aigap robustness --structural` and `aigap sensitivity --structural` on the real
warehouse: they run and name the dimension that moves the rank most."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aigap.cli import app
from aigap.i18n import t

runner = CliRunner()


@pytest.fixture(autouse=True)
def _db(monkeypatch: pytest.MonkeyPatch, real_db: Path) -> None:
    monkeypatch.setenv("AIGAP_DB", str(real_db))


def test_robustness_structural_names_the_dimensions() -> None:
    res = runner.invoke(app, ["robustness", "--spec", "aigap", "--structural", "-n", "1024",
                              "--unit", "KOR", "--lang", "en"])
    assert res.exit_code == 0, res.stdout + res.stderr
    out = res.stdout
    assert "default+structural" in out
    for key in ("weights", "methods", "indicator_set", "pillar_set", "series", "edition"):
        assert t(f"structural.dimension.{key}", "en") in out, key
    assert "moves KOR most" in out


def test_sensitivity_structural_in_korean() -> None:
    res = runner.invoke(app, ["sensitivity", "--spec", "aigap", "--structural", "-n", "64",
                              "--unit", "KOR", "--lang", "ko"])
    assert res.exit_code == 0, res.stdout + res.stderr
    assert "차원별 Sobol 민감도 — KOR" in res.stdout
    assert "leave out (level 2)" in res.stdout  # the factor table lists each factor too
    assert "KOR 기준으로 가장 영향이 큰 차원은" in res.stdout
