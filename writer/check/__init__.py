"""The fact-check gate: a story may state only what its evidence supports.

    checker = FactChecker.for_night(night.setup, names)   # once per night
    result = checker.check(story)                           # story.text() vs story.evidence
    result = checker.check_text(edited_text, story.evidence)
    results = checker.check_many(stories)                   # one spaCy pass for many

See :mod:`writer.check.checker` for what is checked and how.
"""

from writer.check.checker import DISCLOSURES, FactChecker, Failure, Verdict

__all__ = ["DISCLOSURES", "FactChecker", "Failure", "Verdict"]
