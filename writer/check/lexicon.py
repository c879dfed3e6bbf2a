"""The night's lexicon: every way copy may name a party, council or ward, and number words.

Built once per night (:meth:`Lexicon.for_night`) from the party names in
``rules/parties.yaml`` and the councils and baseline wards of the night; wards and named
parties first seen in a story's evidence are added as they turn up (:meth:`Lexicon.learn`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from writer import parties as party_codes
from writer.model import NightSetup, normalise_ward_name
from writer.parties import PARTY_DICTS, PARTY_FIELDS, party_codes_in, unresolved_parties  # noqa: F401

PARTY, COUNCIL, WARD = "PARTY", "COUNCIL", "WARD"
PRIORITY = {PARTY: 0, COUNCIL: 1, WARD: 2}

#: Words for numbers copy may use (house style writes one to nine; editors may write more).
UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
NUMBER_WORDS: dict[str, int] = {w: i for i, w in enumerate(UNITS)} | TENS | {"no": 0, "none": 0}
ORDINAL_WORDS: dict[str, int] = {w: i + 1 for i, w in enumerate((
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
    "eighteenth", "nineteenth", "twentieth"))}

#: Claim verbs, by the claim they make (the gate checks any such verb said of a party).
CLAIM_VERBS = {
    "gain": ("gain", "gains", "gained", "gaining", "take", "takes", "took", "taken", "taking",
             "seize", "seizes", "seized", "snatch", "snatched", "advance", "advances", "advanced"),
    "hold": ("hold", "holds", "held", "holding", "keep", "keeps", "kept", "retain", "retains", "retained"),
    "lose": ("lose", "loses", "lost", "losing"),
    "win": ("win", "wins", "won", "winning"),
    "control": ("control", "controls", "controlled"),
}
VERB_CLASS = {word: claim for claim, words in CLAIM_VERBS.items() for word in words}
#: The words after "no" that make it a figure ("no seats", "no net change").
ZERO_UNITS = frozenset(("seat", "seats", "councils", "council", "councillors", "votes", "net", "wards"))
#: The token shapes of figures ("41", "1,156", "35.4"), and of times and ordinals ("4am", "12th").
FIGURE_SHAPES = ("d", "dd", "ddd", "dddd", "d,ddd", "dd,ddd", "ddd,ddd", "d,ddd,ddd", "d.d", "dd.d",
                 "ddd.d", "dddd.d", "d.dd", "dd.dd", "ddd.dd")
TIME_OR_ORDINAL_SHAPES = ("dxx", "ddxx", "dddxx", "ddddxx", "d.ddxx", "dd.ddxx", "d:ddxx", "dd:ddxx")
TIMES = ("am", "pm", "a.m.", "p.m.")
SUFFIXES = ("am", "pm", "st", "nd", "rd", "th")


def unit_after(word: str | None, next_word: str | None) -> str | None:
    """The unit a figure is read with from the words after it, in lower case: "%",
    "points" ("points", "percentage points") or None."""
    if word == "%":
        return "%"
    if word in ("point", "points") or (word == "percentage" and next_word in ("point", "points")):
        return "points"
    return None


_COMMON_WORDS = frozenset(("the", "and", "ward", "council", "seat", "seats", "party", "vote", "votes", "labour",
                           "control", "majority", "election", "new", "first", "last", "since", "with"))

#: Short forms copy may use for a council after first mention (house style: "Hull").
COUNCIL_ALIASES: dict[str, tuple[str, ...]] = {"kingston-upon-hull": ("Hull",)}


_WARD_KEYS: dict[str, str] = {}


def ward_key(name: str) -> str:
    """``normalise_ward_name(name)``, remembered by name (a pure function of the string;
    every check of a ward story asks for the same few)."""
    key = _WARD_KEYS.get(name)
    if key is None:
        if len(_WARD_KEYS) >= 200_000:
            _WARD_KEYS.clear()
        key = _WARD_KEYS[name] = normalise_ward_name(name)
    return key


def norm(text: str) -> str:
    """The lookup key of a mention: lower case, single spaces, typographic apostrophes."""
    return " ".join(text.replace("\u2019", "'").lower().split())


#: Forms copy uses beyond the names table: one independent or residents' candidate, and the
#: results-service codes ("Lab gain from Con").
EXTRA_FORMS: dict[str, tuple[str, ...]] = {
    "Ind": ("independent", "an independent", "independent candidate", "the independent candidate"),
    "Res": ("residents' candidate", "a residents' candidate", "the residents' candidate"),
    "Lab": ("Lab",), "Con": ("Con",), "LD": ("LD",),
}


def party_forms(names, code: str) -> set[str]:
    """Every mention form of a party: first, later, headline and tally names, each with and
    without a leading "the" (and as written: "a local party", how copy names a party whose
    code nobody could name; that code itself is never a form, so copy that prints it fails)."""
    p = names.get(code)
    forms = {p.name, p.later, p.headline, *EXTRA_FORMS.get(code, ())}
    try:
        forms.add(names.party(code, "tally"))
    except (KeyError, TypeError, ValueError):
        pass
    if party_codes.is_named_other(code) and not party_codes.is_unresolved(code):
        forms.add(party_codes.other_name(code))
    out = set()
    for f in forms:
        f = " ".join(f.split())
        if not f:
            continue
        low = f.lower()
        bare = f[4:] if low.startswith("the ") else f[2:] if low.startswith("a ") else f
        out.update((bare, "the " + bare, f))
    return out


@dataclass
class Lexicon:
    names: object  # PartyNames
    forms: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # form -> {(label, id)}
    council_names: dict[str, str] = field(default_factory=dict)  # slug -> name
    council_by_name: dict[str, str] = field(default_factory=dict)  # norm(name) -> slug
    ward_names: dict[str, str] = field(default_factory=dict)  # ward key -> a name
    party_codes: set[str] = field(default_factory=set)
    pending: list[dict] = field(default_factory=list)  # patterns not yet given to the ruler
    wards_seen: set[str] = field(default_factory=set, repr=False, compare=False)  # names add_ward was given

    # -- building -------------------------------------------------------------------------------
    def _add(self, label: str, text: str, ident: str) -> None:
        """A mention form: looked up by its lower-case key; the ruler gets it as written, so
        that it is tokenized as copy writes it ("St. Peters": "St." is one token)."""
        form = norm(text)
        if not form:
            return
        known = self.forms.get(form)
        if known is None:
            self.forms[form] = {(label, ident)}
            self.pending.append({"label": label, "pattern": " ".join(text.split()), "id": ident})
        elif (label, ident) not in known:
            known.add((label, ident))

    def add_party(self, code: str) -> bool:
        if code in self.party_codes or not isinstance(code, str):
            return False
        self.party_codes.add(code)
        for form in party_forms(self.names, code):
            self._add(PARTY, form, code)
        return True

    def add_council(self, slug: str, name: str) -> None:
        self.council_names.setdefault(slug, name)
        self.council_by_name[norm(name)] = slug
        self._add(COUNCIL, name, slug)
        for alias in COUNCIL_ALIASES.get(slug, ()):
            self._add(COUNCIL, alias, slug)

    def add_ward(self, name: str) -> bool:
        """A ward's name, as a WARD form. Names that could not be told from ordinary words
        in copy ("the", "a", one or two letters) are left out. A name given before is
        answered at once (forms are only ever added: it was added then, or left out)."""
        if not isinstance(name, str) or name in self.wards_seen:
            return False
        self.wards_seen.add(name)
        if len(name.strip()) < 3 or not any(ch.isupper() for ch in name):
            return False
        form = norm(name)
        if form in _COMMON_WORDS:
            return False
        key = ward_key(name)
        if form in self.forms and (WARD, key) in self.forms[form]:
            return False
        self.ward_names.setdefault(key, name)
        self._add(WARD, name, key)
        return True

    @classmethod
    def for_night(cls, setup: NightSetup, names, wards: Iterable[str] = ()) -> "Lexicon":
        lex = cls(names)
        codes = set(getattr(names, "table", {})) | {party_codes.NOC}
        for c in setup.councils.values():
            codes.update(c.composition_before or {})
            if c.control_before:
                codes.add(c.control_before)
        for b in setup.baseline_councils.values():
            codes.update(b.seats_won)
            codes.update(b.composition_after)
            codes.add(b.control_after)
        for ws in setup.baseline_wards.values():
            for w in ws:
                codes.update(c.party for c in w.candidates)
        for periods in setup.history.values():
            codes.update(p.control for p in periods)
        for code in sorted(c for c in codes if c):
            lex.add_party(code)
        for c in setup.councils.values():
            lex.add_council(c.slug, c.name)
        for b in setup.baseline_councils.values():
            if b.slug not in lex.council_names:
                lex.add_council(b.slug, b.name)
        for ws in setup.baseline_wards.values():
            for w in ws:
                lex.add_ward(w.ward)
        for w in wards:
            lex.add_ward(w)
        return lex

    def learn(self, evidence: Iterable, codes_of: Callable[[Any], set[str]] | None = None) -> None:
        """Add the parties and wards a story's evidence names that the night did not.
        ``codes_of``: :func:`party_codes_in`, or a function that gives the same (the
        checker passes its :meth:`Evidence.party_codes`, which remembers each fact's codes
        for :attr:`Evidence.parties`)."""
        codes_of = codes_of or party_codes_in
        for f in evidence:
            if not hasattr(f, "get"):
                continue
            for key in ("ward", "baseline_ward"):
                if isinstance(f.get(key), str):
                    self.add_ward(f[key])
            for code in codes_of(f):
                if code not in self.party_codes:
                    self.add_party(code)
            slug, name = f.get("council"), f.get("council_name")
            if isinstance(slug, str) and isinstance(name, str) and slug not in self.council_names:
                self.add_council(slug, name)

    def take_pending(self) -> list[dict]:
        out, self.pending = self.pending, []
        # PARTY first, then COUNCIL, then WARD: the ruler keeps one label per form
        return sorted(out, key=lambda pattern: PRIORITY[pattern["label"]])
