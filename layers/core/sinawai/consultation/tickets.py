"""Consultation tickets: states, transitions and the rules around them (pure; no I/O).

Life cycle: baru → diproses (a staff member takes it) → dijawab (first staff answer) → selesai (closed by
staff or by the employee). A new message from the employee joins an open ticket; to a ``dijawab`` ticket
it reopens it within the reopen window after the last answer, otherwise it opens a new ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from sinawai.common.working_hours import WorkingHours


class Status(StrEnum):
    BARU = "baru"
    DIPROSES = "diproses"
    DIJAWAB = "dijawab"
    SELESAI = "selesai"


STATUS_LABELS = {
    Status.BARU: "Baru",
    Status.DIPROSES: "Diproses",
    Status.DIJAWAB: "Dijawab",
    Status.SELESAI: "Selesai",
}

DEFAULT_REOPEN_HOURS = 72
DEFAULT_RATE_LIMIT_MESSAGES = 10
DEFAULT_RATE_LIMIT_SECONDS = 300
RATINGS = range(1, 6)
DEFAULT_AUTO_CLOSE_WORKING_DAYS = 3
# Only answered tickets close by themselves: a question the staff have not answered yet stays open (and
# listed by /tiket) however old it is, so no question is dropped unanswered.
AUTO_CLOSE_STATUSES = (Status.DIJAWAB,)


class TransitionError(Exception):
    """The action is not allowed in the ticket's state; ``reason`` says why, for the staff's answer."""

    def __init__(self, reason: Literal["taken", "answered", "closed"]) -> None:
        super().__init__(reason)
        self.reason = reason


def takeable(status: Status) -> bool:
    """Whether the header still offers Ambil: only a ticket nobody has taken or answered yet."""
    return status is Status.BARU


def take(status: Status) -> Status:
    """Ambil: only a new ticket can be taken."""
    if status is Status.BARU:
        return Status.DIPROSES
    if status is Status.DIPROSES:
        raise TransitionError("taken")
    if status is Status.DIJAWAB:
        raise TransitionError("answered")
    raise TransitionError("closed")


def answer(status: Status) -> Status:
    """A staff answer: any open ticket becomes dijawab; a closed one takes no answers."""
    if status is Status.SELESAI:
        raise TransitionError("closed")
    return Status.DIJAWAB


def close(status: Status) -> Status:
    if status is Status.SELESAI:
        raise TransitionError("closed")
    return Status.SELESAI


Placement = Literal["join", "reopen", "new"]


@dataclass(frozen=True)
class Decision:
    placement: Placement
    status: Status | None  # the ticket's status after the message (None for "new": baru)


def place_message(
    status: Status | None,
    *,
    assigned: bool,
    last_answer_at: datetime | None,
    now: datetime,
    reopen_window: timedelta,
) -> Decision:
    """Where an employee's new message goes, given their latest not-closed ticket (None: none)."""
    if status is None or status is Status.SELESAI:
        return Decision("new", None)
    if status in (Status.BARU, Status.DIPROSES):
        return Decision("join", status)
    if last_answer_at is not None and now - last_answer_at <= reopen_window:
        return Decision("reopen", Status.DIPROSES if assigned else Status.BARU)
    return Decision("new", None)


def rate_limited(recent_messages: int, limit: int) -> bool:
    """True when the employee already sent ``limit`` messages in the window: the next one is refused."""
    return recent_messages >= limit


def valid_rating(value: int) -> bool:
    return value in RATINGS


def auto_close_due(
    status: Status, last_activity: datetime, now: datetime, hours: WorkingHours, working_days: int
) -> bool:
    """Whether the system closes the ticket: answered, and ``working_days`` whole working days have ended
    since the day of the last activity (the employee's last message or the last staff answer) with
    nothing new. Moments are timezone-aware; weekends and holidays do not count."""
    if status not in AUTO_CLOSE_STATUSES or working_days < 1:
        return False
    return now >= hours.close_of_working_day_after(last_activity, working_days)
