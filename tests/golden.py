"""Outputs that must stay byte-identical while the code is moved (issue 17): every command's
output on the demo night and the real 2022 night, and the night's RSS and Atom feeds.

``python tests/golden.py OUT_DIR`` writes each output to OUT_DIR (to diff two checkouts);
``python tests/golden.py --update`` records their SHA-256 in ``tests/golden/outputs.json``.
Only digests are stored: the 2022 night's data is never copied into the project."""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

DIGESTS = HERE / "golden" / "outputs.json"
NIGHTS = {"demo": ROOT / "samples" / "demo-night", "le2022": ROOT.parent / "shared" / "data" / "le2022"}
T0 = datetime(2026, 5, 7, 22, 0, tzinfo=timezone.utc)


def _councils(night_dir: Path, every: int) -> list[str]:
    with open(night_dir / "councils.csv", newline="", encoding="utf-8") as fh:
        slugs = [row["slug"] for row in csv.DictReader(fh)]
    return slugs[::every]


def _midnight(night_dir: Path) -> str:
    """A time about halfway through the night's declarations."""
    import pandas as pd

    times = sorted({str(t) for f in ("wards.csv", "councils.csv")
                    for t in pd.read_csv(night_dir / "results" / f, usecols=["declared_at"])["declared_at"]})
    return times[len(times) // 2]


def commands(name: str, night_dir: Path) -> Iterator[tuple[str, list[str]]]:
    d = str(night_dir)
    yield "results.jsonl", ["results", d, "--json", "--no-progress"]
    yield "events.jsonl", ["events", d, "--json", "--limit", "0", "--no-progress"]
    yield "stories.jsonl", ["stories", d, "--json"]
    yield "stories.txt", ["stories", d]
    yield "national.json", ["national", d, "--json"]
    for fmt in ("text", "html", "json", "wordpress"):
        yield f"roundup.{fmt}", ["roundup", d, "--format", fmt]
    mid = _midnight(night_dir)
    yield "roundup-mid.json", ["roundup", d, "--format", "json", "--at", mid]
    yield "stories-mid.jsonl", ["stories", d, "--json", "--at", mid]
    for slug in _councils(night_dir, 1 if name == "demo" else 29):
        for fmt in ("html", "wordpress"):
            yield f"draft-{slug}.{fmt}", ["draft", d, "--council", slug, "--format", fmt]


def _feeds(night_dir: Path) -> dict[str, str]:
    """The night's RSS and Atom feeds: every latest story version published a minute apart."""
    from writer.compare.tally import load_groups
    from writer.night import draft_night
    from writer.publish.feeds import FeedSpec, build_atom, build_rss, item_from_story
    from writer.publish.feeds import night_names

    night, _engine, desk = draft_night(night_dir)
    councils, _regions, _groups = night_names(night, load_groups(ROOT / "rules" / "groups.yaml"))
    items = []
    for n, story in enumerate(desk.feed):
        first = desk.versions[story.id][0]
        items.append(item_from_story(story, published=T0 + timedelta(minutes=desk.feed.index(first)),
                                     updated=T0 + timedelta(minutes=n), council_name=councils.get(story.council)))
    base = "https://results.example.org"
    spec = FeedSpec(title=f"{night.election.name}: every result", self_link=base + "/feeds/night.atom",
                    scope="night", key=None, election=night.election.id, limit=100_000)
    return {"feed.rss": build_rss(spec, items, base).decode("utf-8"),
            "feed.atom": build_atom(spec, items, base).decode("utf-8")}


def outputs(name: str, night_dir: Path) -> Iterator[tuple[str, Callable[[], str]]]:
    from click.testing import CliRunner

    from writer.cli import main

    runner = CliRunner()

    def run(args: list[str]) -> Callable[[], str]:
        def go() -> str:
            result = runner.invoke(main, args, catch_exceptions=False)
            return f"exit {result.exit_code}\n{result.stdout}"
        return go

    for label, args in commands(name, night_dir):
        yield label, run(args)
    feeds = {}

    def feed(label: str) -> Callable[[], str]:
        def go() -> str:
            if not feeds:
                feeds.update(_feeds(night_dir))
            return feeds[label]
        return go

    yield "feed.rss", feed("feed.rss")
    yield "feed.atom", feed("feed.atom")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main(argv: list[str]) -> None:
    update = "--update" in argv
    out = next((Path(a) for a in argv if not a.startswith("--")), None)
    recorded: dict[str, dict[str, str]] = {}
    for name, night_dir in NIGHTS.items():
        if not (night_dir / "councils.csv").exists():
            sys.exit(f"{night_dir} is absent")
        recorded[name] = {}
        for label, make in outputs(name, night_dir):
            text = make()
            recorded[name][label] = digest(text)
            if out:
                (out / name).mkdir(parents=True, exist_ok=True)
                (out / name / label).write_text(text, encoding="utf-8")
            print(name, label, recorded[name][label][:12], file=sys.stderr)
    if update:
        DIGESTS.parent.mkdir(exist_ok=True)
        DIGESTS.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
