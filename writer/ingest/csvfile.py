"""Reading one CSV file of an election directory, with exact line numbers.

The standard library's csv reader is used rather than pandas here because every problem
must name its line, and quoted fields may span lines; the whole-night tables built from
these rows use pandas (see :mod:`writer.compare.tables`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import ftfy

from writer import parties
from writer.errors import Problem
from writer.text import name_problem

MAX_FILE_BYTES = 512 * 1024 * 1024
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DECIMAL = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
if TYPE_CHECKING:
    from writer.identity import PartyIdentity

_MAX_DIGITS = 15  # more than any count here; int() of thousands of digits is slow and then refused


def _repair(value: str) -> str:
    """A field as its source meant it: text that went through a wrong encoding on its way
    ("St Clementâ€™s", UTF-8 read as Windows-1252) is put right ("St Clement’s") with ftfy,
    so that the ward matches its baseline and copy prints its name. ASCII is left alone, and
    so is text holding control characters (C0 or C1): that is refused as it stands, not
    repaired into something else (see :meth:`CsvFile.text`)."""
    if value.isascii() or any(ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f for ch in value):
        return value
    return ftfy.fix_encoding(value)


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]


class CsvFile:
    """Rows of one file plus a list of problems, to which every check appends.

    Party codes are resolved as they are read (``identity``: the night's table, see
    :mod:`writer.identity`), so every later stage sees one code per party; without one they
    are returned as written."""

    def __init__(self, root: Path, relpath: str, identity: "PartyIdentity | None" = None) -> None:
        self.root = root
        self.name = relpath
        self.path = root / relpath
        self.identity = identity
        self.problems: list[Problem] = []
        self.rows: list[Row] = []
        self.columns: list[str] = []

    def _resolve(self, code: str, line: int | None) -> str:
        if self.identity is None:
            return code
        return self.identity.resolve(code, f"{self.name}:{line}" if line is not None else self.name)

    # -- reporting ----------------------------------------------------------------------
    def problem(self, line: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.name, line, column, message))

    @property
    def ok(self) -> bool:
        return not self.problems

    # -- reading ------------------------------------------------------------------------
    def read(self, required: tuple[str, ...]) -> bool:
        """Read the file; False (with problems recorded) when it cannot be used at all."""
        try:
            size = self.path.stat().st_size
            if self.path.is_dir():
                self.problem(None, None, "is a directory; expected a CSV file")
                return False
            if not self.path.is_file():
                self.problem(None, None, "is not a regular file (a device, a pipe or a socket?); expected a CSV file")
                return False
            if size > MAX_FILE_BYTES:
                self.problem(None, None, f"file is {size} bytes; expected at most {MAX_FILE_BYTES}")
                return False
            raw = self.path.read_bytes()
        except OSError as exc:
            self.problem(None, None, f"cannot read the file: {exc.strerror or exc}")
            return False
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.problem(1, None, "is UTF-16 (it starts with a UTF-16 byte order mark); expected a UTF-8 CSV file")
            return False
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.problem(line, None, f"not valid UTF-8 (byte {exc.start} of the file); expected a UTF-8 CSV file")
            return False
        if "\x00" in text:
            line = text[: text.index("\x00")].count("\n") + 1
            self.problem(line, None, "contains a NUL byte; expected a text CSV file")
            return False
        text_is_ascii = text.isascii()  # then no field needs _repair
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                self.problem(1, None, "file is empty; expected a header row with columns " + ", ".join(required))
                return False
            self.columns = [h.strip() for h in header]
            missing = [c for c in required if c not in self.columns]
            for col in missing:
                self.problem(1, col, f"missing column {col!r}; the header must include " + ", ".join(required))
            dupes = {c for c in self.columns if c and self.columns.count(c) > 1}
            for col in sorted(dupes):
                self.problem(1, col, "column appears more than once in the header")
            if missing or dupes:
                return False
            start = reader.line_num + 1  # the line the next record starts on
            for fields in reader:
                line, start = start, reader.line_num + 1
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue  # blank line
                if len(fields) != len(self.columns):
                    self.problem(line, None, f"has {len(fields)} fields; expected {len(self.columns)} as in the header")
                    continue
                if text_is_ascii or all(map(str.isascii, fields)):  # (_repair leaves ASCII as it is)
                    self.rows.append(Row(line, dict(zip(self.columns, map(str.strip, fields)))))
                else:
                    self.rows.append(Row(line, {c: _repair(v.strip()) for c, v in zip(self.columns, fields)}))
        except csv.Error as exc:
            at = reader.line_num if not self.columns else start
            if "field larger than field limit" in str(exc):
                self.problem(at, None, f"has a field longer than {csv.field_size_limit()} characters; "
                                       "expected a CSV file of short text fields")
            elif "unexpected end of data" in str(exc):
                self.problem(at, None, "a quoted field opened on this line is never closed; expected a closing \" before the end of the field")
            else:
                self.problem(at, None, f"malformed CSV ({exc}); expected comma-separated fields with balanced quotes")
            return False
        return True

    # -- field checks: each returns the parsed value or None (after recording a problem) --
    def text(self, row: Row, column: str, *, required: bool = True, max_len: int = 200) -> str | None:
        value = row[column]
        if required and not value:
            self.problem(row.line, column, "is empty; expected a value")
            return None
        if len(value) > max_len:
            self.problem(row.line, column, f"is {len(value)} characters long; expected at most {max_len}")
            return None
        why = name_problem(value)
        if why is not None:
            self.problem(row.line, column, why)
            return None
        return value

    def slug(self, row: Row, column: str = "slug") -> str | None:
        value = row[column]
        if not _SLUG.match(value):
            self.problem(row.line, column, f"expected a slug of lower-case letters, digits and hyphens, got {value!r}")
            return None
        return value

    def whole(self, row: Row, column: str, *, minimum: int = 0, maximum: int = 10_000_000,
              what: str = "a whole number", required: bool = True) -> int | None:
        value = row[column]
        if not value and not required:
            return None
        if not value.isascii() or not value.isdigit():
            self.problem(row.line, column, f"expected {what} ({minimum} or more), got {value!r}")
            return None
        if len(value.lstrip("0")) > _MAX_DIGITS:
            self.problem(row.line, column, f"expected {what} between {minimum} and {maximum}, "
                                           f"got a number {len(value)} digits long")
            return None
        number = int(value)
        if number < minimum or number > maximum:
            self.problem(row.line, column, f"expected {what} between {minimum} and {maximum}, got {number}")
            return None
        return number

    def decimal(self, row: Row, column: str, *, minimum: float, maximum: float) -> float | None:
        value = row[column]
        if not value:
            return None
        number = float(value) if _DECIMAL.match(value) and len(value) <= 30 else float("nan")
        if not (minimum <= number <= maximum):
            self.problem(row.line, column, f"expected a number between {minimum:g} and {maximum:g}, got {value!r}")
            return None
        return number

    def choice(self, row: Row, column: str, choices: tuple[str, ...]) -> str | None:
        value = row[column]
        if value not in choices:
            self.problem(row.line, column, f"expected one of {', '.join(choices)}, got {value!r}")
            return None
        return value

    def yes_no(self, row: Row, column: str) -> bool | None:
        value = self.choice(row, column, ("yes", "no"))
        return None if value is None else value == "yes"

    def party(self, row: Row, column: str = "party", *, in_composition: bool = False) -> str | None:
        value = row[column]
        if value in parties.CORE_CODES and parties.is_party_code(value, in_composition=in_composition):
            return value  # most rows: a core code is valid and resolves to itself (writer.identity)
        why = parties.party_name_problem(value)  # the name in 'Other (Name)' is plain text, as names are
        if why is not None:
            self.problem(row.line, column, f"{value!r} {why}")
            return None
        if not parties.is_party_code(value, in_composition=in_composition):
            if not in_composition and parties.is_party_code(value, in_composition=True):
                self.problem(row.line, column, f"{value!r} is for council compositions only; a candidate stands for "
                             f"{parties.party_code_help()} (e.g. 'Other (Aspire)')")
            else:
                self.problem(row.line, column, f"unknown party code {value!r}; expected {parties.party_code_help(in_composition=in_composition)}")
            return None
        return self._resolve(value, row.line)

    def control(self, row: Row, column: str, *, required: bool = True, historic: bool = False) -> str | None:
        """A control value: a party that can control, or NOC. ``historic`` also allows
        independent or residents' administrations, which history records."""
        value = row[column]
        if not value and not required:
            return None
        if historic and value in parties.CANDIDATE_GROUPS:
            return value
        why = parties.party_name_problem(value)
        if why is not None:
            self.problem(row.line, column, f"{value!r} {why}")
            return None
        if value != parties.NOC and not parties.can_control(value):
            self.problem(row.line, column, f"expected a party that can control a council ({', '.join(sorted(parties.NAMED_PARTIES))} or 'Other (Name)') or NOC, got {value!r}")
            return None
        return value if value == parties.NOC else self._resolve(value, row.line)

    def seat_list(self, row: Row, column: str, *, total: int | None = None, what: str = "") -> dict[str, int] | None:
        for pair in row[column].split(";"):  # counts int() would take, or choke on
            party, _, count = pair.rpartition(":")
            count = count.strip()
            if party.strip() and count.isdigit() and (not count.isascii() or len(count.lstrip("0")) > _MAX_DIGITS):
                shown = repr(count) if len(count) <= 20 else f"a number {len(count)} digits long"
                self.problem(row.line, column, f"seat count for {party.strip()} must be a whole number "
                                               f">= 0 in the digits 0-9, got {shown} (a seat list is written like Con:22;Lab:41)")
                return None
        try:
            seats = parties.parse_seat_list(row[column])
        except ValueError as exc:
            self.problem(row.line, column, f"{exc} (a seat list is written like Con:22;Lab:41)")
            return None
        if total is not None and sum(seats.values()) != total:
            self.problem(row.line, column, f"adds up to {sum(seats.values())} seats; expected {total} ({what})")
            return None
        if self.identity is None:
            return seats
        resolved: dict[str, int] = {}  # two spellings of one party: the same party's seats
        for party, n in seats.items():
            code = self._resolve(party, row.line)
            resolved[code] = resolved.get(code, 0) + n
        return resolved

    def timestamp(self, row: Row, column: str) -> datetime | None:
        value = row[column]
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            self.problem(row.line, column, f"expected an ISO 8601 date and time with offset such as 2022-05-06T03:20:00+01:00, got {value!r}")
            return None
        if when.tzinfo is None or when.utcoffset() is None:
            self.problem(row.line, column, f"has no UTC offset; expected an ISO 8601 time with offset such as 2022-05-06T03:20:00+01:00, got {value!r}")
            return None
        return when

    def duplicates(self) -> None:
        """A row repeated word for word is an error (two different candidates can share a
        name and party, as in Hounslow East 2022, but not every other field as well)."""
        seen: dict[tuple[str, ...], int] = {}
        for row in self.rows:
            key = tuple(row.values.values())  # (made in the header's order, and never changed)
            if key in seen:
                self.problem(row.line, None, f"repeats line {seen[key]} word for word; expected each row once")
            else:
                seen[key] = row.line


def iter_groups(rows: list[Row], key) -> Iterator[tuple[tuple, list[Row]]]:
    """Group rows by ``key(row)`` keeping first-seen order."""
    groups: dict[tuple, list[Row]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    yield from groups.items()
