"""Publishing records: what was released to readers, what reached each CMS, and who runs
the scheduler.

Append-only like the rest of the store:

- ``releases``: a story version released to readers (it is in the feeds from then on), or a
  retraction. One row per (story, version, action): a crash and a second attempt cannot
  release the same version twice (the unique constraint refuses it).
- ``deliveries``: each attempt's outcome for one release and one CMS target: ``sent`` (with
  the CMS's post id and link), ``failed`` (with the reason and the attempts made) or
  ``pending`` (a person asked for a failed delivery to be tried again). The latest row for a
  (release, target) is its state.
- ``scheduler_leases``: who runs the scheduler for this database. Terms are numbered and
  unique, so two processes racing for the same term cannot both win; a lease lasts until
  ``expires_at`` unless its holder renews it (a new row, the next term).

``apscheduler_jobs`` is APScheduler's own job store (the scheduled work itself: jobs are
updated and removed as they run); it is scheduling state, not a record of the night, and is
the one table that is not append-only.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (CheckConstraint, Float, ForeignKey, Index, Integer, LargeBinary, String,
                        Text, UniqueConstraint, func, select)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from writer.store.base import Base

PUBLISHING_TABLES = ("releases", "deliveries", "scheduler_leases")
ACTIONS = ("publish", "retract")
DELIVERY_STATES = ("sent", "failed", "pending")
JOBS_TABLE = "apscheduler_jobs"


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Release(Base):
    """A story version released to readers (``publish``), or the story withdrawn (``retract``)."""

    __tablename__ = "releases"
    __table_args__ = (
        UniqueConstraint("story_id", "story_version", "action"),
        CheckConstraint("action IN ('publish', 'retract')", name="action"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    story_id: Mapped[str] = mapped_column(String, index=True)
    story_version: Mapped[int]
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)  # "approved by alice", "auto-publish: rule ..."
    correction: Mapped[str | None] = mapped_column(Text)  # the visible correction line, if any
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<Release #{self.seq} {self.action} {self.story_id} v{self.story_version}>"


class Delivery(Base):
    """One outcome of delivering a release to a CMS target."""

    __tablename__ = "deliveries"
    __table_args__ = (
        CheckConstraint("state IN ('sent', 'failed', 'pending')", name="state"),
        Index(None, "release_seq", "target"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    release_seq: Mapped[int] = mapped_column(ForeignKey("releases.seq"))
    story_id: Mapped[str] = mapped_column(String, index=True)
    target: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    remote_id: Mapped[str | None] = mapped_column(String)
    remote_url: Mapped[str | None] = mapped_column(Text)
    media_id: Mapped[str | None] = mapped_column(String)
    media_digest: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    username: Mapped[str] = mapped_column(String(64))  # "scheduler" or who asked for a retry
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<Delivery #{self.seq} {self.story_id} -> {self.target} {self.state}>"


class SchedulerLease(Base):
    """A term of the scheduler lease: ``holder`` runs the scheduler until ``expires_at``."""

    __tablename__ = "scheduler_leases"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    term: Mapped[int] = mapped_column(Integer, unique=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]


class SchedulerJob(Base):
    """APScheduler's job store table, created by the migrations so that the schema is ours;
    APScheduler's ``SQLAlchemyJobStore`` reads and writes it."""

    __tablename__ = JOBS_TABLE

    id: Mapped[str] = mapped_column(String(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)


class PublishRecords:
    """Reads and appends for the publishing tables, on a :class:`writer.store.Store`."""

    def __init__(self, store) -> None:
        self.store = store

    # -- releases -----------------------------------------------------------------------------
    def release(self, story_id: str, story_version: int, action: str, reason: str,
                correction: str | None = None, created_at: datetime | None = None) -> Release | None:
        """Record a release; None if that version was already released (by anyone)."""
        if action not in ACTIONS:
            raise ValueError(f"action {action!r}: expected one of {', '.join(ACTIONS)}")
        row = Release(story_id=story_id, story_version=story_version, action=action, reason=reason,
                      correction=correction, created_at=created_at or _now())
        try:
            with self.store.transaction() as s:
                s.add(row)
                s.flush()
        except IntegrityError:
            return None
        return row

    def releases(self, story_id: str | None = None) -> list[Release]:
        q = select(Release).order_by(Release.seq)
        if story_id is not None:
            q = q.where(Release.story_id == story_id)
        with self.store._read() as s:
            return list(s.scalars(q))

    def latest_releases(self) -> dict[str, Release]:
        """The latest release of every story that has one."""
        latest = select(func.max(Release.seq)).group_by(Release.story_id)
        with self.store._read() as s:
            return {r.story_id: r for r in s.scalars(select(Release).where(Release.seq.in_(latest)))}

    def published_versions(self) -> dict[str, int]:
        """``{story_id: version}`` of every story whose latest release is a publication."""
        return {sid: r.story_version for sid, r in self.latest_releases().items() if r.action == "publish"}

    def stamp(self) -> tuple[int, int]:
        """Changes whenever a release or delivery is recorded (cheap: two max() reads)."""
        with self.store._read() as s:
            return (s.scalar(select(func.max(Release.seq))) or 0,
                    s.scalar(select(func.max(Delivery.seq))) or 0)

    # -- deliveries ---------------------------------------------------------------------------
    def record_delivery(self, release: Release, target: str, state: str, *, remote_id: Any = None,
                        remote_url: str | None = None, media_id: Any = None,
                        media_digest: str | None = None, attempts: int = 0,
                        error: str | None = None, user: str = "scheduler") -> Delivery:
        if state not in DELIVERY_STATES:
            raise ValueError(f"state {state!r}: expected one of {', '.join(DELIVERY_STATES)}")
        row = Delivery(release_seq=release.seq, story_id=release.story_id, target=target, state=state,
                       remote_id=None if remote_id is None else str(remote_id), remote_url=remote_url,
                       media_id=None if media_id is None else str(media_id), media_digest=media_digest,
                       attempts=attempts, error=error, username=user, created_at=_now())
        with self.store.transaction() as s:
            s.add(row)
            s.flush()
        return row

    def deliveries(self, story_id: str | None = None) -> list[Delivery]:
        q = select(Delivery).order_by(Delivery.seq)
        if story_id is not None:
            q = q.where(Delivery.story_id == story_id)
        with self.store._read() as s:
            return list(s.scalars(q))

    def delivery_states(self) -> dict[tuple[int, str], Delivery]:
        """The latest delivery row of every (release, target)."""
        latest = select(func.max(Delivery.seq)).group_by(Delivery.release_seq, Delivery.target)
        with self.store._read() as s:
            return {(d.release_seq, d.target): d for d in s.scalars(select(Delivery).where(Delivery.seq.in_(latest)))}

    def last_sent(self, story_id: str, target: str) -> Delivery | None:
        """The latest successful delivery of any version of the story to ``target``: where
        its CMS post is."""
        with self.store._read() as s:
            return s.scalars(select(Delivery).where(Delivery.story_id == story_id, Delivery.target == target,
                                                    Delivery.state == "sent")
                             .order_by(Delivery.seq.desc()).limit(1)).first()

    # -- the scheduler lease ------------------------------------------------------------------
    def acquire_lease(self, holder: str, seconds: float, now: datetime | None = None) -> bool:
        """Take or renew the scheduler lease for ``holder``: True if it holds it now.

        The lease is free when its latest term has expired or is already ``holder``'s; taking
        it appends the next term. Two processes racing for the same term: the unique
        constraint lets only one row in."""
        now = now or _now()
        with self.store._read() as s:
            latest = s.scalars(select(SchedulerLease).order_by(SchedulerLease.term.desc()).limit(1)).first()
        if latest is not None and latest.holder != holder and latest.expires_at > now:
            return False
        term = (latest.term if latest else 0) + 1
        row = SchedulerLease(term=term, holder=holder, expires_at=now + timedelta(seconds=seconds),
                             created_at=now)
        try:
            with self.store.transaction() as s:
                s.add(row)
                s.flush()
        except IntegrityError:
            return False
        return True

    def lease_holder(self, now: datetime | None = None) -> str | None:
        now = now or _now()
        with self.store._read() as s:
            latest = s.scalars(select(SchedulerLease).order_by(SchedulerLease.term.desc()).limit(1)).first()
        return latest.holder if latest is not None and latest.expires_at > now else None

    def release_lease(self, holder: str) -> None:
        """Give the lease up now (a clean shutdown), so another process can take it at once."""
        now = _now()
        with self.store._read() as s:
            latest = s.scalars(select(SchedulerLease).order_by(SchedulerLease.term.desc()).limit(1)).first()
        if latest is None or latest.holder != holder:
            return
        try:
            with self.store.transaction() as s:
                s.add(SchedulerLease(term=latest.term + 1, holder=holder, expires_at=now, created_at=now))
                s.flush()
        except IntegrityError:
            pass
