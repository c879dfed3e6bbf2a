"""Results feeds in: poll Democracy Club's results feed and turn its entries into declarations.

    poller = FeedPoller("https://candidates.democracyclub.org.uk/results/all.atom", night)
    polled = poller.poll()          # Polled(declarations, problems, not_modified, status, pending)
    for decl in polled.declarations:
        pipeline.ingest(decl)       # writer.store.Pipeline: new, correction, or seen (skipped)

The feed is Atom, newest entry first, 300 entries a page, each page linking the next older
one (RFC 5005 ``rel="next"``). Each poll fetches the first page with httpx and follows
``next`` until it reaches a page holding an entry it has already read (so a new poller
reads every page); the pages are parsed with feedparser and the entries read in Democracy
Club's shape (see :mod:`writer.ingest.dcfeed`, which also says when a ward is declared).
The feed sends Last-Modified but no ETag, and the poller does not rely on conditional
requests: every poll fetches the first page. Each poll returns the ward declarations that
are new or changed since the last poll; a malformed entry is reported (entry id, field,
what was expected) and the rest kept; an entry taken with a guess (a close ward name, a
party the registry does not know) is reported for an editor too.

**State and restarts.** The poller keeps in memory every accepted entry by id and what it
last returned for each ward. The wards are always worked out again from all the accepted
entries, so they depend only on the entries, not on how the polls fell. After a restart a
new poller reads every page again and returns every ward declaration again; the store
skips those it already holds (same id, same content: ``writer.store.pipeline.ingest``
answers "seen") and takes the rest. What stands in the store is read through ``standing``
(``writer poll`` passes the store's standing declarations): a ward the store holds from
this feed is re-issued when the feed changes it, even when it has fallen back below its
seats or to no winner at all (every winner retracted: re-issued withdrawn), so a fresh
process honours retractions as a running one does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import httpx

from writer.identity import PartyRegistry, default_registry, load_registry
from writer.ingest.dcfeed import (FeedEntry, FeedParties, FeedProblem, NightIndex, derive, entry_id,
                                  fingerprint, read_entry)
from writer.model import Declaration, Night, NightSetup, WardDeclaration

MAX_FEED_BYTES = 64 * 1024 * 1024
MAX_PAGES = 1000  # 300 entries a page: far more winners than any night has
TIMEOUT_SECONDS = 20.0
USER_AGENT = "results-night-writer (feed poller)"


@dataclass(frozen=True)
class Pending:
    """A ward with winners in the feed that is not declared yet (fewer winners than seats)."""

    declaration_id: str
    winners: int
    seats: int


@dataclass(frozen=True)
class Polled:
    """What one poll found."""

    declarations: list[WardDeclaration]  # new or changed since the last poll, in declared_at order
    problems: list[FeedProblem]  # each reported once, on the poll that found it
    not_modified: bool  # always False: the poller makes no conditional requests (kept for callers)
    status: int | None  # the HTTP status (None: no answer)
    pending: list[Pending] = field(default_factory=list)  # wards waiting for more winners
    entries: int = 0  # new or changed entries read on this poll

    @property
    def ok(self) -> bool:
        """The feed was read."""
        return self.status == 200


class FeedPoller:
    """Polls one results feed for one night. ``setup`` is the night (``load_night(dir)``; its
    results, if any, tell the wards and their seats) or just its ``NightSetup``; ``client`` an
    httpx.Client to use (else one is made, and closed by :meth:`close`); ``registry`` the
    party registry feed party ids and names resolve through (a :class:`PartyRegistry` or the
    path of one; default: the one the night was loaded with, else
    ``rules/party-registry.yaml``), then the night's own parties (``setup.parties``), so a
    winner's party is the code the loaded night uses; ``standing`` answers the declarations
    that stand in the store by id (``writer poll``: the pipeline's engine), so a ward the
    store holds from this feed is re-issued when the feed changes it after a restart.
    Loading a bad registry raises :class:`InputError`."""

    def __init__(self, url: str, setup: Night | NightSetup, *, client: httpx.Client | None = None,
                 registry: PartyRegistry | str | Path | None = None,
                 clock: Callable[[], datetime] | None = None,
                 standing: Callable[[], Mapping[str, Declaration]] | None = None) -> None:
        self.url = url
        self.index = NightIndex(setup, clock=clock)  # clock: the server's (entries from the future are refused)
        night_parties = setup.parties
        if registry is None:
            registry = night_parties.registry if night_parties is not None else default_registry()
        elif not isinstance(registry, PartyRegistry):
            registry = load_registry(registry)
        self.table = FeedParties(registry, night_parties, registry.source)
        self._own_client = client is None
        self.client = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=True,
                                             headers={"User-Agent": USER_AGENT})
        self.standing = standing
        self._orders: dict[str, int] = {}  # entry id -> its place in the order first read
        self._order = 0
        self.seen: dict[str, str] = {}  # entry id -> fingerprint of what it said last
        self.entries: dict[str, FeedEntry] = {}  # the accepted entries, by id
        self.sent: dict[str, str] = {}  # declaration id -> content digest last returned
        self._sent_at: dict[str, datetime] = {}  # declaration id -> latest time returned
        self._versions: dict[str, set[str]] = {}  # declaration id -> every digest returned
        self._reported: set[tuple] = set()
        self._requeued: list[WardDeclaration] = []

    # -- lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> "FeedPoller":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def requeue(self, declarations: list[WardDeclaration]) -> None:
        """Hand back declarations that could not be stored: the next poll returns them again
        (even when nothing changed in the feed), so none is lost."""
        self._requeued.extend(declarations)

    # -- polling ----------------------------------------------------------------------------------
    def poll(self) -> Polled:
        requeued, self._requeued = self._requeued, []
        problems: list[FeedProblem] = []
        pages: list[list] = []
        url, visited, status = self.url, set(), None
        while url is not None:
            visited.add(url)
            first = not pages
            page = self._page(url, problems)
            if isinstance(page, int) or page is None:  # the page could not be read
                if first:
                    return Polled(requeued, self._new(problems), False, page)
                break  # a later page: what was read is used, the rest next poll
            status_here, entries, next_url = page
            status = status_here if first else status
            pages.append(entries)
            if any(self.seen.get(entry_id(raw, 0)) == fingerprint(raw) for raw in entries):
                break  # older pages were read before
            if next_url is not None and next_url in visited:
                problems.append(self._problem(f"links page {next_url} again (a loop in its next links); the "
                                              "pages read are used"))
                break
            if next_url is not None and len(pages) >= MAX_PAGES:
                problems.append(self._problem(f"has more than {MAX_PAGES} pages; the newest {MAX_PAGES} are used"))
                break
            url = next_url
        read = self._read([raw for entries in pages for raw in entries], problems)
        declarations, derived_problems, pending = self._declarations()
        problems += derived_problems
        ids = {d.id for d in declarations}
        out = [d for d in requeued if d.id not in ids] + declarations
        out.sort(key=lambda d: d.declared_at)
        return Polled(out, self._new(problems), False, status, pending, read)

    def _page(self, url: str, problems: list[FeedProblem]) -> tuple[int, list, str | None] | int | None:
        """One page of the feed: its status, entries and next page's address; else the
        status it answered (or None) with the problem added to ``problems``."""
        headers = {"Accept": "application/atom+xml, application/xml;q=0.9, */*;q=0.1"}
        where = "" if url == self.url else f" (page {url})"
        try:
            body, response = self._fetch(url, headers)
        except httpx.HTTPError as exc:
            problems.append(self._problem(f"cannot be fetched{where} ({type(exc).__name__}: {exc}); "
                                          "expected an Atom feed"))
            return None
        except _TooLarge:
            problems.append(self._problem(f"is larger than {MAX_FEED_BYTES} bytes{where}; expected a results feed"))
            return None
        status = response.status_code
        if status != 200:
            problems.append(self._problem(f"answered HTTP {status}{where}; expected 200 with a feed"))
            return status
        parsed = feedparser.parse(body, response_headers={
            k: v for k, v in response.headers.items() if k.lower() in ("content-type", "content-location")})
        if parsed.get("bozo") and not parsed.entries:
            exc = parsed.get("bozo_exception")
            problems.append(self._problem(f"is not a readable Atom feed{where} ({exc}); expected a results feed"))
            return status
        if not parsed.get("version") and not parsed.entries:  # an HTML error page, an empty answer
            problems.append(self._problem(f"is not a readable Atom feed{where} (no feed element found); "
                                          "expected a results feed"))
            return status
        if parsed.get("bozo"):
            problems.append(self._problem(f"is not well-formed{where} ({parsed.get('bozo_exception')}); the "
                                          "entries that could be read are used"))
        next_url = None
        for link in parsed.feed.get("links", ()) if parsed.get("feed") else ():
            href = link.get("href") if isinstance(link, dict) else None
            if link.get("rel") == "next" and isinstance(href, str) and href.strip():
                candidate = urljoin(str(response.url), href.strip())
                if candidate.startswith(("http://", "https://")):
                    next_url = candidate
                break
        return status, list(parsed.entries), next_url

    def _fetch(self, url: str, headers: dict[str, str]) -> tuple[bytes, httpx.Response]:
        with self.client.stream("GET", url, headers=headers) as response:
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_FEED_BYTES:
                    raise _TooLarge()
                chunks.append(chunk)
        return b"".join(chunks), response

    def _problem(self, message: str) -> FeedProblem:
        return FeedProblem(self.url, None, None, message)

    def _new(self, problems: list[FeedProblem]) -> list[FeedProblem]:
        """Problems not reported before (the wards are worked out again on every poll); a
        problem with the feed itself (unreachable, not a feed) is reported on every poll."""
        out = []
        for p in problems:
            if p.entry is None:
                out.append(p)
                continue
            key = (p.entry, p.field, p.message)
            if key not in self._reported:
                self._reported.add(key)
                out.append(p)
        return out

    def _read(self, raws, problems: list[FeedProblem]) -> int:
        """Read the entries of the pages fetched, newest first. Each entry keeps an ``order``
        from when it was first read (the entries new on a poll are newer than those read
        before, and newest first among themselves), which breaks ties between entries
        recorded at the same time, however the pages fell."""
        in_this_feed: dict[str, str] = {}
        to_read: list[tuple[int, object, str, str]] = []
        for position, raw in enumerate(raws, start=1):
            eid = entry_id(raw, position)
            fp = fingerprint(raw)
            if eid in in_this_feed:
                if in_this_feed[eid] != fp:  # (the same entry on two pages: it moved while paging)
                    problems.append(FeedProblem(self.url, eid, "id", "is repeated in the feed; expected each "
                                                "entry once (the first is kept)"))
                continue
            in_this_feed[eid] = fp
            if self.seen.get(eid) != fp:
                to_read.append((position, raw, eid, fp))
        base, new = self._order, [eid for _, _, eid, _ in to_read if eid not in self._orders]
        for k, eid in enumerate(new):
            self._orders[eid] = base + len(new) - k
        self._order += len(new)
        for position, raw, eid, fp in to_read:
            self.seen[eid] = fp
            entry, entry_problems = read_entry(raw, position, self.index, self.table, self.url)
            problems.extend(entry_problems)
            if entry is not None:
                entry = replace(entry, order=self._orders[eid])
                self.entries[eid] = entry
                problems.extend(FeedProblem(self.url, eid, fld, message) for fld, message in entry.notes)
            else:
                self.entries.pop(eid, None)  # an entry changed into a bad one no longer counts
        return len(to_read)

    def _declarations(self) -> tuple[list[WardDeclaration], list[FeedProblem], list[Pending]]:
        wards, problems = derive(self.entries.values(), self.index, self.url)
        out: list[WardDeclaration] = []
        pending: list[Pending] = []
        standing = self.standing() if self.standing is not None else {}
        for wid, state in wards.items():
            stored = standing.get(wid)
            if wid not in self.sent and stored is not None and str(stored.source).startswith(self.url + "#") \
                    and not getattr(stored, "withdrawn", False):
                # declared from this feed before a restart: what the feed says now stands
                self.sent[wid] = ""  # (re-issued once: the store answers "seen" if it is the same)
                self._sent_at[wid] = stored.declared_at
            if wid not in self.sent and not state.ready():
                if state.winners and state.ref.seats is not None:
                    pending.append(Pending(wid, len(state.winners), state.ref.seats))
                continue
            decl = state.declaration(self.url)
            digest = decl.content_digest()
            if self.sent.get(wid) == digest:
                continue
            # a ward back to an earlier version of its result is declared again, at the time
            # of the entry that changed it, and the engine takes it as a correction; but not
            # at a time no later than the version it replaces (an entry changed in place,
            # its time left as it was): the engine keeps the later version, as it must a
            # late copy of an old one, so say so
            last = self._sent_at.get(wid)
            if digest in self._versions.get(wid, ()) and last is not None and decl.declared_at <= last:
                problems.append(FeedProblem(self.url, state.last_entry, None, f"{decl.ward} "
                                            f"({self.index.councils[decl.council].name}) is back to an earlier "
                                            "version of its result at no later time (an entry changed in place?); "
                                            "the later version stands: an editor must check it"))
            self.sent[wid] = digest
            self._sent_at[wid] = max(decl.declared_at, last) if last is not None else decl.declared_at
            self._versions.setdefault(wid, set()).add(digest)
            out.append(decl)
        return out, problems, pending


class _TooLarge(Exception):
    pass


__all__ = ["FeedPoller", "Pending", "Polled"]
