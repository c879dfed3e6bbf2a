"""Answering at once while the night loads: the review app's start in two steps.

``writer serve --night DIR`` needs the night loaded, its pipeline brought up to what the
store holds (every declaration replayed through the engine and the desk), the fact-checker
(spaCy) and the publisher before it can take a declaration or show the queue: several
seconds, and more on a store that holds a whole night. None of it is needed to show the
sign-in page. So the app is built on the store alone and starts answering at once; the
night's parts are made in a background thread (:class:`Startup`) and put in place when
they are all ready. Meanwhile:

- ``/login``, ``/logout``, ``/``, ``/favicon.ico`` and ``/static/...`` answer as usual;
- ``/healthz`` answers 503 with ``Retry-After`` (``{"ok": false, "starting": true}``), so
  whatever waits for the server to be ready (a load balancer, a test) still waits for 200;
- every other request (the queue, a story, the API, the feeds) waits until the night is
  ready, then is answered as it would have been: nothing is served from half a night.

If making the night's parts fails (an invalid election directory, say), the requests
waiting get 503, ``/healthz`` says why, and ``on_failure`` is called with the exception
(``writer serve`` stops the server then and reports the error as it did before it served).

    startup = Startup(prepare, on_failure=lambda exc: server.stop())
    app = create_app(store, startup=startup, ...)   # prepare runs when the server starts
    ...
    startup.stop()                                  # on shutdown: stops what was made
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse, PlainTextResponse

log = logging.getLogger(__name__)

#: paths answered before the night is ready (exact), and prefixes
AT_ONCE = frozenset({"/", "/healthz", "/favicon.ico", "/login", "/logout"})
AT_ONCE_PREFIXES = ("/static/",)
RETRY_AFTER = 2  # seconds


@dataclass
class NightParts:
    """What the app needs the night for: the night (a :class:`writer.model.Night`), the
    pipeline the declarations API ingests through, the fact-checker (None when it cannot
    run) and the publisher with its scheduler and feeds (None without one)."""

    night: Any
    pipeline: Any = None
    checker: Any = None
    publishing: Any = None

    def close(self) -> None:
        if self.publishing is not None:
            self.publishing.stop()


class Startup:
    """``prepare()`` (returning :class:`NightParts`) run in a background thread once the
    server is up, and the app's requests held until it is done (see the module's docstring).

    ``on_failure(exc)`` is called from that thread if ``prepare`` raises."""

    def __init__(self, prepare: Callable[[], NightParts], *,
                 on_failure: Callable[[BaseException], None] | None = None) -> None:
        self.prepare = prepare
        self.on_failure = on_failure
        self.parts: NightParts | None = None
        self.error: BaseException | None = None
        self.ready = False  # the parts are in place in the app
        self.seconds: float | None = None  # how long prepare took
        self._done: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._lock = threading.Lock()

    @property
    def pending(self) -> bool:
        """Neither ready nor failed."""
        return not self.ready and self.error is None

    def begin(self, attach: Callable[[NightParts], None],
              warm: Callable[[NightParts], None] | None = None) -> None:
        """Start ``prepare`` in a background thread (call it from the server's event loop);
        ``warm(parts)`` then runs in that thread (what the first requests would otherwise
        work out), and ``attach(parts)`` in that loop, before any held request goes on."""
        if self._thread is not None:
            raise RuntimeError("this startup has already begun")
        loop = asyncio.get_running_loop()
        self._done = asyncio.Event()

        def finish(parts: NightParts | None) -> None:  # in the event loop
            if parts is not None:
                try:
                    attach(parts)
                    self.ready = True
                except Exception as exc:  # noqa: BLE001 - said as any failure to prepare
                    self._failed(exc)
            assert self._done is not None
            self._done.set()

        def run() -> None:  # in the background thread
            started = time.perf_counter()
            try:
                parts = self.prepare()
                if warm is not None:
                    warm(parts)
            except BaseException as exc:  # noqa: BLE001 - reported, and the server told
                self._failed(exc)
                parts = None
            else:
                self.seconds = time.perf_counter() - started
                with self._lock:
                    self.parts = parts
                    stopped = self._stopped
                if stopped:  # the server stopped meanwhile: nothing to serve it to
                    parts.close()
                    return
                # everything alive now lives as long as the process: out of the collector's
                # passes (writer.runtime.freeze_long_lived), as the app does at start
                from writer.runtime import freeze_long_lived
                gc.collect()
                freeze_long_lived()
                log.info("the night is ready (%.1f s)", self.seconds)
            try:
                loop.call_soon_threadsafe(finish, parts)
            except RuntimeError:  # the loop has closed: the server stopped
                if parts is not None:
                    parts.close()

        self._thread = threading.Thread(target=run, name="writer-startup", daemon=True)
        self._thread.start()

    def _failed(self, exc: BaseException) -> None:
        self.error = exc
        if self.on_failure is None or not _expected(exc):  # else the caller says it (bad input, say)
            log.error("the night could not be made ready: %s", exc, exc_info=not _expected(exc))
        if self.on_failure is not None:
            try:
                self.on_failure(exc)
            except Exception:  # noqa: BLE001 - the failure itself is what matters
                log.exception("on_failure raised")

    async def wait(self) -> bool:
        """Until the parts are in place (True) or making them failed (False)."""
        if self.ready:
            return True
        if self._done is None:  # not begun: a server that never started the app
            return False
        await self._done.wait()
        return self.ready

    def stop(self, timeout: float = 0.0) -> None:
        """The server is stopping: close what was made (the publisher's scheduler), now or,
        when ``prepare`` is still running, as soon as it returns. ``timeout``: seconds to
        wait for it first."""
        if self._thread is not None and timeout > 0:
            self._thread.join(timeout)
        with self._lock:
            self._stopped = True
            parts = self.parts
        if parts is not None:
            parts.close()

    def problem(self) -> str:
        """What went wrong, in a line or a list (for ``/healthz`` and held requests)."""
        if self.error is None:
            return ""
        render = getattr(self.error, "render", None)  # writer.errors.InputError lists every problem
        text = render(limit=20) if callable(render) else str(self.error)
        return text or type(self.error).__name__


def _expected(exc: BaseException) -> bool:
    """Failures that explain themselves (bad input, a usage error): no traceback."""
    from writer.errors import InputError
    return isinstance(exc, InputError) or type(exc).__name__ in ("ClickException", "UsageError", "BadParameter")


def at_once(path: str) -> bool:
    """Whether ``path`` is answered before the night is ready."""
    return path in AT_ONCE or path.startswith(AT_ONCE_PREFIXES)


class HoldUntilReady:
    """ASGI middleware: while ``startup`` is pending, hold every HTTP request but those
    :func:`at_once` answers until the night is ready; 503 if it could not be made ready."""

    def __init__(self, app, startup: Startup) -> None:
        self.app = app
        self.startup = startup

    async def __call__(self, scope, receive, send) -> None:
        startup = self.startup
        if scope["type"] != "http" or startup.ready or at_once(scope["path"]):
            await self.app(scope, receive, send)
            return
        if not await startup.wait():
            await unavailable(startup, scope)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def unavailable(startup: Startup, scope) -> Any:
    """The 503 for a request the night is needed for, when it could not be made ready."""
    message = "The night could not be loaded, so this server cannot answer this: " + startup.problem()
    headers = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
    path = scope.get("path", "")
    accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
    if path.startswith("/api/") or "application/json" in accept:
        return JSONResponse({"detail": message}, status_code=503, headers=headers)
    return PlainTextResponse(message, status_code=503, headers=headers)


def health(startup: Startup | None, checker: Any) -> tuple[int, dict[str, Any]]:
    """``/healthz``'s status and body: 200 once the night is ready (or none was asked for)."""
    if startup is None or startup.ready:
        return 200, {"ok": True, "fact_check": checker is not None}
    if startup.error is not None:
        return 503, {"ok": False, "error": startup.problem()}
    return 503, {"ok": False, "starting": True}


__all__ = ["AT_ONCE", "HoldUntilReady", "NightParts", "Startup", "at_once", "health"]
