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
from sinawai.common.working_hours import DAY_NAMES

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

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in naive UTC, as the database stores times."""
        start = datetime.combine(self.first, datetime.min.time(), zone).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
        return start.replace(tzinfo=None), end.replace(tzinfo=None)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def week_before(self) -> Period:
        return Period(self.first - timedelta(days=7), self.first - timedelta(days=1))

    def each_day(self) -> Iterable[date]:
        for offset in range(self.days):
            yield self.first + timedelta(days=offset)


def tanggal_panjang(day: date) -> str:
    """date(2026, 11, 27) → 'Jumat, 27 November 2026'."""
    return f"{DAY_NAMES[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def period_text(period: Period) -> str:
    if period.is_day:
        return tanggal_panjang(period.first)
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


def parse_period(args: Sequence[str], today: date) -> Period:
    """The period asked for: none → yesterday; one date → that day; two dates → that range (inclusive).

    ``today`` is the local date now. Refused (PeriodError): more than two arguments, a malformed or
    non-existent date, a start after the end, a start after today, a range over MAX_PERIOD_DAYS days.
    """
    if len(args) > 2:
        raise PeriodError(
            "Format perintah: <code>/laporan</code> (kemarin), <code>/laporan TTTT-BB-HH</code> (satu hari) "
            "atau <code>/laporan TTTT-BB-HH TTTT-BB-HH</code> (rentang tanggal)."
        )
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


def daily_report_date(scheduled_time: datetime, zone: ZoneInfo) -> date:
    """The day the 07:00 schedule reports on: the local calendar day before its scheduled time."""
    return scheduled_time.astimezone(zone).date() - timedelta(days=1)
