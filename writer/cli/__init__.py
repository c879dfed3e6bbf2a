"""The ``writer`` command. Data goes to stdout (``--json`` for JSON lines), messages and
progress to stderr.

Exit codes: 0 success; 1 nothing to show yet (``writer draft --at`` a time before the
council declared anything); 2 usage error (a bad option or value, an unknown council, a port
already in use, an importer told to overwrite another importer's files); 3 invalid input (an
election directory, rules or groups file, or sources that gave no council), with every problem
listed; 4 the night ran but some rules failed on it, or a draft failed its fact-check (listed
on stderr); 5 some deliveries failed (``writer publish``).

One module per command group, each importing what a command uses only when it runs, so that
``writer --help`` starts at once:

    results     replay, results, events, national       a night through ingest, compare, detect
    rules       rules check                             the editable rules
    drafting    draft, stories, roundup, quality, oracle    the night's stories
    newsroom    serve, demo, users                      the review app
    tokens      tokens                                  API tokens
    ingest      poll, withdraw                          declarations into the store
    publish     publish                                 releases and CMS delivery
    importers   import, new-night                       election directories from public sources

``common`` holds what they share (exit codes, options, the console, loading a night).
"""

from __future__ import annotations

import click

from writer.cli import drafting, importers, ingest, newsroom, publish, results, rules, tokens


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="results-night-writer")
def main() -> None:
    """The results-night writer: election-night results into ranked, checked news.

    \b
    Example:
      writer replay samples/demo-night
      writer results ../shared/data/le2022 --json
    """


for _group in (results, rules, drafting, newsroom, tokens, ingest, publish, importers):
    for _command in _group.COMMANDS:
        main.add_command(_command)

__all__ = ["main"]
