"""The ``sinawai`` command: operations on the database and the bot (dev and ops machines, not Lambda).

One module per command group: migrations (``sinawai migrate``), imports (``sinawai import``), report,
webhook (``setup``, ``webhook`` and ``commands``), content, documents, smoke, dlq, pegawai (data
subject requests) and serve (one server, long polling); each adds its subcommands to the parser here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sinawai.cli import content, dlq, documents, imports, pegawai, report, serve, smoke, webhook
from sinawai.cli.migrations import add_commands as add_migrate
from sinawai.cli.migrations import migrate
from sinawai.onprem import files
from sinawai.platform.errors import SinawaiError

__all__ = ["build_parser", "main", "migrate"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sinawai", description="Sinawai operations")
    sub = parser.add_subparsers(dest="command", required=True)
    add_migrate(sub)
    for group in (imports, report, webhook, content, documents, smoke, dlq, pegawai, serve):
        group.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # SINAWAI_FILES_DIR (one server): S3 is that directory for every command (`serve` starts its own)
    local_files = None if args.command == "serve" else files.serve_from_env()
    try:
        return int(args.func(args))
    except SinawaiError as e:
        print(f"sinawai: {e}", file=sys.stderr)
        return 1
    finally:
        if local_files is not None:
            local_files.stop()
