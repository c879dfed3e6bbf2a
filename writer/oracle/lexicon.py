"""The names copy uses for the night's parties, councils, wards and groups, as regexes.

Built once per night from the truth (party names from ``rules/parties.yaml`` and the
data's own spellings, council and ward names from the CSVs, groups from
``rules/groups.yaml``), so the reader can tell "Labour" and "Farnworth & Kearsley First
Party" from a ward or a council, and map each back to what it names.
"""

from __future__ import annotations

import re
from functools import cached_property

from writer.oracle import text as T
from writer.oracle.truth import NightTruth

# a count in prose: figures from 10 with thousands separators ("1,156", never "1156"), words
# below 10 ("no" for none)
NUM = r"(?:\d{1,3}(?:,\d{3})+(?!\d|,\d)|\d{1,3}(?!\d|,\d)|(?i:no|one|two|three|four|five|six|seven|eight|nine)\b)"
ORD = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|\d+(?:st|nd|rd|th))"


class Lexicon:
    """Names in copy and what they name."""

    def __init__(self, truth: NightTruth) -> None:
        self.truth = truth
        P = truth.parties
        for c in truth.councils.values():  # make sure every party of the night has its names
            for p in c.composition_before:
                P.display.setdefault(p, set())
        self.party: dict[str, str] = {}  # printed name (lower case) -> canonical id
        ids = list(P.copy_names) + sorted(P.display)
        for cid in ids:
            if cid == "NOC":
                continue
            for name in sorted(P.names_of(cid)):
                self.party.setdefault(name.lower(), cid)
        # a bare "Green" is never a party name in copy (it is in ward names)
        self.council = {c.name.lower(): slug for slug, c in truth.councils.items()}
        self.group: dict[str, str] = {}
        for gid, g in truth.groups.items():
            self.group[g.name.lower()] = gid
            bare = re.sub(r"^the ", "", g.name)
            self.group.setdefault(bare.lower(), gid)

    # -- regex pieces -------------------------------------------------------------------------
    @cached_property
    def party_re(self) -> str:
        return T.alternation(self.party_names)

    @cached_property
    def party_names(self) -> list[str]:
        names = set()
        P = self.truth.parties
        for cid in list(P.copy_names) + sorted(P.display):
            if cid == "NOC":
                continue
            names |= P.names_of(cid)
        return sorted(names)

    @cached_property
    def council_re(self) -> str:
        return T.alternation([c.name for c in self.truth.councils.values()], capfirst=False)

    @cached_property
    def group_re(self) -> str:
        names = set()
        for g in self.truth.groups.values():
            names.add(g.name)
            names.add(re.sub(r"^the ", "", g.name))
        return T.alternation(names)


    # -- lookups ------------------------------------------------------------------------------
    def party_of(self, name: str) -> str | None:
        name = name.strip()
        got = self.party.get(name.lower())
        if got is None and name.lower().startswith("the "):
            got = self.party.get(name[4:].lower())
        return got

    def council_of(self, name: str) -> str | None:
        return self.council.get(name.strip().lower())

    def group_of(self, name: str) -> str | None:
        n = name.strip().lower()
        return self.group.get(n) or self.group.get(re.sub(r"^the ", "", n))


