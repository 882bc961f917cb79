"""Telegram's limits on what the bot sends, counted the way Telegram counts them. Pure: no I/O.

Message text (4096) and captions (1024) are limited in UTF-16 code units of the text after entity
parsing: a character outside the Basic Multilingual Plane (most emoji) is two units, so ``len()``
undercounts and "2,100 emoji" are 4,200 units. Callback data (64) is limited in bytes of UTF-8. Every check
against these limits uses this module.
"""

from __future__ import annotations

import html
import re

MAX_MESSAGE_UTF16 = 4096
MAX_CAPTION_UTF16 = 1024
MAX_CALLBACK_DATA_BYTES = 64
ELLIPSIS = "…"

_TAG = re.compile(r"<[^>]+>")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, as Telegram counts it."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def visible_text(message_html: str) -> str:
    """What Telegram keeps of an HTML message after parsing: the text without tags, entities decoded."""
    return html.unescape(_TAG.sub("", message_html))


def cut_utf16(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """``text`` if it fits in ``limit`` units, else its longest start that fits with ``ellipsis`` after it.

    Cut between characters (code points), never inside a surrogate pair.
    """
    if utf16_len(text) <= limit:
        return text
    room = limit - utf16_len(ellipsis)
    used = kept = 0
    for ch in text:
        width = 2 if ord(ch) > 0xFFFF else 1
        if used + width > room:
            break
        used += width
        kept += 1
    return text[:kept] + ellipsis


def cut_escaped_utf16(escaped: str, limit: int) -> str:
    """Like ``cut_utf16`` for HTML-escaped plain text: measured and cut as shown, escaped again after."""
    shown = html.unescape(escaped)
    if utf16_len(shown) <= limit:
        return escaped
    return html.escape(cut_utf16(shown, limit), quote=False)


def callback_data_fits(data: str) -> bool:
    """Telegram takes 1-64 bytes of UTF-8 as a button's callback data."""
    return 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
