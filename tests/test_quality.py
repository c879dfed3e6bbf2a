"""The quality report (``writer quality DIR``): counts, repeats, reading ease, lengths, checks."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from conftest import DEMO, LE2022
from writer.night import draft_night
from writer.draft.quality import flesch, format_quality, quality, sentences, syllables


@pytest.fixture(scope="module")
def demo_desk():
    return draft_night(DEMO)[2]


@pytest.fixture(scope="module")
def desk_2022():
    if not (LE2022 / "councils.csv").exists():
        pytest.skip(f"the real 2022 night is not at {LE2022}")
    return draft_night(LE2022)[2]


def test_sentences_keep_initials_and_abbreviations():
    text = "Robinson V. (the Lib Dems) won ST. JOHNS by three votes. Turnout was 35.8%. Next one?"
    assert sentences(text) == ["Robinson V. (the Lib Dems) won ST. JOHNS by three votes.",
                               "Turnout was 35.8%.", "Next one?"]


def test_syllables_and_flesch():
    assert syllables("cat") == 1 and syllables("council") == 2 and syllables("majority") == 4
    assert syllables("the") == 1 and syllables("declared") == 2
    easy = flesch("The cat sat on the mat. The dog ran.")
    hard = flesch("Administrative reorganisation necessitated considerable intergovernmental consultation.")
    assert easy > 90 and hard < 0
    assert flesch("") is None


def _report_on(desk):
    return quality(desk.current(), desk.feed)


def test_report_shape_on_the_demo_night(demo_desk):
    report = _report_on(demo_desk)
    assert report["stories"] == len(demo_desk.current())
    assert sum(report["by_kind"].values()) == report["stories"]
    assert sum(report["by_family"].values()) == report["stories"]
    assert report["fact_check"] is None
    for kind, ls in report["lengths"].items():
        assert ls["words_per_story"]["min"] <= ls["words_per_story"]["median"] <= ls["words_per_story"]["max"]
    text = format_quality(report)
    for heading in ("By kind", "By leading template family", "word for word", "Flesch", "Lengths"):
        assert heading in text
    assert "Fact-check" not in text


def test_demo_night_has_no_repeats(demo_desk):
    report = _report_on(demo_desk)
    assert report["repeated_sentences"] == []
    assert report["feed"]["repeated_openings"] == []


@pytest.mark.slow  # whole-night run: the 2022 night drafted
def test_2022_night_has_no_repeated_sentences(desk_2022):
    report = _report_on(desk_2022)
    assert report["repeated_sentences"] == [], report["repeated_sentences"][:5]


@pytest.mark.slow  # whole-night run: the 2022 night drafted
def test_2022_night_has_no_repeated_consecutive_openings(desk_2022):
    report = _report_on(desk_2022)
    assert report["feed"]["repeated_openings"] == [], report["feed"]["repeated_openings"][:5]


@pytest.mark.slow  # whole-night run: the 2022 night drafted
def test_2022_night_reads_plainly(desk_2022):
    report = _report_on(desk_2022)
    assert report["flesch"]["overall"] > 50
    council = report["lengths"]["council"]
    assert council["paragraphs_per_story"]["min"] >= 3 and council["paragraphs_per_story"]["max"] <= 6
    assert council["words_per_lede"]["max"] <= 35


def test_repeats_are_found(demo_desk):
    stories = demo_desk.current()
    a, b = stories[0], stories[1]
    copy = replace(b, body=b.body + (a.lede,))
    report = quality([a, copy, *stories[2:]], [a, copy, replace(copy, id="x:y")])
    assert report["repeated_sentences"][0]["sentence"] == a.lede
    assert set(report["repeated_sentences"][0]["stories"]) == {a.id, b.id}
    assert len(report["feed"]["repeated_openings"]) == 1


def test_disclosure_is_not_a_repeat(demo_desk):
    report = _report_on(demo_desk)
    disclosures = {s.disclosure for s in demo_desk.current()}
    assert not any(r["sentence"] in disclosures for r in report["repeated_sentences"])


@dataclass
class _Result:
    ok: bool
    failures: list


class _Checker:
    def check(self, story):
        if story.kind == "council":
            return _Result(False, [f"unsupported figure in {story.id}"])
        return _Result(True, [])


def test_fact_check_section(demo_desk):
    report = quality(demo_desk.current(), demo_desk.feed, checker=_Checker())
    councils = [s for s in demo_desk.current() if s.kind == "council"]
    assert report["fact_check"]["checked"] == len(demo_desk.current())
    assert report["fact_check"]["failed"] == len(councils)
    text = format_quality(report)
    assert "Fact-check" in text and "unsupported figure in" in text
