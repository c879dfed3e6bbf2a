"""The fact-check gate against the real 2022 night: no false alarms on any draft, and at
least 99% of deliberately falsified drafts caught.

Every story version the desk drafts over the night (ward snippets, council stories, group
stories, provisional ones included) must pass unchanged. Then each is falsified in the ways
a bad draft goes wrong, chosen with a seeded random generator (same mutants every run):

- a number changed ("41 of the 63 seats" -> "43 of the 63 seats", "eight" -> "five",
  "1964" -> "1966", a table figure);
- a party swapped for another ("the Conservatives" -> "the Lib Dems", in the same mention
  form);
- a council swapped for another council of the night;
- control wording turned round ("has taken control of" -> "has kept control of" / "has lost
  control of", "falls to" -> "stays with", "gained a seat from" -> "lost a seat to" ...);
- a share altered ("57.7%" -> "59.2%", "26.4 points" -> "25.9 points").

Definitions of groups (editorial text quoted from rules/groups.yaml) are left alone: they
are quotations, not claims.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from writer.check import FactChecker
from writer.check.lexicon import NUMBER_WORDS
from writer.draft.style import PartyNames, capfirst

ROOT = Path(__file__).resolve().parent.parent
SEED = 2022
MIN_MUTANTS = 500
MIN_CATCH = 0.99
WORDS = {v: k for k, v in NUMBER_WORDS.items() if k not in ("no", "none", "zero")}
MAIN = ("Lab", "Con", "LD", "Green", "Ind", "Reform")
DEFINITION = re.compile(r"here means|means [a-z]|is counted here as|covers (?:councils|the)|For these figures")

#: Control wording and what it is turned into: each replacement says something the result
#: cannot also support (gain, hold and loss exclude each other).
CONTROL = [
    (r"\b(has|have) taken control of\b", [r"\1 kept control of", r"\1 lost control of"]),
    (r"\b(has|have) won control of\b", [r"\1 kept control of", r"\1 lost control of"]),
    (r"\b(has|have) kept control of\b", [r"\1 taken control of", r"\1 lost control of"]),
    (r"\b(has|have) lost control of\b", [r"\1 kept control of", r"\1 taken control of"]),
    (r"\bkeeps control of\b", ["loses control of", "takes control of"]),
    (r"\bkeep control of\b", ["lose control of", "take control of"]),
    (r"\btakes control of\b", ["keeps control of", "loses control of"]),
    (r"\blose control of\b", ["keep control of", "take control of"]),
    (r"\bon course to keep\b", ["on course to lose"]),
    (r"\bon course to take\b", ["on course to keep"]),
    (r"\bfalls to (?!no overall)", ["stays with "]),
    (r"\bstays with\b", ["falls to"]),
    (r"\b(remains|stays) under no overall control\b", ["falls to no overall control"]),
    (r"\bgained a seat from\b", ["lost a seat to"]),
]
#: Headline wording ("Labour take Barnet from the Conservatives"), turned round in headlines only.
HEADLINE_CONTROL = [
    (r"^(.+?) take (.+?) from ", [r"\1 hold \2 from ", r"\1 lose \2 to "]),
    (r"^(.+?) gain (.+?) from ", [r"\1 hold \2 from ", r"\1 lose \2 to "]),
    (r"^(.+?) hold ", [r"\1 lose ", r"\1 take "]),
    (r"^(.+?) keep control of ", [r"\1 lose control of "]),
]


ROUNDUP_EVERY = 400  # declarations between round-ups drafted as the night goes on


@pytest.fixture(scope="module")
def night_stories(le2022_dir):
    """Every story version the desk drafts over the night, and the round-up as it stood
    every few hundred declarations and at the end."""
    from writer.night import build
    from writer.draft.roundup import draft_roundup
    from writer.ingest import load_night
    night = load_night(le2022_dir)
    engine, desk = build(night)
    roundups = []
    for i, decl in enumerate(night.declarations, 1):
        desk.apply(engine.apply(decl).events)
        if i % ROUNDUP_EVERY == 0 or i == len(night.declarations):
            roundups.append(draft_roundup(night, engine, desk, decl.declared_at, version=len(roundups) + 1))
    stories = [s for s in desk.feed if s.status != "retracted"] + roundups
    return night, stories


@pytest.fixture(scope="module")
def names() -> PartyNames:
    return PartyNames.load(ROOT / "rules" / "parties.yaml")


@pytest.fixture(scope="module")
def checker(night_stories, names) -> FactChecker:
    night, _ = night_stories
    return FactChecker.for_night(night.setup, names)


# -- unmutated drafts --------------------------------------------------------------------------
def test_no_false_alarms_on_the_whole_night(night_stories, checker):
    """Every story version of the 2022 night passes the gate as drafted."""
    _, stories = night_stories
    kinds = Counter(s.kind for s in stories)
    assert kinds["council"] and kinds["ward"] and kinds["group"] and kinds["roundup"]
    results = checker.check_many(stories)
    alarms = [(s.id, s.version, f.text, f.reason) for s, r in zip(stories, results) for f in r.failures]
    assert not alarms, f"{len(alarms)} false alarms, e.g. {alarms[:5]}"
    assert all(r.claims > 0 for r in results)
    # check() and check_many() agree
    sample = stories[::37]
    assert [checker.check(s) for s in sample] == checker.check_many(sample)


def test_token_matcher_reads_the_night_alike(night_stories, names, checker):
    """spaCy's token-pattern Matcher (FactChecker(token_matcher=True)) and the default
    PhraseMatchers find the same figures, words and sentences across the night."""
    night, stories = night_stories
    slow = FactChecker.for_night(night.setup, names, token_matcher=True)
    sample = stories[::5]
    slow.check_many(sample)  # learn the same wards and parties
    paragraphs = [s.text().split("\n\n")[:-1] for s in sample]
    assert slow.reader.analyse_many(paragraphs) == checker.reader.analyse_many(paragraphs)


# -- mutants ---------------------------------------------------------------------------------------
class Mutator:
    def __init__(self, night, names: PartyNames, rng: random.Random) -> None:
        self.rng = rng
        self.names = names
        councils = sorted({c.name for c in night.setup.councils.values()}, key=len, reverse=True)
        self.councils = councils
        self.council_re = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, councils)) + r")(?![\w-])")
        forms: dict[str, tuple[str, str]] = {}
        codes = set(MAIN) | {p for c in night.setup.councils.values() for p in (c.composition_before or {})}
        codes |= {c.party for ws in night.setup.baseline_wards.values() for w in ws for c in w.candidates}
        for code in [*MAIN, *sorted(codes - set(MAIN))]:
            for kind in ("first", "later", "headline", "tally"):
                form = names.party(code, kind)
                for variant in (form, capfirst(form)):
                    forms.setdefault(variant, (code, kind))
        # named parties are matched too, so that "Portsmouth Independents" is not read as
        # "independents", but only the main parties are swapped
        self.forms = forms
        self.party_re = re.compile(r"(?<![\w'])(" + "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
                                   + r")(?![\w])")

    @staticmethod
    def prose_spans(text: str) -> list[tuple[int, int]]:
        """Paragraphs that are claims: not the table, not the disclosure line, not a group's
        quoted definition."""
        out, pos = [], 0
        for para in text.split("\n\n"):
            start, pos = pos, pos + len(para) + 2
            if para.startswith("Party ") or para.startswith("This report was produced"):
                continue
            if DEFINITION.search(para):
                continue
            out.append((start, start + len(para)))
        return out

    def table_span(self, text: str) -> tuple[int, int] | None:
        i = text.find("\n\nParty ")
        if i < 0:
            return None
        j = text.find("\n\n", i + 2)
        return i + 2, (j if j >= 0 else len(text))

    def number(self, text: str):
        spans = self.prose_spans(text)
        table = self.table_span(text)
        found = []
        for s, e in spans + ([table] if table else []):
            for m in re.finditer(r"(?<![\w.,])([+-]?\d{1,3}(?:,\d{3})+|[+-]?\d+(?:\.\d)?|"
                                 + "|".join(sorted(WORDS.values(), key=len, reverse=True)) + r")(?![\w])",
                                 text[s:e], flags=re.I):
                raw = m.group(1)
                if raw.lower() in ("one",) and text[s + m.end():s + m.end() + 4] == " of ":
                    pass
                found.append((s + m.start(1), s + m.end(1), raw))
        # a table's header has no figures; skip times ("4am") and ordinals ("4th")
        found = [f for f in found if not re.match(r"[a-z]", text[f[1]:f[1] + 1] or " ")]
        if not found:
            return None
        s, e, raw = self.rng.choice(found)
        return s, e, self._new_number(raw), "number"

    def _new_number(self, raw: str) -> str:
        low = raw.lower()
        if low in NUMBER_WORDS:
            v = NUMBER_WORDS[low]
            choices = [w for n, w in WORDS.items() if n != v and 1 <= n <= 9]
            new = self.rng.choice(choices)
            return capfirst(new) if raw[0].isupper() else new
        sign = raw[0] if raw[0] in "+-" else ""
        body = raw[1:] if sign else raw
        if "." in body:
            v = float(body)
            delta = self.rng.choice([-1, 1]) * self.rng.randint(1, 30) / 10
            new = max(0.1, round(v + delta, 1))
            if new == v:
                new = round(v + 0.5, 1)
            return sign + f"{new:.1f}"
        v = int(body.replace(",", ""))
        if 1800 <= v <= 2100:
            new = v + self.rng.choice([-3, -2, -1, 1, 2, 3])
        else:
            delta = self.rng.choice([-1, 1]) * self.rng.randint(1, max(2, v // 4 + 1))
            new = abs(v + delta)
            if new == v:
                new = v + 1
        if sign == "-" and new == 0:
            new = 1
        return sign + (f"{new:,}" if "," in body else str(new))

    def share(self, text: str):
        found = []
        for s, e in self.prose_spans(text):
            for m in re.finditer(r"(\d+(?:\.\d)?)(?=%| points?\b| percentage points?\b)", text[s:e]):
                found.append((s + m.start(1), s + m.end(1), m.group(1)))
        if not found:
            return None
        s, e, raw = self.rng.choice(found)
        v = float(raw)
        new = round(v + self.rng.choice([-1, 1]) * self.rng.randint(1, 50) / 10, 1)
        new = abs(new) if new != 0 else 0.5
        if round(new, 1) == v:
            new = v + 1
        text_new = f"{new:.1f}" if "." in raw or not float(new).is_integer() else str(int(new))
        return s, e, text_new, "share"

    def party(self, text: str):
        found = []
        for s, e in self.prose_spans(text):
            for m in self.party_re.finditer(text, s, e):
                before, after = text[max(s, m.start(1) - 25):m.start(1)], text[m.end(1):m.end(1) + 3]
                if re.search(r"[A-Z][\w.&'-]* $|& $", before) or re.match(r" [A-Z]", after):
                    continue  # part of a longer name ("Portsmouth Independents", "Labour Group")
                found.append((m.start(1), m.end(1), m.group(1)))
        if not found:
            return None
        found = [f for f in found if self.forms[f[2]][0] in MAIN]
        if not found:
            return None
        s, e, raw = self.rng.choice(found)
        code, kind = self.forms[raw]
        # a party already named in the sentence would only be repeated, not misreported
        lo = max(text.rfind(". ", 0, s), text.rfind("\n", 0, s), text.rfind("; ", 0, s)) + 1
        hi = min(x for x in (text.find(". ", e), text.find("\n", e), text.find("; ", e), len(text)) if x >= 0)
        sentence = text[lo:hi]
        named = {c for f, (c, _) in self.forms.items() if re.search(r"(?<![\w'])" + re.escape(f) + r"(?!\w)", sentence)}
        choices = [c for c in MAIN if c != code and c not in named]
        if not choices:
            return None
        other = self.rng.choice(choices)
        new = self.names.party(other, kind)
        if raw[0].isupper():
            new = capfirst(new)
        return s, e, new, "party"

    def council(self, text: str):
        found = []
        for s, e in self.prose_spans(text):
            for m in self.council_re.finditer(text, s, e):
                found.append((m.start(1), m.end(1), m.group(1)))
        if not found:
            return None
        s, e, raw = self.rng.choice(found)
        named = set(self.council_re.findall(text))
        other = self.rng.choice([c for c in self.councils if c not in named and raw not in c and c not in raw])
        return s, e, other, "council"

    def control(self, text: str):
        found = []
        for s, e in self.prose_spans(text):
            para = text[s:e]
            for pattern, replacements in CONTROL + (HEADLINE_CONTROL if s == 0 else []):
                for m in re.finditer(pattern, para):
                    for r in replacements:
                        found.append((s + m.start(), s + m.end(), m.expand(r)))
        if not found:
            return None
        s, e, new = self.rng.choice(found)
        return s, e, new, "control"

    def mutate(self, text: str, kind: str):
        got = getattr(self, kind)(text)
        if got is None:
            return None
        s, e, new, kind = got
        if text[s:e] == new:
            return None
        return text[:s] + new + text[e:], (s, s + len(new)), kind


KINDS = ("number", "party", "council", "control", "share")


@pytest.fixture(scope="module")
def mutants(night_stories, names):
    night, stories = night_stories
    rng = random.Random(SEED)
    mutator = Mutator(night, names, rng)
    out = []
    for story in stories:
        text = story.text()
        for kind in KINDS:
            got = mutator.mutate(text, kind)
            if got is not None:
                mutated, span, kind = got
                out.append((story, mutated, span, kind))
    return out


def test_mutants_are_deterministic(night_stories, names, mutants):
    night, stories = night_stories
    again = Mutator(night, names, random.Random(SEED))
    story, mutated, span, kind = mutants[len(mutants) // 2]
    # the same generator, replayed over the same stories, makes the same mutants
    replay = []
    for s in stories:
        t = s.text()
        for k in KINDS:
            got = again.mutate(t, k)
            if got is not None:
                replay.append((s.id, s.version, got[0]))
    assert [(s.id, s.version, m) for s, m, _, _ in mutants] == replay


def test_gate_catches_mutants(checker, mutants):
    assert len(mutants) >= MIN_MUTANTS
    results = checker.check_many_texts([(m, s.evidence) for s, m, _, _ in mutants])
    missed = [(s.id, k, m[max(0, sp[0] - 60):sp[1] + 40]) for (s, m, sp, k), r in zip(mutants, results) if r.ok]
    by_kind = Counter(k for _, _, _, k in mutants)
    missed_kind = Counter(k for _, k, _ in missed)
    rate = 1 - len(missed) / len(mutants)
    report = ", ".join(f"{k}: {by_kind[k] - missed_kind[k]}/{by_kind[k]}" for k in KINDS)
    print(f"\nmutants caught: {len(mutants) - len(missed)}/{len(mutants)} ({rate:.2%}); {report}")
    for m in missed[:20]:
        print("  missed:", m)
    assert rate >= MIN_CATCH, f"caught {rate:.2%}; missed e.g. {missed[:5]}"
    for kind in KINDS:
        assert by_kind[kind] >= 50, f"too few {kind} mutants ({by_kind[kind]})"


def test_failures_point_at_the_change(checker, mutants):
    """A caught mutant's failures include the changed words (or the claim around them), with
    offsets into the mutated text."""
    results = checker.check_many_texts([(m, s.evidence) for s, m, _, _ in mutants])
    near = total = 0
    for (s, mutated, (a, b), kind), r in zip(mutants, results):
        if r.ok:
            continue
        total += 1
        for f in r.failures:
            assert mutated[f.start:f.end] == f.text and f.reason
        # the sentence around the change
        lo = max(mutated.rfind(". ", 0, a), mutated.rfind("\n", 0, a)) + 1
        hi = min(x for x in (mutated.find(". ", b), mutated.find("\n", b), len(mutated)) if x >= 0)
        if any(f.start <= hi and f.end >= lo for f in r.failures):
            near += 1
    assert near / total >= 0.97, f"only {near}/{total} failures point at the changed sentence"


# -- figures swapped or negated -------------------------------------------------------------------
FIGURE = re.compile(r"(?<![\w.,+-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w])")


def _prose_paragraphs(text: str):
    """(start, end) of each paragraph before the seats table and the disclosure line."""
    pos = 0
    for para in text.split("\n\n"):
        if para.startswith(("Party ", "This report was produced")):
            return
        yield pos, pos + len(para)
        pos += len(para) + 2


@pytest.mark.slow  # whole-night run: every figure of every demo story swapped and negated, each fact-checked
def test_two_figures_swapped_or_a_figure_negated_are_always_caught(night_stories, checker):
    """Every pair of different figures in a paragraph of every standing 2022 story and of every
    round-up drafted through the night, swapped; and every figure given a minus sign ("lost
    -11", "-2.01am", a quoted "-2019"): none passes the gate."""
    _, stories = night_stories
    latest = {}
    for s in stories:
        latest[(s.id, s.version) if s.kind == "roundup" else s.id] = s
    swapped, negated = [], []
    for s in latest.values():
        text = s.text()
        for start, end in _prose_paragraphs(text):
            figures = list(FIGURE.finditer(text, start, end))
            for m in figures:
                negated.append((text[:m.start()] + "-" + text[m.start():], s.evidence, m.group()))
            for i, a in enumerate(figures):
                for b in figures[i + 1:]:
                    if a.group() != b.group():
                        swapped.append((text[:a.start()] + b.group() + text[a.end():b.start()] + a.group()
                                        + text[b.end():], s.evidence, f"{a.group()} <-> {b.group()}"))
    assert len(swapped) > 3000 and len(negated) > 3000
    for cases in (swapped, negated):
        results = checker.check_many_texts([(t, ev) for t, ev, _ in cases])
        passed = [what for (_, _, what), r in zip(cases, results) if r.ok]
        assert not passed, f"{len(passed)} passed, e.g. {passed[:5]}"
