"""Reading copy: sentences, figures and the words for them.

House style writes one to nine in words ("no" for none), figures from 10 with thousands
separators, shares with "%", times as "11.25pm" and ordinals as words to ninth ("fourth")
then figures ("11th"). These helpers find every figure in a sentence, so that the reader can
report any one that no rule accounted for.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

WORDS = {"no": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
         "seven": 7, "eight": 8, "nine": 9, "a": 1, "an": 1}
ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                 "seventh": 7, "eighth": 8, "ninth": 9}
LONDON = ZoneInfo("Europe/London")

# a figure in copy: digits (with separators, decimals, a % or an ordinal suffix), a number
# word, "no" used as a number, or an ordinal word
_FIGURE = re.compile(
    r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:%|st|nd|rd|th|am|pm)?(?!\w)"
    r"|(?i:\b(?:one|two|three|four|five|six|seven|eight|nine)\b)"
    r"|(?i:\bno\b)(?=\s+(?:net\s+)?(?:seats?|councils?|councillors?|wards?|votes?|points?|change)\b|,)"
    r"|(?i:\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)\b)"
    r"|\b(?:half|Half)\b")

_ABBREV = {"st", "mr", "mrs", "ms", "dr", "cllr", "rev", "prof", "sr", "jr", "no"}


def figures(text: str) -> list[tuple[int, int, str]]:
    """Every figure in ``text`` as (start, end, token)."""
    return [(m.start(), m.end(), m.group(0)) for m in _FIGURE.finditer(text)]


def number(token: str) -> int | None:
    """The value of a written number: "41", "1,156", "eight", "no"."""
    t = token.strip().lower()
    if t in WORDS:
        return WORDS[t]
    t = t.replace(",", "")
    return int(t) if t.isdigit() else None


def decimal(token: str) -> float | None:
    t = token.strip().rstrip("%").replace(",", "")
    try:
        return float(t)
    except ValueError:
        n = number(t)
        return float(n) if n is not None else None


def ordinal(token: str) -> int | None:
    t = token.strip().lower()
    if t in ORDINAL_WORDS:
        return ORDINAL_WORDS[t]
    m = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", t)
    return int(m.group(1)) if m else None


def ordinal_word(n: int) -> str:
    """"fourth", "11th": an ordinal as house style writes it."""
    words = {v: k for k, v in ORDINAL_WORDS.items()}
    if n in words:
        return words[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def clock(t: datetime) -> str:
    """"11.25pm", "2am": a moment in British style, in UK local time."""
    local = t.astimezone(LONDON)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}.{local.minute:02d}{suffix}"


def time_words(t: datetime) -> set[str]:
    """The words for "now" that fit a moment's local time: tonight in the evening and the
    small hours, this morning before noon, today in the day."""
    h = t.astimezone(LONDON).hour
    out = set()
    if h >= 18 or h < 6:
        out.add("tonight")
    if 0 <= h < 12:
        out.add("this morning")
    if 6 <= h:
        out.add("today")
    if 12 <= h < 18:
        out.add("this afternoon")
    if h >= 18:
        out.add("this evening")
    return out


def sentences(paragraph: str) -> list[tuple[int, str]]:
    """Split a paragraph into (offset, sentence): at ". " before a capital or figure, but not
    after an initial ("Holliman P.") or an abbreviation ("St.")."""
    text = paragraph
    out: list[tuple[int, str]] = []
    start = 0
    for m in re.finditer(r"[.!?](?=\s+[\"'‘“(]?[A-Z0-9])", text):
        before = text[start:m.start()].split()
        last = before[-1].lstrip("(\"'‘“") if before else ""
        if (len(last) == 1 and last.isupper()) or last.lower() in _ABBREV:
            continue
        out.append((start, text[start:m.end()]))
        start = m.end()
        while start < len(text) and text[start].isspace():
            start += 1
    if text[start:].strip():
        out.append((start, text[start:]))
    return out


def alternation(names, *, capfirst: bool = True, ignore_case: bool = False) -> str:
    """A regex matching any of ``names`` (each also with a capital first letter, with
    ``capfirst``), longest first, so "Wickford Independents" wins over "Independents". The
    names are folded into a prefix tree, which compiles and matches far faster than a flat
    list of hundreds of names."""
    forms = set()
    for n in names:
        if not n:
            continue
        forms.add(n)
        if capfirst:
            forms.add(n[:1].upper() + n[1:])
    if not forms:
        return r"(?!x)x"
    trie: dict = {}
    for word in forms:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True
    body = _trie_regex(trie)
    return f"(?i:{body})" if ignore_case else f"(?:{body})"


def _trie_regex(node: dict) -> str:
    """Longest match first: at each branch point the longer continuations are tried before
    stopping here."""
    ends = "" in node
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch != ""]
    if not branches:
        return ""
    inner = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{inner})?" if ends else inner


_SEP = re.compile(r", (?:and )?| and ")
_PATTERNS: dict[str, re.Pattern] = {}


def _compiled(pattern: str) -> re.Pattern:
    got = _PATTERNS.get(pattern)
    if got is None:
        got = _PATTERNS[pattern] = re.compile(pattern)
    return got


def list_items(text: str, item: str | re.Pattern) -> list[re.Match] | None:
    """Read "A, B and C" item by item with ``item`` (a regex), so that names holding "and"
    ("Democrats and Veterans Party", "other parties and groups") stay whole. None where the
    text is not such a list."""
    rx = _compiled(item) if isinstance(item, str) else item
    text = text.strip()
    out: list[re.Match] = []
    pos = 0
    while True:
        m = rx.match(text, pos)
        if not m or m.end() == pos:
            return None
        out.append(m)
        pos = m.end()
        if pos == len(text):
            return out
        s = _SEP.match(text, pos)
        if not s:
            return None
        pos = s.end()


def demojibake(text: str) -> str:
    """"St Clement’s" from "St Clementâ€™s": UTF-8 read as Windows-1252, undone."""
    if "â" not in text and "Ã" not in text:
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def person_key(name: str) -> tuple[str, tuple[str, ...]]:
    """A candidate's name whichever way round it is written: the handbook's "Holliman P."
    and copy's "P. Holliman" are one person (surname words, then the initials)."""
    tokens = name.replace(".", ". ").split()
    initials = tuple(t for t in tokens if re.fullmatch(r"[A-Z]\.", t))
    rest = " ".join(t for t in tokens if not re.fullmatch(r"[A-Z]\.", t)).lower()
    return rest, initials
