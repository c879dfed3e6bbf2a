"""The review desk's own records: users, sign-in sessions, publish times and rules'
auto-publish settings.

Like every other table in the store these are append-only (migrations 0002 and 0006 install
the same triggers): a user's current state is their latest row (a new password or role is a
new row; ``active=False`` signs them out for good), a story's publish time is the latest row
for that story, a rule's auto-publish setting is its latest row (else what ``rules/*.yaml``
says).

User names are unique regardless of case: ``ED`` cannot be added beside ``ed``, and
``user("ED")`` finds ``ed`` (an exact spelling wins in a store that already holds both).

Sessions are kept here, not only in the cookie: signing in adds a ``web_sessions`` row (the
SHA-256 of a random id that only the cookie carries) naming the user's row at that moment;
signing out adds a ``web_session_ends`` row. A session counts while it has no end, is younger
than the app's session length, and its user row is still the user's latest (a new password,
a new role or a disabled account makes a newer row, and so ends every session of that user).

    desk = ReviewRecords(store)
    desk.add_user("alice", "editor", password_hash, by="cli")
    desk.user("alice")                      # the latest row, or None
    sid = desk.start_session(desk.user("alice"))     # the cookie's secret
    desk.session_user(sid, max_age=12 * 3600)        # the user row, or None once ended
    desk.end_session(sid)                            # signed out: the id is refused from now on
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, Integer,
                        String, Text, func, select, text)
from sqlalchemy.orm import Mapped, Session, mapped_column

from writer.store.base import Base

ROLES = ("editor", "chief")
REVIEW_TABLES = ("users", "publish_times", "rule_settings")
SESSION_TABLES = ("web_sessions", "web_session_ends")
_USERS_LOCK = 0x5752_5553  # "WRUS": serialises adding users on PostgreSQL (names unique by case)


class UserExists(ValueError):
    """The name is taken by another spelling of it (``ED`` beside ``ed``)."""


def name_key(username: str) -> str:
    """What makes two user names the same name: case (Unicode case folding) is ignored."""
    return username.casefold()


def session_digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


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


class WebSession(Base):
    """A sign-in: who, as which state of their account, when. Only the SHA-256 of the
    session's id is kept; the id itself is in the (signed) cookie alone."""

    __tablename__ = "web_sessions"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    user_seq: Mapped[int] = mapped_column(ForeignKey("users.seq"))
    started_at: Mapped[datetime]

    def __repr__(self) -> str:  # never the digest
        return f"<WebSession #{self.seq} {self.username}>"


class WebSessionEnd(Base):
    """The end of a session (signed out): from ``ended_at`` its cookie is refused."""

    __tablename__ = "web_session_ends"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_seq: Mapped[int] = mapped_column(ForeignKey("web_sessions.seq"), unique=True)
    reason: Mapped[str] = mapped_column(String(32))
    ended_at: Mapped[datetime]


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
        """Append a state of ``username``: a new user, or a new password, role or status.

        Raises :class:`UserExists` when another spelling of the name (differing in case
        only) is already a user: change that user under its own spelling."""
        if role not in ROLES:
            raise ValueError(f"role {role!r}: expected one of {', '.join(ROLES)}")
        if not username or not by:
            raise ValueError("a user row needs a username and who made it")
        row = User(username=username, role=role, password_hash=password_hash, active=active,
                   created_by=by, created_at=_now())
        with self.store.transaction() as s:
            if s.get_bind().dialect.name == "postgresql":  # SQLite: writers are serialised already
                s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _USERS_LOCK})
            key = name_key(username)
            others = sorted({n for n in s.scalars(select(User.username).distinct())
                             if n != username and name_key(n) == key})
            if others:
                raise UserExists(f"user name {username!r} is taken: {others[0]!r} differs only in case")
            s.add(row)
            s.flush()
        return row

    def user(self, username: str) -> User | None:
        """The latest row of ``username``, its case ignored (an exact spelling first)."""
        with self._read() as s:
            row = s.scalars(select(User).where(User.username == username)
                            .order_by(User.seq.desc()).limit(1)).first()
            if row is not None or not username:
                return row
            key = name_key(username)
            names = sorted(n for n in s.scalars(select(User.username).distinct()) if name_key(n) == key)
            if not names:
                return None
            return s.scalars(select(User).where(User.username == names[0])
                             .order_by(User.seq.desc()).limit(1)).first()

    # -- sessions -------------------------------------------------------------------------
    def start_session(self, user: User) -> str:
        """A new session for ``user`` (a stored row, the latest of that user); returns the
        session's id, for the cookie only (the store keeps its SHA-256)."""
        session_id = secrets.token_urlsafe(32)
        with self.store.transaction() as s:
            s.add(WebSession(session_hash=session_digest(session_id), username=user.username,
                             user_seq=user.seq, started_at=_now()))
            s.flush()
        return session_id

    def session_user(self, session_id: str | None, *, max_age: float | None = None) -> User | None:
        """The user row of a live session: None when the id is unknown, the session ended,
        is older than ``max_age`` seconds, or the user has changed (a newer row: password,
        role, disabled) or is disabled."""
        if not session_id or not isinstance(session_id, str):
            return None
        with self._read() as s:
            found = s.execute(
                select(WebSession, WebSessionEnd.seq)
                .outerjoin(WebSessionEnd, WebSessionEnd.session_seq == WebSession.seq)
                .where(WebSession.session_hash == session_digest(session_id))).first()
            if found is None or found[1] is not None:
                return None
            session = found[0]
            if max_age is not None and session.started_at < _now() - timedelta(seconds=max_age):
                return None
            latest = s.scalars(select(User).where(User.username == session.username)
                               .order_by(User.seq.desc()).limit(1)).first()
        if latest is None or latest.seq != session.user_seq or not latest.active:
            return None
        return latest

    def end_session(self, session_id: str | None, reason: str = "signed out") -> bool:
        """End a session (its id is refused from now on); False if it was unknown or over."""
        if not session_id or not isinstance(session_id, str):
            return False
        with self.store.transaction() as s:
            found = s.execute(
                select(WebSession.seq, WebSessionEnd.seq)
                .outerjoin(WebSessionEnd, WebSessionEnd.session_seq == WebSession.seq)
                .where(WebSession.session_hash == session_digest(session_id))).first()
            if found is None or found[1] is not None:
                return False
            s.add(WebSessionEnd(session_seq=found[0], reason=reason[:32], ended_at=_now()))
            s.flush()
        return True

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
