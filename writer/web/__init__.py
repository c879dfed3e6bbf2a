"""The review app: sign-in, the queue, a story's evidence, fact-check, edits and decisions.

``writer.web.app.create_app(store, night_dir)`` builds the FastAPI app; ``writer.web.commands``
has the ``serve``, ``demo`` and ``users`` commands. Imports are lazy so that the rest of the
writer does not need FastAPI.
"""


def create_app(*args, **kwargs):
    from writer.web.app import create_app as _create_app
    return _create_app(*args, **kwargs)


__all__ = ["create_app"]
