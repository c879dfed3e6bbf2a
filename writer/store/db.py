"""Opening the store: which database, how it is set up, and migrating it to head.

``open_store()`` uses ``WRITER_DATABASE_URL`` when it is set and otherwise a SQLite file,
``writer.db`` in the current directory (nothing to install). SQLite runs in WAL mode with
foreign keys on and a busy timeout; PostgreSQL is reached with psycopg
(``postgresql://user@host/db`` is read as ``postgresql+psycopg://``). Every open runs the
Alembic migrations in ``writer/store/migrations`` up to head.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

ENV = "WRITER_DATABASE_URL"
DEFAULT_FILE = "writer.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000
_MIGRATION_LOCK = 0x5752_4954  # "WRIT": serialises concurrent migrations on PostgreSQL


def database_url(url: str | URL | None = None) -> URL:
    """The URL to use: ``url``, else ``WRITER_DATABASE_URL``, else ``writer.db`` here.
    A plain path (no ``://``) is a SQLite file."""
    if url is None:
        url = os.environ.get(ENV) or None
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
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(u, **kwargs)


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
    from writer.store.store import Store

    engine = make_engine(url)
    try:
        migrate(engine, migrate_to)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)
