"""Publishing: what is released to readers and when (``release``), the feeds
(``feeds``), the CMS adapters (``cms``), the seat charts (``chart``), the publisher that
delivers releases to each CMS (``publisher``) and the scheduler that runs it (``scheduler``).
"""
