"""The store: an append-only record of the night in SQLite (a local file, the default) or
PostgreSQL (``WRITER_DATABASE_URL``), with Alembic migrations run on open.

    store = open_store()                        # ./writer.db, or WRITER_DATABASE_URL
    pipeline = open_pipeline(store, night)      # writer.night: resumes from what is stored
    for decl in night.declarations:
        pipeline.ingest(decl)                   # declaration + events + stories, one transaction
"""

# every table is declared on one metadata (writer.store.base): importing the package registers them all
from writer.store import publishing, tokens, users, withdrawals  # noqa: F401
from writer.store.db import database_url, make_engine, migrate, open_store
from writer.store.models import (CheckResult, Declaration, EventRecord, ReviewDecision,
                                 StoryVersion)
from writer.store.payload import (declaration_from_payload, declaration_to_payload,
                                  story_from_payload, story_to_payload)
from writer.store.pipeline import Ingested, Pipeline, Resumed, ingest, resume
from writer.store.store import AppendOnlyError, Store, StoreError

__all__ = [
    "AppendOnlyError", "CheckResult", "Declaration", "EventRecord", "Ingested", "Pipeline",
    "ReviewDecision", "Resumed", "Store", "StoreError", "StoryVersion", "database_url",
    "declaration_from_payload", "declaration_to_payload", "ingest", "make_engine", "migrate",
    "open_store", "resume", "story_from_payload", "story_to_payload",
]
