"""Shared test helpers: published answers (reference/expected.csv) for comparison, and
finding the PostgreSQL server that store tests run against."""

from __future__ import annotations

import csv
from contextlib import contextmanager
from pathlib import Path


def registry_with(entries: list[dict], directory: Path, *, rules: Path | None = None) -> Path:
    """A copy of the party registry (``rules/party-registry.yaml``) with ``entries`` added:
    ``{"code": ..., "ids": [...]}``; an entry whose code is already there has its lists
    extended. Written to ``directory/party-registry.yaml``; returns its path."""
    import yaml

    rules = rules or Path(__file__).resolve().parent.parent / "rules"
    data = yaml.safe_load((rules / "party-registry.yaml").read_text(encoding="utf-8"))
    by_code = {e["code"]: e for e in data["parties"]}
    for extra in entries:
        entry = by_code.get(extra["code"])
        if entry is None:
            data["parties"].append(dict(extra))
            continue
        for key, values in extra.items():
            if key != "code":
                entry[key] = list(entry.get(key) or []) + list(values)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "party-registry.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


#: Democracy Club-style ids for the demo night's invented parties (added to a registry copy).
DEMO_FEED_PARTIES = [{"code": "Res", "ids": ["party:9001"]},
                     {"code": "Other (Brackenfield First)", "ids": ["party:9002"]}]


def signed_seats(text: str) -> dict[str, int] | None:
    """``Con:-16;Lab:+16`` -> {"Con": -16, "Lab": 16}; empty -> None (not comparable)."""
    if not text:
        return None
    out = {}
    for pair in text.split(";"):
        party, n = pair.rsplit(":", 1)
        out[party] = int(n)
    return out


def as_the_night_names_them(night, change: dict[str, int] | None) -> dict[str, int] | None:
    """A published seat change with its parties named as the night names them. The reference
    writes parties as its sources did (``Other (LEAP code BPIP)`` beside ``Other (Burnley &
    Padiham Independents Group)``, one party); the night resolves each to one code."""
    if change is None:
        return None
    out: dict[str, int] = {}
    for party, n in change.items():
        code = night.parties.canonical(party)
        out[code] = out.get(code, 0) + n
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
