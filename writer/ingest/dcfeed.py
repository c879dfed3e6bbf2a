"""Democracy Club's results feed, read into ward declarations (pure: no I/O).

The feed (Atom, or RSS with the same elements) has one entry per winner, with the elements
``election_slug`` (``local.<council slug>.<poll date>``), ``post_id`` (the ward: an id
holding its ONS code, such as ``MTW:E05000123``, or its slug), ``post_name``,
``winner_person_id``, ``winner_person_name``, ``winner_party_id`` (``party:53``, ``PP53``),
``winner_party_name``, ``retraction`` (``1``: this entry withdraws the earlier statement that
the person won) and ``information_source``. It has no votes: every declaration made from it is
a *partial* declaration (winners only, ``votes=None``), which counts for seats and control
while stories say nothing about votes.

:func:`read_entry` checks one entry against the night (every problem names the entry, the
field and what was expected); :func:`derive` turns the accepted entries, in the order they
were recorded, into each ward's standing winners. The same entries always give the same
wards, so a poller that restarts and reads the whole feed again arrives where it was.

**When a ward is declared.** A ward whose number of seats the night knows (tonight's results
in the election directory, or the baseline ward of an all-out council on unchanged
boundaries) is declared once its winners reach that number; until then it is *pending*.
A ward whose seats the night does not know is declared with its first winner and re-issued
as each further winner arrives (each a correction of the last). Once declared, every change
re-issues the ward under the same declaration id: a retraction takes the winner out, and a
ward whose every winner is retracted is re-issued *withdrawn* (no candidates), which the
engine counts as undeclared: its seats leave the council's count and the events it caused
are retracted.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from writer import parties
from writer.identity import REGISTRY_FILE, PartyIdentity, PartyRegistry
from writer.ingest.text import name_problem
from writer.ingest.times import declared_at_problem, utc_now
from writer.model import (Candidate, Night, NightSetup, WardDeclaration, normalise_ward_name,
                          ward_declaration_id)

#: The elements of Democracy Club's feed that the writer reads.
FIELDS = ("retraction", "election_slug", "election_date", "post_id", "post_name",
          "winner_person_id", "winner_person_name", "winner_party_id", "winner_party_name",
          "information_source")
MAX_NAME = 200
_GSS = re.compile(r"\b([EWSN]\d{8})\b")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# -- problems ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeedProblem:
    """One thing wrong with a feed or one of its entries: the feed, the entry id (None for the
    feed as a whole), the field (an element name, or None) and what was expected."""

    feed: str
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.feed]
        if self.entry is not None:
            where.append(f"entry {self.entry}")
        if self.field:
            where.append(self.field)
        return ", ".join(where) + ": " + self.message


def _shown(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


# -- the feed's parties ------------------------------------------------------------------------
@dataclass(frozen=True)
class FeedParties:
    """Feed party ids and names to the writer's party codes, through the party registry
    (``rules/party-registry.yaml``: ids first, then names) and then the parties the night
    already knows (its table, :class:`writer.identity.PartyIdentity`), so a winner's party
    is the same code as in the loaded night however the feed spells it. A party in neither
    is reported and its entry left out: add it to the registry and poll again."""

    registry: PartyRegistry
    night: PartyIdentity | None = None
    source: str = REGISTRY_FILE

    def code_for(self, party_id: str, party_name: str) -> str | None:
        found = self.registry.for_id(party_id) if party_id else None
        if found is None and party_name:
            found = self.registry.for_name(party_name)
            if found is None and self.night is not None:
                found = self.night.known(party_name)
        return found if found is not None and parties.is_party_code(found) else None


# -- the night's wards ------------------------------------------------------------------------
@dataclass(frozen=True)
class WardRef:
    """A ward of the night, as the feed's entries are matched to it."""

    council: str
    name: str
    code: str
    seats: int | None  # None: the night does not know how many seats are up
    id: str  # the declaration id (Democracy Club ballot id)


class NightIndex:
    """The night's councils and wards, looked up the way feed entries name them: by ONS ward
    code (in ``post_id``), else by the normalised ward name (``post_id`` as a slug, then
    ``post_name``) within the council named by ``election_slug``. Wards come from tonight's
    results in the election directory, then from the baseline (on unchanged boundaries).
    A council the night knows no wards of (a new council, new boundaries) takes the ward
    from ``post_name``."""

    def __init__(self, night: Night | NightSetup, *, clock: Callable[[], datetime] | None = None) -> None:
        setup = night.setup if isinstance(night, Night) else night
        self.setup = setup
        self.clock = clock or utc_now  # the server's clock: no entry is recorded in the future
        self.councils = setup.councils
        self.poll_date: date = setup.election.poll_date
        self.polls_close: datetime = setup.election.polls_close
        self.by_code: dict[tuple[str, str], WardRef] = {}
        self.by_name: dict[tuple[str, str], WardRef] = {}
        tonight = [d for d in (night.declarations if isinstance(night, Night) else ())
                   if isinstance(d, WardDeclaration) and d.council in self.councils]
        for d in tonight:  # in declared_at order: a corrected ward ends with its latest seats
            self._add(WardRef(d.council, d.ward, d.ward_code, d.seats,
                              ward_declaration_id(d.council, d.ward, self.poll_date)), replace=True)
        for slug, wards in setup.baseline_wards.items():
            council = self.councils.get(slug)
            if council is None or council.boundary_change or council.new_council:
                continue
            baseline = setup.baseline_councils.get(slug)
            same_cycle = baseline is not None and baseline.cycle == council.cycle == "all-out"
            for w in wards:
                self._add(WardRef(slug, w.ward, w.ward_code, w.seats if same_cycle else None,
                                  ward_declaration_id(slug, w.ward, self.poll_date)), replace=False)
        self.known = {ref.council for ref in self.by_name.values()}

    def _add(self, ref: WardRef, *, replace: bool) -> None:
        name_key = (ref.council, normalise_ward_name(ref.name))
        code_key = (ref.council, ref.code) if ref.code else None
        if not replace and (name_key in self.by_name or (code_key and code_key in self.by_code)):
            return
        self.by_name[name_key] = ref
        if code_key:
            self.by_code[code_key] = ref

    def ward(self, council: str, post_id: str, post_name: str) -> WardRef | None:
        m = _GSS.search(post_id)
        if m and (council, m.group(1)) in self.by_code:
            return self.by_code[(council, m.group(1))]
        tail = post_id.rsplit(":", 1)[-1]
        for text in (tail, post_name):
            if text and (council, normalise_ward_name(text)) in self.by_name:
                return self.by_name[(council, normalise_ward_name(text))]
        known = self.councils.get(council)
        if council not in self.known or (known is not None and (known.new_council or known.boundary_change)):
            # new wards only where the night knows no ward of the council, or the council is
            # new or has new boundaries (writer.ingest.wards: the API and the loader alike)
            name = post_name or tail
            if name and normalise_ward_name(name):
                return WardRef(council, name, m.group(1) if m else "", None,
                               ward_declaration_id(council, name, self.poll_date))
        return None


# -- one entry --------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeedEntry:
    """An entry that passed every check: one winner (or the retraction of one) in one ward."""

    id: str
    at: datetime
    ward: WardRef
    person: str  # winner_person_id, else the normalised name: what a retraction matches
    name: str
    party: str
    retraction: bool
    information_source: str
    order: int = 0  # position in the feed, to break ties between entries recorded together


def entry_id(raw: Mapping, position: int) -> str:
    """The entry's id (Atom ``id``, RSS ``guid``), else its link, else its place in the feed."""
    for key in ("id", "link"):
        value = _get(raw, key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return f"#{position}"


def fingerprint(raw: Mapping) -> str:
    """What an entry says (its fields and time): an entry seen again unchanged is skipped."""
    keep = {k: _get(raw, k) for k in FIELDS + ("updated", "published", "id")}
    return hashlib.sha256(json.dumps(keep, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _get(raw: Mapping, key: str):
    # feedparser's dict answers some missing keys from others (updated from published, with a
    # warning); read what the entry itself holds
    return dict.get(raw, key) if isinstance(raw, dict) else raw.get(key)


def _text(raw: Mapping, key: str) -> str:
    value = _get(raw, key)
    return value.strip() if isinstance(value, str) else ""


def _when(raw: Mapping, index: NightIndex, bad) -> datetime | None:
    key = "updated" if _text(raw, "updated") else "published"
    text = _text(raw, key)
    if not text:
        bad("updated", "is missing; expected the time the result was recorded (Atom updated or published, "
                       "RSS pubDate)")
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            bad(key, f"{_shown(text)} is not a date; expected ISO 8601 with a UTC offset "
                     "(2026-05-07T23:30:00+01:00) or an RFC 822 date")
            return None
    if when.tzinfo is None:
        bad(key, f"{_shown(text)} has no UTC offset; expected a time such as 2026-05-07T23:30:00+01:00")
        return None
    problem = declared_at_problem(when, index.polls_close, index.clock())
    if problem is not None:  # before polls closed, days after, ahead of the clock, out of range
        bad(key, f"{_shown(text)} {problem[1]}")
        return None
    return when


def _council(slug_text: str, index: NightIndex, bad) -> str | None:
    if not slug_text:
        bad("election_slug", "is missing; expected the council's election id, local.<council slug>.<poll date>")
        return None
    parts = slug_text.split(".")
    expected = f"local.<council slug>.{index.poll_date.isoformat()}"
    if len(parts) not in (3, 4) or parts[0] != "local" or not _SLUG.match(parts[1]):
        bad("election_slug", f"{_shown(slug_text)} is not a local election id; expected {expected}")
        return None
    try:
        when = date.fromisoformat(parts[-1])
    except ValueError:
        bad("election_slug", f"{_shown(slug_text)} does not end with a date; expected {expected}")
        return None
    if when != index.poll_date:
        bad("election_slug", f"{_shown(slug_text)} is an election on {when.isoformat()}; expected one on "
                             f"{index.poll_date.isoformat()}")
        return None
    if parts[1] not in index.councils:
        bad("election_slug", f"names council {parts[1]!r}, which has no election tonight; expected one of "
                             "the night's councils")
        return None
    return parts[1]


def _plain(value: str, fld: str, bad) -> bool:
    """Names reach copy (drafts are not HTML-escaped): markup and control characters are refused."""
    if "<" in value or ">" in value:
        bad(fld, f"{_shown(value)} contains markup ('<' or '>'); expected a plain name")
        return False
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        bad(fld, f"{_shown(value)} contains control characters; expected a plain name")
        return False
    why = name_problem(value)  # invisible and text-direction characters, look-alike letters
    if why is not None:
        bad(fld, f"{_shown(value)} {why}")
        return False
    if len(value) > MAX_NAME:
        bad(fld, f"is {len(value)} characters long; expected at most {MAX_NAME}")
        return False
    return True


def _name(value: str, bad) -> str | None:
    if not value:
        bad("winner_person_name", "is missing; expected the winner's name")
        return None
    if not _plain(value, "winner_person_name", bad):
        return None
    if not any(ch.isalnum() for ch in value):
        bad("winner_person_name", f"{_shown(value)} has no letters or digits; expected the winner's name")
        return None
    return " ".join(value.split())


def read_entry(raw: Mapping, position: int, index: NightIndex, table: FeedParties,
               feed: str) -> tuple[FeedEntry | None, list[FeedProblem]]:
    """Check one parsed entry against the night; the entry, or None and every problem found."""
    eid = entry_id(raw, position)
    problems: list[FeedProblem] = []

    def bad(fld: str | None, message: str) -> None:
        problems.append(FeedProblem(feed, eid, fld, message))

    if eid.startswith("#"):
        bad("id", "is missing; expected an entry id (Atom id or RSS guid)")
    flag = _text(raw, "retraction").lower() or "0"
    if flag not in ("0", "1", "false", "true"):
        bad("retraction", f"is {_shown(flag)}; expected 0 or 1")
    at = _when(raw, index, bad)
    council = _council(_text(raw, "election_slug"), index, bad)
    post_id, post_name = _text(raw, "post_id"), _text(raw, "post_name")
    ward = None
    if post_name and not _plain(post_name, "post_name", bad):
        post_name = ""
        council = None  # the entry is reported; its ward is not looked for
    if post_id and not _plain(post_id, "post_id", bad):
        council = None  # a ward's name can come from post_id: it must be plain too
    elif not post_id:
        bad("post_id", "is missing; expected the ward's post id (an ONS ward code such as E05000123, "
                       "or the ward's slug)")
    elif council is not None:
        ward = index.ward(council, post_id, post_name)
        if ward is None:
            bad("post_id", f"{_shown(post_id)} (post_name {_shown(post_name)}) matches no ward of "
                           f"{index.councils[council].name}; expected an ONS ward code or ward name of "
                           "that council")
    name = _name(_text(raw, "winner_person_name"), bad)
    party_id, party_name = _text(raw, "winner_party_id"), _text(raw, "winner_party_name")
    party = None
    if not party_id and not party_name:
        bad("winner_party_id", "is missing (and so is winner_party_name); expected a party id such as "
                               "party:53 or a party name")
    elif (party_id and not _plain(party_id, "winner_party_id", bad)) or \
            (party_name and not _plain(party_name, "winner_party_name", bad)):
        pass  # a party's name is plain text like any name (reported above)
    else:
        party = table.code_for(party_id, party_name)
        if party is None:
            bad("winner_party_id", f"{_shown(party_id)} ({_shown(party_name)}) is not in {table.source} nor "
                                   "among the night's parties; expected a party id or name listed there")
    if problems:
        return None, problems
    assert at is not None and ward is not None and name is not None and party is not None
    person = _text(raw, "winner_person_id") or "name:" + normalise_ward_name(name)
    return FeedEntry(eid, at, ward, person, name, party, flag in ("1", "true"),
                     _text(raw, "information_source"), position), []


# -- the wards the entries make ---------------------------------------------------------------
@dataclass
class WardState:
    ref: WardRef
    winners: dict[str, FeedEntry] = field(default_factory=dict)  # person -> entry, in order
    at: datetime | None = None  # the latest entry that changed the ward
    last_entry: str = ""

    def ready(self) -> bool:
        """Whether the ward can be declared for the first time."""
        if self.ref.seats is None:
            return bool(self.winners)
        return len(self.winners) >= self.ref.seats

    def declaration(self, feed: str) -> WardDeclaration:
        r = self.ref
        candidates = tuple(Candidate(e.name, e.party, None, True) for e in self.winners.values())
        assert self.at is not None
        return WardDeclaration(
            id=r.id, council=r.council, ward=r.name, ward_code=r.code,
            seats=r.seats if r.seats is not None else max(len(candidates), 1),
            candidates=candidates, declared_at=self.at, source=f"{feed}#{self.last_entry}")


def derive(entries: Iterable[FeedEntry], index: NightIndex,
           feed: str) -> tuple[dict[str, WardState], list[FeedProblem]]:
    """Each ward's standing winners after ``entries``, taken in the order recorded; problems for
    entries that cannot apply (a winner twice, more winners than seats, a retraction of a
    winner not in the feed). Pure: the same entries always give the same wards."""
    wards: dict[str, WardState] = {}
    per_council: dict[str, int] = {}
    problems: list[FeedProblem] = []
    for e in sorted(entries, key=lambda e: (e.at, e.order)):
        state = wards.setdefault(e.ward.id, WardState(e.ward))
        ward = f"{e.ward.name} ({index.councils[e.ward.council].name})"
        if e.retraction:
            if e.person in state.winners:
                del state.winners[e.person]
                per_council[e.ward.council] -= 1
            else:
                problems.append(FeedProblem(feed, e.id, "retraction", f"withdraws {e.name!r} in {ward}, who "
                                            "is not a winner there in this feed; expected an earlier entry "
                                            "naming them (ignored)"))
                continue
        elif e.person in state.winners:
            problems.append(FeedProblem(feed, e.id, "winner_person_name", f"{e.name!r} already won {ward} in "
                                        f"entry {state.winners[e.person].id}; expected each winner once "
                                        "(this entry is ignored)"))
            continue
        elif e.ward.seats is not None and len(state.winners) >= e.ward.seats:
            problems.append(FeedProblem(feed, e.id, "post_id", f"would be winner number "
                                        f"{len(state.winners) + 1} in {ward}, which elects {e.ward.seats}; "
                                        "expected a retraction first (this entry is ignored)"))
            continue
        elif per_council.get(e.ward.council, 0) >= index.councils[e.ward.council].seats_up:
            council = index.councils[e.ward.council]
            problems.append(FeedProblem(feed, e.id, "election_slug", f"would be winner number "
                                        f"{council.seats_up + 1} in {council.name}, which elects "
                                        f"{council.seats_up} tonight; expected a retraction first "
                                        "(this entry is ignored)"))
            continue
        else:
            state.winners[e.person] = e
            per_council[e.ward.council] = per_council.get(e.ward.council, 0) + 1
        state.at = e.at if state.at is None else max(state.at, e.at)
        state.last_entry = e.id
    return wards, problems
