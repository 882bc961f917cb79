"""Working hours: open or not, the next working moment, working time between two moments (pure).

Bad inputs tried: a time after closing on a Thursday but inside Friday's longer hours, the exact opening
and closing minutes, a Friday evening before a weekend, Christmas Eve before a Friday holiday and a
weekend, Independence Day on a Monday, moments given in UTC, and broken WORKING_HOURS settings (closing
before opening, unknown day names, a day given twice, a backwards day range, impossible times, nothing).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sinawai.common.working_hours import (
    DEFAULT_WORKING_HOURS,
    WorkingHours,
    WorkingHoursError,
    indonesian_holidays,
    parse_schedule,
    when_text,
)

WIB = ZoneInfo("Asia/Jakarta")
CHRISTMAS = date(2026, 12, 25)


def wib(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=WIB)


def office(holidays: frozenset[date] = frozenset({CHRISTMAS})) -> WorkingHours:
    return WorkingHours.from_spec(None, is_holiday=lambda day: day in holidays)


def test_default_hours_mon_thu_until_16_and_friday_until_1630() -> None:
    hours = office()
    assert hours.is_open(wib(2026, 11, 26, 7, 30))  # Thursday, opening minute
    assert not hours.is_open(wib(2026, 11, 26, 7, 29))
    assert not hours.is_open(wib(2026, 11, 26, 16, 0))  # Thursday closes at 16:00
    assert not hours.is_open(wib(2026, 11, 26, 16, 15))
    assert hours.is_open(wib(2026, 11, 27, 16, 15))  # Friday closes at 16:30
    assert not hours.is_open(wib(2026, 11, 28, 10, 0))  # Saturday


def test_next_opening_across_a_weekend() -> None:
    hours = office()
    opening = hours.next_opening(wib(2026, 11, 27, 17, 0))  # Friday evening
    assert opening == wib(2026, 11, 30, 7, 30)
    assert when_text(opening, WIB) == "Senin, 30 November 2026 pukul 07.30 WIB"


def test_next_opening_skips_a_national_holiday_and_the_weekend_after_it() -> None:
    hours = office()
    opening = hours.next_opening(wib(2026, 12, 24, 16, 30))  # Thursday evening; Friday is Christmas
    assert opening == wib(2026, 12, 28, 7, 30)


def test_next_opening_is_now_when_open_and_later_today_before_opening() -> None:
    hours = office()
    assert hours.next_opening(wib(2026, 11, 30, 9, 15)) == wib(2026, 11, 30, 9, 15)
    assert hours.next_opening(wib(2026, 11, 30, 6, 0)) == wib(2026, 11, 30, 7, 30)


def test_moments_in_utc_are_read_in_the_service_zone() -> None:
    hours = office()
    # 00:45 UTC is 07:45 WIB on Monday
    assert hours.is_open(datetime(2026, 11, 30, 0, 45, tzinfo=UTC))
    # 23:00 UTC Sunday is 06:00 WIB Monday: closed, opens 07:30 WIB
    assert hours.next_opening(datetime(2026, 11, 29, 23, 0, tzinfo=UTC)) == wib(2026, 11, 30, 7, 30)


def test_indonesian_calendar_from_the_holidays_package() -> None:
    check = indonesian_holidays()
    assert check(date(2026, 8, 17))  # Hari Kemerdekaan, a Monday
    assert check(CHRISTMAS)
    assert not check(date(2026, 8, 18))
    hours = WorkingHours.from_spec(DEFAULT_WORKING_HOURS, is_holiday=check)
    assert hours.next_opening(wib(2026, 8, 14, 17, 0)) == wib(2026, 8, 18, 7, 30)


def test_working_time_counts_only_open_hours() -> None:
    hours = office()
    # Thursday 15:00-16:00, then Friday (holiday), weekend, Monday 07:30-08:30
    assert hours.working_time_between(wib(2026, 12, 24, 15, 0), wib(2026, 12, 28, 8, 30)) == timedelta(
        hours=2
    )
    # a whole normal week: 4 x 8.5 h + 9 h
    assert hours.working_time_between(wib(2026, 11, 30, 0, 0), wib(2026, 12, 7, 0, 0)) == timedelta(hours=43)
    assert hours.working_time_between(wib(2026, 11, 30, 9, 0), wib(2026, 11, 30, 8, 0)) == timedelta(0)


def test_custom_schedule() -> None:
    schedule = parse_schedule("mon,wed 08:00-12:00; sat 09:00-11:00")
    assert sorted(schedule) == [0, 2, 5]
    hours = WorkingHours(schedule, WIB)
    assert hours.next_opening(wib(2026, 11, 30, 12, 0)) == wib(2026, 12, 2, 8, 0)  # Monday noon → Wednesday


@pytest.mark.parametrize(
    "spec",
    [
        "mon-thu 16:00-07:30",
        "senin 07:30-16:00",
        "mon 07:30-16:00; mon 08:00-09:00",
        "thu-mon 07:00-08:00",
        "mon 25:00-26:00",
        "mon 7:3-16:00",
        "mon 07:30",
        " ; ",
    ],
)
def test_broken_settings_are_refused(spec: str) -> None:
    with pytest.raises(WorkingHoursError):
        WorkingHours.from_spec(spec)
