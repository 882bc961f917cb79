"""The pure rules of hand-over areas and the service-target reminders (issue 15, items 5 and 9)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from sinawai.common.working_hours import WorkingHours
from sinawai.consultation import areas, sla
from sinawai.consultation.tickets import Status

WIB = ZoneInfo("Asia/Jakarta")
# Monday to Friday 08:00-16:00, 17 August 2026 (Monday) a holiday
HOURS = WorkingHours.from_spec("mon-fri 08:00-16:00", is_holiday=lambda day: day == date(2026, 8, 17))


def at(day: int, hour: int, minute: int = 0, month: int = 8) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("jahdis", "jahdis"), ("JAHDIS", "jahdis"), ("#mutasi", "mutasi"), (" umum ", "umum")],
)
def test_areas_are_read_in_any_case(raw: str, expected: str) -> None:
    assert areas.parse_area(raw) == expected


@pytest.mark.parametrize("raw", ["kepegawaian", "", "jahdis2", "mutasi,jahdis", "٣"])
def test_an_unknown_area_is_refused(raw: str) -> None:
    assert areas.parse_area(raw) is None


def test_labels_name_every_area_in_indonesian() -> None:
    assert areas.label("jahdis") == "Kesejahteraan & Disiplin"
    assert areas.label(None) == "Umum"
    assert set(areas.AREAS) == {"renbangkompeg", "mutasi", "jahdis", "pengkinpeg", "umum"}


def test_the_best_topic_that_still_exists_gives_the_area() -> None:
    known = {"cuti-besar": "jahdis", "kp-reguler": "mutasi", "odd": "lainnya"}
    assert areas.area_of_topics(["gone", "cuti-besar", "kp-reguler"], known.get) == "jahdis"
    assert areas.area_of_topics([], known.get) == "umum"
    assert areas.area_of_topics(["gone"], known.get) == "umum"
    assert areas.area_of_topics(["odd"], known.get) == "umum"  # an area outside the list: umum


def test_waiting_counts_working_hours_only() -> None:
    # Friday 14:00 to Tuesday 10:00 across a weekend and the Monday holiday: 2 h + 2 h
    assert sla.waited_working_hours(at(14, 14), at(18, 10), HOURS) == pytest.approx(4.0)


def test_overdue_after_the_target_in_working_hours_and_only_without_a_first_answer() -> None:
    created = at(12, 8)  # Wednesday 08:00
    assert not sla.overdue(Status.BARU, None, created, at(12, 15, 59), HOURS, 8)
    assert sla.overdue(Status.BARU, None, created, at(12, 16), HOURS, 8)
    assert sla.overdue(Status.DIPROSES, None, created, at(13, 9), HOURS, 8)
    # answered, closed, or reminders off: never
    assert not sla.overdue(Status.DIJAWAB, None, created, at(13, 9), HOURS, 8)
    assert not sla.overdue(Status.BARU, at(12, 9), created, at(13, 9), HOURS, 8)
    assert not sla.overdue(Status.SELESAI, None, created, at(13, 9), HOURS, 8)
    assert not sla.overdue(Status.BARU, None, created, at(20, 9), HOURS, 0)


def test_a_question_asked_on_friday_evening_is_not_overdue_over_the_weekend() -> None:
    created = at(14, 18)  # Friday after closing
    assert not sla.overdue(Status.BARU, None, created, at(16, 20), HOURS, 8)  # Sunday
    assert not sla.overdue(Status.BARU, None, created, at(18, 15), HOURS, 8)  # Tuesday 15:00: 7 h
    assert sla.overdue(Status.BARU, None, created, at(18, 16), HOURS, 8)


def test_no_reminder_outside_working_hours() -> None:
    assert sla.may_remind(at(12, 9), HOURS)
    assert not sla.may_remind(at(12, 17), HOURS)  # evening
    assert not sla.may_remind(at(15, 10), HOURS)  # Saturday
    assert not sla.may_remind(at(17, 10), HOURS)  # holiday


def test_the_morning_list_goes_out_on_working_days_only() -> None:
    assert sla.morning_list_day(at(12, 7, 45), HOURS)  # Wednesday before opening
    assert not sla.morning_list_day(at(15, 7, 45), HOURS)  # Saturday
    assert not sla.morning_list_day(at(17, 7, 45), HOURS)  # the holiday
    assert not sla.morning_list_day(at(12, 16, 30), HOURS)  # after the day closed


def test_waits_are_told_in_whole_working_hours() -> None:
    assert sla.waited_text(6.9) == "6 jam kerja"
    assert sla.waited_text(0.75) == "45 menit kerja"
    assert sla.target_text(8) == "8 jam kerja"
    assert sla.target_text(7.5) == "7,5 jam kerja"
