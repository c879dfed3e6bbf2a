"""The round-up ("the story so far"): results clauses, group paragraphs, the national tally,
context figures and what to watch."""

from __future__ import annotations

import re

from writer.oracle import judgement, national
from writer.oracle import text as T
from writer.oracle.lexicon import NUM, Lexicon
from writer.oracle.parties import NOC, can_control
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
                # a council is told once, in the first group it belongs to (groups.yaml's order);
                # "Elsewhere" tells those in no group
                order = list(ctx.truth.groups)
                if gid:
                    earlier = order[:order.index(gid)] if gid in order else []
                    same = [s for s in same if s.slug in ctx.truth.groups[gid].members
                            and not any(s.slug in ctx.truth.groups[g].members for g in earlier)]
                elif elsewhere:
                    same = [s for s in same if not any(s.slug in g.members for g in ctx.truth.groups.values())]
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
    if read_movement_lede(ctx, m["body"]):
        _mark(ctx, [m.span("body")])
    else:
        _mark(ctx, read_predicates(ctx, m["body"]))
    _declared_tail(ctx, m)


def _movement_res(lex: Lexicon) -> list[tuple[str, re.Pattern]]:
    P, C, CL = lex.party_re, lex.council_re, _types(lex)["CL"]
    return [
        ("loss", _rx(rf"^(?P<p>{P}) (?:has|have) lost (?:(?P<n>{NUM}) of the (?P<m>{NUM})|(?:all|the) (?P<all>{NUM})) "
                     rf"councils? (?:it|they) (?:was|were) defending(?P<decl>,? that (?:have|has) declared)?(?:, including (?P<ex>{CL}) to (?P<to>no overall control|{P}))?$")),
        ("firsts", _rx(rf"^(?P<p>{P}) (?:has|have) won control of councils for the first time, taking (?P<n>{NUM})"
                       rf"(?P<w> councils?)?(?:, including (?P<ex>{CL})(?: from (?P<from>no overall control|{P}))?)?$")),
        ("first", _rx(rf"^(?P<p>{P}) (?:has|have) won control of a council for the first time, taking (?P<c>{C})"
                      rf"(?: from (?P<from>no overall control|{P}))?$")),
        ("gain", _rx(rf"^(?P<p>{P}) (?:has|have) taken (?P<n>{NUM}) (?P<w>councils?)(?:, including (?P<ex>{CL})"
                     rf"(?: from (?P<from>no overall control|{P}))?)?$")),
        ("seats", _rx(rf"^(?P<p>{P}) (?:is|are) (?:up (?P<up>{NUM}) seats?|down (?P<down>{NUM}) seats?|level on seats) "
                      rf"on (?P<y>\d{{4}}) in the (?P<k>{NUM}) councils? that can be compared$")),
    ]


def read_movement_lede(ctx: Ctx, body: str) -> bool:
    """The lede of the night's biggest national movement (without its "with N of the M
    councils declared" tail): "The Conservatives have lost 12 of the 43 councils they were
    defending, including A, B and two other councils to Labour"; "Aspire has won control of a
    council for the first time, taking Tower Hamlets from Labour"; "Reform have won control of
    councils for the first time, taking three, including A and B"; "The Lib Dems have taken
    three councils, including A"; "The Lib Dems are up 101 seats on 2018 in the 136 councils
    that can be compared". False where the body is none of these."""
    nat = ctx.moment.national
    for kind, rx in _movement_res(ctx.lex):
        m = rx.match(body)
        if m is None:
            continue
        p = ctx.P(m["p"])
        if kind == "loss":
            lost = nat.lost.get(p, [])
            ctx.expect(f"councils {ctx.pname(p)} has lost", n_(m["n"] or m["all"]), len(lost))
            ctx.expect(f"councils {ctx.pname(p)} was defending among those declared", n_(m["m"] or m["all"]),
                       nat.controlled_before.get(p, 0))
            if not m["decl"] and not nat.complete:
                ctx.flag("councils defended", "all of them", f"only those declared: {len(nat.councils)} of "
                         f"{nat.total_councils} councils have declared", "so-far")
            if m["ex"]:
                to = NOC if m["to"] == "no overall control" else ctx.P(m["to"])
                names, more = councils_in(ctx, m["ex"])
                for slug in names:
                    st = ctx.moment.states[slug]
                    if st.loser != p or st.control != to:
                        ctx.flag(f"control of {st.name}", f"{ctx.pname(p)} lost it to {ctx.pname(to) if to != NOC else 'no overall control'}",
                                 _before_after(ctx, st), "control")
                same = [s for s in lost if s.control == to and s.slug not in names]
                if more:
                    ctx.expect(f"other councils {ctx.pname(p)} lost to {ctx.pname(to) if to != NOC else 'no overall control'}",
                               more, len(same))
        elif kind in ("firsts", "first"):
            first = ctx.truth.first_councils(nat, p)
            if kind == "firsts":
                ctx.expect(f"councils {ctx.pname(p)} has run for the first time", n_(m["n"]), first)
                if first == 0:
                    ctx.flag(f"first councils of {ctx.pname(p)}", "first time", _first_truth(ctx, p, first), "control")
                _examples_taken(ctx, p, m["ex"], n_(m["n"]), m["from"])
            else:
                ctx.expect(f"councils {ctx.pname(p)} has run for the first time", 1, first)
                st = ctx.moment.states[ctx.lex.council_of(m["c"])]
                if m["from"]:
                    other = NOC if m["from"] == "no overall control" else ctx.P(m["from"])
                    check_control(ctx, st, "gain", p, other)
                elif not (st.final and st.control == p and st.council.control_before != p):
                    ctx.flag(f"control of {st.name}", f"{ctx.pname(p)} took it", _before_after(ctx, st), "control")
        elif kind == "gain":
            n = n_(m["n"])
            ctx.expect(f"councils {ctx.pname(p)} has taken", n, len(nat.gained.get(p, ())))
            _examples_taken(ctx, p, m["ex"], n, m["from"])
        else:
            check_year(ctx, m["y"])
            ch = n_(m["up"]) if m["up"] else (-n_(m["down"]) if m["down"] else 0)
            check_tally_pair(ctx, nat, p, None, None, ch, n_(m["k"]))
            if not _seats_exact(ctx, p):
                _lumped_flag(ctx, p)
        return True
    return False


def _examples_taken(ctx: Ctx, p: str, text: str | None, n: int, source: str | None = None) -> None:
    """"including A, B and two other councils": councils the party took tonight, no more of
    them than the count given; with "from the Conservatives", each named council was taken
    from them and the other councils are all the rest it took from them."""
    if not text:
        return
    names, more = councils_in(ctx, text)
    other = None if source is None else (NOC if source == "no overall control" else ctx.P(source))
    for slug in names:
        st = ctx.moment.states[slug]
        if not (st.result_kind == "gain" and st.control == p):
            ctx.flag(f"control of {st.name}", f"{ctx.pname(p)} took it", _before_after(ctx, st), "control")
        elif other is not None:
            check_control(ctx, st, "gain", p, other)
    if len(names) + more > n:
        ctx.flag(f"councils {ctx.pname(p)} has taken, named and counted", len(names) + more, f"at most {n}")
    if other is not None and more:
        taken = [s for s in ctx.moment.states.values()
                 if s.final and s.result_kind == "gain" and s.control == p and s.council.control_before == other]
        ctx.expect(f"other councils {ctx.pname(p)} took from {source}", more,
                   len([s for s in taken if s.slug not in names]))


def _before_after(ctx: Ctx, st: CouncilState) -> str:
    before = st.council.control_before
    if not st.final:
        return f"{st.name} has not declared"
    after = st.control
    return (f"before: {ctx.pname(before) if before and before != NOC else (before or 'new council')}; after: "
            f"{ctx.pname(after) if after != NOC else 'no overall control'}")


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


def _head_pred(lex: Lexicon, x: str) -> str:
    """One headline predicate ("lose 12 councils", "take Westminster and Worthing", "win new
    Cumberland council", "win first councils", "up 101 seats"), its groups prefixed ``x``."""
    C = lex.council_re
    return (rf"(?:(?P<{x}set>set to )?(?P<{x}v>take|gain|lose|win) (?:(?P<{x}first>first) (?P<{x}fw>councils?)"
            rf"|(?P<{x}n>{NUM}) (?P<{x}nw>councils?)|new (?P<{x}new>{C}(?: and {C})?) (?P<{x}newc>councils?)"
            rf"|(?P<{x}cl>{C}(?: and {C})?))|(?P<{x}ud>up|down) (?P<{x}sn>{NUM}) (?P<{x}sw>seats?))")


def _head_clause(lex: Lexicon, x: str) -> str:
    """A headline clause: a subject with one predicate or two sharing it ("Tories lose
    Worcester and take Basildon"), or "No majority on new A and B councils"."""
    C = lex.council_re
    return (rf"(?:(?P<{x}p>{lex.party_re}) {_head_pred(lex, x + '1')}(?: and {_head_pred(lex, x + '2')})?"
            rf"|No majority on new (?P<{x}nl>{C}(?: and {C})?) (?P<{x}nlc>councils?))")


def _head_re(lex: Lexicon) -> re.Pattern:
    return _rx(rf"^(?:{_head_clause(lex, 'a')}(?: as {_head_clause(lex, 'b')})?|Counting under way in the .+)$")


@rule(r"^(?P<body>.+)$", "", ("roundup",))  # every headline of a round-up must be read
def roundup_head(ctx: Ctx, m: re.Match) -> None:
    """The round-up's headline: one or two clauses joined by "as", each a national movement
    ("Tories lose 12 councils", "Reform win first councils", "Lib Dems up 101 seats") or
    council results ("Labour take Westminster and Worthing", "Tories lose Worcester and take
    Basildon"). A headline names each subject and uses each verb once."""
    if not ctx.is_headline:
        return
    text = m["body"]
    h = _head_re(ctx.lex).match(text)
    if h is None:
        ctx.flag("headline", text, "a phrasing the oracle cannot read", "unread")
        return
    _mark(ctx, [h.span()])
    subjects: list[str] = []
    verbs: list[str] = []
    for x in ("a", "b"):
        if h[x + "p"]:
            p = ctx.P(h[x + "p"])
            subjects.append(p)
            for y in ("1", "2"):
                if h[x + y + "v"] or h[x + y + "ud"]:
                    verbs.append(h[x + y + "v"] or h[x + y + "ud"])
                    _head_predicate(ctx, h, x + y, p)
        elif h[x + "nl"]:
            for slug in councils_in(ctx, h[x + "nl"])[0]:
                check_control(ctx, ctx.moment.states[slug], "new_noc")
            _plural_word(ctx, h[x + "nlc"], len(councils_in(ctx, h[x + "nl"])[0]), "councils named")
    for p in {q for q in subjects if subjects.count(q) > 1}:
        ctx.flag("headline subjects", f"{ctx.pname(p)} named twice", "a headline names each subject once", "headline")
    for v in {w for w in verbs if verbs.count(w) > 1}:
        ctx.flag("headline verbs", f"'{v}' used twice", "a headline uses each verb once", "headline")


def _plural_word(ctx: Ctx, word: str | None, n: int, what: str) -> None:
    if word and word.endswith("s") != (n != 1):
        ctx.flag(f"number of {what}", word, n)


def _head_predicate(ctx: Ctx, h: re.Match, x: str, p: str) -> None:
    nat = ctx.moment.national
    v, prov = h[x + "v"], bool(h[x + "set"])
    if h[x + "ud"]:
        n = n_(h[x + "sn"])
        check_tally_pair(ctx, nat, p, None, None, n if h[x + "ud"] == "up" else -n)
        _plural_word(ctx, h[x + "sw"], n, "seats")
        if not _seats_exact(ctx, p):
            _lumped_flag(ctx, p)
        return
    if prov and (h[x + "first"] or h[x + "n"]):
        ctx.flag("headline", h.group(0), "'set to' with a national count: a phrasing the oracle cannot read", "unread")
        return
    if h[x + "first"]:
        first = ctx.truth.first_councils(nat, p)
        if v == "lose" or first < 1:
            ctx.flag(f"first councils of {ctx.pname(p)}", f"{v} first {h[x + 'fw']}",
                     _first_truth(ctx, p, first), "control")
        else:
            _plural_word(ctx, h[x + "fw"], first, f"first councils of {ctx.pname(p)}")
        return
    if h[x + "n"]:
        n = n_(h[x + "n"])
        if v == "lose":
            ctx.expect(f"councils {ctx.pname(p)} has lost", n, len(nat.lost.get(p, ())))
        else:
            ctx.expect(f"councils {ctx.pname(p)} has taken", n, len(nat.gained.get(p, ())))
        _plural_word(ctx, h[x + "nw"], n, "councils")
        return
    new = h[x + "new"]
    names, _ = councils_in(ctx, new or h[x + "cl"])
    for slug in names:
        st = ctx.moment.states[slug]
        if v == "lose":
            if new:
                ctx.flag(f"control of {st.name}", f"{ctx.pname(p)} lose the new council", "a new council: no one ran it", "control")
            else:  # as in a council story's headline: lost to no overall control (a loss to
                # another party is told as that party's "take")
                check_control(ctx, st, "lose", p, provisional=prov)
        elif new or st.council.new:
            if not st.council.new:
                ctx.flag(f"{st.name} a new council", "new", "not a new council", "control")
            check_control(ctx, st, "new_win", p, provisional=prov)
        else:
            check_control(ctx, st, "gain", p, st.council.control_before or NOC, provisional=prov)
    if new:
        _plural_word(ctx, h[x + "newc"], len(names), "councils named")


def _first_truth(ctx: Ctx, p: str, first: int) -> str:
    if first:
        return f"{first} taken by a party that never ran one before"
    if p in ctx.truth.ran_before:
        return f"{ctx.pname(p)} ran councils before tonight (on the eve of poll or in history.csv)"
    return f"{ctx.pname(p)} has taken no council"


def _seats_exact(ctx: Ctx, p: str) -> bool:
    return ctx.moment.seats_exact(p)


def _lumped_flag(ctx: Ctx, p: str) -> None:
    ctx.flag(f"net change in seats of {ctx.pname(p)}", "a national seat figure",
             "a council declared so far lumps smaller parties as Other without naming this party: its seats "
             "there could be in the lump", "lump")


@rule(r"^(?P<body>.+)\.$", ("has", "have", "is", "are", "can now"), ("roundup",))
def roundup_clauses(ctx: Ctx, m: re.Match) -> None:
    """Sentences of party results in a group paragraph or "Elsewhere"."""
    if ctx.is_headline:
        return
    body = m["body"]
    if _search(r", with (?:\S+ of the \S+|all \S+) councils declared", body):
        return  # the lede
    gid = ctx.para_group
    lead = _match(rf"(?:In {ctx.lex.group_re}, |Elsewhere, (?:in (?:the (?P<en>{NUM}) declared councils?|the one declared council) outside these groups, )?)", body)
    if lead is not None and lead.group(0).startswith("Elsewhere, in "):
        # the councils in no group that have declared
        outside = [st for st in ctx.moment.final if not any(st.slug in g.members for g in ctx.truth.groups.values())]
        ctx.expect("declared councils outside the groups", n_(lead["en"]) if lead["en"] else 1, len(outside))
    text = body[lead.end():] if lead else body
    if not _match(rf"(?:{ctx.lex.party_re}|[Nn]o party) (?:has|have|is|are|can now) (?:taken|lost|won|on course|now win)", text):
        return
    spans = read_predicates(ctx, text, gid, ctx.para_elsewhere)
    off = lead.end() if lead else 0
    _mark(ctx, [(a + off, b + off) for a, b in spans] + ([lead.span()] if lead else []))


#: The other side's figures, after a group's figures: ", while the Conservatives are down 45 seats".
RIVAL = r"(?:, while <r:P> (?:is|are) (?:up <rn:N> seats?|down <rn2:N> seats?|level))"


def _rival(ctx: Ctx, m: re.Match, tally) -> None:
    if m.groupdict().get("r"):
        ch = n_(m["rn"]) if m["rn"] else (-n_(m["rn2"]) if m["rn2"] else 0)
        check_tally_pair(ctx, tally, ctx.P(m["r"]), None, None, ch)


@rule(rf"^Across (?:<g:G>|(?P<label>[A-Z][\w ]+?) areas such as <cl:CL>), <p:P> (?:is|are) (?:up <n:N> seats?|down <n2:N> seats?|level) on <y:Y> in the <k:N> councils? that can be compared(?P<sofar> so far)?(?:, and <q:P> <n4:N>|{RIVAL})?\.$", "can be compared", ("roundup",))
def roundup_advance(ctx: Ctx, m: re.Match) -> None:
    """A group's seats on the comparable seats: a party's advance ("Across London, Labour is
    up 36 seats on 2018 in the nine councils that can be compared so far, and the Liberal
    Democrats 20") or, where no party advanced or stood still, its largest party's figure
    ("... Labour is down one seat ... / is level on 2018 ..."), each with the other side's
    (", while the Conservatives are down 46 seats")."""
    gid = ctx.G(m["g"]) if m["g"] else (ctx.lex.group_of(m["label"]) or ctx.para_group)
    if gid is None:
        ctx.flag("group", m["label"], "no group is called that", "unread")
        return
    check_year(ctx, m["y"])
    tally = ctx.tally(gid)
    check_tally_pair(ctx, tally, ctx.P(m["p"]), None, None, _signed(m), n_(m["k"]))
    if m["q"]:
        check_tally_pair(ctx, tally, ctx.P(m["q"]), None, None, n_(m["n4"]))
    _rival(ctx, m, tally)
    if m["sofar"] and tally.complete:
        ctx.flag(f"councils declared in {ctx.truth.groups[gid].name}", "so far (still counting)", "all", "so-far")
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


@rule(rf"^In (?P<label>[A-Z][\w ]+?) areas such as <cl:CL>, <p:P> held control with no net change in (?:its|their) own seats(?:, and across the <k:N> (?P<label2>[A-Z][\w ]+?) councils that can be compared <q:P> (?:is|are) {LEVEL} on <y:Y>{RIVAL}?)?\.$", "held control", ("roundup",))
def roundup_still1(ctx: Ctx, m: re.Match) -> None:
    _still(ctx, m)


@rule(rf"^<p:P> held <cl:CL> with no net change in (?:its|their) own seats(?: and (?:is|are) {LEVEL} on <y:Y> across the <k:N> councils in <g:G> that can be compared{RIVAL}?)?\.$", "no net change", ("roundup",))
def roundup_still2(ctx: Ctx, m: re.Match) -> None:
    _still(ctx, m)


def _still(ctx: Ctx, m: re.Match) -> None:
    label = m.groupdict().get("label")
    gid = ctx.G(m["g"]) if m.groupdict().get("g") else ((ctx.lex.group_of(label) if label else None) or ctx.para_group)
    if gid is None:
        ctx.flag("group", m.groupdict().get("label"), "no group is called that", "unread")
        return
    if m["y"] is not None:
        check_year(ctx, m["y"])
    p = ctx.P(m["p"])
    for slug in _examples(ctx, gid, m["cl"]):
        st = ctx.moment.states[slug]
        check_control(ctx, st, "hold", p)
        if st.change is not None and st.change.get(p, 0) != 0:
            ctx.flag(f"seat change of {ctx.pname(p)} in {st.name}", "no net change", f"{st.change.get(p, 0):+d}")
    if m["y"] is None:  # "Labour held A and B with no net change in its own seats.": the
        return          # group's figure for the party was the sentence before's
    check_tally_pair(ctx, ctx.tally(gid), p, None, None, _signed(m), n_(m["k"]))
    _rival(ctx, m, ctx.tally(gid))


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
            _fullmatch(rf"({P}) ({NUM}|none), (.+)", item)
        if not a:
            ctx.flag("councils controlled", item, "a phrasing the oracle cannot read", "unread")
            continue
        p = ctx.P(a.group(1))
        ctx.expect(f"councils {ctx.pname(p)} runs", n_(a.group(2)), nat.controlled.get(p, 0))
        ch = _change_words(a.group(3))
        if ch is None:
            ctx.flag("change in councils controlled", a.group(3), "a phrasing the oracle cannot read", "unread")
            continue
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
        ch = _change_words(a.group(3))
        if ch is None:
            ctx.flag("change in seats won", a.group(3), "a phrasing the oracle cannot read", "unread")
        check_tally_pair(ctx, nat, ctx.P(a.group(1)), n_(a.group(2)), "seats", ch,
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


# -- verdicts on a party's night ----------------------------------------------------------------

NIGHT = r"a (?:good|bad|mixed|steady) night"
_VERDICT_OPEN = (rf"(?:(?P<o1>It has been|So far it is) (?P<w1>{NIGHT}) for <p1:P>"
                 rf"|For <p2:P>, (?P<o2>it has been|so far it is) (?P<w2>{NIGHT})"
                 rf"|<p3:P> (?P<o3>has had|have had|is having|are having) (?P<w3>{NIGHT})(?P<sf3> so far)?)")
_VERDICT_REASON = (r"(?:(?:runs|run) <cc:N> councils?, <cd:N> (?P<mf>more|fewer) than on the eve of poll"
                   r"|(?:has|have) lost (?:<ln:N> of the <ld:N>|(?:all|the) <la:N>) councils? (?:it|they) (?:was|were) defending"
                   r"(?P<decl>,? that (?:have|has) declared)?"
                   r"|(?:has|have) won control of (?:<fn:N> (?P<fw>councils?)|(?P<fa>a council)) for the first time"
                   r"|(?:has|have) taken <tn:N> (?P<tw>councils?)(?: and lost <tl:N>)?"
                   r"|(?:has|have) lost <lo:N> (?P<low>councils?)"
                   r"|(?:runs|run) <rn:N> (?P<rw>councils?)(?P<same>, as many as on the eve of poll)?)")
_VERDICT_SEATS = (r"(?:is|are) (?:up <su:N> seats?|down <sd:N> seats?|(?P<lv>level on seats)) on <y:Y> "
                  r"in the <k:N> councils? that can be compared")
_TOKEN = re.compile(r"<(\w+):(\w+)>")


def _tokens(lex: Lexicon, pattern: str) -> re.Pattern:
    """A pattern with ``<name:TYPE>`` parts, as :func:`rule` writes them, compiled."""
    types = _types(lex)
    return _rx(_TOKEN.sub(lambda t: f"(?P<{t.group(1)}>{types[t.group(2)]})", pattern))


@rule(rf"^{_VERDICT_OPEN}: (?:it|they) (?P<rest>.+)\.$", "night", ("roundup",))
def roundup_verdict(ctx: Ctx, m: re.Match) -> None:
    """A verdict on a party's night and its reasons, councils then seats ("It has been a bad
    night for the Conservatives: they run 35 councils, eight fewer than on the eve of poll,
    and are down 225 seats on 2018 in the 136 councils that can be compared") or seats then
    councils ("...: they are down 20 seats on 2018 in the 58 councils that can be compared,
    though they have taken one council"), either alone. Every figure is checked against the
    national tally, and the verdict against the first rule of rules/judgement.yaml that the
    party's figures meet."""
    i = next(k for k in ("1", "2", "3") if m["p" + k])
    p = ctx.P(m["p" + i])
    name = ctx.pname(p)
    nat = ctx.moment.national
    rest = m["rest"]
    they = r"(?:it|they)"
    r = (_tokens(ctx.lex, rf"^{_VERDICT_REASON}(?:, and {_VERDICT_SEATS})?$").match(rest)
         or _tokens(ctx.lex, rf"^{_VERDICT_SEATS}(?:, though {they} {_VERDICT_REASON})?$").match(rest))
    if r is None:
        ctx.flag(f"reasons for the verdict on the night of {name}", rest, "a phrasing the oracle cannot read", "unread")
        return
    fig = judgement.figures(ctx.truth, ctx.moment, p)
    # the tense: "it has been" once every council has declared, "so far it is" before
    opening = (m["o" + i] or "").lower()
    done = opening in ("it has been", "has had", "have had")
    if done != nat.complete or (m["sf3"] and nat.complete):
        ctx.flag("councils declared", "all (the night is over)" if done else "so far (still counting)",
                 f"{len(nat.councils)} of {nat.total_councils}", "so-far")
    # the verdict
    said = m["w" + i].split()[1]
    rule_, problem = judgement.verdict(ctx.truth, fig)
    if problem:
        ctx.flag(f"verdict on the night of {name}", said, f"rules/judgement.yaml: a condition the oracle cannot read ({problem})", "unread")
    elif rule_ is None:
        ctx.flag(f"verdict on the night of {name}", said, f"no rule of rules/judgement.yaml gives a verdict ({_fig_text(fig)})", "verdict")
    elif rule_.verdict != said:
        ctx.flag(f"verdict on the night of {name}", said, f"{rule_.verdict} (rule {rule_.id}: {_fig_text(fig)})", "verdict")
    _verdict_reason(ctx, r, p, fig)


def _verdict_reason(ctx: Ctx, m: re.Match, p: str, fig: dict) -> None:
    name = ctx.pname(p)
    nat = ctx.moment.national
    if m["cc"]:
        ctx.expect(f"councils {name} runs", n_(m["cc"]), fig["councils_controlled"])
        ch = n_(m["cd"]) * (1 if m["mf"] == "more" else -1)
        ctx.expect(f"change in councils {name} runs", ch, fig["councils_change"])
    elif m["ln"] or m["la"]:
        ctx.expect(f"councils {name} has lost", n_(m["ln"] or m["la"]), fig["councils_lost"])
        ctx.expect(f"councils {name} was defending among those declared", n_(m["ld"] or m["la"]),
                   fig["councils_defended"])
        if not m["decl"] and not nat.complete:
            ctx.flag("councils defended", "all of them", f"only those declared: {len(nat.councils)} of "
                     f"{nat.total_councils} councils have declared", "so-far")
    elif m["fn"] or m["fa"]:
        n = 1 if m["fa"] else n_(m["fn"])
        ctx.expect(f"councils {name} has run for the first time", n, fig["first_councils"])
        _plural_word(ctx, m["fw"], n, "councils")
    elif m["tn"]:
        n = n_(m["tn"])
        ctx.expect(f"councils {name} has taken", n, fig["councils_gained"])
        _plural_word(ctx, m["tw"], n, "councils")
        if m["tl"]:
            ctx.expect(f"councils {name} has lost", n_(m["tl"]), fig["councils_lost"])
    elif m["lo"]:
        n = n_(m["lo"])
        ctx.expect(f"councils {name} has lost", n, fig["councils_lost"])
        _plural_word(ctx, m["low"], n, "councils")
    elif m["rn"]:
        n = n_(m["rn"])
        ctx.expect(f"councils {name} runs", n, fig["councils_controlled"])
        _plural_word(ctx, m["rw"], n, "councils")
        if m["same"]:
            ctx.expect(f"change in councils {name} runs", 0, fig["councils_change"])
    if m["y"]:
        check_year(ctx, m["y"])
        ch = n_(m["su"]) if m["su"] else (-n_(m["sd"]) if m["sd"] else 0)
        check_tally_pair(ctx, nat, p, None, None, ch, n_(m["k"]))
        if not fig["seats_exact"]:
            _lumped_flag(ctx, p)


def _fig_text(fig: dict) -> str:
    keys = ("councils_controlled", "councils_defended", "councils_change", "councils_gained", "councils_lost",
            "first_councils", "seat_change", "seats_won_compared", "seat_change_pct", "seats_exact")
    return ", ".join(f"{k} {round(fig[k], 1) if isinstance(fig[k], float) else fig[k]}" for k in keys)


# -- the national share estimate and the Commons projection -----------------------------------------


@rule(r"^A projection of the national share from the <w:N> (?:wards?|divisions?) that can be compared with <y:Y> puts (?P<list>.+?)(?P<sofar> so far)?\.$",
      "projection of the national share", ("roundup",))
def roundup_share(ctx: Ctx, m: re.Match) -> None:
    """The writer's own estimate of national shares (DOMAIN.md), recomputed from the CSVs."""
    check_year(ctx, m["y"])
    est = national.estimate(ctx.truth, ctx.moment)
    if not est.estimated:
        ctx.flag("national share estimate", "given", f"none yet: {est.reason}", "share")
        return
    ctx.expect("wards in the national share estimate", n_(m["w"]), len(est.wards), "share")
    said = _shares_list(ctx, m["list"])
    if any(v is None for v in said) or not said:
        ctx.flag("national share estimate", m["list"], "a list the oracle cannot read", "unread")
        return
    named = set()
    for p, v in said:
        named.add(p)
        want = est.shares.get(p)
        if want is None:
            ctx.flag(f"national share estimate: {ctx.pname(p)}", f"{v:g}%", "not estimated (no baseline projected share)", "share")
        elif abs(want - v) > 1e-9:
            ctx.flag(f"national share estimate: {ctx.pname(p)}", f"{v:g}%", f"{want:g}%", "share")
    missing = [ctx.pname(p) for p in est.shares if p not in named]
    if missing:
        ctx.flag("national share estimate", "parties left out", ", ".join(missing), "share")
    complete = ctx.moment.national.complete
    if bool(m["sofar"]) == complete:  # DOMAIN.md: "so far" while counting, and only then
        ctx.flag("councils declared", "so far (still counting)" if m["sofar"] else "all (no 'so far')",
                 "all" if complete else f"{len(ctx.moment.national.councils)} of {ctx.moment.national.total_councils}", "so-far")


def left_out(ctx: Ctx) -> dict[str, int]:
    """Parties with no baseline projected share that have won a tenth of the seats declared so
    far (DOMAIN.md: the copy says they are left out, and gives no Commons projection)."""
    est = national.estimate(ctx.truth, ctx.moment)
    won = ctx.moment.declared_won
    total = sum(won.values())
    return {p: n for p, n in won.items() if can_control(p) and p not in est.main and total and n * 10 >= total}


@rule(r"^If those shares were repeated at a general election, with the same change in every constituency since the last, "
      r"<p:P> would be the largest party with <n:N> seats?, (?:<s:N> short of a majority|<o:N> more than <k:N> needed for a majority)"
      r"(?P<caveat>: a projection, not a forecast)?\.$", "general election", ("roundup",))
def roundup_commons(ctx: Ctx, m: re.Match) -> None:
    """The Commons projection by uniform change from the estimate (DOMAIN.md)."""
    est = national.estimate(ctx.truth, ctx.moment)
    proj = national.projection(ctx.truth, est)
    if proj is None:
        ctx.flag("Commons projection", "given", "none: " + (est.reason or "the night has no general_election.csv"), "share")
        return
    out = left_out(ctx)
    if out:
        total = sum(ctx.moment.declared_won.values())
        ctx.flag("Commons projection", "given", "none: " + ", ".join(f"{ctx.pname(q)}, with no baseline projected share, "
                 f"has won {n:,} of the {total:,} seats declared" for q, n in out.items()), "share")
    p = ctx.P(m["p"])
    largest = ctx.truth.parties.canon(proj.largest) if proj.largest else None
    if p != largest:
        top = sorted(proj.seats.items(), key=lambda kv: -kv[1])[:2]
        ctx.flag("largest party in the Commons projection", ctx.pname(p),
                 ", ".join(f"{c} {n}" for c, n in top) + ("" if largest else " (a tie)"), "share")
        return
    ctx.expect(f"seats of {ctx.pname(p)} in the Commons projection", n_(m["n"]), proj.seats[proj.largest], "share")
    if m["s"]:
        ctx.expect(f"seats {ctx.pname(p)} would be short of a majority", n_(m["s"]),
                   -proj.majority if proj.majority < 0 else f"none: a majority of {proj.majority}", "share")
    else:
        ctx.expect(f"seats needed for a Commons majority", n_(m["k"]), proj.needed, "share")
        ctx.expect(f"majority of {ctx.pname(p)} in the Commons projection", n_(m["o"]),
                   proj.majority if proj.majority >= 0 else f"none: {-proj.majority} short", "share")
    if not m["caveat"]:
        ctx.flag("Commons projection", "stated without the caveat", "copy must say it is a projection, not a forecast", "share")


@rule(r"^Tonight's results come as council totals only, (?:with no|without) votes by (?:ward|division), so there is no projection of the national share\.$",
      "council totals only", ("roundup",))
def roundup_totals_only(ctx: Ctx, m: re.Match) -> None:
    """No estimate because the night gives council totals and no ward-by-ward votes."""
    est = national.estimate(ctx.truth, ctx.moment)
    if est.with_votes:
        ctx.flag("votes by ward", "none (council totals only)", f"{est.with_votes} wards declared with votes", "share")
    if not ctx.moment.national.councils:
        ctx.flag("council totals", "some declared", "no council has declared", "share")


@rule(r"^It leaves out <pl:PL>, which (?:had|has|have) no projected share in <y:Y> to start from, so there is no projection for a general election\.$",
      "leaves out", ("roundup",))
def roundup_share_left_out(ctx: Ctx, m: re.Match) -> None:
    """Parties the estimate leaves out: none of them has a baseline projected share (they are
    not main parties), and each has won seats tonight."""
    check_year(ctx, m["y"])
    est = national.estimate(ctx.truth, ctx.moment)
    for p in parties_in(ctx, m["pl"]):
        if p in est.main:
            ctx.flag(f"projected share of {ctx.pname(p)} in {ctx.truth.election['baseline_label']}", "none",
                     f"{est.baseline[p]:g}% (a main party of the estimate)", "share")
        elif p not in left_out(ctx):
            won = ctx.moment.declared_won
            ctx.flag(f"seats won by {ctx.pname(p)}", "a tenth of the seats declared (left out of the estimate)",
                     f"{won.get(p, 0):,} of {sum(won.values()):,}", "share")
