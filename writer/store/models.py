"""The store's tables: append-only records of everything that happened on the night.

Rows are only ever inserted. "What replaced a declaration", "the current version of a
story" and "the latest decision" are all derived by query from the latest rows; nothing is
updated in place or deleted (the initial migration also installs triggers that refuse
UPDATE and DELETE on every table, and sessions refuse to flush changes to stored rows).

Times are stored in UTC (``UTCDateTime``) and come back as aware UTC datetimes on every
database. Night times quoted by events and stories stay as the ISO 8601 strings they carry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (Boolean, CheckConstraint, Float, ForeignKey, ForeignKeyConstraint, Index, Integer,
                        String, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from writer.model import Declaration as ModelDeclaration
from writer.store.base import NAMING, Base, UTCDateTime  # noqa: F401 (NAMING and UTCDateTime: theirs too)
from writer.store.payload import declaration_from_payload, event_from_payload, story_from_payload

DECLARATION_OUTCOMES = ("new", "correction", "stale")
DECISIONS = ("approved", "rejected", "held", "override")
WRITER = "writer"  # the author of every version the desk drafts


class Declaration(Base):
    """A declaration as received: its raw payload, where it came from and when, and what
    the engine made of it. Repeats (same id, same content, same time) are not stored again;
    the same content declared again later is (a result that goes back to an earlier version
    is a correction). What replaced a row is the next row with the same ``declaration_id``
    whose outcome is ``correction`` (``Store.replaced_by``)."""

    __tablename__ = "declarations"
    __table_args__ = (
        UniqueConstraint("declaration_id", "content_digest", "declared_at"),
        CheckConstraint("outcome IN ('new', 'correction', 'stale')", name="outcome"),
        CheckConstraint("kind IN ('ward', 'council')", name="kind"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    declaration_id: Mapped[str] = mapped_column(String, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    council: Mapped[str] = mapped_column(String, index=True)
    content_digest: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    source: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime]
    received_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16))

    def declaration(self) -> ModelDeclaration:
        """The declaration rebuilt from its payload, as the engine takes it."""
        return declaration_from_payload(self.payload)

    def __repr__(self) -> str:
        return f"<Declaration #{self.seq} {self.declaration_id} {self.outcome}>"


class EventRecord(Base):
    """An event record (new, updated or retracted) and the declaration that caused it."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'updated', 'retracted')", name="status"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String, unique=True)
    key: Mapped[str] = mapped_column(String, index=True)
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String)
    scope: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String)
    council: Mapped[str | None] = mapped_column(String, index=True)
    score: Mapped[float] = mapped_column(Float)
    provisional: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[str] = mapped_column(String(40))  # night time, ISO 8601, as the event says
    payload: Mapped[dict[str, Any]]
    declaration_seq: Mapped[int] = mapped_column(ForeignKey("declarations.seq"), index=True)

    def event(self):
        return event_from_payload(self.payload)

    def __repr__(self) -> str:
        return f"<EventRecord #{self.seq} {self.event_id} {self.status}>"


class StoryVersion(Base):
    """One version of a story: every draft the desk makes and every edit a person makes.

    ``version`` counts every stored version of the story (drafts and edits alike);
    ``draft_version`` is the version number inside the payload (the desk's own count)."""

    __tablename__ = "story_versions"
    __table_args__ = (UniqueConstraint("story_id", "version"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    story_id: Mapped[str] = mapped_column(String)
    version: Mapped[int]
    draft_version: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    council: Mapped[str | None] = mapped_column(String, index=True)
    headline: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    provisional: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]]
    author: Mapped[str] = mapped_column(String)  # "writer" or the user who edited it
    created_at: Mapped[datetime]
    declaration_seq: Mapped[int | None] = mapped_column(ForeignKey("declarations.seq"), index=True)

    def story(self):
        """The story rebuilt from its payload."""
        return story_from_payload(self.payload)

    def __repr__(self) -> str:
        return f"<StoryVersion {self.story_id} v{self.version} {self.status} by {self.author}>"


class ReviewDecision(Base):
    """A person's decision on one version of a story."""

    __tablename__ = "review_decisions"
    __table_args__ = (
        ForeignKeyConstraint(["story_id", "story_version"],
                             ["story_versions.story_id", "story_versions.version"]),
        CheckConstraint("decision IN ('approved', 'rejected', 'held', 'override')", name="decision"),
        Index(None, "story_id", "story_version"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    story_id: Mapped[str] = mapped_column(String)
    story_version: Mapped[int]
    decision: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<ReviewDecision {self.story_id} v{self.story_version} {self.decision} by {self.username}>"


class CheckResult(Base):
    """A fact-check of one version of a story, or a person's override of one (with the
    reason and who gave it)."""

    __tablename__ = "check_results"
    __table_args__ = (
        ForeignKeyConstraint(["story_id", "story_version"],
                             ["story_versions.story_id", "story_versions.version"]),
        CheckConstraint("override_reason IS NULL OR username IS NOT NULL", name="override_by"),
        Index(None, "story_id", "story_version"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    story_id: Mapped[str] = mapped_column(String)
    story_version: Mapped[int]
    ok: Mapped[bool] = mapped_column(Boolean)
    failures: Mapped[list[Any]]
    override_reason: Mapped[str | None] = mapped_column(Text)
    username: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        state = "ok" if self.ok else f"{len(self.failures)} failures"
        if self.override_reason:
            state += f", overridden by {self.username}"
        return f"<CheckResult {self.story_id} v{self.story_version} {state}>"


APPEND_ONLY_TABLES = ("declarations", "events", "story_versions", "review_decisions", "check_results")
