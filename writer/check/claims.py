"""Claims: control of a council, seats changing hands in a ward, councils a party gained or
lost across a group, history ("for the first time", "last ran it in 2010"), who is the
largest party, and the night's running count ("the fourth council Labour has gained").

Each *frame* is a regular expression over a sentence's skeleton (words in lower case,
``⟨P0⟩`` for a party, ``⟨C1⟩`` a council, ``⟨W2⟩`` a ward, ``⟨N3⟩`` a number, ``⟨O4⟩`` an
ordinal) whose named groups are its roles: ``new`` (who has control, or gained), ``old``
(who had it), ``council``/``council_list`` (the council or councils), ``party`` and
``other`` (the parties of a ward's or a group's claim). A claim is read against the
result: ``control_after`` and ``control_before``; for provisional wording ("on course to",
"certain to", "set to", "heading for") against ``settled_control``. A group story's
councils are read against the councils its facts list as gained or lost.

Every frame's check takes ``(checker, evidence, sentence, match)``: the
:class:`~writer.check.checker.FactChecker` (for names in reasons), the story's
:class:`~writer.check.evidence.Evidence`, the :class:`~writer.check.types.Sentence` and the
frame's match over its skeleton; it returns None, or what the data says instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from writer import parties as party_codes
from writer.check.evidence import Evidence
from writer.check.lexicon import ORDINAL_WORDS
from writer.check.numbers import clause_start, follows_from, subject_index
from writer.check.types import Item, Sentence

NOC = party_codes.NOC

_COUNCIL_PLACEHOLDER = re.compile(r"⟨C(\d+)⟩")
_STAYING = re.compile(r"\b(?:remains?|stays?|stay|still|stayed|remained)\b")
_FALLING = re.compile(r"\b(?:falls?|fell|fallen|fall|lost|lose)\b")


def party_slot(group: str) -> str:
    """A party's placeholder, its item index captured as ``group``."""
    return rf"⟨P(?P<{group}>\d+)⟩"


def council_slot(group: str) -> str:
    return rf"⟨C(?P<{group}>\d+)⟩"


def ward_slot(group: str) -> str:
    return rf"⟨W(?P<{group}>\d+)⟩"


COUNCIL_LIST = r"(?P<council_list>⟨C\d+⟩(?:(?:, | and |, and )⟨C\d+⟩)*)"
AUXILIARY = (r"(?:(?:has|have|had|is|are|was|were|will) )?(?:(?:now|also|still|then) )?"
             r"(?:(?:on course|certain|set|expected|likely|about|poised) to )?")
GAIN_VERB = (r"(?:taken|take|takes|took|taking|seized?|seizes|snatched|captured?|won|win|wins|winning|gained|gain|"
             r"gains|gaining)")
HOLD_VERB = r"(?:kept|keep|keeps|keeping|held|hold|holds|holding|retained|retain|retains|retaining)"
LOSE_VERB = r"(?:lost|lose|loses|losing)"
STAY = ("remains", "remained", "stays", "stayed", "stay", "remain", "staying", "still")
FALL = ("falls", "fell", "fallen", "fall", "falling", "goes", "go", "went", "gone")
PROVISIONAL = re.compile(r"\b(?:on course|certain to|set to|heading for|can (?:now )?(?:win|reach)|"
                         r"could (?:now )?(?:win|reach)|to be run by|expected to|likely to|poised to|beyond doubt|"
                         r"no longer in doubt|became certain|was certain|is certain|are certain)\b")


@dataclass(frozen=True)
class Frame:
    name: str
    triggers: tuple[str, ...]  # words one of which the sentence must contain
    regex: re.Pattern
    check: Callable[..., str | None]
    needs: frozenset = frozenset()  # kinds of item the frame cannot match without


# -- helpers --------------------------------------------------------------------------------
def _item(sentence: Sentence, match: re.Match, group: str) -> Item | None:
    index = match.groupdict().get(group)
    return sentence.items[int(index)] if index is not None else None


def _party(checker, evidence: Evidence, sentence: Sentence, match: re.Match, group: str) -> str | None:
    item = _item(sentence, match, group)
    return checker.party_of(item, evidence) if item is not None else None


def _items_before(sentence: Sentence, match: re.Match) -> int:
    """How many items come before the match."""
    return sum(1 for start, _ in sentence.skeleton.spans if start < match.start())


def _subject(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    """The party doing what a subject-less clause says ("..., which took control from")."""
    skeleton = sentence.skeleton
    count = _items_before(sentence, match)
    index = subject_index(skeleton, count, clause_start(skeleton.text, match.start()) if count else 0)
    return checker.party_of(sentence.items[index], evidence) if index is not None else None


def _councils(checker, evidence: Evidence, sentence: Sentence,
              match: re.Match) -> list[tuple[str | None, Mapping | None]]:
    """The councils a claim is about: those it names, else the one named before it in the
    sentence, else the story's own."""
    groups = match.groupdict()
    items: list[Item] = []
    if groups.get("council_list"):
        items = [sentence.items[int(index)] for index in _COUNCIL_PLACEHOLDER.findall(groups["council_list"])]
    elif groups.get("council") or groups.get("council2"):
        items = [sentence.items[int(groups.get("council") or groups["council2"])]]
    else:
        before = [item for item in sentence.items[:_items_before(sentence, match)] if item.kind == "C"]
        if before:
            items = [before[-1]]
    if not items:
        # "the council": the story's own, where it has one council
        if len(evidence.council_slugs) != 1 or evidence.main_council is None:
            return []
        fact = evidence.main_council
        return [(fact.get("council"), fact)]
    out = []
    for item in items:
        slug = next((slug for slug in sorted(item.ids) if evidence.council_fact(slug) is not None), None)
        out.append((slug, evidence.council_fact(slug)) if slug else (sorted(item.ids)[0], None))
    return out


def result_words(checker, fact: Mapping, provisional: bool = False) -> str:
    name = fact.get("council_name") or checker.cname(fact.get("council"))
    if provisional and fact.get("settled_control"):
        settled = fact["settled_control"]
        if settled == NOC:
            return f"no party can win a majority on {name}"
        verb = "keep" if settled == fact.get("control_before") else "win" if fact.get("new_council") else "take"
        return f"{checker.pname(settled)} {checker.verb(settled, 'is', 'are')} on course to {verb} control of {name}"
    kind = fact.get("result_kind")
    winner, before = fact.get("winner"), fact.get("control_before")
    if kind == "gain":
        return f"{checker.pname(winner)} gained {name} from {checker.pname(before)}"
    if kind == "hold":
        return f"{checker.pname(winner)} held {name}"
    if kind == "lose":
        return f"{checker.pname(before)} lost {name} to no overall control"
    if kind == "no_change":
        return f"{name} stayed under no overall control"
    if kind == "new_win":
        return f"{checker.pname(winner)} won the new {name} council"
    if kind == "new_noc":
        return f"no party won a majority on the new {name} council"
    return f"the result in {name} was {fact.get('result')}"


def _after(fact: Mapping, provisional: bool) -> str | None:
    if provisional and fact.get("settled_control"):
        return fact["settled_control"]
    return fact.get("control_after")


# -- control ------------------------------------------------------------------------------------
def control(checker, evidence: Evidence, sentence: Sentence, match: re.Match, kind: str) -> str | None:
    groups = match.groupdict()
    new = _party(checker, evidence, sentence, match, "new") if groups.get("new") else None
    old = _party(checker, evidence, sentence, match, "old") or _party(checker, evidence, sentence, match, "old2")
    if kind in ("gain", "hold", "state") and new is None:
        new = _subject(checker, evidence, sentence, match)
        if new is None:
            return None
    if kind == "lose" and old is None:
        old = _subject(checker, evidence, sentence, match)
        if old is None:
            return None
    if kind == "lose" and groups.get("to"):
        new = _party(checker, evidence, sentence, match, "to")
    provisional = bool(PROVISIONAL.search(sentence.skeleton.text))
    problems = []
    for slug, fact in _councils(checker, evidence, sentence, match):
        if fact is None:
            problem = _listed(checker, evidence, slug, kind, new, old)
        else:
            problem = _control_one(checker, fact, kind, new, old, provisional, groups)
        if problem and problem not in problems:
            problems.append(problem)
    return "; ".join(problems) or None


def _control_one(checker, fact: Mapping, kind: str, new, old, provisional: bool, groups) -> str | None:
    after, before = _after(fact, provisional), fact.get("control_before")
    ok = True
    if kind == "gain":
        ok = after == new and before != new
        if old is not None:
            ok = ok and (before == old or (old == NOC and before in (NOC, None) and not fact.get("new_council")))
    elif kind == "hold":
        ok = after == new and before == new
    elif kind == "lose":
        ok = before == old and after != old and (new is None or after == new)
    elif kind == "state":
        if groups.get("past") or groups.get("past2"):
            ok = before == new
        elif "now" in groups and not groups["now"]:
            ok = new in (before, after)  # "Croydon (run by Labour)": as it stands, counted or not
        else:
            ok = after == new
    if ok:
        return None
    return f"the data says {result_words(checker, fact, provisional)}"


def _listed(checker, evidence: Evidence, slug: str | None, kind: str, new, old) -> str | None:
    """A group story: the councils its facts list as gained or lost."""
    if slug is None or not evidence.tallies_f:
        return None
    name = checker.cname(slug)
    if kind == "gain" and new is not None and slug not in evidence.gained(new):
        gained = sorted(checker.cname(other) for other in evidence.gained(new))
        return (f"the data does not list {name} among the councils {checker.pname(new)} gained"
                + (f" ({', '.join(gained)})" if gained else ""))
    if kind == "gain" and old is not None and any(fact.get("party") == old for fact in evidence.tallies_f) \
            and slug not in evidence.lost(old):
        return f"the data does not list {name} among the councils {checker.pname(old)} lost"
    if kind == "lose" and old is not None and slug not in evidence.lost(old):
        lost = sorted(checker.cname(other) for other in evidence.lost(old))
        return (f"the data does not list {name} among the councils {checker.pname(old)} lost"
                + (f" ({', '.join(lost)})" if lost else ""))
    if kind in ("hold", "state") and new is not None:
        if slug in evidence.gained(new):
            return f"the data lists {name} among the councils {checker.pname(new)} gained"
        if slug in evidence.lost(new):
            return f"the data lists {name} among the councils {checker.pname(new)} lost"
    return None


def no_control(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    """No overall control now (or, with "stays", before as well; with "falls", not before)."""
    groups = match.groupdict()
    if groups.get("noc") is not None and _party(checker, evidence, sentence, match, "noc") != NOC:
        return None
    verb = (groups.get("verb") or "").strip()
    text = sentence.skeleton.text
    provisional = bool(PROVISIONAL.search(text))
    words = text[max(0, match.start() - 40):match.end() + 10]
    stay = verb in STAY or bool(_STAYING.search(words))
    fall = verb in FALL or bool(_FALLING.search(words))
    problems = []
    for _, fact in _councils(checker, evidence, sentence, match):
        if fact is None:
            continue
        after, before = _after(fact, provisional), fact.get("control_before")
        ok = after == NOC
        if stay:
            ok = ok and before == NOC
        elif fall:
            ok = ok and before not in (NOC, None)
        if not ok:
            problems.append(f"the data says {result_words(checker, fact, provisional)}")
    return "; ".join(problems) or None


def no_control_before(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    for _, fact in _councils(checker, evidence, sentence, match):
        if fact is not None and fact.get("control_before") != NOC:
            return (f"the data says {checker.pname(fact.get('control_before'))} controlled "
                    f"{fact.get('council_name')} before")
    return None


def largest(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    """"X is the largest party", "X has the most seats" (of the make-up after the election)
    or "X has the most so far" (of the councillors so far, while counting). Only a party
    that can control a council is a party here, and no party is the largest where a lump
    of several groups (other parties, or residents' associations taken together) has as
    many seats: one group inside it could be larger."""
    party = _party(checker, evidence, sentence, match, "party")
    fact = evidence.main_council
    key = "so_far" if sentence.skeleton.text[match.end():match.end() + 7] == " so far" else "composition_after"
    if fact is None or not isinstance(fact.get(key), Mapping):
        return None
    seats = fact[key]
    contenders = {code: count for code, count in seats.items() if party_codes.can_control(code) and count > 0}
    if not contenders:
        return "the data has no party with seats to be the largest"
    top = max(contenders.values())
    lump = max(seats.get("Other", 0), seats.get("Res", 0))
    if lump >= top:
        return (f"the data cannot say which party is largest: other parties and groups taken together have "
                f"{lump} seats, and one of them could have more than {top}")
    leaders = sorted(code for code, count in contenders.items() if count == top)
    if party in leaders and (not match.groupdict().get("joint") or len(leaders) > 1):
        return None
    names = " and ".join(checker.pname(code) for code in leaders)
    return f"the data says the largest party is {names}, with {top} seats"


# -- wards ------------------------------------------------------------------------------------
def _gains_words(checker, evidence: Evidence) -> str:
    gains = evidence.ward_gains()
    if not gains:
        return "the data says no seat changed hands"
    return "the data says " + " and ".join(f"{checker.pname(gainer)} gained a seat from {checker.pname(loser)}"
                                           for gainer, loser in gains)


def ward_gain(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    if not evidence.wards_f:
        return None
    groups = match.groupdict()
    gainer = _party(checker, evidence, sentence, match, "party") if groups.get("party") \
        else _subject(checker, evidence, sentence, match)
    loser = _party(checker, evidence, sentence, match, "other") if groups.get("other") else None
    if groups.get("verb") in ("lost", "lose", "loses"):
        gainer, loser = loser, gainer
    gains = evidence.ward_gains()
    if gainer is None:
        return None if any(lost == loser for _, lost in gains) else _gains_words(checker, evidence)
    if any(won == gainer and (loser is None or lost == loser) for won, lost in gains):
        return None
    return _gains_words(checker, evidence)


def ward_lose(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    if not evidence.wards_f:
        return None
    party = _party(checker, evidence, sentence, match, "party")
    return None if any(lost == party for _, lost in evidence.ward_gains()) else _gains_words(checker, evidence)


def ward_hold(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    if not evidence.wards_f:
        return None
    party = _party(checker, evidence, sentence, match, "party")
    if any(isinstance(fact.get("holds"), Mapping) and fact["holds"].get(party) for fact in evidence.wards_f):
        return None
    return f"the data does not say {checker.pname(party)} held a seat here; " + _gains_words(checker, evidence)[4:]


def _named_winners(checker, evidence: Evidence, sentence: Sentence, indices: list[int]) -> str | None:
    """"Labour's Brunt M. and Smith J.": each candidate named after a party must have won
    for that party."""
    winners = [(str(winner.get("name", "")).lower(), winner.get("party")) for fact in evidence.wards_f
               for winner in fact.get("winners") or () if isinstance(winner, Mapping)]
    skeleton = sentence.skeleton
    for index in indices:
        party = checker.party_of(sentence.items[index], evidence)
        # the names after this party, up to the next party named (whichever frame read it)
        end = next((skeleton.spans[j][0] for j in range(index + 1, len(sentence.items))
                    if sentence.items[j].kind == "P"), len(skeleton.text))
        after = skeleton.text[skeleton.spans[index][1]:end]
        for name, winner_party in winners:
            # the whole name ("M. Dals" is not named inside "M. Dalson")
            if name and len(name) > 3 and winner_party != party and name in after and re.search(
                    rf"(?<![\w']){re.escape(name)}(?![\w'])", after):
                return f"the data says {name.title()} won for {checker.pname(winner_party)}"
    return None


def ward_win(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    if not evidence.wards_f:
        return None
    groups = match.groupdict()
    parties = []
    if groups.get("rest") is not None:
        rest_start = match.start("rest")
        indices = [index for index, (start, _) in enumerate(sentence.skeleton.spans)
                   if start >= rest_start and sentence.items[index].kind == "P"]
        parties = [checker.party_of(sentence.items[index], evidence) for index in indices]
        problem = _named_winners(checker, evidence, sentence, indices)
        if problem:
            return problem
    else:
        party = _party(checker, evidence, sentence, match, "party")
        parties = [party] if party else []
        if party and groups.get("party"):
            problem = _named_winners(checker, evidence, sentence, [int(groups["party"])])
            if problem:
                return problem
    last = bool(groups.get("last"))
    winners = [[winner.get("party") for winner in fact.get("winners") or () if isinstance(winner, Mapping)]
               for fact in evidence.wards_f]
    for party in parties:
        if not any((ward[-1] == party if ward else False) if last else party in ward for ward in winners):
            won = sorted({code for ward in winners for code in ward})
            return f"the data says the {'last ' if last else ''}seat went to " + \
                (checker.pname(winners[0][-1]) if last and winners and winners[0]
                 else ", ".join(checker.pname(code) for code in won))
    return None


def first_seat(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    firsts = {code for fact in evidence.wards_f for code in fact.get("first_seat") or ()}
    if not evidence.wards_f:
        return None
    bad = []
    for index, item in enumerate(sentence.items):
        if item.kind == "P" and not follows_from(sentence.skeleton, index):
            code = checker.party_of(item, evidence)
            if code not in firsts:
                bad.append(code)
    if not bad:
        return None
    if not firsts:
        return "the data records no first seat here"
    return "the data says the first seats were " + " and ".join(checker.pname(code) for code in sorted(firsts))


# -- groups -----------------------------------------------------------------------------------
def including(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    kind = "lose" if match.group("verb") in ("lost", "lose", "loses") else "gain"
    party = _party(checker, evidence, sentence, match, "party")
    new, old = (party, None) if kind == "gain" else (None, party)
    problems = []
    for slug, fact in _councils(checker, evidence, sentence, match):
        if fact is None:
            problem = _listed(checker, evidence, slug, kind, new, old)
        else:
            problem = _control_one(checker, fact, kind, new, old, False, {})
        if problem:
            problems.append(problem)
    return "; ".join(problems) or None


# -- history ------------------------------------------------------------------------------------
def first_time(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    party = _party(checker, evidence, sentence, match, "party")
    for _, fact in _councils(checker, evidence, sentence, match):
        if fact is None:
            continue
        if match.groupdict().get("since"):  # "the first time since 1998 that": a return, not a first
            if fact.get("last_controlled_to") is None:
                return "the data has no earlier period of control" + (
                    "; it is a first" if fact.get("first_ever") else "")
        elif not fact.get("first_ever"):
            last = fact.get("last_controlled_to")
            return "the data does not say it is the first time" + (
                f"; {checker.pname(party)} last controlled it in {last}" if last else "")
        if fact.get("winner") != party:
            return f"the data says {result_words(checker, fact)}"
    return None


def first_time_bare(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    if any(fact.get("first_ever") for fact in evidence.councils_f) \
            or any(fact.get("first_seat") for fact in evidence.wards_f):
        return None
    return "the data does not say it is the first time"


def last_ran(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    party = _party(checker, evidence, sentence, match, "party")
    for _, fact in _councils(checker, evidence, sentence, match):
        if fact is None:
            continue
        if fact.get("last_controlled_to") is None:
            first = "; it is the first time" if fact.get("first_ever") else ""
            return "the data has no earlier period of control" + first
        if fact.get("winner") != party:
            return f"the data's history is of {checker.pname(fact.get('winner'))} control"
    return None


def unbroken(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    if "first time" in sentence.skeleton.text:
        return None  # "the first time Aspire has controlled Tower Hamlets since records began"
    party = _party(checker, evidence, sentence, match, "party")
    for _, fact in _councils(checker, evidence, sentence, match):
        if fact is None:
            continue
        if fact.get("before_since") is None:
            return "the data has no unbroken run of control"
        if fact.get("control_before") != party:
            return (f"the data says {checker.pname(fact.get('control_before'))} controlled "
                    f"{fact.get('council_name')} before")
    return None


def new_council(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    for _, fact in _councils(checker, evidence, sentence, match):
        if fact is not None and not fact.get("new_council"):
            return f"{fact.get('council_name')} is not a new council"
    return None


def nth(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    party = _party(checker, evidence, sentence, match, "party")
    ordinal = _item(sentence, match, "ordinal").value
    for _, fact in _councils(checker, evidence, sentence, match):
        if fact is None:
            continue
        if match.group("verb") == "lost":
            if fact.get("loser") != party:
                return f"the data says {result_words(checker, fact)}"
            count = fact.get("loser_losses_tonight")
            return None if count == ordinal else \
                f"the data says it is the {_ordinal(count)} council {checker.pname(party)} lost so far"
        if fact.get("winner") != party or fact.get("result_kind") != "gain":
            return f"the data says {result_words(checker, fact)}"
        count = fact.get("winner_gains_tonight")
        return None if count == ordinal else \
            f"the data says it is the {_ordinal(count)} council {checker.pname(party)} gained so far"
    return None


def _ordinal(count: Any) -> str:
    if not isinstance(count, int):
        return "unknown"
    return {value: word for word, value in ORDINAL_WORDS.items()}.get(count, f"{count}th")


def cycle(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    fact = evidence.main_council
    if fact is None:
        return None
    want = {"a third": "thirds", "third": "thirds", "half": "halves"}.get(match.group("verb"), "all-out")
    if fact.get("cycle") == want or (want == "all-out" and fact.get("seats_up") == fact.get("total_seats")):
        return None
    return f"the data says {fact.get('council_name')} elects by {fact.get('cycle')}"


def advance(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    party = _party(checker, evidence, sentence, match, "party")
    if any(value > 0 for value in evidence.seat_change(party)):
        return None
    return f"the data says {checker.pname(party)} did not gain seats"


def results_service(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    """"Lab gain from Con", "Con hold", "Con lose to NOC" (results-service words)."""
    kind = {"gain": "gain", "hold": "hold", "lose": "lose"}[match.group("verb")]
    party = _party(checker, evidence, sentence, match, "party")
    other = _party(checker, evidence, sentence, match, "other") or _party(checker, evidence, sentence, match, "other2")
    fact = evidence.main_council
    if fact is None:
        return None
    if kind == "lose":
        return _control_one(checker, fact, "lose", other, party, False, {})
    return _control_one(checker, fact, kind, party, other, False, {})


def _control_check(kind: str):
    return lambda checker, evidence, sentence, match: control(checker, evidence, sentence, match, kind)


#: The kinds of item (P party, C council, W ward, O ordinal) each frame needs.
NEEDS = {
    'gain': 'PC', 'gain-control-from': 'P', 'gain-control-council': 'P', 'falls-to': 'PC', 'run-by': 'P',
    'given': 'P', 'hold': 'PC', 'hold-council': 'P', 'stays-with': 'PC', 'in-hands': 'P', 'lose': 'PC',
    'lose-majority': 'P', 'noc': 'P', 'noc-headline': 'PC', 'no-party': '', 'no-party-before': '',
    'largest': 'P', 'results-service': 'P', 'including': 'PC', 'ward-seat-from': 'P', 'ward-take': 'PW',
    'ward-changes-hands': 'P', 'ward-taking-from': 'P', 'ward-lose': 'PW', 'ward-hold': 'PW', 'ward-win': 'P',
    'ward-elected': 'PW', 'ward-elected-for': 'W', 'first-seat': '', 'first-time': 'PC',
    'first-time-bare': '', 'last-ran': 'PC', 'not-since': 'PC', 'unbroken': 'PC', 'new-council': '',
    'nth': 'PCO', 'cycle': '', 'advance': 'P', 'lose-council': 'P', 'overall-majority': 'P',
}

FRAMES: tuple[Frame, ...] = tuple(Frame(n, t, re.compile(r), h, frozenset(NEEDS[n])) for n, t, r, h in (
    # -- council control -------------------------------------------------------------------
    ("gain", ("tak", "took", "won", "win", "gain", "seiz", "captur", "snatch"),
     party_slot("new") + " " + AUXILIARY + GAIN_VERB
     + r" (?:overall )?(?:control of |a majority on |the london borough of |london borough of )?(?:the )?(?:new )?"
     + COUNCIL_LIST + r"(?: council)?(?:,? (?:in london|at its first election),?)?(?: from " + party_slot("old") + ")?",
     _control_check("gain")),
    ("gain-control-from", ("control from", "control of the council from", "control of the new council from"),
     GAIN_VERB + r" (?:overall )?control (?:of (?:the )?(?:new )?council )?from " + party_slot("old"),
     _control_check("gain")),
    ("gain-control-council", ("control of the",),
     party_slot("new") + " " + AUXILIARY + GAIN_VERB + r" (?:overall )?control of the (?:new )?council(?! from)",
     _control_check("gain")),
    ("falls-to", ("fall", "fell", "pass", "go", "went", "gone"),
     r"(?:^(?:the )?(?:new )?|(?<=[,;:] )|(?<=london's )|(?<=the new ))" + COUNCIL_LIST
     + r"(?: council)?(?:,? in london,?)? " + AUXILIARY
     + r"(?:falls?|fell|fallen|falling|pass(?:es|ed)?|passing|go(?:es)?|"
     r"going|went|gone|fall|pass) (?:from " + party_slot("old") + " )?to " + party_slot("new")
     + r"(?: from " + party_slot("old2") + ")?",
     _control_check("gain")),
    ("run-by", (" by ",),
     r"(?P<past>had been |was )?(?P<now>now |being |be )?(?:run|controlled|held|led) by " + party_slot("new")
     + r"(?P<past2> before (?:the|this) election| before polling day| on the eve of poll)?", _control_check("state")),
    ("given", ("give", "given", "hand"),
     r"(?:given|give|gives|handed) " + party_slot("new") + r" (?:overall )?(?:control|a majority|a clear majority)",
     _control_check("state")),
    ("hold", ("kept", "keep", "held", "hold", "retain"),
     party_slot("new") + " " + AUXILIARY + HOLD_VERB + r" (?:on to |onto )?(?:overall )?(?:control of )?(?:the )?"
     + COUNCIL_LIST + r"(?! ward)",
     _control_check("hold")),
    ("hold-council", ("control of the council",),
     party_slot("new") + " " + AUXILIARY + HOLD_VERB + r" (?:overall )?control of the (?:new )?council",
     _control_check("hold")),
    ("stays-with", ("stay", "remain"),
     council_slot("council") + r"(?: council)? " + AUXILIARY
     + r"(?:stays?|stayed|staying|remains?|remained|remaining|stay|remain) "
     r"(?:with|in the hands of) " + party_slot("new"), _control_check("hold")),
    ("in-hands", ("hands of",),
     r"(?<!remains )(?<!remain )(?<!stays )in the hands of " + party_slot("new"), _control_check("state")),
    ("lose", ("lost", "lose", "losing"),
     party_slot("old") + " " + AUXILIARY + LOSE_VERB + r" (?:overall )?(?:control of )?(?:the )?" + COUNCIL_LIST
     + r"(?! ward)(?: to " + party_slot("to") + ")?",
     _control_check("lose")),
    ("lose-council", ("control of the",),
     party_slot("old") + " " + AUXILIARY + LOSE_VERB + r" (?:overall )?control of the (?:new )?council",
     _control_check("lose")),
    ("overall-majority", ("majority",),
     party_slot("new") + r"(?:'s?|') (?:overall )?majority\b", _control_check("state")),
    ("lose-majority", ("lost", "lose", "losing"),
     party_slot("old") + " " + AUXILIARY + LOSE_VERB
     + r" (?:(?:its|their|his|her|the|overall) )*(?:majority|control)\b(?! of)",
     _control_check("lose")),
    ("noc", ("⟩",),
     r"(?:" + council_slot("council") + r"(?: council)?|which|it|the council|the new council) " + AUXILIARY
     + r"(?P<verb>remains?|remained|stays?|"
     r"stayed|stay|remain|is|was|be|now|left|heading|falls?|fell|fallen|fall|goes|go|went)? ?(?:(?:still|now) )?"
     r"(?:under|in|for|to) " + party_slot("noc"), no_control),
    ("noc-headline", ("⟩ in ⟨C",), r"^" + party_slot("noc") + r" in " + council_slot("council"), no_control),
    ("no-party", ("no party", "no majority"),
     r"\bno party (?:now )?(?:has|have|wins?|won|can|could|is|with|in overall(?! control before))\b"
     r"|\bleft no party with\b"
     r"|\bwith no party in overall control\b|\bhave no party in overall control\b|^no majority\b", no_control),
    ("no-party-before", ("before this election",), r"\bhad no party in overall control before\b",
     no_control_before),
    ("largest", ("largest", "the most"),
     party_slot("party") + r" (?:(?:is|are|was|were|has|have|had) )?(?:(?:now|still) )?"
     r"(?:the (?P<joint>joint )?largest party|the most\b)",
     largest),
    ("results-service", (" gain", " hold", " lose"),
     r"(?:^|: )" + party_slot("party") + r" (?P<verb>gain|hold|lose)(?: from " + party_slot("other")
     + r"| to " + party_slot("other2") + r")?(?:$|[.;,])",
     results_service),
    # -- groups ----------------------------------------------------------------------------
    ("including", ("including",),
     party_slot("party") + " " + AUXILIARY + r"(?P<verb>gained|gains?|taken|took|won|lost|loses?) [^;.]*?including "
     + COUNCIL_LIST, including),
    # -- wards -----------------------------------------------------------------------------
    ("ward-seat-from", ("seat",),
     party_slot("party") + " " + AUXILIARY
     + r"(?P<verb>gained|gain|gains|took|take|takes|taken|won|win|wins|snatched|lost|lose|loses) "
     r"(?:a|one|the|another|⟨N\d+⟩) seats? (?:from|to) " + party_slot("other"), ward_gain),
    ("ward-take", ("gain", "take", "took", "taken", "snatch", "seiz"),
     party_slot("party") + " " + AUXILIARY + r"(?:gained|gain|gains|took|take|takes|taken|snatched|seized|seizes) "
     + ward_slot("ward") + r"(?: from " + party_slot("other") + ")?", ward_gain),
    ("ward-changes-hands", ("hands to",), r"(?:changes|changed|changing) hands to " + party_slot("party"), ward_gain),
    ("ward-taking-from", ("from",),
     r"(?:taking|took|takes|gaining|gained) (?:it|a seat|the seat|one seat|⟨N\d+⟩ seats?) from "
     + party_slot("other"), ward_gain),
    ("ward-lose", ("lost", "lose"), party_slot("party") + " " + AUXILIARY + LOSE_VERB + " " + ward_slot("ward"),
     ward_lose),
    ("ward-hold", ("kept", "keep", "held", "hold", "retain"),
     party_slot("party") + " " + AUXILIARY + HOLD_VERB + " " + ward_slot("ward"), ward_hold),
    ("ward-win", ("won", "win", "took", "tak"),
     party_slot("party") + r"[^⟨;]{0,45}? (?:won|wins|win|took|takes|taking) (?:(?:the |a )?(?P<last>last )?seat\b|"
     + ward_slot("ward") + ")",
     ward_win),
    ("ward-elected", ("elected",), ward_slot("ward") + r" elected " + party_slot("party"), ward_win),
    ("ward-elected-for", ("elected for",), r"elected for ⟨W\d+⟩ (?:are|were) (?P<rest>.*)$", ward_win),
    ("first-seat", ("first",), r"\bfirst (?:⟨C\d+⟩ )?seats?\b", first_seat),
    # -- history ---------------------------------------------------------------------------
    ("first-time", ("first time",),
     r"first time (?:(?:in records going back to|since records began in) ⟨N\d+⟩ |(?P<since>since ⟨N\d+⟩ ))?"
     r"(?:that )?" + party_slot("party") + " " + AUXILIARY + r"(?:controlled|run|ran|won|held|had control of) "
     + council_slot("council"), first_time),
    ("first-time-bare", ("for the first time",), r"\bfor the first time\b(?! since)", first_time_bare),
    ("last-ran", ("last",),
     party_slot("party") + r" last (?:ran|controlled|held|won|had control of) " + council_slot("council"), last_ran),
    ("not-since", ("since",),
     party_slot("party") + " " + AUXILIARY + r"not (?:controlled|run|held|won) " + council_slot("council") + " since",
     last_ran),
    ("unbroken", ("since",),
     party_slot("party") + r" (?:had|has|have) (?:controlled|run|held) " + council_slot("council")
     + r" (?:without a break |continuously )?since",
     unbroken),
    ("new-council", ("new",),
     r"\bnew " + council_slot("council") + r" council\b|" + council_slot("council2") + r" is a new authority\b"
     r"|\bfirst (?:election|vote) (?:to|for) the new\b",
     new_council),
    ("nth", ("council",),
     council_slot("council") + r" (?:is|was) the ⟨O(?P<ordinal>\d+)⟩ council " + party_slot("party") + " "
     + AUXILIARY + r"(?P<verb>gained|lost|taken|won)", nth),
    ("cycle", ("up for election", "at once"),
     r"(?P<verb>a third|third|half|all|every)(?: of)? (?:the |(?:⟨C\d+⟩(?:'s?|') ))?(?:⟨N\d+⟩ )?seats? "
     r"(?:were |was )?up for election|\belected (?P<verb2>every) seat at once", cycle),
    ("advance", ("advance",), party_slot("party") + r" (?:advance|advances|advanced)\b", advance),
))


# -- first ever seat (the first-ever-seat story type; templates/README.md) ------------------------
def first_ever_seat(checker, evidence: Evidence, sentence: Sentence, match: re.Match) -> str | None:
    """"First ever seat": more than no seat before tonight (``first_seat``): the ward's
    ``first_seat_ever`` fact, which holds only where the records reach back to the council's
    first election (writer/detect/firsts.py). Every party named (but after "from") must be one."""
    evers = {code for fact in evidence.wards_f for code in fact.get("first_seat_ever") or ()}
    if not evers:
        return "the data does not show a first ever seat here"
    bad = []
    for index, item in enumerate(sentence.items):
        if item.kind == "P" and not follows_from(sentence.skeleton, index):
            if checker.party_of(item, evidence) not in evers:
                bad.append(item)
    if not bad:
        return None
    return "the data says the first ever seats were " + " and ".join(checker.pname(code) for code in sorted(evers))


FRAMES += (Frame("first-ever-seat", ("ever",),
                 re.compile(r"\bfirst (?:ever (?:⟨C\d+⟩ )?seats?|(?:⟨C\d+⟩ )?seats? ever)\b"), first_ever_seat),)
