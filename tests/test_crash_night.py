"""The crash harness (``tests/crash_harness.py``) in CI: a shorter seeded run through the whole
pipeline (API ingest, events, stories, the fact-check, editors' edits and approvals through
the app's forms, auto-publish rules, the scheduler, WordPress, the feeds), killed with SIGKILL
at seeded moments, on SQLite and on PostgreSQL. ``python bench/crash.py`` is the full run
(24 kills by default); ``WRITER_CRASH_KILLS`` and ``WRITER_CRASH_SEED`` change this one.

Without WordPress (``WP_URL`` and friends unset) the harness still runs and checks the store
and the feeds; the WordPress part is then skipped, and the test says so."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("httpx")

from crash_harness import run  # noqa: E402
from helpers import postgres_schema  # noqa: E402

KILLS = int(os.environ.get("WRITER_CRASH_KILLS", "6"))
SEED = int(os.environ.get("WRITER_CRASH_SEED", "20260507"))


def wordpress() -> dict[str, str] | None:
    wp = {k: os.environ.get(k, "") for k in ("WP_URL", "WP_USER", "WP_APP_PASSWORD")}
    return wp if all(wp.values()) else None


def check(report, kills: int) -> None:
    print(f"\ncrash harness, seed {report.seed}: {len(report.kills)} kills in {report.seconds} s")
    for k in report.kills:
        print(f"  {k}")
    print(f"  resent {report.resent}, stored before the kill {report.stored_before_kill}, edits {report.edits}, "
          f"approvals {report.approvals}, published {report.published}, WordPress posts {report.posts}")
    assert len(report.kills) == kills
    assert report.problems == []
    assert report.edits + report.approvals > 0, "the editor did something"
    assert report.published > 0


@pytest.mark.slow  # SIGKILLs a running pipeline over a whole night: run by .ci/run
def test_sigkill_through_the_whole_pipeline_on_sqlite(tmp_path):
    wp = wordpress()
    report = run(str(tmp_path / "writer.db"), kills=KILLS, seed=SEED, log_dir=tmp_path, wordpress=wp)
    check(report, KILLS)
    if wp is None:
        pytest.skip("WordPress is not configured (WP_URL, WP_USER, WP_APP_PASSWORD): the store and the "
                    "feeds were checked, the one-post-per-story check was not")
    assert report.posts > 0


@pytest.mark.slow  # SIGKILLs a running pipeline over a whole night: run by .ci/run
def test_sigkill_through_the_whole_pipeline_on_postgresql(tmp_path):
    with postgres_schema("writer_crash_night") as url:
        report = run(url, kills=max(3, KILLS // 2), seed=SEED + 1, log_dir=tmp_path, wordpress=wordpress())
    check(report, max(3, KILLS // 2))
