"""Publishing to a real WordPress (``../shared/recipes/start-wordpress.sh``; ``.ci/run``
starts it and exports ``WP_URL``, ``WP_USER`` and ``WP_APP_PASSWORD``). Skipped, with the
reason, where no WordPress is configured.

- The scheduler publishes approved stories with the right title, body, tags and chart; a
  retraction takes the post down; a corrected result, once approved, updates the same post.
- WordPress stopped: the delivery is retried, then failed with the reason; WordPress started
  again and the retry pressed: exactly one post per story.
- SIGKILL between the CMS call and the commit that records it (fault injection): after a
  restart there is still exactly one post.

Every run uses its own namespace for the posts' slugs, so runs never see each other's posts.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
import uuid

import pytest

pytestmark = pytest.mark.slow  # a real WordPress, publishing the demo night: run by .ci/run

httpx = pytest.importorskip("httpx")

from conftest import DEMO, ROOT  # noqa: E402
from test_publish import CORRECTION_AT, FAST, approve, corrected, names, night, wait_for  # noqa: E402,F401 (fixtures)
from writer.night import build  # noqa: E402
from writer.publish.cms import WordPress  # noqa: E402
from writer.publish.publisher import CHECKED_DISCLOSURE  # noqa: E402
from writer.publish.service import Publishing  # noqa: E402
from writer.review.checks import FactChecks
from writer.store import Pipeline, open_store  # noqa: E402
from writer.store.publishing import PublishRecords  # noqa: E402
from writer.store.users import ReviewRecords  # noqa: E402

RECIPES = ROOT.parent / "shared" / "recipes"
GOLDSMID = "ward:local.ashcombe.goldsmid.2026-05-07"


def wp_env() -> dict[str, str]:
    env = {k: os.environ.get(k, "") for k in ("WP_URL", "WP_USER", "WP_APP_PASSWORD")}
    if not all(env.values()):
        pytest.skip("no WordPress configured: start one with eval \"$(../shared/recipes/start-wordpress.sh)\" "
                    "(.ci/run does) so that WP_URL, WP_USER and WP_APP_PASSWORD are set")
    try:
        httpx.get(env["WP_URL"] + "/wp-json/", timeout=5).raise_for_status()
    except httpx.HTTPError as exc:
        pytest.skip(f"WordPress at {env['WP_URL']} does not answer: {exc}")
    return env


@pytest.fixture(scope="module")
def env():
    return wp_env()




@pytest.fixture
def wp(env):
    client = WordPress(env["WP_URL"], env["WP_USER"], env["WP_APP_PASSWORD"])
    yield client
    client.close()


def fresh_store(path, night, upto: int = CORRECTION_AT):
    store = open_store(path)
    pipeline = Pipeline(store, lambda: build(night))
    pipeline.ingest_all(night.declarations[:upto])
    return store, pipeline


def no_auto_publish(store, publisher) -> None:
    """A chief turns every rule's auto-publish off: only what the test approves goes out."""
    for rule in publisher.auto_settings():
        ReviewRecords(store).set_auto_publish(rule, False, "chief")


def posts_with_slug(wp: WordPress, slug: str) -> list[dict]:
    return wp._call("listing posts", "GET", "/posts", params={
        "slug": slug, "status": "publish,future,draft,pending,private,trash", "context": "edit"})


def post(wp: WordPress, post_id: str) -> dict:
    return wp._call("reading the post", "GET", f"/posts/{post_id}", params={"context": "edit"})


def sent(store, story_id: str):
    return [d for d in PublishRecords(store).deliveries(story_id) if d.state == "sent"]


def esc(text: str) -> str:
    """Body text as the block markup has it (curly apostrophes, no ``&#39;``)."""
    from writer.publish.blocks import text as block_text
    return block_text(text)


def test_the_scheduler_publishes_retracts_and_corrects_in_place(tmp_path, env, wp, night, names):
    ns = f"t{uuid.uuid4().hex[:10]}"
    store, pipeline = fresh_store(tmp_path / "wp.db", night)
    publishing = Publishing.build(store, night, checker=FactChecks(store, None), pipeline=pipeline, names=names, env=env, namespace=ns,
                                  publish_every=0.5, retry=FAST)
    pub = publishing.publisher
    no_auto_publish(store, pub)
    ward = next(r for r in store.latest_stories() if r.kind == "ward" and r.story_id != GOLDSMID
                and "majority" in r.payload.get("lede", "") + " ".join(r.payload.get("body", [])))
    chosen = ["council:northmoor", GOLDSMID, ward.story_id]
    for sid in chosen:
        approve(store, sid)
    publishing.start()
    try:
        assert wait_for(lambda: all(sent(store, sid) for sid in chosen), timeout=120), pub.history(chosen[0])
        ids = {sid: sent(store, sid)[0].remote_id for sid in chosen}
        for sid in chosen:
            row = store.latest_story(sid)
            got = post(wp, ids[sid])
            assert got["status"] == "publish" and got["slug"] == pub.slug(sid)
            assert got["title"]["raw"] == row.headline
            assert esc(row.payload["lede"]) in got["content"]["raw"] and CHECKED_DISCLOSURE in got["content"]["raw"]
            tags = {t["name"] for t in wp._call("tags", "GET", "/tags", params={"include": ",".join(map(str, got["tags"]))})}
            council_name = next(e["council_name"] for e in row.payload["evidence"] if e.get("council_name"))
            assert {council_name, row.payload["region"]} <= tags
            categories = {html.unescape(c["name"]) for c in wp._call(
                "categories", "GET", "/categories", params={"include": ",".join(map(str, got["categories"]))})}
            kind = "Council results" if row.kind == "council" else "Ward results"
            assert categories == {night.election.name, kind}
        northmoor = post(wp, ids["council:northmoor"])
        assert "Red Wall" in {t["name"] for t in wp._call("tags", "GET", "/tags", params={"include": ",".join(map(str, northmoor["tags"]))})}
        goldsmid = post(wp, ids[GOLDSMID])
        assert "South of England" in {html.unescape(t["name"]) for t in wp._call(
            "tags", "GET", "/tags", params={"include": ",".join(map(str, goldsmid["tags"]))})}
        media = wp._call("media", "GET", f"/media/{northmoor['featured_media']}", params={"context": "edit"})
        assert media["mime_type"] == "image/png" and media["alt_text"].startswith("Bar chart. Seats won in Northmoor")
        assert httpx.get(media["source_url"]).content[:8] == b"\x89PNG\r\n\x1a\n"

        # the corrected Goldsmid result: the gain no longer stands, the post is withdrawn: it
        # keeps its URL and says so (WP_RETRACT=notice, the default) rather than leaving a 404
        before = post(wp, ids[GOLDSMID])
        pipeline.ingest(night.declarations[CORRECTION_AT])
        assert wait_for(lambda: len(sent(store, GOLDSMID)) == 2, timeout=60)
        gone = post(wp, ids[GOLDSMID])
        assert gone["status"] == "publish" and gone["title"]["raw"].startswith("Withdrawn: ")
        assert gone["link"] == before["link"] and gone["slug"] == before["slug"]
        assert "This story has been withdrawn" in gone["content"]["raw"]
        assert esc(store.latest_story(GOLDSMID).payload["lede"]) not in gone["content"]["raw"]
        assert httpx.get(gone["link"]).status_code == 200
        assert [i.kind for i in pub.feed_items() if i.story_id == GOLDSMID] == ["story", "retraction"]

        # a corrected ward result: a new version, approved, updates the same post
        decl = next(d for d in night.declarations[:CORRECTION_AT] if f"ward:{d.id}" == ward.story_id)
        assert pipeline.ingest(corrected(decl)).outcome == "correction"
        time.sleep(1.5)  # a sweep or two: the new version waits for an editor
        assert len(sent(store, ward.story_id)) == 1
        version = approve(store, ward.story_id, "bob")
        assert wait_for(lambda: len(sent(store, ward.story_id)) == 2, timeout=60)
        updated = sent(store, ward.story_id)[-1]
        assert updated.remote_id == ids[ward.story_id]
        got = post(wp, ids[ward.story_id])
        assert got["id"] == int(ids[ward.story_id]) and got["status"] == "publish"
        # the line says what changed: the winner's corrected vote count (tests/test_publish.py's corrected())
        top = max((c for c in decl.candidates if c.elected), key=lambda c: c.votes or 0)
        assert re.search(r'<p class="correction"><strong>Correction, [^<]+: an earlier version of this story gave '
                         rf"[^<]+ {top.votes:,} votes; the corrected count is {top.votes + 7:,}\.</strong></p>",
                         got["content"]["raw"])
        assert esc(store.latest_story(ward.story_id).payload["lede"]) in got["content"]["raw"]
        (item,) = [i for i in pub.feed_items() if i.story_id == ward.story_id]
        assert item.version == version and item.correction and item.updated > item.published
        for sid in chosen:
            assert len(posts_with_slug(wp, pub.slug(sid))) == 1
    finally:
        publishing.stop()
        store.close()


def recipe(name: str) -> list[str]:
    script = RECIPES / name
    if not script.exists():
        pytest.skip(f"{script} is not here: cannot stop and start WordPress")
    return ["bash", str(script)]


def test_wordpress_down_retries_fails_then_a_retry_publishes_exactly_once(tmp_path, env, night, names):
    ns = f"t{uuid.uuid4().hex[:10]}"
    store, pipeline = fresh_store(tmp_path / "down.db", night, upto=len(night.declarations))
    wp = WordPress(env["WP_URL"], env["WP_USER"], env["WP_APP_PASSWORD"])
    publishing = Publishing.build(store, night, checker=FactChecks(store, None), pipeline=pipeline, names=names, env=env, namespace=ns, retry=FAST,
                                  targets=[wp])
    pub = publishing.publisher
    no_auto_publish(store, pub)
    approve(store, "council:northmoor")
    assert [d.state for d in pub.run().sent] == ["sent"]
    subprocess.run(recipe("stop-wordpress.sh"), check=True, capture_output=True, timeout=60)
    try:
        approve(store, "council:eastbrook-vale")
        t0 = time.monotonic()
        report = pub.run()
        (failed,) = report.failed
        assert failed.story_id == "council:eastbrook-vale" and failed.attempts == FAST.attempts
        assert failed.error.startswith("WordPress: cannot connect"), failed.error
        assert time.monotonic() - t0 < 30
        assert pub.run().sent == [] and pub.run().failed == [], "failed stays failed until someone retries"
    finally:
        started = subprocess.run(recipe("start-wordpress.sh"), capture_output=True, text=True, timeout=600)
        assert started.returncode == 0, started.stderr[-2000:]
    exports = dict(re.findall(r"export (\w+)=(\S+)", started.stdout))
    assert exports.get("WP_URL") == env["WP_URL"]
    if exports.get("WP_APP_PASSWORD") and exports["WP_APP_PASSWORD"] != env["WP_APP_PASSWORD"]:
        wp.close()
        wp = WordPress(env["WP_URL"], env["WP_USER"], exports["WP_APP_PASSWORD"])
        pub.targets = [wp]
    pub.request_retry("council:eastbrook-vale", "wordpress", "alice")
    (ok,) = pub.run().sent
    assert ok.story_id == "council:eastbrook-vale"
    for sid in ("council:northmoor", "council:eastbrook-vale"):
        assert len(posts_with_slug(wp, pub.slug(sid))) == 1
    publishing.stop()
    store.close()


def test_sigkill_between_the_cms_call_and_the_commit_makes_no_second_post(tmp_path, env, wp, night, names):
    ns = f"t{uuid.uuid4().hex[:10]}"
    db = tmp_path / "kill.db"
    store, pipeline = fresh_store(db, night, upto=len(night.declarations))
    publishing = Publishing.build(store, night, checker=FactChecks(store, None), names=names, env={}, namespace=ns)
    no_auto_publish(store, publishing.publisher)
    approve(store, "council:northmoor")
    key = publishing.publisher.slug("council:northmoor")
    store.close()

    cmd = [sys.executable, "-m", "writer.cli", "publish", "--night", str(DEMO), "--database", str(db),
           "--once", "--namespace", ns]
    base = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    killed = subprocess.run(cmd, env={**base, "WRITER_FAULT": "kill-after-cms"}, capture_output=True,
                            text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr[-2000:]
    (made,) = posts_with_slug(wp, key)  # WordPress has the post ...
    store = open_store(db)
    assert sent(store, "council:northmoor") == []  # ... the store never heard
    store.close()

    again = subprocess.run(cmd, env=base, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "sent council:northmoor to wordpress: " in again.stdout
    store = open_store(db)
    (delivery,) = sent(store, "council:northmoor")
    assert delivery.remote_id == str(made["id"])
    assert len(posts_with_slug(wp, key)) == 1
    store.close()


def test_a_post_opens_as_blocks_with_its_chart_attached_dated_at_the_declaration(tmp_path, env, wp, night, names):
    """Issue 19, items 8-10: the post is block markup (paragraph, table, image) that WordPress
    itself recognises as blocks; the chart is in the body and the featured image, attached to
    the post with a title in words, and replaced (not orphaned) when it changes; the post's
    date is the declaration time, its slug readable, its comments closed."""
    from dataclasses import replace as dc_replace
    from datetime import datetime, timezone

    from test_wp_blocks import named, parse_blocks
    from writer.publish.cms import Image, Remote
    from writer.publish.publisher import Publisher

    ns = f"t{uuid.uuid4().hex[:10]}"
    store, pipeline = fresh_store(tmp_path / "blocks.db", night, upto=len(night.declarations))
    pub = Publisher(store, night, checker=FactChecks(store, None), names=names, targets=[wp], retry=FAST, namespace=ns)
    try:
        no_auto_publish(store, pub)
        approve(store, "council:northmoor")
        (delivery,) = pub.run().sent
        got = post(wp, delivery.remote_id)
        assert got["slug"] == f"{ns}-northmoor-council-result-2026" == pub.slug("council:northmoor")
        assert got["comment_status"] == "closed" and got["ping_status"] == "closed"
        row = store.latest_story("council:northmoor")
        at = datetime.fromisoformat(row.payload["at"]).astimezone(timezone.utc)
        assert got["date_gmt"] == at.strftime("%Y-%m-%dT%H:%M:%S")
        assert got["content"]["block_version"] == 1  # WordPress's own has_blocks()
        parsed = named(parse_blocks(got["content"]["raw"]))
        kinds = [b["blockName"] for b in parsed]
        assert {"core/paragraph", "core/table", "core/image", "core/heading"} <= set(kinds)
        assert "<article" not in got["content"]["raw"] and "&#39;" not in got["content"]["raw"]
        image = next(b for b in parsed if b["blockName"] == "core/image")
        assert image["attrs"]["id"] == got["featured_media"]
        media = wp._call("media", "GET", f"/media/{got['featured_media']}", params={"context": "edit"})
        assert media["post"] == got["id"] and media["source_url"] in image["innerHTML"]
        assert media["title"]["raw"] == "Northmoor: seats won in 2026 and 2022"
        assert media["alt_text"] in html.unescape(image["innerHTML"]) and "<figcaption" in image["innerHTML"]
        assert media["media_details"]["width"] == 1280  # drawn at 2x, shown at 640
        rendered = httpx.get(got["link"]).text
        assert "wp-block-table" in rendered and "wp-block-image" in rendered

        # a corrected chart: a new image replaces the old, attached to the same post, the old deleted
        release = pub.records.latest_releases()["council:northmoor"]
        first = pub.post_for(release)
        changed = dc_replace(first, image=Image(first.image.png + b"\0", first.image.alt, first.image.filename,
                                                first.image.title, first.image.caption))
        remote = wp.deliver(changed, Remote(delivery.remote_id, delivery.remote_url, delivery.media_id,
                                            delivery.media_digest))
        assert remote.id == delivery.remote_id and remote.media_id != delivery.media_id
        again = post(wp, delivery.remote_id)
        assert again["featured_media"] == int(remote.media_id) and again["slug"] == got["slug"]
        assert again["date_gmt"] == got["date_gmt"]
        assert wp._call("media", "GET", f"/media/{remote.media_id}", params={"context": "edit"})["post"] == got["id"]
        r = wp.client.get(f"{wp.api}/media/{delivery.media_id}", params={"context": "edit"})
        assert r.status_code == 404, "the replaced chart was left orphaned"
        assert len(posts_with_slug(wp, pub.slug("council:northmoor"))) == 1
    finally:
        store.close()
