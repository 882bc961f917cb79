"""The report's periods: whole local days, what /laporan and `sinawai report` accept, and how a period
reads in Indonesian (pure)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sinawai.common.format_id import MONTHS, tanggal
from sinawai.common.numbers import parse_int
from sinawai.common.working_hours import DAY_NAMES, WorkingHours

MAX_PERIOD_DAYS = 366


class PeriodError(ValueError):
    """A period the report cannot cover; the message is the Indonesian answer for the user."""


@dataclass(frozen=True)
class Period:
    """Whole local calendar days, ``first`` to ``last`` inclusive, in the service's timezone."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def is_day(self) -> bool:
        return self.first == self.last

    @property
    def is_week(self) -> bool:
        """A calendar week, Monday to Sunday."""
        return self.days == 7 and self.first.weekday() == 0

    @property
    def is_month(self) -> bool:
        """A whole calendar month."""
        return self.first.day == 1 and self.last == month_of(self.first).last

    @property
    def kind(self) -> str:
        """daily, weekly, monthly or range: the report's title, file names and once-only record."""
        if self.is_day:
            return "daily"
        if self.is_week:
            return "weekly"
        if self.is_month:
            return "monthly"
        return "range"

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in naive UTC, as the database stores times."""
        start = datetime.combine(self.first, datetime.min.time(), zone).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
        return start.replace(tzinfo=None), end.replace(tzinfo=None)

    def previous(self) -> Period:
        """The period just before this one: the month before a month, else the same number of days."""
        if self.is_month:
            return month_of(self.first - timedelta(days=1))
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def week_before(self) -> Period:
        return Period(self.first - timedelta(days=7), self.first - timedelta(days=1))

    def each_day(self) -> Iterable[date]:
        for offset in range(self.days):
            yield self.first + timedelta(days=offset)


def week_of(day: date) -> Period:
    """The calendar week (Monday to Sunday) that holds ``day``."""
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=6))


def month_of(day: date) -> Period:
    """The calendar month that holds ``day``."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1))


def week_before(day: date) -> Period:
    """The last whole week before ``day``'s week (a Monday's digest reports on the week just ended)."""
    return week_of(day - timedelta(days=day.weekday() + 1))


def month_before(day: date) -> Period:
    """The calendar month before ``day``'s month."""
    return month_of(day.replace(day=1) - timedelta(days=1))


def is_working_day(day: date, hours: WorkingHours) -> bool:
    """The service has working hours that day (not a weekend, a holiday or a closed calendar day)."""
    start = datetime.combine(day, datetime.min.time(), hours.zone)
    return hours.working_time_between(start, start + timedelta(days=1)) > timedelta(0)


def first_working_day(day: date, hours: WorkingHours) -> date | None:
    """The first working day of ``day``'s month; None when the month has none."""
    month = month_of(day)
    return next((d for d in month.each_day() if is_working_day(d, hours)), None)


def weeks_of(period: Period) -> list[Period]:
    """The calendar weeks that overlap ``period``, in order (the trend of a week's or a month's report)."""
    weeks = []
    week = week_of(period.first)
    while week.first <= period.last:
        weeks.append(week)
        week = Period(week.first + timedelta(days=7), week.last + timedelta(days=7))
    return weeks


def tanggal_panjang(day: date) -> str:
    """date(2026, 11, 27) → 'Jumat, 27 November 2026'."""
    return f"{DAY_NAMES[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def period_text(period: Period) -> str:
    if period.is_day:
        return tanggal_panjang(period.first)
    if period.is_month:
        span = f"{tanggal(period.first)} – {tanggal(period.last)}"
        return f"{MONTHS[period.first.month - 1]} {period.first.year} ({span})"
    if period.is_week:
        return f"Pekan {tanggal(period.first)} – {tanggal(period.last)}"
    return f"{tanggal(period.first)} – {tanggal(period.last)} ({period.days} hari)"


def _parse_date(text: str) -> date:
    parts = text.strip().split("-")
    numbers = [n for n in (parse_int(p) for p in parts) if n is not None]
    if len(numbers) != 3 or [len(p) for p in parts] != [4, 2, 2]:
        raise PeriodError(
            f"Tanggal <code>{html.escape(text)}</code> tidak dapat dibaca. Gunakan format TTTT-BB-HH, "
            "misalnya <code>/laporan 2026-11-01</code>."
        )
    try:
        return date(*numbers)
    except ValueError as e:
        raise PeriodError(f"Tanggal <code>{html.escape(text)}</code> tidak ada di kalender.") from e


USAGE = (
    "Format perintah: <code>/laporan</code> (hari sebelumnya), <code>/laporan TTTT-BB-HH</code> (satu hari), "
    "<code>/laporan TTTT-BB-HH TTTT-BB-HH</code> (rentang tanggal), <code>/laporan minggu</code> (pekan "
    "sebelumnya) atau <code>/laporan bulan</code> (bulan sebelumnya); setelah <code>minggu</code> atau "
    "<code>bulan</code> boleh ditambahkan satu tanggal di dalam pekan atau bulan yang diminta."
)
WEEK_WORDS = frozenset({"minggu", "pekan", "week"})
MONTH_WORDS = frozenset({"bulan", "month"})


def parse_period(args: Sequence[str], today: date) -> Period:
    """The period asked for: none → yesterday; one date → that day; two dates → that range (inclusive);
    ``minggu`` → the week before this one, ``bulan`` → the month before this one, either followed by a date
    inside the week or month wanted.

    ``today`` is the local date now. Refused (PeriodError): more than two arguments, a malformed or
    non-existent date, a start after the end, a start after today, a range over MAX_PERIOD_DAYS days.
    """
    if len(args) > 2:
        raise PeriodError(USAGE)
    if args and args[0].strip().lower() in WEEK_WORDS | MONTH_WORDS:
        weekly = args[0].strip().lower() in WEEK_WORDS
        if len(args) == 1:
            return week_before(today) if weekly else month_before(today)
        inside = _parse_date(args[1])
        if inside > today:
            raise PeriodError(f"Tanggal {tanggal(inside)} belum terjadi; belum ada data untuk dilaporkan.")
        return week_of(inside) if weekly else month_of(inside)
    if not args:
        yesterday = today - timedelta(days=1)
        return Period(yesterday, yesterday)
    first = _parse_date(args[0])
    last = _parse_date(args[1]) if len(args) == 2 else first
    if last < first:
        raise PeriodError(
            f"Tanggal awal ({tanggal(first)}) jatuh setelah tanggal akhir ({tanggal(last)}). "
            "Tuliskan tanggal awal lebih dahulu."
        )
    if first > today:
        raise PeriodError(f"Tanggal {tanggal(first)} belum terjadi; belum ada data untuk dilaporkan.")
    period = Period(first, last)
    if period.days > MAX_PERIOD_DAYS:
        raise PeriodError(
            f"Rentang {period.days} hari terlalu panjang; laporan paling banyak mencakup "
            f"{MAX_PERIOD_DAYS} hari (satu tahun)."
        )
    return period


def weekly_report_period(scheduled_time: datetime, zone: ZoneInfo) -> Period:
    """The week a Monday-morning schedule reports on: the whole week before its local day."""
    return week_before(scheduled_time.astimezone(zone).date())


def monthly_report_period(scheduled_time: datetime, zone: ZoneInfo) -> Period:
    """The month a first-working-day schedule reports on: the month before its local day."""
    return month_before(scheduled_time.astimezone(zone).date())


def monthly_digest_due(scheduled_time: datetime, hours: WorkingHours) -> Period | None:
    """The month the 07:00 schedule of one of the month's first days sends: the month before, when its
    local day is the month's first working day (weekends, holidays and cuti bersama skipped); else None."""
    local_day = scheduled_time.astimezone(hours.zone).date()
    if first_working_day(local_day, hours) != local_day:
        return None
    return month_before(local_day)


def daily_report_date(scheduled_time: datetime, zone: ZoneInfo) -> date:
    """The day the 07:00 schedule reports on: the local calendar day before its scheduled time."""
    return scheduled_time.astimezone(zone).date() - timedelta(days=1)
