"""rules/groups.yaml: the groups load through the writer's own loader, their slugs are well
formed and listed once, and the Red Wall and the Blue Wall are exactly the councils named on
their seat lines (the comment block under each definition), for seats the Conservatives won
at the 2019 general election. A seat line names the councils holding more than half of the
seat (by area): one lower-tier or unitary council, its successor where it was abolished in
2023, and the county whose area holds more than half of the seat; the shares of the seats
split between councils are written out below (SPLIT_SEATS) and checked against the lines.
The checks against the 2019 results and the 2022 councils read ../shared/data and skip where
it is absent."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from writer.compare.tally import load_groups

ROOT = Path(__file__).resolve().parent.parent
GROUPS = ROOT / "rules" / "groups.yaml"
LE2022 = ROOT.parent / "shared" / "data" / "le2022"

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: "    #     Ashfield: ashfield, nottinghamshire" or "    #     Mansfield (2017): ..."
SEAT_LINE = re.compile(r"^    #     (?P<seat>[^:()]+?)(?: \((?P<note>2017)\))?: (?P<slugs>\S.*)$")
SEAT_INDENT = "    #     "

#: The demo night's invented councils (samples/demo-night), which its tests rely on.
DEMO = {
    "red-wall": {"greyhaven", "northmoor", "severnside", "stourmere", "thornley-bridge"},
    "blue-wall": {"ashcombe", "eastbrook-vale", "fernmouth", "oakhurst"},
}
NORTH_AND_MIDLANDS = {"North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands"}
SOUTH_AND_EAST = {"East of England", "South East", "South West"}
PARTIES = ("Con", "Lab", "LD", "Reform", "Green", "SNP", "PC", "Other")

#: The county councils, and the districts under them that a group seat touches (two-tier
#: areas as at 2019-2023; the unitary, metropolitan and London councils have no county).
COUNTY_DISTRICTS = {
    "cumbria": {"allerdale", "barrow-in-furness", "copeland", "south-lakeland"},
    "lancashire": {"burnley", "hyndburn", "rossendale"},
    "nottinghamshire": {"ashfield", "bassetlaw", "broxtowe", "gedling", "mansfield"},
    "derbyshire": {"bolsover", "chesterfield", "high-peak", "north-east-derbyshire"},
    "lincolnshire": {"lincoln", "north-kesteven"},
    "staffordshire": {"newcastle-under-lyme"},
    "essex": {"chelmsford", "uttlesford"},
    "hertfordshire": {"north-hertfordshire", "st-albans"},
    "norfolk": {"north-norfolk"},
    "cambridgeshire": {"cambridge", "east-cambridgeshire", "south-cambridgeshire"},
    "west-sussex": {"arun", "chichester", "crawley", "horsham", "mid-sussex"},
    "east-sussex": {"eastbourne", "lewes", "wealden"},
    "hampshire": {"basingstoke-and-deane", "east-hampshire", "eastleigh", "hart", "havant", "new-forest",
                  "test-valley", "winchester"},
    "surrey": {"elmbridge", "epsom-and-ewell", "guildford", "mole-valley", "reigate-and-banstead",
               "surrey-heath", "tandridge", "waverley", "woking"},
    "oxfordshire": {"cherwell", "south-oxfordshire", "vale-of-white-horse", "west-oxfordshire"},
    "kent": {"sevenoaks", "tonbridge-and-malling", "tunbridge-wells"},
    "gloucestershire": {"cheltenham", "cotswold", "gloucester", "stroud", "tewkesbury"},
    "devon": {"north-devon", "south-hams", "teignbridge", "torridge", "west-devon"},
    "somerset": {"mendip", "sedgemoor", "somerset-west-and-taunton", "south-somerset"},
}
COUNTY_OF = {d: c for c, ds in COUNTY_DISTRICTS.items() for d in ds}
#: The unitary councils of April 2023 that took over abolished districts (somerset, the
#: county council before, is the unitary council after).
SUCCESSOR = {"allerdale": "cumberland", "copeland": "cumberland", "barrow-in-furness": "westmorland-and-furness",
             "south-lakeland": "westmorland-and-furness", "mendip": "somerset", "sedgemoor": "somerset",
             "somerset-west-and-taunton": "somerset", "south-somerset": "somerset"}

#: The group seats split between lower-tier or unitary councils: each council's share (%) of
#: the seat's land, from the overlay of the ONS local authority districts (December 2022) and
#: the 2010-2024 constituencies in the open-innovations constituencies lookups (a seat's share
#: of a council, scaled by the councils' areas). Every other group seat lies wholly in one
#: council. A council is in for a seat when its share is over 50.
SPLIT_SEATS = {
    "red-wall": {
        "Middlesbrough South and East Cleveland": {"redcar-and-cleveland": 87.5, "middlesbrough": 12.5},
        "Sedgefield": {"durham": 54.2, "darlington": 45.8},
        "Barrow and Furness": {"south-lakeland": 72.4, "barrow-in-furness": 27.6},
        "Copeland": {"copeland": 62.3, "allerdale": 37.7},
        "Hyndburn": {"hyndburn": 80.8, "rossendale": 19.2},
        "Penistone and Stocksbridge": {"barnsley": 60.7, "sheffield": 39.3},
        "Ashfield": {"ashfield": 86.7, "broxtowe": 13.3},
        "Bolsover": {"bolsover": 70.9, "north-east-derbyshire": 29.1},
        "Lincoln": {"lincoln": 55.2, "north-kesteven": 44.8},
        "North East Derbyshire": {"north-east-derbyshire": 91.8, "chesterfield": 8.2},
        "Stoke-on-Trent North": {"stoke-on-trent": 71.9, "newcastle-under-lyme": 28.1},
    },
    "blue-wall": {
        "Hitchin and Harpenden": {"north-hertfordshire": 60.4, "st-albans": 39.6},
        "Saffron Walden": {"uttlesford": 80.6, "chelmsford": 19.4},
        "South Cambridgeshire": {"south-cambridgeshire": 99.3, "cambridge": 0.7},
        "South East Cambridgeshire": {"east-cambridgeshire": 63.1, "south-cambridgeshire": 36.9},
        "Arundel and South Downs": {"horsham": 42.2, "chichester": 25.6, "arun": 23.0, "mid-sussex": 9.3},
        "East Surrey": {"tandridge": 95.7, "reigate-and-banstead": 4.3},
        "Eastbourne": {"eastbourne": 80.2, "wealden": 19.8},
        "Epsom and Ewell": {"epsom-and-ewell": 65.7, "mole-valley": 22.5, "reigate-and-banstead": 11.7},
        "Guildford": {"guildford": 52.9, "waverley": 47.1},
        "Henley": {"south-oxfordshire": 85.8, "cherwell": 14.2},
        "Horsham": {"horsham": 75.0, "mid-sussex": 24.9},  # and a mapping sliver of Crawley
        "Lewes": {"lewes": 76.1, "wealden": 23.9},
        "Maidenhead": {"windsor-and-maidenhead": 65.5, "wokingham": 34.5},
        "Meon Valley": {"winchester": 85.3, "east-hampshire": 12.7, "havant": 2.0},
        "Mole Valley": {"mole-valley": 66.8, "guildford": 33.2},
        "North East Hampshire": {"hart": 50.1, "basingstoke-and-deane": 49.9},
        "North West Hampshire": {"basingstoke-and-deane": 63.5, "test-valley": 36.5},
        "Romsey and Southampton North": {"test-valley": 98.2, "southampton": 1.8},
        "Surrey Heath": {"surrey-heath": 88.0, "guildford": 12.0},
        "Tonbridge and Malling": {"tonbridge-and-malling": 64.3, "sevenoaks": 35.7},
        "Wantage": {"vale-of-white-horse": 84.3, "south-oxfordshire": 15.7},
        "Winchester": {"winchester": 97.8, "eastleigh": 2.2},
        "Windsor": {"windsor-and-maidenhead": 53.0, "bracknell-forest": 43.2, "slough": 3.8},
        "Woking": {"woking": 64.1, "guildford": 35.9},
        "Wokingham": {"wokingham": 50.4, "west-berkshire": 49.6},
        "Christchurch": {"dorset": 53.1, "bournemouth-christchurch-and-poole": 46.9},
        "Mid Dorset and North Poole": {"dorset": 84.1, "bournemouth-christchurch-and-poole": 15.9},
        "Somerton and Frome": {"south-somerset": 58.7, "mendip": 41.3},
        "St Ives": {"cornwall": 97.0, "isles-of-scilly": 3.0},
        "Tewkesbury": {"tewkesbury": 96.7, "cheltenham": 2.5, "gloucester": 0.8},
        "The Cotswolds": {"cotswold": 93.9, "stroud": 6.1},
        "Torridge and West Devon": {"torridge": 57.8, "west-devon": 42.2},
        "Totnes": {"south-hams": 95.2, "torbay": 4.8},
        "Wells": {"mendip": 62.3, "sedgemoor": 37.7},
    },
}


def _groups():
    return {g.id: g for g in load_groups(GROUPS)}


def _seat_lines() -> dict[str, dict[str, tuple[str | None, list[str]]]]:
    """Each group's seat lines: seat -> (note, council slugs), read from the comments under the
    group's definition (a line that looks like a seat line but does not parse fails here)."""
    text = GROUPS.read_text(encoding="utf-8")
    blocks = re.split(r"^  - id: ", text, flags=re.M)[1:]
    out: dict[str, dict[str, tuple[str | None, list[str]]]] = {}
    for block in blocks:
        gid = block.split("\n", 1)[0].strip()
        seats: dict[str, tuple[str | None, list[str]]] = {}
        for line in block.splitlines():
            if not line.startswith(SEAT_INDENT):
                continue
            m = SEAT_LINE.match(line)
            assert m, f"{gid}: not a seat line ('Seat: slug, slug'): {line!r}"
            slugs = [s.strip() for s in m["slugs"].split(",")]
            assert m["seat"] not in seats, f"{gid}: seat {m['seat']!r} is listed twice"
            seats[m["seat"]] = (m["note"], slugs)
        out[gid] = seats
    return out


@pytest.fixture(scope="module")
def ge2019() -> dict[str, dict[str, str]]:
    path = LE2022 / "general_election.csv"
    if not path.exists():
        pytest.skip(f"the 2019 general election results are not at {path} (they live in ../shared/data beside the project)")
    with path.open(encoding="utf-8", newline="") as f:
        return {r["constituency"]: r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def councils2022() -> dict[str, dict[str, str]]:
    path = LE2022 / "councils.csv"
    if not path.exists():
        pytest.skip(f"the 2022 councils are not at {path} (they live in ../shared/data beside the project)")
    with path.open(encoding="utf-8", newline="") as f:
        return {r["slug"]: r for r in csv.DictReader(f)}


def _runner_up(row: dict[str, str]) -> str:
    ranked = sorted(PARTIES, key=lambda p: int(row[p] or 0), reverse=True)
    return ranked[1]


# -- the file ---------------------------------------------------------------------------------

def test_groups_load_and_validate_with_the_writers_loader():
    groups = load_groups(GROUPS)
    assert [g.id for g in groups] == ["london", "red-wall", "blue-wall", "south"]
    by_id = {g.id: g for g in groups}
    assert by_id["london"].regions == ("London",) and by_id["london"].councils == ()
    assert by_id["south"].regions == ("South East", "South West") and by_id["south"].councils == ()
    for gid in ("red-wall", "blue-wall"):
        g = by_id[gid]
        assert g.regions == () and g.councils
        assert "not an official definition" in g.definition  # copy says "areas such as"
        assert ". " not in g.definition.split(". An editorial list")[0]  # one sentence run into copy
        # the membership rule is stated: more than half of a seat, for a council and for a county
        assert g.definition.count("more than half") == 2, g.definition
        assert "all or part" not in g.definition
    assert by_id["red-wall"].definition.startswith("Councils in the North and Midlands")


def test_no_slug_twice_in_a_group_and_every_slug_well_formed():
    for g in load_groups(GROUPS):
        twice = [s for s, n in Counter(g.councils).items() if n > 1]
        assert twice == [], f"{g.id} lists {twice} more than once"
        bad = [s for s in g.councils if not SLUG.fullmatch(s)]
        assert bad == [], f"{g.id}: {bad} are not slugs (lower case, digits, single hyphens)"


def test_the_walls_are_exactly_the_councils_on_their_seat_lines():
    groups, seats = _groups(), _seat_lines()
    for gid in ("red-wall", "blue-wall"):
        named = {s for _, slugs in seats[gid].values() for s in slugs}
        bad = sorted(s for s in named if not SLUG.fullmatch(s))
        assert bad == [], f"{gid} seat lines name {bad}, which are not slugs"
        listed = set(groups[gid].councils)
        assert listed - DEMO[gid] == named, (
            f"{gid}: listed but on no seat line {sorted(listed - DEMO[gid] - named)}; "
            f"on a seat line but not listed {sorted(named - listed)}")
    assert seats["london"] == {} and seats["south"] == {}


def test_seat_counts_match_the_stated_definitions():
    seats = _seat_lines()
    red = seats["red-wall"]
    assert len(red) == 50
    assert sorted(s for s, (note, _) in red.items() if note == "2017") == [
        "Copeland", "Mansfield", "Middlesbrough South and East Cleveland", "North East Derbyshire",
        "Stoke-on-Trent South", "Walsall North"]
    assert "Hartlepool" not in red  # Labour held it in 2019
    assert len(seats["blue-wall"]) == 64
    assert all(note is None for note, _ in seats["blue-wall"].values())


def test_demo_night_councils_stay_in_their_groups():
    groups = _groups()
    for gid, slugs in DEMO.items():
        assert slugs <= set(groups[gid].councils)
    with (ROOT / "samples" / "demo-night" / "councils.csv").open(encoding="utf-8", newline="") as f:
        demo = {r["slug"] for r in csv.DictReader(f)}
    assert set().union(*DEMO.values()) <= demo


def test_county_councils_and_councils_created_since_2018():
    groups = _groups()
    red, blue = set(groups["red-wall"].councils), set(groups["blue-wall"].councils)
    # county councils whose area holds most of a Red Wall seat, and the districts themselves
    assert {"derbyshire", "nottinghamshire", "staffordshire", "lancashire", "lincolnshire", "cumbria"} <= red
    assert {"durham", "bolsover", "ashfield", "bassetlaw", "mansfield", "gedling", "high-peak",
            "newcastle-under-lyme", "north-east-lincolnshire", "stoke-on-trent", "kirklees"} <= red
    assert {"cumberland", "westmorland-and-furness"} <= red  # Copeland and Workington; Barrow and Furness
    assert {"copeland", "allerdale", "south-lakeland"} <= red  # abolished in 2023, kept for older nights
    # Blue Wall counties and districts
    assert {"surrey", "oxfordshire", "hertfordshire", "west-sussex", "hampshire", "somerset", "devon",
            "cambridgeshire", "gloucestershire", "kent", "east-sussex", "essex", "norfolk"} <= blue
    assert {"wokingham", "north-hertfordshire", "wiltshire", "cornwall", "south-cambridgeshire", "winchester",
            "tunbridge-wells", "elmbridge", "cheltenham", "torbay"} <= blue
    assert {"dorset", "buckinghamshire", "somerset"} <= blue
    assert {"south-somerset", "mendip", "somerset-west-and-taunton"} <= blue  # abolished in 2023
    # a council is in the south-and-east group or the north-and-midlands one, never both
    assert red & blue == set()


def test_each_seat_line_names_the_councils_holding_more_than_half_of_the_seat():
    """One lower-tier or unitary council (the one holding more than half of the seat, none
    where the seat is split so that none does), the unitary council that took it over in 2023
    where it was abolished, and the county council whose area holds more than half of the
    seat; the split seats' shares are SPLIT_SEATS."""
    seats = _seat_lines()
    for gid in ("red-wall", "blue-wall"):
        split = SPLIT_SEATS[gid]
        assert set(split) <= set(seats[gid]), f"{gid}: SPLIT_SEATS names seats not in the group"
        for seat, (_, slugs) in seats[gid].items():
            named = set(slugs)
            assert len(named) == len(slugs), f"{gid}: {seat} names a council twice"
            shares = split.get(seat)
            if shares is None:
                lower = named - set(COUNTY_DISTRICTS) - {"cumberland", "westmorland-and-furness"}
                assert len(lower) == 1, f"{gid}: {seat} lies wholly in one council, not {sorted(lower)}"
                shares = {next(iter(lower)): 100.0}
            else:
                assert abs(sum(shares.values()) - 100) <= 0.3, f"{gid}: {seat} shares add to {sum(shares.values())}"
                assert all(s not in COUNTY_DISTRICTS or s == "somerset" for s in shares)
            holder = {c for c, share in shares.items() if share > 50}
            county_share: dict[str, float] = {}
            for c, share in shares.items():
                if c in COUNTY_OF:
                    county_share[COUNTY_OF[c]] = county_share.get(COUNTY_OF[c], 0) + share
            counties = {c for c, share in county_share.items() if share > 50}
            successors = {SUCCESSOR[c] for c in holder if c in SUCCESSOR}
            expected = holder | successors | counties
            assert named == expected, f"{gid}: {seat} should name {sorted(expected)}, not {sorted(named)}"
            assert slugs[0] in holder or not holder, f"{gid}: {seat}: the council holding most of it comes first"
            assert all(slugs.index(c) < slugs.index(k) for c in holder | successors for k in counties - successors), (
                f"{gid}: {seat}: the county comes last")


def test_a_sliver_of_a_seat_does_not_bring_a_council_in():
    """The councils an editor would not call Red or Blue Wall areas: each holds a minority of
    a group seat, whose majority is another council's (Birmingham holds all of Northfield)."""
    groups = _groups()
    red, blue = set(groups["red-wall"].councils), set(groups["blue-wall"].councils)
    assert "birmingham" in red
    assert not {"sheffield", "middlesbrough", "rossendale", "broxtowe", "chesterfield", "north-kesteven",
                "barrow-in-furness"} & red
    assert not {"cambridge", "southampton", "slough", "st-albans", "bournemouth-christchurch-and-poole",
                "bracknell-forest", "reigate-and-banstead", "cherwell", "havant", "arun", "gloucester",
                "stroud", "isles-of-scilly", "west-devon", "sedgemoor", "crawley"} & blue


# -- against the data in ../shared/data -------------------------------------------------------

def test_every_seat_was_won_by_the_conservatives_in_2019(ge2019):
    seats = _seat_lines()
    for gid, regions in (("red-wall", NORTH_AND_MIDLANDS), ("blue-wall", SOUTH_AND_EAST)):
        for seat in seats[gid]:
            assert seat in ge2019, f"{gid}: {seat!r} is not a 2019 constituency name in general_election.csv"
            row = ge2019[seat]
            assert row["winner"] == "Con", f"{gid}: {seat} was won by {row['winner']} in 2019"
            assert row["region"] in regions, f"{gid}: {seat} is in {row['region']}"


def test_blue_wall_seats_are_every_conservative_seat_with_the_lib_dems_second(ge2019):
    expected = {name for name, r in ge2019.items()
                if r["region"] in SOUTH_AND_EAST and r["winner"] == "Con" and _runner_up(r) == "LD"}
    assert set(_seat_lines()["blue-wall"]) == expected


def test_group_councils_that_voted_in_2022_are_in_their_regions(councils2022):
    groups = _groups()
    for gid, regions in (("red-wall", NORTH_AND_MIDLANDS), ("blue-wall", SOUTH_AND_EAST)):
        for slug in groups[gid].councils:
            if slug in councils2022:
                assert councils2022[slug]["region"] in regions, (gid, slug, councils2022[slug]["region"])


def test_2022_members_of_each_group_are_the_ones_reported(councils2022):
    """Which of 2022's councils each wall holds: the 2022 round-up counts exactly these, so a
    change here changes 2022's output and must be deliberate (and reported)."""
    groups = _groups()
    red = set(groups["red-wall"].councils) & set(councils2022)
    blue = set(groups["blue-wall"].councils) & set(councils2022)
    assert red == {
        "barnsley", "birmingham", "bolton", "bradford", "burnley", "bury", "cumberland", "derby",
        "dudley", "hyndburn", "kirklees", "lincoln", "newcastle-under-lyme", "north-east-lincolnshire",
        "rochdale", "sandwell", "wakefield", "walsall", "westmorland-and-furness", "wigan", "wolverhampton"}
    assert blue == {
        "basingstoke-and-deane", "cheltenham", "eastleigh", "elmbridge", "hart", "mole-valley",
        "north-hertfordshire", "somerset", "south-cambridgeshire", "tandridge", "tunbridge-wells",
        "west-oxfordshire", "winchester", "woking", "wokingham"}
    assert "hartlepool" not in red and "three-rivers" not in blue and "crawley" not in blue
    # 2022 councils holding only a minority of a group seat
    assert not {"sheffield", "rossendale"} & red
    assert not {"cambridge", "cherwell", "havant", "reigate-and-banstead", "slough", "southampton", "st-albans"} & blue
