"""Claims: control of a council, seats changing hands in a ward, councils a party gained or
lost across a group, history ("for the first time", "last ran it in 2010"), who is the
largest party, and the night's running count ("the fourth council Labour has gained").

Each *frame* is a regular expression over a sentence's skeleton (words in lower case,
``⟨P0⟩`` for a party, ``⟨C1⟩`` a council, ``⟨W2⟩`` a ward, ``⟨N3⟩`` a number, ``⟨O4⟩`` an
ordinal) whose named groups are its roles: ``new`` (who has control, or gained), ``old``
(who had it), ``c``/``clist`` (the council or councils). A claim is read against the
result: ``control_after`` and ``control_before``; for provisional wording ("on course to",
"certain to", "set to", "heading for") against ``settled_control``. A group story's
councils are read against the councils its facts list as gained or lost.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

from writer import parties as party_codes
from writer.check.evidence import Evidence
from writer.check.lexicon import ORDINAL_WORDS
from writer.check.numbers import bound_index, clause_start
from writer.check.types import Item, Sentence

# compiled once (were inline)
_RX0 = re.compile(r"⟨C(\d+)⟩")
_RX1 = re.compile(r"\b(?:remains?|stays?|stay|still|stayed|remained)\b")
_RX2 = re.compile(r"\b(?:falls?|fell|fallen|fall|lost|lose)\b")
NOC = party_codes.NOC


def P(name: str) -> str:
    return rf"⟨P(?P<{name}>\d+)⟩"


def C(name: str) -> str:
    return rf"⟨C(?P<{name}>\d+)⟩"


def W(name: str) -> str:
    return rf"⟨W(?P<{name}>\d+)⟩"


CLIST = r"(?P<clist>⟨C\d+⟩(?:(?:, | and |, and )⟨C\d+⟩)*)"
MOD = (r"(?:(?:has|have|had|is|are|was|were|will) )?(?:(?:now|also|still|then) )?"
       r"(?:(?:on course|certain|set|expected|likely|about|poised) to )?")
GV = (r"(?:taken|take|takes|took|taking|seized?|seizes|snatched|captured?|won|win|wins|winning|gained|gain|gains|"
      r"gaining)")
HV = r"(?:kept|keep|keeps|keeping|held|hold|holds|holding|retained|retain|retains|retaining)"
LV = r"(?:lost|lose|loses|losing)"
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
def _item(sent: Sentence, m: re.Match, group: str) -> Item | None:
    ref = m.groupdict().get(group)
    return sent.items[int(ref)] if ref is not None else None


def _party(ctx, ev: Evidence, sent: Sentence, m: re.Match, group: str) -> str | None:
    it = _item(sent, m, group)
    return ctx.party_of(it, ev) if it is not None else None


def _subject(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    """The party doing what a subject-less clause says ("..., which took control from")."""
    k = sum(1 for a, _ in sent.phs if a < m.start())
    j = bound_index(sent.skel, sent.phs, sent.kinds, sent.noc, k, clause_start(sent.skel, m.start()) if k else 0)
    return ctx.party_of(sent.items[j], ev) if j is not None else None


def _councils(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> list[tuple[str | None, Mapping | None]]:
    """The councils a claim is about: those it names, else the one named before it in the
    sentence, else the story's own."""
    groups = m.groupdict()
    items: list[Item] = []
    if groups.get("clist"):
        items = [sent.items[int(x)] for x in _RX0.findall(groups["clist"])]
    elif groups.get("c") or groups.get("cc"):
        items = [sent.items[int(groups.get("c") or groups["cc"])]]
    else:
        k = sum(1 for a, _ in sent.phs if a < m.start())
        before = [it for it in sent.items[:k] if it.kind == "C"]
        if before:
            items = [before[-1]]
    if not items:
        # "the council": the story's own, where it has one council
        if len(ev.council_slugs) != 1 or ev.main_council is None:
            return []
        f = ev.main_council
        return [(f.get("council"), f)]
    out = []
    for it in items:
        slug = next((s for s in sorted(it.ids) if ev.council_fact(s) is not None), None)
        out.append((slug, ev.council_fact(slug)) if slug else (sorted(it.ids)[0], None))
    return out


def result_words(ctx, f: Mapping, provisional: bool = False) -> str:
    name = f.get("council_name") or ctx.cname(f.get("council"))
    if provisional and f.get("settled_control"):
        s = f["settled_control"]
        if s == NOC:
            return f"no party can win a majority on {name}"
        verb = "keep" if s == f.get("control_before") else "win" if f.get("new_council") else "take"
        return f"{ctx.pname(s)} {ctx.verb(s, 'is', 'are')} on course to {verb} control of {name}"
    kind = f.get("result_kind")
    w, before = f.get("winner"), f.get("control_before")
    if kind == "gain":
        return f"{ctx.pname(w)} gained {name} from {ctx.pname(before)}"
    if kind == "hold":
        return f"{ctx.pname(w)} held {name}"
    if kind == "lose":
        return f"{ctx.pname(before)} lost {name} to no overall control"
    if kind == "no_change":
        return f"{name} stayed under no overall control"
    if kind == "new_win":
        return f"{ctx.pname(w)} won the new {name} council"
    if kind == "new_noc":
        return f"no party won a majority on the new {name} council"
    return f"the result in {name} was {f.get('result')}"


def _after(f: Mapping, provisional: bool) -> str | None:
    if provisional and f.get("settled_control"):
        return f["settled_control"]
    return f.get("control_after")


# -- control ------------------------------------------------------------------------------------
def control(ctx, ev: Evidence, sent: Sentence, m: re.Match, kind: str) -> str | None:
    groups = m.groupdict()
    new = _party(ctx, ev, sent, m, "new") if groups.get("new") else None
    old = _party(ctx, ev, sent, m, "old") or _party(ctx, ev, sent, m, "old2")
    if kind in ("gain", "hold", "state") and new is None:
        new = _subject(ctx, ev, sent, m)
        if new is None:
            return None
    if kind == "lose" and old is None:
        old = _subject(ctx, ev, sent, m)
        if old is None:
            return None
    if kind == "lose" and groups.get("to"):
        new = _party(ctx, ev, sent, m, "to")
    provisional = bool(PROVISIONAL.search(sent.skel))
    problems = []
    for slug, f in _councils(ctx, ev, sent, m):
        if f is None:
            problem = _listed(ctx, ev, slug, kind, new, old)
        else:
            problem = _control_one(ctx, f, kind, new, old, provisional, groups)
        if problem and problem not in problems:
            problems.append(problem)
    return "; ".join(problems) or None


def _control_one(ctx, f: Mapping, kind: str, new, old, provisional: bool, groups) -> str | None:
    after, before = _after(f, provisional), f.get("control_before")
    ok = True
    if kind == "gain":
        ok = after == new and before != new
        if old is not None:
            ok = ok and (before == old or (old == NOC and before in (NOC, None) and not f.get("new_council")))
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
    return f"the data says {result_words(ctx, f, provisional)}"


def _listed(ctx, ev: Evidence, slug: str | None, kind: str, new, old) -> str | None:
    """A group story: the councils its facts list as gained or lost."""
    if slug is None or not ev.tallies_f:
        return None
    name = ctx.cname(slug)
    if kind == "gain" and new is not None and slug not in ev.gained(new):
        gained = sorted(ctx.cname(s) for s in ev.gained(new))
        return (f"the data does not list {name} among the councils {ctx.pname(new)} gained"
                + (f" ({', '.join(gained)})" if gained else ""))
    if kind == "gain" and old is not None and any(f.get("party") == old for f in ev.tallies_f) \
            and slug not in ev.lost(old):
        return f"the data does not list {name} among the councils {ctx.pname(old)} lost"
    if kind == "lose" and old is not None and slug not in ev.lost(old):
        lost = sorted(ctx.cname(s) for s in ev.lost(old))
        return (f"the data does not list {name} among the councils {ctx.pname(old)} lost"
                + (f" ({', '.join(lost)})" if lost else ""))
    if kind in ("hold", "state") and new is not None:
        if slug in ev.gained(new):
            return f"the data lists {name} among the councils {ctx.pname(new)} gained"
        if slug in ev.lost(new):
            return f"the data lists {name} among the councils {ctx.pname(new)} lost"
    return None


def noc(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    """No overall control now (or, with "stays", before as well; with "falls", not before)."""
    groups = m.groupdict()
    if groups.get("noc") is not None and _party(ctx, ev, sent, m, "noc") != NOC:
        return None
    v = (groups.get("v") or "").strip()
    provisional = bool(PROVISIONAL.search(sent.skel))
    words = sent.skel[max(0, m.start() - 40):m.end() + 10]
    stay = v in STAY or bool(_RX1.search(words))
    fall = v in FALL or bool(_RX2.search(words))
    problems = []
    for slug, f in _councils(ctx, ev, sent, m):
        if f is None:
            continue
        after, before = _after(f, provisional), f.get("control_before")
        ok = after == NOC
        if stay:
            ok = ok and before == NOC
        elif fall:
            ok = ok and before not in (NOC, None)
        if not ok:
            problems.append(f"the data says {result_words(ctx, f, provisional)}")
    return "; ".join(problems) or None


def noc_before(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    for slug, f in _councils(ctx, ev, sent, m):
        if f is not None and f.get("control_before") != NOC:
            return f"the data says {ctx.pname(f.get('control_before'))} controlled {f.get('council_name')} before"
    return None


def largest(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    """"X is the largest party", "X has the most seats" (of the make-up after the election)
    or "X has the most so far" (of the councillors so far, while counting). Only a party
    that can control a council is a party here, and no party is the largest where a lump
    of several groups (other parties, or residents' associations taken together) has as
    many seats: one group inside it could be larger."""
    a = _party(ctx, ev, sent, m, "a")
    f = ev.main_council
    key = "so_far" if sent.skel[m.end():m.end() + 7] == " so far" else "composition_after"
    if f is None or not isinstance(f.get(key), Mapping):
        return None
    seats = f[key]
    comp = {p: n for p, n in seats.items() if party_codes.can_control(p) and n > 0}
    if not comp:
        return "the data has no party with seats to be the largest"
    top = max(comp.values())
    lump = max(seats.get("Other", 0), seats.get("Res", 0))
    if lump >= top:
        return (f"the data cannot say which party is largest: other parties and groups taken together have "
                f"{lump} seats, and one of them could have more than {top}")
    leaders = sorted(p for p, n in comp.items() if n == top)
    if a in leaders and (not m.groupdict().get("joint") or len(leaders) > 1):
        return None
    names = " and ".join(ctx.pname(p) for p in leaders)
    return f"the data says the largest party is {names}, with {top} seats"


# -- wards ------------------------------------------------------------------------------------
def _gains_words(ctx, ev: Evidence) -> str:
    gains = ev.ward_gains()
    if not gains:
        return "the data says no seat changed hands"
    return "the data says " + " and ".join(f"{ctx.pname(g)} gained a seat from {ctx.pname(l)}" for g, l in gains)


def ward_gain(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    if not ev.wards_f:
        return None
    groups = m.groupdict()
    a = _party(ctx, ev, sent, m, "a") if groups.get("a") else _subject(ctx, ev, sent, m)
    b = _party(ctx, ev, sent, m, "b") if groups.get("b") else None
    if groups.get("v") in ("lost", "lose", "loses"):
        a, b = b, a
    gains = ev.ward_gains()
    if a is None:
        return None if any(l == b for _, l in gains) else _gains_words(ctx, ev)
    if any(g == a and (b is None or l == b) for g, l in gains):
        return None
    return _gains_words(ctx, ev)


def ward_lose(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    if not ev.wards_f:
        return None
    a = _party(ctx, ev, sent, m, "a")
    return None if any(l == a for _, l in ev.ward_gains()) else _gains_words(ctx, ev)


def ward_hold(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    if not ev.wards_f:
        return None
    a = _party(ctx, ev, sent, m, "a")
    if any(isinstance(f.get("holds"), Mapping) and f["holds"].get(a) for f in ev.wards_f):
        return None
    return f"the data does not say {ctx.pname(a)} held a seat here; " + _gains_words(ctx, ev)[4:]


def _named_winners(ctx, ev: Evidence, sent: Sentence, ks: list[int]) -> str | None:
    """"Labour's Brunt M. and Smith J.": each candidate named after a party must have won
    for that party."""
    winners = [(str(w.get("name", "")).lower(), w.get("party")) for f in ev.wards_f for w in f.get("winners") or ()
               if isinstance(w, Mapping)]
    for k in ks:
        a = ctx.party_of(sent.items[k], ev)
        # the names after this party, up to the next party named (whichever frame read it)
        end = next((sent.phs[j][0] for j in range(k + 1, len(sent.items)) if sent.items[j].kind == "P"),
                   len(sent.skel))
        after = sent.skel[sent.phs[k][1]:end]
        for name, party in winners:
            # the whole name ("M. Dals" is not named inside "M. Dalson")
            if name and len(name) > 3 and party != a and name in after and re.search(
                    rf"(?<![\w']){re.escape(name)}(?![\w'])", after):
                return f"the data says {name.title()} won for {ctx.pname(party)}"
    return None


def ward_win(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    if not ev.wards_f:
        return None
    groups = m.groupdict()
    parties = []
    if groups.get("rest") is not None:
        rest_start = m.start("rest")
        ks = [k for k, (a, _) in enumerate(sent.phs) if a >= rest_start and sent.items[k].kind == "P"]
        parties = [ctx.party_of(sent.items[k], ev) for k in ks]
        problem = _named_winners(ctx, ev, sent, ks)
        if problem:
            return problem
    else:
        a = _party(ctx, ev, sent, m, "a")
        parties = [a] if a else []
        if a and groups.get("a"):
            problem = _named_winners(ctx, ev, sent, [int(groups["a"])])
            if problem:
                return problem
    last = bool(groups.get("last"))
    winners = [[w.get("party") for w in f.get("winners") or () if isinstance(w, Mapping)] for f in ev.wards_f]
    for a in parties:
        if not any((winners_ and winners_[-1] == a) if last else a in winners_ for winners_ in winners):
            won = sorted({p for w in winners for p in w})
            return f"the data says the {'last ' if last else ''}seat went to " + \
                (ctx.pname(winners[0][-1]) if last and winners and winners[0] else ", ".join(ctx.pname(p) for p in won))
    return None


def first_seat(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    firsts = {p for f in ev.wards_f for p in f.get("first_seat") or ()}
    if not ev.wards_f:
        return None
    bad = []
    for k, it in enumerate(sent.items):
        if it.kind == "P" and sent.skel[max(0, sent.phs[k][0] - 5):sent.phs[k][0]] != "from ":
            code = ctx.party_of(it, ev)
            if code not in firsts:
                bad.append(code)
    if not bad:
        return None
    return ("the data says the first seats were " + " and ".join(ctx.pname(p) for p in sorted(firsts))) if firsts \
        else "the data records no first seat here"


# -- groups -----------------------------------------------------------------------------------
def including(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    kind = "lose" if m.group("v") in ("lost", "lose", "loses") else "gain"
    a = _party(ctx, ev, sent, m, "a")
    problems = []
    for slug, f in _councils(ctx, ev, sent, m):
        if f is None:
            p = _listed(ctx, ev, slug, kind, a if kind == "gain" else None, a if kind == "lose" else None)
        else:
            p = _control_one(ctx, f, kind, a if kind == "gain" else None, a if kind == "lose" else None, False, {})
        if p:
            problems.append(p)
    return "; ".join(problems) or None


# -- history ------------------------------------------------------------------------------------
def first_time(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    a = _party(ctx, ev, sent, m, "a")
    for slug, f in _councils(ctx, ev, sent, m):
        if f is None:
            continue
        if m.groupdict().get("since"):  # "the first time since 1998 that": a return, not a first
            if f.get("last_controlled_to") is None:
                return "the data has no earlier period of control" + ("; it is a first" if f.get("first_ever") else "")
        elif not f.get("first_ever"):
            last = f.get("last_controlled_to")
            return "the data does not say it is the first time" + (f"; {ctx.pname(a)} last controlled it in {last}"
                                                                   if last else "")
        if f.get("winner") != a:
            return f"the data says {result_words(ctx, f)}"
    return None


def first_time_bare(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    if any(f.get("first_ever") for f in ev.councils_f) or any(f.get("first_seat") for f in ev.wards_f):
        return None
    return "the data does not say it is the first time"


def last_ran(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    a = _party(ctx, ev, sent, m, "a")
    for slug, f in _councils(ctx, ev, sent, m):
        if f is None:
            continue
        if f.get("last_controlled_to") is None:
            first = "; it is the first time" if f.get("first_ever") else ""
            return "the data has no earlier period of control" + first
        if f.get("winner") != a:
            return f"the data's history is of {ctx.pname(f.get('winner'))} control"
    return None


def unbroken(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    if "first time" in sent.skel:
        return None  # "the first time Aspire has controlled Tower Hamlets since records began"
    a = _party(ctx, ev, sent, m, "a")
    for slug, f in _councils(ctx, ev, sent, m):
        if f is None:
            continue
        if f.get("before_since") is None:
            return "the data has no unbroken run of control"
        if f.get("control_before") != a:
            return f"the data says {ctx.pname(f.get('control_before'))} controlled {f.get('council_name')} before"
    return None


def new_council(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    for slug, f in _councils(ctx, ev, sent, m):
        if f is not None and not f.get("new_council"):
            return f"{f.get('council_name')} is not a new council"
    return None


def nth(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    a = _party(ctx, ev, sent, m, "a")
    o = _item(sent, m, "o").value
    for slug, f in _councils(ctx, ev, sent, m):
        if f is None:
            continue
        if m.group("v") == "lost":
            if f.get("loser") != a:
                return f"the data says {result_words(ctx, f)}"
            n = f.get("loser_losses_tonight")
            return None if n == o else f"the data says it is the {_ordinal(n)} council {ctx.pname(a)} lost so far"
        if f.get("winner") != a or f.get("result_kind") != "gain":
            return f"the data says {result_words(ctx, f)}"
        n = f.get("winner_gains_tonight")
        return None if n == o else f"the data says it is the {_ordinal(n)} council {ctx.pname(a)} gained so far"
    return None


def _ordinal(n: Any) -> str:
    if not isinstance(n, int):
        return "unknown"
    return {v: k for k, v in ORDINAL_WORDS.items()}.get(n, f"{n}th")


def cycle(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    f = ev.main_council
    if f is None:
        return None
    v = m.group("v")
    want = {"a third": "thirds", "third": "thirds", "half": "halves"}.get(v, "all-out")
    if f.get("cycle") == want or (want == "all-out" and f.get("seats_up") == f.get("total_seats")):
        return None
    return f"the data says {f.get('council_name')} elects by {f.get('cycle')}"


def advance(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    a = _party(ctx, ev, sent, m, "a")
    vals = ev.seat_change(a)
    if any(v > 0 for v in vals):
        return None
    return f"the data says {ctx.pname(a)} did not gain seats"


def results_service(ctx, ev: Evidence, sent: Sentence, m: re.Match) -> str | None:
    """"Lab gain from Con", "Con hold", "Con lose to NOC" (results-service words)."""
    v = m.group("v")
    kind = {"gain": "gain", "hold": "hold", "lose": "lose"}[v]
    a = _party(ctx, ev, sent, m, "a")
    b = _party(ctx, ev, sent, m, "b") or _party(ctx, ev, sent, m, "bb")
    f = ev.main_council
    if f is None:
        return None
    if kind == "lose":
        return _control_one(ctx, f, "lose", b, a, False, {})
    return _control_one(ctx, f, kind, a, b, False, {})


def _ctl(kind: str):
    return lambda ctx, ev, sent, m: control(ctx, ev, sent, m, kind)


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
     P("new") + " " + MOD + GV
     + r" (?:overall )?(?:control of |a majority on |the london borough of |london borough of )?(?:the )?(?:new )?"
     + CLIST + r"(?: council)?(?:,? (?:in london|at its first election),?)?(?: from " + P("old") + ")?",
     _ctl("gain")),
    ("gain-control-from", ("control from", "control of the council from", "control of the new council from"),
     GV + r" (?:overall )?control (?:of (?:the )?(?:new )?council )?from " + P("old"), _ctl("gain")),
    ("gain-control-council", ("control of the",),
     P("new") + " " + MOD + GV + r" (?:overall )?control of the (?:new )?council(?! from)", _ctl("gain")),
    ("falls-to", ("fall", "fell", "pass", "go", "went", "gone"),
     r"(?:^(?:the )?(?:new )?|(?<=[,;:] )|(?<=london's )|(?<=the new ))" + CLIST + r"(?: council)?(?:,? in london,?)? "
     + MOD + r"(?:falls?|fell|fallen|falling|pass(?:es|ed)?|passing|go(?:es)?|"
     r"going|went|gone|fall|pass) (?:from " + P("old") + " )?to " + P("new") + r"(?: from " + P("old2") + ")?",
     _ctl("gain")),
    ("run-by", (" by ",),
     r"(?P<past>had been |was )?(?P<now>now |being |be )?(?:run|controlled|held|led) by " + P("new")
     + r"(?P<past2> before (?:the|this) election| before polling day| on the eve of poll)?", _ctl("state")),
    ("given", ("give", "given", "hand"),
     r"(?:given|give|gives|handed) " + P("new") + r" (?:overall )?(?:control|a majority|a clear majority)",
     _ctl("state")),
    ("hold", ("kept", "keep", "held", "hold", "retain"),
     P("new") + " " + MOD + HV + r" (?:on to |onto )?(?:overall )?(?:control of )?(?:the )?" + CLIST + r"(?! ward)",
     _ctl("hold")),
    ("hold-council", ("control of the council",),
     P("new") + " " + MOD + HV + r" (?:overall )?control of the (?:new )?council", _ctl("hold")),
    ("stays-with", ("stay", "remain"),
     C("c") + r"(?: council)? " + MOD + r"(?:stays?|stayed|staying|remains?|remained|remaining|stay|remain) "
     r"(?:with|in the hands of) " + P("new"), _ctl("hold")),
    ("in-hands", ("hands of",),
     r"(?<!remains )(?<!remain )(?<!stays )in the hands of " + P("new"), _ctl("state")),
    ("lose", ("lost", "lose", "losing"),
     P("old") + " " + MOD + LV + r" (?:overall )?(?:control of )?(?:the )?" + CLIST
     + r"(?! ward)(?: to " + P("to") + ")?",
     _ctl("lose")),
    ("lose-council", ("control of the",),
     P("old") + " " + MOD + LV + r" (?:overall )?control of the (?:new )?council", _ctl("lose")),
    ("overall-majority", ("majority",),
     P("new") + r"(?:'s?|') (?:overall )?majority\b", _ctl("state")),
    ("lose-majority", ("lost", "lose", "losing"),
     P("old") + " " + MOD + LV + r" (?:(?:its|their|his|her|the|overall) )*(?:majority|control)\b(?! of)",
     _ctl("lose")),
    ("noc", ("⟩",),
     r"(?:" + C("c") + r"(?: council)?|which|it|the council|the new council) " + MOD
     + r"(?P<v>remains?|remained|stays?|"
     r"stayed|stay|remain|is|was|be|now|left|heading|falls?|fell|fallen|fall|goes|go|went)? ?(?:(?:still|now) )?"
     r"(?:under|in|for|to) " + P("noc"), noc),
    ("noc-headline", ("⟩ in ⟨C",), r"^" + P("noc") + r" in " + C("c"), noc),
    ("no-party", ("no party", "no majority"),
     r"\bno party (?:now )?(?:has|have|wins?|won|can|could|is|with|in overall(?! control before))\b"
     r"|\bleft no party with\b"
     r"|\bwith no party in overall control\b|\bhave no party in overall control\b|^no majority\b", noc),
    ("no-party-before", ("before this election",), r"\bhad no party in overall control before\b", noc_before),
    ("largest", ("largest", "the most"),
     P("a") + r" (?:(?:is|are|was|were|has|have|had) )?(?:(?:now|still) )?"
     r"(?:the (?P<joint>joint )?largest party|the most\b)",
     largest),
    ("results-service", (" gain", " hold", " lose"),
     r"(?:^|: )" + P("a") + r" (?P<v>gain|hold|lose)(?: from " + P("b") + r"| to " + P("bb") + r")?(?:$|[.;,])",
     results_service),
    # -- groups ----------------------------------------------------------------------------
    ("including", ("including",),
     P("a") + " " + MOD + r"(?P<v>gained|gains?|taken|took|won|lost|loses?) [^;.]*?including " + CLIST, including),
    # -- wards -----------------------------------------------------------------------------
    ("ward-seat-from", ("seat",),
     P("a") + " " + MOD + r"(?P<v>gained|gain|gains|took|take|takes|taken|won|win|wins|snatched|lost|lose|loses) "
     r"(?:a|one|the|another|⟨N\d+⟩) seats? (?:from|to) " + P("b"), ward_gain),
    ("ward-take", ("gain", "take", "took", "taken", "snatch", "seiz"),
     P("a") + " " + MOD + r"(?:gained|gain|gains|took|take|takes|taken|snatched|seized|seizes) " + W("w")
     + r"(?: from " + P("b") + ")?", ward_gain),
    ("ward-changes-hands", ("hands to",), r"(?:changes|changed|changing) hands to " + P("a"), ward_gain),
    ("ward-taking-from", ("from",),
     r"(?:taking|took|takes|gaining|gained) (?:it|a seat|the seat|one seat|⟨N\d+⟩ seats?) from " + P("b"), ward_gain),
    ("ward-lose", ("lost", "lose"), P("a") + " " + MOD + LV + " " + W("w"), ward_lose),
    ("ward-hold", ("kept", "keep", "held", "hold", "retain"), P("a") + " " + MOD + HV + " " + W("w"), ward_hold),
    ("ward-win", ("won", "win", "took", "tak"),
     P("a") + r"[^⟨;]{0,45}? (?:won|wins|win|took|takes|taking) (?:(?:the |a )?(?P<last>last )?seat\b|" + W("w") + ")",
     ward_win),
    ("ward-elected", ("elected",), W("w") + r" elected " + P("a"), ward_win),
    ("ward-elected-for", ("elected for",), r"elected for ⟨W\d+⟩ (?:are|were) (?P<rest>.*)$", ward_win),
    ("first-seat", ("first",), r"\bfirst (?:⟨C\d+⟩ )?seats?\b", first_seat),
    # -- history ---------------------------------------------------------------------------
    ("first-time", ("first time",),
     r"first time (?:(?:in records going back to|since records began in) ⟨N\d+⟩ |(?P<since>since ⟨N\d+⟩ ))?"
     r"(?:that )?" + P("a") + " " + MOD + r"(?:controlled|run|ran|won|held|had control of) " + C("c"), first_time),
    ("first-time-bare", ("for the first time",), r"\bfor the first time\b(?! since)", first_time_bare),
    ("last-ran", ("last",), P("a") + r" last (?:ran|controlled|held|won|had control of) " + C("c"), last_ran),
    ("not-since", ("since",), P("a") + " " + MOD + r"not (?:controlled|run|held|won) " + C("c") + " since", last_ran),
    ("unbroken", ("since",),
     P("a") + r" (?:had|has|have) (?:controlled|run|held) " + C("c") + r" (?:without a break |continuously )?since",
     unbroken),
    ("new-council", ("new",),
     r"\bnew " + C("c") + r" council\b|" + C("cc") + r" is a new authority\b"
     r"|\bfirst (?:election|vote) (?:to|for) the new\b",
     new_council),
    ("nth", ("council",),
     C("c") + r" (?:is|was) the ⟨O(?P<o>\d+)⟩ council " + P("a") + " " + MOD + r"(?P<v>gained|lost|taken|won)", nth),
    ("cycle", ("up for election", "at once"),
     r"(?P<v>a third|third|half|all|every)(?: of)? (?:the |(?:⟨C\d+⟩(?:'s?|') ))?(?:⟨N\d+⟩ )?seats? "
     r"(?:were |was )?up for election|\belected (?P<v2>every) seat at once", cycle),
    ("advance", ("advance",), P("a") + r" (?:advance|advances|advanced)\b", advance),
))
