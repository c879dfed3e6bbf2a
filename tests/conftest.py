"""Shared fixtures. The real 2022 night is read from ../shared/data (never copied into the
project); tests that need it skip with a reason where it is absent.

``python -m pytest -m "not slow"`` is the inner loop; CI runs every test. A test is marked
``slow`` in its module (the crash, browser and WordPress tests, whole-night runs), and every
test on PostgreSQL is marked here (``pytest_collection_modifyitems``): the inner loop runs
the same tests on SQLite."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # test this checkout, whatever else is installed

from writer.compare.tally import load_groups
from writer.detect.rules import load_rules
from writer.engine import Engine
from writer.ingest import load_night

DEMO = ROOT / "samples" / "demo-night"
RULES = ROOT / "rules"
LE2022 = ROOT.parent / "shared" / "data" / "le2022"


def run_night(path: Path, rules_dir: Path = RULES):
    night = load_night(path)
    engine = Engine(night.setup, load_rules(rules_dir), load_groups(rules_dir / "groups.yaml"))
    engine.apply_all(night.declarations)
    return night, engine


#: Fixtures that give a test a PostgreSQL database (tests/test_store.py's server; the private
#: cluster of tests/test_pg_faults.py).
POSTGRES_FIXTURES = frozenset({"postgres_server", "cluster"})


def runs_on_postgres(item: pytest.Item) -> bool:
    """Whether a collected test runs on PostgreSQL: a parameter "postgresql" (the store
    fixtures parametrised over both databases) or a PostgreSQL fixture."""
    callspec = getattr(item, "callspec", None)
    params = callspec.params.values() if callspec is not None else ()
    return any(isinstance(v, str) and v == "postgresql" for v in params) \
        or bool(POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if runs_on_postgres(item):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def demo():
    return run_night(DEMO)


@pytest.fixture(scope="session")
def le2022_dir() -> Path:
    if not (LE2022 / "councils.csv").exists():
        pytest.skip(f"the real 2022 night is not at {LE2022} (it lives in ../shared/data beside the project)")
    return LE2022


@pytest.fixture(scope="session")
def le2022(le2022_dir):
    return run_night(le2022_dir)


@pytest.fixture()
def feed_server():
    """A results-feed server on 127.0.0.1 (``helpers.FeedServer``), closed afterwards."""
    from helpers import FeedServer

    with FeedServer() as server:
        yield server


@pytest.fixture(scope="session")
def feed_registry(tmp_path_factory):
    """The project's party registry plus the demo night's invented parties' ids, as a
    Democracy Club feed gives them."""
    from helpers import DEMO_FEED_PARTIES, registry_with
    from writer.identity import PartyRegistry

    return PartyRegistry.load(registry_with(DEMO_FEED_PARTIES, tmp_path_factory.mktemp("registry")))
