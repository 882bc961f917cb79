"""``sinawai serve``: the bot on one server with long polling, no AWS (``sinawai.onprem.service``)."""

from __future__ import annotations

import argparse
import sys

from sinawai.cli.common import Subcommands
from sinawai.platform.errors import ConfigurationError


def _cmd_serve(_: argparse.Namespace) -> int:
    # imported here: the other commands do not pay for python-telegram-bot and every handler
    from sinawai.onprem.service import ServeRefusedError, serve

    try:
        return serve()
    except (ServeRefusedError, ConfigurationError) as e:
        print(f"sinawai serve: {e}", file=sys.stderr)
        return 1


def add_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve",
        help="run the whole bot on this server with long polling (no AWS)",
        description=(
            "Long polling with getUpdates; each update recorded in MySQL, the offset kept in MySQL, and "
            "processed in-process by the same handlers as on AWS; the template's schedules as timers in "
            "SERVICE_TIMEZONE. Configuration from the environment (infra/onprem/sinawai.env.example): "
            "TELEGRAM_BOT_TOKEN, DB_*, STAFF_GROUP_CHAT_ID, MANAGERS_CHAT_ID, and SINAWAI_FILES_DIR (S3 "
            "as a local directory) or AWS_ENDPOINT_URL_S3 with DOCUMENTS_BUCKET. Run `sinawai migrate` "
            "first. Refuses to start while a webhook is set (`sinawai webhook delete`). SIGTERM or SIGINT "
            "stops it after the current update. Exit 0 stopped, 1 refused or failed, 2 bad usage."
        ),
    )
    p.set_defaults(func=_cmd_serve)
