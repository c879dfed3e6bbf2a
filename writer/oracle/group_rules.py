"""Group stories (London, the Red Wall, ...): seats and councils over a group's declared councils."""

from __future__ import annotations

import re

from writer.oracle.lexicon import NUM
from writer.oracle.reading import (
    Ctx, V_HAS, _shares_list, _signed, check_context, check_tally_pair, check_year, councils_in, n_, rule)
from writer.oracle.truth import CouncilState


WHERE = r"(?P<where>in areas such as |in |(?:In )?areas such as |In )?"


def check_where(ctx: Ctx, gid: str | None, where: str | None) -> None:
    """"areas such as" for a group with no official definition, and only for those."""
    if gid is None or where is None:
        return
    g = ctx.truth.groups[gid]
    editorial = "not an official" in g.definition.lower()
    if editorial != ("such as" in where):
        ctx.flag(f"wording for {g.name}", where.strip() or "in", "'areas such as' (an editorial list)" if editorial else "'in' (a defined group)")


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
      rf"|<p5:P> stand still(?: on seats)? in <g5:G>|<p6:P> little changed(?: on seats)? (?P<w6>in areas such as |in )<g6:G>)$", ("advance", "up", "down", "level", "stand still", "little changed"), ("group",))
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


@rule(rf"^(?:<p:P> (?:(?P<also>also )?(?:took <tk:CL> and )?lost <cl:CL>|took <tk2:CL>), and now (?:runs|run)|<p2:P> now (?:runs|run)) (?P<n>none|{NUM}) of the <t:N> councils? with elections in <g:G>(?:, up from (?:<b:N>|(?P<bnone>none))|, down from <b2:N>|, (?P<same>the same number as before polling day))\.$", "with elections in")
def group_control_complete(ctx: Ctx, m: re.Match) -> None:
    _group_control(ctx, m, True)


@rule(rf"^(?:<p:P> (?:(?P<also>also )?(?:took <tk:CL> and )?lost <cl:CL>|took <tk2:CL>), and (?:runs|run)|<p2:P> (?:runs|run)) (?:all <f:N> councils|(?P<n>none|{NUM}) of the <f2:N> councils?) declared so far in <g:G>(?:, up from (?:<b:N>|(?P<bnone>none)) before polling day|, down from <b2:N> before polling day|, (?P<same>as many as before polling day))\.$", "declared so far")
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
    if m["bnone"]:
        ctx.expect(f"councils {ctx.pname(p)} ran before in {name}", 0, before, ok=before == 0 and runs > 0)
    elif m["b"]:
        ctx.expect(f"councils {ctx.pname(p)} ran before in {name}", n_(m["b"]), before, ok=n_(m["b"]) == before and runs > before)
    elif m["b2"]:
        ctx.expect(f"councils {ctx.pname(p)} ran before in {name}", n_(m["b2"]), before, ok=n_(m["b2"]) == before and runs < before)
    else:
        ctx.expect(f"councils {ctx.pname(p)} ran before in {name}", runs, before)
    _changed_hands(ctx, m, gid, p, name)


def _changed_hands(ctx: Ctx, m: re.Match, gid: str, p: str, name: str) -> None:
    """"took A and lost B", "also lost B": the whole list of councils the party lost in the
    group (and took, where it says so), no more and no fewer."""
    lost = {s.slug for s in ctx.tally(gid).councils if s.loser == p}
    if m["cl"]:
        names, _ = councils_in(ctx, m["cl"])
        for slug in names:
            if slug not in lost:
                ctx.flag(f"councils {ctx.pname(p)} lost in {name}", ctx.moment.states[slug].name, "not lost", "control")
        ctx.expect(f"councils {ctx.pname(p)} lost in {name}", len(names), len(lost))
    elif m["tk2"]:  # "took A, and now runs": and lost none
        ctx.expect(f"councils {ctx.pname(p)} lost in {name}", 0, len(lost))
    taken = m["tk"] or m["tk2"]
    if taken:
        names, _ = councils_in(ctx, taken)
        check_gained(ctx, gid, p, names, len(names))
    elif m["cl"] and not m["also"]:  # "lost B, and now runs": and took none
        check_gained(ctx, gid, p, [], 0)


@rule(r"^When these seats in <g:G> were last fought in <y:Y>, the (?P<label>[^\d]+?) put (?P<list>.+)\.$", "last fought")
def group_context(ctx: Ctx, m: re.Match) -> None:
    check_year(ctx, m["y"])
    label = m["label"].strip().lower()
    check_context(ctx, label, _shares_list(ctx, m["list"]), m["list"])


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


# -- seats won of those compared, beside their change (one base) ---------------------------------
_GAIN = r"(?:a net gain of <n:N>(?: seats?)?|a net loss of <n2:N>(?: seats?)?|no net change|the same number)"
_UPDOWN = r"(?:up <n:N>(?: seats?)?|down <n2:N>(?: seats?)?|unchanged|level)"
_OF = r"<s:N> of the seats compared"


@rule(rf"^Across <k:N> councils? in <g:G>, <p:P> {V_HAS} won {_OF}, {_GAIN} on <y:Y>\.$", "seats compared")
def group_compared1(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "seats")


@rule(rf"^In the <k:N> councils? in <g:G> that can be compared with <y:Y>, <p:P> won {_OF}, {_UPDOWN} on the same seats\.$", "seats compared")
def group_compared2(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "seats")


@rule(rf"^In <g:G>, <p:P> won <s:N> of the seats compared with <y:Y> in <k:N> councils?, {_GAIN}\.$", "seats compared")
def group_compared3(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "seats")


@rule(rf"^<p:P> (?:is|are) {_UPDOWN} on <y:Y> across <k:N> councils? {WHERE}<g:G>, winning {_OF}\.$", "seats compared")
def group_compared4(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "seats")


@rule(rf"^{WHERE}<g:G>, <p:P> {V_HAS} {_GAIN} on <y:Y> across <k:N> councils?, winning {_OF}\.$", "seats compared")
def group_compared5(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "seats")


@rule(rf"^Across <k:N> councils? {WHERE}<g:G> compared with <y:Y>, <p:P> won {_OF}, {_GAIN}\.$", "seats compared")
def group_compared6(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "seats")


@rule(rf"^In <g:G>, <p:P> (?:is|are) {_UPDOWN} on <y:Y> across <k:N> councils?, winning {_OF}\.$", "seats compared")
def group_compared7(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "seats")


@rule(rf"^{WHERE}<g:G>, <p:P> won <s:N> of the seats compared with <y:Y> across <k:N> councils?, {_UPDOWN} on the same seats\.$", "seats compared")
def group_compared8(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "seats")


@rule(rf"^<p:P> won <s:N> of the seats compared with <y:Y> across <k:N> councils? in <g:G>, {_UPDOWN} on the same seats\.$", "seats compared")
def group_compared9(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "seats")


@rule(rf"^Across <k:N> councils? {WHERE}<g:G>, <p:P> {V_HAS} won {_OF}, {_GAIN} on <y:Y>\.$", "seats compared")
def group_compared10(ctx: Ctx, m: re.Match) -> None:
    _group_pair(ctx, m, "s", "seats")
