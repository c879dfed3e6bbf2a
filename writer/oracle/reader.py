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

from writer.oracle import text as T
from writer.oracle.lexicon import Lexicon
from writer.oracle.reading import Ctx, RULES, StoryMeta, WARD_MASK, _finditer, _match, _search
from writer.oracle.report import Disagreement
from writer.oracle.roundup_rules import roundup_clauses, roundup_head, roundup_lede
from writer.oracle.tables import hygiene, read_disclosure, read_table
from writer.oracle.truth import NightTruth
from writer.oracle import council_rules, group_rules, ward_rules  # noqa: F401  (they register their phrasings)


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
    s = _units(ctx, mask_ward(ctx, original))
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
    for a, b, tok in T.figures(s):  # positions in the sentence as the rules read it
        if not any(x <= a and b <= y for x, y in covered):
            ctx.flag("unread figure", tok, "no reader rule accounts for this figure", "unread")
    if not covered and _CLAIM_WORDS.search(s) and (_search(ctx.lex.party_re, s) or _search(ctx.lex.council_re, s)):
        ctx.flag("unread claim", s, "no reader rule reads this sentence", "unread")


_UNIT_WORD = re.compile(r"\b(ward|division)(s?)\b")


def _units(ctx: Ctx, s: str) -> str:
    """A county council is elected by divisions, every other council by wards: the wrong
    word is reported, and the right one read as "ward" by the rules."""
    council = ctx.truth.councils.get(ctx.slug) if ctx.slug else None
    if council is None:
        return s
    right = "division" if council.county else "ward"
    for m in _UNIT_WORD.finditer(s):
        if m.group(1) != right:
            ctx.flag(f"what {council.name}'s areas are called", m.group(0), right + m.group(2), "hygiene")
    return _UNIT_WORD.sub(lambda m: "ward" + m.group(2), s) if council.county else s


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
