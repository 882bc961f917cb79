"""Remove secrets from an update before any copy of it is stored or logged (pure; no I/O).

The router stores updates before a command group has read them, so it must know which texts are secret:
the arguments of /daftar and /gantisandi, and any text a pending conversation marked as sensitive (the
password step of a guided /daftar). The clear text travels only in the invoke payload to its group.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from sinawai.commands import SECRET_ARGUMENT_COMMANDS
from sinawai.routing import MESSAGE_KINDS, parse_command

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

    ``secret_text`` says the chat's pending conversation expects a secret: the whole text is masked.
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
            new = MASK if secret_text and field == "text" else _redact_text(value)
            if new is not None and new != value:
                message[field] = new
                message.pop("entities" if field == "text" else "caption_entities", None)
                changed = True
    return redacted, changed
