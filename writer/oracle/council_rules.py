"""Council stories: ledes and headlines of declared councils, new councils, the body
sentences (make-up, seat changes, history) and the wording while a council is still counting."""

from __future__ import annotations

import re

from writer.oracle import text as T
from writer.oracle.lexicon import NUM
from writer.oracle.parties import NOC
from writer.oracle.reading import (
    Ctx, V_HAS, _check_leader, _fullmatch, _so_far_text, _st, check_change, check_control, check_history,
    check_largest, check_majority_needed, check_seats, check_so_far, check_time_word, check_total, check_won,
    check_year, clock_moment, n_, rule)
from writer.oracle.truth import CouncilState


FROM = r"from (?:<o:P>|no overall control)"


def _other(ctx: Ctx, m: re.Match, name: str = "o") -> str:
    return ctx.P(m.group(name)) if m.group(name) else NOC


def _gain(ctx: Ctx, m: re.Match, *, won: bool, london: bool = False) -> None:
    """A gain of control with the winner's seats: seats won tonight of the seats up
    (``won``), or seats held of the whole council."""
    st, p = _st(ctx, m), ctx.P(m["p"])
    if london:
        _london(ctx, st)
    check_control(ctx, st, "gain", p, _other(ctx, m))
    if st is None:
        return
    if won:
        check_won(ctx, st, p, n_(m["n"]), n_(m["m"]))
    else:
        check_seats(ctx, st, p, n_(m["n"]))
        check_total(ctx, st, n_(m["m"]))


@rule(rf"^<p:P> {V_HAS} taken (?:control of|the London borough of) <c:C> {FROM}, with <n:N> of the <m:N> seats on the council\.$", "on the council")
def lede_gain_with_on(ctx: Ctx, m: re.Match) -> None:
    _gain(ctx, m, won=False)  # seats held on the whole council (some not up tonight): a holding


@rule(rf"^<c:C> has changed hands: <p:P> now holds? <n:N> of the <m:N> seats and takes? control {FROM}\.$", "now hold")
def lede_gain_holds(ctx: Ctx, m: re.Match) -> None:
    _gain(ctx, m, won=False)


@rule(rf"^In London, <c:C> has passed {FROM} to <p:P>, which now holds <n:N> of the <m:N> seats\.$", "now holds")
def lede_gain_london2_holds(ctx: Ctx, m: re.Match) -> None:
    _gain(ctx, m, won=False, london=True)


@rule(rf"^<p:P> {V_HAS} taken (?:control of|the London borough of) <c:C> {FROM}, winning <n:N> of the <m:N> seats\.$", "winning")
def lede_gain_winning(ctx: Ctx, m: re.Match) -> None:
    _gain(ctx, m, won=True)


@rule(rf"^<c:C> has changed hands: <p:P> {V_HAS} won <n:N> of the <m:N> seats and takes? control {FROM}\.$", "changed hands")
def lede_gain_changed(ctx: Ctx, m: re.Match) -> None:
    _gain(ctx, m, won=True)


@rule(rf"^With <n:N> of the <m:N> seats, <p:P> {V_HAS} won control of <c:C> {FROM}\.$", "won control")
def lede_gain_with(ctx: Ctx, m: re.Match) -> None:
    _gain(ctx, m, won=False)


@rule(rf"^In London, <c:C> has passed {FROM} to <p:P>, which won <n:N> of the <m:N> seats\.$", "has passed")
def lede_gain_london2(ctx: Ctx, m: re.Match) -> None:
    _gain(ctx, m, won=True, london=True)


@rule(rf"^<c:C>, in London, is now run by <p:P>, which took control {FROM} with <n:N> of the <m:N> seats\.$", "now run by")
def lede_gain_london3(ctx: Ctx, m: re.Match) -> None:
    _gain(ctx, m, won=False, london=True)


@rule(r"^Seats won in the (?P<unit>wards|divisions) that can be compared with <y:Y>, and the change on the same seats \((?:one|<n:N>) declared (?:ward|division)s? left out\)\.$", "can be compared")
def council_table_caption(ctx: Ctx, m: re.Match) -> None:
    """The caption of a council's table when some declared wards have no like-for-like
    baseline: the table's seats are then those of the wards compared."""
    check_year(ctx, m["y"])
    st = ctx.state
    if st is None:
        return
    ctx.expect("declared wards with no like-for-like baseline", n_(m["n"]) if m["n"] else 1, st.wards_left_out)
    ctx.table_compared = True


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
    a = _fullmatch(rf", though (?:it|they) still {V_HAS} (?:the most seats|(?P<shared>as many seats as any other party)): ({NUM}) of ({NUM})", rest)
    b = _fullmatch(rf"; ({ctx.lex.party_re}) (?:is|are) now the (joint )?largest party, with ({NUM}) of the ({NUM}) seats", rest)
    if a:
        check_largest(ctx, st, p, bool(a["shared"]), n_(a.group(2)))
        check_total(ctx, st, n_(a.group(3)))
    elif b:
        check_largest(ctx, st, ctx.P(b.group(1)), bool(b.group(2)), n_(b.group(3)))
        check_total(ctx, st, n_(b.group(4)))
    elif rest:
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


@rule(rf"^No party has a majority on <c:C>, which stays under no overall control; <p:P> {V_HAS} (?:the most seats|(?P<joint>as many seats as any other party)): <n:N> of <m:N>\.$", "which stays under")
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


@rule(rf"^(?:No party has won a majority on the new <c:C> council at its first election; <p:P> (?:is|are) the (?P<j>joint )?largest party with <n:N> of the <m:N> seats"
      rf"|The first election to the new <c2:C> council has left no party with a majority; <p2:P> {V_HAS} (?:the most seats|(?P<j2>as many seats as any other party))[,:] <n2:N> of <m2:N>"
      rf"|Voters in <c3:C> have elected a new council with no party in overall control; <p3:P> {V_HAS} (?:the most seats|(?P<j3>as many seats as any other party))[,:] <n3:N> of <m3:N>)\.$", "new")
def lede_new_noc(ctx: Ctx, m: re.Match) -> None:
    i = "" if m["c"] else "2" if m["c2"] else "3"
    st = ctx.cs(m["c" + i])
    check_control(ctx, st, "new_noc")
    if st:
        check_largest(ctx, st, ctx.P(m["p" + i]), bool(m["j" + i]), n_(m["n" + i]))
        check_total(ctx, st, n_(m["m" + i]))


@rule(r"^(?:No party has won a majority on the new <c:C> council at its first election, where <n:N> of the <m:N> seats make a majority"
      r"|The first election to the new <c2:C> council has left no party with a majority of its <m2:N> seats"
      r"|Voters in <c3:C> have elected a new council with no party in overall control, where <n3:N> seats make a majority)\.$", "new")
def lede_new_noc_plain(ctx: Ctx, m: re.Match) -> None:
    """A new council with no majority, where no party can be called the largest."""
    i = "" if m["c"] else "2" if m["c2"] else "3"
    st = ctx.cs(m["c" + i])
    check_control(ctx, st, "new_noc")
    if st:
        if m.groupdict().get("n" + i):
            check_majority_needed(ctx, st, n_(m["n" + i]))
        if m.groupdict().get("m" + i):
            check_total(ctx, st, n_(m["m" + i]))


@rule(rf"^<p:P> {V_HAS} lost control of <c:C>, which is now under no overall control\.$", "which is now under")
def lede_lose1_plain(ctx: Ctx, m: re.Match) -> None:
    check_control(ctx, _st(ctx, m), "lose", ctx.P(m["p"]))


@rule(r"^No party now has a majority on <c:C> after <p:P> lost control\.$", "no party now has a majority")
def lede_lose3_plain(ctx: Ctx, m: re.Match) -> None:
    check_control(ctx, _st(ctx, m), "lose", ctx.P(m["p"]))


@rule(r"^(?:<c:C> remains under no overall control after this election|No party has a majority on <c2:C>, which stays under no overall control"
      r"|No party has won a majority of the <m3:N> seats on <c3:C> council, which stays under no overall control)\.$", ("remains under", "which stays under", "no party has won"))
def lede_noc_plain(ctx: Ctx, m: re.Match) -> None:
    st = ctx.cs(m["c"] or m["c2"] or m["c3"])
    check_control(ctx, st, "noc")
    if st and m["m3"]:
        check_total(ctx, st, n_(m["m3"]))


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
    elif rest:
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
@rule(r"^<c:C> now stands at (?P<list>.+), with <n:N> needed for a majority\.$", "now stands at")
@rule(r"^It takes <n:N> seats to control <c:C>, where (?P<list>.+)\.$", "it takes")
def composition(ctx: Ctx, m: re.Match) -> None:
    """The council's make-up after the election, and the seats a majority needs."""
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
        n = n_(m["n"])
        if n != st.wards_left_out:
            out = sorted(w.decl.ward for w in st.wards.values() if not w.comparable)
            ctx.flag(f"declared wards of {st.name} with no like-for-like baseline", n,
                     f"{st.wards_left_out}: {', '.join(out) or 'none'} (the others match their baseline ward by "
                     "code or by normalised name)")


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


@rule(rf"^<p:P> (?:{V_HAS}|had) not controlled <c:C> since <y:Y>\.$", "not controlled")
def hist_since(ctx: Ctx, m: re.Match) -> None:
    check_history(ctx, _st(ctx, m), ctx.P(m["p"]), "last", int(m["y"]))


@rule(r"^(?:<p:P> had controlled <c:C> without a break since <y:Y>|<c2:C> had been run by <p2:P> continuously since <y2:Y>)\.$", "since")
def hist_run(ctx: Ctx, m: re.Match) -> None:
    i = "" if m["c"] else "2"
    check_history(ctx, ctx.cs(m["c" + i]), ctx.P(m["p" + i]), "run", int(m["y" + i]))


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


@rule(rf"^Counting continues in <c:C>, where <n:N> seats are needed for a majority(?: and <p:P> {V_HAS} the most so far, <k:N>(?P<incl>, counting councillors not up this time)?)?\.$", "counting continues")
def counting_noc(ctx: Ctx, m: re.Match) -> None:
    st = _st(ctx, m)
    if st is None:
        return
    check_majority_needed(ctx, st, n_(m["n"]))
    if m["p"]:
        p = ctx.P(m["p"])
        check_so_far(ctx, st, p, n_(m["k"]))
        _check_leader(ctx, st, p)
        if m["incl"] and st.council.cycle == "all-out":
            ctx.flag("councillors not up", "counting councillors not up this time", "every seat was up: none is not up")


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
