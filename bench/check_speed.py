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

``--in-order`` measures what a night does instead: a fresh gate (built untimed, after the
night's objects are frozen out of the collector's way, as the CLI does) checking every story
version of the night one at a time in the order drafted, best of --repeat gates; µs per
version, with the share of that time in the gate's main stages (timed in a further, separate
pass: the timers cost a little). Each gate is built, then the collector run and everything
alive frozen (as the CLI does whenever a council declares), so that no earlier gate's garbage
is collected in its time.
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
    ap.add_argument("--in-order", action="store_true", help="a fresh gate over the night's story versions in "
                                                              "the order drafted, one check at a time")
    args = ap.parse_args()
    if args.code:
        sys.path.insert(0, str(Path(args.code).resolve()))
    if args.in_order:
        in_order(args)
        return

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


def in_order(args) -> None:
    """A fresh gate over the night's story versions in the order drafted (see the module's
    docstring)."""
    import gc

    from writer.check import FactChecker
    from writer.draft.style import PartyNames
    from writer.night import draft_night
    from writer.runtime import freeze_long_lived

    night, _, desk = draft_night(args.night)
    versions = list(desk.feed)
    names = PartyNames.load(ROOT / "rules" / "parties.yaml")
    gc.collect()
    freeze_long_lived()
    clock = time.process_time
    times = []
    for _ in range(args.repeat):
        checker = FactChecker.for_night(night.setup, names)
        gc.collect()  # the gates before this one: their garbage is no part of this night
        freeze_long_lived()  # as the CLI does whenever a council declares
        start = clock()
        verdicts = [checker.check(story) for story in versions]
        times.append(clock() - start)
        del checker
    failed = sum(not v.ok for v in verdicts)
    loop = reference_ms()
    print(f"{len(versions)} story versions of {Path(args.night).name} checked in order by a fresh gate "
          f"({failed} failing, as drafted)")
    print(f"  best {min(times) / len(versions) * 1e6:8.0f} µs/version  (each gate: "
          f"{', '.join(f'{t / len(versions) * 1e6:.0f}' for t in times)})")
    for stage, share in _stages(night, names, versions).items():
        print(f"    {stage:<34} {share:5.1%}")
    print(f"  sum(range(100_000)) takes {loop:.2f} ms here (about 0.6-0.9 ms on a current laptop core)")


def _stages(night, names, versions) -> dict[str, float]:
    """The share of a fresh gate's time in its main stages, timed by wrapping them."""
    from collections import Counter

    import gc

    from writer.check import FactChecker
    from writer.check import checker as checker_module
    from writer.check import reader as reader_module
    from writer.runtime import freeze_long_lived

    spent: Counter = Counter()
    clock = time.perf_counter
    stages = [(checker_module.FactChecker, "_evidence", "evidence indexed, names learnt"),
              (checker_module.FactChecker, "_prepare", "hostile text, table, disclosure"),
              (checker_module.FactChecker, "_flush", "new names to the EntityRuler"),
              (reader_module.ProseReader, "analyse_many", "prose read (spaCy and the reader)"),
              (checker_module, "quoted_spans", "quotations found"),
              (checker_module.FactChecker, "_items", "paragraph: items"),
              (checker_module, "_skeleton", "paragraph: skeletons"),
              (checker_module.FactChecker, "_plan", "paragraph: plans (new skeletons read)"),
              (checker_module.FactChecker, "_check_sentence", "paragraph: the checks"),
              (checker_module.FactChecker, "_paragraph", "paragraph: all")]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in stages]

    def timed(function, label):
        def wrapper(*args, **kwargs):
            start = clock()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += clock() - start
        return wrapper

    checker = FactChecker.for_night(night.setup, names)  # (its own first names to the ruler untimed)
    gc.collect()
    freeze_long_lived()
    try:
        for (owner, name, label), (_, _, function) in zip(stages, saved):
            setattr(owner, name, timed(function, label))
        start = clock()
        for story in versions:
            checker.check(story)
        total = clock() - start
    finally:
        for owner, name, function in saved:
            setattr(owner, name, function)
    return {label: spent[label] / total for _, _, label in stages}


if __name__ == "__main__":
    main()
