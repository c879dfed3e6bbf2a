"""Number roles: what a figure in copy claims, and whether the evidence says it.

A number's role comes from its unit (seats, councillors, councils, votes, wards, %, points,
none), the cue words just before it (gained, lost, up, down, within, runs, across, from,
needs, all, by, with, on ...), what follows it ("of the 63 seats", "of them", "declared",
"needed for a majority") and the party it is said of: the nearest party before it in its
clause (a party after "from" is never the subject of a figure), else the antecedent of a
"which" clause, else the party the sentence opens with. A number with no unit takes the
unit of the figure before it in the sentence ("controls 35 councils, down eight").

A party's seats are checked against what the words say they count: its seats on the council
after the election ("with 11 seats left on the council", "leaving Labour with 27 seats",
"now stands at Labour 18, Conservatives 11") against the council's make-up only; a figure out
of a total ("winning 18 of the 30 seats", "11 of 24") as one pair with its total (the make-up
of the council's size, seats won of seats up, or, of last time, seats won then of the size
then). A figure of 1800 to 2100 is a year unless its words make it a count ("with a majority
of 1,875", "Conservatives 1,950", "1,900 in all"); a figure where the copy gives a year ("since
records began in", "last fought in", "up 12 on") is a year, whatever its size.

Reading a role needs only the sentence's :class:`~writer.check.types.Skeleton`
(:func:`read_role`: the words around the figure, then one handler per unit), so a night's
templates are read once; :func:`check_role` then tests the figure against a story's
evidence, again with one check per unit, and returns None, or a reason that says what the
data does say ("the data says Labour gained 16").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from writer import parties as party_codes
from writer.check.evidence import Evidence
from writer.check.types import Item, Skeleton, alts, fmt, same

NOC = party_codes.NOC

_UNIT = re.compile(r"^ ?(%|per ?cent\b|percentage points?\b|points?\b|(?:(?:more|net|extra|fewer|additional|new|"
                   r"declared|other) )?(seats?|councillors?|councils?|votes?|wards?|divisions?)\b)")
_NUMERATOR = re.compile(r"^ of (?:the |its |their |these )?⟨N(\d+)⟩ ?(?:(seats?|councils?|wards?|councillors?)\b)?"
                        r"(?P<rest>[^,;.:]*)")
_CUES = re.compile(
    r"\b(?P<gain>net gain of|gain of|gained|gaining|gains?|up|rose|risen|rising|increased?|increasing|advanced?|"
    r"added|adding)\b"
    r"|\b(?P<loss>net loss of|loss of|lost|losing|loses?|lose|down|fell|fallen|falling|dropped|declined?|slipped)\b"
    r"|\b(?P<within>within|net change of|change of)\b"
    r"|\b(?P<ctrl>runs?|ran|running|controls?|controlled|controlling)\b"
    r"|\b(?P<across>across)\b"
    r"|\b(?P<needs>needs?|needed|requires?|required|takes|reach)\b"
    r"|\b(?P<from>from)\b"
    r"|\b(?P<to>to)\b"
    r"|\b(?P<all>all)\b"
    r"|\b(?P<by>by)\b"
    r"|\b(?P<had>had won|had|before)\b"
    r"|\b(?P<hold>won|winning|wins?|taking|takes?|took|taken|with|on|holds?|held|has|have|at|kept|keeps?|"
    r"retains?|retained|elected|returned|now|stands at)\b")
_DIRECTION = re.compile(
    r"\b(?P<up>up|rose|rises|rise|risen|rising|increased?|increases|increasing|surged?|surges|gained|climbed|"
    r"climbs|grew)\b"
    r"|\b(?P<down>down|fell|falls?|fallen|falling|dropped|drops|declined?|declines|slipped|slips|slumped|lost|"
    r"decreased?)\b")
_YEAR_CUES = (
    (re.compile(r"(?:records (?:began|begin|start|started)|records? (?:going|go) back to|records? from|since its "
                r"creation|created|formed|established)(?: in)? $"), "history_from"),
    (re.compile(r"first time since $|not (?:controlled|run|held|won) ⟨C\d+⟩ since $"), "last_controlled_to"),
    (re.compile(r"\blast (?:ran|run|controlled|held|won|had control of|had a majority on)\b[^⟨]*"
                r"(?:⟨[PC]\d+⟩[^⟨]*)*in $"), "last_controlled_to"),
    (re.compile(r"(?:without a break|continuously|uninterrupted(?:ly)?|unbroken|every year) since $"
                r"|(?:had|has|have) (?:controlled|run|held) ⟨C\d+⟩ since $"), "before_since"),
)
# where the copy gives the year of the comparison ("last fought in 2022", "In 2022, ...",
# "up 12 on 2022.", "to 36% on 2022 and", ", compared with 2022."): a year whatever the figure
_YEAR_SLOT = re.compile(r"(?:\b(?:last fought|last contested|same seats|as a whole|seats?)|^) in $"
                        r"|(?:⟩%?|%|\bpoints?|\bseats?|\bcouncillors?|\bunchanged|\blevel|\bno (?:net )?change) "
                        r"(?:on|compared with|against) $"
                        r"|(?:^|, )(?:compared with|against) $"
                        r"|\b(?:be|been|were|was|are|is) compared with $")
_YEAR_SLOT_END = re.compile(r"^(?:[.,;:]|$| and\b| when\b)")
_MONTHS = re.compile(r"^ (?:january|february|march|april|may|june|july|august|september|october|"
                     r"november|december)\b")
_BASELINE_CTX = re.compile(r"\blast (?:fought|contested|time)\b|\bhad won\b|\bwhen these\b|\bbefore this election\b"
                           r"|^in ⟨N\d+⟩,")
_NEEDS_POST = re.compile(r"^ (?:seats? )?(?:are |is |were )?(?:needed|required)\b"
                         r"|^ seats? (?:make|makes|made) a majority"
                         r"|^ seats? to (?:control|run|win)")
_WHICH = re.compile(r"^ ?(?:which|who)\b")
_DECLARED = re.compile(r"\b(?:declared|counted)\b")
_OF_THEM = re.compile(r"^ of (?:them|these)\b")
_DECLARED_POST = re.compile(r"^ (?:seats? |councils? |wards? )?(?:declared|in)\b")
_OF_END = re.compile(r"\bof (?:the |its |their |these )?$")
_FRACTION_OF = re.compile(r"\b(?:a third|half|a quarter|third|quarter) of (?:the |its |their )?$")
_MAJORITY_OF_THE = re.compile(r"\bmajority of (?:the |its |their )$")
_OF_COUNCILS = re.compile(r"\bof (?:the |its |their )?(?:⟨C\d+⟩(?:'s?|') )$")
_MAJORITY = re.compile(r"\bmajority\b")
_WITH = re.compile(r"\bwith\b")
_TOTAL = re.compile(r"\b(?:total|cast|ballots?)\b")
_TAKE = re.compile(r"\b(?:take|takes|took|taken|taking|win|wins|won)\b")
_UP_FROM = re.compile(r"\b(?:up|down) from $")
_IN_ALL = re.compile(r"^ in all\b")
_ELECTED = re.compile(r"^ (?:councillors|seats) (?:elected|were up|up)\b")
_SIZE_FROM = re.compile(r"^ (?:seats )?to ⟨N\d+⟩")
_SIZE_FROM_N = re.compile(r"^ (?:seats )?to ⟨N(\d+)⟩")
_FROM_END = re.compile(r"\bfrom $")
_HANDS = re.compile(r"^ (?:seats )?(?:changed|changing|change) hands\b")
_CHANGE = re.compile(r"^ (?:net )?change\b")
_NOW = re.compile(r"\bnow\b")
_IN_YEAR = re.compile(r"\bin ⟨N\d+⟩")
_NAMED_COUNCILS = re.compile(r"^ ((?:[a-z'-]+ ){1,3})councils?\b")
_NOT_A_NAME = frozenset(("of", "the", "in", "on", "across", "from", "to", "and", "with", "seats", "seat", "more", "other",
                         "by", "at", "for", "than", "a", "an", "its", "their", "these", "those", "were", "was", "are"))
_OTHER_COUNCILS = re.compile(r"^ (?:other|more) councils?\b")
_LEVEL = re.compile(r"⟨P(\d+)⟩ and ⟨P(\d+)⟩ (?:were|are|was|is|stood|stand) (?:level|tied|both|equal) (?:on|at) $")
_MORE = re.compile(r"^ (more|fewer|less) than\b")
_TO_DECLARE = re.compile(r"^ (?:seats? |wards? )?(?:still |yet )?(?:to declare|to come|undeclared|left to declare)\b")
_COUNCILS_DECLARED = re.compile(r"^ councils? (?:declared|counted)\b")
_COUNCILS_COMPARED = re.compile(r"^ councils? compared\b")
# the Commons projection: "Labour would be the largest party with 279 seats, 47 short of a
# majority" (or "12 more than 326 needed for a majority")
_OUTSIDE_GROUPS = re.compile(r"^ declared councils? outside these groups\b")
_PROJECTION = re.compile(r"\bwould be the largest party with\b")
_PROJECTION_MARGIN = re.compile(r"^ (?:short of a majority|more than\b)")
_PROJECTION_NEEDED = re.compile(r"^ needed for a majority\b")
# "lost 12 of the 43 councils they were defending (that have declared)": the councils a
# party ran on the eve of poll, among those declared
_DEFENDING = re.compile(r"^ councils? (?:(?:it|they|that|which) )?(?:was|were|is|are|had been) defending\b")
_EVERY_ONE = re.compile(r"\b(?:lost|losing|lose|loses) (?:all|the|both) $")  # every council it defended
_NOT_COMPARED = re.compile(r"^ councils? that cannot be compared\b")
# what to watch: "Counting goes on in 87 councils", "Among the 74 councils yet to declare a seat"
_STILL_COUNTING = re.compile(r"\b(?:counting (?:goes|went|is going) on|counting continues|still counting) in $")
_YET_TO_DECLARE = re.compile(r"^ councils? (?:yet|still) to declare a seat\b")
# seats counted among those compared: "Labour won 563 of the seats compared", and a sentence
# about them: "Of the seats that can be compared like for like, in 136 councils, Labour won 2,031"
_OF_SEATS_COMPARED = re.compile(r"^ of the seats (?:that can be |that could be )?compared\b")
_SEATS_SENTENCE = re.compile(r"^of the seats (?:that can be |that could be )?compared\b")
# which base a group's or the nation's seats are given on
_ALL_BASE = re.compile(r"\b(?:cannot|can ?not|could not) be compared\b|\bevery seat declared\b")
_COMPARED_BASE = re.compile(r"\b(?:can|could) be compared\b|\bcompared with\b|\bcouncils? compared\b")
_OTHER_MEMBERS = re.compile(r"^ (?:other|independent|non-party) (?:members?|councillors?|seats?)\b")
# a party's seats on the council after the election (composition after), as the council
# stories say it: "with 11 seats left on the council", "and now has 22 seats there",
# "leaving the Conservatives with 11 seats", "left with 11 seats", "Northmoor now stands at
# Labour 18, Conservatives 11", "In Northmoor, Labour has 18 seats, the Conservatives 11",
# "It takes 16 seats to control Northmoor, where Labour has 18 seats"
# a party's councillors so far on a council still counting (those not up plus the seats
# declared): "Labour has 19 seats so far", "and the Conservatives have the most so far, 14"
_SO_FAR_POST = re.compile(r"^ (?:seats? |councillors? )?(?:each )?so far\b")
_SO_FAR_SEG = re.compile(r"\bthe most so far, $")
_ON_COUNCIL_POST = re.compile(r"^ (?:seats? |councillors? )?(?:left\b|there\b|on the council\b)")
_ON_COUNCIL_SEG = re.compile(r"\b(?:leaving (?:⟨P\d+⟩ )?with|left with) $")
_COMPOSITION = re.compile(r"\bstands at\b|^in ⟨C\d+⟩, |\bto control ⟨C\d+⟩, where\b")
# "won 27 of Eastbrook Vale's 48 seats": the numerator of a council's seats
_OF_COUNCIL_SEATS = re.compile(r"^ of (?:the |these )?⟨C\d+⟩(?:'s?|') ⟨N(\d+)⟩ (?:seats?|councillors?)\b")
# the council's size: "a third of Northmoor's 30 seats", "half of the 30 seats"
_SIZE_OF = re.compile(r"\b(?:a third|half|a quarter|third|quarter) of (?:the |its |⟨C\d+⟩(?:'s?|') )$")
# what a year-like figure (1800-2100) cannot be: a count ("with a majority of 1,875",
# "Conservatives 1,950", "1,900 in all", "with 2,010 needed for a majority", "won 1,975 of
# these seats", "from 1,900 to 2,000 seats")
_MAJORITY_FIGURE = re.compile(r"\bmajority\b[^⟨.;]*?(?:⟨C\d+⟩[^⟨.;]*?)?\b(?:of|is|was|at|by|now) $")
_COUNT_POST = re.compile(r"^ (?:of\b|in all\b|(?:seats? )?(?:are |is |were )?(?:needed|required)\b|"
                         r"(?:more|fewer|less) than\b|between them\b|each\b)")


class Role:
    """What a number claims, read from the skeleton alone: its kind (the unit it counts:
    "seat", "council", "vote", "ward", "%", "points", "year", ...), what it says of that
    unit (``aspect``: "gain", "loss", "denominator", ...) and the item index of the party it is
    said of."""

    __slots__ = ("kind", "aspect", "party", "unit", "cue", "key", "direction", "unitless", "strict", "flags")

    def __init__(self, kind: str, aspect: str = "", party: int | None = None, **details) -> None:
        self.kind, self.aspect, self.party = kind, aspect, party
        self.unit = details.get("unit")
        self.cue = details.get("cue")
        self.key = details.get("key")
        self.direction = details.get("direction", 0)
        self.unitless = details.get("unitless", False)
        self.strict = details.get("strict", False)
        self.flags = details.get("flags", ())

    def __repr__(self) -> str:  # for debugging and tests
        return f"Role({self.kind!r}, {self.aspect!r}, party={self.party}, unit={self.unit!r}, cue={self.cue!r})"


def clause_start(text: str, position: int) -> int:
    """Where the clause holding ``position`` begins: after the last comma, semicolon, colon
    or opening bracket before it."""
    best = 0
    for mark in ",;:(":
        found = text.rfind(mark, 0, position)
        if found + 1 > best:
            best = found + 1
    return best


def follows_from(skeleton: Skeleton, index: int) -> bool:
    """Whether item ``index`` follows "from" (an old controller, never the subject of a figure)."""
    at = skeleton.spans[index][0]
    return skeleton.text[max(0, at - 5):at] == "from "


def _follows_to(skeleton: Skeleton, index: int) -> bool:
    at = skeleton.spans[index][0]
    return skeleton.text[max(0, at - 3):at] == "to "


def _in_brackets(text: str, position: int) -> bool:
    return text.rfind("(", 0, position) > text.rfind(")", 0, position)


def subject_index(skeleton: Skeleton, index: int, clause: int) -> int | None:
    """The item index of the party the figure (or verb) at item ``index`` is said of:
    the nearest party before it in its clause (``clause``: where the clause starts), else
    the antecedent of a "which" clause, else an earlier clause's subject, else the first
    party named outside brackets. A party after "from" is never the subject."""
    spans, kinds, no_control = skeleton.spans, skeleton.kinds, skeleton.no_control
    for j in range(index - 1, -1, -1):
        if spans[j][0] < clause:
            break
        if kinds[j] == "P" and not no_control[j] and not follows_from(skeleton, j):
            return j
    if _WHICH.match(skeleton.text[clause:clause + 7]):
        for j in range(index - 1, -1, -1):
            if spans[j][0] < clause and kinds[j] == "P" and not follows_from(skeleton, j):
                return j
    # an earlier clause's subject: the nearest party before that is neither where control
    # came from nor where it went ("the Conservatives 35, down eight"; "X lost control of
    # Barnet to Labour, and now has 22 seats")
    for j in range(index - 1, -1, -1):
        if kinds[j] == "P" and not no_control[j] and not follows_from(skeleton, j) and not _follows_to(skeleton, j):
            return j
    for j, kind in enumerate(kinds):
        if kind == "P" and not no_control[j] and not follows_from(skeleton, j) \
                and not _in_brackets(skeleton.text, spans[j][0]):
            return j
    return None


def _unit_word(word: str) -> str:
    if word.startswith(("%", "per")):
        return "%"
    if "point" in word:
        return "points"
    return word.rstrip("s").replace("councillor", "seat").replace("division", "ward")  # a county's wards


def _unit_after(skeleton: Skeleton, index: int) -> str | None:
    end = skeleton.spans[index][1]
    found = _UNIT.match(skeleton.text[end:end + 40])
    return _unit_word(found.group(2) or found.group(1)) if found else None


def _size_from(skeleton: Skeleton, after: str) -> bool:
    """"from 48 to 45 seats": the figure after "to" counts seats."""
    found = _SIZE_FROM_N.match(after)
    return bool(found) and _unit_after(skeleton, int(found.group(1))) == "seat"


@dataclass(slots=True)
class FigureWords:
    """The words around the figure at item ``index`` of a skeleton, and what they say of it
    so far: its unit, the cue word before it, the party it is said of."""

    skeleton: Skeleton
    index: int
    earlier: list  # the roles read for the items before it (None for items that are not numbers)
    given: str | None  # the matcher's unit: "%", "points", "time", "year" (year-like), "signed"
    after: str  # the skeleton after the figure (100 characters)
    before: str  # the skeleton before the figure
    clause: str  # the clause before the figure
    segment: str  # the words between the item before (in the clause) and the figure
    previous: int | None  # that item's index
    previous_kind: str | None
    unit: str | None = None
    cue: str | None = None
    party: int | None = None
    numerator: re.Match | None = None  # "of the ⟨N4⟩ seats" after the figure
    declared: bool = False
    of_them: bool = False
    denominator: bool = False
    so_far: bool = False

    def role(self, kind: str, aspect: str = "", **details) -> Role:
        """A role said of this figure's party, with its unit and cue."""
        return Role(kind, aspect, self.party, unit=self.unit, cue=self.cue, **details)

    def earlier_role(self, index: int | None) -> Role | None:
        return self.earlier[index] if index is not None else None


def read_role(skeleton: Skeleton, index: int, earlier: list) -> Role:
    """The role of the number at item ``index``, from the skeleton alone. ``earlier``: the
    roles read for the items before it (for the unit of the figure before). Reading goes in
    order: the figure's unit from the words after it, its cue and party; a year or a date
    where the words say so; the unit of an earlier figure; a handful of counts whatever
    their unit; then one handler per unit."""
    if skeleton.units[index] == "time":
        return Role("time")
    words = _words_around(skeleton, index, earlier)
    _read_unit_after(words)
    _read_denominator(words)
    _read_cue_and_party(words)
    _read_unit_from_sentence(words)
    dated = _year_or_date(words)
    if dated is not None:
        return dated
    _read_unit_from_earlier(words)
    special = _special_count(words)
    if special is not None:
        return special
    handler = _BY_UNIT.get(words.unit)
    if handler is not None:
        return handler(words)
    if words.unit == "seat" or words.of_them or (words.unit is None and words.party is not None
                                                  and words.given != "signed"):
        return _seat_role(words)
    return _unitless_role(words)


def _words_around(skeleton: Skeleton, index: int, earlier: list) -> FigureWords:
    text = skeleton.text
    start, end = skeleton.spans[index]
    clause = clause_start(text, start)
    previous_end, previous_kind, previous = clause, None, None
    if index and skeleton.spans[index - 1][0] >= clause:
        previous_end, previous_kind, previous = skeleton.spans[index - 1][1], skeleton.kinds[index - 1], index - 1
    return FigureWords(skeleton, index, earlier, skeleton.units[index], after=text[end:end + 100],
                       before=text[:start], clause=text[clause:start], segment=text[previous_end:start],
                       previous=previous, previous_kind=previous_kind)


def _read_unit_after(words: FigureWords) -> None:
    """The unit the words after the figure give ("35 seats", "the 11 Red Wall councils",
    "18 of the 30 seats"), and whether it counts what has declared."""
    after = words.after
    words.unit = words.given if words.given in ("%", "points") else None
    unit = _UNIT.match(after)
    if words.unit is None and unit:
        words.unit = _unit_word(unit.group(2) or unit.group(1))
    if words.unit is None:
        named = _NAMED_COUNCILS.match(after)  # "the 11 Red Wall councils"
        if named and not (set(named.group(1).split()) & _NOT_A_NAME):
            words.unit = "council"
    numerator = _NUMERATOR.match(after) if words.unit in (None, "seat", "council", "ward") else None
    if numerator:
        if words.unit is None and numerator.group(2):
            words.unit = _unit_word(numerator.group(2))
        rest = numerator.group("rest")
        words.declared = bool(_DECLARED.search(rest) or rest.strip() == "in") and "defending" not in rest
        if words.unit is None:
            words.unit = _unit_after(words.skeleton, int(numerator.group(1)))
    words.numerator = numerator
    words.of_them = bool(_OF_THEM.match(after))
    if words.unit is None and _DECLARED_POST.match(after) and "with" in words.segment:
        words.declared = True


def _read_denominator(words: FigureWords) -> None:
    """Whether the figure is the total of the figure before ("18 of the 30 seats", "a third
    of its 30 seats"), and then the unit it shares with it."""
    segment = words.segment
    words.denominator = bool((words.previous_kind == "N" and _OF_END.search(segment))
                             or _FRACTION_OF.search(segment) or _MAJORITY_OF_THE.search(segment)
                             or _OF_COUNCILS.search(words.before))
    if words.denominator and words.unit is None:
        previous = words.earlier_role(words.previous)
        words.unit = _unit_after(words.skeleton, words.index) or (previous.unit if previous else None)


def _read_cue_and_party(words: FigureWords) -> None:
    """The last cue word before the figure ("gained", "down", "with", "needs", ...), or the
    words after it ("more than"), and the party it is said of."""
    for cue in _CUES.finditer(words.segment):
        words.cue = cue.lastgroup
    more = _MORE.match(words.after)
    if more:
        words.cue = "gain" if more.group(1) == "more" else "loss"
    skeleton = words.skeleton
    words.party = subject_index(skeleton, words.index, clause_start(skeleton.text, skeleton.spans[words.index][0]))


def _read_unit_from_sentence(words: FigureWords) -> None:
    """Seats where the sentence counts seats ("Labour won 563 of the seats compared", "Of
    the seats that can be compared ..."), and the unit and cue of a party's first figure
    for a party's bare figure after it ("Labour has 2,268 councillors, up 43; the
    Conservatives 1,078")."""
    after, given, skeleton = words.after, words.given, words.skeleton
    if words.unit is None and given not in ("signed", "%", "points", "year") and (
            _OF_SEATS_COMPARED.match(after) or (_SEATS_SENTENCE.match(skeleton.text) and words.party is not None
                                                and not (_YEAR_SLOT.search(words.before)
                                                         and _YEAR_SLOT_END.match(after)))):
        words.unit = "seat"
    if words.unit is None and words.previous_kind == "P" and not words.segment.strip() and given != "signed":
        for j in range(words.index):
            role = words.earlier[j]
            if skeleton.kinds[j] == "N" and role is not None and role.party is not None \
                    and role.party != words.previous and role.unit in ("seat", "council") \
                    and role.cue in ("gain", "loss", "ctrl", "hold", "within"):
                words.unit, words.cue = role.unit, role.cue
                break


def _counts(words: FigureWords) -> bool:
    """Whether a year-like figure is, by its words, a count and not a year."""
    after, before = words.after, words.before
    return bool((words.previous_kind == "P" and not words.segment.strip())  # "Conservatives 1,950"
                or _COUNT_POST.match(after) or _ELECTED.match(after) or _TO_DECLARE.match(after)
                or _HANDS.match(after) or _OTHER_MEMBERS.match(after) or _OTHER_COUNCILS.match(after)
                or _MAJORITY_FIGURE.search(before)
                or _ON_COUNCIL_POST.match(after) or _ON_COUNCIL_SEG.search(before)
                or (words.cue in ("from", "to") and _size_from(words.skeleton, after)))


def _year_or_date(words: FigureWords) -> Role | None:
    """A year where the copy gives one ("since records began in 1973", "last ran it in
    2010", "up 12 on 2022", a year-like figure that is not a count), or a day of the month."""
    if words.unit is not None:
        return None
    given, before, after = words.given, words.before, words.after
    if not words.denominator and not words.numerator and given not in ("signed", "%", "points"):
        # a year, whatever the figure (a year changed to "in 14" is a wrong year, not a count)
        for cue, key in _YEAR_CUES:
            if cue.search(before):
                return Role("year", key=key, unit="year")
        if _YEAR_SLOT.search(before) and _YEAR_SLOT_END.match(after):
            return Role("year", key="baseline", unit="year")
    if given == "year" and not words.denominator and not words.numerator and not _counts(words):
        return Role("year", unit="year")
    if _MONTHS.match(after):
        return Role("date")
    return None


def _read_unit_from_earlier(words: FigureWords) -> None:
    """A figure with no unit of its own takes the unit of the figure before it ("controls
    35 councils, down eight"; not one that only sets the scene: "across 10 councils"); a
    council's new size counts seats ("cut from 48 to 45 seats"), and so does a count so far."""
    skeleton = words.skeleton
    if words.unit is None and not words.denominator:
        for j in range(words.index - 1, -1, -1):
            role = words.earlier[j]
            if skeleton.kinds[j] == "N" and role is not None and role.unit not in (None, "year") \
                    and role.cue != "across":
                if role.unit in ("seat", "council"):
                    words.unit = role.unit
                break
    if words.unit is None and words.cue == "from" and _size_from(skeleton, words.after):
        words.unit = "seat"  # "on a council cut from 48 to 45 seats"
    words.so_far = bool(_SO_FAR_POST.match(words.after) or _SO_FAR_SEG.search(words.before))
    if words.unit is None and words.so_far:
        words.unit = "seat"


def _special_count(words: FigureWords) -> Role | None:
    """Counts read by their words whatever their unit: the Commons projection, the councils
    outside the groups, seats still to declare, other councils and other members."""
    after, given, cue, party = words.after, words.given, words.cue, words.party
    if _PROJECTION.search(words.skeleton.text) and given not in ("%", "points", "year", "time"):
        if _PROJECTION_MARGIN.match(after):
            return Role("seat", "projection-margin", party, unit="seat", cue=cue)
        if _PROJECTION_NEEDED.match(after):
            return Role("seat", "projection-needed", party, unit="seat", cue=cue)
        if _PROJECTION.search(words.before):
            return Role("seat", "projection", party, unit="seat", cue=cue)
    if _OUTSIDE_GROUPS.match(after):  # "Elsewhere, in the 57 declared councils outside these groups"
        return Role("council", "outside", None, unit="council", cue=cue)
    if _TO_DECLARE.match(after):
        return Role("seat", "to-declare", None, unit="seat", cue=cue)  # "and eight still to declare"
    if _OTHER_COUNCILS.match(after):  # "A, B and one other council (from the Conservatives)"
        return Role("council", "others", party, unit="council", cue=cue, flags=_other_councils_list(words))
    if _OTHER_MEMBERS.match(after):
        return Role("seat", "other", None, unit="seat", cue=cue)  # "and one other member"
    return None


_NOC_PARTY = frozenset({party_codes.NOC})
_LIST_JOIN = re.compile(r"^(?:, | and |, and )$")
_SOURCE_AFTER = re.compile(r"^ (?:other|more) councils? (from|to) $")
_LIST_VERB = re.compile(r"\b(?:(?P<loss>lost|lose|loses|losing)|(?P<gain>taken|took|takes?|taking|gained|gains?))\b")


def _other_councils_list(words: FigureWords) -> tuple:
    """What "A, B and two other councils from ⟨P⟩" says besides the figure: the councils
    named in the list before it (item indexes), the party after "from" or "to" (its item
    index, or None), whether the list follows "including" (a choice of examples), whether
    the councils were lost (else taken), and the words before the list (which name the
    group, or the councils outside the groups, the list is counted in)."""
    skeleton, index = words.skeleton, words.index
    spans, kinds, text = skeleton.spans, skeleton.kinds, skeleton.text
    named = []
    j = index - 1
    while j >= 0 and kinds[j] == "C" and _LIST_JOIN.match(text[spans[j][1]:spans[j + 1][0]]):
        named.append(j)
        j -= 1
    first = spans[named[-1]][0] if named else spans[index][0]
    including = text[:first].endswith("including ")
    source = None
    if index + 1 < len(kinds) and kinds[index + 1] == "P" \
            and _SOURCE_AFTER.match(text[spans[index][1]:spans[index + 1][0]]):
        source = index + 1
    verbs = [m.lastgroup for m in _LIST_VERB.finditer(text[:first])]
    return (tuple(reversed(named)), source, including, bool(verbs) and verbs[-1] == "loss", text[:first])


# -- one handler per unit ------------------------------------------------------------------------
def _percent_role(words: FigureWords) -> Role:
    """A share: turnout, a majority, a party's share ("Labour and the Conservatives were
    level on 35%": both parties')."""
    if "turnout" in words.clause:
        return words.role("%", "turnout")
    if "majority" in words.clause:
        return words.role("%", "majority")
    level = _LEVEL.search(words.before)
    if level:
        return Role("%", "party", int(level.group(1)), unit=words.unit, cue=words.cue, flags=(int(level.group(2)),))
    return words.role("%", "party" if words.party is not None else "any")


def _points_role(words: FigureWords) -> Role:
    """A change in share, up or down as the last word of direction before it says, or a
    majority in points."""
    if "majority" in words.clause:
        return words.role("points", "majority")
    direction = 0
    for found in _DIRECTION.finditer(words.before):
        direction = 1 if found.lastgroup == "up" else -1
    return words.role("points", "party" if words.party is not None else "any", direction=direction)


def _vote_role(words: FigureWords) -> Role:
    """A winner's votes ("with 1,715 votes"), a total, or a margin."""
    if _WITH.search(words.segment):
        return words.role("vote", "winner")
    if _TOTAL.search(words.clause):
        return words.role("vote", "total")
    return words.role("vote", "majority")


def _ward_role(words: FigureWords) -> Role:
    return words.role("ward")


def _council_role(words: FigureWords) -> Role:
    """Councils: declared, a total ("15 of the 20 councils declared"), not compared, still
    counting, yet to declare; said of a party, those gained, lost, run, compared or run
    before."""
    after, cue = words.after, words.cue
    if words.declared and cue != "ctrl":
        return words.role("council", "declared")
    if words.denominator:
        previous = words.earlier_role(words.previous)
        if _COUNCILS_DECLARED.match(after) and not (previous and previous.aspect == "declared"):
            # "runs 15 of the 20 councils declared so far" (but "with 11 of its 34 councils
            # declared": 34 is all of them)
            return words.role("council", "denominator-declared")
        if _COUNCILS_COMPARED.match(after):
            return words.role("council", "denominator-compared")
        if _DEFENDING.match(after):
            return words.role("council", "denominator-defended")
        return words.role("council", "denominator")
    if _DEFENDING.match(after) and _EVERY_ONE.search(words.before):
        return words.role("council", "all-defended")  # "lost all 12 councils they were defending"
    if _NOT_COMPARED.match(after):
        return words.role("council", "not-compared")
    if _STILL_COUNTING.search(words.before):
        return words.role("council", "open")
    if _YET_TO_DECLARE.match(after):
        return words.role("council", "waiting")
    if words.party is None:
        return words.role("council", "any")
    if cue == "hold" and _TAKE.search(words.segment):
        return words.role("council", "gain")  # "Labour take two councils"
    if _UP_FROM.search(words.segment) or cue == "had":
        return words.role("council", "before")
    if cue in ("gain", "loss", "ctrl", "across"):
        return words.role("council", cue)
    return words.role("council", "other")


def _seat_role(words: FigureWords) -> Role:
    """Seats: declared, a council's size or seats up, seats needed, a majority, seats that
    changed hands; said of a party, its change, its seats before, its seats out of a total,
    so far, on the council after the election, or won."""
    after, before, cue, text = words.after, words.before, words.cue, words.skeleton.text
    unitless = words.unit is None
    if words.declared:
        return words.role("seat", "declared")
    if words.denominator:
        if _SIZE_OF.search(before):
            return words.role("seat", "size")  # "a third of Northmoor's 30 seats"
        return words.role("seat", "denominator")
    if cue == "needs" or _NEEDS_POST.match(after):
        return words.role("seat", "needs")
    if _IN_ALL.match(after):
        return words.role("seat", "in-all")
    if _ELECTED.match(after):
        return words.role("seat", "elected")
    if cue == "from" and _SIZE_FROM.match(after):
        return words.role("seat", "size-from")
    if cue == "to" and words.previous_kind == "N" \
            and _FROM_END.search(text[:words.skeleton.spans[words.previous][0]]):
        return words.role("seat", "size-to")
    if _HANDS.match(after):
        return words.role("seat", "hands")
    if cue == "all":
        return words.role("seat", "all")
    if _MAJORITY.search(words.clause) and not _MAJORITY_OF_THE.search(words.segment):
        return words.role("seat", "majority")
    if words.party is None:
        return words.role("seat", "any", unitless=unitless)
    return _party_seat_role(words)


def _party_seat_role(words: FigureWords) -> Role:
    """A party's seats: its change, its seats before, out of a total ("winning 18 of the 30
    seats", "won 27 of Eastbrook Vale's 48 seats": the figure and its total are one claim),
    so far, on the council after the election, won last time, or won (on the base the
    sentence names)."""
    after, before, cue, text = words.after, words.before, words.cue, words.skeleton.text
    if cue == "within" or _CHANGE.match(after):
        return words.role("seat", "within")
    if cue in ("gain", "loss"):
        return words.role("seat", cue)
    if cue == "from" and _UP_FROM.search(words.segment):
        return words.role("seat", "up-from")
    if words.of_them or cue == "had":
        return words.role("seat", "baseline", strict=True)
    out_of = words.numerator or _OF_COUNCIL_SEATS.match(after)
    if out_of:
        then = bool(_BASELINE_CTX.search(text)) and not _NOW.search(words.clause)
        return words.role("seat", "of-total", flags=(int(out_of.group(1)),), key="then" if then else None)
    if words.so_far:
        return words.role("seat", "so-far")
    if _ON_COUNCIL_POST.match(after) or _ON_COUNCIL_SEG.search(before) or _COMPOSITION.search(before):
        return words.role("seat", "council")
    if _BASELINE_CTX.search(text) and not _NOW.search(words.clause):
        return words.role("seat", "baseline")
    base = ("all",) if _ALL_BASE.search(text) else ("compared",) if _COMPARED_BASE.search(text) else ()
    return words.role("seat", "holdings", flags=(("in-year",) if _IN_YEAR.search(text) else ()) + base)


def _unitless_role(words: FigureWords) -> Role:
    """A figure with no unit and no party: a signed change, a total, a majority, or any
    figure of the evidence."""
    if words.given == "signed":
        return words.role("signed")
    if words.denominator:
        return words.role("denominator")
    if _MAJORITY.search(words.clause) or words.cue == "needs" or _NEEDS_POST.match(words.after):
        return words.role("majority")
    return words.role("any")


_BY_UNIT = {"%": _percent_role, "points": _points_role, "vote": _vote_role, "ward": _ward_role,
            "council": _council_role}


# -- checking a role against the evidence --------------------------------------------------------
def check_role(checker, evidence: Evidence, role: Role, item: Item, party: str | None, sentence: str,
               items=()) -> str | None:
    """None when the evidence supports the figure; else the reason. ``sentence``: the
    skeleton's text; ``items``: the sentence's items."""
    figure = item.value
    kind, aspect = role.kind, role.aspect
    if kind == "time":
        return None if checker.time_ok(evidence, item.text) else "no declaration in the data at that time"
    if kind == "year":
        return _year(evidence, role.key, figure)
    if kind == "date":
        days = {int(fact["at"][8:10]) for fact in evidence.facts
                if isinstance(fact.get("at"), str) and len(fact["at"]) >= 10}
        return None if figure in days else "no declaration in the data on that day"
    if kind == "%":
        problem = _percent(checker, evidence, aspect, sentence, figure, item.decimals, party)
        for other in role.flags if not problem else ():  # both parties of "X and Y were level on"
            problem = _percent(checker, evidence, aspect, sentence, figure, item.decimals,
                               checker.party_of(items[other], evidence))
        return problem
    if kind == "points":
        return _points(checker, evidence, aspect, role.direction, figure, item.decimals, party)
    if kind == "vote":
        return _votes(evidence, aspect, figure)
    if kind == "ward":
        values = [value for value, _ in evidence.scalars("wards_declared", "wards_left_out", "wards_used")]
        return None if figure in values else f"the data says {alts(values)} wards"
    if kind == "council" and aspect == "others" and role.flags:
        return _other_councils(checker, evidence, role, figure, party, items)
    if kind == "council":
        return _councils(checker, evidence, aspect, figure, party)
    if kind == "seat":
        return _seats(checker, evidence, role, figure, party, items)
    if kind == "signed":
        return _signed(checker, evidence, role, figure, party)
    if kind == "denominator":
        values = [value for value, _ in evidence.scalars("total_seats", "seats_up", "baseline_total_seats")]
        values += evidence.tally_any("councils_total")
        return None if figure in values else f"the data says {alts(values)}"
    if kind == "majority":
        values = [value for value, _ in evidence.scalars("majority_needed", "majority_after", "majority")]
        return None if figure in values else f"the data says {alts(values)}"
    if round(float(figure), 1) in evidence.all_numbers:
        return None
    return "no such figure in the data"


def _signed(checker, evidence: Evidence, role: Role, figure, party) -> str | None:
    # a sign after a word of direction says the change twice: "lost -11" is a gain of
    # 11, and "lost +11" or "up -3" contradicts itself ("gained +3" agrees)
    if role.cue == "loss" or (role.cue == "gain" and figure < 0):
        return "a sign and a word of direction say the change twice; write it one way"
    values = (evidence.tally(party, "councils_change") + evidence.seat_change(party)) if party else []
    if figure in values:
        return None
    changes = " or ".join(f"{value:+d}" for value in values)
    return f"the data says {checker.pname(party)} changed by {changes}" if values else "no such change in the data"


def _year(evidence: Evidence, key: str | None, figure: int) -> str | None:
    if key == "baseline" and evidence.comparison_years:  # the year of the comparison
        base = sorted(evidence.comparison_years)
        return None if figure in base else f"the data's comparison year is {alts(base)}"
    if key and key != "baseline":
        values = evidence.year_fact(key)
        if figure in values:
            return None
        what = {"history_from": "the council's records begin in",
                "last_controlled_to": "the party last controlled the council in",
                "before_since": "that control was unbroken since"}[key]
        return f"the data says {what} {alts(sorted(values))}" if values else \
            "the data has no such year in the council's history"
    if figure in evidence.years:
        return None
    base = sorted(evidence.baseline_years)
    return f"the data's comparison year is {alts(base)}" if base else "no such year in the data"


def _percent(checker, evidence: Evidence, aspect: str, sentence: str, figure, decimals: int, party) -> str | None:
    if aspect == "turnout":
        values = [value for value, _ in evidence.scalars("turnout_pct")]
        if any(same(figure, value, decimals) for value in values):
            return None
        return f"the data says turnout was {alts(values)}%"
    if aspect == "majority":
        values = [value for value, _ in evidence.scalars("majority_pct")]
        if any(same(figure, value, decimals) for value in values):
            return None
        return f"the data says the majority was {alts(values)}%"
    if party:
        values = evidence.shares(party) + evidence.context_shares(party, sentence)
        if any(same(figure, value, decimals) for value in values):
            return None
        if values:
            return f"the data says {checker.possessive(party)} share was {alts(round(value, 1) for value in values)}%"
        return f"the data has no share for {checker.pname(party)}"
    values = [value for value, _ in evidence.scalars("turnout_pct", "majority_pct")]
    for fact in evidence.wards_f:
        values += [value for value in (fact.get("shares") or {}).values() if isinstance(value, (int, float))]
    for context in evidence.context:
        values += [value for value in (context.get("values") or {}).values() if isinstance(value, (int, float))]
    return None if any(same(figure, value, decimals) for value in values) else "no such percentage in the data"


def _points(checker, evidence: Evidence, aspect: str, direction: int, figure, decimals: int, party) -> str | None:
    if aspect == "majority":
        values = [value for value, _ in evidence.scalars("majority_pct")]
        if any(same(figure, value, decimals) for value in values):
            return None
        return f"the data says the majority was {alts(values)} points"
    if party:
        values = evidence.share_change(party)
        if direction:
            ok = any(same(direction * figure, value, decimals) for value in values)
        else:
            ok = any(same(figure, abs(value), decimals) for value in values)
        if ok:
            return None
        if not values:
            return f"the data has no change in share for {checker.pname(party)}"
        moved = "rose" if values[0] > 0 else "fell"
        return f"the data says {checker.possessive(party)} share {moved} by {fmt(abs(round(values[0], 1)))} points"
    values = [abs(value) for fact in evidence.wards_f for value in (fact.get("share_change") or {}).values()
              if isinstance(value, (int, float))]
    values += [value for value, _ in evidence.scalars("majority_pct")]
    return None if any(same(figure, value, decimals) for value in values) else "no such change in share in the data"


def _votes(evidence: Evidence, aspect: str, figure) -> str | None:
    if aspect == "winner":
        winners = [winner.get("votes") for fact in evidence.wards_f for winner in fact.get("winners") or ()
                   if isinstance(winner, Mapping)]
        winners = [votes for votes in winners if isinstance(votes, int)]
        return None if figure in winners else f"the data says {alts(winners)} votes"
    if aspect == "total":
        values = [value for value, _ in evidence.scalars("total_votes", "electorate")]
        return None if figure in values else f"the data says {alts(values)} votes"
    majority = [value for value, _ in evidence.scalars("majority")]
    if figure in majority:
        return None
    return f"the data says the margin was {alts(majority)} votes" if majority else "no such vote count in the data"


_DENOMINATOR_KEYS = {"denominator": "councils_total", "denominator-declared": "councils_final",
                     "denominator-compared": "councils_compared", "denominator-defended": "councils_controlled_before"}


_COUNTED_COUNCILS = frozenset(("declared", "outside", "open", "waiting", "not-compared", "any"))


def _council_counts(checker, evidence: Evidence, aspect: str, figure, party) -> str | None:
    """Councils counted whoever runs them: declared, a total, outside the groups, still
    counting or yet to declare, not compared, any."""
    if aspect == "declared":
        values = evidence.tally(party, "councils_final") if party else []
        values = values or evidence.tally_any("councils_final")
        return None if figure in values else f"the data says {alts(values)} councils have declared"
    if aspect.startswith("denominator"):
        key = _DENOMINATOR_KEYS[aspect]
        if aspect == "denominator-defended":  # said of a party: the councils it ran
            values = evidence.tally(party, key) if party else []
            if figure in values:
                return None
            defender = checker.pname(party) if party else "the party"
            return f"the data says {defender} was defending {alts(values)} councils"
        values = (evidence.tally(party, key) if party else []) or evidence.tally_any(key)
        return None if figure in values else f"the data says {alts(values)} councils"
    if aspect == "outside":
        values = [fact["councils_final"] for fact in evidence.tallies_f if fact.get("subject") == "elsewhere"
                  and isinstance(fact.get("councils_final"), int)]
        return None if figure in values else f"the data says {alts(values)} councils outside the groups have declared"
    if aspect in ("open", "waiting"):
        values = [value for value, _ in evidence.scalars("open" if aspect == "open" else "waiting_total")]
        if figure in values:
            return None
        return f"the data says {alts(values)} councils " + \
            ("are still counting" if aspect == "open" else "have yet to declare a seat")
    if aspect == "not-compared":
        values = [fact["councils_final"] - fact["councils_compared"] for fact in evidence.tallies_f
                  if isinstance(fact.get("councils_final"), int) and isinstance(fact.get("councils_compared"), int)]
        return None if figure in values else f"the data says {alts(values)} declared councils cannot be compared"
    values = [value for key in ("councils_compared", "councils_total", "councils_final", "councils_controlled",
                                "councils_gained", "councils_lost") for value in evidence.tally_any(key)]
    values += [abs(value) for value in evidence.tally_any("councils_change")]
    values += [value for value, _ in evidence.scalars("counting_total", "waiting_total", "open")]
    return None if figure in values else f"the data says {alts(values)} councils"


def _other_councils(checker, evidence: Evidence, role: Role, figure, party, items) -> str | None:
    """"Labour has lost A, B and three other councils to no overall control": the councils
    named and the other councils are, together, every council the party took (or lost) from
    (to) that party or no overall control, in the nation, one group or the councils outside
    the groups (the story's tallies); after "including" with no party given, some of them."""
    named, source, including, lost, before = role.flags
    if not party:
        return _councils(checker, evidence, "others", figure, party)
    said = len({slug for j in named for slug in items[j].ids}) + figure
    tally = _clause_tallies(evidence, lost).get(_list_scope(evidence, before))
    counts = [len(_clause_councils(checker, evidence, tally, party, lost, items, source))] if tally else [0]
    if said in counts or (including and source is None and 0 < figure and any(said <= n for n in counts)):
        return None
    how = "lost" if lost else "took"
    whom = "" if source is None else (" to " if lost else " from ") + (
        "no overall control" if items[source].ids == _NOC_PARTY else checker.pname(checker.party_of(items[source], evidence)))
    return f"the data says {checker.pname(party)} {how} {alts(counts)} councils{whom}, {len(named)} of them named"


def _list_scope(evidence: Evidence, before: str) -> str:
    """The tally a list of councils is counted in, from the words before it: the councils
    outside the groups ("Elsewhere, in the 43 declared councils outside these groups"), a
    group the sentence names ("In London, ..."), else the nation."""
    if "outside these groups" in before:
        return "elsewhere"
    for fact in evidence.tallies_f:
        name = fact.get("group_name")
        if fact.get("scope") == "group" and isinstance(name, str) and name and \
                re.search(r"\b(?:in|across) (?:areas such as )?" + re.escape(name.lower()) + r"\b", before):
            return str(fact.get("group"))
    return "national"


def _clause_tallies(evidence: Evidence, lost: bool) -> dict[str, tuple[dict, dict]]:
    """(the party's councils, the other side's) in each tally: for a loss, those lost and
    those the others gained; for a gain, those gained and those the others lost."""
    mine = evidence.council_sets("lost" if lost else "gained")
    theirs = evidence.council_sets("gained" if lost else "lost")
    return {group: (by_party, theirs.get(group, {})) for group, by_party in mine.items()}


def _clause_councils(checker, evidence: Evidence, tally: tuple[dict, dict], party: str, lost: bool,
                     items, source: int | None) -> set[str]:
    mine, theirs = tally
    councils = set(mine.get(party, ()))
    if source is None:
        return councils
    if items[source].ids == _NOC_PARTY:
        return councils - set().union(*theirs.values()) if theirs else councils
    return councils & theirs.get(checker.party_of(items[source], evidence), set())


def _councils(checker, evidence: Evidence, aspect: str, figure, party) -> str | None:
    if aspect in _COUNTED_COUNCILS or aspect.startswith("denominator") or party is None:
        return _council_counts(checker, evidence, aspect, figure, party)
    name = checker.pname(party)
    if aspect == "all-defended":
        pairs = [(fact.get("councils_lost"), fact.get("councils_controlled_before")) for fact in evidence.tallies_f
                 if fact.get("party") == party]
        if (figure, figure) in pairs:
            return None
        return f"the data says {name} lost " + (alts(f"{lost} of the {before}" for lost, before in pairs) or "no") + \
            " councils it was defending"
    if aspect == "others":
        most = max(evidence.tally(party, "councils_gained") + evidence.tally(party, "councils_lost") + [0]) \
            if party else 0
        return None if 0 < figure <= most else f"the data has no further councils for {name}"
    if aspect == "before":
        values = evidence.tally(party, "councils_controlled_before")
        return None if figure in values else f"the data says {name} ran {alts(values)} councils before"
    change = evidence.tally(party, "councils_change")
    if aspect == "gain":
        gained = evidence.tally(party, "councils_gained")
        values = gained + [value for value in change if value > 0]
        return None if figure in values else f"the data says {name} gained {alts(gained)} councils"
    if aspect == "loss":
        lost = evidence.tally(party, "councils_lost")
        values = lost + [-value for value in change if value < 0]
        return None if figure in values else f"the data says {name} lost {alts(lost)} councils"
    if aspect == "ctrl":
        values = evidence.tally(party, "councils_controlled")
        return None if figure in values else f"the data says {name} controls {alts(values)} councils"
    if aspect == "across":
        values = evidence.tally(party, "councils_compared")
        return None if figure in values else f"the data says {alts(values)} councils were compared"
    values = evidence.tally(party, "councils_compared") + evidence.tally(party, "councils_total") + \
        evidence.tally(party, "councils_final") + evidence.tally(party, "councils_controlled")
    return None if figure in values else f"the data says {alts(values)} councils"


def says_change(checker, party: str, values: list) -> str:
    name = checker.pname(party)
    if not values:
        return f"the data has no seat change for {name}"
    parts = []
    for value in sorted(set(values), key=lambda change: -abs(change)):
        parts.append(f"gained {value}" if value > 0 else f"lost {-value}" if value < 0 else "had no net change")
    return f"the data says {name} {' or '.join(parts)}"


_HOLDING_WORDS = {"composition_after": "{} in all", "seats_won": "won {}", "won": "won {}",
                  "seats_won_compared": "won {} in the wards compared", "tally_seats_won": "won {} in all",
                  "tally_seats_won_compared": "won {} in the councils that can be compared"}


def _says_holdings(checker, party: str, evidence: Evidence) -> str:
    name = checker.pname(party)
    seen: dict[str, int] = {}
    for value, key in evidence.holdings(party):
        seen.setdefault(key, value)
    if not seen:
        return f"the data has no seats for {name}"
    return f"the data says {name}: " + ", ".join(_HOLDING_WORDS.get(key, "{}").format(value)
                                                 for key, value in seen.items())


def _scalar_check(evidence: Evidence, figure, keys: tuple[str, ...], says: str) -> str | None:
    values = [value for value, _ in evidence.scalars(*keys)]
    return None if figure in values else says.format(alts(values))


_SEAT_SCALARS = {
    "declared": (("settled_seats_declared", "seats_declared"), "the data says {} seats had declared"),
    "denominator": (("total_seats", "seats_up", "baseline_total_seats"), "the data says the council has {} seats"),
    "needs": (("majority_needed",), "the data says a majority needs {}"),
    "in-all": (("seats_up",), "the data says {} seats were up"),
    "size": (("total_seats",), "the data says the council has {} seats"),
    "elected": (("seats", "seats_up"), "the data says {} seats"),
    "size-from": (("baseline_total_seats",), "the data says the council had {} seats before"),
    "size-to": (("total_seats",), "the data says the council now has {} seats"),
    "all": (("total_seats", "seats_up"), "the data says {} seats"),
    "majority": (("majority_after", "majority"), "the data says the majority is {}"),
}
_ANY_SEATS = ("total_seats", "seats_up", "majority_needed", "seats_declared", "settled_seats_declared",
              "baseline_total_seats", "seats", "extra_seats", "gains_count", "max_abs_change")


def _of_total(checker, evidence: Evidence, role: Role, figure, party: str, items) -> str | None:
    """"18 of the 30 seats": the party's seats and the total they are out of, as one pair
    of the evidence (the council's make-up and size; seats won and seats up; a ward's
    winners and its seats; where the sentence speaks of last time, the seats won then and
    the council's size then)."""
    total = items[role.flags[0]].value if role.flags and role.flags[0] < len(items) else None
    pairs = evidence.seat_pairs(party, role.key == "then")
    if total is None:  # the total could not be read: the party's seats, whatever the total
        return None if figure in [seats for seats, _, _ in pairs] else _says_holdings(checker, party, evidence)
    if any(seats == figure and out_of == total for seats, out_of, _ in pairs):
        return None
    if not pairs:
        return f"the data has no seats for {checker.pname(party)}"
    words = {"then": "won {} of {} last time",
             "council": checker.verb(party, "has", "have") + " {} of the {} seats on the council",
             "won": "won {} of the {} seats up", "ward": "won {} of the {} seats in the ward"}
    says: list[str] = []
    same_total = [pair for pair in pairs if pair[1] == total]
    for seats, out_of, what in same_total or pairs:  # those out of the same total first
        text = words[what].format(fmt(seats), fmt(out_of))
        if text not in says:
            says.append(text)
    return f"the data says {checker.pname(party)} {' or '.join(says)}"


def _named_councils(evidence: Evidence, items) -> list:
    """The facts of the councils a sentence names, where the evidence has them (a round-up
    names several councils: "In Southampton, ... Labour has 21 seats so far, with 25 needed
    for a majority and seven still to declare" is about Southampton alone); else every
    council's."""
    slugs = {slug for item in items if item.kind == "C" for slug in item.ids}
    named = [fact for fact in evidence.councils_f if fact.get("council") in slugs] if slugs else []
    return named or evidence.councils_f


def _projection(evidence: Evidence, aspect: str, figure, party) -> str | None:
    """A Commons projection figure, against the projection the story was drafted from."""
    found = [fact["national_picture"]["commons_projection"] for fact in evidence.facts
             if fact.get("scope") == "projection" and isinstance(fact.get("national_picture"), Mapping)
             and isinstance(fact["national_picture"].get("commons_projection"), Mapping)]
    if not found:
        return "the data has no Commons projection"
    if aspect == "projection":
        values = [projection["seats"].get(party, 0) for projection in found
                  if party and projection.get("largest_party") == party]
        if figure in values:
            return None
        largest = [projection["seats"].get(projection.get("largest_party"), 0) for projection in found]
        return f"the data's projection has the largest party on {alts(largest)} seats"
    if aspect == "projection-needed":
        values = [projection.get("majority_needed") for projection in found]
        return None if figure in values else f"the data says a majority needs {alts(values)}"
    values = [abs(projection.get("majority", 0)) for projection in found]
    return None if figure in values else f"the data's projection is {alts(values)} seats from a majority"


_COUNTED_SEATS = frozenset(_SEAT_SCALARS) | {"needs", "to-declare", "other", "hands", "any"}


def _seat_counts(checker, evidence: Evidence, role: Role, figure, party, items) -> str | None:
    """Seats counted whichever party holds them: projected, needed, the council's size or
    seats up, still to declare, held by others, changed hands, any."""
    aspect = role.aspect
    if aspect.startswith("projection"):
        return _projection(evidence, aspect, figure, party)
    if aspect == "needs" and evidence.councils_f:
        values = [fact["majority_needed"] for fact in _named_councils(evidence, items)
                  if isinstance(fact.get("majority_needed"), int)]
        return None if figure in values else f"the data says a majority needs {alts(values)}"
    if aspect in _SEAT_SCALARS:
        keys, says = _SEAT_SCALARS[aspect]
        return _scalar_check(evidence, figure, keys, says)
    if aspect == "to-declare":
        left = [fact["seats_up"] - fact["seats_declared"] for fact in _named_councils(evidence, items)
                if isinstance(fact.get("seats_up"), int) and isinstance(fact.get("seats_declared"), int)]
        return None if figure in left else f"the data says {alts(left)} seats are still to declare"
    if aspect == "other":
        values = [value for value, _ in evidence.holdings("Other")]
        return None if figure in values else _says_holdings(checker, "Other", evidence)
    if aspect == "hands":
        moved = [sum(value for value in fact["seat_change"].values() if value > 0)
                 for fact in evidence.councils_f + evidence.wards_f if isinstance(fact.get("seat_change"), Mapping)]
        return None if figure in moved else f"the data says {alts(moved)} seats changed hands"
    values = [value for value, _ in evidence.scalars(*_ANY_SEATS)]
    if figure in values or (role.unitless and round(float(figure), 1) in evidence.all_numbers):
        return None
    return f"no such number of seats in the data (it has {alts(sorted(set(values)))})"


def _seats(checker, evidence: Evidence, role: Role, figure, party, items=()) -> str | None:
    aspect = role.aspect
    if aspect.startswith("projection") or aspect in _COUNTED_SEATS or party is None:
        return _seat_counts(checker, evidence, role, figure, party, items)
    if aspect == "so-far":
        values = [fact["so_far"].get(party, 0) for fact in _named_councils(evidence, items)
                  if isinstance(fact.get("so_far"), Mapping)]
        if figure in values:
            return None
        return (f"the data says {checker.pname(party)} {checker.verb(party, 'has', 'have')} {alts(values)} so far "
                f"(councillors not up plus the seats declared)" if values
                else "the data has no count of seats so far for this council")
    if aspect == "council":
        values = evidence.composition(party)
        if figure in values:
            return None
        return (f"the data says {checker.pname(party)} {checker.verb(party, 'has', 'have')} {alts(values)} "
                f"{'seat' if values == [1] else 'seats'} on the council" if values
                else "the data has no make-up of the council after the election")
    if aspect == "of-total":
        return _of_total(checker, evidence, role, figure, party, items)
    return _seat_change_or_holding(checker, evidence, role, figure, party)


def _seat_change_or_holding(checker, evidence: Evidence, role: Role, figure, party) -> str | None:
    """A party's seat change (net, gained, lost), its seats before, or its seats won (on
    the base the sentence names: a group's or the nation's seats are said over every seat
    declared or over the councils that can be compared, and the words say which)."""
    aspect = role.aspect
    changes = evidence.seat_change(party)
    if aspect == "within":
        return None if figure in [abs(value) for value in changes] else says_change(checker, party, changes)
    if aspect == "gain":
        # "Labour gained two seats from the Conservatives and one from the Greens": a count of
        # the seats taken from one party is as good as the net change
        losers = {loser for gainer, loser in evidence.ward_gains() if gainer == party}
        per_loser = {count for loser in losers for count in evidence.gains_count(party, loser)}
        ok = figure in changes or figure in evidence.gains_count(party) or figure in per_loser
        return None if ok else says_change(checker, party, changes)
    if aspect == "loss":
        return None if -figure in changes else says_change(checker, party, changes)
    if aspect == "up-from":
        values = evidence.baseline(party)
        return None if figure in values else f"the data says {checker.pname(party)} had {alts(values)} before"
    if aspect == "baseline":
        values = evidence.baseline(party)
        if figure in values or (not role.strict and figure in [value for value, _ in evidence.holdings(party)]):
            return None
        return (f"the data says {checker.pname(party)} won {alts(values)} last time" if values
                else f"the data has no earlier seats for {checker.pname(party)}")
    skip = ("tally_seats_won" if "compared" in role.flags
            else "tally_seats_won_compared" if "all" in role.flags else None)
    values = [value for value, key in evidence.holdings(party) if key != skip]
    if figure in values or ("in-year" in role.flags and figure in evidence.baseline(party)):
        return None
    return _says_holdings(checker, party, evidence)
