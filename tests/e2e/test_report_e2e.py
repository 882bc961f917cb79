"""/laporan end to end: Telegram emulator → API Gateway → router → ReportFunction → Bot API (multipart)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from local_stack.stack import LocalStack
from sinawai.common.format_id import tanggal
from tests.e2e.conftest import EMPLOYEE, STAFF_MEMBER
from tests.helpers import query

pytestmark = pytest.mark.e2e

MANAGER = 5550201


def test_laporan_in_the_managers_chat_brings_digest_chart_and_workbook(stack: LocalStack) -> None:
    emu = stack.telegram
    managers = stack.config.managers_chat_id
    emu.add_user(MANAGER, "Hendra", last_name="Kepala Biro")
    emu.add_group(managers, "Pimpinan Biro OSDM", members=[MANAGER])
    emu.send_message(EMPLOYEE, "/start")  # some activity today
    stack.wait_idle()
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    emu.send_message(MANAGER, f"/laporan {today.isoformat()}", chat_id=managers)
    stack.wait_idle(60)
    sent = emu.bot_messages(managers)
    assert len(sent) == 3
    assert (sent[0].text or "").startswith("📊 Laporan Harian Sinawai\n")
    assert "Pesan masuk:" in (sent[0].text or "")
    assert sent[1].photo
    assert sent[2].document
    assert sent[2].document["file_name"] == f"laporan-harian-{today.isoformat()}.xlsx"
    uploads = [u for u in emu.uploads if u.chat_id == managers]
    assert [u.method for u in uploads] == ["sendPhoto", "sendDocument"]
    assert uploads[1].mime_type.endswith("spreadsheetml.sheet")
    logged = query(
        stack.config.database,
        "SELECT kind FROM pesan WHERE chat_id = %s AND direction = 'out' ORDER BY id",
        (managers,),
    )
    assert [r["kind"] for r in logged] == ["sendmessage", "sendphoto", "senddocument"]


def test_laporan_from_an_employee_or_in_the_staff_group_is_refused(stack: LocalStack) -> None:
    emu = stack.telegram
    staff = stack.config.staff_group_chat_id
    before_employee = len(emu.bot_messages(EMPLOYEE))
    before_staff = len(emu.bot_messages(staff))
    emu.send_message(EMPLOYEE, "/laporan")
    emu.send_message(STAFF_MEMBER, "/laporan", chat_id=staff)
    stack.wait_idle(30)
    for chat, before in ((EMPLOYEE, before_employee), (staff, before_staff)):
        replies = emu.bot_messages(chat)[before:]
        assert len(replies) == 1
        assert (replies[0].text or "").startswith("Mohon maaf, laporan evaluasi layanan hanya dapat diminta")


WIB = ZoneInfo("Asia/Jakarta")
REPORTED_NIP = "199912312025011099"  # an employee of last week only: removed again after the test
STAFF_ANSWERING = 5550199


def _utc(day: date, hour: int) -> datetime:
    """A WIB wall-clock hour of ``day`` as the naive UTC the database stores."""
    return datetime.combine(day, time(hour), WIB).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def last_week(stack: LocalStack) -> Iterator[date]:
    """Last week's Tuesday: messages, and a ticket whose staff-tool events the weekly report counts (an area
    set by the FAQ step and changed by staff, a canned answer, a reminder, a hand-over). Its Monday is
    yielded; the rows go again afterwards (other e2e tests count tickets)."""
    database = stack.config.database
    today = datetime.now(WIB).date()
    monday = today - timedelta(days=today.weekday() + 7)
    tuesday = monday + timedelta(days=1)
    query(
        database,
        "INSERT INTO pengguna (nip, nama, unit_kerja, id_telegram, hak_pengguna)"
        " VALUES (%s, 'Wati Lestari', 'Biro Umum', NULL, 'pegawai'),"
        " ('199001012015031099', 'Rina Kartika', 'Biro OSDM', %s, 'staf')",
        (REPORTED_NIP, STAFF_ANSWERING),
    )
    for hour in (8, 9, 10):
        query(
            database,
            "INSERT INTO pesan (waktu, direction, chat_id, chat_type, kind, command, command_group)"
            " VALUES (%s, 'in', 5559901, 'private', 'message', 'start', 'general')",
            (_utc(tuesday, hour),),
        )
    query(
        database,
        "INSERT INTO ticket (nip, chat_id, status, staff_chat_id, created_at, first_answer_at,"
        " last_answer_at, closed_at) VALUES (%s, 5559901, 'selesai', %s, %s, %s, %s, %s)",
        (
            REPORTED_NIP,
            stack.config.staff_group_chat_id,
            _utc(tuesday, 8),
            _utc(tuesday, 10),
            _utc(tuesday, 10),
            _utc(tuesday, 11),
        ),
    )
    (ticket,) = query(database, "SELECT id FROM ticket WHERE nip = %s", (REPORTED_NIP,))
    events = [
        (8, "opened", "pegawai", None, None, {}),
        (8, "area_set", "sistem", None, None, {"area": "mutasi", "by": "faq"}),
        (9, "area_set", "staf", STAFF_ANSWERING, "rina", {"area": "jahdis", "by": "staf"}),
        (9, "sla_reminded", "sistem", None, None, {"waited_working_hours": 8.5, "area": "jahdis"}),
        (
            9,
            "handed_over",
            "staf",
            5550101,
            "Rina",
            {"from": 5550101, "to": STAFF_ANSWERING, "to_name": "rina"},
        ),
        (10, "answered", "staf", STAFF_ANSWERING, "rina", {"topic": "cuti_tahunan"}),
    ]
    # a document sent last Tuesday (uploaded the first time), and one deleted since (a temporary link)
    query(
        database,
        "INSERT INTO document (category, title, s3_key, file_name, size_bytes, added_at)"
        " VALUES ('surat-edaran', 'SE Cuti Bersama 2026', 'documents/e2e/se.pdf', 'se.pdf', 1000, %s)",
        (_utc(monday, 8),),
    )
    (document,) = query(database, "SELECT id FROM document WHERE s3_key = 'documents/e2e/se.pdf'")
    for document_id, method in ((str(document["id"]), "upload"), ("99998", "link")):
        query(
            database,
            "INSERT INTO document_send (document_id, category, chat_id, method, sent_at)"
            " VALUES (%s, 'surat-edaran', 5559901, %s, %s)",
            (document_id, method, _utc(tuesday, 9)),
        )
    for hour, event, actor, actor_id, name, detail in events:
        query(
            database,
            "INSERT INTO ticket_event (ticket_id, waktu, event, actor_type, actor_id, actor_name, detail)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (ticket["id"], _utc(tuesday, hour), event, actor, actor_id, name, json.dumps(detail)),
        )
    try:
        yield monday
    finally:
        query(database, "DELETE FROM ticket_event WHERE ticket_id = %s", (ticket["id"],))
        query(database, "DELETE FROM ticket WHERE id = %s", (ticket["id"],))
        query(database, "DELETE FROM pesan WHERE chat_id = 5559901")
        query(database, "DELETE FROM document_send WHERE chat_id = 5559901")
        query(database, "DELETE FROM document WHERE s3_key = 'documents/e2e/se.pdf'")
        query(database, "DELETE FROM pengguna WHERE nip IN (%s, '199001012015031099')", (REPORTED_NIP,))


def test_laporan_minggu_brings_last_week_s_digest_with_the_staff_tools_chart_and_workbook(
    stack: LocalStack, last_week: date
) -> None:
    emu = stack.telegram
    managers = stack.config.managers_chat_id
    emu.add_user(MANAGER, "Hendra", last_name="Kepala Biro")
    emu.add_group(managers, "Pimpinan Biro OSDM", members=[MANAGER])
    before = len(emu.bot_messages(managers))
    emu.send_message(MANAGER, "/laporan minggu", chat_id=managers)
    stack.wait_idle(60)
    sent = emu.bot_messages(managers)[before:]
    sunday = last_week + timedelta(days=6)
    assert len(sent) == 3, [m.content for m in sent]
    text = sent[0].text or ""
    assert text.startswith(f"📊 Laporan Mingguan Sinawai\nPekan {tanggal(last_week)} – {tanggal(sunday)}")
    assert "(pekan sebelumnya)" in text
    assert "90 % tiket dijawab dalam" in text
    assert "Jawaban petugas: Rina Kartika 1" in text  # the registered name, not the Telegram one
    assert "Kerja petugas" in text
    assert "• Konsultasi baru per bidang: Jahdis 1" in text  # the latest area set
    assert "• Pengingat melewati target layanan: 1 (Jahdis 1)" in text
    assert "• Tiket dialihkan ke petugas lain: 1" in text
    assert "Jawaban dari materi informasi: 1" in text
    for jargon in ("p90", "persentil", "kemarin", "SLA", "MANAGERS_CHAT_ID"):
        assert jargon not in text
    assert sent[1].photo
    assert "pekan" in (sent[1].caption or "")
    stem = f"laporan-mingguan-{last_week.isoformat()}_{sunday.isoformat()}"
    assert sent[2].document is not None
    assert sent[2].document["file_name"] == f"{stem}.xlsx"
    # the workbook's documents: titles, category names and how they went out, never the codes kept
    content = emu.file_content(sent[2].document["file_id"])
    assert content is not None
    rows = list(load_workbook(io.BytesIO(content))["Dokumen"].iter_rows(values_only=True))
    assert sorted(rows[1:]) == [
        ("Dokumen 99998 (sudah dihapus)", "Surat edaran", "Tautan sementara", 1),
        ("SE Cuti Bersama 2026", "Surat edaran", "Unggah pertama", 1),
    ]


def test_laporan_minggu_with_a_bad_date_is_explained_and_sends_no_report(stack: LocalStack) -> None:
    emu = stack.telegram
    managers = stack.config.managers_chat_id
    emu.add_user(MANAGER, "Hendra", last_name="Kepala Biro")
    emu.add_group(managers, "Pimpinan Biro OSDM", members=[MANAGER])
    before = len(emu.bot_messages(managers))
    emu.send_message(MANAGER, "/laporan minggu 2026-02-30", chat_id=managers)
    emu.send_message(MANAGER, "/laporan bulan kemarin", chat_id=managers)
    stack.wait_idle(60)
    replies = [m.text or "" for m in emu.bot_messages(managers)[before:]]
    assert sorted(replies) == sorted(
        [
            "Tanggal 2026-02-30 tidak ada di kalender.",
            "Tanggal kemarin tidak dapat dibaca. Gunakan format TTTT-BB-HH, misalnya /laporan 2026-11-01.",
        ]
    )
