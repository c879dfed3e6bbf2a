"""The gate's records: results, failures, and what a sentence is read into."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from writer.check.lexicon import NUMBER_WORDS


@dataclass(frozen=True)
class Failure:
    start: int  # offsets into the checked text
    end: int
    text: str
    reason: str


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    failures: tuple[Failure, ...]
    claims: int  # how many things were checked


@dataclass(slots=True)
class Item:
    """A party, council or ward named, or a number, in the checked text."""

    kind: str  # P (party), C (council), W (ward), N (number), O (ordinal)
    start: int
    end: int
    text: str
    ids: frozenset = frozenset()  # party codes / council slugs / ward keys
    value: Any = None
    decimals: int = 0
    signed: bool = False
    unit: str | None = None  # "%", "points" or "time" when read with the number
    role_unit: str | None = None  # the unit the number was checked as
    role_cue: str | None = None  # and the cue read before it


@dataclass(slots=True)
class Verb:
    start: int
    end: int
    word: str


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    items: list[Item] = field(default_factory=list)
    verbs: list[Verb] = field(default_factory=list)
    skel: str = ""
    phs: list[tuple[int, int]] = field(default_factory=list)  # skeleton span of each item
    kinds: tuple = ()  # each item's kind
    noc: tuple = ()  # whether each item names no overall control


_INT = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_DEC = re.compile(r"(\d+)\.(\d+)")


@lru_cache(maxsize=4096)
def parse_number(text: str) -> tuple[float | int | None, int, bool]:
    """(value, decimals, signed) of a number as written: "41", "1,156", "35.4", "+16",
    "eight" (remembered: copy writes the same few figures again and again)."""
    t = text.replace("\u2212", "-")
    signed = t[:1] in "+-"
    body = t[1:] if signed else t
    negative = t[:1] == "-"
    low = body.lower()
    if low in NUMBER_WORDS:
        v = NUMBER_WORDS[low]
        return (-v if negative else v), 0, signed
    if _INT.fullmatch(body) and body.isascii():
        v = int(body.replace(",", ""))
        return (-v if negative else v), 0, signed
    m = _DEC.fullmatch(body)
    if m and body.isascii():
        v = float(body)
        return (-v if negative else v), len(m.group(2)), signed
    return None, 0, signed


def same(n: float, v: Any, decimals: int = 0) -> bool:
    """Whether a figure as written matches a value, rounded as house style rounds (one
    decimal place; more only where the text gives more)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    if float(v) == float(n):
        return True  # (most figures are the value itself: no need to round)
    places = max(1, decimals)
    return round(float(v), places) == round(float(n), places)


def fmt(v: Any) -> str:
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.1f}"
    if isinstance(v, (int, float)):
        return str(int(v))
    return str(v)


def alts(values) -> str:
    """"16 or 22" from values (deduplicated, in order)."""
    out = []
    for v in values:
        s = fmt(v)
        if s not in out:
            out.append(s)
    return " or ".join(out) if out else "nothing"
