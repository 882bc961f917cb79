"""The staff answer tools' rules (pure): template names, notes, how long a loose message may be held."""

from __future__ import annotations

import re
from datetime import timedelta

# A staff message without a reply may answer the ticket its writer took this recently.
TAKEN_WINDOW = timedelta(minutes=10)
# How long the question "send it to ticket #N?" (and a chosen canned topic) waits for its button.
PENDING_LIFETIME = timedelta(minutes=30)
TEMPLATE_NAME_MAX = 32
TEMPLATE_TEXT_MAX = 3500
MAX_CALLBACK_BYTES = 64

_TEMPLATE_NAME = re.compile(r"[a-z0-9_\-]{1,32}")


def template_name(raw: str) -> str | None:
    """The template's name (lower case) when ``raw`` is one: one word of ASCII letters, digits, - or _."""
    name = raw.strip().lower()
    return name if _TEMPLATE_NAME.fullmatch(name) else None


def note_body(text: str | None) -> str | None:
    """The note in a reply that starts with "!" ("" when nothing follows it); None when it is no note."""
    if text is None or not text.startswith("!"):
        return None
    return text[1:].strip()


def stale_reason(closed: bool, events_since: list[str]) -> str | None:
    """Why a send held for a confirmation must not go any more: the ticket was closed, handed over or
    answered since it was held (a key of texts.PENDING_STALE); None when it still may."""
    if closed or "closed" in events_since:
        return "closed"
    for reason in ("handed_over", "answered"):
        if reason in events_since:
            return reason
    return None


def fits_callback(data: str) -> bool:
    return len(data.encode()) <= MAX_CALLBACK_BYTES
