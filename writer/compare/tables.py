"""Whole-night tables (pandas): the results of every council and the tallies, for the
``writer results`` command and for comparing a night with published answers."""

from __future__ import annotations

from typing import Any

import pandas as pd

from writer import parties
from writer.compare.council import CouncilResult
from writer.compare.tally import Tally


def council_record(r: CouncilResult) -> dict[str, Any]:
    """One council's result as a plain dict (the JSON form of ``writer results``)."""
    return {
        "slug": r.slug, "council": r.name, "region": r.region, "cycle": r.cycle,
        "status": r.status, "final": r.final,
        "total_seats": r.total_seats, "seats_up": r.seats_up, "seats_declared": r.seats_declared,
        "control_before": r.control_before, "control_after": r.control_after, "result": r.result,
        "seats_won": r.seats_won, "seat_change": r.seat_change, "comparable": r.comparable,
        "comparison_basis": r.comparison_basis, "not_comparable_reason": r.not_comparable_reason,
        "composition_after": r.composition_after, "composition_estimated": r.composition_estimated,
        "settled": None if r.settled is None else {
            "control": r.settled.control, "at": r.settled.at.isoformat(),
            "seats_declared": r.settled.seats_declared, "estimated": r.settled.estimated},
    }


def tally_record(t: Tally) -> dict[str, Any]:
    return {
        "group": t.group.id, "name": t.group.name, "definition": t.group.definition,
        "councils_total": t.councils_total, "councils_final": t.councils_final,
        "councils_controlled": t.control, "councils_change": t.control_change(),
        "councils_gained": {p: list(v) for p, v in t.gained.items()},
        "councils_lost": {p: list(v) for p, v in t.lost.items()},
        "councillors": t.seats_won, "councillor_change": {p: n for p, n in t.seat_change.items()},
        "councils_compared": t.councils_compared,
    }


def results_frame(results: list[CouncilResult]) -> pd.DataFrame:
    rows = [{
        "council": r.name, "slug": r.slug, "status": r.status, "result": r.result,
        "seats_won": parties.format_seat_list(r.seats_won),
        "seat_change": "" if r.seat_change is None else parties.format_seat_list(
            {p: n for p, n in r.seat_change.items() if n}, signed=True) or "no change",
        "composition_after": parties.format_seat_list(r.composition_after)
        + (" (estimate)" if r.composition_estimated else ""),
    } for r in results]
    return pd.DataFrame(rows)


def tally_frame(t: Tally) -> pd.DataFrame:
    """Councils and councillors by party, largest first, with changes."""
    party_list = set(t.control) | set(t.control_before) | set(t.seats_won)
    frame = pd.DataFrame({
        "councils": pd.Series({p: t.control.get(p, 0) for p in party_list}),
        "councils_change": pd.Series(t.control_change()),
        "councillors": pd.Series({p: t.seats_won.get(p, 0) for p in party_list}),
        "councillor_change": pd.Series(t.seat_change),
    }).fillna(0).astype(int)
    frame.index.name = "party"
    return frame.sort_values(["councils", "councillors"], ascending=False)
