"""The fact-check gate's verdicts and the drafted text, which must stay identical while the
gate and the drafter are made faster (issues 17 and 18): every story version of the demo
night and the real 2022 night, and the round-up as it stood every few hundred declarations.

For each story version the digest covers its text as drafted and the gate's verdict (pass or
fail, claims counted, every failure's span, text and reason) on that text and on a few
falsified copies of it, made without randomness: a figure raised by one, two figures
swapped, a figure given a minus sign or an ordinal suffix ("41th"), a claim verb turned
round, a party and a council swapped for others. A drafted story passes, so these copies are
what makes the digest say whether the gate still catches what it caught, with the same
reasons.

``python tests/verdicts.py --update`` records the digests in ``tests/golden/verdicts.json``;
``python tests/verdicts.py OUT_DIR`` writes every text and verdict to OUT_DIR as JSON lines,
to diff two checkouts. Only digests are stored: the 2022 night's data is never copied into
the project."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

DIGESTS = HERE / "golden" / "verdicts.json"
NIGHTS = {"demo": ROOT / "samples" / "demo-night", "le2022": ROOT.parent / "shared" / "data" / "le2022"}
ROUNDUP_EVERY = 400  # declarations between round-ups, as tests/test_mutations.py drafts them
FIGURES_RAISED = 4  # figures of a story raised by one, each in a copy of its own

FIGURE = re.compile(r"(?<![\w.,+-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w])")
VERBS = (("gained", "lost"), ("lost", "gained"), ("held", "lost"), ("kept", "lost"), ("won", "lost"),
         ("took", "held"), ("taken", "held"), ("gain", "hold"), ("hold", "gain"), ("lose", "gain"))
VERB = re.compile(r"\b(" + "|".join(w for w, _ in VERBS) + r")\b")
PARTIES = ("Labour", "the Conservatives", "the Liberal Democrats", "the Lib Dems", "the Greens",
           "Conservatives", "Conservative", "Liberal Democrat", "Green")
PARTY = re.compile(r"(?<![\w'])(" + "|".join(map(re.escape, PARTIES)) + r")(?![\w])")


def _prose(text: str) -> tuple[int, int]:
    """Where the prose ends: before the seats table or the disclosure line."""
    ends = [i for i in (text.find("\n\nParty "), text.find("\n\nThis report was produced")) if i >= 0]
    return 0, min(ends) if ends else len(text)


def _raised(figure: str) -> str:
    if "." in figure:
        whole, places = figure.split(".")
        return f"{float(figure.replace(',', '')) + 1:.{len(places)}f}"
    value = int(figure.replace(",", "")) + 1
    return f"{value:,}" if "," in figure else str(value)


def falsified(text: str, councils: list[str]) -> Iterator[tuple[str, str]]:
    """(what was changed, the text changed) for one drafted text."""
    start, end = _prose(text)
    figures = list(FIGURE.finditer(text, start, end))
    for m in figures[:FIGURES_RAISED]:
        yield f"raise {m.group()}", text[:m.start()] + _raised(m.group()) + text[m.end():]
    pair = next(((a, b) for i, a in enumerate(figures) for b in figures[i + 1:] if a.group() != b.group()), None)
    if pair:
        a, b = pair
        yield (f"swap {a.group()} {b.group()}", text[:a.start()] + b.group() + text[a.end():b.start()] + a.group()
               + text[b.end():])
    if figures:
        m = figures[0]
        yield f"negate {m.group()}", text[:m.start()] + "-" + text[m.start():]
        yield f"suffix {m.group()}", text[:m.end()] + "th" + text[m.end():]
    verb = VERB.search(text, start, end)
    if verb:
        new = dict(VERBS)[verb.group()]
        yield f"verb {verb.group()}", text[:verb.start()] + new + text[verb.end():]
    party = PARTY.search(text, start, end)
    if party:
        old = party.group()
        new = "the Greens" if old != "the Greens" and old != "Green" else "Labour"
        yield f"party {old}", text[:party.start()] + new + text[party.end():]
    named = [(text.find(c, start, end), c) for c in councils]
    named = sorted((at, -len(c), c) for at, c in named if at >= 0)
    if named:
        at, _, council = named[0]
        other = next(c for c in councils if c != council and council not in c and c not in council)
        yield f"council {council}", text[:at] + other + text[at + len(council):]


def verdict(result) -> list:
    return [result.ok, result.claims, [[f.start, f.end, f.text, f.reason] for f in result.failures]]


def stories(night_dir: Path):
    """The night, its gate and every story version drafted over it (in the order drafted),
    then the round-ups."""
    from writer.check import FactChecker
    from writer.night import build
    from writer.draft.roundup import draft_roundup
    from writer.draft.style import PartyNames
    from writer.ingest import load_night

    night = load_night(night_dir)
    engine, desk = build(night)
    roundups = []
    for i, decl in enumerate(night.declarations, 1):
        desk.apply(engine.apply(decl).events)
        if i % ROUNDUP_EVERY == 0 or i == len(night.declarations):
            roundups.append(draft_roundup(night, engine, desk, decl.declared_at, version=len(roundups) + 1))
    checker = FactChecker.for_night(night.setup, PartyNames.load(ROOT / "rules" / "parties.yaml"))
    return night, checker, list(desk.feed) + roundups


def records(night_dir: Path) -> Iterator[tuple[str, dict]]:
    """(label, record) of every story version: its text, and the verdicts on it and on its
    falsified copies."""
    night, checker, versions = stories(night_dir)
    councils = sorted({c.name for c in night.setup.councils.values()})
    for n, story in enumerate(versions):
        text = story.text()
        copies = list(falsified(text, councils))
        results = checker.check_many_texts([(text, story.evidence)] + [(t, story.evidence) for _, t in copies])
        record = {"text": text, "verdict": verdict(results[0]),
                  "falsified": [[what, verdict(r)] for (what, _), r in zip(copies, results[1:])]}
        yield f"{n:04d} {story.id} v{story.version}", record


def digest(record: dict) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def main(argv: list[str]) -> None:
    update = "--update" in argv
    out = next((Path(a) for a in argv if not a.startswith("--")), None)
    recorded: dict[str, dict[str, str]] = {}
    for name, night_dir in NIGHTS.items():
        if not (night_dir / "councils.csv").exists():
            sys.exit(f"{night_dir} is absent")
        recorded[name] = {}
        lines = []
        for label, record in records(night_dir):
            recorded[name][label] = digest(record)
            if out:
                lines.append(json.dumps({"label": label, **record}, sort_keys=True, ensure_ascii=False))
        if out:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(name, len(recorded[name]), "story versions", file=sys.stderr)
    if update:
        DIGESTS.parent.mkdir(exist_ok=True)
        DIGESTS.write_text(json.dumps(recorded, indent=0, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
