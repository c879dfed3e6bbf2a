"""Council compositions from Open Council Data UK's councillor list.

The file has one row per sitting councillor: ``Council, Ward Name, Councillor Name, Next
Election, Party Name, Electoral Commission Party Code``. A council's composition is the count
of its councillors by party; ``Next Election`` says which seats are up when, which also shows
a council's cycle. Parties resolve through the party registry (``rules/party-registry.yaml``:
the Electoral Commission code first, then the name), so a composition names each party as
the other sources do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from writer import parties
from writer.identity import PartyRegistry, default_registry
from writer.importers.report import Report
from writer.importers.names import council_slug
from writer.errors import InputError, Problem
from writer.model import slugify

OCD_COLUMNS = ("Council", "Ward Name", "Councillor Name", "Next Election", "Party Name")
EC_CODE = "Electoral Commission Party Code"  # optional: a party's registration number (PP53)


@dataclass(frozen=True)
class Composition:
    council: str
    slug: str
    seats: dict[str, int]
    up_on: dict[date, dict[str, int]] = field(default_factory=dict)  # next election -> holders

    @property
    def total(self) -> int:
        return sum(self.seats.values())

    @property
    def control(self) -> str:
        return parties.control_of(self.seats, self.total)


def party_from_name(name: str, registry: PartyRegistry | None = None, party_id: str = "") -> str | None:
    """A writer party code for a party name (and Electoral Commission code, if given), or
    None when no code can be made of it: the registry's party for the id or the name, else
    a residents' association (Res) for a name with "resident" in it, else ``Other (Name)``."""
    registry = registry if registry is not None else default_registry()
    name = " ".join(name.split())
    if name == "Vacant":
        return "Vacant"
    found = (registry.for_id(party_id) if party_id.strip() else None) or registry.for_name(name)
    if found is not None:
        return found
    if "resident" in name.lower():
        return "Res"
    code = f"Other ({name})"
    return code if parties.is_named_other(code) else None


def read_ocd(path: str | Path) -> pd.DataFrame:
    """The councillor list as text, every column kept; InputError naming the file if it
    cannot be read as one."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError([Problem(str(path), None, None, f"cannot be read as a CSV file: {exc}")],
                         f"cannot import {path.name}") from None
    missing = [c for c in OCD_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError([Problem(str(path), 1, c, "missing column; an Open Council Data councillor list has "
                                  + ", ".join(OCD_COLUMNS)) for c in missing], f"cannot import {path.name}")
    frame["row"] = range(2, len(frame) + 2)  # line numbers: the header is line 1
    return frame


def compositions(frame: pd.DataFrame, source: str, report: Report,
                 registry: PartyRegistry | None = None) -> dict[str, Composition]:
    """Count councillors by council and party (and by next election)."""
    registry = registry if registry is not None else default_registry()
    seats: dict[str, dict[str, int]] = {}
    up: dict[str, dict[date, dict[str, int]]] = {}
    names: dict[str, str] = {}
    ec_codes = frame[EC_CODE] if EC_CODE in frame.columns else [""] * len(frame)
    rows = frame[["Council", "Party Name", "Next Election", "row"]].itertuples(index=False)
    for (council, name, when, line), ec_code in zip(rows, ec_codes):
        where = f"line {line}"
        if not council.strip():
            report.add("left out", source, where, "Council", "is empty; expected the council's name")
            continue
        party = party_from_name(name, registry, ec_code) if name.strip() else "Vacant"
        if party is None:
            report.add("left out", source, where, "Party Name", f"{name!r} cannot be written as a party code "
                       "(expected a name without ':' or ';', at most 100 characters)")
            continue
        slug = council_slug(council)
        names.setdefault(slug, council.strip())
        seats.setdefault(slug, {})
        seats[slug][party] = seats[slug].get(party, 0) + 1
        try:
            day = date.fromisoformat(when)
        except ValueError:
            report.add("check", source, where, "Next Election", f"{when!r} is not a date such as 2022-05-05; "
                       "the councillor is counted but not as up at any election")
            continue
        holders = up.setdefault(slug, {}).setdefault(day, {})
        holders[party] = holders.get(party, 0) + 1
    return {slug: Composition(names[slug], slug, seats[slug], up.get(slug, {})) for slug in seats}


def composition_after(comp: Composition, won: dict[str, int], election: date | None, report: Report,
                      slug: str) -> tuple[dict[str, int], int]:
    """The whole council after an election that filled ``won``, estimated from a snapshot:
    the snapshot less the councillors whose seats were up at ``election``, plus the seats
    won. A snapshot taken after the election is used as it is. Either way it is reported."""
    holders = comp.up_on.get(election) if election else None
    if holders:
        after = parties.add_seats(parties.subtract_seats(comp.seats, holders), won)
        after = {p: n for p, n in after.items() if n > 0}
        if any(n < 0 for n in parties.subtract_seats(comp.seats, holders).values()):
            report.add("check", "compositions", slug, "composition_after", "the snapshot's councillors up "
                       "do not fit its totals")
        report.add("note", "compositions", slug, "composition_after", f"estimated: the composition snapshot less "
                   f"the {sum(holders.values())} councillors up on {election}, plus the {sum(won.values())} seats won")
    else:
        after = dict(comp.seats)
        report.add("check", "compositions", slug, "composition_after", f"estimated: the composition snapshot "
                   f"({comp.total} seats) as it stands, since none of its councillors were up on {election}; "
                   "by-elections and defections since the election are in it")
    return after, sum(after.values())


def cycle_from_composition(comp: Composition) -> str | None:
    """all-out, halves or thirds from how many election dates the councillors are spread
    over; None when that is unclear (other spreads)."""
    dates = [d for d, h in comp.up_on.items() if sum(h.values()) >= max(2, comp.total // 10)]
    return {1: "all-out", 2: "halves", 3: "thirds"}.get(len(dates))


def apply_compositions(councils: pd.DataFrame, comps: dict[str, Composition], source: str,
                       report: Report) -> pd.DataFrame:
    """Fill composition_before and control_before of a councils.csv table from
    compositions; councils missing from either side are reported."""
    out = councils.copy()
    for i, row in out.iterrows():
        if str(row.get("new_council", "")) == "yes":
            continue
        comp = comps.get(row["slug"])
        if comp is None:
            report.add("check", source, row["slug"], "composition_before", f"{row['council']} is not in the "
                       "composition source; composition_before and control_before are left as they were")
            continue
        out.at[i, "composition_before"] = parties.format_seat_list(comp.seats)
        out.at[i, "control_before"] = comp.control
        total = str(row.get("total_seats", ""))
        if total.isdigit() and int(total) != comp.total:
            report.add("check", source, row["slug"], "total_seats", f"{row['council']} has {comp.total} "
                       f"councillors in the composition source but total_seats {total}; a change of size "
                       "(new boundaries) or a stale snapshot")
    extra = sorted(set(comps) - set(out["slug"]))
    if extra:
        report.add("note", source, None, "Council", f"{len(extra)} councils in the composition source have no "
                   "election in councils.csv (not used): " + ", ".join(extra[:10]) + (", ..." if len(extra) > 10 else ""))
    return out
