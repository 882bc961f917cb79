"""The schedules of ``template.yaml`` as in-process timers for ``sinawai serve`` (pure: no I/O).

One table, ``SCHEDULES``: each row is one EventBridge schedule of the template, with the same expression
(``rate(...)`` or ``cron(...)``, read here as EventBridge reads it) and the same event, delivered to the
same code. ``NOT_ON_ONE_SERVER`` names the template's schedules that have no meaning without AWS, and why.
A unit test checks that the two together cover every schedule of the template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

# What EventBridge Scheduler puts in place of <aws.scheduler.scheduled-time>.
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"
# The event of a plain EventBridge rule (``Type: Schedule`` without Input).
RULE_EVENT: Mapping[str, Any] = {"source": "aws.events", "detail-type": "Scheduled Event"}


@dataclass(frozen=True)
class Schedule:
    name: str
    function: str  # the template's logical id of the function the event goes to
    expression: str  # exactly as in template.yaml
    event: Mapping[str, Any] = field(default_factory=dict)
    zoned: bool = False  # ScheduleExpressionTimezone: SERVICE_TIMEZONE (else UTC, as EventBridge)

    def event_for(self, due: datetime) -> dict[str, Any]:
        """The event as EventBridge would deliver it for the due time ``due`` (aware)."""
        stamp = due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        out = {k: (stamp if v == SCHEDULED_TIME else v) for k, v in self.event.items()}
        if self.event == RULE_EVENT:
            out["time"] = stamp
        return out

    def next_after(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """The first due time strictly after ``moment`` (aware), as an aware UTC datetime."""
        return next_due(self.expression, moment, zone if self.zoned else ZoneInfo("UTC"))


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        "inbox-sweep",
        "WebhookFunction",
        "rate(5 minutes)",
        {"source": "sinawai.scheduler", "task": "sweep"},
    ),
    Schedule(
        "retention-purge",
        "WebhookFunction",
        "cron(30 1 * * ? *)",
        {"source": "sinawai.scheduler", "task": "purge"},
        zoned=True,
    ),
    Schedule("consultation-sweep", "ConsultationFunction", "rate(15 minutes)", RULE_EVENT),
    Schedule(
        "sla-morning-list",
        "ConsultationFunction",
        "cron(45 7 * * ? *)",
        {"source": "sinawai.scheduler", "task": "sla-morning-list"},
        zoned=True,
    ),
    Schedule(
        "daily-digest",
        "ReportFunction",
        "cron(0 7 * * ? *)",
        {"source": "sinawai.scheduler", "report": "daily", "scheduled_time": SCHEDULED_TIME},
        zoned=True,
    ),
    Schedule(
        "weekly-digest",
        "ReportFunction",
        "cron(0 7 ? * MON *)",
        {"source": "sinawai.scheduler", "report": "weekly", "scheduled_time": SCHEDULED_TIME},
        zoned=True,
    ),
    Schedule(
        "monthly-digest",
        "ReportFunction",
        "cron(0 7 1-10 * ? *)",
        {"source": "sinawai.scheduler", "report": "monthly", "scheduled_time": SCHEDULED_TIME},
        zoned=True,
    ),
    Schedule(
        "digest-check",
        "ReportFunction",
        "cron(30 7 * * ? *)",
        {"source": "sinawai.scheduler", "report": "check", "scheduled_time": SCHEDULED_TIME},
        zoned=True,
    ),
)

# (function, expression) of the template's schedules ``sinawai serve`` does not run, and why.
NOT_ON_ONE_SERVER: Mapping[tuple[str, str], str] = {
    ("SetupFunction", "rate(5 minutes)"): (
        "waits for the bot token to be put into Secrets Manager after a deploy, then sets the webhook: "
        "one server reads the token from its environment and polls instead of a webhook"
    ),
}


def by_name(name: str) -> Schedule:
    for schedule in SCHEDULES:
        if schedule.name == name:
            return schedule
    raise KeyError(name)


# ---- EventBridge expressions ------------------------------------------------------------------------------

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\(([^)]*)\)$")
_DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_MONTH_NAMES = {m: i for i, m in enumerate(_MONTHS, 1)}
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class ExpressionError(ValueError):
    """A schedule expression this reader does not understand."""


def next_due(expression: str, moment: datetime, zone: ZoneInfo) -> datetime:
    """The first time after ``moment`` an EventBridge expression fires. A rate fires on the multiples of
    its period since the epoch (EventBridge counts from the schedule's creation: any phase is as good)."""
    rate = _RATE.match(expression)
    if rate:
        period = int(rate.group(1)) * _UNIT_SECONDS[rate.group(2).rstrip("s")]
        if period <= 0:
            raise ExpressionError(expression)
        seconds = int(moment.timestamp()) // period * period + period
        return datetime.fromtimestamp(seconds, UTC)
    cron = _CRON.match(expression)
    if not cron:
        raise ExpressionError(expression)
    parts = cron.group(1).split()
    if len(parts) != 6:
        raise ExpressionError(expression)
    minutes = _field(parts[0], 0, 59, {})
    hours = _field(parts[1], 0, 23, {})
    days = _field(parts[2], 1, 31, {})
    months = _field(parts[3], 1, 12, _MONTH_NAMES)
    weekdays = _field(parts[4], 1, 7, _DAY_NAMES)  # 1 = Sunday, as EventBridge
    years = _field(parts[5], 1970, 2199, {})
    local = moment.astimezone(zone)
    day = local.date()
    for _ in range(366 * 2):
        weekday = day.isoweekday() % 7 + 1  # Monday (1) → 2 ... Sunday (7) → 1
        if day.month in months and day.year in years and day.day in days and weekday in weekdays:
            for hour in sorted(hours):
                for minute in sorted(minutes):
                    when = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                    if when > local:
                        return when.astimezone(UTC)
        day += timedelta(days=1)
    raise ExpressionError(f"{expression} never fires")


def _field(text: str, low: int, high: int, names: Mapping[str, int]) -> set[int]:
    if text in ("*", "?"):
        return set(range(low, high + 1))
    values: set[int] = set()
    for piece in text.split(","):
        step = 1
        if "/" in piece:
            piece, raw_step = piece.split("/", 1)
            step = int(raw_step)
        if piece in ("*", ""):
            first, last = low, high
        elif "-" in piece:
            a, b = piece.split("-", 1)
            first, last = _value(a, names), _value(b, names)
        else:
            first = last = _value(piece, names)
        if not (low <= first <= high and low <= last <= high) or step <= 0:
            raise ExpressionError(text)
        values.update(range(first, last + 1, step))
    return values


def _value(text: str, names: Mapping[str, int]) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    if not text.isdigit():
        raise ExpressionError(text)
    return int(text)
