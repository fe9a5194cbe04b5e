"""Every kind of bad input gets a specific error naming the place, and the store is unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from aigap.data.warehouse import pull
from aigap.errors import DataFormatError, UnknownCountryError
from factories import (
    DATASETS,
    OWID_HEADER,
    OWID_INV,
    TORTOISE,
    TORTOISE_HEADER,
    TORTOISE_ROWS,
    WB_GDP,
    WB_HEADER,
    WB_ROWS,
    assert_same,
    make_mirror,
    snapshot,
    write,
)

Corrupt = Callable[[Path], None]


def missing_column(root: Path) -> None:
    write(root, OWID_INV, "Entity,Code,Year", ["South Korea,KOR,2023"])


def renamed_column(root: Path) -> None:
    write(root, TORTOISE, TORTOISE_HEADER.replace("Talent", "Talent score"), TORTOISE_ROWS)


def non_numeric(root: Path) -> None:
    write(root, WB_GDP, WB_HEADER, [*WB_ROWS, "JPN,2023,Japan,n/a,NY.GDP.MKTP.CD,"
                                               "gdp_current_usd"])


def unknown_countries(root: Path) -> None:
    write(root, TORTOISE, TORTOISE_HEADER,
          [*TORTOISE_ROWS, TORTOISE_ROWS[0].replace("United States of America", "Atlantis"),
           TORTOISE_ROWS[0].replace("United States of America", "Wakanda")])


def duplicate_keys(root: Path) -> None:
    write(root, OWID_INV, OWID_HEADER, ["South Korea,KOR,2023,1", "South Korea,KOR,2023,2"])


def mixed_units(root: Path) -> None:
    # a constant-LCU GDP row inside the current-US$ file
    write(root, WB_GDP, WB_HEADER, [*WB_ROWS, 'KOR,2022,"Korea, Rep.",2.1e15,NY.GDP.MKTP.KN,'
                                               'gdp_current_usd'])


def empty_file(root: Path) -> None:
    (root / OWID_INV).write_text("")


def header_only(root: Path) -> None:
    (root / OWID_INV).write_text(OWID_HEADER + "\n")


def wrong_encoding(root: Path) -> None:
    (root / TORTOISE).write_bytes(
        (TORTOISE_HEADER + "\n" + "\n".join(TORTOISE_ROWS) + "\nCuraçao,1,1,1,1,1,1,1,1,x,y,z,w\n")
        .encode("latin-1")
    )


def missing_file(root: Path) -> None:
    (root / WB_GDP).unlink()


CASES: list[tuple[str, Corrupt, type[Exception], str, list[str]]] = [
    # (name, corruption, error type, file it names, fragments the message must hold)
    ("missing column", missing_column, DataFormatError, OWID_INV,
     ["missing column(s) ['Estimated investment - Field: All']"]),
    ("renamed column", renamed_column, DataFormatError, TORTOISE,
     ["missing column(s) ['Talent']", "Talent score"]),
    ("non-numeric", non_numeric, DataFormatError, WB_GDP,
     ["row 5", "column 'value'", "non-numeric value 'n/a'"]),
    ("unknown countries", unknown_countries, UnknownCountryError, TORTOISE,
     ["'Atlantis' (row 5)", "'Wakanda' (row 6)"]),
    ("duplicate keys", duplicate_keys, DataFormatError, OWID_INV,
     ["duplicate key (private_ai_investment, KOR, 2023)", "rows 2, 3"]),
    ("mixed units", mixed_units, DataFormatError, WB_GDP,
     ["row 5", "column 'wb_indicator'", "NY.GDP.MKTP.KN"]),
    ("empty file", empty_file, DataFormatError, OWID_INV, ["file is empty"]),
    ("header only", header_only, DataFormatError, OWID_INV, ["no data rows"]),
    ("wrong encoding", wrong_encoding, DataFormatError, TORTOISE,
     ["not valid utf-8", "row 5"]),
    ("missing file", missing_file, DataFormatError, WB_GDP, ["not found"]),
]


@pytest.mark.parametrize(("name", "corrupt", "etype", "file", "fragments"), CASES,
                         ids=[c[0] for c in CASES])
def test_bad_input_is_named_and_store_unchanged(
    tmp_path: Path, name: str, corrupt: Corrupt, etype: type[Exception], file: str,
    fragments: list[str],
) -> None:
    mirror = make_mirror(tmp_path / "mirror")
    db = tmp_path / "wh.duckdb"
    pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    before = snapshot(db)
    corrupt(mirror)
    with pytest.raises(etype) as err:
        pull(db_path=db, data_dir=mirror, datasets=DATASETS)
    msg = str(err.value)
    assert file in msg
    for frag in fragments:
        assert frag in msg, (frag, msg)
    assert_same(before, snapshot(db))


def test_unknown_countries_are_listed_not_dropped(tmp_path: Path) -> None:
    mirror = make_mirror(tmp_path / "mirror")
    unknown_countries(mirror)
    with pytest.raises(UnknownCountryError) as err:
        pull(db_path=tmp_path / "wh.duckdb", data_dir=mirror, datasets=DATASETS)
    assert set(err.value.names) == {"Atlantis", "Wakanda"}
    assert not (tmp_path / "wh.duckdb").exists()  # a first pull that fails creates nothing
