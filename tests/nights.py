"""Invented election nights of shapes unlike 2022, built by code.

Each builder writes a complete election directory in the shape of ``../shared/data/FORMAT.md``
(election.toml, councils.csv, baseline/councils.csv, baseline/wards.csv, results/wards.csv,
results/councils.csv, history.csv, general_election.csv and reference/expected.csv) into a
folder, deterministically for a seed, and returns a :class:`BuiltNight`: what the night was
built to mean (each council's control before and after, its seats won and its seat change,
who gained and lost what). Everything in them is invented: places, councils, candidates,
codes and figures. Pure standard library, so that a test can check the writer against what
the builder intended rather than against the writer's own reading of the files.

- :func:`county_sweep_night`: twelve county councils (E10 codes, divisions of one or two
  seats, all-out, 2029 against 2025). Reform UK, which won next to nothing in 2025, takes eight
  of them (seven from the Conservatives, one from no overall control); two go to no overall
  control, the Liberal Democrats take one and the Conservatives hold one.
- :func:`collapse_night`: 24 councils (all-out and thirds, 2031 against 2027). Labour defends
  16 and loses 12 (nine to no overall control, one each to the Liberal Democrats, the
  Conservatives and the Greens).
- :func:`general_election_csv`: a synthetic 650-constituency general_election.csv.

How the votes are made: each ward's winners are decided first (with a lean to the party that
held the seat last time and, in multi-member wards, to a party that already has a seat there);
then each party's vote is drawn around the council's level with noise from ward to ward, the
parties that win are moved above those that do not, and the last winner's lead over the best
loser is kept at one vote or more. Elected = the top ``seats_in_ward`` by votes, never a tie at
the cut, every vote count in a ward distinct.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

BST = timezone(timedelta(hours=1))
GROUPS = frozenset({"Ind", "Res", "Other", "Vacant"})  # never control a council
NOC = "NOC"
ORDER = ("Con", "Lab", "LD", "Green", "Reform", "Ind", "Res")


# -- seat lists and control ----------------------------------------------------------------------


def party_order(p: str) -> tuple[int, str]:
    return (ORDER.index(p) if p in ORDER else len(ORDER), p)


def majority_needed(total: int) -> int:
    return total // 2 + 1


def control_of(composition: dict[str, int], total: int) -> str:
    """The party holding a majority of ALL seats; Ind, Res, Other and Vacant never control."""
    need = majority_needed(total)
    for p, n in composition.items():
        if p not in GROUPS and n >= need:
            return p
    return NOC


def result_of(before: str, after: str) -> tuple[str, str]:
    """(results-service words, kind) as the writer names them: gain, lose, hold, no_change."""
    if before == after:
        return ("NOC no change", "no_change") if after == NOC else (f"{after} hold", "hold")
    if after == NOC:
        return f"{before} lose to NOC", "lose"
    return f"{after} gain from {before}", "gain"


def seat_list(seats: dict[str, int]) -> str:
    """``Con:22;Lab:41``: parties with seats, in a fixed order."""
    return ";".join(f"{p}:{n}" for p, n in sorted(seats.items(), key=lambda kv: party_order(kv[0])) if n)


def signed_list(change: dict[str, int]) -> str:
    """``Con:-16;Lab:+16;LD:+0`` as reference/expected.csv writes a seat change."""
    return ";".join(f"{p}:{n:+d}" for p, n in sorted(change.items(), key=lambda kv: party_order(kv[0])))


def _add(a: dict[str, int], b: dict[str, int], sign: int = 1) -> dict[str, int]:
    out = Counter(a)
    for p, n in b.items():
        out[p] += sign * n
    return {p: n for p, n in out.items() if n}


def slugify(text: str) -> str:
    text = text.lower().replace("&", " and ").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# -- what a built night means ----------------------------------------------------------------------


@dataclass
class CouncilTruth:
    council: str
    slug: str
    gss_code: str
    region: str
    cycle: str
    total_seats: int
    seats_up: int
    control_before: str
    control_after: str
    composition_before: dict[str, int]
    composition_after: dict[str, int]
    baseline_seats_won: dict[str, int]  # the baseline's holders of the seats compared
    seats_won: dict[str, int]
    seat_change: dict[str, int]  # every party that won or held a compared seat, 0 included
    result: str  # "Reform gain from Con", "Lab lose to NOC", "Con hold", "NOC no change"
    result_kind: str  # gain, lose, hold, no_change
    kind: str  # what the builder set out to make ("reform_gain", "lab_noc", ...)
    first_declared: datetime
    declared_at: datetime  # the council total

    @property
    def gained_by(self) -> str | None:
        return self.control_after if self.result_kind == "gain" else None

    @property
    def lost_by(self) -> str | None:
        return self.control_before if self.result_kind in ("gain", "lose") and self.control_before != NOC else None


@dataclass
class BuiltNight:
    root: Path
    name: str
    poll_date: date
    baseline_year: int
    councils: dict[str, CouncilTruth] = field(default_factory=dict)

    def gains(self) -> dict[str, list[str]]:
        """Party -> slugs of the councils it gained."""
        out: dict[str, list[str]] = {}
        for c in self.councils.values():
            if c.gained_by:
                out.setdefault(c.gained_by, []).append(c.slug)
        return out

    def losses(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for c in self.councils.values():
            if c.lost_by:
                out.setdefault(c.lost_by, []).append(c.slug)
        return out

    def control_count(self, when: str = "after") -> Counter:
        return Counter(c.control_after if when == "after" else c.control_before for c in self.councils.values())

    def seats_won(self) -> Counter:
        out: Counter = Counter()
        for c in self.councils.values():
            out.update(c.seats_won)
        return out

    def seat_change(self) -> Counter:
        out: Counter = Counter()
        for c in self.councils.values():
            out.update(c.seat_change)
        return out

    def results(self) -> Counter:
        return Counter(c.result for c in self.councils.values())

    def summary(self) -> str:
        lines = [f"{self.name}: {len(self.councils)} councils, {sum(c.seats_up for c in self.councils.values())} seats up "
                 f"({Counter(c.cycle for c in self.councils.values())})"]
        lines.append("results: " + ", ".join(f"{r} x{n}" for r, n in sorted(self.results().items())))
        lines.append("control before: " + seat_list(dict(self.control_count("before"))))
        lines.append("control after:  " + seat_list(dict(self.control_count("after"))))
        won = self.seats_won()
        change = self.seat_change()
        lines.append("seats won (change): " + ", ".join(
            f"{p} {won.get(p, 0)} ({change.get(p, 0):+d})" for p in sorted(set(won) | set(change), key=party_order)))
        return "\n".join(lines)


# -- invented names ----------------------------------------------------------------------------------

_SURNAMES = """Abbott Ackroyd Ainsworth Allard Ashdown Bagshaw Bairstow Barraclough Batty Beddoes Bellamy Birtwistle
Blakemore Bolton Bramley Brereton Broadhurst Buckley Calloway Capstick Catterick Chadwick Challoner Cheetham Clegg
Clough Cowgill Crabtree Cragg Dacre Dawber Denholm Dinsdale Dobbs Duckworth Eccles Edmondson Entwistle Fairclough
Farrar Fenwick Fothergill Garside Gaskell Gledhill Goodall Greenhalgh Grimshaw Haigh Halliwell Hargreaves Hartley
Haworth Heseltine Hindle Holroyd Horsfall Hulme Ibbotson Illingworth Jagger Jepson Kenyon Kershaw Kitching Lambert
Lancaster Leatherbarrow Lightfoot Lomax Lund Marsden Mellor Metcalfe Midgley Moorhouse Mottram Naylor Nuttall
Ogden Openshaw Pickles Pilling Platt Priestley Pullan Ramsden Rawnsley Riley Rishworth Roebuck Royle Sagar Scholes
Sharples Shuttleworth Sowerby Stansfield Sugden Sutcliffe Swithenbank Tattersall Thackray Tordoff Towler Umpleby
Varley Wadsworth Walmsley Warburton Whiteley Wilkinson Wolstenholme Worsley Yeadon Ahmed Begum Chowdhury Hussain
Kaur Malik Patel Rahman Singh Okafor Mensah Nowak Kowalski Costa Ferreira Murphy Byrne Doyle Quinn Evans Griffiths
Price Pritchard Vaughan Maddox Tremayne Penrose Trelawny Carne Boscawen""".split()
_INITIALS = "ABCDEFGHIJKLMNPRSTVWY"

_HEADS = """Ald Amber Arn Ash Aven Bar Beck Bell Birk Black Brack Bram Brind Brock Cal Carr Chal Clay Cold Cor Cran Dun
Ell Elm Esk Fal Fell Fern Fox Gar Gorse Gren Hal Hare Hawk Hazel Heath Hol Hun Ivel Kel Kes Kirk Lang Lark Lin Marl
Mer Moss Nor Oak Orr Pel Quen Rav Red Ross Rush Sal Sand Shel Stan Stone Tarn Thorn Tol Ul Wel Wex Whin Wil Yar
Yew""".split()
_TAILS = """bury by cote dale den don field gate ham holme hurst ley low mere moor stead thorpe ton well wick worth wood
combe brook hay""".split()
_QUALIFIERS = ["North", "South", "East", "West", "Central", "Rural", "Park", "Village", "Valley", "Hill"]


def _place(rng: random.Random) -> str:
    return rng.choice(_HEADS) + rng.choice(_TAILS)


def _ward_names(rng: random.Random, n: int, *, division: bool = False) -> list[tuple[str, str]]:
    """n distinct (tonight's name, the baseline's name) pairs; a few differ in '&'/'and' or
    casing between the years, as sources write them."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(out) < n:
        r = rng.random()
        a = _place(rng)
        if r < 0.45:
            name = a
        elif r < 0.7:
            name = f"{a} {rng.choice(_QUALIFIERS)}"
        elif r < 0.9:
            name = f"{a} & {_place(rng)}"
        else:
            name = f"{rng.choice(['Upper', 'Lower', 'Great', 'Little', 'St'])} {a}"
        key = slugify(name)
        if key in seen or (division and len(name) > 40):
            continue
        seen.add(key)
        base = name
        if "&" in name and rng.random() < 0.3:
            base = name.replace("&", "and")
        elif rng.random() < 0.04:
            base = name.upper()
        out.append((name, base))
    return out


class _Names:
    """Candidate names ("A. Smith"), distinct within a ward."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def ward(self, n: int) -> list[str]:
        out: list[str] = []
        while len(out) < n:
            name = f"{self.rng.choice(_INITIALS)}. {self.rng.choice(_SURNAMES)}"
            if name not in out:
                out.append(name)
        return out


# -- seat counts ------------------------------------------------------------------------------------


def _fill(rng: random.Random, total: int, fixed: dict[str, int], weights: dict[str, float],
          cap: dict[str, int] | None = None) -> dict[str, int]:
    """``fixed`` plus the rest of ``total`` shared by ``weights`` (each jittered), largest
    remainder; a party capped in ``cap`` gives its excess to the heaviest uncapped party."""
    rest = total - sum(fixed.values())
    assert rest >= 0, (total, fixed)
    w = {p: v * rng.uniform(0.6, 1.4) for p, v in weights.items() if v > 0}
    s = sum(w.values())
    quota = {p: rest * v / s for p, v in w.items()}
    out = {p: int(q) for p, q in quota.items()}
    for p in sorted(quota, key=lambda p: out[p] - quota[p])[:rest - sum(out.values())]:
        out[p] += 1
    for p, limit in (cap or {}).items():
        if out.get(p, 0) > limit:
            extra = out[p] - limit
            out[p] = limit
            heaviest = max((q for q in w if q not in (cap or {})), key=lambda q: w[q])
            out[heaviest] += extra
    out = _add(out, fixed)
    assert sum(out.values()) == total
    return out


def _sample_up(rng: random.Random, before: dict[str, int], k: int, favour: dict[str, float]) -> dict[str, int]:
    """k of the seats in ``before``, drawn without replacement (a party in ``favour`` is
    likelier to hold a seat up: the baseline was its good year)."""
    pool = [p for p, n in before.items() for _ in range(n)]
    out: Counter = Counter()
    for _ in range(k):
        weights = [favour.get(p, 1.0) for p in pool]
        i = rng.choices(range(len(pool)), weights=weights)[0]
        out[pool.pop(i)] += 1
    return dict(out)


def _allocate(rng: random.Random, ward_of: list[int], counts: dict[str, int], *, prefer: list[str] | None = None,
              order: list[str] | None = None, stick: float = 1.6, cluster: float = 0.9) -> list[str]:
    """A party for each seat slot (``ward_of``: the ward of each slot), ``counts[p]`` slots
    each. A party takes first the slots ``prefer`` gives it (who held the seat) and slots in
    wards where it already has a seat."""
    n = len(ward_of)
    assert sum(counts.values()) == n, (counts, n)
    noise = [rng.random() for _ in range(n)]
    out: list[str | None] = [None] * n
    parties = [p for p in (order or []) if counts.get(p)] + sorted(
        (p for p in counts if counts[p] and p not in (order or [])), key=lambda p: counts[p])
    for p in parties:
        for _ in range(counts[p]):
            have = {ward_of[i] for i in range(n) if out[i] == p}
            best = max((i for i in range(n) if out[i] is None),
                       key=lambda i: noise[i] + (stick if prefer and prefer[i] == p else 0)
                       + (cluster if ward_of[i] in have else 0) + rng.random() * 0.3)
            out[best] = p
    return out  # type: ignore[return-value]


# -- votes -----------------------------------------------------------------------------------------------


def _ward_votes(rng: random.Random, names: _Names, seats: int, winners: list[str], means: dict[str, float],
                standing: dict[str, float], ballots: int, *, top_first: bool = False, full_slate: float = 0.85
                ) -> list[tuple[str, str, int, bool]]:
    """Candidates (name, party, votes, elected) of one ward whose top ``seats`` by votes are
    ``winners`` (a party per seat; with ``top_first`` the top-placed is ``winners[0]``'s).
    ``standing``: the chance each party stands here; ``means``: its usual level of support."""
    need = Counter(winners)
    slates: list[tuple[str, int, int]] = []  # (party, candidates, winners)
    for p in sorted(set(standing) | set(need), key=party_order):
        if p == "Ind":
            k = need[p] + (1 if rng.random() < standing.get(p, 0) else 0)
            slates += [("Ind", 1, 1 if i < need[p] else 0) for i in range(k)]
            continue
        if not need[p] and rng.random() >= standing.get(p, 0):
            continue
        n = seats if (seats > 1 and rng.random() < full_slate) else rng.randint(1, seats)
        slates.append((p, max(n, need[p]), need[p]))
    while sum(n for _, n, _ in slates) <= seats:  # always contested
        p = rng.choice([q for q in ("Green", "LD", "Lab", "Con") if q not in {s[0] for s in slates}] or ["Ind"])
        slates.append((p, 1, 0))
    first = winners[0]
    for _ in range(200):
        level = [means.get(p, 0.05) * rng.lognormvariate(0, 0.35) for p, _, _ in slates]
        win = [i for i, s in enumerate(slates) if s[2]]
        lose = [i for i, s in enumerate(slates) if not s[2]]
        while lose and min(level[i] for i in win) <= max(level[i] for i in lose):
            a = min(win, key=lambda i: level[i])
            b = max(lose, key=lambda i: level[i])
            level[a], level[b] = level[b], level[a]
        if top_first:
            top = max(range(len(slates)), key=lambda i: level[i])
            mine = max((i for i in win if slates[i][0] == first), key=lambda i: level[i])
            level[top], level[mine] = level[mine], level[top]
        scale = ballots / sum(level)
        cands: list[list] = []  # [party, votes, is_winner]
        for (p, n, w), lv in zip(slates, level):
            v = lv * scale
            for j in range(n):
                cands.append([p, max(int(round(v)), 15), j < w])
                v *= 1 - rng.uniform(0.01, 0.08)
        cut = min(c[1] for c in cands if c[2])
        for c in cands:
            if not c[2] and c[1] >= cut:
                c[1] = cut - rng.randint(1, max(2, int(cut * rng.choice((0.01, 0.04, 0.1)))))
        cands.sort(key=lambda c: (-c[1], not c[2]))
        for i in range(1, len(cands)):
            if cands[i][1] >= cands[i - 1][1]:
                cands[i][1] = cands[i - 1][1] - 1
        if cands[-1][1] < 5:
            continue
        top = cands[:seats]
        if Counter(c[0] for c in top) != need or not all(c[2] for c in top):
            continue
        if top_first and cands[0][0] != first:
            continue
        people = names.ward(len(cands))
        return [(name, p, v, i < seats) for i, (name, (p, v, _)) in enumerate(zip(people, cands))]
    raise AssertionError(f"could not make votes for {winners}")


def _means(composition: dict[str, int], floor: dict[str, float]) -> dict[str, float]:
    """A party's usual level in a council: its share of seats, softened."""
    total = sum(composition.values()) or 1
    out = dict(floor)
    for p, n in composition.items():
        out[p] = out.get(p, 0.04) + 0.6 * n / total
    return out


# -- councils ---------------------------------------------------------------------------------------------


@dataclass
class _Ward:
    name: str
    base_name: str
    code: str
    seats: int
    base_seats: int
    base: list[str]  # the baseline's winners, top-placed first
    now: list[str]  # tonight's winners
    not_up: list[str] = field(default_factory=list)
    declared_at: datetime | None = None

    @property
    def compared(self) -> list[str]:
        """The baseline holders of tonight's seats: its top-placed winners."""
        return self.base[:self.seats]


@dataclass
class _Council:
    name: str
    slug: str
    gss: str
    region: str
    cycle: str
    kind: str
    wards: list[_Ward]
    composition_before: dict[str, int]
    baseline: dict  # cycle, total_seats, seats_up, composition_after
    history: list[tuple[int, int | None, str]]
    means_base: dict[str, float]
    means_now: dict[str, float]
    standing_base: dict[str, float]
    standing_now: dict[str, float]
    ballots: tuple[int, int]  # voters in a ward per seat, range
    want: tuple[str, str] = ("", "")  # control before and after, as intended
    declared_at: datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.composition_before.values())

    @property
    def seats_up(self) -> int:
        return sum(w.seats for w in self.wards)

    def won(self) -> dict[str, int]:
        return dict(Counter(p for w in self.wards for p in w.now))

    def compared(self) -> dict[str, int]:
        return dict(Counter(p for w in self.wards for p in w.compared))

    def held_up(self) -> dict[str, int]:
        """Holders of the seats up tonight on the eve of poll."""
        if self.cycle == "all-out":
            return dict(self.composition_before)
        return self.compared()

    def composition_after(self) -> dict[str, int]:
        return _add(_add(self.composition_before, self.held_up(), -1), self.won())

    def truth(self) -> CouncilTruth:
        total = self.total
        before = control_of(self.composition_before, total)
        after_comp = self.composition_after()
        after = control_of(after_comp, total)
        won, compared = self.won(), self.compared()
        change = {p: won.get(p, 0) - compared.get(p, 0) for p in set(won) | set(compared)}
        words, kind = result_of(before, after)
        return CouncilTruth(self.name, self.slug, self.gss, self.region, self.cycle, total, self.seats_up, before,
                            after, dict(self.composition_before), after_comp, compared, won, change, words, kind,
                            self.kind, min(w.declared_at for w in self.wards), self.declared_at)


def _ward_codes(start: int):
    n = start
    while True:
        yield f"E05{n:06d}"
        n += 1


def _allout_wards(rng: random.Random, sizes: list[int], base: dict[str, int], now: dict[str, int],
                  codes, *, division: bool = False, order_base=None, order_now=None) -> list[_Ward]:
    names = _ward_names(rng, len(sizes), division=division)
    ward_of = [i for i, s in enumerate(sizes) for _ in range(s)]
    b = _allocate(rng, ward_of, base, order=order_base)
    t = _allocate(rng, ward_of, now, prefer=b, order=order_now)
    wards = []
    for i, ((name, base_name), s) in enumerate(zip(names, sizes)):
        bw = [b[j] for j in range(len(ward_of)) if ward_of[j] == i]
        tw = [t[j] for j in range(len(ward_of)) if ward_of[j] == i]
        rng.shuffle(bw)
        wards.append(_Ward(name, base_name, next(codes), s, s, bw, tw))
    return wards


def _thirds_wards(rng: random.Random, n: int, base_up: dict[str, int], not_up: dict[str, int],
                  now_up: dict[str, int], codes) -> list[_Ward]:
    """n wards of three councillors, one seat up tonight, last fought (one seat) in the baseline."""
    names = _ward_names(rng, n)
    up = _allocate(rng, list(range(n)), base_up)
    stay = _allocate(rng, [i for i in range(n) for _ in range(2)], not_up, prefer=[up[i] for i in range(n) for _ in range(2)],
                     stick=0.8)
    tonight = _allocate(rng, list(range(n)), now_up, prefer=up)
    return [_Ward(name, base_name, next(codes), 1, 1, [up[i]], [tonight[i]], [stay[2 * i], stay[2 * i + 1]])
            for i, (name, base_name) in enumerate(names)]


def _sizes(rng: random.Random, total: int, mix: dict[int, float]) -> list[int]:
    """Ward sizes adding up to total, drawn from ``mix`` (size -> weight)."""
    while True:
        out: list[int] = []
        while sum(out) < total:
            left = total - sum(out)
            options = [s for s in mix if s <= left]
            if not options:
                break
            out.append(rng.choices(options, weights=[mix[s] for s in options])[0])
        if sum(out) == total:
            return out


# -- the night's clock -------------------------------------------------------------------------------------


def _schedule(rng: random.Random, c: _Council, start: datetime, gap: tuple[int, int]) -> None:
    """Each ward one declaration, in a random order from ``start``; the council total after the last."""
    t = start
    order = list(c.wards)
    rng.shuffle(order)
    for w in order:
        w.declared_at = t
        t += timedelta(minutes=rng.randint(*gap))
    c.declared_at = max(w.declared_at for w in c.wards) + timedelta(minutes=rng.randint(4, 25))


def _starts(rng: random.Random, poll: date, n_overnight: int, n_day: int) -> list[datetime]:
    night = datetime.combine(poll, time(23, 0), BST)
    day = datetime.combine(poll + timedelta(days=1), time(9, 30), BST)
    return ([night + timedelta(minutes=rng.randint(5, 150)) for _ in range(n_overnight)]
            + [day + timedelta(minutes=rng.randint(0, 210)) for _ in range(n_day)])


# -- writing the directory --------------------------------------------------------------------------------


def _write(path: Path, cols: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def _write_night(root: Path, rng: random.Random, *, election: str, councils: list[_Council], poll: date,
                 baseline_year: int, name: str, ge_seed: int) -> BuiltNight:
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "election.toml").write_text(election, encoding="utf-8")
    names = _Names(rng)
    crow, brow, bwards, twards, totals, hist, expected = [], [], [], [], [], [], []
    built = BuiltNight(root, name, poll, baseline_year)
    for c in sorted(councils, key=lambda c: c.name):
        truth = c.truth()
        assert (truth.control_before, truth.control_after) == c.want, (c.slug, truth.result, c.kind)
        built.councils[c.slug] = truth
        crow.append(dict(council=c.name, slug=c.slug, gss_code=c.gss, region=c.region, cycle=c.cycle,
                         total_seats=truth.total_seats, seats_up=truth.seats_up, control_before=truth.control_before,
                         composition_before=seat_list(truth.composition_before), new_council="no", boundary_change="no"))
        b = c.baseline
        brow.append(dict(council=c.name, slug=c.slug, cycle=b["cycle"], total_seats=b["total_seats"],
                         seats_up=b["seats_up"], seats_won=seat_list(dict(Counter(p for w in c.wards for p in w.base))),
                         composition_after=seat_list(b["composition_after"]),
                         control_after=control_of(b["composition_after"], b["total_seats"])))
        for w in c.wards:
            lo, hi = c.ballots
            for which, seats, winners, means, standing, ward_name, rows in (
                    ("base", w.base_seats, w.base, c.means_base, c.standing_base, w.base_name, bwards),
                    ("now", w.seats, w.now, c.means_now, c.standing_now, w.name, twards)):
                ballots = int(rng.randint(lo, hi) * (1 + 0.8 * (seats - 1)))
                cands = _ward_votes(rng, names, seats, winners, means, standing, ballots,
                                    top_first=(which == "base" and w.base_seats > w.seats))
                for cand, party, votes, elected in cands:
                    row = dict(council=c.name, slug=c.slug, ward=ward_name, ward_code=w.code, seats_in_ward=seats,
                               candidate=cand, party=party, votes=votes, elected="yes" if elected else "no")
                    if which == "now":
                        row["declared_at"] = w.declared_at
                    rows.append(row)
        totals.append(dict(council=c.name, slug=c.slug, seats_won=seat_list(truth.seats_won),
                           composition_after=seat_list(truth.composition_after), declared_at=c.declared_at))
        for start, end, control in c.history:
            hist.append(dict(council=c.name, slug=c.slug, from_year=start, to_year="" if end is None else end,
                             control=control))
        expected.append(dict(council=c.name, slug=c.slug, control_before=truth.control_before,
                             control_after=truth.control_after, seat_change=signed_list(truth.seat_change), note=""))
    twards.sort(key=lambda r: r["declared_at"])  # stable: a ward's candidates stay together, by votes
    for r in twards:
        r["declared_at"] = _iso(r["declared_at"])
    totals.sort(key=lambda r: r["declared_at"])
    for r in totals:
        r["declared_at"] = _iso(r["declared_at"])
    ward_cols = ["council", "slug", "ward", "ward_code", "seats_in_ward", "candidate", "party", "votes", "elected"]
    _write(root / "councils.csv", ["council", "slug", "gss_code", "region", "cycle", "total_seats", "seats_up",
                                   "control_before", "composition_before", "new_council", "boundary_change"], crow)
    _write(root / "baseline" / "councils.csv", ["council", "slug", "cycle", "total_seats", "seats_up", "seats_won",
                                                "composition_after", "control_after"], brow)
    _write(root / "baseline" / "wards.csv", ward_cols, bwards)
    _write(root / "results" / "wards.csv", ward_cols + ["declared_at"], twards)
    _write(root / "results" / "councils.csv", ["council", "slug", "seats_won", "composition_after", "declared_at"], totals)
    _write(root / "history.csv", ["council", "slug", "from_year", "to_year", "control"], hist)
    _write(root / "reference" / "expected.csv", ["council", "slug", "control_before", "control_after", "seat_change",
                                                 "note"], expected)
    general_election_csv(root / "general_election.csv", ge_seed)
    return built


def _election_toml(*, poll: date, baseline: date, name: str, pns: dict[str, int], note: str) -> str:
    values = ", ".join(f"{p} = {v}" for p, v in pns.items())
    return f"""# INVENTED TEST NIGHT, built by tests/nights.py: {note}
# Every council, ward, candidate, code and figure in this directory is invented.
id = "local.{poll.isoformat()}"
name = "{name}"
poll_date = {poll.isoformat()}
polls_close = {poll.isoformat()}T22:00:00+01:00
baseline_id = "local.{baseline.isoformat()}"
baseline_label = "{baseline.year}"

[[context]]
key = "pns_{baseline.year}"
label = "Projected national share, {baseline.year} local elections (invented figures)"
unit = "percent"
values = {{ {values} }}
source = "Invented for a test night (tests/nights.py); not a real BBC figure"
cite = "the BBC"
"""


# -- 1. the county sweep -------------------------------------------------------------------------------------

#: name, region, what happens tonight
COUNTIES = [
    ("Brackenshire", "East Midlands", "reform_gain"),
    ("Carrowshire", "East of England", "reform_gain"),
    ("Dunsmere", "South East", "con_hold"),
    ("Elmshire", "West Midlands", "reform_gain"),
    ("Fallowshire", "East of England", "reform_from_noc"),
    ("Greywold", "Yorkshire and The Humber", "reform_gain"),
    ("Hartwold", "South West", "ld_gain"),
    ("Ivelshire", "East Midlands", "con_noc"),
    ("Kestrelmoor", "North West", "reform_gain"),
    ("Larkshire", "South East", "con_noc"),
    ("Marrowdown", "South West", "reform_gain"),
    ("Tarnshire", "West Midlands", "reform_gain"),
]
_COUNTY_AFTER = {"reform_gain": "Reform", "reform_from_noc": "Reform", "ld_gain": "LD", "con_noc": NOC,
                 "con_hold": "Con"}


def _county_counts(rng: random.Random, kind: str, total: int, reform_seat: bool):
    """(baseline seats, eve-of-poll composition, tonight's seats) for a county."""
    need = majority_needed(total)
    for _ in range(1000):
        reform = {"Reform": 1} if reform_seat else {}
        if kind == "ld_gain":
            base = _fill(rng, total, {"Con": need + rng.randint(1, 4), **reform},
                         {"LD": 0.75, "Lab": 0.12, "Green": 0.05, "Ind": 0.08})
        elif kind == "reform_from_noc":
            base = _fill(rng, total, {"Con": need + rng.randint(0, 2), **reform},
                         {"LD": 0.5, "Lab": 0.3, "Green": 0.08, "Ind": 0.12})
        else:
            base = _fill(rng, total, {"Con": need + rng.randint(4, 16), **reform},
                         {"LD": 0.5, "Lab": 0.3, "Green": 0.08, "Ind": 0.12})
        before = dict(base)
        if kind == "reform_from_noc":  # Conservatives who left the group since 2025 sit as independents
            gone = base["Con"] - (need - 2)
            before = _add(base, {"Con": -gone, "Ind": gone})
        elif rng.random() < 0.5:  # a by-election or a defection: the eve of poll is not the baseline
            before = _add(base, {"Con": -1, rng.choice(["LD", "Ind", "Reform"]): 1})
        ind = {"Ind": base.get("Ind", 0)}
        if kind in ("reform_gain", "reform_from_noc"):
            now = _fill(rng, total, {"Reform": need + rng.randint(2, 12)},
                        {"Con": 0.5, "LD": 0.25, "Lab": 0.1, "Green": 0.07, "Ind": 0.08}, cap=ind)
        elif kind == "con_noc":
            now = _fill(rng, total, {"Reform": need - rng.randint(4, 10)},
                        {"Con": 0.55, "LD": 0.25, "Lab": 0.1, "Green": 0.05, "Ind": 0.05}, cap=ind)
        elif kind == "ld_gain":
            now = _fill(rng, total, {"LD": need + rng.randint(1, 5)},
                        {"Reform": 0.45, "Con": 0.4, "Lab": 0.07, "Green": 0.04, "Ind": 0.04}, cap=ind)
        else:
            now = _fill(rng, total, {"Con": need + rng.randint(1, 4)},
                        {"Reform": 0.55, "LD": 0.25, "Lab": 0.1, "Green": 0.05, "Ind": 0.05}, cap=ind)
        want_before = NOC if kind == "reform_from_noc" else "Con"
        if control_of(base, total) == "Con" and control_of(before, total) == want_before \
                and control_of(now, total) == _COUNTY_AFTER[kind]:
            return base, before, now
    raise AssertionError(kind)


def _county_history(rng: random.Random, kind: str) -> list[tuple[int, int | None, str]]:
    if kind == "ld_gain":
        return [(1973, 1993, "Con"), (1993, 1997, "LD"), (1997, 2001, NOC), (2001, None, "Con")]
    since = rng.choice([1973, 1977, 1981, 1985])
    periods = [] if since == 1973 else [(1973, since, NOC)]
    if kind == "reform_from_noc":
        return periods + [(since, 2028, "Con"), (2028, None, NOC)]
    return periods + [(since, None, "Con")]


def county_sweep_night(root: str | Path, seed: int = 2029) -> BuiltNight:
    """Twelve county councils, 2029 against 2025 (all-out, divisions of one or two seats,
    no boundary changes). Reform UK, which stood in few divisions in 2025 and won at most a
    seat or two, gains eight (seven from the Conservatives, Fallowshire from no overall
    control after Conservative defections); Ivelshire and Larkshire go to no overall control;
    the Liberal Democrats gain Hartwold; the Conservatives hold Dunsmere. Writes the night
    into ``root`` and returns what it was built to mean."""
    rng = random.Random(seed)
    poll, baseline = date(2029, 5, 3), date(2025, 5, 1)
    codes = _ward_codes(990001)
    councils: list[_Council] = []
    reform_seats = set(rng.sample(range(len(COUNTIES)), 2))
    starts = _starts(rng, poll, 4, 8)
    rng.shuffle(starts)
    for i, (name, region, kind) in enumerate(COUNTIES):
        total = rng.randint(44, 68)
        base, before, now = _county_counts(rng, kind, total, i in reform_seats)
        sizes = _sizes(rng, total, {1: 0.86, 2: 0.14})
        order_now = [p for p in ("Ind", "Green", "Lab", "LD", "Con", "Reform") if p != _COUNTY_AFTER[kind]] + [_COUNTY_AFTER[kind]]
        wards = _allout_wards(rng, sizes, base, now, codes, division=True, order_now=order_now)
        c = _Council(name, slugify(name), f"E10{900001 + i:06d}", region, "all-out", kind, wards, before,
                     dict(cycle="all-out", total_seats=total, seats_up=total, composition_after=base),
                     _county_history(rng, kind),
                     means_base=_means(base, {"Reform": 0.06, "Green": 0.05, "Lab": 0.1, "LD": 0.1}),
                     means_now=_means(now, {"Con": 0.12, "Lab": 0.06, "LD": 0.06, "Green": 0.05}),
                     standing_base={"Con": 1, "Lab": 0.9, "LD": 0.85, "Green": 0.6, "Reform": 0.12, "Ind": 0.1},
                     standing_now={"Con": 1, "Lab": 0.85, "LD": 0.85, "Green": 0.75, "Reform": 0.97, "Ind": 0.1},
                     ballots=(2300, 5200))
        c.want = (NOC if kind == "reform_from_noc" else "Con", _COUNTY_AFTER[kind])
        overnight = starts[i].hour >= 23 or starts[i].hour < 6
        _schedule(rng, c, starts[i], (1, 4) if overnight else (2, 5))
        councils.append(c)
    toml = _election_toml(poll=poll, baseline=baseline, name="English county council elections 2029 (invented test night)",
                          pns={"Con": 33, "Lab": 27, "LD": 18},
                          note="twelve county councils, Reform UK sweeps the Conservatives' counties")
    return _write_night(root, rng, election=toml, councils=councils, poll=poll, baseline_year=baseline.year,
                        name="county sweep 2029", ge_seed=seed + 1)


# -- 2. Labour's collapse -------------------------------------------------------------------------------------

#: name, ONS prefix, region, cycle, what happens tonight
COLLAPSE = [
    ("Brindleford", "E08", "North West", "thirds", "lab_noc"),
    ("Corvedon", "E08", "North East", "thirds", "lab_noc"),
    ("Eskerfield", "E08", "Yorkshire and The Humber", "thirds", "lab_noc"),
    ("Fellwater", "E08", "West Midlands", "thirds", "lab_noc"),
    ("Gorsebrook", "E08", "North West", "thirds", "lab_noc"),
    ("Kelverton", "E06", "East Midlands", "thirds", "lab_noc"),
    ("Lowmere Park", "E09", "London", "all-out", "lab_noc"),
    ("Wendle Cross", "E09", "London", "all-out", "lab_noc"),
    ("Netherholt", "E06", "North East", "all-out", "lab_noc"),
    ("Orrinshaw", "E09", "London", "all-out", "ld_from_lab"),
    ("Pellingham", "E07", "East Midlands", "all-out", "con_from_lab"),
    ("Rothwick", "E06", "South West", "all-out", "green_from_lab"),
    ("Stannerley", "E08", "Yorkshire and The Humber", "thirds", "lab_hold"),
    ("Thistlebury", "E08", "North East", "thirds", "lab_hold_after_allout"),
    ("Umberdale", "E09", "London", "all-out", "lab_hold"),
    ("Valemouth", "E06", "North West", "thirds", "lab_hold"),
    ("Wexmoor", "E07", "South East", "thirds", "con_from_noc"),
    ("Yarrowby", "E07", "East of England", "all-out", "con_hold"),
    ("Ambleworth", "E07", "South East", "thirds", "con_hold"),
    ("Quenbury", "E07", "South West", "thirds", "ld_hold"),
    ("Ravensholme", "E07", "East of England", "thirds", "noc_same"),
    ("Saltmarsh Vale", "E07", "South East", "all-out", "noc_same"),
    ("Dunhollow", "E06", "West Midlands", "thirds", "noc_same"),
    ("Marlstone", "E07", "West Midlands", "thirds", "con_noc"),
]
LOCAL_PARTY = "Other (Saltmarsh Independents)"
_COLLAPSE_BEFORE = {"lab_noc": "Lab", "ld_from_lab": "Lab", "con_from_lab": "Lab", "green_from_lab": "Lab",
                    "lab_hold": "Lab", "lab_hold_after_allout": "Lab", "con_from_noc": NOC, "con_hold": "Con",
                    "ld_hold": "LD", "noc_same": NOC, "con_noc": "Con"}
_COLLAPSE_AFTER = {"lab_noc": NOC, "ld_from_lab": "LD", "con_from_lab": "Con", "green_from_lab": "Green",
                   "lab_hold": "Lab", "lab_hold_after_allout": "Lab", "con_from_noc": "Con", "con_hold": "Con",
                   "ld_hold": "LD", "noc_same": NOC, "con_noc": NOC}
#: who wins the seats a party loses tonight, by weight
_TREND = {"LD": 0.3, "Con": 0.25, "Green": 0.25, "Reform": 0.1, "Ind": 0.1}


def _extras(slug: str) -> dict[str, float]:
    """Local groups of a council, by weight."""
    return {"ravensholme": {"Res": 0.5}, "saltmarsh-vale": {LOCAL_PARTY: 0.9}, "dunhollow": {"Ind": 0.5}}.get(slug, {})


def _collapse_allout_counts(rng: random.Random, kind: str, total: int, extra: dict[str, float]):
    need = majority_needed(total)
    for _ in range(2000):
        if kind == "lab_noc":
            base = _fill(rng, total, {"Lab": need + rng.randint(4, 10)}, {"Con": 0.4, "LD": 0.3, "Green": 0.15, "Ind": 0.1})
            now = _fill(rng, total, {"Lab": need - rng.randint(3, 10)}, {**_TREND, "Con": 0.35})
        elif kind == "ld_from_lab":
            base = _fill(rng, total, {"Lab": need + rng.randint(2, 6)}, {"LD": 0.65, "Con": 0.25, "Green": 0.1})
            now = _fill(rng, total, {"LD": need + rng.randint(1, 5)}, {"Lab": 0.6, "Con": 0.2, "Green": 0.2})
        elif kind == "con_from_lab":
            base = _fill(rng, total, {"Lab": need + rng.randint(1, 4)}, {"Con": 0.75, "LD": 0.15, "Ind": 0.1})
            now = _fill(rng, total, {"Con": need + rng.randint(1, 4)}, {"Lab": 0.6, "LD": 0.15, "Reform": 0.15, "Ind": 0.1})
        elif kind == "green_from_lab":
            base = _fill(rng, total, {"Lab": need + rng.randint(2, 5)}, {"Green": 0.4, "Con": 0.3, "LD": 0.3})
            now = _fill(rng, total, {"Green": need + rng.randint(1, 3)}, {"Lab": 0.6, "LD": 0.2, "Con": 0.2})
        elif kind == "lab_hold":
            base = _fill(rng, total, {"Lab": need + rng.randint(10, 16)}, {"Con": 0.5, "LD": 0.3, "Green": 0.2})
            now = _fill(rng, total, {"Lab": need + rng.randint(2, 6)}, {"Con": 0.3, "LD": 0.3, "Green": 0.4})
        elif kind == "con_hold":
            base = _fill(rng, total, {"Con": need + rng.randint(5, 10)}, {"LD": 0.4, "Lab": 0.4, "Green": 0.2})
            now = _fill(rng, total, {"Con": need + rng.randint(1, 4)}, {"LD": 0.4, "Lab": 0.15, "Green": 0.25, "Reform": 0.2})
        elif kind == "noc_same":
            base = _fill(rng, total, {}, {"Con": 0.35, "LD": 0.25, "Lab": 0.12, "Green": 0.05, **extra})
            now = _fill(rng, total, {}, {"Con": 0.3, "LD": 0.3, "Lab": 0.05, "Green": 0.1, **extra})
        else:
            raise ValueError(kind)
        before = dict(base)
        if rng.random() < 0.6:  # a defection since the baseline: the eve of poll is not the baseline
            top = max(base, key=base.get)
            before = _add(base, {top: -1, "Ind": 1})
        if control_of(base, total) == _COLLAPSE_BEFORE[kind] == control_of(before, total) \
                and control_of(now, total) == _COLLAPSE_AFTER[kind]:
            return base, before, now
    raise AssertionError(kind)


def _collapse_thirds_counts(rng: random.Random, kind: str, wards: int, extra: dict[str, float]):
    """(eve-of-poll composition, the baseline's winners of the seats up, tonight's) for a
    thirds council of ``wards`` wards of three."""
    total = 3 * wards
    need = majority_needed(total)
    rest = {"Con": 0.35, "LD": 0.25, "Green": 0.1, "Ind": 0.1, **extra}
    for _ in range(2000):
        if kind == "lab_noc":
            before = _fill(rng, total, {"Lab": need + rng.randint(1, 4)}, rest)
        elif kind == "lab_hold":
            before = _fill(rng, total, {"Lab": need + rng.randint(6, 12)}, rest)
        elif kind == "con_from_noc":
            before = _fill(rng, total, {"Con": need - rng.randint(1, 3)}, {"Lab": 0.3, "LD": 0.5, "Green": 0.1, "Ind": 0.1})
        elif kind in ("con_hold", "con_noc"):
            before = _fill(rng, total, {"Con": need + (rng.randint(4, 8) if kind == "con_hold" else rng.randint(0, 2))},
                           {"Lab": 0.3, "LD": 0.5, "Green": 0.1, "Ind": 0.1})
        elif kind == "ld_hold":
            before = _fill(rng, total, {"LD": need + rng.randint(4, 8)}, {"Con": 0.6, "Lab": 0.2, "Green": 0.2})
        elif kind == "noc_same":
            before = _fill(rng, total, {}, {"Con": 0.35, "Lab": 0.3, "LD": 0.15, **extra})
        else:
            raise ValueError(kind)
        base_up = _sample_up(rng, before, wards, {"Lab": 1.6})
        lab, con = base_up.get("Lab", 0), base_up.get("Con", 0)
        if kind == "lab_noc":
            now = _fill(rng, wards, {"Lab": max(0, lab - (before["Lab"] - need + 1) - rng.randint(0, 3))}, _TREND)
        elif kind == "lab_hold":
            now = _fill(rng, wards, {"Lab": max(0, lab - rng.randint(1, 4))}, _TREND)
        elif kind == "con_from_noc":
            now = _fill(rng, wards, {"Con": min(wards, con + need - before["Con"] + rng.randint(0, 2))},
                        {"LD": 0.5, "Green": 0.3, "Reform": 0.2})
        elif kind == "con_hold":
            now = _fill(rng, wards, {"Con": max(0, con - rng.randint(0, 2))}, {"LD": 0.5, "Green": 0.3, "Lab": 0.2})
        elif kind == "con_noc":
            now = _fill(rng, wards, {"Con": max(0, con - (before["Con"] - need + 1) - rng.randint(0, 2))},
                        {"LD": 0.5, "Green": 0.3, "Reform": 0.2})
        elif kind == "ld_hold":
            now = _fill(rng, wards, {"LD": base_up.get("LD", 0)}, {"Con": 0.5, "Green": 0.5})
        else:
            now = _fill(rng, wards, {}, {"Con": 0.3, "Lab": 0.2, "LD": 0.3, "Green": 0.1, **extra})
        after = _add(_add(before, base_up, -1), now)
        if control_of(before, total) == _COLLAPSE_BEFORE[kind] and control_of(after, total) == _COLLAPSE_AFTER[kind]:
            return before, base_up, now
    raise AssertionError(kind)


def _thirds_after_allout(rng: random.Random, wards: int, codes) -> tuple[list[_Ward], dict[str, int], dict[str, int]]:
    """Thistlebury: all-out on the baseline (three seats a ward), thirds since; tonight's seat
    in each ward is compared with the ward's top-placed baseline winner. Returns the wards,
    the eve-of-poll composition and the baseline's."""
    total = 3 * wards
    need = majority_needed(total)
    for _ in range(2000):
        base = _fill(rng, total, {"Lab": need + rng.randint(8, 14)}, {"Con": 0.5, "LD": 0.3, "Ind": 0.2})
        sizes = [3] * wards
        ward_of = [i for i, s in enumerate(sizes) for _ in range(s)]
        b = _allocate(rng, ward_of, base)
        tops, stays = [], []
        for i in range(wards):
            mine = [b[j] for j in range(len(ward_of)) if ward_of[j] == i]
            counts = Counter(mine)
            top = max(mine, key=lambda p: (counts[p], rng.random()))
            mine.remove(top)
            rng.shuffle(mine)
            tops.append([top] + mine)
            # the other two seats were fought again in the years between: a few changed hands
            stays.append([p if rng.random() > 0.15 else rng.choice(["Con", "LD", "Green", "Ind"]) for p in mine])
        held = Counter(t[0] for t in tops)
        now = _allocate(rng, list(range(wards)),
                        _fill(rng, wards, {"Lab": max(0, held["Lab"] - rng.randint(1, 4))}, _TREND),
                        prefer=[t[0] for t in tops])
        before = dict(held + Counter(p for s in stays for p in s))
        after = _add(_add(before, dict(held), -1), dict(Counter(now)))
        if control_of(before, total) == "Lab" == control_of(after, total) == control_of(base, total):
            names = _ward_names(rng, wards)
            out = [_Ward(n, bn, next(codes), 1, 3, tops[i], [now[i]], stays[i]) for i, (n, bn) in enumerate(names)]
            return out, before, base
    raise AssertionError("thistlebury")


def _collapse_history(rng: random.Random, kind: str) -> list[tuple[int, int | None, str]]:
    y = rng.choice
    if kind in ("lab_noc", "lab_hold", "lab_hold_after_allout", "ld_from_lab"):
        shape = rng.random()
        if kind == "ld_from_lab":
            return [(1973, 1986, "Lab"), (1986, 1994, "LD"), (1994, 1998, NOC), (1998, None, "Lab")]
        if shape < 0.4:
            return [(1973, None, "Lab")]
        if shape < 0.7:
            s = y([1976, 1980])
            return [(1973, s, "Con"), (s, None, "Lab")]
        a, b = y([2004, 2006, 2008]), y([2011, 2012, 2014])
        return [(1973, a, "Lab"), (a, b, NOC), (b, None, "Lab")]
    if kind == "con_from_lab":
        return [(1973, 1995, "Con"), (1995, 1999, NOC), (1999, 2011, "Con"), (2011, None, "Lab")]
    if kind == "green_from_lab":
        return [(1973, 2003, "Lab"), (2003, 2015, NOC), (2015, None, "Lab")]
    if kind == "con_from_noc":
        return [(1973, 2015, "Con"), (2015, None, NOC)]
    if kind in ("con_hold", "con_noc"):
        s = y([1973, 2003, 2007])
        return [(1973, None, "Con")] if s == 1973 else [(1973, s - 4, "Con"), (s - 4, s, NOC), (s, None, "Con")]
    if kind == "ld_hold":
        return [(1973, 1991, "Con"), (1991, 1995, NOC), (1995, None, "LD")]
    return [(1973, 1999, "Con"), (1999, None, NOC)]


def collapse_night(root: str | Path, seed: int = 2031) -> BuiltNight:
    """24 councils, 2031 against 2027, fifteen electing by thirds and nine all-out. Labour
    defends 16 councils and loses 12: nine to no overall control, Orrinshaw to the Liberal
    Democrats, Pellingham to the Conservatives and Rothwick to the Greens; it holds four
    (one of them, Thistlebury, a thirds council whose baseline was all-out). Of the other
    eight, the Conservatives gain Wexmoor from no overall control, hold two and lose Marlstone
    to no overall control; the Liberal Democrats hold one; three stay under no overall
    control (with residents', independent and named local groups). Writes the night into
    ``root`` and returns what it was built to mean."""
    rng = random.Random(seed)
    poll, baseline = date(2031, 5, 1), date(2027, 5, 6)
    codes = _ward_codes(980001)
    councils: list[_Council] = []
    starts = _starts(rng, poll, 10, 14)
    rng.shuffle(starts)
    for i, (name, prefix, region, cycle, kind) in enumerate(COLLAPSE):
        slug = slugify(name)
        extra = _extras(slug)
        if kind == "lab_hold_after_allout":
            wards, before, base = _thirds_after_allout(rng, rng.randint(15, 20), codes)
            base_info = dict(cycle="all-out", total_seats=sum(before.values()), seats_up=sum(before.values()),
                             composition_after=base)
            now_all = dict(Counter(p for w in wards for p in w.now))
        elif cycle == "thirds":
            n = rng.randint(14, 22)
            before, base_up, now = _collapse_thirds_counts(rng, kind, n, extra)
            wards = _thirds_wards(rng, n, base_up, _add(before, base_up, -1), now, codes)
            base = before  # four years ago the council looked much as it did on the eve of poll
            base_info = dict(cycle="thirds", total_seats=3 * n, seats_up=n, composition_after=base)
            now_all = now
        else:
            total = rng.randint(40, 60)
            base, before, now_all = _collapse_allout_counts(rng, kind, total, extra)
            mix = {3: 0.7, 2: 0.3} if prefix == "E09" else {1: 0.3, 2: 0.4, 3: 0.3}
            after = _COLLAPSE_AFTER[kind]
            order_now = [p for p in ("Ind", "Res", LOCAL_PARTY, "Green", "Lab", "LD", "Con", "Reform")
                         if p != after] + ([after] if after != NOC else [])
            wards = _allout_wards(rng, _sizes(rng, total, mix), base, now_all, codes, order_now=order_now)
            base_info = dict(cycle="all-out", total_seats=total, seats_up=total, composition_after=base)
        lab_floor = {"Lab": 0.1, "Con": 0.1, "LD": 0.08, "Green": 0.06, "Reform": 0.05}
        standing_base = {"Con": 0.95, "Lab": 1, "LD": 0.8, "Green": 0.6, "Reform": 0.2, "Ind": 0.08,
                         **{p: 0.6 for p in extra if p != "Ind"}}
        standing_now = {"Con": 0.95, "Lab": 1, "LD": 0.85, "Green": 0.8, "Reform": 0.45, "Ind": 0.1,
                        **{p: 0.7 for p in extra if p != "Ind"}}
        c = _Council(name, slug, f"{prefix}{900001 + i:06d}", region, cycle, kind, wards, before, base_info,
                     _collapse_history(rng, kind), means_base=_means(base, lab_floor), means_now=_means(now_all, lab_floor),
                     standing_base=standing_base, standing_now=standing_now,
                     ballots=(1100, 3200) if cycle == "thirds" else (1300, 2600))
        c.want = (_COLLAPSE_BEFORE[kind], _COLLAPSE_AFTER[kind])
        overnight = starts[i].hour >= 23 or starts[i].hour < 6
        _schedule(rng, c, starts[i], (2, 8) if overnight else (3, 10))
        councils.append(c)
    toml = _election_toml(poll=poll, baseline=baseline, name="English local elections 2031 (invented test night)",
                          pns={"Lab": 36, "Con": 29, "LD": 17},
                          note="24 councils, Labour loses most of those it defends")
    return _write_night(root, rng, election=toml, councils=councils, poll=poll, baseline_year=baseline.year,
                        name="Labour collapse 2031", ge_seed=seed + 1)


# -- 3. a general election ---------------------------------------------------------------------------------------

#: constituencies by country and region, in rough real proportions (650 in all)
GE_REGIONS = [("England", "South East", 91), ("England", "London", 75), ("England", "North West", 73),
              ("England", "East of England", 61), ("England", "South West", 58), ("England", "West Midlands", 57),
              ("England", "Yorkshire and The Humber", 54), ("England", "East Midlands", 47),
              ("England", "North East", 27), ("Scotland", "Scotland", 57), ("Wales", "Wales", 32),
              ("Northern Ireland", "Northern Ireland", 18)]
GE_PARTIES = ["Con", "Lab", "LD", "Reform", "Green", "SNP", "PC"]
_GE_LEAN = {"South East": {"Con": 1.3, "LD": 1.7, "Lab": 0.75}, "London": {"Lab": 1.4, "Con": 0.8, "Green": 1.3},
            "North West": {"Lab": 1.3}, "North East": {"Lab": 1.3, "Reform": 1.2}, "South West": {"LD": 1.9, "Con": 1.2, "Lab": 0.8},
            "East of England": {"Con": 1.2, "Reform": 1.2}, "Scotland": {"SNP": 1.0, "Con": 0.6, "Reform": 0.6},
            "Wales": {"PC": 1.0, "Lab": 1.2}}


def general_election_csv(path: str | Path, seed: int = 2028) -> Counter:
    """A synthetic general_election.csv (FORMAT.md's shape): 650 constituencies in England,
    Scotland, Wales and Northern Ireland in rough real proportions, one Speaker's seat
    (winner ``Spk``), Northern Irish winners such as ``DUP`` and ``SF`` (their votes under
    ``Other``). Returns the winners counted."""
    rng = random.Random(seed)
    base = {"Con": 0.25, "Lab": 0.32, "LD": 0.13, "Reform": 0.15, "Green": 0.07, "SNP": 0.0, "PC": 0.0}
    rows, seen = [], set()
    speaker = rng.randrange(91 + 75 + 73)
    n = 0
    ni = ["SF"] * 7 + ["DUP"] * 5 + ["SDLP"] * 2 + ["APNI", "UUP", "Ind", "TUV"]
    rng.shuffle(ni)
    for country, region, count in GE_REGIONS:
        for _ in range(count):
            while True:
                a = _place(rng)
                name = rng.choice([a, f"{a} and {_place(rng)}", f"{a} {rng.choice(['North', 'South', 'East', 'West', 'Central'])}"])
                if name not in seen:
                    seen.add(name)
                    break
            electorate = rng.randint(69800, 77000)
            valid = int(electorate * rng.uniform(0.5, 0.7))
            prefix = {"England": "E14", "Scotland": "S14", "Wales": "W07", "Northern Ireland": "N05"}[country]
            row = dict(ons_id=f"{prefix}{900001 + n:06d}", constituency=name, country=country, region=region,
                       electorate=electorate)
            if country == "Northern Ireland":
                votes = {p: 0 for p in GE_PARTIES}
                votes["Green"] = rng.randint(0, 1500)
                votes["Con"] = rng.choice([0, 0, rng.randint(100, 600)])
                votes["Other"] = valid - votes["Green"] - votes["Con"]
                winner = ni.pop()
            else:
                lean = dict(base)
                if country == "Scotland":
                    lean["SNP"] = 0.3
                if country == "Wales":
                    lean["PC"] = 0.12
                for p, f in _GE_LEAN.get(region, {}).items():
                    lean[p] *= f
                shares = {p: v * rng.lognormvariate(0, 0.35) for p, v in lean.items()}
                other = rng.uniform(0.005, 0.04)
                s = sum(shares.values())
                votes = {p: int(valid * (1 - other) * v / s) for p, v in shares.items()}
                if n == speaker:  # the Speaker stands without the main parties against them
                    votes = {p: 0 for p in GE_PARTIES}
                    votes["Green"], votes["Reform"] = rng.randint(2000, 5000), rng.randint(3000, 7000)
                    votes["Other"] = valid - votes["Green"] - votes["Reform"]
                    winner = "Spk"
                else:
                    votes["Other"] = valid - sum(votes.values())
                    ranked = sorted(GE_PARTIES, key=lambda p: -votes[p])
                    if votes[ranked[0]] == votes[ranked[1]]:
                        votes[ranked[0]] += 1
                        votes["Other"] -= 1
                    winner = ranked[0]
            row.update(valid_votes=sum(votes.values()), winner=winner, **votes)
            rows.append(row)
            n += 1
    _write(Path(path), ["ons_id", "constituency", "country", "region", "electorate", "valid_votes", "winner",
                        *GE_PARTIES, "Other"], rows)
    return Counter(r["winner"] for r in rows)
