"""A story as WordPress block markup (the block editor's serialization format), so that a
post opens in the editor as paragraph, heading, table and image blocks rather than one
Classic block of raw HTML.

    <!-- wp:paragraph -->
    <p>Labour has taken ...</p>
    <!-- /wp:paragraph -->

What this module makes is what the WordPress adapter sends as the post's ``content`` and what
``writer draft --format wordpress`` prints. Pure: no network, no clock.

House typography (issue 19, item 12): apostrophes are curly (’) and never the ``&#39;``
entity; only ``&``, ``<`` and ``>`` are escaped in text (and ``"`` in attributes); the seats
table uses a true minus sign (U+2212) for a fall and thousands separators ("2,268").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from writer.model import slugify

MINUS = "\u2212"
WITHDRAWN = "This story has been withdrawn: the result it reported no longer stands."
#: Retina: the chart PNG is drawn at twice the size it is shown at.
CHART_WIDTH, CHART_HEIGHT = 640, 360


@dataclass(frozen=True)
class Media:
    """The chart as uploaded (or to be uploaded): its id (None before upload) and URL."""

    id: int | None
    url: str
    alt: str
    caption: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


# -- typography -----------------------------------------------------------------------------
_OPEN_QUOTE = re.compile(r"(^|[\s(\[\u2014\u2013-])'(?=\w)")


def curly(text: str) -> str:
    """Straight apostrophes and single quotes made typographic: ’ inside and after words,
    ‘ opening a quotation (after a space or bracket, before a word)."""
    text = _OPEN_QUOTE.sub(lambda m: m.group(1) + "\u2018", text)
    return text.replace("'", "\u2019")


def text(value: Any) -> str:
    """Body text, escaped for HTML without entities a reader never needs (no ``&#39;``)."""
    s = curly(str(value))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(value: Any) -> str:
    return text(value).replace('"', "&quot;")


def change(n: int | None) -> str:
    """A change in seats: +16, −16 (true minus sign), 0, or blank without a comparison."""
    if n is None:
        return ""
    if n == 0:
        return "0"
    return f"+{n:,d}" if n > 0 else f"{MINUS}{-n:,d}"


def seats(n: int) -> str:
    return f"{n:,d}"


# -- blocks ---------------------------------------------------------------------------------
def _block(name: str, inner: str, attrs: dict[str, Any] | None = None) -> str:
    # attributes as the block editor serializes them: JSON, with "--", "<", ">" and "&"
    # escaped so that the comment cannot be closed or misread by HTML
    a = ""
    if attrs:
        js = json.dumps(attrs, ensure_ascii=False, separators=(",", ":"))
        js = (js.replace("--", "\\u002d\\u002d").replace("<", "\\u003c").replace(">", "\\u003e")
              .replace("&", "\\u0026").replace('\\"', "\\u0022"))
        a = " " + js
    return f"<!-- wp:{name}{a} -->\n{inner}\n<!-- /wp:{name} -->"


def paragraph(html: str, class_name: str | None = None) -> str:
    if class_name:
        return _block("paragraph", f'<p class="{attr(class_name)}">{html}</p>', {"className": class_name})
    return _block("paragraph", f"<p>{html}</p>")


def heading(html: str, level: int = 2) -> str:
    return _block("heading", f"<h{level}>{html}</h{level}>", None if level == 2 else {"level": level})


def table(rows, caption: str = "") -> str:
    head = "<thead><tr><th>Party</th><th>Won</th><th>Change</th></tr></thead>"
    body = "".join(f"<tr><td>{text(r.name)}</td><td>{seats(r.seats)}</td><td>{change(r.change)}</td></tr>"
                   for r in rows)
    cap = f'<figcaption class="wp-element-caption">{text(caption)}</figcaption>' if caption else ""
    return _block("table", f'<figure class="wp-block-table"><table>{head}<tbody>{body}</tbody></table>{cap}</figure>')


def image(media: Media) -> str:
    attrs: dict[str, Any] = {}
    cls = ""
    if media.id is not None:
        attrs["id"] = media.id
        cls = f' class="wp-image-{media.id}"'
    attrs.update({"width": media.width, "height": media.height, "sizeSlug": "full", "linkDestination": "none"})
    img = (f'<img src="{attr(media.url)}" alt="{attr(media.alt)}"{cls} width="{media.width}" '
           f'height="{media.height}"/>')
    cap = f'<figcaption class="wp-element-caption">{text(media.caption)}</figcaption>' if media.caption else ""
    return _block("image", f'<figure class="wp-block-image size-full is-resized">{img}{cap}</figure>', attrs)


def story_blocks(story, *, media: Media | None = None, correction: str | None = None) -> str:
    """The post body of a story (its headline is the post's title, not part of the body)."""
    out = []
    if correction:
        kind = "updated" if correction.startswith("Updated ") else "correction"
        out.append(paragraph(f"<strong>{text(correction)}</strong>", kind))
    if story.provisional:
        out.append(paragraph("Provisional: counting continues.", "provisional"))
    paras = list(story.paragraphs)
    if paras:
        out.append(paragraph(text(paras[0])))
    if media is not None:
        out.append(image(media))
    out += [paragraph(text(p)) for p in paras[1:]]
    if story.table:
        out.append(heading("Seats won"))
        out.append(table(story.table, story.table_caption))
    out.append(paragraph(f"<em>{text(story.disclosure)}</em>", "disclosure"))
    return "\n\n".join(out)


def withdrawal_blocks(story, notice: str = WITHDRAWN) -> str:
    """What a withdrawn story's post says instead of the story: the notice in house style,
    and what was withdrawn (its headline), so that the URL still answers."""
    return "\n\n".join([
        paragraph(f"<strong>{text(notice)}</strong>", "withdrawn"),
        paragraph(f"The report withdrawn was headlined \u201c{text(story.headline)}\u201d."),
    ])


# -- slugs and dates ------------------------------------------------------------------------
def readable_slug(story_id: str, year: str | int | None) -> str:
    """A readable slug made from the story's id alone, so the same for every version of it:
    "barnet-council-result-2022", "goldsmid-ward-ashcombe-result-2026" (a ward's ballot id is
    ``local.<council>.<ward>.<date>``), "london-results-2022", "local-elections-2022-story-of-the-night"."""
    kind, _, rest = story_id.partition(":")
    year = str(year or "")
    if kind == "council":
        words = f"{rest} council result {year}"
    elif kind == "ward":
        parts = rest.split(".")
        if len(parts) >= 4:
            words = f"{parts[2]} ward {parts[1]} result {year}"
        else:
            words = f"{rest} ward result {year}"
    elif kind == "group":
        words = f"{rest} results {year}"
    elif kind == "roundup":
        words = f"local elections {year} story of the night"
    else:
        words = f"{story_id} {year}"
    return slugify(words)[:190]


def date_gmt(story, now: datetime | None = None) -> str | None:
    """The declaration time in UTC as WordPress's ``date_gmt`` wants it, or None when it is
    unknown or still to come (WordPress would schedule a post dated in the future)."""
    try:
        at = datetime.fromisoformat(story.at)
    except (TypeError, ValueError):
        return None
    if at.tzinfo is None:
        return None
    at = at.astimezone(timezone.utc)
    if at > (now or datetime.now(timezone.utc)):
        return None
    return at.strftime("%Y-%m-%dT%H:%M:%S")


def chart_caption(data) -> str:
    """The chart's caption (what the bars are, in words)."""
    if data.baseline_label:
        return (f"Seats won by each party in {data.council_name} in {data.year} (full colour), beside the "
                f"seats it won when they were last fought in {data.baseline_label} (pale).")
    return f"Seats won by each party in {data.council_name} in {data.year}."


def chart_title(data) -> str:
    """The media library title of the chart, in words."""
    if data.baseline_label:
        return f"{data.council_name}: seats won in {data.year} and {data.baseline_label}"
    return f"{data.council_name}: seats won in {data.year}"
