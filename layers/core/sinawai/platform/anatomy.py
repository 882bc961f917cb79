"""The anatomy of a Telegram update, in one place (pure; no I/O): its kind, chat, sender, command.

Routing, storage, redaction and the runtime ask this module instead of each reading the JSON its own way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The kinds of update Telegram sends; anything else is not an update.
UPDATE_KINDS = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

MESSAGE_KINDS = ("message", "edited_message", "channel_post", "edited_channel_post")


def update_kind(update: Mapping[str, Any]) -> str:
    return next(k for k in update if k in UPDATE_KINDS)


def parse_command(text: str) -> tuple[str, str | None] | None:
    """``/name@bot args`` → (name, bot or None); None when the text is not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head = text.split(maxsplit=1)[0][1:]
    name, _, target = head.partition("@")
    if not name or not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in name):
        return None
    return name.lower(), (target or None)


def chat_of(update: Mapping[str, Any]) -> Mapping[str, Any]:
    obj = update[update_kind(update)]
    if "chat" in obj:
        return dict(obj["chat"])
    message = obj.get("message")
    if isinstance(message, dict):
        return dict(message.get("chat") or {})
    return {}


def display_name(user: Mapping[str, Any]) -> str | None:
    if not user:
        return None
    name = " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p)
    return name or user.get("username") or user.get("title")
