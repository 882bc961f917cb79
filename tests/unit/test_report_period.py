"""The periods /laporan and `sinawai report` accept, and the Indonesian answers for those they refuse."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from sinawai.report.digest import angka, desimal, persen
from sinawai.report.metrics import percentile
from sinawai.report.period import Period, PeriodError, daily_report_date, parse_period

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
