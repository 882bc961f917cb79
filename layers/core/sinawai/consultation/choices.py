"""Several questions at once (pure; no I/O): where a message goes when the employee has a ticket open.

A message sent while a ticket is open is not added to it silently: the employee chooses "add to ticket
#N" (one button per open ticket, latest first, a few) or "a new question" (the FAQ first, then perhaps a
second ticket). A Telegram reply to a message of a ticket joins that ticket without asking. An employee
has at most ``max_open`` tickets open; at the limit only the "add" buttons are offered. The message waits
for the choice (durably, in MySQL) for ``CHOICE_TTL``; a press after that places nothing and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sinawai.common.numbers import parse_int
from sinawai.common.text_limits import cut_utf16
from sinawai.consultation.tickets import Status, place_message

DEFAULT_MAX_OPEN_TICKETS = 3
MAX_OFFERED = 3  # "add to ticket" buttons; the rest are named in /tiketsaya
CHOICE_TTL = timedelta(hours=24)
NEW: Literal["new"] = "new"
NEW_DATA = "baru"  # "Pertanyaan baru" in callback data


@dataclass(frozen=True)
class OpenTicket:
    """What the choice needs to know of a ticket that is not closed."""

    id: int
    status: Status
    assigned: bool
    last_answer_at: datetime | None


def live(ticket: OpenTicket, now: datetime, reopen_window: timedelta) -> bool:
    """Whether a message can still go to the ticket: not closed, and not an answered ticket whose reopen
    window has passed (the system closes that one when the next ticket opens)."""
    decision = place_message(
        ticket.status,
        assigned=ticket.assigned,
        last_answer_at=ticket.last_answer_at,
        now=now,
        reopen_window=reopen_window,
    )
    return decision.placement != "new"


def live_tickets(tickets: Sequence[OpenTicket], now: datetime, reopen_window: timedelta) -> list[OpenTicket]:
    """The employee's tickets a message can go to, latest first."""
    return sorted((t for t in tickets if live(t, now, reopen_window)), key=lambda t: -t.id)


@dataclass(frozen=True)
class Prompt:
    """What the employee is asked: the tickets offered (latest first) and whether a new one may open."""

    offered: tuple[int, ...]
    new_allowed: bool
    open_ids: tuple[int, ...]  # every live ticket, latest first (named when the limit is reached)


def prompt_for(live_ids: Sequence[int], max_open: int) -> Prompt | None:
    """None when nothing is open (the message is a new question: FAQ first); else the buttons to show."""
    if not live_ids:
        return None
    ids = tuple(live_ids)
    return Prompt(offered=ids[:MAX_OFFERED], new_allowed=len(ids) < max_open, open_ids=ids)


def at_limit(open_count: int, max_open: int) -> bool:
    """True when no other ticket may open."""
    return open_count >= max_open


Choice = int | Literal["new"]


def parse_choice(raw: str, offered: Sequence[int]) -> Choice | None:
    """A button's choice: ``baru`` (NEW), or one of the ticket numbers that were offered (else None)."""
    if raw == NEW_DATA:
        return NEW
    ticket_id = parse_int(raw)
    return ticket_id if ticket_id is not None and ticket_id in offered else None


def expired(expires_at: datetime, now: datetime) -> bool:
    return now >= expires_at


def excerpt(text: str | None, limit: int = 80) -> str:
    """One line of at most ``limit`` UTF-16 units (plain text; the caller escapes it)."""
    return cut_utf16(" ".join((text or "").split()), limit)
