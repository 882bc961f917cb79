"""``sinawai webhook set|info`` and ``sinawai commands publish``: point Telegram at the bot and publish its
command menus, through the Bot API named by TELEGRAM_API_BASE_URL."""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
import urllib.request
from typing import Any

from sinawai.cli.common import Subcommands
from sinawai.platform.config import Settings, bot_token, webhook_secret
from sinawai.platform.errors import SinawaiError
from sinawai.router.commands import commands_for

# Updates the bot acts on or records; anything else Telegram does not even send.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "chat_member"]


def bot_api(method: str, params: dict[str, Any]) -> Any:
    """Call the Bot API named by TELEGRAM_API_BASE_URL with the configured token."""
    base = Settings.from_env().telegram_api_base_url
    request = urllib.request.Request(  # noqa: S310 - the base URL is operator configuration (http/https)
        f"{base}/bot{bot_token()}/{method}",
        data=json.dumps(params).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body = json.loads(response.read())
    except urllib.error.HTTPError as e:
        body = json.loads(e.read() or b"{}")
    if not body.get("ok"):
        raise SinawaiError(f"{method}: {body.get('description', 'no answer')}")
    return body.get("result")


def _cmd_webhook_set(args: argparse.Namespace) -> int:
    bot_api(
        "setWebhook",
        {
            "url": args.url,
            "secret_token": webhook_secret(),
            "allowed_updates": ALLOWED_UPDATES,
            "max_connections": args.max_connections,
        },
    )
    print(f"Webhook set to {args.url} (secret token from configuration).")
    return 0


def _cmd_webhook_info(_: argparse.Namespace) -> int:
    info = bot_api("getWebhookInfo", {})
    print(json.dumps(info, indent=2, ensure_ascii=False))
    return 0


def _cmd_commands_publish(_: argparse.Namespace) -> int:
    private = [{"command": c.name, "description": c.description} for c in commands_for("private")]
    bot_api("setMyCommands", {"commands": private, "scope": {"type": "all_private_chats"}})
    print(f"Published {len(private)} command(s) for private chats.")
    staff_chat = os.environ.get("STAFF_GROUP_CHAT_ID", "").strip()
    if staff_chat:
        staff = [{"command": c.name, "description": c.description} for c in commands_for("staff")]
        bot_api("setMyCommands", {"commands": staff, "scope": {"type": "chat", "chat_id": int(staff_chat)}})
        print(f"Published {len(staff)} command(s) for the staff group.")
    managers_chat = os.environ.get("MANAGERS_CHAT_ID", "").strip()
    if managers_chat:
        managers = [{"command": c.name, "description": c.description} for c in commands_for("managers")]
        bot_api(
            "setMyCommands", {"commands": managers, "scope": {"type": "chat", "chat_id": int(managers_chat)}}
        )
        print(f"Published {len(managers)} command(s) for the managers' chat.")
    return 0


def add_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    webhook = sub.add_parser("webhook", help="point Telegram at the deployed webhook").add_subparsers(
        dest="action", required=True
    )
    p = webhook.add_parser("set", help="setWebhook with the configured secret token")
    p.add_argument("url", help="the WebhookUrl output of the stack")
    p.add_argument("--max-connections", type=int, default=40)
    p.set_defaults(func=_cmd_webhook_set)
    p = webhook.add_parser("info", help="getWebhookInfo: pending updates and the last delivery error")
    p.set_defaults(func=_cmd_webhook_info)

    commands = sub.add_parser("commands", help="Telegram's command menu").add_subparsers(
        dest="action", required=True
    )
    p = commands.add_parser("publish", help="setMyCommands from the command registry")
    p.set_defaults(func=_cmd_commands_publish)
