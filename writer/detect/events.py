"""Events: immutable records of what is news, with every fact their story needs.

An event is identified by its key (rule and subject). When a correction changes the facts
behind it, a new version supersedes it; when the rule no longer holds, a retraction is
issued as its own record. Nothing is dropped silently.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from collections.abc import Mapping
from typing import Any, Literal

from writer.detect.facts import Facts
from writer.detect.rules import Rule, RuleBlock, RuleError

Status = Literal["new", "updated", "retracted"]


@dataclass(frozen=True)
class Event:
    id: str  # key#version
    key: str  # rule:subject
    version: int
    status: Status
    rule: str
    scope: str
    subject: str
    council: str | None
    title: str
    facts: dict[str, Any]
    importance: float
    surprise: float
    score: float
    provisional: bool
    at: str  # night time (ISO 8601) of the declaration that caused this record
    caused_by: str  # declaration id
    template: str
    auto_publish: bool
    supersedes: str | None = None
    reason: str | None = None  # why it was retracted or updated

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)


def materialise(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Every fact as a plain dict: what an event keeps as its evidence."""
    if isinstance(facts, Facts):
        return facts.to_dict()
    return {name: facts[name] for name in facts}


def fingerprint(facts: Mapping[str, Any], rule: Rule) -> str:
    """What must differ for a re-evaluation to count as a change.

    A declared ward or council changes only when a correction changes any of its facts.
    A group's event changes with any of its facts: its story prints them (councils declared,
    councils run, seats won), and a story redrafted for another event must not print this
    one's figures as they stood earlier in the night. Other running situations (a council
    still counting, the nation as councils come in) change with every declaration, so their
    events are updated only when a fact the rule itself uses changes, or when the nation's
    last council declares."""
    if rule.scope in ("ward", "group") or (rule.scope == "council" and rule.stage == "declared"):
        # "complete" becoming "declared" with the same figures is not news
        keep = set(facts) - {"at", "status"}
    else:
        keep = rule.names | {"complete"}
    return json.dumps({k: facts[k] for k in sorted(keep) if k in facts}, sort_keys=True, default=str)


class EventLog:
    """The live events of a night, by key, and every record ever issued, in order."""

    def __init__(self) -> None:
        self.active: dict[str, Event] = {}  # key -> latest standing version
        self.last_version: dict[str, int] = {}  # key -> latest version ever issued (retractions too)
        self.last_id: dict[str, str] = {}  # key -> id of that record
        self.records: list[Event] = []
        self.errors: list[str] = []  # rules that failed at run time (reported, never fatal)
        self._prints: dict[str, tuple[Event, str]] = {}  # key -> (an event that stood, its fingerprint)

    def evaluate(self, rules: RuleBlock, facts: Mapping[str, Any], *, council: str | None,
                 surprise: float, provisional: bool, caused_by: str) -> list[Event]:
        """Apply ``rules`` to one subject's facts; return the records this issues. A rule
        that fails is reported in ``errors`` and leaves its earlier event as it was."""
        out: list[Event] = []
        subject = facts["subject"]
        for rule, holds in zip(rules, rules.matches(facts, self.errors)):
            if holds is None:
                continue
            key = f"{rule.id}:{subject}"
            current = self.active.get(key)
            if holds:
                # fingerprints are compared only when there is something to compare with
                # (most subjects are evaluated once), so they are computed lazily
                new_print = None
                if current is not None:
                    # the standing event's fingerprint is worked out once (its facts never change;
                    # the event itself is the key: another object of the same id is worked out)
                    old_print = self._prints.get(key)
                    if old_print is None or old_print[0] is not current:
                        old_print = self._prints[key] = (current, fingerprint(current.facts, rule))
                    new_print = fingerprint(facts, rule)
                    if old_print[1] == new_print:
                        continue
                try:
                    title = rule.render_title(facts)
                except RuleError as exc:
                    self.errors.append(str(exc))
                    continue
                version = self.last_version.get(key, 0) + 1  # a key retracted earlier goes on counting
                score = round(rule.importance * (1.0 + surprise), 2)
                event = Event(
                    id=f"{key}#{version}", key=key, version=version,
                    status="updated" if current else "new", rule=rule.id, scope=rule.scope,
                    subject=subject, council=council, title=title, facts=materialise(facts),
                    importance=rule.importance, surprise=round(surprise, 3), score=score,
                    provisional=provisional, at=facts["at"], caused_by=caused_by,
                    template=rule.template, auto_publish=rule.auto_publish,
                    supersedes=current.id if current else self.last_id.get(key),
                    reason="facts changed" if current else None,
                )
                self.active[key] = event
                if new_print is not None:  # (the same for the facts it keeps: materialise)
                    self._prints[key] = (event, new_print)
                self.last_version[key] = version
                self.last_id[key] = event.id
                out.append(event)
            elif current is not None:
                old = current
                event = Event(
                    id=f"{key}#{old.version + 1}", key=key, version=old.version + 1,
                    status="retracted", rule=rule.id, scope=rule.scope, subject=subject,
                    council=council, title=old.title, facts=old.facts, importance=old.importance,
                    surprise=old.surprise, score=old.score, provisional=old.provisional,
                    at=facts["at"], caused_by=caused_by, template=old.template,
                    auto_publish=old.auto_publish, supersedes=old.id,
                    reason=f"no longer holds after {caused_by} changed",
                )
                del self.active[key]
                self.last_version[key] = old.version + 1
                self.last_id[key] = event.id
                out.append(event)
        self.records.extend(out)
        return out

    def current(self) -> list[Event]:
        """The events that stand now, highest score first."""
        return sorted(self.active.values(), key=lambda e: (-e.score, e.at, e.key))
