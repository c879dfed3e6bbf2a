"""Running national and group tallies: councils controlled and councillors won (pure core
with an incremental builder).

Only councils whose result is final count towards councils controlled; councillors count
from every declared seat. Seat changes count only where the council is comparable, so the
changes sum to the like-for-like figure results services publish.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from writer import yamltext
from writer import parties
from writer.compare.council import CouncilResult
from writer.errors import InputError, Problem, yaml_problem
from writer.model import Council


@dataclass(frozen=True)
class Group:
    """An editable grouping of councils (London, the Red Wall...), with its definition."""

    id: str
    name: str
    definition: str
    regions: tuple[str, ...] = ()
    councils: tuple[str, ...] = ()

    def contains(self, council: Council) -> bool:
        return council.region in self.regions or council.slug in self.councils


NATIONAL = Group("national", "England", "every council with an election tonight")


def load_groups(path: Path) -> tuple[Group, ...]:
    """Read ``groups.yaml``: a list of groups, each with id, name, definition and
    ``regions`` and/or ``councils``."""
    name = path.name
    if not path.exists():
        raise InputError([Problem(name, None, None, f"is missing; expected the groups file at {path}")], f"no groups file")
    try:
        data = yamltext.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError([yaml_problem(name, exc)], f"bad groups file {path}")
    problems: list[Problem] = []
    groups: list[Group] = []
    items = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputError([Problem(name, None, "groups", "expected a top-level 'groups:' list")], f"bad groups file {path}")
    seen: set[str] = set()
    for i, item in enumerate(items, start=1):
        where = f"groups[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem(name, None, where, "expected a mapping with id, name and definition"))
            continue
        gid = item.get("id")
        label = f"group {gid!r}" if gid else where
        for key in ("id", "name", "definition"):
            if not isinstance(item.get(key), str) or not item.get(key).strip():
                problems.append(Problem(name, None, f"{label}.{key}", "expected a non-empty string"))
        regions, councils = item.get("regions", []), item.get("councils", [])
        if not isinstance(regions, list) or not isinstance(councils, list) or not all(
                isinstance(x, str) for x in regions + councils):
            problems.append(Problem(name, None, label, "regions and councils must be lists of names and slugs"))
            continue
        if not regions and not councils:
            problems.append(Problem(name, None, label, "expected regions or councils (or both) to say who is in the group"))
        unknown = set(item) - {"id", "name", "definition", "regions", "councils"}
        if unknown:
            problems.append(Problem(name, None, label, f"unknown keys {sorted(unknown)}; expected id, name, definition, regions, councils"))
        if gid in seen or gid == NATIONAL.id:
            problems.append(Problem(name, None, label, "id is used twice (or is 'national', which is reserved)"))
        seen.add(gid)
        if isinstance(gid, str) and all(isinstance(item.get(k), str) for k in ("name", "definition")):
            groups.append(Group(gid, item["name"], item["definition"].strip(), tuple(regions), tuple(councils)))
    if problems:
        raise InputError(problems, f"bad groups file {path}")
    return tuple(groups)


@dataclass(frozen=True)
class Tally:
    group: Group
    councils_total: int
    councils_final: int
    control: dict[str, int]  # councils controlled after, among final councils
    control_before: dict[str, int]  # the same councils' control on the eve of poll
    gained: dict[str, tuple[str, ...]]  # party -> council slugs it took control of, in the order they became final
    lost: dict[str, tuple[str, ...]]  # party -> council slugs it lost control of, likewise
    seats_won: dict[str, int]  # every declared seat
    seat_change: dict[str, int]  # over the councils compared only
    councils_compared: int
    seats_won_compared: dict[str, int]  # the seats won in the councils compared: seat_change's base
    lumped: tuple[frozenset[str], ...] = ()  # the parties named by each counted council that lumps the rest as Other

    @property
    def complete(self) -> bool:
        return self.councils_final == self.councils_total

    def control_change(self) -> dict[str, int]:
        return parties.subtract_seats(self.control, self.control_before)

    def seats_exact(self, party: str) -> bool:
        """Whether the party's seat figures are whole: no council counted lumps smaller
        parties as ``Other`` without naming this one (its seats there could be in the lump)."""
        return all(party in named for named in self.lumped)


def _add_into(totals: dict[str, int], seats: dict[str, int], sign: int) -> None:
    for p, n in seats.items():
        totals[p] = totals.get(p, 0) + sign * n


class TallyBuilder:
    """Adds up council results for one group. A council's contribution is taken out and
    put back when its result changes, so corrections never double count and each update
    costs the same however many councils have declared."""

    def __init__(self, group: Group, councils_total: int) -> None:
        self.group = group
        self.councils_total = councils_total
        self._results: dict[str, CouncilResult] = {}
        self._control: dict[str, int] = {}
        self._before: dict[str, int] = {}
        self._seats: dict[str, int] = {}
        self._change: dict[str, int] = {}
        self._won_compared: dict[str, int] = {}
        self._gained: dict[str, dict[str, None]] = {}  # sets of council slugs (see _ordered)
        self._lost: dict[str, dict[str, None]] = {}
        self._lumped: dict[str, frozenset[str]] = {}  # council slug -> parties it names, where it lumps
        self._final_seq: dict[str, int] = {}  # council slug -> when its result first became final
        self._next_seq = 0
        self._finals = 0
        self._compared = 0

    def _apply(self, r: CouncilResult, sign: int) -> None:
        _add_into(self._seats, r.seats_won, sign)
        if "Other" in r.seats_won:
            if sign > 0:
                self._lumped[r.slug] = frozenset(r.seats_won)
            else:
                self._lumped.pop(r.slug, None)
        if not r.final:
            return
        self._finals += sign
        _add_into(self._control, {r.control_after: 1}, sign)
        if r.control_before:
            _add_into(self._before, {r.control_before: 1}, sign)
        moves = []
        if r.result_kind == "gain":
            moves.append((self._gained, r.control_after))
            if r.control_before != parties.NOC:
                moves.append((self._lost, r.control_before))
        elif r.result_kind == "lose":
            moves.append((self._lost, r.control_before))
        for table, party in moves:
            if sign > 0:
                table.setdefault(party, {})[r.slug] = None
            else:
                table[party].pop(r.slug, None)
        if r.seat_change is not None:
            self._compared += sign
            _add_into(self._change, r.seat_change, sign)
            _add_into(self._won_compared, r.seats_won_compared or {}, sign)

    def keep_order_of(self, other: "TallyBuilder") -> None:
        """Take the night's order of councils from ``other`` (the same group worked out
        before): a night worked out again, without a withdrawn declaration, keeps every
        council's place in the running counts."""
        self._final_seq = dict(other._final_seq)
        self._next_seq = max(self._next_seq, other._next_seq)

    def put(self, result: CouncilResult) -> None:
        old = self._results.get(result.slug)
        if old is not None:
            self._apply(old, -1)
        self._results[result.slug] = result
        # a council keeps its place in the night's order from the moment its result first
        # became final (a council total declared after its last ward changes nothing), even
        # through a withdrawal and a corrected declaration: running counts ("the fourth
        # council Labour has gained") keep their declaration-order values; a council that is
        # not final is not counted, whatever its place
        if result.final and result.slug not in self._final_seq:
            self._final_seq[result.slug] = self._next_seq
            self._next_seq += 1
        self._apply(result, +1)

    def _ordered(self, table: dict[str, dict[str, None]], party: str) -> tuple[str, ...]:
        """A party's councils in the order their results first became final."""
        seq = self._final_seq
        return tuple(sorted(table.get(party, ()), key=lambda slug: seq.get(slug, 1 << 60)))

    def gained_rank(self, party: str, slug: str) -> int:
        """Where ``slug`` comes among the councils the party has gained (1 = first), in the
        order they became final; 0 if it is not one of them."""
        return self._rank(self._gained, party, slug)

    def lost_rank(self, party: str, slug: str) -> int:
        return self._rank(self._lost, party, slug)

    def _rank(self, table: dict[str, dict[str, None]], party: str, slug: str) -> int:
        members = table.get(party, {})
        if slug not in members:
            return 0
        mine = self._final_seq.get(slug, 1 << 60)
        return 1 + sum(1 for other in members if self._final_seq.get(other, 1 << 60) < mine)

    def gained_count(self, party: str) -> int:
        return len(self._gained.get(party, ()))

    def lost_count(self, party: str) -> int:
        return len(self._lost.get(party, ()))

    def view(self) -> Tally:
        """The tally as it stands, sharing the builder's live tables where it can (no
        copying of seat tables, so it costs the same however many parties there are):
        valid until the next ``put``."""
        return Tally(self.group, self.councils_total, self._finals, self._control, self._before,
                     {p: self._ordered(self._gained, p) for p in self._gained},
                     {p: self._ordered(self._lost, p) for p in self._lost},
                     self._seats, self._change, self._compared, self._won_compared,
                     tuple(self._lumped.values()))  # type: ignore[arg-type]

    def snapshot(self) -> Tally:
        def clean(d: dict[str, int]) -> dict[str, int]:
            return {p: n for p, n in d.items() if n}

        return Tally(self.group, self.councils_total, self._finals, clean(self._control),
                     clean(self._before),
                     {p: self._ordered(self._gained, p) for p, v in self._gained.items() if v},
                     {p: self._ordered(self._lost, p) for p, v in self._lost.items() if v},
                     clean(self._seats), {p: n for p, n in self._change.items()}, self._compared,
                     clean(self._won_compared), tuple(self._lumped.values()))
