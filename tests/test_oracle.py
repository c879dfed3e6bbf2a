"""The independent oracle (writer/oracle): it recomputes the night from the CSVs and reads
the claims out of the copy, so that a fault in the engine cannot pass its own fact-check.

(a) it imports no stage of the writer, directly or through other writer modules, and never
    reads a story's evidence;
(b) its truth, on small invented nights: thirds "so far" counts, a correction, lumped
    Other, a new council, an all-out council on new boundaries, two candidates of one party
    around the last seat;
(c) it catches each kind of defect in mutated copy of real stories (so it cannot pass
    vacuously);
(d) over every story of the 2022 and demo nights it should find nothing (xfail until the
    copy defects of issue 14 are fixed).
"""

from __future__ import annotations

import ast
import csv
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from writer.oracle import NightTruth, StoryMeta, audit_night, audit_story, counts, format_disagreements
from writer.oracle.parties import party_key

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "samples" / "demo-night"
LE2022 = ROOT.parent / "shared" / "data" / "le2022"
FORBIDDEN = ("writer.compare", "writer.detect", "writer.engine", "writer.check", "writer.ingest")
ALLOWED_THIRD_PARTY = {"pandas", "yaml"}


# -- (a) independence ---------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def _module_file(name: str) -> Path | None:
    rel = Path(*name.split("."))
    for candidate in (ROOT / rel.with_suffix(".py"), ROOT / rel / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def test_the_oracle_imports_no_stage_of_the_writer_even_indirectly():
    """Walk the imports of every oracle module, following writer modules to their own
    imports: none may be a writer stage, and outside the standard library only pandas and
    PyYAML are used."""
    todo = [p for p in (ROOT / "writer" / "oracle").glob("*.py")]
    seen: set[Path] = set()
    reached: set[str] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imports(path):
            reached.add(name)
            if name.startswith("writer"):
                found = _module_file(name)
                if found is not None:
                    todo.append(found)
    bad = sorted(n for n in reached if n.startswith(FORBIDDEN))
    assert not bad, f"the oracle reaches writer stages: {bad}"
    third = {n.split(".")[0] for n in reached} - set(sys.stdlib_module_names) - {"writer"}
    assert third <= ALLOWED_THIRD_PARTY, f"third-party imports beyond pandas and PyYAML: {third}"


def test_importing_the_oracle_loads_no_stage_of_the_writer():
    """The same at run time, in a fresh interpreter (catches imports made inside functions)."""
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        import writer.oracle, writer.oracle.truth, writer.oracle.reader
        t = writer.oracle.NightTruth({str(DEMO)!r})
        bad = [m for m in sys.modules if m.startswith({FORBIDDEN!r})]
        print(",".join(bad))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"loaded: {out.stdout.strip()}"


def test_the_oracle_never_reads_a_storys_evidence():
    for path in (ROOT / "writer" / "oracle").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        reads = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "evidence"]
        reads += [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value == "evidence"]
        assert not reads, f"{path.name} reads evidence"


# -- small invented nights ----------------------------------------------------------------------

ELECTION = """id = "local.2030-05-02"
name = "Test night"
poll_date = 2030-05-02
polls_close = 2030-05-02T22:00:00+01:00
baseline_id = "local.2026-05-07"
baseline_label = "2026"
"""
COUNCIL_COLS = ["council", "slug", "gss_code", "region", "cycle", "total_seats", "seats_up", "control_before",
                "composition_before", "new_council", "boundary_change"]
BASE_COUNCIL_COLS = ["council", "slug", "cycle", "total_seats", "seats_up", "seats_won", "composition_after",
                     "control_after"]
WARD_COLS = ["council", "slug", "ward", "ward_code", "seats_in_ward", "candidate", "party", "votes", "elected"]
TOTAL_COLS = ["council", "slug", "seats_won", "composition_after", "declared_at"]


def _write(path: Path, cols: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})


def make_night(root: Path, *, councils, baseline_councils=(), baseline_wards=(), wards=(), totals=()) -> Path:
    """An election directory in the shared format, from short Python rows."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "election.toml").write_text(ELECTION, encoding="utf-8")
    _write(root / "councils.csv", COUNCIL_COLS, list(councils))
    _write(root / "baseline" / "councils.csv", BASE_COUNCIL_COLS, list(baseline_councils))
    _write(root / "baseline" / "wards.csv", WARD_COLS, list(baseline_wards))
    _write(root / "results" / "wards.csv", WARD_COLS + ["declared_at"], list(wards))
    _write(root / "results" / "councils.csv", TOTAL_COLS, list(totals))
    return root


def council(name, slug, cycle, total, up, control, comp, new="no", boundary="no", region="North West"):
    return dict(council=name, slug=slug, gss_code="E0", region=region, cycle=cycle, total_seats=total,
                seats_up=up, control_before=control, composition_before=comp, new_council=new,
                boundary_change=boundary)


def ward(slug, name, seats, cands, at=None, code=""):
    """Rows of one ward: cands are (candidate, party, votes, elected)."""
    rows = []
    for cand, party, votes, elected in cands:
        row = dict(council=slug.title(), slug=slug, ward=name, ward_code=code, seats_in_ward=seats,
                   candidate=cand, party=party, votes=votes, elected="yes" if elected else "no")
        if at:
            row["declared_at"] = at
        rows.append(row)
    return rows


T = "2030-05-0{}T{}:00+01:00"


def thirds_night(tmp_path: Path) -> Path:
    """Alder: thirds, 12 seats, four up (one a ward each); Con 7 Lab 5 before; the same
    seats were won Con 3 Lab 1 last time."""
    base = [*ward("alder", "North", 1, [("A", "Con", 500, True), ("B", "Lab", 400, False)]),
            *ward("alder", "South", 1, [("C", "Con", 500, True), ("D", "Lab", 300, False)]),
            *ward("alder", "East", 1, [("E", "Con", 500, True), ("F", "Lab", 450, False)]),
            *ward("alder", "West", 1, [("G", "Lab", 600, True), ("H", "Con", 200, False)])]
    wards = [*ward("alder", "North", 1, [("Ann Lab", "Lab", 520, True), ("Al Con", "Con", 480, False)], T.format(2, 23)),
             *ward("alder", "South", 1, [("Sue Con", "Con", 510, True), ("Sam Lab", "Lab", 490, False)], T.format(2, "23:30")),
             *ward("alder", "East", 1, [("Eve Lab", "Lab", 600, True), ("Ed Con", "Con", 400, False)], T.format(3, "01")),
             *ward("alder", "West", 1, [("Wes Lab", "Lab", 700, True), ("Will Con", "Con", 100, False)], T.format(3, "01:30"))]
    return make_night(tmp_path / "thirds",
                      councils=[council("Alder", "alder", "thirds", 12, 4, "Con", "Con:7;Lab:5")],
                      baseline_councils=[dict(council="Alder", slug="alder", cycle="thirds", total_seats=12, seats_up=4,
                                              seats_won="Con:3;Lab:1", composition_after="Con:7;Lab:5", control_after="Con")],
                      baseline_wards=base, wards=wards,
                      totals=[dict(council="Alder", slug="alder", seats_won="Con:1;Lab:3", composition_after="Con:5;Lab:7",
                                   declared_at=T.format(3, "02"))])


def test_so_far_counts_every_seat_up_as_not_held_until_declared(tmp_path):
    truth = NightTruth(thirds_night(tmp_path))
    st = truth.council("alder", T.format(2, "23:45"))
    assert st.council.not_up == {"Con": 4, "Lab": 4}  # 7 - 3 and 5 - 1: the holders of all four seats up
    assert st.won == {"Lab": 1, "Con": 1} and st.seats_declared == 2 and st.remaining == 2
    assert st.so_far == {"Con": 5, "Lab": 5}  # not 6 for Con, as if the undeclared seats were held
    assert st.certain is None and not st.final
    assert st.change == {"Con": -1, "Lab": 1}
    st = truth.council("alder", T.format(3, "01:30"))
    assert st.so_far == {"Con": 5, "Lab": 7} and st.certain == "Lab" and not st.final
    final = truth.council("alder", T.format(3, "02"))
    assert final.final and final.composition_declared and final.control == "Lab"
    assert final.result_kind == "gain" and final.winner == "Lab" and final.loser == "Con"
    assert final.majority_after == 2 and final.majority_needed == 7


def test_so_far_claims_are_checked_against_the_estimate(tmp_path):
    truth = NightTruth(thirds_night(tmp_path))
    meta = StoryMeta("council:alder", 1, T.format(2, "23:30"))
    good = ("Labour on course\n\nCounting continues in Alder: the Conservatives have five seats so far, including "
            "those not up for election this time, and seven are needed for a majority of the 12.")
    bad = good.replace("five seats", "six seats")
    assert not [d for d in audit_story(truth, good, meta) if d.kind == "so-far"]
    found = [d for d in audit_story(truth, bad, meta) if d.kind == "so-far"]
    assert found and found[0].copy == "6" and found[0].truth.startswith("5")


def test_a_correction_replaces_the_earlier_declaration(tmp_path):
    first = ward("alder", "North", 1, [("Ann Lab", "Lab", 520, True), ("Al Con", "Con", 480, False)], T.format(2, 23))
    again = ward("alder", "North", 1, [("Ann Lab", "Lab", 520, False), ("Al Con", "Con", 580, True)], T.format(3, "00"))
    root = make_night(tmp_path / "fix", councils=[council("Alder", "alder", "thirds", 12, 1, "Con", "Con:7;Lab:5")],
                      baseline_councils=[dict(council="Alder", slug="alder", cycle="thirds", total_seats=12, seats_up=1,
                                              seats_won="Con:1", composition_after="", control_after="Con")],
                      baseline_wards=ward("alder", "North", 1, [("A", "Con", 500, True)]), wards=[*first, *again])
    truth = NightTruth(root)
    before = truth.ward("alder", "north", T.format(2, "23:30"))
    after = truth.ward("alder", "north", T.format(3, "00:30"))
    assert before.change == {"Lab": 1, "Con": -1} and before.margin == 40
    assert not any(after.change.values()) and after.margin == 60
    story = "Labour gain North in Alder\n\nIn North ward in Alder, Labour gained a seat from the Conservatives, by 40 votes."
    assert not [d for d in audit_story(truth, story, StoryMeta("ward:local.alder.north.2030-05-02", 1, T.format(2, 23)))
                if d.kind not in ("disclosure",)]
    later = audit_story(truth, story, StoryMeta("ward:local.alder.north.2030-05-02", 2, T.format(3, "00")))
    assert any(d.claim.startswith("seats gained by Labour") for d in later)


def test_lumped_other_is_compared_at_the_coarser_level(tmp_path):
    root = make_night(tmp_path / "lump", councils=[council("Birch", "birch", "thirds", 21, 7, "Con", "Con:12;Other (Town First):6;Other (Village Party):3")],
                      baseline_councils=[dict(council="Birch", slug="birch", cycle="thirds", total_seats=21, seats_up=7,
                                              seats_won="Con:4;Other (Town First):2;Other (Village Party):1",
                                              composition_after="", control_after="Con")],
                      totals=[dict(council="Birch", slug="birch", seats_won="Con:5;Other:2",
                                   composition_after="Con:13;Other:8", declared_at=T.format(3, "01"))])
    st = NightTruth(root).council("birch", T.format(3, "02"))
    assert st.final and st.change_basis == "whole"
    assert {p: n for p, n in st.change.items() if n} == {"Con": 1, "Other": -1}


def test_a_new_council_has_no_change_and_no_gain(tmp_path):
    wards = [*ward("cedar", "One", 2, [("A", "Lab", 900, True), ("B", "Lab", 800, True), ("C", "Con", 500, False)], T.format(2, 23)),
             *ward("cedar", "Two", 1, [("D", "Con", 700, True), ("E", "Lab", 600, False)], T.format(3, "00"))]
    root = make_night(tmp_path / "new", councils=[council("Cedar", "cedar", "all-out", 3, 3, "", "", new="yes")],
                      wards=wards)
    truth = NightTruth(root)
    st = truth.council("cedar", T.format(3, "00"))
    assert st.final and st.result_kind == "new_win" and st.winner == "Lab" and st.change is None
    assert truth.first_ward_of("cedar", "Con", truth.point(T.format(3, "00"))).ward == "Two"
    text = "First seat on new Cedar council for Tories\n\nTwo ward has given the Conservatives their first seat on the new Cedar council."
    assert not [d for d in audit_story(truth, text, StoryMeta("ward:local.cedar.two.2030-05-02", 1, T.format(3, "00")))
                if d.kind == "first-seat"]


def test_an_all_out_council_on_new_boundaries_is_compared_as_a_whole_once_complete(tmp_path):
    wards = [*ward("dale", "New A", 2, [("A", "LD", 900, True), ("B", "Con", 850, True), ("C", "Con", 500, False)], T.format(2, 23)),
             *ward("dale", "New B", 2, [("D", "LD", 700, True), ("E", "LD", 650, True), ("F", "Con", 600, False)], T.format(3, "00"))]
    base = ward("dale", "Old", 5, [("x", "Con", 9, True), ("y", "Con", 8, True), ("z", "Con", 7, True), ("w", "LD", 6, True),
                                   ("v", "LD", 5, True)])
    root = make_night(tmp_path / "bound", councils=[council("Dale", "dale", "all-out", 4, 4, "Con", "Con:3;LD:2", boundary="yes")],
                      baseline_councils=[dict(council="Dale", slug="dale", cycle="all-out", total_seats=5, seats_up=5,
                                              seats_won="Con:3;LD:2", composition_after="Con:3;LD:2", control_after="Con")],
                      baseline_wards=base, wards=wards)
    truth = NightTruth(root)
    mid = truth.council("dale", T.format(2, "23:30"))
    assert mid.change is None and mid.council.basis == "whole" and not mid.final
    end = truth.council("dale", T.format(3, "00"))
    assert end.final and end.change_basis == "whole" and end.change == {"Con": -2, "LD": 1}
    assert not any(w.comparable for w in end.wards.values())  # never ward by ward


def test_a_margin_between_candidates_of_one_party_is_not_news(tmp_path):
    wards = ward("elm", "Market", 2, [("Ann", "Lab", 1000, True), ("Bob", "Lab", 900, True), ("Cat", "Lab", 899, False),
                                      ("Dan", "Con", 850, False)], T.format(2, 23))
    root = make_night(tmp_path / "tie", councils=[council("Elm", "elm", "all-out", 2, 2, "Lab", "Lab:2")],
                      baseline_councils=[dict(council="Elm", slug="elm", cycle="all-out", total_seats=2, seats_up=2,
                                              seats_won="Lab:2", composition_after="Lab:2", control_after="Lab")],
                      baseline_wards=ward("elm", "Market", 2, [("x", "Lab", 9, True), ("y", "Lab", 8, True)]), wards=wards)
    truth = NightTruth(root)
    w = truth.ward("elm", "market", T.format(2, 23))
    assert w.last.name == "Bob" and w.margin == 50  # ahead of the Conservative, not of Cat
    text = "One vote decides Market in Elm\n\nMarket ward in Elm was decided by one vote, with Labour's Bob taking the last seat."
    found = audit_story(truth, text, StoryMeta("ward:local.elm.market.2030-05-02", 1, T.format(2, 23)))
    assert [d.kind for d in found if d.claim.startswith("margin")] == ["rivals", "rivals"]


def test_one_party_under_two_spellings_is_one_party(tmp_path):
    assert party_key("The Walton Society") == party_key("Walton Society")
    assert party_key("Burnley & Padiham Independents Group") == party_key("Burnley and Padiham independent Party")
    assert party_key("Portsmouth Independents") == party_key("Portsmouth Independent Party")
    wards = ward("fir", "Walton", 1, [("A", "Other (Walton Society)", 900, True), ("B", "Con", 800, False)], T.format(2, 23))
    root = make_night(tmp_path / "names", councils=[council("Fir", "fir", "thirds", 9, 1, "Con", "Con:7;Other (The Walton Society):2")],
                      baseline_councils=[dict(council="Fir", slug="fir", cycle="thirds", total_seats=9, seats_up=1,
                                              seats_won="Other (LEAP code WS):1", composition_after="", control_after="Con")],
                      baseline_wards=ward("fir", "Walton", 1, [("x", "Other (LEAP code WS)", 9, True)]), wards=wards)
    truth = NightTruth(root)
    w = truth.ward("fir", "walton", T.format(2, 23))
    assert {p: n for p, n in w.change.items() if n} == {}  # LEAP code WS is the Walton Society: no gain
    text = "Walton Society gain first seat on Fir\n\nBefore this election Walton Society had no seats on Fir council; it now has one seat, in Walton ward."
    found = audit_story(truth, text, StoryMeta("ward:local.fir.walton.2030-05-02", 1, T.format(2, 23)))
    assert "party-identity" in counts(found)


def test_the_party_registry_resolves_leap_codes(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    for name in ("parties.yaml", "groups.yaml"):
        (rules / name).write_text((ROOT / "rules" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (rules / "party-registry.yaml").write_text(
        "parties:\n  - code: Other (Riverside Residents)\n    names: [River Side Residents Group]\n    leap: [RRA]\n",
        encoding="utf-8")
    wards = ward("gum", "Quay", 1, [("A", "Other (River Side Residents Group)", 900, True), ("B", "Con", 800, False)], T.format(2, 23))
    root = make_night(tmp_path / "reg", councils=[council("Gum", "gum", "thirds", 9, 1, "Con", "Con:9")],
                      baseline_councils=[dict(council="Gum", slug="gum", cycle="thirds", total_seats=9, seats_up=1,
                                              seats_won="Other (LEAP code RRA):1", composition_after="", control_after="Con")],
                      baseline_wards=ward("gum", "Quay", 1, [("x", "Other (LEAP code RRA)", 9, True)]), wards=wards)
    truth = NightTruth(root, rules_dir=rules)
    assert truth.ward("gum", "quay", T.format(2, 23)).change == {"Other:riverside resident": 0}


# -- (c) the oracle catches each defect class in mutated copy -------------------------------------


@pytest.fixture(scope="module")
def demo_stories():
    from writer.night import draft_night

    _, _, desk = draft_night(DEMO)
    return {(s.id, s.version): s for s in desk.feed}


@pytest.fixture(scope="module")
def demo_truth():
    return NightTruth(DEMO)


def _meta(story, **kw):
    return StoryMeta(story.id, story.version, story.at, story.kind, story.status, **kw)


def _mutant(truth, story, old, new):
    """Disagreements the mutation adds (the original sentence must be clean first)."""
    text = story.text()
    assert old in text, old
    before = {(d.claim, d.copy) for d in audit_story(truth, text, _meta(story))}
    after = audit_story(truth, text.replace(old, new), _meta(story))
    return [d for d in after if (d.claim, d.copy) not in before]


@pytest.mark.parametrize("sid, version, old, new, kind", [
    ("council:greyhaven", 1, "In Greyhaven, Labour has 14 seats", "In Greyhaven, Labour has 15 seats", "figure"),
    ("council:greyhaven", 1, "Reform gained two seats and Labour lost two seats",
     "Reform gained two seats and the Conservatives lost two seats", "figure"),
    ("council:stourmere", 1, "the second council the Conservatives have lost", "the third council the Conservatives have lost", "ordinal"),
    ("council:northmoor", 1, "Labour has 18 seats so far", "Labour has 20 seats so far", "so-far"),
    ("ward:local.northmoor.st-annes.2026-05-07", 1, "fall by 20.6 points", "fall by 22.6 points", "share"),
    ("ward:local.northmoor.st-annes.2026-05-07", 1, "to 38.5% on 2022", "to 40.5% on 2022", "share"),
    ("council:greyhaven", 1, "Labour has kept control of Greyhaven", "The Conservatives have kept control of Greyhaven", "control"),
    ("council:greyhaven", 1, "Labour's overall majority on Greyhaven is four.", "Labour's overall majority on Greyhaven is six.", "figure"),
    ("council:greyhaven", 1, "13 seats make a majority.", "13 seats make a majority. Labour now holds 14 seats on the council.", "unread"),
    ("ward:local.greyhaven.castletown.2026-05-07", 1, "by 258 votes", "by 285 votes", "figure"),
    ("ward:local.oakhurst.tilford.2026-05-07", 1, "V. Wainwright and Y. Murgatroyd", "V. Wainwright and M. Pickup", "figure"),
])
def test_the_oracle_catches_a_mutation(demo_truth, demo_stories, sid, version, old, new, kind):
    found = _mutant(demo_truth, demo_stories[(sid, version)], old, new)
    assert kind in {d.kind for d in found}, format_disagreements(found)


def _audit(truth, story, text=None, **kw):
    return audit_story(truth, story.text() if text is None else text, _meta(story, **kw))


def test_won_means_tonight(demo_truth, demo_stories):
    # the demo night's Northmoor said "Labour has won 18 of the 30 seats" when ten were up
    story = demo_stories[("council:northmoor", 2)]
    assert "Labour now holds 18 of the 30 seats" in story.text()
    assert not _audit(demo_truth, story)
    wrong = _audit(demo_truth, story, story.text().replace("now holds 18 of the 30 seats", "has won 18 of the 30 seats"))
    assert [d.copy for d in wrong if d.kind == "won"] == ["18", "30"]


def test_the_disclosure_line_follows_the_review_state(demo_truth, demo_stories):
    story = demo_stories[("council:northmoor", 2)]
    assert story.text().endswith("has not yet been checked by an editor.")
    checked = story.text().replace("and has not yet been checked by an editor.", "and checked by an editor.")
    assert "disclosure" in counts(_audit(demo_truth, story, checked))
    assert "disclosure" not in counts(_audit(demo_truth, story, checked, reviewed=True))


def test_time_words_follow_the_clock(demo_truth, demo_stories):
    story = demo_stories[("council:eastbrook-vale", 1)]  # final at 3.30pm on the Friday
    assert "so far today" in story.text()
    assert not [d for d in _audit(demo_truth, story) if d.claim == "time of day"]
    found = _audit(demo_truth, story, story.text().replace("so far today", "so far tonight"))
    assert [d.copy for d in found if d.claim == "time of day"] == ["tonight"]


def test_one_first_seats_story_per_new_council(demo_truth, demo_stories):
    firsts = [s for s in demo_stories.values() if s.id.startswith("ward:local.severnside") and "first" in s.lede]
    assert len(firsts) == 1
    assert not [d for d in audit_night(demo_truth, firsts) if d.claim == "first-seats story for a new council"]
    # a second first-seats story for the same new council, as the writer once drafted
    other = {"id": "ward:local.severnside.clent-edge.2026-05-07", "version": 1, "at": "2026-05-08T13:20:00+01:00",
             "kind": "ward", "text": "First seat on new Severnside council for Tories\n\nClent Edge ward has given "
                                     "the Conservatives their first seats on the new Severnside council."}
    found = audit_night(demo_truth, firsts + [other])
    assert sum(d.claim == "first-seats story for a new council" for d in found) == 1


def test_format_disagreements_names_the_story_and_both_sides(demo_truth, demo_stories):
    story = demo_stories[("council:northmoor", 2)]
    wrong = story.text().replace("now holds 18 of the 30 seats", "has won 18 of the 30 seats")
    text = format_disagreements(_audit(demo_truth, story, wrong))
    assert text.startswith("Oracle: ") and "council:northmoor v2" in text
    assert "copy says: 18" in text and "CSVs say:  8 won tonight" in text


# -- (d) every story of a night ---------------------------------------------------------------------


def _whole_night(directory):
    from writer.audit import drafted_versions

    stories = drafted_versions(directory)
    return stories, audit_night(directory, stories)


def test_no_disagreements_over_the_demo_night():
    stories, found = _whole_night(DEMO)
    assert len(stories) > 60
    assert not found, format_disagreements(found, limit=30)


@pytest.mark.slow
def test_no_disagreements_over_the_2022_night():
    if not (LE2022 / "councils.csv").exists():
        pytest.skip(f"the real 2022 night is not at {LE2022} (it lives in ../shared/data beside the project)")
    stories, found = _whole_night(LE2022)
    assert len(stories) > 800
    assert not found, format_disagreements(found, limit=30)


def _defective_templates(tmp_path):
    """The writer's templates with one deliberate error: a held council's majority figure
    one more than the data says (so the oracle has something to report)."""
    from writer import resources

    copy = tmp_path / "templates"
    shutil.copytree(resources.templates_dir(), copy)
    partial = copy / "_council.j2"
    text = partial.read_text(encoding="utf-8")
    old = "overall majority on {{ f.council_name }} is {{ f.majority_after | number }}."
    assert old in text
    partial.write_text(text.replace(old, "overall majority on {{ f.council_name }} is {{ (f.majority_after + 1) | number }}."),
                       encoding="utf-8")
    return copy


@pytest.mark.slow  # whole-night run: `writer quality` over the demo night, twice
def test_writer_quality_prints_the_oracle_section(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from writer.cli import main

    result = CliRunner().invoke(main, ["quality", str(DEMO), "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "Fact-check:" in result.output and "Oracle: 0 disagreements" in result.output
    monkeypatch.setenv("WRITER_TEMPLATES", str(_defective_templates(tmp_path)))
    result = CliRunner().invoke(main, ["quality", str(DEMO), "--limit", "2"])
    assert result.exit_code == 0, result.output
    section = result.output[result.output.index("Oracle: "):]
    assert section.split("\n", 1)[0].endswith("disagreements") and not section.startswith("Oracle: 0 ")
    assert "copy says:" in section and "CSVs say:" in section and "overall majority" in section


@pytest.mark.slow  # whole-night run: `writer oracle` over the demo night, twice
def test_writer_oracle_lists_every_disagreement_as_json(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from writer.cli import main

    result = CliRunner().invoke(main, ["oracle", str(DEMO), "--json"])
    assert result.exit_code == 0 and result.output == "", result.output
    monkeypatch.setenv("WRITER_TEMPLATES", str(_defective_templates(tmp_path)))
    result = CliRunner().invoke(main, ["oracle", str(DEMO), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows and {"story", "version", "sentence", "claim", "copy", "truth", "kind"} <= set(rows[0])
    assert all("overall majority" in r["sentence"] for r in rows)


def test_an_ordinal_claimed_for_two_councils_is_reported(demo_truth, demo_stories):
    stourmere = demo_stories[("council:stourmere", 1)]
    assert "Stourmere is the second council the Conservatives have lost" in stourmere.text()
    copy = {"id": "council:thornley-bridge", "version": 9, "at": "2026-05-08T03:50:00+01:00", "kind": "council",
            "text": "Thornley Bridge falls\n\nThornley Bridge is the second council the Conservatives have lost so far tonight."}
    found = audit_night(demo_truth, [stourmere, copy])
    assert any(d.claim == "ordinal claimed twice" and d.story == "council:thornley-bridge" for d in found)
