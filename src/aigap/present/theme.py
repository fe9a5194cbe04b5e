"""The look of every aigap figure: one Plotly template and one colour per country.

``pio.templates["aigap"]`` (registered on import) is ``plotly_white`` with a colour-blind-safe
colourway (Okabe & Ito 2008, the palette of Wong, *Nature Methods* 2011) and a font stack that
draws Hangul (Noto Sans CJK KR first, as the report's HTML and Debian's fonts-noto-cjk have it).
:data:`COUNTRY_COLOURS` is the one map from country (and the peer median, the leader) to colour,
used by the report, the dashboard and the figures of :mod:`aigap.present`.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE = "aigap"
FONT = "Noto Sans CJK KR, Noto Sans KR, Apple SD Gothic Neo, Malgun Gothic, Noto Sans, sans-serif"

# Okabe-Ito, without yellow (too light on white) and black (kept for text).
COLOURWAY = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#999999")

# The unit the page or report is about is drawn in HIGHLIGHT whatever its code.
HIGHLIGHT = "#d62728"
COUNTRY_COLOURS: dict[str, str] = {
    "KOR": HIGHLIGHT,
    "USA": "#0072B2",  # blue
    "CHN": "#E69F00",  # orange
    "JPN": "#009E73",
    "leader": "#009E73",  # bluish green: told apart from the red highlight by colour-blind eyes
    "median": "#7f7f7f",
    "other": "#9db3d6",  # bars of the units not singled out
}


def country_colour(code: str, highlight: str | None = None, default: str | None = None) -> str:
    """The colour of ``code`` (HIGHLIGHT for the unit in focus), else ``default``/grey."""
    if highlight is not None and code == highlight:
        return HIGHLIGHT
    return COUNTRY_COLOURS.get(code, default or COUNTRY_COLOURS["other"])


def _register() -> None:
    base = pio.templates["plotly_white"]
    tpl = go.layout.Template(base)
    tpl.layout.colorway = list(COLOURWAY)
    tpl.layout.font = {"family": FONT, "size": 13}
    tpl.layout.title = {"font": {"family": FONT, "size": 16}}
    pio.templates[TEMPLATE] = tpl


_register()
