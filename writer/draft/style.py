"""House style as Jinja2 filters: numbers, party names and verbs, signed changes, shares,
lists and British times. Templates say *what* to write; these say *how*.

Every filter is pure. Party names come from ``rules/parties.yaml`` (data an editor can
change), loaded once per drafting environment; a smaller party ``Other (Name)`` is called by
its name. A code no source could name (``Other (LEAP code X)``, an id, an abbreviation such as
``WiganIC``: :func:`writer.parties.unresolved_reason`) is never printed: copy calls it "a local
party" (headlines and tables "Local party"), and the review queue flags its stories.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from writer import yamltext
from writer import parties as party_codes
from writer.errors import InputError, Problem

WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ORDINALS = ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


@dataclass(frozen=True)
class PartyName:
    name: str  # first mention in copy
    later: str  # later mentions
    headline: str  # headline subject
    plural: bool
    colour: str
    tally: str | None = None  # the name in seat tallies and tables, when not the later one


#: How copy names a party whose name nobody could give (see the module's docstring).
LOCAL_PARTY = PartyName("a local party", "a local party", "Local party", False, "#BBBBBB", "Local party")


def _remembered(cache: dict, work, code: str, mention: str):
    """``work(code, mention)``, remembered in ``cache`` by (code, mention) where both are
    str (so a value that merely equals a code never shares its entry)."""
    if type(code) is str and type(mention) is str:
        key = (code, mention)
        got = cache.get(key)
        if got is None:
            got = cache[key] = work(code, mention)
        return got
    return work(code, mention)


class PartyNames:
    """How copy names each party code, with verb agreement."""

    def __init__(self, table: dict[str, PartyName]) -> None:
        self.table = table
        # what the filters give for a (code, mention), worked out once (the table is not
        # changed once loaded): drafting asks for the same few parties' names thousands of
        # times a night. Read through :meth:`party` and :meth:`is_plural`; only str codes and
        # mentions are kept, so a value that merely equals a code never shares its entry.
        self._names: dict[tuple[str, str], str] = {}
        self._plural: dict[tuple[str, str], bool] = {}

    @classmethod
    def load(cls, path: Path) -> "PartyNames":
        try:
            data = yamltext.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise InputError([Problem(path.name, None, None, f"cannot be read: {exc}")], "bad party names file")
        problems = []
        table = {}
        for code, item in (data or {}).get("parties", {}).items():
            missing = [k for k in ("name", "later", "headline", "plural", "colour") if k not in (item or {})]
            if missing:
                problems.append(Problem(path.name, None, f"parties.{code}", "missing " + ", ".join(missing)))
                continue
            table[code] = PartyName(item["name"], item["later"], item["headline"], bool(item["plural"]), item["colour"])
        if problems:
            raise InputError(problems, "bad party names file")
        return cls(table)

    def get(self, code: str) -> PartyName:
        found = self.table.get(code)
        if found is not None:
            return found
        if party_codes.is_unresolved(code):
            return LOCAL_PARTY  # a source's code is never printed as a party's name
        if party_codes.is_named_other(code):
            name = party_codes.other_name(code)
            return PartyName(name, name, name, False, "#BBBBBB")
        return PartyName(code, code, code, False, "#BBBBBB")

    # -- filters ----------------------------------------------------------------------------
    def party(self, code: str, mention: str = "first") -> str:
        """``first`` and ``later`` mentions in copy, the ``headline`` form, or the ``tally``
        form used in seat tallies and tables ("Labour 41, Conservatives 22")."""
        return _remembered(self._names, self._party, code, mention)

    def _party(self, code: str, mention: str) -> str:
        p = self.get(code)
        if mention == "tally":
            if p.tally is not None:
                return p.tally
            name = p.later[4:] if p.later.startswith("the ") else p.later
            return capfirst(name)
        return {"first": p.name, "later": p.later, "headline": p.headline}[mention]

    def is_plural(self, code: str, mention: str = "first") -> bool:
        """Whether the name in this mention takes a plural verb. The table's ``plural`` is for
        the full name; a short form such as "the Greens" reads as plural even where the full
        name ("the Green Party") does not."""
        return _remembered(self._plural, self._is_plural, code, mention)

    def _is_plural(self, code: str, mention: str) -> bool:
        p = self.get(code)
        if p.plural:
            return True
        if mention == "later":
            return p.later.startswith("the ") and p.later.endswith("s")
        return False

    def verb(self, code: str, singular: str, plural: str, headline: bool = False, mention: str = "first") -> str:
        """``Labour has`` / ``the Conservatives have``; headlines take the plural
        ("Labour take Barnet"). Pass ``mention="later"`` after a later-mention name
        ("the Greens have")."""
        return plural if headline or self.is_plural(code, mention) else singular

    def colour(self, code: str) -> str:
        return self.get(code).colour

    def possessive(self, value: str, mention: str = "first") -> str:
        """``Labour's``, ``the Conservatives'``: a party code in the given mention (or any
        other name, such as a council's) with its possessive ending."""
        return apostrophe(self.party(value, mention) if mention != "name" else value)

    def pronoun(self, code: str, mention: str = "first") -> str:
        """``its`` for a singular party name, ``their`` for a plural one."""
        return "their" if self.is_plural(code, mention) else "its"


def number(n: int | float | None) -> str:
    """Words for zero to nine ("no" for zero), figures from 10, thousands with commas
    ("1,156")."""
    if n is None:
        return ""
    if isinstance(n, float) and not n.is_integer():
        return f"{n:.1f}"
    n = int(n)
    return WORDS[n] if 0 <= n <= 9 else f"{n:,}" if n >= 1_000 else str(n)


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``one seat``, ``eight seats``, ``41 seats``."""
    plural = plural or singular + "s"
    return f"{number(n)} {singular if n == 1 else plural}"


def ordinal(n: int) -> str:
    """"first" to "ninth" in words; from 10 in figures: "10th", "21st", "22nd", "23rd",
    "111th", "152nd"."""
    if 0 < n < 10:
        return ORDINALS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def signed(n: int) -> str:
    """For tables: ``+16``, ``-3``, ``0``."""
    return f"{n:+d}" if n else "0"


def pct(x: float | None) -> str:
    """``35%``, ``35.4%`` (one decimal place, none when whole)."""
    if x is None:
        return ""
    x = round(float(x), 1)
    return f"{x:.0f}%" if x.is_integer() else f"{x:.1f}%"


def points(x: float) -> str:
    """A change in share, unsigned: ``four points``, ``3.5 points``."""
    x = round(abs(float(x)), 1)
    return count(int(x), "point") if x.is_integer() else f"{x:.1f} points"


def andjoin(items) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def first_fitting(wordings, limit: int = 70) -> str:
    """The first of ``wordings`` at most ``limit`` characters long, else the last (which
    should be the shortest): ``{{ [long, short] | first_fitting(70) }}`` for headlines."""
    for wording in wordings:
        if len(wording) <= limit:
            return wording
    return wordings[-1]


def apostrophe(text: str) -> str:
    """The possessive of a name: ``Labour's``, ``the Conservatives'``, ``Barnet's``; a name
    ending in s takes the apostrophe alone (never ``Conservatives's``)."""
    text = str(text)
    if not text:
        return text
    return text + "'" if text.endswith("s") else text + "'s"


def lowerfirst(text: str) -> str:
    """``the London boroughs`` from ``The London boroughs`` (for a definition run into a
    sentence); a word in capitals, such as an initialism, is left alone."""
    text = str(text)
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return text
    return text[:1].lower() + text[1:] if text else text


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


#: Copy gives times as UK readers live them, whatever offset a source wrote them in.
UK = ZoneInfo("Europe/London")


def _uk(iso: str) -> datetime:
    t = datetime.fromisoformat(iso)
    return t.astimezone(UK) if t.tzinfo is not None else t


def clock(iso: str | None) -> str:
    """``3.20am`` from an ISO time (British style, UK time)."""
    if not iso:
        return ""
    t = _uk(iso)
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour}{suffix}" if t.minute == 0 else f"{hour}.{t.minute:02d}{suffix}"


def tonight(iso: str | None) -> str:
    """How a running count names the time it was made, by the UK time of the declaration:
    ``tonight`` in the evening and the small hours (18:00 to 04:59), ``this morning`` to
    noon, ``today`` in the afternoon."""
    if not iso:
        return "tonight"
    hour = _uk(iso).hour
    if hour >= 18 or hour < 5:
        return "tonight"
    return "this morning" if hour < 12 else "today"


def day(iso: str | None) -> str:
    """``Friday 6 May`` (the UK date)."""
    if not iso:
        return ""
    t = _uk(iso)
    return f"{t:%A} {t.day} {t:%B}"


def filters(names: PartyNames) -> dict:
    return {
        "party": names.party, "verb": names.verb, "colour": names.colour, "number": number,
        "count": count, "ordinal": ordinal, "signed": signed, "pct": pct, "points": points,
        "andjoin": andjoin, "capfirst": capfirst, "clock": clock, "day": day, "tonight": tonight,
        "possessive": names.possessive, "pronoun": names.pronoun, "lowerfirst": lowerfirst,
        "first_fitting": first_fitting,
    }
