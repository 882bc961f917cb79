"""Numbers that come from outside (commands, button data, content files, settings): one way to read them.

``str.isdigit()`` is true for "²", "٣" or "１２": ``int("²")`` then raises and ``int("٣")`` quietly reads 3.
Every number a user, a button or a file gives is read here instead: ASCII digits only, no sign, no spaces,
and bounded, so the value fits the signed 64-bit columns it is looked up in. Pure: no I/O.
"""

from __future__ import annotations

import re

MAX_INT64 = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")  # 19 digits hold every value up to MAX_INT64 (and int() no more)


def parse_int(text: str | None, *, minimum: int = 0, maximum: int = MAX_INT64) -> int | None:
    """The value of ``text`` if it is ASCII digits only within ``minimum``..``maximum``, otherwise None."""
    if text is None or _DIGITS.fullmatch(text) is None:
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None
