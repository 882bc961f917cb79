"""The working calendar and the out-of-hours promise (pure): what an employee is told, at every edge.

Edges tried: before opening on a Monday (the reported 05.08 case), the opening minute, a lunch break, its
last minute, after closing with a working tomorrow, Friday evening, Saturday and Sunday, the eve of a
national holiday, the eve of a cuti bersama day, a Ramadan short day (after its early closing, before its
later opening), the year's last working day, and the WIT and WITA zones.

Bad calendar files tried: a date in the wrong format, a date that does not exist, a year out of range, a
range written backwards, a range far too long, a time that is not HH:MM, an hour past 23, closing before
opening, an unknown Indonesian day, overlapping special ranges, a date given twice, an entry without a
description, an entry above any section, an unknown section, an unknown front matter key, an unclosed front
matter. Each is reported with its line, and nothing of the file is used.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sinawai.common.working_hours import (
    ClosedDay,
    SpecialHours,
    WorkCalendar,
    WorkingHours,
    WorkingHoursError,
    opening_text,
    parse_schedule,
)
from sinawai.consultation import texts as t
from sinawai.information import calendar_file, content_files
from sinawai.information.content import Bundle

ROOT = Path(__file__).resolve().parents[2]
WIB = ZoneInfo("Asia/Jakarta")
CHRISTMAS = date(2026, 12, 25)  # a Friday
CUTI_BERSAMA = date(2026, 12, 24)  # the Thursday before it
RAMADAN = SpecialHours.of(
    date(2027, 2, 8), date(2027, 3, 9), "sen-kam 08:00-15:00; jum 08:00-15:30", "Ramadan"
)
CALENDAR = WorkCalendar({CUTI_BERSAMA: ClosedDay(CUTI_BERSAMA, "cuti_bersama", "Natal")}, (RAMADAN,))


def wib(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=WIB)


def office(
    spec: str | None = None, calendar: WorkCalendar = CALENDAR, zone: str = "Asia/Jakarta"
) -> WorkingHours:
    national = {CHRISTMAS, date(2027, 1, 1), date(2026, 8, 17)}
    return WorkingHours.from_spec(
        spec, timezone=zone, is_holiday=lambda day: day in national, calendar=calendar
    )


LUNCH = "mon-thu 07:30-12:00,13:00-16:00; fri 07:30-11:30,13:00-16:30"


@pytest.mark.parametrize(
    ("spec", "asked", "said"),
    [
        # the reported case: Monday 30 November at 05.08
        (
            None,
            wib(2026, 11, 30, 5, 8),
            "Saat ini di luar jam kerja Biro OSDM; pertanyaan Anda akan ditangani hari ini pukul 07.30 WIB.",
        ),
        (None, wib(2026, 11, 30, 0, 0), "akan ditangani hari ini pukul 07.30 WIB."),
        (None, wib(2026, 11, 30, 7, 29), "akan ditangani hari ini pukul 07.30 WIB."),
        # after closing, tomorrow a working day
        (None, wib(2026, 11, 30, 16, 0), "akan ditangani besok, Selasa 1 Desember pukul 07.30 WIB."),
        (None, wib(2026, 11, 30, 23, 59), "akan ditangani besok, Selasa 1 Desember pukul 07.30 WIB."),
        # Friday after 16.30, Saturday, Sunday
        (
            None,
            wib(2026, 12, 4, 16, 30),
            "akan ditangani pada hari kerja berikutnya, Senin, 7 Desember pukul 07.30 WIB.",
        ),
        (
            None,
            wib(2026, 12, 5, 10, 0),
            "akan ditangani pada hari kerja berikutnya, Senin, 7 Desember pukul 07.30 WIB.",
        ),
        (None, wib(2026, 12, 6, 20, 0), "akan ditangani besok, Senin 7 Desember pukul 07.30 WIB."),
        # the eve of a cuti bersama day (24 Dec) before Christmas (a national holiday) and the weekend
        (
            None,
            wib(2026, 12, 23, 16, 5),
            "akan ditangani pada hari kerja berikutnya, Senin, 28 Desember pukul 07.30 WIB.",
        ),
        # the eve of Independence Day (a Monday): Friday evening
        (
            None,
            wib(2026, 8, 14, 17, 0),
            "akan ditangani pada hari kerja berikutnya, Selasa, 18 Agustus pukul 07.30 WIB.",
        ),
        # the last working day of the year: New Year's Day is a holiday, the year is named
        (
            None,
            wib(2026, 12, 31, 16, 1),
            "akan ditangani pada hari kerja berikutnya, Senin, 4 Januari 2027 pukul 07.30 WIB.",
        ),
        # lunch break, when one is configured
        (
            LUNCH,
            wib(2026, 11, 30, 12, 0),
            "Saat ini jam istirahat Biro OSDM; pertanyaan Anda akan ditangani hari ini pukul 13.00 WIB.",
        ),
        (
            LUNCH,
            wib(2026, 12, 4, 12, 59),
            "Saat ini jam istirahat Biro OSDM; pertanyaan Anda akan ditangani hari ini pukul 13.00 WIB.",
        ),
        (
            LUNCH,
            wib(2026, 11, 30, 6, 0),
            "Saat ini di luar jam kerja Biro OSDM; pertanyaan Anda akan ditangani hari ini pukul 07.30 WIB.",
        ),
        # Ramadan: the short day closes at 15.00, and opens at 08.00
        (None, wib(2027, 2, 8, 15, 0), "akan ditangani besok, Selasa 9 Februari pukul 08.00 WIB."),
        (None, wib(2027, 2, 9, 7, 45), "akan ditangani hari ini pukul 08.00 WIB."),
    ],
)
def test_the_out_of_hours_promise_names_the_right_day(spec: str | None, asked: datetime, said: str) -> None:
    opening = office(spec).opening_after(asked)
    assert opening is not None
    assert t.acknowledgement(3, opening, WIB).endswith(said)


@pytest.mark.parametrize(
    "asked",
    [wib(2026, 11, 30, 7, 30), wib(2026, 11, 30, 15, 59), wib(2026, 12, 4, 16, 29), wib(2027, 2, 12, 15, 29)],
)
def test_nothing_is_promised_while_the_office_is_open(asked: datetime) -> None:
    assert office().opening_after(asked) is None
    assert t.acknowledgement(3, None, WIB).endswith("jawaban akan dikirim melalui percakapan ini.")


@pytest.mark.parametrize(("zone", "suffix"), [("Asia/Makassar", "WITA"), ("Asia/Jayapura", "WIT")])
def test_the_zone_suffix_follows_service_timezone(zone: str, suffix: str) -> None:
    hours = office(zone=zone)
    asked = datetime(2026, 11, 30, 5, 8, tzinfo=ZoneInfo(zone))
    opening = hours.opening_after(asked)
    assert opening is not None
    assert opening_text(opening, ZoneInfo(zone)) == f"hari ini pukul 07.30 {suffix}"


def test_a_lunch_break_is_not_working_time_and_a_day_closes_at_its_last_interval() -> None:
    hours = office(LUNCH, calendar=WorkCalendar())
    assert not hours.is_open(wib(2026, 11, 30, 12, 30))
    assert hours.is_open(wib(2026, 11, 30, 13, 0))
    # Monday: 4.5 h + 3 h
    assert hours.working_time_between(wib(2026, 11, 30, 0, 0), wib(2026, 12, 1, 0, 0)) == timedelta(hours=7.5)
    assert hours.close_of_working_day_after(wib(2026, 11, 30, 9, 0), 1) == wib(2026, 12, 1, 16, 0)


def test_working_time_skips_a_cuti_bersama_day_and_counts_a_ramadan_day_short() -> None:
    with_calendar, without = office(), office(calendar=WorkCalendar())
    # Wednesday 23 Dec 15:00 → Monday 28 Dec 09:00: 1 h + (Thursday 24 Dec, cuti bersama) + 1.5 h
    start, end = wib(2026, 12, 23, 15, 0), wib(2026, 12, 28, 9, 0)
    assert with_calendar.working_time_between(start, end) == timedelta(hours=2.5)
    assert without.working_time_between(start, end) == timedelta(hours=11)
    # A Ramadan Monday is 7 h (08:00-15:00), its Friday 7.5 h
    assert with_calendar.working_time_between(wib(2027, 2, 8, 0), wib(2027, 2, 9, 0)) == timedelta(hours=7)
    assert with_calendar.working_time_between(wib(2027, 2, 12, 0), wib(2027, 2, 13, 0)) == timedelta(
        hours=7.5
    )
    # the auto-close deadline passes over the cuti bersama day: 2 working days after Wednesday 23 Dec
    assert with_calendar.close_of_working_day_after(start, 2) == wib(2026, 12, 29, 16, 0)


def test_special_hours_with_times_only_apply_to_the_usual_working_days() -> None:
    short = SpecialHours.of(date(2026, 12, 1), date(2026, 12, 31), "08:00-12:00", "Contoh")
    hours = office(calendar=WorkCalendar({}, (short,)))
    assert hours.working_time_between(wib(2026, 12, 7, 0), wib(2026, 12, 8, 0)) == timedelta(hours=4)
    assert hours.working_time_between(wib(2026, 12, 5, 0), wib(2026, 12, 7, 0)) == timedelta(0)  # weekend


# ---- the calendar file -------------------------------------------------------------------------------------

GOOD = """---
title: Kalender kerja Biro OSDM
status: perlu konfirmasi OSDM
---
A note for the reader.

## Cuti bersama
### 2026
- 2026-12-24 | Cuti bersama Hari Raya Natal
- 2027-03-11 s.d. 2027-03-12 | Cuti bersama Idulfitri

## Libur tambahan
- 2026-12-31 | Hari jadi instansi

## Jam khusus
- 2027-02-08 sampai 2027-03-09 | sen-kam 08:00-15:00; jumat 08:00-15:30 | Ramadan 1448 H
- 2027-04-01 s.d. 2027-04-02 | 08:00-12:00,13:00-15:00 | Contoh
"""


def test_the_calendar_file_is_read() -> None:
    calendar, problems = calendar_file.parse(GOOD)
    assert problems == []
    assert sorted(calendar.closed) == [
        date(2026, 12, 24),
        date(2026, 12, 31),
        date(2027, 3, 11),
        date(2027, 3, 12),
    ]
    assert calendar.closed[date(2026, 12, 31)] == ClosedDay(date(2026, 12, 31), "libur", "Hari jadi instansi")
    assert calendar.closed[date(2026, 12, 24)].kind == "cuti_bersama"
    ramadan = calendar.special_on(date(2027, 2, 12))
    assert ramadan is not None
    assert ramadan.note == "Ramadan 1448 H"
    assert calendar.special_on(date(2027, 3, 10)) is None
    # what the functions read back from the published bundle is the same calendar
    again = Bundle.from_json(Bundle((), (), calendar=calendar).to_json()).calendar
    assert again == calendar
    assert again.special_on(date(2027, 4, 1)) is not None


@pytest.mark.parametrize(
    ("line", "message", "at"),
    [
        ("- 2026/12/24 | Natal", "tanggal '2026/12/24' harus ditulis TTTT-BB-HH", 9),
        ("- 24-12-2026 | Natal", "harus ditulis TTTT-BB-HH", 9),
        ("- 2026-02-30 | Natal", "tanggal '2026-02-30' tidak ada di kalender", 9),
        ("- 1926-12-24 | Natal", "tahun 1926 di luar 2000-2100", 9),
        ("- 2026-12-28 s.d. 2026-12-24 | Natal", "rentang terbalik: 2026-12-24 jatuh sebelum 2026-12-28", 9),
        ("- 2026-12-01 s.d. 2027-12-24 | Natal", "terlalu panjang (maksimal 31 hari)", 9),
        ("- 2026-12-24", "tanggal ditulis 'TANGGAL | keterangan'", 9),
        ("- 2026-12-24 |  ", "tanggal ditulis 'TANGGAL | keterangan'", 9),
        ("- 2026-12-31 | Hari jadi", "tanggal 2026-12-31 sudah ditulis pada baris 9", 13),
    ],
)
def test_bad_closed_days_are_named_with_their_line(line: str, message: str, at: int) -> None:
    text = GOOD.replace("- 2026-12-24 | Cuti bersama Hari Raya Natal", line)
    calendar, problems = calendar_file.parse(text)
    assert calendar == WorkCalendar()  # nothing of a file with a problem is used
    assert len(problems) == 1
    assert problems[0][0] == at
    assert message in problems[0][1]


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("sen-kam 8.00-15.00", "jam '8.00' harus ditulis JJ:MM"),
        ("sen-kam 24:00-25:00", "jam '24:00' tidak ada"),
        ("sen-kam 15:00-08:00", "jam tutup harus setelah jam buka"),
        ("senen 08:00-15:00", "hari 'senen' tidak dikenal: pakai sen, sel, rab, kam, jum, sab, min"),
        ("kam-sen 08:00-15:00", "rentang hari 'kam-sen' terbalik"),
        ("sen 08:00-12:00,11:00-15:00", "tumpang tindih atau tidak berurutan"),
        ("sen-kam", "harus ditulis 'hari JJ:MM-JJ:MM'"),
        ("sen 08:00-15:00; sen 09:00-10:00", "hari Senin ditulis dua kali"),
    ],
)
def test_bad_special_hours_are_named_with_their_line(hours: str, message: str) -> None:
    text = GOOD.replace("sen-kam 08:00-15:00; jumat 08:00-15:30", hours)
    calendar, problems = calendar_file.parse(text)
    assert calendar == WorkCalendar()
    assert len(problems) == 1
    assert problems[0][0] == 16
    assert message in problems[0][1]


def test_overlapping_ranges_and_misplaced_entries_are_named_with_their_lines() -> None:
    text = (
        GOOD.replace("- 2027-04-01 s.d. 2027-04-02", "- 2027-03-09 s.d. 2027-03-10")
        .replace("A note for the reader.", "- 2026-12-30 | above any section")
        .replace("## Libur tambahan", "## Libur daerah")
        .replace("status: perlu", "statu: perlu")
    )
    _, problems = calendar_file.parse(text)
    front_matter = "baris front matter harus 'title:', 'status:' atau 'sumber:'"
    where = "## Cuti bersama, ## Libur tambahan atau ## Jam khusus"
    assert problems == [
        (
            3,
            f"{front_matter}, bukan 'statu: perlu konfirmasi OSDM'",
        ),
        (5, "entri harus berada di bawah judul ## Cuti bersama, ## Libur tambahan atau ## Jam khusus"),
        (
            12,
            f"judul bagian 'Libur daerah' tidak dikenal: {where}",
        ),
        (13, "entri harus berada di bawah judul ## Cuti bersama, ## Libur tambahan atau ## Jam khusus"),
        (17, "rentang jam khusus tumpang tindih dengan baris 16"),
    ]


def test_an_unclosed_front_matter_is_refused() -> None:
    _, problems = calendar_file.parse("---\ntitle: Kalender\n## Cuti bersama\n- 2026-12-24 | Natal\n")
    assert problems == [(4, "front matter tidak ditutup dengan baris '---'")]


def test_content_validation_names_the_calendar_file_and_publishes_it_in_the_bundle() -> None:
    files = content_files.load_folder(ROOT / "content")
    bundle = content_files.build(files)
    assert date(2026, 12, 24) in bundle.calendar.closed  # the shipped calendar: cuti bersama Natal 2026
    files["_kalender.md"] = GOOD.replace("2026-12-24 |", "2026-13-24 |")
    with pytest.raises(content_files.ContentError) as refused:
        content_files.build(files)
    assert [str(p) for p in refused.value.problems] == [
        "_kalender.md:9: tanggal '2026-13-24' tidak ada di kalender"
    ]


def test_working_hours_setting_keeps_english_day_names_and_reads_a_lunch_break() -> None:
    assert parse_schedule("mon 07:30-12:00,13:00-16:00")[0] == (
        (time(7, 30), time(12, 0)),
        (time(13, 0), time(16, 0)),
    )
    with pytest.raises(WorkingHoursError, match="overlap"):
        parse_schedule("mon 07:30-12:00,11:00-16:00")
    with pytest.raises(WorkingHoursError, match="use mon"):
        parse_schedule("sen 07:30-16:00")
