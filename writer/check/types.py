"""The gate's records: verdicts, failures, and what a sentence is read into."""

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
class Verdict:
    """What the gate found in one text: whether it passes, every failure, and how many
    things were checked."""

    ok: bool
    failures: tuple[Failure, ...]
    claims: int


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


@dataclass(slots=True)
class Verb:
    start: int
    end: int
    word: str


@dataclass(frozen=True, slots=True)
class Skeleton:
    """A sentence as the gate reads it: its words in lower case, single-spaced, with each
    item a placeholder of its kind and index ("⟨P0⟩ has taken control of ⟨C1⟩ from ⟨P2⟩,
    winning ⟨N3⟩ of the ⟨N4⟩ seats"). Claims (:mod:`writer.check.claims`) and number roles
    (:mod:`writer.check.numbers`) are read from it alone, so a night's few dozen phrasings
    are read once."""

    text: str
    spans: tuple[tuple[int, int], ...]  # where each item's placeholder is in ``text``
    kinds: tuple[str, ...]  # each item's kind: P, C, W, N or O
    no_control: tuple[bool, ...]  # whether each item is the party "no overall control"
    units: tuple[str | None, ...]  # each number's unit as the matcher read it (see checker.unit_key)


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    items: list[Item] = field(default_factory=list)
    verbs: list[Verb] = field(default_factory=list)
    skeleton: Skeleton | None = None


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the reader found in one paragraph (offsets relative to it): the entities the
    EntityRuler matched (parties, councils, wards), the figures and number words with the
    unit read after them, the claim verbs, and where each sentence starts."""

    entities: tuple[tuple[int, int], ...]
    figures: tuple[tuple[int, int, str, str | None], ...]  # start, end, text, kind
    verbs: tuple[tuple[int, int, str], ...]  # start, end, the verb in lower case
    sentences: tuple[int, ...]  # sentence start offsets


_INT = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_DEC = re.compile(r"(\d+)\.(\d+)")


@lru_cache(maxsize=4096)
def parse_number(text: str) -> tuple[float | int | None, int, bool]:
    """(value, decimals, signed) of a number as written: "41", "1,156", "35.4", "+16",
    "eight" (remembered: copy writes the same few figures again and again)."""
    plain = text.replace("\u2212", "-")
    signed = plain[:1] in "+-"
    body = plain[1:] if signed else plain
    negative = plain[:1] == "-"
    low = body.lower()
    if low in NUMBER_WORDS:
        value = NUMBER_WORDS[low]
        return (-value if negative else value), 0, signed
    if _INT.fullmatch(body) and body.isascii():
        value = int(body.replace(",", ""))
        return (-value if negative else value), 0, signed
    decimal = _DEC.fullmatch(body)
    if decimal and body.isascii():
        value = float(body)
        return (-value if negative else value), len(decimal.group(2)), signed
    return None, 0, signed


def same(figure: float, value: Any, decimals: int = 0) -> bool:
    """Whether a figure as written matches a value, rounded as house style rounds (one
    decimal place; more only where the text gives more)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if float(value) == float(figure):
        return True  # (most figures are the value itself: no need to round)
    places = max(1, decimals)
    return round(float(value), places) == round(float(figure), places)


def fmt(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    if isinstance(value, (int, float)):
        return str(int(value))
    return str(value)


def alts(values) -> str:
    """"16 or 22" from values (deduplicated, in order)."""
    out = []
    for value in values:
        written = fmt(value)
        if written not in out:
            out.append(written)
    return " or ".join(out) if out else "nothing"
