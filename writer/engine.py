"""The engine: runs declarations through compare and detect, keeping the night's state.

``Engine.apply`` takes any declaration (from a replayed directory, and later from feeds
and the HTTP API) and returns the event records it causes: new events, updated versions
and retractions. A repeated declaration (same id, same content) does nothing; the same id
with new content, declared no earlier than the current version, is a correction that
replaces it and re-derives everything that depended on it; an older version arriving late
is stale and changes nothing. A version that was replaced comes back only when declared
after the current one (a recount that restores the first result), never by arriving again
as it was sent. Each declaration costs O(parties) beyond its own candidates, so a
night ten times larger takes ten times as long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from writer import parties
from writer.compare.council import CouncilResult, CouncilTally, summarise
from writer.compare.tally import NATIONAL, Group, Tally, TallyBuilder
from writer.compare.ward import BaselineIndex, WardResult, compare_ward
from writer.detect.events import Event, EventLog
from writer.detect.facts import council_facts, tally_facts, ward_facts
from writer.detect.firsts import SeatRecord, baseline_year
from writer.detect.rules import RuleSet
from writer.detect.surprise import NightModel
from writer.errors import InputError, Problem
from writer.model import CouncilDeclaration, Declaration, NightSetup, WardDeclaration


@dataclass(frozen=True)
class Applied:
    """What applying one declaration did."""

    declaration_id: str
    outcome: str  # "new", "correction", "repeat" or "stale"
    events: tuple[Event, ...]


class Engine:
    def __init__(self, setup: NightSetup, rules: RuleSet, groups: tuple[Group, ...] = ()) -> None:
        self.setup = setup
        self.rules = rules
        self.election = setup.election
        self.baseline_label = setup.election.baseline_label
        poll_year = setup.election.poll_date.year
        self.indices: dict[str, BaselineIndex] = {}
        self.tallies: dict[str, CouncilTally] = {}
        self.results: dict[str, CouncilResult] = {}
        self.council_groups: dict[str, list[str]] = {}
        all_groups = (NATIONAL,) + tuple(groups)
        self.groups = {g.id: g for g in all_groups}
        members: dict[str, int] = {g.id: 0 for g in all_groups}
        self.seat_records: dict[str, SeatRecord] = {}  # who held seats before tonight (first seats)
        since = baseline_year(setup.election)
        for slug, council in setup.councils.items():
            baseline = setup.baseline_councils.get(slug)
            wards = setup.baseline_wards.get(slug, ())
            self.indices[slug] = BaselineIndex.build(wards, baseline.cycle if baseline else None)
            self.tallies[slug] = CouncilTally(council, baseline, wards, setup.history.get(slug, ()), poll_year)
            self.council_groups[slug] = [g.id for g in all_groups if g is NATIONAL or g.contains(council)]
            for gid in self.council_groups[slug]:
                members[gid] += 1
            self.seat_records[slug] = SeatRecord.build(council, baseline, setup.history.get(slug, ()), since)
        self.builders = {gid: TallyBuilder(self.groups[gid], n) for gid, n in members.items()}
        self.names = {slug: c.name for slug, c in setup.councils.items()}
        self.context = [{"key": c.key, "label": c.label, "unit": c.unit, "values": c.values,
                         "source": c.source, "cite": c.cite} for c in setup.election.context]
        self.model = NightModel(poll_year)
        self.log = EventLog()
        self.declarations: dict[str, Declaration] = {}
        self._by_council: dict[str, dict[str, Declaration]] = {}  # the same, council by council
        self._superseded: dict[str, set[tuple]] = {}  # declaration id -> contents replaced by corrections
        self.ward_results: dict[str, WardResult] = {}
        self._counts: dict[str, dict[str, int]] = {}  # council slug -> its running counts as last told
        self._final_at: dict[str, str] = {}  # council slug -> when its result became final (ISO)
        self._standing: dict[str, dict[str, set[str]]] = {}  # group id -> party -> its standing event keys
        self._rules = {
            "ward": rules.for_scope("ward"),
            "counting": rules.for_scope("council", "counting"),
            "declared": rules.for_scope("council", "declared"),
            "group": rules.for_scope("group"),
            "national": rules.for_scope("national"),
        }

    # -- the one way in ---------------------------------------------------------------------
    def apply(self, decl: Declaration) -> Applied:
        if decl.council not in self.tallies:
            raise InputError([Problem(decl.source or decl.id, None, "council",
                                      f"unknown council {decl.council!r}; expected one of the night's councils")],
                             f"cannot apply declaration {decl.id}")
        current = self.declarations.get(decl.id)
        if current is not None:
            content = decl.content_key()
            if current.content_key() == content:
                return Applied(decl.id, "repeat", ())
            # An earlier version arriving late (a feed replaying old entries, a second replay
            # of a night) must never undo a correction: only a version declared no earlier
            # than the current one replaces it, and one that was replaced before only when
            # declared after it (A, B, then A again as a new declaration).
            if decl.declared_at < current.declared_at or (
                    content in self._superseded.get(decl.id, ()) and decl.declared_at <= current.declared_at):
                return Applied(decl.id, "stale", ())
            self._superseded.setdefault(decl.id, set()).add(current.content_key())
        outcome = "correction" if current is not None else "new"
        self.declarations[decl.id] = decl
        self._by_council.setdefault(decl.council, {})[decl.id] = decl
        if isinstance(decl, WardDeclaration):
            events = self._ward(decl)
        else:
            events = self._council_declaration(decl)
        return Applied(decl.id, outcome, tuple(events))

    def apply_all(self, declarations) -> list[Event]:
        out: list[Event] = []
        for decl in declarations:
            out.extend(self.apply(decl).events)
        return out

    # -- stages -----------------------------------------------------------------------------
    def _ward(self, decl: WardDeclaration) -> list[Event]:
        slug = decl.council
        council = self.setup.councils[slug]
        tally = self.tallies[slug]
        w = compare_ward(decl, council, self.indices[slug])
        self.ward_results[decl.id] = w
        tally.put_ward(w, decl.declared_at)
        record = self.seat_records[slug]
        first_seat = record.first_seats(w, tally.won, first_ward=len(tally.wards) == 1 and decl.id in tally.wards)
        facts = ward_facts(w, council, self.council_groups[slug], first_seat, record.first_ever(first_seat),
                           decl.declared_at, self.baseline_label)
        surprise = self.model.ward_surprise(w)
        events = self.log.evaluate(self._rules["ward"], facts, council=slug, surprise=surprise,
                                   provisional=False, caused_by=decl.id)
        return events + self._council_changed(slug, decl.declared_at, decl.id)

    def _council_declaration(self, decl: CouncilDeclaration) -> list[Event]:
        self.tallies[decl.council].put_declaration(decl)
        return self._council_changed(decl.council, decl.declared_at, decl.id)

    def _council_changed(self, slug: str, at: datetime, cause: str) -> list[Event]:
        tally = self.tallies[slug]
        old = self.results.get(slug)
        was_final = old is not None and old.final
        tally.check_settled(at)
        r = summarise(tally)
        self.results[slug] = r
        for gid in self.council_groups[slug]:
            self.builders[gid].put(r)
        events = self._council_events(r, at, cause)
        if was_final or r.final:
            # a result that no longer counts where it did (a correction), or counts again
            # in its old place (declared again after a withdrawal), moves the running count
            # of every council declared after it: their stories say it again
            events += self._recount(slug, at, cause)
        if r.final or was_final:
            touched = set(r.seats_won) | set(r.seat_change or {}) | {r.control_after}
            if r.control_before:
                touched.add(r.control_before)
            for gid in self.council_groups[slug]:
                events += self._tally_changed(gid, touched, at, cause)
        return events

    def _council_events(self, r: CouncilResult, at: datetime, cause: str) -> list[Event]:
        slug = r.slug
        night = self._night_so_far(r)
        self._counts[slug] = night
        if not r.final:
            self._final_at.pop(slug, None)
        else:
            night["final_at"] = self._final_at.setdefault(slug, at.isoformat())
        facts = council_facts(r, self.council_groups[slug], at, self.baseline_label,
                              self.election.poll_date.year, night, self.context)
        if r.final:
            surprise = self.model.council_surprise(r)
            return self.log.evaluate(self._rules["declared"], facts, council=slug,
                                     surprise=surprise, provisional=False, caused_by=cause)
        return self.log.evaluate(self._rules["counting"], facts, council=slug, surprise=0.0,
                                 provisional=True, caused_by=cause)

    def _recount(self, changed: str, at: datetime, cause: str) -> list[Event]:
        """Re-issue the events of every other final council whose place in the night's
        running count has moved."""
        events: list[Event] = []
        for slug, counted in list(self._counts.items()):
            r = self.results.get(slug)
            if slug == changed or r is None or not r.final or not counted:
                continue
            if self._night_so_far(r) != {k: v for k, v in counted.items() if k != "final_at"}:
                events += self._council_events(r, at, cause)
        return events

    def _night_so_far(self, r: CouncilResult) -> dict[str, int]:
        """Where this council comes among those the winner has gained, and the loser lost,
        tonight, in the order their results became final (1 = the first)."""
        national = self.builders[NATIONAL.id]
        out = {}
        if r.result_kind == "gain":
            out["winner_gains"] = national.gained_rank(r.control_after, r.slug)
        if r.result_kind in ("gain", "lose") and r.control_before != parties.NOC:
            out["loser_losses"] = national.lost_rank(r.control_before, r.slug)
        return out

    def _tally_changed(self, gid: str, touched: set[str], at: datetime, cause: str) -> list[Event]:
        tally = self.builders[gid].view()  # read before the next put, so no copy is needed
        scope = "national" if gid == NATIONAL.id else "group"
        if tally.complete:
            touched = touched | set(tally.seats_won) | set(tally.control) | set(tally.control_before)
        standing = self._standing.setdefault(gid, {})
        if scope == "group":
            # every party with a standing story figure in this group: its councils declared,
            # councils run and seats move with any council's result, not only its own
            touched = touched | {party for party, keys in standing.items() if keys}
        events: list[Event] = []
        for party in sorted(touched):
            if party in ("Vacant", "Other", parties.NOC):
                continue
            facts = tally_facts(tally, party, at, self.baseline_label, self.names)
            issued = self.log.evaluate(self._rules[scope], facts, council=None, surprise=0.0,
                                       provisional=not tally.complete, caused_by=cause)
            for e in issued:
                keys = standing.setdefault(party, set())
                if e.status == "retracted":
                    keys.discard(e.key)
                else:
                    keys.add(e.key)
            events += issued
        return events

    # -- reading the state ------------------------------------------------------------------
    def declarations_of(self, councils: set[str]) -> list[Declaration]:
        """The standing declarations of ``councils``, without reading every declaration of
        the night: council by council (in the order each first declared), each council's in
        the order of ``declarations``."""
        return [d for council, decls in self._by_council.items() if council in councils
                for d in decls.values()]

    def tally(self, group: str = NATIONAL.id) -> Tally:
        return self.builders[group].snapshot()

    def council_results(self) -> list[CouncilResult]:
        """Every council's result as it stands, including councils yet to declare."""
        out = []
        for slug in sorted(self.setup.councils):
            out.append(self.results.get(slug) or summarise(self.tallies[slug]))
        return out

    def events(self) -> list[Event]:
        return self.log.current()
