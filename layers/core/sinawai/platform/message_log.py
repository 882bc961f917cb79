"""The message log (the seed's ``pesan``): every update in and every message out, for the evaluation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sinawai.platform.anatomy import MESSAGE_KINDS, chat_of, display_name, parse_command, update_kind
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database
from sinawai.platform.redact import redact_update


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_INSERT_PESAN = (
    "INSERT INTO pesan (waktu, direction, chat_id, chat_type, id_pengirim, pengirim, isi_pesan, data,"
    " id_pesan, update_id, kind, command, command_group) VALUES"
    " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def insert_inbound(cur: Any, update: Mapping[str, Any], group: str | None, *, secret_text: bool) -> None:
    if secret_text:
        update, _ = redact_update(update, secret_text=True)
    kind = update_kind(update)
    obj = update[kind]
    chat = chat_of(update)
    sender = obj.get("from") or obj.get("sender_chat") or {}
    text: str | None
    extra: dict[str, Any] = {}
    message_id = obj.get("message_id")
    command = None
    if kind == "callback_query":
        text = obj.get("data")
        message_id = (obj.get("message") or {}).get("message_id")
    elif kind in MESSAGE_KINDS:
        text = obj.get("text") or obj.get("caption")
        for media in ("photo", "document", "voice", "video", "sticker", "audio", "location", "contact"):
            if media in obj:
                extra["media"] = media
        if "forward_origin" in obj:
            extra["forwarded"] = True
        parsed = parse_command(obj.get("text") or "")
        command = parsed[0] if parsed else None
    else:
        text = None
        extra["update"] = kind
    cur.execute(
        _INSERT_PESAN,
        (
            utcnow(),
            "in",
            chat.get("id") or sender.get("id") or 0,
            chat.get("type"),
            sender.get("id"),
            display_name(sender),
            text,
            dumps(extra) if extra else None,
            message_id,
            update.get("update_id"),
            kind,
            command,
            group,
        ),
    )


@dataclass(frozen=True)
class OutboundMessage:
    method: str
    chat_id: int
    message_id: int | None
    text: str | None
    data: Mapping[str, Any] | None
    update_id: int | None
    group: str | None
    bot_id: int | None
    bot_name: str | None


def log_outbound(db: Database, message: OutboundMessage) -> None:
    db.execute(
        _INSERT_PESAN,
        (
            utcnow(),
            "out",
            message.chat_id,
            None,
            message.bot_id,
            message.bot_name,
            message.text,
            dumps(message.data) if message.data else None,
            message.message_id,
            message.update_id,
            message.method,
            None,
            message.group,
        ),
    )
