"""The seats table, the disclosure line, and what careful copy never prints."""

from __future__ import annotations

import re

from writer.oracle import text as T
from writer.oracle.reading import Ctx, DISCLOSURE_CHECKED, DISCLOSURE_UNCHECKED, _finditer, check_tally_pair


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
        compared = ctx.table_compared
        won, change = (ctx.state.compared_won if compared else ctx.state.won), ctx.state.change or {}
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
        if ctx.table_compared:
            # the caption says the table counts the seats of the wards that can be compared
            ctx.expect(f"table: seats won by {name} in the wards of {st.name} compared", won, st.compared_won.get(p, 0))
            want = None if st.change is None else st.change.get(p, 0)
            if want != chg:
                ctx.flag(f"table: change for {name} in {st.name}", shown, f"{want:+d}" if want else "0")
            return
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
