"""The fact-check gate's verdicts and the drafted text stay identical (issues 17 and 18):
on every story version of the demo night and the real 2022 night (and the round-ups drafted
through it), the text as drafted and the gate's verdict on it and on falsified copies of it
(a figure raised, figures swapped, a figure negated or given a suffix, a claim verb, a party
and a council swapped), against the digests recorded in ``tests/golden/verdicts.json`` before
the gate was made faster (``tests/verdicts.py`` renders them; ``python tests/verdicts.py
OUT_DIR`` in two checkouts and a diff of the folders shows what changed)."""

from __future__ import annotations

import json

import pytest

import verdicts

RECORDED = json.loads(verdicts.DIGESTS.read_text())


@pytest.mark.parametrize("name", [pytest.param("demo"), pytest.param("le2022", marks=pytest.mark.slow)])
def test_texts_and_verdicts_are_identical(name):
    night_dir = verdicts.NIGHTS[name]
    if not (night_dir / "councils.csv").exists():
        pytest.skip(f"{night_dir} is absent (the real 2022 night lives in ../shared/data)")
    found = {label: verdicts.digest(record) for label, record in verdicts.records(night_dir)}
    changed = sorted(label for label, d in found.items() if RECORDED[name].get(label) != d)
    assert not changed, f"{len(changed)} story versions of the {name} night changed, e.g. {changed[:5]}"
    assert set(found) == set(RECORDED[name])
