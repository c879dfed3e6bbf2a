"""The night's scheduler: APScheduler with its job store in the writer's own database, and
a lease in the database so that only one process runs it.

    scheduler = NightScheduler(store, publisher, roundup=..., pollers=[...])
    scheduler.start()        # contends for the lease; runs the jobs while it holds it
    scheduler.stop()         # gives the lease up at once

Jobs (in ``apscheduler_jobs``, so they survive a restart):

- ``publish``: every ``publish_every`` seconds, release what is due and deliver it
  (``Publisher.run``);
- ``embargo:<story>``: a one-off job at an embargoed story's publish time, so it goes out on
  the minute rather than at the next sweep;
- ``roundup``: every ``roundup_every`` seconds while results come in, redraft the story of
  the night (a new version only when its text changed; it goes out as any story does, when
  approved or when its rules publish without review);
- ``poll:<n>``: every ``poll_every`` seconds, poll an inbound results feed and ingest what
  it brings.

Misfires: a job that could not run at its time (the process was down, or busy) still runs if
it is less than ``GRACE_SECONDS`` (five minutes) late; several missed runs of a repeating job
are coalesced into one. An embargoed story whose job missed even that grace goes out at the
next ``publish`` sweep, late but never early.

The lease: every process that would run the scheduler calls ``acquire_lease`` every
``lease_seconds / 3``; the one holding the lease runs the jobs, the others wait. A holder that
dies stops renewing and another process takes over within ``lease_seconds``. Each job first
checks that the term this process holds has not run out (a process that could not renew,
say it was paused, runs nothing once another may have taken over), and a publishing run also
takes the store's ``publish`` lock (``Publisher.run``): two processes never publish at once.
If the database is away (PostgreSQL restarting), the holder keeps its jobs until its term
runs out (they fail and are tried again at their next run) and renews as soon as it is back.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from writer.store.db import is_outage
from writer.store.publishing import JOBS_TABLE, PublishRecords

log = logging.getLogger(__name__)

GRACE_SECONDS = 300
PUBLISH_EVERY = 5.0
ROUNDUP_EVERY = 600.0
POLL_EVERY = 30.0
LEASE_SECONDS = 30.0
LEASE_MARGIN = 2.0  # seconds before its term runs out that a holder stops starting jobs

_ACTIVE: "NightScheduler | None" = None  # the scheduler whose jobs run in this process


# Job functions are referenced by name in the job store, so they live at module level and
# find the running scheduler through _ACTIVE.
def run_publish() -> None:
    if _ACTIVE is not None:
        _ACTIVE.publish()


def run_roundup() -> None:
    if _ACTIVE is not None:
        _ACTIVE.roundup()


def run_poll(index: int) -> None:
    if _ACTIVE is not None:
        _ACTIVE.poll(index)


def _log_failure(what: str, exc: BaseException) -> None:
    """A job failed: one line when the database is away (it is tried again at the next run),
    the traceback otherwise."""
    if is_outage(exc):
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        log.warning("%s: the database is away (%s); the next run tries again", what, first[:300])
    else:
        log.exception(what)


class NightScheduler:
    def __init__(self, store, publisher, *, roundup: Callable[[], Any] | None = None,
                 pollers: Sequence[Any] = (), ingest: Callable[[Any], Any] | None = None,
                 publish_every: float = PUBLISH_EVERY, roundup_every: float = ROUNDUP_EVERY,
                 poll_every: float = POLL_EVERY, lease_seconds: float = LEASE_SECONDS,
                 holder: str | None = None) -> None:
        self.store = store
        self.publisher = publisher
        self.roundup_job = roundup
        self.pollers = list(pollers)
        self.ingest = ingest
        self.publish_every = publish_every
        self.roundup_every = roundup_every
        self.poll_every = poll_every
        self.lease_seconds = lease_seconds
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.records = PublishRecords(store)
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self.runs = 0
        self._expires: datetime | None = None  # when the term this process holds runs out

    # -- the lease ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.scheduler is not None and self.scheduler.running

    def start(self) -> None:
        """Contend for the lease in a background thread; run the jobs while holding it."""
        self._stop.clear()
        self._tick()
        self._thread = threading.Thread(target=self._loop, name="writer-scheduler-lease", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.lease_seconds / 3):
            self._tick()

    def holds(self, now: datetime | None = None) -> bool:
        """Whether this process's term of the lease is still running (with a margin): no
        other process can have taken the lease over."""
        now = now or datetime.now(timezone.utc)
        margin = min(LEASE_MARGIN, self.lease_seconds / 10)
        return self._expires is not None and now < self._expires - timedelta(seconds=margin)

    def _tick(self) -> None:
        now = datetime.now(timezone.utc)
        try:
            held = self.records.acquire_lease(self.holder, self.lease_seconds, now)
            self._expires = now + timedelta(seconds=self.lease_seconds) if held else None
        except Exception as exc:  # noqa: BLE001 - the database is away: keep what the term allows
            if is_outage(exc):
                log.warning("the scheduler lease could not be renewed (the database is away: %s); "
                            "trying again in %.0f s", str(exc).strip().splitlines()[0] if str(exc).strip() else
                            type(exc).__name__, self.lease_seconds / 3)
            else:
                log.exception("the scheduler lease could not be renewed")
            held = self.holds(now)
        if held and not self.running:
            self._start_jobs()
        elif not held and self.running:
            log.warning("the scheduler lease passed to %s; stopping the jobs here", self.records.lease_holder())
            self._stop_jobs()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._stop_jobs()
        self._expires = None
        try:
            self.records.release_lease(self.holder)
        except Exception:  # noqa: BLE001
            log.exception("giving the scheduler lease up failed")

    # -- jobs ---------------------------------------------------------------------------------
    def _start_jobs(self) -> None:
        global _ACTIVE
        engine = self.store.engine
        if engine.dialect.name == "sqlite":  # take the write lock at BEGIN and wait for it, as the store does
            engine = engine.execution_options(sqlite_immediate=True)
        store = SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)
        sched = BackgroundScheduler(
            jobstores={"default": store}, executors={"default": ThreadPoolExecutor(4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": GRACE_SECONDS},
            timezone=timezone.utc)
        _ACTIVE = self
        sched.start()
        sched.add_job(run_publish, "interval", seconds=self.publish_every, id="publish",
                      replace_existing=True, next_run_time=datetime.now(timezone.utc))
        if self.roundup_job is not None and self.roundup_every:
            sched.add_job(run_roundup, "interval", seconds=self.roundup_every, id="roundup", replace_existing=True)
        for i, _poller in enumerate(self.pollers):
            sched.add_job(run_poll, "interval", seconds=self.poll_every, args=[i], id=f"poll:{i}",
                          replace_existing=True, next_run_time=datetime.now(timezone.utc))
        self.scheduler = sched
        log.info("scheduler started by %s", self.holder)

    def _stop_jobs(self) -> None:
        global _ACTIVE
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.scheduler = None
        if _ACTIVE is self:
            _ACTIVE = None

    def jobs(self) -> list[dict[str, Any]]:
        if not self.running:
            return []
        return [{"id": j.id, "next": j.next_run_time} for j in self.scheduler.get_jobs()]

    def _fenced(self, job: str) -> bool:
        if self.holds():
            return False
        log.warning("%s not run: this process's term of the scheduler lease has run out", job)
        return True

    def publish(self) -> Any:
        if self._fenced("publishing"):
            return None
        try:
            report = self.publisher.run()
        except Exception as exc:  # noqa: BLE001 - logged and shown; the next run tries again
            self.last_error = f"publishing failed: {exc}"
            _log_failure("publishing failed", exc)
            return None
        self.runs += 1
        self.last_error = None
        if self.running:
            for story_id, due in report.waiting:
                self.scheduler.add_job(run_publish, "date", run_date=due, id=f"embargo:{story_id}",
                                       replace_existing=True)
        return report

    def roundup(self) -> Any:
        if self._fenced("the story of the night"):
            return None
        try:
            return self.roundup_job()
        except Exception as exc:  # noqa: BLE001
            self.last_error = f"the story of the night failed: {exc}"
            _log_failure("redrafting the story of the night failed", exc)
            return None

    def poll(self, index: int) -> Any:
        poller = self.pollers[index]
        if self._fenced(f"polling {getattr(poller, 'url', index)}"):
            return None
        try:
            polled = poller.poll()
        except Exception as exc:  # noqa: BLE001
            self.last_error = f"polling {getattr(poller, 'url', index)} failed: {exc}"
            log.exception("polling %s failed", getattr(poller, "url", index))
            return None
        for problem in getattr(polled, "problems", ()) or ():
            log.warning("feed %s: %s", getattr(poller, "url", index), problem)
        if self.ingest is not None:
            for decl in getattr(polled, "declarations", ()) or ():
                try:
                    self.ingest(decl)
                except Exception:  # noqa: BLE001 - one bad declaration does not stop the rest
                    log.exception("ingesting %s from the feed failed", getattr(decl, "id", "?"))
        return polled
