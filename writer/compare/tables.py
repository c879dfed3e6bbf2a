"""Whole-night tables: the results of every council and the tallies, for the
``writer results`` command and for comparing a night with published answers.

:func:`results_frame` and :func:`tally_frame` are pandas frames (pandas is imported only
when they are called). :func:`results_text` and :func:`tally_text` print the same tables
as pandas' ``to_string`` does (``index=False`` for the results), byte for byte, without
importing pandas (0.4 s): every column right-justified to its widest cell or label,
integer cells and labels with pandas' leading sign space, the index left-justified under
its name, columns one space apart, rows in the order pandas gives them. A table these
rules were not checked against (a cell that is not a string, a string with a tab or a line
break, an empty column of the tallies) is printed by pandas itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from writer import parties
from writer.compare.council import CouncilResult
from writer.compare.tally import Tally

if TYPE_CHECKING:
    import pandas as pd


def council_record(r: CouncilResult) -> dict[str, Any]:
    """One council's result as a plain dict (the JSON form of ``writer results``)."""
    return {
        "slug": r.slug, "council": r.name, "region": r.region, "cycle": r.cycle,
        "status": r.status, "final": r.final,
        "total_seats": r.total_seats, "seats_up": r.seats_up, "seats_declared": r.seats_declared,
        "control_before": r.control_before, "control_after": r.control_after, "result": r.result,
        "seats_won": r.seats_won, "seat_change": r.seat_change, "comparable": r.comparable,
        "comparison_basis": r.comparison_basis, "not_comparable_reason": r.not_comparable_reason,
        "composition_after": r.composition_after, "composition_estimated": r.composition_estimated,
        "settled": None if r.settled is None else {
            "control": r.settled.control, "at": r.settled.at.isoformat(),
            "seats_declared": r.settled.seats_declared, "estimated": r.settled.estimated},
    }


def tally_record(t: Tally) -> dict[str, Any]:
    return {
        "group": t.group.id, "name": t.group.name, "definition": t.group.definition,
        "councils_total": t.councils_total, "councils_final": t.councils_final,
        "councils_controlled": t.control, "councils_change": t.control_change(),
        "councils_gained": {p: list(v) for p, v in t.gained.items()},
        "councils_lost": {p: list(v) for p, v in t.lost.items()},
        "councillors": t.seats_won, "councillor_change": {p: n for p, n in t.seat_change.items()},
        "councils_compared": t.councils_compared,
    }


def _results_rows(results: list[CouncilResult]) -> list[dict[str, str]]:
    return [{
        "council": r.name, "slug": r.slug, "status": r.status, "result": r.result,
        "seats_won": parties.format_seat_list(r.seats_won),
        "seat_change": "" if r.seat_change is None else parties.format_seat_list(
            {p: n for p, n in r.seat_change.items() if n}, signed=True) or "no change",
        "composition_after": parties.format_seat_list(r.composition_after)
        + (" (estimate)" if r.composition_estimated else ""),
    } for r in results]


def results_frame(results: list[CouncilResult]) -> pd.DataFrame:
    import pandas as pd
    return pd.DataFrame(_results_rows(results))


def _tally_columns(t: Tally) -> dict[str, dict[str, int]]:
    party_list = set(t.control) | set(t.control_before) | set(t.seats_won)
    return {
        "councils": {p: t.control.get(p, 0) for p in party_list},
        "councils_change": t.control_change(),
        "councillors": {p: t.seats_won.get(p, 0) for p in party_list},
        "councillor_change": t.seat_change,
    }


def tally_frame(t: Tally) -> pd.DataFrame:
    """Councils and councillors by party, largest first, with changes."""
    import pandas as pd
    frame = pd.DataFrame({name: pd.Series(column) for name, column in _tally_columns(t).items()}
                         ).fillna(0).astype(int)
    frame.index.name = "party"
    return frame.sort_values(["councils", "councillors"], ascending=False)


# -- the same tables as text, without pandas ---------------------------------------------------


def _to_string(frame: pd.DataFrame, **options) -> str:
    """pandas' own text, for a cell the plain printer does not take: every row and column,
    no wrapping and no cell cut short, as the plain printer prints them."""
    import pandas as pd
    with pd.option_context("display.max_rows", None, "display.max_columns", None,
                           "display.width", None, "display.max_colwidth", None):
        return frame.to_string(**options)


def _plain(text: Any) -> bool:
    return type(text) is str and not any(ch in text for ch in "\t\r\n")


def _text(columns: list[list[str]], right: list[bool]) -> str:
    """Cells (the first of each column its label) justified to the column's width, joined
    by single spaces: pandas' ``_make_fixed_width`` and ``adjoin``."""
    fixed = []
    for cells, to_right in zip(columns, right):
        width = max(len(c) for c in cells)
        fixed.append([c.rjust(width) if to_right else c.ljust(width) for c in cells])
    return "\n".join(" ".join(row) for row in zip(*fixed))


def results_text(results: list[CouncilResult]) -> str:
    """``results_frame(results).to_string(index=False)``, without pandas."""
    rows = _results_rows(results)
    if not rows or not all(_plain(v) for row in rows for v in row.values()):
        return _to_string(results_frame(results), index=False)
    names = list(rows[0])
    return _text([[name] + [row[name] for row in rows] for name in names], [True] * len(names))


def tally_text(t: Tally) -> str:
    """``tally_frame(t).to_string()``, without pandas."""
    columns = _tally_columns(t)
    keys = [list(column) for column in columns.values()]
    if not all(keys) or not all(_plain(p) for k in keys for p in k):
        return _to_string(tally_frame(t))
    # pandas' index for a frame of Series: theirs if all four are the same, in the same
    # order; else their union, sorted
    index = keys[0] if all(k == keys[0] for k in keys) else sorted(set().union(*keys))
    table = {name: [column.get(p, 0) for p in index] for name, column in columns.items()}
    # sort_values(["councils", "councillors"], ascending=False): stable, largest first
    order = sorted(range(len(index)), key=lambda i: (-table["councils"][i], -table["councillors"][i]))
    out = [["", "party"] + [index[i] for i in order]]
    out += [[" " + name, ""] + [f"{values[i]: d}" for i in order] for name, values in table.items()]
    return _text(out, [False] + [True] * len(table))
