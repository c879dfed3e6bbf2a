"""Withdrawing a declaration: taking back a stored version of a result (a ward that is not
the council's, a time typed as 2099, a feed's bad entry) as if it had never arrived.

A withdrawal is a row of its own (``declaration_withdrawals``; the declarations table stays
append-only): which stored version it takes back, who withdrew it and why, when, the last
declaration row stored at that moment (``after_seq``: where a restarted process re-applies
it) and the ids of the event records it issued. Migration ``0007_declaration_withdrawals``.

:meth:`writer.store.Pipeline.withdraw` makes one (``writer.store.pipeline.withdraw``).

What it does, like a correction: the engine is rebuilt by replaying every stored declaration
received so far except the withdrawn versions (:func:`rederive`), so a version it had made
stale can stand again, and everything derived from it (ward, council, group and national
events, running counts) is worked out again. The differences from the events that stood are
issued as event records continuing each event's versions: a retraction for an event that no
longer holds, an update where the facts changed, a new event where one now holds. The desk
redrafts the stories they touch (a story left with no event is retracted, and the publisher
withdraws it), and it is all stored in one transaction with the withdrawal.

A withdrawn version sent again exactly as it was (same content, same ``declared_at``) is
already stored and stays withdrawn; a version with other figures or another time is a new
declaration like any other. ``resume`` (a restart) replays the declarations and applies each
withdrawal right after the row that was last when it was made, so memory comes back to
where it was.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from writer.compare.tally import NATIONAL
from writer.detect.events import fingerprint
from writer.store.base import Base

if TYPE_CHECKING:
    from writer.detect.events import Event
    from writer.engine import Engine
    from writer.store.models import Declaration as DeclarationRow

WITHDRAWAL_TABLES = ("declaration_withdrawals",)
MAX_REASON = 500


class DeclarationWithdrawal(Base):
    """The withdrawal of one stored declaration row, by whom, why and when."""

    __tablename__ = "declaration_withdrawals"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    declaration_seq: Mapped[int] = mapped_column(ForeignKey("declarations.seq"), unique=True)
    declaration_id: Mapped[str] = mapped_column(String, index=True)
    after_seq: Mapped[int]  # the last declaration row stored when it was withdrawn
    withdrawn_by: Mapped[str] = mapped_column(String)  # "api:<token name>", "user:<name>", "cli:<name>"
    reason: Mapped[str] = mapped_column(Text)
    events: Mapped[list[Any]]  # ids of the event records the withdrawal issued, in order
    withdrawn_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<DeclarationWithdrawal #{self.seq} of declaration #{self.declaration_seq} by {self.withdrawn_by}>"


class WithdrawalError(ValueError):
    """A withdrawal that cannot be made: nothing of that id stands, or it was withdrawn already."""


def _fresh(engine: "Engine") -> "Engine":
    """An engine for the same night, rules and groups, with nothing applied."""
    groups = tuple(g for gid, g in engine.groups.items() if gid != NATIONAL.id)
    fresh = type(engine)(engine.setup, engine.rules, groups)
    for gid, builder in engine.builders.items():  # running counts keep declaration order
        fresh.builders[gid].keep_order_of(builder)
    return fresh


def _rule_of(engine: "Engine", rule_id: str):
    try:
        return engine.rules.get(rule_id)
    except StopIteration:  # a rule gone since (rules edited between runs): compare every fact
        return None


def _same(engine: "Engine", old: "Event", new: "Event") -> bool:
    rule = _rule_of(engine, old.rule)
    if rule is None:
        return old.facts == new.facts
    return fingerprint(old.facts, rule) == fingerprint(new.facts, rule)


def rederive(engine: "Engine", rows: list["DeclarationRow"], withdrawn: set[int],
             cause: str) -> list["Event"]:
    """Rebuild ``engine`` in place from ``rows`` (the stored declarations received so far,
    in order) leaving out the ``withdrawn`` row numbers, and return the event records that
    take the events standing before to those standing now (``cause``: the withdrawn
    declaration's id, named in each record)."""
    fresh = _fresh(engine)
    for row in rows:
        if row.seq not in withdrawn:
            fresh.apply(row.declaration())
    old_log, new_log = engine.log, fresh.log
    last_version = dict(old_log.last_version)
    last_id = dict(old_log.last_id)
    active: dict[str, Event] = {}
    records: list[Event] = []
    why = f"{cause} was withdrawn"
    for key in sorted(set(old_log.active) | set(new_log.active)):
        old, new = old_log.active.get(key), new_log.active.get(key)
        version = last_version.get(key, 0) + 1
        if new is None:
            assert old is not None
            record = replace(old, id=f"{key}#{version}", version=version, status="retracted",
                             supersedes=old.id, caused_by=cause, reason=f"no longer holds: {why}")
        elif old is not None and _same(engine, old, new):
            active[key] = old  # unchanged: the record that stands stays as it was
            continue
        else:
            record = replace(new, id=f"{key}#{version}", version=version,
                             status="updated" if old is not None else "new",
                             supersedes=old.id if old is not None else last_id.get(key),
                             caused_by=cause, reason=f"worked out again: {why}")
            active[key] = record
        last_version[key] = version
        last_id[key] = record.id
        records.append(record)
    new_log.active = active
    new_log.last_version = last_version
    new_log.last_id = last_id
    new_log.records = old_log.records + records
    new_log.errors = old_log.errors  # rule failures were reported when they happened
    # the engine object stays the same (the pipeline, the API and the publisher hold it)
    engine.__dict__.clear()
    engine.__dict__.update(fresh.__dict__)
    return records


__all__ = ["DeclarationWithdrawal", "MAX_REASON", "WITHDRAWAL_TABLES", "WithdrawalError", "rederive"]
