"""Charts as Vega-Lite specifications (built with altair), one spec per chart for the page and
for the PDF: `svg(spec)` renders it with vl-convert on the server, so the browser gets the same
picture as the report and no script. Every chart on a page has a table beside it with the same
figures (the chart itself is hidden from screen readers).

The builders take plain rows (already anonymity-checked by the engine: a suppressed figure comes
as NaN and is left out of the chart, and the table says why).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence

import altair as alt
import vl_convert
from django.utils.html import mark_safe
from django.utils.translation import get_language

# Det Fælles Designsystem colours: primary blue and a warm contrast, both AA on white.
STAFF_COLOUR = "#0059b3"
LEADER_COLOUR = "#b35900"
NEED_COLOUR = "#1a1a1a"
FONT = "IBM Plex Sans, Arial, sans-serif"
WIDTH = 560


def _config(chart: alt.Chart) -> dict:
    return (
        chart.configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=12, labelLimit=260)
        .configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom")
        .configure_view(stroke=None)
        .to_dict()
    )


def gap_bars(rows: Sequence[dict], *, title_gap: str, title_competency: str) -> dict:
    """Horizontal bars of the mean gap per competency. rows: {"label", "gap"}."""
    values = [row for row in rows if not math.isnan(row["gap"])]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar(color=STAFF_COLOUR)
        .encode(
            x=alt.X("gap:Q", title=title_gap, scale=alt.Scale(domain=[0, 2])),
            y=alt.Y("label:N", title=title_competency, sort=None),
        )
        .properties(width=WIDTH - 260, height=max(len(values), 1) * 20)
    )
    return _config(chart)


def comparison_dots(
    rows: Sequence[dict], *, title_level: str, title_competency: str, title_unit: str
) -> dict:
    """The mean level of a few units (e.g. a library, its municipality, Denmark) per
    competency, as dots on one line per competency. rows: {"label", "unit", "mean"}."""
    values = [row for row in rows if not math.isnan(row["mean"])]
    units = list(dict.fromkeys(row["unit"] for row in rows))
    palette = [STAFF_COLOUR, LEADER_COLOUR, NEED_COLOUR][: len(units)]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_point(filled=True, size=80)
        .encode(
            x=alt.X("mean:Q", title=title_level, scale=alt.Scale(zero=True)),
            y=alt.Y("label:N", title=title_competency, sort=None),
            color=alt.Color(
                "unit:N", title=title_unit, scale=alt.Scale(domain=units, range=palette)
            ),
            shape=alt.Shape("unit:N", title=title_unit, scale=alt.Scale(domain=units)),
        )
        .properties(width=WIDTH - 260, height=max(len({r["label"] for r in values}), 1) * 20)
    )
    return _config(chart)


def barrier_bars(rows: Sequence[dict], *, title_share: str, title_group: str) -> dict:
    """Staff and leaders side by side: the share agreeing per barrier statement.
    rows: {"label", "group", "share"}, share in 0..1."""
    values = [row for row in rows if not math.isnan(row["share"])]
    groups = list(dict.fromkeys(row["group"] for row in rows))
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                title=title_share,
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            y=alt.Y("group:N", title=None, axis=None, sort=groups),
            row=alt.Row(
                "label:N",
                title=None,
                sort=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=400),
            ),
            color=alt.Color(
                "group:N",
                title=title_group,
                scale=alt.Scale(domain=groups, range=[STAFF_COLOUR, LEADER_COLOUR]),
            ),
        )
        .properties(width=WIDTH - 200, height=28)
    )
    return _config(chart)


# d3-format locales: decimal commas in Danish.
FORMAT_LOCALES = {"da": "da-DK", "en": "en-US"}


def svg(spec: dict) -> str:
    """The chart as an SVG document in the active language's number format, marked safe for
    templates and hidden from screen readers (its table says the same)."""
    locale = FORMAT_LOCALES.get(get_language() or "", "en-US")
    return mark_safe(_svg(json.dumps(spec, sort_keys=True), locale))  # noqa: S308 – vl-convert


@functools.lru_cache(maxsize=256)
def _svg(spec_json: str, locale: str) -> str:
    # No base URL is allowed: a chart's data is inline, and nothing is fetched at run time.
    drawing = vl_convert.vegalite_to_svg(
        json.loads(spec_json), format_locale=locale, allowed_base_urls=[]
    )
    # Decorative for assistive technology: the table next to it carries the figures.
    return drawing.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
