"""Shared fixtures. The real 2022 night is read from ../shared/data (never copied into the
project); tests that need it skip with a reason where it is absent."""

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
