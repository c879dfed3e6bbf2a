"""The national share estimate and the Commons projection, recomputed by the oracle.

Written from DOMAIN.md ("The national share estimate and the Commons projection"), not from
the writer's ``compare.national``:

- the *main parties* are those of the first ``pns_`` context in election.toml, and each
  starts from its value there;
- a ward counts when it is declared tonight (its current version) with every candidate's
  votes, in a council that is not new, has the same cycle as at the baseline and no boundary
  change, matched to a baseline ward (by ward code, then normalised name) whose contest had
  votes, with the same number of seats both times and every main party standing both times;
- a party's share in a ward is by the top-candidate method (:func:`truth.shares`);
- each main party's estimate is its baseline share plus the unweighted mean of its change over
  the wards that count, to one decimal place; none until ``rules/national.yaml``'s minimum
  (``min_wards`` in ``min_councils``) is reached;
- the Commons projection applies each main party's change from its share of the Great Britain
  vote at the last general election uniformly to every GB constituency of
  general_election.csv (shares never below 0); Northern Ireland's seats, the Speaker's and a
  seat whose top share is the lumped ``Other`` keep their winner; the majority is the
  largest party's seats less floor(n/2)+1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from writer.oracle.truth import BaselineWard, WardResult, shares

if TYPE_CHECKING:
    from writer.oracle.truth import Moment, NightTruth

#: DOMAIN.md's minimum, used where rules/national.yaml is absent.
DEFAULT_MIN_WARDS = 30
DEFAULT_MIN_COUNCILS = 3
NORTHERN_IRELAND = "Northern Ireland"
SPEAKER = "Spk"
LUMPED = "Other"
FIXED = ("ons_id", "constituency", "country", "region", "electorate", "valid_votes", "winner")


@dataclass
class Estimate:
    """The national share estimate at one point of the night."""

    main: dict[str, str]  # canonical party id -> its code in election.toml
    baseline: dict[str, float]  # canonical id -> baseline projected share
    wards: list[WardResult] = field(default_factory=list)  # the wards that count
    councils: list[str] = field(default_factory=list)  # their councils, in order of first use
    change: dict[str, float] = field(default_factory=dict)  # canonical id -> mean change (points)
    shares: dict[str, float] = field(default_factory=dict)  # canonical id -> estimate (one decimal)
    with_votes: int = 0  # wards declared with every candidate's votes, comparable or not
    reason: str | None = None  # why there is no estimate

    @property
    def estimated(self) -> bool:
        return bool(self.shares)


@dataclass
class Projection:
    seats: dict[str, int]  # party code (as general_election.csv writes it) -> seats
    largest: str | None  # a party code; None where two tie for the most seats
    majority: int  # seats less floor(n/2)+1 (negative: short)
    needed: int  # floor(n/2)+1
    constituencies: int


def thresholds(rules_dir: Path) -> tuple[int, int]:
    """(min_wards, min_councils) from rules/national.yaml."""
    path = Path(rules_dir) / "national.yaml"
    if not path.exists():
        return DEFAULT_MIN_WARDS, DEFAULT_MIN_COUNCILS
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return int(data.get("min_wards", DEFAULT_MIN_WARDS)), int(data.get("min_councils", DEFAULT_MIN_COUNCILS))


def main_parties(truth: "NightTruth") -> tuple[dict[str, str], dict[str, float]]:
    """The first ``pns_`` context's parties (canonical id -> code) and values."""
    for c in truth.context():
        if str(c.get("key", "")).startswith("pns_"):
            values = c.get("values") or {}
            codes = {truth.parties.canon(str(k)): str(k) for k in values}
            return codes, {truth.parties.canon(str(k)): float(v) for k, v in values.items()}
    return {}, {}


def _baseline_shares(truth: "NightTruth", bw: BaselineWard) -> dict[str, float]:
    cache = truth.__dict__.setdefault("_oracle_baseline_shares", {})
    got = cache.get(id(bw))
    if got is None:
        got = cache[id(bw)] = shares(bw.candidates)
    return got


def estimate(truth: "NightTruth", moment: "Moment") -> Estimate:
    """The estimate as it stood at ``moment`` (cached per point of the night)."""
    cache = truth.__dict__.setdefault("_oracle_estimates", {})
    got = cache.get(moment.point)
    if got is None:
        got = cache[moment.point] = _estimate(truth, moment)
    return got


def _estimate(truth: "NightTruth", moment: "Moment") -> Estimate:
    main, base = main_parties(truth)
    est = Estimate(main, base)
    min_wards, min_councils = thresholds(truth.rules_dir)
    totals = {p: 0.0 for p in main}
    councils: dict[str, None] = {}
    for slug, st in moment.states.items():
        c = st.council
        for w in st.wards.values():
            d = w.decl
            if not d.candidates or not d.has_votes or not w.shares:
                continue
            est.with_votes += 1
            if not main:
                continue
            if c.new or c.baseline is None or c.boundary_change or c.baseline["cycle"] != c.cycle:
                continue
            bw = c.match(d.ward, d.code)
            if bw is None or bw.seats != d.seats or not bw.candidates:
                continue
            if any(x.votes is None for x in bw.candidates):
                continue
            before = _baseline_shares(truth, bw)
            if not before or not all(p in w.shares and p in before for p in main):
                continue
            est.wards.append(w)
            councils.setdefault(slug, None)
            for p in main:
                totals[p] += w.shares[p] - before[p]
    est.councils = list(councils)
    if not main:
        est.reason = "no pns_ context in election.toml"
    elif not est.with_votes:
        est.reason = "no ward declared with votes"
    elif len(est.wards) < min_wards or len(est.councils) < min_councils:
        est.reason = (f"only {len(est.wards)} wards in {len(est.councils)} councils count; the minimum is "
                      f"{min_wards} in {min_councils}")
    if est.wards:
        est.change = {p: totals[p] / len(est.wards) for p in main}
    if est.reason is None:
        est.shares = {p: round(base[p] + est.change[p], 1) for p in main}
    return est


def projection(truth: "NightTruth", est: Estimate) -> Projection | None:
    """The Commons projection from an estimate (None without one or without
    general_election.csv)."""
    ge = truth.general_election
    if ge is None or not est.estimated:
        return None
    key = tuple(sorted(est.shares.items()))
    cache = truth.__dict__.setdefault("_oracle_projections", {})
    if key in cache:
        return cache[key]
    cols = [c for c in ge.columns if c not in FIXED and c[:1].isupper()]

    def num(v: str) -> int:
        v = str(v).strip().replace(",", "")
        return int(float(v)) if v else 0

    rows = []
    for rec in ge.to_dict("records"):
        rows.append((rec.get("country", ""), rec.get("winner", ""), num(rec.get("valid_votes", "")),
                     {p: num(rec.get(p, "")) for p in cols}))
    gb = [r for r in rows if r[0] != NORTHERN_IRELAND]
    valid = sum(r[2] for r in gb)
    ge_share = {p: 100.0 * sum(r[3][p] for r in gb) / valid for p in cols} if valid else {}
    change = {code: est.shares[cid] - ge_share[code] for cid, code in est.main.items() if code in ge_share}
    seats: dict[str, int] = {}
    for country, winner, votes, by in rows:
        won = winner
        if country != NORTHERN_IRELAND and winner != SPEAKER and votes:
            share = {p: max(0.0, 100.0 * n / votes + change.get(p, 0.0)) for p, n in by.items()}
            best = max(share.values())
            tops = [p for p, v in share.items() if v == best]
            top = tops[0] if len(tops) == 1 else (winner if winner in tops else max(tops, key=lambda p: by[p]))
            won = winner if top == LUMPED else top
        seats[won] = seats.get(won, 0) + 1
    n = len(rows)
    needed = n // 2 + 1
    ranked = sorted(seats.items(), key=lambda kv: -kv[1])
    largest = ranked[0][0] if ranked and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]) else None
    got = Projection(seats, largest, (ranked[0][1] if ranked else 0) - needed, needed, n)
    cache[key] = got
    return got
