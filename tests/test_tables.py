"""`writer results` prints its tables without importing pandas (issue 18: the command starts
faster); they must read exactly as pandas' ``to_string`` prints the same frames, with every row
and column, no wrapping and no cell cut short. Generated tables, compared with pandas itself."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from writer.compare.tables import _to_string, results_text, tally_frame, tally_text
from writer.compare.tally import Group, Tally

# party codes and council names as the writer holds them: printable, some not ASCII, some
# long (pandas would cut a cell at 50 characters by default, the plain printer never does)
NAMES = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF, blacklist_characters="\x7f"),
                min_size=1, max_size=90).filter(lambda s: s.strip() == s and s.strip())
COUNTS = st.integers(min_value=-500, max_value=5_000)


@st.composite
def tallies(draw) -> Tally:
    parties = draw(st.lists(NAMES, min_size=1, max_size=9, unique=True))

    def column(nonzero: bool = False) -> dict[str, int]:
        chosen = draw(st.lists(st.sampled_from(parties), unique=True, max_size=len(parties)))
        return {p: draw(COUNTS.filter(lambda n: n != 0) if nonzero else COUNTS) for p in chosen}

    return Tally(Group("g", "A group", "invented"), councils_total=10, councils_final=10,
                 control=column(), control_before=column(), gained={}, lost={},
                 seats_won=column(), seat_change=column(True), councils_compared=10, seats_won_compared={})


@settings(max_examples=300, deadline=None)
@given(tallies())
def test_the_tally_table_reads_as_pandas_prints_it(t):
    assert tally_text(t) == _to_string(tally_frame(t))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries({"council": NAMES, "slug": NAMES, "result": NAMES, "seats_won": NAMES}),
                min_size=1, max_size=12))
def test_the_results_table_reads_as_pandas_prints_it(rows):
    from writer.compare import tables

    names = list(rows[0])
    ours = tables._text([[name] + [row[name] for row in rows] for name in names], [True] * len(names))
    assert ours == _to_string(pd.DataFrame(rows), index=False)


def test_no_table_for_no_councils_is_pandas_own():
    assert results_text([]) == _to_string(pd.DataFrame([]), index=False)
