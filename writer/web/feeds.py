"""The public feeds: RSS and Atom of what is published, for outlets to follow.

    app.include_router(feeds_router(source))

Routes (no sign-in; GET and HEAD):

    /feeds/                         an HTML index of every feed (with autodiscovery links)
    /feeds/index.json               the same as JSON
    /feeds/night.rss, night.atom    the whole night
    /feeds/council/{slug}.xml|.atom a council: its story and its wards' snippets
    /feeds/region/{slug}.xml|.atom  a region ("london", "north-west", ...)
    /feeds/group/{id}.xml|.atom     a group (London, the Red Wall, ...): its councils and its story
    /feeds/story/{story id}         a story as published (the items' default link)

``.xml`` and ``.rss`` are RSS 2.0 (``application/rss+xml``), ``.atom`` is Atom
(``application/atom+xml``), both UTF-8. An unknown council, region or group is a 404 with a
plain-text message; a known one with nothing published yet is an empty feed (outlets can
subscribe before the night starts).

The source
    ``source`` is anything with (see :class:`FeedContent`):

    ``items() -> list[FeedItem]``  every published item (any versions; the latest per story wins)
    ``stamp() -> str``             changes whenever the published items change. It is called on
                                   the event loop once per request (or once per ``stamp_ttl``
                                   seconds), so it must be cheap: an in-memory counter, or a
                                   quick indexed query
    ``base_url``                   e.g. "https://results.example.org" (absolute links in feeds)
    ``election_id``                e.g. "local.2022-05-05": part of every item id (optional:
                                   the title is used if absent, so set it)
    ``election_title``             e.g. "English local elections 2022"
    ``councils``, ``regions``, ``groups``   slug -> name mappings (or callables returning one);
                                   they decide which feeds exist

    :func:`writer.publish.feeds.night_names` makes the three mappings from a Night and the
    groups file, and :class:`StaticSource` is a ready-made in-memory source (tests,
    benchmarks, a fixed night).

Caching and conditional GET
    Items are fetched once per stamp (in a worker thread). Each route's bytes are rendered at
    most once per stamp, and not at all when the route's selected items are unchanged since the
    previous stamp (another council publishing does not re-render Barnet). Only the current
    stamp's renderings are kept.

    ``ETag`` is strong: a hash of the route and the rendered bytes, so it changes exactly when
    the feed's bytes change (a stamp change that does not touch a feed keeps its ETag, and
    readers keep getting 304s). ``Last-Modified`` is the newest item's ``updated``; if a feed
    changes without a newer item (an item dropped), it moves forward to the moment the change
    was seen, so ``If-Modified-Since`` never hides a change within a process. ``If-None-Match``
    (weak comparison, ``*`` and lists allowed) takes precedence over ``If-Modified-Since``, as
    RFC 9110 says. Responses carry ``Cache-Control: public, max-age=<max_age>`` (30 s by default).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from markupsafe import escape
from starlette.concurrency import run_in_threadpool

from writer.publish.feeds import FeedItem, FeedSpec, build_atom, build_rss, content_html, select

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
#: the public pages' look: a small stylesheet of their own, served by the app with its static files
PUBLIC_HEAD = ('<meta name="viewport" content="width=device-width, initial-scale=1">',
               '<link rel="icon" href="/favicon.ico">',
               '<link rel="stylesheet" href="/static/public.css">')
MAX_AGE = 30
_FORMAT_VERSION = "2"  # part of every ETag: bump when the rendering changes
_ONE_SECOND = timedelta(seconds=1)


class FeedContent(Protocol):
    """What the feeds are made from: the published items, a stamp that moves with them, and the
    names and links of the night (see the module's docstring)."""

    base_url: str
    election_id: str
    election_title: str
    councils: Mapping[str, str]
    regions: Mapping[str, str]
    groups: Mapping[str, str]

    def items(self) -> list[FeedItem]: ...

    def stamp(self) -> str: ...


@dataclass
class StaticSource:
    """An in-memory source: ``set_items`` replaces what is published and moves the stamp."""

    base_url: str
    election_id: str
    election_title: str
    councils: Mapping[str, str]
    regions: Mapping[str, str]
    groups: Mapping[str, str]
    published: list[FeedItem] = field(default_factory=list)
    _stamp: int = 0

    def items(self) -> list[FeedItem]:
        return list(self.published)

    def stamp(self) -> str:
        return str(self._stamp)

    def set_items(self, items: list[FeedItem]) -> None:
        self.published = list(items)
        self._stamp += 1


# -- conditional GET ----------------------------------------------------------------------------
def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison: W/ prefixes are ignored."""
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


def _not_modified_since(header: str, last_modified: datetime | None) -> bool:
    if last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since is None:
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    return last_modified <= since


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    etag: str
    last_modified: datetime | None  # whole seconds, UTC
    selected: tuple[FeedItem, ...] | None  # what it was rendered from (None: a page)

    @cached_property
    def _validators(self) -> dict[str, str]:
        out = {"etag": self.etag}
        if self.last_modified is not None:
            out["last-modified"] = format_datetime(self.last_modified, usegmt=True)
        return out

    def headers(self, max_age: int) -> dict[str, str]:
        return {**self._validators, "cache-control": f"public, max-age={max_age}"}


def _seconds(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(microsecond=0)


# -- the router ---------------------------------------------------------------------------------
class Feeds:
    """Renders and caches feeds for a source (the router's state; usable without HTTP)."""

    def __init__(self, source: FeedContent, *, max_age: int = MAX_AGE, stamp_ttl: float = 0.0,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.source = source
        self.max_age = max_age
        self.stamp_ttl = stamp_ttl
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._lock = threading.Lock()  # one build at a time (a stamp's items, a route's bytes)
        # (stamp, route -> rendering for that stamp): replaced whole, so a reader on the event
        # loop never pairs one stamp with another's renderings
        self._current: tuple[str | None, dict[str, Rendered]] = (None, {})
        self._items: list[FeedItem] = []
        self._story_ids: frozenset[str] = frozenset()
        self._previous: dict[str, Rendered] = {}  # route -> latest rendering of any stamp
        self._stamp_seen = (0.0, None)

    # names and links
    @property
    def base_url(self) -> str:
        return str(self.source.base_url).rstrip("/")

    @property
    def election(self) -> str:
        return getattr(self.source, "election_id", None) or self.source.election_title

    def names(self, scope: str) -> Mapping[str, str]:
        value = getattr(self.source, {"council": "councils", "region": "regions", "group": "groups"}[scope])
        return value() if callable(value) else value

    def stamp(self) -> str:
        if self.stamp_ttl > 0:
            at, value = self._stamp_seen
            now = time.monotonic()
            if value is not None and now - at < self.stamp_ttl:
                return value
            value = str(self.source.stamp())
            self._stamp_seen = (now, value)
            return value
        return str(self.source.stamp())

    def spec(self, scope: str, key: str | None, fmt: str) -> FeedSpec:
        title = self.source.election_title
        if scope == "night":
            name, path = None, f"/feeds/night.{'atom' if fmt == 'atom' else 'rss'}"
        else:
            name = self.names(scope)[key]
            path = f"/feeds/{scope}/{quote(key, safe='')}.{'atom' if fmt == 'atom' else 'xml'}"
        if name:
            name = name[:1].upper() + name[1:]
        described = {"night": f"Every published results story of the {title}",
                     "council": f"Published results stories for {name}, {title}",
                     "region": f"Published results stories for {name}, {title}",
                     "group": f"Published results stories for {name}, {title}"}[scope]
        return FeedSpec(title=f"{name}: {title}" if name else title, self_link=self.base_url + path,
                        scope=scope, key=key, election=self.election, description=described)

    # rendering
    def render(self, route: str, stamp: str, build: Callable[[list[FeedItem]], Rendered | tuple]) -> Rendered:
        """The route's rendering for ``stamp`` (built once; call from a worker thread)."""
        with self._lock:
            rendered = self._load(stamp)
            hit = rendered.get(route)
            if hit is not None:
                return hit
            made = build(self._items)
            rendered[route] = self._previous[route] = made
            return made

    def _load(self, stamp: str) -> dict[str, Rendered]:
        """The renderings of ``stamp``, fetching its items first if it is new (under the lock)."""
        current, rendered = self._current
        if current != stamp:
            self._items = list(self.source.items())
            self._story_ids = frozenset(i.story_id for i in self._items)
            rendered = {}
            self._current = (stamp, rendered)
        return rendered

    def cached(self, route: str, stamp: str) -> Rendered | None:
        """The route's rendering if it is already made for ``stamp`` (no lock, no work)."""
        current, rendered = self._current
        return rendered.get(route) if current == stamp else None

    def has_story(self, stamp: str, story_id: str) -> bool:
        with self._lock:
            self._load(stamp)
            return story_id in self._story_ids

    def feed(self, route: str, stamp: str, scope: str, key: str | None, fmt: str) -> Rendered:
        def build(items: list[FeedItem]) -> Rendered:
            spec = self.spec(scope, key, fmt)
            selected = tuple(select(items, scope, key, limit=spec.item_limit))
            before = self._previous.get(route)
            if before is not None and before.selected == selected:
                return before  # nothing in this feed changed: same bytes, same ETag
            body = (build_atom if fmt == "atom" else build_rss)(spec, selected, self.base_url)
            newest = max((_seconds(i.updated) for i in selected), default=None)
            return Rendered(body, ATOM_TYPE if fmt == "atom" else RSS_TYPE, self._etag(route, body),
                            self._last_modified(before, newest), selected)
        return self.render(route, stamp, build)

    def _etag(self, route: str, body: bytes) -> str:
        digest = hashlib.sha256(f"{_FORMAT_VERSION}\0{route}\0".encode() + body).hexdigest()[:32]
        return f'"{digest}"'

    def _last_modified(self, before: Rendered | None, newest: datetime | None) -> datetime | None:
        """The newest item's time, moved forward when the feed changed without a newer item."""
        if before is None or before.last_modified is None:
            return newest
        if newest is None or newest <= before.last_modified:
            return max(_seconds(self.clock()), before.last_modified + _ONE_SECOND)
        return newest

    def story_page(self, route: str, stamp: str, story_id: str) -> Rendered | None:
        if not self.has_story(stamp, story_id):  # misses are not cached
            return None

        def build(items: list[FeedItem]) -> Rendered:
            mine = select((i for i in items if i.story_id == story_id), "night")
            body = _story_html(mine, self.source.election_title).encode()
            return Rendered(body, HTML_TYPE, self._etag(route, body),
                            max((_seconds(i.updated) for i in mine), default=None), None)
        return self.render(route, stamp, build)

    def index(self) -> dict[str, Any]:
        base = self.base_url
        out: dict[str, Any] = {
            "election": self.election, "title": self.source.election_title,
            "night": {"name": "The whole night", "rss": f"{base}/feeds/night.rss", "atom": f"{base}/feeds/night.atom"},
        }
        for scope, plural in (("council", "councils"), ("region", "regions"), ("group", "groups")):
            out[plural] = [{"slug": slug, "name": name,
                            "rss": f"{base}/feeds/{scope}/{quote(slug, safe='')}.xml",
                            "atom": f"{base}/feeds/{scope}/{quote(slug, safe='')}.atom"}
                           for slug, name in self.names(scope).items()]
        out["limits"] = {"night": FeedSpec("x", "x", "night", None, "x").item_limit,
                         "council, region, group": FeedSpec("x", "x", "council", "x", "x").item_limit}
        return out


def _story_html(items: list[FeedItem], election_title: str) -> str:
    if not items:
        return "<!doctype html>\n<title>Not published</title>\n<p>This story is not published.</p>"
    latest = items[0]
    story = next((i for i in items if i.kind == "story"), None)
    title = escape(latest.title)
    parts = ["<!doctype html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">', *PUBLIC_HEAD,
             f"<title>{title}: {escape(election_title)}</title>", "</head>", '<body class="public">',
             f'<header class="masthead"><p>{escape(election_title)}</p></header>', "<main>"]
    retraction = next((i for i in items if i.kind == "retraction"), None)
    if retraction is not None and (story is None or retraction.updated >= story.updated):
        parts.append(f'<section id="retraction"><h1>{escape(latest.title)}</h1>\n{content_html(retraction)}</section>')
    elif story is not None:
        parts.append(content_html(story))
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts)


def _index_html(index: dict[str, Any]) -> str:
    e = escape
    head = [f'<link rel="alternate" type="application/rss+xml" title="{e(index["title"])} (RSS)" '
            f'href="{e(index["night"]["rss"])}">',
            f'<link rel="alternate" type="application/atom+xml" title="{e(index["title"])} (Atom)" '
            f'href="{e(index["night"]["atom"])}">']
    body = [f"<h1>Feeds: {e(index['title'])}</h1>",
            f'<p>The whole night: <a href="{e(index["night"]["rss"])}">RSS</a> · '
            f'<a href="{e(index["night"]["atom"])}">Atom</a> '
            f'(the newest {index["limits"]["night"]} items; council, region and group feeds hold '
            f'the newest {index["limits"]["council, region, group"]}).</p>']
    for plural, label in (("councils", "Councils"), ("regions", "Regions"), ("groups", "Groups")):
        rows = index[plural]
        if not rows:
            continue
        body.append(f"<h2>{label}</h2>")
        body.append("<ul>")
        body += [f'<li>{e(r["name"])}: <a href="{e(r["rss"])}">RSS</a> · <a href="{e(r["atom"])}">Atom</a></li>'
                 for r in rows]
        body.append("</ul>")
    return "\n".join(["<!doctype html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">', *PUBLIC_HEAD,
                      f"<title>Feeds: {e(index['title'])}</title>", *head, "</head>", '<body class="public">', "<main>",
                      *body, "</main>", "</body>", "</html>"])


def feeds_router(source: FeedContent, *, max_age: int = MAX_AGE, stamp_ttl: float = 0.0) -> APIRouter:
    """The public feeds' routes for ``source`` (see the module's docstring)."""
    feeds = Feeds(source, max_age=max_age, stamp_ttl=stamp_ttl)
    router = APIRouter(include_in_schema=False)
    router.feeds = feeds  # type: ignore[attr-defined]  # for tests and the app's own use

    def respond(request: Request, made: Rendered) -> Response:
        headers = made.headers(feeds.max_age)
        inm = request.headers.get("if-none-match")
        if inm is not None:
            fresh = _etag_matches(inm, made.etag)
        else:
            ims = request.headers.get("if-modified-since")
            fresh = ims is not None and _not_modified_since(ims, made.last_modified)
        if fresh:
            return Response(status_code=304, headers=headers)
        return Response(made.body, media_type=made.media_type, headers=headers)

    async def serve(request: Request, route: str, scope: str, key: str | None, fmt: str) -> Response:
        if scope != "night" and key not in feeds.names(scope):
            known = f"{feeds.base_url}/feeds/"
            return PlainTextResponse(f"No {scope} {key!r} has a feed in the {source.election_title}. "
                                     f"Every feed is listed at {known}", status_code=404,
                                     headers={"cache-control": "public, max-age=60"})
        stamp = feeds.stamp()
        made = feeds.cached(route, stamp)  # the fast path: no thread hop
        if made is None:
            made = await run_in_threadpool(feeds.feed, route, stamp, scope, key, fmt)
        return respond(request, made)

    # plain Starlette routes (no FastAPI dependency solving): about half the cost per request
    methods = ["GET", "HEAD"]

    def feed_route(path: str, scope: str, fmt: str, name: str) -> None:
        if scope == "night":
            async def endpoint(request: Request) -> Response:
                return await serve(request, path.removeprefix("/feeds/"), "night", None, fmt)
        else:
            suffix = path.rsplit(".", 1)[1]

            async def endpoint(request: Request) -> Response:
                slug = request.path_params["slug"]
                return await serve(request, f"{scope}/{slug}.{suffix}", scope, slug, fmt)
        router.add_route(path, endpoint, methods=methods, name=name, include_in_schema=False)

    feed_route("/feeds/night.rss", "night", "rss", "feeds_night_rss")
    feed_route("/feeds/night.atom", "night", "atom", "feeds_night_atom")
    for scope in ("council", "region", "group"):
        feed_route(f"/feeds/{scope}/{{slug}}.xml", scope, "rss", f"feeds_{scope}_rss")
        feed_route(f"/feeds/{scope}/{{slug}}.atom", scope, "atom", f"feeds_{scope}_atom")

    async def story_page(request: Request) -> Response:
        story_id = request.path_params["story_id"]
        stamp = feeds.stamp()
        route = f"story/{story_id}"
        made = feeds.cached(route, stamp) or await run_in_threadpool(feeds.story_page, route, stamp, story_id)
        if made is None:
            return PlainTextResponse(f"No published story {story_id!r}.", status_code=404)
        return respond(request, made)

    async def index_json(request: Request) -> Response:
        return JSONResponse(feeds.index(), headers={"cache-control": f"public, max-age={feeds.max_age}"})

    async def index_html(request: Request) -> Response:
        return Response(_index_html(feeds.index()), media_type=HTML_TYPE,
                        headers={"cache-control": f"public, max-age={feeds.max_age}"})

    router.add_route("/feeds/story/{story_id}", story_page, methods=methods, name="feeds_story",
                     include_in_schema=False)
    router.add_route("/feeds/index.json", index_json, methods=methods, name="feeds_index_json",
                     include_in_schema=False)
    router.add_route("/feeds/", index_html, methods=methods, name="feeds_index", include_in_schema=False)

    return router


__all__ = ["ATOM_TYPE", "FeedContent", "Feeds", "RSS_TYPE", "StaticSource", "feeds_router"]
