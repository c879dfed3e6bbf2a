"""Ward stories: seats changing hands, winners, vote shares, first (and first ever) seats and narrow wins."""

from __future__ import annotations

import re

from writer.oracle import text as T
from writer.oracle.lexicon import NUM
from writer.oracle.reading import (
    Ctx, V_HAS, WARD_MASK, _fullmatch, _merged, _search, _strip_possessive, check_year, n_, parties_in, rule)
from writer.oracle.truth import WardResult


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
        ctx.flag(f"margin in {w.decl.ward}", n, f"{n} is the gap between two {re.sub(r'^the ', '', ctx.pname(last.party))} candidates "
                 f"({last.name} and {top.name}); against another party the margin is {got}", "rivals")
    else:
        ctx.flag(f"margin in {w.decl.ward}", n, got)


_MARGIN = r"(?:by <n:N> votes?|(?P<tie>after a tie on votes))"


@rule(r"^In <w:W> ward in <c:C>, " + GAINS + rf"(?:, {_MARGIN})?\.$", "gained")
@rule(GAINS.replace("(?P<gains>", "^(?P<gains>") + rf" in <w:W> ward, <c:C>(?:, winning {_MARGIN})?\.$", "gained")
@rule(r"^<w:W> ward in <c:C> has changed hands: " + GAINS + rf"(?:, {_MARGIN})?\.$", "changed hands")
@rule(r"^The <w:W> seats? changed hands: " + GAINS + rf"(?:, {_MARGIN})?\.$", "changed hands")
@rule(GAINS.replace("(?P<gains>", "^(?P<gains>") + r" in <w:W>(?:, with a majority of <n:N>)?\.$", "gained")
def ward_gain(ctx: Ctx, m: re.Match) -> None:
    """Seats changing hands in a ward, in each phrasing the copy uses."""
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
    want = sorted((c.party, T.person_key(c.name)) for c in w.decl.winners)
    got, shown = [], []
    for p, name in listed:
        name = name.rstrip(".") + ("." if _search(r"\b[A-Z]\.?$", name) else "")
        name = re.sub(r"\.\.$", ".", name)
        if p is None:  # a named smaller party's candidate is printed without the party
            match = [c for c in w.decl.winners if T.person_key(c.name) == T.person_key(name)]
            p = match[0].party if match else "?"
        got.append((p, T.person_key(name)))
        shown.append((p, name))
    if sorted(got) != want:
        ctx.flag(f"councillors elected for {w.decl.ward}", "; ".join(f"{n} ({ctx.pname(p)})" for p, n in shown),
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


def check_first_ever_seat(ctx: Ctx, parties: list[str], ward_name: str | None, plural: bool | None = None) -> None:
    """"First ever seat": a first seat (no seat before tonight nor in the baseline, not a new
    council) where the records reach back to the council's first election and history.csv
    never shows the party in control."""
    check_first_seat(ctx, parties, False, ward_name, plural=plural)
    st = ctx.state
    if st is None or ctx.ward is None:
        return
    if not ctx.truth.seat_records_complete(st.slug):
        ctx.flag(f"first ever seat on {st.name}", "first ever",
                 "the records do not reach back to the council's first election", "first-seat")
        return
    for p in parties:
        if any(ctl == p for _, _, ctl in st.council.history):
            ctx.flag(f"first ever seat of {ctx.pname(p)} on {st.name}", "first ever",
                     f"history.csv shows {ctx.pname(p)} in control", "first-seat")


UNIT = r"(?:ward|division)"


@rule(rf"^<pl:PL> won (?:its|their) first ever (?P<s>seats?) on <c:C> council, in <w:W> {UNIT}\.$", "first ever")
def first_ever1(ctx: Ctx, m: re.Match) -> None:
    check_first_ever_seat(ctx, parties_in(ctx, m["pl"]), m["w"], plural=m["s"] == "seats")


@rule(r"^It is the first ever seat on <c:C> council for <pl:PL>, won in <w:W>\.$", "first ever")
def first_ever1p(ctx: Ctx, m: re.Match) -> None:
    check_first_ever_seat(ctx, parties_in(ctx, m["pl"]), m["w"])


@rule(rf"^<w:W> {UNIT} has given <pl:PL> (?:its|their) first ever (?P<s>seats?) on <c:C> council\.$", "first ever")
def first_ever2(ctx: Ctx, m: re.Match) -> None:
    check_first_ever_seat(ctx, parties_in(ctx, m["pl"]), m["w"], plural=m["s"] == "seats")


@rule(r"^<w:W> gave <pl:PL> (?:its|their) first ever seat on <c:C> council\.$", "first ever")
def first_ever2p(ctx: Ctx, m: re.Match) -> None:
    check_first_ever_seat(ctx, parties_in(ctx, m["pl"]), m["w"])


@rule(rf"^In <w:W> {UNIT}, <pl:PL> won (?:its|their) first ever (?P<s>seats?) on <c:C> council\.$", "first ever")
def first_ever3(ctx: Ctx, m: re.Match) -> None:
    check_first_ever_seat(ctx, parties_in(ctx, m["pl"]), m["w"], plural=m["s"] == "seats")


@rule(r"^(?:<pl:PL> (?:win|take) first ever seat (?:on <c:C>|in <w:W>)|First ever <c2:C> seat for <pl2:PL>"
      r"|First ever seat in <w3:W> for <pl3:PL>)$", ("first ever",), ("ward",))
def first_ever_head(ctx: Ctx, m: re.Match) -> None:
    i = next(s for s in ("", "2", "3") if m["pl" + s])
    check_first_ever_seat(ctx, parties_in(ctx, m["pl" + i]), m.groupdict().get("w" + i) or None)


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
    if who is not None and T.person_key(who.rstrip(",")) != T.person_key(winner.name):
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
    if w.last and T.person_key(m["cand"]) != T.person_key(w.last.name):
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
