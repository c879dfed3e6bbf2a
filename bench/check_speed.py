"""How fast the fact-check gate is: µs per story on the 2022 night's council stories.

    python bench/check_speed.py [--night ../shared/data/le2022] [--repeat 5] [--profile]

Prints, per story (CPU time of this process, best of --repeat runs):

- cold: a fresh night's caches (no paragraph analysed, no sentence shape read) — the cost
  of a story the gate has never seen anything like;
- warm: sentence shapes known (the night's templates read once), paragraphs new — the usual
  case once a night is under way;
- repeat: the same stories again (a re-check of an unchanged draft);
- check() one at a time against check_many() in one spaCy pass;
- spaCy's part alone, on the same prose: the tokenizer, then the tokenizer, sentencizer,
  EntityRuler matches and the figure and word PhraseMatchers (the floor any check paying
  spaCy for every story's text starts from);
- for scale, drafting the same stories, and a fixed pure-Python loop (this machine's speed).

``--all`` measures every standing story of the night (ward snippets and group stories too)
instead of the council stories. ``--code DIR`` imports the writer from DIR (the rules and the
night are still this checkout's).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from stats import reference_ms  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--night", default=str(ROOT.parent / "shared" / "data" / "le2022"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--all", action="store_true", help="every standing story, not only council stories")
    ap.add_argument("--code", help="import the writer from this directory instead (a copy built another "
                                   "way: bench/compiled_gate.py)")
    args = ap.parse_args()
    if args.code:
        sys.path.insert(0, str(Path(args.code).resolve()))

    from writer.check import FactChecker
    from writer.night import draft_night
    from writer.draft.style import PartyNames

    clock = time.process_time
    t = clock()
    night, engine, desk = draft_night(args.night)
    feed = [s for s in desk.feed if s.status != "retracted"]
    drafting = (clock() - t) / len(feed) * 1e6
    stories = [s for s in desk.current() if args.all or s.kind == "council"]
    words = sum(len(s.text().split()) for s in stories) / len(stories)

    t = clock()
    checker = FactChecker.for_night(night.setup, PartyNames.load(ROOT / "rules" / "parties.yaml"))
    build = clock() - t
    checker.check_many(feed)  # learn the night's wards and parties, as a night would

    def best(fn, prepare=lambda: None) -> float:
        out = float("inf")
        for _ in range(args.repeat):
            prepare()
            t = clock()
            fn()
            out = min(out, clock() - t)
        return out / len(stories) * 1e6

    from writer.check import lexicon as lexicon_module
    from writer.check import quotes as quotes_module

    def cold():
        checker.reader.cache.clear()
        checker._plans.clear()
        checker._evidence_cache.clear()
        # the night's quotations compiled and ward names normalised (string-keyed, per process)
        for cache in (quotes_module._QUOTE_PATTERNS, quotes_module._QUOTE_WORDS, quotes_module._QUOTE_SOURCES,
                      quotes_module._QUOTATIONS, quotes_module._ALTERNATIVES, lexicon_module._WARD_KEYS):
            cache.clear()

    def new_paragraphs():
        checker.reader.cache.clear()
        checker._evidence_cache.clear()

    results = {
        "cold": best(lambda: checker.check_many(stories), cold),
        "warm": best(lambda: checker.check_many(stories), new_paragraphs),
        "repeat": best(lambda: checker.check_many(stories)),
        "check() warm": best(lambda: [checker.check(s) for s in stories], new_paragraphs),
    }
    # spaCy's part alone, on the prose the gate gives it (tables and disclosure lines left out)
    from writer.check.checker import _Check
    prose = []
    for s in stories:
        check = _Check(s.text(), checker._evidence(s.evidence))
        prose.append("\n\n".join(check.text[a:b] for a, b in checker._prepare(check, True)))
    pipeline = checker.reader
    make_doc = pipeline.nlp.make_doc

    def spacy_side():
        docs = [make_doc(t) for t in prose]
        pipeline.sentencizer.predict(docs)
        for d in docs:
            pipeline.ents(d)
            pipeline._matches(d)

    tokens = sum(len(make_doc(t)) for t in prose) / len(prose)
    results["spaCy tokenizer"] = best(lambda: [make_doc(t) for t in prose])
    results["spaCy side"] = best(spacy_side)
    loop = reference_ms()
    assert all(r.ok for r in checker.check_many(stories))
    print(f"{len(stories)} {'stories' if args.all else 'council stories'}, {words:.0f} words each on average "
          f"({tokens:.0f} tokens of prose); gate built in {build:.2f} s")
    for name, us in results.items():
        print(f"  {name:<14} {us:8.0f} µs/story  ({1e6 / us:,.0f} stories/s)")
    print(f"  drafting       {drafting:8.0f} µs/story (every story version of the night, for scale)")
    print(f"  sum(range(100_000)) takes {loop:.2f} ms here (about 0.6-0.9 ms on a current laptop core)")
    if args.profile:
        import cProfile
        import pstats
        cold()
        cProfile.runctx("checker.check_many(stories)", globals(), locals(), "/tmp/check_speed.prof")
        pstats.Stats("/tmp/check_speed.prof").sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
