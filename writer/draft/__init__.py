"""Drafting: Jinja2 templates turn a story's events into copy (``drafter``), in house style
(``style``); the desk keeps every story up to date as events change (``desk``); ``roundup``
drafts the story of the night and ``quality`` reports on a night's copy. What a story is
and how it renders: ``story``. A night is wired together in :mod:`writer.night`."""
