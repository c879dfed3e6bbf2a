"""Byte-identical outputs while the code is moved (issue 17): every command's output on the
demo night and the real 2022 night, and the night's feeds, against the digests recorded in
``tests/golden/outputs.json`` before the move (``tests/golden.py`` renders them; run
``python tests/golden.py OUT_DIR`` in two checkouts and diff the folders to see a change).
A deliberate change of output re-records them with ``python tests/golden.py --update``."""

from __future__ import annotations

import json

import pytest

import golden

pytestmark = pytest.mark.slow
RECORDED = json.loads(golden.DIGESTS.read_text())


@pytest.mark.parametrize("name", sorted(golden.NIGHTS))
def test_outputs_are_byte_identical(name):
    night_dir = golden.NIGHTS[name]
    if not (night_dir / "councils.csv").exists():
        pytest.skip(f"{night_dir} is absent (the real 2022 night lives in ../shared/data)")
    changed = [label for label, make in golden.outputs(name, night_dir)
               if golden.digest(make()) != RECORDED[name].get(label)]
    assert not changed, f"outputs changed on the {name} night: {changed}"
    assert {label for label, _ in golden.outputs(name, night_dir)} == set(RECORDED[name])
