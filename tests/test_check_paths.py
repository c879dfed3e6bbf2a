"""The fact-check gate's fast paths give what the slow ones they replace give.

- Quotations of the evidence (candidates' names, a group's definition) are found in ASCII
  text without compiling a pattern per story (``find_quotes``); the compiled pattern
  (``quote_regex``) is the reference, compared on generated texts and quotations.
- Names the gate learns during a night go to the EntityRuler through
  ``ProseReader.add_patterns``, not the ruler's own ``add_patterns``: the entities, their
  labels and ids must be the ruler's.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from writer.check.quotes import find_quotes, quote_regex, quote_source, quote_words
from writer.check.reader import ProseReader

LONG = int(os.environ.get("WRITER_FUZZ_EXAMPLES", "0"))
WORDS = ("smith", "Smith", "J", "j", "Jo", "brunt", "M", "Labour", "Hull", "of", "the", "a", "1", "23",
         "means", "councils", "Red", "Wall", "o", "neill", "won")
SEPARATORS = (" ", ", ", ". ", "'", "-", " (", ") ", ".", ";", " -- ", "\n\n", "  ")


def _reference(text: str, quotations: list[str]) -> list[tuple[int, int]]:
    alternatives = tuple(quote_source(q) for q in quotations)
    return [(m.start(), m.end()) for m in quote_regex(alternatives).finditer(text)]


def _fast(text: str, quotations: list[str]) -> list[tuple[int, int]]:
    alternatives = tuple((quote_source(q), tuple(w.lower() for w in quote_words(q))) for q in quotations)
    return find_quotes(text.lower(), alternatives)


texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=30).map(
    lambda parts: "".join(w + s for w, s in parts))
quotations = st.lists(st.lists(st.sampled_from(WORDS), min_size=2, max_size=4).map(" ".join),
                      min_size=1, max_size=5)


@settings(max_examples=LONG or 400, deadline=None, derandomize=not LONG,
          suppress_health_check=[HealthCheck.too_slow])
@given(texts, quotations)
@example("Horsell elected the Lib Dems' Morley J., with 2,285 votes", ["Morley J."])
@example("smith j smith j. smith jo", ["smith j", "smith jo"])
@example("Brunt M. and Smith J.", ["Smith J.", "Brunt M."])
@example("red wall red wall means", ["wall means", "red wall"])
def test_quotations_found_as_the_pattern_finds_them(text, quotes):
    # longest first, as the gate orders them; the fast path takes ASCII text without "_"
    quotes = sorted(sorted(set(quotes)), key=len, reverse=True)
    assert _fast(text, quotes) == _reference(text, quotes)


def test_learnt_names_match_as_the_ruler_adds_them():
    patterns = [{"label": "PARTY", "pattern": "Labour", "id": "Lab"},
                {"label": "PARTY", "pattern": "the Liberal Democrats", "id": "LD"},
                {"label": "COUNCIL", "pattern": "Kingston upon Hull", "id": "kingston-upon-hull"},
                {"label": "COUNCIL", "pattern": "Hull", "id": "kingston-upon-hull"},
                {"label": "WARD", "pattern": "St. Peters", "id": "st-peters"},
                {"label": "WARD", "pattern": "Bexhill-on-Sea Central", "id": "bexhill-on-sea-central"},
                {"label": "WARD", "pattern": "People's Park", "id": "peoples-park"}]
    ours, theirs = ProseReader(), ProseReader()
    ours.add_patterns(patterns)
    theirs.ruler.add_patterns(patterns)
    text = ("Labour took Kingston upon Hull from the Liberal Democrats. In St. Peters and People's Park, "
            "Hull's Labour held on; Bexhill-on-Sea Central went to the Liberal Democrats.")
    ents = [(e.start, e.end, e.label_, e.ent_id_) for e in ours.nlp(text).ents]
    # the ruler's own way, with spaCy's entity setter
    theirs.ruler.set_annotations = type(theirs.ruler).set_annotations.__get__(theirs.ruler)
    assert ents == [(e.start, e.end, e.label_, e.ent_id_) for e in theirs.nlp(text).ents]
    assert len(ents) == 9
    doc = ours.nlp.make_doc(text)
    assert ours.ents(doc) == [(s, e) for s, e, _, _ in ents]


def test_a_paragraph_read_before_a_name_was_learnt_is_read_again():
    """The analysis cache keeps a paragraph's reading until the ruler learns a name the
    paragraph could hold, token by token, whatever the whitespace between the tokens."""
    reader = ProseReader()
    paragraph = "Labour held Newcastle - under - Lyme and St. Peters."
    before = reader.analyse_many([[paragraph]])[0][0]
    assert before.entities == ()
    reader.add_patterns([{"label": "COUNCIL", "pattern": "Newcastle-under-Lyme", "id": "ncl"}])
    after = reader.analyse_many([[paragraph]])[0][0]
    assert after.entities == ((12, 36),)  # "Newcastle - under - Lyme", read again
    reader.add_patterns([{"label": "WARD", "pattern": "Upton", "id": "upton"}])
    assert reader.analyse_many([[paragraph]])[0][0] is after  # no new name it could hold

