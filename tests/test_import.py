"""Importers (writer/importers): election directories from public sources.

The real sources are read from ../shared/data/raw (never copied into the project); tests
that need them skip with a reason where they are absent. The 2022 handbook is read once per
module (about 15-40 s on these machines)."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import LE2022, ROOT, run_night
from writer.cli import main
from writer.identity import PartyRegistry, RegisteredParty, default_registry
from writer.importers import composition as ocd
from writer.importers import handbook as hb
from writer.importers import leap as lp
from writer.importers.write import import_table as _import, write_night
from writer.importers.report import Report
from writer.ingest import load_night
from writer.model import normalise_ward_name

RAW = ROOT.parent / "shared" / "data" / "raw"
HANDBOOK = RAW / "local-elections-2022.xlsx"
LEAP = RAW / "leap-2018-05-03.csv"
OCD = RAW / "opencouncildata_councillors_2021.csv"

# Where the night built from the raw sources knowingly differs from ../shared/data/le2022,
# with the reason. Winners and seats match everywhere; these differ only in how a
# council's comparison with 2018 was set up.
KNOWN_DIFFERENCES: dict[str, str] = {}  # seat change or control before: none differ
#: Councils compared with 2018 on another basis than le2022 with the same seat change: le2022
#: marks their wards as redrawn (boundary_change = yes, compared as a whole council), while every
#: 2022 ward has a 2018 ward of the same ONS code or name, so the importer compares ward by ward.
SAME_CHANGE_OTHER_BASIS_REASON = "le2022 says boundary_change = yes; all wards match 2018 by code or name"
#: (Tower Hamlets is no longer among them: the handbook gives Bethnal Green East and West one ward
#: code, which the importer leaves out, so those wards match no 2018 ward and the council is compared
#: as a whole, as le2022 does.)
SAME_CHANGE_OTHER_BASIS: set[str] = {"bexley", "birmingham", "croydon", "huntingdonshire", "newcastle-under-lyme",
                                     "richmond-upon-thames", "south-cambridgeshire", "southwark"}


def _need(*paths: Path) -> None:
    for p in paths:
        if not p.exists():
            pytest.skip(f"{p} is absent (the raw sources live in ../shared/data/raw beside the project)")


# -- the 2022 night from the raw sources ---------------------------------------------------
@pytest.fixture(scope="module")
def night_2022(tmp_path_factory):
    _need(HANDBOOK, LEAP, OCD, LE2022 / "councils.csv")
    out = tmp_path_factory.mktemp("night2022")
    report = Report()
    comps = ocd.compositions(ocd.read_ocd(OCD), OCD.name, report)
    leap_table = lp.candidate_table(lp.read_leap(LEAP), default_registry(), LEAP.name, report)
    _import(str(out), "baseline", leap_table, {}, pd.Timestamp("2018-05-03").date(), LEAP.name, comps, None, report)
    started = time.perf_counter()
    book = hb.read_handbook(HANDBOOK)
    read_seconds = time.perf_counter() - started
    table, hints = hb.candidate_table(book, 2022, report)
    regions = dict(pd.read_csv(LE2022 / "councils.csv")[["slug", "region"]].itertuples(index=False))
    write_night(out, table, hints, comps, regions, pd.Timestamp("2022-05-05").date(), report)
    print(f"\nhandbook read in {read_seconds:.1f} s")
    return out, report, book


def _winners(path: Path) -> dict[tuple[str, str], tuple]:
    f = pd.read_csv(path, dtype=str, keep_default_na=False)
    f = f[f["elected"] == "yes"]
    # parties as the registry names them: the importer resolves through it, while le2022's
    # files keep their sources' spellings (resolved when loaded)
    registry = default_registry()
    named = [registry.for_code(p) or p for p in f["party"]]
    f = f.assign(party=named)
    return {(s, normalise_ward_name(w)): tuple(sorted(zip(g["candidate"], g["party"])))
            for (s, w), g in f.groupby(["slug", "ward"])}


@pytest.mark.slow  # whole-night run: the 2022 night imported from the raw public sources
def test_the_imported_night_loads(night_2022):
    out, _, _ = night_2022
    night = load_night(out)
    assert len(night.councils) == 146


@pytest.mark.slow  # whole-night run: the 2022 night imported from the raw public sources
def test_same_councils_and_seats_up_as_le2022(night_2022):
    out, report, _ = night_2022
    ours = pd.read_csv(out / "councils.csv", dtype=str, keep_default_na=False).set_index("slug")
    ref = pd.read_csv(LE2022 / "councils.csv", dtype=str, keep_default_na=False).set_index("slug")
    assert set(ours.index) == set(ref.index)
    assert (ours["seats_up"] == ref.loc[ours.index, "seats_up"]).all()
    assert (ours["new_council"] == ref.loc[ours.index, "new_council"]).all()
    # The handbook also has Wales's 22 councils; each is reported, none silently dropped.
    welsh = [f for f in report.of_kind("left out") if f.field == "gss_code"]
    assert len(welsh) == 22 and all("(W06" in f.message for f in welsh)


@pytest.mark.slow  # whole-night run: the 2022 night imported from the raw public sources
@pytest.mark.parametrize("part", ["results", "baseline"])
def test_same_winners_in_every_ward_as_le2022(night_2022, part):
    out, _, _ = night_2022
    ours, ref = _winners(out / part / "wards.csv"), _winners(LE2022 / part / "wards.csv")
    wrong = sorted(k for k in set(ours) | set(ref) if ours.get(k) != ref.get(k))
    assert wrong == []


@pytest.mark.slow  # whole-night run: the 2022 night imported from the raw public sources
def test_same_seat_changes_as_le2022(night_2022, le2022):
    out, _, _ = night_2022
    _, engine = run_night(out)
    ref = {r.slug: r for r in le2022[1].council_results()}
    ours = {r.slug: r for r in engine.council_results()}
    differ = {s: (r.seat_change, ref[s].seat_change) for s, r in ours.items()
              if r.seat_change != ref[s].seat_change or r.control_before != ref[s].control_before}
    assert set(differ) == set(KNOWN_DIFFERENCES), differ
    basis = {s for s, r in ours.items() if r.comparison_basis != ref[s].comparison_basis}
    assert basis == SAME_CHANGE_OTHER_BASIS


@pytest.mark.slow  # whole-night run: the 2022 night imported from the raw public sources
def test_bad_rows_of_the_real_sources_are_reported(night_2022):
    _, report, _ = night_2022
    left = [f for f in report.of_kind("left out") if f.source == LEAP.name]
    # LEAP's mayoral rows and a Weymouth row carry NULLs: each is listed with its line.
    assert {f.where for f in left} == {"line 4784", "line 10041", "line 14160", "line 15083", "line 15482"}
    unknown = [f for f in report.findings if f.field == "party" and "not in party-registry.yaml" in f.message]
    assert unknown and all(f.kind == "check" for f in unknown)


# -- a 2026 skeleton from the 2022 results -------------------------------------------------
@pytest.mark.slow  # whole-night run: the 2022 night imported from the raw public sources
def test_new_night_2026_from_the_2022_baseline(night_2022, tmp_path):
    _, _, book = night_2022
    base = tmp_path / "base2022"
    report = Report()
    table, hints = hb.candidate_table(book, 2022, report)
    comps = ocd.compositions(ocd.read_ocd(OCD), OCD.name, report)
    _import(str(base), "baseline", table, hints, pd.Timestamp("2022-05-05").date(), HANDBOOK.name, comps, None, report)
    result = CliRunner().invoke(main, ["new-night", "--baseline", str(base), "--date", "2026-05-07",
                                       "--out", str(tmp_path / "night2026"), "--compositions", str(OCD)])
    assert result.exit_code == 0, result.output
    night = load_night(tmp_path / "night2026")
    assert night.election.poll_date.isoformat() == "2026-05-07" and night.election.baseline_label == "2022"
    b = pd.read_csv(base / "baseline" / "councils.csv", dtype=str, keep_default_na=False).set_index("slug")
    clear = b[(b["cycle"] != "") & b["gss_code"].str.startswith("E")]
    assert set(night.councils) == set(clear.index)
    for slug, c in night.councils.items():
        # The seats fought in 2022 are fought again in 2026; all-out councils elect them all.
        assert c.seats_up == int(clear.at[slug, "seats_up"]), slug
        assert c.cycle == clear.at[slug, "cycle"], slug
    skel = pd.read_csv(tmp_path / "night2026" / "new-night.report.csv", keep_default_na=False)
    assert (skel["kind"] == "check").any()


# -- small inputs: errors name file, row and field; nothing dropped silently ---------------
def _leap_file(tmp_path: Path, lines: list[str]) -> Path:
    p = tmp_path / "leap-2018-05-03.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_leap_bad_rows_and_unknown_codes_are_reported(tmp_path):
    p = _leap_file(tmp_path, [
        '"Adur","E07000223","Buckingham","E05007562","A Smith","C","634","1"',
        '"Adur","E07000223","Buckingham","E05007562","B Jones","Zz","300","0"',
        '"Adur","E07000223","Churchill","E05007563","C Brown","Lab","lots","1"',
        '"Adur","E07000223","Marine","E05007564","D White","LD","10","0"',
    ])
    report = Report()
    registry = PartyRegistry.build([RegisteredParty("Con", leap=("C",)), RegisteredParty("Lab", leap=("Lab",)),
                                    RegisteredParty("LD", leap=("LD",))])
    table = lp.candidate_table(lp.read_leap(p), registry, p.name, report)
    assert list(table["candidate"]) == ["A Smith", "B Jones"]
    assert table.loc[1, "party"] == "Other (LEAP code Zz)"
    text = report.render()
    assert "line 3, votes" in text and "'lots'" in text
    assert "line 4, elected" in text and "Marine" in text  # no winner: seats unknown
    assert "'Zz'" in text


def test_leap_codes_resolve_through_the_party_registry(tmp_path):
    registry = default_registry()
    assert registry.for_leap("C") == "Con" and registry.for_leap("Grn") == "Green"
    assert registry.for_leap("BPIP") == "Other (Burnley and Padiham Independent Party)"
    assert registry.for_leap("Xyz") is None  # imported as Other (LEAP code Xyz), reported
    p = _leap_file(tmp_path, ['"Adur","E07000223","Buckingham","E05007562","A Smith","C","634","1"'])
    bad = tmp_path / "party-registry.yaml"
    bad.write_text("parties:\n  - code: Conservative\n    leap: [C]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "leap", str(p), "--registry", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 3
    assert "party-registry.yaml, line 2, key parties[1] (Conservative): code 'Conservative' is not a party code" \
        in result.stderr


def test_more_winners_than_seats_is_left_out_and_reported(tmp_path):
    from writer.importers.candidates import check_wards
    table = pd.DataFrame([
        ("X", "x", "E1", "Ward A", "E05", 1, "A", "Con", 10, True, 3),
        ("X", "x", "E1", "Ward A", "E05", 1, "B", "Lab", 9, True, 4),
        ("X", "x", "E1", "Ward B", "E06", 1, "C", "Lab", 9, True, 5),
    ], columns=["council", "slug", "gss_code", "ward", "ward_code", "seats_in_ward", "candidate", "party",
                "votes", "elected", "row"])
    report = Report()
    kept = check_wards(table, "src.xlsx", report)
    assert list(kept["ward"]) == ["Ward B"]
    assert "src.xlsx, row 3, elected" in report.render() and "2 candidates elected for 1 seat" in report.render()


def test_cli_leap_then_composition(tmp_path):
    _need(OCD)
    p = _leap_file(tmp_path, ['"Adur","E07000223","Buckingham","E05007562","A Smith","C","634","1"'])
    out = tmp_path / "night"
    r = CliRunner().invoke(main, ["import", "leap", str(p), "--out", str(out)])
    assert r.exit_code == 0, r.output
    b = pd.read_csv(out / "baseline" / "councils.csv", dtype=str, keep_default_na=False)
    assert b.loc[0, "seats_won"] == "Con:1" and b.loc[0, "cycle"] == ""  # cycle unclear without compositions
    assert "cycle" in (out / "import-leap-baseline.report.csv").read_text()
    pd.DataFrame([{"council": "Adur", "slug": "adur", "total_seats": "29", "composition_before": "",
                   "control_before": "", "new_council": "no"},
                  {"council": "Nowhere", "slug": "nowhere", "total_seats": "9", "composition_before": "",
                   "control_before": "", "new_council": "no"}]).to_csv(out / "councils.csv", index=False)
    r = CliRunner().invoke(main, ["import", "composition", str(OCD), "--out", str(out)])
    assert r.exit_code == 0, r.output
    c = pd.read_csv(out / "councils.csv", dtype=str, keep_default_na=False).set_index("slug")
    assert sum(int(x.split(":")[1]) for x in c.at["adur", "composition_before"].split(";")) == 29
    assert c.at["nowhere", "composition_before"] == ""
    assert "Nowhere is not in the composition source" in (out / "import-composition.report.csv").read_text()


def test_cli_bad_workbook_is_a_clear_error(tmp_path):
    bad = tmp_path / "not.xlsx"
    bad.write_text("hello", encoding="utf-8")
    r = CliRunner().invoke(main, ["import", "handbook", str(bad), "--year", "2022", "--out", str(tmp_path / "o")])
    assert r.exit_code == 3
    assert "not.xlsx" in r.output and "cannot be read as an .xlsx workbook" in r.output
    assert "Traceback" not in r.output
