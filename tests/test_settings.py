"""One table of every setting (writer/settings.py): the README's section is generated from
it, every environment variable the code reads is in it, and the code reads them through it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from writer import settings
from writer.settings import SETTINGS, Settings

WRITER = ROOT / "writer"


def test_the_readme_section_is_the_generated_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings.readme_section(readme) == settings.markdown(), \
        "README.md's settings section is out of date: run python -m writer.settings"


def test_every_setting_has_a_name_a_default_and_one_line_of_help():
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    for s in SETTINGS:
        assert re.fullmatch(r"(WRITER|WP)_[A-Z_]+", s.name), s.name
        assert s.default and s.help and "\n" not in s.help and "|" not in s.help, s.name
        assert s.help.endswith("."), s.name


def _environment_names_in_code() -> set[str]:
    """Every WRITER_* and WP_* name quoted in the package's code (not its docstrings only:
    string literals, envvar= included)."""
    found = set()
    for path in WRITER.rglob("*.py"):
        if path.name == "settings.py":
            continue
        for name in re.findall(r"[\"'$]((?:WRITER|WP)_[A-Z_]+)", path.read_text(encoding="utf-8")):
            found.add(name)
    return found


def test_every_variable_the_code_names_is_in_the_table():
    assert _environment_names_in_code() - set(settings.BY_NAME) == set()


def test_no_module_but_settings_reads_the_environment():
    readers = [str(p.relative_to(ROOT)) for p in WRITER.rglob("*.py")
               if p.name != "settings.py" and re.search(r"os\.environ|os\.getenv", p.read_text(encoding="utf-8"))]
    assert readers == []


def test_settings_from_a_mapping_treat_empty_as_unset():
    s = Settings.from_env({"WRITER_DATABASE_URL": "", "WP_URL": "https://example.org", "WRITER_FEEDS_IN": "a b"})
    assert s.database_url is None and s.wp_url == "https://example.org"
    assert s.feeds_in_urls == ["a", "b"]
    assert Settings.from_env({}) == Settings()


def test_code_follows_the_environment(monkeypatch, tmp_path):
    from writer import resources
    from writer.publish.service import targets_from_env
    from writer.store.db import database_url

    monkeypatch.setenv("WRITER_RULES", str(tmp_path / "my-rules"))
    monkeypatch.setenv("WRITER_DATABASE_URL", str(tmp_path / "night.db"))
    assert resources.rules_dir() == tmp_path / "my-rules"
    assert database_url().database == str(tmp_path / "night.db")
    monkeypatch.setenv("WRITER_WEBHOOK_URL", "https://cms.example/hook")
    with pytest.raises(ValueError, match="WRITER_WEBHOOK_SECRET"):
        targets_from_env()


def test_value_refuses_a_name_that_is_not_a_setting():
    with pytest.raises(KeyError, match="not a setting"):
        settings.value("WRITER_NO_SUCH_THING")
    assert settings.value("WP_URL", {"WP_URL": "x"}) == "x"


def test_the_readme_section_can_be_regenerated(tmp_path):
    readme = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    stale = text.replace("| `WRITER_FAULT` |", "| `WRITER_FAULT_OLD` |")
    readme.write_text(stale, encoding="utf-8")
    assert settings.update_readme(readme) is True
    assert readme.read_text(encoding="utf-8") == text
    assert settings.update_readme(readme) is False


def test_a_readme_without_the_section_is_refused():
    with pytest.raises(ValueError, match="no generated settings section"):
        settings.readme_section("# A README\n")
