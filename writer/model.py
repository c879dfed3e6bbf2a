"""The data every stage shares: the night as known before polls close, and declarations.

Everything here is a frozen dataclass: stages pass data in and get new data out.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from writer.identity import PartyIdentity

Cycle = Literal["all-out", "thirds", "halves"]


def slugify(text: str) -> str:
    """Democracy Club style slug: lower case ASCII words joined by hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.lower().replace("&", " and ").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def normalise_ward_name(name: str) -> str:
    """Ward names differ between years in casing, '&'/'and' and punctuation; this key
    ignores those differences (and a trailing 'ward' or 'division')."""
    key = slugify(name)
    return re.sub(r"-(ward|division)$", "", key)


#: Words a place name keeps in lower case inside it ("Newcastle-under-Lyme", "Wells-next-the-Sea").
_SMALL_WORDS = frozenset(("and", "at", "by", "de", "for", "in", "la", "le", "next", "of", "on", "the", "to",
                          "under", "upon", "with"))
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def display_ward_name(name: str) -> str:
    """A ward name as copy prints it, in house style. Sources sometimes write names in
    capitals ("QUEENS PARK", "ST. MARY'S AND ASHTEAD") or capitalise every word
    ("Shevington With Lower Ground"): copy prints "Queens Park", "St. Mary's and Ashtead",
    "Shevington with Lower Ground". Otherwise a name is the source's own styling and is kept."""
    letters = [ch for ch in name if ch.isalpha()]
    if not letters:
        return name
    capitals = not any(ch.islower() for ch in letters)

    def word(m: re.Match) -> str:
        w = m.group(0)
        at_start = m.start() == 0 or name[m.start() - 1] in "(/"
        if w.lower() in _SMALL_WORDS and not at_start:
            return w.lower() if capitals or w[1:].islower() else w
        return w[:1].upper() + w[1:].lower() if capitals else w

    return _NAME_WORD.sub(word, name)


_SURNAME_FIRST = re.compile(r"^(?P<surname>\S.*?\S)\s+(?P<initials>(?:[A-Z]\.\s?)+)$")


def display_person_name(name: str) -> str:
    """A candidate's name the right way round for prose. Some sources (the Commons Library
    handbook) write surname then initials, "Holliman P." or "Smith J. R."; copy prints
    "P. Holliman", "J. R. Smith". Any other form is kept as the source wrote it."""
    m = _SURNAME_FIRST.match(name.strip())
    if not m:
        return name
    return f"{' '.join(m.group('initials').split())} {m.group('surname')}"


@dataclass(frozen=True)
class ContextFigure:
    """A figure known before the night that copy may quote, with its source."""

    key: str
    label: str
    unit: str
    values: dict[str, float]
    source: str  # where the figure comes from, for editors (a long note, links): never printed
    cite: str | None = None  # how copy attributes it ("the BBC"), if it may be attributed


@dataclass(frozen=True)
class Election:
    id: str
    name: str
    poll_date: date
    polls_close: datetime
    baseline_id: str
    baseline_label: str
    context: tuple[ContextFigure, ...] = ()


@dataclass(frozen=True)
class Council:
    """A council with an election tonight, as known before the night."""

    name: str
    slug: str
    gss_code: str
    region: str
    cycle: Cycle
    total_seats: int
    seats_up: int
    control_before: str | None
    composition_before: dict[str, int] | None
    new_council: bool
    boundary_change: bool

    @property
    def unit(self) -> str:
        """What the council's electoral areas are called: divisions in a county council (ONS
        codes E10...), wards everywhere else."""
        return "division" if self.gss_code.startswith("E10") else "ward"


@dataclass(frozen=True)
class BaselineCouncil:
    name: str
    slug: str
    cycle: Cycle
    total_seats: int
    seats_up: int
    seats_won: dict[str, int]
    composition_after: dict[str, int]
    control_after: str


@dataclass(frozen=True)
class Candidate:
    name: str
    party: str
    votes: int | None  # None: the winner is known but the votes are not (a partial declaration)
    elected: bool


def elected_below(candidates: tuple[Candidate, ...] | list[Candidate]) -> tuple[Candidate, Candidate] | None:
    """An elected candidate with fewer votes than one who was not elected, which no count can
    give (the candidates with the most votes are elected; a tie at the cut is decided by lot,
    so equal votes may fall either way): (that winner, the loser above them), or None. Where a
    vote count is missing (winners declared before their votes) there is nothing to compare."""
    if any(c.votes is None for c in candidates):
        return None
    winners = [c for c in candidates if c.elected]
    losers = [c for c in candidates if not c.elected]
    if not winners or not losers:
        return None
    low = min(winners, key=lambda c: c.votes)
    high = max(losers, key=lambda c: c.votes)
    return (low, high) if low.votes < high.votes else None


@dataclass(frozen=True)
class BaselineWard:
    council: str
    ward: str
    ward_code: str
    seats: int
    candidates: tuple[Candidate, ...]

    def top_winners(self, n: int) -> tuple[Candidate, ...]:
        """The baseline's ``n`` top-placed winners (a thirds council after an all-out year)."""
        winners = sorted((c for c in self.candidates if c.elected), key=lambda c: -(c.votes or 0))
        return tuple(winners[:n])


@dataclass(frozen=True)
class ControlPeriod:
    from_year: int
    to_year: int | None  # None: ran up to the poll
    control: str


def _digest(payload: object) -> str:
    """A stable digest of plain data (str, int, float, None, bool in lists and sorted
    dicts): repr of these is the same in every process, unlike hash()."""
    return hashlib.sha256(repr(payload).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class WardDeclaration:
    """One ward's result as the returning officer declared it."""

    id: str  # Democracy Club ballot id: local.<council>.<ward>.<date>
    council: str  # council slug
    ward: str
    ward_code: str
    seats: int
    candidates: tuple[Candidate, ...]
    declared_at: datetime
    source: str
    electorate: int | None = None
    turnout_pct: float | None = None
    total_votes: int | None = None
    kind: Literal["ward"] = field(default="ward", init=False)

    def content_key(self) -> tuple:
        """What the declaration says, ignoring when and where it came from: the same id
        with the same content is a repeat; with other content, a correction."""
        return (self.id, self.council, self.ward, self.ward_code, self.seats,
                tuple((c.name, c.party, c.votes, c.elected) for c in self.candidates),
                self.electorate, self.turnout_pct, self.total_votes)

    def content_digest(self) -> str:
        return _digest(self.content_key())

    @property
    def has_votes(self) -> bool:
        """Every candidate's votes are known. A partial declaration (winners first, votes
        later, as results feeds send them) and a withdrawn one (no candidates) have none."""
        return bool(self.candidates) and all(c.votes is not None for c in self.candidates)

    @property
    def withdrawn(self) -> bool:
        """A ward whose every reported winner was retracted: re-issued with no candidates,
        it counts as not declared (its seats leave the council's running count)."""
        return not self.candidates


@dataclass(frozen=True)
class CouncilDeclaration:
    """A council's announcement of the seats won tonight and its whole make-up afterwards."""

    id: str  # Democracy Club council election id: local.<council>.<date>
    council: str
    seats_won: dict[str, int]
    composition_after: dict[str, int]
    declared_at: datetime
    source: str
    kind: Literal["council"] = field(default="council", init=False)

    def content_key(self) -> tuple:
        return (self.id, self.council, tuple(sorted(self.seats_won.items())),
                tuple(sorted(self.composition_after.items())))

    def content_digest(self) -> str:
        return _digest(self.content_key())


Declaration = WardDeclaration | CouncilDeclaration


def ward_declaration_id(council_slug: str, ward: str, poll_date: date) -> str:
    return f"local.{council_slug}.{slugify(ward)}.{poll_date.isoformat()}"


def council_declaration_id(council_slug: str, poll_date: date) -> str:
    return f"local.{council_slug}.{poll_date.isoformat()}"


@dataclass(frozen=True)
class Constituency:
    """One constituency at the last general election before tonight (general_election.csv):
    what the writer's Commons projection starts from."""

    ons_id: str
    name: str
    country: str  # England, Scotland, Wales or Northern Ireland
    region: str
    electorate: int
    valid_votes: int
    winner: str  # a party code, or the source's code for a party not listed (DUP, SF, Spk...)
    votes: dict[str, int]  # party code (a column of the file) -> votes; "Other": every other candidate


@dataclass(frozen=True)
class Night:
    """An election night: what was known before polls closed, and its declarations."""

    election: Election
    councils: dict[str, Council]
    baseline_councils: dict[str, BaselineCouncil]
    baseline_wards: dict[str, tuple[BaselineWard, ...]]  # by council slug
    history: dict[str, tuple[ControlPeriod, ...]]  # by council slug
    declarations: tuple[Declaration, ...]  # in declared_at order
    source: str = ""
    #: How the night's party codes were resolved (the registry and the names seen): later
    #: declarations (the HTTP API, feeds) resolve through the same table.
    parties: "PartyIdentity | None" = field(default=None, compare=False, repr=False)
    #: The last general election by constituency (general_election.csv; empty when absent).
    general_election: tuple[Constituency, ...] = field(default=(), repr=False)
    #: Democracy Club's ward slugs where the night gives them (the optional dc_ward_slug
    #: column of the ward rows): (council slug, ward slug) -> ward name.
    dc_ward_slugs: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def setup(self) -> "NightSetup":
        return NightSetup(self.election, self.councils, self.baseline_councils,
                          self.baseline_wards, self.history, self.parties,
                          general_election=self.general_election, dc_ward_slugs=self.dc_ward_slugs)


@dataclass(frozen=True)
class NightSetup:
    """Everything known before the first declaration: what an engine starts from."""

    election: Election
    councils: dict[str, Council]
    baseline_councils: dict[str, BaselineCouncil]
    baseline_wards: dict[str, tuple[BaselineWard, ...]]
    history: dict[str, tuple[ControlPeriod, ...]]
    parties: "PartyIdentity | None" = field(default=None, compare=False, repr=False)
    #: The last general election by constituency (general_election.csv; empty when absent).
    general_election: tuple[Constituency, ...] = field(default=(), repr=False)
    #: Democracy Club's ward slugs (see :attr:`Night.dc_ward_slugs`).
    dc_ward_slugs: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)
