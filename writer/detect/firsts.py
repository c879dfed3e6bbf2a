"""First seats: which parties win their first seat on a council in a ward, and which of those
the night's records show to be their first ever (pure; the engine keeps the running state).

``first_seat`` is relative: a party with no seat on the council before tonight nor in the
baseline. ``first_seat_ever`` is the stronger claim, and history.csv records control, not
seats, so it holds only where the night's seat records reach back to the council's first
election: the history begins in the baseline election's year (the baseline was the
council's first election, whose whole make-up the baseline gives), the council elected
every seat at once then and does so again tonight (no scheduled election in between), and
the history never shows the party in control. Where the history is absent, begins earlier
or later, or the cycle leaves elections in between, nothing is claimed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from writer import parties
from writer.compare.ward import WardResult
from writer.model import BaselineCouncil, ControlPeriod, Council, Election

_ID_DATE = re.compile(r"(?:^|\.)(\d{4})-\d{2}-\d{2}$")  # Democracy Club: local.2018-05-03


def baseline_year(election: Election) -> int | None:
    """The baseline election's year, from its Democracy Club id (``local.2018-05-03``), or
    None where the id carries no date (then no claim rests on it)."""
    m = _ID_DATE.search(election.baseline_id)
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class SeatRecord:
    """What the night knows about who held seats on one council before tonight."""

    new_council: bool
    seen: frozenset[str]  # parties with seats before tonight or in the baseline
    lumped: bool  # the make-up before tonight or the baseline lumps parties as Other
    from_first_election: bool  # the baseline was the council's first election and none came between
    controlled: frozenset[str]  # every party history.csv shows in control

    @classmethod
    def build(cls, council: Council, baseline: BaselineCouncil | None,
              history: tuple[ControlPeriod, ...], baseline_year: int | None) -> "SeatRecord":
        seen = set(council.composition_before or {})
        if baseline:
            seen |= set(baseline.composition_after) | set(baseline.seats_won)
        lumped = bool((council.composition_before or {}).get("Other")) or bool(baseline and "Other" in baseline.seats_won)
        first_election = (
            bool(history) and baseline is not None and baseline_year is not None
            and min(p.from_year for p in history) == baseline_year
            and baseline.cycle == "all-out" and council.cycle == "all-out")
        return cls(council.new_council, frozenset(seen), lumped, first_election,
                   frozenset(p.control for p in history))

    def first_seats(self, w: WardResult, won_so_far: dict[str, int], first_ward: bool) -> list[str]:
        """Parties winning their first seats on the council in this ward. On a new council
        every party's first seat is its first, so only the council's first declared ward
        (``first_ward``) says so (one story per new council). Elsewhere: a party with no seat
        before tonight nor in the baseline, in the first ward it wins tonight (its seats so
        far, this ward included, are this ward's); never where the council's make-up before
        tonight lumps parties as ``Other`` (the party may be in the lump)."""
        if self.new_council:
            return [p for p in w.won if parties.can_control(p)] if first_ward else []
        if self.lumped:
            return []
        return [p for p, n in w.won.items()
                if parties.can_control(p) and p not in self.seen and won_so_far.get(p, 0) == n]

    def first_ever(self, first_seats: list[str]) -> list[str]:
        """Of a ward's first seats, those the records show to be the party's first ever (see
        the module's docstring); never on a new council, whose first seats say so already."""
        if self.new_council or not self.from_first_election:
            return []
        return [p for p in first_seats if p not in self.controlled]
