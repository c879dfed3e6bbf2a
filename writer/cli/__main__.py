"""``python -m writer.cli``: the ``writer`` command."""

from writer.cli import main

main()
