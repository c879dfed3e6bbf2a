"""The store's API: append records, read the night back.

Every ``record_*`` call joins the transaction opened by ``Store.transaction()`` if there is
one (so a declaration, its events and its story versions commit or roll back together) and
otherwise commits on its own. Reads return detached rows (``writer.store.models``) or model
objects rebuilt from payloads; changing a returned row changes nothing in the store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine, event, func, insert, inspect, literal, select
from sqlalchemy.orm import Session, sessionmaker

from writer.detect.events import Event
from writer.draft.story import Story
from writer.model import Declaration as ModelDeclaration
from writer.store.models import (DECISIONS, DECLARATION_OUTCOMES, WRITER, CheckResult, Declaration,
                                 EventRecord, ReviewDecision, StoryVersion)
from writer.store.payload import declaration_to_payload, event_to_payload, story_to_payload
from writer.store.withdrawals import DeclarationWithdrawal


#: The INSERTs of the rows the ingest path writes, in SQLAlchemy Core (each row's ``seq``
#: back, in the order given)
_INSERT_DECLARATION = insert(Declaration.__table__)
_INSERT_EVENTS = insert(EventRecord.__table__).returning(EventRecord.__table__.c.seq, sort_by_parameter_order=True)


class StoreError(Exception):
    pass


class AppendOnlyError(StoreError):
    """Something tried to change or delete a stored row."""


def now() -> datetime:
    return datetime.now(timezone.utc)


def _refuse_changes(session: Session, _context, _instances) -> None:
    if session.dirty or session.deleted:
        changed = [repr(o) for o in (*session.dirty, *session.deleted)]
        raise AppendOnlyError(f"the store is append-only; refusing to change or delete {', '.join(changed)}")


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        writer = engine.execution_options(sqlite_immediate=True) if engine.dialect.name == "sqlite" else engine
        self._writes = sessionmaker(writer, expire_on_commit=False)
        self._reads = sessionmaker(engine, expire_on_commit=False)
        for factory in (self._writes, self._reads):
            event.listen(factory, "before_flush", _refuse_changes)
        self._local = threading.local()
        self._changes_stmt = None  # made on first use (the withdrawals table may be missing)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    # -- transactions -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: everything recorded inside commits together or not at all.
        Nested calls join the outer transaction."""
        current = getattr(self._local, "session", None)
        if current is not None:
            yield current
            return
        undo: list[Callable[[], None]] = []
        try:
            with self._writes.begin() as session:
                self._local.session, self._local.undo = session, undo
                try:
                    yield session
                finally:
                    self._local.session = self._local.undo = None
        except BaseException:
            for step in reversed(undo):
                step()
            raise

    def on_rollback(self, step: Callable[[], None]) -> None:
        """Call ``step`` if the write transaction now open rolls back (to forget in memory
        what it stored); nothing outside one (what was recorded there is committed)."""
        undo = getattr(self._local, "undo", None)
        if undo is not None:
            undo.append(step)

    @contextmanager
    def _read(self) -> Iterator[Session]:
        current = getattr(self._local, "session", None)
        if current is not None:  # read inside the open write transaction: see its rows
            yield current
            return
        with self._reads.begin() as session:
            yield session

    # -- writing ------------------------------------------------------------------------------
    def record_declaration(self, decl: ModelDeclaration, outcome: str,
                           received_at: datetime | None = None) -> int:
        """Store a declaration as received; return its sequence number."""
        if outcome not in DECLARATION_OUTCOMES:
            raise ValueError(f"outcome {outcome!r}: expected one of {', '.join(DECLARATION_OUTCOMES)}")
        row = dict(
            declaration_id=decl.id, kind=decl.kind, council=decl.council,
            content_digest=decl.content_digest(), payload=declaration_to_payload(decl),
            source=decl.source or "", declared_at=decl.declared_at,
            received_at=received_at or now(), outcome=outcome,
        )
        # one INSERT, not the ORM's unit of work (a row only ever inserted needs none of it)
        with self.transaction() as s:
            return s.execute(_INSERT_DECLARATION, row).inserted_primary_key[0]

    def record_events(self, events: Iterable[Event], declaration_seq: int) -> list[int]:
        rows = [dict(
            event_id=e.id, key=e.key, version=e.version, status=e.status, rule=e.rule,
            scope=e.scope, subject=e.subject, council=e.council, score=e.score,
            provisional=e.provisional, at=e.at, payload=event_to_payload(e),
            declaration_seq=declaration_seq,
        ) for e in events]
        if not rows:
            return []
        with self.transaction() as s:
            return list(s.execute(_INSERT_EVENTS, rows).scalars())

    def record_stories(self, stories: Iterable[Story], author: str = WRITER, *,
                       declaration_seq: int | None = None,
                       created_at: datetime | None = None) -> list[StoryVersion]:
        """Store story versions: the desk's drafts (``author="writer"``) or a person's edit
        (``author=<user>``). Each gets the story's next stored version number."""
        stories = list(stories)
        if not stories:
            return []
        if not author:
            raise ValueError("a story version needs an author")
        created_at = created_at or now()
        with self.transaction() as s:
            ids = {st.id for st in stories}
            latest = dict(s.execute(
                select(StoryVersion.story_id, func.max(StoryVersion.version))
                .where(StoryVersion.story_id.in_(ids)).group_by(StoryVersion.story_id)).all())
            rows = []
            for st in stories:
                version = latest.get(st.id, 0) + 1
                latest[st.id] = version
                rows.append(StoryVersion(
                    story_id=st.id, version=version, draft_version=st.version, status=st.status,
                    kind=st.kind, council=st.council, headline=st.headline, score=st.score,
                    provisional=st.provisional, at=st.at, payload=story_to_payload(st),
                    author=author, created_at=created_at, declaration_seq=declaration_seq,
                ))
            s.add_all(rows)
            s.flush()
            return rows

    def record_decision(self, story_id: str, story_version: int, decision: str, user: str,
                        note: str | None = None, created_at: datetime | None = None) -> ReviewDecision:
        """A person's decision (approved, rejected, held, override) on one stored version."""
        if decision not in DECISIONS:
            raise ValueError(f"decision {decision!r}: expected one of {', '.join(DECISIONS)}")
        if not user:
            raise ValueError("a review decision needs the user who made it")
        row = ReviewDecision(story_id=story_id, story_version=story_version, decision=decision,
                             username=user, note=note, created_at=created_at or now())
        with self.transaction() as s:
            s.add(row)
            s.flush()
        return row

    def record_check(self, story_id: str, story_version: int, ok: bool,
                     failures: Iterable[Any] = (), *, override_reason: str | None = None,
                     user: str | None = None, created_at: datetime | None = None) -> CheckResult:
        """A fact-check result for one stored version; with ``override_reason`` (and the
        ``user`` giving it), a person's override of the check."""
        if override_reason is not None and not (override_reason.strip() and user):
            raise ValueError("an override needs a reason and the user who gives it")
        row = CheckResult(story_id=story_id, story_version=story_version, ok=bool(ok),
                          failures=list(failures), override_reason=override_reason, username=user,
                          created_at=created_at or now())
        with self.transaction() as s:
            s.add(row)
            s.flush()
        return row

    # -- declarations -------------------------------------------------------------------------
    def seen(self, declaration_id: str, content_digest: str, declared_at: datetime | None = None) -> bool:
        """Whether this declaration (same id, same content, and declared at the same time
        where ``declared_at`` is given) is already stored."""
        with self._read() as s:
            times = s.scalars(select(Declaration.declared_at).where(
                Declaration.declaration_id == declaration_id,
                Declaration.content_digest == content_digest)).all()
        # (compared here, not in SQL: a time's stored form differs between databases)
        return bool(times) and (declared_at is None or any(t == declared_at for t in times))

    def changes(self) -> tuple[int, int]:
        """(the last declaration row's ``seq``, 0 before the first; how many withdrawals the
        store holds): whether another process stored or withdrew something since a pipeline
        last looked, in one statement (the ingest path asks it once per declaration). Inside
        a write transaction it reads there; else on a connection of its own, no session."""
        stmt = self._changes_stmt
        if stmt is None:
            last = select(func.coalesce(func.max(Declaration.seq), 0)).scalar_subquery()
            count = (select(func.count()).select_from(DeclarationWithdrawal).scalar_subquery()
                     if self._has_withdrawals() else literal(0))
            stmt = self._changes_stmt = select(last, count)
        session = getattr(self._local, "session", None)
        if session is not None:
            last, count = session.execute(stmt).one()
        else:
            with self.engine.connect() as conn:
                last, count = conn.execute(stmt).one()
        return int(last), int(count)

    def last_declaration_seq(self) -> int | None:
        """The sequence number of the last declaration stored (None before the first)."""
        with self._read() as s:
            return s.scalar(select(func.max(Declaration.seq)))

    def declaration_rows(self, declaration_id: str | None = None) -> list[Declaration]:
        """Stored declaration rows in the order received (of one id, or all)."""
        q = select(Declaration).order_by(Declaration.seq)
        if declaration_id is not None:
            q = q.where(Declaration.declaration_id == declaration_id)
        with self._read() as s:
            return list(s.scalars(q))

    def declarations(self) -> list[ModelDeclaration]:
        """Every stored declaration, in the order received, rebuilt as model objects."""
        return [row.declaration() for row in self.declaration_rows()]

    def replaced_by(self, seq: int) -> Declaration | None:
        """The row that replaced declaration row ``seq``: the next correction of the same id."""
        with self._read() as s:
            row = s.get(Declaration, seq)
            if row is None:
                raise KeyError(seq)
            return s.scalars(select(Declaration).where(
                Declaration.declaration_id == row.declaration_id, Declaration.seq > seq,
                Declaration.outcome == "correction").order_by(Declaration.seq).limit(1)).first()

    def current_declaration(self, declaration_id: str) -> Declaration | None:
        """The version of a declaration that stands: its latest new or corrected row. Where
        a version of it was withdrawn, the declarations were worked out again without it: the
        version that stands is the latest declared of those not withdrawn (one that was
        stale before may stand now)."""
        with self._read() as s:
            withdrawn = set(s.scalars(select(DeclarationWithdrawal.declaration_seq).where(
                DeclarationWithdrawal.declaration_id == declaration_id))) if self._has_withdrawals() else set()
            if not withdrawn:
                return s.scalars(select(Declaration).where(
                    Declaration.declaration_id == declaration_id,
                    Declaration.outcome.in_(("new", "correction")))
                    .order_by(Declaration.seq.desc()).limit(1)).first()
            rows = [r for r in s.scalars(select(Declaration).where(Declaration.declaration_id == declaration_id))
                    if r.seq not in withdrawn]
        # (times compared here, not in SQL: a time's stored form differs between databases)
        return max(rows, key=lambda r: (r.declared_at, r.seq), default=None)

    # -- withdrawals (writer.store.withdrawals) -------------------------------------------------
    def _has_withdrawals(self) -> bool:
        """Whether the store has the withdrawals table (revision 0007): a store opened at an
        older revision (``open_store(migrate_to=...)``) has none, and nothing withdrawn."""
        found = getattr(self, "_withdrawals_table", None)
        if found is None:
            found = self._withdrawals_table = inspect(self.engine).has_table("declaration_withdrawals")
        return found

    def record_withdrawal(self, declaration_seq: int, declaration_id: str, after_seq: int, by: str,
                          reason: str, events: list[str], withdrawn_at: datetime | None = None):
        """Record that declaration row ``declaration_seq`` was withdrawn (``writer.store.
        withdrawals.withdraw`` does the work and calls this in its transaction)."""
        if not by:
            raise ValueError("a withdrawal needs who made it")
        row = DeclarationWithdrawal(declaration_seq=declaration_seq, declaration_id=declaration_id,
                                    after_seq=after_seq, withdrawn_by=by, reason=reason or "",
                                    events=list(events), withdrawn_at=withdrawn_at or now())
        with self.transaction() as s:
            s.add(row)
            s.flush()
        return row

    def withdrawals(self, declaration_id: str | None = None) -> list:
        """Every withdrawal (of one declaration id, or all), in the order made."""
        if not self._has_withdrawals():
            return []
        q = select(DeclarationWithdrawal).order_by(DeclarationWithdrawal.seq)
        if declaration_id is not None:
            q = q.where(DeclarationWithdrawal.declaration_id == declaration_id)
        with self._read() as s:
            return list(s.scalars(q))

    def withdrawn_seqs(self) -> set[int]:
        """The declaration rows that have been withdrawn."""
        if not self._has_withdrawals():
            return set()
        with self._read() as s:
            return set(s.scalars(select(DeclarationWithdrawal.declaration_seq)))

    def withdrawal_count(self) -> int:
        """How many withdrawals the store holds (a cheap way to notice a new one)."""
        return self.count(DeclarationWithdrawal) if self._has_withdrawals() else 0

    def count(self, model) -> int:
        with self._read() as s:
            return s.scalar(select(func.count()).select_from(model))

    # -- events -------------------------------------------------------------------------------
    def event_rows(self, declaration_seq: int | None = None) -> list[EventRecord]:
        q = select(EventRecord).order_by(EventRecord.seq)
        if declaration_seq is not None:
            q = q.where(EventRecord.declaration_seq == declaration_seq)
        with self._read() as s:
            return list(s.scalars(q))

    def events(self) -> list[Event]:
        """Every event record, in the order issued."""
        return [row.event() for row in self.event_rows()]

    def event_ids_by_declaration(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        with self._read() as s:
            for seq, eid in s.execute(select(EventRecord.declaration_seq, EventRecord.event_id)
                                      .order_by(EventRecord.seq)):
                out.setdefault(seq, []).append(eid)
        return out

    # -- stories ------------------------------------------------------------------------------
    def latest_story(self, story_id: str) -> StoryVersion | None:
        """The story's current state: its latest stored version (draft or edit)."""
        with self._read() as s:
            return s.scalars(select(StoryVersion).where(StoryVersion.story_id == story_id)
                             .order_by(StoryVersion.version.desc()).limit(1)).first()

    def story_history(self, story_id: str) -> list[StoryVersion]:
        """Every stored version of a story, oldest first."""
        with self._read() as s:
            return list(s.scalars(select(StoryVersion).where(StoryVersion.story_id == story_id)
                                  .order_by(StoryVersion.version)))

    def story_version(self, story_id: str, version: int) -> StoryVersion | None:
        with self._read() as s:
            return s.scalars(select(StoryVersion).where(StoryVersion.story_id == story_id,
                                                        StoryVersion.version == version)).first()

    def latest_stories(self, *, include_retracted: bool = False) -> list[StoryVersion]:
        """The latest stored version of every story (standing ones only, unless asked),
        highest score first."""
        latest = (select(StoryVersion.story_id, func.max(StoryVersion.version).label("v"))
                  .group_by(StoryVersion.story_id).subquery())
        q = select(StoryVersion).join(latest, (StoryVersion.story_id == latest.c.story_id)
                                      & (StoryVersion.version == latest.c.v))
        if not include_retracted:
            q = q.where(StoryVersion.status != "retracted")
        with self._read() as s:
            rows = list(s.scalars(q))
        return sorted(rows, key=lambda r: (-r.score, r.at, r.story_id))

    # -- review -------------------------------------------------------------------------------
    def decisions(self, story_id: str, story_version: int | None = None) -> list[ReviewDecision]:
        q = select(ReviewDecision).where(ReviewDecision.story_id == story_id).order_by(ReviewDecision.seq)
        if story_version is not None:
            q = q.where(ReviewDecision.story_version == story_version)
        with self._read() as s:
            return list(s.scalars(q))

    def latest_decision(self, story_id: str, story_version: int | None = None) -> ReviewDecision | None:
        rows = self.decisions(story_id, story_version)
        return rows[-1] if rows else None

    def checks(self, story_id: str, story_version: int | None = None) -> list[CheckResult]:
        q = select(CheckResult).where(CheckResult.story_id == story_id).order_by(CheckResult.seq)
        if story_version is not None:
            q = q.where(CheckResult.story_version == story_version)
        with self._read() as s:
            return list(s.scalars(q))

    def latest_check(self, story_id: str, story_version: int | None = None) -> CheckResult | None:
        rows = self.checks(story_id, story_version)
        return rows[-1] if rows else None
