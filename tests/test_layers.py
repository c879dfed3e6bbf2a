"""The code reads like the pipeline (issue 17): each layer imports only those below it, and
the publisher cannot be built without its fact-check gate."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import DEMO, ROOT


def test_the_layers_contract_holds():
    lint = shutil.which("lint-imports")
    if lint is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    done = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "The pipeline's layers KEPT" in done.stdout
    assert "The oracle shares no code with the engine KEPT" in done.stdout


def test_a_publisher_cannot_be_built_without_its_fact_check_gate(tmp_path):
    from writer.publish.publisher import Publisher
    from writer.review.checks import FactChecks
    from writer.store import open_store

    store = open_store(tmp_path / "gate.db")
    try:
        with pytest.raises(TypeError):
            Publisher(store)  # no checker= at all
        with pytest.raises(TypeError, match="fact-check gate"):
            Publisher(store, checker=None)
        gate = FactChecks(store, None)
        assert Publisher(store, checker=gate).checker is gate
    finally:
        store.close()


def test_publishing_is_built_with_the_gate_it_is_given(tmp_path):
    from writer.night import load
    from writer.publish.service import Publishing
    from writer.review.checks import FactChecks
    from writer.store import open_store

    store = open_store(tmp_path / "gate.db")
    try:
        gate = FactChecks(store, None)
        with pytest.raises(TypeError):
            Publishing.build(store, load(DEMO), env={})  # no checker=
        publishing = Publishing.build(store, load(DEMO), checker=gate, env={})
        assert publishing.publisher.checker is gate
    finally:
        store.close()


def test_no_function_in_the_package_is_longer_than_80_lines():
    """Small rooms: every function and method in writer/ fits on a screen (migrations aside,
    which are written once and never read again)."""
    import ast

    too_long = []
    for path in sorted((ROOT / "writer").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > 80:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert not too_long, "\n".join(too_long)
