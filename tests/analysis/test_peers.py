"""The one peer convention: dated members, the unit not its own peer, median and percentile."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aigap.analysis.diagnosis.peers import (
    PeerGroupError,
    peer_group,
    peer_median,
    peer_medians,
    peers_of,
    percentile_among,
)
from aigap.data.countries import group_members


def test_members_are_dated_and_the_unit_is_left_out() -> None:
    label, now = peer_group("oecd")
    assert label == "OECD" and "KOR" in now and len(now) == len(group_members("OECD"))
    _, y2020 = peer_group("OECD", 2020)
    assert set(y2020) == set(group_members("OECD", 2020))
    # Costa Rica joined the OECD in 2021: not a peer of a 2020 comparison
    assert "CRI" not in y2020 and "CRI" in now
    assert "KOR" not in peers_of(now, "KOR") and len(peers_of(now, "KOR")) == len(now) - 1
    assert peer_group("KOR, jpn;DEU") == ("custom", ["DEU", "JPN", "KOR"])
    with pytest.raises(PeerGroupError, match="unknown peer group 'OCED'"):
        peer_group("OCED")


def test_peer_medians_leave_the_unit_out() -> None:
    scores = pd.DataFrame({"p": [100.0, 10.0, 20.0, 30.0, np.nan]},
                          index=["KOR", "AAA", "BBB", "CCC", "DDD"])
    med = peer_medians(scores, "KOR", ["KOR", "AAA", "BBB", "CCC", "DDD", "ZZZ"])
    assert med["p"] == 20.0  # with KOR it would be 25.0
    assert math.isnan(peer_median([np.nan]))
    assert peer_median([1.0, 2.0, 3.0, 4.0]) == 2.5


@given(st.floats(-1e6, 1e6), st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=40))
def test_percentile_rank_and_n_agree(value: float, peers: list[float]) -> None:
    pct, rank, n = percentile_among(value, peers)
    assert n == len(peers) + 1 and 1 <= rank <= n and 0.0 <= pct <= 100.0
    # rank "k of n" and the percentile count the same peers: beaten-or-tied + strictly better
    better = rank - 1
    assert round(pct * len(peers) / 100) == len(peers) - better
    # reversing the direction mirrors a value with no ties
    if len(set(peers)) == len(peers) and value not in peers:
        pct_r, rank_r, _ = percentile_among(value, peers, direction=-1)
        assert rank + rank_r == n + 1 and pct + pct_r == pytest.approx(100.0)
