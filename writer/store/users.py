"""The review desk's own records: users, publish times and rules' auto-publish settings.

Like every other table in the store these are append-only (migration 0002 installs the same
triggers): a user's current state is their latest row (a new password or role is a new row;
``active=False`` signs them out for good), a story's publish time is the latest row for that
story, a rule's auto-publish setting is its latest row (else what ``rules/*.yaml`` says).

    desk = ReviewRecords(store)
    desk.add_user("alice", "editor", password_hash, by="cli")
    desk.user("alice")                      # the latest row, or None
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (Boolean, CheckConstraint, ForeignKeyConstraint, Index, Integer, String,
                        Text, func, select)
from sqlalchemy.orm import Mapped, Session, mapped_column

from writer.store.models import Base

ROLES = ("editor", "chief")
REVIEW_TABLES = ("users", "publish_times", "rule_settings")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class User(Base):
    """One state of a user account: the latest row for a username is the one that counts."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('editor', 'chief')", name="role"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}{'' if self.active else ' inactive'}>"


class PublishTime(Base):
    """When a version of a story is to be published (``publish_at`` None: as soon as approved)."""

    __tablename__ = "publish_times"
    __table_args__ = (
        ForeignKeyConstraint(["story_id", "story_version"],
                             ["story_versions.story_id", "story_versions.version"]),
        Index(None, "story_id", "story_version"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    story_id: Mapped[str] = mapped_column(String)
    story_version: Mapped[int]
    publish_at: Mapped[datetime | None]
    username: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class RuleSetting(Base):
    """A chief's choice of whether a rule's stories publish without review."""

    __tablename__ = "rule_settings"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(String, index=True)
    auto_publish: Mapped[bool] = mapped_column(Boolean)
    username: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class ReviewRecords:
    """Reads and appends for the review tables, on a :class:`writer.store.Store`."""

    def __init__(self, store) -> None:
        self.store = store

    def _read(self) -> Session:
        return Session(self.store.engine, expire_on_commit=False)

    # -- users ----------------------------------------------------------------------------
    def add_user(self, username: str, role: str, password_hash: str, *, by: str,
                 active: bool = True) -> User:
        """Append a state of ``username``: a new user, or a new password, role or status."""
        if role not in ROLES:
            raise ValueError(f"role {role!r}: expected one of {', '.join(ROLES)}")
        if not username or not by:
            raise ValueError("a user row needs a username and who made it")
        row = User(username=username, role=role, password_hash=password_hash, active=active,
                   created_by=by, created_at=_now())
        with self.store.transaction() as s:
            s.add(row)
            s.flush()
        return row

    def user(self, username: str) -> User | None:
        with self._read() as s:
            return s.scalars(select(User).where(User.username == username)
                             .order_by(User.seq.desc()).limit(1)).first()

    def users(self) -> list[User]:
        """The current state of every user, by name."""
        latest = select(func.max(User.seq)).group_by(User.username)
        with self._read() as s:
            return list(s.scalars(select(User).where(User.seq.in_(latest)).order_by(User.username)))

    # -- publish times --------------------------------------------------------------------
    def set_publish_time(self, story_id: str, story_version: int, publish_at: datetime | None,
                         user: str) -> PublishTime:
        row = PublishTime(story_id=story_id, story_version=story_version, publish_at=publish_at,
                          username=user, created_at=_now())
        with self.store.transaction() as s:
            s.add(row)
            s.flush()
        return row

    def publish_time(self, story_id: str) -> PublishTime | None:
        with self._read() as s:
            return s.scalars(select(PublishTime).where(PublishTime.story_id == story_id)
                             .order_by(PublishTime.seq.desc()).limit(1)).first()

    def publish_times(self) -> dict[str, PublishTime]:
        """The latest publish time of every story that has one."""
        latest = select(func.max(PublishTime.seq)).group_by(PublishTime.story_id)
        with self._read() as s:
            return {r.story_id: r for r in s.scalars(select(PublishTime).where(PublishTime.seq.in_(latest)))}

    # -- rules ----------------------------------------------------------------------------
    def set_auto_publish(self, rule_id: str, auto_publish: bool, user: str) -> RuleSetting:
        row = RuleSetting(rule_id=rule_id, auto_publish=bool(auto_publish), username=user,
                          created_at=_now())
        with self.store.transaction() as s:
            s.add(row)
            s.flush()
        return row

    def auto_publish_settings(self) -> dict[str, RuleSetting]:
        """The latest setting of every rule a person has set (others: as the rules say)."""
        latest = select(func.max(RuleSetting.seq)).group_by(RuleSetting.rule_id)
        with self._read() as s:
            return {r.rule_id: r for r in s.scalars(select(RuleSetting).where(RuleSetting.seq.in_(latest)))}
