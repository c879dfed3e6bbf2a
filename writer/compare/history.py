"""What a council's control history supports saying about tonight (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from writer.model import ControlPeriod

NOC = "NOC"


@dataclass(frozen=True)
class HistoryFacts:
    known: bool  # is there any history for this council?
    records_from: int | None  # first year the history covers
    first_ever: bool  # the party now in control never controlled it in the history
    last_controlled_to: int | None  # when the party now in control last held it (if not on the eve of poll)
    before_since: int | None  # the party in control before tonight had held it continuously since


def history_facts(periods: tuple[ControlPeriod, ...], control_before: str | None,
                  control_after: str, poll_year: int) -> HistoryFacts:
    """``first_ever`` and ``last_controlled_to`` describe a change of control to a party;
    ``before_since`` describes how long the outgoing (or holding) party had run it."""
    if not periods:
        return HistoryFacts(False, None, False, None, None)
    records_from = min(p.from_year for p in periods)
    first_ever = False
    last_to = None
    if control_after != NOC and control_after != control_before:
        held = [p for p in periods if p.control == control_after]
        first_ever = not held
        last_to = max((p.to_year or poll_year) for p in held) if held else None
    since = None
    if control_before and control_before != NOC:
        ordered = sorted(periods, key=lambda p: p.from_year)
        if ordered[-1].control == control_before and ordered[-1].to_year in (None, poll_year):
            since = ordered[-1].from_year
            for earlier, later in zip(reversed(ordered[:-1]), reversed(ordered[1:])):
                if earlier.control != control_before or earlier.to_year not in (later.from_year, later.from_year - 1):
                    break
                since = earlier.from_year
    return HistoryFacts(True, records_from, first_ever, last_to, since)
