"""Facts: the flat, JSON-ready evidence that rules test and stories are written from.

Each scope (ward, council, group, national) has a fixed table of named facts, each worked
out from the comparison results by a small pure function; :data:`FACTS` lists the names,
and rules may use these names and no others (checked when rules load). Facts are computed
on first use, so testing rules on a situation costs only the facts the rules read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from writer import parties
from writer.compare.council import CouncilResult, largest_party
from writer.compare.tally import Tally
from writer.compare.ward import WardResult
from writer.model import Council, display_person_name, display_ward_name

class Facts(Mapping[str, Any]):
    """A scope's facts, each worked out on first use. Rules read a handful of names per
    situation; an event keeps them all (:meth:`to_dict`). Values never change once read."""

    __slots__ = ("_source", "_makers", "_values")

    def __init__(self, source: Any, makers: dict[str, Callable[[Any], Any]]) -> None:
        self._source = source
        self._makers = makers
        self._values: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        values = self._values
        if name in values:
            return values[name]
        value = values[name] = self._makers[name](self._source)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        # Mapping.get, with a fact already worked out read at once (rules read facts this way)
        values = self._values
        if name in values:
            return values[name]
        make = self._makers.get(name)
        if make is None:
            return default
        try:
            value = values[name] = make(self._source)
        except KeyError:  # as Mapping.get: a fact that cannot be read is the default
            return default
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)

    def to_dict(self) -> dict[str, Any]:
        """Every fact, in the table's order (each worked out now if it was not yet)."""
        values, source = self._values, self._source
        if len(values) < len(self._makers):
            for name, make in self._makers.items():
                if name not in values:
                    values[name] = make(source)
        return {name: values[name] for name in self._makers}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _top(change: dict[str, float], pick) -> tuple[str, float] | None:
    """The (name, value) with the ``pick`` (max or min) value, ties broken by the ``pick``
    of the names: ``pick(change.items(), key=lambda kv: (kv[1], kv[0]))``, without a call
    per item."""
    if not change:
        return None
    value = pick(change.values())
    name = pick(k for k, v in change.items() if v == value)
    return name, change[name]


# -- ward -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WardSource:
    w: WardResult
    council: Council
    groups: list[str]
    first_seat: list[str]
    first_seat_ever: list[str]
    at: datetime
    baseline_label: str


def _shift(w: WardResult, pick) -> dict[str, Any] | None:
    top = _top(w.share_change, pick)
    return {"party": top[0], "points": round(top[1], 1)} if top else None


WARD: dict[str, Callable[[WardSource], Any]] = {
    "scope": lambda s: "ward",
    "subject": lambda s: s.w.declaration_id,
    "at": lambda s: _iso(s.at),
    "council": lambda s: s.council.slug,
    "council_name": lambda s: s.council.name,
    "region": lambda s: s.council.region,
    "groups": lambda s: s.groups,
    "cycle": lambda s: s.council.cycle,
    "ward": lambda s: display_ward_name(s.w.ward),
    "unit": lambda s: s.council.unit,
    "ward_id": lambda s: s.w.declaration_id,
    "seats": lambda s: s.w.seats,
    "winners": lambda s: [{"name": display_person_name(c.name), "party": c.party, "votes": c.votes}
                          for c in s.w.winners],
    "won": lambda s: s.w.won,
    "winning_party": lambda s: s.w.winners[0].party if s.w.winners else None,
    "comparable": lambda s: s.w.comparable,
    "not_comparable_reason": lambda s: s.w.not_comparable_reason,
    "baseline_ward": lambda s: s.w.baseline_ward,
    "matched_by": lambda s: s.w.matched_by,
    "baseline_holders": lambda s: s.w.baseline_holders,
    "seat_change": lambda s: s.w.seat_change,
    "gains": lambda s: [{"party": g, "from": l} for g, l in s.w.gains],
    "gains_count": lambda s: len(s.w.gains),
    "extra_seats": lambda s: s.w.extra_seats,
    "holds": lambda s: s.w.holds,
    "changed_hands": lambda s: s.w.changed_hands,
    "has_votes": lambda s: s.w.has_votes,
    "total_votes": lambda s: s.w.total_votes,
    "shares": lambda s: {p: round(v, 1) for p, v in s.w.shares.items()},
    "share_change": lambda s: {p: round(v, 1) for p, v in s.w.share_change.items()},
    "biggest_rise": lambda s: _shift(s.w, max),
    "biggest_fall": lambda s: _shift(s.w, min),
    "majority": lambda s: s.w.majority,
    "majority_pct": lambda s: (round(100.0 * s.w.majority / s.w.total_votes, 1)
                               if s.w.majority is not None and s.w.total_votes else None),
    "turnout_pct": lambda s: s.w.turnout_pct,
    "electorate": lambda s: s.w.electorate,
    "first_seat": lambda s: s.first_seat,  # writer/detect/firsts.py
    "first_seat_ever": lambda s: s.first_seat_ever,
    "new_council": lambda s: s.council.new_council,
    "baseline_label": lambda s: s.baseline_label,
}


def ward_facts(w: WardResult, council: Council, groups: list[str], first_seat: list[str],
               first_seat_ever: list[str], at: datetime, baseline_label: str) -> Facts:
    return Facts(WardSource(w, council, groups, first_seat, first_seat_ever, at, baseline_label), WARD)


# -- council --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CouncilSource:
    r: CouncilResult
    groups: list[str]
    at: datetime
    baseline_label: str
    poll_year: int
    night: dict[str, Any]  # how the result compares with the night so far
    context: list[dict[str, Any]]  # context figures from election.toml, with their sources


def _winner(r: CouncilResult) -> str | None:
    return r.control_after if r.control_after != parties.NOC else None


def _biggest(r: CouncilResult, pick, sign: int) -> dict[str, Any] | None:
    top = _top(r.seat_change or {}, pick)
    return {"party": top[0], "seats": top[1]} if top and top[1] * sign > 0 else None


COUNCIL: dict[str, Callable[[CouncilSource], Any]] = {
    "scope": lambda s: "council",
    "subject": lambda s: s.r.slug,
    "at": lambda s: _iso(s.at),
    "council": lambda s: s.r.slug,
    "council_name": lambda s: s.r.name,
    "region": lambda s: s.r.region,
    "groups": lambda s: s.groups,
    "cycle": lambda s: s.r.cycle,
    "total_seats": lambda s: s.r.total_seats,
    "seats_up": lambda s: s.r.seats_up,
    "majority_needed": lambda s: s.r.majority_needed,
    "status": lambda s: s.r.status,
    "final": lambda s: s.r.final,
    "seats_declared": lambda s: s.r.seats_declared,
    "wards_declared": lambda s: s.r.wards_declared,
    "seats_won": lambda s: s.r.seats_won,
    "seat_change": lambda s: s.r.seat_change,
    "comparable": lambda s: s.r.comparable,
    "comparison_basis": lambda s: s.r.comparison_basis,
    "not_comparable_reason": lambda s: s.r.not_comparable_reason,  # the words editors see
    "not_comparable_code": lambda s: s.r.not_comparable_code,  # what templates test (compare/council.py)
    "wards_left_out": lambda s: s.r.wards_left_out,
    "baseline_total_seats": lambda s: s.r.baseline_total_seats,
    "baseline_seats_won": lambda s: s.r.baseline_seats_won,
    "seats_won_compared": lambda s: s.r.seats_won_compared,
    "baseline_control": lambda s: s.r.baseline_control,
    "winner_gains_tonight": lambda s: s.night.get("winner_gains"),
    "loser_losses_tonight": lambda s: s.night.get("loser_losses"),
    "context": lambda s: s.context,
    "size_changed": lambda s: s.r.baseline_total_seats is not None and s.r.baseline_total_seats != s.r.total_seats,
    "composition_after": lambda s: s.r.composition_after,
    "composition_estimated": lambda s: s.r.composition_estimated,
    "control_before": lambda s: s.r.control_before,
    "control_after": lambda s: s.r.control_after,
    "result": lambda s: s.r.result,
    "result_kind": lambda s: s.r.result_kind,
    "new_council": lambda s: s.r.new_council,
    "winner": lambda s: _winner(s.r),
    "loser": lambda s: (s.r.control_before if s.r.result_kind in ("gain", "lose")
                        and s.r.control_before != parties.NOC else None),
    "settled": lambda s: s.r.settled is not None,
    "settled_control": lambda s: s.r.settled.control if s.r.settled else None,
    "settled_at": lambda s: _iso(s.r.settled.at) if s.r.settled else None,
    "settled_seats_declared": lambda s: s.r.settled.seats_declared if s.r.settled else None,
    "settled_estimated": lambda s: s.r.settled.estimated if s.r.settled else None,
    "first_ever": lambda s: s.r.history.first_ever,
    "last_controlled_to": lambda s: s.r.history.last_controlled_to,
    "before_since": lambda s: s.r.history.before_since,
    "history_known": lambda s: s.r.history.known,
    "history_from": lambda s: s.r.history.records_from,
    "biggest_gain": lambda s: _biggest(s.r, max, +1),
    "biggest_loss": lambda s: _biggest(s.r, min, -1),
    "max_abs_change": lambda s: max((abs(v) for v in (s.r.seat_change or {}).values()), default=0),
    "largest_party": lambda s: s.r.largest_party,
    "largest_joint": lambda s: s.r.largest_joint,
    "so_far": lambda s: s.r.so_far,
    "unit": lambda s: s.r.unit,
    "so_far_leader": lambda s: largest_party(s.r.so_far)[0],
    "final_at": lambda s: s.night.get("final_at"),
    "majority_after": lambda s: (2 * s.r.composition_after.get(_winner(s.r), 0) - s.r.total_seats
                                 if _winner(s.r) else None),
    "baseline_label": lambda s: s.baseline_label,
    "poll_year": lambda s: s.poll_year,
}


def council_facts(r: CouncilResult, groups: list[str], at: datetime, baseline_label: str,
                  poll_year: int, night: dict[str, Any] | None = None,
                  context: list[dict[str, Any]] | None = None) -> Facts:
    return Facts(CouncilSource(r, groups, at, baseline_label, poll_year, night or {}, context or []), COUNCIL)


# -- groups and the nation: one situation per group and party --------------------------------
@dataclass(frozen=True, slots=True)
class TallySource:
    t: Tally
    party: str
    at: datetime
    baseline_label: str
    names: dict[str, str]


TALLY: dict[str, Callable[[TallySource], Any]] = {
    "scope": lambda s: "national" if s.t.group.id == "national" else "group",
    "subject": lambda s: f"{s.t.group.id}:{s.party}",
    "at": lambda s: _iso(s.at),
    "group": lambda s: s.t.group.id,
    "group_name": lambda s: s.t.group.name,
    "definition": lambda s: s.t.group.definition,
    "party": lambda s: s.party,
    "councils_total": lambda s: s.t.councils_total,
    "councils_final": lambda s: s.t.councils_final,
    "complete": lambda s: s.t.complete,
    "councils_controlled": lambda s: s.t.control.get(s.party, 0),
    "councils_controlled_before": lambda s: s.t.control_before.get(s.party, 0),
    "councils_change": lambda s: s.t.control.get(s.party, 0) - s.t.control_before.get(s.party, 0),
    "councils_gained": lambda s: len(s.t.gained.get(s.party, ())),
    "councils_lost": lambda s: len(s.t.lost.get(s.party, ())),
    "gained": lambda s: [s.names[c] for c in s.t.gained.get(s.party, ())],
    "lost": lambda s: [s.names[c] for c in s.t.lost.get(s.party, ())],
    "seats_won": lambda s: s.t.seats_won.get(s.party, 0),
    "seat_change": lambda s: s.t.seat_change.get(s.party, 0),
    "seats_won_compared": lambda s: s.t.seats_won_compared.get(s.party, 0),
    "seats_exact": lambda s: s.t.seats_exact(s.party),
    "councils_compared": lambda s: s.t.councils_compared,
    "baseline_label": lambda s: s.baseline_label,
}


def tally_facts(t: Tally, party: str, at: datetime, baseline_label: str, names: dict[str, str]) -> Facts:
    return Facts(TallySource(t, party, at, baseline_label, names), TALLY)


FACTS = {"ward": frozenset(WARD), "council": frozenset(COUNCIL), "group": frozenset(TALLY),
         "national": frozenset(TALLY)}
STAGES = {"ward": ("declared",), "council": ("counting", "declared"), "group": ("declared",),
          "national": ("declared",)}
