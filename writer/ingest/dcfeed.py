"""Democracy Club's results feed, read into ward declarations (pure: no I/O).

The feed is YourNextRepresentative's ``/results/all.atom``: Atom, newest entry first, 300
entries a page with RFC 5005 ``first``/``last``/``next`` links (the poller,
:mod:`writer.ingest.feeds`, follows them). Each entry is one winner, or the retraction of
one, with these elements: ``retraction`` (``1``: this entry withdraws the earlier statement
that the person won), ``election_slug`` (the council's election, ``local.barnet.2022-05-05``,
not the ballot id), ``election_name``, ``election_date``, ``post_id`` (the ward's slug as
Every Election makes it, ``brunswick-park``), ``winner_person_id``, ``winner_person_name``,
``winner_party_id`` (``party:53``, ``joint-party:53-119``, ``ynmp-party:2``),
``winner_party_name``, ``user_id``, ``post_name`` and ``information_source``. It has no
votes: every declaration made from it is a *partial* declaration (winners only,
``votes=None``), which counts for seats and control while stories say nothing about votes.

:func:`read_entry` checks one entry against the night (every problem names the entry, the
field and what was expected); :func:`derive` turns the accepted entries, in the order they
were recorded, into each ward's standing winners. The same entries always give the same
wards, so a poller that restarts and reads the whole feed again arrives where it was.

**Wards.** ``post_id`` is matched to the night's wards by slug: a ward's ``dc_ward_slug``
(an optional column of the night's ward rows), else the slug Every Election makes of its
name (which drops "&" and punctuation: ``newington-gipsyville``). Failing that, by the
normalised name (``post_name``, "&" and "and" alike), and failing that by a close name
(difflib, at least :data:`FUZZY_CUTOFF` alike and clearly ahead of the next), which is
taken but reported for an editor to check. Anything less alike is refused and reported.

**Parties.** A party id or name is looked up in the party registry, then among the night's
parties; a party neither knows is kept as ``Other (its name)`` and reported for an editor.

**When a ward is declared.** A ward whose number of seats the night knows (tonight's results
in the election directory, or the baseline ward of an all-out council on unchanged
boundaries) is declared once its winners reach that number; until then it is *pending*.
A ward whose seats the night does not know is declared with its first winner and re-issued
as each further winner arrives (each a correction of the last). Once declared, every change
re-issues the ward under the same declaration id: a retraction takes the winner out, and a
ward whose every winner is retracted is re-issued *withdrawn* (no candidates), which the
engine counts as undeclared: its seats leave the council's count and the events it caused
are retracted. A volunteer who re-saves a full ward with different winners makes no
retraction: the newer winners, once there are as many as seats, replace the earlier set
(a correction, reported as such).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from writer import parties
from writer.identity import REGISTRY_FILE, PartyIdentity, PartyRegistry
from writer.text import name_problem
from writer.ingest.times import declared_at_problem, utc_now
from writer.model import (Candidate, Night, NightSetup, WardDeclaration, normalise_ward_name,
                          ward_declaration_id)

#: The elements of Democracy Club's feed that the writer reads.
FIELDS = ("retraction", "election_slug", "election_name", "election_date", "post_id",
          "winner_person_id", "winner_person_name", "winner_party_id", "winner_party_name",
          "user_id", "post_name", "information_source")
MAX_NAME = 200
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: How alike (difflib ratio of normalised names) a ward name must be to match a ward of the
#: night it does not name exactly; and how far ahead of the next ward it must be.
FUZZY_CUTOFF = 0.85
FUZZY_MARGIN = 0.05


def ee_slug(name: str) -> str:
    """The slug Every Election makes of a ward's name (Django's slugify): ASCII, lower case,
    punctuation and "&" dropped, spaces and hyphens joined into one hyphen."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[-\s]+", "-", text).strip("-_")


def _loose(key: str) -> str:
    """A normalised ward name without its "and"s ("newington-and-gipsyville" and the slug
    "newington-gipsyville" alike)."""
    return "-".join(w for w in key.split("-") if w and w != "and")


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
    is kept as ``Other (its name)`` (:meth:`resolve`) and reported for an editor: add it to
    the registry if it should be another code."""

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

    def resolve(self, party_id: str, party_name: str) -> tuple[str | None, bool]:
        """The party's code and whether it is a guess: a party the registry and the night do
        not know is ``Other (its name)``, through the registry (an ``Other (Name)`` it knows
        by that name is its code); None when even that is no valid party code."""
        found = self.code_for(party_id, party_name)
        if found is not None:
            return found, False
        name = " ".join(party_name.split())
        if not name:
            return None, False
        other = f"Other ({name})"
        known = self.registry.for_code(other)
        if known is not None and parties.is_party_code(known):
            return known, False
        return (other, True) if parties.is_party_code(other) else (None, False)


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
    """The night's councils and wards, looked up the way feed entries name them: ``post_id``
    (Every Election's ward slug) by the ward's ``dc_ward_slug`` where the night gives one, or
    by the slug Every Election makes of its name; else the normalised name (``post_id``,
    then ``post_name``, "&" and "and" alike); else a close name (reported), all within the
    council named by ``election_slug``. Wards come from tonight's results in the election
    directory, then from the baseline (on unchanged boundaries). A council the night knows
    no wards of (a new council, new boundaries) takes the ward from ``post_name``."""

    def __init__(self, night: Night | NightSetup, *, clock: Callable[[], datetime] | None = None) -> None:
        setup = night.setup if isinstance(night, Night) else night
        self.setup = setup
        self.clock = clock or utc_now  # the server's clock: no entry is recorded in the future
        self.councils = setup.councils
        self.poll_date: date = setup.election.poll_date
        self.polls_close: datetime = setup.election.polls_close
        self.by_code: dict[tuple[str, str], WardRef] = {}
        self.by_name: dict[tuple[str, str], WardRef] = {}
        self.by_slug: dict[tuple[str, str], WardRef] = {}
        self.by_loose: dict[tuple[str, str], WardRef | None] = {}  # None: two wards alike
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
        for ref in self.by_name.values():
            self.by_slug.setdefault((ref.council, ee_slug(ref.name)), ref)
            loose = (ref.council, _loose(normalise_ward_name(ref.name)))
            self.by_loose[loose] = ref if self.by_loose.get(loose, ref) is ref else None
        # the night's own Democracy Club slugs come first (an optional dc_ward_slug column)
        for (council, dc_slug), ward in (getattr(setup, "dc_ward_slugs", None) or {}).items():
            ref = self.by_name.get((council, normalise_ward_name(ward)))
            if ref is not None:
                self.by_slug[(council, dc_slug)] = ref
        self.known = {ref.council for ref in self.by_name.values()}
        self.wards_of: dict[str, list[WardRef]] = {}
        for ref in self.by_name.values():
            self.wards_of.setdefault(ref.council, []).append(ref)

    def _add(self, ref: WardRef, *, replace: bool) -> None:
        name_key = (ref.council, normalise_ward_name(ref.name))
        code_key = (ref.council, ref.code) if ref.code else None
        if not replace and (name_key in self.by_name or (code_key and code_key in self.by_code)):
            return
        self.by_name[name_key] = ref
        if code_key:
            self.by_code[code_key] = ref

    def ward(self, council: str, post_id: str, post_name: str) -> WardRef | None:
        """The ward an entry names (a close name included: see :meth:`match`)."""
        return self.match(council, post_id, post_name)[0]

    def match(self, council: str, post_id: str, post_name: str) -> tuple[WardRef | None, str | None]:
        """The ward an entry names, and a note for an editor when it was matched by a close
        name only (None when matched exactly, or not at all)."""
        if post_id and (council, post_id) in self.by_slug:
            return self.by_slug[(council, post_id)], None
        for text in (post_id, post_name):
            key = normalise_ward_name(text) if text else ""
            if key and (council, key) in self.by_name:
                return self.by_name[(council, key)], None
            found = self.by_loose.get((council, _loose(key))) if key else None
            if found is not None:
                return found, None
        close = self._close(council, post_name or post_id)
        if close is not None:
            ref, ratio = close
            return ref, (f"{_shown(post_id)} ({_shown(post_name)}) is taken to be ward {ref.name!r} by a close "
                         f"name ({ratio:.0%} alike); an editor must check it (or give the ward's "
                         "dc_ward_slug in the night's wards)")
        known = self.councils.get(council)
        if council not in self.known or (known is not None and (known.new_council or known.boundary_change)):
            # new wards only where the night knows no ward of the council, or the council is
            # new or has new boundaries (writer.ingest.wards: the API and the loader alike)
            name = post_name or post_id
            if name and normalise_ward_name(name):
                return WardRef(council, name, "", None, ward_declaration_id(council, name, self.poll_date)), None
        return None, None

    def _close(self, council: str, text: str) -> tuple[WardRef, float] | None:
        key = _loose(normalise_ward_name(text)) if text else ""
        if not key:
            return None
        scored = sorted(((difflib.SequenceMatcher(None, key, _loose(normalise_ward_name(r.name))).ratio(), r.id, r)
                         for r in self.wards_of.get(council, ())), key=lambda t: (-t[0], t[1]))
        if not scored or scored[0][0] < FUZZY_CUTOFF:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < FUZZY_MARGIN:
            return None  # two wards about as alike: not guessed
        return scored[0][2], scored[0][0]


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
    order: int = 0  # to break ties between entries recorded together: the older first
    #: (field, message) for an editor: the entry is taken, but by a close ward name or as a
    #: party the registry does not know
    notes: tuple[tuple[str, str], ...] = ()


def entry_id(raw: Mapping, position: int) -> str:
    """The entry's Atom ``id``, else its link, else its place in the feed."""
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
        bad("updated", "is missing; expected the time the result was recorded (Atom updated or "
                       "published)")
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
    notes: list[tuple[str, str]] = []

    def bad(fld: str | None, message: str) -> None:
        problems.append(FeedProblem(feed, eid, fld, message))

    if eid.startswith("#"):
        bad("id", "is missing; expected an entry id (Atom id)")
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
        bad("post_id", "is missing; expected the ward's slug (Every Election's, such as brunswick-park)")
    elif council is not None:
        ward, ward_note = index.match(council, post_id, post_name)
        if ward is None:
            bad("post_id", f"{_shown(post_id)} (post_name {_shown(post_name)}) matches no ward of "
                           f"{index.councils[council].name}; expected the slug or name of one of that "
                           "council's wards (or its dc_ward_slug in the night's wards)")
        elif ward_note is not None:
            notes.append(("post_id", ward_note))
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
        party, guessed = table.resolve(party_id, party_name)
        if party is None:
            bad("winner_party_id", f"{_shown(party_id)} ({_shown(party_name)}) is not in {table.source} nor "
                                   "among the night's parties, and is no party name; expected a party id or "
                                   "name listed there")
        elif guessed:
            note = (f"{_shown(party_id)} ({_shown(party_name)}) is not in {table.source} nor among the night's "
                    f"parties; kept as {party!r}: an editor must check it (add it to the registry if it is "
                    "another party)")
            notes.append(("winner_party_id", note))
    if problems:
        return None, problems
    assert at is not None and ward is not None and name is not None and party is not None
    person = _text(raw, "winner_person_id") or "name:" + normalise_ward_name(name)
    return FeedEntry(eid, at, ward, person, name, party, flag in ("1", "true"),
                     _text(raw, "information_source"), position, tuple(notes)), []


# -- the wards the entries make ---------------------------------------------------------------
@dataclass
class WardState:
    ref: WardRef
    winners: dict[str, FeedEntry] = field(default_factory=dict)  # person -> entry, in order
    at: datetime | None = None  # the latest entry that changed the ward
    last_entry: str = ""
    #: winners recorded after the ward was full (a volunteer re-saving it): once there are as
    #: many as seats, they replace ``winners``
    newer: dict[str, FeedEntry] = field(default_factory=dict)

    def ready(self) -> bool:
        """Whether the ward can be declared for the first time."""
        if self.ref.seats is None:
            return bool(self.winners)
        return len(self.winners) >= self.ref.seats

    def full(self) -> bool:
        return self.ref.seats is not None and len(self.winners) >= self.ref.seats

    def declaration(self, feed: str) -> WardDeclaration:
        r = self.ref
        candidates = tuple(Candidate(e.name, e.party, None, True) for e in self.winners.values())
        assert self.at is not None
        return WardDeclaration(
            id=r.id, council=r.council, ward=r.name, ward_code=r.code,
            seats=r.seats if r.seats is not None else max(len(candidates), 1),
            candidates=candidates, declared_at=self.at, source=f"{feed}#{self.last_entry}")


def _names(entries: Iterable[FeedEntry]) -> str:
    return ", ".join(f"{e.name} ({e.party})" for e in entries) or "none"


def derive(entries: Iterable[FeedEntry], index: NightIndex,
           feed: str) -> tuple[dict[str, WardState], list[FeedProblem]]:
    """Each ward's standing winners after ``entries``, taken in the order recorded; problems for
    entries that cannot apply (a winner twice, more winners than a council elects, a
    retraction of a winner not in the feed) and notes of winners replaced without a
    retraction. Pure: the same entries always give the same wards.

    A ward that is full (as many winners as seats) and gets a winner recorded after all of
    its winners starts a newer set; when the newer set is as many as seats it replaces the
    earlier one (YourNextRepresentative records a re-saved ward's winners again, without
    retracting the earlier ones)."""
    wards: dict[str, WardState] = {}
    per_council: dict[str, int] = {}
    problems: list[FeedProblem] = []
    for e in sorted(entries, key=lambda e: (e.at, e.order)):
        state = wards.setdefault(e.ward.id, WardState(e.ward))
        ward = f"{e.ward.name} ({index.councils[e.ward.council].name})"
        if e.retraction:
            if e.person in state.winners:
                del state.winners[e.person]
                state.newer.pop(e.person, None)
                per_council[e.ward.council] -= 1
            elif e.person in state.newer:
                del state.newer[e.person]
                continue  # not standing yet: the ward does not change
            else:
                problems.append(FeedProblem(feed, e.id, "retraction", f"withdraws {e.name!r} in {ward}, who "
                                            "is not a winner there in this feed; expected an earlier entry "
                                            "naming them (ignored)"))
                continue
        elif state.full() and (state.newer or e.at > max(w.at for w in state.winners.values())):
            # a re-saved ward: the newer winners replace the earlier ones once complete
            if e.person in state.newer:
                problems.append(FeedProblem(feed, e.id, "winner_person_name", f"{e.name!r} already won {ward} in "
                                            f"entry {state.newer[e.person].id}; expected each winner once "
                                            "(this entry is ignored)"))
                continue
            state.newer[e.person] = e
            assert e.ward.seats is not None
            if len(state.newer) < e.ward.seats:
                continue
            before, after = list(state.winners.values()), list(state.newer.values())
            state.newer = {}
            per_council[e.ward.council] += len(after) - len(before)
            state.winners = {w.person: w for w in after}
            if {(w.person, w.party) for w in before} == {(w.person, w.party) for w in after}:
                continue  # the same winners saved again: nothing changes
            problems.append(FeedProblem(feed, e.id, None, f"corrects {ward} without a retraction: the winners "
                                        f"recorded later ({_names(after)}) replace the earlier ones "
                                        f"({_names(before)}); the ward is re-issued as a correction"))
        elif e.person in state.winners:
            problems.append(FeedProblem(feed, e.id, "winner_person_name", f"{e.name!r} already won {ward} in "
                                        f"entry {state.winners[e.person].id}; expected each winner once "
                                        "(this entry is ignored)"))
            continue
        elif state.full():
            problems.append(FeedProblem(feed, e.id, "post_id", f"would be winner number "
                                        f"{len(state.winners) + 1} in {ward}, which elects {e.ward.seats}, "
                                        "recorded no later than its winners; expected a retraction first "
                                        "(this entry is ignored)"))
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
