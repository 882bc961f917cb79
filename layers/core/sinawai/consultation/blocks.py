"""Blocking a ticket's sender for a while (/blokir N [jam], /bukablokir N; issue 15, item 8): the pure
rules. The sender is an employee (their NIP) or a guest (their Telegram id); while blocked they open and add
to no ticket, and are told so once per block. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sinawai.common.numbers import parse_int

DEFAULT_HOURS = 24
MAX_HOURS = 24 * 30  # a month at most: a longer stop is a matter for the bureau, not the bot
AUDIT_BLOCKED = "sender_blocked"
AUDIT_UNBLOCKED = "sender_unblocked"


@dataclass(frozen=True)
class BlockRequest:
    ticket: str  # as typed (a leading # removed): looked up in the staff group's tickets
    hours: int


def parse_block(args: Sequence[str]) -> BlockRequest | None:
    """``/blokir N [jam]``: the ticket and the hours (default 24, 1..720); None for anything else."""
    if not 1 <= len(args) <= 2:
        return None
    hours = DEFAULT_HOURS if len(args) == 1 else parse_int(args[1], minimum=1, maximum=MAX_HOURS)
    if hours is None:
        return None
    return BlockRequest(args[0].lstrip("#"), hours)


def parse_unblock(args: Sequence[str]) -> str | None:
    """``/bukablokir N``: the ticket as typed; None for anything else."""
    return args[0].lstrip("#") if len(args) == 1 else None
