"""The verdict on a party's night, by ``rules/judgement.yaml``'s rules, applied to the oracle's
own figures (the rules are data, as groups.yaml is: the oracle reads them, not the writer's
code that applies them).

The figures are those the file's comments list, all among the councils declared so far:
councils_controlled, councils_defended (run on the eve of poll), councils_change,
councils_gained, councils_lost, first_councils (councils taken by a party that had never
run one), seat_change and seats_won_compared (the seats that can be compared like for like),
seat_change_pct (that change as a percentage of the same seats last time), seats_exact (no
source lumped the party with others), councils_compared and complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from writer.oracle.expr import ExprError, evaluate

if TYPE_CHECKING:
    from writer.oracle.truth import Moment, NightTruth


@dataclass(frozen=True)
class VerdictRule:
    id: str
    verdict: str
    when: str


def rules(truth: "NightTruth") -> list[VerdictRule]:
    """``verdicts.rules`` of rules/judgement.yaml, in order (none where the file is absent)."""
    got = truth.__dict__.get("_oracle_verdict_rules")
    if got is None:
        path = Path(truth.rules_dir) / "judgement.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
        raw = ((data or {}).get("verdicts") or {}).get("rules") or []
        got = [VerdictRule(str(r.get("id")), str(r.get("verdict")), str(r.get("when"))) for r in raw if isinstance(r, dict)]
        truth.__dict__["_oracle_verdict_rules"] = got
    return got


def figures(truth: "NightTruth", moment: "Moment", party: str) -> dict[str, Any]:
    """A party's figures over the national tally at ``moment``."""
    t = moment.national
    change = t.change.get(party, 0)
    won = t.compared_won.get(party, 0)
    base = won - change  # the same seats last time
    pct = 100.0 * change / base if base else (100.0 if change > 0 else 0.0)
    return {
        "party": party,
        "councils_controlled": t.controlled.get(party, 0),
        "councils_defended": t.controlled_before.get(party, 0),
        "councils_change": t.control_change(party),
        "councils_gained": len(t.gained.get(party, ())),
        "councils_lost": len(t.lost.get(party, ())),
        "first_councils": truth.first_councils(t, party),
        "seat_change": change,
        "seats_won_compared": won,
        "seat_change_pct": pct,
        "seats_exact": moment.seats_exact(party),
        "councils_compared": len(t.compared),
        "complete": t.complete,
    }


def verdict(truth: "NightTruth", fig: dict[str, Any]) -> tuple[VerdictRule | None, str | None]:
    """The first rule whose condition holds (None: none does), and any condition the oracle
    could not evaluate."""
    for r in rules(truth):
        try:
            if evaluate(r.when, fig):
                return r, None
        except (ExprError, TypeError, ZeroDivisionError) as exc:
            return None, f"rule {r.id}: {exc}"
    return None, None
