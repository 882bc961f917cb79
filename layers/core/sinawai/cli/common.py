"""What several ``sinawai`` commands share: the argparse type of a command group, and who runs them."""

from __future__ import annotations

import argparse
import getpass

# the type of what argparse's add_subparsers() returns
Subcommands = argparse._SubParsersAction


def operator() -> str:
    """The operating-system user running the command (recorded with what it changes)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
