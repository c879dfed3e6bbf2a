"""Party codes, seat lists and the majority rule.

Codes follow the election-directory format: named parties (``Con``, ``Lab``, ``LD``,
``Green``, ``Reform``, ``UKIP`` and ``Other (Name)``) can control a council; the groups
``Ind``, ``Res``, ``Other`` and ``Vacant`` never can.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

NAMED_PARTIES = frozenset({"Con", "Lab", "LD", "Green", "Reform", "UKIP"})
GROUPS = frozenset({"Ind", "Res", "Other", "Vacant"})
#: Codes a candidate may stand under: compositions also allow ``Other`` and ``Vacant``.
CANDIDATE_GROUPS = frozenset({"Ind", "Res"})
NOC = "NOC"

_SEAT_PAIR = re.compile(r"^\s*(?P<party>[^:;]+?)\s*:\s*(?P<count>\S+)\s*$")

SeatList = dict[str, int]


@lru_cache(maxsize=4096)
def is_named_other(code: str) -> bool:
    """``Other (Aspire)`` and the like: a named smaller party. The name may hold balanced
    brackets itself (``Other (Community Campaign (Hart))``) but no seat-list separators."""
    if not (code.startswith("Other (") and code.endswith(")")):
        return False
    name = code[len("Other ("):-1]
    if not name.strip() or name != name.strip() or any(ch in name for ch in ":;") or len(name) > 100:
        return False
    if any(ord(ch) < 32 for ch in name):
        return False
    depth = 0
    for ch in name:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def is_party_code(code: str, *, in_composition: bool = False) -> bool:
    """Whether ``code`` is a valid party code for a candidate (or, with
    ``in_composition``, for a council composition or seat list)."""
    if code in NAMED_PARTIES or is_named_other(code):
        return True
    return code in (GROUPS if in_composition else CANDIDATE_GROUPS)


@lru_cache(maxsize=4096)
def can_control(code: str) -> bool:
    """Named parties can control a council; independents and groups never do."""
    return code in NAMED_PARTIES or is_named_other(code)


def party_code_help(*, in_composition: bool = False) -> str:
    codes = sorted(NAMED_PARTIES) + sorted(GROUPS if in_composition else CANDIDATE_GROUPS)
    return "one of " + ", ".join(codes) + " or 'Other (Name)'"


def parse_seat_list(text: str) -> SeatList:
    """Parse ``Con:22;Lab:41`` into ``{"Con": 22, "Lab": 41}``.

    Raises ``ValueError`` with a message saying what was expected. An empty string is
    an empty seat list. A party listed twice is an error (the file is ambiguous).
    """
    seats: SeatList = {}
    text = text.strip()
    if not text:
        return seats
    for pair in text.split(";"):
        if not pair.strip():
            continue
        m = _SEAT_PAIR.match(pair)
        if not m:
            raise ValueError(f"expected party:count pairs separated by ';', got {pair.strip()!r}")
        party, count = m.group("party"), m.group("count")
        if not is_party_code(party, in_composition=True):
            raise ValueError(f"unknown party code {party!r}: expected {party_code_help(in_composition=True)}")
        if not count.isdigit():
            raise ValueError(f"seat count for {party} must be a whole number >= 0, got {count!r}")
        if party in seats:
            raise ValueError(f"party {party} listed twice")
        seats[party] = int(count)
    return seats


def format_seat_list(seats: Mapping[str, int], *, signed: bool = False) -> str:
    """The inverse of :func:`parse_seat_list`, in a stable order (largest first)."""
    items = order_parties(seats)
    if signed:
        return ";".join(f"{p}:{seats[p]:+d}" for p in items)
    return ";".join(f"{p}:{seats[p]}" for p in items)


def order_parties(seats: Mapping[str, int]) -> list[str]:
    """Parties by seats (descending), then by code: the order tables and copy use."""
    return sorted(seats, key=lambda p: (-seats[p], p))


def majority_needed(total_seats: int) -> int:
    """Seats needed for a majority of the whole council: floor(total / 2) + 1."""
    return total_seats // 2 + 1


def control_of(composition: Mapping[str, int], total_seats: int) -> str:
    """The party with more than half of ALL seats, or ``NOC``."""
    needed = majority_needed(total_seats)
    for party, seats in composition.items():
        if seats >= needed and can_control(party):
            return party
    return NOC


def add_seats(*lists: Mapping[str, int]) -> SeatList:
    out: SeatList = {}
    for seats in lists:
        for party, n in seats.items():
            out[party] = out.get(party, 0) + n
    return out


def subtract_seats(a: Mapping[str, int], b: Mapping[str, int]) -> SeatList:
    """``a - b`` for every party in either (so a party that drops to zero shows), in a
    stable order: the same inputs give the same dict in every process, whatever the hash seed."""
    return {p: a.get(p, 0) - b.get(p, 0) for p in sorted(set(a) | set(b))}


def count_parties(parties: Iterable[str]) -> SeatList:
    out: SeatList = {}
    for p in parties:
        out[p] = out.get(p, 0) + 1
    return out
