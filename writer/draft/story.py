"""A drafted story and its renderings (plain text, safe HTML, Markdown, JSON)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from markupsafe import escape


# The disclosure line every story ends with: checked by an editor, or published by a rule
# before anyone has (the drafter, the publisher and the fact-check all use these).
CHECKED_DISCLOSURE = "This report was produced automatically from official results and checked by an editor."
AUTO_DISCLOSURE = ("This report was produced automatically from official results and has not yet "
                   "been checked by an editor.")
DISCLOSURES = (CHECKED_DISCLOSURE, AUTO_DISCLOSURE)


@dataclass(frozen=True)
class SeatRow:
    party: str  # code
    name: str  # as copy names it
    seats: int
    change: int | None  # None where there is no like-for-like comparison


@dataclass(frozen=True)
class Story:
    id: str  # "council:barnet", "ward:<ballot id>", "group:london", "roundup:<election id>"
    kind: str  # council, ward, group, roundup
    version: int
    status: str  # "draft" or "retracted"
    headline: str
    lede: str
    body: tuple[str, ...]
    table: tuple[SeatRow, ...]
    disclosure: str
    events: tuple[str, ...]  # ids of the event records it was drafted from
    council: str | None
    region: str | None
    groups: tuple[str, ...]
    score: float
    provisional: bool
    template: str  # family/phrasing used, e.g. "council-gain/2"
    at: str  # night time of the latest event behind it
    evidence: tuple[dict[str, Any], ...] = field(default=(), repr=False)  # the facts it may state
    table_caption: str = ""  # what the table counts, where its heading alone would not say

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return (self.lede, *self.body)

    @property
    def snippet(self) -> str:
        """One or two sentences for a feed: the lede."""
        return self.lede

    @property
    def opening(self) -> str:
        """The first words of the lede, which consecutive stories must not share."""
        return " ".join(self.lede.split()[:3]).lower()

    def text(self, *, with_disclosure: bool = True) -> str:
        """Plain text: headline, paragraphs, table, disclosure (what the fact-check reads)."""
        parts = [self.headline, *self.paragraphs]
        if self.table:
            if self.table_caption:
                parts.append(self.table_caption)
            parts.append(table_text(self.table))
        if with_disclosure:
            parts.append(self.disclosure)
        return "\n\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["evidence"] = list(self.evidence)
        return out


# Frozen dataclasses set each field with object.__setattr__ in __init__; the drafter makes
# a story and a few seat rows for every draft, so it builds them directly instead: the same
# instance dict, in field order, as __init__ would leave (neither class has __post_init__).
_new = object.__new__
_STORY_FIELDS = tuple(f.name for f in fields(Story))
assert not hasattr(Story, "__post_init__") and not hasattr(SeatRow, "__post_init__")


def new_row(party: str, name: str, seats: int, change: int | None) -> SeatRow:
    """``SeatRow(party, name, seats, change)``, made faster."""
    row = _new(SeatRow)
    row.__dict__.update(party=party, name=name, seats=seats, change=change)
    return row


def new_story(**values: Any) -> Story:
    """``Story(**values)`` given every field (``evidence`` too) in field order, made faster."""
    if tuple(values) != _STORY_FIELDS:
        return Story(**values)
    story = _new(Story)
    story.__dict__.update(values)
    return story


def _change(n: int | None) -> str:
    return "" if n is None else (f"{n:+,d}" if n else "0")


def _seats(n: int) -> str:
    """A table's figure with thousands separators, as in the text ("2,268")."""
    return f"{n:,}"


def table_text(rows: tuple[SeatRow, ...]) -> str:
    width = max(len(r.name) for r in rows)
    lines = [f"{'Party':<{width}}  {'Won':>6}  Change"]  # seats won at this election
    lines += [f"{r.name:<{width}}  {_seats(r.seats):>6}  {_change(r.change):>6}" for r in rows]
    return "\n".join(lines)


def to_text(story: Story) -> str:
    return story.text()


def to_html(story: Story) -> str:
    """Safe HTML: everything from the data is escaped."""
    out = [f"<article class=\"story story-{escape(story.kind)}\" data-id=\"{escape(story.id)}\">",
           f"<h1>{escape(story.headline)}</h1>"]
    if story.provisional:
        out.append("<p class=\"provisional\">Provisional: counting continues.</p>")
    out += [f"<p>{escape(p)}</p>" for p in story.paragraphs]
    if story.table:
        out.append("<table class=\"seats\">")
        if story.table_caption:
            out.append(f"<caption>{escape(story.table_caption)}</caption>")
        out.append("<thead><tr><th>Party</th><th>Won</th><th>Change</th></tr></thead><tbody>")
        out += [f"<tr><td>{escape(r.name)}</td><td>{_seats(r.seats)}</td><td>{escape(_change(r.change))}</td></tr>"
                for r in story.table]
        out.append("</tbody></table>")
    out.append(f"<p class=\"disclosure\"><em>{escape(story.disclosure)}</em></p>")
    out.append("</article>")
    return "\n".join(out)


_MD_INLINE = re.compile(r"([\\`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)([#+\-]|\d+\.)(?=\s)")


def md_escape(text: str) -> str:
    """Escape what Markdown would read as markup: emphasis, code, links, HTML, table pipes,
    and headings or list markers at the start of a line."""
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def to_markdown(story: Story) -> str:
    out = [f"# {md_escape(story.headline)}", ""]
    for p in story.paragraphs:
        out += [md_escape(p), ""]
    if story.table:
        if story.table_caption:
            out += [md_escape(story.table_caption), ""]
        out += ["| Party | Won | Change |", "| --- | ---: | ---: |"]
        out += [f"| {md_escape(r.name)} | {_seats(r.seats)} | {md_escape(_change(r.change))} |" for r in story.table]
        out.append("")
    out.append(f"*{md_escape(story.disclosure)}*")
    return "\n".join(out)


def to_json(story: Story) -> str:
    return json.dumps(story.to_dict(), ensure_ascii=False, sort_keys=True)


#: Each output format's renderer (the WordPress post body, block markup, is publishing's:
#: :func:`writer.publish.blocks.story_blocks`).
RENDERERS = {"text": to_text, "html": to_html, "md": to_markdown, "json": to_json}
