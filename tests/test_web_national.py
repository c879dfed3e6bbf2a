"""The review app shows the story of the night's national share estimate and Commons
projection in its evidence pane, with the wards used (a test night with general_election.csv,
built by tests/nights.py)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("argon2")

sys.path.insert(0, str(Path(__file__).parent))
import nights  # noqa: E402
from helpers import sign_in  # noqa: E402
from test_web import BASE, PASSWORD, url  # noqa: E402
from writer.night import build  # noqa: E402
from writer.ingest import load_night  # noqa: E402
from writer.publish.service import redraft_roundup  # noqa: E402
from writer.store import Pipeline, open_store  # noqa: E402
from writer.store.users import ReviewRecords  # noqa: E402
from writer.web.security import hash_password  # noqa: E402


def test_the_story_of_the_night_shows_its_share_estimate_and_projection(tmp_path):
    built = nights.collapse_night(tmp_path / "night")
    night = load_night(built.root)
    store = open_store(tmp_path / "web.db")
    try:
        pipeline = Pipeline(store, lambda: build(night))
        pipeline.ingest_all(night.declarations)
        row = redraft_roundup(store, night, pipeline, threading.Lock())
        assert row is not None
        story = row.story()
        picture = next(f["national_picture"] for f in story.evidence if f.get("scope") == "projection")
        ReviewRecords(store).add_user("ed", "editor", hash_password(PASSWORD), by="test")
        from writer.web.app import create_app
        app = create_app(store, night=night, pipeline=pipeline, https_only=True,
                         secret_key="test-secret-key-for-the-review-app")
        client, _csrf = sign_in(app, "ed", PASSWORD, base_url=BASE)
        html = client.get(url(story.id)).text
        assert 'id="evidence-national"' in html and "National share estimate" in html
        assert f"From {picture['wards_used']} wards used, in {picture['councils_used']} councils" in html
        first = picture["ward_declarations"][0].split(".")
        assert f"{first[2]} ({first[1]})" in html  # the wards used, listed
        for party, share in picture["projected_share"].items():
            assert str(share) in html
        cp = picture["commons_projection"]
        assert "Commons projection" in html and f"{abs(cp['majority'])} seats" in html
        assert str(cp["majority_needed"]) in html
    finally:
        store.close()
