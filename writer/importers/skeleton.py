"""councils.csv and election.toml for a night: from tonight's results (a past night
rebuilt from its sources) or, before a new night, from the baseline alone.

Pure: tables and compositions in, tables and findings out.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from writer import parties
from writer.importers.candidates import council_seats, infer_cycle, unmatched_wards
from writer.importers.composition import Composition
from writer.importers.report import Report

COUNCIL_COLUMNS = ("council", "slug", "gss_code", "region", "cycle", "total_seats", "seats_up",
                   "control_before", "composition_before", "new_council", "boundary_change")
LONDON = "E09"  # ONS codes of the London boroughs
UNKNOWN_REGION = "Unknown"


def first_thursday_in_may(year: int) -> date:
    day = date(year, 5, 1)
    return day + timedelta(days=(3 - day.weekday()) % 7)


def election_toml(poll_date: date, baseline_date: date, name: str | None = None) -> str:
    close = datetime(poll_date.year, poll_date.month, poll_date.day, 22, tzinfo=ZoneInfo("Europe/London"))
    lines = [
        f"# Written by the writer's importers; check every value before the night.",
        f"id = {json.dumps(f'local.{poll_date.isoformat()}')}",
        f"name = {json.dumps(name or f'English local elections {poll_date.year}')}",
        f"poll_date = {poll_date.isoformat()}",
        f"polls_close = {close.isoformat()}",
        f"baseline_id = {json.dumps(f'local.{baseline_date.isoformat()}')}",
        f"baseline_label = {json.dumps(str(baseline_date.year))}",
    ]
    return "\n".join(lines) + "\n"


def _region(slug: str, gss: str, regions: dict[str, str], report: Report, source: str) -> str:
    if slug in regions:
        return regions[slug]
    if gss.startswith(LONDON):
        return "London"
    report.add("check", source, slug, "region", f"region unknown (no previous councils.csv lists {slug}); "
               f"written as {UNKNOWN_REGION!r}")
    return UNKNOWN_REGION


def _row(council: str, slug: str, gss: str, region: str, cycle: str, total: int, up: int,
         before: dict[str, int] | None, new: bool, boundary: bool) -> dict:
    return {"council": council, "slug": slug, "gss_code": gss, "region": region, "cycle": cycle,
            "total_seats": total, "seats_up": up,
            "control_before": "" if before is None else parties.control_of(before, sum(before.values())),
            "composition_before": "" if before is None else parties.format_seat_list(before),
            "new_council": "yes" if new else "no", "boundary_change": "yes" if boundary else "no"}


def english(gss: str) -> bool:
    return gss.startswith("E")


def night_councils(tonight: pd.DataFrame, hints: dict[str, str], baseline_councils: pd.DataFrame | None,
                   baseline_wards: pd.DataFrame | None, comps: dict[str, Composition] | None,
                   regions: dict[str, str], report: Report, source: str = "councils.csv") -> pd.DataFrame:
    """councils.csv for a night whose candidate results are ``tonight``: seats up from the
    results; size, composition and control before from compositions; new councils and
    redrawn wards from the baseline. Every inference is reported for an editor to check."""
    base = baseline_councils.set_index("slug") if baseline_councils is not None else pd.DataFrame()
    rows = []
    for slug, c in council_seats(tonight).iterrows():
        name, gss, up = c["council"], c["gss_code"], int(c["seats_up"])
        if not english(gss):
            report.add("left out", source, slug, "gss_code", f"{name} ({gss}) is not an English council; "
                       "the writer covers English local elections")
            continue
        comp = (comps or {}).get(slug)
        b = base.loc[slug] if slug in base.index else None
        new = b is None
        hint = hints.get(slug)
        total = comp.total if comp is not None else (int(b["total_seats"]) if b is not None and str(b["total_seats"]).isdigit() else None)
        cycle = infer_cycle(up, total, hint) if hint != "all-out" else "all-out"
        b_cycle = str(b["cycle"]) if b is not None else ""
        if cycle in ("thirds", "halves") and b_cycle in ("thirds", "halves") and b_cycle != cycle:
            report.add("note", source, slug, "cycle", f"{name}: {up} seats up of {total} looks like {cycle}; "
                       f"written as {b_cycle}, as in the baseline (by-elections add seats to a year's election)")
            cycle = b_cycle
        if hint == "partial" and cycle == "all-out":
            report.add("check", source, slug, "cycle", f"{name}: the election type says a partial election but "
                       f"all {up} seats of {total} were elected; written as all-out")
        if cycle is None:
            cycle = "thirds"
            report.add("check", source, slug, "cycle", f"{name}: cycle unclear ({up} seats up of {total}); written as thirds")
        if cycle == "all-out":
            total = up
        elif total is None:
            report.add("left out", source, slug, "total_seats", f"{name} elects part of its council and its size "
                       "is not known (no composition, no baseline); add it by hand")
            continue
        before = None if new else (dict(comp.seats) if comp is not None else None)
        if not new and before is None and b is not None and b["composition_after"]:
            before = parties.parse_seat_list(b["composition_after"])
            report.add("check", source, slug, "composition_before", f"{name}: no composition source; "
                       "composition_before is the baseline's composition after its election")
        if not new and before is None:
            report.add("left out", source, slug, "composition_before", f"{name}: no composition before the election; add it by hand")
            continue
        boundary = False
        if new:
            report.add("check", source, slug, "new_council", f"{name} has no baseline: written as a new council")
        else:
            bw = baseline_wards[baseline_wards["slug"] == slug] if baseline_wards is not None else None
            unmatched = unmatched_wards(tonight[tonight["slug"] == slug], bw) if bw is not None else []
            n_wards = len(c["wards"])
            if sum(before.values()) != total:
                boundary = True
                report.add("check", source, slug, "boundary_change", f"{name}: {sum(before.values())} seats before, "
                           f"{total} now: a change of size, so boundary_change = yes")
            elif cycle == "all-out" and unmatched:
                boundary = True
                report.add("check", source, slug, "boundary_change", f"{name}: {len(unmatched)} of {n_wards} wards "
                           "have no baseline ward of the same code or name: boundary_change = yes (compared as a whole)")
            elif unmatched:
                report.add("note", source, slug, "ward", f"{name}: {len(unmatched)} of {n_wards} wards have no baseline "
                           "ward of the same code or name and are left out of seat changes: " + ", ".join(unmatched[:6])
                           + (", ..." if len(unmatched) > 6 else ""))
        rows.append(_row(name, slug, gss, _region(slug, gss, regions, report, source), cycle, total, up,
                         before, new, boundary))
    return pd.DataFrame(rows, columns=list(COUNCIL_COLUMNS))


def new_night_councils(baseline_councils: pd.DataFrame, baseline_date: date, poll_date: date,
                       comps: dict[str, Composition] | None, regions: dict[str, str],
                       report: Report, source: str = "councils.csv") -> pd.DataFrame:
    """councils.csv for a night in ``poll_date``'s year from a baseline four years earlier:
    the same seats are fought again (all-out councils elect the whole council again, thirds
    and halves councils the seats last fought in the baseline year). Councils whose cycle is
    unknown are left out and reported; everything that may have changed since is listed."""
    gap = poll_date.year - baseline_date.year
    if gap != 4:
        report.add("check", source, None, "baseline", f"the baseline is from {baseline_date.year}, {gap} years before "
                   f"{poll_date.year}; the seats up are those last fought four years earlier, so check every council")
    rows = []
    for b in baseline_councils.to_dict("records"):
        slug, name, gss = b["slug"], b["council"], str(b.get("gss_code", "") or "")
        if gss and not english(gss):
            report.add("left out", source, slug, "gss_code", f"{name} ({gss}) is not an English council")
            continue
        cycle = b["cycle"] or None
        if cycle is None:
            report.add("left out", source, slug, "cycle", f"{name}: the baseline does not say its cycle, so whether "
                       f"it votes in {poll_date.year} and which seats are up is unclear; add it by hand")
            continue
        up = int(b["seats_up"])
        comp = (comps or {}).get(slug)
        total = int(b["total_seats"]) if str(b["total_seats"]).isdigit() else (comp.total if comp else None)
        if total is None:
            report.add("left out", source, slug, "total_seats", f"{name}: the council's size is unknown; add it by hand")
            continue
        if comp is not None:
            before = dict(comp.seats)
            if comp.total != total:
                report.add("check", source, slug, "total_seats", f"{name}: {comp.total} councillors in the composition "
                           f"source, {total} after the baseline: a change of size or a stale snapshot")
        elif b["composition_after"]:
            before = parties.parse_seat_list(b["composition_after"])
            report.add("check", source, slug, "composition_before", f"{name}: composition_before is the make-up after "
                       f"the {baseline_date.year} election (by-elections and defections since are not in it)")
        else:
            report.add("left out", source, slug, "composition_before", f"{name}: no composition; add it by hand")
            continue
        if comps is not None and comp is None:
            report.add("check", source, slug, "new_council", f"{name} is not in the composition source: a council "
                       f"first elected in {baseline_date.year}? Check when it next votes (a first term can be five years)")
        if cycle == "all-out":
            up = total
        boundary = sum(before.values()) != total
        if boundary:
            report.add("check", source, slug, "boundary_change", f"{name}: {sum(before.values())} seats in the composition, "
                       f"{total} in the baseline: boundary_change = yes; check for new wards")
        rows.append(_row(name, slug, gss, _region(slug, gss, regions, report, source), cycle, total, up,
                         before, False, boundary))
    report.add("check", source, None, "cycle", f"{len(rows)} councils written with the cycle and seats up of "
               f"{baseline_date.year}; check each for a change of cycle, size or boundaries since, and for "
               "postponed or cancelled elections")
    return pd.DataFrame(rows, columns=list(COUNCIL_COLUMNS))
