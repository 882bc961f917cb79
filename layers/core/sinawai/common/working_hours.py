"""Working hours of Biro OSDM: when a question will be handled, and working time between two moments (pure).

Hours are configurable (``WORKING_HOURS``, e.g. ``"mon-thu 07:30-16:00; fri 07:30-16:30"``), national
holidays come from a calendar passed in (the ``holidays`` package's Indonesian one by default). All
moments given to and returned by this module are timezone-aware.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sinawai.common.format_id import MONTHS, ZONE_SUFFIX
from sinawai.common.numbers import parse_int

DEFAULT_WORKING_HOURS = "mon-thu 07:30-16:00; fri 07:30-16:30"
DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How far ahead to look for the next working moment (a long Lebaran break plus weekends fits easily).
MAX_DAYS_AHEAD = 60

HolidayCheck = Callable[[date], bool]


class WorkingHoursError(ValueError):
    """The WORKING_HOURS setting cannot be read."""


def _no_holidays(day: date) -> bool:
    return False


def indonesian_holidays() -> HolidayCheck:
    """National holidays of Indonesia from the ``holidays`` package (years are added as they are asked)."""
    import holidays

    calendar = holidays.country_holidays("ID")

    def check(day: date) -> bool:
        return day in calendar

    return check


def _clock(text: str) -> time:
    hours, sep, minutes = text.strip().partition(":")
    hour, minute = parse_int(hours), parse_int(minutes)
    if not sep or hour is None or minute is None or len(minutes) != 2:
        raise WorkingHoursError(f"time {text!r} is not HH:MM")
    try:
        return time(hour, minute)
    except ValueError as e:
        raise WorkingHoursError(f"time {text!r} is not a time of day") from e


def _days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.lower().split(","):
        start, sep, end = part.strip().partition("-")
        if start not in _DAY_KEYS or (sep and end not in _DAY_KEYS):
            raise WorkingHoursError(f"days {part.strip()!r}: use mon, tue, wed, thu, fri, sat, sun")
        first = _DAY_KEYS.index(start)
        last = _DAY_KEYS.index(end) if sep else first
        if last < first:
            raise WorkingHoursError(f"days {part.strip()!r} run backwards")
        days.extend(range(first, last + 1))
    return days


def parse_schedule(spec: str) -> dict[int, tuple[time, time]]:
    """``"mon-thu 07:30-16:00; fri 07:30-16:30"`` → {weekday: (opens, closes)} (Monday is 0)."""
    schedule: dict[int, tuple[time, time]] = {}
    for entry in spec.split(";"):
        if not entry.strip():
            continue
        days_text, _, hours_text = entry.strip().partition(" ")
        opens_text, sep, closes_text = hours_text.strip().partition("-")
        if not sep:
            raise WorkingHoursError(f"entry {entry.strip()!r} is not 'days HH:MM-HH:MM'")
        opens, closes = _clock(opens_text), _clock(closes_text)
        if closes <= opens:
            raise WorkingHoursError(f"entry {entry.strip()!r} closes before it opens")
        for day in _days(days_text):
            if day in schedule:
                raise WorkingHoursError(f"{_DAY_KEYS[day]} is given twice")
            schedule[day] = (opens, closes)
    if not schedule:
        raise WorkingHoursError("no working day given")
    return schedule


@dataclass(frozen=True)
class WorkingHours:
    schedule: Mapping[int, tuple[time, time]]
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Jakarta"))
    is_holiday: HolidayCheck = _no_holidays

    @classmethod
    def from_spec(
        cls, spec: str | None, *, timezone: str = "Asia/Jakarta", is_holiday: HolidayCheck | None = None
    ) -> WorkingHours:
        return cls(
            parse_schedule(spec or DEFAULT_WORKING_HOURS),
            ZoneInfo(timezone),
            is_holiday if is_holiday is not None else _no_holidays,
        )

    def _hours_of(self, day: date) -> tuple[datetime, datetime] | None:
        hours = self.schedule.get(day.weekday())
        if hours is None or self.is_holiday(day):
            return None
        opens, closes = hours
        return datetime.combine(day, opens, self.zone), datetime.combine(day, closes, self.zone)

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        hours = self._hours_of(local.date())
        return hours is not None and hours[0] <= local < hours[1]

    def next_opening(self, moment: datetime) -> datetime:
        """The first working moment at or after ``moment`` (``moment`` itself when open)."""
        local = moment.astimezone(self.zone)
        for offset in range(MAX_DAYS_AHEAD + 1):
            hours = self._hours_of(local.date() + timedelta(days=offset))
            if hours is None:
                continue
            opens, closes = hours
            if local < closes:
                return max(opens, local)
        raise WorkingHoursError(f"no working day in the {MAX_DAYS_AHEAD} days after {local:%Y-%m-%d}")

    def close_of_working_day_after(self, moment: datetime, days: int) -> datetime:
        """When the ``days``-th working day after ``moment``'s day closes (weekends, holidays skipped)."""
        day = moment.astimezone(self.zone).date()
        counted = 0
        for offset in range(1, days * 7 + MAX_DAYS_AHEAD + 1):
            hours = self._hours_of(day + timedelta(days=offset))
            if hours is None:
                continue
            counted += 1
            if counted >= days:
                return hours[1]
        raise WorkingHoursError(f"fewer than {days} working days in the weeks after {day:%Y-%m-%d}")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (zero when end is not after start)."""
        if end <= start:
            return timedelta(0)
        first, last = start.astimezone(self.zone), end.astimezone(self.zone)
        total = timedelta(0)
        day = first.date()
        while day <= last.date():
            hours = self._hours_of(day)
            if hours is not None:
                opens, closes = max(hours[0], first), min(hours[1], last)
                if closes > opens:
                    total += closes - opens
            day += timedelta(days=1)
        return total


def zone_suffix(zone: ZoneInfo) -> str:
    return ZONE_SUFFIX.get(zone.key, zone.key)


def when_text(moment: datetime, zone: ZoneInfo) -> str:
    """'Senin, 30 November 2026 pukul 07.30 WIB'."""
    local = moment.astimezone(zone)
    return (
        f"{DAY_NAMES[local.weekday()]}, {local.day} {MONTHS[local.month - 1]} {local.year}"
        f" pukul {local:%H.%M} {zone_suffix(zone)}"
    )
