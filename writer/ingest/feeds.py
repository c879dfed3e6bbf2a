"""Results feeds in: poll an Atom or RSS feed of results and turn its entries into declarations.

    poller = FeedPoller("https://candidates.democracyclub.org.uk/results/all.atom", night)
    polled = poller.poll()          # Polled(declarations, problems, not_modified, status, pending)
    for decl in polled.declarations:
        pipeline.ingest(decl)       # writer.store.Pipeline: new, correction, or seen (skipped)

The feed is fetched with httpx, sending ``If-None-Match`` and ``If-Modified-Since`` from the
last answer; a ``304`` reads nothing. The body is parsed with feedparser and the entries are
read in Democracy Club's shape (see :mod:`writer.ingest.dcfeed`, which also says when a ward
is declared). Each poll returns the ward declarations that are new or changed since the last
poll; a malformed entry is reported (entry id, field, what was expected) and the rest kept.

**State and restarts.** The poller keeps in memory the validators (ETag, Last-Modified), every
accepted entry by id, and what it last returned for each ward. The wards are always worked
out again from all the accepted entries, so they depend only on the entries, not on how the
polls fell. After a restart a new poller has no validators: its first poll reads the whole
feed and returns every ward declaration again; the store skips those it already holds (same
id, same content: ``writer.store.pipeline.ingest`` answers "seen") and takes the rest. A
feed that shows only its latest entries cannot be rebuilt this way: entries that fell off it
before the restart are not read again (their declarations are in the store already, but a
later retraction of one of them is then reported as withdrawing a winner not in the feed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import feedparser
import httpx

from writer.identity import PartyRegistry, default_registry, load_registry
from writer.ingest.dcfeed import (FeedEntry, FeedParties, FeedProblem, NightIndex, derive, entry_id,
                                  fingerprint, read_entry)
from writer.model import Night, NightSetup, WardDeclaration

MAX_FEED_BYTES = 64 * 1024 * 1024
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
    not_modified: bool  # the server answered 304: nothing was read
    status: int | None  # the HTTP status (None: no answer)
    pending: list[Pending] = field(default_factory=list)  # wards waiting for more winners
    entries: int = 0  # new or changed entries read on this poll

    @property
    def ok(self) -> bool:
        """The feed was read (200, or 304 not modified)."""
        return self.status in (200, 304)


class FeedPoller:
    """Polls one results feed for one night. ``setup`` is the night (``load_night(dir)``; its
    results, if any, tell the wards and their seats) or just its ``NightSetup``; ``client`` an
    httpx.Client to use (else one is made, and closed by :meth:`close`); ``registry`` the
    party registry feed party ids and names resolve through (a :class:`PartyRegistry` or the
    path of one; default: the one the night was loaded with, else
    ``rules/party-registry.yaml``), then the night's own parties (``setup.parties``), so a
    winner's party is the code the loaded night uses. Loading a bad registry raises
    :class:`InputError`."""

    def __init__(self, url: str, setup: Night | NightSetup, *, client: httpx.Client | None = None,
                 registry: PartyRegistry | str | Path | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
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
        self.etag: str | None = None
        self.last_modified: str | None = None
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
        (even when the feed answers 304), so none is lost."""
        self._requeued.extend(declarations)

    # -- polling ----------------------------------------------------------------------------------
    def poll(self) -> Polled:
        requeued, self._requeued = self._requeued, []
        headers = {"Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.1"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        try:
            body, response = self._fetch(headers)
        except httpx.HTTPError as exc:
            return Polled(requeued, self._new([self._problem(f"cannot be fetched ({type(exc).__name__}: "
                                                             f"{exc}); expected an Atom or RSS feed")]),
                          False, None)
        except _TooLarge:
            return Polled(requeued, self._new([self._problem(f"is larger than {MAX_FEED_BYTES} bytes; "
                                                             "expected a results feed")]), False, None)
        status = response.status_code
        if status == 304:
            return Polled(requeued, [], True, 304)
        if status != 200:
            return Polled(requeued, self._new([self._problem(f"answered HTTP {status}; expected 200 with "
                                                             "a feed (or 304 Not Modified)")]), False, status)
        parsed = feedparser.parse(body, response_headers={
            k: v for k, v in response.headers.items() if k.lower() in ("content-type", "content-location")})
        problems: list[FeedProblem] = []
        if parsed.get("bozo") and not parsed.entries:
            exc = parsed.get("bozo_exception")
            return Polled(requeued, self._new([self._problem(f"is not a readable Atom or RSS feed ({exc}); "
                                                             "expected a results feed")]), False, status)
        if not parsed.get("version") and not parsed.entries:  # an HTML error page, an empty answer
            return Polled(requeued, self._new([self._problem("is not a readable Atom or RSS feed (no feed or rss "
                                                             "element found); expected a results feed")]), False, status)
        if parsed.get("bozo"):
            problems.append(self._problem(f"is not well-formed ({parsed.get('bozo_exception')}); the entries "
                                          "that could be read are used"))
        # validators are kept only once the body has been read, so a bad answer is fetched again
        self.etag = response.headers.get("ETag") or None
        self.last_modified = response.headers.get("Last-Modified") or None
        read = self._read(parsed.entries, problems)
        declarations, derived_problems, pending = self._declarations()
        problems += derived_problems
        ids = {d.id for d in declarations}
        out = [d for d in requeued if d.id not in ids] + declarations
        out.sort(key=lambda d: d.declared_at)
        return Polled(out, self._new(problems), False, status, pending, read)

    def _fetch(self, headers: dict[str, str]) -> tuple[bytes, httpx.Response]:
        with self.client.stream("GET", self.url, headers=headers) as response:
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
        in_this_feed: set[str] = set()
        read = 0
        for position, raw in enumerate(raws, start=1):
            eid = entry_id(raw, position)
            if eid in in_this_feed:
                problems.append(FeedProblem(self.url, eid, "id", "is repeated in the feed; expected each "
                                            "entry once (the first is kept)"))
                continue
            in_this_feed.add(eid)
            fp = fingerprint(raw)
            if self.seen.get(eid) == fp:
                continue
            read += 1
            self.seen[eid] = fp
            entry, entry_problems = read_entry(raw, position, self.index, self.table, self.url)
            problems.extend(entry_problems)
            if entry is not None:
                self.entries[eid] = entry
            else:
                self.entries.pop(eid, None)  # an entry changed into a bad one no longer counts
        return read

    def _declarations(self) -> tuple[list[WardDeclaration], list[FeedProblem], list[Pending]]:
        wards, problems = derive(self.entries.values(), self.index, self.url)
        out: list[WardDeclaration] = []
        pending: list[Pending] = []
        for wid, state in wards.items():
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
