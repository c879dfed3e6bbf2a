"""Withdrawing a declaration: taking back a stored version of a result (a ward that is not
the council's, a time typed as 2099, a feed's bad entry) as if it had never arrived.

A withdrawal is a row of its own (``declaration_withdrawals``; the declarations table stays
append-only): which stored version it takes back, who withdrew it and why, when, the last
declaration row stored at that moment (``after_seq``: where a restarted process re-applies
it) and the ids of the event records it issued. Migration ``0007_declaration_withdrawals``.

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

from writer.store.models import Base

if TYPE_CHECKING:
    from writer.detect.events import Event
    from writer.draft.story import Story
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
    from writer.compare.tally import NATIONAL
    groups = tuple(g for gid, g in engine.groups.items() if gid != NATIONAL.id)
    return type(engine)(engine.setup, engine.rules, groups)


def _rule_of(engine: "Engine", rule_id: str):
    try:
        return engine.rules.get(rule_id)
    except StopIteration:  # a rule gone since (rules edited between runs): compare every fact
        return None


def _same(engine: "Engine", old: "Event", new: "Event") -> bool:
    from writer.detect.events import fingerprint
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


def withdraw(pipeline, declaration_id: str, *, by: str, reason: str = "",
             at: datetime | None = None) -> tuple["DeclarationWithdrawal", list["Event"], list["Story"]]:
    """Withdraw the version of ``declaration_id`` that stands in ``pipeline`` (a
    :class:`writer.store.Pipeline`), recorded as done ``by`` (``api:<token>``,
    ``user:<name>``) for ``reason``. Returns the withdrawal row, the event records and the
    story versions it made, all stored in one transaction. Raises :class:`WithdrawalError`
    when no version of that id stands. If anything fails, nothing is stored and the
    pipeline's engine and desk are rebuilt from the store."""
    from writer.store.db import advisory_xact_lock
    from writer.store.pipeline import catch_up
    store = pipeline.store
    engine = pipeline.engine
    if not by:
        raise ValueError("a withdrawal needs who made it")
    reason = (reason or "").strip()[:MAX_REASON]
    at = at or datetime.now(timezone.utc)
    try:
        with store.transaction() as session:
            advisory_xact_lock(session, "ingest")  # as an ingest: other processes' ingests wait
            catch_up(store, engine, pipeline.desk)  # what they stored before: the engine takes it first
            current = engine.declarations.get(declaration_id)
            if current is None:
                raise WithdrawalError(f"no declaration {declaration_id!r} stands: nothing to withdraw")
            rows = store.declaration_rows()
            withdrawn = store.withdrawn_seqs()
            digest = current.content_digest()
            target = next((r for r in reversed(rows) if r.declaration_id == declaration_id
                           and r.seq not in withdrawn and r.content_digest == digest
                           and r.declared_at == current.declared_at), None)
            if target is None:
                raise WithdrawalError(f"the standing version of {declaration_id!r} is not in the store; "
                                      "rebuild from the store and try again")
            records = rederive(engine, rows, withdrawn | {target.seq}, declaration_id)
            stories = pipeline.desk.apply(records)
            store.record_events(records, target.seq)
            store.record_stories(stories, declaration_seq=target.seq, created_at=at)
            row = store.record_withdrawal(target.seq, declaration_id, rows[-1].seq, by, reason,
                                          [e.id for e in records], at)
    except WithdrawalError:
        raise
    except BaseException:
        pipeline.resumed = pipeline._rebuild()  # memory may be ahead of the store
        raise
    return row, records, stories


__all__ = ["DeclarationWithdrawal", "WITHDRAWAL_TABLES", "WithdrawalError", "rederive", "withdraw"]
