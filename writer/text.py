"""Names are plain text: what every way in refuses in a name, and says why.

Names (candidates, wards, councils, regions) reach copy, the review app, the feeds and the
CMS. Three kinds of character have no place in one:

- control characters (C0, DEL and C1: ``\\x1b[31m``, ``\\x85``);
- invisible and text-direction characters (Unicode format characters such as ZERO WIDTH
  SPACE and RIGHT-TO-LEFT OVERRIDE, the line and paragraph separators, private use):
  they make two names that look the same differ, or make a name display reversed;
- look-alike letters: a word that mixes Latin with Cyrillic or Greek letters (``Pаllion``
  with a Cyrillic ``а``) is almost always a homoglyph, and would make a second ward or
  candidate that reads exactly like the first.

:func:`name_problem` gives the message for the first such character, or None. Names in one
non-Latin script (``Ελένη``), accents (``Łukasz``) and punctuation are all fine.
"""

from __future__ import annotations

import unicodedata

#: Scripts whose letters are easily confused with each other's.
_CONFUSABLE = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC")


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    first = name.split(" ", 1)[0]
    return first if first in _CONFUSABLE else None


def name_problem(value: str) -> str | None:
    """Why ``value`` is not plain text (ending "; expected ..."), or None when it is."""
    if value.isascii() and value.isprintable():  # U+0020-U+007E: no control, invisible or look-alike character
        return None
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cc":
            return "contains control characters; expected plain text"
        if category in ("Cf", "Zl", "Zp", "Co", "Cs"):
            return (f"contains {_describe(ch)}, an invisible or text-direction character; "
                    "expected plain text")
    for word in value.split():
        scripts: dict[str, str] = {}
        for ch in word:
            s = _script(ch)
            if s is not None:
                scripts.setdefault(s, ch)
        if len(scripts) > 1:
            (a, _), (b, ch) = list(scripts.items())[:2]
            return (f"mixes {a.title()} and {b.title()} letters in {word!r} ({_describe(ch)}, a look-alike "
                    "letter?); expected each word in one script")
    return None
