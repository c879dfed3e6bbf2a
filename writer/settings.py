"""Every setting the writer reads from its environment, in one table.

Each :class:`Setting` has the environment variable's name, its default and one line of
help; the README's settings section is generated from this table (:func:`markdown`, checked
by ``tests/test_settings.py``), the way datasette lists its settings. Code reads a setting
through :class:`Settings`, a frozen snapshot of the environment::

    settings = Settings.from_env()            # os.environ, now
    settings = Settings.from_env({"WP_URL": ...})   # any mapping (tests, a config file)
    settings.database_url, settings.secret_key, settings.feeds_in, ...

An empty variable counts as unset. Nothing here imports more than the standard library, so
every layer may read its settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    """One environment variable: ``name`` as set in the shell, the :class:`Settings`
    attribute it fills (``field``), its ``default`` as the README states it, its ``help``
    line and the ``group`` the README lists it under."""

    name: str
    field: str
    default: str
    help: str
    group: str


_STORE = "The store and the night"
_WEB = "The review app"
_DATA = "Rules and templates"
_CMS = "Publishing"
_TESTS = "Testing"

SETTINGS: tuple[Setting, ...] = (
    Setting("WRITER_DATABASE_URL", "database_url", "./writer.db",
            "The store: a database URL (postgresql://user@host/db) or a SQLite file; "
            "`--database` overrides it.", _STORE),
    Setting("WRITER_NIGHT", "night", "none",
            "The night's election directory for `writer serve` and `writer publish` when "
            "`--night` is not given.", _STORE),
    Setting("WRITER_SECRET_KEY", "secret_key", "a random key",
            "Signs the review app's session cookie; with the random default everyone signs in "
            "again after a restart.", _WEB),
    Setting("WRITER_DEMO_PASSWORD", "demo_password", "a random one, printed",
            "The demo users' password for `writer demo`.", _WEB),
    Setting("WRITER_RULES", "rules", "the writer's rules/",
            "An editor's own rules directory (rules, groups, parties); `--rules` overrides it.", _DATA),
    Setting("WRITER_TEMPLATES", "templates", "the writer's templates/",
            "An editor's own story templates directory.", _DATA),
    Setting("WP_URL", "wp_url", "none",
            "WordPress site to publish to (with WP_USER and WP_APP_PASSWORD).", _CMS),
    Setting("WP_USER", "wp_user", "none",
            "The WordPress user whose Application Password is WP_APP_PASSWORD.", _CMS),
    Setting("WP_APP_PASSWORD", "wp_app_password", "none",
            "A WordPress Application Password for WP_USER.", _CMS),
    Setting("WP_AUTHOR", "wp_author", "the Application Password's user",
            "The posts' author: a WordPress user id or login name.", _CMS),
    Setting("WP_COMMENTS", "wp_comments", "closed",
            "Comments on the posts: `open` or `closed`.", _CMS),
    Setting("WP_RETRACT", "wp_retract", "notice",
            "A withdrawn story's post: `notice` keeps it at its URL with a withdrawal notice, "
            "`draft` takes it down.", _CMS),
    Setting("WRITER_WEBHOOK_URL", "webhook_url", "none",
            "A webhook that receives every release, signed with WRITER_WEBHOOK_SECRET.", _CMS),
    Setting("WRITER_WEBHOOK_SECRET", "webhook_secret", "none",
            "The webhook's shared signing secret (required with WRITER_WEBHOOK_URL).", _CMS),
    Setting("WRITER_PUBLIC_URL", "public_url", "the app's address",
            "The public feeds' absolute links.", _CMS),
    Setting("WRITER_FEEDS_IN", "feeds_in", "none",
            "Inbound results feeds for the scheduler to poll, separated by spaces.", _CMS),
    Setting("WRITER_CMS_NAMESPACE", "cms_namespace", "the election id",
            "The prefix of the keys that tie each story to its post in the CMS.", _CMS),
    Setting("WRITER_FAULT", "fault", "none",
            "Fault injection for the crash tests (`kill-after-cms`): never set it on a real night.", _TESTS),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def value(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """The raw value of the setting ``name`` in ``env`` (default: ``os.environ``); ``None``
    when it is unset or empty. ``name`` must be in :data:`SETTINGS`."""
    if name not in BY_NAME:
        raise KeyError(f"{name} is not a setting of the writer (writer/settings.py)")
    env = os.environ if env is None else env
    return env.get(name) or None


@dataclass(frozen=True)
class Settings:
    """The environment's settings at one moment; ``None`` where a variable is unset (the
    code using it applies the default the table states)."""

    database_url: str | None = None
    night: str | None = None
    secret_key: str | None = None
    demo_password: str | None = None
    rules: str | None = None
    templates: str | None = None
    wp_url: str | None = None
    wp_user: str | None = None
    wp_app_password: str | None = None
    wp_author: str | None = None
    wp_comments: str | None = None
    wp_retract: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    public_url: str | None = None
    feeds_in: str | None = None
    cms_namespace: str | None = None
    fault: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Read every setting of :data:`SETTINGS` from ``env`` (default: ``os.environ``)."""
        env = os.environ if env is None else env
        return cls(**{s.field: env.get(s.name) or None for s in SETTINGS})

    @property
    def feeds_in_urls(self) -> list[str]:
        """``WRITER_FEEDS_IN`` split at spaces."""
        return (self.feeds_in or "").split()

    @property
    def rules_dir(self) -> Path | None:
        return Path(self.rules) if self.rules else None

    @property
    def templates_dir(self) -> Path | None:
        return Path(self.templates) if self.templates else None

    @property
    def night_dir(self) -> Path | None:
        return Path(self.night) if self.night else None


def _check_table() -> None:
    names = {f.name for f in fields(Settings)}
    table = [s.field for s in SETTINGS]
    if sorted(table) != sorted(names) or len(set(table)) != len(table):
        raise AssertionError("writer.settings: SETTINGS and the Settings fields disagree")


_check_table()


MARKER_BEGIN = "<!-- settings: generated by `python -m writer.settings`; do not edit -->"
MARKER_END = "<!-- end of settings -->"


def markdown() -> str:
    """The README's settings section body: one table per group, in the table's order."""
    out = [MARKER_BEGIN, ""]
    groups: dict[str, list[Setting]] = {}
    for s in SETTINGS:
        groups.setdefault(s.group, []).append(s)
    for group, items in groups.items():
        out += [f"{group}:", "", "| variable | default | what it sets |", "| --- | --- | --- |"]
        out += [f"| `{s.name}` | {s.default} | {s.help} |" for s in items]
        out.append("")
    out.append(MARKER_END)
    return "\n".join(out) + "\n"


def readme_section(readme: str) -> str:
    """The generated section as it stands in ``readme`` (the text between the markers,
    markers included); raises ``ValueError`` when the markers are missing."""
    start = readme.find(MARKER_BEGIN)
    end = readme.find(MARKER_END, start)
    if start < 0 or end < 0:
        raise ValueError("the README has no generated settings section (see writer/settings.py)")
    return readme[start:end + len(MARKER_END)] + "\n"


def update_readme(path: Path) -> bool:
    """Rewrite the generated settings section of the README at ``path``; True if it changed."""
    text = path.read_text(encoding="utf-8")
    old = readme_section(text)
    new = markdown()
    if old == new:
        return False
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return True


if __name__ == "__main__":  # python -m writer.settings: refresh the README's section
    readme = Path(__file__).resolve().parent.parent / "README.md"
    print("README.md updated" if update_readme(readme) else "README.md is up to date")
