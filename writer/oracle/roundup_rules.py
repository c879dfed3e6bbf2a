"""The round-up ("the story so far"): results clauses, group paragraphs, the national tally,
context figures and what to watch."""

from __future__ import annotations

import re

from writer.oracle import text as T
from writer.oracle.lexicon import NUM, Lexicon
from writer.oracle.parties import NOC
from writer.oracle.reading import (
    Ctx, V_HAS, _check_leader, _finditer, _fullmatch, _match, _rx, _search, _shares_list, _signed, _st,
    _types, check_clock, check_context, check_control, check_majority_needed, check_seats, check_so_far,
    check_tally_pair, check_total, check_year, councils_in, n_, parties_in, rule)
from writer.oracle.truth import CouncilState


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


@rule(r"^Of the seats that can be compared like for like, in <k:N> declared councils?, (?P<list>.+? on the same seats in <y:Y>.*)\.$", "of the seats that can be compared", ("roundup",))
def roundup_seats_compared(ctx: Ctx, m: re.Match) -> None:
    """Seats won of those that can be compared, with the change on the same seats: one base."""
    check_year(ctx, m["y"])
    nat = ctx.moment.national
    ctx.expect("councils whose seats can be compared", n_(m["k"]), len(nat.compared))
    P = ctx.lex.party_re
    for i, item in enumerate(re.split(r"; (?:and )?", m["list"])):
        a = _fullmatch(rf"({P}) won ({NUM}), (.+?) on the same seats in \d{{4}}", item) if i == 0 else \
            _fullmatch(rf"({P}) ({NUM}), (.+)", item)
        if not a:
            ctx.flag("seats won", item, "a phrasing the oracle cannot read", "unread")
            continue
        check_tally_pair(ctx, nat, ctx.P(a.group(1)), n_(a.group(2)), "seats", _change_words(a.group(3)),
                         declared=ctx.moment.declared_won)


@rule(r"^Counting every seat declared(?P<sofar> so far)?, including (?:the <n:N> councils? that cannot be compared|councils still counting and those that cannot be compared), (?P<list>.+)\.$", "counting every seat declared", ("roundup",))
def roundup_seats_all(ctx: Ctx, m: re.Match) -> None:
    """Every seat declared, by party: seats won tonight in every ward declared so far."""
    nat = ctx.moment.national
    if m["n"]:
        ctx.expect("declared councils that cannot be compared", n_(m["n"]), len(nat.councils) - len(nat.compared))
        ctx.expect("every council declared", True, nat.complete)
    P = ctx.lex.party_re
    items = T.list_items(m["list"], rf"(?P<p>{P})(?: (?:has|have) won)? (?P<n>{NUM})(?: seats?)?")
    if not items:
        ctx.flag("seats won", m["list"], "a phrasing the oracle cannot read", "unread")
        return
    for a in items:
        p = ctx.P(a["p"])
        ctx.expect(f"seats won by {ctx.pname(p)} in every ward declared", n_(a["n"]), ctx.moment.declared_won.get(p, 0))


@rule(r"^Seats won of those that can be compared with <y:Y>, in <k:N> declared councils?, and the change on the same seats\.$", "seats won of those", ("roundup",))
def roundup_caption(ctx: Ctx, m: re.Match) -> None:
    check_year(ctx, m["y"])
    ctx.expect("councils whose seats can be compared", n_(m["k"]), len(ctx.moment.national.compared))


@rule(r"^The changes count the <n:N> declared councils? whose seats can be compared like for like\.$", "changes count", ("roundup",))
def roundup_compared(ctx: Ctx, m: re.Match) -> None:
    ctx.expect("councils whose seats can be compared", n_(m["n"]), len(ctx.moment.national.compared))


@rule(r"^At the <y:Y> elections, the baseline for these seats, (?P<list>.+?)(?:, according to (?P<cite>[^(]+?))? \((?P<label>[^;()]+(?:\([^()]*\))?)(?:; source: (?P<src>[^)]+))?\)\.$", "baseline for these seats")
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
    check_attribution(ctx, m["label"], m["cite"], m["src"])


@rule(r"^Another estimate(?:, by (?P<cite>[^,]+),)? put (?P<list>.+?) \((?P<label>[^;()]+(?:\([^()]*\))?)(?:; source: (?P<src>[^)]+))?\)\.$", "another estimate")
def roundup_context2(ctx: Ctx, m: re.Match) -> None:
    check_context(ctx, m["label"].lower(), _shares_list(ctx, m["list"]), m["list"])
    check_attribution(ctx, m["label"], m["cite"], m["src"])


def check_attribution(ctx: Ctx, label: str, cite: str | None, source: str | None) -> None:
    """A context figure is attributed as its ``cite`` says, and its ``source`` is never printed."""
    if source:
        check_source(ctx, source)
    for c in ctx.truth.context():
        if str(c.get("label", "")).lower() == label.strip().lower():
            if cite is not None and cite.strip() != (c.get("cite") or "").strip():
                ctx.flag("attribution of a context figure", cite, c.get("cite") or "no cite given")
            return


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
