"""RSS 2.0 and Atom feeds of published stories: data in, bytes out (no clock, no I/O).

    items = [FeedItem(...), ...]                 # what is published, one per story version
    spec = FeedSpec(title="Barnet: local elections 2022", self_link=".../feeds/council/barnet.atom",
                    scope="council", key="barnet", election="local.2022-05-05")
    build_atom(spec, select(items, "council", "barnet"), base_url)   # -> bytes (UTF-8 XML)
    build_rss(spec, select(items, "council", "barnet"), base_url)

The XML is made by feedgen (lxml underneath), which escapes every text it is given; this
module only removes the characters XML 1.0 cannot carry at all (NUL and other control
characters, lone surrogates), so a hostile title is shown as text and the feed still parses.

Items
    A story has at most two items in a feed: the story itself (its latest published
    version) and, once it is retracted, the retraction, which is an item of its own with its
    own id (as Democracy Club's results feed does). ``select`` keeps the latest version of
    each (story, kind), so passing every published version is fine.

Stable ids
    ``item_id(election, story_id, kind)`` is a ``urn:uuid:`` (UUID 5) of the election, the
    story id and, for a retraction, the word "retraction": never the version, so a correction
    updates the same item (Atom ``id`` and RSS ``guid isPermaLink="false"`` are the same
    string). ``feed_id`` is derived the same way from the election and the feed's scope and key.

Corrections
    ``FeedItem.correction`` is shown as the first paragraph of the content (and the summary),
    and the Atom ``updated`` is the time the correcting version was published; ``published``
    (Atom) and ``pubDate`` (RSS) stay the story's first publication.

Order and limits
    Newest first (by ``updated``, then story id). At most ``NIGHT_LIMIT`` (100) items in the
    night's feed and ``SCOPED_LIMIT`` (50) in a council, region or group feed: enough for a
    reader polling every few minutes on the busiest hour of a night, small enough to serve
    fast. A council feed of the 2022 night fits whole (a council story and its notable wards).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import quote

from feedgen.feed import FeedGenerator
from markupsafe import escape

from writer.draft.story import to_html

NIGHT_LIMIT = 100
SCOPED_LIMIT = 50
SCOPES = ("night", "council", "region", "group")
KINDS = ("story", "retraction")
AUTHOR = "Results desk"
GENERATOR = "results-night-writer"
LANGUAGE = "en-GB"
AUTO_NOTE = "Published automatically under a newsroom rule, without an editor's review."
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NAMESPACE = uuid.UUID("6f1b3c2e-8a4d-5e7f-9b0c-1d2e3f405162")  # this writer's ids

# characters XML 1.0 cannot carry, even escaped
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class FeedItem:
    story_id: str  # stable id, e.g. "council:barnet"
    kind: str  # "story" or "retraction"
    version: int  # the stored version published
    title: str
    summary: str  # the snippet (the story's lede), plain text
    html: str  # the whole story as safe HTML (already escaped by writer.draft.story)
    council: str | None
    council_name: str | None
    region: str | None
    groups: tuple[str, ...]
    published: datetime  # first publication of this story (aware UTC)
    updated: datetime  # when this version was published (aware UTC)
    correction: str | None  # a visible correction line when this version corrects an earlier one
    auto: bool  # published by a rule without review (said so in the item)
    link: str | None = None  # where readers can read it (e.g. the CMS post); default: the feeds' story page

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"FeedItem.kind must be one of {KINDS}, not {self.kind!r}")
        for name in ("published", "updated"):
            value = getattr(self, name)
            if not isinstance(value, datetime) or value.tzinfo is None:
                raise ValueError(f"FeedItem.{name} must be an aware datetime, not {value!r}")


@dataclass(frozen=True)
class FeedSpec:
    title: str
    self_link: str  # the feed's own absolute URL
    scope: str  # night, council, region or group
    key: str | None  # the council slug, region slug or group id (None for the night)
    election: str  # the election id, e.g. "local.2022-05-05": part of every id
    description: str = ""  # RSS description / Atom subtitle (default: said from the title)
    alternate: str | None = None  # a page for people (default: the feeds index, <base>/feeds/)
    author: str = AUTHOR
    limit: int | None = None  # default NIGHT_LIMIT or SCOPED_LIMIT
    updated_if_empty: datetime = field(default=EPOCH)  # the feed's date while nothing is published

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"FeedSpec.scope must be one of {SCOPES}, not {self.scope!r}")
        if (self.scope == "night") != (self.key is None):
            raise ValueError("FeedSpec.key is None for the night's feed and required for any other")

    @property
    def item_limit(self) -> int:
        if self.limit is not None:
            return self.limit
        return NIGHT_LIMIT if self.scope == "night" else SCOPED_LIMIT


# -- helpers ------------------------------------------------------------------------------------
def slugify(name: str) -> str:
    """"Yorkshire and The Humber" -> "yorkshire-and-the-humber" (region keys in URLs)."""
    return _SLUG.sub("-", name.lower()).strip("-")


def night_names(night, groups=()) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(councils, regions, groups) slug -> name for a :class:`writer.model.Night` (or its
    setup) and the groups of ``rules/groups.yaml`` (:func:`writer.compare.tally.load_groups`)."""
    councils = {slug: c.name for slug, c in sorted(night.councils.items())}
    regions = {slugify(c.region): c.region for c in night.councils.values() if c.region}
    return councils, dict(sorted(regions.items())), {g.id: g.name for g in groups}


def xml_text(text: str | None) -> str:
    """``text`` without the characters XML cannot carry (feedgen escapes the rest)."""
    return _NOT_XML.sub("", text or "")


def item_id(election: str, story_id: str, kind: str = "story") -> str:
    """The item's Atom id and RSS guid: from the election and the story, never the version."""
    name = f"{election}/{story_id}" + ("/retraction" if kind == "retraction" else "")
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"


def feed_id(election: str, scope: str, key: str | None) -> str:
    name = f"{election}/feed/{scope}/{key or ''}"
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"


def story_link(base_url: str, story_id: str) -> str:
    """The public page the router serves for a story (``/feeds/story/<id>``)."""
    return f"{base_url.rstrip('/')}/feeds/story/{quote(story_id, safe='')}"


def item_link(item: FeedItem, base_url: str) -> str:
    link = item.link or story_link(base_url, item.story_id)
    return link + "#retraction" if item.kind == "retraction" and "#" not in link else link


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


def select(items: Iterable[FeedItem], scope: str, key: str | None = None,
           limit: int | None = None) -> list[FeedItem]:
    """The items of one feed, newest first: the latest version of each (story, kind) in the
    scope (``council``: the council's story and its wards; ``region``: items whose region's
    slug is ``key``; ``group``: items in the group and the group's own story), at most
    ``limit`` (default: none)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown feed scope {scope!r}")
    if scope == "night":
        keep = lambda i: True  # noqa: E731
    elif scope == "council":
        keep = lambda i: i.council == key  # noqa: E731
    elif scope == "region":
        want = slugify(key or "")
        keep = lambda i: i.region is not None and slugify(i.region) == want  # noqa: E731
    else:
        keep = lambda i: key in i.groups or i.story_id == f"group:{key}"  # noqa: E731
    latest: dict[tuple[str, str], FeedItem] = {}
    for item in items:
        if not keep(item):
            continue
        k = (item.story_id, item.kind)
        have = latest.get(k)
        if have is None or (item.version, item.updated) > (have.version, have.updated):
            latest[k] = item
    out = sorted(latest.values(), key=lambda i: (_utc(i.updated), i.story_id, i.kind), reverse=True)
    return out if limit is None else out[:limit]


_CORRECTION = re.compile(r"\s*correct(?:ion|ed)\b", re.I)
_UPDATED = re.compile(r"\s*updated\s+\d", re.I)
_RETRACTED = re.compile(r"\s*(?:retracted|withdrawn|retraction)\s*:\s*", re.I)
_CORRECTED = re.compile(r"\s*(?:corrected|correction)\s*:\s*", re.I)


def _notes_html(item: FeedItem) -> str:
    out = []
    if item.correction:
        line = " ".join(item.correction.split())
        head, sep, rest = line.partition(": ")
        if _UPDATED.match(line):  # "Updated 4.15am Friday 6 May." (the story of the night)
            out.append(f'<p class="updated"><strong>{escape(line)}</strong></p>')
        elif _CORRECTION.match(line) and sep:  # "Correction, 4.56pm Friday 6 May: ..." says it already
            out.append(f'<p class="correction"><strong>{escape(head)}:</strong> {escape(rest)}</p>')
        elif _CORRECTION.match(line):
            out.append(f'<p class="correction"><strong>{escape(line)}</strong></p>')
        else:
            out.append(f'<p class="correction"><strong>Correction:</strong> {escape(line)}</p>')
    if item.kind == "retraction":
        out.append('<p class="retraction"><strong>Retracted:</strong> this story no longer stands '
                   "and has been withdrawn.</p>")
    if item.auto:
        out.append(f'<p class="auto-published"><em>{escape(AUTO_NOTE)}</em></p>')
    return "\n".join(out)


def content_html(item: FeedItem) -> str:
    """The item's content: the correction (and retraction, auto-publish) lines, then the story."""
    notes = _notes_html(item)
    return xml_text(f"{notes}\n{item.html}" if notes else item.html)


def summary_text(item: FeedItem) -> str:
    parts = []
    if item.correction:  # once: the publisher's line starts "Correction, 4.56pm ...:" already
        parts.append(item.correction if _CORRECTION.match(item.correction) else f"Correction: {item.correction}")
    if item.kind == "retraction":
        parts.append("Retracted: this story no longer stands and has been withdrawn.")
    parts.append(item.summary)
    if item.auto:
        parts.append(AUTO_NOTE)
    return xml_text(" ".join(p.strip() for p in parts if p and p.strip()))


def item_title(item: FeedItem) -> str:
    """The item's title, with one marker: "Retracted: " for a retraction (in place of a
    "Withdrawn: " or "Retracted: " the title already has), "Corrected: " for a correction
    (unless the title says so already)."""
    title = " ".join(xml_text(item.title).split()) or item.story_id
    if item.kind == "retraction":
        bare = _RETRACTED.sub("", title, count=1) if _RETRACTED.match(title) else title
        title = f"Retracted: {bare or item.story_id}"
    elif item.correction and not _CORRECTED.match(title):
        title = f"Corrected: {title}"
    return title


def _categories(item: FeedItem, base: str) -> list[dict[str, str]]:
    """Council, region and groups as categories (the scheme is the feeds' URL for that scope)."""
    out = []
    if item.council:
        out.append({"term": xml_text(item.council), "label": xml_text(item.council_name or item.council),
                    "scheme": f"{base}/feeds/council/"})
    if item.region:
        out.append({"term": slugify(xml_text(item.region)), "label": xml_text(item.region), "scheme": f"{base}/feeds/region/"})
    for g in item.groups:
        out.append({"term": xml_text(g), "label": xml_text(g), "scheme": f"{base}/feeds/group/"})
    if item.auto:
        out.append({"term": "auto-published", "label": "Published without review", "scheme": f"{base}/feeds/#review"})
    return out


def _generator(spec: FeedSpec, items: Sequence[FeedItem], base_url: str, atom: bool) -> FeedGenerator:
    base = base_url.rstrip("/")
    fg = FeedGenerator()
    fg.id(feed_id(spec.election, spec.scope, spec.key))
    fg.title(xml_text(spec.title) or "Results")
    description = xml_text(spec.description) or f"Published results stories: {xml_text(spec.title)}"
    if atom:
        fg.subtitle(description)
    else:
        fg.description(description)
    # self first: feedgen takes the last link as the RSS channel's <link>
    fg.link(href=spec.self_link, rel="self",
            type="application/atom+xml" if atom else "application/rss+xml")
    fg.link(href=spec.alternate or base + "/feeds/", rel="alternate", type="text/html")
    fg.author({"name": spec.author})
    fg.language(LANGUAGE)
    fg.generator(GENERATOR)
    newest = max((_utc(i.updated) for i in items), default=_utc(spec.updated_if_empty))
    fg.updated(newest)
    fg.lastBuildDate(newest)
    for item in items:
        fe = fg.add_entry(order="append")
        ident = item_id(spec.election, item.story_id, item.kind)
        fe.id(ident)
        fe.guid(ident, permalink=False)
        fe.title(item_title(item))
        fe.link(href=item_link(item, base), rel="alternate", type="text/html")
        fe.author({"name": spec.author})
        fe.published(_utc(item.published))
        fe.updated(_utc(item.updated))
        if atom:
            fe.summary(summary_text(item))  # Atom summary: text
        else:
            fe.description(str(escape(summary_text(item))))  # RSS description: HTML, so escaped text
        fe.content(content_html(item), type="html")  # Atom content; RSS content:encoded
        for cat in _categories(item, base):
            fe.category(cat)
    return fg


def build_rss(spec: FeedSpec, items: Sequence[FeedItem], base_url: str) -> bytes:
    """RSS 2.0 (UTF-8 bytes) of ``items`` as given, in order, up to the spec's limit."""
    items = list(items)[: spec.item_limit]
    return _generator(spec, items, base_url, atom=False).rss_str(pretty=False)


def build_atom(spec: FeedSpec, items: Sequence[FeedItem], base_url: str) -> bytes:
    """Atom 1.0 (UTF-8 bytes) of ``items`` as given, in order, up to the spec's limit."""
    items = list(items)[: spec.item_limit]
    return _generator(spec, items, base_url, atom=True).atom_str(pretty=False)


def item_from_story(story, *, published: datetime, updated: datetime, council_name: str | None = None,
                    correction: str | None = None, auto: bool = False, kind: str | None = None,
                    link: str | None = None) -> FeedItem:
    """A FeedItem for a ``writer.draft.story.Story`` version (a retracted version gives a
    retraction item unless ``kind`` says otherwise)."""
    kind = kind or ("retraction" if story.status == "retracted" else "story")
    return FeedItem(story_id=story.id, kind=kind, version=story.version, title=story.headline,
                    summary=story.snippet, html=to_html(story), council=story.council,
                    council_name=council_name, region=story.region, groups=tuple(story.groups),
                    published=published, updated=updated, correction=correction, auto=auto, link=link)


__all__ = ["AUTO_NOTE", "FeedItem", "FeedSpec", "NIGHT_LIMIT", "SCOPED_LIMIT", "build_atom", "build_rss",
           "content_html", "feed_id", "item_from_story", "item_id", "night_names", "select", "slugify",
           "story_link", "xml_text"]
