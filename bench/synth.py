#!/usr/bin/env python3
"""Synthetic election nights in the election-directory format (see FORMAT.md).

    python bench/synth.py --scale 10 --seed 1 --out /tmp/night10

writes an election directory about ``scale`` times the size of a real English
local-elections night (scale 1: ~146 councils, ~2,850 ward declarations). The
output is a pure function of ``(scale, seed)``.

From another bench script::

    sys.path.insert(0, str(Path(__file__).parent))
    from synth import generate
    counts = generate(Path("/tmp/night"), scale=1, seed=1)

Everything is invented (names, places, votes); the distributions below are
parameters taken from the shape of a real night, not read from any data file.
Only the standard library is used.

The files are consistent by construction, as the writer requires:

* compositions add up to the council's total seats (composition_before may
  differ only with boundary_change=yes, when the council's size changed);
* seats_won equals the ward winners (after corrections) and adds up to seats_up;
* thirds/halves: composition_after = composition_before - baseline winners of
  the seats up + seats won; all-out: composition_after = seats won;
* control follows the majority rule (floor(total/2)+1 of all seats; Ind, Res,
  Other and Vacant never control);
* each declaration elects exactly seats_in_ward candidates, the top ones by
  votes (no ties at the cut); no candidate row is repeated word for word.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import sys
import time
import unicodedata
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

# --------------------------------------------------------------------------
# The election
# --------------------------------------------------------------------------

POLL_DATE = date(2030, 5, 2)  # first Thursday in May 2030
BASELINE_DATE = date(2026, 5, 7)  # the same seats last fought, four years earlier
YEAR, BASE_YEAR = POLL_DATE.year, BASELINE_DATE.year
TZ = timezone(timedelta(hours=1))  # BST
POLLS_CLOSE = datetime(2030, 5, 2, 22, 0, tzinfo=TZ)
ELECTION_ID = f"local.{POLL_DATE.isoformat()}"
BASELINE_ID = f"local.{BASELINE_DATE.isoformat()}"

# --------------------------------------------------------------------------
# Distributions (parameters of a real night, encoded here)
# --------------------------------------------------------------------------

REAL_COUNCILS = 146

CYCLE_SHARE = {"thirds": 0.65, "all-out": 0.30, "halves": 0.05}
NEW_COUNCIL_SHARE = 0.027  # of all councils (all-out, no baseline)
BOUNDARY_SHARE = 0.45  # of all-out councils with a baseline
BOUNDARY_SIZE_CHANGE = 0.45  # of boundary changes: council size changes too
BOUNDARY_FROM_THIRDS = 0.15  # of boundary changes: the baseline was a thirds year
THIRDS_AFTER_ALLOUT = 0.07  # of thirds councils: baseline was all-out (3 elected per ward)

REGIONS = [
    "London", "South East", "East of England", "South West", "West Midlands",
    "East Midlands", "North West", "North East", "Yorkshire and The Humber",
]
REGION_WEIGHTS = {  # by kind of council
    "all-out": [66, 6, 5, 4, 5, 2, 7, 2, 3],
    "thirds": [0, 24, 20, 3, 12, 4, 21, 6, 10],
    "halves": [0, 50, 10, 20, 20, 0, 0, 0, 0],
    "new": [0, 15, 10, 20, 0, 10, 20, 5, 20],
}
MET_REGIONS = {"North West", "North East", "Yorkshire and The Humber", "West Midlands"}

# total seats: (mean, sd, min, max)
SIZE = {
    "thirds": (48, 14, 27, 99),
    "halves": (36, 7, 26, 50),
    "all-out": (56, 14, 28, 110),
    "new": (80, 18, 50, 110),
}
# members per ward (1, 2, 3) for all-out councils
WARD_SIZE_WEIGHTS = {"London": (5, 30, 65), "other": (30, 40, 30), "new": (50, 40, 10)}

CORE = ["Con", "Lab", "LD", "Green", "Reform"]
# baseline strengths of the core parties by region (Con, Lab, LD, Green, Reform)
REGION_PRIOR = {
    "London": (0.30, 0.46, 0.12, 0.09, 0.03),
    "South East": (0.43, 0.20, 0.22, 0.10, 0.05),
    "East of England": (0.44, 0.26, 0.15, 0.09, 0.06),
    "South West": (0.38, 0.16, 0.30, 0.11, 0.05),
    "West Midlands": (0.40, 0.38, 0.09, 0.08, 0.05),
    "East Midlands": (0.42, 0.36, 0.09, 0.08, 0.05),
    "North West": (0.32, 0.46, 0.12, 0.06, 0.04),
    "North East": (0.30, 0.50, 0.09, 0.05, 0.06),
    "Yorkshire and The Humber": (0.33, 0.44, 0.12, 0.07, 0.04),
}
COUNCIL_CONCENTRATION = 9.0  # Dirichlet concentration: lower = more varied councils
WARD_CONCENTRATION = 12.0  # ward strengths around the council's
# national swing baseline -> tonight, as log multipliers of strength (plus seeded noise)
NATIONAL_SWING = {"Con": -0.24, "Lab": -0.05, "LD": 0.15, "Green": 0.35, "Reform": 0.90,
                  "UKIP": -0.30, "Ind": 0.05, "Res": 0.0}
NATIONAL_SWING_NOISE = 0.08
COUNCIL_SWING_NOISE = 0.15

# chance a party fields candidates in a ward, (baseline, tonight)
STAND_PROB = {"Con": (0.97, 0.97), "Lab": (0.95, 0.95), "LD": (0.72, 0.72),
              "Green": (0.52, 0.58), "Reform": (0.12, 0.30), "UKIP": (0.25, 0.12),
              "Ind": (0.45, 0.45), "Res": (0.65, 0.65), "local": (0.70, 0.70)}
FRINGE_PROB = 0.07  # a national minor party candidate in a ward
FRINGE = [  # (name, weight)
    ("Other (Social Democratic Party)", 3), ("Other (Heritage Party)", 2),
    ("Other (Trade Union and Socialist Coalition)", 5), ("Other (Workers Party)", 3),
    ("Other (Christian Peoples Alliance)", 2), ("Other (Liberal Party)", 2),
    ("Other (Freedom Alliance)", 1), ("Other (Communist Party)", 1),
]

ELECTORS_PER_MEMBER = {"London": 3300, "other": 2700}
TURNOUT = (34.0, 4.0, 6.0)  # mean, sd between councils, sd between wards (percent)
MULTI_VOTE_USE = 0.88  # share of a multi-member ballot's votes actually used

# declaration windows: (weight, kind)
COUNT_MODE = [(40, "overnight"), (57, "friday"), (3, "late")]
STRONGHOLD_PROB = 0.10  # a council where one party is far stronger than its region
CORRECTION_SHARE = 0.005

# --------------------------------------------------------------------------
# Invented names
# --------------------------------------------------------------------------

PLACE_A = [
    "Ash", "Brad", "Cal", "Der", "Elm", "Fern", "Gran", "Hal", "Ings", "Kel", "Lang", "Mar",
    "Nor", "Oak", "Pen", "Quen", "Ros", "Stan", "Thorn", "Ux", "Ver", "Wal", "Whit", "Yar",
    "Ald", "Bex", "Chad", "Dun", "Eas", "Fal", "Glen", "Hart", "Kirk", "Lowe", "Mill",
    "Nether", "Over", "Pock", "Red", "Sand", "Tad", "Wick", "Wes", "Bram", "Crow", "Dray",
    "Har", "Ken", "Lin", "Mor", "Pres", "Rad", "Shel", "Tam", "Wend", "Ebb", "Fox", "Gil",
]
PLACE_B = [
    "bury", "ford", "ham", "ley", "ton", "wick", "field", "mouth", "borough", "caster", "by",
    "thorpe", "worth", "stead", "well", "den", "hurst", "combe", "minster", "stow", "gate",
    "bridge", "dale", "moor", "holm", "wood", "brook", "cote", "hope", "ing",
]
RIVERS = ["Ashe", "Brenn", "Colne", "Dane", "Erme", "Fleet", "Garr", "Holl", "Lidd", "Mease",
          "Nene", "Rother", "Soar", "Tame", "Wey", "Yeo"]
DIRECTIONS = ["North", "South", "East", "West"]
WARD_SUFFIX = ["Park", "Green", "Hill", "Village", "Common", "Heath", "Vale", "Town",
               "Central", "Rural", "Fields", "Meadows"]
WARD_PREFIX = ["Old", "Upper", "Lower", "Great", "Little", "High"]
SAINTS = ["Mary", "John", "Peter", "Michael", "Andrew", "Helen", "Luke", "Margaret",
          "James", "Paul", "Anne", "Leonard", "Giles", "Nicholas"]
SURNAME_A = ["Ash", "Bar", "Cam", "Dal", "Ed", "Fen", "Gar", "Hol", "Jen", "Kem", "Lam", "Mor",
             "Nash", "Par", "Ran", "Sel", "Tur", "Wat", "Bel", "Cor", "Dix", "Har", "Lin",
             "Mac", "Pem", "Rob", "Sut", "Wil", "Fair", "Gold", "Stan", "Wood", "Shaw",
             "Brook", "Ol", "Quin", "Ab", "Up", "Ver", "Yat"]
SURNAME_B = ["ley", "son", "er", "ford", "well", "ton", "by", "man", "field", "ridge", "wood",
             "hurst", "ings", "ock", "en", "ard", "ett", "ham", "away", "ell", "ington", "s"]
FORENAMES = ["Alex", "Amira", "Ben", "Bethan", "Callum", "Chloe", "Dev", "Dawn", "Emma",
             "Femi", "Gareth", "Grace", "Hannah", "Imran", "Jo", "Julian", "Karen", "Kwame",
             "Laura", "Liam", "Megan", "Mo", "Nadia", "Owen", "Pat", "Priya", "Rhys", "Ruth",
             "Sam", "Sian", "Tom", "Una", "Vic", "Wendy", "Yusuf", "Zoe", "Colin", "Ayesha"]
INITIALS = "AABBCCDDEGHHIJJKLLMMNPPRRSSTTVW"
LOCAL_PARTY_FORMS = ["{} Independents", "{} First", "Independent {}", "{} Community Party",
                     "{} Alliance", "Voice of {}"]


def slugify(text: str) -> str:
    """Democracy Club style slug (the same rule as the writer's)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.lower().replace("&", " and ").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _place(rng: random.Random) -> str:
    return rng.choice(PLACE_A) + rng.choice(PLACE_B)


def _council_name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.55:
        return _place(rng)
    if r < 0.68:
        return f"{rng.choice(DIRECTIONS)} {_place(rng)}"
    if r < 0.82:
        return f"{_place(rng)} and {_place(rng)}"
    if r < 0.92:
        return f"{_place(rng)} {rng.choice(['Vale', 'Valley', 'Forest', 'Heath', 'Dales', 'Moors'])}"
    if r < 0.95:
        return f"{_place(rng)}-on-Sea"
    return f"{_place(rng)} upon {rng.choice(RIVERS)}"


def _ward_name(rng: random.Random, places: list[str]) -> str:
    p = rng.choice(places) if places and rng.random() < 0.35 else _place(rng)
    r = rng.random()
    if r < 0.32:
        return p
    if r < 0.47:
        return f"{p} {rng.choice(DIRECTIONS + ['Central'])}"
    if r < 0.55:
        return f"{p} & {_place(rng)}"
    if r < 0.59:
        return f"{p} and {_place(rng)}"
    if r < 0.77:
        return f"{p} {rng.choice(WARD_SUFFIX)}"
    if r < 0.83:
        return f"St {rng.choice(SAINTS)}'s"
    if r < 0.96:
        return f"{rng.choice(WARD_PREFIX)} {p}"
    return f"{p} with {_place(rng)}"


def _variant(rng: random.Random, name: str, upper: bool) -> str:
    """How another year's source may write the same ward: casing, '&'/'and', punctuation."""
    if upper:
        name = name.upper()
    r = rng.random()
    if r < 0.05:
        name = name.replace(" & ", " and ") if " & " in name else name.replace(" and ", " & ")
    elif r < 0.08:
        name = name.replace("'", "")
    return name


# --------------------------------------------------------------------------
# Seat lists and control
# --------------------------------------------------------------------------

NEVER_CONTROL = {"Ind", "Res", "Other", "Vacant"}


def seat_list(seats: Counter) -> str:
    items = sorted((p for p, n in seats.items() if n > 0), key=lambda p: (-seats[p], p))
    return ";".join(f"{p}:{seats[p]}" for p in items)


def control_of(seats: Counter, total: int) -> str:
    need = total // 2 + 1
    for p, n in seats.items():
        if n >= need and p not in NEVER_CONTROL:
            return p
    return "NOC"


def _weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def _dirichlet(rng: random.Random, alphas: list[float]) -> list[float]:
    xs = [rng.gammavariate(max(a, 1e-3), 1.0) for a in alphas]
    s = sum(xs) or 1.0
    return [x / s for x in xs]


def _iso(t: datetime) -> str:
    return t.isoformat()


# --------------------------------------------------------------------------
# Model objects
# --------------------------------------------------------------------------


class Ward:
    __slots__ = ("name", "slug", "code", "members", "w", "per_member", "turnout")

    def __init__(self, name, slug, code, members, w, per_member, turnout):
        self.name, self.slug, self.code, self.members = name, slug, code, members
        self.w, self.per_member, self.turnout = w, per_member, turnout


class Generator:
    def __init__(self, scale: float, seed: int):
        self.rng = random.Random(seed)
        self.scale = scale
        self.next_ward_code = 100000 + self.rng.randrange(1000)
        self.gss_next = {"E06": 100, "E07": 300, "E08": 100, "E09": 100}
        rng = self.rng
        self.national = {p: v + rng.gauss(0, NATIONAL_SWING_NOISE) for p, v in NATIONAL_SWING.items()}
        self.councils_rows: list[list] = []
        self.baseline_rows: list[list] = []
        self.baseline_ward_rows: list[list] = []
        self.history_rows: list[list] = []
        self.turnout_rows: list[list] = []
        self.result_rows: list[list] = []
        self.council_result_rows: list[list] = []
        self.stats = Counter()

    # ---- identifiers -------------------------------------------------------

    def ward_code(self) -> str:
        self.next_ward_code += self.rng.randint(1, 7)
        return f"E05{self.next_ward_code:06d}"

    def gss(self, prefix: str) -> str:
        self.gss_next[prefix] += self.rng.randint(1, 3)
        return f"{prefix}{self.gss_next[prefix]:06d}"

    # ---- plan ----------------------------------------------------------------

    def plan(self) -> list[str]:
        """Kinds of council, in a seeded order, by quota (so small scales get every kind)."""
        n = max(1, round(REAL_COUNCILS * self.scale))
        n_thirds = round(n * CYCLE_SHARE["thirds"])
        n_halves = round(n * CYCLE_SHARE["halves"])
        n_allout = max(0, n - n_thirds - n_halves)
        n_new = min(n_allout, max(1 if n >= 10 else 0, round(n * NEW_COUNCIL_SHARE)))
        n_old_allout = n_allout - n_new
        n_boundary = min(n_old_allout, max(1 if n_old_allout >= 2 else 0,
                                           round(n_old_allout * BOUNDARY_SHARE)))
        n_taa = min(n_thirds, max(1 if n_thirds >= 5 else 0, round(n_thirds * THIRDS_AFTER_ALLOUT)))
        kinds = (["thirds"] * (n_thirds - n_taa) + ["thirds-after-all-out"] * n_taa
                 + ["halves"] * n_halves + ["new"] * n_new
                 + ["all-out-boundary"] * n_boundary + ["all-out"] * (n_old_allout - n_boundary))
        self.rng.shuffle(kinds)
        return kinds

    # ---- councils --------------------------------------------------------------

    def run(self) -> None:
        used_names: set[str] = set()
        used_slugs: set[str] = set()
        councils = []
        for kind in self.plan():
            for _ in range(1000):
                name = _council_name(self.rng)
                slug = slugify(name)
                if name not in used_names and slug not in used_slugs:
                    break
            else:  # very large scales: fall back on numbered names
                name = f"{_place(self.rng)} {len(used_names)}"
                slug = slugify(name)
            used_names.add(name)
            used_slugs.add(slug)
            councils.append(self.council(kind, name, slug))
        self.declare(councils)

    def council(self, kind: str, name: str, slug: str) -> dict:
        rng = self.rng
        cycle = {"thirds-after-all-out": "thirds", "new": "all-out",
                 "all-out-boundary": "all-out"}.get(kind, kind)
        size_kind = "new" if kind == "new" else cycle
        region = _weighted(rng, REGIONS, REGION_WEIGHTS[size_kind])
        if region == "London":
            prefix = "E09"
        elif kind == "new":
            prefix = "E06"
        elif cycle == "thirds" and region in MET_REGIONS and rng.random() < 0.45:
            prefix = "E08"
        elif cycle == "halves":
            prefix = "E07"
        else:
            prefix = "E06" if rng.random() < (0.3 if cycle == "thirds" else 0.5) else "E07"
        c = {"name": name, "slug": slug, "gss": self.gss(prefix), "region": region,
             "cycle": cycle, "kind": kind}
        self.stats["councils"] += 1
        self.stats[f"cycle_{cycle}"] += 1

        # party strengths -------------------------------------------------------
        prior = REGION_PRIOR[region]
        strengths = _dirichlet(rng, [COUNCIL_CONCENTRATION * a for a in prior])
        if rng.random() < STRONGHOLD_PROB:
            i = _weighted(rng, range(len(CORE)), (2, 2, 5, 1, 0.3))
            strengths[i] *= rng.uniform(1.8, 3.0)
        parties = list(CORE)
        if rng.random() < 0.05:
            parties.append("UKIP")
            strengths.append(rng.uniform(0.01, 0.04))
        ind_strong = rng.random() < (0.20 if region == "London" else 0.40)
        parties.append("Ind")
        strengths.append(rng.uniform(0.04, 0.28) if ind_strong else rng.uniform(0.005, 0.03))
        if rng.random() < (0.15 if region in ("London", "South East", "East of England") else 0.03):
            parties.append("Res")
            strengths.append(rng.uniform(0.08, 0.35))
        local = None
        if rng.random() < 0.12:
            town = name.split()[0].split("-")[0]
            if town in DIRECTIONS:
                town = name.split()[1]
            local = f"Other ({rng.choice(LOCAL_PARTY_FORMS).format(town)})"
            parties.append(local)
            strengths.append(rng.uniform(0.06, 0.45))
        tot = sum(strengths)
        strengths = [s / tot for s in strengths]
        council_noise = [rng.gauss(0, COUNCIL_SWING_NOISE) for _ in parties]
        swing = [self.national.get(p, 0.0) + e for p, e in zip(parties, council_noise)]
        c.update(parties=parties, strengths=strengths, swing=swing, local=local,
                 ind_strong=ind_strong)
        c["per_member"] = ELECTORS_PER_MEMBER["London" if region == "London" else "other"] \
            * rng.lognormvariate(0, 0.15)
        c["turnout"] = min(55.0, max(20.0, rng.gauss(TURNOUT[0], TURNOUT[1])))

        # wards: the baseline's and tonight's --------------------------------------------
        lo_size = SIZE[size_kind]
        target = int(round(min(lo_size[3], max(lo_size[2], rng.gauss(lo_size[0], lo_size[1])))))
        c["places"] = [_place(rng) for _ in range(4)]
        new = kind == "new"
        boundary = kind == "all-out-boundary"
        base_cycle = None
        if not new:
            if kind == "thirds-after-all-out":
                base_cycle = "all-out"
            elif boundary and rng.random() < BOUNDARY_FROM_THIRDS:
                base_cycle = "thirds"
            else:
                base_cycle = cycle
        if base_cycle == "thirds" or (cycle == "thirds" and not boundary):
            old_sizes = [3] * max(9, round(target / 3))
        elif cycle == "halves":
            old_sizes = [2] * max(10, target // 2)
        else:
            old_sizes = self.ward_sizes(target, "new" if new else region)
        old_wards = self.make_wards(c, old_sizes)

        # baseline election ---------------------------------------------------------------
        up_holders = Counter()  # baseline winners of the seats up tonight (thirds/halves)
        comp_before = None
        base_total = sum(old_sizes)
        if not new:
            upper = rng.random() < 0.08  # this source wrote ward names in capitals
            base_won = Counter()
            top_placed = []
            base_seats_up = 0
            for wd in old_wards:
                seats = wd.members if base_cycle == "all-out" else 1
                base_seats_up += seats
                rows, winners, _ = self.contest(c, wd, seats, 0.0, "baseline")
                base_won.update(winners)
                top_placed.append(winners[0])
                bname = wd.name if boundary else _variant(rng, wd.name, upper)
                bcode = wd.code if boundary or rng.random() > 0.01 else ""
                for cand, party, votes, elected in rows:
                    self.baseline_ward_rows.append(
                        [name, slug, bname, bcode, seats, cand, party, votes, elected])
            self.stats["baseline_wards"] += len(old_wards)
            # seats not up at the baseline (thirds/halves): elected 3 and 2 years before it
            nonup_then = Counter()
            if base_cycle in ("thirds", "halves"):
                for wd in old_wards:
                    for t in ([-3.0, -2.0] if wd.members == 3 else [-2.0])[: wd.members - 1]:
                        nonup_then[self.holder(c, wd, t)] += 1
            base_comp = base_won + nonup_then
            base_ctrl = control_of(base_comp, base_total)
            self.baseline_rows.append([name, slug, base_cycle, base_total, base_seats_up,
                                       seat_list(base_won), seat_list(base_comp), base_ctrl])
            # the eve of poll
            if base_cycle == "all-out" and cycle == "all-out":
                comp_before = Counter(base_won)
                self.defect(comp_before)
            else:
                # the seat up is the baseline's (top-placed) winner; the others were fought since
                up_holders = Counter(top_placed)
                nonup_now = Counter()
                for wd in old_wards:
                    for t in ([1.0, 2.0] if wd.members == 3 else [2.0])[: wd.members - 1]:
                        nonup_now[self.holder(c, wd, t)] += 1
                self.defect(nonup_now)
                comp_before = up_holders + nonup_now
            ctrl_before = control_of(comp_before, base_total)
            c["base_ctrl"] = base_ctrl
        else:
            ctrl_before = ""
            base_ctrl = ""

        # tonight's wards -------------------------------------------------------------------
        if boundary:
            total = base_total
            if rng.random() < BOUNDARY_SIZE_CHANGE:
                deltas = [d for d in range(-max(2, total // 8), max(3, total // 8) + 1) if d]
                rng.shuffle(deltas)
                for d in deltas:  # keep control_before the same whichever total one reads
                    if total + d >= 20 and control_of(comp_before, total + d) == ctrl_before:
                        total += d
                        self.stats["size_changes"] += 1
                        break
            new_sizes = self.ward_sizes(total, region)
            new_wards = self.make_wards(c, new_sizes, reuse=[w.name for w in old_wards])
            self.stats["boundary_changes"] += 1
        else:
            new_wards = old_wards
        total = sum(w.members for w in new_wards)
        if new:
            self.stats["new_councils"] += 1
        if kind == "thirds-after-all-out":
            self.stats["thirds_after_all_out"] += 1

        # tonight's election --------------------------------------------------------------
        won = Counter()
        seats_up = 0
        c["wards"] = []
        for wd in new_wards:
            seats = wd.members if cycle == "all-out" else 1
            seats_up += seats
            rows, winners, ballots = self.contest(c, wd, seats, 4.0, "tonight")
            won.update(winners)
            code = wd.code if rng.random() > 0.003 else ""
            c["wards"].append({"name": wd.name, "code": code, "seats": seats, "rows": rows})
            electorate = int(round(wd.per_member * wd.members))
            if ballots > electorate * 0.8:
                electorate = int(ballots / 0.8) + 1
            self.turnout_rows.append([name, slug, wd.name, code, electorate,
                                      f"{100.0 * ballots / electorate:.1f}", ballots])
        if cycle == "all-out":
            comp_after = Counter(won)
        else:
            comp_after = comp_before - up_holders  # Counter subtraction drops zeros
            comp_after.update(won)
            assert sum((comp_before - up_holders).values()) == sum(comp_before.values()) - seats_up
        c["won"], c["comp_after"] = won, comp_after
        ctrl_after = control_of(comp_after, total)
        self.stats["seats_up"] += seats_up
        self.stats["total_seats"] += total
        if ctrl_before and ctrl_after != ctrl_before:
            self.stats["control_changes"] += 1

        self.councils_rows.append([
            name, slug, c["gss"], region, cycle, total, seats_up, ctrl_before,
            seat_list(comp_before) if comp_before is not None else "",
            "yes" if new else "no", "yes" if boundary else "no"])
        if not new:
            self.history(c, ctrl_before, base_ctrl, prefix)
        return c

    # ---- wards -------------------------------------------------------------------------

    def ward_sizes(self, total: int, region: str) -> list[int]:
        key = region if region in WARD_SIZE_WEIGHTS else "other"
        weights = WARD_SIZE_WEIGHTS[key]
        sizes, s = [], 0
        while s < total:
            m = min(_weighted(self.rng, (1, 2, 3), weights), total - s)
            sizes.append(m)
            s += m
        return sizes

    def make_wards(self, c: dict, sizes: list[int], reuse: list[str] | None = None) -> list[Ward]:
        rng = self.rng
        names, slugs, wards = set(), set(), []
        for m in sizes:
            for attempt in range(200):
                if reuse and attempt == 0 and rng.random() < 0.5:
                    nm = rng.choice(reuse)
                else:
                    nm = _ward_name(rng, c["places"])
                sl = slugify(nm)
                if nm not in names and sl not in slugs:
                    break
            else:
                nm = f"{_place(rng)} {len(names)}"
                sl = slugify(nm)
            names.add(nm)
            slugs.add(sl)
            w = _dirichlet(rng, [WARD_CONCENTRATION * s + 0.02 for s in c["strengths"]])
            per_member = c["per_member"] * rng.lognormvariate(0, 0.15)
            turnout = min(65.0, max(14.0, rng.gauss(c["turnout"], TURNOUT[2])))
            wards.append(Ward(nm, sl, self.ward_code(), m, w, per_member, turnout))
        return wards

    def strengths_at(self, c: dict, wd: Ward, t: float) -> list[float]:
        """A ward's party strengths t years after the baseline (tonight: t=4)."""
        return [w * math.exp(s * t / 4.0) for w, s in zip(wd.w, c["swing"])]

    def holder(self, c: dict, wd: Ward, t: float) -> str:
        """Who won a seat not up tonight (no votes recorded): a noisy first past the post."""
        rng = self.rng
        ws = self.strengths_at(c, wd, t)
        best, party = -1.0, "Con"
        for p, w in zip(c["parties"], ws):
            x = w * rng.lognormvariate(0, 0.45)
            if x > best:
                best, party = x, p
        return party

    def defect(self, comp: Counter) -> None:
        """By-elections, defections and vacancies since the seats were last fought."""
        rng = self.rng
        if rng.random() < 0.25:
            for _ in range(rng.randint(1, 2)):
                donors = [p for p, n in comp.items() if n > 0 and p != "Vacant"]
                if not donors:
                    break
                p = rng.choice(donors)
                q = "Ind" if rng.random() < 0.6 else rng.choice([x for x in CORE if x != p])
                comp[p] -= 1
                comp[q] += 1
        if rng.random() < 0.04:
            donors = [p for p, n in comp.items() if n > 0 and p != "Vacant"]
            if donors:
                p = rng.choice(donors)
                comp[p] -= 1
                comp["Vacant"] += 1
        for p in [p for p, n in comp.items() if n <= 0]:
            del comp[p]

    # ---- one contest -------------------------------------------------------------------

    def contest(self, c: dict, wd: Ward, seats: int, t: float, era: str):
        """Candidates, votes and winners of one ward contest.

        Returns (rows, winners, ballots): rows are (candidate, party, votes, elected) by
        votes descending; winners the elected candidates' parties, top-placed first."""
        rng = self.rng
        eidx = 0 if era == "baseline" else 1
        ws = self.strengths_at(c, wd, t)
        entries = []  # [party, strength, slate size]
        for p, w in zip(c["parties"], ws):
            key = "local" if p == c["local"] else p
            prob = STAND_PROB[key][eidx]
            if p == "Ind" and not c["ind_strong"]:
                prob = 0.06
            if rng.random() >= prob:
                continue
            if p == "Ind":  # independents stand as individuals
                n_ind = 1 + (rng.random() < (0.25 if seats > 1 else 0.08))
                for _ in range(n_ind):
                    entries.append(["Ind", w * rng.uniform(0.3, 1.0), 1])
                continue
            if seats == 1:
                k = 1
            elif p in ("Con", "Lab"):
                k = seats if rng.random() < 0.9 else rng.randint(1, seats)
            elif p in ("LD", "Res") or p == c["local"]:
                k = seats if rng.random() < 0.6 else rng.randint(1, seats)
            else:
                k = rng.randint(1, seats)
            entries.append([p, w, k])
        if rng.random() < FRINGE_PROB:
            f = _weighted(rng, [x[0] for x in FRINGE], [x[1] for x in FRINGE])
            entries.append([f, rng.uniform(0.004, 0.03), 1])
        # at least two candidates, and more candidates than seats
        have = {e[0] for e in entries}
        for p in ("Lab", "Con", "LD", "Green"):
            if len(entries) >= 2 and sum(e[2] for e in entries) > seats:
                break
            if p not in have:
                entries.append([p, ws[c["parties"].index(p)], seats if seats > 1 else 1])
                have.add(p)
        for e in entries:
            if sum(x[2] for x in entries) > seats:
                break
            if e[0] != "Ind" and e[2] < seats:
                e[2] = seats
        if seats == 1 and len(entries) > 8:
            entries.sort(key=lambda e: -e[1])
            del entries[8:]
        # shares and votes
        # small parties still poll a few per cent where they stand
        shares = [max(e[1], rng.uniform(0.012, 0.05)) * rng.lognormvariate(0, 0.15) for e in entries]
        tot = sum(shares)
        shares = [s / tot for s in shares]
        ballots = max(150, int(round(wd.per_member * wd.members * wd.turnout / 100.0
                                     * (1.0 if era == "tonight" else 0.97))))
        cands = []
        if seats == 1:
            valid = ballots * (1 - rng.uniform(0.002, 0.01))
            for e, s in zip(entries, shares):
                cands.append([e[0], int(valid * s)])
        else:
            for e, s in zip(entries, shares):
                for _ in range(e[2]):
                    cands.append([e[0], int(ballots * s * MULTI_VOTE_USE * rng.uniform(0.88, 1.07))])
        for cd in cands:
            if cd[1] < 5:
                cd[1] = rng.randint(5, 40)
        cands.sort(key=lambda x: -x[1])
        for i in range(len(cands) - 2, -1, -1):  # distinct votes: no ties anywhere
            if cands[i][1] <= cands[i + 1][1]:
                cands[i][1] = cands[i + 1][1] + 1
        if seats == 1:
            ballots = max(ballots, sum(x[1] for x in cands) + rng.randint(3, 25))
        # names, unique in the ward
        used = set()
        rows, winners = [], []
        for i, (party, votes) in enumerate(cands):
            while True:
                sur = rng.choice(SURNAME_A) + rng.choice(SURNAME_B)
                if era == "tonight":
                    nm = f"{sur} {rng.choice(INITIALS)}."
                else:
                    nm = f"{rng.choice(FORENAMES)} {sur}"
                if nm not in used:
                    used.add(nm)
                    break
            elected = i < seats
            rows.append((nm, party, votes, "yes" if elected else "no"))
            if elected:
                winners.append(party)
        return rows, winners, ballots

    # ---- history -----------------------------------------------------------------------

    def history(self, c: dict, ctrl_before: str, base_ctrl: str, prefix: str) -> None:
        rng = self.rng
        if prefix == "E09":
            created = 1964
        elif prefix in ("E07", "E08"):
            created = 1973
        else:
            created = rng.choice([1996, 1997, 1998, 2009, 2019, 2020, 2021])
        named = [p for p, _ in sorted(zip(c["parties"], c["strengths"]), key=lambda x: -x[1])
                 if p not in NEVER_CONTROL][:3]
        options = sorted(set(named + ["NOC"]) | {x for x in (ctrl_before, base_ctrl) if x})
        periods = []  # (from_year, control), latest first
        if ctrl_before != base_ctrl:
            periods.append((rng.randint(BASE_YEAR + 1, YEAR - 1), ctrl_before))
            cur, latest = base_ctrl, BASE_YEAR
        else:
            cur, latest = ctrl_before, BASE_YEAR
        while True:
            f = max(created, latest - int(rng.expovariate(1 / 6.0)))
            periods.append((f, cur))
            if f <= created:
                break
            cur = rng.choice([o for o in options if o != cur])
            latest = f - 1
        periods.reverse()
        for i, (f, ctrl) in enumerate(periods):
            to = periods[i + 1][0] if i + 1 < len(periods) else ""
            self.history_rows.append([c["name"], c["slug"], f, to, ctrl])

    # ---- declarations ------------------------------------------------------------------

    def declare(self, councils: list[dict]) -> None:
        rng = self.rng
        all_wards = [(ci, wi) for ci, c in enumerate(councils) for wi in range(len(c["wards"]))]
        n_corr = max(1, round(len(all_wards) * CORRECTION_SHARE)) if all_wards else 0
        corrected = set(rng.sample(range(len(all_wards)), min(n_corr, len(all_wards))))
        corrected = {all_wards[i] for i in corrected}
        night = datetime.combine(POLL_DATE, datetime.min.time(), TZ)
        for ci, c in enumerate(councils):
            mode = _weighted(rng, [m[1] for m in COUNT_MODE], [m[0] for m in COUNT_MODE])
            if mode == "overnight":
                start = night + timedelta(hours=23, minutes=15 + min(330, int(rng.expovariate(1 / 80))))
            elif mode == "friday":
                start = night + timedelta(days=1, minutes=int(rng.triangular(9.5 * 60, 15.75 * 60, 13 * 60)))
            elif rng.random() < 0.5:
                start = night + timedelta(days=1, hours=22, minutes=rng.randint(30, 150))
            else:
                start = night + timedelta(days=2, hours=13, minutes=rng.randint(30, 120))
            n = len(c["wards"])
            span = min(300, 30 + n * rng.uniform(2.5, 6.0))
            offsets = sorted([0] + [int(rng.uniform(0, span)) for _ in range(n - 1)])
            rng.shuffle(c["wards"])  # declaration order is not alphabetical
            last = start
            for wi, (ward, off) in enumerate(zip(c["wards"], offsets)):
                at = start + timedelta(minutes=off)
                last = max(last, at)
                rows = ward["rows"]
                if (ci, wi) in corrected:
                    wrong = self.misdeclare(rows, ward["seats"])
                    self.emit(c, ward, wrong, at)
                    at = at + timedelta(minutes=rng.randint(10, 120))
                    last = max(last, at)
                    self.stats["corrections"] += 1
                self.emit(c, ward, rows, at)
                self.stats["ward_declarations"] += 1
            at = last + timedelta(minutes=rng.randint(3, 10))
            self.council_result_rows.append([c["name"], c["slug"], seat_list(c["won"]),
                                             seat_list(c["comp_after"]), _iso(at)])

    def emit(self, c: dict, ward: dict, rows, at: datetime) -> None:
        ts = _iso(at)
        for cand, party, votes, elected in rows:
            self.result_rows.append([c["name"], c["slug"], ward["name"], ward["code"],
                                     ward["seats"], cand, party, votes, elected, ts])

    def misdeclare(self, rows, seats: int):
        """The first, wrong, declaration of a ward later corrected: transposed figures."""
        rng = self.rng
        votes = [r[2] for r in rows]
        if len(rows) > seats and rng.random() < 0.3:
            i, j = seats - 1, seats  # last winner and first loser swapped: a different winner
            votes[i], votes[j] = votes[j], votes[i]
        elif len(rows) >= 2 and rng.random() < 0.5:
            i, j = rng.sample(range(len(rows)), 2)
            votes[i], votes[j] = votes[j], votes[i]
        else:
            i = rng.randrange(len(rows))
            for d in (90, 9, 10, 100, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12):
                v = votes[i] - d  # a figure mistyped low: the ballots still cover the total
                if v >= 0 and v not in votes:
                    votes[i] = v
                    break
        order = sorted(range(len(rows)), key=lambda k: -votes[k])
        return [(rows[k][0], rows[k][1], votes[k], "yes" if pos < seats else "no")
                for pos, k in enumerate(order)]

    # ---- output -------------------------------------------------------------------------

    def write(self, out: Path) -> None:
        (out / "baseline").mkdir(parents=True, exist_ok=True)
        (out / "results").mkdir(parents=True, exist_ok=True)

        def put(path, header, rows):
            with open(out / path, "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(header)
                w.writerows(rows)

        put("councils.csv", ["council", "slug", "gss_code", "region", "cycle", "total_seats",
                             "seats_up", "control_before", "composition_before",
                             "new_council", "boundary_change"],
            sorted(self.councils_rows, key=lambda r: r[0]))
        put("baseline/councils.csv", ["council", "slug", "cycle", "total_seats", "seats_up",
                                      "seats_won", "composition_after", "control_after"],
            sorted(self.baseline_rows, key=lambda r: r[0]))
        put("baseline/wards.csv", ["council", "slug", "ward", "ward_code", "seats_in_ward",
                                   "candidate", "party", "votes", "elected"],
            self.baseline_ward_rows)
        self.result_rows.sort(key=lambda r: r[9])  # stable: candidates stay by votes
        put("results/wards.csv", ["council", "slug", "ward", "ward_code", "seats_in_ward",
                                  "candidate", "party", "votes", "elected", "declared_at"],
            self.result_rows)
        self.council_result_rows.sort(key=lambda r: r[4])
        put("results/councils.csv", ["council", "slug", "seats_won", "composition_after",
                                     "declared_at"], self.council_result_rows)
        put("results/turnout.csv", ["council", "slug", "ward", "ward_code", "electorate",
                                    "turnout_pct", "total_votes"], self.turnout_rows)
        put("history.csv", ["council", "slug", "from_year", "to_year", "control"],
            self.history_rows)
        (out / "election.toml").write_text(ELECTION_TOML, encoding="utf-8")


ELECTION_TOML = f"""\
# SYNTHETIC election night generated by bench/synth.py: every name and figure is invented.
id = "{ELECTION_ID}"
name = "English local elections {YEAR} (synthetic)"
poll_date = {POLL_DATE.isoformat()}
polls_close = {POLLS_CLOSE.isoformat()}
baseline_id = "{BASELINE_ID}"
baseline_label = "{BASE_YEAR}"

[[context]]
key = "pns_{BASE_YEAR}"
label = "Projected national share, {BASE_YEAR} local elections (synthetic)"
unit = "percent"
values = {{ Con = 33, Lab = 34, LD = 17, Green = 8, Reform = 5 }}
source = "bench/synth.py"

[[context]]
key = "nev_{BASE_YEAR}"
label = "National equivalent vote, {BASE_YEAR} (synthetic)"
unit = "percent"
values = {{ Con = 34, Lab = 33, LD = 16 }}
source = "bench/synth.py"
"""


def generate(out_dir: Path, scale: float, seed: int) -> dict:
    """Write a synthetic election directory to ``out_dir`` (created if needed; the files
    it writes are overwritten) and return counts of what it wrote."""
    if scale <= 0:
        raise ValueError("scale must be > 0")
    gen = Generator(scale, seed)
    gen.run()
    gen.write(Path(out_dir))
    s = gen.stats
    return {
        "councils": s["councils"],
        "cycles": {k: s[f"cycle_{k}"] for k in ("thirds", "all-out", "halves")},
        "new_councils": s["new_councils"],
        "boundary_changes": s["boundary_changes"],
        "size_changes": s["size_changes"],
        "thirds_after_all_out": s["thirds_after_all_out"],
        "total_seats": s["total_seats"],
        "seats_up": s["seats_up"],
        "ward_declarations": s["ward_declarations"],
        "corrections": s["corrections"],
        "declarations": s["ward_declarations"] + s["corrections"],
        "candidate_rows": len(gen.result_rows),
        "baseline_wards": s["baseline_wards"],
        "baseline_candidate_rows": len(gen.baseline_ward_rows),
        "turnout_rows": len(gen.turnout_rows),
        "history_rows": len(gen.history_rows),
        "control_changes": s["control_changes"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate a synthetic election night directory.")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="size relative to a real night (1 = ~146 councils, ~2,850 wards)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (output is deterministic)")
    ap.add_argument("--out", type=Path, required=True, help="directory to write")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    counts = generate(args.out, args.scale, args.seed)
    counts["seconds"] = round(time.perf_counter() - t0, 2)
    json.dump(counts, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
