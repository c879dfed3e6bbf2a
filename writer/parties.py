"""Party codes, seat lists, the majority rule, and how party names are compared.

Codes follow the election-directory format: named parties (``Con``, ``Lab``, ``LD``,
``Green``, ``Reform``, ``UKIP`` and ``Other (Name)``) can control a council; the groups
``Ind``, ``Res``, ``Other`` and ``Vacant`` never can.

Sources spell one party many ways ("Burnley and Padiham independent Party", "Burnley &
Padiham Independents Group"): :func:`party_key` is the one normaliser every comparison of
party names goes through, and :func:`unresolved_reason` tells a source's code ("LEAP code
PHF", "PP53", "WiganIC") from a party's name, so that copy never prints a code as a name.
How codes are resolved to one party per night is :mod:`writer.identity`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from writer.text import name_problem

NAMED_PARTIES = frozenset({"Con", "Lab", "LD", "Green", "Reform", "UKIP"})
GROUPS = frozenset({"Ind", "Res", "Other", "Vacant"})
#: Codes a candidate may stand under: compositions also allow ``Other`` and ``Vacant``.
CANDIDATE_GROUPS = frozenset({"Ind", "Res"})
NOC = "NOC"
#: Every code that is not ``Other (Name)``: these stay as they are when codes are resolved.
CORE_CODES = NAMED_PARTIES | GROUPS

_SEAT_PAIR = re.compile(r"^\s*(?P<party>[^:;]+?)\s*:\s*(?P<count>\S+)\s*$")

SeatList = dict[str, int]


@lru_cache(maxsize=4096)
def party_name_problem(code: str) -> str | None:
    """Why the name inside ``Other (Name)`` is not plain text, or None. A party's name
    reaches copy, the review app, the feeds and the CMS like a candidate's or a ward's, and
    the same rule applies (:func:`writer.text.name_problem`): no control characters
    (C0, DEL, C1), no invisible or text-direction characters (RIGHT-TO-LEFT OVERRIDE, bidi
    isolates, zero-width joiners, U+2028), no word mixing Latin with Cyrillic or Greek
    look-alike letters. Every way in refuses such a party with this message."""
    if not (code.startswith("Other (") and code.endswith(")")):
        return None
    name = code[len("Other ("):-1]
    if any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in name):
        return "contains control characters; expected plain text"
    return name_problem(name)


@lru_cache(maxsize=4096)
def is_named_other(code: str) -> bool:
    """``Other (Aspire)`` and the like: a named smaller party. The name may hold balanced
    brackets itself (``Other (Community Campaign (Hart))``) but no seat-list separators,
    and must be plain text (:func:`party_name_problem`)."""
    if not (code.startswith("Other (") and code.endswith(")")):
        return False
    name = code[len("Other ("):-1]
    if not name.strip() or name != name.strip() or any(ch in name for ch in ":;") or len(name) > 100:
        return False
    if party_name_problem(code) is not None:
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
        why = party_name_problem(party)
        if why is not None:
            raise ValueError(f"party {party!r} {why}")
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


# -- comparing party names ---------------------------------------------------------------------
#: Words that say a name is a party, not which party: "Portsmouth Independent Party" is
#: "Portsmouth Independents", "People Against Bureaucracy Group" is "People Against Bureaucracy".
_NOISE_WORDS = frozenset({"party", "group"})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def _singular(word: str) -> str:
    """A plural folded to its singular, so that "Independents" ~ "Independent" and
    "Liberal Democrats" ~ "Liberal Democrat"; short words and "-ss" are left alone."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=8192)
def party_key(name: str) -> str:
    """The key two spellings of one party share: case, accents, a leading "the", "&" or
    "and", punctuation (apostrophes and brackets too), the words "Party" and "Group" and
    plurals are ignored. "The Walton Society" ~ "Walton Society"; "Burnley and Padiham
    independent Party" ~ "Burnley & Padiham Independents Group". Names that differ in a
    word stay apart: "Liberal Party" / "Liberal Democrats", "Independent" / "Independent
    Network". The wrapper of a code is ignored too: ``Other (Aspire)`` ~ "Aspire"."""
    text = other_name(name) if is_named_other(name) else name
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("\u2019", "").replace("'", "")
    words = _NON_WORD.sub(" ", text).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    kept = [w for w in words if w not in _NOISE_WORDS] or words  # "The Party" keeps its words
    return " ".join(_singular(w) for w in kept)


def other_name(code: str) -> str:
    """The name inside ``Other (Name)``: how copy names a smaller party."""
    return code[len("Other ("):-1]


# -- codes that are not names ------------------------------------------------------------------
_LEAP_CODE = re.compile(r"^LEAP code (?P<code>\S.*)$")
#: Democracy Club and Electoral Commission ids: party:53, joint-party:53-119, ynmp-party:2, PP53.
_PARTY_ID = re.compile(r"^(?:(?:joint-|ynmp-)?party:\d+(?:-\d+)*|PP\d+)$", re.IGNORECASE)
#: One word with a capital inside it after a small letter ("WiganIC") or before one ("CFirst",
#: "DPl"): how sources abbreviate a party, not how the party calls itself.
_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z][A-Z][a-z]")


def leap_code_of(name: str) -> str | None:
    """``X`` for the importer's ``LEAP code X`` (a LEAP code it could not name)."""
    m = _LEAP_CODE.match(name)
    return m.group("code") if m else None


def is_party_id(name: str) -> bool:
    """Whether ``name`` is a Democracy Club or Electoral Commission party id."""
    return bool(_PARTY_ID.match(name.strip()))


def looks_like_code(word: str) -> bool:
    """Whether ``word`` on its own reads as a source's code rather than a word: one token with
    a capital inside it (``WiganIC``, ``CFirst``) or a party id (``PP53``). LEAP codes that are
    words (``Mossley``, ``Justice``) do not: they are codes only after "LEAP code"."""
    return " " not in word and (bool(_CAMEL.search(word)) or is_party_id(word))


@lru_cache(maxsize=4096)
def unresolved_reason(code: str) -> str | None:
    """Why ``code`` is a source's code rather than a party's name, or None when it names a
    party. Codes are resolved through the registry when data comes in
    (:mod:`writer.identity`), so what is left is a code nobody could name:

    - ``Other (LEAP code X)``: a LEAP code the importer found in no registry;
    - ``Other (party:53)``, ``Other (PP53)``: a Democracy Club or Electoral Commission id;
    - ``Other (WiganIC)``: one word with a capital inside it (a heuristic: real parties'
      names are words; the registry refuses a display name that looks like this, so a
      registered party is never taken for a code).

    Copy calls such a party "a local party" and the review queue flags its stories."""
    if not is_named_other(code):
        return None
    name = other_name(code)
    if leap_code_of(name) is not None:
        return "a LEAP party code no registry entry names"
    if is_party_id(name):
        return "a party id no registry entry names"
    if " " not in name and _CAMEL.search(name):
        return "a source's abbreviation (one word with a capital inside it), not a party's name"
    return None


def is_unresolved(code: str) -> bool:
    return unresolved_reason(code) is not None


# -- the parties a story's evidence names --------------------------------------------------------
PARTY_DICTS = ("seats_won", "seat_change", "baseline_seats_won", "composition_after", "won",
               "baseline_holders", "holds", "shares", "share_change")
PARTY_FIELDS = ("winner", "loser", "control_before", "control_after", "largest_party",
                "settled_control", "baseline_control", "winning_party", "party")


def unresolved_parties(evidence) -> tuple[str, ...]:
    """The party codes in a story's evidence (fact dicts) that no source could name
    (:func:`writer.parties.unresolved_reason`): copy calls each "a local party", and the
    story needs an editor (the review queue flags it; it is never published unreviewed)."""
    codes: set[str] = set()
    for f in evidence or ():
        if hasattr(f, "get"):
            codes.update(c for c in party_codes_in(f) if is_unresolved(c))
    return tuple(sorted(codes))


def party_codes_in(f) -> set[str]:
    """Every party code a fact dict mentions."""
    out: set[str] = set()
    for key in PARTY_DICTS:
        d = f.get(key)
        if isinstance(d, dict):
            out.update(k for k in d if isinstance(k, str))
    for key in PARTY_FIELDS:
        v = f.get(key)
        if isinstance(v, str):
            out.add(v)
    for key in ("biggest_gain", "biggest_loss", "biggest_rise", "biggest_fall"):
        v = f.get(key)
        if isinstance(v, dict) and isinstance(v.get("party"), str):
            out.add(v["party"])
    for w in f.get("winners") or ():
        if isinstance(w, dict) and isinstance(w.get("party"), str):
            out.add(w["party"])
    for g in f.get("gains") or ():
        if isinstance(g, dict):
            out.update(v for v in (g.get("party"), g.get("from")) if isinstance(v, str))
    out.update(p for p in (f.get("first_seat") or ()) if isinstance(p, str))
    for c in f.get("context") or ():
        if isinstance(c, dict) and isinstance(c.get("values"), dict):
            out.update(k for k in c["values"] if isinstance(k, str))
    return out
