"""The seat-change chart of a council story: seats won by each party at this election
beside the seats the same party won when these seats were last fought, in party colours,
with a text alternative that says the same thing in words.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global state, safe in
the app's threads) as SVG for the review app and PNG for the CMS's featured image (WordPress
refuses SVG uploads). Output is deterministic: the same facts give the same bytes.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib import rcParams
from matplotlib.figure import Figure
from matplotlib.patches import Patch

rcParams["svg.hashsalt"] = "results-night-writer"  # stable element ids: the same chart, the same bytes

MAX_PARTIES = 8  # the rest are drawn together as "Others"
MIME = {"svg": "image/svg+xml", "png": "image/png"}


@dataclass(frozen=True)
class Bar:
    party: str
    name: str
    colour: str
    now: int
    before: int | None


@dataclass(frozen=True)
class ChartData:
    council: str
    council_name: str
    year: str
    baseline_label: str | None  # "2018", or None with no like-for-like comparison
    bars: tuple[Bar, ...]

    @property
    def alt(self) -> str:
        """The chart in words (its accessible text alternative)."""
        def one(b: Bar) -> str:
            if b.before is None or self.baseline_label is None:
                return f"{b.name} {b.now}"
            return f"{b.name} {b.now} ({b.before} in {self.baseline_label})"
        parts = ", ".join(one(b) for b in self.bars)
        what = (f"Seats won in {self.council_name} in {self.year}, with the seats won when they were "
                f"last fought in {self.baseline_label}" if self.baseline_label
                else f"Seats won in {self.council_name} in {self.year}")
        return f"Bar chart. {what}: {parts}."


def chart_data(facts: Mapping[str, Any], names, year: str) -> ChartData | None:
    """The chart's data from a council event's facts (None: nothing to chart)."""
    won = dict(facts.get("seats_won") or {})
    if not won:
        return None
    comparable = bool(facts.get("comparable")) and facts.get("baseline_seats_won") is not None
    before = dict(facts.get("baseline_seats_won") or {}) if comparable else {}
    parties = sorted(set(won) | set(before), key=lambda p: (-won.get(p, 0), -before.get(p, 0), p))
    shown, rest = parties[:MAX_PARTIES], parties[MAX_PARTIES:]
    bars = [Bar(p, _short(names, p), _colour(names, p), int(won.get(p, 0)),
                int(before.get(p, 0)) if comparable else None) for p in shown]
    if rest:
        bars.append(Bar("Other", "Others", _colour(names, "Other"), sum(int(won.get(p, 0)) for p in rest),
                        sum(int(before.get(p, 0)) for p in rest) if comparable else None))
    label = str(facts.get("baseline_label") or "") or None if comparable else None
    return ChartData(str(facts.get("council") or ""), str(facts.get("council_name") or facts.get("council") or ""),
                     year, label, tuple(bars))


def _short(names, code: str) -> str:
    try:
        later = names.get(code).later
    except Exception:  # noqa: BLE001 - an unlisted party is shown by its code
        return code
    return later[4:] if later.startswith("the ") else later[:1].upper() + later[1:]


def _colour(names, code: str) -> str:
    try:
        return names.colour(code)
    except Exception:  # noqa: BLE001
        return "#CCCCCC"


#: PNGs are drawn at twice the size they are shown at (640 x 360 CSS pixels), for retina screens.
PNG_SCALE = 2
MAX_LABEL_LINES = 3


def tick_label(name: str, n_bars: int) -> str:
    """A party's name as an axis label that fits under its bar beside the others: wrapped at
    word boundaries to a width that shrinks with the number of bars, at most three lines,
    the last shortened with an ellipsis if the name is longer still."""
    width = max(10, min(20, 80 // max(n_bars, 1)))
    lines = textwrap.wrap(name, width, break_long_words=False, break_on_hyphens=True) or [name]
    lines = [ln if len(ln) <= width + 3 else ln[:width].rstrip() + "\u2026" for ln in lines]  # no overlong word
    if len(lines) > MAX_LABEL_LINES:
        last = " ".join(lines[MAX_LABEL_LINES - 1:])
        lines = lines[:MAX_LABEL_LINES - 1] + [last[:width - 1].rstrip() + "\u2026"]
    return "\n".join(lines)


def render(data: ChartData, fmt: str = "svg") -> bytes:
    """The chart as SVG or PNG bytes (PNG at twice the shown size: ``PNG_SCALE``)."""
    if fmt not in MIME:
        raise ValueError(f"chart format {fmt!r}: expected svg or png")
    fig = figure(data, fmt)
    out = io.BytesIO()
    if fmt == "svg":
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    else:
        fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def figure(data: ChartData, fmt: str = "svg") -> Figure:
    """The chart's matplotlib figure, laid out (``render`` saves it)."""
    fig = Figure(figsize=(6.4, 3.6), dpi=100 * (PNG_SCALE if fmt == "png" else 1))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    n = len(data.bars)
    xs = list(range(n))
    width = 0.38
    compare = data.baseline_label is not None
    if compare:
        ax.bar([x - width / 2 for x in xs], [b.before or 0 for b in data.bars], width,
               color=[b.colour for b in data.bars], alpha=0.35, label=data.baseline_label)
    bars = ax.bar([x + (width / 2 if compare else 0) for x in xs], [b.now for b in data.bars],
                  width if compare else 0.6, color=[b.colour for b in data.bars], label=data.year)
    ax.bar_label(bars, padding=2, fontsize=9)
    ax.set_xticks(xs, [tick_label(b.name, n) for b in data.bars], fontsize=9 if n <= 6 else 8)
    ax.set_ylabel("Seats won")
    ax.set_title(f"{data.council_name}: seats won" + (f", {data.year} and {data.baseline_label}" if compare else ""),
                 fontsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if compare:  # each swatch in the bars' own colours: the paler for then, the full for now
        from matplotlib.legend_handler import HandlerTuple
        colours = list(dict.fromkeys(b.colour for b in data.bars))
        then = tuple(Patch(facecolor=c, alpha=0.35, linewidth=0) for c in colours)
        now = tuple(Patch(facecolor=c, linewidth=0) for c in colours)
        ax.legend(handles=[then, now], labels=[data.baseline_label, data.year], frameon=False, fontsize=9,
                  handler_map={tuple: HandlerTuple(ndivide=None, pad=0)},
                  handlelength=max(2.0, 0.6 * len(colours)))
    fig.tight_layout()
    _fit_tick_labels(fig, ax)
    return fig


def tick_labels_overlap(fig, ax, gap: float = 2.0) -> bool:
    """Whether any two neighbouring axis labels overlap (or come within ``gap`` pixels)."""
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    return any(a.x1 + gap > b.x0 for a, b in zip(boxes, boxes[1:]))


def _fit_tick_labels(fig, ax) -> None:
    """Long party names: the wrapped labels are made smaller until neighbours no longer
    touch, and at the smallest size turned to a slant as a last resort."""
    size = ax.get_xticklabels()[0].get_fontsize() if ax.get_xticklabels() else 9
    while tick_labels_overlap(fig, ax) and size > 6.5:
        size -= 0.5
        for t in ax.get_xticklabels():
            t.set_fontsize(size)
        fig.tight_layout()
    if tick_labels_overlap(fig, ax):
        for t in ax.get_xticklabels():
            t.set_rotation(30)
            t.set_horizontalalignment("right")
        fig.tight_layout()


def story_chart(story, names, year: str, fmt: str = "svg") -> tuple[bytes, str] | None:
    """``(bytes, alt text)`` for a council story (from its leading council event's facts),
    or None for stories without one."""
    if getattr(story, "kind", None) != "council":
        return None
    facts = next((e for e in story.evidence if e.get("scope") == "council" and e.get("seats_won")), None)
    if facts is None:
        return None
    data = chart_data(facts, names, year)
    if data is None:
        return None
    return render(data, fmt), data.alt
