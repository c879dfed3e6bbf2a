"""The fact-check gate: every figure, name and claim of a story against its evidence.

A story may state only what its events' facts support. The gate reads ``Story.text()``
(headline, paragraphs, seats table, disclosure line):

1. hostile text first: control or invisible characters, look-alike letters, non-ASCII digits,
   markup or template leftovers ("{{", "None"), text too long to check;
2. the seats table line by line (party, seats won, signed change) and the disclosure line
   (one of the house's wordings);
3. the prose, read by the night's spaCy pipeline (:mod:`writer.check.pipeline`) into
   sentences of entities (PARTY, COUNCIL, WARD), numbers and claim verbs, each reduced to a
   skeleton (``⟨P0⟩ has taken control of ⟨C1⟩ from ⟨P2⟩, winning ⟨N3⟩ of the ⟨N4⟩ seats``):
   - every party, council and ward named must be the story's (a group story may name the
     councils its facts list; a ward is named in a ward story, or written "X ward");
   - every number must fit its role (:mod:`writer.check.numbers`);
   - every claim frame (:mod:`writer.check.claims`) must match the result;
   - any other claim verb (gain, take, hold, keep, lose, win, control) said of a party must
     at least be something the data says that party did.

Figures that quote the evidence itself (a group's definition, a context figure's label, a
candidate's name) are not read as claims. Failures carry exact offsets into the checked text
and a reason an editor can act on ("'eight seats': the data says Labour gained 16").
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter
from typing import Any

from writer import parties as party_codes
from writer.check.claims import FRAMES
from writer.check.evidence import Evidence
from writer.check.lexicon import COUNCIL, NUMBER_WORDS, ORDINAL_WORDS, PARTY, WARD, Lexicon, norm
from writer.check.numbers import Role, bound_index, check_role, clause_start, read_role
from writer.check.pipeline import VERB_CLASS, Analysis, Pipeline
from writer.check.types import CheckResult, Failure, Item, Sentence, Verb, parse_number
from writer.draft.story import AUTO_DISCLOSURE, CHECKED_DISCLOSURE, DISCLOSURES
from writer.model import NightSetup

NOC = party_codes.NOC

MAX_CHARS = 100_000

_PARA_BREAK = re.compile(r"\n[ \t\r]*\n\s*")
_CHECKED = " ".join(CHECKED_DISCLOSURE.split())
_TABLE_HEAD = re.compile(r"^\s*party\s+(?:seats|won)\s+change\s*$", re.I)
_TABLE_ROW = re.compile(r"^(?P<name>\S.*?)\s{2,}(?P<seats>\S+)(?:\s+(?P<change>\S+))?\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKUP_CHARS = re.compile(r"[<>{}\[\]\\|]")
_LEFTOVERS = re.compile(r"\b(?:nan|NaN|null|undefined)\b|(?<=[a-z,] )None\b")
_UNIT_TEXT = re.compile(r"[ \t]*(?:%|per ?cent\b|percentage points?\b|points?\b|seats?\b|councillors?\b|"
                        r"councils?\b|votes?\b|wards?\b)", re.I)
_WS = re.compile(r"\s+")
#: How the importer writes a party it could not name: never a party's name in copy.
_LEAP_CODE_TEXT = re.compile(r"\bLEAP code\b[^\s,.;:]*(?:\s+[^\s,.;:]+)?")
_NOC_IDS = frozenset({NOC})
_START = attrgetter("start")  # an item's or verb's offset, to sort by
PLAN_CACHE_SIZE = 50_000
_QUOTE_PATTERNS: dict[tuple[str, ...], re.Pattern] = {}  # alternatives -> compiled pattern
_QUOTE_WORDS: dict[str, list[str]] = {}
_QUOTE_SOURCES: dict[str, str] = {}
_QUOTATIONS: dict[str, tuple[tuple[str, ...], bool]] = {}  # string -> its words in lower case, all ASCII?


def _quote_words(sentence: str) -> list[str]:
    got = _QUOTE_WORDS.get(sentence)
    if got is None:
        if len(_QUOTE_WORDS) >= 100_000:
            _QUOTE_WORDS.clear()
        got = _QUOTE_WORDS[sentence] = re.findall(r"\w+", sentence)
    return got


def _quote_source(sentence: str) -> str:
    """A quotation as a regex: its words, with anything but letters and digits between."""
    got = _QUOTE_SOURCES.get(sentence)
    if got is None:
        if len(_QUOTE_SOURCES) >= 100_000:
            _QUOTE_SOURCES.clear()
        got = _QUOTE_SOURCES[sentence] = r"[\W_]+".join(map(re.escape, _quote_words(sentence)))
    return got


def _quotation(string: str) -> tuple[tuple[str, ...], bool]:
    """A string of the evidence as a quotation: its words in lower case, and whether every
    word is plain ASCII (remembered by string: a night's stories quote the same ones)."""
    got = _QUOTATIONS.get(string)
    if got is None:
        if len(_QUOTATIONS) >= 100_000:
            _QUOTATIONS.clear()
        words = _quote_words(string)
        got = _QUOTATIONS[string] = (tuple(w.lower() for w in words), all(w.isascii() for w in words))
    return got


def _quote_regex(alternatives: tuple[str, ...]) -> re.Pattern:
    """Any of the quotations (tried in the order given), as whole words, with a full stop."""
    pat = _QUOTE_PATTERNS.get(alternatives)
    if pat is None:
        if len(_QUOTE_PATTERNS) >= 4096:
            _QUOTE_PATTERNS.clear()
        pat = _QUOTE_PATTERNS[alternatives] = re.compile(r"\b(?:" + "|".join(alternatives) + r")\b\.?", re.I)
    return pat


_ALNUM_RUN = re.compile(r"[^\W_]+")


def _find_quotes(low: str, alternatives) -> list[tuple[int, int]]:
    """What ``_quote_regex`` finds in an ASCII text (``low``: in lower case) without
    underscores, without compiling a
    pattern for each story's quotations (a story's candidates are new to the night, and
    compiling their pattern cost more than the rest of the check).

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
        pos = low.find(first)
        while pos != -1:
            after = pos + len(first)
            if (not pos or not low[pos - 1].isalnum()) and (after == size or not low[after].isalnum()):
                end = after
                for word in words[1:]:
                    m = _ALNUM_RUN.search(low, end)
                    if m is None or m.group() != word:
                        break
                    end = m.end()
                else:
                    if end < size and low[end] == ".":
                        end += 1
                    found.append((pos, order, end))
            pos = low.find(first, after)
    found.sort()
    out = []
    cursor = 0
    for start, _, end in found:
        if start >= cursor:
            out.append((start, end))
            cursor = end
    return out


def _frame_index():
    """Which frames a sentence may hold: by the trigger words it contains and the kinds of
    item (party, council, ward, ordinal) the frame needs."""
    triggers: dict[str, list[int]] = {}
    for i, frame in enumerate(FRAMES):
        for t in frame.triggers:
            triggers.setdefault(t, []).append(i)
    return list(triggers.items()), [frame.needs for frame in FRAMES]


_TRIGGERS, _NEEDS = _frame_index()


class _Run:
    """One check: the text, its evidence and what has been found so far."""

    __slots__ = ("text", "ev", "failures", "claims")

    def __init__(self, text: str, ev: Evidence) -> None:
        self.text = text
        self.ev = ev
        self.failures: list[Failure] = []
        self.claims = 0

    def fail(self, start: int, end: int, reason: str) -> None:
        self.failures.append(Failure(start, end, self.text[start:end], reason))


class FactChecker:
    """The gate for one night. Build it once (:meth:`for_night`); check any number of
    stories or edited texts."""

    def __init__(self, lex: Lexicon, names, *, disclosures: Sequence[str] = (AUTO_DISCLOSURE,),
                 token_matcher: bool = False) -> None:
        self.lex = lex
        self.names = names
        self.disclosures = tuple(" ".join(d.split()) for d in disclosures)
        self.pipeline = Pipeline(token_matcher=token_matcher)
        self.nlp = self.pipeline.nlp
        self._flush()
        self._ev_cache: dict[int, tuple[Any, Evidence]] = {}
        self._splits: dict[int, tuple[Any, int, tuple]] = {}  # id(form's meanings) -> split
        self._plans: dict[tuple, _Plan] = {}

    @classmethod
    def for_night(cls, setup: NightSetup, names, *, wards: Iterable[str] = (),
                  disclosures: Sequence[str] = (AUTO_DISCLOSURE,), token_matcher: bool = False) -> "FactChecker":
        """The gate for a night: the pipeline and lexicons are built here, once. ``wards``:
        ward names declared tonight, where known (wards a story's evidence names are learnt
        when it is checked). ``token_matcher``: find figures and claim verbs with spaCy's
        token-pattern Matcher rather than PhraseMatchers (same spans, slower)."""
        return cls(Lexicon.for_night(setup, names, wards), names, disclosures=disclosures,
                   token_matcher=token_matcher)

    # -- public API -------------------------------------------------------------------------------
    def check(self, story) -> CheckResult:
        """Check ``story.text()`` against ``story.evidence``."""
        return self.check_many_texts([(story.text(), story.evidence)])[0]

    def check_text(self, text: str, evidence: Sequence[Mapping[str, Any]], *,
                   require_disclosure: bool = True) -> CheckResult:
        """Check any text (an editor's edit of a story, say) against evidence facts."""
        return self.check_many_texts([(text, evidence)], require_disclosure=require_disclosure)[0]

    def check_many(self, stories: Iterable) -> list[CheckResult]:
        """Check many stories in one spaCy pass (``nlp.pipe``)."""
        return self.check_many_texts([(s.text(), s.evidence) for s in stories])

    def check_many_texts(self, items: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], *,
                         require_disclosure: bool = True) -> list[CheckResult]:
        prepared = []
        for text, evidence in items:
            if not isinstance(text, str):
                text = "" if text is None else str(text)
            run = _Run(text, self._evidence(evidence))
            prepared.append((run, self._prepare(run, require_disclosure)))
        self._flush()
        analyses = self.pipeline.analyse_many([[run.text[s:e] for s, e in prose] for run, prose in prepared])
        out = []
        for (run, prose), found in zip(prepared, analyses):
            quoted = self._quoted(run) if prose else []
            for (s, e), a in zip(prose, found):
                self._paragraph(run, s, e, a, quoted)
            failures = sorted(set(run.failures), key=lambda f: (f.start, f.end, f.reason))
            out.append(CheckResult(not failures, tuple(failures), run.claims))
        return out

    # -- names for reasons ----------------------------------------------------------------------
    def pname(self, code: str | None) -> str:
        if code is None:
            return "no party"
        if code == NOC:
            return "no overall control"
        return self.names.party(code, "later")

    def possessive(self, code: str) -> str:
        name = self.pname(code)
        return name + ("'" if name.endswith("s") else "'s")

    def verb(self, code: str, singular: str, plural: str) -> str:
        try:
            return self.names.verb(code, singular, plural)
        except Exception:  # noqa: BLE001 - an older PartyNames
            return singular

    def cname(self, slug: str | None) -> str:
        return self.lex.council_names.get(slug, slug or "the council")

    def party_of(self, item: Item, ev: Evidence) -> str:
        """The party a party item stands for: the first (in order) of its codes that the
        evidence has, else its first code."""
        return min(item.ids & ev.parties or item.ids)

    def time_ok(self, ev: Evidence, text: str) -> bool:
        from writer.draft.style import clock
        stamps = {clock(f.get(k)) for f in ev.facts for k in ("at", "settled_at") if isinstance(f.get(k), str)}
        return text.lower().replace(":", ".") in stamps

    # -- preparation ------------------------------------------------------------------------------
    def _flush(self) -> None:
        self.pipeline.add_patterns(self.lex.take_pending())

    def _evidence(self, evidence) -> Evidence:
        hit = self._ev_cache.get(id(evidence))
        if hit is not None and hit[0] is evidence:
            return hit[1]
        seq = evidence if isinstance(evidence, (list, tuple)) else list(evidence or ())
        ev = Evidence(seq, self.lex)
        self.lex.learn(seq, ev.party_codes)
        if len(self._ev_cache) > 4096:
            self._ev_cache.clear()
        self._ev_cache[id(evidence)] = (evidence, ev)
        return ev

    def _prepare(self, run: _Run, require_disclosure: bool) -> list[tuple[int, int]]:
        """Hostile-text checks, the table and the disclosure; returns the prose paragraphs
        (start, end) for spaCy."""
        text = run.text
        if len(text) > MAX_CHARS:
            run.fail(0, min(len(text), 80), f"text too long to check ({len(text)} characters)")
            return []
        self._hostile(run)
        self._source_codes(run)
        prose: list[tuple[int, int]] = []
        disclosure_seen = False
        pos = 0
        bounds = []
        for m in _PARA_BREAK.finditer(text):
            bounds.append((pos, m.start()))
            pos = m.end()
        bounds.append((pos, len(text)))
        for s, e in bounds:
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s >= e:
                continue
            para = text[s:e]
            if _TABLE_HEAD.match(para.split("\n", 1)[0]):
                self._table(run, s, para)
            elif para[:40].lower().startswith("this report was produced automatically"):
                disclosure_seen = True
                run.claims += 1
                line = " ".join(para.split())
                if line not in self.disclosures:
                    run.fail(s, e, "says the story was checked by an editor, but no editor has approved this "
                                   "version: a draft says it has not yet been checked (the publisher changes the "
                                   "line when an editor approves)" if line == _CHECKED else "not a recognised disclosure line")
            else:
                prose.append((s, e))
        if require_disclosure and not disclosure_seen:
            end = len(text.rstrip())
            run.claims += 1
            run.fail(end, end, "no disclosure line: every automated story ends with one")
        return prose

    def _source_codes(self, run: _Run) -> None:
        """A source's code printed as a party's name ("LEAP code WiganIC", "WiganIC"): the
        data knows the party only by that code, so copy must say "a local party"."""
        text = run.text
        if "LEAP code" in text:
            for m in _LEAP_CODE_TEXT.finditer(text):
                run.fail(m.start(), m.end(), "a source's party code in copy; write \"a local party\" "
                         "(or name the party in rules/party-registry.yaml)")
        for code in run.ev.parties:
            if not party_codes.is_unresolved(code):
                continue
            inner = party_codes.other_name(code)
            bare = party_codes.leap_code_of(inner) or inner
            if not party_codes.looks_like_code(bare):
                continue  # a LEAP code that is a word ("Mossley", a ward too) is caught only after "LEAP code"
            for m in re.finditer(rf"(?<![\w-]){re.escape(bare)}(?![\w-])", text):
                if not text[max(0, m.start() - 10):m.start()].endswith("LEAP code "):  # reported above
                    run.fail(m.start(), m.end(), f"'{bare}' is a source's code for a party nobody could name; "
                             "write \"a local party\"")

    def _hostile(self, run: _Run) -> None:
        text = run.text
        if _CONTROL.search(text):
            for m in _CONTROL.finditer(text):
                run.fail(m.start(), m.end(), "control character in copy")
        if _MARKUP_CHARS.search(text):
            for m in _MARKUP_CHARS.finditer(text):
                run.fail(m.start(), m.end(), "markup or a template leftover in copy")
        if "None" in text or "nan" in text or "NaN" in text or "null" in text or "undefined" in text:
            for m in _LEFTOVERS.finditer(text):
                run.fail(m.start(), m.end(), "markup or a template leftover in copy")
        if text.isascii():
            return
        allowed = None
        for i, ch in enumerate(text):
            if ch.isascii() or ch in "\u2019\u2018\u201c\u201d\u2013\u2014\u00a3":
                continue
            cat = unicodedata.category(ch)
            if ch in "⟨⟩":
                run.fail(i, i + 1, "unexpected character in copy")
            elif cat in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp", "Zs"):
                run.fail(i, i + 1, f"invisible or non-standard space character U+{ord(ch):04X} in copy")
            elif cat in ("Nd", "No", "Nl"):
                run.fail(i, i + 1, f"non-standard digit {ch!r} in copy")
            elif cat.startswith("L") and "LATIN" not in unicodedata.name(ch, ""):
                if allowed is None:
                    allowed = self._evidence_chars(run.ev)
                if ch not in allowed:
                    run.fail(i, i + 1, f"unexpected character {ch!r} (U+{ord(ch):04X}) in copy")

    @staticmethod
    def _evidence_chars(ev: Evidence) -> set[str]:
        chars: set[str] = set()

        def walk(v, depth=0):
            if depth > 4:
                return
            if isinstance(v, str):
                if not v.isascii():
                    chars.update(v)
            elif isinstance(v, Mapping):
                for k, x in v.items():
                    walk(k, depth + 1)
                    walk(x, depth + 1)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    walk(x, depth + 1)
        for f in ev.facts:
            walk(f)
        return chars

    # -- the seats table --------------------------------------------------------------------------
    def _table(self, run: _Run, base: int, para: str) -> None:
        ev, forms = run.ev, self.lex.forms
        has_change = any(isinstance(f.get("seat_change"), Mapping) for f in ev.councils_f + ev.wards_f)
        offset = 0
        for i, line in enumerate(para.split("\n")):
            start = base + offset
            offset += len(line) + 1
            if i == 0 or not line.strip():
                continue
            m = _TABLE_ROW.match(line)
            run.claims += 1
            if not m:
                run.fail(start, start + len(line.rstrip()), "table row not in the form: party, seats, change")
                continue
            name, seats, change = m.group("name", "seats", "change")
            codes = sorted({i for label, i in forms.get(norm(name), ()) if label == PARTY} & ev.parties)
            if not codes:
                run.fail(start + m.start("name"), start + m.end("name"),
                         f"table: '{name}' is not a party in the data for this story")
                continue
            # one name may stand for two codes (a party listed two ways): any may fit
            ok_seats = ok_change = False
            value, _, _ = parse_number(seats)
            delta, _, _ = parse_number(change) if change is not None else (None, 0, False)
            won_all: list[int] = []
            changes_all: list[int] = []
            for code in codes:
                won = [v for v, key in ev.holdings(code) if key in ("seats_won", "won", "seats_won_compared",
                                                                     "tally_seats_won_compared")]
                changes = ev.seat_change(code) if has_change else []
                won_all += won
                changes_all += changes
                if value is not None and value in won:
                    ok_seats = True
                    if change is None or (delta is not None and delta in changes):
                        ok_change = True
            run.claims += 1
            if change is not None:
                run.claims += 1
            if ok_seats and (change is None or ok_change):
                continue  # the row is right (the party's name is only needed to say what is not)
            pname = self.pname(codes[0])
            if not ok_seats:
                s = start + m.start("seats")
                run.fail(s, s + len(seats), f"table: {seats} seats for {pname}: the data says "
                                            f"{pname} won {' or '.join(map(str, sorted(set(won_all)))) or 'none'}")
            if change is not None:
                if ok_seats and not ok_change or not ok_seats and (delta is None or delta not in changes_all):
                    s = start + m.start("change")
                    says = (f"{pname} changed by "
                            f"{' or '.join(f'{c:+d}' if c else '0' for c in sorted(set(changes_all)))}"
                            if changes_all else "there is no like-for-like change to report")
                    run.fail(s, s + len(change), f"table: change {change} for {pname}: the data says {says}")

    # -- prose ----------------------------------------------------------------------------------
    def _paragraph(self, run: _Run, base: int, end: int, a: Analysis, quoted: list[tuple[int, int]]) -> None:
        text, ev = run.text, run.ev
        forms = self.lex.forms
        ents: list[Item] = []
        for s, e in a.ents:
            s, e = s + base, e + base
            surface = text[s:e]
            interp = forms.get(surface.lower()) or forms.get(norm(surface))
            if interp:
                item = self._entity(surface, s, e, interp, ev)
                if item is not None:
                    ents.append(item)
        nums: list[Item] = []
        for s, e, raw, kind in a.figures:
            s, e = s + base, e + base
            if kind == "zero":
                nums.append(Item("N", s, e, raw, value=0))
            elif kind == "ordinal":
                nums.append(Item("O", s, e, raw, value=ORDINAL_WORDS[raw.lower()]))
            elif kind == "ordinal-figure":
                nums.append(Item("O", s, e, raw, value=int(raw[:-2]) if raw[:-2].isdigit() else None))
            elif kind == "time":
                nums.append(Item("N", s, e, raw, unit="time"))
            elif kind == "unread":  # a token with a digit that is no figure the gate reads
                nums.append(Item("N", s, e, raw))
            elif kind == "compound":
                parts = re.split(r"\s*-\s*", raw.lower())
                nums.append(Item("N", s, e, raw, value=NUMBER_WORDS.get(parts[0], 0) + NUMBER_WORDS.get(parts[-1], 0)))
            else:
                value, dec, signed = parse_number(raw)
                nums.append(Item("N", s, e, raw, value=value, decimals=dec, signed=signed, unit=kind))
        verbs = [Verb(s + base, e + base, w) for s, e, w in a.verbs]
        if ents:
            # numbers and verbs inside names ("Ward 3", "Labour Hold") are part of the name
            spans = [(x.start, x.end) for x in ents]
            nums = [n for n in nums if not _within(spans, n.start, n.start + 1)]
            verbs = [v for v in verbs if not _within(spans, v.start, v.start + 1)]
        items = sorted(ents + nums, key=_START) if nums else ents
        quoted = [(qs, qe) for qs, qe in quoted if qs < end and qe > base]
        if quoted:
            # a quotation of the evidence (a group's definition) is the evidence itself; a
            # quotation is found by its words, so a figure in it counts as quoted only as the
            # evidence writes it ("the 2019 general election", not "the -2019 general election")
            said = run.ev.__dict__.get("_quoted_text")
            if said is None:
                got = run.ev.__dict__.get("_quote_pattern")
                said = run.ev.__dict__["_quoted_text"] = "\n".join(q for q, _ in got[0]) if got else ""
            items = [it for it in items if not (_within(quoted, it.start, it.end, strict=True)
                                                and (it.kind != "N" or it.text in said))]
            verbs = [v for v in verbs if not _within(quoted, v.start, v.end, strict=True)]
        if not items and not verbs:
            return
        # each sentence takes the items and verbs that start in it (both are in text order,
        # and so are the sentences: where each sentence's share begins is one bisection)
        starts = [base + s for s in a.sentences] + [end]
        item_starts = [it.start for it in items]
        verb_starts = [v.start for v in verbs]
        item_cuts = [bisect_left(item_starts, s) for s in starts]
        verb_cuts = [bisect_left(verb_starts, s) for s in starts] if verbs else None
        for k in range(len(starts) - 1):
            in_items = items[item_cuts[k]:item_cuts[k + 1]]
            in_verbs = verbs[verb_cuts[k]:verb_cuts[k + 1]] if verb_cuts else []
            if in_items or in_verbs:
                sent = Sentence(starts[k], starts[k + 1], in_items, in_verbs)
                self._skeleton(text, sent)
                self._check_sentence(run, sent)

    def _kinds(self, interp) -> tuple[frozenset, frozenset, frozenset]:
        """A form's parties, councils and wards (a ward name shared by many councils has
        many): split once per form, again only when the form has gained a meaning."""
        hit = self._splits.get(id(interp))
        if hit is not None and hit[0] is interp and hit[1] == len(interp):
            return hit[2]
        split = (frozenset(i for label, i in interp if label == PARTY),
                 frozenset(i for label, i in interp if label == COUNCIL),
                 frozenset(i for label, i in interp if label == WARD))
        self._splits[id(interp)] = (interp, len(interp), split)
        return split

    def _entity(self, surface: str, s: int, e: int, interp, ev: Evidence) -> Item | None:
        parties, councils, wards = self._kinds(interp)
        if parties:
            return Item("P", s, e, surface, ids=parties)
        if surface.islower():
            return None  # "reading", "park": a word, not the council or ward of that name
        if councils and wards:
            if councils & ev.council_ids:
                return Item("C", s, e, surface, ids=councils)
            if wards & ev.ward_keys:
                return Item("W", s, e, surface, ids=wards)
            return Item("C", s, e, surface, ids=councils)
        if councils:
            return Item("C", s, e, surface, ids=councils)
        if wards:
            return Item("W", s, e, surface, ids=wards)
        return None

    def _quoted(self, run: _Run) -> list[tuple[int, int]]:
        got = run.ev.__dict__.get("_quote_pattern", 0)
        if got == 0:
            got = run.ev.__dict__["_quote_pattern"] = self._quote_pattern(run.ev)
        if got is None:
            return []
        alternatives, firsts = got
        low = run.text.lower()
        present = {w for w in firsts if w in low}
        if not present:
            return []
        if run.text.isascii():
            # only the quotations whose every word is in the text can match: the others are
            # left out of the pattern (the same matches; a word with a letter outside ASCII
            # is never left out, as case-insensitive matching may find it written otherwise)
            alternatives = tuple((string, words) for string, words in alternatives
                                 if words is None or words[0] in present and all(w in low for w in words[1:]))
            if not alternatives:
                return []
            # (a word with "_" in it is in the text only if "_" is: without one, every
            # quotation left has words without "_", as ``_find_quotes`` needs)
            if "_" not in low and all(words is not None for _, words in alternatives):
                return _find_quotes(low, alternatives)
        pattern = _quote_regex(tuple(_quote_source(string) for string, _ in alternatives))
        return [(m.start(), m.end()) for m in pattern.finditer(run.text)]

    @staticmethod
    def _quote_pattern(ev: Evidence) -> tuple[tuple[tuple[str, tuple[str, ...] | None], ...], tuple[str, ...]] | None:
        """The quotations of the evidence, longest first: (the string quoted, its words in
        lower case, or None where a word is not plain ASCII), and their first words. (The
        string is made a regex, :func:`_quote_source`, only where the text needs one.)"""
        strings = set()
        for f in ev.facts:
            for key in ("definition", "group_name", "region", "not_comparable_reason", "comparison_basis"):
                v = f.get(key)
                if isinstance(v, str):
                    strings.add(v)
            for w in f.get("winners") or ():
                if isinstance(w, Mapping) and isinstance(w.get("name"), str):
                    strings.add(w["name"])
        for c in ev.context:
            for key in ("label", "source"):
                v = c.get(key)
                if isinstance(v, str):
                    strings.add(v)
                    strings.add(v.split(",")[0])
        alternatives, firsts = [], set()
        # longest first; equal lengths in a fixed order, so the same strings always give
        # the same pattern
        for string in sorted(sorted(strings), key=len, reverse=True):
            lower, ascii_words = _quotation(string)
            if len(lower) >= 2:
                alternatives.append((string, lower if ascii_words else None))
                firsts.add(lower[0])
        if not alternatives:
            return None
        return tuple(alternatives), tuple(sorted(firsts))

    @staticmethod
    def _skeleton(text: str, sent: Sentence) -> None:
        parts = []
        phs = []
        kinds = []
        noc = []
        size = 0
        pos = sent.start
        for k, it in enumerate(sent.items):
            seg = text[pos:it.start].lower()
            if "  " in seg or "\n" in seg or "\t" in seg:
                seg = _WS.sub(" ", seg)
            if not size:
                seg = seg.lstrip()
            kind = it.kind
            ph = f"⟨{kind}{k}⟩"
            parts += (seg, ph)
            size += len(seg)
            phs.append((size, size + len(ph)))
            size += len(ph)
            kinds.append(kind)
            noc.append(kind == "P" and it.ids == _NOC_IDS)
            pos = it.end
        tail = _WS.sub(" ", text[pos:sent.end].lower()).rstrip()
        parts.append(tail if size else tail.lstrip())
        skel = "".join(parts)
        if "\u2019" in skel:
            skel = skel.replace("\u2019", "'")
        sent.skel = skel
        sent.phs = phs
        sent.kinds = tuple(kinds)
        sent.noc = tuple(noc)

    # -- checks -----------------------------------------------------------------------------------
    def _check_entity(self, run: _Run, it: Item) -> None:
        ev = run.ev
        run.claims += 1
        if it.kind == "P":
            if not (it.ids & ev.parties):
                code = sorted(it.ids)[0]
                if code == NOC:
                    run.fail(it.start, it.end, f"'{it.text}': no council in this story's data is or was under no "
                                               f"overall control")
                else:
                    run.fail(it.start, it.end, f"'{it.text}': {self.pname(code)} are not in the data for this story")
        elif it.kind == "C":
            if not (it.ids & ev.council_ids):
                own = sorted({self.cname(s) for s in ev.council_slugs})
                where = f"this story is about {', '.join(own)}" if own else "it is not in the data for this story"
                run.fail(it.start, it.end, f"'{it.text}': not this story's council ({where})")
        elif it.kind == "W":
            if not (it.ids & ev.ward_keys):
                own = sorted({f.get('ward') for f in ev.wards_f if f.get('ward')})
                after = run.text[it.end:it.end + 9].lower()
                if own:
                    run.fail(it.start, it.end, f"'{it.text}': not this story's ward ({', '.join(own)})")
                elif after.startswith((" ward", " division")):
                    run.fail(it.start, it.end, f"'{it.text}': no ward of that name in the data for this story")

    def _check_sentence(self, run: _Run, sent: Sentence) -> None:
        ev = run.ev
        items = sent.items
        for it in items:
            if it.kind in "PCW":
                self._check_entity(run, it)
        plan = self._plan(sent)
        for i, m, first, last in plan.frames:
            run.claims += 1
            try:
                problem = FRAMES[i].check(self, ev, sent, m)
            except (KeyError, IndexError, TypeError, ValueError, AttributeError):
                problem = "this claim could not be checked against the data"
            if problem:
                s, e = (items[first].start, items[last - 1].end) if last > first else (sent.start, sent.end)
                run.fail(s, e, f"'{run.text[s:e]}': {problem}")
        for k, role in plan.numbers:
            self._check_number(run, sent, items[k], role)
        for v, j in plan.verbs:
            self._check_verb(run, sent.verbs[v], self.party_of(items[j], ev))

    def _plan(self, sent: Sentence) -> "_Plan":
        """What to check in a sentence: read from its skeleton once per night (templates
        repeat their skeletons across stories)."""
        items = sent.items
        units = tuple([_unit_key(it) if it.kind == "N" else None for it in items])
        verbs: tuple = ()
        if sent.verbs:
            starts = [it.start for it in items]
            verbs = tuple([(bisect_left(starts, v.start), v.word) for v in sent.verbs])
        key = (sent.skel, sent.noc, units, verbs)
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) >= PLAN_CACHE_SIZE:
                self._plans.clear()
            plan = self._plans[key] = _Plan.read(sent, units, verbs)
        return plan

    def _check_number(self, run: _Run, sent: Sentence, it: Item, role: Role) -> None:
        run.claims += 1
        if it.value is None and it.unit != "time":
            verdict = "not a number the checker can verify"
        else:
            party = self.party_of(sent.items[role.party], run.ev) if role.party is not None else None
            try:
                verdict = check_role(self, run.ev, role, it, party, sent.skel, sent.items)
            except (KeyError, IndexError, TypeError, ValueError, AttributeError):
                verdict = "this figure could not be checked against the data"
        if verdict is not None:
            # the failure spans the figure and its unit ("eight seats")
            m = _UNIT_TEXT.match(run.text, it.end) if it.unit != "time" else None
            span_end = m.end() if m else it.end
            run.fail(it.start, span_end, f"'{run.text[it.start:span_end]}': {verdict}")

    def _check_verb(self, run: _Run, v: Verb, party: str) -> None:
        """A claim verb no frame or figure explains: the data must at least say the party
        did something of the kind."""
        if party == NOC:
            return
        ev = run.ev
        cls = VERB_CLASS[v.word]
        run.claims += 1
        ok = {"gain": ev.any_gain, "lose": ev.any_loss, "hold": ev.any_hold, "win": ev.any_win,
              "control": ev.any_control}[cls](party)
        if not ok:
            what = {"gain": "gained", "lose": "lost", "hold": "held", "win": "won", "control": "controlled"}[cls]
            run.fail(v.start, v.end, f"'{v.word}': the data does not say {self.pname(party)} {what} anything here")


def _unit_key(it: Item) -> str | None:
    if it.kind != "N":
        return None
    if it.unit:
        return it.unit
    v = it.value
    if it.signed:
        return "signed"
    if isinstance(v, int) and 1800 <= v <= 2100 and it.decimals == 0 and "," not in it.text:
        return "year"  # (a figure written with a thousands separator, "2,031", is never a year)
    return None


class _FrozenMatch:
    """A regex match's groups and spans, kept after the match (plans outlive sentences)."""

    __slots__ = ("_groups", "_spans", "_span")

    def __init__(self, m: re.Match) -> None:
        self._groups = m.groupdict()
        self._spans = {name: m.span(name) for name in self._groups}
        self._span = m.span()

    def groupdict(self) -> dict:
        return self._groups

    def group(self, name: str | int = 0):
        return self._groups.get(name) if name else None

    def start(self, name: str | None = None) -> int:
        return self._span[0] if name is None else self._spans[name][0]

    def end(self, name: str | None = None) -> int:
        return self._span[1] if name is None else self._spans[name][1]


class _Plan:
    __slots__ = ("frames", "numbers", "verbs")

    def __init__(self) -> None:
        self.frames: list[tuple[int, _FrozenMatch, int, int]] = []
        self.numbers: list[tuple[int, Role]] = []
        self.verbs: list[tuple[int, int]] = []  # (verb index, party item index)

    @classmethod
    def read(cls, sent: Sentence, units: tuple, verbs: tuple) -> "_Plan":
        plan = cls()
        skel, phs, kinds = sent.skel, sent.phs, sent.kinds
        starts = [a for a, _ in phs]
        present = set(kinds)
        candidates = sorted({i for t, frames in _TRIGGERS if t in skel for i in frames if _NEEDS[i] <= present})
        covered = []
        for i in candidates:
            for m in FRAMES[i].regex.finditer(skel):
                first, last = bisect_left(starts, m.start()), bisect_left(starts, m.end())
                plan.frames.append((i, _FrozenMatch(m), first, last))
                covered.append((first, last))
        roles: list[Role | None] = [None] * len(kinds)
        for k, kind in enumerate(kinds):
            if kind == "N":
                roles[k] = read_role(skel, phs, kinds, sent.noc, units, k, roles)
                plan.numbers.append((k, roles[k]))
        gaps = [g for g, _ in verbs]
        for vi, (gap, word) in enumerate(verbs):
            if any(a <= gap <= b for a, b in covered):
                continue
            if gap < len(kinds) and kinds[gap] in "NO" and gaps.count(gap) == 1:
                continue  # "gained eight seats": the figure's role checks it
            if not gap:
                continue
            cs = clause_start(skel, phs[gap - 1][1] + 1)
            j = None
            for x in range(gap - 1, -1, -1):
                if phs[x][0] < cs:
                    break
                if kinds[x] == "P" and skel[max(0, phs[x][0] - 5):phs[x][0]] != "from ":
                    j = x
                    break
            if j is not None:
                plan.verbs.append((vi, j))
        return plan


def _within(spans: list[tuple[int, int]], s: int, e: int, strict: bool = False) -> bool:
    """Whether [s, e) lies inside one of the spans (strictly: not the whole span itself)."""
    for a, b in spans:
        if a <= s and e <= b and not (strict and a == s and b == e):
            return True
        if a > s:
            break
    return False


__all__ = ["CheckResult", "DISCLOSURES", "FactChecker", "Failure", "bound_index"]
