"""The candidate table every importer produces, and what is built from it.

A candidate table is a pandas DataFrame with :data:`COLUMNS` (one row per candidate; ``row``
is where it came from in the source, for the report). Everything here is pure: tables in,
tables and findings out.
"""

from __future__ import annotations

import pandas as pd

from writer import parties
from writer.importers.composition import composition_after
from writer.importers.report import Report
from writer.model import normalise_ward_name

COLUMNS = ("council", "slug", "gss_code", "ward", "ward_code", "seats_in_ward", "candidate", "party",
           "votes", "elected", "row")
WARD_COLUMNS = ("council", "slug", "ward", "ward_code", "seats_in_ward", "candidate", "party", "votes", "elected")
BASELINE_COUNCIL_COLUMNS = ("council", "slug", "cycle", "total_seats", "seats_up", "seats_won",
                            "composition_after", "control_after")


def check_wards(table: pd.DataFrame, source: str, report: Report) -> pd.DataFrame:
    """Report wards that cannot be used (more winners than seats: left out) or that look
    wrong (fewer winners than seats, no candidates elected): the rest are returned."""
    bad: list[tuple[str, str]] = []
    for (slug, ward), rows in table.groupby(["slug", "ward"], sort=False):
        first = int(rows["row"].min())
        seats = set(rows["seats_in_ward"])
        winners = int(rows["elected"].sum())
        if len(seats) > 1:
            report.add("left out", source, f"row {first}", "seats", f"{slug}: ward {ward!r} gives {len(seats)} "
                       f"different numbers of seats ({', '.join(map(str, sorted(seats)))}); expected one per ward")
            bad.append((slug, ward))
            continue
        n = seats.pop()
        if winners > n:
            report.add("left out", source, f"row {first}", "elected", f"{slug}: ward {ward!r} has {winners} "
                       f"candidates elected for {n} seat{'s' if n != 1 else ''}; expected at most {n}")
            bad.append((slug, ward))
        elif winners < n:
            report.add("check", source, f"row {first}", "elected", f"{slug}: ward {ward!r} has {winners} "
                       f"candidates elected for {n} seats (a seat left unfilled, or a winner missing from the source)")
    if bad:
        keys = pd.MultiIndex.from_tuples(bad)
        table = table[~pd.MultiIndex.from_frame(table[["slug", "ward"]]).isin(keys)]
    return shared_codes(table, source, report)


def shared_codes(table: pd.DataFrame, source: str, report: Report) -> pd.DataFrame:
    """A ward code that a source gives to more than one ward (Richmond's Hampton and Hampton
    Wick share one in the 2022 handbook) names neither for sure: those wards are written
    without a code, so each is matched with the baseline by its name, and reported."""
    coded = table[table["ward_code"] != ""]
    wards = coded.drop_duplicates(["slug", "ward"]).groupby("ward_code")
    shared = [code for code, group in wards if len(group) > 1]
    if not shared:
        return table
    table = table.copy()
    for code in shared:
        rows = table[table["ward_code"] == code]
        names = ", ".join(f"{s}: {w!r}" for s, w in rows.drop_duplicates(["slug", "ward"])[["slug", "ward"]]
                          .itertuples(index=False))
        report.add("check", source, f"row {int(rows['row'].min())}", "ward_code",
                   f"{code!r} is the code of more than one ward ({names}); written without a code, so each "
                   "is matched with the baseline by its name")
        table.loc[table["ward_code"] == code, "ward_code"] = ""
    return table


def wards_csv(table: pd.DataFrame, declared_at: str | None = None) -> pd.DataFrame:
    """The candidate rows in the election-directory format (baseline or results)."""
    out = table[list(WARD_COLUMNS)].copy()
    out["elected"] = out["elected"].map({True: "yes", False: "no"})
    if declared_at is not None:
        out["declared_at"] = declared_at
    return out


def council_seats(table: pd.DataFrame) -> pd.DataFrame:
    """One row per council: name, gss_code, seats_up (the seats of its wards) and the seats
    won by each party (a dict)."""
    wards = table.drop_duplicates(["slug", "ward"])
    up = wards.groupby("slug", sort=False)["seats_in_ward"].sum()
    won = table[table["elected"]].groupby("slug", sort=False)["party"].agg(lambda s: parties.count_parties(s))
    first = table.drop_duplicates("slug").set_index("slug")
    out = pd.DataFrame({"council": first["council"], "gss_code": first["gss_code"], "seats_up": up})
    out["seats_won"] = [won.get(slug, {}) for slug in out.index]
    out["wards"] = [tuple(sorted(set(g["ward"]))) for _, g in wards.groupby("slug", sort=False)]
    return out


def infer_cycle(seats_up: int, total: int | None, hint: str | None = None) -> str | None:
    """all-out, thirds or halves from the share of the whole council elected; without the
    council's size, from a hint such as the handbook's election type ('all-out' or
    'partial': a partial election is taken as thirds). None when it is not clear."""
    if total:
        share = seats_up / total
        if share > 0.6:  # more than half the council: not thirds or halves (a smaller council, all-out)
            return "all-out"
        if 0.42 <= share <= 0.6:
            return "halves"
        if 0.2 <= share < 0.42:
            return "thirds"
        return None
    return {"all-out": "all-out", "partial": "thirds"}.get(hint or "")


def baseline_councils(table: pd.DataFrame, comps: dict | None, hints: dict[str, str], source: str,
                      report: Report, baseline_date=None) -> pd.DataFrame:
    """baseline/councils.csv (plus gss_code) from a candidate table: seats up and won from
    the candidates. An all-out council's make-up is the seats won; for a council electing
    part of its seats, the whole council's size and make-up come from compositions (an
    estimate, reported), or are left empty for an editor to fill in (reported)."""
    rows = []
    for slug, c in council_seats(table).iterrows():
        won = c["seats_won"]
        seats_up = sum(won.values())
        name = c["council"]
        if seats_up != c["seats_up"]:
            report.add("check", source, slug, "seats_up", f"the wards of {name} have {c['seats_up']} seats "
                       f"but {seats_up} winners; seats_up is written as the {seats_up} seats filled")
        comp = comps.get(slug) if comps else None
        hint = hints.get(slug)
        cycle = infer_cycle(seats_up, comp.total if comp is not None else None, hint)
        if hint == "partial" and cycle == "all-out":
            report.add("check", source, slug, "cycle", f"{name}: the election type says a partial election but "
                       f"{seats_up} of the {comp.total} councillors in the composition were elected; written as all-out")
        elif comp is not None and hint != "all-out":
            report.add("check", source, slug, "cycle", f"{name}: cycle {cycle or 'unknown'} inferred from "
                       f"{seats_up} seats up of the {comp.total} councillors in the composition source")
        total = after = None
        if cycle == "all-out":
            total, after = seats_up, dict(won)
        elif comp is not None:
            after, total = composition_after(comp, won, baseline_date, report, slug)
        if cycle is None:
            report.add("check", source, slug, "cycle", f"{name}: the election cycle is unclear "
                       "(no election type, no composition); written empty for an editor to fill in")
        if after is None:
            report.add("check", source, slug, "composition_after", f"{name}: elects part of the council, "
                       "and no composition was given (--compositions); total_seats, composition_after and "
                       "control_after are left empty for an editor to fill in")
        rows.append({
            "council": name, "slug": slug, "cycle": cycle or "",
            "total_seats": total if total is not None else "", "seats_up": seats_up,
            "seats_won": parties.format_seat_list(won),
            "composition_after": parties.format_seat_list(after) if after is not None else "",
            "control_after": parties.control_of(after, total) if after is not None else "",
            "gss_code": c["gss_code"],
        })
    return pd.DataFrame(rows, columns=list(BASELINE_COUNCIL_COLUMNS) + ["gss_code"])


def ward_key(ward_code: str, ward: str) -> tuple[str, str]:
    return ward_code or "", normalise_ward_name(ward)


def unmatched_wards(tonight: pd.DataFrame, baseline: pd.DataFrame) -> list[str]:
    """Tonight's wards (of one council) with no baseline ward of the same code or name."""
    codes = set(baseline["ward_code"]) - {""}
    names = {normalise_ward_name(w) for w in baseline["ward"]}
    out = []
    for ward, code in tonight.drop_duplicates("ward")[["ward", "ward_code"]].itertuples(index=False):
        if not ((code and code in codes) or normalise_ward_name(ward) in names):
            out.append(ward)
    return out
