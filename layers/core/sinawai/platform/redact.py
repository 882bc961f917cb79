"""Remove secrets from an update before any copy of it is stored or logged (pure; no I/O).

The router stores updates before a command group has read them, so it must know which texts are secret:
the arguments of /daftar and /gantisandi, and any text a pending conversation marked as sensitive (the
password step of a guided /daftar). The clear text travels only in the invoke payload to its group.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from sinawai.platform.anatomy import MESSAGE_KINDS, parse_command

# Commands whose arguments carry passwords: how many leading arguments may be kept when a copy is stored.
SECRET_ARGUMENT_COMMANDS = {"daftar": 1, "gantisandi": 0}

MASK = "●●●●●●"


def _redact_text(text: str) -> str | None:
    command = parse_command(text)
    if command is None or command[0] not in SECRET_ARGUMENT_COMMANDS:
        return None
    keep = SECRET_ARGUMENT_COMMANDS[command[0]]
    parts = text.split()
    if len(parts) <= 1 + keep:
        return None
    return " ".join([*parts[: 1 + keep], MASK])


def redact_update(update: Mapping[str, Any], *, secret_text: bool = False) -> tuple[dict[str, Any], bool]:
    """Return (a copy of the update without secrets, whether anything was removed).

    ``secret_text`` says the chat may be typing a password: the whole text and caption are masked.
    """
    redacted = copy.deepcopy(dict(update))
    changed = False
    for kind in MESSAGE_KINDS:
        message = redacted.get(kind)
        if not isinstance(message, dict):
            continue
        for field in ("text", "caption"):
            value = message.get(field)
            if not isinstance(value, str):
                continue
            new = MASK if secret_text else _redact_text(value)
            if new is not None and new != value:
                message[field] = new
                message.pop("entities" if field == "text" else "caption_entities", None)
                changed = True
    return redacted, changed


def stored_form(update: Mapping[str, Any]) -> dict[str, Any]:
    """What is kept of an (already redacted) update: a button press drops the text of the message the
    button sits under (the bot wrote it, and it may be the employee's personal data: the message log keeps
    the bot's own copy as a marker)."""
    query = update.get("callback_query")
    if not isinstance(query, dict) or not isinstance(query.get("message"), dict):
        return dict(update)
    kept = {k: v for k, v in query["message"].items() if k in _KEPT_MESSAGE_FIELDS}
    return {**update, "callback_query": {**query, "message": kept}}


_KEPT_MESSAGE_FIELDS = frozenset(
    {"message_id", "chat", "date", "from", "message_thread_id", "is_topic_message"}
)
