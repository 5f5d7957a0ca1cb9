"""The ``tocsin`` command: one module per group of subcommands, wired together in ``app``."""

from tocsin.cli.app import main

__all__ = ["main"]
