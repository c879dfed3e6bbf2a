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

Reading a role needs only the sentence's skeleton (:func:`read_role`), so a night's
templates are read once; :func:`check_role` then tests the figure against a story's
evidence and returns None, or a reason that says what the data does say ("the data says
Labour gained 16").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from writer import parties as party_codes
from writer.check.evidence import Evidence
from writer.check.types import Item, alts, fmt, same

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
    """What a number claims, read from the skeleton alone."""

    __slots__ = ("kind", "sub", "party", "unit", "cue", "key", "direction", "unitless", "strict", "flags")

    def __init__(self, kind: str, sub: str = "", party: int | None = None, **kw) -> None:
        self.kind, self.sub, self.party = kind, sub, party
        self.unit = kw.get("unit")
        self.cue = kw.get("cue")
        self.key = kw.get("key")
        self.direction = kw.get("direction", 0)
        self.unitless = kw.get("unitless", False)
        self.strict = kw.get("strict", False)
        self.flags = kw.get("flags", ())

    def __repr__(self) -> str:  # for debugging and tests
        return f"Role({self.kind!r}, {self.sub!r}, party={self.party}, unit={self.unit!r}, cue={self.cue!r})"


def clause_start(skel: str, pos: int) -> int:
    best = 0
    for ch in ",;:(":
        k = skel.rfind(ch, 0, pos)
        if k + 1 > best:
            best = k + 1
    return best


def from_role(skel: str, phs, j: int) -> bool:
    """Whether item j follows "from" (an old controller, never the subject of a figure)."""
    a = phs[j][0]
    return skel[max(0, a - 5):a] == "from "


def bound_index(skel: str, phs, kinds: tuple, noc: tuple, k: int, cs: int) -> int | None:
    """The index of the party a figure (or verb) at item index k is said of."""
    for j in range(k - 1, -1, -1):
        if phs[j][0] < cs:
            break
        if kinds[j] == "P" and not noc[j] and not from_role(skel, phs, j):
            return j
    if _WHICH.match(skel[cs:cs + 7]):
        for j in range(k - 1, -1, -1):
            if phs[j][0] < cs and kinds[j] == "P" and not from_role(skel, phs, j):
                return j
    # an earlier clause's subject: the nearest party before that is neither where control
    # came from nor where it went ("the Conservatives 35, down eight"; "X lost control of
    # Barnet to Labour, and now has 22 seats")
    for j in range(k - 1, -1, -1):
        if kinds[j] == "P" and not noc[j] and not from_role(skel, phs, j) and not _to_role(skel, phs, j):
            return j
    for j, kind in enumerate(kinds):
        if kind == "P" and not noc[j] and not from_role(skel, phs, j) and not _in_brackets(skel, phs[j][0]):
            return j
    return None


def _in_brackets(skel: str, pos: int) -> bool:
    return skel.rfind("(", 0, pos) > skel.rfind(")", 0, pos)


def _to_role(skel: str, phs, j: int) -> bool:
    a = phs[j][0]
    return skel[max(0, a - 3):a] == "to "


def _unit_word(word: str) -> str:
    if word.startswith(("%", "per")):
        return "%"
    if "point" in word:
        return "points"
    return word.rstrip("s").replace("councillor", "seat").replace("division", "ward")  # a county's wards


def _unit_after(skel: str, phs, k: int) -> str | None:
    m = _UNIT.match(skel[phs[k][1]:phs[k][1] + 40])
    return _unit_word(m.group(2) or m.group(1)) if m else None


def _size_from(skel: str, phs, post: str) -> bool:
    """"from 48 to 45 seats": the figure after "to" counts seats."""
    m = _SIZE_FROM_N.match(post)
    return bool(m) and _unit_after(skel, phs, int(m.group(1))) == "seat"


def _counts(skel: str, phs, seg: str, post: str, k: int, prev_kind: str | None, cue: str | None) -> bool:
    """Whether a year-like figure is, by its words, a count and not a year."""
    before = skel[:phs[k][0]]
    return bool((prev_kind == "P" and not seg.strip())  # "Conservatives 1,950"
                or _COUNT_POST.match(post) or _ELECTED.match(post) or _TO_DECLARE.match(post)
                or _HANDS.match(post) or _OTHER_MEMBERS.match(post) or _OTHER_COUNCILS.match(post)
                or _MAJORITY_FIGURE.search(before)
                or _ON_COUNCIL_POST.match(post) or _ON_COUNCIL_SEG.search(before)
                or (cue in ("from", "to") and _size_from(skel, phs, post)))


def read_role(skel: str, phs, kinds: tuple, noc: tuple, units: tuple, k: int, roles: list) -> Role:
    """The role of the number at item index k. ``units``: each item's matcher unit ("%",
    "points", "time", "year" for a year-like figure, "signed"); ``roles``: the roles read
    for earlier items (for the unit of the figure before)."""
    a, b = phs[k]
    post = skel[b:b + 100]
    cs = clause_start(skel, a)
    prev_end, prev_kind, prev_k = cs, None, None
    if k and phs[k - 1][0] >= cs:
        prev_end, prev_kind, prev_k = phs[k - 1][1], kinds[k - 1], k - 1
    seg = skel[prev_end:a]
    before = skel[:a]
    clause = skel[cs:a]
    given = units[k]
    if given == "time":
        return Role("time")

    unit = given if given in ("%", "points") else None
    declared = False
    m = _UNIT.match(post)
    if unit is None and m:
        unit = _unit_word(m.group(2) or m.group(1))
    if unit is None:
        named = _NAMED_COUNCILS.match(post)  # "the 11 Red Wall councils"
        if named and not (set(named.group(1).split()) & _NOT_A_NAME):
            unit = "council"
    nm = _NUMERATOR.match(post) if unit in (None, "seat", "council", "ward") else None
    if nm:
        if unit is None and nm.group(2):
            unit = _unit_word(nm.group(2))
        rest = nm.group("rest")
        declared = bool(_DECLARED.search(rest) or rest.strip() == "in") and "defending" not in rest
        if unit is None:
            unit = _unit_after(skel, phs, int(nm.group(1)))
    of_them = bool(_OF_THEM.match(post))
    if unit is None and _DECLARED_POST.match(post) and "with" in seg:
        declared = True
    denominator = bool((prev_kind == "N" and _OF_END.search(seg)) or _FRACTION_OF.search(seg)
                       or _MAJORITY_OF_THE.search(seg) or _OF_COUNCILS.search(before))
    if denominator and unit is None:
        unit = _unit_after(skel, phs, k) or (roles[prev_k].unit if prev_k is not None and roles[prev_k] else None)
    cue = None
    for cm in _CUES.finditer(seg):
        cue = cm.lastgroup
    more = _MORE.match(post)
    if more:
        cue = "gain" if more.group(1) == "more" else "loss"
    party = bound_index(skel, phs, kinds, noc, k, cs)
    if unit is None and given not in ("signed", "%", "points", "year") and (
            _OF_SEATS_COMPARED.match(post) or (_SEATS_SENTENCE.match(skel) and party is not None
                                               and not (_YEAR_SLOT.search(before) and _YEAR_SLOT_END.match(post)))):
        unit = "seat"
    if unit is None and prev_kind == "P" and not seg.strip() and given != "signed":
        # "Labour has 2,268 councillors, up 43; the Conservatives 1,078": the figure stands
        # for the sentence's first figure said of a party ("and the Lib Dems 26")
        for j in range(k):
            r = roles[j]
            if kinds[j] == "N" and r is not None and r.party is not None and r.party != prev_k \
                    and r.unit in ("seat", "council") and r.cue in ("gain", "loss", "ctrl", "hold", "within"):
                unit, cue = r.unit, r.cue
                break

    if unit is None and not denominator and not nm and given not in ("signed", "%", "points"):
        # "since records began in 1973", "last ran it in 2010": a year, whatever the figure
        # (a year changed to "in 14" is a wrong year, not a count)
        for rx, key in _YEAR_CUES:
            if rx.search(before):
                return Role("year", key=key, unit="year")
        if _YEAR_SLOT.search(before) and _YEAR_SLOT_END.match(post):
            return Role("year", key="baseline", unit="year")
    if unit is None and given == "year" and not denominator and not nm and not _counts(skel, phs, seg, post, k,
                                                                                       prev_kind, cue):
        return Role("year", unit="year")
    if unit is None and _MONTHS.match(post):
        return Role("date")
    if unit is None and not denominator:
        # "controls 35 councils, down eight": the unit of the figure before (not one that
        # only sets the scene: "across 10 councils")
        for j in range(k - 1, -1, -1):
            r = roles[j]
            if kinds[j] == "N" and r is not None and r.unit not in (None, "year") and r.cue != "across":
                if r.unit in ("seat", "council"):
                    unit = r.unit
                break

    if unit is None and cue == "from" and _size_from(skel, phs, post):
        unit = "seat"  # "on a council cut from 48 to 45 seats"
    so_far = bool(_SO_FAR_POST.match(post) or _SO_FAR_SEG.search(before))
    if unit is None and so_far:
        unit = "seat"

    def role(kind: str, sub: str = "", **kw) -> Role:
        return Role(kind, sub, party, unit=unit, cue=cue, **kw)

    if _PROJECTION.search(skel) and given not in ("%", "points", "year", "time"):
        if _PROJECTION_MARGIN.match(post):
            return Role("seat", "projection-margin", party, unit="seat", cue=cue)
        if _PROJECTION_NEEDED.match(post):
            return Role("seat", "projection-needed", party, unit="seat", cue=cue)
        if _PROJECTION.search(before):
            return Role("seat", "projection", party, unit="seat", cue=cue)
    if _OUTSIDE_GROUPS.match(post):  # "Elsewhere, in the 57 declared councils outside these groups"
        return Role("council", "outside", None, unit="council", cue=cue)
    if _TO_DECLARE.match(post):
        return Role("seat", "to-declare", None, unit="seat", cue=cue)  # "and eight still to declare"
    if _OTHER_COUNCILS.match(post):
        return Role("council", "others", party, unit="council", cue=cue)  # "and one other council"
    if _OTHER_MEMBERS.match(post):
        return Role("seat", "other", None, unit="seat", cue=cue)  # "and one other member"
    if unit == "%":
        if "turnout" in clause:
            return role("%", "turnout")
        if "majority" in clause:
            return role("%", "majority")
        level = _LEVEL.search(before)  # "Labour and the Conservatives were level on 35%"
        if level:
            return Role("%", "party", int(level.group(1)), unit=unit, cue=cue, flags=(int(level.group(2)),))
        return role("%", "party" if party is not None else "any")
    if unit == "points":
        if "majority" in clause:
            return role("points", "majority")
        direction = 0
        for dm in _DIRECTION.finditer(before):
            direction = 1 if dm.lastgroup == "up" else -1
        return role("points", "party" if party is not None else "any", direction=direction)
    if unit == "vote":
        if _WITH.search(seg):
            return role("vote", "winner")
        if _TOTAL.search(clause):
            return role("vote", "total")
        return role("vote", "majority")
    if unit == "ward":
        return role("ward")
    if unit == "council":
        if declared and cue != "ctrl":
            return role("council", "declared")
        if denominator:
            prev_role = roles[prev_k] if prev_k is not None else None
            if _COUNCILS_DECLARED.match(post) and not (prev_role and prev_role.sub == "declared"):
                # "runs 15 of the 20 councils declared so far" (but "with 11 of its 34
                # councils declared": 34 is all of them)
                return role("council", "denominator-declared")
            if _COUNCILS_COMPARED.match(post):
                return role("council", "denominator-compared")
            if _DEFENDING.match(post):
                return role("council", "denominator-defended")
            return role("council", "denominator")
        if _NOT_COMPARED.match(post):
            return role("council", "not-compared")
        if _STILL_COUNTING.search(before):
            return role("council", "open")
        if _YET_TO_DECLARE.match(post):
            return role("council", "waiting")
        if party is None:
            return role("council", "any")
        if cue == "hold" and _TAKE.search(seg):
            return role("council", "gain")  # "Labour take two councils"
        if _UP_FROM.search(seg) or cue == "had":
            return role("council", "before")
        if cue in ("gain", "loss", "ctrl", "across"):
            return role("council", cue)
        return role("council", "other")
    if unit == "seat" or of_them or (unit is None and party is not None and given != "signed"):
        unitless = unit is None
        if declared:
            return role("seat", "declared")
        if denominator:
            if _SIZE_OF.search(before):
                return role("seat", "size")  # "a third of Northmoor's 30 seats"
            return role("seat", "denominator")
        if cue == "needs" or _NEEDS_POST.match(post):
            return role("seat", "needs")
        if _IN_ALL.match(post):
            return role("seat", "in-all")
        if _ELECTED.match(post):
            return role("seat", "elected")
        if cue == "from" and _SIZE_FROM.match(post):
            return role("seat", "size-from")
        if cue == "to" and prev_kind == "N" and _FROM_END.search(skel[:phs[prev_k][0]]):
            return role("seat", "size-to")
        if _HANDS.match(post):
            return role("seat", "hands")
        if cue == "all":
            return role("seat", "all")
        if _MAJORITY.search(clause) and not _MAJORITY_OF_THE.search(seg):
            return role("seat", "majority")
        if party is None:
            return role("seat", "any", unitless=unitless)
        if cue == "within" or _CHANGE.match(post):
            return role("seat", "within")
        if cue in ("gain", "loss"):
            return role("seat", cue)
        if cue == "from" and _UP_FROM.search(seg):
            return role("seat", "up-from")
        if of_them or cue == "had":
            return role("seat", "baseline", strict=True)
        # "winning 18 of the 30 seats", "the most seats: 11 of 24", "won 27 of Eastbrook
        # Vale's 48 seats": the figure and its total are one claim (18 of the council's 30
        # seats is its make-up; 5 of the 10 up, what it won tonight)
        of_council = None if nm else _OF_COUNCIL_SEATS.match(post)
        if nm or of_council:
            then = bool(_BASELINE_CTX.search(skel)) and not _NOW.search(clause)
            return role("seat", "of-total", flags=(int((nm or of_council).group(1)),), key="then" if then else None)
        if so_far and party is not None:
            return role("seat", "so-far")
        if _ON_COUNCIL_POST.match(post) or _ON_COUNCIL_SEG.search(before) or _COMPOSITION.search(before):
            return role("seat", "council")
        if _BASELINE_CTX.search(skel) and not _NOW.search(clause):
            return role("seat", "baseline")
        base = ("all",) if _ALL_BASE.search(skel) else ("compared",) if _COMPARED_BASE.search(skel) else ()
        return role("seat", "holdings", flags=(("in-year",) if _IN_YEAR.search(skel) else ()) + base)
    if given == "signed":
        return role("signed")
    if denominator:
        return role("denominator")
    if _MAJORITY.search(clause) or cue == "needs" or _NEEDS_POST.match(post):
        return role("majority")
    return role("any")


# -- checking a role against the evidence --------------------------------------------------------
def check_role(ctx, ev: Evidence, role: Role, it: Item, party: str | None, skel: str, items=()) -> str | None:
    """None when the evidence supports the figure; else the reason."""
    n = it.value
    kind, sub = role.kind, role.sub
    if kind == "time":
        return None if ctx.time_ok(ev, it.text) else "no declaration in the data at that time"
    if kind == "year":
        return _year(ev, role.key, n)
    if kind == "date":
        days = {int(f["at"][8:10]) for f in ev.facts if isinstance(f.get("at"), str) and len(f["at"]) >= 10}
        return None if n in days else "no declaration in the data on that day"
    if kind == "%":
        problem = _percent(ctx, ev, sub, skel, n, it.decimals, party)
        for other in role.flags if not problem else ():  # both parties of "X and Y were level on"
            problem = _percent(ctx, ev, sub, skel, n, it.decimals, ctx.party_of(items[other], ev))
        return problem
    if kind == "points":
        return _points(ctx, ev, sub, role.direction, n, it.decimals, party)
    if kind == "vote":
        return _votes(ev, sub, n)
    if kind == "ward":
        vals = [v for v, _ in ev.scalars("wards_declared", "wards_left_out", "wards_used")]
        return None if n in vals else f"the data says {alts(vals)} wards"
    if kind == "council":
        return _councils(ctx, ev, sub, n, party)
    if kind == "seat":
        return _seats(ctx, ev, role, n, party, items)
    if kind == "signed":
        # a sign after a word of direction says the change twice: "lost -11" is a gain of
        # 11, and "lost +11" or "up -3" contradicts itself ("gained +3" agrees)
        if role.cue == "loss" or (role.cue == "gain" and n < 0):
            return "a sign and a word of direction say the change twice; write it one way"
        vals = (ev.tally(party, "councils_change") + ev.seat_change(party)) if party else []
        if n in vals:
            return None
        changes = " or ".join(f"{v:+d}" for v in vals)
        return f"the data says {ctx.pname(party)} changed by {changes}" if vals else "no such change in the data"
    if kind == "denominator":
        vals = [v for v, _ in ev.scalars("total_seats", "seats_up", "baseline_total_seats")]
        vals += ev.tally_any("councils_total")
        return None if n in vals else f"the data says {alts(vals)}"
    if kind == "majority":
        vals = [v for v, _ in ev.scalars("majority_needed", "majority_after", "majority")]
        return None if n in vals else f"the data says {alts(vals)}"
    if round(float(n), 1) in ev.all_numbers:
        return None
    return "no such figure in the data"


def _year(ev: Evidence, key: str | None, n: int) -> str | None:
    if key == "baseline" and ev.comparison_years:  # the year of the comparison
        base = sorted(ev.comparison_years)
        return None if n in base else f"the data's comparison year is {alts(base)}"
    if key and key != "baseline":
        vals = ev.year_fact(key)
        if n in vals:
            return None
        what = {"history_from": "the council's records begin in",
                "last_controlled_to": "the party last controlled the council in",
                "before_since": "that control was unbroken since"}[key]
        return f"the data says {what} {alts(sorted(vals))}" if vals else \
            "the data has no such year in the council's history"
    if n in ev.years:
        return None
    base = sorted(ev.baseline_years)
    return f"the data's comparison year is {alts(base)}" if base else "no such year in the data"


def _percent(ctx, ev: Evidence, sub: str, skel: str, n, decimals: int, party) -> str | None:
    if sub == "turnout":
        vals = [v for v, _ in ev.scalars("turnout_pct")]
        return None if any(same(n, v, decimals) for v in vals) else f"the data says turnout was {alts(vals)}%"
    if sub == "majority":
        vals = [v for v, _ in ev.scalars("majority_pct")]
        return None if any(same(n, v, decimals) for v in vals) else f"the data says the majority was {alts(vals)}%"
    if party:
        vals = ev.shares(party) + ev.context_shares(party, skel)
        if any(same(n, v, decimals) for v in vals):
            return None
        if vals:
            return f"the data says {ctx.possessive(party)} share was {alts(round(v, 1) for v in vals)}%"
        return f"the data has no share for {ctx.pname(party)}"
    vals = [v for v, _ in ev.scalars("turnout_pct", "majority_pct")]
    for f in ev.wards_f:
        vals += [v for v in (f.get("shares") or {}).values() if isinstance(v, (int, float))]
    for c in ev.context:
        vals += [v for v in (c.get("values") or {}).values() if isinstance(v, (int, float))]
    return None if any(same(n, v, decimals) for v in vals) else "no such percentage in the data"


def _points(ctx, ev: Evidence, sub: str, direction: int, n, decimals: int, party) -> str | None:
    if sub == "majority":
        vals = [v for v, _ in ev.scalars("majority_pct")]
        if any(same(n, v, decimals) for v in vals):
            return None
        return f"the data says the majority was {alts(vals)} points"
    if party:
        vals = ev.share_change(party)
        if direction:
            ok = any(same(direction * n, v, decimals) for v in vals)
        else:
            ok = any(same(n, abs(v), decimals) for v in vals)
        if ok:
            return None
        if not vals:
            return f"the data has no change in share for {ctx.pname(party)}"
        v = vals[0]
        moved = "rose" if v > 0 else "fell"
        return f"the data says {ctx.possessive(party)} share {moved} by {fmt(abs(round(v, 1)))} points"
    vals = [abs(v) for f in ev.wards_f for v in (f.get("share_change") or {}).values() if isinstance(v, (int, float))]
    vals += [v for v, _ in ev.scalars("majority_pct")]
    return None if any(same(n, v, decimals) for v in vals) else "no such change in share in the data"


def _votes(ev: Evidence, sub: str, n) -> str | None:
    if sub == "winner":
        winners = [w.get("votes") for f in ev.wards_f for w in f.get("winners") or () if isinstance(w, Mapping)]
        winners = [v for v in winners if isinstance(v, int)]
        return None if n in winners else f"the data says {alts(winners)} votes"
    if sub == "total":
        vals = [v for v, _ in ev.scalars("total_votes", "electorate")]
        return None if n in vals else f"the data says {alts(vals)} votes"
    majority = [v for v, _ in ev.scalars("majority")]
    if n in majority:
        return None
    return f"the data says the margin was {alts(majority)} votes" if majority else "no such vote count in the data"


def _councils(ctx, ev: Evidence, sub: str, n, party) -> str | None:
    if sub == "declared":
        vals = ev.tally(party, "councils_final") if party else []
        vals = vals or ev.tally_any("councils_final")
        return None if n in vals else f"the data says {alts(vals)} councils have declared"
    if sub.startswith("denominator"):
        key = {"denominator": "councils_total", "denominator-declared": "councils_final",
               "denominator-compared": "councils_compared", "denominator-defended": "councils_controlled_before"}[sub]
        if sub == "denominator-defended":  # said of a party: the councils it ran
            vals = ev.tally(party, key) if party else []
            return None if n in vals else f"the data says {ctx.pname(party) if party else 'the party'} was defending {alts(vals)} councils"
        vals = (ev.tally(party, key) if party else []) or ev.tally_any(key)
        return None if n in vals else f"the data says {alts(vals)} councils"
    if sub == "outside":
        vals = [f["councils_final"] for f in ev.tallies_f if f.get("subject") == "elsewhere"
                and isinstance(f.get("councils_final"), int)]
        return None if n in vals else f"the data says {alts(vals)} councils outside the groups have declared"
    if sub in ("open", "waiting"):
        key = "open" if sub == "open" else "waiting_total"
        vals = [v for v, _ in ev.scalars(key)]
        return None if n in vals else f"the data says {alts(vals)} councils {'are still counting' if sub == 'open' else 'have yet to declare a seat'}"
    if sub == "not-compared":
        vals = [f["councils_final"] - f["councils_compared"] for f in ev.tallies_f
                if isinstance(f.get("councils_final"), int) and isinstance(f.get("councils_compared"), int)]
        return None if n in vals else f"the data says {alts(vals)} declared councils cannot be compared"
    if sub == "any" or party is None:
        vals = [v for key in ("councils_compared", "councils_total", "councils_final", "councils_controlled",
                              "councils_gained", "councils_lost") for v in ev.tally_any(key)]
        vals += [abs(v) for v in ev.tally_any("councils_change")]
        vals += [v for v, _ in ev.scalars("counting_total", "waiting_total", "open")]
        return None if n in vals else f"the data says {alts(vals)} councils"
    pname = ctx.pname(party)
    if sub == "others":
        most = max(ev.tally(party, "councils_gained") + ev.tally(party, "councils_lost") + [0]) if party else 0
        return None if 0 < n <= most else f"the data has no further councils for {pname}"
    if sub == "before":
        vals = ev.tally(party, "councils_controlled_before")
        return None if n in vals else f"the data says {pname} ran {alts(vals)} councils before"
    change = ev.tally(party, "councils_change")
    if sub == "gain":
        gained = ev.tally(party, "councils_gained")
        vals = gained + [v for v in change if v > 0]
        return None if n in vals else f"the data says {pname} gained {alts(gained)} councils"
    if sub == "loss":
        lost = ev.tally(party, "councils_lost")
        vals = lost + [-v for v in change if v < 0]
        return None if n in vals else f"the data says {pname} lost {alts(lost)} councils"
    if sub == "ctrl":
        vals = ev.tally(party, "councils_controlled")
        return None if n in vals else f"the data says {pname} controls {alts(vals)} councils"
    if sub == "across":
        vals = ev.tally(party, "councils_compared")
        return None if n in vals else f"the data says {alts(vals)} councils were compared"
    vals = ev.tally(party, "councils_compared") + ev.tally(party, "councils_total") + \
        ev.tally(party, "councils_final") + ev.tally(party, "councils_controlled")
    return None if n in vals else f"the data says {alts(vals)} councils"


def says_change(ctx, party: str, vals: list) -> str:
    pname = ctx.pname(party)
    if not vals:
        return f"the data has no seat change for {pname}"
    parts = []
    for v in sorted(set(vals), key=lambda x: -abs(x)):
        parts.append(f"gained {v}" if v > 0 else f"lost {-v}" if v < 0 else "had no net change")
    return f"the data says {pname} {' or '.join(parts)}"


def _says_holdings(ctx, party: str, ev: Evidence) -> str:
    pname = ctx.pname(party)
    seen: dict[str, int] = {}
    for v, key in ev.holdings(party):
        seen.setdefault(key, v)
    if not seen:
        return f"the data has no seats for {pname}"
    words = {"composition_after": "{} in all", "seats_won": "won {}", "won": "won {}",
             "seats_won_compared": "won {} in the wards compared", "tally_seats_won": "won {} in all",
             "tally_seats_won_compared": "won {} in the councils that can be compared"}
    return f"the data says {pname}: " + ", ".join(words.get(k, "{}").format(v) for k, v in seen.items())


def _scalar_check(ev: Evidence, n, keys: tuple[str, ...], says: str) -> str | None:
    vals = [v for v, _ in ev.scalars(*keys)]
    return None if n in vals else says.format(alts(vals))


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


def _of_total(ctx, ev: Evidence, role: Role, n, party: str, items) -> str | None:
    """"18 of the 30 seats": the party's seats and the total they are out of, as one pair
    of the evidence (the council's make-up and size; seats won and seats up; a ward's
    winners and its seats; where the sentence speaks of last time, the seats won then and
    the council's size then)."""
    total = items[role.flags[0]].value if role.flags and role.flags[0] < len(items) else None
    pairs = ev.seat_pairs(party, role.key == "then")
    if total is None:  # the total could not be read: the party's seats, whatever the total
        return None if n in [v for v, _, _ in pairs] else _says_holdings(ctx, party, ev)
    if any(v == n and t == total for v, t, _ in pairs):
        return None
    if not pairs:
        return f"the data has no seats for {ctx.pname(party)}"
    words = {"then": "won {} of {} last time", "council": ctx.verb(party, "has", "have") + " {} of the {} seats on the "
             "council", "won": "won {} of the {} seats up", "ward": "won {} of the {} seats in the ward"}
    says: list[str] = []
    for v, t, what in [x for x in pairs if x[1] == total] or pairs:  # those out of the same total first
        text = words[what].format(fmt(v), fmt(t))
        if text not in says:
            says.append(text)
    return f"the data says {ctx.pname(party)} {' or '.join(says)}"


def _named_councils(ev: Evidence, items) -> list:
    """The facts of the councils a sentence names, where the evidence has them (a round-up
    names several councils: "In Southampton, ... Labour has 21 seats so far, with 25 needed
    for a majority and seven still to declare" is about Southampton alone); else every
    council's."""
    slugs = {s for it in items if it.kind == "C" for s in it.ids}
    named = [f for f in ev.councils_f if f.get("council") in slugs] if slugs else []
    return named or ev.councils_f


def _projection(ev: Evidence, sub: str, n, party) -> str | None:
    """A Commons projection figure, against the projection the story was drafted from."""
    found = [f["national_picture"]["commons_projection"] for f in ev.facts
             if f.get("scope") == "projection" and isinstance(f.get("national_picture"), Mapping)
             and isinstance(f["national_picture"].get("commons_projection"), Mapping)]
    if not found:
        return "the data has no Commons projection"
    if sub == "projection":
        vals = [cp["seats"].get(party, 0) for cp in found if party and cp.get("largest_party") == party]
        return None if n in vals else (f"the data's projection has the largest party on {alts([cp['seats'].get(cp.get('largest_party'), 0) for cp in found])} seats")
    if sub == "projection-needed":
        vals = [cp.get("majority_needed") for cp in found]
        return None if n in vals else f"the data says a majority needs {alts(vals)}"
    vals = [abs(cp.get("majority", 0)) for cp in found]
    return None if n in vals else f"the data's projection is {alts(vals)} seats from a majority"


def _seats(ctx, ev: Evidence, role: Role, n, party, items=()) -> str | None:
    sub = role.sub
    if sub.startswith("projection"):
        return _projection(ev, sub, n, party)
    if sub == "needs" and ev.councils_f:
        vals = [f["majority_needed"] for f in _named_councils(ev, items) if isinstance(f.get("majority_needed"), int)]
        return None if n in vals else f"the data says a majority needs {alts(vals)}"
    if sub in _SEAT_SCALARS:
        keys, says = _SEAT_SCALARS[sub]
        return _scalar_check(ev, n, keys, says)
    if sub == "to-declare":
        left = [f["seats_up"] - f["seats_declared"] for f in _named_councils(ev, items)
                if isinstance(f.get("seats_up"), int) and isinstance(f.get("seats_declared"), int)]
        return None if n in left else f"the data says {alts(left)} seats are still to declare"
    if sub == "other":
        vals = [v for v, _ in ev.holdings("Other")]
        return None if n in vals else _says_holdings(ctx, "Other", ev)
    if sub == "hands":
        moved = [sum(v for v in f["seat_change"].values() if v > 0) for f in ev.councils_f + ev.wards_f
                 if isinstance(f.get("seat_change"), Mapping)]
        return None if n in moved else f"the data says {alts(moved)} seats changed hands"
    if sub == "any" or party is None:
        vals = [v for v, _ in ev.scalars(*_ANY_SEATS)]
        if n in vals or (role.unitless and round(float(n), 1) in ev.all_numbers):
            return None
        return f"no such number of seats in the data (it has {alts(sorted(set(vals)))})"
    if sub == "so-far":
        vals = [f["so_far"].get(party, 0) for f in _named_councils(ev, items) if isinstance(f.get("so_far"), Mapping)]
        if n in vals:
            return None
        return (f"the data says {ctx.pname(party)} {ctx.verb(party, 'has', 'have')} {alts(vals)} so far "
                f"(councillors not up plus the seats declared)" if vals
                else "the data has no count of seats so far for this council")
    if sub == "council":
        vals = ev.composition(party)
        if n in vals:
            return None
        return (f"the data says {ctx.pname(party)} {ctx.verb(party, 'has', 'have')} {alts(vals)} "
                f"{'seat' if vals == [1] else 'seats'} on the council" if vals
                else "the data has no make-up of the council after the election")
    if sub == "of-total":
        return _of_total(ctx, ev, role, n, party, items)
    changes = ev.seat_change(party)
    if sub == "within":
        return None if n in [abs(v) for v in changes] else says_change(ctx, party, changes)
    if sub == "gain":
        # "Labour gained two seats from the Conservatives and one from the Greens": a count of
        # the seats taken from one party is as good as the net change
        per_loser = {c for l in {l for g, l in ev.ward_gains() if g == party} for c in ev.gains_count(party, l)}
        ok = n in changes or n in ev.gains_count(party) or n in per_loser
        return None if ok else says_change(ctx, party, changes)
    if sub == "loss":
        return None if -n in changes else says_change(ctx, party, changes)
    if sub == "up-from":
        vals = ev.baseline(party)
        return None if n in vals else f"the data says {ctx.pname(party)} had {alts(vals)} before"
    if sub == "baseline":
        vals = ev.baseline(party)
        if n in vals or (not role.strict and n in [v for v, _ in ev.holdings(party)]):
            return None
        return (f"the data says {ctx.pname(party)} won {alts(vals)} last time" if vals
                else f"the data has no earlier seats for {ctx.pname(party)}")
    # a group's or the nation's seats are said over one of two bases, and the words say which
    # ("in the 136 councils that can be compared", "counting the 10 that cannot be compared")
    skip = "tally_seats_won" if "compared" in role.flags else "tally_seats_won_compared" if "all" in role.flags else None
    vals = [v for v, key in ev.holdings(party) if key != skip]
    if n in vals or ("in-year" in role.flags and n in ev.baseline(party)):
        return None
    return _says_holdings(ctx, party, ev)
