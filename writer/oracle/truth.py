"""The night recomputed from an election directory's CSVs, at any moment.

This is the oracle's own reading of the data, written from ``FORMAT.md`` and the domain
notes, with pandas (to read the files), the standard library and PyYAML only. It shares no
code with the writer's ingest, compare or detect stages, so that a fault there shows up as a
disagreement instead of being repeated here.

``NightTruth(directory)`` loads everything once. ``truth.council(slug, t)`` is a council as
it stood at moment ``t`` (declarations with ``declared_at <= t``; a later declaration of the
same ward, or the same council total, replaces the earlier one), and ``truth.moment(t)`` the
whole night at ``t``: which councils are final, national and group tallies.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from writer import resources
from writer.oracle.parties import (NOC, Parties, Registry, can_control, load_copy_names, merge,
                                   other_name, party_key, seat_list)
from writer.oracle.text import demojibake

# -- small pure helpers -----------------------------------------------------------------------


def when(value: str | datetime) -> datetime:
    """An aware datetime from an ISO string (or the datetime itself)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def slugify(text: str) -> str:
    """Democracy Club style slug: "Daresbury, Moore & Sandymoor" -> "daresbury-moore-and-sandymoor"."""
    text = text.lower().replace("&", " and ").replace("'", "").replace("’", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def ward_key(name: str) -> str:
    """A ward name normalised for matching across years: case, "&"/"and", punctuation, and
    text mangled by a wrong encoding ("St Clementâ€™s" is "St Clement’s")."""
    text = demojibake(name).lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"[^a-z0-9 ]+", "", text.replace("-", " "))
    return " ".join(text.split())


def majority_needed(total: int) -> int:
    return total // 2 + 1


def control_of(composition: dict[str, int], total: int) -> str:
    """The party with a majority of ALL seats, or NOC; groups never control."""
    need = majority_needed(total)
    for party, n in composition.items():
        if n >= need and can_control(party):
            return party
    return NOC


def subtract(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {p: a.get(p, 0) - b.get(p, 0) for p in set(a) | set(b)}


def add(*lists: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for seats in lists:
        for p, n in seats.items():
            out[p] = out.get(p, 0) + n
    return out


def nonzero(seats: dict[str, int]) -> dict[str, int]:
    return {p: n for p, n in seats.items() if n}


def lump_others(ours: dict[str, int], theirs: dict[str, int]) -> dict[str, int]:
    """``ours`` at the level of ``theirs``: where ``theirs`` lumps smaller parties as Other,
    each smaller party of ours that ``theirs`` does not name is taken into Other."""
    if "Other" not in theirs:
        return dict(ours)
    out: dict[str, int] = {}
    for p, n in ours.items():
        key = "Other" if p.startswith("Other:") and p not in theirs else p
        out[key] = out.get(key, 0) + n
    return out


def compare_whole(won: dict[str, int], baseline: dict[str, int]) -> dict[str, int]:
    """Seats won against the baseline's seats won, at the coarser naming of the two."""
    return subtract(lump_others(won, baseline), lump_others(baseline, won))


# -- records ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    name: str
    party: str  # canonical id
    raw: str  # the party code as written
    votes: int | None
    elected: bool


@dataclass(frozen=True)
class BaselineWard:
    name: str
    code: str
    seats: int
    candidates: tuple[Candidate, ...]  # by votes, highest first

    @property
    def winners(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if c.elected)

    def slate(self, party: str) -> int:
        return sum(1 for c in self.candidates if c.party == party)


@dataclass(frozen=True)
class Declaration:
    council: str
    ward: str  # the name as the source wrote it
    key: str  # slug of the ward name: the ballot id's ward part
    code: str
    seats: int
    at: datetime
    candidates: tuple[Candidate, ...]  # by votes, highest first
    order: int  # position in the file (ties in time keep file order)
    seq: int = -1  # position in the night: declared_at, wards before council totals, file order

    @property
    def winners(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if c.elected)

    @property
    def won(self) -> dict[str, int]:
        return merge((c.party, 1) for c in self.winners)

    @property
    def has_votes(self) -> bool:
        return all(c.votes is not None for c in self.candidates)

    def slate(self, party: str) -> int:
        return sum(1 for c in self.candidates if c.party == party)


@dataclass(frozen=True, eq=False)
class CouncilTotal:
    at: datetime
    seats_won: dict[str, int]  # canonical
    composition: dict[str, int]  # canonical
    raw_won: dict[str, int]
    seq: int = -1


def _largest_remainder(seats: dict[str, int], total: int) -> dict[str, int]:
    """Seats brought to ``total`` in proportion, the leftover seats to the largest fractions
    (ties: the party with more seats, then by code)."""
    n = sum(seats.values())
    if not n or n == total:
        return dict(seats)
    exact = {p: v * total / n for p, v in seats.items()}
    out = {p: int(x) for p, x in exact.items()}
    rest = total - sum(out.values())
    for p in sorted(exact, key=lambda p: (out[p] - exact[p], -seats[p], p))[:rest]:
        out[p] += 1
    return {p: v for p, v in out.items() if v}


def shares(cands: tuple[Candidate, ...]) -> dict[str, float]:
    """Each party's share of the vote in the ward, in percent, by the method DOMAIN.md
    gives: its best-placed candidate's votes over the sum of every party's best-placed
    candidate's votes, each independent counting on their own."""
    if not cands or any(c.votes is None for c in cands):
        return {}
    best: dict[str, int] = {}
    for c in cands:
        best[c.party] = max(best.get(c.party, 0), c.votes or 0)
    total = sum(v for p, v in best.items() if p != "Ind") + sum(c.votes or 0 for c in cands if c.party == "Ind")
    if not total:
        return {}
    return {p: 100.0 * v / total for p, v in best.items()}


@dataclass(frozen=True)
class WardResult:
    """One declaration compared with the baseline."""

    decl: Declaration
    baseline: BaselineWard | None  # None: no like-for-like baseline
    holders: dict[str, int]  # the baseline's top-placed winners of tonight's seats
    turnout: float | None

    @property
    def comparable(self) -> bool:
        return self.baseline is not None

    @property
    def won(self) -> dict[str, int]:
        return self.decl.won

    @property
    def change(self) -> dict[str, int] | None:
        if self.baseline is None:
            return None
        return subtract(self.won, self.holders)

    @cached_property
    def shares(self) -> dict[str, float]:
        return shares(self.decl.candidates)

    @cached_property
    def baseline_shares(self) -> dict[str, float]:
        return shares(self.baseline.candidates) if self.baseline else {}

    def share_change(self, party: str) -> float | None:
        """Points, like for like only: the same number of seats both times and the same
        number of the party's candidates."""
        b = self.baseline
        if b is None or b.seats != self.decl.seats or party not in self.shares or party not in self.baseline_shares:
            return None
        if b.slate(party) != self.decl.slate(party):
            return None
        return self.shares[party] - self.baseline_shares[party]

    def margin_of(self, cand: Candidate) -> int | None:
        """How far a winner was ahead of the best loser of another party (None without
        votes or without such a loser): a party's own candidates are not rivals."""
        if cand.votes is None:
            return None
        rivals = [c.votes for c in self.decl.candidates if not c.elected and c.party != cand.party
                  and c.votes is not None]
        return cand.votes - max(rivals) if rivals else None

    @property
    def last(self) -> Candidate | None:
        w = self.decl.winners
        return w[-1] if w else None

    @property
    def margin(self) -> int | None:
        return self.margin_of(self.last) if self.last else None


@dataclass(frozen=True)
class Council:
    """What is known about a council before the night, and its baseline."""

    slug: str
    name: str
    region: str
    cycle: str
    total: int
    seats_up: int
    control_before: str | None  # canonical, NOC, or None for a new council
    composition_before: dict[str, int]
    new: bool
    boundary_change: bool
    baseline: dict[str, Any] | None  # cycle, total, seats_up, seats_won, composition_after
    baseline_wards: tuple[BaselineWard, ...]
    wards_up: dict[str, tuple[str, str, int]]  # ward key -> (name, code, seats) up tonight
    history: tuple[tuple[int, int | None, str], ...]  # (from, to, control canonical)
    county: bool = False  # a county council (ONS code E10...): elected by divisions, not wards

    @property
    def basis(self) -> str | None:
        """How seat changes are worked out: ward by ward, the whole council against its
        baseline total, or not at all (None)."""
        if self.new or self.baseline is None:
            return None
        if self.cycle == "all-out" and self.baseline["cycle"] != "all-out":
            return None  # the cycle changed: no like-for-like change
        if self.cycle == "all-out" and self.boundary_change:
            return "whole"
        return "wards"

    @property
    def not_comparable_reason(self) -> str | None:
        if self.new:
            return "new council"
        if self.baseline is None:
            return "no baseline"
        if self.basis is None:
            return "cycle changed"
        return None

    @property
    def size_changed(self) -> bool:
        return bool(self.baseline) and self.baseline["total"] != self.total

    @cached_property
    def _by_code(self) -> dict[str, BaselineWard]:
        return {w.code: w for w in self.baseline_wards if w.code}

    @cached_property
    def _by_name(self) -> dict[str, BaselineWard]:
        return {ward_key(w.name): w for w in self.baseline_wards}

    def match(self, name: str, code: str) -> BaselineWard | None:
        """The baseline ward of tonight's ward: by ward code first, then by normalised name."""
        if code and code in self._by_code:
            return self._by_code[code]
        return self._by_name.get(ward_key(name))

    def holders_of(self, name: str, code: str, seats: int, *, fill: bool = False
                   ) -> tuple[BaselineWard | None, dict[str, int]]:
        """The baseline ward and the top-placed baseline winners of tonight's seats. Where
        tonight elects more seats than the baseline did (a double vacancy), the extra seats
        have no known holder; with ``fill`` they are given to the baseline's winners in turn
        (the other reading of "in proportion")."""
        base = self.match(name, code)
        if base is None:
            return None, {}
        top = list(base.winners[:seats])
        if fill and base.winners:
            while len(top) < seats:
                top.append(base.winners[len(top) % len(base.winners)])
        return base, merge((c.party, 1) for c in top)

    def _holders_all(self, fill: bool) -> dict[str, int]:
        """DOMAIN.md's estimate, known before the night: the baseline's seats won where it
        elected as many seats as tonight; else every baseline ward's top-placed winners, as
        many as its share of tonight's seats (at least one), the whole brought to the number of
        seats up by largest remainder."""
        b = self.baseline
        if not b:
            return {}
        if b["seats_up"] == self.seats_up and b["seats_won"]:
            return dict(b["seats_won"])
        if not self.baseline_wards:
            held = dict(b["seats_won"])
        else:
            held = {}
            for bw in self.baseline_wards:
                k = max(1, int(bw.seats * self.seats_up / b["seats_up"] + 0.5))
                held = add(held, merge((c.party, 1) for c in bw.winners[:k]))
        return _largest_remainder(held, self.seats_up)

    @cached_property
    def holders_all(self) -> dict[str, int]:
        """The baseline holders of every seat up tonight, declared or not: the baseline's
        seats won where it elected as many seats, else ward by ward."""
        return self._holders_all(False)

    def _not_up(self, held: dict[str, int]) -> dict[str, int]:
        if self.cycle == "all-out" or self.seats_up >= self.total:
            gap = self.total - self.seats_up
            return {"Vacant": gap} if gap > 0 else {}
        left = subtract(self.composition_before, held)
        return {p: n for p, n in left.items() if n > 0}

    @cached_property
    def not_up(self) -> dict[str, int]:
        """Councillors not up tonight, estimated: the council before, less the baseline
        holders of every seat up tonight (never below none for a party). An all-out
        council has none but the seats of any postponed poll (vacant)."""
        return self._not_up(self.holders_all)

    @cached_property
    def not_up_alt(self) -> dict[str, int]:
        """The same with the extra seats of a double vacancy given to the ward's baseline
        winners."""
        return self._not_up(self._holders_all(True))


@dataclass
class CouncilState:
    """A council as it stood at one moment of the night."""

    council: Council
    wards: dict[str, WardResult]  # ward key -> standing result
    total: CouncilTotal | None
    final_at: datetime | None  # when it first became final (None: not yet)
    final_seq: int | None = None  # the point of the night at which it became final

    @property
    def slug(self) -> str:
        return self.council.slug

    @property
    def name(self) -> str:
        return self.council.name

    @cached_property
    def ward_won(self) -> dict[str, int]:
        return add(*(w.won for w in self.wards.values())) if self.wards else {}

    @cached_property
    def ward_seats(self) -> int:
        return sum(len(w.decl.winners) for w in self.wards.values())

    @property
    def seats_declared(self) -> int:
        if self.total is not None:
            return sum(self.total.seats_won.values())
        return self.ward_seats

    @property
    def seats_up(self) -> int:
        return self.council.seats_up

    @property
    def remaining(self) -> int:
        return max(0, self.seats_up - self.seats_declared)

    @cached_property
    def won(self) -> dict[str, int]:
        """Seats won tonight so far: from the wards, or the council total where the wards do
        not cover every seat it declares."""
        if self.total is not None and self.ward_seats < sum(self.total.seats_won.values()):
            return dict(self.total.seats_won)
        return dict(self.ward_won)

    @property
    def final(self) -> bool:
        if self.total is not None:
            return True
        return self.council.cycle == "all-out" and self.ward_seats >= self.seats_up and self.seats_up > 0

    @property
    def composition_declared(self) -> bool:
        return self.total is not None

    @cached_property
    def so_far(self) -> dict[str, int]:
        """Councillors not up plus the seats declared by now (the declared composition once
        the council has declared it)."""
        if self.total is not None:
            return dict(self.total.composition)
        return nonzero(add(self.council.not_up, self.won))

    def so_far_options(self, party: str) -> set[int]:
        """Every defensible "so far" count of a party (both readings of a double vacancy)."""
        if self.total is not None:
            return {self.total.composition.get(party, 0)}
        return {self.council.not_up.get(party, 0) + self.won.get(party, 0),
                self.council.not_up_alt.get(party, 0) + self.won.get(party, 0)}

    @property
    def composition(self) -> dict[str, int]:
        return self.so_far

    @property
    def control(self) -> str:
        return control_of(self.composition, self.council.total)

    @property
    def majority_needed(self) -> int:
        return majority_needed(self.council.total)

    @property
    def majority_after(self) -> int | None:
        c = self.control
        if c == NOC:
            return None
        return 2 * self.composition.get(c, 0) - self.council.total

    # -- control while counting ---------------------------------------------------------------
    @property
    def certain(self) -> str | None:
        """The control that no result still to come can change (a party or NOC), or None."""
        if self.final:
            return self.control
        need = self.majority_needed
        secured = self.so_far
        for p, n in secured.items():
            if can_control(p) and n >= need:
                return p
        rest = self.remaining
        if rest >= need:  # a party with no seat yet could still win a majority
            return None
        if all(n + rest < need for p, n in secured.items() if can_control(p)):
            return NOC
        return None

    # -- result -------------------------------------------------------------------------------
    @property
    def result_kind(self) -> str | None:
        """gain, lose, hold, no_change, new_win or new_noc once final; None before."""
        if not self.final:
            return None
        before, after = self.council.control_before, self.control
        if self.council.new:
            return "new_noc" if after == NOC else "new_win"
        if after == before:
            return "no_change" if after == NOC else "hold"
        return "lose" if after == NOC else "gain"

    @property
    def winner(self) -> str | None:
        return self.control if self.final and self.control != NOC else None

    @property
    def loser(self) -> str | None:
        before = self.council.control_before
        if self.final and before and before != NOC and self.control != before:
            return before
        return None

    # -- seat changes -------------------------------------------------------------------------
    @cached_property
    def _changes(self) -> tuple[dict[str, int] | None, dict[str, int], dict[str, int], str | None]:
        """(change, seats won on the compared seats, baseline holders of them, basis)."""
        c = self.council
        basis = c.basis
        if basis is None:
            return None, {}, {}, None
        if basis == "whole" or (basis == "wards" and not self.wards and self.total is not None):
            b = c.baseline
            if basis == "wards" and (b["cycle"] != c.cycle or b["seats_up"] != c.seats_up):
                return None, {}, {}, None
            if not self.final:
                return None, {}, {}, None
            return compare_whole(self.won, b["seats_won"]), dict(self.won), dict(b["seats_won"]), "whole"
        comp = [w for w in self.wards.values() if w.comparable]
        won = add(*(w.won for w in comp)) if comp else {}
        held = add(*(w.holders for w in comp)) if comp else {}
        return subtract(won, held), won, held, "wards"

    @property
    def change(self) -> dict[str, int] | None:
        return self._changes[0]

    @property
    def compared_won(self) -> dict[str, int]:
        return self._changes[1]

    @property
    def compared_holders(self) -> dict[str, int]:
        return self._changes[2]

    @property
    def change_basis(self) -> str | None:
        return self._changes[3]

    @property
    def wards_left_out(self) -> int:
        if self.change_basis != "wards":
            return 0
        return sum(1 for w in self.wards.values() if not w.comparable)


@dataclass
class Tally:
    """Councils controlled and seats won over a set of final councils."""

    councils: list[CouncilState]
    total_councils: int  # councils with an election (in the group)

    @cached_property
    def controlled(self) -> dict[str, int]:
        return merge((s.control, 1) for s in self.councils)

    @cached_property
    def controlled_before(self) -> dict[str, int]:
        return merge((s.council.control_before, 1) for s in self.councils if s.council.control_before)

    def control_change(self, party: str) -> int:
        return self.controlled.get(party, 0) - self.controlled_before.get(party, 0)

    @cached_property
    def won(self) -> dict[str, int]:
        return add(*(s.won for s in self.councils)) if self.councils else {}

    @cached_property
    def compared(self) -> list[CouncilState]:
        return [s for s in self.councils if s.change is not None]

    @cached_property
    def change(self) -> dict[str, int]:
        return add(*(s.change for s in self.compared)) if self.compared else {}

    @cached_property
    def compared_won(self) -> dict[str, int]:
        return add(*(s.compared_won for s in self.compared)) if self.compared else {}

    @cached_property
    def councillors(self) -> dict[str, int]:
        """Members of each party on the councils counted (the whole councils)."""
        return add(*(s.composition for s in self.councils)) if self.councils else {}

    @cached_property
    def compared_councillors(self) -> dict[str, int]:
        return add(*(s.composition for s in self.compared)) if self.compared else {}

    @property
    def complete(self) -> bool:
        return len(self.councils) == self.total_councils

    # -- movements: councils taken and lost ---------------------------------------------------
    @cached_property
    def gained(self) -> dict[str, list[CouncilState]]:
        """Councils each party took control of (from another party or from no overall
        control), in the order they became final. A new council won is not one taken."""
        out: dict[str, list[CouncilState]] = {}
        for s in self.councils:
            if s.result_kind == "gain":
                out.setdefault(s.control, []).append(s)
        return out

    @cached_property
    def lost(self) -> dict[str, list[CouncilState]]:
        """Councils each party ran on the eve of poll and no longer runs (run by another
        party now, or by no one), in the order they became final."""
        out: dict[str, list[CouncilState]] = {}
        for s in self.councils:
            if s.loser:
                out.setdefault(s.loser, []).append(s)
        return out


@dataclass
class Group:
    id: str
    name: str
    definition: str
    members: tuple[str, ...]  # slugs with an election tonight


class Moment:
    """The whole night at one point: every event before ``point`` in the night's order."""

    def __init__(self, truth: "NightTruth", point: int) -> None:
        self.truth = truth
        self.point = point
        self.at = truth.time_of(point)
        self.states = {slug: truth.council(slug, point) for slug in truth.councils}

    @cached_property
    def final(self) -> list[CouncilState]:
        """Final councils in the order they became final."""
        done = [s for s in self.states.values() if s.final]
        return sorted(done, key=lambda s: (s.final_seq if s.final_seq is not None else self.point, s.slug))

    @cached_property
    def national(self) -> Tally:
        return Tally(self.final, len(self.states))

    def group(self, gid: str) -> Tally:
        g = self.truth.groups[gid]
        return Tally([s for s in self.final if s.slug in g.members], len(g.members))

    @cached_property
    def declared_won(self) -> dict[str, int]:
        """Seats won in every ward declared so far, final council or not."""
        return add(*(s.won for s in self.states.values()))

    def group_declared_won(self, gid: str) -> dict[str, int]:
        members = self.truth.groups[gid].members
        return add(*(s.won for slug, s in self.states.items() if slug in members))

    @cached_property
    def lumped(self) -> list[set[str]]:
        """For each council declared so far whose seats won lump smaller parties as ``Other``,
        the parties it does name: a party missing from one could be inside its lump."""
        return [set(s.won) for s in self.states.values() if "Other" in s.won]

    def seats_exact(self, party: str) -> bool:
        """No source declared so far lumped the party with others."""
        return all(party in named for named in self.lumped)

    @cached_property
    def declared_wards(self) -> int:
        return sum(len(s.wards) for s in self.states.values())

    def ordinal(self, slug: str, party: str, verb: str) -> int | None:
        """"The 4th council Labour has gained": the place of a final council among those
        the party gained (or lost), in the order the councils became final."""
        me = self.states[slug]
        if not me.final or not self.counts(me, party, verb):
            return None
        order = [s.slug for s in self.final if self.counts(s, party, verb)]
        return order.index(slug) + 1

    @staticmethod
    def counts(s: CouncilState, party: str, verb: str) -> bool:
        if verb == "gained":
            return s.result_kind == "gain" and s.winner == party
        return s.loser == party


class NightTruth:
    """Everything a story can claim, recomputed from an election directory."""

    def __init__(self, directory: str | Path, *, rules_dir: str | Path | None = None,
                 registry: str | Path | None = None) -> None:
        self.dir = Path(directory)
        rules = Path(rules_dir) if rules_dir else resources.rules_dir()  # the editor's copy, else the writer's
        self.rules_dir = rules
        reg_path = Path(registry) if registry else rules / "party-registry.yaml"
        self.parties = Parties(Registry.load(reg_path), load_copy_names(rules / "parties.yaml"))
        self.election = self._election()
        self._load()
        self.groups = self._groups(rules / "groups.yaml")
        self._order_events()
        self._state_cache: dict[tuple[str, Any], CouncilState] = {}
        self._moments: dict[int, Moment] = {}
        self.final_seq: dict[str, int] = {}
        self.final_seq = self._final_points()

    # -- loading ------------------------------------------------------------------------------
    def _csv(self, rel: str) -> pd.DataFrame | None:
        path = self.dir / rel
        if not path.exists():
            return None
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        return df.apply(lambda col: col.str.strip())

    def _election(self) -> dict[str, Any]:
        data = tomllib.loads((self.dir / "election.toml").read_text(encoding="utf-8"))
        data["baseline_label"] = str(data.get("baseline_label", ""))
        data["context"] = list(data.get("context") or [])
        return data

    def _load(self) -> None:
        councils = self._csv("councils.csv")
        base_c = self._csv("baseline/councils.csv")
        base_w = self._csv("baseline/wards.csv")
        res_w = self._csv("results/wards.csv")
        res_c = self._csv("results/councils.csv")
        self._pool_all(councils, base_c, base_w, res_c, res_w)
        self._load_baseline_wards(base_w)
        wards_up = self._load_declarations(res_w)
        self._load_totals(res_c)
        self._load_turnout(self._csv("results/turnout.csv"))
        hist = self._load_history(self._csv("history.csv"))
        self._load_councils(councils, base_c, wards_up, hist)
        self.decls_by_council: dict[str, list[Declaration]] = {}
        self._results: dict[Declaration, WardResult] = {}

    def _pool_all(self, councils, base_c, base_w, res_c, res_w) -> None:
        """Smaller-party names seen in each council, for LEAP codes the registry does not know."""
        for df, cols in ((councils, ("composition_before",)), (base_c, ("seats_won", "composition_after")),
                         (res_c, ("seats_won", "composition_after"))):
            if df is None:
                continue
            for rec in df.to_dict("records"):
                for col in cols:
                    for code in seat_list(rec.get(col, "")):
                        self._pool(rec["slug"], code)
        for df in (base_w, res_w):
            if df is None:
                continue
            for slug, code in set(zip(df["slug"], df["party"])):
                self._pool(slug, code)

    def _canon_list(self, text: str, slug: str) -> dict[str, int]:
        return merge((self.parties.canon(code, slug), n) for code, n in seat_list(text).items())

    def _cands(self, rows: list[dict], slug: str) -> tuple[Candidate, ...]:
        P = self.parties
        out = [Candidate(r["candidate"], P.canon(r["party"], slug), r["party"],
                         int(r["votes"]) if r.get("votes", "").strip().lstrip("-").isdigit() else None,
                         r.get("elected", "").lower() in ("yes", "y", "true", "1"))
               for r in rows]
        if all(c.votes is not None for c in out):
            out.sort(key=lambda c: -c.votes)  # stable: ties keep file order
        return tuple(out)

    def _load_baseline_wards(self, base_w) -> None:
        self.baseline_wards: dict[str, list[BaselineWard]] = {}
        if base_w is not None:
            for (slug, ward), g in base_w.groupby(["slug", "ward"], sort=False):
                rows = g.to_dict("records")
                self.baseline_wards.setdefault(slug, []).append(BaselineWard(
                    ward, rows[0].get("ward_code", ""), int(rows[0]["seats_in_ward"] or 0), self._cands(rows, slug)))

    def _load_declarations(self, res_w) -> dict[str, dict[str, tuple[str, str, int]]]:
        """Tonight's ward declarations, in the night's order; returns each council's wards up."""
        self.declarations: list[Declaration] = []
        wards_up: dict[str, dict[str, tuple[str, str, int]]] = {}
        if res_w is not None:
            res_w = res_w.assign(_order=range(len(res_w)))
            for (slug, ward, at), g in res_w.groupby(["slug", "ward", "declared_at"], sort=False):
                rows = g.to_dict("records")
                d = Declaration(slug, ward, slugify(ward), rows[0].get("ward_code", ""),
                                int(rows[0]["seats_in_ward"] or 0), when(at), self._cands(rows, slug),
                                int(rows[0]["_order"]))
                self.declarations.append(d)
                wards_up.setdefault(slug, {})[d.key] = (d.ward, d.code, d.seats)
        self.declarations.sort(key=lambda d: (d.at, d.order))
        return wards_up

    def _load_totals(self, res_c) -> None:
        self.totals: dict[str, list[CouncilTotal]] = {}
        self._total_slug: dict[int, str] = {}
        if res_c is not None:
            for rec in res_c.to_dict("records"):
                slug = rec["slug"]
                total = CouncilTotal(when(rec["declared_at"]), self._canon_list(rec["seats_won"], slug),
                                     self._canon_list(rec["composition_after"], slug), seat_list(rec["seats_won"]))
                self._total_slug[id(total)] = slug
                self.totals.setdefault(slug, []).append(total)
            for v in self.totals.values():
                v.sort(key=lambda t: t.at)

    def _load_turnout(self, turnout) -> None:
        self.turnout: dict[tuple[str, str], float] = {}
        if turnout is not None:
            for rec in turnout.to_dict("records"):
                if not rec.get("turnout_pct"):
                    continue
                pct = float(rec["turnout_pct"])
                if rec.get("ward_code"):
                    self.turnout[(rec["slug"], "code:" + rec["ward_code"])] = pct
                self.turnout[(rec["slug"], "name:" + ward_key(rec["ward"]))] = pct

    def _load_history(self, history) -> dict[str, list[tuple[int, int | None, str]]]:
        hist: dict[str, list[tuple[int, int | None, str]]] = {}
        if history is not None:
            for rec in history.to_dict("records"):
                ctl = rec["control"]
                hist.setdefault(rec["slug"], []).append((
                    int(rec["from_year"]), int(rec["to_year"]) if rec.get("to_year") else None,
                    NOC if ctl == NOC else self.parties.canon(ctl, rec["slug"])))
        #: every control in history.csv, councils voting tonight or not ("first councils")
        self.history_controls = {ctl for periods in hist.values() for _, _, ctl in periods}
        return hist

    def _load_councils(self, councils, base_c, wards_up, hist) -> None:
        P = self.parties
        canon_list = self._canon_list
        base_by_slug = {} if base_c is None else {r["slug"]: r for r in base_c.to_dict("records")}
        self.councils: dict[str, Council] = {}
        for rec in councils.to_dict("records"):
            slug = rec["slug"]
            b = base_by_slug.get(slug)
            baseline = None
            if b is not None and rec.get("new_council", "no") != "yes":
                baseline = {"cycle": b["cycle"], "total": int(b["total_seats"]), "seats_up": int(b["seats_up"]),
                            "seats_won": canon_list(b["seats_won"], slug),
                            "composition_after": canon_list(b.get("composition_after", ""), slug),
                            "control_after": b.get("control_after", "")}
            ctl = rec.get("control_before", "")
            council = Council(
                slug=slug, name=rec["council"], region=rec.get("region", ""), cycle=rec["cycle"],
                total=int(rec["total_seats"]), seats_up=int(rec["seats_up"]),
                control_before=(None if not ctl else NOC if ctl == NOC else P.canon(ctl, slug)),
                composition_before=canon_list(rec.get("composition_before", ""), slug),
                new=rec.get("new_council", "no") == "yes", boundary_change=rec.get("boundary_change", "no") == "yes",
                baseline=baseline, baseline_wards=tuple(self.baseline_wards.get(slug, ())) if baseline else (),
                wards_up=wards_up.get(slug, {}), history=tuple(sorted(hist.get(slug, []))),
                county=str(rec.get("gss_code", "")).startswith("E10"))
            self.councils[slug] = council

    def _pool(self, slug: str, code: str) -> None:
        name = other_name(code)
        if name:
            pool = self.parties.pool.setdefault(slug, [])
            if name not in pool:
                pool.append(name)

    def _groups(self, path: Path) -> dict[str, Group]:
        if not path.exists():
            return {}
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out = {}
        for g in data.get("groups") or []:
            regions = set(g.get("regions") or [])
            listed = set(g.get("councils") or [])
            members = tuple(s for s, c in self.councils.items() if c.region in regions or s in listed)
            out[g["id"]] = Group(g["id"], g["name"], " ".join(str(g.get("definition", "")).split()), members)
        return out

    # -- wards and councils at a moment -------------------------------------------------------
    def result(self, d: Declaration) -> WardResult:
        got = self._results.get(d)
        if got is None:
            c = self.councils[d.council]
            base, held = (None, {})
            if c.basis == "wards":
                base, held = c.holders_of(d.ward, d.code, d.seats)
            pct = self.turnout.get((d.council, "code:" + d.code)) if d.code else None
            if pct is None:
                pct = self.turnout.get((d.council, "name:" + ward_key(d.ward)))
            got = self._results[d] = WardResult(d, base, held, pct)
        return got

    # -- the night's order ----------------------------------------------------------------------
    def _order_events(self) -> None:
        """Number every event of the night: by declared_at, a council's total after ward
        results declared at the same minute, then in file order. A story drafted at a minute
        when several results came in may reflect any first part of that minute's events."""
        events: list[Any] = sorted(self.declarations, key=lambda d: (d.at, 0, d.order))
        totals = sorted((t for v in self.totals.values() for t in v), key=lambda t: t.at)
        merged = sorted([(d.at, 0, i, d) for i, d in enumerate(events)] +
                        [(t.at, 1, i, t) for i, t in enumerate(totals)], key=lambda x: x[:3])
        self.events: list[Any] = []
        for seq, (_, kind, _, ev) in enumerate(merged):
            ev = replace(ev, seq=seq) if kind == 0 else ev
            if kind == 1:
                object.__setattr__(ev, "seq", seq)
            self.events.append(ev)
        self.declarations = [e for e in self.events if isinstance(e, Declaration)]
        self.decls_by_council = {}
        for d in self.declarations:
            self.decls_by_council.setdefault(d.council, []).append(d)
        self.totals = {}
        for e in self.events:
            if isinstance(e, CouncilTotal):
                self.totals.setdefault(self._total_slug[id(e)], []).append(e)
        self._ats = [e.at for e in self.events]

    def point(self, t: datetime | str | int) -> int:
        """The point of the night a moment names: every event declared at or before it."""
        if isinstance(t, int):
            return t
        return bisect_right(self._ats, when(t))

    def points_at(self, t: datetime | str) -> list[int]:
        """The points a story drafted at minute ``t`` may reflect (after the minute's first
        event, up to all of them)."""
        t = when(t)
        last = bisect_right(self._ats, t)
        first = bisect_left(self._ats, t)
        return list(range(first + 1, last + 1)) if last > first else [last]

    def time_of(self, point: int) -> datetime | None:
        return self.events[point - 1].at if point > 0 else None

    def event_slug(self, seq: int) -> str:
        e = self.events[seq]
        return e.council if isinstance(e, Declaration) else self._total_slug[id(e)]

    def standing(self, slug: str, point: datetime | str | int) -> tuple[dict[str, Declaration], CouncilTotal | None]:
        p = self.point(point)
        wards: dict[str, Declaration] = {}
        for d in self.decls_by_council.get(slug, ()):
            if d.seq >= p:
                break
            wards[d.key] = d  # a later declaration of the same ward replaces the earlier
        total = None
        for tot in self.totals.get(slug, ()):
            if tot.seq >= p:
                break
            total = tot
        return wards, total

    def council(self, slug: str, point: datetime | str | int) -> CouncilState:
        p = self.point(point)
        wards, total = self.standing(slug, p)
        key = (slug, tuple(sorted((k, d.seq) for k, d in wards.items())), total.seq if total else None)
        got = self._state_cache.get(key)
        if got is None:
            fs = self.final_seq.get(slug)
            final = fs is not None and fs < p
            got = CouncilState(self.councils[slug], {k: self.result(d) for k, d in wards.items()}, total,
                               self.events[fs].at if final else None, fs if final else None)
            self._state_cache[key] = got
        return got

    def moment(self, point: datetime | str | int) -> Moment:
        p = self.point(point)
        got = self._moments.get(p)
        if got is None:
            got = self._moments[p] = Moment(self, p)
        return got

    def _final_points(self) -> dict[str, int]:
        """The event after which each council was first final: its total declared, or every
        seat of an all-out council declared."""
        out: dict[str, int] = {}
        for slug, c in self.councils.items():
            seqs = sorted([d.seq for d in self.decls_by_council.get(slug, ())] + [t.seq for t in self.totals.get(slug, ())])
            for q in seqs:
                wards, total = self.standing(slug, q + 1)
                seats = sum(len(d.winners) for d in wards.values())
                if total is not None or (c.cycle == "all-out" and c.seats_up > 0 and seats >= c.seats_up):
                    out[slug] = q
                    break
        return out

    # -- events over the night ----------------------------------------------------------------
    @cached_property
    def _times(self) -> list[datetime]:
        return sorted(set(self._ats))

    def times(self) -> list[datetime]:
        return self._times


    def first_ward_of(self, slug: str, party: str, point: int) -> Declaration | None:
        """The first declaration (standing at ``point``) in which ``party`` won a seat."""
        wards, _ = self.standing(slug, point)
        mine = [d for d in wards.values() if d.won.get(party)]
        return min(mine, key=lambda d: d.seq) if mine else None

    def ward(self, slug: str, key: str, point: datetime | str | int) -> WardResult | None:
        wards, _ = self.standing(slug, point)
        d = wards.get(key)
        return self.result(d) if d else None

    def context(self) -> list[dict[str, Any]]:
        return self.election["context"]

    @cached_property
    def ran_before(self) -> set[str]:
        """Parties that ran a council on the eve of poll (any council with an election
        tonight) or at any time in history.csv: for any other party, a council it takes
        tonight is its first."""
        ran = {c.control_before for c in self.councils.values() if c.control_before} | self.history_controls
        return {p for p in ran if p != NOC}

    @cached_property
    def baseline_year(self) -> int | None:
        """The baseline election's year, from the date ending its id (``local.2018-05-03``)."""
        m = re.search(r"(\d{4})-\d{2}-\d{2}$", str(self.election.get("baseline_id", "")))
        return int(m.group(1)) if m else None

    def seat_records_complete(self, slug: str) -> bool:
        """Whether the seat records in the directory reach back to the council's first
        election, so that a party with no seat in them never had one: history.csv begins in
        the baseline year (the baseline, whose whole make-up baseline/councils.csv gives, was
        the first election), and every seat was elected at once then and is tonight (no
        scheduled election came between). A new council, or one with no history, never."""
        c = self.councils[slug]
        if c.new or not c.history or c.baseline is None or self.baseline_year is None:
            return False
        return (min(start for start, _, _ in c.history) == self.baseline_year
                and c.baseline["cycle"] == "all-out" and c.cycle == "all-out")

    def first_councils(self, tally: "Tally", party: str) -> int:
        """Councils the party has taken tonight that are its first ever (0 for a party that
        ran one before)."""
        return 0 if party in self.ran_before else len(tally.gained.get(party, ()))

    @cached_property
    def general_election(self) -> pd.DataFrame | None:
        """general_election.csv as text (None where the night has none)."""
        return self._csv("general_election.csv")

    def party_key(self, name: str) -> str:
        return party_key(name)
