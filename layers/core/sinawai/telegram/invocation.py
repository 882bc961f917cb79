"""What the runtime knows about the update being processed, for the code that runs inside it: its id and
group (the message log), the invocation's deadline (429 waits), whether the router marked it as a
possible password (``SecretMode``), and whether a reply is personal data (``personal_reply``)."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from telegram import Update
from telegram.ext import filters

current_update_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("update_id", default=None)
current_group: contextvars.ContextVar[str | None] = contextvars.ContextVar("group", default=None)
deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)
secret_mode: contextvars.ContextVar[str | None] = contextvars.ContextVar("secret_mode", default=None)
personal_kind: contextvars.ContextVar[str | None] = contextvars.ContextVar("personal_kind", default=None)


class SecretMode(filters.UpdateFilter):
    """Matches the update the router marked as a possible password ("step" or "grace", see routing)."""

    def __init__(self, mode: str) -> None:
        super().__init__(name=f"SecretMode({mode})")
        self.mode = mode

    def filter(self, update: Update) -> bool:
        return secret_mode.get() == self.mode


def current_secret_mode() -> str | None:
    """ "step" or "grace" when the router marked the update being processed as a possible password."""
    return secret_mode.get()


@contextlib.contextmanager
def personal_reply(kind: str) -> Iterator[None]:
    """Messages sent inside are the employee's personal data: the message log keeps a marker (kind and
    length), not the text."""
    token = personal_kind.set(kind)
    try:
        yield
    finally:
        personal_kind.reset(token)
