"""News judgement for the story of the night (pure): which national movement leads the
round-up, and the verdict on each party's night.

A party's *movement* is worth points from the national tally (net councils, net seats on the
comparable seats, councils won by a party that had never run one, losing most of the councils
it was defending); the weights and the verdict conditions are data in ``rules/judgement.yaml``,
validated when loaded. Nothing here names a party or a council.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateSyntaxError

from writer import yamltext
from writer import parties
from writer.compare.tally import Tally
from writer.detect.rules import _ENV, _ID, _names, _private
from writer.errors import yaml_problem
from writer.errors import InputError, Problem

FILE = "judgement.yaml"
VERDICTS = ("good", "bad", "mixed", "steady")
#: The figures a verdict condition may read (see :func:`figures`).
FIGURES = frozenset({
    "party", "councils_controlled", "councils_defended", "councils_change", "councils_gained",
    "councils_lost", "first_councils", "seat_change", "seats_won_compared", "seat_change_pct",
    "seats_exact", "councils_compared", "complete",
})
LEAD_KEYS = {"points_per_council": float, "points_per_seat": float, "points_per_first_council": float,
             "points_lost_most": float, "lost_most_at_least": int, "lead_at_least": float}
VERDICT_KEYS = {"parties_at_most": int, "councils_declared_at_least": int}


@dataclass(frozen=True)
class VerdictRule:
    id: str
    verdict: str
    description: str
    when: str
    test: Any = field(compare=False, repr=False)

    def matches(self, figures: Mapping[str, Any]) -> bool:
        return bool(self.test(**figures))


@dataclass(frozen=True)
class Judgement:
    lead: dict[str, float]
    parties_at_most: int
    councils_declared_at_least: int
    rules: tuple[VerdictRule, ...]

    @property
    def lead_at_least(self) -> float:
        return self.lead["lead_at_least"]


@dataclass(frozen=True)
class Movement:
    """One party's national movement and what it is worth."""

    party: str
    score: float
    kind: str  # "first" (its first councils), "loss", "gain" or "seats"
    figures: dict[str, Any]


# -- loading ----------------------------------------------------------------------------------
def load_judgement(path: Path) -> Judgement:
    """Read and validate ``judgement.yaml``; raise :class:`InputError` naming the file and key."""
    name = path.name
    problems: list[Problem] = []

    def bad(key: str | None, message: str) -> None:
        problems.append(Problem(name, None, key, message))

    try:
        data = yamltext.safe_load(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError([Problem(str(path), None, None, "is missing; expected the news-judgement "
                                  "settings (lead: and verdicts:)")], f"invalid {name}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError([yaml_problem(name, exc)], f"invalid {name}") from None
    if not isinstance(data, dict):
        raise InputError([Problem(name, None, None, "expected a mapping with lead: and verdicts:")], f"invalid {name}")
    for key in sorted(set(data) - {"lead", "verdicts"}):
        bad(key, "is not a setting; expected lead or verdicts")
    lead = _numbers(data.get("lead"), "lead", LEAD_KEYS, bad)
    verdicts = data.get("verdicts")
    settings = _numbers({k: v for k, v in verdicts.items() if k != "rules"} if isinstance(verdicts, dict) else verdicts,
                        "verdicts", VERDICT_KEYS, bad)
    rules: list[VerdictRule] = []
    raw = verdicts.get("rules") if isinstance(verdicts, dict) else None
    if not isinstance(raw, list) or not raw:
        bad("verdicts.rules", "expected a list of verdict rules (id, verdict, description, when)")
        raw = []
    seen: set[str] = set()
    for i, item in enumerate(raw, start=1):
        where = f"verdicts.rules[{i}]"
        if not isinstance(item, dict):
            bad(where, "expected a mapping with id, verdict, description and when")
            continue
        for key in sorted(set(item) - {"id", "verdict", "description", "when"}):
            bad(f"{where}.{key}", "is not a verdict setting; expected id, verdict, description or when")
        missing = [k for k in ("id", "verdict", "description", "when") if not isinstance(item.get(k), str) or not item[k].strip()]
        if missing:
            bad(where, f"needs {', '.join(missing)} (non-empty text)")
            continue
        where = f"verdicts.rules {item['id']!r}"
        if not _ID.match(item["id"]) or item["id"] in seen:
            bad(where, "id must be unique, lower-case letters, digits and hyphens")
        seen.add(item["id"])
        if item["verdict"] not in VERDICTS:
            bad(f"{where}.verdict", f"expected one of {', '.join(VERDICTS)}, got {item['verdict']!r}")
        try:
            test = _ENV.compile_expression(item["when"], undefined_to_none=False)
            used = _names("{{ (" + item["when"] + ") }}")
            private = _private("{{ (" + item["when"] + ") }}")
        except TemplateSyntaxError as exc:
            bad(f"{where}.when", f"is not a valid expression: {exc.message or 'syntax error'}")
            continue
        if private:
            bad(f"{where}.when", f"reads {', '.join(private)}; expected figures (names starting with _ are not figures)")
        unknown = used - FIGURES
        if unknown:
            bad(f"{where}.when", f"uses {', '.join(sorted(unknown))}; expected names from: {', '.join(sorted(FIGURES))}")
        rules.append(VerdictRule(item["id"], item["verdict"], item["description"].strip(), item["when"], test))
    if problems:
        raise InputError(problems, f"invalid {name}")
    return Judgement({k: float(v) for k, v in lead.items()}, int(settings["parties_at_most"]),
                     int(settings["councils_declared_at_least"]), tuple(rules))


def _numbers(section: Any, where: str, keys: dict[str, type], bad) -> dict[str, float]:
    if not isinstance(section, dict):
        bad(where, f"expected a mapping with {', '.join(keys)}")
        return {k: 0 for k in keys}
    out = {}
    for key in sorted(set(section) - set(keys)):
        bad(f"{where}.{key}", f"is not a setting; expected one of {', '.join(keys)}")
    for key, kind in keys.items():
        value = section.get(key)
        ok = not isinstance(value, bool) and (isinstance(value, int) if kind is int else isinstance(value, (int, float)))
        if not ok or value < 0:
            bad(f"{where}.{key}", f"expected {'a whole number' if kind is int else 'a number'} of 0 or more, got {value!r}")
            value = 0
        out[key] = value
    return out


# -- the figures ------------------------------------------------------------------------------
def ran_before(councils: Iterable[Any], history: Mapping[str, Iterable[Any]]) -> set[str]:
    """Parties that ran a council on the eve of poll or in any council's recorded history; for
    any other party, a council won tonight is its first."""
    ran = {c.control_before for c in councils if c.control_before}
    for periods in history.values():
        ran |= {p.control for p in periods}
    return ran


def figures(t: Tally, party: str, ran_before: set[str]) -> dict[str, Any]:
    """A party's figures in the national tally, as verdict conditions read them."""
    change = t.seat_change.get(party, 0)
    won = t.seats_won_compared.get(party, 0)
    base = won - change  # the same seats last time
    pct = 100.0 * change / base if base else (100.0 if change > 0 else 0.0)
    gained = len(t.gained.get(party, ()))
    return {
        "party": party, "councils_controlled": t.control.get(party, 0),
        "councils_defended": t.control_before.get(party, 0),
        "councils_change": t.control.get(party, 0) - t.control_before.get(party, 0),
        "councils_gained": gained, "councils_lost": len(t.lost.get(party, ())),
        "first_councils": gained if party not in ran_before else 0,
        "seat_change": change, "seats_won_compared": won, "seat_change_pct": pct,
        "seats_exact": t.seats_exact(party), "councils_compared": t.councils_compared, "complete": t.complete,
    }


def movement(f: Mapping[str, Any], j: Judgement) -> Movement:
    """What a party's figures are worth as the night's news, and which kind of lead they make."""
    w = j.lead
    seats = abs(f["seat_change"]) * w["points_per_seat"] if f["seats_exact"] else 0.0
    councils = abs(f["councils_change"]) * w["points_per_council"]
    first = f["first_councils"] * w["points_per_first_council"]
    lost_most = f["councils_lost"] >= w["lost_most_at_least"] and 2 * f["councils_lost"] > f["councils_defended"]
    score = seats + councils + first + (w["points_lost_most"] if lost_most else 0.0)
    if f["first_councils"]:
        kind = "first"
    elif f["councils_change"] < 0 or (lost_most and f["councils_lost"] > f["councils_gained"]):
        kind = "loss"
    elif f["councils_change"] > 0:
        kind = "gain"
    else:
        kind = "seats"
    return Movement(f["party"], round(score, 2), kind, dict(f))


def movements(t: Tally, ran_before: set[str], j: Judgement) -> list[Movement]:
    """Every party that runs or ran a council, or has comparable seats, by what its movement is
    worth, biggest first (ties by party code, so the order is stable)."""
    codes = {p for p in set(t.control) | set(t.control_before) | set(t.seats_won_compared)
             if parties.can_control(p) and p != parties.NOC}
    out = [movement(figures(t, p, ran_before), j) for p in codes]
    return sorted(out, key=lambda m: (-m.score, m.party))


def verdict(f: Mapping[str, Any], j: Judgement) -> VerdictRule | None:
    """The first verdict rule the party's figures meet, or None."""
    return next((r for r in j.rules if r.matches(f)), None)


def verdict_parties(ms: list[Movement], majors: Iterable[str], j: Judgement) -> list[Movement]:
    """The parties given a verdict: those with a baseline projected share and any whose movement
    is worth a lead, biggest movement first, at most ``parties_at_most``."""
    majors = set(majors)
    chosen = [m for m in ms if m.party in majors or m.score >= j.lead_at_least]
    return chosen[: j.parties_at_most]
