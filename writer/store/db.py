"""Opening the store: which database, how it is set up, and migrating it to head.

``open_store()`` uses ``WRITER_DATABASE_URL`` when it is set and otherwise a SQLite file,
``writer.db`` in the current directory (nothing to install). SQLite runs in WAL mode with
foreign keys on and a busy timeout; PostgreSQL is reached with psycopg
(``postgresql://user@host/db`` is read as ``postgresql+psycopg://``). Every open runs the
Alembic migrations in ``writer/store/migrations`` up to head.

When the database goes away (PostgreSQL restarted mid-night, a network blip) nothing needs
restarting: every connection is tested as it leaves the pool (``pool_pre_ping``) and replaced
when it is dead, and a connection attempt gives up after ``CONNECT_TIMEOUT`` seconds.
Whatever was in flight fails with an error that :func:`is_outage` recognises: the web app
answers it with 503 and ``Retry-After`` (:mod:`writer.web.outage`), the scheduler tries again
at its next run, and a client sending the same declaration again stores it once.

Several processes may share one PostgreSQL database (``writer serve`` behind a proxy):
:func:`advisory_xact_lock` serialises what must happen one at a time across them (ingest),
and :func:`exclusive` lets one of them at a time do a job (a publishing run), each lock
scoped to the store's schema.
"""

from __future__ import annotations

import hashlib
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url

from writer.settings import Settings
from writer.store.store import Store

DEFAULT_FILE = "writer.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000
_MIGRATION_LOCK = 0x5752_4954  # "WRIT": serialises concurrent migrations on PostgreSQL
CONNECT_TIMEOUT = 10  # seconds to wait for PostgreSQL to answer a new connection


def database_url(url: str | URL | None = None) -> URL:
    """The URL to use: ``url``, else ``WRITER_DATABASE_URL``, else ``writer.db`` here.
    A plain path (no ``://``) is a SQLite file."""
    if url is None:
        url = Settings.from_env().database_url
    if url is None:
        url = Path.cwd() / DEFAULT_FILE
    if isinstance(url, Path) or (isinstance(url, str) and "://" not in url):
        return URL.create("sqlite", database=str(Path(url).resolve()))
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u


def make_engine(url: str | URL | None = None, **kwargs) -> Engine:
    u = database_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database in (None, "", ":memory:"):
            raise ValueError("the store needs a SQLite file, not an in-memory database")
        engine = create_engine(u, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **kwargs)
        _sqlite_setup(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)  # a restarted server: dead connections are replaced
    if u.get_backend_name() == "postgresql" and "connect_timeout" not in u.query:
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", CONNECT_TIMEOUT)
    return create_engine(u, **kwargs)


# -- the database away ------------------------------------------------------------------------
_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "disk i/o error", "unable to open")


def _transient(err: BaseException) -> bool:
    try:
        import psycopg  # here: only PostgreSQL's errors need it, and it is slow to import
        if isinstance(err, (psycopg.OperationalError, psycopg.InterfaceError)):
            return True  # the server down, restarting, the connection lost, a lock not granted
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    if isinstance(err, sqlite3.OperationalError):
        return any(m in str(err).lower() for m in _SQLITE_TRANSIENT)
    return False


def is_outage(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) means the database cannot be used just now: the
    server is down or restarting, the connection was lost, the pool or a lock timed out.
    Trying again shortly is the answer; a constraint refused, a bad query, are not outages."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, sa_exc.TimeoutError):  # no connection free in the pool in time
            return True
        if isinstance(exc, sa_exc.DBAPIError):
            if exc.connection_invalidated:
                return True
            if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)) and _transient(exc.orig):
                return True
            return False  # the database answered: an integrity error, a trigger, a bad query
        if _transient(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


# -- one at a time, across processes -----------------------------------------------------------
_KEYS: "weakref.WeakKeyDictionary[Engine, dict[str, int]]" = weakref.WeakKeyDictionary()


def _lock_key(conn, name: str) -> int:
    """A PostgreSQL advisory lock key for ``name`` in the connection's schema (locks are
    database-wide; two stores in two schemas of one database must not share one)."""
    keys = _KEYS.setdefault(conn.engine, {})
    if name not in keys:
        schema = conn.execute(text("SELECT current_schema()")).scalar() or ""
        digest = hashlib.blake2b(f"writer:{schema}:{name}".encode(), digest_size=8).digest()
        keys[name] = int.from_bytes(digest, "big", signed=True)
    return keys[name]


def advisory_xact_lock(session, name: str) -> None:
    """Wait for the lock ``name`` and hold it until the session's transaction ends
    (PostgreSQL). On SQLite, a write transaction already holds the database's one write lock
    from its first statement (``sqlite_immediate``): nothing to do."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(conn, name)})


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[bool]:
    """Try to take the lock ``name`` for this store without waiting: yields True while this
    process holds it, False when another holds it. PostgreSQL: a session advisory lock (the
    server drops it if the process dies or the connection is lost); SQLite: an flock on
    ``<database>.<name>.lock`` beside the database file."""
    if engine.dialect.name == "postgresql":
        conn = engine.connect()
        key = None
        try:
            key = _lock_key(conn, name)
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            conn.commit()  # the lock is the session's: no transaction stays open while it is held
        except BaseException:
            conn.invalidate()
            conn.close()
            raise
        try:
            yield got
        finally:
            try:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
            except Exception:  # noqa: BLE001 - the connection is gone, and the lock with it
                conn.invalidate()
            finally:
                conn.close()
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: one process per SQLite file
        fcntl = None
    if not database or fcntl is None:
        yield True
        return
    with open(f"{database}.{name}.lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sqlite_setup(engine: Engine) -> None:
    """WAL, foreign keys, busy timeout; and transactions that really begin when SQLAlchemy
    begins one (pysqlite's own handling defers BEGIN to the first write), so reads and
    writes in one ``Store.transaction()`` see one snapshot and commit or roll back together.
    A connection with the execution option ``sqlite_immediate`` takes the write lock at
    BEGIN, so a writer waits (busy timeout) instead of failing on a lock upgrade."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a process crash loses nothing
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` on ``engine``'s database, in one transaction.

    On SQLite, foreign keys are off while they run: a migration that builds a table again
    drops the old one, which the tables referring to it must survive (SQLite's documented
    way to change a table's schema). Where a migration ran, they are checked before the
    transaction commits; they are turned on again after."""
    from alembic import command
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # outside any transaction: SQLite ignores this pragma inside one
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
                before = MigrationContext.configure(conn).get_current_revision() if sqlite else None
                command.upgrade(alembic_config(conn), revision)
                if sqlite and MigrationContext.configure(conn).get_current_revision() != before:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migrating left rows that refer to missing rows: {broken[:5]}")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def open_store(url: str | URL | None = None, *, migrate_to: str = "head"):
    """The store at ``url`` (else ``WRITER_DATABASE_URL``, else ``./writer.db``), migrated."""

    engine = make_engine(url)
    try:
        migrate(engine, migrate_to)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)
