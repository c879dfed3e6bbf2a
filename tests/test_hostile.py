"""Hostile and broken input, every way in (issue 6): a table of cases for each way in.

Ways in: election directories (``load_night``), the declarations API (``POST
/api/declarations``), results feeds in (``FeedPoller``), the review app's forms, and rule and
template files (``load_rules``, ``Templates``, ``writer rules check``). Each case asserts the
exact error (file/line/column, entry/field or loc, and what was expected; never a traceback,
never a 500) or the safe rendering, and that nothing valid was lost or changed: a refused
directory loads nothing (and is not written to); a refused API request or form leaves the
store's counts and every story's latest version as they were; a feed keeps its good entries.

The directory corpus of tests/test_bad_input.py (59 cases, and its rules and groups cases)
counts toward the totals and is not repeated here; this file adds the categories it lacks:
encodings and byte order marks, huge files and fields, Unicode tricks (zero-width and
right-to-left characters, look-alike letters), impossible times, conflicting declarations.
``test_corpus_size`` prints the count per way in and asserts the minimums.

Cases marked xfail(strict=True) are real bugs in modules other engineers are editing
(writer/web/api.py, writer/web/review.py, writer/draft/drafter.py): the reason says what to
fix, and the test flips to a failure (so the mark must go) once it is fixed.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from test_bad_input import (BAD_GROUPS, BAD_NIGHTS, BAD_RULES, DEMO_NIGHT, RULES, WARDS, append_row, both,
                            case, edit_text, make_copy, read_rows, replace_bytes, set_cell, write_bytes,
                            write_rows)
from writer.cli import main as cli_main
from writer.detect.rules import load_rules
from writer.ingest import InputError, load_night
from writer.ingest import csvfile

PROJECT = Path(__file__).parent.parent
TEMPLATES = PROJECT / "templates"
POLLS = "2026-05-07T22:00:00+01:00"


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def sub_text(rel: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    """Replace ``old`` (which must be there) in a UTF-8 file, ``count`` times."""
    def alter(root: Path) -> None:
        text = (root / rel).read_text(encoding="utf-8")
        assert text.count(old) >= count, f"{old!r} not {count} times in {rel}"
        (root / rel).write_text(text.replace(old, new, count), encoding="utf-8")
    return alter


def map_bytes(rel: str, fn: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def alter(root: Path) -> None:
        (root / rel).write_bytes(fn((root / rel).read_bytes()))
    return alter


def truncate_lines(rel: str, keep: int, tail: str) -> Callable[[Path], None]:
    """Keep the first ``keep`` lines and then a partial line (a file cut off while copied)."""
    def alter(root: Path) -> None:
        lines = (root / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        (root / rel).write_text("".join(lines[:keep]) + tail, encoding="utf-8")
    return alter


INVISIBLE = "an invisible or text-direction character; expected plain text"


def lookalike(word: str, ch: str) -> str:
    return (f"mixes Latin and Cyrillic letters in {word!r} ({ch}, a look-alike letter?); "
            "expected each word in one script")


# ================================================================================================
# 1. Election directories (tests/test_bad_input.py holds 59 more)
# ================================================================================================
HOSTILE_NIGHTS = [
    # -- encodings and byte order marks
    case("utf16-csv", map_bytes(WARDS, lambda b: b.decode("utf-8").encode("utf-16")),
         "results/wards.csv, line 1: is UTF-16 (it starts with a UTF-16 byte order mark); expected a UTF-8 CSV file"),
    case("latin1-councils-csv", replace_bytes("councils.csv", b"Ashcombe,ashcombe", b"Ashc\xf3mbe,ashcombe"),
         "councils.csv, line 2: not valid UTF-8 (byte 122 of the file); expected a UTF-8 CSV file"),
    case("latin1-election-toml", replace_bytes("election.toml", b'name = "English', b'name = "\xc9nglish'),
         "election.toml: is not valid UTF-8 (byte 248 of the file); expected a UTF-8 TOML file"),
    case("utf16-election-toml", map_bytes("election.toml", lambda b: b.decode("utf-8").encode("utf-16")),
         "election.toml: is UTF-16 (it starts with a UTF-16 byte order mark); expected a UTF-8 TOML file"),
    case("windows-1252-smart-quote", replace_bytes(WARDS, b"Newbould Z.", b"O\x92Newbould Z."),
         "results/wards.csv, line 3: not valid UTF-8 (byte 211 of the file); expected a UTF-8 CSV file"),
    # -- truncated and malformed
    case("truncated-mid-row", truncate_lines(WARDS, 100, "Greyhaven,greyhaven,Pal"),
         "results/wards.csv, line 101: has 3 fields; expected 10 as in the header"),
    case("truncated-in-quoted-field", truncate_lines(WARDS, 100, 'Greyhaven,greyhaven,"Pal'),
         "results/wards.csv, line 101: a quoted field opened on this line is never closed; expected a closing \" "
         "before the end of the field"),
    case("truncated-election-toml", map_bytes("election.toml", lambda b: b[: b.index(b"[[context]]") + 5]),
         "election.toml: is not valid TOML: Expected ']]' at the end of an array declaration (at end of document)"),
    case("header-repeated-column", replace_bytes("history.csv", b"council,slug,from_year", b"council,slug,slug"),
         "history.csv, line 1, column from_year: missing column 'from_year'; the header must include "
         "council, slug, from_year, to_year, control",
         "history.csv, line 1, column slug: column appears more than once in the header"),
    # -- huge files and fields
    case("field-over-csv-limit", set_cell(WARDS, 3, "candidate", "N" * 200_000),
         "results/wards.csv, line 3: has a field longer than 131072 characters; expected a CSV file of short text fields"),
    case("name-10000-characters", set_cell(WARDS, 3, "candidate", "Newbould " * 1000),
         "results/wards.csv, line 3, column candidate: is 8999 characters long; expected at most 200"),
    case("votes-5000-digits", set_cell(WARDS, 3, "votes", "9" * 5000),
         "results/wards.csv, line 3, column votes: expected a whole number of votes between 0 and 10000000, "
         "got a number 5000 digits long"),
    case("votes-over-ten-million", set_cell(WARDS, 3, "votes", "99999999999"),
         "results/wards.csv, line 3, column votes: expected a whole number of votes between 0 and 10000000, "
         "got 99999999999"),
    case("seat-count-5000-digits", set_cell("results/councils.csv", 2, "seats_won", "Con:" + "1" * 5000 + ";Lab:4"),
         "results/councils.csv, line 2, column seats_won: seat count for Con must be a whole number >= 0 in the "
         "digits 0-9, got a number 5000 digits long (a seat list is written like Con:22;Lab:41)"),
    # -- impossible numbers
    case("seat-count-superscript", set_cell("results/councils.csv", 2, "seats_won", "Con:\u00b9;Lab:4;LD:1;Reform:2"),
         "results/councils.csv, line 2, column seats_won: seat count for Con must be a whole number >= 0 in the "
         "digits 0-9, got '¹' (a seat list is written like Con:22;Lab:41)"),
    case("seat-count-negative", set_cell("results/councils.csv", 2, "seats_won", "Con:-1;Lab:4;LD:1;Reform:2"),
         "results/councils.csv, line 2, column seats_won: seat count for Con must be a whole number >= 0, got '-1' "
         "(a seat list is written like Con:22;Lab:41)"),
    case("votes-fullwidth-digits", set_cell(WARDS, 3, "votes", "\uff16\uff12\uff19"),
         "results/wards.csv, line 3, column votes: expected a whole number of votes (0 or more), got '６２９'"),
    case("turnout-nan", set_cell("results/turnout.csv", 2, "turnout_pct", "nan"),
         "results/turnout.csv, line 2, column turnout_pct: expected a number between 0 and 100, got 'nan'"),
    case("turnout-underscore-digits", set_cell("results/turnout.csv", 2, "turnout_pct", "4_3.1"),
         "results/turnout.csv, line 2, column turnout_pct: expected a number between 0 and 100, got '4_3.1'"),
    case("turnout-negative", set_cell("results/turnout.csv", 2, "turnout_pct", "-0.5"),
         "results/turnout.csv, line 2, column turnout_pct: expected a number between 0 and 100, got '-0.5'"),
    case("context-value-infinite", replace_bytes("election.toml", b"Lab = 34,", b"Lab = inf,"),
         "election.toml, key context[1].values: expected party code = number pairs, such as { Lab = 35, Con = 35 }"),
    case("declared-before-polls-close", set_cell(WARDS, (2, 3, 4, 5), "declared_at", "2026-05-07T21:59:00+01:00"),
         "results/wards.csv, line 2, column declared_at: '2026-05-07T21:59:00+01:00' is before polls closed "
         f"({POLLS}); expected a time on the night"),
    case("declared-in-year-1", set_cell("results/councils.csv", 2, "declared_at", "0001-01-01T00:00:00+05:00"),
         "results/councils.csv, line 2, column declared_at: '0001-01-01T00:00:00+05:00' is before polls closed "
         f"({POLLS}); expected a time on the night"),
    case("seats-up-negative", set_cell("councils.csv", 2, "seats_up", "-12"),
         "councils.csv, line 2, column seats_up: expected a number of seats (0 or more), got '-12'"),
    # -- duplicate and conflicting declarations
    case("council-declared-twice-at-once", append_row("results/councils.csv", [
            "Greyhaven", "greyhaven", "Con:2;Lab:3;LD:1;Reform:2", "Con:4;Lab:14;LD:2;Reform:3;Ind:1",
            "2026-05-08T01:00:00+01:00"]),
         "results/councils.csv, line 14, column declared_at: declares 'greyhaven' again at the same time as line 2 "
         "with different figures; expected a later declared_at for a correction"),
    case("ward-declared-twice-at-once", append_row(WARDS, [
            "Greyhaven", "greyhaven", "Pallion", "E05901106", "1", "Obi C.", "Lab", "1000", "yes",
            "2026-05-07T23:30:00+01:00"]),
         "results/wards.csv, line 2, column elected: ward 'Pallion' has 2 candidates elected; expected at most "
         "seats_in_ward = 1"),
    # -- unknown parties and councils
    case("composition-unknown-party", set_cell("results/councils.csv", 2, "composition_after",
                                               "Con:4;Lab:14;LD:2;Reform:3;Monster Raving:1"),
         "results/councils.csv, line 2, column composition_after: unknown party code 'Monster Raving': expected one "
         "of Con, Green, LD, Lab, Reform, UKIP, Ind, Other, Res, Vacant or 'Other (Name)' "
         "(a seat list is written like Con:22;Lab:41)"),
    case("party-homoglyph", set_cell(WARDS, 2, "party", "L\u0430b"),
         "results/wards.csv, line 2, column party: unknown party code 'Lаb'; expected one of Con, Green, LD, Lab, "
         "Reform, UKIP, Ind, Res or 'Other (Name)'"),
    case("council-slug-homoglyph", set_cell(WARDS, (2, 3, 4, 5), "slug", "greyh\u0430ven"),
         "results/wards.csv, line 2, column slug: unknown council 'greyhаven'; expected a slug listed in councils.csv"),
    # -- Unicode tricks in names
    case("zero-width-space-in-candidate", set_cell(WARDS, 3, "candidate", "Newbould\u200b Z."),
         f"results/wards.csv, line 3, column candidate: contains U+200B ZERO WIDTH SPACE, {INVISIBLE}"),
    case("right-to-left-override-in-ward", set_cell(WARDS, (2, 3, 4, 5), "ward", "\u202enoillaP"),
         f"results/wards.csv, line 2, column ward: contains U+202E RIGHT-TO-LEFT OVERRIDE, {INVISIBLE}"),
    case("byte-order-mark-inside-name", set_cell(WARDS, 3, "candidate", "Newbould\ufeffZ."),
         f"results/wards.csv, line 3, column candidate: contains U+FEFF ZERO WIDTH NO-BREAK SPACE, {INVISIBLE}"),
    case("line-separator-in-council-name", set_cell("councils.csv", 2, "council", "Ash\u2028combe"),
         f"councils.csv, line 2, column council: contains U+2028 LINE SEPARATOR, {INVISIBLE}"),
    case("c1-control-in-region", set_cell("councils.csv", 2, "region", "South\x85East"),
         "councils.csv, line 2, column region: contains control characters; expected plain text"),
    case("homoglyph-ward-name", set_cell(WARDS, (2, 3, 4, 5), "ward", "P\u0430llion"),
         "results/wards.csv, line 2, column ward: " + lookalike("Pаllion", "U+0430 CYRILLIC SMALL LETTER A")),
    case("homoglyph-candidate-name", set_cell(WARDS, 2, "candidate", "\u041ebi C."),
         "results/wards.csv, line 2, column candidate: mixes Cyrillic and Latin letters in 'Оbi' "
         "(U+0062 LATIN SMALL LETTER B, a look-alike letter?); expected each word in one script"),
    case("right-to-left-in-named-party", set_cell(WARDS, 3, "party", "Other (\u202eKCUS)"),
         f"results/wards.csv, line 3, column party: 'Other (\\u202eKCUS)' contains U+202E RIGHT-TO-LEFT OVERRIDE, {INVISIBLE}"),
]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_copy(tmp_path, DEMO_NIGHT, "night")


@pytest.mark.parametrize("alter, expected", HOSTILE_NIGHTS)
def test_hostile_night(demo: Path, alter: Callable[[Path], None], expected: list[str]) -> None:
    alter(demo)
    before = tree_bytes(demo)
    with pytest.raises(InputError) as info:
        load_night(demo)
    assert [str(p) for p in info.value.problems] == expected
    assert "Traceback" not in info.value.render()
    assert tree_bytes(demo) == before  # the loader never writes: nothing of the directory changed


def test_a_huge_file_is_refused_before_it_is_read(demo: Path, monkeypatch) -> None:
    size = (demo / WARDS).stat().st_size
    monkeypatch.setattr(csvfile, "MAX_FILE_BYTES", size - 1)
    with pytest.raises(InputError) as info:
        load_night(demo)
    assert [str(p) for p in info.value.problems] == [
        f"results/wards.csv: file is {size} bytes; expected at most {size - 1}"]


def _ward_key(night) -> list[tuple]:
    return [(d.id, d.declared_at, getattr(d, "candidates", None), getattr(d, "seats_won", None))
            for d in night.declarations]


VALID_ODDITIES = [
    pytest.param(map_bytes("election.toml", lambda b: b"\xef\xbb\xbf" + b), id="bom-election-toml"),
    pytest.param(map_bytes(WARDS, lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n")), id="bom-and-crlf-csv"),
    pytest.param(map_bytes("councils.csv", lambda b: b.replace(b"\n", b"\r")), id="old-mac-line-ends"),
    pytest.param(map_bytes(WARDS, lambda b: b + b"\n\n\n"), id="trailing-blank-lines"),
]


@pytest.mark.parametrize("alter", VALID_ODDITIES)
def test_unusual_bytes_that_are_valid_load_the_same_night(demo: Path, alter) -> None:
    """Byte-level oddities a spreadsheet or an editor adds change nothing that was declared."""
    expected = _ward_key(load_night(DEMO_NIGHT))
    alter(demo)
    assert _ward_key(load_night(demo)) == expected


def test_names_in_one_other_script_and_accents_are_fine(demo: Path) -> None:
    both(set_cell(WARDS, 3, "candidate", "Ελένη Παπαδοπούλου"), set_cell(WARDS, 4, "candidate", "Łukasz Ó Briain-Müller"))(demo)
    pallion = next(d for d in load_night(demo).declarations if d.kind == "ward" and d.ward == "Pallion")
    assert [c.name for c in pallion.candidates][1:3] == ["Ελένη Παπαδοπούλου", "Łukasz Ó Briain-Müller"]


# ================================================================================================
# 5. Rule and template files (tests/test_bad_input.py holds 12 more)
# ================================================================================================
@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    return make_copy(tmp_path, RULES, "rules")


def rules_bytes(rel: str, fn: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    return map_bytes(rel, fn)


HOSTILE_RULES = [
    case("scope-is-a-list", edit_text("ward.yaml", "scope: ward", "scope: [ward]"),
         "ward.yaml, key rule 'ward-gain'.scope: expected one of ward, council, group, national, got ['ward']"),
    case("scope-is-a-mapping", edit_text("ward.yaml", "scope: ward", "scope: {ward: 1}"),
         "ward.yaml, key rule 'ward-gain'.scope: expected one of ward, council, group, national, got {'ward': 1}"),
    case("latin1-rules-file", rules_bytes("ward.yaml", lambda b: b.replace(b"description: A seat", b"description: \xc0 seat", 1)),
         "ward.yaml, line 4: is not valid UTF-8 (byte 115 of the file); expected a UTF-8 YAML file"),
    case("utf16-rules-file", rules_bytes("ward.yaml", lambda b: b.decode("utf-8").encode("utf-16")),
         "ward.yaml: is UTF-16 (it starts with a UTF-16 byte order mark); expected a UTF-8 YAML file"),
    case("empty-rules-file", write_bytes("ward.yaml", b""),
         "ward.yaml: is empty; expected a top-level 'rules:' list (or remove the file)"),
    case("truncated-rules-file", rules_bytes("ward.yaml", lambda b: b[: b.index(b"    importance: 20")]),
         *[f"ward.yaml, key rule 'share-surge'.{k}: is missing; every rule needs id, description, scope, when, "
           "importance, template, title" for k in ("importance", "template")]),
    case("rule-id-homoglyph", edit_text("ward.yaml", "id: ward-gain", "id: w\u0430rd-gain"),
         "ward.yaml, key rule 'wаrd-gain'.id: expected lower-case letters, digits and hyphens, got 'wаrd-gain'"),
    case("rule-id-right-to-left", edit_text("ward.yaml", "id: ward-gain", "id: \"ward-gain\\u202e\""),
         "ward.yaml, key rule 'ward-gain\\u202e'.id: expected lower-case letters, digits and hyphens, "
         "got 'ward-gain\\u202e'"),
    case("when-reads-dunder", edit_text("ward.yaml", "when: comparable and changed_hands", "when: comparable.__class__.__mro__"),
         "ward.yaml, key rule 'ward-gain'.when: reads __class__, __mro__; expected facts and their fields "
         "(names starting with _ are not facts)"),
    case("title-includes-a-file", edit_text("ward.yaml", 'title: "{{ ward }} (', 'title: "{% include \'/etc/passwd\' %}{{ ward }} ('),
         "ward.yaml, key rule 'ward-gain'.title: uses include; expected one line of text and facts (a title "
         "cannot load other templates)"),
    case("template-path-traversal", edit_text("ward.yaml", "template: ward-gain", "template: ../../etc"),
         "ward.yaml, key rule 'ward-gain'.template: expected a template family name (lower-case letters, digits "
         "and hyphens), got '../../etc'"),
    case("python-object-tag", write_bytes("ward.yaml", b"rules: !!python/object/apply:os.system ['echo pwned']\n"),
         "ward.yaml, line 1: is not valid YAML: could not determine a constructor for the tag "
         "'tag:yaml.org,2002:python/object/apply:os.system'"),
    case("importance-not-a-number", edit_text("ward.yaml", "importance: 25", "importance: .nan"),
         "ward.yaml, key rule 'ward-gain'.importance: expected a number from 0 to 100, got nan"),
]


@pytest.mark.parametrize("alter, expected", HOSTILE_RULES)
def test_hostile_rules(rules_copy: Path, alter, expected: list[str]) -> None:
    alter(rules_copy)
    with pytest.raises(InputError) as info:
        load_rules(rules_copy, TEMPLATES)
    assert [str(p) for p in info.value.problems] == expected


def test_rules_check_command_reports_bad_rules_without_a_traceback(rules_copy: Path) -> None:
    edit_text("ward.yaml", "scope: ward", "scope: [ward]")(rules_copy)
    result = CliRunner().invoke(cli_main, ["rules", "check", "--rules", str(rules_copy)])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert ("ward.yaml, key rule 'ward-gain'.scope: expected one of ward, council, group, national, got ['ward']"
            in " ".join(result.stderr.split()))


def test_a_rules_file_with_a_bom_loads_every_rule(rules_copy: Path) -> None:
    map_bytes("ward.yaml", lambda b: b"\xef\xbb\xbf" + b)(rules_copy)
    assert [r.id for r in load_rules(rules_copy).rules] == [r.id for r in load_rules(RULES).rules]


def _templates(directory: Path):
    from writer.draft.drafter import Templates
    from writer.draft.style import PartyNames
    return Templates(directory, PartyNames.load(RULES / "parties.yaml"))


@pytest.fixture
def templates_copy(tmp_path: Path) -> Path:
    root = tmp_path / "templates"
    shutil.copytree(TEMPLATES, root, ignore=shutil.ignore_patterns("web"))
    return root


GAIN = "ward-gain/1.j2"
DRAFTER_FIX = ("writer/draft/drafter.py Templates.__init__: get_template() errors other than the exact class "
               "TemplateSyntaxError (its subclass TemplateAssertionError, UnicodeDecodeError) fall through to "
               "'module = None' and the phrasing is kept with the previous file's template; catch "
               "TemplateSyntaxError by isinstance and UnicodeDecodeError around get_template and report them "
               "as problems, keeping 'module = None' only for make_module failures")

HOSTILE_TEMPLATES = [
    case("template-syntax-error", map_bytes(GAIN, lambda b: b + b"{% if %}"),
         f"templates/{GAIN}, line 15: is not a valid template: Expected an expression, got 'end of statement block'"),
    case("template-defines-nothing", write_bytes(GAIN, b"<script>alert(1)</script>"),
         f"templates/{GAIN}: defines neither headline() and lede() nor paragraph()"),
    case("template-empty", write_bytes(GAIN, b""),
         f"templates/{GAIN}: defines neither headline() and lede() nor paragraph()"),
    case("template-includes-missing-file", map_bytes(GAIN, lambda b: b"{% include 'nope.j2' %}" + b),
         "ward-gain/1: uses a missing template nope.j2"),
    pytest.param(map_bytes(GAIN, lambda b: b.replace(b"{% macro headline", b"{{ 1 | nosuchfilter }}{% macro headline", 1)),
                 [f"templates/{GAIN}, line 2: is not a valid template: No filter named 'nosuchfilter'."],
                 id="template-unknown-filter"),
    pytest.param(map_bytes(GAIN, lambda b: b + b"{# caf\xe9 #}"),
                 [f"templates/{GAIN}: is not valid UTF-8 (byte {(TEMPLATES / GAIN).stat().st_size + len(b'{# caf')} "
                  "of the file); expected a UTF-8 template"],
                 id="template-latin1"),
]


@pytest.mark.parametrize("alter, expected", HOSTILE_TEMPLATES)
def test_hostile_templates(templates_copy: Path, alter, expected: list[str]) -> None:
    alter(templates_copy)
    with pytest.raises(InputError) as info:
        _templates(templates_copy)
    assert [str(p) for p in info.value.problems] == expected


# ================================================================================================
# 2. The declarations API: POST /api/declarations
# ================================================================================================
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from writer.night import build  # noqa: E402
from writer.store import Declaration, EventRecord, Pipeline, StoryVersion, declaration_to_payload, open_store  # noqa: E402
from writer.web import api as api_module  # noqa: E402
from writer.web.tokens import add_token  # noqa: E402

API = "/api/declarations"


@pytest.fixture(scope="module")
def demo_night():
    return load_night(DEMO_NIGHT)


def body_of(decl) -> dict:
    d = declaration_to_payload(decl)
    for key in ("v", "id", "source"):
        d.pop(key)
    return d


class ApiDesk:
    """The router on a store that already holds Greyhaven's wards (something to lose)."""

    def __init__(self, night, path: Path) -> None:
        self.night = night
        self.store = open_store(path)
        self.pipeline = Pipeline(self.store, lambda: build(night))
        app = FastAPI()
        app.state.store, app.state.night, app.state.pipeline = self.store, night, self.pipeline
        app.include_router(api_module.router)
        self.client = TestClient(app, raise_server_exceptions=False)
        self.token = add_token(self.store, "feed")
        self.headers = {"Authorization": f"Bearer {self.token}"}
        greyhaven = [body_of(d) for d in night.declarations if d.kind == "ward" and d.council == "greyhaven"][:4]
        assert self.client.post(API, json=greyhaven, headers=self.headers).status_code == 201

    def state(self) -> tuple:
        """Counts, and every story's latest version and text: what a refused request must not change."""
        stories = {s.story_id: (s.version, s.story().text()) for s in self.store.latest_stories()} \
            if hasattr(self.store, "latest_stories") else {}
        return (self.store.count(Declaration), self.store.count(EventRecord), self.store.count(StoryVersion),
                stories, dict(self.pipeline.engine.declarations))

    def ward(self, name: str = "Castletown") -> dict:
        return body_of(next(d for d in self.night.declarations if d.kind == "ward" and d.ward == name))

    def council(self, slug: str = "greyhaven") -> dict:
        return body_of(next(d for d in self.night.declarations if d.kind == "council" and d.council == slug))


@pytest.fixture(scope="module")
def api_desk(demo_night, tmp_path_factory):
    desk = ApiDesk(demo_night, tmp_path_factory.mktemp("api") / "writer.db")
    yield desk
    desk.client.close()
    desk.store.close()


def with_(body: dict, path: tuple, value) -> dict:
    body = copy.deepcopy(body)
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


def winners(body: dict, n: int) -> dict:
    body = copy.deepcopy(body)
    for c in body["candidates"][:n]:
        c["elected"] = True
    return body


def api_case(case_id: str, make: Callable[["ApiDesk"], object], status: int, *detail, raw: bool = False, marks=()):
    return pytest.param(make, status, list(detail), raw, id=case_id, marks=marks)


def shape(loc, msg, kind):
    return {"loc": list(loc), "msg": msg, "type": kind}


API_FIX = ("writer/web/api.py _plain_text: refuse what writer.text.name_problem refuses (Unicode format "
           "characters such as U+200B and U+202E, line/paragraph separators, C1 controls, words mixing Latin "
           "and Cyrillic/Greek letters) with PydanticCustomError('plain_text', <its message>), as the "
           "directory loader and the feed reader now do")
API_TIME_FIX = ("writer/web/api.py _ward/_council: refuse a declared_at before the night's polls_close "
                "(setup.election.polls_close) with loc (..., 'declared_at'), type 'before_polls_close', as the "
                "directory loader and the feed reader do")
API_DUP_FIX = ("writer/web/api.py validate: two declarations with the same id and the same declared_at but "
               "different content in one request are ambiguous (today the first is stored and the second "
               "'corrects' it); refuse the second with loc ['body', i, 'declared_at'], type 'conflicting_duplicate'")

HOSTILE_API = [
    # impossible numbers
    api_case("negative-votes", lambda a: with_(a.ward(), ("candidates", 1, "votes"), -5), 422,
             shape(("body", "candidates", 1, "votes"), "Input should be greater than or equal to 0", "greater_than_equal")),
    api_case("votes-over-ten-million", lambda a: with_(a.ward(), ("candidates", 0, "votes"), 10**12), 422,
             shape(("body", "candidates", 0, "votes"), "Input should be less than or equal to 10000000", "less_than_equal")),
    api_case("votes-a-float", lambda a: with_(a.ward(), ("candidates", 0, "votes"), 1440.5), 422,
             shape(("body", "candidates", 0, "votes"), "Input should be a valid integer", "int_type")),
    api_case("votes-a-bool", lambda a: with_(a.ward(), ("candidates", 0, "votes"), True), 422,
             shape(("body", "candidates", 0, "votes"), "Input should be a valid integer", "int_type")),
    api_case("more-winners-than-seats", lambda a: winners(a.ward(), 3), 422,
             shape(("body", "candidates"), "has 3 candidates elected; expected at most seats = 1", "too_many_winners")),
    api_case("turnout-over-100", lambda a: with_(a.ward(), ("turnout_pct",), 143.1), 422,
             shape(("body", "turnout_pct"), "Input should be less than or equal to 100", "less_than_equal")),
    api_case("total-votes-over-electorate", lambda a: dict(a.ward(), electorate=100, total_votes=101), 422,
             shape(("body", "total_votes"), "is 101, more than the electorate 100; expected at most 100", "value_error")),
    api_case("seats-won-not-seats-up", lambda a: with_(a.council(), ("seats_won", "Lab"), 5), 422,
             shape(("body", "seats_won"), "adds up to 9 seats; expected 8 (seats_up for greyhaven)", "seat_total")),
    api_case("nan-turnout", lambda a: json.dumps(dict(a.ward(), turnout_pct=float("nan"))).encode(), 422,
             shape(("body", "turnout_pct"), "Input should be less than or equal to 100", "less_than_equal"), raw=True),
    # unknown parties and councils, corrections to unknown results
    api_case("unknown-council", lambda a: dict(a.ward(), council="atlantis"), 422,
             shape(("body", "council"), "unknown council 'atlantis'; expected the slug of one of tonight's councils",
                   "unknown_council")),
    api_case("unknown-party-in-composition", lambda a: with_(a.council(), ("composition_after", "Monster Raving"), 0), 422,
             shape(("body", "composition_after", "Monster Raving"), "unknown party code 'Monster Raving'; expected one "
                   "of Con, Green, LD, Lab, Reform, UKIP, Ind, Other, Res, Vacant or 'Other (Name)'", "party_code")),
    api_case("homoglyph-party", lambda a: with_(a.ward(), ("candidates", 0, "party"), "R\u0435form"), 422,
             shape(("body", "candidates", 0, "party"), "unknown party code 'Rеform'; expected one of Con, Green, LD, "
                   "Lab, Reform, UKIP, Ind, Res or 'Other (Name)'", "party_code")),
    api_case("correction-to-an-unknown-ward-id", lambda a: dict(a.ward(), id="local.greyhaven.atlantis.2026-05-07"), 422,
             shape(("body", "id"), "is 'local.greyhaven.atlantis.2026-05-07', which does not match the council, ward "
                   "and poll date; expected 'local.greyhaven.castletown.2026-05-07' (or leave it out)", "id_mismatch")),
    # malformed bodies, wrong encodings, huge payloads
    api_case("truncated-json", lambda a: json.dumps(a.ward()).encode()[:-40], 422,
             {"type": "json_invalid", "loc": ["body", 546], "msg": "JSON decode error", "input": {},
              "ctx": {"error": "Unterminated string starting at"}}, raw=True),
    api_case("latin1-body", lambda a: json.dumps(a.ward(), ensure_ascii=False).replace("Emmott I.", "Emm\u00f3tt I.")
             .encode("latin-1"), 400, raw=True),
    api_case("nesting-100000-deep", lambda a: b"[" * 100_000 + b"]" * 100_000, 400, raw=True),
    api_case("integer-5000-digits", lambda a: json.dumps(a.ward()).replace('"votes": 1440', '"votes": ' + "9" * 5000)
             .encode(), 400, raw=True),
    api_case("body-over-8-mb", lambda a: b'{"kind": "ward", "ward": "' + b"a" * (9 * 1024 * 1024) + b'"}', 413, raw=True),
    api_case("batch-over-1000", lambda a: [a.ward()] * 1001, 422,
             shape(("body",), "has 1001 declarations; expected at most 1000 in one request", "too_long")),
    api_case("101-candidates", lambda a: dict(a.ward(), candidates=[dict(a.ward()["candidates"][1], name=f"C{i}")
                                                                     for i in range(101)]), 422,
             shape(("body", "candidates"), "List should have at most 100 items after validation, not 101", "too_long")),
    api_case("name-201-characters", lambda a: with_(a.ward(), ("candidates", 0, "name"), "N" * 201), 422,
             shape(("body", "candidates", 0, "name"), "String should have at most 200 characters", "string_too_long")),
    api_case("not-an-object", lambda a: "a string", 422,
             shape(("body",), "expected a declaration (a JSON object) or a list of them", "model_type")),
    # duplicate and conflicting declarations
    api_case("same-ward-twice-in-a-batch-conflicting",
             lambda a: [a.ward("Pallion"), with_(a.ward("Pallion"), ("candidates", 0, "votes"), 1058)], 422,
             shape(("body", 1, "declared_at"), "declares local.greyhaven.pallion.2026-05-07 again at the same time "
                   "as body[0] with different figures; expected one version per time", "conflicting_duplicate")),
    # impossible times
    api_case("declared-in-year-1", lambda a: dict(a.ward("Abbey Fields"), declared_at="0001-01-01T00:00:00+05:00"), 422,
             shape(("body", "declared_at"), "'0001-01-01T00:00:00+05:00' is before polls closed "
                   f"({POLLS}); expected a time on the night", "before_polls_close")),
    # Unicode tricks in names
    api_case("control-character-in-name", lambda a: with_(a.ward(), ("candidates", 0, "name"), "Emmott\x1b[31m"), 422,
             shape(("body", "candidates", 0, "name"), "contains control characters; expected plain text",
                   "control_characters")),
    api_case("right-to-left-override-in-ward", lambda a: dict(a.ward("Pallion"), ward="\u202ePallion"), 422,
             shape(("body", "ward"), f"contains U+202E RIGHT-TO-LEFT OVERRIDE, {INVISIBLE}", "plain_text")),
    api_case("zero-width-in-candidate", lambda a: with_(a.ward(), ("candidates", 0, "name"), "Emmott\u200b I."), 422,
             shape(("body", "candidates", 0, "name"), f"contains U+200B ZERO WIDTH SPACE, {INVISIBLE}", "plain_text")),
]


@pytest.mark.parametrize("make, status, detail, raw", HOSTILE_API)
def test_hostile_api(api_desk: ApiDesk, make, status: int, detail: list[dict], raw: bool) -> None:
    before = api_desk.state()
    body = make(api_desk)
    if raw:
        r = api_desk.client.post(API, content=body, headers={**api_desk.headers, "Content-Type": "application/json"})
    else:
        r = api_desk.client.post(API, json=body, headers=api_desk.headers)
    assert r.status_code == status, r.text[:500]
    assert "Traceback" not in r.text
    if status == 422:
        assert r.json()["detail"] == detail
    elif status == 400:
        assert r.json() == {"detail": "There was an error parsing the body"}
    assert api_desk.state() == before  # nothing stored, nothing re-drafted, the engine as it was


# ================================================================================================
# 3. Results feeds in (Democracy Club's shape), read through FeedPoller over HTTP (mocked)
# ================================================================================================
import dataclasses  # noqa: E402

import httpx  # noqa: E402

from helpers import atom, entry, latest_wards  # noqa: E402
from writer.ingest import feeds as feeds_module  # noqa: E402
from helpers import DEMO_FEED_PARTIES, registry_with  # noqa: E402
from writer.identity import PartyRegistry  # noqa: E402
from writer.ingest.feeds import FeedPoller  # noqa: E402

FEED = "https://results.test/feed.atom"
PALLION = "local.greyhaven.pallion.2026-05-07"
CASTLETOWN = "local.greyhaven.castletown.2026-05-07"


@pytest.fixture(scope="module")
def feed_table(tmp_path_factory):
    return PartyRegistry.load(registry_with(DEMO_FEED_PARTIES, tmp_path_factory.mktemp("registry")))


def poll(night, table, body: bytes, status: int = 200):
    client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(
        status, content=body, headers={"Content-Type": "application/atom+xml"})))
    with FeedPoller(FEED, night, client=client, registry=table) as poller:
        return poller.poll()


def good(night):
    return entry(1, latest_wards(night)[PALLION], "Obi C.", "Lab")


def castletown(night, n: int = 2, **changes):
    return dataclasses.replace(entry(n, latest_wards(night)[CASTLETOWN], "Emmott I.", "Reform"), **changes)


def feed_case(case_id: str, make: Callable, problems: list[tuple], kept: list[str] = (PALLION,), marks=()):
    return pytest.param(make, problems, list(kept), id=case_id, marks=marks)


E2 = "https://results.test/#2"

HOSTILE_FEEDS = [
    feed_case("zero-width-in-winner-name", lambda n: atom([good(n), castletown(n, name="Emmott\u200b I.")]),
              [(E2, "winner_person_name", f"'Emmott\\u200b I.' contains U+200B ZERO WIDTH SPACE, {INVISIBLE}")]),
    feed_case("right-to-left-override-in-post-name", lambda n: atom([good(n), castletown(n, post_name="\u202enwotletsaC")]),
              [(E2, "post_name", f"'\\u202enwotletsaC' contains U+202E RIGHT-TO-LEFT OVERRIDE, {INVISIBLE}")]),
    feed_case("homoglyph-in-winner-name", lambda n: atom([good(n), castletown(n, name="Emm\u043ett I.")]),
              [(E2, "winner_person_name", "'Emmоtt I.' " + lookalike("Emmоtt", "U+043E CYRILLIC SMALL LETTER O"))]),
    feed_case("markup-in-post-id", lambda n: atom([good(n), castletown(n, post_id="<b>castletown</b>", post_name="")]),
              [(E2, "post_id", "'<b>castletown</b>' contains markup ('<' or '>'); expected a plain name")]),
    feed_case("name-201-characters", lambda n: atom([good(n), castletown(n, name="E" * 201)]),
              [(E2, "winner_person_name", "is 201 characters long; expected at most 200")]),
    feed_case("unknown-council", lambda n: atom([good(n), castletown(n, election_slug="local.atlantis.2026-05-07")]),
              [(E2, "election_slug", "names council 'atlantis', which has no election tonight; expected one of the "
                                     "night's councils")]),
    feed_case("unknown-party", lambda n: atom([good(n), castletown(n, party_id="party:666", party_name="Sinister Party")]),
              [(E2, "winner_party_id", "'party:666' ('Sinister Party') is not in party-registry.yaml nor among "
                                       "the night's parties; kept as 'Other (Sinister Party)': an editor must "
                                       "check it (add it to the registry if it is another party)")],
              kept=[PALLION, CASTLETOWN]),
    feed_case("retraction-not-0-or-1", lambda n: atom([good(n), castletown(n, retraction="yes")]),
              [(E2, "retraction", "is 'yes'; expected 0 or 1")]),
    feed_case("recorded-in-year-1", lambda n: atom([good(n), castletown(n, at="0001-01-01T00:00:00+05:00")]),
              [(E2, "updated", f"'0001-01-01T00:00:00+05:00' is before polls closed ({POLLS}); expected a time on the night")]),
    feed_case("correction-of-an-unknown-winner", lambda n: atom([good(n), castletown(n, retraction=1)]),
              [(E2, "retraction", "withdraws 'Emmott I.' in Castletown (Greyhaven), who is not a winner there in this "
                                  "feed; expected an earlier entry naming them (ignored)")]),
    feed_case("same-entry-twice-conflicting", lambda n: atom([dataclasses.replace(good(n), name="Mistry A."), good(n)]),
              [("https://results.test/#1", "id", "is repeated in the feed; expected each entry once (the first is kept)")]),
    feed_case("truncated-feed", lambda n: atom([castletown(n), good(n)])[:-200],  # (newest first)
              [(None, None, "is not well-formed (<unknown>:28:0: unclosed token); the entries that could be read "
                            "are used"),
               (E2, "winner_party_id", "is missing (and so is winner_party_name); expected a party id such as "
                                       "party:53 or a party name")]),
    feed_case("not-a-feed", lambda n: b"<html><body>502 Bad Gateway</body></html>", [], kept=[]),
    feed_case("empty-body", lambda n: b"", [], kept=[]),
    feed_case("utf16-feed", lambda n: atom([good(n)]).decode("utf-8").replace('encoding="utf-8"', 'encoding="utf-16"')
              .encode("utf-16"), []),
    feed_case("latin1-bytes-said-to-be-utf8", lambda n: atom([good(n), castletown(n, name="Emm\u00f3tt I.")])
              .replace("Emm\u00f3tt".encode(), b"Emm\xf3tt"),
              [(None, None, "is not well-formed (document declared as utf-8, but parsed as windows-1252); the "
                            "entries that could be read are used")], kept=[PALLION, CASTLETOWN]),
]


@pytest.mark.parametrize("make, expected, kept", HOSTILE_FEEDS)
def test_hostile_feed(demo_night, feed_table, make, expected: list[tuple], kept: list[str]) -> None:
    polled = poll(demo_night, feed_table, make(demo_night))
    if not kept and not expected:  # not a feed at all: one problem for the feed, nothing read
        assert [(p.entry, p.field) for p in polled.problems] == [(None, None)]
        assert polled.problems[0].message.startswith("is not a readable Atom feed (")
    else:
        assert [(p.entry, p.field, p.message) for p in polled.problems] == expected
    # the good entry is kept, exactly as sent
    assert sorted(d.id for d in polled.declarations) == sorted(kept)
    for d in polled.declarations:
        if d.id == PALLION:
            assert [(c.name, c.party, c.votes, c.elected) for c in d.candidates] == [("Obi C.", "Lab", None, True)]


def test_a_feed_over_the_size_limit_is_refused(demo_night, feed_table, monkeypatch) -> None:
    monkeypatch.setattr(feeds_module, "MAX_FEED_BYTES", 1000)
    polled = poll(demo_night, feed_table, atom([good(demo_night)]))
    assert [(p.entry, p.field, p.message) for p in polled.problems] == [
        (None, None, "is larger than 1000 bytes; expected a results feed")]
    assert polled.declarations == []


def test_a_feed_answering_500_is_reported(demo_night, feed_table) -> None:
    polled = poll(demo_night, feed_table, b"Internal Server Error", status=500)
    assert [str(p) for p in polled.problems] == [f"{FEED}: answered HTTP 500; expected 200 with a feed"]
    assert polled.declarations == []


# ================================================================================================
# 4. The review app's forms, on a night whose names carry markup (every page must escape it)
# ================================================================================================
from writer.store.users import ReviewRecords  # noqa: E402
from writer.web.security import hash_password  # noqa: E402

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SCRIPT_COUNCIL = '<script>alert("council")</script>'
IMG_CANDIDATE = "<img src=x onerror=alert(1)>"
SCRIPT_PARTY = "Other (<script>alert(2)</script>)"
SID = "council:millbridge"
REVIEW_FIX = ("writer/web/review.py Review.save_edit (and _note): refuse control characters and what "
              "writer.text.name_problem refuses in a headline or note with Invalid('the headline contains "
              "...'), so a NUL (which PostgreSQL cannot store) or a right-to-left override never reaches the store")
PUBLISH_AT_FIX = ("writer/web/review.py parse_publish_at: t.astimezone(timezone.utc) raises OverflowError for "
                  "times at the ends of the calendar (0001-01-01T00:00+05:00); catch OverflowError (and refuse "
                  "years outside, say, 2000-2100) with Invalid(...), so the form answers 400 instead of 500")


@pytest.fixture(scope="module")
def hostile_night(tmp_path_factory):
    root = make_copy(tmp_path_factory.mktemp("hostile"), DEMO_NIGHT, "night")
    both(set_cell("councils.csv", 2, "council", SCRIPT_COUNCIL),          # Ashcombe
         sub_text(WARDS, "Blackledge J.", IMG_CANDIDATE),
         sub_text(WARDS, ",Reform,629,", f",{SCRIPT_PARTY},629,"))(root)
    return load_night(root)


@pytest.fixture(scope="module")
def review_app(hostile_night, tmp_path_factory):
    from writer.web.app import create_app
    store = open_store(tmp_path_factory.mktemp("review") / "web.db")
    pipeline = Pipeline(store, lambda: build(hostile_night))
    pipeline.ingest_all(hostile_night.declarations)
    ReviewRecords(store).add_user("ed", "editor", hash_password(PASSWORD), by="test")
    app = create_app(store, night=hostile_night, pipeline=pipeline, https_only=True, secret_key="k" * 40)
    client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    page = client.get("/login")
    r = client.post("/login", data={"username": "ed", "password": PASSWORD,
                                    "csrf_token": CSRF.search(page.text).group(1)}, follow_redirects=False)
    assert r.status_code == 303
    client.csrf = CSRF.search(client.get("/queue").text).group(1)
    client.store = store
    yield client
    client.close()
    store.close()


def store_state(store) -> tuple:
    from writer.store import ReviewDecision
    return ({s.story_id: (s.version, s.story().text()) for s in store.latest_stories()},
            store.count(StoryVersion), store.count(ReviewDecision))


def form_case(case_id: str, action: str, data: Callable[[int], dict], status: int, says: str, marks=()):
    return pytest.param(action, data, status, says, id=case_id, marks=marks)


HOSTILE_FORMS = [
    form_case("edit-headline-too-long", "edit", lambda v: {"version": v, "headline": "H" * 100_000, "body": "Text."},
              400, "the headline is longer than"),
    form_case("edit-body-too-long", "edit", lambda v: {"version": v, "headline": "A headline", "body": "word " * 200_000},
              400, "the story is longer than"),
    form_case("edit-empty-body", "edit", lambda v: {"version": v, "headline": "A headline", "body": "\u00a0\n\n\t"},
              400, "the story has no text"),
    form_case("edit-version-not-a-number", "edit", lambda v: {"version": "1; DROP TABLE", "headline": "x", "body": "y"},
              400, "the form has no story version"),
    form_case("edit-stale-version", "edit", lambda v: {"version": v - 1 if v > 1 else v + 7, "headline": "x", "body": "y"},
              409, "someone else saved this story"),
    form_case("edit-version-40-digits", "approve", lambda v: {"version": "9" * 40}, 409, "the story has changed since"),
    form_case("approve-publish-at-garbage", "approve", lambda v: {"version": v, "publish_at": "<script>x</script>"},
              400, "publish time &#39;&lt;script&gt;x&lt;/script&gt;&#39;: expected a date and time"),
    form_case("schedule-publish-at-garbage", "schedule", lambda v: {"version": v, "publish_at": "tomorrow-ish"},
              400, "publish time &#39;tomorrow-ish&#39;: expected a date and time"),
    form_case("hold-without-a-note", "hold", lambda v: {"version": v, "note": " \u00a0 "}, 400, "hold: say why"),
    form_case("reject-stale-version", "reject", lambda v: {"version": v + 1, "note": "<b>dup</b>"}, 409,
              "the story has changed since"),
    form_case("retry-without-publishing", "retry", lambda v: {"target": "<script>wp</script>"}, 404,
              "publishing is not running"),
    form_case("approve-publish-at-year-1", "approve", lambda v: {"version": v, "publish_at": "0001-01-01T00:00+05:00"},
              400, "publish time"),
    form_case("edit-headline-with-nul", "edit", lambda v: {"version": v, "headline": "Lab\x00 hold", "body": "Text."},
              400, "control characters"),
    form_case("edit-headline-right-to-left", "edit", lambda v: {"version": v, "headline": "\u202eLab hold", "body": "Text."},
              400, "RIGHT-TO-LEFT OVERRIDE"),
]


@pytest.mark.parametrize("action, data, status, says", HOSTILE_FORMS)
def test_hostile_form(review_app, action: str, data, status: int, says: str) -> None:
    before = store_state(review_app.store)
    version = review_app.store.latest_story(SID).version
    r = review_app.post(f"/story/{quote(SID, safe='')}/{action}", data={"csrf_token": review_app.csrf, **data(version)},
                        follow_redirects=False)
    assert r.status_code == status, r.text[:300]
    assert says in r.text
    assert "Traceback" not in r.text
    assert store_state(review_app.store) == before  # no new version, no decision, nothing else changed


def test_hostile_login_forms(review_app) -> None:
    fresh = TestClient(review_app.app, base_url="https://testserver", raise_server_exceptions=False)
    token = CSRF.search(fresh.get("/login").text).group(1)
    for name, password, nxt in [("x" * 1_000_000, "p", "/queue"), ("ed\x00", PASSWORD, "/queue"),
                                ("<script>alert(1)</script>", "p", "javascript:alert(1)"),
                                ("\u202eed", PASSWORD, "//evil.example/")]:
        r = fresh.post("/login", data={"username": name, "password": password, "next": nxt, "csrf_token": token},
                       follow_redirects=False)
        assert r.status_code == 401, (name[:20], r.status_code)
        assert "Wrong name or password." in r.text and "<script>alert(1)" not in r.text
    fresh.close()


# -- safe rendering: the review app, the story HTML and the feeds ---------------------------------
RAW = [SCRIPT_COUNCIL, IMG_CANDIDATE, "<script>alert(2)</script>"]


def test_markup_in_names_renders_as_text_everywhere(review_app, hostile_night) -> None:
    from datetime import datetime, timezone
    from xml.etree import ElementTree

    from writer.draft.story import to_html
    from writer.publish.feeds import FeedSpec, build_atom, build_rss, item_from_story
    rows = review_app.store.latest_stories()
    stories = [r.story() for r in rows]
    text = " ".join(s.text() for s in stories)
    for raw in RAW[:2]:  # the names reached the copy, as data (the party's one candidate lost)
        assert raw in text, raw
    pages = {"queue": review_app.get("/queue").text, "queue.json": review_app.get("/queue.json").text}
    for s in stories:
        if any(raw in s.text() for raw in RAW):
            pages[s.id] = review_app.get(f"/story/{quote(s.id, safe='')}").text
            pages[s.id + " html"] = to_html(s)
    assert len(pages) > 4
    now = datetime(2026, 5, 8, 3, tzinfo=timezone.utc)
    items = [item_from_story(s, published=now, updated=now, council_name=SCRIPT_COUNCIL) for s in stories]
    spec = FeedSpec("Night <script>", "https://x.test/feeds/night.atom", "night", None, "local.2026-05-07")
    for name, xml in (("rss", build_rss(spec, items, "https://x.test")), ("atom", build_atom(spec, items, "https://x.test"))):
        root = ElementTree.fromstring(xml)
        for el in root.iter():  # every text a reader takes as HTML holds the names escaped
            if el.text and el.tag.rsplit("}", 1)[-1] in ("description", "encoded", "content"):
                pages[f"{name} {el.tag}"] = el.text
    for where, html in pages.items():
        if where == "queue.json":
            continue  # JSON carries the text as data; the page sets it with textContent
        for raw in RAW:
            assert raw not in html, (where, raw)
        assert "<script>alert" not in html and "<img src=x" not in html, where


# ================================================================================================
# The count, per way in
# ================================================================================================
def test_corpus_size(capsys) -> None:
    counts = {
        "election directories": len(BAD_NIGHTS) + 2 + len(HOSTILE_NIGHTS) + 1 + len(VALID_ODDITIES) + 1 + 1,
        "HTTP API": len(HOSTILE_API),
        "results feeds": len(HOSTILE_FEEDS) + 2,
        "review app forms": len(HOSTILE_FORMS) + 4 + 1,  # the login attempts, the rendering check
        "rules and templates": len(BAD_RULES) + len(BAD_GROUPS) + len(HOSTILE_RULES) + 2 + len(HOSTILE_TEMPLATES),
    }
    with capsys.disabled():
        print("\nhostile-input corpus: " + ", ".join(f"{k} {v}" for k, v in counts.items())
              + f"; total {sum(counts.values())}")
    assert sum(counts.values()) >= 100
    assert all(counts[k] >= 10 for k in ("HTTP API", "results feeds", "review app forms", "rules and templates"))
