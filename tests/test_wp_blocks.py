"""WordPress as a web editor uses it (issue 19, items 7-12), without a WordPress: the block
markup parsed with a port of WordPress's own block parser, ``writer draft --format
wordpress``, the chart with long party names, and the request payloads (slug, date,
comments, sticky, tags, retraction) as the pure function that builds them makes them.
``tests/test_wordpress.py`` checks the same against a real WordPress.
"""

from __future__ import annotations

import json
import re
import struct
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from conftest import DEMO, LE2022, RULES
from writer.cli import main
from writer.night import build, draft_night
from writer.draft.story import SeatRow, Story
from writer.draft.style import PartyNames
from writer.ingest import load_night
from writer.publish import blocks
from writer.publish.chart import Bar, ChartData, figure, render, tick_label, tick_labels_overlap
from writer.publish.cms import Post, WordPress, wordpress_fields
from writer.publish.publisher import Publisher, RetryPolicy
from writer.review.checks import FactChecks
from writer.store import Pipeline, open_store
from writer.store.users import ReviewRecords

NOW = datetime(2026, 5, 8, 6, 0, tzinfo=timezone.utc)


# -- WordPress's block parser -------------------------------------------------------------------
# A port of WP_Block_Parser (wp-includes/class-wp-block-parser.php, the PHP side of
# ``parse_blocks``; @wordpress/block-serialization-default-parser is the same in JS): the same
# token expression and the same stack of open blocks. Where WordPress silently recovers from
# broken markup (a closer with no opener, a block never closed) this raises instead: what the
# writer sends must never need recovering.
TOKEN = re.compile(
    r"<!--\s+(?P<closer>/)?wp:(?P<namespace>[a-z][a-z0-9_-]*/)?(?P<name>[a-z][a-z0-9_-]*)\s+"
    r"(?P<attrs>{(?:(?:[^}]+|}+(?=})|(?!}\s+/?-->).)*+)?}\s+)?(?P<void>/)?-->", re.S)


class MarkupError(AssertionError):
    pass


def parse_blocks(document: str) -> list[dict]:
    output: list[dict] = []
    stack: list[dict] = []  # {"block", "start", "prev"}
    offset = 0

    def freeform(html: str) -> dict:
        return {"blockName": None, "attrs": {}, "innerBlocks": [], "innerHTML": html, "innerContent": [html]}

    while True:
        m = TOKEN.search(document, offset)
        if m is None:
            if stack:
                raise MarkupError(f"block {stack[-1]['block']['blockName']} is never closed")
            rest = document[offset:]
            if rest.strip():
                output.append(freeform(rest))
            return output
        name = (m["namespace"] or "core/") + m["name"]
        attrs = json.loads(m["attrs"]) if m["attrs"] else {}
        start, end = m.start(), m.end()
        if m["closer"] and m["void"]:
            raise MarkupError(f"{m.group(0)!r}: a closer cannot be void")
        if m["void"] or not m["closer"]:
            block = {"blockName": name, "attrs": attrs, "innerBlocks": [], "innerHTML": "", "innerContent": []}
            if m["void"]:
                if stack:
                    parent = stack[-1]
                    html = document[parent["prev"]:start]
                    parent["block"]["innerHTML"] += html
                    parent["block"]["innerContent"] += [html, None] if html else [None]
                    parent["block"]["innerBlocks"].append(block)
                    parent["prev"] = end
                else:
                    if document[offset:start].strip():
                        output.append(freeform(document[offset:start]))
                    output.append(block)
            else:
                if not stack and document[offset:start].strip():
                    output.append(freeform(document[offset:start]))
                stack.append({"block": block, "start": start, "prev": end})
            offset = end
            continue
        if not stack:
            raise MarkupError(f"{m.group(0)!r} closes nothing")
        top = stack.pop()
        if top["block"]["blockName"] != name:
            raise MarkupError(f"{m.group(0)!r} closes {top['block']['blockName']}")
        html = document[top["prev"]:start]
        top["block"]["innerHTML"] += html
        top["block"]["innerContent"].append(html)
        if stack:
            parent = stack[-1]
            between = document[parent["prev"]:top["start"]]
            parent["block"]["innerHTML"] += between
            parent["block"]["innerContent"] += [between, None] if between else [None]
            parent["block"]["innerBlocks"].append(top["block"])
            parent["prev"] = end
        else:
            output.append(top["block"])
        offset = end


def named(parsed: list[dict]) -> list[dict]:
    """The blocks, having checked that no HTML is left outside one (a Classic block)."""
    loose = [b["innerHTML"] for b in parsed if b["blockName"] is None and b["innerHTML"].strip()]
    assert not loose, f"HTML outside any block (it would open as a Classic block): {loose[:1]}"
    return [b for b in parsed if b["blockName"] is not None]


def test_the_parser_port_agrees_with_wordpress_on_its_own_examples():
    doc = ('<p>before</p>\n<!-- wp:paragraph {"className":"x"} -->\n<p class="x">a</p>\n<!-- /wp:paragraph -->'
           '<!-- wp:core/spacer /--><!-- wp:my-plugin/thing {"a":{"b":"}"}} -->in<!-- /wp:my-plugin/thing -->')
    parsed = parse_blocks(doc)
    assert [b["blockName"] for b in parsed] == [None, "core/paragraph", "core/spacer", "my-plugin/thing"]
    assert parsed[1]["attrs"] == {"className": "x"} and parsed[1]["innerHTML"] == '\n<p class="x">a</p>\n'
    assert parsed[3]["attrs"] == {"a": {"b": "}"}}
    with pytest.raises(MarkupError):
        parse_blocks("<!-- wp:paragraph --><p>a</p>")
    with pytest.raises(MarkupError):
        parse_blocks("<!-- wp:paragraph --><p>a</p><!-- /wp:heading -->")


# -- a story in blocks --------------------------------------------------------------------------
def story(**kw) -> Story:
    base = dict(id="council:barnet", kind="council", version=1, status="draft",
                headline="Labour take Barnet", lede="Labour has taken Barnet's council, winning 2,268 votes & more.",
                body=("The party's 'historic' win <script>alert(1)</script>.", "It's the first time."),
                table=(SeatRow("Lab", "Labour", 2268, 16), SeatRow("Con", "Conservatives", 22, -1016),
                       SeatRow("LD", "Lib Dems", 3, 0), SeatRow("Grn", "Greens", 1, None)),
                disclosure="This report was produced automatically from official results and checked by an editor.",
                events=(), council="barnet", region="London", groups=("london",), score=1.0, provisional=False,
                template="t/1", at="2022-05-06T06:55:00+01:00", evidence=(), table_caption="Seats won in 2022")
    base.update(kw)
    return Story(**base)


MEDIA = blocks.Media(17, "https://news.example/wp-content/uploads/barnet-seats.png",
                     'Bar chart. Seats won in Barnet: Labour 41 & the "rest"', "Seats won by each party in Barnet.")


def test_a_story_is_paragraph_image_heading_and_table_blocks_with_house_typography():
    body = blocks.story_blocks(story(), media=MEDIA, correction="Correction, 7am Friday 6 May: it's updated.")
    parsed = named(parse_blocks(body))
    assert [b["blockName"] for b in parsed] == [
        "core/paragraph", "core/paragraph", "core/image", "core/paragraph", "core/paragraph",
        "core/heading", "core/table", "core/paragraph"]
    correction, lede, image, *_, heading, table, disclosure = parsed
    assert correction["attrs"] == {"className": "correction"}
    assert correction["innerHTML"].strip().startswith('<p class="correction"><strong>Correction, 7am')
    assert lede["innerHTML"].strip() == "<p>Labour has taken Barnet\u2019s council, winning 2,268 votes &amp; more.</p>"
    assert "&lt;script&gt;" in body and "<script>" not in body
    assert "&#39;" not in body and "'" not in re.sub(r"<[^>]*>", "", body)  # no straight apostrophes in the text
    assert "\u2018historic\u2019" in body
    # the chart: an image block with the media id, the picture shown at half its pixels, alt text and caption
    assert image["attrs"] == {"id": 17, "width": 640, "height": 360, "sizeSlug": "full", "linkDestination": "none"}
    html = image["innerHTML"].strip()
    assert html.startswith('<figure class="wp-block-image size-full is-resized"><img src="https://news.example/')
    assert 'class="wp-image-17"' in html and 'alt="Bar chart. Seats won in Barnet: Labour 41 &amp; the &quot;rest&quot;"' in html
    assert html.endswith('<figcaption class="wp-element-caption">Seats won by each party in Barnet.</figcaption></figure>')
    assert heading["innerHTML"].strip() == "<h2>Seats won</h2>"
    t = table["innerHTML"].strip()
    assert t.startswith('<figure class="wp-block-table"><table><thead><tr><th>Party</th>')
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", t)
    assert rows == [("Labour", "2,268", "+16"), ("Conservatives", "22", "\u22121,016"), ("Lib Dems", "3", "0"),
                    ("Greens", "1", "")]
    assert "-1" not in t  # a true minus sign, never a hyphen
    assert t.endswith('<figcaption class="wp-element-caption">Seats won in 2022</figcaption></figure>')
    assert disclosure["attrs"] == {"className": "disclosure"}


def test_block_attributes_cannot_close_the_comment():
    hostile = "x --> <!-- /wp:paragraph --> & \"q\""
    body = blocks.paragraph("safe", class_name=hostile)
    (block,) = named(parse_blocks(body))
    assert block["attrs"] == {"className": hostile}


def test_a_withdrawal_keeps_the_url_and_says_so():
    parsed = named(parse_blocks(blocks.withdrawal_blocks(story())))
    assert [b["blockName"] for b in parsed] == ["core/paragraph", "core/paragraph"]
    assert blocks.WITHDRAWN in parsed[0]["innerHTML"]
    assert "\u201cLabour take Barnet\u201d" in parsed[1]["innerHTML"]


# -- writer draft --format wordpress ------------------------------------------------------------
@pytest.fixture(scope="module")
def barnet_output():
    result = CliRunner().invoke(main, ["draft", str(LE2022), "--council", "barnet", "--format", "wordpress"])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.slow  # whole-night run: `writer draft` over the 2022 night
def test_draft_format_wordpress_prints_the_body_as_sent(barnet_output):
    parsed = named(parse_blocks(barnet_output))
    kinds = [b["blockName"] for b in parsed]
    assert kinds[0] == "core/paragraph" and kinds[1] == "core/image"
    assert kinds[-3:] == ["core/heading", "core/table", "core/paragraph"]
    assert set(kinds) == {"core/paragraph", "core/image", "core/heading", "core/table"}
    assert "<article" not in barnet_output and "&#39;" not in barnet_output
    assert "Barnet\u2019s" in barnet_output
    assert "<td>Conservatives</td><td>22</td><td>\u221216</td>" in barnet_output
    image = parsed[1]
    assert 'src="barnet-council-result-2022-seats.png"' in image["innerHTML"]  # until WordPress has it
    assert 'alt="Bar chart. Seats won in Barnet in 2022' in image["innerHTML"] and "<figcaption" in image["innerHTML"]
    # exactly what the adapter sends for the same story and chart
    night, _, desk = draft_night(LE2022)
    s = desk.story("council:barnet")
    m = re.search(r'alt="([^"]*)"', image["innerHTML"])
    cap = re.search(r'<figcaption class="wp-element-caption">(.*?)</figcaption>', image["innerHTML"])
    media = blocks.Media(None, "barnet-council-result-2022-seats.png", m[1], cap[1])
    post = Post(key="k", story_id=s.id, version=s.version, action="publish", title=s.headline, html="", excerpt=s.lede,
                story=s)
    assert wordpress_fields(post, media)["content"] == barnet_output.rstrip("\n")


# -- the chart ----------------------------------------------------------------------------------
LONG = ("Liberal Democrats", "Conservative and Unionist Party", "Residents Association of Epsom and Ewell",
        "Green Party of England and Wales", "Labour and Co-operative Party", "Independent",
        "Scottish National Party", "Plaid Cymru \u2013 The Party of Wales")


def test_a_chart_with_long_party_names_has_no_overlapping_labels_at_retina_size():
    data = ChartData("x", "Somewhere", "2026", "2022",
                     tuple(Bar(f"P{i}", n, "#336699", i + 3, i) for i, n in enumerate(LONG)))
    fig = figure(data, "png")
    ax = fig.axes[0]
    assert not tick_labels_overlap(fig, ax)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert all(len(line) <= 20 for label in labels for line in label.split("\n"))
    assert all(label.count("\n") <= 2 for label in labels)
    assert labels[0] == "Liberal\nDemocrats" and labels[5] == "Independent"
    png = render(data, "png")
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (2 * blocks.CHART_WIDTH, 2 * blocks.CHART_HEIGHT)
    # without wrapping, the same names would run into each other
    assert tick_label("Independent", 3) == "Independent"
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    plain = Figure(figsize=(6.4, 3.6), dpi=200)
    FigureCanvasAgg(plain)
    pax = plain.add_subplot()
    pax.bar(range(len(LONG)), [1] * len(LONG))
    pax.set_xticks(range(len(LONG)), LONG, fontsize=9)
    plain.tight_layout()
    assert tick_labels_overlap(plain, pax)


# -- the request payloads -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo():
    return load_night(DEMO)


@pytest.fixture(scope="module")
def names():
    return PartyNames.load(RULES / "parties.yaml")


@pytest.fixture
def published(tmp_path, demo, names):
    store = open_store(tmp_path / "wp.db")
    Pipeline(store, lambda: build(demo)).ingest_all(demo.declarations)
    pub = Publisher(store, demo, checker=FactChecks(store, None), names=names, clock=lambda: NOW)
    for rule in pub.auto_settings():
        ReviewRecords(store).set_auto_publish(rule, False, "chief")
    yield store, pub
    store.close()


def approve(store, sid):
    row = store.latest_story(sid)
    store.record_check(sid, row.version, True)
    store.record_decision(sid, row.version, "approved", "alice")
    return row


def test_payloads_carry_a_readable_slug_the_declaration_time_closed_comments_and_tags(published):
    store, pub = published
    row = approve(store, "council:northmoor")
    south = approve(store, "council:fernmouth")  # in the group "the south of England"
    assert "south" in south.payload["groups"]
    released = {r.story_id: r for r in pub.run(NOW).released}
    post = pub.post_for(released["council:northmoor"])
    assert post.slug == "northmoor-council-result-2026" and pub.slug("council:northmoor") == post.slug
    assert post.key == "local-2026-05-07-council-northmoor"  # the webhook's idempotency key is unchanged
    at = datetime.fromisoformat(row.payload["at"]).astimezone(timezone.utc)
    assert post.date_gmt == at.strftime("%Y-%m-%dT%H:%M:%S")
    assert post.image.filename == "northmoor-council-result-2026-seats.png"
    assert post.image.title == "Northmoor: seats won in 2026 and 2022"
    assert post.image.caption.startswith("Seats won by each party in Northmoor in 2026")
    media = blocks.Media(41, "https://wp.example/n.png", post.image.alt, post.image.caption)
    fields = wordpress_fields(post, media, author=7, tags=[1, 2], categories=[3])
    assert fields["slug"] == "northmoor-council-result-2026" and fields["date_gmt"] == post.date_gmt
    assert fields["comment_status"] == "closed" and fields["ping_status"] == "closed"
    assert fields["sticky"] is False and fields["author"] == 7 and fields["featured_media"] == 41
    assert fields["status"] == "publish" and fields["tags"] == [1, 2] and fields["categories"] == [3]
    kinds = [b["blockName"] for b in named(parse_blocks(fields["content"]))]
    assert {"core/paragraph", "core/image", "core/heading", "core/table"} == set(kinds)
    # an update keeps the URL and the date: neither slug nor date is sent again
    update = wordpress_fields(post, media, creating=False, comments="open")
    assert "slug" not in update and "date_gmt" not in update and update["comment_status"] == "open"
    tags = pub.post_for(released[south.story_id]).tags
    assert "South of England" in tags and "south of England" not in tags and "Blue Wall" in tags


def test_a_namespace_prefixes_the_readable_slug_and_every_kind_has_one(published):
    store, pub = published
    assert blocks.readable_slug("ward:local.ashcombe.goldsmid.2026-05-07", 2026) == "goldsmid-ward-ashcombe-result-2026"
    assert blocks.readable_slug("group:south", 2022) == "south-results-2022"
    assert blocks.readable_slug("roundup:local.2022-05-05", 2022) == "local-elections-2022-story-of-the-night"
    assert blocks.readable_slug("council:barnet", 2022) == "barnet-council-result-2022"
    ns = Publisher(store, pub.night, checker=FactChecks(store, None), namespace="t123")
    assert ns.slug("council:northmoor") == "t123-northmoor-council-result-2026"


def test_the_story_of_the_night_is_sticky_and_a_future_date_is_not_sent():
    s = story(kind="roundup", id="roundup:x", at="2099-01-01T00:00:00+00:00")
    post = Post(key="k", story_id=s.id, version=1, action="publish", title="t", html="", excerpt="e",
                slug="s", date_gmt=blocks.date_gmt(s), sticky=True, story=s)
    assert post.date_gmt is None  # WordPress would schedule it, not publish it
    fields = wordpress_fields(post)
    assert fields["sticky"] is True and "date_gmt" not in fields
    assert blocks.date_gmt(story()) == "2022-05-06T05:55:00"  # 06:55 BST is 05:55 UTC


def test_a_retraction_replaces_the_post_with_a_notice_or_takes_it_down_as_configured():
    s = story()
    post = Post(key="k", story_id=s.id, version=2, action="retract", title=f"Withdrawn: {s.headline}", html="",
                excerpt="e", slug="s", story=s)
    notice = wordpress_fields(post)
    assert notice["status"] == "publish" and notice["featured_media"] == 0 and notice["sticky"] is False
    assert "slug" not in notice and blocks.WITHDRAWN in notice["content"]
    assert s.lede not in notice["content"]
    named(parse_blocks(notice["content"]))
    down = wordpress_fields(post, retract="draft")
    assert down["status"] == "draft"
    assert WordPress.from_env({"WP_URL": "http://x", "WP_USER": "u", "WP_APP_PASSWORD": "p"}).retract == "notice"
    wp = WordPress.from_env({"WP_URL": "http://x", "WP_USER": "u", "WP_APP_PASSWORD": "p", "WP_RETRACT": "draft",
                             "WP_COMMENTS": "open", "WP_AUTHOR": "12"})
    assert (wp.retract, wp.comments, wp.author()) == ("draft", "open", 12)
    with pytest.raises(ValueError):
        WordPress("http://x", "u", "p", retract="delete")


# -- item 7: nothing naming an unresolved party goes to WordPress unreviewed ----------------------
def test_a_story_naming_an_unresolved_party_never_reaches_wordpress_unreviewed(testford, tmp_path, names):
    from test_parties import BEXLEY, DUNMORE
    night = load_night(testford)
    store = open_store(tmp_path / "writer.db")
    # a WordPress that is not there: a delivery attempt is recorded (failed), so an absent row
    # means the story was never sent at all
    wp = WordPress("http://127.0.0.1:9", "u", "p")
    try:
        Pipeline(store, lambda: build(night)).ingest_all(night.declarations)
        pub = Publisher(store, night, checker=FactChecks(store, None), names=names, targets=[wp], retry=RetryPolicy(attempts=1, initial=0.01),
                        charts=False)
        for sid in (BEXLEY, DUNMORE):  # ward gains: a rule publishes them unreviewed
            row = store.latest_story(sid)
            assert "ward-gain" in pub.rules_of(row)
            store.record_check(sid, row.version, True)
        pub.run(NOW)
        tried = {d.story_id for d in pub.records.deliveries() if d.target == "wordpress"}
        assert DUNMORE in tried, "the control story should have gone to WordPress"
        assert BEXLEY not in tried
        assert BEXLEY not in {r.story_id for r in pub.records.releases()}
    finally:
        wp.close()
        store.close()


from test_parties import testford  # noqa: E402,F401 (the fixture)
