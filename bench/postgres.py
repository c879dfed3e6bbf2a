"""The PostgreSQL server the tests and benchmarks run against, and fresh schemas on it.

    url, why_not = find_postgres()          # WRITER_TEST_DATABASE_URL, else 127.0.0.1:5432/test
    with fresh_schema(url, "writer_bench") as store_url:
        ...                                 # an empty schema, dropped afterwards

``tests/helpers.py`` wraps these for pytest (skipping, with the reason, when no server can be
reached); ``bench/night.py`` uses them directly.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

PG_CANDIDATES = ("postgresql+psycopg://postgres@127.0.0.1:5432/test",
                 "postgresql+psycopg://root@127.0.0.1:5432/test")


def find_postgres() -> tuple[str | None, str]:
    """A reachable PostgreSQL URL, or None and why not."""
    try:
        import psycopg
    except ImportError:
        return None, "psycopg is not installed (pip install 'psycopg[binary]')"
    from writer.store import database_url
    override = os.environ.get("WRITER_TEST_DATABASE_URL")
    reasons = []
    for url in ((override,) if override else PG_CANDIDATES):
        u = database_url(url)
        try:
            psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                            dbname=u.database, connect_timeout=3).close()
            return url, ""
        except Exception as exc:  # noqa: BLE001 - any failure means: not reachable
            reasons.append(f"{u.render_as_string(hide_password=True)}: {str(exc).strip().splitlines()[0]}")
    return None, "PostgreSQL cannot be reached (" + "; ".join(reasons) + ")"


@contextmanager
def fresh_schema(server: str, prefix: str = "writer_test"):
    """A URL to a fresh, empty schema on ``server``, dropped afterwards."""
    import psycopg

    from writer.store import database_url
    u = database_url(server)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conninfo = dict(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                    dbname=u.database, autocommit=True, connect_timeout=5)
    with psycopg.connect(**conninfo) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in server else "?"
    try:
        yield f"{server}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(**conninfo) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
