"""The fast paths of issue 18 (goal 1) give what the paths they stand in for give.

- Drafting: ``writer.draft.drafter.Sandbox`` is Jinja's own ``SandboxedEnvironment`` with
  fast paths for reading a plain dict's items as attributes, a dict's, a list's and an
  imported template's attributes, and calling macros and builtin methods. Every template
  below, ordinary and hostile, renders (or fails) in it exactly as in Jinja's own sandbox.
- Checking: ``ProseReader._read_paragraphs`` reads a story's paragraphs from one doc, with the
  sentencizer's rule applied to the few sentence-final characters, as ``_read`` with the
  sentencizer's guesses and ``_slice`` for each paragraph do.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jinja2 import DictLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from writer.check.reader import ProseReader, _slice
from writer.draft.drafter import Sandbox

LONG = int(os.environ.get("WRITER_FUZZ_EXAMPLES", "0"))

PARTIALS = {
    "_part.j2": "{% macro name(p) %}{{ p.name }}{% endmacro %}"
                "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}"
                "{% macro _hidden() %}no{% endmacro %}{% set plain = 'a value' %}",
}
TEMPLATES = [
    # ordinary: facts read as attributes and items, dict and list methods, macros in loops
    "{{ f.seats }} {{ f['seats'] }} {{ f.get('seats') }} {{ f.get('none', 0) }}",
    "{% for k, v in f.won.items() %}{{ k }}={{ v }};{% endfor %}{{ f.won | length }}",
    "{% set xs = [] %}{% do xs.append(f.seats) %}{% do xs.append(2) %}{{ xs }}",
    "{% set d = {} %}{% do d.update(f.won) %}{{ d.Lab }} {{ d.keys() | list }}",
    "{% import '_part.j2' as p %}{% for x in events %}{{ p.name(x) }},{% endfor %}",
    "{% import '_part.j2' as p %}{% call(x) p.each(events) %}[{{ x.name }}]{% endcall %}",
    "{% import '_part.j2' as p %}{{ p.plain }} {{ p.name }}",
    "{% macro m(a, b=2) %}{{ a }}-{{ b }}-{{ varargs }}-{{ kwargs }}{% endmacro %}"
    "{{ m(1) }} {{ m(1, 3) }} {{ m(1, 2, 4) }} {{ m(1, c=5) }}",
    "{% macro m() %}{{ caller() }}{% endmacro %}{% for i in [1, 2] %}{% call m() %}{{ i }}{% endcall %}{% endfor %}",
    "{{ f.items }} {{ f.keys }}",  # a dict's method, not its item
    "{{ f._private }} {{ f.copy }}",  # an item whose name starts with _; a method
    "{{ f.missing }}",
    "{{ f.won.missing }}",
    "{{ events[0].missing }}",
    "{{ events.missing }}",
    "{{ f.seats.missing }}",
    # hostile: what the sandbox must refuse
    "{{ f.__class__ }}",
    "{{ f.__class__.__mro__ }}",
    "{{ f.__init__ }}",
    "{{ f.__dict__ }}",
    "{{ f._private.__class__ }}",
    "{{ events.__class__.__base__ }}",
    "{{ events.append.__self__ }}",
    "{{ f.get.__self__.__class__ }}",
    "{% set xs = [] %}{{ xs.__setattr__ }}",
    "{% import '_part.j2' as p %}{{ p._hidden() }}",
    "{% import '_part.j2' as p %}{{ p.__class__ }}",
    "{% import '_part.j2' as p %}{{ p.name.__globals__ }}",
    "{% macro m() %}x{% endmacro %}{{ m.__call__.__globals__ }}",
    "{{ 'a{0.__class__}'.format(f) }}",
    "{{ ''.format }}",
    "{{ nxt(empty) }}",  # a builtin function raising StopIteration: undefined
    "{{ unsafe() }}",
    "{{ unsafe_macro() }}",
    "{{ 'x'.upper() }} {{ f.won.get('Lab') }}",
]


class _Unsafe:
    unsafe_callable = True

    def __call__(self):
        return "called"


def _context(env) -> dict:
    unsafe_macro = env.from_string("{% macro m() %}called{% endmacro %}").module.m
    unsafe_macro.unsafe_callable = True  # as Jinja's @unsafe marks a callable
    return {"f": {"seats": 3, "won": {"Lab": 2, "Con": 1}, "_private": "p", "items": "an item",
                  "copy": "a copy"},
            "events": [{"name": "Labour"}, {"name": "Greens"}], "nxt": next, "empty": iter(()),
            "unsafe": _Unsafe(), "unsafe_macro": unsafe_macro}


def _render(env_class, source: str):
    """What rendering gives (objects' addresses aside), or how it fails."""
    env = env_class(loader=DictLoader(PARTIALS), undefined=StrictUndefined, autoescape=False,
                    trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.do"])
    try:
        got = "ok", env.from_string(source).render(_context(env))
    except Exception as exc:  # noqa: BLE001 - the failure is what is compared
        got = type(exc).__name__, str(exc)
    return got[0], re.sub(r" at 0x[0-9a-f]+", " at 0x", got[1])


@pytest.mark.parametrize("source", TEMPLATES)
def test_the_drafters_sandbox_renders_as_jinjas_own(source):
    assert _render(Sandbox, source) == _render(SandboxedEnvironment, source)


def test_the_drafters_sandbox_is_jinjas_own():
    assert issubclass(Sandbox, SandboxedEnvironment)
    assert _render(Sandbox, "{{ f.__class__ }}")[0] == "SecurityError"
    assert _render(Sandbox, "{{ unsafe() }}")[0] == "SecurityError"


# -- the reader ----------------------------------------------------------------------------------
_READER = None


def _reader() -> ProseReader:
    global _READER
    if _READER is None:
        _READER = ProseReader()
        _READER.add_patterns([{"label": "PARTY", "pattern": "Labour", "id": "Lab"},
                              {"label": "PARTY", "pattern": "the Greens", "id": "Grn"},
                              {"label": "COUNCIL", "pattern": "Bolton", "id": "bolton"},
                              {"label": "WARD", "pattern": "St. Peters", "id": "st-peters"}])
    return _READER


def _both(paragraphs: list[str]):
    reader = _reader()
    text = "\n\n".join(paragraphs)
    bounds, position = [], 0
    for paragraph in paragraphs:
        bounds.append((position, position + len(paragraph)))
        position += len(paragraph) + 2
    doc = reader.nlp.make_doc(text)
    whole = reader._read(doc, text, reader.sentencizer.predict([doc])[0])
    return reader._read_paragraphs(doc, text, bounds), [_slice(whole, start, end) for start, end in bounds]


WORDS = ("Labour", "the Greens", "Bolton", "St. Peters", "won", "gained", "held", "35.4", "+3", "-2", "1,156", "12th",
         "4am", "twenty-one", "no seats", "first council", "%", "points", "(", ")", "'", '"', "\u201c", "\u201d",
         "...", "Mr.", "e.g.", "No.", "\u3002", "\uff01", "\u203c", "\u0964", "\u00e9t\u00e9", "Zo\u00eb", "a")
PUNCT = (".", "!", "?", "?!", ".)", ".'", '."', ". ", "! ", "", " ", "  ", "\n", " - ", ", ", "; ", "\u3002")
paragraphs = st.lists(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(PUNCT)), max_size=20).map(
    lambda parts: "".join(w + p for w, p in parts).strip()).filter(bool), min_size=1, max_size=4)


@settings(max_examples=LONG or 300, deadline=None, derandomize=not LONG,
          suppress_health_check=[HealthCheck.too_slow])
@given(paragraphs)
@example(["Labour won. The Greens held 3 seats!? Yes.", "St. Peters went to Labour.", "A. B."])
@example(["He said 'no.' Then (1) left.", "...", "\u201cQuoted.\u201d 4am. Labour\u3002Bolton\uff01x"])
@example(["35.4% up. twenty-one seats, no seats; first council. 12th"])
def test_paragraphs_are_read_as_the_whole_doc_sliced(paragraphs):
    fast, reference = _both(paragraphs)
    assert fast == reference
