"""How well a night's drafts read: the figures behind ``writer quality DIR``.

``quality(stories, feed, checker)`` measures a night's stories against house style:

- how many stories of each kind, and which template family led them;
- sentences used word for word in more than one story (the disclosure line aside);
- openings repeated by consecutive stories of the feed (every version, in order);
- Flesch reading ease (the standard formula, with a simple syllable counter);
- lengths: words per story, words per lede, paragraphs per story (min/median/max by kind);
- fact-check failures, when a checker is given (``checker.check(story)`` returning a result
  with ``.ok`` and ``.failures``), of the stories and of any round-ups given;
- the independent oracle's disagreements (:mod:`writer.oracle`), when given: claims in the
  copy that the CSVs do not support, which the fact-check cannot see because it compares
  the copy with the engine's own facts.

``format_quality(report)`` renders the report as plain text for an editor.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from writer.draft.story import Story

# -- text helpers -----------------------------------------------------------------------------
# A sentence ends at . ! or ? followed by space and a capital, digit or quote; not after a
# single capital (an initial: "Robinson V. (the Lib Dems)") or a short abbreviation.
_ABBREVIATIONS = {"st", "mr", "mrs", "ms", "dr", "cllr", "no", "rev", "prof", "sr", "jr"}
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’%,.-]*")
_VOWELS = re.compile(r"[aeiouy]+")


def sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping initials and abbreviations inside them."""
    text = " ".join(text.split())
    out: list[str] = []
    start = 0
    for m in re.finditer(r"[.!?](?=\s+[\"'‘“(]?[A-Z0-9])", text):
        before = text[start:m.start()].split()
        last = before[-1] if before else ""
        last = last.lstrip("(\"'‘“")
        if (len(last) == 1 and last.isupper()) or last.lower() in _ABBREVIATIONS:
            continue
        out.append(text[start:m.end()].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return [s for s in out if s]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def syllables(word: str) -> int:
    """A simple English syllable count: vowel groups, less a silent final e; at least one.
    Figures count one syllable per digit group (a rough but consistent convention)."""
    w = word.lower().strip("'’.,%-")
    if not w:
        return 0
    if any(ch.isdigit() for ch in w):
        return max(1, len(re.findall(r"\d+", w)))
    w = re.sub(r"[^a-z]", "", w)
    if not w:
        return 1
    n = len(_VOWELS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and n > 1:
        n -= 1
    if w.endswith(("ed",)) and not w.endswith(("ted", "ded")) and n > 1:
        n -= 1
    return max(1, n)


def flesch(text: str) -> float | None:
    """Flesch reading ease: 206.835 - 1.015 (words/sentences) - 84.6 (syllables/words)."""
    sents = sentences(text)
    ws = words(text)
    if not sents or not ws:
        return None
    syl = sum(syllables(w) for w in ws)
    return round(206.835 - 1.015 * (len(ws) / len(sents)) - 84.6 * (syl / len(ws)), 1)


def _spread(values: Sequence[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"min": min(values), "median": statistics.median(values), "max": max(values), "n": len(values)}


def _prose(story: Story) -> str:
    return "\n\n".join(story.paragraphs)


def _family(story: Story) -> str:
    return story.template.split("/", 1)[0] if story.template else "?"


# -- the report -------------------------------------------------------------------------------
def quality(stories: list[Story], feed: list[Story] | None = None, checker=None,
            oracle: list | None = None, roundups: list[Story] = ()) -> dict[str, Any]:
    """Measure a night's stories (the latest version of each) and, given the feed, every
    version in the order drafted. ``roundups`` (the story of the night at chosen times) are
    fact-checked with the stories. See the module docstring for what is measured."""
    stories = [s for s in stories if s.status != "retracted"]
    report: dict[str, Any] = {"stories": len(stories)}

    report["by_kind"] = dict(sorted(Counter(s.kind for s in stories).items()))
    report["by_family"] = dict(sorted(Counter(_family(s) for s in stories).items(),
                                      key=lambda kv: (-kv[1], kv[0])))
    report["by_template"] = dict(sorted(Counter(s.template for s in stories).items()))

    # sentences used word for word in more than one story
    disclosures = {s.disclosure for s in stories}
    used: dict[str, list[str]] = defaultdict(list)
    for s in stories:
        seen: set[str] = set()
        for unit in [s.headline, *(x for p in s.paragraphs for x in sentences(p))]:
            if unit in disclosures or unit in seen:
                continue
            seen.add(unit)
            used[unit].append(s.id)
    repeated = [{"sentence": text, "stories": ids} for text, ids in used.items() if len(ids) > 1]
    repeated.sort(key=lambda r: (-len(r["stories"]), r["sentence"]))
    report["repeated_sentences"] = repeated

    # openings repeated by consecutive stories of the feed (retraction notices are not drafts)
    if feed is not None:
        drafts = [s for s in feed if s.status != "retracted"]
        repeats = [{"opening": b.opening, "first": f"{a.id} v{a.version}", "second": f"{b.id} v{b.version}"}
                   for a, b in zip(drafts, drafts[1:]) if a.opening == b.opening]
        report["feed"] = {"versions": len(feed), "drafts": len(drafts), "repeated_openings": repeats}
    else:
        report["feed"] = None

    # reading ease: over all prose, and per story by kind
    all_prose = "\n\n".join(_prose(s) for s in stories)
    by_kind_scores: dict[str, list[float]] = defaultdict(list)
    for s in stories:
        score = flesch(_prose(s))
        if score is not None:
            by_kind_scores[s.kind].append(score)
    report["flesch"] = {"overall": flesch(all_prose),
                        "by_kind": {k: _spread(v) for k, v in sorted(by_kind_scores.items())}}

    # lengths by kind
    lengths: dict[str, dict[str, Any]] = {}
    for kind in sorted({s.kind for s in stories}):
        group = [s for s in stories if s.kind == kind]
        lengths[kind] = {
            "words_per_story": _spread([len(words(_prose(s))) for s in group]),
            "words_per_lede": _spread([len(words(s.lede)) for s in group]),
            "paragraphs_per_story": _spread([len(s.paragraphs) for s in group]),
            "headline_chars": _spread([len(s.headline) for s in group]),
        }
    report["lengths"] = lengths

    # fact-check failures
    if checker is not None:
        failures = []
        checked = [*stories, *roundups]
        for s in checked:
            result = checker.check(s)
            if not result.ok:
                failures.append({"story": s.id if s.kind != "roundup" else f"{s.id} at {s.at}", "template": s.template,
                                 "failures": [str(f) for f in (result.failures or ())]})
        report["fact_check"] = {"checked": len(checked), "failed": len(failures), "failures": failures}
    else:
        report["fact_check"] = None
    report["oracle"] = None if oracle is None else list(oracle)
    return report


# -- text rendering ---------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _spread_text(spread: dict[str, float] | None) -> str:
    if not spread:
        return "-"
    return f"min {_fmt(spread['min'])}, median {_fmt(spread['median'])}, max {_fmt(spread['max'])}"


def _counter_lines(counts: dict[str, int]) -> Iterable[str]:
    width = max((len(k) for k in counts), default=0)
    for k, n in counts.items():
        yield f"  {k:<{width}}  {n:>5}"


def format_quality(report: dict[str, Any], *, limit: int = 20) -> str:
    """The report as plain text: counts, repeats, reading ease, lengths, fact-check."""
    out = [f"Stories: {report['stories']}", "", "By kind:"]
    out += _counter_lines(report["by_kind"])
    out += ["", "By leading template family:"]
    out += _counter_lines(report["by_family"])

    repeated = report["repeated_sentences"]
    out += ["", f"Sentences used word for word in more than one story (disclosure aside): {len(repeated)}"]
    for r in repeated[:limit]:
        shown = ", ".join(r["stories"][:5]) + (f" and {len(r['stories']) - 5} more" if len(r["stories"]) > 5 else "")
        out.append(f"  {len(r['stories'])}x  {r['sentence']!r}  ({shown})")
    if len(repeated) > limit:
        out.append(f"  ... and {len(repeated) - limit} more")

    feed = report.get("feed")
    if feed is not None:
        reps = feed["repeated_openings"]
        out += ["", f"Feed: {feed['versions']} versions ({feed['drafts']} drafts); "
                    f"openings repeated back to back: {len(reps)}"]
        for r in reps[:limit]:
            out.append(f"  {r['opening']!r}: {r['first']} then {r['second']}")
        if len(reps) > limit:
            out.append(f"  ... and {len(reps) - limit} more")

    fl = report["flesch"]
    out += ["", f"Flesch reading ease (higher is easier; 60-70 is plain English): overall "
                f"{_fmt(fl['overall']) if fl['overall'] is not None else '-'}"]
    for kind, spread in fl["by_kind"].items():
        out.append(f"  {kind:<8} {_spread_text(spread)}")

    out += ["", "Lengths by kind:"]
    for kind, ls in report["lengths"].items():
        out.append(f"  {kind} ({ls['words_per_story']['n'] if ls['words_per_story'] else 0} stories)")
        out.append(f"    words per story:      {_spread_text(ls['words_per_story'])}")
        out.append(f"    words per lede:       {_spread_text(ls['words_per_lede'])}")
        out.append(f"    paragraphs per story: {_spread_text(ls['paragraphs_per_story'])}")
        out.append(f"    headline characters:  {_spread_text(ls['headline_chars'])}")

    fc = report.get("fact_check")
    if fc is not None:
        out += ["", f"Fact-check: {fc['checked']} stories checked, {fc['failed']} failed"]
        for f in fc["failures"][:limit]:
            out.append(f"  {f['story']} ({f['template']}):")
            out += [f"    - {x}" for x in f["failures"]]
        if fc["failed"] > limit:
            out.append(f"  ... and {fc['failed'] - limit} more")

    found = report.get("oracle")
    if found is not None:
        from writer.oracle import format_disagreements

        out += ["", format_disagreements(found, limit=limit)]
    return "\n".join(out)
