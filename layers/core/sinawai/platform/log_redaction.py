"""The bot token never reaches a log line, at any level.

Three places would put it in CloudWatch: httpx logs every request URL at INFO (``HTTP Request: POST
https://api.telegram.org/bot<TOKEN>/sendMessage``), python-telegram-bot logs its base URL at DEBUG, and its
``InvalidToken`` names the token Telegram refused. ``install`` turns httpx and httpcore down to WARNING and
puts ``RedactingFilter`` on the handlers a function writes through (Lambda's, on the root logger, and
Powertools' own): every record's message, arguments and exception are masked before any handler formats
them. The bot id before the colon stays (it is public and tells which bot); the secret part becomes ``***``.

Pure standard library: the runtime, the ImportFunction and the CLI share it.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterable

MASK = "***"
QUIET_LOGGERS = ("httpx", "httpcore")
# The Bot API path (``/bot<id>:<secret>/method``, ``/file/bot<id>:<secret>/...``), and a token on its own
# (Telegram's tokens: the bot id, a colon and 35 URL-safe characters).
_IN_URL = re.compile(r"(/bot\d+:)[A-Za-z0-9_-]+")
_BARE = re.compile(r"(?<![A-Za-z0-9_])(\d{5,}:)[A-Za-z0-9_-]{30,}")

_known: set[str] = set()
_known_lock = threading.Lock()


def remember(token: str) -> None:
    """Mask this exact token too, whatever its shape (a token read from the secret, a test's token)."""
    secret = token.partition(":")[2]
    if len(secret) >= 8:  # a placeholder or an empty value is no secret to hunt for
        with _known_lock:
            _known.add(token)


def forget() -> None:
    """Forget the remembered tokens (before a SnapStart snapshot: no secret may be in it); the token read
    again after the restore is remembered again. Telegram-shaped tokens stay masked by their shape."""
    with _known_lock:
        _known.clear()


def redact(text: str) -> str:
    """``text`` with every bot token masked."""
    for token in tuple(_known):
        if token in text:
            text = text.replace(token, f"{token.partition(':')[0]}:{MASK}")
    text = _IN_URL.sub(rf"\g<1>{MASK}", text)
    return _BARE.sub(rf"\g<1>{MASK}", text)


def redact_exception(error: BaseException) -> BaseException:
    """Mask tokens in ``error`` and the exceptions chained to it, in place: its message is what a log
    line, Lambda's error report and the dead-letter record show."""
    seen: set[int] = set()
    chain: list[BaseException | None] = [error]
    while chain:
        current = chain.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        current.args = tuple(redact(a) if isinstance(a, str) else a for a in current.args)
        message = getattr(current, "message", None)  # python-telegram-bot's errors print .message
        if isinstance(message, str):
            with contextlib.suppress(AttributeError):
                current.message = redact(message)  # type: ignore[attr-defined]
        chain += (current.__cause__, current.__context__)
    return error


class RedactingFilter(logging.Filter):
    """Masks bot tokens in a record before a handler formats it; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            try:
                message = record.getMessage()
            except Exception:  # a record whose arguments do not fit its format: the handler reports it
                message = None
            if message is not None:
                cleaned = redact(message)
                if cleaned != message:
                    record.msg, record.args = cleaned, None
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            redact_exception(record.exc_info[1])
            record.exc_text = None  # formatted again, from the masked exception
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install(loggers: Iterable[logging.Logger] = ()) -> None:
    """Quiet httpx/httpcore and filter the handlers of the root logger and of ``loggers`` (idempotent)."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for logger in (logging.getLogger(), *loggers):
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
