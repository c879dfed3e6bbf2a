"""Andrew Teale's Local Elections Archive Project (LEAP) results.

One CSV row per candidate, no header: council, council GSS code, ward, ward GSS code,
candidate, party code (LEAP's own), votes, elected (1/0). LEAP gives no seats per ward: a
ward's seats are its winners. LEAP's party codes resolve to the writer's through the party
registry (``rules/party-registry.yaml``, each party's ``leap`` codes), the same table every
other way in uses, so a LEAP baseline names a party as tonight's results do.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from writer import parties
from writer.identity import REGISTRY_FILE, PartyRegistry
from writer.importers.candidates import COLUMNS
from writer.importers.names import council_slug
from writer.importers.report import Report
from writer.errors import InputError, Problem
from writer.model import slugify

LEAP_COLUMNS = ("council", "gss_code", "ward", "ward_code", "candidate", "party", "votes", "elected")


def read_leap(path: str | Path) -> pd.DataFrame:
    """The file as text (line numbers kept), or InputError naming the file."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError([Problem(str(path), None, None, f"cannot be read as a CSV file: {exc}")],
                         f"cannot import {path.name}") from None
    if frame.shape[1] != len(LEAP_COLUMNS):
        raise InputError([Problem(path.name, 1, None, f"has {frame.shape[1]} columns; expected {len(LEAP_COLUMNS)} "
                                  "without a header: " + ", ".join(LEAP_COLUMNS))], f"cannot import {path.name}")
    frame.columns = list(LEAP_COLUMNS)
    frame["row"] = range(1, len(frame) + 1)
    return frame


def candidate_table(frame: pd.DataFrame, registry: PartyRegistry, source: str, report: Report) -> pd.DataFrame:
    """The candidate table; unusable rows are reported and left out; a LEAP code the
    registry does not know becomes ``Other (LEAP code X)`` (copy calls it "a local party"
    until someone names it in the registry) and is reported once per code."""
    rows, unknown = [], {}
    for council, gss, ward, ward_code, cand, code, votes, elected, line in frame.itertuples(index=False, name=None):
        where = f"line {line}"
        bad = []
        if not council.strip():
            bad.append(("council", "is empty; expected the council's name"))
        if not ward.strip() or ward == "NULL":
            bad.append(("ward", f"is {ward!r}; expected the ward's name"))
        if not cand.strip() or cand == "NULL":
            bad.append(("candidate", f"is {cand!r}; expected the candidate's name"))
        if not votes.isdigit():
            bad.append(("votes", f"is {votes!r}; expected a whole number of votes"))
        if elected not in ("0", "1"):
            bad.append(("elected", f"is {elected!r}; expected 1 or 0"))
        if bad:
            what = f"{council}, {ward}" if ward not in ("", "NULL") else council
            for col, message in bad:
                report.add("left out", source, where, col, f"{what}: {message}")
            continue
        party = registry.for_leap(code) if code else None
        if party is None:
            party = f"Other (LEAP code {code})"
            if not code or not parties.is_named_other(party):
                report.add("left out", source, where, "party", f"{code!r} is not a usable party code")
                continue
            unknown.setdefault(code, []).append(line)
        rows.append([council.strip(), council_slug(council), gss.strip(), " ".join(ward.split()),
                     "" if ward_code == "NULL" else ward_code.strip(), 0, " ".join(cand.split()), party,
                     int(votes), elected == "1", line])
    for code, lines in sorted(unknown.items(), key=lambda kv: -len(kv[1])):
        report.add("check", source, f"line {lines[0]}", "party", f"LEAP party code {code!r} ({len(lines)} candidate"
                   f"{'s' if len(lines) != 1 else ''}) is not in {REGISTRY_FILE}; written as 'Other (LEAP code {code})' "
                   "(add the party under its entry's leap codes if its name is known)")
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    winners = table.groupby(["slug", "ward"], sort=False)["elected"].transform("sum")
    table["seats_in_ward"] = winners.astype(int)
    for (slug, ward), rows_ in table[winners == 0].groupby(["slug", "ward"], sort=False):
        report.add("left out", source, f"line {int(rows_['row'].min())}", "elected", f"{slug}: ward {ward!r} has no "
                   "candidate elected; LEAP gives no seat count, so the ward's seats are unknown")
    return table[winners > 0].reset_index(drop=True)
