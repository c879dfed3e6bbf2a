"""Shared test helpers: published answers (reference/expected.csv) for comparison, and
finding the PostgreSQL server that store tests run against."""

from __future__ import annotations

import csv
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


from bench.postgres import find_postgres, fresh_schema  # noqa: E402  (one place for tests and benchmarks)


@contextmanager
def postgres_schema(prefix: str = "writer_test"):
    """A URL to a fresh, empty schema on the PostgreSQL server (dropped afterwards); skips
    the test, with the reason, when no server can be reached."""
    import pytest

    server, reason = find_postgres()
    if server is None:
        pytest.skip(reason)
    with fresh_schema(server, prefix) as url:
        yield url
