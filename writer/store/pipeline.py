"""The one path by which declarations reach the store, for replay and live ingest alike.

``ingest`` applies a declaration to the engine and the desk and writes the declaration, its
event records and the story versions they cause in one transaction: all or nothing. A
declaration already stored (same id, same content) is skipped before it reaches the engine,
so a replay that restarts, or a feed that sends an entry twice, stores nothing twice.

``resume`` rebuilds a fresh engine and desk from the store by re-applying the stored
declarations in the order received, writing nothing: a restarted process then carries on
where it stopped. ``Pipeline`` puts the two together and, if a write fails after the engine
has taken a declaration, rebuilds its engine and desk from the store so that memory never
runs ahead of what was stored (and, if the store cannot be read just then, say PostgreSQL is
restarting, rebuilds before it next ingests: it never works on a half-rebuilt engine).

Several processes may ingest into one store (``writer serve`` twice on one PostgreSQL
database). Each ingest waits for the others (an advisory lock on PostgreSQL; SQLite's one
write lock), then first applies, writing nothing, the declarations the others stored since
its engine last saw the store (:func:`catch_up`), so events and stories are worked out from
the whole night whichever process took each declaration.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from writer.detect.events import Event
from writer.draft.desk import Desk
from writer.draft.story import Story
from writer.engine import Engine
from writer.identity import declaration_parties
from writer.model import Declaration
from writer.store.db import advisory_xact_lock
from writer.store.models import Declaration as DeclarationRow
from writer.store.store import Store, StoreError, now
from writer.store.withdrawals import MAX_REASON, DeclarationWithdrawal, WithdrawalError, rederive

log = logging.getLogger(__name__)


@dataclass
class _Seen:
    """What an engine built from the store has taken of it: the last declaration row
    (``seq``); every declaration row, as (id, content digest, declared at) (``stored``: what
    ``Store.seen`` would find); and the withdrawals (``withdrawals`` of them, of the
    declaration ids in ``withdrawn``). Set by ``resume``, moved by ``ingest``, ``catch_up``
    and ``withdraw``; what a transaction that rolls back added is taken out again."""

    seq: int
    withdrawals: int
    withdrawn: set[str]
    stored: set[tuple[str, str, datetime]]

    def take(self, row) -> None:
        self.seq = row.seq
        self.stored.add((row.declaration_id, row.content_digest, row.declared_at))


#: A write transaction's session.info key: (the engine, the store's withdrawals) once that
#: engine has been brought up to the store under the ingest lock in it. The lock is held to
#: the transaction's end, so nothing another process stores can come in between: the
#: transaction's later ingests need not ask the store again.
_CAUGHT_UP = "writer.pipeline.caught_up"


#: Each engine built from the store, and what it has taken of it; an engine not in it was
#: not built from the store: no catch-up.
_SEEN: "weakref.WeakKeyDictionary[Engine, _Seen]" = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Ingested:
    """What ingesting one declaration did. ``seq`` is None when nothing was stored."""

    declaration_id: str
    outcome: str  # "new", "correction", "stale", or "seen" (already stored: skipped)
    seq: int | None
    events: tuple[Event, ...] = ()
    stories: tuple[Story, ...] = ()


@dataclass
class Resumed:
    """What ``resume`` re-applied, and where the re-derived night differs from the stored
    one (rules or templates changed between runs, say)."""

    declarations: int = 0
    events: int = 0
    stories: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.mismatches


def _corrects(store: Store, outcome: str, declaration_id: str, engine: Engine | None = None,
              withdrawals: int | None = None) -> bool:
    """Whether a declaration corrects a result: a new version of a standing one, or one
    declared again after it was withdrawn. Where the store holds ``withdrawals`` withdrawals
    and ``engine`` has taken them all, its own list answers; else the store does."""
    if outcome == "correction":
        return True
    if outcome != "new":
        return False
    seen = _SEEN.get(engine) if engine is not None else None
    if seen is not None and withdrawals == seen.withdrawals:
        return declaration_id in seen.withdrawn
    return store._has_withdrawals() and bool(store.withdrawals(declaration_id))


def ingest(store: Store, engine: Engine, desk: Desk, decl: Declaration,
           received_at: datetime | None = None) -> Ingested:
    """Apply ``decl`` and store it with its events and story versions, in one transaction.

    If the write fails the exception propagates, nothing of ``decl`` is stored, and the
    engine and desk have already taken it: rebuild them with ``resume`` (``Pipeline`` does).
    """
    # One write transaction from the check to the last row: the check sees what is stored
    # now (no other writer can slip the same declaration in between), and costs no
    # transaction of its own. If anything fails, nothing of ``decl`` is stored.
    with store.transaction() as session:
        withdrawals = _up_to_date(store, engine, desk, session)
        digest = decl.content_digest()
        seen = _SEEN.get(engine)
        stored = (decl.id, digest, decl.declared_at)
        if stored in seen.stored if seen is not None else store.seen(*stored):
            return Ingested(decl.id, "seen", None)
        applied = engine.apply(decl)
        if applied.outcome == "repeat":
            # the standing version again, sent with another time: nothing to store
            current = store.current_declaration(decl.id)
            if current is not None and current.content_digest == digest:
                return Ingested(decl.id, "seen", None)
            raise StoreError(f"the engine already has {decl.id} but the store does not: "
                             "rebuild the engine and desk from the store (resume) before ingesting")
        stories = desk.apply(applied.events, correction=_corrects(store, applied.outcome, decl.id,
                                                                   engine, withdrawals))
        received_at = received_at or now()
        seq = store.record_declaration(decl, applied.outcome, received_at)
        if seen is not None:
            before = seen.seq
            seen.seq = max(before, seq)
            seen.stored.add(stored)
            store.on_rollback(lambda: (setattr(seen, "seq", before), seen.stored.discard(stored)))
        store.record_events(applied.events, seq)
        store.record_stories(stories, declaration_seq=seq, created_at=received_at)
    return Ingested(decl.id, applied.outcome, seq, applied.events, tuple(stories))


def _up_to_date(store: Store, engine: Engine, desk: Desk, session) -> int:
    """Take the ingest lock in the write transaction ``session`` (other processes' ingests
    and withdrawals wait) and bring ``engine`` and ``desk`` up to what they stored, once per
    transaction: one statement, and the rows only if there are new ones. Returns how many
    withdrawals the store holds."""
    done = session.info.get(_CAUGHT_UP)
    if done is not None and done[0] is engine:
        return done[1]
    advisory_xact_lock(session, "ingest")
    last, withdrawals = store.changes()
    catch_up(store, engine, desk, last)  # what they stored before: the engine takes it first
    session.info[_CAUGHT_UP] = (engine, withdrawals)
    return withdrawals


def resume(store: Store, engine: Engine, desk: Desk) -> Resumed:
    """Bring a fresh engine and desk up to what the store holds, writing nothing."""
    out = Resumed()
    stored_events = store.event_ids_by_declaration()
    night_parties = engine.setup.parties
    rows = store.declaration_rows()
    store_withdrawals = store.withdrawals()
    withdrawals = list(store_withdrawals)  # each applied right after the row that was last when it was made
    for w in withdrawals:  # its records are the withdrawal's, not the withdrawn row's
        issued = set(w.events)
        stored_events[w.declaration_seq] = [e for e in stored_events.get(w.declaration_seq, []) if e not in issued]
    taken: set[int] = set()
    withdrawn_ids: set[str] = set()  # declarations withdrawn so far: declared again, they correct
    for i, row in enumerate(rows):
        decl = row.declaration()
        if night_parties is not None:  # the night's table learns again what came in before the restart
            night_parties.learn(declaration_parties(decl))
        applied = engine.apply(decl)
        stories = desk.apply(applied.events, correction=row.outcome == "correction" or (
            row.outcome == "new" and row.declaration_id in withdrawn_ids))
        out.declarations += 1
        out.events += len(applied.events)
        out.stories += len(stories)
        if applied.outcome != row.outcome:
            out.mismatches.append(f"declaration #{row.seq} {row.declaration_id}: stored as "
                                  f"{row.outcome}, re-applied as {applied.outcome}")
        elif [e.id for e in applied.events] != stored_events.get(row.seq, []):
            out.mismatches.append(f"declaration #{row.seq} {row.declaration_id}: its events differ "
                                  "from the stored ones")
        while withdrawals and withdrawals[0].after_seq <= row.seq:
            withdrawn_ids.add(withdrawals[0].declaration_id)
            out.events += _withdrawn_again(withdrawals.pop(0), rows[:i + 1], taken, engine, desk, out)
    for w in withdrawals:  # (only if the rows it followed are missing: never in a sound store)
        out.events += _withdrawn_again(w, rows, taken, engine, desk, out)
    _SEEN[engine] = _Seen(rows[-1].seq if rows else 0, len(store_withdrawals),
                          {w.declaration_id for w in store_withdrawals},
                          {(r.declaration_id, r.content_digest, r.declared_at) for r in rows})
    return out


def catch_up(store: Store, engine: Engine, desk: Desk, last: int | None = None) -> int:
    """Apply to ``engine`` and ``desk``, writing nothing, the declarations stored since the
    engine last saw the store (by another process sharing it); returns how many. An engine
    not built by ``resume`` is left alone (0). Call it inside the write transaction of an
    ingest (``ingest`` does, after taking the ingest lock) or under the process's ingest lock.
    ``last``: the last stored row's ``seq`` as just read (``Store.changes``); when the engine
    has taken it already, the store is not asked again."""
    seen = _SEEN.get(engine)
    if seen is None or (last is not None and last <= seen.seq):
        return 0
    with store._read() as s:
        rows = list(s.scalars(select(DeclarationRow).where(DeclarationRow.seq > seen.seq)
                              .order_by(DeclarationRow.seq)))
    night_parties = engine.setup.parties
    for row in rows:
        decl = row.declaration()
        if night_parties is not None:
            night_parties.learn(declaration_parties(decl))
        applied = engine.apply(decl)
        desk.apply(applied.events, correction=_corrects(store, row.outcome, row.declaration_id))
        if applied.outcome != row.outcome:
            log.warning("catching up: declaration #%d %s was stored as %s, applied here as %s",
                        row.seq, row.declaration_id, row.outcome, applied.outcome)
        seen.take(row)
    if rows:
        log.info("caught up with %d declaration(s) stored by another process", len(rows))
    return len(rows)


def _withdrawn_again(w, rows: list, taken: set[int], engine: Engine, desk: Desk, out: Resumed) -> int:
    """Apply a stored withdrawal again while resuming (writer.store.withdrawals)."""
    taken.add(w.declaration_seq)
    records = rederive(engine, rows, taken, w.declaration_id)
    out.stories += len(desk.apply(records, correction=True))
    if [e.id for e in records] != list(w.events):
        out.mismatches.append(f"withdrawal #{w.seq} of declaration #{w.declaration_seq} "
                              f"{w.declaration_id}: its events differ from the stored ones")
    return len(records)


class Pipeline:
    """An engine and desk kept in step with a store.

    ``factory`` makes a fresh (engine, desk) for the night, e.g.
    ``lambda: writer.night.build(night)``. On creation the pipeline resumes from the
    store; ``ingest`` writes through ``ingest()``; if a declaration fails after the engine
    took it, the engine and desk are rebuilt from the store before the error propagates."""

    def __init__(self, store: Store, factory: Callable[[], tuple[Engine, Desk]]) -> None:
        self.store = store
        self.factory = factory
        self.stale = False  # a rebuild failed (the store away): rebuild before the next ingest
        self.resumed = self._rebuild()

    def _rebuild(self) -> Resumed:
        """A fresh engine and desk brought up to the store, swapped in only once complete: if
        the store cannot be read (PostgreSQL restarting), the pipeline is marked stale and
        rebuilds before it next ingests."""
        self.stale = True
        engine, desk = self.factory()
        known = self.store.withdrawal_count()
        resumed = resume(self.store, engine, desk)
        self.engine, self.desk, self._withdrawals_known = engine, desk, known
        self.stale = False
        return resumed

    def sync(self) -> int:
        """Bring memory up to the store, writing nothing: rebuild if a rebuild is owed or a
        declaration was withdrawn, else take the declarations other processes stored. Call it
        under the process's ingest lock before using ``engine`` or ``desk`` (the story of the
        night does); returns the declarations taken (-1: rebuilt)."""
        if self.stale:
            self.resumed = self._rebuild()
            return -1
        last, withdrawals = self.store.changes()  # one statement for both questions
        if self._follow(withdrawals):
            return -1
        return catch_up(self.store, self.engine, self.desk, last)

    def follow_withdrawals(self) -> bool:
        """Rebuild from the store if a declaration was withdrawn by another process (``writer
        withdraw``) since this pipeline last looked; True if it did. One count query."""
        return self._follow(self.store.withdrawal_count())

    def _follow(self, withdrawals: int) -> bool:
        if withdrawals == getattr(self, "_withdrawals_known", 0):
            return False
        self.resumed = self._rebuild()
        return True

    @contextmanager
    def locked(self) -> Iterator[Session]:
        """A write transaction holding the ingest lock, with ``engine`` and ``desk`` brought
        up to the store in it (``sync``, and the look ``ingest`` takes, in one statement):
        check a declaration against the engine and ingest it there, and nothing another
        process stores or withdraws can come in between. Where another process withdrew a
        declaration, the pipeline is rebuilt outside the transaction first (as by ``sync``),
        and the store looked at again (at most three times: then it goes on as it stands)."""
        for attempt in range(3):
            if self.stale:  # an earlier rebuild could not read the store
                self.resumed = self._rebuild()
            with self.store.transaction() as session:
                withdrawals = _up_to_date(self.store, self.engine, self.desk, session)
                if withdrawals == getattr(self, "_withdrawals_known", 0) or attempt == 2:
                    yield session
                    return
            self._follow(withdrawals)  # withdrawn by another process: rebuilt, then again

    def ingest(self, decl: Declaration, received_at: datetime | None = None) -> Ingested:
        try:
            with self.locked():
                return ingest(self.store, self.engine, self.desk, decl, received_at)
        except Exception:
            if self.engine.declarations.get(decl.id) is decl:  # memory ran ahead of the store
                try:
                    self.resumed = self._rebuild()
                except Exception:  # noqa: BLE001 - the store is away: rebuilt before the next ingest
                    log.warning("could not rebuild from the store after a failed ingest; will rebuild "
                                "before the next one", exc_info=True)
            raise

    def ingest_all(self, declarations: Iterable[Declaration]) -> list[Ingested]:
        return [self.ingest(d) for d in declarations]

    def withdraw(self, declaration_id: str, *, by: str, reason: str = "", at: datetime | None = None):
        """Withdraw the standing version of ``declaration_id``: the night is worked out again
        without it (:func:`withdraw`); returns (withdrawal row, event records, story versions)."""
        self.sync()  # a rebuild owed, another process's withdrawal or declarations: taken first
        done = withdraw(self, declaration_id, by=by, reason=reason, at=at)
        self._withdrawals_known = getattr(self, "_withdrawals_known", 0) + 1
        return done


def withdraw(pipeline, declaration_id: str, *, by: str, reason: str = "",
             at: datetime | None = None) -> tuple[DeclarationWithdrawal, list[Event], list[Story]]:
    """Withdraw the version of ``declaration_id`` that stands in ``pipeline`` (a
    :class:`writer.store.Pipeline`), recorded as done ``by`` (``api:<token>``,
    ``user:<name>``) for ``reason``. Returns the withdrawal row, the event records and the
    story versions it made, all stored in one transaction. Raises :class:`WithdrawalError`
    when no version of that id stands. If anything fails, nothing is stored and the
    pipeline's engine and desk are rebuilt from the store."""
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
            stories = pipeline.desk.apply(records, correction=True)
            store.record_events(records, target.seq)
            store.record_stories(stories, declaration_seq=target.seq, created_at=at)
            row = store.record_withdrawal(target.seq, declaration_id, rows[-1].seq, by, reason,
                                          [e.id for e in records], at)
            seen = _SEEN.get(engine)
            if seen is not None:  # this engine has taken the withdrawal it made
                seen.withdrawals += 1
                seen.withdrawn.add(declaration_id)
    except WithdrawalError:
        raise
    except BaseException:
        pipeline.resumed = pipeline._rebuild()  # memory may be ahead of the store
        raise
    return row, records, stories
