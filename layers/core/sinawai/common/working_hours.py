"""Working hours of Biro OSDM: when a question will be handled, and working time between two moments (pure).

Hours are configurable (``WORKING_HOURS``, e.g. ``"mon-thu 07:30-16:00; fri 07:30-16:30"``, or with a lunch
break ``"mon-thu 07:30-12:00,13:00-16:00"``), national holidays come from a check passed in (the ``holidays``
package's Indonesian one by default), and the working calendar OSDM publishes (``content/_kalender.md``: cuti
bersama, extra holidays, special hours such as Ramadan's) lies on top of both. All moments given to and
returned by this module are timezone-aware.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sinawai.common.format_id import MONTHS, ZONE_SUFFIX
from sinawai.common.numbers import parse_int

DEFAULT_WORKING_HOURS = "mon-thu 07:30-16:00; fri 07:30-16:30"
DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The calendar OSDM edits names days in Indonesian: short or in full.
_DAY_KEYS_ID = {
    **{key: n for n, key in enumerate(("sen", "sel", "rab", "kam", "jum", "sab", "min"))},
    **{name.lower(): n for n, name in enumerate(DAY_NAMES)},
}
# How far ahead to look for the next working moment (a long Lebaran break plus weekends fits easily).
MAX_DAYS_AHEAD = 60

HolidayCheck = Callable[[date], bool]
Interval = tuple[time, time]
DayHours = tuple[Interval, ...]  # a day's working intervals, in order (two with a lunch break)
Schedule = Mapping[int, DayHours]  # weekday (Monday is 0) -> its intervals


class WorkingHoursError(ValueError):
    """Working hours that cannot be read: ``str()`` in English for ops (WORKING_HOURS), ``pesan`` in
    Indonesian for OSDM (the calendar file)."""

    def __init__(self, message: str, pesan: str = "") -> None:
        super().__init__(message)
        self.pesan = pesan or message


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
    if not sep or hour is None or minute is None or len(minutes) != 2 or len(hours) > 2:
        raise WorkingHoursError(
            f"time {text!r} is not HH:MM", f"jam {text.strip()!r} harus ditulis JJ:MM, misalnya 07:30"
        )
    try:
        return time(hour, minute)
    except ValueError as e:
        raise WorkingHoursError(
            f"time {text!r} is not a time of day", f"jam {text.strip()!r} tidak ada (00:00 sampai 23:59)"
        ) from e


def _days(text: str, keys: Mapping[str, int]) -> list[int]:
    days: list[int] = []
    for part in text.lower().split(","):
        start, sep, end = part.strip().partition("-")
        if start not in keys or (sep and end not in keys):
            names = ", ".join(dict.fromkeys(k for k in keys if len(k) == 3))
            raise WorkingHoursError(
                f"days {part.strip()!r}: use {names}", f"hari {part.strip()!r} tidak dikenal: pakai {names}"
            )
        first = keys[start]
        last = keys[end] if sep else first
        if last < first:
            raise WorkingHoursError(
                f"days {part.strip()!r} run backwards", f"rentang hari {part.strip()!r} terbalik"
            )
        days.extend(range(first, last + 1))
    return days


def parse_intervals(text: str) -> DayHours:
    """``"07:30-12:00,13:00-16:00"`` → ((07:30, 12:00), (13:00, 16:00)): in order, none overlapping."""
    intervals: list[Interval] = []
    for part in text.split(","):
        opens_text, sep, closes_text = part.strip().partition("-")
        if not sep:
            raise WorkingHoursError(
                f"hours {part.strip()!r} are not HH:MM-HH:MM",
                f"jam {part.strip()!r} harus ditulis JJ:MM-JJ:MM, misalnya 07:30-16:00",
            )
        opens, closes = _clock(opens_text), _clock(closes_text)
        if closes <= opens:
            raise WorkingHoursError(
                f"hours {part.strip()!r} close before they open",
                f"jam {part.strip()!r}: jam tutup harus setelah jam buka",
            )
        if intervals and opens < intervals[-1][1]:
            raise WorkingHoursError(
                f"hours {text.strip()!r} overlap or are out of order",
                f"jam {text.strip()!r} tumpang tindih atau tidak berurutan",
            )
        intervals.append((opens, closes))
    return tuple(intervals)


def parse_schedule(spec: str, *, indonesian: bool = False) -> dict[int, DayHours]:
    """``"mon-thu 07:30-12:00,13:00-16:00; fri 07:30-16:30"`` → {weekday: intervals} (Monday is 0).

    ``indonesian``: days named as OSDM writes them (``sen-kam``, ``jumat``), for the calendar file."""
    keys = _DAY_KEYS_ID if indonesian else {key: n for n, key in enumerate(_DAY_KEYS)}
    schedule: dict[int, DayHours] = {}
    for entry in spec.split(";"):
        if not entry.strip():
            continue
        days_text, _, hours_text = entry.strip().partition(" ")
        if not hours_text.strip():
            raise WorkingHoursError(
                f"entry {entry.strip()!r} is not 'days HH:MM-HH:MM'",
                f"{entry.strip()!r} harus ditulis 'hari JJ:MM-JJ:MM', misalnya 'sen-kam 08:00-15:00'",
            )
        intervals = parse_intervals(hours_text)
        for day in _days(days_text, keys):
            if day in schedule:
                raise WorkingHoursError(
                    f"{_DAY_KEYS[day]} is given twice", f"hari {DAY_NAMES[day]} ditulis dua kali"
                )
            schedule[day] = intervals
    if not schedule:
        raise WorkingHoursError("no working day given", "tidak ada hari kerja yang ditulis")
    return schedule


# ---- the working calendar OSDM publishes ------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedDay:
    """A day the office is closed beyond the national holidays: cuti bersama or an extra holiday."""

    day: date
    kind: str  # "cuti_bersama" | "libur"
    note: str


@dataclass(frozen=True)
class SpecialHours:
    """Hours for a range of days (Ramadan's shorter days): ``hours`` as OSDM wrote them, either times alone
    (``"08:00-15:00"``: the usual working days, with these hours) or days and times (``"sen-kam
    08:00-15:00; jum 08:00-15:30"``: a whole week, days not named are closed)."""

    first: date
    last: date
    hours: str
    note: str
    every_working_day: DayHours | None = field(default=None, compare=False)
    schedule: Schedule = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, first: date, last: date, hours: str, note: str) -> SpecialHours:
        """Parse ``hours``; WorkingHoursError (``pesan`` in Indonesian) when they cannot be read."""
        text = hours.strip()
        if text[:1].isdigit():
            return cls(first, last, text, note, every_working_day=parse_intervals(text))
        return cls(first, last, text, note, schedule=parse_schedule(text, indonesian=True))

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last

    def hours_on(self, day: date, usual: DayHours) -> DayHours:
        if self.every_working_day is not None:
            return self.every_working_day if usual else ()
        return self.schedule.get(day.weekday(), ())


@dataclass(frozen=True)
class WorkCalendar:
    """Cuti bersama, extra holidays and special hours, as published from ``content/_kalender.md``."""

    closed: Mapping[date, ClosedDay] = field(default_factory=dict)
    special: tuple[SpecialHours, ...] = ()

    def special_on(self, day: date) -> SpecialHours | None:
        return next((s for s in self.special if s.covers(day)), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "closed": [
                {"date": c.day.isoformat(), "kind": c.kind, "note": c.note}
                for c in sorted(self.closed.values(), key=lambda c: c.day)
            ],
            "special": [
                {"first": s.first.isoformat(), "last": s.last.isoformat(), "hours": s.hours, "note": s.note}
                for s in self.special
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> WorkCalendar:
        if not data:
            return EMPTY_CALENDAR
        closed = {
            date.fromisoformat(c["date"]): ClosedDay(date.fromisoformat(c["date"]), c["kind"], c["note"])
            for c in data.get("closed") or ()
        }
        special = tuple(
            SpecialHours.of(
                date.fromisoformat(s["first"]), date.fromisoformat(s["last"]), s["hours"], s["note"]
            )
            for s in data.get("special") or ()
        )
        return cls(closed, special)


EMPTY_CALENDAR = WorkCalendar()


# ---- working hours -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    """When a question asked outside working hours will be handled."""

    at: datetime  # the next working moment, in the service's zone
    asked: datetime  # when it was asked, in the same zone
    on_break: bool  # asked during a break between two working intervals of the same day (lunch)

    @property
    def days_ahead(self) -> int:
        """0: later today, 1: tomorrow, and so on (calendar days in the service's zone)."""
        return (self.at.date() - self.asked.date()).days


@dataclass(frozen=True)
class WorkingHours:
    schedule: Schedule
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Jakarta"))
    is_holiday: HolidayCheck = _no_holidays
    calendar: WorkCalendar = EMPTY_CALENDAR

    @classmethod
    def from_spec(
        cls,
        spec: str | None,
        *,
        timezone: str = "Asia/Jakarta",
        is_holiday: HolidayCheck | None = None,
        calendar: WorkCalendar | None = None,
    ) -> WorkingHours:
        return cls(
            parse_schedule(spec or DEFAULT_WORKING_HOURS),
            ZoneInfo(timezone),
            is_holiday if is_holiday is not None else _no_holidays,
            calendar if calendar is not None else EMPTY_CALENDAR,
        )

    def with_calendar(self, calendar: WorkCalendar) -> WorkingHours:
        return replace(self, calendar=calendar)

    def _hours_of(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's working intervals (none on a weekend, a holiday or a closed calendar day)."""
        if day in self.calendar.closed or self.is_holiday(day):
            return []
        usual = self.schedule.get(day.weekday(), ())
        special = self.calendar.special_on(day)
        intervals = special.hours_on(day, usual) if special is not None else usual
        return [
            (datetime.combine(day, opens, self.zone), datetime.combine(day, closes, self.zone))
            for opens, closes in intervals
        ]

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return any(opens <= local < closes for opens, closes in self._hours_of(local.date()))

    def next_opening(self, moment: datetime) -> datetime:
        """The first working moment at or after ``moment`` (``moment`` itself when open)."""
        local = moment.astimezone(self.zone)
        for offset in range(MAX_DAYS_AHEAD + 1):
            for opens, closes in self._hours_of(local.date() + timedelta(days=offset)):
                if local < closes:
                    return max(opens, local)
        raise WorkingHoursError(f"no working day in the {MAX_DAYS_AHEAD} days after {local:%Y-%m-%d}")

    def opening_after(self, moment: datetime) -> Opening | None:
        """When a question asked at ``moment`` will be handled; None when the office is open."""
        local = moment.astimezone(self.zone)
        at = self.next_opening(local)
        if at == local:
            return None
        today = self._hours_of(local.date())
        on_break = at.date() == local.date() and any(closes <= local for _, closes in today)
        return Opening(at, local, on_break)

    def close_of_working_day_after(self, moment: datetime, days: int) -> datetime:
        """When the ``days``-th working day after ``moment``'s day closes (weekends, holidays skipped)."""
        day = moment.astimezone(self.zone).date()
        counted = 0
        for offset in range(1, days * 7 + MAX_DAYS_AHEAD + 1):
            hours = self._hours_of(day + timedelta(days=offset))
            if not hours:
                continue
            counted += 1
            if counted >= days:
                return hours[-1][1]
        raise WorkingHoursError(f"fewer than {days} working days in the weeks after {day:%Y-%m-%d}")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (zero when end is not after start)."""
        if end <= start:
            return timedelta(0)
        first, last = start.astimezone(self.zone), end.astimezone(self.zone)
        total = timedelta(0)
        day = first.date()
        while day <= last.date():
            for day_opens, day_closes in self._hours_of(day):
                opens, closes = max(day_opens, first), min(day_closes, last)
                if closes > opens:
                    total += closes - opens
            day += timedelta(days=1)
        return total


class ServiceHours:
    """The service's working hours with the calendar published now: ``current()`` is what every computation
    of an invocation uses (the acknowledgement's promise, the auto-close sweep, the report's response times),
    rebuilt only when a different calendar is published. ``calendar`` is asked each time (the content
    store caches the published bundle)."""

    def __init__(self, base: WorkingHours, calendar: Callable[[], WorkCalendar] | None = None) -> None:
        self.base = base
        self._calendar = calendar
        self._seen: WorkCalendar | None = None
        self._hours = base

    @property
    def zone(self) -> ZoneInfo:
        return self.base.zone

    def current(self) -> WorkingHours:
        if self._calendar is None:
            return self.base
        calendar = self._calendar()
        if calendar is not self._seen:
            self._seen, self._hours = calendar, self.base.with_calendar(calendar)
        return self._hours


def service_hours(
    spec: str | None, timezone: str, calendar: Callable[[], WorkCalendar] | None = None
) -> ServiceHours:
    """WORKING_HOURS in SERVICE_TIMEZONE, Indonesia's national holidays closed, and the published calendar
    on top: the one way every feature builds its working hours."""
    return ServiceHours(
        WorkingHours.from_spec(spec, timezone=timezone, is_holiday=indonesian_holidays()), calendar
    )


def zone_suffix(zone: ZoneInfo) -> str:
    return ZONE_SUFFIX.get(zone.key, zone.key)


def when_text(moment: datetime, zone: ZoneInfo) -> str:
    """'Senin, 30 November 2026 pukul 07.30 WIB'."""
    local = moment.astimezone(zone)
    return (
        f"{DAY_NAMES[local.weekday()]}, {local.day} {MONTHS[local.month - 1]} {local.year}"
        f" pukul {local:%H.%M} {zone_suffix(zone)}"
    )


def opening_text(opening: Opening, zone: ZoneInfo) -> str:
    """When a question will be handled, as the acknowledgement says it: 'hari ini pukul 07.30 WIB', 'besok,
    Selasa 1 Desember pukul 07.30 WIB', or the day further on ('Senin, 7 Desember pukul 07.30 WIB'); the
    year is named only when it is not the year the question was asked in."""
    at, asked = opening.at.astimezone(zone), opening.asked.astimezone(zone)
    clock = f"pukul {at:%H.%M} {zone_suffix(zone)}"
    if at.date() == asked.date():
        return f"hari ini {clock}"
    name, date_text = DAY_NAMES[at.weekday()], f"{at.day} {MONTHS[at.month - 1]}"
    if at.year != asked.year:
        date_text += f" {at.year}"
    if at.date() == asked.date() + timedelta(days=1):
        return f"besok, {name} {date_text} {clock}"
    return f"{name}, {date_text} {clock}"
