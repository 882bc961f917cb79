"""Every metric of the evaluation report over a known day on MariaDB, against values computed by hand.

The day (tests/report_seed.py) is Monday 28 December 2026: response times run across a weekend and
Friday 25 December (Hari Raya Natal); rows one second before and at the day's WIB midnight belong to the
neighbouring days. Also: the comparisons with the day before and the 7-day average, what got worse, the
digest text (HTML-escaped, within Telegram's limit), the workbook's sheets, and a day with no activity.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from sinawai.common.working_hours import WorkingHours, indonesian_holidays
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.report import files as report_files
from sinawai.report import store as report_store
from sinawai.report.comparison import Report
from sinawai.report.digest import digest
from sinawai.report.metrics import LowRating, Metrics, Waiting
from sinawai.report.period import Period
from sinawai.report.store import Built
from tests import report_seed
from tests.report_seed import DAY, NIP, WIB

LATER = datetime(2027, 1, 10)  # the report is built well after the day: the backlog is the day's end


@pytest.fixture
def hours() -> WorkingHours:
    return WorkingHours.from_spec(None, timezone="Asia/Jakarta", is_holiday=indonesian_holidays())


@pytest.fixture
def seeded(db: DatabaseSettings) -> Iterator[tuple[Database, dict[str, int]]]:
    database = Database(db)
    try:
        yield database, report_seed.seed(database)
    finally:
        database.close()


@pytest.fixture
def built(seeded: tuple[Database, dict[str, int]], hours: WorkingHours) -> Built:
    return report_store.build(seeded[0], Period(DAY, DAY), hours, 8.0, now=LATER)


def approx(value: float) -> Any:
    return pytest.approx(value, abs=1e-9)


def test_messages_people_registrations_and_use_per_area(built: Built) -> None:
    m = built.report.metrics
    assert (m.messages_in, m.messages_out, m.active_users) == (7, 5, 3)
    assert (m.registrations, m.failed_attempts, m.lockouts) == (1, 3, 1)
    assert m.usage_by_area == {
        "Registrasi & data pribadi": 2,
        "Umum": 2,
        "Konsultasi": 1,
        "Laporan": 1,
        "Lainnya": 1,
    }
    assert m.usage_by_command == {"/start": 2, "/daftar": 1, "/laporan": 1}
    assert m.content_views == {"mutasi": 2, "jahdis": 1, "terkini": 1}
    assert (m.documents_sent, m.documents_by_category) == (3, {"formulir": 2, "lainnya": 1})


def test_faq_deflection_counts_decided_questions_only(built: Built) -> None:
    m = built.report.metrics
    assert m.faq_outcomes == {"terjawab": 3, "diteruskan": 1, "tanpa_kecocokan": 2, "menunggu": 1}
    assert m.faq_questions == 6
    assert m.deflection_rate == approx(0.5)


def test_consultation_flow_backlog_and_the_tickets_waiting_longest(
    built: Built, seeded: tuple[Database, dict[str, int]]
) -> None:
    t = seeded[1]
    m = built.report.metrics
    assert (m.opened, m.answered, m.closed, m.backlog) == (4, 5, 3, 5)
    assert [w.ticket_id for w in m.waiting] == [t["T5"], t["T4"], t["T9"]]
    assert [w.hours for w in m.waiting] == [approx(23.0), approx(5.0), approx(3.0)]
    assert m.oldest_waiting_hours == approx(23.0)


def test_response_and_resolution_times_are_working_hours_across_weekend_and_holiday(
    built: Built, seeded: tuple[Database, dict[str, int]]
) -> None:
    t = seeded[1]
    m = built.report.metrics
    assert m.first_response_hours == {
        t["T1"]: approx(2.5),  # Thu 15:00–16:00, Christmas and the weekend closed, Mon 07:30–09:00
        t["T2"]: approx(1.0),  # asked on Saturday night: counted from Monday 07:30
        t["T3"]: approx(6.0),
        t["T6"]: approx(29.5),
        t["T8"]: approx(0.5),
    }
    assert m.first_response_median == approx(2.5)
    assert m.first_response_p90 == approx(20.1)  # 6.0 + 0.6 × (29.5 − 6.0)
    assert m.resolution_hours == {t["T1"]: approx(3.5), t["T2"]: approx(6.5), t["T8"]: approx(8.25)}
    assert m.resolution_median == approx(6.5)
    assert m.resolution_p90 == approx(7.9)  # 6.5 + 0.8 × (8.25 − 6.5)
    assert (m.answered_late, m.waiting_over_target, m.over_target) == (1, 1, 2)


def test_satisfaction_and_staff_workload(built: Built, seeded: tuple[Database, dict[str, int]]) -> None:
    t = seeded[1]
    m = built.report.metrics
    assert m.rating_count == 3
    assert m.rating_average == approx(8 / 3)
    assert m.rating_distribution == {1: 1, 2: 1, 3: 0, 4: 0, 5: 1}
    assert (m.closed_rated, m.rating_response_rate) == (2, approx(2 / 3))
    assert [(low.ticket_id, low.rating, low.comment) for low in m.low_ratings] == [
        (t["T7"], 1, "Tidak membantu"),
        (t["T2"], 2, "Jawaban kurang jelas <b>& lambat</b>"),
    ]
    assert m.staff_answers == {"Joko": 4, "Rina": 3}


def test_comparisons_with_the_day_before_and_the_week_and_what_got_worse(built: Built) -> None:
    by_key = {h.key: h for h in built.report.headlines()}
    assert (by_key["messages_in"].previous, by_key["messages_in"].baseline) == (1, approx(2.0))
    assert by_key["opened"].baseline == approx(5 / 7)
    assert by_key["first_response_median"].previous is None  # nobody was answered on Sunday
    assert by_key["first_response_median"].baseline == approx(1.0)
    assert by_key["resolution_median"].baseline == approx(7.5)
    assert (by_key["backlog"].previous, by_key["backlog"].baseline) == (4, 4)
    assert by_key["over_target"].baseline == 2  # T5 and T6 were already waiting too long on Sunday
    assert by_key["rating_average"].baseline is None
    assert by_key["deflection_rate"].baseline == approx(1.0)
    assert [h.key for h in built.report.worse()] == [
        "backlog",
        "first_response_median",
        "first_response_p90",
        "deflection_rate",
        "failed_attempts",
        "lockouts",
    ]


def test_the_digest_reads_in_indonesian_with_escaped_comments(
    built: Built, seeded: tuple[Database, dict[str, int]]
) -> None:
    t = seeded[1]
    text = digest(built.report)
    assert text.startswith("📊 <b>Laporan Harian Sinawai</b>\nSenin, 28 Desember 2026\n")
    assert "• Pesan masuk: 7 (hari sebelumnya 1, rata-rata 2)" in text
    assert "• Konsultasi baru: 4 (hari sebelumnya 0, rata-rata 0,7)" in text
    assert "• Dijawab 5 · ditutup 3 · masih terbuka 5" in text
    assert (
        "• Separuh tiket dijawab dalam: 2,5 jam kerja (hari sebelumnya –, rata-rata 1,0 jam kerja); "
        "90 % tiket dijawab dalam 20,1 jam kerja" in text
    )
    assert "• Melewati target 8,0 jam kerja: 2 (1 dijawab terlambat, 1 masih menunggu)" in text
    assert "• Kepuasan rata-rata: 2,7/5 dari 3 penilaian, 66,7% tiket ditutup dinilai" in text
    assert (
        "• Terjawab otomatis tanpa petugas: 50%, 3 dari 6 pertanyaan (hari sebelumnya –, rata-rata 100%)"
        in text
    )
    assert "• Registrasi baru 1 · gagal 3 · terkunci 1" in text
    assert f"• #{t['T5']} (Biro Keuangan): 23,0 jam kerja" in text
    assert f'• #{t["T2"]}, 2/5: "Jawaban kurang jelas &lt;b&gt;&amp; lambat&lt;/b&gt;"' in text
    assert "<b>Yang memburuk</b>\n• Masih terbuka: 5 (hari sebelumnya 4)\n" in text
    assert "• 90 % tiket dijawab dalam: 20,1 jam kerja (rata-rata 7 hari 1,0 jam kerja)" in text
    assert "Joko 4, Rina 3" in text
    assert len(text) <= 4096


def test_a_long_digest_drops_its_lists_before_exceeding_telegram_s_limit(built: Built) -> None:
    m = built.report.metrics
    long_comment = LowRating(1, 1, "sangat panjang " * 300)
    waiting = [Waiting(n, "Unit " * 40, datetime(2026, 12, 1), 9.0) for n in range(200)]
    crowded = Report(
        metrics=_replace(m, low_ratings=[long_comment] * 50, waiting=waiting),
        previous=built.report.previous,
        week=built.report.week,
        trend=built.report.trend,
    )
    text = digest(crowded, list_limit=200)
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    assert "• Pesan masuk: 7" in text


def _replace(m: Metrics, **changes: Any) -> Metrics:
    from dataclasses import replace

    return replace(m, **changes)


def test_the_trend_covers_thirty_days_with_the_day_s_median(built: Built) -> None:
    points = built.report.trend
    assert len(points) == 30
    assert points[-1].day == DAY
    assert (points[-1].opened, points[-1].first_response_median) == (4, approx(2.5))
    monday_21 = next(p for p in points if p.day == date(2026, 12, 21))
    assert (monday_21.opened, monday_21.first_response_median) == (1, approx(1.0))
    assert next(p for p in points if p.day == date(2026, 12, 25)).first_response_median is None


def test_the_workbook_has_a_sheet_per_area_and_the_chart_is_a_png(
    built: Built, seeded: tuple[Database, dict[str, int]]
) -> None:
    t = seeded[1]
    files = report_files.files_of(built, WIB)
    assert sorted(files) == [
        "laporan-harian-2026-12-28.png",
        "laporan-harian-2026-12-28.txt",
        "laporan-harian-2026-12-28.xlsx",
    ]
    assert files["laporan-harian-2026-12-28.png"][0].startswith(b"\x89PNG\r\n\x1a\n")
    book = load_workbook(io.BytesIO(files["laporan-harian-2026-12-28.xlsx"][0]))
    assert book.sheetnames == ["Ringkasan", "Umum", "Registrasi", "Informasi", "Dokumen", "Konsultasi"]
    # documents by title, category and how they went out: labels, never the codes the record keeps
    assert [tuple(row) for row in book["Dokumen"].iter_rows(values_only=True)] == [
        ("Dokumen", "Kategori", "Cara kirim", "Jumlah"),
        ("Formulir Cuti Tahunan", "Formulir", "Unggah pertama", 2),
        ("Dokumen 99999 (sudah dihapus)", "Lainnya", "Tautan sementara", 1),
    ]
    consultation = [tuple(row) for row in book["Konsultasi"].iter_rows(values_only=True)]
    assert (f"#{t['T6']}", 29.5, None, None) in consultation
    registration = [row for row in book["Registrasi"].iter_rows(values_only=True)][1:]
    assert [row[1] for row in registration] == [
        "Registrasi berhasil",
        *["Registrasi gagal"] * 3,
        "Akun terkunci",
        "Registrasi ditolak (terkunci)",
    ]
    assert all(str(row[2]).count("*") >= 6 for row in registration)  # NIPs masked
    plain = files["laporan-harian-2026-12-28.txt"][0].decode()
    assert '2/5: "Jawaban kurang jelas <b>& lambat</b>"' in plain  # plain text: not escaped, no tags
    assert "<b>Angka utama</b>" not in plain
    # The managers' chat is a group: no employee is named (nor their NIP) next to a question or a rating.
    cells = [
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    for name in ("Budi Santoso", "Siti Aminah", "Andi Wijaya", "Dewi Lestari"):
        assert name not in plain
        assert not any(name in cell for cell in cells)
    assert not any(nip in plain or any(nip in cell for cell in cells) for nip in NIP.values())


def test_a_day_without_activity_says_so(seeded: tuple[Database, dict[str, int]], hours: WorkingHours) -> None:
    quiet = report_store.build(seeded[0], Period(date(2026, 6, 1), date(2026, 6, 1)), hours, 8.0, now=LATER)
    text = digest(quiet.report)
    assert quiet.report.metrics.quiet
    assert "Tidak ada aktivitas layanan pada periode ini" in text
    assert report_files.files_of(quiet, WIB)["laporan-harian-2026-06-01.png"][0].startswith(b"\x89PNG")


def test_a_week_aggregates_the_same_metrics_and_compares_with_the_week_before(
    seeded: tuple[Database, dict[str, int]], hours: WorkingHours
) -> None:
    week = report_store.build(
        seeded[0], Period(date(2026, 12, 22), date(2026, 12, 28)), hours, 8.0, now=LATER
    ).report
    m = week.metrics
    # Tue 22 – Mon 28: messages in 13 + 1 (Sunday) + 7; tickets opened T6 T5 T1 T2 and Monday's four.
    assert (m.messages_in, m.opened, m.closed) == (21, 8, 4)
    assert m.first_response_hours.keys() == {seeded[1][k] for k in ("T1", "T2", "T3", "T6", "T8")}
    assert week.week is None
    assert week.previous.period == Period(date(2026, 12, 15), date(2026, 12, 21))
    assert week.previous.opened == 1  # T7
    text = digest(week)
    assert text.startswith("📊 <b>Laporan Sinawai</b>\n22 Desember 2026 – 28 Desember 2026 (7 hari)")
    assert "<b>Angka utama</b> (periode sebelumnya)" in text


def test_the_summary_sheet_holds_the_headlines_with_their_comparisons(built: Built) -> None:
    book = load_workbook(io.BytesIO(report_files.workbook_xlsx(built, WIB)))
    rows = {row[0]: row[1:] for row in book["Ringkasan"].iter_rows(values_only=True) if row and row[0]}
    assert rows["Ukuran"] == ("Nilai", "Hari sebelumnya", "Rata-rata 7 hari")
    assert rows["Pesan masuk"] == (7, 1, 2)
    assert rows["90 % tiket dijawab dalam (jam kerja)"] == (20.1, None, 1)
    assert rows["Kepuasan rata-rata"] == (2.67, None, None)
    assert rows["Tiket ditutup yang dinilai"][0] == 0.67
