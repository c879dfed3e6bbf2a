"""Shared test helpers: published answers (reference/expected.csv) for comparison, and
finding the PostgreSQL server that store tests run against."""

from __future__ import annotations

import csv
import os
from contextlib import contextmanager
from pathlib import Path


def signed_seats(text: str) -> dict[str, int] | None:
    """``Con:-16;Lab:+16`` -> {"Con": -16, "Lab": 16}; empty -> None (not comparable)."""
    if not text:
        return None
    out = {}
    for pair in text.split(";"):
        party, n = pair.rsplit(":", 1)
        out[party] = int(n)
    return out


def expected(night_dir: Path) -> dict[str, dict]:
    with open(night_dir / "reference" / "expected.csv", encoding="utf-8") as f:
        return {row["slug"]: row for row in csv.DictReader(f)}


PG_CANDIDATES = ("postgresql+psycopg://postgres@127.0.0.1:5432/test",
                 "postgresql+psycopg://root@127.0.0.1:5432/test")


def find_postgres() -> tuple[str | None, str]:
    """A reachable PostgreSQL URL, or None and why not."""
    try:
        import psycopg
    except ImportError:
        return None, "psycopg is not installed (pip install 'psycopg[binary]')"
    override = os.environ.get("WRITER_TEST_DATABASE_URL")
    reasons = []
    for url in ((override,) if override else PG_CANDIDATES):
        from writer.store import database_url
        u = database_url(url)
        try:
            psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                            dbname=u.database, connect_timeout=3).close()
            return url, ""
        except Exception as exc:  # noqa: BLE001 - any failure means: not reachable
            reasons.append(f"{u.render_as_string(hide_password=True)}: {str(exc).strip().splitlines()[0]}")
    return None, "PostgreSQL cannot be reached (" + "; ".join(reasons) + ")"


@contextmanager
def postgres_schema(prefix: str = "writer_test"):
    """A URL to a fresh, empty schema on the PostgreSQL server (dropped afterwards); skips
    the test, with the reason, when no server can be reached."""
    import uuid

    import pytest

    server, reason = find_postgres()
    if server is None:
        pytest.skip(reason)
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
