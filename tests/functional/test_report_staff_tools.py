"""The report's plain words, its staff-tool figures (issue 15, items 10, 11, 12, 14) on MariaDB.

The day is tests/report_seed.py's Monday 28 December 2026, with the staff tools' ``ticket_event`` rows added
(the issue-15 contract): canned answers with a topic, areas set (one ticket's area changed: the latest
counts; a ticket without any: umum; an unknown area: umum), service-target reminders per area, hand-overs.
Rina (8001) is registered as a staff member: the digest names her by her registered name. Also: the
workbook (labels, percent format, widths, frozen header) and the chart's ticks.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from sinawai.common.working_hours import WorkingHours, indonesian_holidays
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.report import files as report_files
from sinawai.report import store as report_store
from sinawai.report.digest import digest
from sinawai.report.metrics import Titles
from sinawai.report.period import Period
from sinawai.report.store import Built
from tests import report_seed
from tests.report_seed import DAY, JOKO, RINA, WIB, dec

LATER = datetime(2027, 1, 10)
TITLES = Titles(
    areas={"jahdis": "Kesejahteraan & Disiplin", "mutasi": "Mutasi & Kepangkatan"},
    topics={"cuti_tahunan": "Cuti tahunan", "cuti_besar": "Cuti besar"},
)


def _event(db: Database, ticket: int, when: datetime, event: str, detail: dict[str, Any]) -> None:
    db.execute(
        "INSERT INTO ticket_event (ticket_id, waktu, event, actor_type, actor_id, actor_name, detail)"
        " VALUES (%s, %s, %s, 'staf', %s, 'Joko', %s)",
        (ticket, when, event, JOKO, json.dumps(detail)),
    )


@pytest.fixture
def hours() -> WorkingHours:
    return WorkingHours.from_spec(None, timezone="Asia/Jakarta", is_holiday=indonesian_holidays())


@pytest.fixture
def seeded(db: DatabaseSettings) -> Iterator[tuple[Database, dict[str, int]]]:
    database = Database(db)
    try:
        t = report_seed.seed(database)
        # Rina is a registered staff member; Joko never registered (his Telegram name stays)
        database.execute(
            "INSERT INTO pengguna (nip, nama, unit_kerja, id_telegram, hak_pengguna)"
            " VALUES ('198507072010012005', 'Rina Kartika', 'Biro OSDM', %s, 'staf')",
            (RINA,),
        )
        yield database, t
    finally:
        database.close()


@pytest.fixture
def tools(seeded: tuple[Database, dict[str, int]]) -> tuple[Database, dict[str, int]]:
    db, t = seeded
    # canned answers on Monday: cuti_tahunan twice, cuti_besar once; one on Tuesday (another day)
    _event(db, t["T3"], dec(28, 10), "answered", {"topic": "cuti_tahunan"})
    _event(db, t["T4"], dec(28, 11, 30), "answered", {"topic": "cuti_tahunan"})
    _event(db, t["T8"], dec(28, 8, 10), "answered", {"topic": "cuti_besar"})
    _event(db, t["T9"], dec(29, 8), "answered", {"topic": "cuti_besar"})
    _event(db, t["T8"], dec(28, 8, 20), "answered", {"template": "salam"})  # a template: no topic
    # areas of Monday's tickets (T3, T4, T8, T9): T3 jahdis then mutasi (the latest counts), T4 jahdis,
    # T8 an unknown area (umum), T9 none (umum); T5 (Wednesday's) does not count on Monday
    _event(db, t["T3"], dec(28, 9, 1), "area_set", {"area": "jahdis", "by": "faq"})
    _event(db, t["T3"], dec(28, 9, 30), "area_set", {"area": "mutasi", "by": "staf"})
    _event(db, t["T4"], dec(28, 11, 1), "area_set", {"area": "jahdis", "by": "faq"})
    _event(db, t["T8"], dec(28, 7, 46), "area_set", {"area": "keuangan", "by": "staf"})
    _event(db, t["T5"], dec(28, 9), "area_set", {"area": "pengkinpeg", "by": "staf"})
    # service-target reminders on Monday: jahdis twice, one without an area (umum); one on Sunday
    _event(db, t["T4"], dec(28, 15), "sla_reminded", {"waited_working_hours": 4.0, "area": "jahdis"})
    _event(db, t["T5"], dec(28, 8), "sla_reminded", {"waited_working_hours": 14.5, "area": "jahdis"})
    _event(db, t["T6"], dec(28, 8), "sla_reminded", {"waited_working_hours": 25.0, "area": None})
    _event(db, t["T6"], dec(27, 8), "sla_reminded", {"waited_working_hours": 25.0, "area": "mutasi"})
    # hand-overs: two on Monday, one on Tuesday
    for ticket, when in (("T3", dec(28, 9, 45)), ("T4", dec(28, 12)), ("T9", dec(29, 8))):
        _event(db, t[ticket], when, "handed_over", {"from": JOKO, "to": RINA, "to_name": "Rina"})
    return seeded


def build(db: Database, hours: WorkingHours, period: Period | None = None) -> Built:
    return report_store.build(db, period or Period(DAY, DAY), hours, 8.0, now=LATER, titles=TITLES)


def test_staff_are_named_by_their_registered_name_where_known(
    seeded: tuple[Database, dict[str, int]], hours: WorkingHours
) -> None:
    built = build(seeded[0], hours)
    assert built.report.metrics.staff_answers == {"Joko": 4, "Rina Kartika": 3}
    text = digest(built.report)
    assert "<b>Jawaban petugas</b>: Joko 4, Rina Kartika 3" in text
    # plain words: no percentile jargon, the day before is "hari sebelumnya"
    assert "90 % tiket dijawab dalam 20,1 jam kerja" in text
    assert "hari sebelumnya" in text
    for jargon in ("p90", "persentil", "kemarin", "SLA", "FAQ"):
        assert jargon not in text


def test_the_staff_tools_figures_come_from_ticket_events(
    tools: tuple[Database, dict[str, int]], hours: WorkingHours
) -> None:
    m = build(tools[0], hours).report.metrics
    assert m.canned_answers == {"cuti_tahunan": 2, "cuti_besar": 1}
    assert m.tickets_by_area == {"mutasi": 1, "jahdis": 1, "umum": 2}
    assert m.sla_by_area == {"jahdis": 2, "umum": 1}
    assert (m.sla_breaches, m.handovers) == (3, 2)
    text = digest(build(tools[0], hours).report)
    assert "<b>Kerja petugas</b>" in text
    assert "• Jawaban dari materi informasi: 3 (Cuti tahunan 2, Cuti besar 1)" in text
    assert (
        "• Konsultasi baru per bidang: Mutasi &amp; Kepangkatan 1 · Kesejahteraan &amp; Disiplin 1 · Umum 2"
        in text
    )
    assert "• Pengingat melewati target layanan: 3 (Kesejahteraan &amp; Disiplin 2 · Umum 1)" in text
    assert "• Tiket dialihkan ke petugas lain: 2" in text


def test_without_staff_tool_events_the_figures_are_zero_and_the_digest_omits_them(
    seeded: tuple[Database, dict[str, int]], hours: WorkingHours
) -> None:
    built = build(seeded[0], hours)
    m = built.report.metrics
    assert (m.canned_answers, m.sla_by_area, m.handovers) == ({}, {}, 0)
    assert m.tickets_by_area == {"umum": 4}  # no area ever set: umum
    text = digest(built.report)
    assert "Jawaban dari materi informasi" not in text
    assert "Pengingat melewati target" not in text
    assert "dialihkan" not in text
    summary = {
        row[0]: row[1]
        for row in load_workbook(io.BytesIO(report_files.workbook_xlsx(built, WIB)))["Ringkasan"].iter_rows(
            values_only=True
        )
        if row and row[0]
    }
    assert summary["Tiket dialihkan ke petugas lain"] == 0
    assert summary["Pengingat melewati target layanan"] == 0


def test_a_longer_period_counts_the_staff_tools_over_all_its_days(
    tools: tuple[Database, dict[str, int]], hours: WorkingHours
) -> None:
    week = build(tools[0], hours, Period(DAY, DAY.replace(day=31)))
    assert week.report.metrics.handovers == 3  # Monday's two and Tuesday's
    assert week.report.metrics.canned_answers == {"cuti_besar": 2, "cuti_tahunan": 2}


def test_the_workbook_labels_codes_formats_rates_as_percent_fits_columns_and_freezes_the_header(
    tools: tuple[Database, dict[str, int]], hours: WorkingHours
) -> None:
    built = build(tools[0], hours)
    book = load_workbook(io.BytesIO(report_files.workbook_xlsx(built, WIB)))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.bold for cell in sheet[1] if cell.value is not None), sheet.title
    summary = book["Ringkasan"]
    rates = {
        row[0].value: row[1]
        for row in summary.iter_rows()
        if row[0].value in ("Terjawab otomatis tanpa petugas", "Tiket ditutup yang dinilai")
    }
    assert rates["Terjawab otomatis tanpa petugas"].value == 0.5
    assert rates["Terjawab otomatis tanpa petugas"].number_format == "0.0%"
    assert rates["Tiket ditutup yang dinilai"].value == 0.67
    assert rates["Tiket ditutup yang dinilai"].number_format == "0.0%"
    hours_cell = next(
        row[1] for row in summary.iter_rows() if row[0].value == "Separuh tiket dijawab dalam (jam kerja)"
    )
    assert hours_cell.number_format == "0.00"  # hours are not percentages
    # every column is at least as wide as its longest text
    for sheet in book.worksheets:
        for index, column in enumerate(sheet.iter_cols(), start=1):
            longest = (
                max(len(str(c.value)) for c in column if c.value is not None)
                if any(c.value is not None for c in column)
                else 0
            )
            letter = get_column_letter(index)
            width = sheet.column_dimensions[letter].width
            assert width >= min(longest, 78), (sheet.title, letter, width, longest)
    # labels, not codes
    values = {
        str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c
    }
    for code in (
        "register_failure",
        "register_success",
        "tanpa_kecocokan",
        "diteruskan",
        "cuti_tahunan",
        "jahdis",
        "button",
        "command",
    ):
        assert code not in values, code
    assert "Registrasi gagal" in values
    assert "Pertanyaan bebas: Tanpa jawaban yang cocok" in values
    assert "Diteruskan ke petugas" in values  # the Informasi sheet's FAQ outcomes
    consultation = [tuple(r) for r in book["Konsultasi"].iter_rows(values_only=True)]
    assert ("Cuti tahunan", 2) in [r[:2] for r in consultation]
    assert ("Kesejahteraan & Disiplin", 1, 2) in [r[:3] for r in consultation]
    assert ("Rina Kartika", 3) in [r[:2] for r in consultation]


def test_the_chart_has_integer_count_ticks_decimal_commas_and_a_clear_title(
    tools: tuple[Database, dict[str, int]], hours: WorkingHours
) -> None:
    from matplotlib import pyplot as plt

    assert (report_files.count_tick(3.0), report_files.count_tick(1234.0), report_files.count_tick(2.5)) == (
        "3",
        "1.234",
        "",
    )
    assert (report_files.hours_tick(2.5), report_files.hours_tick(12.25)) == ("2,5", "12,2")
    built = build(tools[0], hours)
    fig = report_files.chart_figure(built.report)
    try:
        fig.canvas.draw()
        counts, working_hours = fig.axes
        assert all(float(tick).is_integer() for tick in counts.get_yticks())
        count_labels = [t.get_text() for t in counts.get_yticklabels() if t.get_text()]
        assert count_labels
        assert all(label.isdigit() for label in count_labels)
        hour_labels = [t.get_text() for t in working_hours.get_yticklabels() if t.get_text()]
        assert hour_labels
        assert all("," in label and "." not in label for label in hour_labels), hour_labels
        assert (
            counts.get_title()
            == "Konsultasi baru dan waktu jawaban pertama per hari\n30 hari s.d. 28 Desember 2026"
        )
    finally:
        plt.close(fig)
