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
from operator import add, itemgetter

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
#: The words after a figure that can make it a percentage or points (see ``unit_after``).
_UNIT_WORDS = frozenset(("%", "point", "points", "percentage"))


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
        self._final_chars: tuple[re.Pattern, re.Pattern] | None = None  # see _sentence_starts

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
            # the pipeline's tokenizer, called directly: the ruler's matches are read straight
            # from its matcher (see ents()) and the sentencizer's rule applied by _read_paragraphs,
            # so the doc needs neither entities nor sentence starts set (what nlp(text) with the
            # ruler disabled gives, without Language.__call__'s and select_pipes' overhead on
            # every call)
            make_doc = self.nlp.make_doc
            for g, missing, offsets, text in todo:
                paragraphs = groups[g]
                bounds = [(start, start + len(paragraphs[i])) for i, start in zip(missing, offsets)]
                found = self._read_paragraphs(make_doc(text), text, bounds)
                for i, a in zip(missing, found):
                    p = paragraphs[i]
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
        ends = list(map(add, starts, lengths))
        entities, figures, verbs = self._scan(doc, text, starts, ends)
        sentences = tuple([start for start, first in zip(starts, sent_starts) if first]) or (0,)
        return Analysis(entities, figures, verbs, sentences)

    def _read_paragraphs(self, doc, text: str, bounds: Sequence[tuple[int, int]]) -> list[Analysis]:
        """What ``_read`` and ``_slice`` give for each paragraph [start, end) of the doc's
        text (``bounds``: in order, not overlapping), the sentencizer's rule applied here
        (:meth:`_sentence_starts`), in one pass over the doc."""
        if not len(doc):
            return [Analysis((), (), (), (0,)) for _ in bounds]
        starts, lengths = (column.tolist() for column in doc.to_array([IDX, LENGTH]).T)
        ends = list(map(add, starts, lengths))
        entities, figures, verbs = self._scan(doc, text, starts, ends)
        sentences = self._sentence_starts(doc, text, starts, lengths)
        return _split(bounds, entities, figures, verbs, sentences)

    def _sentence_starts(self, doc, text: str, starts: list[int], lengths: list[int]) -> list[int]:
        """Where the doc's sentences start (character offsets), by :class:`FastSentencizer`'s
        rule: the first token, and the first token after a sentence-final one (a token that
        is one of its characters) that is neither punctuation nor sentence-final. Only the
        tokens at those characters are looked at (a paragraph has a few), not every token."""
        found = [starts[0]]
        size = len(starts)
        if self._final_chars is None:  # (all of them, and those in ASCII: a class of 128 is slow to scan)
            chars = sorted(self.sentencizer.punct_chars)
            self._final_chars = tuple(re.compile("[" + "".join(re.escape(c) for c in chosen) + "]")
                                      for chosen in (chars, [c for c in chars if c.isascii()]))
        final = self._final_chars[1] if text.isascii() else self._final_chars[0]
        last = -1  # the sentence start found last, as token index
        for match in final.finditer(text):
            token = bisect_left(starts, match.start())
            if token >= size or starts[token] != match.start() or lengths[token] != 1 or token < last:
                continue  # the character is inside a token ("35.4", "St.") or already passed
            token += 1
            while token < size and ((lengths[token] == 1 and final.match(text, starts[token]))
                                    or doc[token].is_punct):
                token += 1
            if token < size and token != last:
                found.append(starts[token])
                last = token
        return found

    def _scan(self, doc, text: str, starts: list[int], ends: list[int]) -> tuple[tuple, tuple, tuple]:
        """The doc's entities, figures (with the unread ones, see :func:`_unread`) and claim
        verbs, as character offsets."""
        size = len(starts)
        entities = tuple([(starts[first], ends[last - 1]) for first, last in self.ents(doc)])
        figures: list[tuple[int, int, str, str | None]] = []
        verbs: list[tuple[int, int, str]] = []
        lower = text.lower() if text.isascii() else None  # (then of the same length: offsets hold)

        def low(token: int) -> str:
            if lower is not None:
                return lower[starts[token]:ends[token]]
            return text[starts[token]:ends[token]].lower()

        def unit_at(token: int) -> str | None:
            if token >= size:
                return None
            word = low(token)
            if word not in _UNIT_WORDS:
                return None  # (what unit_after says of any other word)
            return unit_after(word, low(token + 1) if token + 1 < size else None)

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
            if label == "CLAIM":
                verbs.append((start, end, low(token)))
            elif label == "NUMWORD":
                if low(token) in TENS and token + 2 < size and text[starts[token + 1]:ends[token + 1]] == "-" \
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
        return entities, tuple(kept), tuple(verbs)


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


def _split(bounds: Sequence[tuple[int, int]], entities: tuple, figures: tuple, verbs: tuple,
           sentences: list[int]) -> list[Analysis]:
    """``_slice`` for each of the paragraphs [start, end) in ``bounds`` (in order, not
    overlapping): one pass over each kind of row (each in order of its start)."""
    out = []
    e = f = v = s = 0
    n_e, n_f, n_v, n_s = len(entities), len(figures), len(verbs), len(sentences)
    for start, end in bounds:
        while e < n_e and entities[e][0] < start:
            e += 1
        part_e = []
        while e < n_e and entities[e][0] < end:
            first, last = entities[e]
            if last <= end:
                part_e.append((first - start, last - start))
            e += 1
        while f < n_f and figures[f][0] < start:
            f += 1
        part_f = []
        while f < n_f and figures[f][0] < end:
            first, last, word, kind = figures[f]
            if last <= end:
                part_f.append((first - start, last - start, word, kind))
            f += 1
        while v < n_v and verbs[v][0] < start:
            v += 1
        part_v = []
        while v < n_v and verbs[v][0] < end:
            first, last, word = verbs[v]
            part_v.append((first - start, last - start, word))
            v += 1
        while s < n_s and sentences[s] <= start:
            s += 1
        part_s = [0]
        while s < n_s and sentences[s] < end:
            part_s.append(sentences[s] - start)
            s += 1
        out.append(Analysis(tuple(part_e), tuple(part_f), tuple(part_v), tuple(part_s)))
    return out
