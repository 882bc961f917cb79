"""The service target for a first answer (pure; no I/O): when a ticket waiting for its first answer is
raised in the staff group, and when the morning list of overdue tickets goes out.

Waiting is counted in working time (``WorkingHours``: the calendar-aware hours, holidays and cuti bersama
closed), and nothing is raised while the office is closed: a reminder waits for the next working moment, the
morning list is skipped on a day nobody works.
"""

from __future__ import annotations

from datetime import datetime

from sinawai.common.working_hours import WorkingHours
from sinawai.consultation.tickets import Status

# A ticket waits for a first answer while it is new or taken, and no answer has reached the employee.
WAITING_STATUSES = (Status.BARU, Status.DIPROSES)


def waited_working_hours(created_at: datetime, now: datetime, hours: WorkingHours) -> float:
    """Working hours from ``created_at`` to ``now`` (timezone-aware moments)."""
    return hours.working_time_between(created_at, now).total_seconds() / 3600


def overdue(
    status: Status,
    first_answer_at: datetime | None,
    created_at: datetime,
    now: datetime,
    hours: WorkingHours,
    target_hours: float,
) -> bool:
    """Whether the ticket has waited for its first answer longer than the target (0 or less: never)."""
    if target_hours <= 0 or status not in WAITING_STATUSES or first_answer_at is not None:
        return False
    return waited_working_hours(created_at, now, hours) >= target_hours


def may_remind(now: datetime, hours: WorkingHours) -> bool:
    """Reminders go out during working hours only."""
    return hours.is_open(now)


def morning_list_day(now: datetime, hours: WorkingHours) -> bool:
    """The morning list goes out on a working day, before it closes (never on a weekend or holiday)."""
    local = now.astimezone(hours.zone)
    return hours.next_opening(local).date() == local.date()


def waited_text(waited_hours: float) -> str:
    """ "6 jam kerja" (whole hours, rounded down), "45 menit kerja" below one hour."""
    if waited_hours < 1:
        return f"{max(1, int(waited_hours * 60))} menit kerja"
    return f"{int(waited_hours)} jam kerja"


def target_text(target_hours: float) -> str:
    whole = int(target_hours)
    if whole == target_hours:
        return f"{whole} jam kerja"
    return f"{target_hours:.1f}".replace(".", ",") + " jam kerja"
