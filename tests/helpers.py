"""Reading published answers (reference/expected.csv) for comparison."""

from __future__ import annotations

import csv
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
