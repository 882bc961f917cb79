"""``sinawai setup``, ``sinawai webhook set|info`` and ``sinawai commands publish``: point Telegram at the bot
and publish its command menus and description, through the Bot API named by TELEGRAM_API_BASE_URL.

The code is the deploy's (``sinawai.deploy.telegram_setup``): ``sinawai setup`` does what the stack's
``Custom::TelegramSetup`` does on a Create, for the step after the token was put into its secret.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from sinawai.cli.common import Subcommands
from sinawai.deploy.telegram_setup import (
    BotApi,
    SetupInputError,
    SetupTarget,
    TelegramApiError,
    publish_commands,
    run_setup,
    set_webhook,
    token_refused_reason,
)
from sinawai.platform.config import Settings, webhook_secret
from sinawai.platform.errors import ConfigurationError


def _cmd_setup(args: argparse.Namespace) -> int:
    try:
        target = SetupTarget.from_values(
            args.webhook_url,
            os.environ.get("STAFF_GROUP_CHAT_ID", ""),
            os.environ.get("MANAGERS_CHAT_ID", ""),
            names=("--webhook-url", "STAFF_GROUP_CHAT_ID", "MANAGERS_CHAT_ID"),
        )
        result = run_setup(target)
    except (SetupInputError, ConfigurationError) as e:
        print(f"sinawai setup: {e}", file=sys.stderr)
        return 2
    except TelegramApiError as e:
        print(f"sinawai setup: {token_refused_reason() if e.code == 401 else e}", file=sys.stderr)
        return 1
    if not result.applied:
        print(f"sinawai setup: {result.next_step}", file=sys.stderr)
        return 1
    print(f"Webhook set to {result.webhook} (secret token from configuration).")
    print(f"Commands published: {result.commands}. Description and short description set.")
    print(f"Next: {result.next_step}")
    return 0


def _cmd_webhook_set(args: argparse.Namespace) -> int:
    set_webhook(BotApi.from_env(), args.url, webhook_secret(), max_connections=args.max_connections)
    print(f"Webhook set to {args.url} (secret token from configuration).")
    return 0


def _cmd_webhook_delete(_: argparse.Namespace) -> int:
    """deleteWebhook, keeping the pending updates: ``sinawai serve`` fetches them with getUpdates."""
    BotApi.from_env().call("deleteWebhook", {"drop_pending_updates": False})
    print("Webhook deleted; pending updates kept for getUpdates (sinawai serve).")
    return 0


def _cmd_webhook_info(_: argparse.Namespace) -> int:
    info = BotApi.from_env().call("getWebhookInfo")
    print(json.dumps(info, indent=2, ensure_ascii=False))
    return 0


def _cmd_commands_publish(_: argparse.Namespace) -> int:
    settings = Settings.from_env()
    staff, managers = settings.staff_group_chat_id, settings.managers_chat_id
    counts = publish_commands(BotApi.from_env(), staff, managers)
    print(f"Published {counts.private} command(s) for private chats.")
    if staff is not None:
        print(f"Published {counts.staff} command(s) for the staff group.")
    if managers is not None:
        print(f"Published {counts.managers} command(s) for the managers' chat.")
    return 0


def add_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "setup",
        help="what the deploy does at Telegram: webhook, command menus, description",
        description=(
            "setWebhook, setMyCommands (private chats; STAFF_GROUP_CHAT_ID and MANAGERS_CHAT_ID when set), "
            "setMyDescription and setMyShortDescription, with the token and webhook secret from "
            "TELEGRAM_BOT_TOKEN[_SECRET_ARN] and TELEGRAM_WEBHOOK_SECRET[_ARN]. Exit 0 done, "
            "1 Telegram refused or the token is not set yet, 2 bad usage."
        ),
    )
    p.add_argument("--webhook-url", required=True, help="the WebhookUrl output of the stack")
    p.set_defaults(func=_cmd_setup)

    webhook = sub.add_parser("webhook", help="point Telegram at the deployed webhook").add_subparsers(
        dest="action", required=True
    )
    p = webhook.add_parser("set", help="setWebhook with the configured secret token")
    p.add_argument("url", help="the WebhookUrl output of the stack")
    p.add_argument("--max-connections", type=int, default=40)
    p.set_defaults(func=_cmd_webhook_set)
    p = webhook.add_parser("delete", help="deleteWebhook (pending updates kept): before sinawai serve")
    p.set_defaults(func=_cmd_webhook_delete)
    p = webhook.add_parser("info", help="getWebhookInfo: pending updates and the last delivery error")
    p.set_defaults(func=_cmd_webhook_info)

    commands = sub.add_parser("commands", help="Telegram's command menu").add_subparsers(
        dest="action", required=True
    )
    p = commands.add_parser("publish", help="setMyCommands from the command registry")
    p.set_defaults(func=_cmd_commands_publish)
