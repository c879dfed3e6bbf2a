"""Reading the claims in a story's text and checking each against the recomputed night.

The reader knows what the words of a results story mean ("has taken control of",
"so far", "on the same seats in 2018", "the fourth council Labour has gained"), not how the
writer produced them: each rule is a phrasing, a regex over one sentence, and a check of
what that phrasing claims against :mod:`writer.oracle.truth` at the story's moment.

Strictness: every figure in a sentence (digits, number words, "no" used as a number,
ordinals) must fall inside the match of some rule; a figure that none accounts for is itself
reported ("unread figure"), so a new phrasing cannot slip past unchecked. Rules never match
a figure they do not check.

The reader sees a story's text and plain metadata (its id, version, night time, kind and
review state), never the writer's evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from writer.oracle import text as T
from writer.oracle.lexicon import NUM, ORD, Lexicon
from writer.oracle.parties import NOC, can_control
from writer.oracle.report import Disagreement
from writer.oracle.truth import CouncilState, NightTruth, Tally, WardResult, majority_needed, when

DISCLOSURE_CHECKED = "This report was produced automatically from official results and checked by an editor."
DISCLOSURE_UNCHECKED = ("This report was produced automatically from official results and has not yet "
                        "been checked by an editor.")


@dataclass(frozen=True)
class StoryMeta:
    """What the oracle may know about a story besides its text."""

    id: str  # ward:<ballot id>, council:<slug>, group:<id>, roundup:<election id>
    version: int
    at: str  # the story's night time (ISO 8601)
    kind: str = ""
    status: str = "draft"
    reviewed: bool = False  # an editor approved this version

    @property
    def scope(self) -> tuple[str, str | None, str | None]:
        """(kind, council slug, ward key or group id)."""
        kind, _, rest = self.id.partition(":")
        if kind == "ward":
            parts = rest.split(".")
            return "ward", parts[1] if len(parts) > 2 else None, parts[2] if len(parts) > 3 else None
        if kind == "council":
            return "council", rest, None
        if kind == "group":
            return "group", None, rest
        return kind or self.kind, None, None


# -- the reading context ----------------------------------------------------------------------


class Ctx:
    """One story being read: its moment of the night and the disagreements found."""

    def __init__(self, truth: NightTruth, lex: Lexicon, meta: StoryMeta, point: int | None = None) -> None:
        self.truth = truth
        self.lex = lex
        self.meta = meta
        self.t = when(meta.at)
        self.point = truth.point(self.t) if point is None else point
        self.moment = truth.moment(self.point)
        self.kind, self.slug, self.sub = meta.scope
        self.state: CouncilState | None = self.moment.states.get(self.slug) if self.slug else None
        self.ward: WardResult | None = None
        if self.kind == "ward" and self.slug and self.sub:
            self.ward = truth.ward(self.slug, self.sub, self.point)
        self.gid = self.sub if self.kind == "group" else None
        self.out: list[Disagreement] = []
        self.sentence = ""
        self.claims: list[dict[str, Any]] = []  # claims kept for checks across stories

    # -- flagging -----------------------------------------------------------------------------
    def flag(self, claim: str, copy: Any, truth: Any, kind: str = "figure") -> None:
        self.out.append(Disagreement(self.meta.id, self.meta.version, self.meta.at, self.sentence.strip(),
                                     claim, str(copy), str(truth), kind))

    def expect(self, claim: str, copy: Any, truth: Any, kind: str = "figure", ok: bool | None = None) -> bool:
        good = (copy == truth) if ok is None else ok
        if not good:
            self.flag(claim, copy, truth, kind)
        return good

    # -- names --------------------------------------------------------------------------------
    def P(self, name: str) -> str:
        got = self.lex.party_of(name)
        if got is None:
            self.flag("party name", name, "no party of the night is called that", "party-identity")
            return "?" + name
        return got

    def C(self, name: str) -> str | None:
        got = self.lex.council_of(name)
        if got is None:
            self.flag("council name", name, "no council of the night is called that")
        return got

    def G(self, name: str) -> str | None:
        got = self.lex.group_of(name)
        if got is None:
            self.flag("group name", name, "no group is called that")
        return got

    def cs(self, name_or_slug: str | None) -> CouncilState | None:
        if name_or_slug is None:
            return None
        slug = name_or_slug if name_or_slug in self.moment.states else self.lex.council_of(name_or_slug)
        return self.moment.states.get(slug) if slug else None

    def pname(self, cid: str) -> str:
        """A party as copy would name it, for messages."""
        forms = self.truth.parties.copy_names.get(cid)
        if forms:
            return forms["later"]
        names = sorted(self.truth.parties.display.get(cid, {cid}))
        return names[0] if names else cid

    def tally(self, gid: str | None) -> Tally:
        return self.moment.group(gid) if gid else self.moment.national


# -- rules ------------------------------------------------------------------------------------

Handler = Callable[[Ctx, re.Match], None]
_RX: dict[str, re.Pattern] = {}


def _rx(pattern: str) -> re.Pattern:
    """A compiled regex, kept: the reader's patterns hold the night's long name lists, and
    recompiling them (Python's own cache is small) would dominate the time."""
    got = _RX.get(pattern)
    if got is None:
        got = _RX[pattern] = re.compile(pattern)
    return got


def _fullmatch(pattern: str, text: str) -> re.Match | None:
    return _rx(pattern).fullmatch(text)


def _match(pattern: str, text: str) -> re.Match | None:
    return _rx(pattern).match(text)


def _search(pattern: str, text: str) -> re.Match | None:
    return _rx(pattern).search(text)


def _finditer(pattern: str, text: str):
    return _rx(pattern).finditer(text)
_TOKEN = re.compile(r"<(\w+):(\w+)>")


@dataclass
class Rule:
    pattern: str
    need: tuple[str, ...]  # lower-case words every matching sentence contains
    handler: Handler
    kinds: tuple[str, ...] = ()  # story kinds it reads (empty: all)
    _compiled: dict[Any, re.Pattern] = field(default_factory=dict)

    def regex(self, lex: Lexicon, slug: str | None = None) -> re.Pattern:
        key = id(lex)
        got = self._compiled.get(key)
        if got is None:
            types = _types(lex)

            def sub(m: re.Match) -> str:
                return f"(?P<{m.group(1)}>{types[m.group(2)]})"
            got = self._compiled[key] = re.compile(_TOKEN.sub(sub, self.pattern))
        return got


RULES: list[Rule] = []


def rule(pattern: str, need: str | tuple[str, ...], kinds: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
    """Register a phrasing: ``<name:TYPE>`` marks a named part (P party, C council, W ward of
    the story's council, G group, N number, PCT share, PTS points, Y year, T clock time, ORD
    ordinal, PL/CL lists of parties/councils)."""
    needs = (need,) if isinstance(need, str) else need

    def deco(fn: Handler) -> Handler:
        RULES.append(Rule(pattern, tuple(n.lower() for n in needs), fn, kinds))
        return fn
    return deco


def _types(lex: Lexicon) -> dict[str, str]:
    """Regexes of the named parts. The story's ward is masked in the sentence before it is
    read (see :func:`mask_ward`), so a ward is a run of the mask character."""
    P, C = lex.party_re, lex.council_re
    return {
        "P": P, "C": C, "G": lex.group_re, "W": WARD_MASK + "+", "N": NUM,
        "PCT": r"\d+(?:\.\d+)?%", "PTS": r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine) points?",
        "Y": r"\d{4}", "T": r"\d{1,2}(?:\.\d{2})?(?:am|pm)", "ORD": ORD,
        "PL": rf"{P}(?:, {P})*(?: and {P})?",
        "CL": rf"{C}(?:, {C})*(?:,? and (?:{C}|{NUM} other councils?))?",
        "X": r"[^\d]+?",
    }


# -- shared checks ----------------------------------------------------------------------------


def n_(text: str) -> int:
    got = T.number(text)
    return -1 if got is None else got


def parties_in(ctx: Ctx, text: str) -> list[str]:
    return [ctx.P(m.group(0)) for m in _finditer(ctx.lex.party_re, text)]


def councils_in(ctx: Ctx, text: str) -> tuple[list[str], int]:
    """Councils named in a list, and the count of "N other councils" at its end."""
    slugs = [s for s in (ctx.lex.council_of(m.group(0)) for m in _finditer(ctx.lex.council_re, text)) if s]
    more = _search(rf"({NUM}) other councils?", text)
    return slugs, (n_(more.group(1)) if more else 0)


def check_seats(ctx: Ctx, st: CouncilState, party: str, n: int, claim: str = "seats held") -> None:
    """A party's seats on the whole council after the election."""
    have = st.composition.get(party, 0)
    ctx.expect(f"{claim}: {ctx.pname(party)} in {st.name}", n, have)


def check_total(ctx: Ctx, st: CouncilState, m: int, what: str = "seats on the council") -> None:
    ctx.expect(f"{what} in {st.name}", m, st.council.total)


def check_won(ctx: Ctx, st: CouncilState, party: str, n: int, m: int | None) -> None:
    """"won N of the M seats": seats won tonight, of the seats up tonight."""
    won = st.won.get(party, 0)
    if n != won:
        held = st.composition.get(party, 0)
        kind = "won" if n == held and held != won else "figure"
        ctx.flag(f"seats won tonight by {ctx.pname(party)} in {st.name}", n,
                 f"{won} won tonight (of {st.seats_up} up); {held} held on the council", kind)
    if m is not None and m != st.seats_up:
        kind = "won" if m == st.council.total else "figure"
        ctx.flag(f"seats up tonight in {st.name}", m, f"{st.seats_up} seats were up ({st.council.total} on the council)", kind)


def check_majority_needed(ctx: Ctx, st: CouncilState, n: int) -> None:
    ctx.expect(f"seats needed for a majority in {st.name}", n, st.majority_needed)


def check_control(ctx: Ctx, st: CouncilState | None, kind: str, party: str | None = None,
                  other: str | None = None, provisional: bool = False) -> None:
    """A control claim: kind is gain (party takes it from ``other``: a party or NOC), hold,
    lose (party loses it to NOC), noc (stays under NOC), new_win or new_noc; provisional
    claims ("on course to") need control to be certain at the story's moment."""
    if st is None:
        return
    before = st.council.control_before
    what = f"control of {st.name}"
    if provisional and not st.final:
        after = st.certain
        if after is None:
            ctx.flag(what, f"{kind} {ctx.pname(party) if party else ''} certain".strip(),
                     f"not yet certain with {st.seats_declared} of {st.seats_up} seats declared "
                     f"({_so_far_text(ctx, st)})", "control")
            return
    else:
        if not st.final:
            ctx.flag(what, f"final {kind}", f"{st.name} has not declared (only {st.seats_declared} of "
                     f"{st.seats_up} seats)", "control")
            return
        after = st.control
    ok = {
        "gain": after == party and before != party and (other == before or (other == NOC and before == NOC)),
        "hold": after == party and before == party,
        "lose": before == party and before not in (None, NOC) and after == NOC,
        "noc": before == NOC and after == NOC,
        "new_win": st.council.new and after == party,
        "new_noc": st.council.new and after == NOC,
    }[kind]
    if not ok:
        ctx.flag(what, _control_text(ctx, kind, party, other),
                 f"before: {ctx.pname(before) if before else 'new council'}; after: "
                 f"{ctx.pname(after) if after != NOC else 'no overall control'}", "control")


def _control_text(ctx: Ctx, kind: str, party: str | None, other: str | None) -> str:
    p = ctx.pname(party) if party else ""
    o = "no overall control" if other == NOC else (ctx.pname(other) if other else "")
    return {"gain": f"{p} take it from {o}", "hold": f"{p} keep it", "lose": f"{p} lose it to no overall control",
            "noc": "stays under no overall control", "new_win": f"{p} win the new council",
            "new_noc": "no party wins the new council"}[kind]


def _so_far_text(ctx: Ctx, st: CouncilState) -> str:
    top = sorted(st.so_far.items(), key=lambda kv: -kv[1])[:3]
    return "so far " + ", ".join(f"{ctx.pname(p)} {n}" for p, n in top) + f"; {st.majority_needed} needed"


def check_largest(ctx: Ctx, st: CouncilState, party: str, joint: bool, n: int | None) -> None:
    """"the (joint) largest party on N": among parties (not independents, residents'
    groups, lumped others or vacancies); a lumped Other that could hold a larger party makes
    the claim unsafe."""
    comp = st.composition
    rivals = {p: v for p, v in comp.items() if can_control(p)}
    groups = {p: v for p, v in comp.items() if p in ("Ind", "Res")}
    mine = comp.get(party, 0)
    if n is not None:
        check_seats(ctx, st, party, n)
    if not rivals:
        return
    top = max(rivals.values())
    ties = [p for p, v in rivals.items() if v == top]
    tied_groups = [p for p, v in groups.items() if v == top]  # independents are not a party: either wording
    if mine != top:
        ctx.flag(f"largest party in {st.name}", ctx.pname(party), f"{', '.join(ctx.pname(p) for p in ties)} with {top}")
    elif joint != (len(ties) > 1) and not (joint and tied_groups):
        ctx.flag(f"largest party in {st.name}", ("joint largest " if joint else "largest ") + ctx.pname(party),
                 "shared with " + ", ".join(ctx.pname(p) for p in ties if p != party) if len(ties) > 1 else "alone")
    lump = comp.get("Other", 0)
    if lump >= mine and mine:
        est = {p: st.council.not_up.get(p, 0) + st.won.get(p, 0)
               for p in set(st.council.not_up) | set(st.won) if p.startswith("Other:") and p not in comp}
        bigger = {p: v for p, v in est.items() if v >= mine}
        if bigger:
            ctx.flag(f"largest party in {st.name}", f"{ctx.pname(party)} largest on {mine}",
                     f"lumped Other has {lump} seats; by estimate " +
                     ", ".join(f"{ctx.pname(p)} about {v}" for p, v in bigger.items()), "lump")


def check_change(ctx: Ctx, st: CouncilState, party: str, n: int, whole: bool | None = None) -> None:
    """A party's seat change against the baseline (``whole``: the copy says it compares
    the council as a whole; False: "the same seats")."""
    ch = st.change
    if ch is None:
        ctx.flag(f"seat change of {ctx.pname(party)} in {st.name}", f"{n:+d}",
                 f"no like-for-like change ({st.council.not_comparable_reason or 'not complete'})")
        return
    if whole is not None and whole != (st.change_basis == "whole"):
        ctx.flag(f"basis of the seat change in {st.name}", "as a whole" if whole else "the same seats",
                 "the whole council against its baseline total" if st.change_basis == "whole" else "ward by ward, the same seats")
    got = ch.get(party, 0)
    if got != n:
        kind = "party-identity" if _merged(ctx, st, party) else "figure"
        ctx.flag(f"seat change of {ctx.pname(party)} in {st.name}", f"{n:+d}", f"{got:+d}", kind)


def _merged(ctx: Ctx, st: CouncilState, party: str) -> bool:
    """Whether one party of this council goes under more than one spelling."""
    names = ctx.truth.parties.display.get(party, set())
    return party.startswith("Other:") and len(names) > 1


def check_history(ctx: Ctx, st: CouncilState | None, party: str, claim: str, year: int) -> None:
    """History claims: first (first time, records from ``year``), last (last ran in
    ``year``), since (not since ``year``), run (without a break since ``year``)."""
    if st is None:
        return
    h = st.council.history
    mine = [(a, b) for a, b, c in h if c == party]
    if claim == "first":
        start = min((a for a, _, _ in h), default=None)
        ok = not mine and start == year and st.final and st.control == party
        truth = (f"records from {start}; {ctx.pname(party)} controlled it " +
                 (", ".join(f"{a}-{b or ''}" for a, b in mine) if mine else "never") +
                 f"; now {'final, ' + ctx.pname(st.control) if st.final else 'not final'}")
    elif claim in ("last", "since"):
        last = max((b for a, b in mine if b is not None), default=None)
        ok = last == year and st.final and (claim == "since" or st.control == party)
        truth = f"{ctx.pname(party)} last in control until {last}"
    else:  # run without a break since
        runs = [(a, b, c) for a, b, c in h]
        since = None
        for a, b, c in reversed(runs):
            if c != party:
                break
            since = a
        ok = bool(runs) and runs[-1][2] == party and runs[-1][1] is None and since == year
        truth = f"current run of {ctx.pname(party)} since {since}" if since else "not in control before the poll"
    if not ok:
        ctx.flag(f"history of {st.name}", f"{claim} {year}", truth, "history")


# -- time words -------------------------------------------------------------------------------


def check_time_word(ctx: Ctx, word: str) -> None:
    ok = word.lower() in T.time_words(ctx.t)
    if not ok:
        ctx.flag("time of day", word, f"the story is at {T.clock(ctx.t)} on {ctx.t.astimezone(T.LONDON):%A}", "ordinal")


def check_clock(ctx: Ctx, text: str, when_: datetime) -> None:
    ctx.expect("time", text, T.clock(when_))


def clock_moment(ctx: Ctx, text: str) -> datetime | None:
    """The moment of the night (on or before the story's) that a clock time names."""
    for t in reversed(ctx.truth.times()):
        if t <= ctx.t and T.clock(t) == text:
            return t
    return None





# ==============================================================================================
# Council stories
# ==============================================================================================

V_HAS = r"(?:has|have)"
FROM = r"from (?:<o:P>|no overall control)"


def _other(ctx: Ctx, m: re.Match, name: str = "o") -> str:
    return ctx.P(m.group(name)) if m.group(name) else NOC


def _st(ctx: Ctx, m: re.Match, name: str = "c") -> CouncilState | None:
    return ctx.cs(m.group(name))


# -- ledes and headlines of declared councils ---------------------------------------------------


@rule(rf"^<p:P> {V_HAS} taken (?:control of|the London borough of) <c:C> {FROM}, winning <n:N> of the <m:N> seats\.$", "winning")
def lede_gain_winning(ctx: Ctx, m: re.Match) -> None:
    st, p = _st(ctx, m), ctx.P(m["p"])
    check_control(ctx, st, "gain", p, _other(ctx, m))
    if st:
        check_won(ctx, st, p, n_(m["n"]), n_(m["m"]))


@rule(rf"^<c:C> has changed hands: <p:P> {V_HAS} won <n:N> of the <m:N> seats and takes? control {FROM}\.$", "changed hands")
def lede_gain_changed(ctx: Ctx, m: re.Match) -> None:
    st, p = _st(ctx, m), ctx.P(m["p"])
    check_control(ctx, st, "gain", p, _other(ctx, m))
    if st:
        check_won(ctx, st, p, n_(m["n"]), n_(m["m"]))


@rule(rf"^With <n:N> of the <m:N> seats, <p:P> {V_HAS} won control of <c:C> {FROM}\.$", "won control")
def lede_gain_with(ctx: Ctx, m: re.Match) -> None:
    st, p = _st(ctx, m), ctx.P(m["p"])
    check_control(ctx, st, "gain", p, _other(ctx, m))
    if st:
        check_seats(ctx, st, p, n_(m["n"]))
        check_total(ctx, st, n_(m["m"]))


@rule(rf"^In London, <c:C> has passed {FROM} to <p:P>, which won <n:N> of the <m:N> seats\.$", "has passed")
def lede_gain_london2(ctx: Ctx, m: re.Match) -> None:
    st, p = _st(ctx, m), ctx.P(m["p"])
    _london(ctx, st)
    check_control(ctx, st, "gain", p, _other(ctx, m))
    if st:
        check_won(ctx, st, p, n_(m["n"]), n_(m["m"]))


@rule(rf"^<c:C>, in London, is now run by <p:P>, which took control {FROM} with <n:N> of the <m:N> seats\.$", "now run by")
def lede_gain_london3(ctx: Ctx, m: re.Match) -> None:
    st, p = _st(ctx, m), ctx.P(m["p"])
    _london(ctx, st)
    check_control(ctx, st, "gain", p, _other(ctx, m))
    if st:
        check_seats(ctx, st, p, n_(m["n"]))
        check_total(ctx, st, n_(m["m"]))


def _london(ctx: Ctx, st: CouncilState | None) -> None:
    if st is not None:
        ctx.expect(f"region of {st.name}", "London", st.council.region)


@rule(rf"^<p:P> take <c:C> {FROM}(?P<ldn> in London)?$", " take ")
def head_gain1(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if m["ldn"]:
        _london(ctx, st)
    check_control(ctx, st, "gain", ctx.P(m["p"]), _other(ctx, m))


@rule(r"^(?P<ldn>London's )?<c:C> falls to <p:P>(?P<noc> from no overall control)?$", "falls to")
def head_gain2(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if m["ldn"]:
        _london(ctx, st)
    if st is None:
        return
    before = st.council.control_before
    check_control(ctx, st, "gain", ctx.P(m["p"]), before if not m["noc"] else NOC)


@rule(rf"^<p:P> gain (?P<ldn>London borough of )?<c:C>(?: {FROM})?$", " gain ")
def head_gain3(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st is None:
        return
    if m["ldn"]:
        _london(ctx, st)
    other = _other(ctx, m) if "from" in m.group(0) else st.council.control_before
    check_control(ctx, st, "gain", ctx.P(m["p"]), other)


@rule(rf"^<p:P> {V_HAS} kept control of <c:C>, with <n:N> of the <m:N> seats\.$", "kept control")
def lede_hold1(ctx: Ctx, m: re.Match) -> None:
    _hold_with(ctx, m)


@rule(r"^<c:C> remains in the hands of <p:P>, (?:which|who) now holds? <n:N> of the <m:N> seats\.$", "remains in the hands")
def lede_hold2(ctx: Ctx, m: re.Match) -> None:
    _hold_with(ctx, m)


@rule(r"^With <n:N> of the <m:N> seats, <p:P> keeps? control of <c:C>\.$", "keep")
def lede_hold3(ctx: Ctx, m: re.Match) -> None:
    _hold_with(ctx, m)


def _hold_with(ctx: Ctx, m: re.Match) -> None:
    st, p = _st(ctx, m), ctx.P(m["p"])
    check_control(ctx, st, "hold", p)
    if st:
        check_seats(ctx, st, p, n_(m["n"]))
        check_total(ctx, st, n_(m["m"]))


@rule(r"^<p:P> (?:hold|keep control of) <c:C>$", ("hold", "keep control"))
def head_hold(ctx: Ctx, m: re.Match) -> None:
    check_control(ctx, _st(ctx, m), "hold", ctx.P(m["p"]))


@rule(r"^<c:C> stays with <p:P>$", "stays with")
def head_hold2(ctx: Ctx, m: re.Match) -> None:
    check_control(ctx, _st(ctx, m), "hold", ctx.P(m["p"]))


@rule(rf"^<p:P> {V_HAS} lost control of <c:C>, which is now under no overall control, with <q:P> the (?P<joint>joint )?largest party on <n:N> of the <m:N> seats\.$", "which is now under")
def lede_lose1(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    check_control(ctx, st, "lose", ctx.P(m["p"]))
    if st:
        check_largest(ctx, st, ctx.P(m["q"]), bool(m["joint"]), n_(m["n"]))
        check_total(ctx, st, n_(m["m"]))


@rule(r"^<c:C> has fallen to no overall control after <p:P> lost (?:its|their) majority(?P<rest>.*)\.$", "has fallen to no overall control")
def lede_lose2(ctx: Ctx, m: re.Match) -> None:
    st, p = _st(ctx, m), ctx.P(m["p"])
    check_control(ctx, st, "lose", p)
    rest = m["rest"]
    if st is None:
        return
    a = _fullmatch(rf", though (?:it|they) still {V_HAS} the most seats(?P<shared>, shared,)?: ({NUM}) of ({NUM})", rest)
    b = _fullmatch(rf"; ({ctx.lex.party_re}) (?:is|are) now the (joint )?largest party, with ({NUM}) of the ({NUM}) seats", rest)
    if a:
        check_largest(ctx, st, p, bool(a["shared"]), n_(a.group(2)))
        check_total(ctx, st, n_(a.group(3)))
    elif b:
        check_largest(ctx, st, ctx.P(b.group(1)), bool(b.group(2)), n_(b.group(3)))
        check_total(ctx, st, n_(b.group(4)))
    else:
        ctx.flag("sentence", rest, "a phrasing the oracle cannot read", "unread")


@rule(r"^No party now has a majority on <c:C> after <p:P> lost control; <q:P> (?:is|are) the (?P<joint>joint )?largest party with <n:N> of the <m:N> seats\.$", "no party now has a majority")
def lede_lose3(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    check_control(ctx, st, "lose", ctx.P(m["p"]))
    if st:
        check_largest(ctx, st, ctx.P(m["q"]), bool(m["joint"]), n_(m["n"]))
        check_total(ctx, st, n_(m["m"]))


@rule(r"^<p:P> lose (?:control of )?<c:C>(?: to no overall control)?$", " lose ")
def head_lose(ctx: Ctx, m: re.Match) -> None:
    check_control(ctx, _st(ctx, m), "lose", ctx.P(m["p"]))


@rule(r"^<c:C> falls to no overall control$", "falls to no overall control")
def head_lose2(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st:
        check_control(ctx, st, "lose", st.council.control_before)


@rule(r"^<c:C> remains under no overall control, with <p:P> the (?P<joint>joint )?largest party on <n:N> of the <m:N> seats\.$", "remains under no overall control")
def lede_noc1(ctx: Ctx, m: re.Match) -> None:
    _noc_largest(ctx, m)


@rule(rf"^No party has a majority on <c:C>, which stays under no overall control; <p:P> {V_HAS} the most seats(?P<joint>, shared,)?: <n:N> of <m:N>\.$", "which stays under")
def lede_noc2(ctx: Ctx, m: re.Match) -> None:
    _noc_largest(ctx, m)


@rule(r"^<p:P> (?:is|are) the (?P<joint>joint )?largest party on <c:C> council with <n:N> of the <m:N> seats, but the council stays under no overall control\.$", "but the council stays")
def lede_noc3(ctx: Ctx, m: re.Match) -> None:
    _noc_largest(ctx, m)


def _noc_largest(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    check_control(ctx, st, "noc")
    if st:
        check_largest(ctx, st, ctx.P(m["p"]), bool(m["joint"]), n_(m["n"]))
        check_total(ctx, st, n_(m["m"]))


@rule(r"^(?:No overall control in <c:C>|No party wins a majority on <c2:C>|<c3:C> stays under no overall control)$", ("no overall control", "no party wins"))
def head_noc(ctx: Ctx, m: re.Match) -> None:
    check_control(ctx, ctx.cs(m["c"] or m["c2"] or m["c3"]), "noc")


# -- new councils -----------------------------------------------------------------------------


@rule(rf"^<p:P> {V_HAS} won control of the new <c:C> council at its first election, taking <n:N> of the <m:N> seats\.$", "new")
def lede_new1(ctx: Ctx, m: re.Match) -> None:
    _new_win(ctx, m)


@rule(r"^The first election to the new <c:C> council has given <p:P> a majority, with <n:N> of its <m:N> seats\.$", "first election")
def lede_new2(ctx: Ctx, m: re.Match) -> None:
    _new_win(ctx, m)


@rule(r"^Voters in <c:C> have given <p:P> control of the new council at its first election, with <n:N> of the <m:N> seats\.$", "voters in")
def lede_new3(ctx: Ctx, m: re.Match) -> None:
    _new_win(ctx, m)


def _new_win(ctx: Ctx, m: re.Match) -> None:
    st, p = _st(ctx, m), ctx.P(m["p"])
    check_control(ctx, st, "new_win", p)
    if st:
        check_seats(ctx, st, p, n_(m["n"]))
        check_total(ctx, st, n_(m["m"]))


@rule(rf"^(?:No party has won a majority on the new <c:C> council at its first election; <p:P> (?:is|are) the largest party with <n:N> of the <m:N> seats"
      rf"|The first election to the new <c2:C> council has left no party with a majority; <p2:P> {V_HAS} the most seats, <n2:N> of <m2:N>"
      rf"|Voters in <c3:C> have elected a new council with no party in overall control; <p3:P> {V_HAS} the most seats, <n3:N> of <m3:N>)\.$", "new")
def lede_new_noc(ctx: Ctx, m: re.Match) -> None:
    i = "" if m["c"] else "2" if m["c2"] else "3"
    st = ctx.cs(m["c" + i])
    check_control(ctx, st, "new_noc")
    if st:
        check_largest(ctx, st, ctx.P(m["p" + i]), False, n_(m["n" + i]))
        check_total(ctx, st, n_(m["m" + i]))


@rule(r"^(?:<p:P> win new <c:C> council|<p2:P> to run new <c2:C> council|New <c3:C> council goes to <p3:P>|New <c4:C> council set to go to <p4:P>)$", "new")
def head_new(ctx: Ctx, m: re.Match) -> None:
    i = next(s for s in ("", "2", "3", "4") if m["c" + s])
    st = ctx.cs(m["c" + i])
    check_control(ctx, st, "new_win", ctx.P(m["p" + i]), provisional=(i == "4"))


@rule(r"^(?:No party wins new <c:C> council|New <c2:C> council under no overall control|No majority on new <c3:C> council)$", "new")
def head_new_noc(ctx: Ctx, m: re.Match) -> None:
    check_control(ctx, ctx.cs(m["c"] or m["c2"] or m["c3"]), "new_noc")


@rule(r"^(?:As <c:C> is a new authority, there is no earlier result to compare with and no change in seats to report"
      r"|There are no seat changes to report in <c2:C>: this was the (?P<o2>first) election to the new council"
      r"|This was the (?P<o3>first) vote for the new <c3:C> council, so no comparison with an earlier result is possible)\.$", "new")
def new_first(ctx: Ctx, m: re.Match) -> None:
    st = ctx.cs(m["c"] or m["c2"] or m["c3"])
    if st:
        ctx.expect(f"{st.name} is a new council", True, st.council.new, "control")


@rule(rf"^<p:P>(?:'s|') overall majority on (?P<new>the new )?<c:C>(?: council)? is <n:N>\.$", "overall majority on")
def majority_after(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st is None:
        return
    p = ctx.P(m["p"])
    if m["new"]:
        ctx.expect(f"{st.name} is a new council", True, st.council.new, "control")
    if not st.final or st.control != p:
        ctx.flag(f"control of {st.name}", f"{ctx.pname(p)} has a majority", f"control: {ctx.pname(st.control)}", "control")
        return
    ctx.expect(f"overall majority of {ctx.pname(p)} on {st.name}", n_(m["n"]), st.majority_after)


def _strip_possessive(name: str) -> str:
    return re.sub(r"(?:'s|')$", "", name)


# -- council body sentences ---------------------------------------------------------------------


@rule(rf"^<p:P> {V_HAS} lost control of <c:C> to <q:P>(?P<rest>, .*)\.$", "lost control of")
def handover(ctx: Ctx, m: re.Match) -> None:
    st, p, q = _st(ctx, m), ctx.P(m["p"]), ctx.P(m["q"])
    check_control(ctx, st, "gain", q, p)
    if st is None:
        return
    rest = m["rest"]
    a = _fullmatch(rf", and now {V_HAS} ({NUM}) seats? there", rest)
    b = _fullmatch(rf", with ({NUM}) seats? left on the council", rest)
    c = _fullmatch(r", and has no seats left on the council", rest)
    d = _fullmatch(rf", leaving ({ctx.lex.party_re}) with ({NUM}) seats?", rest)
    if a or b:
        check_seats(ctx, st, p, n_((a or b).group(1)))
    elif c:
        check_seats(ctx, st, p, 0)
    elif d:
        check_seats(ctx, st, ctx.P(d.group(1)), n_(d.group(2)))
    else:
        ctx.flag("sentence", rest, "a phrasing the oracle cannot read", "unread")


@rule(rf"^<c:C> had no party in overall control before this election; <p:P> now {V_HAS} an overall majority of <n:N>\.$", "had no party in overall control")
def handover_noc(ctx: Ctx, m: re.Match) -> None:
    st, p = _st(ctx, m), ctx.P(m["p"])
    check_control(ctx, st, "gain", p, NOC)
    if st and st.final and st.control == p:
        ctx.expect(f"overall majority of {ctx.pname(p)} on {st.name}", n_(m["n"]), st.majority_after)


@rule(rf"^<c:C> is the <o:ORD> council <p:P> {V_HAS} (?P<verb>gained|lost) so far (?P<when>tonight|this morning|today|this afternoon|this evening)\.$", "so far")
def night_ordinal(ctx: Ctx, m: re.Match) -> None:
    st, p = _st(ctx, m), ctx.P(m["p"])
    check_time_word(ctx, m["when"])
    if st is None:
        return
    n = T.ordinal(m["o"]) or 0
    place = ctx.moment.ordinal(st.slug, p, m["verb"])
    ctx.claims.append({"type": "ordinal", "council": st.slug, "party": p, "verb": m["verb"], "n": n,
                       "sentence": ctx.sentence})
    if place is None:
        ctx.flag(f"{st.name} {m['verb']} by {ctx.pname(p)}", m["o"], f"{st.name} is not a council {ctx.pname(p)} "
                 f"has {m['verb']} (result: {st.result_kind})", "ordinal")
    elif place != n:
        order = [s.name for s in ctx.moment.final if ctx.moment.counts(s, p, m["verb"])]
        ctx.flag(f"councils {ctx.pname(p)} has {m['verb']}, in the order they became final", m["o"],
                 f"{T.ordinal_word(place)} ({', '.join(order)})", "ordinal")


def composition_items(ctx: Ctx, text: str) -> list[tuple[str, int]] | None:
    """Parse a council's make-up: "Labour has 41 seats, the Conservatives 22 and other
    parties and groups seven between them" or "Labour 41, Conservatives 22 and others 7".
    Returns (party or "Other", seats) pairs, or None where the list cannot be read."""
    item = (rf"other parties and groups (?:have )?(?P<o>{NUM})(?: seats?)? between them|others (?P<o2>{NUM})"
            rf"|(?P<one>one other member)|(?P<p>{ctx.lex.party_re})(?: {V_HAS})? (?P<n>{NUM})(?: seats?)?")
    found = T.list_items(text, item)
    if found is None:
        return None
    out = []
    for m in found:
        if m["p"]:
            out.append((ctx.P(m["p"]), n_(m["n"])))
        else:
            out.append(("Other", 1 if m["one"] else n_(m["o"] or m["o2"])))
    return out


def check_composition(ctx: Ctx, st: CouncilState, text: str) -> None:
    items = composition_items(ctx, text)
    if items is None:
        ctx.flag("make-up of the council", text, "a list the oracle cannot read", "unread")
        return
    comp = st.composition
    named = [p for p, _ in items if p != "Other"]
    twice = sorted({p for p in named if named.count(p) > 1})
    if twice:
        ctx.flag(f"make-up of {st.name}", text, "one party listed twice: " + ", ".join(
            " / ".join(sorted(ctx.truth.parties.display.get(p, {ctx.pname(p)}) | {ctx.pname(p)})) for p in twice),
            "party-identity")
    for p, n in items:
        if p == "Other":
            rest = st.council.total - comp.get("Vacant", 0) - sum(comp.get(q, 0) for q in named)
            ctx.expect(f"other members of {st.name}", n, rest)
        else:
            check_seats(ctx, st, p, n)
    listed = sum(n for _, n in items) + comp.get("Vacant", 0)
    if listed != st.council.total:
        ctx.flag(f"make-up of {st.name}", f"{listed} seats listed", f"{st.council.total} seats on the council")


@rule(r"^In <c:C>, (?P<list>[^;]+); <n:N> seats make a majority\.$", "make a majority")
def composition1(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st:
        check_composition(ctx, st, m["list"])
        check_majority_needed(ctx, st, n_(m["n"]))


@rule(r"^<c:C> now stands at (?P<list>.+), with <n:N> needed for a majority\.$", "now stands at")
def composition2(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st:
        check_composition(ctx, st, m["list"])
        check_majority_needed(ctx, st, n_(m["n"]))


@rule(r"^It takes <n:N> seats to control <c:C>, where (?P<list>.+)\.$", "it takes")
def composition3(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st:
        check_composition(ctx, st, m["list"])
        check_majority_needed(ctx, st, n_(m["n"]))


@rule(r"^(?P<part>A (?P<o>third)|Half) of <c:C>(?:'s|') <t:N> seats were up for election, <n:N> in all\.$", "were up for election")
def cycle(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st is None:
        return
    ctx.expect(f"cycle of {st.name}", "thirds" if m["o"] else "halves", st.council.cycle)
    check_total(ctx, st, n_(m["t"]))
    ctx.expect(f"seats up in {st.name}", n_(m["n"]), st.seats_up)


def changes_items(ctx: Ctx, text: str) -> list[tuple[str, int]] | None:
    found = T.list_items(text, rf"(?P<p>{ctx.lex.party_re}) (?P<v>gained|lost) (?P<n>{NUM}) seats?")
    if found is None:
        return None
    return [(ctx.P(m["p"]), n_(m["n"]) * (1 if m["v"] == "gained" else -1)) for m in found]


def check_changes(ctx: Ctx, st: CouncilState, text: str, whole: bool | None) -> None:
    items = changes_items(ctx, text)
    if items is None:
        ctx.flag("seat changes", text, "a list the oracle cannot read", "unread")
        return
    for p, n in items:
        check_change(ctx, st, p, n, whole)
    _two_names(ctx, [p for p, _ in items], text)


def _two_names(ctx: Ctx, parties: list[str], text: str) -> None:
    """One party named twice in one list under two names: a false gain or loss."""
    seen: dict[str, int] = {}
    for p in parties:
        seen[p] = seen.get(p, 0) + 1
    for p, k in seen.items():
        if k > 1:
            ctx.flag("one party under two names", text, f"{' / '.join(sorted(ctx.truth.parties.display.get(p, {p})))} "
                     "are one party", "party-identity")


@rule(r"^Compared with the same seats in <y:Y>, (?P<list>.+) in <c:C>\.$", "compared with the same seats")
def changes1(ctx: Ctx, m: re.Match) -> None:
    _changes(ctx, m, False)


@rule(r"^On the <c:C> seats last fought in <y:Y>, (?P<list>.+)\.$", "last fought")
def changes2(ctx: Ctx, m: re.Match) -> None:
    _changes(ctx, m, False)


@rule(r"^Against <y:Y>, when these <c:C> seats were last fought, (?P<list>.+)\.$", "last fought")
def changes3(ctx: Ctx, m: re.Match) -> None:
    _changes(ctx, m, False)


@rule(r"^Compared with <c:C>(?:'s|') result as a whole in <y:Y>, (?P<list>.+)\.$", "as a whole")
def changes_whole(ctx: Ctx, m: re.Match) -> None:
    _changes(ctx, m, True)


def _changes(ctx: Ctx, m: re.Match, whole: bool) -> None:
    check_year(ctx, m["y"])
    st = _st(ctx, m)
    if st:
        check_changes(ctx, st, m["list"], whole)


def check_year(ctx: Ctx, y: str) -> None:
    ctx.expect("baseline year", y, ctx.truth.election["baseline_label"])


@rule(r"^No seats changed hands in <c:C> compared with <y:Y>\.$", "no seats changed hands")
def no_change(ctx: Ctx, m: re.Match) -> None:
    check_year(ctx, m["y"])
    st = _st(ctx, m)
    if st is None:
        return
    if st.change is None:
        ctx.flag(f"seat changes in {st.name}", "none", "no like-for-like comparison")
    elif any(st.change.values()):
        ctx.flag(f"seat changes in {st.name}", "none", ", ".join(f"{ctx.pname(p)} {n:+d}" for p, n in st.change.items() if n))


@rule(r"^(?:In <y:Y>, <p:P> won <n:N> of <c:C>(?:'s|') <t:N> seats"
      r"|<p2:P> had won <n2:N> of these <c2:C> seats in <y2:Y>"
      r"|Last time, <p3:P> won <n3:N> of these <c3:C> seats"
      r"|When these seats were last fought in <y4:Y>, <p4:P> won <n4:N> of them in <c4:C>)\.$", ("won", "of"))
def baseline_won(ctx: Ctx, m: re.Match) -> None:
    i = next(s for s in ("", "2", "3", "4") if m["c" + s])
    st = ctx.cs(m["c" + i])
    if m.groupdict().get("y" + i):
        check_year(ctx, m["y" + i])
    if st is None:
        return
    p, n = ctx.P(m["p" + i]), n_(m["n" + i])
    if i == "":  # the whole council last time
        b = st.council.baseline or {}
        ctx.expect(f"seats won by {ctx.pname(p)} in {st.name} in the baseline", n, (b.get("seats_won") or {}).get(p, 0))
        ctx.expect(f"seats on {st.name} in the baseline", n_(m["t"]), b.get("total"))
        return
    if st.change_basis is None:
        ctx.flag(f"baseline holders in {st.name}", n, "no like-for-like comparison")
        return
    ctx.expect(f"baseline holders of these seats in {st.name}: {ctx.pname(p)}", n, st.compared_holders.get(p, 0))


@rule(r"^In <c:C>, <n:N> declared wards? could not be compared like for like and (?:is|are) left out of these figures\.$", "left out")
def left_out(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st:
        ctx.expect(f"declared wards of {st.name} with no like-for-like baseline", n_(m["n"]), st.wards_left_out)


@rule(r"^<c:C> was fought on new ward boundaries, on a council (?P<dir>cut|enlarged) from <a:N> to <b:N> seats\.$", "new ward boundaries")
def size(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st is None:
        return
    c = st.council
    was = (c.baseline or {}).get("total")
    ctx.expect(f"seats on {st.name} in the baseline", n_(m["a"]), was)
    check_total(ctx, st, n_(m["b"]))
    if was is not None:
        ctx.expect(f"change of size of {st.name}", m["dir"], "cut" if c.total < was else "enlarged", ok=(m["dir"] == "cut") == (c.total < was) and c.total != was)
    if not (c.boundary_change or c.size_changed):
        ctx.flag(f"boundaries of {st.name}", "new ward boundaries", "boundary_change is no and the size is unchanged")


@rule(r"^(?:<c:C> elected every seat at once this time, a change from its usual cycle|<c2:C> was fought on new ward boundaries), so there are no like-for-like seat changes to report\.$", "no like-for-like")
def no_comparison(ctx: Ctx, m: re.Match) -> None:
    st = ctx.cs(m["c"] or m["c2"])
    if st is None:
        return
    if st.change is not None:
        ctx.flag(f"comparison for {st.name}", "none possible", "seat changes can be worked out")
    if m["c"]:
        ctx.expect(f"cycle change of {st.name}", True, st.council.basis is None and not st.council.new)
    else:
        ctx.expect(f"boundaries of {st.name}", True, st.council.boundary_change)


@rule(r"^Seat changes in <c:C> will be worked out once every seat has declared\.$", "once every seat")
def whole_pending(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st:
        ctx.expect(f"{st.name} compared as a whole once complete", True, st.council.basis == "whole" and not st.final)


@rule(r"^There is no like-for-like <y:Y> result for <c:C> to compare with\.$", "no like-for-like")
def no_baseline(ctx: Ctx, m: re.Match) -> None:
    check_year(ctx, m["y"])
    st = _st(ctx, m)
    if st and st.change is not None:
        ctx.flag(f"comparison for {st.name}", "none possible", "seat changes can be worked out")


@rule(r"^(?:This|It) is the (?P<o>first) time <p:P> (?:has|have) (?:run|controlled) <c:C> (?:in records going back to|since records began in) <y:Y>\.$", "first time")
def hist_first(ctx: Ctx, m: re.Match) -> None:
    check_history(ctx, _st(ctx, m), ctx.P(m["p"]), "first", int(m["y"]))


@rule(r"^It is the (?P<o>first) time (?:in records going back to <y:Y>|since <y2:Y>) that <p:P> (?:has|have) run <c:C>\.$", "first time")
def hist_first_roundup(ctx: Ctx, m: re.Match) -> None:
    if m["y"]:
        check_history(ctx, _st(ctx, m), ctx.P(m["p"]), "first", int(m["y"]))
    else:
        check_history(ctx, _st(ctx, m), ctx.P(m["p"]), "last", int(m["y2"]))


@rule(r"^<p:P> last ran <c:C> in <y:Y>\.$", "last ran")
def hist_last(ctx: Ctx, m: re.Match) -> None:
    check_history(ctx, _st(ctx, m), ctx.P(m["p"]), "last", int(m["y"]))


@rule(rf"^<p:P> {V_HAS} not controlled <c:C> since <y:Y>\.$", "not controlled")
def hist_since(ctx: Ctx, m: re.Match) -> None:
    check_history(ctx, _st(ctx, m), ctx.P(m["p"]), "last", int(m["y"]))


@rule(r"^(?:<p:P> had controlled <c:C> without a break since <y:Y>|<c2:C> had been run by <p2:P> continuously since <y2:Y>)\.$", "since")
def hist_run(ctx: Ctx, m: re.Match) -> None:
    i = "" if m["c"] else "2"
    check_history(ctx, ctx.cs(m["c" + i]), ctx.P(m["p" + i]), "run", int(m["y" + i]))


# -- seat-swing ledes and headlines -----------------------------------------------------------

RESULT = (r"(?:<rp:P> keeps? control of the council|the council stays under no overall control"
          r"|<rq:P> takes? control of the council|the council falls to no overall control)")


def check_result_clause(ctx: Ctx, st: CouncilState | None, m: re.Match) -> None:
    text = m.group(0)
    if m["rp"]:
        check_control(ctx, st, "hold", ctx.P(m["rp"]))
    elif m["rq"]:
        check_control(ctx, st, "gain", ctx.P(m["rq"]), st.council.control_before if st else None)
    elif "stays under" in text:
        check_control(ctx, st, "noc")
    elif st:
        check_control(ctx, st, "lose", st.council.control_before)


@rule(rf"^<p:P> (?P<v>gained|lost) <n:N> seats? in <c:C>(?: while <q:P> lost <k:N>)?, compared with <y:Y>; {RESULT}\.$", "compared with")
def swing1(ctx: Ctx, m: re.Match) -> None:
    _swing(ctx, m)


@rule(rf"^In <c:C>, <p:P> (?P<v>gained|lost) <n:N> seats? on <y:Y>(?: and <q:P> (?P<qv>gained|lost) <k:N>)?, and {RESULT}\.$", " on ")
def swing2(ctx: Ctx, m: re.Match) -> None:
    _swing(ctx, m)


@rule(rf"^The largest (?:gain of seats in <c:C> went to <p:P>, up <n:N>|loss of seats in <c2:C> was <pp:P>(?:'s|'), down <n2:N>) on <y:Y>(?:, while <q:P> lost <k:N>)?; {RESULT}\.$", "largest")
def swing3(ctx: Ctx, m: re.Match) -> None:
    check_year(ctx, m["y"])
    st = ctx.cs(m["c"] or m["c2"])
    if st is None:
        return
    if m["p"]:
        p, n = ctx.P(m["p"]), n_(m["n"])
    else:
        p, n = ctx.P(m["pp"]), -n_(m["n2"])
    check_change(ctx, st, p, n)
    if st.change:
        best = max(st.change.values()) if n > 0 else min(st.change.values())
        ctx.expect(f"largest {'gain' if n > 0 else 'loss'} of seats in {st.name}", n, best)
    if m["q"]:
        check_change(ctx, st, ctx.P(m["q"]), -n_(m["k"]))
    check_result_clause(ctx, st, m)


def _swing(ctx: Ctx, m: re.Match) -> None:
    check_year(ctx, m["y"])
    st = _st(ctx, m)
    if st is None:
        return
    n = n_(m["n"])
    check_change(ctx, st, ctx.P(m["p"]), n if m["v"] == "gained" else -n)
    if m["q"]:
        k = n_(m["k"])
        qv = m.groupdict().get("qv") or "lost"
        check_change(ctx, st, ctx.P(m["q"]), k if qv == "gained" else -k)
    check_result_clause(ctx, st, m)


@rule(r"^<p:P> (?P<v>gain|lose|up) <n:N> seats? in <c:C>$", " in ")
def swing_head(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st:
        n = n_(m["n"])
        check_change(ctx, st, ctx.P(m["p"]), -n if m["v"] == "lose" else n)


@rule(r"^<c:C>: (?:<p:P> up <n:N>)?(?:, )?(?:<q:P> down <k:N>)?$", ("up", "down"))
def swing_head3(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st is None:
        return
    if m["p"]:
        check_change(ctx, st, ctx.P(m["p"]), n_(m["n"]))
    if m["q"]:
        check_change(ctx, st, ctx.P(m["q"]), -n_(m["k"]))


# -- control settled mid-count ------------------------------------------------------------------

OUTCOME = (r"(?:keep control of (?:<oc:C>|the council)|take control of (?:<oc2:C>|the council) from (?:<of:P>|no overall control)"
           r"|win control of the new (?:<oc3:C> )?council)")
NOC_OUTCOME = r"(?:have no party in overall control|stay under no overall control|fall to no overall control)"
DECLARED = r"<d:N> of the <u:N> seats (?:up for election declared|declared so far)"


def check_declared(ctx: Ctx, st: CouncilState, m: re.Match) -> None:
    ctx.expect(f"seats declared in {st.name}", n_(m["d"]), st.seats_declared)
    ctx.expect(f"seats up in {st.name}", n_(m["u"]), st.seats_up)


def check_outcome(ctx: Ctx, st: CouncilState, party: str | None, m: re.Match) -> None:
    """"on course to keep/take/win control" or to no overall control."""
    text = m.group(0)
    before = st.council.control_before
    if party is None:
        kind = "new_noc" if st.council.new else ("noc" if before == NOC else "lose")
        check_control(ctx, st, kind, before if kind == "lose" else None, provisional=True)
        if "stay under" in text:
            ctx.expect(f"control of {st.name} before", "no overall control", "no overall control" if before == NOC else ctx.pname(before), "control")
        elif "fall to" in text:
            ctx.expect(f"control of {st.name} before", "a party", ctx.pname(before) if before else "new", "control", ok=before not in (None, NOC))
        return
    if "keep control" in text:
        check_control(ctx, st, "hold", party, provisional=True)
    elif "win control of the new" in text:
        check_control(ctx, st, "new_win", party, provisional=True)
    else:
        other = ctx.P(m["of"]) if m["of"] else NOC
        check_control(ctx, st, "gain", party, other, provisional=True)


@rule(rf"^<p:P> (?:is|are) on course to {OUTCOME}, with {DECLARED}\.$", "on course to")
def settled1(ctx: Ctx, m: re.Match) -> None:
    st = ctx.state if ctx.kind == "council" else None
    st = ctx.cs(m["oc"] or m["oc2"] or m["oc3"]) or st
    if st:
        check_outcome(ctx, st, ctx.P(m["p"]), m)
        check_declared(ctx, st, m)


@rule(rf"^No party can now win a majority on <c:C>, which is on course to {NOC_OUTCOME}, with {DECLARED}\.$", "no party can now win")
def settled1_noc(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st:
        check_outcome(ctx, st, None, m)
        check_declared(ctx, st, m)


@rule(rf"^With {DECLARED} in <c:C>, (?:the council is on course to {NOC_OUTCOME}|<p:P> (?:is|are) on course to {OUTCOME})\.$", "on course to")
def settled2(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st:
        check_outcome(ctx, st, ctx.P(m["p"]) if m["p"] else None, m)
        check_declared(ctx, st, m)


@rule(rf"^<c:C> is on course to {NOC_OUTCOME}: with {DECLARED}, no party can reach the <n:N> seats needed for a majority\.$", "no party can reach")
def settled3_noc(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st:
        check_outcome(ctx, st, None, m)
        check_declared(ctx, st, m)
        check_majority_needed(ctx, st, n_(m["n"]))


@rule(rf"^(?:The new <c:C> council is on course to be run by <p:P>|<c2:C> is on course to stay with <p2:P>|<c3:C> is on course to pass to <p3:P> from (?:<o3:P>|no overall control)), with {DECLARED}\.$", "on course to")
def settled3(ctx: Ctx, m: re.Match) -> None:
    i = next(s for s in ("", "2", "3") if m["c" + s])
    st = ctx.cs(m["c" + i])
    if st is None:
        return
    p = ctx.P(m["p" + i])
    if i == "":
        check_control(ctx, st, "new_win", p, provisional=True)
    elif i == "2":
        check_control(ctx, st, "hold", p, provisional=True)
    else:
        check_control(ctx, st, "gain", p, ctx.P(m["o3"]) if m["o3"] else NOC, provisional=True)
    check_declared(ctx, st, m)


@rule(r"^(?:No party can win <c:C>|<c2:C> heading for no overall control|No majority possible in <c3:C>)$", ("no party", "heading", "no majority"))
def settled_head_noc(ctx: Ctx, m: re.Match) -> None:
    st = ctx.cs(m["c"] or m["c2"] or m["c3"])
    if st:
        before = st.council.control_before
        kind = "new_noc" if st.council.new else ("noc" if before == NOC else "lose")
        check_control(ctx, st, kind, before if kind == "lose" else None, provisional=True)


@rule(r"^(?:<p:P> certain to (?P<v>keep|take|win) <c:C>|<p2:P> on course to (?P<v2>keep|take|win) <c2:C>|<c3:C> set to stay with <p3:P>|<c4:C> set to fall to <p4:P>)$", ("certain", "course", "set to"))
def settled_head(ctx: Ctx, m: re.Match) -> None:
    i = next(s for s in ("", "2", "3", "4") if m["c" + s])
    st = ctx.cs(m["c" + i])
    if st is None:
        return
    p = ctx.P(m["p" + i])
    v = m.groupdict().get("v" + i) or ("keep" if i == "3" else "take")
    if v == "keep":
        check_control(ctx, st, "hold", p, provisional=True)
    elif v == "win":
        check_control(ctx, st, "new_win", p, provisional=True)
    else:
        check_control(ctx, st, "gain", p, st.council.control_before or NOC, provisional=True)


def check_so_far(ctx: Ctx, st: CouncilState, party: str, n: int) -> None:
    opts = st.so_far_options(party)
    if n not in opts:
        want = " or ".join(str(x) for x in sorted(opts))
        if st.total is not None:
            detail = "the declared make-up"
        else:
            detail = (f"{st.council.not_up.get(party, 0)} not up (composition before less the baseline holders of all "
                      f"{st.seats_up} seats up) + {st.won.get(party, 0)} declared, {st.seats_declared} of {st.seats_up} seats in")
        ctx.flag(f"'so far' count of {ctx.pname(party)} in {st.name}", n, f"{want}: {detail}", "so-far")
    ctx.claims.append({"type": "so-far", "council": st.slug, "party": party, "n": n})


@rule(rf"^Counting continues in <c:C>, where <n:N> seats are needed for a majority(?: and <p:P> {V_HAS} the most so far, <k:N>)?\.$", "counting continues")
def counting_noc(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st is None:
        return
    check_majority_needed(ctx, st, n_(m["n"]))
    if m["p"]:
        p = ctx.P(m["p"])
        check_so_far(ctx, st, p, n_(m["k"]))
        _check_leader(ctx, st, p)


def _check_leader(ctx: Ctx, st: CouncilState, party: str) -> None:
    best = max((max(st.so_far_options(p)) for p in st.so_far if can_control(p)), default=0)
    mine = max(st.so_far_options(party))
    if mine < best:
        leaders = [ctx.pname(p) for p in st.so_far if can_control(p) and max(st.so_far_options(p)) == best]
        ctx.flag(f"party with the most seats so far in {st.name}", ctx.pname(party), f"{', '.join(leaders)} ({best})", "so-far")


@rule(rf"^Counting continues in <c:C>: <p:P> {V_HAS} <n:N> seats? so far(?P<incl>, including those not up for election this time)?, and <k:N> are needed for a majority of the <t:N>\.$", "counting continues")
def counting_party(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st is None:
        return
    check_so_far(ctx, st, ctx.P(m["p"]), n_(m["n"]))
    check_majority_needed(ctx, st, n_(m["k"]))
    check_total(ctx, st, n_(m["t"]))
    if m["incl"] and st.council.cycle == "all-out":
        ctx.flag(f"seats not up in {st.name}", "some", "none: every seat was up", "so-far")


@rule(r"^(?:Control of <c:C> was beyond doubt from <t:T>|The outcome in <c2:C> became certain at <t2:T>|By <t3:T> the outcome in <c3:C> was no longer in doubt)\.$", ("doubt", "certain"))
def settled_time(ctx: Ctx, m: re.Match) -> None:
    i = next(s for s in ("", "2", "3") if m["c" + s])
    st = ctx.cs(m["c" + i])
    if st is None:
        return
    _settled_at(ctx, st, m["t" + i], None)


def _settled_at(ctx: Ctx, st: CouncilState, clock_text: str, control: str | None) -> None:
    """Control was certain at the named time (the same control as now)."""
    t = clock_moment(ctx, clock_text)
    now = st.certain
    if t is None:
        ctx.flag(f"time control of {st.name} became certain", clock_text, "no declaration of the night at that time")
        return
    then = ctx.truth.council(st.slug, t)
    want = control or now
    if then.certain is None or then.certain != want:
        ctx.flag(f"control of {st.name} certain at {clock_text}", ctx.pname(want) if want else "certain",
                 f"not certain then: {then.seats_declared} of {then.seats_up} seats in, {_so_far_text(ctx, then)}", "control")


@rule(r"^The seats in <c:C> that were not up for election are estimated from the council's make-up before polling day\.$", "estimated")
def estimated(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st and (st.council.cycle == "all-out" or st.composition_declared):
        ctx.flag(f"seats not up in {st.name}", "estimated", "every seat was up" if st.council.cycle == "all-out" else "the make-up is declared", "so-far")


@rule(r"^(?:It was clear by <t:T> that no party could win a majority on <c:C>|<p2:P>(?:'s|') majority on <c2:C> was certain by <t2:T>), with <d:N> of the <u:N> seats declared\.$", ("clear by", "certain by"))
def new_certain(ctx: Ctx, m: re.Match) -> None:
    i = "" if m["c"] else "2"
    st = ctx.cs(m["c" + i])
    if st is None:
        return
    control = NOC if i == "" else ctx.P(m["p2"])
    t = clock_moment(ctx, m["t" + i])
    _settled_at(ctx, st, m["t" + i], control)
    if t is not None:
        then = ctx.truth.council(st.slug, t)
        ctx.expect(f"seats declared in {st.name} at {m['t' + i]}", n_(m["d"]), then.seats_declared)
    ctx.expect(f"seats up in {st.name}", n_(m["u"]), st.seats_up)


# ==============================================================================================
# Ward stories
# ==============================================================================================


def _ward(ctx: Ctx, name: str | None) -> WardResult | None:
    if ctx.ward is None:
        if ctx.kind == "ward":
            ctx.flag("ward result", name, "no declaration of this ward at the story's time")
        return None
    if name is not None and name.strip(WARD_MASK) and name.strip().lower() != ctx.ward.decl.ward.lower():
        ctx.flag("ward name", name, ctx.ward.decl.ward)
    return ctx.ward


def holder(ctx: Ctx, text: str) -> tuple[str, int | None]:
    """A holder in a gains list: "an independent" (one seat), "a residents' candidate" or
    a party name."""
    t = text.strip()
    if t == "an independent":
        return "Ind", 1
    if t == "a residents' candidate":
        return "Res", 1
    return ctx.P(t), None


GAINS = r"(?P<gains>.+? gained (?:a seat|<n0:N> seats?) from .+?)"
HOLDER = r"(?:an independent|a residents' candidate|{P})"


def check_gains(ctx: Ctx, w: WardResult, text: str) -> None:
    """"Labour gained two seats from the Conservatives and the Greens one from Labour"."""
    P = ctx.lex.party_re
    h = rf"(?:an independent|a residents' candidate|{P})"
    items = re.split(rf"(?:,| and) (?={h} gained)", text)
    claimed: list[tuple[str, str, int]] = []
    for item in items:
        m = _fullmatch(rf"({h}) gained (a seat|({NUM}) seats?) from ({h})", item.strip())
        if not m:
            ctx.flag("seat gains", item, "a phrasing the oracle cannot read", "unread")
            continue
        to, _ = holder(ctx, m.group(1))
        frm, _ = holder(ctx, m.group(4))
        n = 1 if m.group(2) == "a seat" else n_(m.group(3))
        claimed.append((to, frm, n))
    ch = w.change
    if ch is None:
        ctx.flag(f"seat gains in {w.decl.ward}", text, "no like-for-like baseline for this ward", "figure")
        return
    won_by: dict[str, int] = {}
    lost_by: dict[str, int] = {}
    for to, frm, n in claimed:
        won_by[to] = won_by.get(to, 0) + n
        lost_by[frm] = lost_by.get(frm, 0) + n
        if to == frm:
            ctx.flag("seat gain within one party", text, f"{' / '.join(sorted(ctx.truth.parties.display.get(to, {to})))} are one party", "party-identity")
    for p, n in won_by.items():
        if ch.get(p, 0) < n:
            ctx.flag(f"seats gained by {ctx.pname(p)} in {w.decl.ward}", n, f"{ch.get(p, 0):+d}", "party-identity" if _merged(ctx, ctx.state, p) else "figure")
    for p, n in lost_by.items():
        if -ch.get(p, 0) < n:
            ctx.flag(f"seats lost by {ctx.pname(p)} in {w.decl.ward}", n, f"{ch.get(p, 0):+d}", "party-identity" if _merged(ctx, ctx.state, p) else "figure")


def check_margin(ctx: Ctx, w: WardResult, n: int, cand: str | None = None) -> None:
    """A margin: how far the (last) winner was ahead of the best loser of another party."""
    last = w.last
    if last is None or not w.decl.has_votes:
        ctx.flag(f"margin in {w.decl.ward}", n, "no votes declared")
        return
    got = w.margin
    if got == n:
        return
    losers = [c for c in w.decl.candidates if not c.elected and c.votes is not None]
    top = losers[0] if losers else None
    if top is not None and top.party == last.party and last.votes - top.votes == n:
        ctx.flag(f"margin in {w.decl.ward}", n, f"{n} is the gap between two {ctx.pname(last.party)} candidates "
                 f"({last.name} and {top.name}); against another party the margin is {got}", "rivals")
    else:
        ctx.flag(f"margin in {w.decl.ward}", n, got)


@rule(r"^In <w:W> ward in <c:C>, " + GAINS + r"(?:, (?:by <n:N> votes?|(?P<tie>after a tie on votes)))?\.$", "gained")
def ward_gain1(ctx: Ctx, m: re.Match) -> None:
    _ward_gain(ctx, m)


@rule(GAINS.replace("(?P<gains>", "^(?P<gains>") + r" in <w:W> ward, <c:C>(?:, winning (?:by <n:N> votes?|(?P<tie>after a tie on votes)))?\.$", "gained")
def ward_gain2(ctx: Ctx, m: re.Match) -> None:
    _ward_gain(ctx, m)


@rule(r"^<w:W> ward in <c:C> has changed hands: " + GAINS + r"(?:, (?:by <n:N> votes?|(?P<tie>after a tie on votes)))?\.$", "changed hands")
def ward_gain3(ctx: Ctx, m: re.Match) -> None:
    _ward_gain(ctx, m)


@rule(r"^The <w:W> seats? changed hands: " + GAINS + r"(?:, (?:by <n:N> votes?|(?P<tie>after a tie on votes)))?\.$", "changed hands")
def ward_gain_para1(ctx: Ctx, m: re.Match) -> None:
    _ward_gain(ctx, m)


@rule(GAINS.replace("(?P<gains>", "^(?P<gains>") + r" in <w:W>(?:, with a majority of <n:N>)?\.$", "gained")
def ward_gain_para2(ctx: Ctx, m: re.Match) -> None:
    _ward_gain(ctx, m)


def _ward_gain(ctx: Ctx, m: re.Match) -> None:
    w = _ward(ctx, m["w"])
    if w is None:
        return
    if m.groupdict().get("c"):
        ctx.expect("council of the ward", ctx.lex.council_of(m["c"]), w.decl.council)
    check_gains(ctx, w, _cap(m["gains"]))
    if m.groupdict().get("n"):
        check_margin(ctx, w, n_(m["n"]))
    elif m.groupdict().get("tie"):
        check_margin(ctx, w, 0)


def _cap(text: str) -> str:
    """Undo a capital first letter added to a lower-case name ("The Green Party" -> as named)."""
    if text[:4] in ("The ", "An i", "A re"):
        return text[0].lower() + text[1:]
    return text


@rule(r"^(?:<p:P> (?:gain|take) <w:W>(?: in <c:C>)?(?: from <o:P>)?|<c2:C>: <p2:P> take <w2:W> from <o2:P>|<w3:W>(?: in <c3:C>)? changes hands to <p3:P>)$", ("gain", "take", "changes hands"), ("ward",))
def ward_gain_head(ctx: Ctx, m: re.Match) -> None:
    i = next(s for s in ("", "2", "3") if m["w" + s])
    w = _ward(ctx, m["w" + i])
    if w is None:
        return
    p = ctx.P(m["p" + i])
    ch = w.change
    if ch is None or ch.get(p, 0) <= 0:
        ctx.flag(f"seat gained by {ctx.pname(p)} in {w.decl.ward}", "gain", "no like-for-like baseline" if ch is None else f"{ch.get(p, 0):+d}")
    o = m.groupdict().get("o" + i)
    if o and ch is not None and ch.get(ctx.P(o), 0) >= 0:
        ctx.flag(f"seat lost by {ctx.pname(ctx.P(o))} in {w.decl.ward}", "loss", f"{ch.get(ctx.P(o), 0):+d}")


def candidates_in(ctx: Ctx, text: str) -> list[tuple[str | None, str]] | None:
    """Winners as listed: (party or None, name). "Labour's A, B and C" gives every name to
    Labour; in a mixed list each name carries its own party ("the Conservatives' A and the
    independent candidate B"), and a bare name is a smaller party's candidate."""
    name = r"(?P<name>[^,;]+?)(?=, | and |$)"
    item = (rf"(?:the independent candidate |an independent, )(?P<ind>[^,;]+?)(?=,? and |, |,?$)"
            rf"|the residents' candidate (?P<res>[^,;]+?)(?=, | and |$)"
            rf"|(?P<p>{ctx.lex.party_re})(?:'s|') (?P<pname>[^,;]+?)(?=, | and |$)|{name}")
    found = T.list_items(text.rstrip(","), item)
    if found is None:
        return None
    out: list[tuple[str | None, str]] = []
    for m in found:
        if m["ind"]:
            out.append(("Ind", m["ind"]))
        elif m["res"]:
            out.append(("Res", m["res"]))
        elif m["p"]:
            out.append((ctx.P(m["p"]), m["pname"]))
        else:
            out.append((None, m["name"]))
    if len(out) > 1 and out[0][0] is not None and all(p is None for p, _ in out[1:]):
        out = [(out[0][0], n) for _, n in out]  # one party's list
    return out


def check_winners(ctx: Ctx, w: WardResult, listed: list[tuple[str | None, str]]) -> None:
    want = sorted((c.party, c.name) for c in w.decl.winners)
    got = []
    for p, name in listed:
        name = name.rstrip(".") + ("." if _search(r"\b[A-Z]\.?$", name) else "")
        name = re.sub(r"\.\.$", ".", name)
        if p is None:  # a named smaller party's candidate is printed without the party
            match = [c for c in w.decl.winners if c.name == name]
            p = match[0].party if match else "?"
        got.append((p, name))
    if sorted(got) != want:
        ctx.flag(f"councillors elected for {w.decl.ward}", "; ".join(f"{n} ({ctx.pname(p)})" for p, n in got),
                 "; ".join(f"{c.name} ({ctx.pname(c.party)})" for c in w.decl.winners))


def check_turnout(ctx: Ctx, w: WardResult, pct: str | None) -> None:
    if pct is None:
        return
    got = w.turnout
    val = T.decimal(pct)
    if got is None or val is None or abs(round(got, 1) - val) > 0.05:
        ctx.flag(f"turnout in {w.decl.ward}", pct, f"{got}%" if got is not None else "not in results/turnout.csv")


@rule(r"^<w:W> elected (?P<cand>[^;]+?)(?:, with <v:N> votes?)?(?:; turnout was <pct:PCT>)?\.$", "elected")
def winners1(ctx: Ctx, m: re.Match) -> None:
    w = _ward(ctx, m["w"])
    if w is None:
        return
    listed = candidates_in(ctx, m["cand"])
    check_winners(ctx, w, listed or [])
    if m["v"]:
        win = w.decl.winners
        ctx.expect(f"votes of the winner in {w.decl.ward}", n_(m["v"]), win[0].votes if win else None)
    check_turnout(ctx, w, m["pct"])


@rule(r"^The <k:N> councillors elected for <w:W> are (?P<list>[^;]+?)(?:; turnout was <pct:PCT>)?\.$", "councillors elected")
def winners2(ctx: Ctx, m: re.Match) -> None:
    w = _ward(ctx, m["w"])
    if w is None:
        return
    ctx.expect(f"seats in {w.decl.ward}", n_(m["k"]), len(w.decl.winners))
    listed = candidates_in(ctx, m["list"])
    check_winners(ctx, w, listed or [])
    check_turnout(ctx, w, m["pct"])


# -- shares -------------------------------------------------------------------------------------


def check_share(ctx: Ctx, w: WardResult, party: str, direction: str, pts: str, to: str | None) -> None:
    """A share change: like for like only, the right size and direction, and the share now."""
    val = T.decimal(pts.split()[0])
    change = w.share_change(party)
    claim = f"{ctx.pname(party)} share change in {w.decl.ward}"
    if change is None:
        b = w.baseline
        why = ("no baseline ward" if b is None else
               f"not like for like: {b.seats} seat(s) in {ctx.truth.election['baseline_label']} against {w.decl.seats} now"
               if b.seats != w.decl.seats else
               f"not like for like: {ctx.pname(party)} stood {b.slate(party)} candidate(s) then and {w.decl.slate(party)} now"
               if party in w.shares and party in w.baseline_shares else
               f"{ctx.pname(party)} did not stand both times")
        ctx.flag(claim, f"{direction} {pts}", why, "share")
    else:
        sign = "rose" if change > 0 else "fell"
        if round(abs(change), 1) != val or direction != sign:
            ctx.flag(claim, f"{direction} {pts}", f"{sign} {abs(change):.1f} points", "share")
    if to is not None:
        now = w.shares.get(party)
        got = T.decimal(to)
        if now is None or got is None or abs(round(now, 1) - got) > 0.05:
            ctx.flag(f"{ctx.pname(party)} share in {w.decl.ward}", to, f"{now:.1f}%" if now is not None else "did not stand", "share")


def _dir(word: str) -> str:
    return "rose" if word in ("rose", "rise", "rises", "up", "increased") else "fell"


SHARE_CLAUSE = r"<{a}:P>(?:'s|') share (?P<{a}d>rose|fell) by <{a}x:PTS>(?: to <{a}t:PCT>)?"


def _clause(a: str) -> str:
    return SHARE_CLAUSE.format(a=a)


@rule(r"^<p:P> increased (?:its|their) share of the vote in <w:W> ward, <c:C>, by <x:PTS>(?: to <t:PCT>)? on <y:Y>(?:, while " + _clause("f") + r")?\.$", "increased")
def share1(ctx: Ctx, m: re.Match) -> None:
    _shares(ctx, m, ("p", "rose", "x", "t"))


@rule(r"^<p:P> saw (?:its|their) share of the vote in <w:W> ward, <c:C>, fall by <x:PTS>(?: to <t:PCT>)? on <y:Y>\.$", "saw")
def share1b(ctx: Ctx, m: re.Match) -> None:
    _shares(ctx, m, ("p", "fell", "x", "t"))


@rule(r"^<p:P>(?:'s|') share of the vote in <w:W> ward, <c:C>, (?P<d>rose|fell) by <x:PTS>(?: to <t:PCT>)? compared with <y:Y>(?:, and " + _clause("f") + r")?\.$", "share of the vote")
def share2(ctx: Ctx, m: re.Match) -> None:
    _shares(ctx, m, ("p", m["d"], "x", "t"))


@rule(r"^In <w:W> ward, <c:C>, " + _clause("r") + r" on <y:Y>(?: and " + _clause("f") + r")?\.$", "share")
def share3(ctx: Ctx, m: re.Match) -> None:
    _shares(ctx, m)


@rule(r"^In <w:W>, compared with <y:Y>, " + _clause("r") + r" and " + _clause("f") + r"\.$", "share")
def share_para2(ctx: Ctx, m: re.Match) -> None:
    _shares(ctx, m)


@rule(r"^<p:P>(?:'s|') share in <w:W> (?P<d>rose|fell) by <x:PTS> on <y:Y>(?:, to <t:PCT>)?\.$", "share in")
def share_para1(ctx: Ctx, m: re.Match) -> None:
    _shares(ctx, m, ("p", m["d"], "x", "t"))


def _shares(ctx: Ctx, m: re.Match, first: tuple[str, str, str, str] | None = None) -> None:
    w = _ward(ctx, m["w"])
    if m.groupdict().get("y"):
        check_year(ctx, m["y"])
    if w is None:
        return
    clauses = []
    if first:
        clauses.append((m[first[0]], first[1], m[first[2]], m[first[3]]))
    for a in ("r", "f"):
        if m.groupdict().get(a):
            clauses.append((m[a], m[a + "d"], m[a + "x"], m[a + "t"]))
    for name, d, pts, to in clauses:
        check_share(ctx, w, ctx.P(_strip_possessive(name)), d, pts, to)


@rule(r"^(?:<p:P>(?:'s|') (?:vote )?share (?P<d>up|down|rises|falls) <x:PTS> in <w:W>(?:, <c:C>)?"
      r"|<w2:W>(?:, <c2:C>)?: <p2:P> (?P<d2>up|down) <x2:PTS>)$", "points", ("ward",))
def share_head(ctx: Ctx, m: re.Match) -> None:
    i = "" if m["p"] else "2"
    w = _ward(ctx, m["w" + i])
    if w:
        check_share(ctx, w, ctx.P(_strip_possessive(m["p" + i])), _dir(m["d" + i]), m["x" + i], None)


# -- first seats ----------------------------------------------------------------------------------


def check_first_seat(ctx: Ctx, parties: list[str], new: bool, ward_name: str | None, seats: int | None = None,
                     plural: bool | None = None) -> None:
    w = _ward(ctx, ward_name)
    st = ctx.state
    if w is None or st is None:
        return
    c = st.council
    if new != c.new:
        ctx.flag(f"{st.name} is a new council", new, c.new, "first-seat")
    for p in parties:
        won = w.won.get(p, 0)
        if not won:
            ctx.flag(f"first seat of {ctx.pname(p)} on {st.name}", w.decl.ward, f"{ctx.pname(p)} won no seat in {w.decl.ward}", "first-seat")
            continue
        if seats is not None:
            ctx.expect(f"seats won by {ctx.pname(p)} in {w.decl.ward}", seats, won)
        if plural is not None and len(parties) == 1 and plural != (won > 1):
            ctx.flag(f"seats won by {ctx.pname(p)} in {w.decl.ward}", "seats" if plural else "a seat", won)
        before = c.composition_before.get(p, 0)
        base = (c.baseline or {})
        had = before or base.get("seats_won", {}).get(p, 0) or base.get("composition_after", {}).get(p, 0) or \
            any(x.party == p for bw in c.baseline_wards for x in bw.winners)
        if had:
            names = sorted(ctx.truth.parties.display.get(p, {p}))
            ctx.flag(f"first seat of {ctx.pname(p)} on {st.name}", "no seats before", f"held {before} before tonight"
                     + (f" (as {' / '.join(names)})" if len(names) > 1 else ""), "party-identity" if len(names) > 1 else "first-seat")
            continue
        lumps = c.composition_before.get("Other", 0) + base.get("seats_won", {}).get("Other", 0)
        if p.startswith("Other:") and lumps:
            ctx.flag(f"first seat of {ctx.pname(p)} on {st.name}", "no seats before",
                     f"the council's make-up before lumps {lumps} seat(s) as Other, which could include it", "lump")
        first = ctx.truth.first_ward_of(st.slug, p, ctx.point)
        if first is not None and first.key != w.decl.key:
            ctx.flag(f"first seat of {ctx.pname(p)} on {st.name}", w.decl.ward, f"first won in {first.ward}", "first-seat")
    ctx.claims.append({"type": "first-seat", "council": st.slug, "parties": parties, "ward": w.decl.key, "new": c.new,
                       "sentence": ctx.sentence})


@rule(r"^<pl:PL> won (?P<a>a (?P<o>first) seat|(?P<o2>first) seats) on (?P<new>the new )?<c:C> council, in <w:W> ward\.$", "first")
def first1(ctx: Ctx, m: re.Match) -> None:
    check_first_seat(ctx, parties_in(ctx, m["pl"]), bool(m["new"]), m["w"], plural=bool(m["o2"]))


@rule(r"^It is the (?P<o>first) seat on (?P<new>the new )?<c:C> council for <pl:PL>, won in <w:W>\.$", "first seat")
def first1p(ctx: Ctx, m: re.Match) -> None:
    check_first_seat(ctx, parties_in(ctx, m["pl"]), bool(m["new"]), m["w"])


@rule(r"^<w:W> ward has given <pl:PL> (?:its|their) (?P<o>first) seats? on (?P<new>the new )?<c:C> council\.$", "first")
def first2(ctx: Ctx, m: re.Match) -> None:
    check_first_seat(ctx, parties_in(ctx, m["pl"]), bool(m["new"]), m["w"], plural=m.group(0).count("first seats") > 0)


@rule(r"^<w:W> gave <pl:PL> (?:its|their) (?P<o>first) seat on the new <c:C> council\.$", "first")
def first2p(ctx: Ctx, m: re.Match) -> None:
    check_first_seat(ctx, parties_in(ctx, m["pl"]), True, m["w"])


@rule(r"^<pl:PL> had no seats on <c:C> council before winning in <w:W>\.$", "had no seats")
def first2q(ctx: Ctx, m: re.Match) -> None:
    check_first_seat(ctx, parties_in(ctx, m["pl"]), False, m["w"])


@rule(r"^<pl:PL>(?:'s|') (?P<o>first) seats? on the new <c:C> council came in <w:W> ward\.$", "first")
def first3(ctx: Ctx, m: re.Match) -> None:
    check_first_seat(ctx, parties_in(ctx, _strip_possessive(m["pl"])), True, m["w"], plural="first seats" in m.group(0))


@rule(rf"^Before this election <pl:PL> had no seats on <c:C> council; (?:it|they) now {V_HAS} (?:<n:N> seats?|seats), in <w:W> ward\.$", "had no seats")
def first3b(ctx: Ctx, m: re.Match) -> None:
    check_first_seat(ctx, parties_in(ctx, m["pl"]), False, m["w"], seats=n_(m["n"]) if m["n"] else None)


@rule(r"^(?:<pl:PL> (?:win|take|gain) (?P<o>first) seat (?:on (?P<new>new )?<c:C>(?: council)?|in <w:W>)"
      r"|(?P<o2>First) seat on new <c2:C> council for <pl2:PL>|(?P<o3>First) <c3:C> seat for <pl3:PL>|(?P<o4>First) seat in <w4:W> for <pl4:PL>)$", ("first", ), ("ward",))
def first_head(ctx: Ctx, m: re.Match) -> None:
    i = next(s for s in ("", "2", "3", "4") if m["pl" + s])
    new = bool(m["new"]) if i == "" else i == "2"
    if i == "" and m["w"]:
        new = ctx.state.council.new if ctx.state else False
    if i == "4":
        new = ctx.state.council.new if ctx.state else False
    check_first_seat(ctx, parties_in(ctx, m["pl" + i]), new, m.groupdict().get("w" + i) or None)


# -- narrow wins --------------------------------------------------------------------------------

BY = r"(?:by <n:N> votes?|(?P<tie>after a tie on votes))"


def _check_narrow(ctx: Ctx, m: re.Match, who: str | None, who_party: str | None, last: bool) -> None:
    w = _ward(ctx, m.groupdict().get("w"))
    if w is None:
        return
    margin = 0 if m.groupdict().get("tie") else n_(m["n"])
    check_margin(ctx, w, margin)
    if last != (w.decl.seats > 1):
        ctx.flag(f"seats in {w.decl.ward}", "the last seat" if last else "the seat", f"{w.decl.seats} seat(s)")
    winner = w.last
    if winner is None:
        return
    if who is not None and who.rstrip(".,") != winner.name.rstrip("."):
        ctx.flag(f"last-placed winner in {w.decl.ward}", who, winner.name)
    if who_party is not None and who_party != winner.party:
        ctx.flag(f"party of the last-placed winner in {w.decl.ward}", ctx.pname(who_party), ctx.pname(winner.party))


def _cand(ctx: Ctx, text: str) -> tuple[str | None, str | None]:
    """(name, party) of a candidate as copy names one (no name where copy names only the
    party)."""
    bare = ctx.lex.party_of(text)
    if bare is not None:
        return None, bare
    got = candidates_in(ctx, text)
    if not got:
        return None, None
    p, name = got[0]
    if p is None:
        return name, None
    return name, p


@rule(r"^(?P<cand>.+?) won the (?P<last>last )?seat in <w:W> ward, <c:C>, " + BY + r"\.$", "won the")
def narrow1(ctx: Ctx, m: re.Match) -> None:
    name, party = _cand(ctx, _cap(m["cand"]))
    _check_narrow(ctx, m, name, party, bool(m["last"]))


@rule(r"^The (?P<last>last )?seat in <w:W> went to (?P<cand>.+?) after a tie on votes with the runner-up\.$", "tie")
def narrow1p(ctx: Ctx, m: re.Match) -> None:
    w = _ward(ctx, m["w"])
    if w is None:
        return
    check_margin(ctx, w, 0)
    if w.last and m["cand"] != w.last.name:
        ctx.flag(f"last-placed winner in {w.decl.ward}", m["cand"], w.last.name)


@rule(r"^The margin in <w:W> was <n:N> votes?\.$", "margin")
def narrow1q(ctx: Ctx, m: re.Match) -> None:
    w = _ward(ctx, m["w"])
    if w:
        check_margin(ctx, w, n_(m["n"]))


@rule(r"^<w:W> ward in <c:C> was decided " + BY + r", with (?P<cand>.+?) taking the (?P<last>last )?seat\.$", "decided")
def narrow2(ctx: Ctx, m: re.Match) -> None:
    name, party = _cand(ctx, m["cand"])
    _check_narrow(ctx, m, name, party, bool(m["last"]))


@rule(r"^(?P<cand>.+?) won the (?P<last>last )?seat in <w:W> " + BY + r"\.$", "won the")
def narrow2p(ctx: Ctx, m: re.Match) -> None:
    name, party = _cand(ctx, _cap(m["cand"]))
    _check_narrow(ctx, m, name, party, bool(m["last"]))


@rule(r"^(?:<p:P>|An independent, (?P<ind>[^,]+),) won (?P<last>the last seat in )?<w:W> ward, <c:C>, " + BY + r"(?:, taking (?:a seat|it) from <o:P>)?\.$", "won")
def narrow3(ctx: Ctx, m: re.Match) -> None:
    party = ctx.P(m["p"]) if m["p"] else "Ind"
    _check_narrow(ctx, m, m["ind"], party, bool(m["last"]))
    if m["o"] and ctx.ward and ctx.ward.change is not None:
        o = ctx.P(m["o"])
        if ctx.ward.change.get(o, 0) >= 0 or ctx.ward.change.get(party, 0) <= 0:
            ctx.flag(f"seat taken from {ctx.pname(o)} in {ctx.ward.decl.ward}", "taken", f"{ctx.pname(party)} {ctx.ward.change.get(party, 0):+d}, {ctx.pname(o)} {ctx.ward.change.get(o, 0):+d}")


@rule(r"^(?:<p:P> win (?P<last>last seat in )?<w:W>(?P<seat> seat)?(?: in <c:C>)? (?:by <n:N> votes?|(?P<tie>after a tie))"
      r"|<w2:W> seat won (?:by <n2:N> votes?|(?P<tie2>after a tie))"
      r"|(?:(?P<tie3>A tie)|(?P<n3>" + NUM + r"|One|Two|Three|Four|Five|Six|Seven|Eight|Nine) votes?) decides? <w3:W>(?: in <c3:C>)?"
      r"|<w4:W>(?: in <c4:C>)? won (?:by <n4:N> votes?|(?P<tie4>after a tie)))$", ("vote", "tie"), ("ward",))
def narrow_head(ctx: Ctx, m: re.Match) -> None:
    i = next(s for s in ("", "2", "3", "4") if m["w" + s])
    w = _ward(ctx, m["w" + i])
    if w is None:
        return
    tie = m.groupdict().get("tie" + i)
    n = 0 if tie else n_((m["n" + i] or "").lower())
    check_margin(ctx, w, n)
    if i == "" and m["p"] and w.last and ctx.P(m["p"]) != w.last.party:
        ctx.flag(f"party of the last-placed winner in {w.decl.ward}", ctx.pname(ctx.P(m["p"])), ctx.pname(w.last.party))


# ==============================================================================================
# Groups and the national tally
# ==============================================================================================

WHERE = r"(?P<where>in areas such as |in |(?:In )?areas such as |In )?"


def check_where(ctx: Ctx, gid: str | None, where: str | None) -> None:
    """"areas such as" for a group with no official definition, and only for those."""
    if gid is None or where is None:
        return
    g = ctx.truth.groups[gid]
    editorial = "not an official" in g.definition.lower()
    if editorial != ("such as" in where):
        ctx.flag(f"wording for {g.name}", where.strip() or "in", "'areas such as' (an editorial list)" if editorial else "'in' (a defined group)")


def check_tally_pair(ctx: Ctx, tally: Tally, party: str, total: int | None, word: str | None,
                     change: int | None, councils: int | None = None, declared: dict[str, int] | None = None) -> None:
    """A party's total and its change, which must be on the same basis: the seats won on the
    seats compared with the baseline. "Councillors" are members of whole councils, so a
    total of seats won tonight is not a number of councillors unless the two are the same."""
    name = ctx.pname(party)
    if change is not None:
        ctx.expect(f"net change in seats of {name}", f"{change:+d}", f"{tally.change.get(party, 0):+d}")
    if councils is not None:
        ctx.expect("councils whose seats can be compared", councils, len(tally.compared))
    if total is None:
        return
    compared = tally.compared_won.get(party, 0)
    everywhere = tally.won.get(party, 0)
    councillors = tally.compared_councillors.get(party, 0)
    anywhere = (declared or {}).get(party)
    if change is not None and total != compared:
        kind = "basis"
        ctx.flag(f"{name}: total beside its change", f"{total:,} {word or 'seats'}",
                 f"{compared:,} seats won on the {len(tally.compared)} councils compared (the change's basis); "
                 f"{everywhere:,} won on all {len(tally.councils)} declared councils"
                 + (f"; {anywhere:,} in every ward declared" if anywhere is not None else ""), kind)
    elif change is None and total != everywhere and total != anywhere:
        ctx.flag(f"seats won by {name}", total, everywhere)
    elif word and word.startswith("councillor") and total != councillors and change is not None:
        ctx.flag(f"{name}: councillors", f"{total:,} councillors",
                 f"{total:,} are seats won tonight; the councillors of {name} on those councils number {councillors:,}", "basis")


def _signed(m: re.Match, up: str = "n", down: str = "n2") -> int | None:
    if m.groupdict().get(up):
        return n_(m[up])
    for name in (down, "n3"):
        if m.groupdict().get(name):
            return -n_(m[name])
    return 0


@rule(rf"^<p:P> {V_HAS} (?:made a net gain of <n:N> seats?|a net loss of <n2:N> seats?|made a net loss of <n3:N> seats?|no net change in seats) across <k:N> councils? {WHERE}<g:G>, compared with <y:Y>\.$", "across")
def group_made(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, None, None)


@rule(rf"^<p:P> (?:is|are) up <n:N> seats? in <g:G> on <y:Y>, with <s:N> councillors\.$", "councillors")
def group_up_with(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "councillors")


@rule(rf"^<p:P> (?:is|are) up <n:N> seats? on <y:Y> across <k:N> councils? {WHERE}<g:G>, with <s:N> councillors in all\.$", "councillors")
def group_up_across(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "councillors")


@rule(rf"^Across <k:N> councils? {WHERE}<g:G>, <p:P> now {V_HAS} <s:N> councillors?, a net gain of <n:N> on <y:Y>\.$", "councillors")
def group_across_now(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "councillors")


@rule(rf"^{WHERE}<g:G>, <p:P> {V_HAS} a net gain of <n:N> seats? on <y:Y> and <s:N> councillors?\.$", "net gain")
def group_para2(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "councillors")


@rule(rf"^Across <k:N> councils? in <g:G>, <p:P> {V_HAS} won <s:N> seats?, (?:a net gain of <n:N>|a net loss of <n2:N>|no net change) on <y:Y>\.$", "won")
def group_seats1(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "seats")


@rule(rf"^<p:P> {V_HAS} <s:N> councillors? across the councils declared so far in <g:G>, (?:up <n:N>|down <n2:N>|unchanged) on <y:Y>\.$", "councillors")
def group_seats2(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "councillors")


@rule(rf"^In <g:G>, <p:P> won <s:N> seats? in the <k:N> councils? compared with <y:Y>, (?:a net gain of <n:N> seats?|a net loss of <n2:N> seats?|the same number)\.$", "won")
def group_seats3(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "seats")


@rule(rf"^{WHERE}<g:G>, <p:P> {V_HAS} <s:N> councillors? across <k:N> councils?, (?:up <n:N>|down <n2:N>|unchanged) on <y:Y>\.$", "councillors")
def group_still2(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "councillors")


@rule(rf"^Across <k:N> councils? {WHERE}<g:G>, <p:P> {V_HAS} won <s:N> seats?, (?:a net gain of <n:N>|a net loss of <n2:N>|no net change) on <y:Y>\.$", "won")
def group_still3(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "seats")


@rule(rf"^In <g:G>, <p:P> (?:is|are) (?:up <n:N> seats?|down <n2:N> seats?|level) on <y:Y> across <k:N> councils?, with <s:N> councillors?\.$", "councillors")
def group_still_para1(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "councillors")


@rule(rf"^<p:P> {V_HAS} <s:N> councillors? across <k:N> councils? in <g:G>, (?:up <n:N>|down <n2:N>|unchanged) on <y:Y>\.$", "councillors")
def group_still_para2(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "councillors")


def _group_pair(ctx: Ctx, m: re.Match, total: str | None, word: str | None) -> None:
    gid = ctx.G(m["g"])
    if gid is None:
        return
    check_year(ctx, m["y"])
    check_where(ctx, gid, m.groupdict().get("where"))
    tally = ctx.tally(gid)
    k = m.groupdict().get("k")
    check_tally_pair(ctx, tally, ctx.P(m["p"]), n_(m[total]) if total else None, word, _signed(m),
                     n_(k) if k else None, declared=ctx.moment.group_declared_won(gid))


@rule(rf"^(?:<p:P> advance {WHERE}<g:G>|<p2:P> up <n:N> seats? (?P<w2>in areas such as |in )<g2:G>|<g3:G>: <p3:P> (?:up <n3:N> seats?|down <n4:N> seats?|level on seats)"
      rf"|<p5:P> stand still in <g5:G>|<p6:P> little changed (?P<w6>in areas such as |in )<g6:G>)$", ("advance", "up", "down", "level", "stand still", "little changed"), ("group",))
def group_head(ctx: Ctx, m: re.Match) -> None:
    i = next(s for s in ("", "2", "3", "5", "6") if m["g" + s])
    gid = ctx.G(m["g" + i])
    if gid is None:
        return
    p = ctx.P(m["p" + i])
    tally = ctx.tally(gid)
    check_where(ctx, gid, m.groupdict().get("where") if i == "" else m.groupdict().get("w" + i))
    if i == "2":
        check_tally_pair(ctx, tally, p, None, None, n_(m["n"]))
    elif i == "3":
        check_tally_pair(ctx, tally, p, None, None, n_(m["n3"]) if m["n3"] else (-n_(m["n4"]) if m["n4"] else 0))
    elif i == "":
        if tally.change.get(p, 0) <= 0:
            ctx.flag(f"net change in seats of {ctx.pname(p)}", "an advance", f"{tally.change.get(p, 0):+d}")
    else:  # standing still: a small net change (three seats or fewer, or under 2% of the seats won)
        ch = tally.change.get(p, 0)
        won = max(tally.compared_won.get(p, 0), ctx.moment.group_declared_won(gid).get(p, 0))  # a loose notion
        if not tally.compared or not (abs(ch) <= 3 or abs(ch) * 50 < won):
            ctx.flag(f"net change in seats of {ctx.pname(p)}", "standing still",
                     f"{ch:+d} on {won} seats won" if tally.compared else "no council to compare")


def _gained_in(ctx: Ctx, gid: str | None, party: str) -> list[CouncilState]:
    final = ctx.tally(gid).councils
    return [s for s in final if s.result_kind == "gain" and s.winner == party]


def check_gained(ctx: Ctx, gid: str | None, party: str, names: list[str], count: int | None = None,
                 complete: bool = False) -> None:
    gained = _gained_in(ctx, gid, party)
    slugs = {s.slug for s in gained}
    for slug in names:
        st = ctx.moment.states.get(slug)
        if slug not in slugs:
            what = "not final" if st and not st.final else (st.result_kind if st else "?")
            ctx.flag(f"councils {ctx.pname(party)} has gained", st.name if st else slug, f"not a {ctx.pname(party)} gain ({what})", "control")
        if gid and slug not in ctx.truth.groups[gid].members:
            ctx.flag(f"members of {ctx.truth.groups[gid].name}", st.name if st else slug, "not in the group")
    if count is not None:
        ctx.expect(f"councils {ctx.pname(party)} has gained", count, len(gained))
    if complete and set(names) != slugs:
        ctx.flag(f"councils {ctx.pname(party)} has gained", ", ".join(names), ", ".join(s.name for s in gained))


@rule(rf"^<p:P> {V_HAS} taken control of <cl:CL> {WHERE}<g:G>(?:, with <f:N> of its <t:N> councils declared)?\.$", "taken control of")
def group_gains1(ctx: Ctx, m: re.Match) -> None:
    _group_gains(ctx, m, "p", "cl")


@rule(rf"^<p:P> gained <cl:CL> {WHERE}<g:G>\.$", "gained")
def group_gains1p(ctx: Ctx, m: re.Match) -> None:
    _group_gains(ctx, m, "p", "cl")


@rule(rf"^<cl:CL> (?:has|have) fallen to <p:P> {WHERE}<g:G>(?:, where <f:N> of <t:N> councils have declared)?\.$", "fallen to")
def group_gains2(ctx: Ctx, m: re.Match) -> None:
    _group_gains(ctx, m, "p", "cl")


@rule(rf"^<cl:CL> went to <p:P> {WHERE}<g:G>\.$", "went to")
def group_gains2p(ctx: Ctx, m: re.Match) -> None:
    _group_gains(ctx, m, "p", "cl")


@rule(rf"^With <cl:CL> now in (?:its|their) hands, <p:P> {V_HAS} gained <k:N> councils? {WHERE}<g:G>(?: so far)?\.$", "now in")
def group_gains3(ctx: Ctx, m: re.Match) -> None:
    _group_gains(ctx, m, "p", "cl")


def _group_gains(ctx: Ctx, m: re.Match, p: str, cl: str) -> None:
    gid = ctx.G(m["g"])
    if gid is None:
        return
    check_where(ctx, gid, m.groupdict().get("where"))
    names, _ = councils_in(ctx, m[cl])
    k = m.groupdict().get("k")
    check_gained(ctx, gid, ctx.P(m[p]), names, n_(k) if k else None)
    tally = ctx.tally(gid)
    if m.groupdict().get("f"):
        ctx.expect(f"councils declared in {ctx.truth.groups[gid].name}", n_(m["f"]), len(tally.councils))
        ctx.expect(f"councils in {ctx.truth.groups[gid].name}", n_(m["t"]), tally.total_councils)


@rule(rf"^(?:<p:P> gain <k:N> councils? in <g:G>|<g2:G>: <p2:P> gain <k2:N> councils?|<p3:P> take <k3:N> councils? {WHERE}<g3:G>|<cl4:CL> fall to <p4:P>)$", ("gain", "take", "fall to"), ("group",))
def group_gains_head(ctx: Ctx, m: re.Match) -> None:
    i = next(s for s in ("", "2", "3", "4") if m["p" + s])
    gid = ctx.G(m["g" + i]) if i != "4" else ctx.gid
    p = ctx.P(m["p" + i])
    if i == "4":
        names, _ = councils_in(ctx, m["cl4"])
        check_gained(ctx, gid, p, names)
    else:
        check_gained(ctx, gid, p, [], n_(m["k" + i]))


@rule(rf"^(?:<p:P> also lost <cl:CL>, and now (?:runs|run)|<p2:P> now (?:runs|run)) (?P<n>none|{NUM}) of the <t:N> councils? with elections in <g:G>(?:, up from <b:N>|, down from <b2:N>|, (?P<same>the same number as before polling day))\.$", "with elections in")
def group_control_complete(ctx: Ctx, m: re.Match) -> None:
    _group_control(ctx, m, True)


@rule(rf"^(?:<p:P> also lost <cl:CL>, and (?:runs|run)|<p2:P> (?:runs|run)) (?:all <f:N> councils|(?P<n>none|{NUM}) of the <f2:N> councils?) declared so far in <g:G>(?:, up from <b:N> before polling day|, down from <b2:N> before polling day|, (?P<same>as many as before polling day))\.$", "declared so far")
def group_control_sofar(ctx: Ctx, m: re.Match) -> None:
    _group_control(ctx, m, False)


def _group_control(ctx: Ctx, m: re.Match, complete: bool) -> None:
    gid = ctx.G(m["g"])
    if gid is None:
        return
    tally = ctx.tally(gid)
    p = ctx.P(m["p"] or m["p2"])
    name = ctx.truth.groups[gid].name
    runs = tally.controlled.get(p, 0)
    if complete:
        ctx.expect(f"councils in {name}", n_(m["t"]), tally.total_councils)
        if not tally.complete:
            ctx.flag(f"councils declared in {name}", "all", f"{len(tally.councils)} of {tally.total_councils}")
    else:
        f = n_(m["f"] or m["f2"])
        ctx.expect(f"councils declared so far in {name}", f, len(tally.councils))
    n = runs if m.groupdict().get("f") else (0 if m["n"] == "none" else n_(m["n"]))
    if m.groupdict().get("f"):
        n = n_(m["f"])
    ctx.expect(f"councils {ctx.pname(p)} runs in {name}", n, runs)
    before = tally.controlled_before.get(p, 0)
    if m["b"]:
        ctx.expect(f"councils {ctx.pname(p)} ran before in {name}", n_(m["b"]), before, ok=n_(m["b"]) == before and runs > before)
    elif m["b2"]:
        ctx.expect(f"councils {ctx.pname(p)} ran before in {name}", n_(m["b2"]), before, ok=n_(m["b2"]) == before and runs < before)
    else:
        ctx.expect(f"councils {ctx.pname(p)} ran before in {name}", runs, before)
    if m["cl"]:
        names, _ = councils_in(ctx, m["cl"])
        lost = {s.slug for s in tally.councils if s.loser == p}
        for slug in names:
            if slug not in lost:
                ctx.flag(f"councils {ctx.pname(p)} lost in {name}", ctx.moment.states[slug].name, "not lost", "control")


@rule(r"^When these seats in <g:G> were last fought in <y:Y>, the (?P<label>[^\d]+?) put (?P<list>.+)\.$", "last fought")
def group_context(ctx: Ctx, m: re.Match) -> None:
    check_year(ctx, m["y"])
    label = m["label"].strip().lower()
    check_context(ctx, label, _shares_list(ctx, m["list"]), m["list"])


def _shares_list(ctx: Ctx, text: str) -> list[tuple[str, float] | None]:
    """"Labour on 35%, the Conservatives on 35% and the Lib Dems on 16%"."""
    found = T.list_items(text, rf"(?P<p>{ctx.lex.party_re}) on (?P<v>\d+(?:\.\d+)?)%") if text else []
    if found is None:
        return [None]
    return [(ctx.P(m["p"]), float(m["v"])) for m in found]


def check_context(ctx: Ctx, label: str, values: list[tuple[str, float] | None], text: str) -> None:
    """Context figures (projected shares and the like) as election.toml gives them."""
    if any(v is None for v in values):
        ctx.flag("context figures", text, "a list the oracle cannot read", "unread")
        return
    for c in ctx.truth.context():
        lab = str(c.get("label", "")).lower()
        if label.strip() in (lab, lab.split(",")[0]):
            vals = {ctx.lex.party_of(ctx.pname(k)) or k: float(v) for k, v in (c.get("values") or {}).items()}
            for p, v in values:
                if vals.get(p) != v:
                    ctx.flag(f"{c.get('label')}: {ctx.pname(p)}", f"{v:g}%", f"{vals.get(p)}%" if p in vals else "not given")
            return
    ctx.flag("context figures", label, "no such figures in election.toml")


@rule(r"^(?:In this report <g:G> means|<g2:G> is counted here as|For these figures, <g3:G> covers) (?P<def>.+)\.$", ("means", "counted here", "covers"))
def group_definition(ctx: Ctx, m: re.Match) -> None:
    gid = ctx.G(m["g"] or m["g2"] or m["g3"])
    if gid is None:
        return
    want = _norm(ctx.truth.groups[gid].definition)
    got = _norm(m["def"])
    if got != want:
        ctx.flag(f"definition of {ctx.truth.groups[gid].name}", m["def"], ctx.truth.groups[gid].definition)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


# ==============================================================================================
# The round-up
# ==============================================================================================


def _pred_re(lex: Lexicon) -> re.Pattern:
    P, CL = lex.party_re, _types(lex)["CL"]
    return re.compile(
        rf"(?:(?P<subj>{P}|[Nn]o party) )?(?:"
        rf"(?:has|have) taken (?P<a>{CL}) from (?P<af>{P}|no overall control)"
        rf"|(?:is|are) on course to take (?P<b>{CL}) from (?P<bf>{P}|no overall control)"
        rf"|(?:has|have) lost (?P<c>{CL}) to no overall control"
        rf"|(?:is|are) on course to lose (?P<d>{CL}) to no overall control"
        rf"|(?:has|have) won the new (?P<e>{CL}) councils?(?: with (?P<es>{NUM}) of its (?P<et>{NUM}) seats)?"
        rf"|(?:is|are) on course to win the new (?P<f>{CL}) councils?"
        rf"|has won a majority on the new (?P<g>{CL}) councils?"
        rf"|can now win a majority on the new (?P<h>{CL}) councils?)")


_PRED_CACHE: dict[int, re.Pattern] = {}


def read_predicates(ctx: Ctx, text: str, gid: str | None = None, elsewhere: bool = False) -> list[tuple[int, int]]:
    """Check the round-up's results clauses ("Labour has taken A and B from the
    Conservatives and has lost C to no overall control"); return the spans read."""
    rx = _PRED_CACHE.get(id(ctx.lex))
    if rx is None:
        rx = _PRED_CACHE[id(ctx.lex)] = _pred_re(ctx.lex)
    spans = []
    subject: str | None = None
    for m in rx.finditer(text):
        if m["subj"]:
            subject = None if m["subj"].lower() == "no party" else ctx.P(m["subj"])
        spans.append(m.span())
        for key, kind, prov in (("a", "gain", False), ("b", "gain", True), ("c", "lose", False), ("d", "lose", True),
                                ("e", "new_win", False), ("f", "new_win", True), ("g", "new_noc", False), ("h", "new_noc", True)):
            if not m[key]:
                continue
            names, more = councils_in(ctx, m[key])
            other = None
            if kind == "gain":
                o = m[key + "f"]
                other = NOC if o == "no overall control" else ctx.P(o)
            for slug in names:
                st = ctx.moment.states[slug]
                check_control(ctx, st, kind, subject if kind != "new_noc" else None, other, provisional=prov)
                if gid and slug not in ctx.truth.groups[gid].members:
                    ctx.flag(f"members of {ctx.truth.groups[gid].name}", st.name, "not in the group")
                if elsewhere and any(slug in g.members for g in ctx.truth.groups.values()):
                    ctx.flag("councils elsewhere", st.name, "it is in " + ", ".join(g.name for g in ctx.truth.groups.values() if slug in g.members))
                if key == "e" and m["es"]:
                    check_seats(ctx, st, subject, n_(m["es"]))
                    check_total(ctx, st, n_(m["et"]))
            if more:
                same = [s for s in ctx.moment.final if _outcome_is(s, kind, subject, other)]
                if gid:
                    same = [s for s in same if s.slug in ctx.truth.groups[gid].members]
                ctx.expect("councils with this result not named", more, len([s for s in same if s.slug not in names]))
    return spans


def _outcome_is(s: CouncilState, kind: str, party: str | None, other: str | None) -> bool:
    if kind == "gain":
        return s.result_kind == "gain" and s.winner == party and (s.loser or NOC) == other
    if kind == "lose":
        return s.result_kind == "lose" and s.loser == party
    if kind == "new_win":
        return s.result_kind == "new_win" and s.winner == party
    return s.result_kind == "new_noc"


@rule(r"^(?P<body>.+?)(?:, with (?:<n:N> of the <m:N> councils declared by <t:T>|all <m2:N> councils declared))\.$", "councils declared", ("roundup",))
def roundup_lede(ctx: Ctx, m: re.Match) -> None:
    spans = read_predicates(ctx, m["body"])
    _mark(ctx, spans)
    _declared_tail(ctx, m)


def _declared_tail(ctx: Ctx, m: re.Match) -> None:
    nat = ctx.moment.national
    if m["m2"]:
        ctx.expect("councils declared", "all", f"{len(nat.councils)} of {nat.total_councils}", ok=nat.complete)
        ctx.expect("councils with elections", n_(m["m2"]), nat.total_councils)
    else:
        ctx.expect("councils declared", n_(m["n"]), len(nat.councils))
        ctx.expect("councils with elections", n_(m["m"]), nat.total_councils)
        check_clock(ctx, m["t"], ctx.t)


@rule(r"^Counting is under way in the (?P<e>[^,]+), (?:with <n:N> of the <m:N> councils declared by <t:T> and no council changing hands so far|with <w:N> wards? declared by <t2:T> and no council result yet)\.$", "counting is under way", ("roundup",))
def roundup_lede_quiet(ctx: Ctx, m: re.Match) -> None:
    nat = ctx.moment.national
    if m["w"]:
        ctx.expect("wards declared", n_(m["w"]), ctx.moment.declared_wards)
        check_clock(ctx, m["t2"], ctx.t)
        if nat.councils:
            ctx.flag("council results", "none yet", len(nat.councils), "control")
    else:
        ctx.expect("councils declared", n_(m["n"]), len(nat.councils))
        ctx.expect("councils with elections", n_(m["m"]), nat.total_councils)
        check_clock(ctx, m["t"], ctx.t)
        changed = [s.name for s in nat.councils if s.result_kind in ("gain", "lose")]
        if changed:
            ctx.flag("councils changing hands", "none", ", ".join(changed), "control")


def _mark(ctx: Ctx, spans: list[tuple[int, int]]) -> None:
    ctx.extra_spans = getattr(ctx, "extra_spans", []) + spans


@rule(r"^(?P<body>.+)$", ("take", "lose", "win", "majority", "counting under way"), ("roundup",))
def roundup_head(ctx: Ctx, m: re.Match) -> None:
    if not ctx.is_headline:
        return
    P, C = ctx.lex.party_re, ctx.lex.council_re
    clause = _rx(rf"(?:(?P<p>{P}) (?P<set>set to )?(?P<v>take|lose|win new) (?P<cl>{C}(?: and {C})?)(?: councils?)?"
                        rf"|No majority on new (?P<nl>{C}(?: and {C})?) councils?|Counting under way in the .+)")
    pos = 0
    text = m["body"]
    for c in clause.finditer(text):
        if text[pos:c.start()].strip() not in ("", "as"):
            ctx.flag("headline", text, "a phrasing the oracle cannot read", "unread")
        pos = c.end()
        _mark(ctx, [c.span()])
        if c["p"]:
            names, _ = councils_in(ctx, c["cl"])
            kind = {"take": "gain", "lose": "lose", "win new": "new_win"}[c["v"]]
            for slug in names:
                st = ctx.moment.states[slug]
                other = st.council.control_before or NOC if kind == "gain" else None
                check_control(ctx, st, kind, ctx.P(c["p"]), other, provisional=bool(c["set"]))
        elif c["nl"]:
            for slug in councils_in(ctx, c["nl"])[0]:
                check_control(ctx, ctx.moment.states[slug], "new_noc")


@rule(r"^(?P<body>.+)\.$", ("has", "have", "is", "are", "can now"), ("roundup",))
def roundup_clauses(ctx: Ctx, m: re.Match) -> None:
    """Sentences of party results in a group paragraph or "Elsewhere"."""
    if ctx.is_headline:
        return
    body = m["body"]
    if _search(r", with (?:\S+ of the \S+|all \S+) councils declared", body):
        return  # the lede
    gid = ctx.para_group
    lead = _match(rf"(?:In {ctx.lex.group_re}, |Elsewhere, )", body)
    text = body[lead.end():] if lead else body
    if not _match(rf"(?:{ctx.lex.party_re}|[Nn]o party) (?:has|have|is|are|can now) (?:taken|lost|won|on course|now win)", text):
        return
    spans = read_predicates(ctx, text, gid, ctx.para_elsewhere)
    off = lead.end() if lead else 0
    _mark(ctx, [(a + off, b + off) for a, b in spans])


@rule(rf"^Across (?:<g:G>|(?P<label>[A-Z][\w ]+?) areas such as <cl:CL>), <p:P> (?:is|are) up <n:N> seats? on <y:Y> in the <k:N> councils? that can be compared(?: so far)?(?:, and <q:P> <n2:N>)?\.$", "can be compared", ("roundup",))
def roundup_advance(ctx: Ctx, m: re.Match) -> None:
    gid = ctx.G(m["g"]) if m["g"] else (ctx.lex.group_of(m["label"]) or ctx.para_group)
    if gid is None:
        ctx.flag("group", m["label"], "no group is called that", "unread")
        return
    check_year(ctx, m["y"])
    tally = ctx.tally(gid)
    check_tally_pair(ctx, tally, ctx.P(m["p"]), None, None, n_(m["n"]), n_(m["k"]))
    if m["q"]:
        check_tally_pair(ctx, tally, ctx.P(m["q"]), None, None, n_(m["n2"]))
    if m["cl"]:
        _examples(ctx, gid, m["cl"])


def _examples(ctx: Ctx, gid: str, text: str, final: bool = False) -> list[str]:
    names, _ = councils_in(ctx, text)
    for slug in names:
        if slug not in ctx.truth.groups[gid].members:
            ctx.flag(f"members of {ctx.truth.groups[gid].name}", ctx.moment.states[slug].name, "not in the group")
        if final and not ctx.moment.states[slug].final:
            ctx.flag(f"councils declared in {ctx.truth.groups[gid].name}", ctx.moment.states[slug].name, "not declared yet")
    return names


LEVEL = r"(?:up <n:N> seats?|down <n2:N> seats?|level)"


@rule(rf"^In (?P<label>[A-Z][\w ]+?) areas such as <cl:CL>, <p:P> held control with no net change in (?:its|their) own seats, and across the <k:N> (?P<label2>[A-Z][\w ]+?) councils that can be compared <q:P> (?:is|are) {LEVEL} on <y:Y>\.$", "held control", ("roundup",))
def roundup_still1(ctx: Ctx, m: re.Match) -> None:
    _still(ctx, m)


@rule(rf"^<p:P> held <cl:CL> with no net change in (?:its|their) own seats and (?:is|are) {LEVEL} on <y:Y> across the <k:N> councils in <g:G> that can be compared\.$", "no net change", ("roundup",))
def roundup_still2(ctx: Ctx, m: re.Match) -> None:
    _still(ctx, m)


def _still(ctx: Ctx, m: re.Match) -> None:
    gid = ctx.G(m["g"]) if m.groupdict().get("g") else (ctx.lex.group_of(m["label"]) or ctx.para_group)
    if gid is None:
        ctx.flag("group", m.groupdict().get("label"), "no group is called that", "unread")
        return
    check_year(ctx, m["y"])
    p = ctx.P(m["p"])
    for slug in _examples(ctx, gid, m["cl"]):
        st = ctx.moment.states[slug]
        check_control(ctx, st, "hold", p)
        if st.change is not None and st.change.get(p, 0) != 0:
            ctx.flag(f"seat change of {ctx.pname(p)} in {st.name}", "no net change", f"{st.change.get(p, 0):+d}")
    check_tally_pair(ctx, ctx.tally(gid), p, None, None, _signed(m), n_(m["k"]))


@rule(r"^(?:All <a:N> councils|<f:N> of the <t:N> councils) in (?P<label>[A-Z][\w ]+?) areas such as <cl:CL> (?:has|have) declared\.$", "declared", ("roundup",))
def roundup_declared_examples(ctx: Ctx, m: re.Match) -> None:
    gid = ctx.lex.group_of(m["label"]) or ctx.para_group
    if gid is None:
        ctx.flag("group", m["label"], "no group is called that", "unread")
        return
    tally = ctx.tally(gid)
    if m["a"]:
        ctx.expect(f"councils in {ctx.truth.groups[gid].name}", n_(m["a"]), tally.total_councils)
        if not tally.complete:
            ctx.flag(f"councils declared in {ctx.truth.groups[gid].name}", "all", len(tally.councils))
    else:
        ctx.expect(f"councils declared in {ctx.truth.groups[gid].name}", n_(m["f"]), len(tally.councils))
        ctx.expect(f"councils in {ctx.truth.groups[gid].name}", n_(m["t"]), tally.total_councils)
    _examples(ctx, gid, m["cl"], final=True)


def _change_words(text: str) -> int | None:
    t = text.strip()
    if t in ("no change", "the same number as", "unchanged"):
        return 0
    m = _fullmatch(rf"(up|down) ({NUM})", t) or _fullmatch(rf"({NUM}) (more|fewer) than", t)
    if not m:
        return None
    if m.group(1) in ("up", "down"):
        return n_(m.group(2)) * (1 if m.group(1) == "up" else -1)
    return n_(m.group(1)) * (1 if m.group(2) == "more" else -1)


@rule(rf"^(?:Of the <n:N> councils? declared so far|With all <m:N> councils declared), (?P<list>.+)\.$", ("declared so far", "with all"), ("roundup",))
def roundup_national(ctx: Ctx, m: re.Match) -> None:
    nat = ctx.moment.national
    if m["m"]:
        ctx.expect("councils with elections", n_(m["m"]), nat.total_councils)
        if not nat.complete:
            ctx.flag("councils declared", "all", f"{len(nat.councils)} of {nat.total_councils}")
    else:
        ctx.expect("councils declared", n_(m["n"]), len(nat.councils))
    P = ctx.lex.party_re
    items = re.split(r"; (?:and )?", m["list"])
    for i, item in enumerate(items):
        a = _fullmatch(rf"({P}) (?:runs|run) ({NUM}) councils?, (.+?) on the eve of poll", item) if i == 0 else \
            _fullmatch(rf"({P}) ({NUM}), (.+)", item)
        if not a:
            ctx.flag("councils controlled", item, "a phrasing the oracle cannot read", "unread")
            continue
        p = ctx.P(a.group(1))
        ctx.expect(f"councils {ctx.pname(p)} runs", n_(a.group(2)), nat.controlled.get(p, 0))
        ch = _change_words(a.group(3))
        ctx.expect(f"change in councils {ctx.pname(p)} runs", ch, nat.control_change(p))


@rule(rf"^No party has a majority in <n:N> councils?, (?P<ch>up <a:N>|down <b:N>|no change)\.$", "no party has a majority", ("roundup",))
def roundup_noc(ctx: Ctx, m: re.Match) -> None:
    nat = ctx.moment.national
    ctx.expect("councils under no overall control", n_(m["n"]), nat.controlled.get(NOC, 0))
    ctx.expect("change in councils under no overall control", _change_words(m["ch"]), nat.control_change(NOC))


@rule(r"^(?P<lead>In the seats declared so far, )?(?P<list>.+? on the same seats in <y:Y>.*)\.$", "on the same seats in", ("roundup",))
def roundup_seats(ctx: Ctx, m: re.Match) -> None:
    check_year(ctx, m["y"])
    nat = ctx.moment.national
    P = ctx.lex.party_re
    for i, item in enumerate(re.split(r"; (?:and )?", m["list"])):
        a = _fullmatch(rf"({P}) {V_HAS} ({NUM}) (councillors?|seats?), (.+?) on the same seats in \d{{4}}", item) if i == 0 else \
            _fullmatch(rf"({P}) ({NUM}), (.+)", item)
        if not a:
            ctx.flag("seats won", item, "a phrasing the oracle cannot read", "unread")
            continue
        p = ctx.P(a.group(1))
        word = a.group(3) if i == 0 else "councillors"
        ch = _change_words(a.group(4) if i == 0 else a.group(3))
        check_tally_pair(ctx, nat, p, n_(a.group(2)), word, ch, declared=ctx.moment.declared_won)


@rule(r"^The changes count the <n:N> declared councils? whose seats can be compared like for like\.$", "changes count", ("roundup",))
def roundup_compared(ctx: Ctx, m: re.Match) -> None:
    ctx.expect("councils whose seats can be compared", n_(m["n"]), len(ctx.moment.national.compared))


@rule(r"^At the <y:Y> elections, the baseline for these seats, (?P<list>.+?) \((?P<label>[^;]+); source: (?P<src>[^)]+)\)\.$", "baseline for these seats")
def roundup_context1(ctx: Ctx, m: re.Match) -> None:
    check_year(ctx, m["y"])
    P = ctx.lex.party_re
    text = m["list"]
    vals: list[tuple[str, float] | None] = []
    lvl = _match(rf"({P}) and ({P}) were level on (\d+(?:\.\d+)?)%(?:, with (.+))?$", text)
    led = _match(rf"({P}) led on (\d+(?:\.\d+)?)%(?:, ahead of (.+))?$", text)
    rest = None
    if lvl:
        vals += [(ctx.P(lvl.group(1)), float(lvl.group(3))), (ctx.P(lvl.group(2)), float(lvl.group(3)))]
        rest = lvl.group(4)
    elif led:
        vals.append((ctx.P(led.group(1)), float(led.group(2))))
        rest = led.group(3)
    else:
        vals.append(None)
    vals += _shares_list(ctx, rest or "")
    check_context(ctx, m["label"].lower(), vals, text)
    check_source(ctx, m["src"])


@rule(r"^Another estimate put (?P<list>.+?) \((?P<label>[^;]+); source: (?P<src>[^)]+)\)\.$", "another estimate")
def roundup_context2(ctx: Ctx, m: re.Match) -> None:
    check_context(ctx, m["label"].lower(), _shares_list(ctx, m["list"]), m["list"])
    check_source(ctx, m["src"])


def check_source(ctx: Ctx, printed: str) -> None:
    """Copy may attribute a figure only as its ``cite`` says, never print its ``source``."""
    for c in ctx.truth.context():
        src, cite = str(c.get("source", "")), c.get("cite")
        if printed.strip() == src.strip() and printed.strip() != (cite or "").strip():
            ctx.flag("attribution of a context figure", f"source: {printed}",
                     f"copy may print only cite ({cite!r})" if cite else "no cite given: copy may not print the source", "hygiene")
            return


@rule(r"^Counting goes on in <n:N> councils?\.$", "counting goes on", ("roundup",))
def watch_open(ctx: Ctx, m: re.Match) -> None:
    nat = ctx.moment.national
    ctx.expect("councils still counting", n_(m["n"]), nat.total_councils - len(nat.councils))


CONTROL_BEFORE = (r"(?:a new council|under no overall control before the election|run by <b:P> before the election"
                  r"|with no recorded control before the election)")


@rule(rf"^In <c:C>, {CONTROL_BEFORE}, <pl:PL> {V_HAS} <n:N> seats?(?P<each> each)? so far(?P<incl>, counting councillors not up this time)?, with <k:N> needed for a majority and <r:N> still to declare\.$", "still to declare", ("roundup",))
def watch_counting(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st is None:
        return
    _check_before(ctx, st, m)
    for p in parties_in(ctx, m["pl"]):
        check_so_far(ctx, st, p, n_(m["n"]))
        _check_leader(ctx, st, p)
    check_majority_needed(ctx, st, n_(m["k"]))
    ctx.expect(f"seats still to declare in {st.name}", n_(m["r"]), st.remaining)
    if st.final:
        ctx.flag(f"counting in {st.name}", "still counting", "final", "so-far")
    if m["incl"] and st.council.cycle == "all-out":
        ctx.flag(f"seats not up in {st.name}", "some", "none: every seat was up", "so-far")


def _check_before(ctx: Ctx, st: CouncilState, m: re.Match) -> None:
    text = m.group(0)
    before = st.council.control_before
    if "a new council" in text:
        ok, said = st.council.new, "a new council"
    elif "under no overall control" in text:
        ok, said = before == NOC, "no overall control"
    elif m["b"]:
        ok, said = before == ctx.P(m["b"]), ctx.pname(ctx.P(m["b"]))
    else:
        ok, said = before is None and not st.council.new, "no recorded control"
    if not ok:
        ctx.flag(f"control of {st.name} before the election", said, ctx.pname(before) if before and before != NOC else (before or "new"), "control")


@rule(rf"^Among the <n:N> councils? yet to declare a seat (?:is|are) (?P<list>.+)\.$", "yet to declare", ("roundup",))
def watch_waiting(ctx: Ctx, m: re.Match) -> None:
    waiting = [s for s in ctx.moment.states.values() if s.seats_declared == 0 and not s.final]
    ctx.expect("councils yet to declare a seat", n_(m["n"]), len(waiting))
    text = m["list"]
    C = ctx.lex.council_re
    new = _match(rf"the new (?P<cl>{C}(?:(?:, | and ){C})*) councils?(?:, | and |$)", text)
    if new:
        for slug in councils_in(ctx, new["cl"])[0]:
            st = ctx.moment.states[slug]
            if not st.council.new or st.seats_declared:
                ctx.flag(f"{st.name} yet to declare, a new council", "yes", f"new: {st.council.new}; {st.seats_declared} declared")
        text = text[new.end():]
    for item in _finditer(rf"({C}) \((run by ({ctx.lex.party_re})|under no overall control|with no recorded control|a new council)\)", text):
        st = ctx.moment.states[ctx.lex.council_of(item.group(1))]
        if st.seats_declared:
            ctx.flag(f"{st.name} yet to declare a seat", "yes", f"{st.seats_declared} seats declared")
        before = st.council.control_before
        said = item.group(2)
        ok = (said == "under no overall control" and before == NOC) or (item.group(3) and ctx.P(item.group(3)) == before) \
            or (said == "a new council" and st.council.new) or (said == "with no recorded control" and before is None)
        if not ok:
            ctx.flag(f"control of {st.name} before the election", said, ctx.pname(before) if before and before != NOC else before, "control")


@rule(r"^All <n:N> councils have now declared, so these are the night's final figures\.$", "final figures", ("roundup",))
def watch_done(ctx: Ctx, m: re.Match) -> None:
    nat = ctx.moment.national
    ctx.expect("councils with elections", n_(m["n"]), nat.total_councils)
    if not nat.complete:
        ctx.flag("councils declared", "all", f"{len(nat.councils)} of {nat.total_councils}")


# ==============================================================================================
# Tables, the disclosure line and hygiene
# ==============================================================================================

_ROW = re.compile(r"^(?P<name>.+?)\s{2,}(?P<won>\d[\d,]*)\s*(?P<chg>[+-]\d[\d,]*|0)?\s*$")


def read_table(ctx: Ctx, block: str) -> None:
    """The seats table: seats won tonight and the change on the baseline, party by party.
    Rows that name one party twice are added up (and reported) before they are checked."""
    lines = block.splitlines()
    if not lines or not lines[0].startswith("Party"):
        return
    rows: dict[str, list[tuple[str, int, int | None, str]]] = {}
    for line in lines[1:]:
        ctx.sentence = line
        m = _ROW.match(line)
        if not m:
            ctx.flag("table row", line, "a row the oracle cannot read", "unread")
            continue
        name = m["name"].strip()
        p = ctx.lex.party_of(name)
        if p is None:
            ctx.flag("party name in the table", name, "no party of the night is called that", "party-identity")
            continue
        won = int(m["won"].replace(",", ""))
        if won >= 1000 and "," not in m["won"]:
            ctx.flag("thousands separator", m["won"], f"{won:,}", "hygiene")
        chg = None if m["chg"] is None else int(m["chg"].replace(",", ""))
        rows.setdefault(p, []).append((name, won, chg, line))
    _table_complete(ctx, set(rows), lines)
    for p, got in rows.items():
        ctx.sentence = "\n".join(r[3] for r in got)
        if len(got) > 1:
            ctx.flag("one party in two table rows", " / ".join(r[0] for r in got), "one party", "party-identity")
        won = sum(r[1] for r in got)
        changes = [r[2] for r in got if r[2] is not None]
        chg = sum(changes) if changes else None
        shown = " / ".join(f"{r[1]} {'' if r[2] is None else f'{r[2]:+d}'}".strip() for r in got)
        _table_row(ctx, p, won, chg, shown)


def _table_complete(ctx: Ctx, listed: set[str], lines: list[str]) -> None:
    """A ward's or a council's table lists every party that won a seat or changed."""
    if ctx.kind == "ward" and ctx.ward is not None:
        won, change = ctx.ward.won, ctx.ward.change or {}
    elif ctx.kind == "council" and ctx.state is not None:
        won, change = ctx.state.won, ctx.state.change or {}
    else:
        return
    missing = sorted(p for p in set(won) | set(change) if (won.get(p) or change.get(p)) and p not in listed)
    if missing:
        ctx.sentence = "\n".join(lines)
        ctx.flag("parties missing from the table", ", ".join(ctx.pname(p) for p in missing),
                 "; ".join(f"{ctx.pname(p)} won {won.get(p, 0)}, change {change.get(p, 0):+d}" for p in missing))


def _table_row(ctx: Ctx, p: str, won: int, chg: int | None, shown: str) -> None:
    name = ctx.pname(p)
    if ctx.kind == "ward" and ctx.ward is not None:
        w = ctx.ward
        ctx.expect(f"table: seats won by {name} in {w.decl.ward}", won, w.won.get(p, 0))
        want = None if w.change is None else w.change.get(p, 0)
        if want != chg:
            ctx.flag(f"table: change for {name} in {w.decl.ward}", shown,
                     "blank (no like-for-like baseline)" if want is None else f"{want:+d}" if want else "0")
    elif ctx.kind == "council" and ctx.state is not None:
        st = ctx.state
        ctx.expect(f"table: seats won tonight by {name} in {st.name}", won, st.won.get(p, 0))
        want = None if st.change is None else st.change.get(p, 0)
        if want != chg:
            ctx.flag(f"table: change for {name} in {st.name}", shown,
                     "blank (no like-for-like change)" if want is None else f"{want:+d}" if want else "0")
        elif chg is not None and st.compared_won.get(p, 0) != won:
            ctx.flag(f"table: seats of {name} beside its change in {st.name}", shown,
                     f"the change covers {st.compared_won.get(p, 0)} of these seats ({st.wards_left_out} declared "
                     "wards have no like-for-like baseline)", "basis")
    elif ctx.kind == "roundup":
        check_tally_pair(ctx, ctx.moment.national, p, won, "seats", chg, declared=ctx.moment.declared_won)


def read_disclosure(ctx: Ctx, line: str) -> None:
    ctx.sentence = line
    if line == DISCLOSURE_CHECKED:
        if not ctx.meta.reviewed:
            ctx.flag("disclosure", "checked by an editor", f"version {ctx.meta.version} is a {ctx.meta.status} no editor "
                     "has approved", "disclosure")
    elif line != DISCLOSURE_UNCHECKED:
        ctx.flag("disclosure", line, "the disclosure line", "disclosure")


_SURNAME_FIRST = re.compile(r"^[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)* [A-Z]\.$")


def _sentence_at(prose: str, pos: int) -> str:
    """The sentence (or headline) of ``prose`` that holds position ``pos``."""
    start = prose.rfind("\n", 0, pos) + 1
    end = prose.find("\n", pos)
    para = prose[start:end if end >= 0 else len(prose)]
    for off, s in T.sentences(para):
        if start + off <= pos < start + off + len(s):
            return s.strip()
    return para.strip()


def hygiene(ctx: Ctx, prose: str) -> None:
    """What careful copy never prints: ward names in the source's capitals, candidate names
    surname first, raw party codes, one party under two names."""
    ctx.sentence = prose.split("\n", 1)[0]
    if ctx.slug:
        for d in ctx.truth.decls_by_council.get(ctx.slug, ()):
            if ctx.kind == "ward" and d.key != ctx.sub:
                continue
            name = d.ward
            letters = re.sub(r"[^A-Za-z]", "", name)
            if len(letters) >= 4:
                low, target = prose.lower(), name.lower()
                at = low.find(target)
                while at >= 0:
                    printed = prose[at:at + len(name)]
                    if printed.isupper():
                        ctx.sentence = _sentence_at(prose, at)
                        ctx.flag("ward name in capitals", printed, _title(name), "hygiene")
                        break
                    at = low.find(target, at + 1)
    if ctx.ward is not None:
        shown = [c.name for c in ctx.ward.decl.winners if c.name in prose and _SURNAME_FIRST.match(c.name)]
        if shown:
            ctx.sentence = _sentence_at(prose, prose.find(shown[0]))
            ctx.flag("candidate names surname first", ", ".join(shown), "as 'initial surname' (the source writes surname first)", "hygiene")
    for a, _, tok in T.figures(prose):
        digits = tok.rstrip("%").split(".")[0]
        if digits.isdigit() and len(digits) >= 4 and not 1900 <= int(digits) <= 2099:
            ctx.sentence = _sentence_at(prose, a)
            ctx.flag("thousands separator", tok, f"{int(digits):,}", "hygiene")
    for mm in _finditer(r"\S*(?:â€|Ã.)\S*", prose):
        ctx.sentence = _sentence_at(prose, mm.start())
        ctx.flag("text in a wrong encoding", mm.group(0), T.demojibake(mm.group(0)), "hygiene")
    for mm in _finditer(r"LEAP code \w+|Other \([^)]+\)", prose):
        ctx.sentence = _sentence_at(prose, mm.start())
        ctx.flag("raw party code printed", mm.group(0), _resolved(ctx, mm.group(0)), "party-identity")
    seen: dict[str, set[str]] = {}
    for mm in _finditer(ctx.lex.party_re, prose):
        p = ctx.lex.party_of(mm.group(0))
        if p and p.startswith("Other:"):
            seen.setdefault(p, set()).add(mm.group(0))
    for p, names in seen.items():
        if len(names) > 1:
            ctx.sentence = _sentence_at(prose, prose.find(sorted(names)[0]))
            ctx.flag("one party under two names", " / ".join(sorted(names)), "one party", "party-identity")


def _title(name: str) -> str:
    small = {"and", "of", "the", "upon", "on", "in", "with", "by"}
    words = name.lower().split()
    return " ".join(w if (i and w in small) else w[:1].upper() + w[1:] for i, w in enumerate(words))


def _resolved(ctx: Ctx, code: str) -> str:
    p = ctx.lex.party_of(code.replace("Other (", "").rstrip(")"))
    names = sorted(n for n in ctx.truth.parties.display.get(p, set()) if "LEAP code" not in n) if p else []
    return f"the party's name ({' / '.join(names)})" if names else "the party's name (unknown to the registry)"


# ==============================================================================================
# A whole story
# ==============================================================================================


def split_story(text: str) -> tuple[str, list[str], str | None, str | None]:
    """(headline, prose paragraphs, table, disclosure line)."""
    blocks = [b for b in text.split("\n\n") if b.strip()]
    if not blocks:
        return "", [], None, None
    headline, rest = blocks[0].strip(), blocks[1:]
    disclosure = None
    if rest and rest[-1].startswith("This report was produced"):
        disclosure = rest.pop().strip()
    table = None
    if rest and rest[-1].startswith("Party"):
        table = rest.pop()
    return headline, [b.strip() for b in rest], table, disclosure


WARD_MASK = "\x01"
#: Words that make a claim about seats or control: a sentence that has one and names a party
#: or a council must be read by some rule.
_CLAIM_WORDS = re.compile(r"\b(?:take|takes|taken|took|gain|gains|gained|hold|holds|held|keep|keeps|kept|lose|loses|"
                          r"lost|los[et]|falls?|fallen|won|wins?|win|runs?|run|control|majority|course|seats?|"
                          r"councillors?|share|elected|certain|first|largest|changed hands|decides?)\b", re.I)


def mask_ward(ctx: Ctx, sentence: str) -> str:
    """The sentence with the story's ward name (in any casing, as a whole phrase, not inside
    a party's or a council's name) replaced by as many mask characters, so positions stay
    the same and no rule mistakes a ward for other words."""
    if ctx.ward is None:
        return sentence
    name = ctx.ward.decl.ward
    taken = [m.span() for m in _finditer(ctx.lex.party_re, sentence)]
    taken += [m.span() for m in _finditer(ctx.lex.council_re, sentence)]
    low, target = sentence.lower(), name.lower()
    out, pos = [], 0
    at = low.find(target)
    while at >= 0:
        end = at + len(name)
        whole = (at == 0 or not low[at - 1].isalnum()) and (end == len(low) or not low[end].isalnum())
        inside = any(a <= at and end <= b and (a, b) != (at, end) for a, b in taken)
        if whole and not inside:
            out.append(sentence[pos:at])
            out.append(WARD_MASK * len(name))
            pos = end
        at = low.find(target, at + 1)
    out.append(sentence[pos:])
    return "".join(out)


def read_sentence(ctx: Ctx, sentence: str, headline: bool = False) -> None:
    original = sentence.strip()
    ctx.sentence = original
    ctx.is_headline = headline
    ctx.extra_spans = []
    s = mask_ward(ctx, original)
    low = s.lower()
    covered: list[tuple[int, int]] = []
    for r in RULES:
        if r.kinds and ctx.kind not in r.kinds:
            continue
        for n in r.need:
            if n in low:
                break
        else:
            continue
        for m in r.regex(ctx.lex).finditer(s):
            before = len(ctx.extra_spans)
            r.handler(ctx, m)
            if r.handler in _PARTIAL:
                covered.extend(ctx.extra_spans[before:])
                if r.handler is roundup_lede:
                    covered.extend(_tail_span(m))
            else:
                covered.append(m.span())
    for a, b, tok in T.figures(original):
        if not any(x <= a and b <= y for x, y in covered):
            ctx.flag("unread figure", tok, "no reader rule accounts for this figure", "unread")
    if not covered and _CLAIM_WORDS.search(s) and (_search(ctx.lex.party_re, s) or _search(ctx.lex.council_re, s)):
        ctx.flag("unread claim", s, "no reader rule reads this sentence", "unread")


def _tail_span(m: re.Match) -> list[tuple[int, int]]:
    return [(m.end("body"), m.end())]


_PARTIAL = {roundup_lede, roundup_clauses, roundup_head}


def audit_text(truth: NightTruth, lex: Lexicon, text: str, meta: StoryMeta,
               point: int | None = None) -> tuple[list[Disagreement], list[dict]]:
    """Read one story version against the night at ``point`` (by default: everything
    declared by the story's time)."""
    ctx = Ctx(truth, lex, meta, point)
    ctx.para_group = None
    ctx.para_elsewhere = False
    headline, paragraphs, table, disclosure = split_story(text)
    read_sentence(ctx, headline, headline=True)
    for para in paragraphs:
        lead = _match(rf"(?:In|Across) ({lex.group_re}),", para)
        ctx.para_group = lex.group_of(lead.group(1)) if lead else (
            _label_group(ctx, para) if ctx.kind == "roundup" else ctx.gid)
        ctx.para_elsewhere = para.startswith("Elsewhere, ")
        for _, s in T.sentences(para):
            read_sentence(ctx, s)
    if table:
        read_table(ctx, table)
    if disclosure is not None:
        read_disclosure(ctx, disclosure)
    else:
        ctx.sentence = headline
        ctx.flag("disclosure", "missing", "every story ends with the disclosure line", "disclosure")
    hygiene(ctx, "\n\n".join([headline, *paragraphs]))
    return _unique(ctx.out), ctx.claims


def _unique(found: list[Disagreement]) -> list[Disagreement]:
    """One disagreement per sentence, claim and figure (two phrasings may read one claim)."""
    seen: set[tuple] = set()
    out = []
    for d in found:
        k = (d.sentence, d.claim, d.copy)
        if k not in seen:
            seen.add(k)
            out.append(d)
    return out


def _label_group(ctx: Ctx, para: str) -> str | None:
    """The group of a round-up paragraph that names it as "<label> areas such as"."""
    m = _search(r"([A-Z][a-z]+(?: [A-Z][a-z]+)*) areas such as", para)
    return ctx.lex.group_of(m.group(1)) if m else None
