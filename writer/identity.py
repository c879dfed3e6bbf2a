"""Party identity: one party, one code, whatever a source calls it.

Sources name parties their own way: LEAP writes ``BPIP``, the Commons Library handbook
"Burnley & Padiham Independents Group", Open Council Data "Burnley and Padiham independent
Party" and ``PP6725``, Democracy Club ``party:53`` for Labour. If these reached the engine
as different codes, one party would "gain a seat from" itself and win its "first seat"
while it already held five. So every code is resolved to one canonical code *where data
comes in* (the election-directory loader, the HTTP API, the feed poller, the importers),
and everything downstream compares plain codes.

Two tables do it:

- :class:`PartyRegistry`, ``rules/party-registry.yaml``: data an editor maintains. Each
  entry is one party: its ``code`` (``Lab``, or ``Other (Display Name)``), and the
  ``names``, ``leap`` codes and ``ids`` sources use for it. Validated when loaded.
- :class:`PartyIdentity`, one per night: the registry plus the names seen so far that
  night, so that two spellings of a party the registry does not know still become one
  (the first spelling met, in the loader's fixed file order, is the one kept).

Resolving a code: a core code (``Lab``, ``Ind``, ``Other``, ...) stays; else the registry
(by code, name, LEAP code or id, names compared with :func:`writer.parties.party_key`);
else a name seen earlier the same night with the same key; else the code itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

from writer import yamltext
from writer import parties, resources
from writer.errors import InputError, Problem, yaml_problem
from writer.model import Declaration, WardDeclaration

REGISTRY_FILE = "party-registry.yaml"
ENTRY_KEYS = ("code", "names", "leap", "ids")
#: Codes a registry entry may give a party: the named parties, the groups a candidate stands
#: for, or ``Other (Name)``. ``Other`` and ``Vacant`` are not parties.
ENTRY_CODES = parties.NAMED_PARTIES | parties.CANDIDATE_GROUPS


@dataclass(frozen=True)
class RegisteredParty:
    """One entry of the registry."""

    code: str
    names: tuple[str, ...] = ()
    leap: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        """How copy names a smaller party (``Other (X)`` is X); core codes are named by
        ``rules/parties.yaml``."""
        return parties.other_name(self.code) if parties.is_named_other(self.code) else self.code


@dataclass(frozen=True)
class PartyRegistry:
    """Every name, LEAP code and id a source uses, to the one party it stands for."""

    parties: tuple[RegisteredParty, ...] = ()
    source: str = REGISTRY_FILE
    by_key: dict[str, str] = field(default_factory=dict, repr=False)  # party_key(name) -> code
    by_leap: dict[str, str] = field(default_factory=dict, repr=False)
    by_id: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, entries: Iterable[RegisteredParty], source: str = REGISTRY_FILE) -> "PartyRegistry":
        """A registry of checked entries (see :func:`check_entries`; later entries never
        take a key, code or id an earlier one holds)."""
        entries = tuple(entries)
        by_key: dict[str, str] = {}
        by_leap: dict[str, str] = {}
        by_id: dict[str, str] = {}
        for e in entries:
            for name in (e.display_name, *e.names):
                by_key.setdefault(parties.party_key(name), e.code)
            for code in e.leap:
                by_leap.setdefault(code, e.code)
            for ident in e.ids:
                by_id.setdefault(_id_key(ident), e.code)
        return cls(entries, source, by_key, by_leap, by_id)

    @classmethod
    def load(cls, path: str | Path) -> "PartyRegistry":
        """Read and check the registry, or raise :class:`InputError` listing every problem
        (file, line, entry and what was expected)."""
        return _load(Path(path))

    # -- lookups ------------------------------------------------------------------------------
    def for_name(self, name: str) -> str | None:
        """The party a name stands for ("Labour Party", "The Walton Society")."""
        key = parties.party_key(name)
        return self.by_key.get(key) if key else None

    def for_leap(self, code: str) -> str | None:
        """The party a LEAP code stands for (``C``, ``BPIP``)."""
        return self.by_leap.get(code.strip())

    def for_id(self, ident: str) -> str | None:
        """The party a Democracy Club or Electoral Commission id stands for."""
        return self.by_id.get(_id_key(ident))

    def for_code(self, code: str) -> str | None:
        """The registered party a writer code stands for: a core code is itself; ``Other
        (LEAP code X)`` is looked up by LEAP code, ``Other (PP53)`` by id, any other
        ``Other (Name)`` by name, and a name that reads as a code (``Other (WiganIC)``, a
        source that dropped "LEAP code") by LEAP code too. None when the registry does not
        know it."""
        if code in parties.CORE_CODES:
            return code
        if not parties.is_named_other(code):
            return None
        inner = parties.other_name(code)
        leap = parties.leap_code_of(inner)
        if leap is not None:
            return self.for_leap(leap)
        found = self.for_id(inner) or self.for_name(inner)
        if found is None and parties.looks_like_code(inner):
            found = self.for_leap(inner)
        return found



def _id_key(ident: str) -> str:
    """Ids compared without surrounding space and case (``PP53`` ~ ``pp53``)."""
    return ident.strip().casefold()


# -- one night ---------------------------------------------------------------------------------
class PartyIdentity:
    """The night's table: the registry, plus each name first seen tonight by its key.

    :meth:`resolve` learns as it goes (a name not seen before becomes the canonical spelling
    of its key), so the loader resolves files in a fixed order and the same directory always
    gives the same codes; declarations arriving later (the HTTP API, a feed) resolve against
    the same table, and a restarted process is taught again from the stored declarations
    (:meth:`learn`). Where each unresolved code was met is kept for ``writer rules check``."""

    def __init__(self, registry: PartyRegistry | None = None) -> None:
        self.registry = registry or PartyRegistry()
        self.seen: dict[str, str] = {}  # party_key -> the code first met with that key
        self.unresolved: dict[str, list[str]] = {}  # code -> where it was met ("file:line")
        self._lock = threading.Lock()

    def resolve(self, code: str, where: str | None = None) -> str:
        """The canonical code for ``code`` (see the module's docstring). ``where``
        ("baseline/wards.csv:1234") is kept for codes that stay unresolved."""
        if code in parties.CORE_CODES:
            return code
        found = self.registry.for_code(code)
        if found is None and parties.is_named_other(code):
            key = parties.party_key(code)
            with self._lock:
                found = self.seen.setdefault(key, code) if key else code
        found = found or code
        if where is not None and parties.is_unresolved(found):
            with self._lock:
                self.unresolved.setdefault(found, []).append(where)
        return found

    def canonical(self, code: str) -> str:
        """What :meth:`resolve` would give, learning nothing (for comparing a published
        answer, say, with the night's codes)."""
        if code in parties.CORE_CODES:
            return code
        found = self.registry.for_code(code)
        if found is None and parties.is_named_other(code):
            found = self.seen.get(parties.party_key(code))
        return found or code

    def known(self, name: str) -> str | None:
        """The code of a party called ``name`` that the registry or the night knows, or None
        (a results feed names parties by name: it must be one the writer can place)."""
        found = self.registry.for_name(name)
        if found is None:
            key = parties.party_key(name)
            found = self.seen.get(key) if key else None
        return found

    def resolve_seats(self, seats: dict[str, int]) -> dict[str, int]:
        """A seat list with every party resolved; two spellings of one party in the list
        are added together (they are the same party's seats)."""
        out: dict[str, int] = {}
        for party, n in seats.items():
            code = self.resolve(party)
            out[code] = out.get(code, 0) + n
        return out

    def learn(self, codes: Iterable[str]) -> None:
        """Resolve ``codes`` for what they teach (a restarted process re-reading stored
        declarations: their codes were resolved when they came in)."""
        for code in codes:
            self.resolve(code)

    def where(self) -> list[tuple[str, list[str]]]:
        """Every unresolved code with the places it was met, in a stable order."""
        return sorted(self.unresolved.items(), key=lambda kv: (kv[1][0] if kv[1] else "", kv[0]))


def resolve_declaration(decl: Declaration, identity: PartyIdentity | None) -> Declaration:
    """``decl`` with every party code resolved through the night's table (a declaration that
    came over the HTTP API): candidates' parties, seats won and the make-up afterwards. The
    same declaration when nothing changes, so its digest (repeat or correction) is unchanged."""
    if identity is None:
        return decl
    if isinstance(decl, WardDeclaration):
        resolved = [identity.resolve(c.party) for c in decl.candidates]
        candidates = tuple(c if code == c.party else replace(c, party=code)
                           for c, code in zip(decl.candidates, resolved))
        return decl if candidates == decl.candidates else replace(decl, candidates=candidates)
    won, after = identity.resolve_seats(decl.seats_won), identity.resolve_seats(decl.composition_after)
    if won == decl.seats_won and after == decl.composition_after:
        return decl
    return replace(decl, seats_won=won, composition_after=after)


def declaration_parties(decl: Declaration) -> list[str]:
    """Every party code a declaration names (what a restarted process learns from it)."""
    if isinstance(decl, WardDeclaration):
        return [c.party for c in decl.candidates]
    return list(decl.seats_won) + list(decl.composition_after)


# -- loading and checking ------------------------------------------------------------------------
def _load(path: Path) -> PartyRegistry:
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(name, None, None, f"cannot be read ({exc.strerror or exc}); expected the "
                                  "party registry (rules/party-registry.yaml)")], f"no party registry at {path}")
    try:
        text = raw.decode("utf-8-sig")
        root = yaml.compose(text)  # for each entry's line
        data = yamltext.safe_load(text)
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, raw[: exc.start].count(b"\n") + 1, None,
                                  "is not valid UTF-8; expected a UTF-8 YAML file")], f"bad party registry {path}")
    except yaml.YAMLError as exc:
        raise InputError([yaml_problem(name, exc)], f"bad party registry {path}")
    problems: list[Problem] = []
    if not isinstance(data, dict) or not isinstance(data.get("parties"), list):
        raise InputError([Problem(name, None, "parties", "expected a top-level 'parties:' list of entries "
                                  "(code, names, leap, ids)")], f"bad party registry {path}")
    extra = sorted(str(k) for k in data if k != "parties")
    if extra:
        problems.append(Problem(name, None, None, f"unknown keys {extra}; expected only 'parties'"))
    lines = _entry_lines(root)
    entries = check_entries(data["parties"], name, problems, lines)
    if problems:
        raise InputError(problems, f"invalid party registry {path}")
    return PartyRegistry.build(entries, name)


def _entry_lines(root) -> list[int | None]:
    """The line each entry of ``parties:`` starts on (YAML marks count from 0)."""
    try:
        for key, value in root.value:
            if key.value == "parties" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    except (AttributeError, TypeError, ValueError):
        pass
    return []


def check_entries(items: list, file: str, problems: list[Problem],
                  lines: list[int | None] = ()) -> list[RegisteredParty]:
    """Check each entry (its keys, its code, its lists) and that no name, LEAP code or id
    belongs to two parties; append a problem for each fault; return the entries that can be
    used."""
    out: list[RegisteredParty] = []
    claimed: dict[str, dict[str, tuple[str, str, str]]] = {"key": {}, "leap": {}, "id": {}}  # -> (code, where, as written)
    codes: dict[str, str] = {}
    for i, item in enumerate(items, start=1):
        line = lines[i - 1] if i - 1 < len(lines) else None
        code = item.get("code") if isinstance(item, dict) else None
        where = f"parties[{i}]" + (f" ({code})" if isinstance(code, str) else "")

        def bad(message: str, *, at: str = where) -> None:
            problems.append(Problem(file, line, at, message))

        entry = _entry(item, where, bad)
        if entry is None:
            continue
        if entry.code in codes:
            bad(f"code {entry.code!r} is already the code of {codes[entry.code]}; expected one entry per "
                "party (put every name, LEAP code and id of a party in its one entry)")
            continue
        codes[entry.code] = where
        ok = True
        for kind, values in (("key", (entry.display_name, *entry.names)), ("leap", entry.leap), ("id", entry.ids)):
            for value in values:
                k = parties.party_key(value) if kind == "key" else _id_key(value) if kind == "id" else value
                if kind == "key" and not k:
                    bad(f"name {value!r} has no letters or digits; expected a party's name")
                    ok = False
                    continue
                other = claimed[kind].get(k)
                if other is not None and other[0] != entry.code:
                    bad(_clash(kind, value, k, other))
                    ok = False
                elif other is None:
                    claimed[kind][k] = (entry.code, where, value)
        if ok:
            out.append(entry)
    return out


def _clash(kind: str, value: str, key: str, other: tuple[str, str, str]) -> str:
    _code, where, written = other
    if kind == "key":
        return (f"name {value!r} normalises to {key!r}, as {written!r} of {where} does; expected each name "
                "to belong to one party (merge the two entries if they are one party)")
    what = "LEAP code" if kind == "leap" else "id"
    return f"{what} {value!r} is already claimed by {where}; expected each {what} in one entry"


def _entry(item, where: str, bad) -> RegisteredParty | None:
    """One entry, checked; None (after reporting) when it cannot be used."""
    if not isinstance(item, dict):
        bad(f"is {item!r}; expected a mapping with code (and optionally names, leap, ids)")
        return None
    unknown = sorted(str(k) for k in item if k not in ENTRY_KEYS)
    if unknown:
        bad(f"unknown keys {unknown}; expected {', '.join(ENTRY_KEYS)}")
        return None
    code = item.get("code")
    if not isinstance(code, str) or not code.strip():
        bad(f"code is {code!r}; expected a writer party code: {', '.join(sorted(ENTRY_CODES))} or "
            "'Other (Display Name)'")
        return None
    if code not in ENTRY_CODES and not parties.is_named_other(code):
        bad(f"code {code!r} is not a party code; expected {', '.join(sorted(ENTRY_CODES))} or "
            "'Other (Display Name)' (Other and Vacant are not parties)")
        return None
    why = parties.unresolved_reason(code)
    if why is not None:
        bad(f"code {code!r} names the party by {why}; expected the name copy should print, "
            "with the source's code under leap or ids")
        return None
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("names", "leap", "ids"):
        values = item.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            bad(f"{key} is {values!r}; expected a list of non-empty text values (quote codes such as "
                "\"party:53\" or numbers)", at=f"{where}.{key}")
            return None
        lists[key] = tuple(" ".join(v.split()) for v in values)
    return RegisteredParty(code, lists["names"], lists["leap"], lists["ids"])


@lru_cache(maxsize=8)
def _cached(path: str, mtime_ns: int) -> PartyRegistry:
    return _load(Path(path))


def load_registry(path: str | Path) -> PartyRegistry:
    """:meth:`PartyRegistry.load`, remembered while the file is unchanged (every night, feed
    and import of a process reads the same registry)."""
    path = Path(path)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return _load(path)  # reports the file as missing
    return _cached(str(path.resolve()), mtime)


def default_registry(rules_dir: str | Path | None = None) -> PartyRegistry:
    """The registry of ``rules_dir`` (default: the writer's rules, or ``$WRITER_RULES``)."""
    return load_registry(Path(rules_dir or resources.rules_dir()) / REGISTRY_FILE)
