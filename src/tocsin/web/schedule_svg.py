"""A timeline row as inline SVG: geometry in attributes (the page's CSP allows no inline style),
each bar a focusable image named by its ``<title>``. Written here rather than in the template
because a month of a busy schedule has a thousand bars, and a loop in Python writes them
several times faster than one in Jinja."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from tocsin.web.schedule_timeline import EXCLUDED, Row, Tick

LANE = 26
"""Pixels per lane of bars."""
LABELLED = 2.0
"""The narrowest bar (percent of the window) that shows its person's name: narrower, the name
would be cut to a letter or two; the title still names them."""


def row_height(row: Row) -> int:
    return row.lanes * LANE + 4


def row_bars(row: Row, ticks: list[Tick], now_x: float | None) -> Markup:
    """What goes inside the row's ``<svg>``: the day lines, the bars, the line of now."""
    parts = [f'<line class="tick" x1="{tick.x}%" x2="{tick.x}%" y1="0" y2="100%"></line>' for tick in ticks]
    for bar in row.bars:
        kind = "excluded" if bar.colour == EXCLUDED else f"person-{bar.colour}"
        label = (
            f'<text x="4" y="15">{escape(bar.label)}</text>' if bar.label and bar.width >= LABELLED else ""
        )
        parts.append(
            f'<svg class="bar {kind}" x="{bar.x}%" y="{bar.lane * LANE + 2}" width="{bar.width}%"'
            f' height="{LANE - 4}" role="img" tabindex="0"><title>{escape(bar.title)}</title>'
            f'<rect width="100%" height="100%"></rect>{label}</svg>'
        )
    if now_x is not None:
        parts.append(f'<line class="now" x1="{now_x}%" x2="{now_x}%" y1="0" y2="100%"></line>')
    return Markup("\n".join(parts))
