"""The periods /laporan and `sinawai report` accept, and the Indonesian answers for those they refuse."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sinawai.common.working_hours import ClosedDay, WorkCalendar, WorkingHours
from sinawai.report.digest import angka, desimal, persen
from sinawai.report.metrics import percentile
from sinawai.report.period import (
    Period,
    PeriodError,
    daily_report_date,
    first_working_day,
    is_working_day,
    month_of,
    monthly_digest_due,
    parse_period,
    week_before,
    week_of,
    weekly_report_period,
    weeks_of,
)

TODAY = date(2026, 11, 28)
WIB = ZoneInfo("Asia/Jakarta")


def test_no_argument_is_yesterday_one_date_a_day_two_dates_a_range() -> None:
    assert parse_period([], TODAY) == Period(date(2026, 11, 27), date(2026, 11, 27))
    assert parse_period(["2026-11-01"], TODAY) == Period(date(2026, 11, 1), date(2026, 11, 1))
    month = parse_period(["2026-11-01", "2026-11-30"], TODAY)
    # a whole month is compared with the calendar month before it (October has 31 days)
    assert (month.days, month.previous()) == (30, Period(date(2026, 10, 1), date(2026, 10, 31)))


@pytest.mark.parametrize(
    ("args", "answer"),
    [
        (["2026-02-30"], "Tanggal <code>2026-02-30</code> tidak ada di kalender."),
        (["30-11-2026"], "Gunakan format TTTT-BB-HH"),
        (["2026-11-30", "2026-11-01"], "Tanggal awal (30 November 2026) jatuh setelah tanggal akhir"),
        (["2025-01-01", "2026-01-02"], "Rentang 367 hari terlalu panjang"),
        (["2026-12-01"], "Tanggal 1 Desember 2026 belum terjadi"),
        (["2026-11-01", "2026-11-02", "2026-11-03"], "Format perintah"),
    ],
)
def test_bad_periods_are_refused_with_an_indonesian_answer(args: list[str], answer: str) -> None:
    with pytest.raises(PeriodError, match=answer.replace("(", r"\(").replace(")", r"\)")):
        parse_period(args, TODAY)


def test_a_whole_year_is_allowed() -> None:
    assert parse_period(["2025-11-28", "2026-11-28"], TODAY).days == 366


def test_a_wib_day_runs_from_17_00_utc_the_day_before() -> None:
    start, end = Period(date(2026, 11, 27), date(2026, 11, 27)).bounds(WIB)
    assert (start, end) == (datetime(2026, 11, 26, 17), datetime(2026, 11, 27, 17))


def test_the_0700_schedule_reports_on_the_wib_day_before_even_when_retried_hours_later() -> None:
    scheduled = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)  # 07:00 WIB
    assert daily_report_date(scheduled, WIB) == date(2026, 11, 27)


def test_percentiles_interpolate_and_numbers_read_the_indonesian_way() -> None:
    assert percentile([0.5, 1.0, 2.5, 6.0, 29.5], 90) == pytest.approx(20.1)
    assert percentile([], 50) is None
    assert (angka(1234567), desimal(1234.56), persen(0.5), persen(2 / 3)) == (
        "1.234.567",
        "1.234,6",
        "50%",
        "66,7%",
    )


def test_the_fast_working_clock_agrees_with_working_hours_over_long_and_short_spans() -> None:
    import random
    from datetime import timedelta

    from sinawai.common.working_hours import WorkingHours, indonesian_holidays
    from sinawai.report.metrics import WorkingClock

    hours = WorkingHours.from_spec(None, timezone="Asia/Jakarta", is_holiday=indonesian_holidays())
    clock = WorkingClock(hours, date(2025, 12, 1), date(2026, 12, 31))
    rng = random.Random(6)
    for _ in range(300):
        start = datetime(2025, 11, 20, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 60 * 24 * 420))
        end = start + timedelta(minutes=rng.choice([30, 600, 3000, 60 * 24 * rng.randrange(1, 400)]))
        expected = hours.working_time_between(start, end).total_seconds() / 3600
        assert clock.between(start, end) == pytest.approx(expected, abs=1e-6)


# ---- weeks and months (issue 15, item 13) -----------------------------------------------------------------

HOLIDAYS = {date(2026, 12, 25), date(2027, 1, 1), date(2026, 8, 17)}  # Natal, Tahun Baru, HUT RI


def office(closed: dict[date, str] | None = None) -> WorkingHours:
    calendar = WorkCalendar(
        {day: ClosedDay(day, "cuti_bersama", note) for day, note in (closed or {}).items()}, ()
    )
    return WorkingHours.from_spec(
        None, timezone="Asia/Jakarta", is_holiday=lambda day: day in HOLIDAYS, calendar=calendar
    )


def at_0700(day: date) -> datetime:
    return datetime.combine(day, time(7), WIB).astimezone(UTC)


def test_minggu_and_bulan_are_the_week_and_month_before_or_the_ones_holding_a_date() -> None:
    # TODAY is Saturday 28 November 2026
    assert parse_period(["minggu"], TODAY) == Period(date(2026, 11, 16), date(2026, 11, 22))
    assert parse_period(["pekan"], TODAY) == parse_period(["minggu"], TODAY)
    assert parse_period(["bulan"], TODAY) == Period(date(2026, 10, 1), date(2026, 10, 31))
    assert parse_period(["Minggu", "2026-11-04"], TODAY) == Period(date(2026, 11, 2), date(2026, 11, 8))
    assert parse_period(["bulan", "2026-02-14"], TODAY) == Period(date(2026, 2, 1), date(2026, 2, 28))
    with pytest.raises(PeriodError, match="belum terjadi"):
        parse_period(["bulan", "2026-12-01"], TODAY)
    with pytest.raises(PeriodError, match="Format perintah"):
        parse_period(["minggu", "2026-11-04", "2026-11-05"], TODAY)
    with pytest.raises(PeriodError, match="tidak ada di kalender"):
        parse_period(["minggu", "2026-11-31"], TODAY)


def test_a_week_runs_monday_to_sunday_across_a_year_end_and_only_then_is_weekly() -> None:
    assert week_of(date(2027, 1, 1)) == Period(date(2026, 12, 28), date(2027, 1, 3))
    assert week_of(date(2027, 1, 1)).kind == "weekly"
    assert Period(date(2026, 12, 29), date(2027, 1, 4)).kind == "range"  # seven days from a Tuesday
    assert month_of(date(2028, 2, 10)) == Period(date(2028, 2, 1), date(2028, 2, 29))  # a leap year
    assert month_of(date(2026, 12, 31)).kind == "monthly"
    # the month before March is February (28 days), not the 31 days before it
    assert month_of(date(2026, 3, 5)).previous() == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert week_of(date(2026, 11, 4)).previous() == Period(date(2026, 10, 26), date(2026, 11, 1))


def test_the_monday_schedule_reports_on_the_week_just_ended_even_when_retried_hours_later() -> None:
    monday = at_0700(date(2026, 12, 28))
    assert weekly_report_period(monday, WIB) == Period(date(2026, 12, 21), date(2026, 12, 27))
    assert weekly_report_period(monday + timedelta(hours=6), WIB) == weekly_report_period(monday, WIB)
    # run by hand on a Sunday: still the week before that Sunday's week
    assert week_before(date(2027, 1, 3)) == Period(date(2026, 12, 21), date(2026, 12, 27))


def test_the_trend_of_a_month_is_its_calendar_weeks() -> None:
    # November 2026 starts on a Sunday and ends on a Monday: six weeks overlap it
    weeks = weeks_of(month_of(date(2026, 11, 1)))
    assert [(w.first, w.last) for w in (weeks[0], weeks[-1])] == [
        (date(2026, 10, 26), date(2026, 11, 1)),
        (date(2026, 11, 30), date(2026, 12, 6)),
    ]
    assert len(weeks) == 6
    assert all(w.is_week for w in weeks)


@pytest.mark.parametrize(
    ("closed", "month", "first"),
    [
        ({}, date(2026, 12, 1), date(2026, 12, 1)),  # a Tuesday: the 1st itself
        ({}, date(2026, 8, 1), date(2026, 8, 3)),  # Saturday the 1st: the Monday after
        ({}, date(2027, 1, 1), date(2027, 1, 4)),  # Tahun Baru on Friday the 1st, then the weekend
        (
            {date(2026, 10, 1): "cuti bersama"},
            date(2026, 10, 1),
            date(2026, 10, 2),
        ),  # cuti bersama on the 1st
        (
            {date(2027, 1, 4): "cuti bersama", date(2027, 1, 5): "cuti bersama"},
            date(2027, 1, 1),
            date(2027, 1, 6),
        ),  # a holiday, the weekend and two cuti bersama days
    ],
)
def test_the_first_working_day_skips_weekends_holidays_and_cuti_bersama(
    closed: dict[date, str], month: date, first: date
) -> None:
    hours = office(closed)
    assert first_working_day(month, hours) == first
    skipped = [month + timedelta(days=n) for n in range((first - month).days)]
    assert not any(is_working_day(day, hours) for day in skipped)
    assert is_working_day(first, hours)


def test_the_monthly_schedule_sends_only_on_the_first_working_day_for_the_month_before() -> None:
    hours = office({date(2026, 10, 1): "cuti bersama"})
    december = Period(date(2026, 12, 1), date(2026, 12, 31))
    # January 2027: the 1st is Tahun Baru, the 2nd and 3rd a weekend, the 4th the first working day
    due = {day: monthly_digest_due(at_0700(date(2027, 1, day)), hours) for day in range(1, 11)}
    assert due == {day: (december if day == 4 else None) for day in range(1, 11)}
    # a retry hours later on the same morning still reports December
    assert monthly_digest_due(at_0700(date(2027, 1, 4)) + timedelta(hours=5), hours) == december
    # October 2026: cuti bersama on Thursday the 1st, so Friday the 2nd sends September
    assert monthly_digest_due(at_0700(date(2026, 10, 1)), hours) is None
    assert monthly_digest_due(at_0700(date(2026, 10, 2)), hours) == Period(
        date(2026, 9, 1), date(2026, 9, 30)
    )
