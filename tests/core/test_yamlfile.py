"""The strict YAML reader: what plain YAML would read silently and wrongly is an error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from aigap.config import PACKAGE_DIR
from aigap.errors import SpecError
from aigap.yamlfile import MAX_DEPTH, parse_yaml, read_yaml


@pytest.mark.parametrize(("text", "needle"), [
    ("a: 1\na: 2\n", "key 'a' appears twice (first on line 1)"),
    ("claims:\n  - {id: x, id: y}\n", "key 'id' appears twice"),
    ("min: .nan\n", "number '.nan' is not finite"),
    ("min: -.inf\n", "is not finite"),
    ("min: 1e400\n", "number '1e400' is not finite"),
    ("weight: -1E+999\n", "is not finite"),
    ("n: " + "9" * 4300 + "\n", "integer with 4300 digits"),
    ("[" * 5000 + "]" * 5000, f"nested deeper than {MAX_DEPTH} levels"),
    ("a: [1, 2\n", "invalid YAML (line 2"),
    ("   \n", "is empty"),
])
def test_rejected_with_a_specific_message(text: str, needle: str) -> None:
    with pytest.raises(SpecError) as exc:
        parse_yaml(text, "claims.yaml")
    msg = str(exc.value)
    assert msg.startswith("claims.yaml: ") and needle in msg
    assert "\n" not in msg


def test_yaml12_exponent_floats_are_numbers() -> None:
    # PyYAML alone reads these as strings (YAML 1.1)
    assert yaml.safe_load("w: 1e3") == {"w": "1e3"}
    assert parse_yaml("w: 1e3\nv: 2.5E-2\nname: e3\ncode: 1e3x\n") == {
        "w": 1000.0, "v": 0.025, "name": "e3", "code": "1e3x"}


def test_every_shipped_file_reads_as_plain_yaml_does() -> None:
    files = sorted(PACKAGE_DIR.rglob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        assert read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path


def test_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(SpecError, match="not UTF-8 text"):
        read_yaml(bad, "spec")
    with pytest.raises(SpecError, match="cannot read spec"):
        read_yaml(tmp_path / "missing.yaml", "spec")


@given(st.dictionaries(st.text("abcdefgh", min_size=1, max_size=6),
                       st.one_of(st.integers(-10**9, 10**9),
                                 st.floats(allow_nan=False, allow_infinity=False, width=32),
                                 st.text("xyz ", max_size=5)), max_size=6))
def test_round_trip_of_finite_mappings(data: dict[str, object]) -> None:
    assert parse_yaml(yaml.safe_dump(data) if data else "{}") == data
