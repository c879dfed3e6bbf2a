"""The one path by which declarations reach the store, for replay and live ingest alike.

``ingest`` applies a declaration to the engine and the desk and writes the declaration, its
event records and the story versions they cause in one transaction: all or nothing. A
declaration already stored (same id, same content) is skipped before it reaches the engine,
so a replay that restarts, or a feed that sends an entry twice, stores nothing twice.

``resume`` rebuilds a fresh engine and desk from the store by re-applying the stored
declarations in the order received, writing nothing: a restarted process then carries on
where it stopped. ``Pipeline`` puts the two together and, if a write fails after the engine
has taken a declaration, rebuilds its engine and desk from the store so that memory never
runs ahead of what was stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from writer.detect.events import Event
from writer.draft.desk import Desk
from writer.draft.story import Story
from writer.engine import Engine
from writer.identity import declaration_parties
from writer.model import Declaration
from writer.store.store import Store, StoreError, now


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


def ingest(store: Store, engine: Engine, desk: Desk, decl: Declaration,
           received_at: datetime | None = None) -> Ingested:
    """Apply ``decl`` and store it with its events and story versions, in one transaction.

    If the write fails the exception propagates, nothing of ``decl`` is stored, and the
    engine and desk have already taken it: rebuild them with ``resume`` (``Pipeline`` does).
    """
    # One write transaction from the check to the last row: the check sees what is stored
    # now (no other writer can slip the same declaration in between), and costs no
    # transaction of its own. If anything fails, nothing of ``decl`` is stored.
    with store.transaction():
        digest = decl.content_digest()
        if store.seen(decl.id, digest, decl.declared_at):
            return Ingested(decl.id, "seen", None)
        applied = engine.apply(decl)
        if applied.outcome == "repeat":
            # the standing version again, sent with another time: nothing to store
            current = store.current_declaration(decl.id)
            if current is not None and current.content_digest == digest:
                return Ingested(decl.id, "seen", None)
            raise StoreError(f"the engine already has {decl.id} but the store does not: "
                             "rebuild the engine and desk from the store (resume) before ingesting")
        stories = desk.apply(applied.events)
        received_at = received_at or now()
        seq = store.record_declaration(decl, applied.outcome, received_at)
        store.record_events(applied.events, seq)
        store.record_stories(stories, declaration_seq=seq, created_at=received_at)
    return Ingested(decl.id, applied.outcome, seq, applied.events, tuple(stories))


def resume(store: Store, engine: Engine, desk: Desk) -> Resumed:
    """Bring a fresh engine and desk up to what the store holds, writing nothing."""
    out = Resumed()
    stored_events = store.event_ids_by_declaration()
    night_parties = engine.setup.parties
    for row in store.declaration_rows():
        decl = row.declaration()
        if night_parties is not None:  # the night's table learns again what came in before the restart
            night_parties.learn(declaration_parties(decl))
        applied = engine.apply(decl)
        stories = desk.apply(applied.events)
        out.declarations += 1
        out.events += len(applied.events)
        out.stories += len(stories)
        if applied.outcome != row.outcome:
            out.mismatches.append(f"declaration #{row.seq} {row.declaration_id}: stored as "
                                  f"{row.outcome}, re-applied as {applied.outcome}")
        elif [e.id for e in applied.events] != stored_events.get(row.seq, []):
            out.mismatches.append(f"declaration #{row.seq} {row.declaration_id}: its events differ "
                                  "from the stored ones")
    return out


class Pipeline:
    """An engine and desk kept in step with a store.

    ``factory`` makes a fresh (engine, desk) for the night, e.g.
    ``lambda: writer.draft.desk.build(night)``. On creation the pipeline resumes from the
    store; ``ingest`` writes through ``ingest()``; if a declaration fails after the engine
    took it, the engine and desk are rebuilt from the store before the error propagates."""

    def __init__(self, store: Store, factory: Callable[[], tuple[Engine, Desk]]) -> None:
        self.store = store
        self.factory = factory
        self.resumed = self._rebuild()

    def _rebuild(self) -> Resumed:
        self.engine, self.desk = self.factory()
        return resume(self.store, self.engine, self.desk)

    def ingest(self, decl: Declaration, received_at: datetime | None = None) -> Ingested:
        try:
            return ingest(self.store, self.engine, self.desk, decl, received_at)
        except Exception:
            if self.engine.declarations.get(decl.id) is decl:  # memory ran ahead of the store
                self.resumed = self._rebuild()
            raise

    def ingest_all(self, declarations: Iterable[Declaration]) -> list[Ingested]:
        return [self.ingest(d) for d in declarations]
