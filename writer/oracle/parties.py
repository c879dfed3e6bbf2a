"""Party identity for the oracle: which spellings are one party, and how copy names it.

Sources name smaller parties inconsistently ("Burnley & Padiham Independents Group",
"Burnley and Padiham independent Party", "Other (LEAP code BPIP)"). Two spellings of one
party must count as one party, or a renamed column becomes a false gain and a false "first
seat". This module is the oracle's own: it does not use the writer's party code, so a fault
there cannot hide here.

- ``party_key(name)`` is a small normaliser: case, a leading "the", "&"/"and", punctuation,
  the words "Party"/"Group", and plurals.
- ``rules/party-registry.yaml``, when present (``parties:`` entries ``{code, names?, leap?,
  ids?}``), says which names and LEAP codes belong to which writer code.
- A LEAP code the registry does not know is matched, within its own council, to a named
  party whose initials spell it ("BPIP": Burnley and Padiham Independent Party). A code that
  still matches nothing stays a party of its own, and copy that prints it is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

NAMED = ("Con", "Lab", "LD", "Green", "Reform", "UKIP")
GROUPS = ("Ind", "Res", "Other", "Vacant")
NOC = "NOC"
LEAP_PREFIX = "LEAP code "
_OTHER = re.compile(r"^Other \((?P<name>.+)\)$")
_LINKING = {"and", "of", "the", "for", "in", "on", "a", "&"}


def other_name(code: str) -> str | None:
    """``Aspire`` from ``Other (Aspire)``; None for any other code."""
    m = _OTHER.match(code.strip())
    return m.group("name").strip() if m else None


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def party_key(name: str) -> str:
    """A spelling-proof key for a party name: "The Walton Society" and "Walton Society",
    "Portsmouth Independents" and "Portsmouth Independent Party" give the same key."""
    text = name.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"'s\b", "s", text)
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    words = text.split()
    if words and words[0] == "the":
        words = words[1:]
    words = [_singular(w) for w in words if w not in ("party", "group")]
    return " ".join(words)


def initials(name: str) -> str:
    """"bpip" for "Burnley and Padiham Independent Party": the first letters of its words,
    linking words left out."""
    words = re.sub(r"[^A-Za-z0-9 ]+", " ", name.replace("&", " and ")).split()
    return "".join(w[0] for w in words if w.lower() not in _LINKING).lower()


def can_control(code: str) -> bool:
    """Named parties (and named smaller parties) can control a council; groups never do."""
    return code in NAMED or code.startswith("Other:")


@dataclass
class Registry:
    """``rules/party-registry.yaml``: names and LEAP codes of each writer code."""

    by_key: dict[str, str] = field(default_factory=dict)  # party_key(name) -> writer code
    by_leap: dict[str, str] = field(default_factory=dict)  # LEAP code (lower) -> writer code
    codes: list[str] = field(default_factory=list)  # every writer code the registry names

    @classmethod
    def load(cls, path: Path | None) -> "Registry":
        reg = cls()
        if path is None or not Path(path).exists():
            return reg
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for entry in data.get("parties") or []:
            code = str(entry.get("code", "")).strip()
            if not code:
                continue
            reg.codes.append(code)
            names = list(entry.get("names") or [])
            own = other_name(code)
            if own:
                names.append(own)
            for name in names:
                reg.by_key.setdefault(party_key(str(name)), code)
            for leap in entry.get("leap") or []:
                reg.by_leap.setdefault(str(leap).strip().lower(), code)
        return reg


class Parties:
    """Canonical party ids and every printed name of each.

    A canonical id is a writer code for the main parties and groups (``Lab``, ``Ind``,
    ``Other``, ``Vacant``) and ``Other:<key>`` for a named smaller party, where ``key`` is
    its :func:`party_key`. ``pool`` maps a council slug to the smaller-party names seen in
    that council (for LEAP codes the registry does not know).
    """

    def __init__(self, registry: Registry, copy_names: Mapping[str, Mapping[str, str]]) -> None:
        self.registry = registry
        self.copy_names = copy_names  # code -> {name, later, headline, plural}
        self.pool: dict[str, list[str]] = {}
        self.display: dict[str, set[str]] = {}  # canonical id -> names it is printed as
        self._cache: dict[tuple[str, str | None], str] = {}
        for code in registry.codes:  # a registered party is printed by its registered name
            self.canon(code)

    # -- canonical ids ------------------------------------------------------------------------
    def canon(self, code: str, council: str | None = None) -> str:
        key = (code, council)
        got = self._cache.get(key)
        if got is None:
            got = self._cache[key] = self._canon(code.strip(), council, set())
            self.display.setdefault(got, set()).add(self.printed(code.strip()))
        return got

    def _canon(self, code: str, council: str | None, seen: set[str]) -> str:
        if code in seen:  # a registry whose names point at each other: stop at the first
            return "Other:" + party_key(other_name(code) or code)
        seen.add(code)
        if code in NAMED or code in GROUPS:
            return code
        name = other_name(code)
        if name is None:
            return code  # an unknown code is a party of its own
        if name.startswith(LEAP_PREFIX):
            leap = name[len(LEAP_PREFIX):].strip()
            mapped = self.registry.by_leap.get(leap.lower())
            if mapped:
                return self._canon(mapped, council, seen)
            for other in self.pool.get(council or "", ()):
                if not other.startswith(LEAP_PREFIX) and initials(other) == leap.lower():
                    return self._canon(f"Other ({other})", council, seen)
            return "Other:" + party_key(name)
        mapped = self.registry.by_key.get(party_key(name))
        if mapped and mapped != code:
            if other_name(mapped) is None or party_key(other_name(mapped)) != party_key(name):
                return self._canon(mapped, council, seen)
        return "Other:" + party_key(name)

    @staticmethod
    def printed(code: str) -> str:
        """How the writer's copy prints a raw code: ``Other (X)`` as X."""
        return other_name(code) or code


    # -- names in copy ------------------------------------------------------------------------
    def names_of(self, cid: str) -> set[str]:
        """Every way copy may name a canonical party: the parties.yaml forms of a main party;
        the printed names of a smaller one."""
        out: set[str] = set()
        forms = self.copy_names.get(cid)
        if forms:
            for mention in ("name", "later", "headline"):
                out.add(forms[mention])
            later = forms["later"]
            out.add(_capfirst(later[4:] if later.startswith("the ") else later))  # tally form
        out |= self.display.get(cid, set()) - set(NAMED) - set(GROUPS)
        return {n for n in out if n}


def _capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def load_copy_names(path: Path) -> dict[str, dict[str, str]]:
    """``rules/parties.yaml``: each code's first, later and headline names."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    out = {}
    for code, item in (data.get("parties") or {}).items():
        out[str(code)] = {k: item.get(k) for k in ("name", "later", "headline", "plural")}
    return out


def seat_list(text: str) -> dict[str, int]:
    """``{"Con": 22, "Lab": 41}`` from ``Con:22;Lab:41`` (raw codes, as written)."""
    out: dict[str, int] = {}
    for pair in (text or "").split(";"):
        if ":" not in pair:
            continue
        party, _, n = pair.rpartition(":")
        party = party.strip()
        if party and n.strip().isdigit():
            out[party] = out.get(party, 0) + int(n)
    return out


def merge(seats: Iterable[tuple[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p, n in seats:
        out[p] = out.get(p, 0) + n
    return out
