"""A council's result as its wards come in and when it declares.

:class:`CouncilTally` accumulates ward results (adding and removing in O(parties), so a
correction costs no more than a declaration); :func:`summarise` turns a tally into a frozen
:class:`CouncilResult`. Control always comes from the whole composition, never from the
seats won tonight alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from writer import parties
from writer.compare.history import HistoryFacts, history_facts
from writer.compare.ward import WardResult, not_comparable
from writer.model import BaselineCouncil, BaselineWard, ControlPeriod, Council, CouncilDeclaration

NOC = parties.NOC
#: Seats of doubt added when control is called from an estimate of the seats not up.
#: composition_before can be a year old (by-elections, defections): on the 2022 night a
#: margin of one already avoided every wrong call (Basildon, Crawley); two leaves room.
STALE_COMPOSITION_MARGIN = 2


@dataclass(frozen=True)
class Settled:
    """Control was beyond doubt before the last ward declared."""

    control: str  # a party, or NOC when no party can now reach a majority
    at: datetime
    seats_declared: int
    seats_up: int
    estimated: bool  # relied on an estimate of the seats not up (thirds and halves councils)


@dataclass(frozen=True)
class CouncilResult:
    slug: str
    name: str
    region: str
    cycle: str
    total_seats: int
    seats_up: int
    majority_needed: int
    status: str  # "counting", "complete" (every seat declared) or "declared" (council total in)
    final: bool
    seats_declared: int
    wards_declared: int
    seats_won: dict[str, int]
    seat_change: dict[str, int] | None
    comparable: bool
    comparison_basis: str | None  # "wards", "whole council", "council totals"
    not_comparable_reason: str | None  # the words editors see
    not_comparable_code: str | None  # what rules and templates test (see _seat_change)
    wards_left_out: int  # declared wards with no like-for-like baseline (in a ward-basis council)
    baseline_total_seats: int | None
    baseline_seats_won: dict[str, int] | None  # what these seats returned last time (when comparable)
    seats_won_compared: dict[str, int] | None  # tonight's seats in what was compared (seat_change's base)
    baseline_control: str | None  # control after the baseline election
    composition_after: dict[str, int]
    composition_estimated: bool
    control_before: str | None
    control_after: str
    result: str  # results-service words: "Lab gain from Con", "new council: LD win"
    result_kind: str  # gain, lose, hold, no_change, new_win, new_noc
    settled: Settled | None
    history: HistoryFacts
    largest_party: str | None  # None where no party is sure to be the largest (see largest_party)
    largest_joint: bool  # another party has as many seats
    so_far: dict[str, int]  # councillors not up plus seats declared (see CouncilTally.so_far)
    unit: str  # "ward", or "division" in a county council
    last_declared_at: datetime | None

    @property
    def new_council(self) -> bool:
        return self.result_kind.startswith("new")


def result_words(before: str | None, after: str, new_council: bool) -> tuple[str, str]:
    """The result in results-service words, and its kind."""
    if new_council or before is None:
        return (f"new council: {after} win", "new_win") if after != NOC else ("new council: NOC", "new_noc")
    if before == after:
        return ("NOC no change", "no_change") if after == NOC else (f"{after} hold", "hold")
    if after == NOC:
        return f"{before} lose to NOC", "lose"
    return f"{after} gain from {before}", "gain"


def lump_to_common(now: dict[str, int], then: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """Two seat lists at the coarser of their two levels of detail. A source that lumps
    smaller parties together writes them as ``Other``: the other side's seats of every
    party the lumping side does not name are then taken together as ``Other`` too, so the
    change is worked out like for like (FORMAT.md). Where neither lumps, nothing changes."""
    now_lumps, then_lumps = "Other" in now, "Other" in then
    if not (now_lumps or then_lumps):
        return now, then
    named = set(now) | set(then)
    if now_lumps:
        named &= set(now)
    if then_lumps:
        named &= set(then)
    named.discard("Other")

    def coarse(seats: dict[str, int]) -> dict[str, int]:
        out = {p: n for p, n in seats.items() if p in named}
        out["Other"] = sum(n for p, n in seats.items() if p not in named)
        return out

    return coarse(now), coarse(then)


def largest_party(composition: dict[str, int]) -> tuple[str | None, bool]:
    """The party with most seats, and whether another party has as many. Only a party that
    can control a council is a party here (independents are not one), and none is named
    where a lump of several groups (``Other``, or residents' associations taken together)
    has as many seats: one group inside it could be the largest."""
    named = {p: n for p, n in composition.items() if parties.can_control(p) and n > 0}
    if not named:
        return None, False
    top = parties.order_parties(named)[0]
    lumps = max((composition.get(g, 0) for g in ("Other", "Res")), default=0)
    if lumps >= named[top]:
        return None, False
    return top, sum(1 for n in named.values() if n == named[top]) > 1


def up_holders_estimate(council: Council, baseline: BaselineCouncil | None,
                        wards: tuple[BaselineWard, ...]) -> dict[str, int]:
    """Who held, in the baseline, the seats that are up tonight (DOMAIN.md): the baseline's
    seats won when it elected as many seats as tonight; else each baseline ward's top-placed
    winners in proportion (a thirds council after an all-out year), the whole scaled to the
    number of seats up tonight (a council whose size or wards changed has more or fewer
    baseline wards than seats up)."""
    return scale_seats(baseline_holders(council, baseline, wards), council.seats_up)


def baseline_holders(council: Council, baseline: BaselineCouncil | None,
                     wards: tuple[BaselineWard, ...]) -> dict[str, int]:
    """The baseline winners taken to hold tonight's seats, before scaling (see
    :func:`up_holders_estimate`): as many as the baseline says, which may not be the
    number of seats up."""
    if baseline is None:
        return {}
    if baseline.seats_up == council.seats_up or not wards:
        return dict(baseline.seats_won)
    held: dict[str, int] = {}
    for ward in wards:
        k = max(1, math.floor(ward.seats * council.seats_up / baseline.seats_up + 0.5))  # half up
        for c in ward.top_winners(k):
            held[c.party] = held.get(c.party, 0) + 1
    return held


def scale_seats(seats: dict[str, int], total: int) -> dict[str, int]:
    """``seats`` scaled to add up to ``total``, by largest remainder (ties to the larger
    party, then the code); unchanged where they already do."""
    have = sum(seats.values())
    if have == total or have == 0:
        return dict(seats)
    quotas = {p: n * total / have for p, n in seats.items()}
    out = {p: int(q) for p, q in quotas.items()}
    order = sorted(quotas, key=lambda p: (-(quotas[p] - out[p]), -seats[p], p))
    for p in order[:total - sum(out.values())]:
        out[p] += 1
    return {p: n for p, n in out.items() if n}


class CouncilTally:
    """Running totals for one council. Mutable; used only inside the engine."""

    def __init__(self, council: Council, baseline: BaselineCouncil | None,
                 baseline_wards: tuple[BaselineWard, ...], history: tuple[ControlPeriod, ...],
                 poll_year: int) -> None:
        self.council = council
        self.baseline = baseline
        self.history = history
        self.poll_year = poll_year
        self.gap = not_comparable(council, baseline.cycle if baseline else None)  # (code, reason) or None
        self.wards: dict[str, WardResult] = {}
        self.won: dict[str, int] = {}
        self.ward_change: dict[str, int] = {}
        self.declared_holders: dict[str, int] = {}  # baseline holders of the declared seats
        self.seats_declared = 0
        self.wards_left_out = 0
        self.declaration: CouncilDeclaration | None = None
        self.settled: Settled | None = None
        self.last_declared_at: datetime | None = None
        self.not_up, self.not_up_margin = self._not_up(baseline_wards)
        self._history_cache: dict[str, HistoryFacts] = {}

    def _not_up(self, baseline_wards: tuple[BaselineWard, ...]) -> tuple[dict[str, int], int]:
        """The seats not up tonight by party (an estimate for thirds and halves councils,
        from composition_before less the baseline holders of the seats up) and how far
        that estimate is from the known number of seats not up."""
        c = self.council
        if c.cycle == "all-out" or c.composition_before is None:
            return {}, 0
        raw = baseline_holders(c, self.baseline, baseline_wards)
        holders = scale_seats(raw, c.seats_up)
        not_up = {p: n for p, n in parties.subtract_seats(c.composition_before, holders).items() if n > 0}
        # doubt: how far the estimate misses the known number of seats not up, the seats the
        # scaling moved (the baseline named more or fewer holders than seats up), and the
        # make-up's age (by-elections and defections since it was taken)
        margin = (abs(sum(not_up.values()) - (c.total_seats - c.seats_up)) + abs(sum(raw.values()) - c.seats_up)
                  + STALE_COMPOSITION_MARGIN)
        return not_up, margin

    def so_far(self) -> dict[str, int]:
        """Councillors each party has so far: those not up tonight (an estimate for thirds
        and halves councils: composition_before less the baseline holders of every seat up
        tonight, declared or not) plus the seats declared. Undeclared seats count for no
        one, whoever held them."""
        return {p: n for p, n in parties.add_seats(self.not_up, self.won).items() if n > 0}

    def baseline_holders_declared(self) -> dict[str, int]:
        """Who won the declared comparable seats last time (ward by ward)."""
        return {p: n for p, n in self.declared_holders.items() if n > 0}

    def history_for(self, control_after: str) -> HistoryFacts:
        """History facts for an outcome; the history never changes during a night."""
        found = self._history_cache.get(control_after)
        if found is None:
            found = self._history_cache[control_after] = history_facts(
                self.history, self.council.control_before, control_after, self.poll_year)
        return found

    # -- accumulating ----------------------------------------------------------------------
    def _apply(self, ward: WardResult, sign: int) -> None:
        for p, n in ward.won.items():
            self.won[p] = self.won.get(p, 0) + sign * n
            if not self.won[p]:
                del self.won[p]
        self.seats_declared += sign * len(ward.winners)
        if ward.comparable:
            for p, n in ward.seat_change.items():
                self.ward_change[p] = self.ward_change.get(p, 0) + sign * n
            for p, n in ward.baseline_holders.items():
                self.declared_holders[p] = self.declared_holders.get(p, 0) + sign * n
        elif self.gap is None:
            self.wards_left_out += sign

    def put_ward(self, ward: WardResult, at: datetime) -> None:
        """Add a ward's result, replacing an earlier version of the same declaration; a
        version with no winners (withdrawn) takes the ward out again."""
        old = self.wards.get(ward.declaration_id)
        if old is not None:
            self._apply(old, -1)
        if ward.winners:
            self.wards[ward.declaration_id] = ward
            self._apply(ward, +1)
        elif old is not None:
            # withdrawn (every winner retracted): the ward is undeclared again
            del self.wards[ward.declaration_id]
        self._seen(at)

    def put_declaration(self, decl: CouncilDeclaration) -> None:
        self.declaration = decl
        self._seen(decl.declared_at)

    def _seen(self, at: datetime) -> None:
        if self.last_declared_at is None or at > self.last_declared_at:
            self.last_declared_at = at

    # -- control ---------------------------------------------------------------------------
    def check_settled(self, at: datetime) -> Settled | None:
        """Record the first moment control was beyond doubt with seats still to declare.
        A correction that undoes it clears it (the engine then retracts what it caused)."""
        c = self.council
        remaining = c.seats_up - self.seats_declared
        if self.declaration is not None or remaining <= 0:
            return self.settled
        needed = parties.majority_needed(c.total_seats)
        margin = self.not_up_margin
        secured = parties.add_seats(self.not_up, self.won)
        verdict = None
        for p, n in secured.items():
            if parties.can_control(p) and n - margin >= needed:
                verdict = p
        if verdict is None and all(
            n + margin + remaining < needed for p, n in secured.items() if parties.can_control(p)
        ) and remaining + margin < needed:
            verdict = NOC
        if verdict is None:
            self.settled = None
        elif self.settled is None or self.settled.control != verdict:
            self.settled = Settled(verdict, at, self.seats_declared, c.seats_up, bool(self.not_up))
        return self.settled


def _estimated_composition(t: CouncilTally) -> dict[str, int]:
    c = t.council
    if c.cycle == "all-out" or c.composition_before is None:
        comp = dict(t.won)
    else:
        comp = parties.add_seats(parties.subtract_seats(c.composition_before, t.declared_holders), t.won)
    missing = c.total_seats - sum(n for n in comp.values() if n > 0)
    if c.cycle == "all-out" and missing > 0:
        comp["Vacant"] = comp.get("Vacant", 0) + missing  # seats not yet (or not) declared
    return {p: n for p, n in comp.items() if n > 0}


def _seat_change(t: CouncilTally, seats_won: dict[str, int],
                 complete: bool) -> tuple[dict[str, int] | None, str | None, tuple[str, str] | None]:
    """The seat change, its basis, and why there is none as (code, reason): the codes of
    :func:`writer.compare.ward.not_comparable`, ``no_baseline``, ``until_complete`` (a whole
    council compared once every seat is declared) and ``no_ward_results``."""
    c, b = t.council, t.baseline
    if t.gap is not None and not (c.boundary_change and c.cycle == "all-out" and t.gap[0] == "wards_redrawn"):
        return None, None, t.gap
    if c.cycle == "all-out" and c.boundary_change:
        if b is None:
            return None, None, ("no_baseline", "no baseline for this council")
        if b.cycle != "all-out":
            return None, None, ("cycle_changed", f"cycle changed ({b.cycle} to all-out): no like-for-like comparison")
        if not complete:
            return None, "whole council", ("until_complete", "compared as a whole council once every seat is declared")
        return parties.subtract_seats(*lump_to_common(seats_won, b.seats_won)), "whole council", None
    if t.wards:
        return dict(t.ward_change), "wards", None
    if t.declaration is not None and b is not None and b.seats_up == c.seats_up and b.cycle == c.cycle:
        return parties.subtract_seats(*lump_to_common(seats_won, b.seats_won)), "council totals", None
    return None, None, ("no_ward_results", "no ward results to compare")


def _baseline_won(t: CouncilTally, seats_won: dict[str, int], change: dict[str, int] | None,
                  basis: str | None) -> dict[str, int] | None:
    """What the compared seats returned last time, at the level of detail of the change."""
    if change is None:
        return None
    if basis == "wards":
        return dict(t.baseline_holders_declared())
    return lump_to_common(seats_won, t.baseline.seats_won)[1]


def summarise(t: CouncilTally) -> CouncilResult:
    c = t.council
    decl = t.declaration
    complete = decl is not None or t.seats_declared >= c.seats_up
    seats_won = dict(decl.seats_won) if decl else dict(t.won)
    if decl is not None:
        composition, estimated = dict(decl.composition_after), False
    else:
        composition = _estimated_composition(t)
        estimated = not (c.cycle == "all-out" and complete)
    control_after = parties.control_of(composition, c.total_seats)
    result, kind = result_words(c.control_before, control_after, c.new_council)
    change, basis, gap = _seat_change(t, seats_won, complete)
    status = "declared" if decl else ("complete" if complete else "counting")
    largest, joint = largest_party(composition)
    baseline_won = _baseline_won(t, seats_won, change, basis)
    compared = None
    if change is not None:
        compared = {p: n for p, n in parties.add_seats(baseline_won, change).items() if n > 0}
    return CouncilResult(
        slug=c.slug, name=c.name, region=c.region, cycle=c.cycle, total_seats=c.total_seats,
        seats_up=c.seats_up, majority_needed=parties.majority_needed(c.total_seats), status=status,
        final=decl is not None or (complete and not estimated),
        seats_declared=sum(decl.seats_won.values()) if decl else t.seats_declared,
        wards_declared=len(t.wards), seats_won=seats_won, seat_change=change,
        comparable=change is not None, comparison_basis=basis,
        not_comparable_reason=gap[1] if gap else None, not_comparable_code=gap[0] if gap else None,
        wards_left_out=t.wards_left_out if basis == "wards" else 0,
        baseline_total_seats=t.baseline.total_seats if t.baseline else None,
        baseline_seats_won=baseline_won, seats_won_compared=compared,
        baseline_control=t.baseline.control_after if t.baseline else None,
        composition_after=composition, composition_estimated=estimated,
        control_before=c.control_before, control_after=control_after, result=result,
        result_kind=kind, settled=t.settled,
        history=t.history_for(control_after),
        largest_party=largest, largest_joint=joint,
        so_far=dict(composition) if decl is not None or (complete and c.cycle == "all-out") else t.so_far(),
        unit=c.unit,
        last_declared_at=t.last_declared_at,
    )
