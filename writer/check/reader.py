"""The spaCy side of the gate: one reader per night, and what it finds in a paragraph.

``spacy.blank("en")`` with

- the tokenizer, less its emoticon special cases ("(-8", "8)") that would swallow signed
  figures in brackets;
- a sentencizer (:class:`FastSentencizer`: spaCy's Sentencizer with the same rule, computed
  over token arrays; spaCy's own costs about 1 µs a token in Python);
- an EntityRuler matching on LOWER: PARTY, COUNCIL and WARD entities whose ids are party
  codes, council slugs and ward keys;

and, run over each doc, two PhraseMatchers (hash lookups, a few µs a paragraph): figures by
token SHAPE ("41", "1,156", "35.4", "+16", "4am") and words by LOWER (number words, ordinals,
claim verbs); the tokens after them ("%", "points", "council", "seats") are read directly.
``ProseReader(token_matcher=True)`` finds the same spans with a token-pattern ``Matcher``
(LIKE_NUM, "%", "points", LOWER IN word lists) instead: about 0.5 µs a token per pattern here,
more than a whole check's budget, so it is not the default.

:meth:`ProseReader.analyse_many` turns texts into :class:`~writer.check.types.Analysis`
records (plain offsets, no spaCy objects), cached by paragraph text: a re-drafted story
mostly repeats its paragraphs.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from operator import itemgetter

import spacy
from spacy.attrs import IDX, IS_PUNCT, LENGTH, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.pipeline import Sentencizer
from spacy.tokens import Span

from writer.check.lexicon import FIGURE_SHAPES, NUMBER_WORDS, ORDINAL_WORDS, SUFFIXES, TENS, TIME_OR_ORDINAL_SHAPES, \
    TIMES, VERB_CLASS, ZERO_UNITS, unit_after
from writer.check.types import Analysis

CACHE_SIZE = 20_000
_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
_FIRST = itemgetter(0)


@Language.factory("writer_sentencizer", default_config={"punct_chars": None, "overwrite": False,
                                                         "scorer": {"@scorers": "spacy.senter_scorer.v1"}})
def make_sentencizer(nlp, name, punct_chars, overwrite, scorer):
    return FastSentencizer(name, punct_chars=punct_chars, overwrite=overwrite, scorer=scorer)


class FastSentencizer(Sentencizer):
    """spaCy's Sentencizer rule (a sentence starts at the first token after a sentence-final
    character that is neither punctuation nor such a character), over token arrays."""

    def __init__(self, name="sentencizer", *, punct_chars=None, overwrite=False, scorer=None):
        super().__init__(name, punct_chars=punct_chars, overwrite=overwrite, scorer=scorer)
        self._hashes: set[int] | None = None

    def predict(self, docs):
        guesses = []
        for doc in docs:
            n = len(doc)
            if not n:
                guesses.append([])
                continue
            if self._hashes is None:
                self._hashes = {doc.vocab.strings.add(c) for c in self.punct_chars}
            hashes = self._hashes
            orths, puncts = doc.to_array([ORTH, IS_PUNCT]).T.tolist()
            out = [False] * n
            out[0] = True
            seen = False
            for i, (o, p) in enumerate(zip(orths, puncts)):
                if o in hashes:
                    seen = True
                elif seen and not p:
                    out[i] = True
                    seen = False
            guesses.append(out)
        return guesses


class ProseReader:
    """Reads prose paragraphs into :class:`~writer.check.types.Analysis` records for one
    night: spaCy's pipeline (above), the night's names as EntityRuler patterns, and the
    cache by paragraph text."""

    def __init__(self, token_matcher: bool = False) -> None:
        """``token_matcher``: find figures and words with a token-pattern ``Matcher``
        (LIKE_NUM, "%", "points", LOWER in word lists) instead of the PhraseMatchers. It finds
        the same spans (tested on the 2022 night) at several times the cost."""
        nlp = spacy.blank("en")
        nlp.tokenizer.rules = {k: v for k, v in nlp.tokenizer.rules.items()
                               if not any(ch.isdigit() for ch in k) or re.fullmatch(r"\d+(?:am|pm|a\.m\.|p\.m\.)", k)}
        self.sentencizer = nlp.add_pipe("writer_sentencizer", name="sentencizer")
        self.ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "validate": False,
                                                           "overwrite_ents": True})
        # the ruler counts its patterns on every call to warn when it has none (it always has
        # some), and builds a Span per match before keeping the longest; both cost more than
        # the matching itself
        self.ruler._require_patterns = lambda: None
        self.ruler.set_annotations = self._set_entities
        self.nlp = nlp
        self.figures = PhraseMatcher(nlp.vocab, attr="SHAPE")
        samples = {"d": "1", "dd": "12", "ddd": "123", "dddd": "1234"}
        for shape in FIGURE_SHAPES + TIME_OR_ORDINAL_SHAPES:
            text = re.sub(r"d+", lambda digits: samples.get(digits.group(0), "1234"), shape).replace("xx", "th")
            for sign in ("", "+", "-"):
                if sign and shape in TIME_OR_ORDINAL_SHAPES:
                    continue
                doc = nlp.make_doc(sign + text)
                if len(doc) == 1:
                    self.figures.add("FIG", [doc])
        self.words = PhraseMatcher(nlp.vocab, attr="LOWER")
        words = {"NUMWORD": [w for w in NUMBER_WORDS if w not in ("no", "none")],
                 "ZERO": ["no", "none"], "ORD": list(ORDINAL_WORDS), "CLAIM": list(VERB_CLASS)}
        for label, items in words.items():
            self.words.add(label, [nlp.make_doc(w) for w in items])
        self.labels = {nlp.vocab.strings[label]: label for label in (*words, "FIG")}
        self.matcher = _token_matcher(nlp, words) if token_matcher else None
        # paragraph text -> (analysis, how many forms the ruler knew when it was read)
        self.cache: dict[str, tuple[Analysis, int]] = {}
        self.learnt: list[str] = []  # forms added since the reader was built, in order
        self.form_ids: dict[tuple[str, tuple[str, ...]], str] = {}  # (label, form's tokens) -> id

    def _cached(self, paragraph: str) -> Analysis | None:
        """A paragraph's analysis, unless the ruler has since learnt a name it contains."""
        hit = self.cache.get(paragraph)
        if hit is None:
            return None
        analysis, known = hit
        if known < len(self.learnt):
            # the ruler matches a form token by token, whatever whitespace lies between
            # ("Newcastle - under - Lyme"): compared without whitespace, the paragraph holds
            # every form it could match
            squeezed = "".join(paragraph.lower().split())
            if any("".join(form.split()) in squeezed for form in self.learnt[known:]):
                return None
            self.cache[paragraph] = (analysis, len(self.learnt))
        return analysis

    def _set_entities(self, doc, matches) -> None:
        """The EntityRuler's rule (longest match first, then leftmost; no overlaps), without
        a Span for every match; each entity's id is its form's (see :meth:`add_patterns`)."""
        taken = bytearray(len(doc))
        ents = []
        strings = doc.vocab.strings
        for match_id, start, end in matches:
            if taken[start] or taken[end - 1] or any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            label = strings[match_id]
            ent_id = self.form_ids.get((label, tuple(t.lower_ for t in doc[start:end])))
            span = Span(doc, start, end, label=label, span_id=ent_id) if ent_id else Span(doc, start, end, label=label)
            ents.append(span)
        doc.ents = sorted(ents, key=lambda entity: entity.start)

    def add_patterns(self, patterns: list[dict]) -> None:
        """Phrase patterns ({"label", "pattern", "id"}) for the EntityRuler: one matcher key
        per label, and each form's id kept here for its entities' ``ent_id_`` (the first
        given for a form under a label). The ruler's own ``add_patterns`` keys each pattern
        by label and id and runs the pipeline's components over it inside ``select_pipes``;
        a new key costs the PhraseMatcher about 60 µs once it holds a night's names, and a
        night learns wards as their stories come in, one or two a story. This costs about 12."""
        if not patterns:
            return
        ruler = self.ruler
        for p in patterns:
            doc = self.nlp.make_doc(p["pattern"])
            label = p["label"]
            if p.get("id") is not None:
                self.form_ids.setdefault((label, tuple(t.lower_ for t in doc)), p["id"])
            ruler.phrase_patterns[label].append(doc)
            ruler.phrase_matcher.add(label, [doc])
        self.learnt.extend(p["pattern"].lower() for p in patterns)

    # -- analysis ---------------------------------------------------------------------------
    def analyse_many(self, groups: Sequence[Sequence[str]]) -> list[list[Analysis]]:
        """Analyse many stories' paragraphs with nlp.pipe (one doc per story)."""
        todo: list[tuple[int, list[int], list[int], str]] = []
        results: list[list[Analysis | None]] = []
        for g, paragraphs in enumerate(groups):
            row = [self._cached(p) for p in paragraphs]
            results.append(row)
            missing = [i for i, a in enumerate(row) if a is None]
            if missing:
                offsets, pos, joined = [], 0, []
                for i in missing:
                    offsets.append(pos)
                    joined.append(paragraphs[i])
                    pos += len(paragraphs[i]) + 2
                todo.append((g, missing, offsets, "\n\n".join(joined)))
        if todo:
            texts = [t for _, _, _, t in todo]
            # the pipeline's tokenizer and sentencizer, called directly: the ruler's matches
            # are read straight from its matcher (see ents()) and the sentencizer's guesses
            # straight from it, so the doc needs neither entities nor sentence starts set
            # (what nlp(text) with the ruler disabled gives, without Language.__call__'s and
            # select_pipes' overhead on every call)
            docs = [self.nlp.make_doc(t) for t in texts]
            starts = self.sentencizer.predict(docs)
            for (g, missing, offsets, text), doc, sent_starts in zip(todo, docs, starts):
                found = self._read(doc, text, sent_starts)
                for i, start in zip(missing, offsets):
                    p = groups[g][i]
                    a = _slice(found, start, start + len(p))
                    results[g][i] = a
                    if len(self.cache) >= CACHE_SIZE:
                        self.cache.clear()
                    self.cache[p] = (a, len(self.learnt))
        return results  # type: ignore[return-value]

    def ents(self, doc) -> list[tuple[int, int]]:
        """The EntityRuler's entities as token spans, by its own rule (longest match first,
        then leftmost; no overlaps): what ``nlp(text).ents`` gives, without building a Span
        for every match and setting ``doc.ents``."""
        # one span matched under several labels is one candidate; longest, then leftmost
        matches = sorted({(s - e, s, e) for _, s, e in self.ruler.phrase_matcher(doc)})
        taken = bytearray(len(doc))
        out = []
        for _, start, end in matches:
            if taken[start] or taken[end - 1] or any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            out.append((start, end))
        out.sort()
        return out

    def _matches(self, doc) -> tuple[list[int], list[tuple[str, int]]]:
        """Token indices of figures, and (label, token index) of words."""
        if self.matcher is None:
            labels = self.labels
            return ([s for _, s, _ in self.figures(doc)],
                    [(labels[m], s) for m, s, _ in self.words(doc)])
        figures, words = set(), []
        strings = self.nlp.vocab.strings
        for m, s, _ in self.matcher(doc):
            label = strings[m]
            if label == "FIG":
                figures.add(s)
            else:
                words.append((label, s))
        return sorted(figures), sorted(words, key=lambda word: word[1])

    def _read(self, doc, text: str, sent_starts: Sequence[bool] | None = None) -> Analysis:
        """``text``: the doc's text (``doc.text`` joins every token again). ``sent_starts``:
        the sentencizer's guesses for the doc (else read from the doc's SENT_START)."""
        size = len(doc)
        if not size:
            return Analysis((), (), (), (0,))
        if sent_starts is None:
            starts, lengths, sent_start = (column.tolist() for column in doc.to_array([IDX, LENGTH, SENT_START]).T)
            sent_starts = [value == 1 for value in sent_start]
        else:
            starts, lengths = (column.tolist() for column in doc.to_array([IDX, LENGTH]).T)
        ends = [start + length for start, length in zip(starts, lengths)]
        entities = tuple((starts[first], ends[last - 1]) for first, last in self.ents(doc))
        figures: list[tuple[int, int, str, str | None]] = []
        verbs: list[tuple[int, int, str]] = []

        def low(token: int) -> str:
            return text[starts[token]:ends[token]].lower()

        def unit_at(token: int) -> str | None:
            return unit_after(low(token), low(token + 1) if token + 1 < size else None) if token < size else None

        figure_starts, word_matches = self._matches(doc)
        for token in figure_starts:
            start, end = starts[token], ends[token]
            word = text[start:end]
            tail = word[-2:].lower()
            if tail in SUFFIXES and not word[-1].isdigit():
                kind = "time" if tail in ("am", "pm") else "ordinal-figure"
            elif token + 1 < size and starts[token + 1] == end and low(token + 1) in TIMES:
                kind = "time"  # "4am" is split by the tokenizer's special cases
                end = ends[token + 1]
                word = text[start:end]
            else:
                kind = unit_at(token + 1)
            figures.append((start, end, word, kind))
        for label, token in word_matches:
            start, end = starts[token], ends[token]
            word = text[start:end].lower()
            if label == "CLAIM":
                verbs.append((start, end, word))
            elif label == "NUMWORD":
                if word in TENS and token + 2 < size and text[starts[token + 1]:ends[token + 1]] == "-" \
                        and low(token + 2) in NUMBER_WORDS:
                    figures.append((start, ends[token + 2], text[start:ends[token + 2]], "compound"))
                else:
                    figures.append((start, end, text[start:end], unit_at(token + 1)))
            elif label == "ZERO":
                if token + 1 < size and low(token + 1) in ZERO_UNITS:
                    figures.append((start, end, text[start:end], "zero"))
            elif label == "ORD":
                if token + 1 < size and low(token + 1) in ("council", "councils"):
                    figures.append((start, end, text[start:end], "ordinal"))
        figures.sort()
        verbs.sort()
        # a compound ("twenty-one") swallows its parts
        kept = []
        last_end = -1
        for figure in figures:
            if figure[0] < last_end:
                continue
            kept.append(figure)
            last_end = figure[1]
        if _DIGIT.search(text):
            kept = _unread(text, starts, ends, kept)
        sentences = tuple([start for start, first in zip(starts, sent_starts) if first]) or (0,)
        return Analysis(entities, tuple(kept), tuple(verbs), sentences)


def _unread(text: str, starts: list[int], ends: list[int], figures: list[tuple]) -> list[tuple]:
    """The figures, and every token with a digit in it that no figure covers ("-9.59pm",
    "3/4", "10k"), as a figure of kind "unread": every number in copy is checked, and one
    the gate cannot read fails as such rather than passing unread. (``figures``: in order,
    none overlapping, as ``_read`` keeps them; ``starts`` and ``ends``: the tokens'.)"""
    unread = []
    figure, count = 0, len(figures)
    after = -1  # digits before this are accounted for
    for digits in _DIGITS.finditer(text):
        at = digits.start()
        if at < after:
            continue
        while figure < count and figures[figure][1] <= at:
            figure += 1
        if figure < count and figures[figure][0] <= at:  # in a figure: go on after it
            after = figures[figure][1]
            continue
        token = bisect_right(starts, at) - 1  # the token the digit is in
        if token < 0 or at >= ends[token]:
            continue  # (no token: not possible, as digits are not whitespace)
        unread.append((starts[token], ends[token], text[starts[token]:ends[token]], "unread"))
        after = ends[token]
    return sorted(figures + unread) if unread else figures


def _token_matcher(nlp, words: dict[str, list[str]]) -> Matcher:
    """The token-pattern Matcher for figures (numbers, percentages, points, times) and words
    (number words, ordinals, claim verbs)."""
    matcher = Matcher(nlp.vocab)
    matcher.add("FIG", [[{"LIKE_NUM": True, "IS_ALPHA": False, "SHAPE": {"NOT_IN": ["d/d", "dd/dd"]}}],
                        [{"LIKE_NUM": True, "IS_ALPHA": False}, {"ORTH": "%"}],
                        [{"LIKE_NUM": True, "IS_ALPHA": False}, {"LOWER": {"IN": ["point", "points"]}}],
                        [{"SHAPE": {"IN": list(TIME_OR_ORDINAL_SHAPES)}}]])
    for label, items in words.items():
        matcher.add(label, [[{"LOWER": {"IN": items}}]])
    return matcher


def _slice(analysis: Analysis, start: int, end: int) -> Analysis:
    """The part of an analysis inside [start, end), re-based to start. (Entities, figures,
    verbs and sentences are each in order of their starts: each part is found by bisection.)"""
    def part(rows: tuple, key) -> tuple:
        low = bisect_left(rows, start, key=key)
        high = bisect_left(rows, end, low, key=key)
        return rows[low:high]

    entities = tuple([(first - start, last - start) for first, last in part(analysis.entities, _FIRST)
                      if last <= end])
    figures = tuple([(first - start, last - start, text, kind) for first, last, text, kind
                     in part(analysis.figures, _FIRST) if last <= end])
    verbs = tuple([(first - start, last - start, word) for first, last, word in part(analysis.verbs, _FIRST)])
    sentences = [0] + [first - start for first in part(analysis.sentences, None) if first > start]
    return Analysis(entities, figures, verbs, tuple(sentences))
