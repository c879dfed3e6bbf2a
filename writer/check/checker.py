"""The fact-check gate: every figure, name and claim of a story against its evidence.

A story may state only what its events' facts support. The gate reads ``Story.text()``
(headline, paragraphs, seats table, disclosure line):

1. hostile text first: control or invisible characters, look-alike letters, non-ASCII digits,
   markup or template leftovers ("{{", "None"), text too long to check;
2. the seats table line by line (party, seats won, signed change) and the disclosure line
   (one of the house's wordings);
3. the prose, read by the night's spaCy reader (:mod:`writer.check.reader`) into sentences
   of entities (PARTY, COUNCIL, WARD), numbers and claim verbs, each reduced to a
   :class:`~writer.check.types.Skeleton` (``⟨P0⟩ has taken control of ⟨C1⟩ from ⟨P2⟩,
   winning ⟨N3⟩ of the ⟨N4⟩ seats``) whose :class:`~writer.check.plans.Plan` (read once per
   skeleton) says what to check:
   - every party, council and ward named must be the story's (a group story may name the
     councils its facts list; a ward is named in a ward story, or written "X ward");
   - every number must fit its role (:mod:`writer.check.numbers`);
   - every claim frame (:mod:`writer.check.claims`) must match the result;
   - any other claim verb (gain, take, hold, keep, lose, win, control) said of a party must
     at least be something the data says that party did.

Figures that quote the evidence itself (a group's definition, a context figure's label, a
candidate's name: :mod:`writer.check.quotes`) are not read as claims. Failures carry exact
offsets into the checked text and a reason an editor can act on ("'eight seats': the data
says Labour gained 16").
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
from writer.check.lexicon import COUNCIL, NUMBER_WORDS, ORDINAL_WORDS, PARTY, VERB_CLASS, WARD, Lexicon, norm
from writer.check.numbers import Role, check_role
from writer.check.plans import Plan, unit_key
from writer.check.quotes import quoted_spans, quoted_text
from writer.check.reader import ProseReader
from writer.check.types import Analysis, Failure, Item, Sentence, Skeleton, Verb, Verdict, parse_number
from writer.draft.story import AUTO_DISCLOSURE, CHECKED_DISCLOSURE, DISCLOSURES
from writer.draft.style import clock
from writer.model import NightSetup

NOC = party_codes.NOC

MAX_CHARS = 100_000
PLAN_CACHE_SIZE = 50_000

_PARA_BREAK = re.compile(r"\n[ \t\r]*\n\s*")
_CHECKED = " ".join(CHECKED_DISCLOSURE.split())
_TABLE_HEAD = re.compile(r"^\s*party\s+(?:seats|won)\s+change\s*$", re.IGNORECASE)
_TABLE_ROW = re.compile(r"^(?P<name>\S.*?)\s{2,}(?P<seats>\S+)(?:\s+(?P<change>\S+))?\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKUP_CHARS = re.compile(r"[<>{}\[\]\\|]")
_LEFTOVERS = re.compile(r"\b(?:nan|NaN|null|undefined)\b|(?<=[a-z,] )None\b")
_TYPOGRAPHY = "\u2019\u2018\u201c\u201d\u2013\u2014\u00a3"  # quotes, dashes and the pound sign copy may use
_NOT_PLAIN = re.compile(f"[^\\x00-\\x7f{_TYPOGRAPHY}]")
_UNIT_TEXT = re.compile(r"[ \t]*(?:%|per ?cent\b|percentage points?\b|points?\b|seats?\b|councillors?\b|"
                        r"councils?\b|votes?\b|wards?\b)", re.IGNORECASE)
_WS = re.compile(r"\s+")
#: How the importer writes a party it could not name: never a party's name in copy.
_LEAP_CODE_TEXT = re.compile(r"\bLEAP code\b[^\s,.;:]*(?:\s+[^\s,.;:]+)?")
_NOC_IDS = frozenset({NOC})
_START = attrgetter("start")  # an item's or verb's offset, to sort by
_DISCLOSURE_START = "this report was produced automatically"


class _Check:
    """One text being checked: the text, its evidence and what has been found so far."""

    __slots__ = ("text", "evidence", "failures", "claims")

    def __init__(self, text: str, evidence: Evidence) -> None:
        self.text = text
        self.evidence = evidence
        self.failures: list[Failure] = []
        self.claims = 0

    def fail(self, start: int, end: int, reason: str) -> None:
        self.failures.append(Failure(start, end, self.text[start:end], reason))

    def verdict(self) -> Verdict:
        failures = sorted(set(self.failures), key=lambda failure: (failure.start, failure.end, failure.reason))
        return Verdict(not failures, tuple(failures), self.claims)


class FactChecker:
    """The gate for one night. Build it once (:meth:`for_night`); check any number of
    stories or edited texts."""

    def __init__(self, lex: Lexicon, names, *, disclosures: Sequence[str] = (AUTO_DISCLOSURE,),
                 token_matcher: bool = False) -> None:
        self.lex = lex
        self.names = names
        self.disclosures = tuple(" ".join(line.split()) for line in disclosures)
        self.reader = ProseReader(token_matcher=token_matcher)
        self.nlp = self.reader.nlp
        self._flush()
        self._evidence_cache: dict[int, tuple[Any, Evidence]] = {}
        self._splits: dict[int, tuple[Any, int, tuple]] = {}  # id(form's meanings) -> split
        self._plans: dict[tuple, Plan] = {}

    @classmethod
    def for_night(cls, setup: NightSetup, names, *, wards: Iterable[str] = (),
                  disclosures: Sequence[str] = (AUTO_DISCLOSURE,), token_matcher: bool = False) -> FactChecker:
        """The gate for a night: the reader and lexicons are built here, once. ``wards``:
        ward names declared tonight, where known (wards a story's evidence names are learnt
        when it is checked). ``token_matcher``: find figures and claim verbs with spaCy's
        token-pattern Matcher rather than PhraseMatchers (same spans, slower)."""
        return cls(Lexicon.for_night(setup, names, wards), names, disclosures=disclosures,
                   token_matcher=token_matcher)

    # -- public API -------------------------------------------------------------------------------
    def check(self, story) -> Verdict:
        """Check ``story.text()`` against ``story.evidence``."""
        return self.check_many_texts([(story.text(), story.evidence)])[0]

    def check_text(self, text: str, evidence: Sequence[Mapping[str, Any]], *,
                   require_disclosure: bool = True) -> Verdict:
        """Check any text (an editor's edit of a story, say) against evidence facts."""
        return self.check_many_texts([(text, evidence)], require_disclosure=require_disclosure)[0]

    def check_many(self, stories: Iterable) -> list[Verdict]:
        """Check many stories in one spaCy pass (``nlp.pipe``)."""
        return self.check_many_texts([(story.text(), story.evidence) for story in stories])

    def check_many_texts(self, items: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], *,
                         require_disclosure: bool = True) -> list[Verdict]:
        prepared = []
        for text, evidence in items:
            if not isinstance(text, str):
                text = "" if text is None else str(text)
            check = _Check(text, self._evidence(evidence))
            prepared.append((check, self._prepare(check, require_disclosure)))
        self._flush()
        analyses = self.reader.analyse_many([[check.text[start:end] for start, end in prose]
                                             for check, prose in prepared])
        out = []
        for (check, prose), found in zip(prepared, analyses):
            quoted = quoted_spans(check.text, check.evidence) if prose else []
            for (start, end), analysis in zip(prose, found):
                self._paragraph(check, start, end, analysis, quoted)
            out.append(check.verdict())
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

    def party_of(self, item: Item, evidence: Evidence) -> str:
        """The party a party item stands for: the first (in order) of its codes that the
        evidence has, else its first code."""
        return min(item.ids & evidence.parties or item.ids)

    def time_ok(self, evidence: Evidence, text: str) -> bool:
        stamps = {clock(fact.get(key)) for fact in evidence.facts for key in ("at", "settled_at")
                  if isinstance(fact.get(key), str)}
        return text.lower().replace(":", ".") in stamps

    # -- preparation ------------------------------------------------------------------------------
    def _flush(self) -> None:
        self.reader.add_patterns(self.lex.take_pending())

    def _evidence(self, evidence) -> Evidence:
        hit = self._evidence_cache.get(id(evidence))
        if hit is not None and hit[0] is evidence:
            return hit[1]
        facts = evidence if isinstance(evidence, (list, tuple)) else list(evidence or ())
        indexed = Evidence(facts, self.lex)
        self.lex.learn(facts, indexed.party_codes)
        if len(self._evidence_cache) > 4096:
            self._evidence_cache.clear()
        self._evidence_cache[id(evidence)] = (evidence, indexed)
        return indexed

    def _prepare(self, check: _Check, require_disclosure: bool) -> list[tuple[int, int]]:
        """Hostile-text checks, the table and the disclosure; returns the prose paragraphs
        (start, end) for the reader."""
        text = check.text
        if len(text) > MAX_CHARS:
            check.fail(0, min(len(text), 80), f"text too long to check ({len(text)} characters)")
            return []
        self._hostile(check)
        self._source_codes(check)
        prose: list[tuple[int, int]] = []
        disclosure_seen = False
        for start, end in _paragraphs(text):
            paragraph = text[start:end]
            if _TABLE_HEAD.match(paragraph.split("\n", 1)[0]):
                self._table(check, start, paragraph)
            elif paragraph[:40].lower().startswith(_DISCLOSURE_START):
                disclosure_seen = True
                self._disclosure(check, start, end, paragraph)
            else:
                prose.append((start, end))
        if require_disclosure and not disclosure_seen:
            end = len(text.rstrip())
            check.claims += 1
            check.fail(end, end, "no disclosure line: every automated story ends with one")
        return prose

    def _disclosure(self, check: _Check, start: int, end: int, paragraph: str) -> None:
        check.claims += 1
        line = " ".join(paragraph.split())
        if line not in self.disclosures:
            check.fail(start, end, "says the story was checked by an editor, but no editor has approved this "
                                   "version: a draft says it has not yet been checked (the publisher changes the "
                                   "line when an editor approves)" if line == _CHECKED
                       else "not a recognised disclosure line")

    def _source_codes(self, check: _Check) -> None:
        """A source's code printed as a party's name ("LEAP code WiganIC", "WiganIC"): the
        data knows the party only by that code, so copy must say "a local party"."""
        text = check.text
        if "LEAP code" in text:
            for match in _LEAP_CODE_TEXT.finditer(text):
                check.fail(match.start(), match.end(), "a source's party code in copy; write \"a local party\" "
                           "(or name the party in rules/party-registry.yaml)")
        for code in check.evidence.parties:
            if not party_codes.is_unresolved(code):
                continue
            inner = party_codes.other_name(code)
            bare = party_codes.leap_code_of(inner) or inner
            if not party_codes.looks_like_code(bare):
                continue  # a LEAP code that is a word ("Mossley", a ward too) is caught only after "LEAP code"
            for match in re.finditer(rf"(?<![\w-]){re.escape(bare)}(?![\w-])", text):
                if not text[max(0, match.start() - 10):match.start()].endswith("LEAP code "):  # reported above
                    check.fail(match.start(), match.end(), f"'{bare}' is a source's code for a party nobody could "
                               "name; write \"a local party\"")

    def _hostile(self, check: _Check) -> None:
        text = check.text
        if _CONTROL.search(text):
            for match in _CONTROL.finditer(text):
                check.fail(match.start(), match.end(), "control character in copy")
        if _MARKUP_CHARS.search(text):
            for match in _MARKUP_CHARS.finditer(text):
                check.fail(match.start(), match.end(), "markup or a template leftover in copy")
        if "None" in text or "nan" in text or "NaN" in text or "null" in text or "undefined" in text:
            for match in _LEFTOVERS.finditer(text):
                check.fail(match.start(), match.end(), "markup or a template leftover in copy")
        if text.isascii():
            return
        allowed = None
        for match in _NOT_PLAIN.finditer(text):
            at, char = match.start(), match.group()
            category = unicodedata.category(char)
            if char in "⟨⟩":
                check.fail(at, at + 1, "unexpected character in copy")
            elif category in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp", "Zs"):
                check.fail(at, at + 1, f"invisible or non-standard space character U+{ord(char):04X} in copy")
            elif category in ("Nd", "No", "Nl"):
                check.fail(at, at + 1, f"non-standard digit {char!r} in copy")
            elif category.startswith("L") and "LATIN" not in unicodedata.name(char, ""):
                if allowed is None:
                    allowed = _evidence_chars(check.evidence)
                if char not in allowed:
                    check.fail(at, at + 1, f"unexpected character {char!r} (U+{ord(char):04X}) in copy")

    # -- the seats table --------------------------------------------------------------------------
    def _table(self, check: _Check, base: int, paragraph: str) -> None:
        evidence = check.evidence
        has_change = any(isinstance(fact.get("seat_change"), Mapping)
                         for fact in evidence.councils_f + evidence.wards_f)
        offset = 0
        for i, line in enumerate(paragraph.split("\n")):
            start = base + offset
            offset += len(line) + 1
            if i == 0 or not line.strip():
                continue
            row = _TABLE_ROW.match(line)
            check.claims += 1
            if not row:
                check.fail(start, start + len(line.rstrip()), "table row not in the form: party, seats, change")
                continue
            self._table_row(check, start, row, has_change)

    def _table_row(self, check: _Check, start: int, row: re.Match, has_change: bool) -> None:
        """One row: the party is the story's, and its seats and change are the data's (one
        name may stand for two codes, a party listed two ways: any may fit)."""
        evidence = check.evidence
        name, seats, change = row.group("name", "seats", "change")
        codes = sorted({ident for label, ident in self.lex.forms.get(norm(name), ()) if label == PARTY}
                       & evidence.parties)
        if not codes:
            check.fail(start + row.start("name"), start + row.end("name"),
                       f"table: '{name}' is not a party in the data for this story")
            return
        ok_seats = ok_change = False
        value, _, _ = parse_number(seats)
        delta, _, _ = parse_number(change) if change is not None else (None, 0, False)
        won_all: list[int] = []
        changes_all: list[int] = []
        for code in codes:
            won = [seats_won for seats_won, key in evidence.holdings(code)
                   if key in ("seats_won", "won", "seats_won_compared", "tally_seats_won_compared")]
            changes = evidence.seat_change(code) if has_change else []
            won_all += won
            changes_all += changes
            if value is not None and value in won:
                ok_seats = True
                if change is None or (delta is not None and delta in changes):
                    ok_change = True
        check.claims += 1 if change is None else 2
        if ok_seats and (change is None or ok_change):
            return  # the row is right (the party's name is only needed to say what is not)
        name = self.pname(codes[0])
        if not ok_seats:
            at = start + row.start("seats")
            check.fail(at, at + len(seats), f"table: {seats} seats for {name}: the data says "
                                            f"{name} won {' or '.join(map(str, sorted(set(won_all)))) or 'none'}")
        if change is not None and (ok_seats and not ok_change
                                   or not ok_seats and (delta is None or delta not in changes_all)):
            at = start + row.start("change")
            says = (f"{name} changed by "
                    f"{' or '.join(f'{moved:+d}' if moved else '0' for moved in sorted(set(changes_all)))}"
                    if changes_all else "there is no like-for-like change to report")
            check.fail(at, at + len(change), f"table: change {change} for {name}: the data says {says}")

    # -- prose ----------------------------------------------------------------------------------
    def _paragraph(self, check: _Check, base: int, end: int, analysis: Analysis,
                   quoted: list[tuple[int, int]]) -> None:
        items, verbs = self._items(check, base, analysis)
        quoted = [(start, stop) for start, stop in quoted if start < end and stop > base]
        if quoted:
            # a quotation of the evidence (a group's definition) is the evidence itself; a
            # quotation is found by its words, so a figure in it counts as quoted only as the
            # evidence writes it ("the 2019 general election", not "the -2019 general election")
            said = quoted_text(check.evidence)
            items = [item for item in items if not (_within(quoted, item.start, item.end, strict=True)
                                                    and (item.kind != "N" or item.text in said))]
            verbs = [verb for verb in verbs if not _within(quoted, verb.start, verb.end, strict=True)]
        if not items and not verbs:
            return
        # each sentence takes the items and verbs that start in it (both are in text order,
        # and so are the sentences: where each sentence's share begins is one bisection)
        starts = [base + start for start in analysis.sentences] + [end]
        item_cuts = _cuts([item.start for item in items], starts)
        verb_cuts = _cuts([verb.start for verb in verbs], starts)
        for k in range(len(starts) - 1):
            first, last = item_cuts[k], item_cuts[k + 1]
            verb_first, verb_last = verb_cuts[k], verb_cuts[k + 1]
            if first < last or verb_first < verb_last:
                sentence = Sentence(starts[k], starts[k + 1], items[first:last], verbs[verb_first:verb_last])
                sentence.skeleton = _skeleton(check.text, sentence)
                self._check_sentence(check, sentence, self._plan(sentence))

    def _items(self, check: _Check, base: int, analysis: Analysis) -> tuple[list[Item], list[Verb]]:
        """The paragraph's names and numbers as items, in text order, and its claim verbs
        (numbers and verbs inside names, "Ward 3", "Labour Hold", are part of the name)."""
        text, evidence, forms = check.text, check.evidence, self.lex.forms
        names: list[Item] = []
        for start, end in analysis.entities:
            start, end = start + base, end + base
            surface = text[start:end]
            meanings = forms.get(surface.lower()) or forms.get(norm(surface))
            item = self._entity(surface, start, end, meanings, evidence) if meanings else None
            if item is not None:
                names.append(item)
        numbers = [_number(start + base, end + base, raw, kind) for start, end, raw, kind in analysis.figures]
        verbs = [Verb(start + base, end + base, word) for start, end, word in analysis.verbs]
        if names:
            numbers = _outside(names, numbers)
            verbs = _outside(names, verbs)
        items = sorted(names + numbers, key=_START) if numbers else names
        return items, verbs

    def _kinds(self, meanings) -> tuple[frozenset, frozenset, frozenset]:
        """A form's parties, councils and wards (a ward name shared by many councils has
        many): split once per form, again only when the form has gained a meaning."""
        hit = self._splits.get(id(meanings))
        if hit is not None and hit[0] is meanings and hit[1] == len(meanings):
            return hit[2]
        split = (frozenset(ident for label, ident in meanings if label == PARTY),
                 frozenset(ident for label, ident in meanings if label == COUNCIL),
                 frozenset(ident for label, ident in meanings if label == WARD))
        self._splits[id(meanings)] = (meanings, len(meanings), split)
        return split

    def _entity(self, surface: str, start: int, end: int, meanings, evidence: Evidence) -> Item | None:
        parties, councils, wards = self._kinds(meanings)
        if parties:
            return Item("P", start, end, surface, ids=parties)
        if surface.islower():
            return None  # "reading", "park": a word, not the council or ward of that name
        if councils and wards:
            if councils & evidence.council_ids:
                return Item("C", start, end, surface, ids=councils)
            if wards & evidence.ward_keys:
                return Item("W", start, end, surface, ids=wards)
            return Item("C", start, end, surface, ids=councils)
        if councils:
            return Item("C", start, end, surface, ids=councils)
        if wards:
            return Item("W", start, end, surface, ids=wards)
        return None

    # -- checks -----------------------------------------------------------------------------------
    def _check_entity(self, check: _Check, item: Item) -> None:
        evidence = check.evidence
        check.claims += 1
        if item.kind == "P":
            if not (item.ids & evidence.parties):
                code = sorted(item.ids)[0]
                if code == NOC:
                    check.fail(item.start, item.end, f"'{item.text}': no council in this story's data is or was "
                                                     f"under no overall control")
                else:
                    check.fail(item.start, item.end, f"'{item.text}': {self.pname(code)} are not in the data for "
                                                     f"this story")
        elif item.kind == "C":
            if not (item.ids & evidence.council_ids):
                own = sorted({self.cname(slug) for slug in evidence.council_slugs})
                where = f"this story is about {', '.join(own)}" if own else "it is not in the data for this story"
                check.fail(item.start, item.end, f"'{item.text}': not this story's council ({where})")
        elif item.kind == "W":
            if not (item.ids & evidence.ward_keys):
                own = sorted({fact.get('ward') for fact in evidence.wards_f if fact.get('ward')})
                after = check.text[item.end:item.end + 9].lower()
                if own:
                    check.fail(item.start, item.end, f"'{item.text}': not this story's ward ({', '.join(own)})")
                elif after.startswith((" ward", " division")):
                    check.fail(item.start, item.end, f"'{item.text}': no ward of that name in the data for this story")

    def _check_sentence(self, check: _Check, sentence: Sentence, plan: Plan) -> None:
        evidence = check.evidence
        items = sentence.items
        for item in items:
            if item.kind in "PCW":
                self._check_entity(check, item)
        for i, match, first, last in plan.frames:
            check.claims += 1
            try:
                problem = FRAMES[i].check(self, evidence, sentence, match)
            except (KeyError, IndexError, TypeError, ValueError, AttributeError):
                problem = "this claim could not be checked against the data"
            if problem:
                start, end = (items[first].start, items[last - 1].end) if last > first else (sentence.start,
                                                                                            sentence.end)
                check.fail(start, end, f"'{check.text[start:end]}': {problem}")
        for index, role in plan.numbers:
            self._check_number(check, sentence, items[index], role)
        for verb_index, party_index in plan.verbs:
            self._check_verb(check, sentence.verbs[verb_index], self.party_of(items[party_index], evidence))

    def _plan(self, sentence: Sentence) -> Plan:
        """What to check in a sentence: read from its skeleton once per night (templates
        repeat their skeletons across stories)."""
        items = sentence.items
        skeleton = sentence.skeleton
        verbs: tuple = ()
        if sentence.verbs:
            starts = [item.start for item in items]
            verbs = tuple([(bisect_left(starts, verb.start), verb.word) for verb in sentence.verbs])
        key = (skeleton.text, skeleton.no_control, skeleton.units, verbs)
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) >= PLAN_CACHE_SIZE:
                self._plans.clear()
            plan = self._plans[key] = Plan.read(skeleton, verbs)
        return plan

    def _check_number(self, check: _Check, sentence: Sentence, item: Item, role: Role) -> None:
        check.claims += 1
        if item.value is None and item.unit != "time":
            problem = "not a number the checker can verify"
        else:
            party = self.party_of(sentence.items[role.party], check.evidence) if role.party is not None else None
            try:
                problem = check_role(self, check.evidence, role, item, party, sentence.skeleton.text, sentence.items)
            except (KeyError, IndexError, TypeError, ValueError, AttributeError):
                problem = "this figure could not be checked against the data"
        if problem is not None:
            # the failure spans the figure and its unit ("eight seats")
            unit = _UNIT_TEXT.match(check.text, item.end) if item.unit != "time" else None
            end = unit.end() if unit else item.end
            check.fail(item.start, end, f"'{check.text[item.start:end]}': {problem}")

    def _check_verb(self, check: _Check, verb: Verb, party: str) -> None:
        """A claim verb no frame or figure explains: the data must at least say the party
        did something of the kind."""
        if party == NOC:
            return
        evidence = check.evidence
        claim = VERB_CLASS[verb.word]
        check.claims += 1
        ok = {"gain": evidence.any_gain, "lose": evidence.any_loss, "hold": evidence.any_hold,
              "win": evidence.any_win, "control": evidence.any_control}[claim](party)
        if not ok:
            what = {"gain": "gained", "lose": "lost", "hold": "held", "win": "won", "control": "controlled"}[claim]
            check.fail(verb.start, verb.end, f"'{verb.word}': the data does not say {self.pname(party)} "
                                             f"{what} anything here")


def _paragraphs(text: str) -> Iterable[tuple[int, int]]:
    """(start, end) of each paragraph with text in it, without the whitespace around it."""
    position = 0
    bounds = []
    for match in _PARA_BREAK.finditer(text):
        bounds.append((position, match.start()))
        position = match.end()
    bounds.append((position, len(text)))
    for start, end in bounds:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            yield start, end


def _evidence_chars(evidence: Evidence) -> set[str]:
    """Every character outside ASCII in the evidence's strings (names copy may quote)."""
    chars: set[str] = set()

    def walk(value, depth=0):
        if depth > 4:
            return
        if isinstance(value, str):
            if not value.isascii():
                chars.update(value)
        elif isinstance(value, Mapping):
            for key, inner in value.items():
                walk(key, depth + 1)
                walk(inner, depth + 1)
        elif isinstance(value, (list, tuple)):
            for inner in value:
                walk(inner, depth + 1)
    for fact in evidence.facts:
        walk(fact)
    return chars


def _number(start: int, end: int, raw: str, kind: str | None) -> Item:
    """A figure or number word as an item, by the kind the reader read it as."""
    if kind == "zero":
        return Item("N", start, end, raw, value=0)
    if kind == "ordinal":
        return Item("O", start, end, raw, value=ORDINAL_WORDS[raw.lower()])
    if kind == "ordinal-figure":
        return Item("O", start, end, raw, value=int(raw[:-2]) if raw[:-2].isdigit() else None)
    if kind == "time":
        return Item("N", start, end, raw, unit="time")
    if kind == "unread":  # a token with a digit that is no figure the gate reads
        return Item("N", start, end, raw)
    if kind == "compound":
        parts = re.split(r"\s*-\s*", raw.lower())
        return Item("N", start, end, raw, value=NUMBER_WORDS.get(parts[0], 0) + NUMBER_WORDS.get(parts[-1], 0))
    value, decimals, signed = parse_number(raw)
    return Item("N", start, end, raw, value=value, decimals=decimals, signed=signed, unit=kind)


def _cuts(offsets: list[int], starts: list[int]) -> list[int]:
    """Where each sentence's share of the items (or verbs) begins: both are in text order."""
    return [bisect_left(offsets, start) for start in starts]


def _skeleton(text: str, sentence: Sentence) -> Skeleton:
    """The sentence's words in lower case, single-spaced, with each item a placeholder of
    its kind and index."""
    parts = []
    spans = []
    kinds = []
    no_control = []
    units = []
    size = 0
    position = sentence.start
    for index, item in enumerate(sentence.items):
        words = text[position:item.start].lower()
        if "  " in words or "\n" in words or "\t" in words:
            words = _WS.sub(" ", words)
        if not size:
            words = words.lstrip()
        kind = item.kind
        placeholder = f"⟨{kind}{index}⟩"
        parts += (words, placeholder)
        size += len(words)
        end = size + len(placeholder)
        spans.append((size, end))
        size = end
        kinds.append(kind)
        if kind == "N":
            no_control.append(False)
            units.append(unit_key(item))
        else:
            no_control.append(kind == "P" and item.ids == _NOC_IDS)
            units.append(None)  # (unit_key of any other kind)
        position = item.end
    tail = _WS.sub(" ", text[position:sentence.end].lower()).rstrip()
    parts.append(tail if size else tail.lstrip())
    skeleton = "".join(parts)
    if "\u2019" in skeleton:
        skeleton = skeleton.replace("\u2019", "'")
    return Skeleton(skeleton, tuple(spans), tuple(kinds), tuple(no_control), tuple(units))


def _outside(names: list[Item], found: list) -> list:
    """The numbers (or verbs) that do not start inside a name: ``_within`` of each one's
    first character, in one pass (both are in text order, and names do not overlap)."""
    kept = []
    j, count = 0, len(names)
    for item in found:
        start = item.start
        while j < count and names[j].end <= start:
            j += 1
        if j == count or names[j].start > start:
            kept.append(item)
    return kept


def _within(spans: list[tuple[int, int]], start: int, end: int, strict: bool = False) -> bool:
    """Whether [start, end) lies inside one of the spans (strictly: not the whole span itself)."""
    for span_start, span_end in spans:
        if span_start <= start and end <= span_end and not (strict and span_start == start and span_end == end):
            return True
        if span_start > start:
            break
    return False


__all__ = ["DISCLOSURES", "FactChecker", "Failure", "Verdict"]
