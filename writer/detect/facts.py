"""Facts: the flat, JSON-ready evidence that rules test and stories are written from.

Each scope (ward, council, group, national) has a fixed set of fact names, listed in
:data:`FACTS`; rules may use these names and no others (checked when rules load). The
builders here are pure: results in, a dict out.
"""

from __future__ import annotations

from typing import Any

from writer import parties
from writer.compare.council import CouncilResult
from writer.compare.tally import Tally
from writer.compare.ward import WardResult
from writer.model import Council

COMMON = {"subject", "at", "scope"}
WARD_FACTS = COMMON | {
    "council", "council_name", "region", "groups", "cycle", "ward", "ward_id", "seats",
    "winners", "won", "winning_party", "comparable", "not_comparable_reason", "baseline_ward",
    "matched_by", "baseline_holders", "seat_change", "gains", "gains_count", "holds",
    "changed_hands", "has_votes", "total_votes", "shares", "share_change", "biggest_rise",
    "biggest_fall", "majority", "majority_pct", "turnout_pct", "electorate", "first_seat",
    "baseline_label", "extra_seats",
}
COUNCIL_FACTS = COMMON | {
    "council", "council_name", "region", "groups", "cycle", "total_seats", "seats_up",
    "majority_needed", "status", "final", "seats_declared", "wards_declared", "seats_won",
    "seat_change", "comparable", "comparison_basis", "not_comparable_reason", "wards_left_out",
    "baseline_total_seats", "size_changed", "composition_after", "composition_estimated",
    "control_before", "control_after", "result", "result_kind", "new_council", "winner",
    "loser", "settled", "settled_control", "settled_at", "settled_seats_declared",
    "settled_estimated", "first_ever", "last_controlled_to", "before_since", "history_known",
    "history_from", "biggest_gain", "biggest_loss", "max_abs_change", "largest_party",
    "majority_after", "baseline_label", "poll_year",
}
TALLY_FACTS = COMMON | {
    "group", "group_name", "definition", "party", "councils_total", "councils_final", "complete",
    "councils_controlled", "councils_controlled_before", "councils_change", "councils_gained",
    "councils_lost", "gained", "lost", "seats_won", "seat_change", "councils_compared",
    "baseline_label",
}
FACTS = {"ward": WARD_FACTS, "council": COUNCIL_FACTS, "group": TALLY_FACTS, "national": TALLY_FACTS}
STAGES = {"ward": ("declared",), "council": ("counting", "declared"), "group": ("declared",),
          "national": ("declared",)}
def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def ward_facts(w: WardResult, council: Council, groups: list[str], first_seat: list[str],
               at, baseline_label: str) -> dict[str, Any]:
    rise = max(w.share_change.items(), key=lambda kv: (kv[1], kv[0]), default=None)
    fall = min(w.share_change.items(), key=lambda kv: (kv[1], kv[0]), default=None)
    majority_pct = round(100.0 * w.majority / w.total_votes, 1) if w.majority is not None and w.total_votes else None
    return {
        "scope": "ward", "subject": w.declaration_id, "at": _iso(at),
        "council": council.slug, "council_name": council.name, "region": council.region,
        "groups": groups, "cycle": council.cycle, "ward": w.ward, "ward_id": w.declaration_id,
        "seats": w.seats,
        "winners": [{"name": c.name, "party": c.party, "votes": c.votes} for c in w.winners],
        "won": w.won, "winning_party": w.winners[0].party if w.winners else None,
        "comparable": w.comparable, "not_comparable_reason": w.not_comparable_reason,
        "baseline_ward": w.baseline_ward, "matched_by": w.matched_by,
        "baseline_holders": w.baseline_holders, "seat_change": w.seat_change,
        "gains": [{"party": g, "from": l} for g, l in w.gains], "gains_count": len(w.gains),
        "extra_seats": w.extra_seats,
        "holds": w.holds, "changed_hands": w.changed_hands, "has_votes": w.has_votes,
        "total_votes": w.total_votes,
        "shares": {p: round(v, 1) for p, v in w.shares.items()},
        "share_change": {p: round(v, 1) for p, v in w.share_change.items()},
        "biggest_rise": {"party": rise[0], "points": round(rise[1], 1)} if rise else None,
        "biggest_fall": {"party": fall[0], "points": round(fall[1], 1)} if fall else None,
        "majority": w.majority, "majority_pct": majority_pct,
        "turnout_pct": w.turnout_pct, "electorate": w.electorate, "first_seat": first_seat,
        "baseline_label": baseline_label,
    }


def council_facts(r: CouncilResult, groups: list[str], at, baseline_label: str, poll_year: int) -> dict[str, Any]:
    change = r.seat_change or {}
    gain = max(change.items(), key=lambda kv: (kv[1], kv[0]), default=None)
    loss = min(change.items(), key=lambda kv: (kv[1], kv[0]), default=None)
    winner = r.control_after if r.control_after != parties.NOC else None
    loser = r.control_before if r.result_kind in ("gain", "lose") and r.control_before != parties.NOC else None
    majority_after = None
    if winner:
        majority_after = 2 * r.composition_after.get(winner, 0) - r.total_seats
    s = r.settled
    return {
        "scope": "council", "subject": r.slug, "at": _iso(at),
        "council": r.slug, "council_name": r.name, "region": r.region, "groups": groups,
        "cycle": r.cycle, "total_seats": r.total_seats, "seats_up": r.seats_up,
        "majority_needed": r.majority_needed, "status": r.status, "final": r.final,
        "seats_declared": r.seats_declared, "wards_declared": r.wards_declared,
        "seats_won": r.seats_won, "seat_change": r.seat_change, "comparable": r.comparable,
        "comparison_basis": r.comparison_basis, "not_comparable_reason": r.not_comparable_reason,
        "wards_left_out": r.wards_left_out, "baseline_total_seats": r.baseline_total_seats,
        "size_changed": r.baseline_total_seats is not None and r.baseline_total_seats != r.total_seats,
        "composition_after": r.composition_after, "composition_estimated": r.composition_estimated,
        "control_before": r.control_before, "control_after": r.control_after,
        "result": r.result, "result_kind": r.result_kind, "new_council": r.new_council,
        "winner": winner, "loser": loser,
        "settled": s is not None, "settled_control": s.control if s else None,
        "settled_at": _iso(s.at) if s else None,
        "settled_seats_declared": s.seats_declared if s else None,
        "settled_estimated": s.estimated if s else None,
        "first_ever": r.history.first_ever, "last_controlled_to": r.history.last_controlled_to,
        "before_since": r.history.before_since, "history_known": r.history.known,
        "history_from": r.history.records_from,
        "biggest_gain": {"party": gain[0], "seats": gain[1]} if gain and gain[1] > 0 else None,
        "biggest_loss": {"party": loss[0], "seats": loss[1]} if loss and loss[1] < 0 else None,
        "max_abs_change": max((abs(v) for v in change.values()), default=0),
        "largest_party": r.largest_party,
        "majority_after": majority_after,
        "baseline_label": baseline_label, "poll_year": poll_year,
    }


def tally_facts(t: Tally, party: str, at, baseline_label: str, names: dict[str, str]) -> dict[str, Any]:
    scope = "national" if t.group.id == "national" else "group"
    return {
        "scope": scope, "subject": f"{t.group.id}:{party}", "at": _iso(at),
        "group": t.group.id, "group_name": t.group.name, "definition": t.group.definition,
        "party": party, "councils_total": t.councils_total, "councils_final": t.councils_final,
        "complete": t.complete, "councils_controlled": t.control.get(party, 0),
        "councils_controlled_before": t.control_before.get(party, 0),
        "councils_change": t.control.get(party, 0) - t.control_before.get(party, 0),
        "councils_gained": len(t.gained.get(party, ())), "councils_lost": len(t.lost.get(party, ())),
        "gained": [names[s] for s in t.gained.get(party, ())],
        "lost": [names[s] for s in t.lost.get(party, ())],
        "seats_won": t.seats_won.get(party, 0), "seat_change": t.seat_change.get(party, 0),
        "councils_compared": t.councils_compared, "baseline_label": baseline_label,
    }
