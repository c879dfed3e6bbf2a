"""Quotations of the evidence in copy: a group's definition, a context figure's label, a
candidate's name. A quotation is the evidence itself, so what it holds is not read as a
claim (a figure only as the evidence writes it: "the 2019 general election", not "the -2019
general election").

A quotation is found by its words, whatever lies between them, as whole words, with a full
stop after it taken in: :func:`quote_regex` as a pattern, :func:`find_quotes` the same
without compiling one for an ASCII text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from writer.check.evidence import Evidence

CACHE_SIZE = 100_000
_QUOTE_PATTERNS: dict[tuple[str, ...], re.Pattern] = {}  # alternatives -> compiled pattern
_QUOTE_WORDS: dict[str, list[str]] = {}
_QUOTE_SOURCES: dict[str, str] = {}
_QUOTATIONS: dict[str, tuple[tuple[str, ...], bool]] = {}  # string -> its words in lower case, all ASCII?
_ALTERNATIVES: dict[frozenset[str], tuple | None] = {}  # an evidence's strings -> its quotations
_ALNUM_RUN = re.compile(r"[^\W_]+")
_WORD = re.compile(r"\w+")
QUOTED_KEYS = ("definition", "group_name", "region", "not_comparable_reason", "comparison_basis")


def _remember(cache: dict, key, value, size: int = CACHE_SIZE):
    if len(cache) >= size:
        cache.clear()
    cache[key] = value
    return value


def quote_words(sentence: str) -> list[str]:
    got = _QUOTE_WORDS.get(sentence)
    return got if got is not None else _remember(_QUOTE_WORDS, sentence, _WORD.findall(sentence))


def quote_source(sentence: str) -> str:
    """A quotation as a regex: its words, with anything but letters and digits between."""
    got = _QUOTE_SOURCES.get(sentence)
    if got is None:
        got = _remember(_QUOTE_SOURCES, sentence, r"[\W_]+".join(map(re.escape, quote_words(sentence))))
    return got


def _quotation(string: str) -> tuple[tuple[str, ...], bool]:
    """A string of the evidence as a quotation: its words in lower case, and whether every
    word is plain ASCII (remembered by string: a night's stories quote the same ones)."""
    got = _QUOTATIONS.get(string)
    if got is None:
        words = quote_words(string)
        got = _remember(_QUOTATIONS, string, (tuple(word.lower() for word in words),
                                              all(word.isascii() for word in words)))
    return got


def quote_regex(alternatives: tuple[str, ...]) -> re.Pattern:
    """Any of the quotations (tried in the order given), as whole words, with a full stop."""
    pattern = _QUOTE_PATTERNS.get(alternatives)
    if pattern is None:
        pattern = _remember(_QUOTE_PATTERNS, alternatives,
                            re.compile(r"\b(?:" + "|".join(alternatives) + r")\b\.?", re.I), 4096)
    return pattern


def find_quotes(low: str, alternatives) -> list[tuple[int, int]]:
    """What :func:`quote_regex` finds in an ASCII text (``low``: in lower case) without
    underscores, without compiling a pattern for each story's quotations (a story's
    candidates are new to the night, and compiling their pattern cost more than the rest of
    the check).

    In such a text the pattern's words match whole runs of letters and digits (``\\b`` at
    both ends, ``[\\W_]+`` between), so a quotation matches where its words, compared in
    lower case, equal the text's runs from that one on; the alternatives are tried in the
    order given at each run, left to right, a match resuming the scan after it, and a full
    stop straight after the last word is taken in (``\\.?``). Each quotation's first word
    is found with ``str.find``: a story's text is read once per quotation, in C."""
    found = []
    size = len(low)
    for order, (_, words) in enumerate(alternatives):
        first = words[0]
        position = low.find(first)
        while position != -1:
            after = position + len(first)
            if (not position or not low[position - 1].isalnum()) and (after == size or not low[after].isalnum()):
                end = after
                for word in words[1:]:
                    run = _ALNUM_RUN.search(low, end)
                    if run is None or run.group() != word:
                        break
                    end = run.end()
                else:
                    if end < size and low[end] == ".":
                        end += 1
                    found.append((position, order, end))
            position = low.find(first, after)
    found.sort()
    out = []
    cursor = 0
    for start, _, end in found:
        if start >= cursor:
            out.append((start, end))
            cursor = end
    return out


def _strings(evidence: Evidence) -> frozenset[str]:
    """The evidence's strings copy may quote."""
    strings = set()
    for fact in evidence.facts:
        for key in QUOTED_KEYS:
            value = fact.get(key)
            if isinstance(value, str):
                strings.add(value)
        for winner in fact.get("winners") or ():
            if isinstance(winner, Mapping) and isinstance(winner.get("name"), str):
                strings.add(winner["name"])
    for context in evidence.context:
        for key in ("label", "source"):
            value = context.get(key)
            if isinstance(value, str):
                strings.add(value)
                strings.add(value.split(",")[0])
    return frozenset(strings)


def quotations(evidence: Evidence) -> tuple[tuple[tuple[str, tuple[str, ...] | None], ...], tuple[str, ...]] | None:
    """The quotations of the evidence, longest first: (the string quoted, its words in lower
    case, or None where a word is not plain ASCII), and their first words; None where there
    are none. (Made once per evidence, and once per set of strings: a night's stories quote
    the same few.)"""
    got = evidence.__dict__.get("_quotations", 0)
    if got != 0:
        return got
    strings = _strings(evidence)
    got = _ALTERNATIVES.get(strings, 0)
    if got == 0:
        alternatives, firsts = [], set()
        # longest first; equal lengths in a fixed order, so the same strings always give
        # the same pattern
        for string in sorted(sorted(strings), key=len, reverse=True):
            lower, ascii_words = _quotation(string)
            if len(lower) >= 2:
                alternatives.append((string, lower if ascii_words else None))
                firsts.add(lower[0])
        got = _remember(_ALTERNATIVES, strings, (tuple(alternatives), tuple(sorted(firsts))) if alternatives else None,
                        4096)
    evidence.__dict__["_quotations"] = got
    return got


def quoted_text(evidence: Evidence) -> str:
    """Every quotation of the evidence, one a line (a figure counts as quoted only where it
    is written in one)."""
    said = evidence.__dict__.get("_quoted_text")
    if said is None:
        got = quotations(evidence)
        said = evidence.__dict__["_quoted_text"] = "\n".join(string for string, _ in got[0]) if got else ""
    return said


def quoted_spans(text: str, evidence: Evidence) -> list[tuple[int, int]]:
    """Where the text quotes the evidence."""
    got = quotations(evidence)
    if got is None:
        return []
    alternatives, firsts = got
    low = text.lower()
    present = {word for word in firsts if word in low}
    if not present:
        return []
    if text.isascii():
        # only the quotations whose every word is in the text can match: the others are
        # left out of the pattern (the same matches; a word with a letter outside ASCII
        # is never left out, as case-insensitive matching may find it written otherwise)
        alternatives = tuple((string, words) for string, words in alternatives
                             if words is None or words[0] in present and all(word in low for word in words[1:]))
        if not alternatives:
            return []
        # (a word with "_" in it is in the text only if "_" is: without one, every
        # quotation left has words without "_", as ``find_quotes`` needs)
        if "_" not in low and all(words is not None for _, words in alternatives):
            return find_quotes(low, alternatives)
    pattern = quote_regex(tuple(quote_source(string) for string, _ in alternatives))
    return [(match.start(), match.end()) for match in pattern.finditer(text)]
