"""The story of the night: news judgement (rules/judgement.yaml), the verdicts, the writer's
national share estimate and Commons projection in the round-up, and English that reads as
English (no repeated subject or verb in a headline, never "no" as a number).

The nights of other shapes (a new party sweeping county councils, a party losing most of the
councils it defended) are built by tests/nights.py; 2022 is read from ../shared/data."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from writer.check import FactChecker
from writer.detect.judgement import load_judgement, movement, verdict
from writer.night import draft_night
from writer.draft.roundup import draft_roundup
from writer.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "samples" / "demo-night"
RULES = ROOT / "rules"
TIMES = ("2022-05-06T02:00:00+01:00", "2022-05-06T04:00:00+01:00", "2022-05-06T13:00:00+01:00", None)
PARTY_HEAD = r"(?:Tories|Labour|Lib Dems|Greens|Reform|[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)*)"
VERBS = {"take", "lose", "win", "gain", "up", "down", "hold"}


def _roundup(directory, at=None):
    when = datetime.fromisoformat(at) if at else None
    night, engine, desk = draft_night(directory, at=when)
    return night, engine, desk, draft_roundup(night, engine, desk, when)


@pytest.fixture(scope="module")
def rounds_2022(le2022_dir):
    return [_roundup(le2022_dir, t) for t in TIMES]


# -- the settings are data, checked when loaded ------------------------------------------------
def _judgement_with(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((RULES / "judgement.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "judgement.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, says", [
    (lambda d: d["lead"].update(points_per_seat="lots"), "lead.points_per_seat"),
    (lambda d: d["lead"].update(surprise=3), "lead.surprise"),
    (lambda d: d["verdicts"]["rules"][0].update(verdict="triumph"), "verdict"),
    (lambda d: d["verdicts"]["rules"][0].update(when="councils_lost >="), "not a valid expression"),
    (lambda d: d["verdicts"]["rules"][0].update(when="council_name == 'Hull'"), "uses council_name"),
    (lambda d: d["verdicts"]["rules"][1].update(when="party.__class__"), "names starting with _"),
    (lambda d: d["verdicts"].update(parties_at_most=-1), "verdicts.parties_at_most"),
])
def test_bad_judgement_settings_are_refused_naming_the_key(tmp_path, change, says):
    with pytest.raises(InputError) as exc:
        load_judgement(_judgement_with(tmp_path, change))
    text = str(exc.value) + " ".join(str(p) for p in exc.value.problems)
    assert "judgement.yaml" in text and says in text, text


def test_rules_check_validates_the_judgement(tmp_path):
    from click.testing import CliRunner

    from writer.cli import main
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "judgement.yaml").write_text(
        (RULES / "judgement.yaml").read_text(encoding="utf-8").replace("verdict: bad", "verdict: awful"),
        encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "check", "--rules", str(rules)])
    assert result.exit_code != 0 and "judgement.yaml" in result.output and "awful" in result.output
    assert "Traceback" not in result.output


def _figures(**kw):
    base = {"party": "X", "councils_controlled": 0, "councils_defended": 0, "councils_change": 0,
            "councils_gained": 0, "councils_lost": 0, "first_councils": 0, "seat_change": 0,
            "seats_won_compared": 0, "seat_change_pct": 0.0, "seats_exact": True, "councils_compared": 10,
            "complete": True}
    return base | kw


def test_a_party_winning_its_first_councils_outranks_the_party_it_took_them_from():
    j = load_judgement(RULES / "judgement.yaml")
    new = movement(_figures(party="N", councils_controlled=7, councils_change=7, councils_gained=7,
                            first_councils=7, seat_change=400, seats_won_compared=420, seat_change_pct=2000.0), j)
    old = movement(_figures(party="O", councils_controlled=2, councils_defended=10, councils_change=-8,
                            councils_lost=8, seat_change=-450, seats_won_compared=300, seat_change_pct=-60.0), j)
    assert new.score > old.score and new.kind == "first" and old.kind == "loss"
    assert verdict(new.figures, j).verdict == "good" and verdict(old.figures, j).verdict == "bad"


def test_verdicts_from_the_figures():
    j = load_judgement(RULES / "judgement.yaml")
    mixed = _figures(councils_controlled=64, councils_defended=62, councils_change=2, councils_gained=7,
                     councils_lost=5, seat_change=43, seats_won_compared=2000, seat_change_pct=2.2)
    assert verdict(mixed, j).verdict == "mixed"
    steady = _figures(councils_controlled=5, councils_defended=5, seat_change=-2, seats_won_compared=200,
                      seat_change_pct=-1.0)
    assert verdict(steady, j).verdict == "steady"
    # "lost 16 of the 18 councils it was defending"
    assert verdict(_figures(councils_defended=18, councils_lost=16, councils_change=-16), j).verdict == "bad"


# -- the 2022 night ------------------------------------------------------------------------------
def _headline_subjects_and_verbs(headline: str) -> tuple[list[str], list[str]]:
    clauses = headline.split(" as ")
    subjects, verbs = [], []
    for c in clauses:
        words = c.split()
        for i, w in enumerate(words):
            if w in VERBS or w in ("set",):
                subjects.append(" ".join(words[:i]))
                rest = words[i:]
                verbs.append(rest[2] if rest[0] == "set" else rest[0])
                # a second predicate of the same subject: "Tories lose A and take B"
                for k, x in enumerate(rest):
                    if x == "and" and k + 1 < len(rest) and rest[k + 1] in VERBS:
                        verbs.append(rest[k + 1])
                break
    return subjects, verbs


def _reads_as_english(story) -> None:
    subjects, verbs = _headline_subjects_and_verbs(story.headline)
    assert len(subjects) == len(set(subjects)), f"a subject twice: {story.headline}"
    assert len(verbs) == len(set(verbs)), f"a verb twice: {story.headline}"
    text = story.text()
    # "no" as a number: "the Conservatives no, down 18", "runs no,"
    assert not re.search(r"\b(?:no|No)(?=[,.;:])", text), re.search(r".{60}\bno[,.;:].{20}", text)
    assert not re.search(r"\bno (?:up|down|more|fewer)\b", text)


@pytest.mark.slow  # whole-night run: the 2022 night's round-ups
def test_2022_round_ups_read_as_english(rounds_2022):
    for *_, story in rounds_2022:
        _reads_as_english(story)
        assert len(story.headline) <= 70


@pytest.mark.slow  # whole-night run: the 2022 night's round-ups
def test_2022_lede_is_the_nights_biggest_movement(rounds_2022):
    night, engine, desk, story = rounds_2022[-1]
    t = engine.tally()
    change = t.control_change()
    biggest = min((p for p in change if p != "NOC"), key=lambda p: change[p])
    assert biggest == "Con"
    assert story.headline.startswith(f"Tories lose {len(t.lost['Con'])} councils")
    assert story.lede.startswith(f"The Conservatives have lost {len(t.lost['Con'])} of the "
                                 f"{t.control_before['Con']} councils they were defending")


@pytest.mark.slow  # whole-night run: the 2022 night's round-ups
def test_2022_verdicts_come_after_the_lede_with_their_reasons(rounds_2022):
    *_, story = rounds_2022[-1]
    paragraphs = story.paragraphs
    assert re.match(r"It has been a bad night for the Conservatives: they run 35 councils, eight fewer than "
                    r"on the eve of poll, and are down 225 seats on 2018", paragraphs[1]), paragraphs[1]
    verdicts = [p for p in paragraphs if re.search(r"\b(?:a good|a bad|a mixed|a steady) night\b", p)]
    assert {re.search(r"(Labour|Conservatives|Liberal Democrats)", v).group(1) for v in verdicts
            if re.search(r"(Labour|Conservatives|Liberal Democrats)", v)} == {"Labour", "Conservatives",
                                                                              "Liberal Democrats"}
    labour = next(v for v in verdicts if "Labour" in v)
    assert "a mixed night" in labour and "up 43 seats" in labour


@pytest.mark.slow  # whole-night run: the 2022 night's round-ups
def test_2022_share_estimate_and_projection_in_the_round_up(rounds_2022):
    night, engine, desk, story = rounds_2022[-1]
    share = next(p for p in story.paragraphs if p.startswith("A projection of the national share"))
    m = re.search(r"from the ([\d,]+) wards that can be compared with 2018 puts Labour on ([\d.]+)%, the "
                  r"Conservatives on ([\d.]+)% and the Liberal Democrats on ([\d.]+)%\.", share)
    assert m, share
    assert abs(float(m.group(2)) - 35) <= 2 and abs(float(m.group(3)) - 30) <= 2 and abs(float(m.group(4)) - 19) <= 2
    assert re.search(r"Labour would be the largest party with \d+ seats, \w+ short of a majority: a projection, "
                     r"not a forecast\.", share), share
    # the baseline comparison sits with it ("level on 35% in 2018")
    assert "Labour and the Conservatives were level on 35%" in share
    # the 2am round-up gives its estimate "so far"
    early = rounds_2022[0][-1]
    assert any(p.startswith("A projection of the national share") and " so far." in p.split(". ")[0] + "."
               for p in early.paragraphs)


@pytest.mark.slow  # whole-night run: the 2022 night's round-ups
def test_2022_group_paragraphs_give_the_other_sides_figures(rounds_2022):
    *_, story = rounds_2022[-1]
    red = next(p for p in story.paragraphs if p.startswith("In the Red Wall"))
    assert re.search(r"Labour is (?:up \w+ seats?|down \w+ seats?|level) on 2018, while the Conservatives are "
                     r"(?:up \w+ seats?|down \w+ seats?|level)\.", red), red
    # no paragraph that says nothing: every paragraph of every round-up carries a figure or a
    # council result
    for *_, s in rounds_2022:
        assert not any(re.search(r"councils in [\w ]+ areas such as [^.]+ (?:has|have) declared\.$", p)
                       for p in s.paragraphs)


@pytest.mark.slow  # whole-night run: the 2022 night's round-ups
@pytest.mark.parametrize("wrong", [
    ("of the 43 councils they were defending", "of the 44 councils they were defending"),
    ("are down 225 seats on 2018", "are down 226 seats on 2018"),
    ("would be the largest party with 279 seats", "would be the largest party with 289 seats"),
    ("47 short of a majority", "37 short of a majority"),
    ("from the 840 wards", "from the 841 wards"),
    ("puts Labour on 33.8%", "puts Labour on 35.8%"),
    ("in the 57 declared councils outside these groups", "in the 58 declared councils outside these groups"),
])
def test_the_gate_checks_the_new_claims(rounds_2022, wrong):
    night, engine, desk, story = rounds_2022[-1]
    checker = FactChecker.for_night(night.setup, desk.drafter.names)
    text = story.text()
    assert checker.check_text(text, story.evidence).ok
    right, bad = wrong
    assert right in text, right
    assert not checker.check_text(text.replace(right, bad), story.evidence).ok, bad


# -- a night of council totals only -----------------------------------------------------------------
def test_a_night_of_council_totals_only_gives_no_share_estimate(tmp_path):
    import csv
    root = tmp_path / "totals-only"
    shutil.copytree(DEMO, root)
    wards = root / "results" / "wards.csv"
    with wards.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    with wards.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(header)
    night, engine, desk, story = _roundup(root)
    text = story.text()
    assert "there is no projection of the national share" in text
    assert "would be the largest party" not in text
    checker = FactChecker.for_night(night.setup, desk.drafter.names)
    assert checker.check(story).ok


# -- nights of other shapes ------------------------------------------------------------------------
def _built(tmp_path, builder):
    import sys
    sys.path.insert(0, str(Path(__file__).parent))
    import nights
    built = getattr(nights, builder)(tmp_path / builder)
    night, engine, desk, story = _roundup(built.root)
    return built, night, engine, desk, story


def test_a_new_party_sweeping_county_councils_leads_the_night(tmp_path):
    """Reform UK, which had never run a council, takes most of a night's county councils: the
    headline and lede are its first councils, however the Conservatives' losses score."""
    built, night, engine, desk, story = _built(tmp_path, "county_sweep_night")
    taken = len(built.gains()["Reform"])
    assert built.control_count("before")["Reform"] == 0 and taken >= 5
    assert story.headline.startswith("Reform win first councils as Tories lose "), story.headline
    assert story.lede.startswith(f"Reform UK has won control of councils for the first time, taking "
                                 f"{'eight' if taken == 8 else taken} councils, including "), story.lede
    _reads_as_english(story)
    # its verdict, and the Conservatives' with the councils they lost of those they defended
    lost = len(built.losses()["Con"])
    defended = built.control_count("before")["Con"]
    assert re.search(rf"a good night for Reform UK\b", story.text())
    assert f"they have lost {lost} of the {defended} councils they were defending" in story.text()
    # Reform had no projected share to start from: the copy says it is left out, and gives no
    # general election projection that would leave it out silently
    assert "It leaves out Reform UK, which had no projected share in 2025 to start from" in story.text()
    assert "would be the largest party" not in story.text()
    assert FactChecker.for_night(night.setup, desk.drafter.names).check(story).ok


def test_a_party_losing_most_of_the_councils_it_defended_leads_the_night(tmp_path):
    built, night, engine, desk, story = _built(tmp_path, "collapse_night")
    lost = len(built.losses()["Lab"])
    defended = built.control_count("before")["Lab"]
    assert lost * 2 > defended
    assert story.headline.startswith(f"Labour lose {lost} councils as "), story.headline
    assert story.lede.startswith(f"Labour has lost {lost} of the {defended} councils it was defending, "), story.lede
    _reads_as_english(story)
    assert re.search(r"It has been a bad night for Labour: it runs \w+ councils?, \w+ fewer than on the eve of poll",
                     story.text())
    assert FactChecker.for_night(night.setup, desk.drafter.names).check(story).ok


def test_every_paragraph_of_the_round_up_carries_a_figure():
    """The notable councils outside the groups are counted too ("Elsewhere, in the three
    declared councils outside these groups, ..."), and the oracle checks the count."""
    from writer.oracle import NightTruth, StoryMeta, audit_story

    night, engine, desk, story = _roundup(DEMO)
    figure = re.compile(r"\d|\b(?:none|one|two|three|four|five|six|seven|eight|nine)\b")
    for p in story.paragraphs:
        assert figure.search(p), p
    elsewhere = next(p for p in story.paragraphs if p.startswith("Elsewhere, in the "))
    m = re.match(r"Elsewhere, in the (\w+) declared councils? outside these groups, ", elsewhere)
    assert m, elsewhere
    truth = NightTruth(DEMO)
    meta = StoryMeta(story.id, story.version, story.at, story.kind, story.status)
    assert not audit_story(truth, story.text(), meta)
    wrong = story.text().replace(m.group(0), m.group(0).replace(m.group(1), "11"))
    assert any(d.claim == "declared councils outside the groups" for d in audit_story(truth, wrong, meta))
