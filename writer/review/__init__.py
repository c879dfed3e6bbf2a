"""The review workflow, apart from the web: the queue of stories kept up to date from the
store (:mod:`writer.review.queue`), the fact-check gate (:mod:`writer.review.checks`), what
editors do to a story (:mod:`writer.review.workflow`: edit, approve, reject, hold, schedule)
and what the desk refuses (:mod:`writer.review.errors`). The review app (``writer.web``)
and the publisher both use it; it imports neither.
"""

from writer.review.checks import FactChecks
from writer.review.errors import Conflict, Forbidden, Invalid, NotFound, Refused, ReviewError
from writer.review.queue import Filters, QueueRow
from writer.review.workflow import Actor, Review, StoryView

__all__ = ["Actor", "Conflict", "FactChecks", "Filters", "Forbidden", "Invalid", "NotFound", "QueueRow",
           "Refused", "Review", "ReviewError", "StoryView"]
