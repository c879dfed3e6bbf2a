"""The review app: sign-in, the queue, a story's evidence, fact-check, edits and decisions;
the declarations API and the public feeds.

``writer.web.app.create_app(store, night)`` builds the FastAPI app from one router per part
(``writer.web.routes``, ``writer.web.api``, ``writer.web.feeds``); the review workflow it
serves is :mod:`writer.review`. The CLI's ``serve`` and ``demo`` commands run it. Imports are
lazy so that the rest of the writer does not need FastAPI.
"""


def create_app(*args, **kwargs):
    from writer.web.app import create_app as _create_app
    return _create_app(*args, **kwargs)


__all__ = ["create_app"]
