"""The reader's machinery: what a story is (:class:`StoryMeta`), the reading context
(:class:`Ctx`: the story's moment of the night and the disagreements found), how a phrasing is
registered (:func:`rule`), and the checks that phrasings share (a party's seats, a control
claim, a seat change, a "so far" count, a total beside its change, ...).

The phrasings themselves live by family: ``council_rules``, ``ward_rules``, ``group_rules``,
``roundup_rules``; ``tables`` reads the seats table, the disclosure line and the hygiene of
the copy; ``reader`` reads a whole story.
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
from writer.oracle.truth import CouncilState, NightTruth, Tally, WardResult, when


# -- the story and the reading context -----------------------------------------------------------


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
        self.table_compared = False  # a caption says the table counts only the seats compared

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


# -- phrasings: a regex over one sentence and its check ------------------------------------------


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
class SentenceRule:
    """One phrasing the oracle reads: a pattern over a sentence and the check of its claim
    (not a news rule: those are ``writer.detect.rules.Rule``)."""

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


RULES: list[SentenceRule] = []


def rule(pattern: str, need: str | tuple[str, ...], kinds: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
    """Register a phrasing: ``<name:TYPE>`` marks a named part (P party, C council, W ward of
    the story's council, G group, N number, PCT share, PTS points, Y year, T clock time, ORD
    ordinal, PL/CL lists of parties/councils)."""
    needs = (need,) if isinstance(need, str) else need

    def deco(fn: Handler) -> Handler:
        RULES.append(SentenceRule(pattern, tuple(n.lower() for n in needs), fn, kinds))
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


# -- checks the phrasings share ------------------------------------------------------------------


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
    lump = max(comp.get("Other", 0), comp.get("Res", 0))
    if lump >= mine and mine:
        # other parties (or residents' associations) taken together have as many seats: one
        # group inside the lump could be the largest, so the claim is not safe
        ctx.flag(f"largest party in {st.name}", f"{ctx.pname(party)} largest on {mine}",
                 f"{lump} seats lumped together as {'others' if comp.get('Other', 0) >= comp.get('Res', 0) else 'residents'} "
                 "could hold a larger party", "lump")


def check_change(ctx: Ctx, st: CouncilState, party: str, n: int, whole: bool | None = None) -> None:
    """A party's seat change against the baseline (``whole``: the copy says it compares
    the council as a whole; False: "the same seats")."""
    ch = st.change
    if ch is None:
        ctx.flag(f"seat change of {ctx.pname(party)} in {st.name}", f"{n:+d}",
                 f"no like-for-like change ({st.council.not_comparable_reason or 'not complete'})")
        return
    # a council declared by totals on unchanged wards was compared as a whole, and its seats
    # were the same seats last time: either wording is true; on new boundaries only "as a whole"
    same_seats_too = st.change_basis == "whole" and not st.council.boundary_change
    if whole is not None and whole != (st.change_basis == "whole") and not (same_seats_too and whole is False):
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


V_HAS = r"(?:has|have)"


def _st(ctx: Ctx, m: re.Match, name: str = "c") -> CouncilState | None:
    return ctx.cs(m.group(name))


def _strip_possessive(name: str) -> str:
    return re.sub(r"(?:'s|')$", "", name)


def check_year(ctx: Ctx, y: str) -> None:
    ctx.expect("baseline year", y, ctx.truth.election["baseline_label"])


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


def _check_leader(ctx: Ctx, st: CouncilState, party: str) -> None:
    best = max((max(st.so_far_options(p)) for p in st.so_far if can_control(p)), default=0)
    mine = max(st.so_far_options(party))
    if mine < best:
        leaders = [ctx.pname(p) for p in st.so_far if can_control(p) and max(st.so_far_options(p)) == best]
        ctx.flag(f"party with the most seats so far in {st.name}", ctx.pname(party), f"{', '.join(leaders)} ({best})", "so-far")


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


#: The story's ward is replaced by this character before a sentence is read (reader.mask_ward).
WARD_MASK = "\x01"
