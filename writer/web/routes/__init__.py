"""The review app's pages, one router per part: sign-in (:mod:`.auth`), the queue
(:mod:`.queue`), a story and what editors do to it (:mod:`.story`), and the chief's controls:
rules' auto-publish settings and withdrawing a declaration (:mod:`.rules`). Each takes what it
works on from ``request.app.state`` (see :mod:`writer.web.pages`). The declarations API and
the public feeds are routers of their own (:mod:`writer.web.api`, :mod:`writer.web.feeds`).
"""

from writer.web.routes import auth, queue, rules, story

#: the pages' routers, in the order the app includes them
PAGES = (auth.router, queue.router, story.router, rules.router)

__all__ = ["PAGES"]
