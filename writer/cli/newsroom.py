"""``writer serve``, ``writer demo`` and ``writer users``: the review app's commands.

    writer users add alice --role editor            # asks for the password (or --password-stdin)
    writer serve --night samples/demo-night         # http://127.0.0.1:8000
    writer demo                                     # a fresh store, the demo night replayed live

The store is ``--database URL`` (a SQLAlchemy URL or a SQLite file path), else
``WRITER_DATABASE_URL``, else ``./writer.db``. The session cookie is signed with
``WRITER_SECRET_KEY`` (else a random key: everyone signs in again after a restart).
"""

from __future__ import annotations

import ipaddress
import secrets
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import click

from writer.cli.common import database_option, open_store, rules_option
from writer.errors import InputError

ROLES = ("editor", "chief")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _read_password(password_stdin: bool, confirm: bool = True, username: str = "") -> str:
    """A new password: refused when blank, short or easy to guess (``security.password_problem``)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=confirm)
    from writer.web.security import password_problem
    problem = password_problem(password, username=username)
    if problem is not None:
        raise click.BadParameter(problem, param_hint="password")
    return password


# -- users ------------------------------------------------------------------------------------
@click.group("users")
def users() -> None:
    """Who can sign in to the review app (passwords are stored as argon2 hashes)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="editor: edit, approve, reject, hold. chief: also override a failed fact-check "
                   "and change rules' auto-publish settings.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@database_option
def users_add(name: str, role: str, password_stdin: bool, database: str | None) -> None:
    """Add a user NAME who signs in with a password."""
    from writer.store.users import ReviewRecords
    from writer.web.security import hash_password
    name = name.strip()
    if not name or len(name) > 64 or any(c.isspace() or not c.isprintable() for c in name):
        raise click.BadParameter("a name is 1 to 64 printable characters without spaces", param_hint="NAME")
    store = open_store(database)
    try:
        records = ReviewRecords(store)
        existing = records.user(name)  # any case: ED is ed
        if existing is not None and (existing.active or existing.username != name):
            raise click.BadParameter(f"{existing.username!r} already exists (writer users password "
                                     f"{existing.username} gives them a new password)", param_hint="NAME")
        records.add_user(name, role, hash_password(_read_password(password_stdin, username=name)), by="cli")
    finally:
        store.close()
    click.echo(f"Added {name} ({role}).", err=True)


@contextmanager
def _active_user(database: str | None, name: str):
    """(the store's review records, NAME's row) for a change to a user who can sign in; a
    usage error naming NAME where there is none; the store closed afterwards."""
    from writer.store.users import ReviewRecords
    store = open_store(database)
    try:
        records = ReviewRecords(store)
        row = records.user(name)
        if row is None or not row.active:
            raise click.BadParameter(f"no user {name!r}", param_hint="NAME")
        yield records, row
    finally:
        store.close()


@users.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@database_option
def users_password(name: str, password_stdin: bool, database: str | None) -> None:
    """Give NAME a new password (their sessions end)."""
    from writer.web.security import hash_password
    with _active_user(database, name) as (records, row):
        records.add_user(row.username, row.role,
                         hash_password(_read_password(password_stdin, username=row.username)), by="cli")
    click.echo(f"New password for {name}.", err=True)


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@database_option
def users_role(name: str, role: str, database: str | None) -> None:
    """Change NAME's role."""
    with _active_user(database, name) as (records, row):
        records.add_user(row.username, role, row.password_hash, by="cli")  # their sessions end
    click.echo(f"{row.username} is now {role}.", err=True)


@users.command("disable")
@click.argument("name")
@database_option
def users_disable(name: str, database: str | None) -> None:
    """Stop NAME signing in (their sessions end at once)."""
    with _active_user(database, name) as (records, row):
        records.add_user(row.username, row.role, row.password_hash, by="cli", active=False)
    click.echo(f"{row.username} can no longer sign in.", err=True)


@users.command("list")
@database_option
def users_list(database: str | None) -> None:
    """Every user: name, role, whether they can sign in."""
    from writer.store.users import ReviewRecords
    store = open_store(database)
    try:
        for u in ReviewRecords(store).users():
            click.echo(f"{u.username}\t{u.role}\t{'active' if u.active else 'disabled'}")
    finally:
        store.close()


# -- serve ------------------------------------------------------------------------------------
def publishing_options(f):
    f = click.option("--roundup-every", type=click.FloatRange(0), default=600.0, show_default=True,
                     help="Seconds between redrafts of the story of the night (0: never).")(f)
    f = click.option("--publish-every", type=click.FloatRange(0.5, 3600), default=5.0, show_default=True,
                     help="Seconds between publishing runs (release what is due, deliver it).")(f)
    f = click.option("--scheduler/--no-scheduler", default=True, show_default=True,
                     help="Run the publishing scheduler here (only one process per database runs it).")(f)
    return f


def _publishing(store, night, pipeline, lock, rules, base_url: str, publish_every: float, roundup_every: float,
                checker):
    """The publisher, its scheduler and the feeds, with ``checker`` (the fact-checker, or None
    when it cannot run) as its fact-check gate."""
    from writer.publish.service import Publishing
    from writer.review.checks import FactChecks
    try:
        publishing = Publishing.build(store, night, checker=FactChecks(store, checker), pipeline=pipeline,
                                      ingest_lock=lock, rules_dir=rules, base_url=base_url,
                                      publish_every=publish_every, roundup_every=roundup_every)
    except ValueError as exc:
        store.close()
        raise click.ClickException(str(exc)) from exc
    targets = ", ".join(t.name for t in publishing.targets) or "no CMS (set WP_URL or WRITER_WEBHOOK_URL)"
    click.echo(f"Publishing to the feeds ({base_url}/feeds/) and {targets}", err=True)
    return publishing


def _fact_checker(night, rules):
    """The night's fact-checker, or None (said on stderr) when it cannot run: then nothing a
    rule publishes goes out unreviewed."""
    from writer.night import fact_checker, party_names
    try:
        return fact_checker(night, party_names(rules))
    except Exception as exc:  # noqa: BLE001 - without the check, nothing auto-publishes
        click.echo(f"The fact-check is unavailable ({exc}): only approved stories will go out.", err=True)
        return None


def _listen(host: str, port: int):
    """The server's listening socket, bound before anything else is done (no store made, no
    password printed for a server that cannot start). A port in use or an address that cannot
    be bound is a usage error (exit code 2) naming the fix."""
    import errno
    import socket
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise click.BadParameter(f"cannot serve on {host!r}: {exc.strerror}", param_hint="--host") from None
    family, _type, proto, _name, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise click.UsageError(f"port {port} is in use: try --port {port + 1 if port < 65535 else 8001}") from None
        if exc.errno == errno.EACCES:
            raise click.UsageError(f"port {port} needs privileges on this machine: try --port 8000") from None
        raise click.UsageError(f"cannot serve on {host}:{port}: {exc.strerror}: check --host") from None
    sock.set_inheritable(True)
    return sock


def _server(app, host: str, port: int, log_level: str):
    import uvicorn
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, proxy_headers=False,
                            server_header=False)
    return uvicorn.Server(config)


def _run_app(app, host: str, port: int, log_level: str, sock=None) -> None:
    _server(app, host, port, log_level).run(sockets=[sock] if sock is not None else None)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--night", "night_dir", type=click.Path(exists=True, file_okay=False), envvar="WRITER_NIGHT",
              help="The night's election directory ($WRITER_NIGHT): needed for the fact-check, "
                   "the evidence and POST /api/declarations.")
@rules_option
@click.option("--secure-cookies/--no-secure-cookies", default=None,
              help="Mark the session cookie Secure (default: yes unless serving on a loopback "
                   "address; put HTTPS in front of any other).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@publishing_options
@database_option
def serve(host: str, port: int, night_dir: str | None, rules_dir: str | None,
          secure_cookies: bool | None, log_level: str, scheduler: bool, publish_every: float,
          roundup_every: float, database: str | None) -> None:
    """Run the review app (the queue, stories, fact-checks, decisions), the public feeds and
    the publishing scheduler on HOST:PORT."""
    from writer.web.app import create_app
    sock = _listen(host, port)  # first: a port in use is said before anything else is done
    store = open_store(database)
    if night_dir is None:
        click.echo("No --night: the fact-check, POST /api/declarations, the feeds and publishing "
                   "are unavailable, and approving needs a chief's override.", err=True)
    secure = (not _loopback(host)) if secure_cookies is None else secure_cookies
    rules = Path(rules_dir) if rules_dir else None
    lock = threading.Lock()
    server = None
    startup = None
    if night_dir is not None:
        from writer.web.startup import NightParts, Startup

        def prepare() -> NightParts:
            # made while the app already answers the sign-in page (writer.web.startup)
            from writer import night as wiring
            night = wiring.load(night_dir, rules)
            pipeline = wiring.open_pipeline(store, night, rules)
            checker = _fact_checker(night, rules)
            publishing = _publishing(store, night, pipeline, lock, rules, f"http://{host}:{port}",
                                     publish_every, roundup_every, checker)
            if scheduler:
                publishing.start()
            return NightParts(night, pipeline, checker, publishing)

        def stop_serving(_exc: BaseException) -> None:
            if server is not None:
                server.should_exit = True

        startup = Startup(prepare, on_failure=stop_serving)
    app = create_app(store, rules_dir=rules, https_only=secure, ingest_lock=lock, startup=startup)
    click.echo(f"Review app for {store.url} on http://{host}:{port}/"
               + (" (the night is loading)" if startup is not None else ""), err=True)
    try:
        server = _server(app, host, port, log_level)
        server.run(sockets=[sock])
    finally:
        if startup is not None:
            startup.stop()
        store.close()
        sock.close()
    if startup is not None and startup.error is not None:
        exc = startup.error
        if isinstance(exc, click.ClickException):
            raise exc
        if isinstance(exc, InputError):
            raise click.ClickException(str(exc)) from exc
        raise click.ClickException(f"the night could not be made ready: {exc}") from exc


# -- demo -------------------------------------------------------------------------------------
@click.command("demo")
@click.option("--speed", type=float, default=600.0, show_default=True,
              help="Night seconds per real second (600: the night in about two minutes; 0: all at once).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--database", "database", type=click.Path(dir_okay=False), default=None,
              help="The SQLite file to create (default: a new one in a temporary directory).")
@click.option("--password", envvar="WRITER_DEMO_PASSWORD", default=None,
              help="The demo users' password ($WRITER_DEMO_PASSWORD; default: a random one, printed).")
@click.option("--serve/--no-serve", "run_server", default=True, show_default=True,
              help="Serve the app (--no-serve: load the night into the store and stop).")
@publishing_options
def demo(speed: float, host: str, port: int, database: str | None, password: str | None,
         run_server: bool, scheduler: bool, publish_every: float, roundup_every: float) -> None:
    """Replay the demo night into a fresh store and serve the review app on it.

    Creates the demo users `editor` (role editor) and `chief` (role chief) and prints the
    address and how to sign in; stories arrive in the queue as the night replays."""
    from writer import night as wiring
    from writer import resources
    from writer.ingest.replay import replay
    from writer.store.users import ReviewRecords
    from writer.web.security import hash_password, password_problem

    if speed < 0:
        raise click.BadParameter("must be 0 (all at once) or more", param_hint="--speed")
    problem = password_problem(password) if password is not None else None
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    if database is not None and Path(database).exists():
        raise click.BadParameter(f"{database} exists: the demo makes a fresh store", param_hint="--database")
    sock = _listen(host, port) if run_server else None  # before a password is printed or a store made
    if database is None:
        database = str(Path(tempfile.mkdtemp(prefix="writer-demo-")) / "demo.db")
    night_dir = resources.demo_night()
    night = wiring.load(night_dir)
    store = open_store(database)
    password = password or secrets.token_urlsafe(9)
    records = ReviewRecords(store)
    hashed = hash_password(password)
    records.add_user("editor", "editor", hashed, by="demo")
    records.add_user("chief", "chief", hashed, by="demo")
    pipeline = wiring.open_pipeline(store, night)
    lock = threading.Lock()
    declarations = list(night.declarations)

    def feed() -> None:
        for decl in replay(declarations, speed=speed):
            with lock:
                pipeline.ingest(decl)

    url = f"http://{host}:{port}/"
    if speed == 0 or not run_server:
        feed()
        click.echo(f"Replayed {len(declarations)} declarations into {database}.", err=True)
    if not run_server:
        store.close()
        return
    assert sock is not None
    if speed > 0:
        threading.Thread(target=feed, name="demo-replay", daemon=True).start()
    from writer.web.app import create_app
    checker = _fact_checker(night, None)
    publishing = _publishing(store, night, pipeline, lock, None, url.rstrip("/"), publish_every, roundup_every,
                             checker)
    app = create_app(store, night=night, pipeline=pipeline, ingest_lock=lock, https_only=not _loopback(host),
                     publishing=publishing, checker=checker)
    click.echo(f"The demo night ({len(declarations)} declarations"
               + (f", replaying at {speed:g}x" if speed > 0 else "") + f") in {database}")
    click.echo(f"Open {url} and sign in as editor (or chief) with the password {password}")
    click.echo("Keys: j/k next/previous, Enter open, e edit, a then Enter approve, r then Enter reject, ? help")
    click.echo(f"Approved stories appear in the feeds at {url}feeds/")
    try:
        if scheduler:
            publishing.start()
        _run_app(app, host, port, "warning", sock)
    finally:
        publishing.stop()
        store.close()
        sock.close()


COMMANDS = (serve, demo, users)
