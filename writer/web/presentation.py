"""What the review app's pages show, beside the templates that use it (``templates/web/``):
times and numbers as editors read them, the fact-check's failures marked in the text, how one
version became the next (word by word, paragraph by paragraph), a queue row as the queue's
JSON carries it, and a story's page (:class:`StoryPage`: the desk's view of the story with
its evidence, marked text and history).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from writer.review.queue import QueueRow
from writer.review.workflow import PARAGRAPHS, Review, StoryView
from writer.web.evidence import Evidence

LONDON = ZoneInfo("Europe/London")
_TOKENS = re.compile(r"\s+|[^\s]+")


# -- times and numbers --------------------------------------------------------------------------
def night_time(iso: str | None) -> str:
    """``Fri 02:20`` from a night time as the events carry it."""
    if not iso:
        return ""
    try:
        t = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return t.strftime("%a %H:%M")


def uk_time(t: datetime | None) -> str:
    return t.astimezone(LONDON).strftime("%a %d %b %H:%M") if t else ""


def uk_input(t: datetime | None) -> str:
    """The value for a datetime-local input (ISO, UK time)."""
    return t.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M") if t else ""


def uk_date(t: datetime | None) -> str:
    """The date box's value: ``08/05/2026`` (UK time, day first)."""
    return t.astimezone(LONDON).strftime("%d/%m/%Y") if t else ""


def uk_clock(t: datetime | None) -> str:
    """The time box's value: ``03:15`` (UK time, 24-hour clock)."""
    return t.astimezone(LONDON).strftime("%H:%M") if t else ""


def thousands(value: Any) -> Any:
    """A whole number with thousands separators, as the copy prints it (``2,268``); anything
    else (None, text, a share such as 35.2) as it is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    return value


# -- the fact-check's marks and the diffs -------------------------------------------------------
def highlight(text: str, failures: Iterable[Mapping[str, Any]]) -> list[tuple[str, list[str]]]:
    """``text`` cut into (piece, reasons) where reasons are the failures covering the piece."""
    spans = []
    for f in failures:
        try:
            s, e = max(0, int(f["start"])), min(len(text), int(f["end"]))
        except (KeyError, TypeError, ValueError):
            continue
        if e <= s:  # a failure with no extent: mark the character it points at
            e = min(len(text), s + 1)
        if e > s:
            spans.append((s, e, str(f.get("reason", ""))))
    cuts = sorted({0, len(text), *[s for s, _, _ in spans], *[e for _, e, _ in spans]})
    out: list[tuple[str, list[str]]] = []
    for a, b in zip(cuts, cuts[1:]):
        reasons = [r for s, e, r in spans if s <= a and b <= e]
        piece = text[a:b]
        if out and out[-1][1] == reasons:
            out[-1] = (out[-1][0] + piece, reasons)
        else:
            out.append((piece, reasons))
    return out or [(text, [])]


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(op, text) pieces, op one of ``eq``, ``del``, ``ins``: how ``old`` became ``new``."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[tuple[str, str]] = []

    def put(op: str, piece: str) -> None:
        if not piece:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + piece)
        else:
            out.append((op, piece))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            put("eq", "".join(a[i1:i2]))
        else:
            put("del", "".join(a[i1:i2]))
            put("ins", "".join(b[j1:j2]))
    return out


def paragraph_diff(old: str, new: str) -> list[dict[str, Any]]:
    """How ``old`` became ``new``, paragraph by paragraph (paragraphs are separated by a blank
    line): each ``{"op": "same" | "changed" | "added" | "removed", "old", "new", "words"}``,
    where a changed paragraph carries its word diff (``word_diff``). A paragraph rewritten
    beyond recognition (under half its words kept) is shown removed, then added, rather than
    as a jumble of crossed-out words."""
    a = [p for p in PARAGRAPHS.split(old.strip()) if p] if old.strip() else []
    b = [p for p in PARAGRAPHS.split(new.strip()) if p] if new.strip() else []
    out: list[dict[str, Any]] = []

    def add(op: str, o: str = "", n: str = "", words=None) -> None:
        out.append({"op": op, "old": o, "new": n, "words": words or []})

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            for p in a[i1:i2]:
                add("same", p, p)
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            o = olds[k] if k < len(olds) else None
            n = news[k] if k < len(news) else None
            if o is None:
                add("added", "", n)
            elif n is None:
                add("removed", o, "")
            elif difflib.SequenceMatcher(None, o.split(), n.split(), autojunk=False).ratio() < 0.5:
                add("removed", o, "")
                add("added", "", n)
            else:
                add("changed", o, n, word_diff(o, n))
    return out


# -- the queue's JSON ---------------------------------------------------------------------------
def queue_row_json(row: QueueRow) -> dict[str, Any]:
    """A queue row as ``/queue.json`` carries it (times as ISO 8601 and as the queue shows them)."""
    d = asdict(row)
    d["types"] = list(row.types)
    d["unresolved"] = list(row.unresolved)
    d["publish_at"] = row.publish_at.isoformat() if row.publish_at else None
    d["time"] = night_time(row.at)
    return d


# -- a story's page -----------------------------------------------------------------------------
@dataclass
class StoryPage(StoryView):
    """The desk's view of a story (:class:`writer.review.workflow.StoryView`) with what its page
    shows besides: the text cut into pieces marked with the fact-check's failures
    (``segments``), the evidence, and the history (newest first, each version with the
    paragraph diff from the one before)."""

    segments: list[tuple[str, list[str]]] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, review: Review, story_id: str) -> "StoryPage":
        """The story's page on ``review``'s desk (evidence from its store, night and party names)."""
        view = review.story_view(story_id)
        history = []
        previous = ""
        for v in view.versions:
            history.append({**v, "diff": paragraph_diff(previous, v["text"]) if previous else [],
                            "first": not previous})
            previous = v["text"]
        history.reverse()  # newest first
        return cls(**{f.name: getattr(view, f.name) for f in fields(StoryView)},
                   segments=highlight(view.text, view.check.failures if view.check else ()),
                   evidence=Evidence(review.store, review.night, review.names).of(view.story),
                   history=history)


__all__ = ["LONDON", "StoryPage", "highlight", "night_time", "paragraph_diff", "queue_row_json",
           "thousands", "uk_clock", "uk_date", "uk_input", "uk_time", "word_diff"]
