"""`sinawai pegawai ekspor|hapus` on MariaDB: an employee's data under UU PDP 27/2022.

The employee (Budi) has what the bot records in use: a binding, HR data, audit rows (an attempt on his
NIP from a stranger's account among them), a ticket with its question, its header and answer in the staff
group and a rating comment, an FAQ offer, a document sent, a topic viewed, an announcement received, raw
updates and a pending conversation. A second employee (Siti) is there to prove nothing of hers is touched.

Bad inputs tried: malformed NIPs (17 digits, letters, a NIP with a space in the wrong place), an unknown
NIP, a second erasure, no terminal to confirm on, a "no" at the prompt, a failure in the middle of the
erasure (nothing may be half done), an account bound to Budi once and to Siti later.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sinawai.common.working_hours import WorkingHours, indonesian_holidays
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.platform.errors import DatabaseUnavailableError
from sinawai.privacy import store
from sinawai.registration.passwords import hash_password
from sinawai.report import store as report_store
from sinawai.report.comparison import Report
from sinawai.report.metrics import Metrics
from sinawai.report.period import Period
from tests import report_seed
from tests.helpers import STAFF_GROUP_CHAT_ID, db_env, query

NIP = "199001172015031001"
NIP_PRINTED = "19900117 201503 1 001"
NIP_SITI = "199203252016042002"
BUDI = 5580001
SITI = 5580003
STRANGER = 5580009
RINA = 5580101
STAFF = STAFF_GROUP_CHAT_ID
QUESTION = "Bagaimana cara mengajukan cuti besar? Saya Budi dari Biro Umum."
ANSWER = "Cuti besar dapat diajukan setelah 5 tahun bekerja, Pak Budi."
COMMENT = "Terima kasih Bu Rina, sangat jelas"
SITI_TEXT = "Pertanyaan Siti tentang mutasi"
T0 = datetime(2026, 11, 2, 2, 0)  # 09:00 WIB, Monday 2 November 2026


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _pesan(db: Database, minute: int, direction: str, chat: int, **c: Any) -> None:
    db.execute(
        "INSERT INTO pesan (waktu, direction, chat_id, chat_type, id_pengirim, pengirim, isi_pesan, data,"
        " id_pesan, update_id, kind, command, command_group) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
        " %s, %s, %s)",
        (
            at(minute),
            direction,
            chat,
            c.get("chat_type", "private" if chat > 0 else "supergroup"),
            c.get("sender"),
            c.get("name"),
            c.get("text"),
            c.get("data"),
            c.get("message_id"),
            c.get("update_id"),
            c.get("kind", "message" if direction == "in" else "sendmessage"),
            c.get("command"),
            c.get("group"),
        ),
    )


def _inbox(db: Database, update_id: int, chat: int, payload: dict[str, Any]) -> None:
    db.execute(
        "INSERT INTO update_inbox (update_id, received_at, status, chat_id, payload)"
        " VALUES (%s, %s, 'done', %s, %s)",
        (update_id, T0, chat, json.dumps({"update_id": update_id, **payload})),
    )


def _audit(db: Database, minute: int, event: str, user: int | None, nip: str | None) -> None:
    db.execute(
        "INSERT INTO audit_log (waktu, event, telegram_user_id, chat_id, nip) VALUES (%s, %s, %s, %s, %s)",
        (at(minute), event, user, user, nip),
    )


def seed(db: Database) -> int:
    """Budi with a bit of everything, and Siti; Budi's ticket id."""
    db.execute(
        "INSERT INTO pengguna (nip, nama, password_hash, id_telegram, unit_kerja, jabatan, email,"
        " tanggal_lahir,"
        " registered_at) VALUES (%s, 'Budi Santoso', %s, %s, 'Biro Umum', 'Analis SDM', 'budi@contoh.go.id',"
        " '1990-01-17', %s)",
        (NIP, hash_password("Awal#2026"), BUDI, at(-60)),
    )
    db.execute(
        "INSERT INTO pengguna (nip, nama, id_telegram, unit_kerja)"
        " VALUES (%s, 'Siti Rahmawati', %s, 'Pusdatik')",
        (NIP_SITI, SITI),
    )
    for periode, potongan in (("2026-09", 134045), ("2026-10", 0)):
        db.execute(
            "INSERT INTO tunkin (nip, periode, kelas_jabatan, tunjangan, potongan, imported_at)"
            " VALUES (%s, %s, 9, 5361800, %s, %s)",
            (NIP, periode, potongan, at(-100)),
        )
    db.execute(
        "INSERT INTO cuti (nip, tahun, jenis, hak, terpakai, imported_at)"
        " VALUES (%s, 2026, 'tahunan', 12, 3, %s)",
        (NIP, at(-100)),
    )
    _audit(db, -61, "register_failure", STRANGER, NIP)  # somebody else trying Budi's NIP
    _audit(db, -60, "register_success", BUDI, NIP)
    _audit(db, -50, "view_tunkin", BUDI, NIP)
    _audit(db, -40, "register_success", SITI, NIP_SITI)

    _pesan(
        db, -60, "in", BUDI, sender=BUDI, name="Budi Santoso", text="/start", command="start", group="general"
    )
    _inbox(
        db, 9001, BUDI, {"message": {"chat": {"id": BUDI}, "from": {"first_name": "Budi"}, "text": QUESTION}}
    )
    _pesan(db, 0, "in", BUDI, sender=BUDI, name="Budi Santoso", text=QUESTION, message_id=2, update_id=9001)
    _pesan(db, 0, "out", BUDI, sender=7000, name="Sinawai", text="Pertanyaan Anda diterima", message_id=3)
    db.execute(
        "INSERT INTO ticket (nip, chat_id, status, staff_chat_id, created_at, first_answer_at,"
        " last_answer_at,"
        " closed_at, rating, rating_comment, rated_at, assigned_staff_id, assigned_staff_name)"
        " VALUES (%s, %s, 'selesai', %s, %s, %s, %s, %s, 5, %s, %s, %s, 'Rina')",
        (NIP, BUDI, STAFF, at(0), at(30), at(30), at(40), COMMENT, at(41), RINA),
    )
    ticket = int(query_one(db, "SELECT MAX(id) AS id FROM ticket")["id"])
    for minute, event, actor_type, actor, name, detail in (
        (0, "opened", "pegawai", BUDI, "Budi Santoso", {"message_id": 2}),
        (30, "answered", "staf", RINA, "Rina", None),
        (40, "closed", "pegawai", BUDI, "Budi Santoso", None),
        (41, "rated", "pegawai", BUDI, "Budi Santoso", {"rating": 5}),
    ):
        db.execute(
            "INSERT INTO ticket_event (ticket_id, waktu, event, actor_type, actor_id, actor_name, detail)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (ticket, at(minute), event, actor_type, actor, name, json.dumps(detail) if detail else None),
        )
    for staff_message, kind, private in ((501, "header", None), (503, "question", 2), (502, "answer", 4)):
        db.execute(
            "INSERT INTO ticket_message (ticket_id, staff_chat_id, staff_message_id, kind,"
            " private_message_id,"
            " created_at) VALUES (%s, %s, %s, %s, %s, %s)",
            (ticket, STAFF, staff_message, kind, private, at(1)),
        )
    db.execute(
        "INSERT INTO staff_outbox (ticket_id, kind, staff_chat_id, from_chat_id, private_message_id, status,"
        " created_at) VALUES (%s, 'question', %s, %s, 2, 'sent', %s)",
        (ticket, STAFF, BUDI, at(0)),
    )
    header = f"🎫 Tiket #{ticket} Baru\nBudi Santoso · Biro Umum · 1990**********1001"
    _pesan(db, 1, "out", STAFF, sender=7000, name="Sinawai", text=header, message_id=501, update_id=9001)
    _pesan(
        db, 1, "out", STAFF, sender=7000, name="Sinawai", message_id=503, update_id=9001, kind="copymessage"
    )
    _inbox(
        db, 9002, STAFF, {"message": {"chat": {"id": STAFF}, "from": {"first_name": "Rina"}, "text": ANSWER}}
    )
    _pesan(db, 30, "in", STAFF, sender=RINA, name="Rina", text=ANSWER, message_id=502, update_id=9002)
    _pesan(db, 30, "out", BUDI, sender=7000, name="Sinawai", message_id=4, update_id=9002, kind="copymessage")
    db.execute(
        "INSERT INTO faq_offer (chat_id, nip, question, outcome, ticket_id, offered_at, update_id)"
        " VALUES (%s, %s, %s, 'diteruskan', %s, %s, 9001)",
        (BUDI, NIP, QUESTION, ticket, at(0)),
    )
    db.execute(
        "INSERT INTO document_send (document_id, category, chat_id, nip, method, sent_at)"
        " VALUES ('form-cuti', 'formulir', %s, %s, 'upload', %s)",
        (BUDI, NIP, at(50)),
    )
    db.execute(
        "INSERT INTO content_view (chat_id, area, topic_id, via, viewed_at)"
        " VALUES (%s, 'jahdis', 'cuti', 'button', %s)",
        (BUDI, at(55)),
    )
    db.execute(
        "INSERT INTO announcement (body, posted_by, posted_by_name, staff_chat_id, posted_at)"
        " VALUES ('Libur nasional', %s, 'Rina', %s, %s)",
        (RINA, STAFF, at(-10)),
    )
    announcement = int(query_one(db, "SELECT MAX(id) AS id FROM announcement")["id"])
    db.execute(
        "INSERT INTO announcement_delivery (announcement_id, chat_id, status, sent_at)"
        " VALUES (%s, %s, 'sent', %s)",
        (announcement, BUDI, at(-9)),
    )
    db.execute(
        "INSERT INTO conversation (chat_id, command_group, state, data, expires_at)"
        " VALUES (%s, 'registration', 'awaiting_nip', %s, %s)",
        (BUDI, json.dumps({"nip": NIP}), at(600)),
    )
    _pesan(db, 5, "in", SITI, sender=SITI, name="Siti", text=SITI_TEXT, message_id=7, update_id=9003)
    _inbox(db, 9003, SITI, {"message": {"chat": {"id": SITI}, "text": SITI_TEXT}})
    return ticket


def query_one(db: Database, sql: str) -> dict[str, Any]:
    row = db.fetch_one(sql)
    assert row is not None
    return row


@pytest.fixture
def seeded(db: DatabaseSettings) -> Iterator[int]:
    database = Database(db)
    try:
        yield seed(database)
    finally:
        database.close()


def sinawai_cli(
    db: DatabaseSettings, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("sinawai")
    env = {**os.environ, **db_env(db), "USER": "petugas-osdm"}
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, env=env, timeout=120, check=False, cwd=cwd
    )


def snapshot(db: DatabaseSettings) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (to prove that something changed nothing)."""
    tables = [
        r["t"]
        for r in query(
            db,
            "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = %s"
            " AND table_name NOT LIKE '\\_yoyo%%' AND table_name <> 'yoyo_lock'",
            (db.name,),
        )
    ]
    return {t: query(db, f"SELECT * FROM `{t}`") for t in sorted(tables)}


def traces(db: DatabaseSettings, texts: list[str], ids: list[int]) -> list[str]:
    """Where any of ``texts`` (in a text or JSON column) or ``ids`` (in an integer column) is stored."""
    found: list[str] = []
    columns = query(
        db,
        "SELECT table_name AS t, column_name AS c, data_type AS d FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name NOT LIKE '%%yoyo%%'",
        (db.name,),
    )
    for col in columns:
        table, column, kind = col["t"], col["c"], col["d"].lower()
        if kind in ("char", "varchar", "text", "mediumtext", "longtext", "json", "set", "enum"):
            for text in texts:
                sql = f"SELECT COUNT(*) AS n FROM `{table}` WHERE `{column}` LIKE %s"
                if query(db, sql, (f"%{text}%",))[0]["n"]:
                    found.append(f"{table}.{column} ~ {text!r}")
        elif kind == "bigint":
            for value in ids:
                sql = f"SELECT COUNT(*) AS n FROM `{table}` WHERE `{column}` = %s"
                if query(db, sql, (value,))[0]["n"]:
                    found.append(f"{table}.{column} = {value}")
    return found


def counts(db: DatabaseSettings) -> dict[str, int]:
    names = ("pesan", "update_inbox", "ticket", "ticket_event", "faq_offer", "document_send", "content_view")
    return {t: int(query(db, f"SELECT COUNT(*) AS n FROM {t}")[0]["n"]) for t in names}


# ---- ekspor --------------------------------------------------------------------------------------------


def test_ekspor_writes_everything_about_the_employee_and_never_the_password(
    db: DatabaseSettings, seeded: int, tmp_path: Path
) -> None:
    out = sinawai_cli(db, "pegawai", "ekspor", *NIP_PRINTED.split(), "--out", "keluaran", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    files = sorted((tmp_path / "keluaran").iterdir())
    assert [f.suffix for f in files] == [".json", ".md"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)  # personal data: owner only
    raw = files[0].read_text()
    data = json.loads(raw)
    hashed = query(db, "SELECT password_hash FROM pengguna WHERE nip = %s", (NIP,))[0]["password_hash"]
    assert "password_hash" not in raw
    assert hashed not in raw
    assert data["pegawai"]["nama"] == "Budi Santoso"
    assert data["pegawai"]["kata_sandi_tersimpan"] is True
    assert data["akun_telegram"] == [
        {"id_telegram": BUDI, "terhubung_sekarang": True, "periode": "seluruh riwayat akun"}
    ]
    assert [t["periode"] for t in data["tunkin"]] == ["2026-09", "2026-10"]
    assert data["cuti"][0]["jenis"] == "tahunan"
    (ticket,) = data["tiket"]
    assert ticket["id"] == seeded
    assert ticket["rating_comment"] == COMMENT
    assert [(m["dari"], m["isi"]) for m in ticket["pesan"]] == [
        ("anda", QUESTION),
        ("petugas", ANSWER),
    ]
    assert [e["oleh"] for e in ticket["riwayat"]] == ["pegawai", "staf", "pegawai", "pegawai"]
    assert "Rina" not in raw.replace(COMMENT, "")  # the staff member's name is hers
    assert "Tiket #" not in raw  # the bot's header in the staff group is OSDM's work, not an answer
    assert str(RINA) not in raw
    events = [(a["event"], a.get("akun_lain", False)) for a in data["jejak_audit"]]
    assert events == [("register_failure", True), ("register_success", False), ("view_tunkin", False)]
    assert str(STRANGER) not in raw  # the stranger's attempt is Budi's to know, the stranger's id is not
    assert [f["question"] for f in data["tawaran_faq"]] == [QUESTION]
    assert [d["document_id"] for d in data["dokumen_terkirim"]] == ["form-cuti"]
    assert [v["topic_id"] for v in data["informasi_dibuka"]] == ["cuti"]
    assert [a["status"] for a in data["pengumuman_diterima"]] == ["sent"]
    assert [m["isi_pesan"] for m in data["catatan_pesan"] if m["direction"] == "in"] == ["/start", QUESTION]
    assert [u["update_id"] for u in data["pembaruan_telegram"]] == [9001]
    assert data["percakapan_tertunda"][0]["state"] == "awaiting_nip"
    assert SITI_TEXT not in raw  # another employee's message is not Budi's
    summary = files[1].read_text()
    for expected in ("# Data Anda di Sinawai", "NIP: 19900117 201503 1 001", "Tiket konsultasi: 1",
                     f"#{seeded} (selesai)", "percobaan pendaftaran gagal (dari akun Telegram lain)",
                     "Oktober 2026: diterima Rp5.361.800"):  # fmt: skip
        assert expected in summary, expected
    assert "Tiket konsultasi: 1" in out.stdout
    audit = query(db, "SELECT nip, detail FROM audit_log WHERE event = 'export_cli'")
    assert audit == [{"nip": NIP, "detail": '{"via": "cli", "oleh": "petugas-osdm"}'}]


@pytest.mark.parametrize(
    "nip",
    ["19900117201503100", "1990011720150310O1", "19900117 201503 1 0011", "'; DROP TABLE pengguna; --"],
)
def test_a_malformed_nip_is_refused_with_exit_2_and_nothing_written(
    db: DatabaseSettings, seeded: int, tmp_path: Path, nip: str
) -> None:
    before = snapshot(db)
    for command in ("ekspor", "hapus"):
        out = sinawai_cli(
            db, "pegawai", command, nip, "--yes" if command == "hapus" else "--out=x", cwd=tmp_path
        )
        assert out.returncode == 2, out.stderr
        assert "NIP harus terdiri atas 18 digit angka" in out.stderr
        assert "<code>" not in out.stderr
    assert list(tmp_path.iterdir()) == []
    assert snapshot(db) == before


def test_an_unknown_nip_is_told_in_indonesian_with_exit_1(
    db: DatabaseSettings, seeded: int, tmp_path: Path
) -> None:
    before = snapshot(db)
    for args in (("ekspor", "--out", "x"), ("hapus", "--yes")):
        out = sinawai_cli(db, "pegawai", args[0], "198001012005011999", *args[1:], cwd=tmp_path)
        assert out.returncode == 1
        assert "tidak ada data pegawai dengan NIP 19800101 200501 1 999 di Sinawai" in out.stderr
    assert list(tmp_path.iterdir()) == []
    assert snapshot(db) == before


def test_usage_errors_exit_2() -> None:
    script = Path(sys.executable).with_name("sinawai")
    for args in (["pegawai"], ["pegawai", "ekspor"], ["pegawai", "hapus", "--jangan"]):
        out = subprocess.run([str(script), *args], capture_output=True, text=True, check=False)
        assert out.returncode == 2, args
    help_text = subprocess.run([str(script), "pegawai", "hapus", "--help"], capture_output=True, text=True)
    assert help_text.returncode == 0
    assert "Anonymise the employee in one transaction" in help_text.stdout


# ---- hapus -------------------------------------------------------------------------------------------------


def test_hapus_leaves_no_trace_of_the_employee_keeps_every_count_and_touches_nobody_else(
    db: DatabaseSettings, seeded: int
) -> None:
    texts = [NIP, "Budi", "Santoso", "budi@contoh", "Awal", QUESTION[:30], ANSWER[:30], COMMENT, "Tiket #"]
    found = traces(db, texts, [BUDI])
    assert len(found) >= 20, found  # the scan finds them while they are there
    before_counts = counts(db)
    siti_before = query(db, "SELECT * FROM pesan WHERE chat_id = %s", (SITI,))
    siti_inbox = query(db, "SELECT * FROM update_inbox WHERE chat_id = %s", (SITI,))
    out = sinawai_cli(db, "pegawai", "hapus", NIP_PRINTED, "--yes")
    assert out.returncode == 0, out.stderr
    (employee,) = query(db, "SELECT * FROM pengguna WHERE nip <> %s", (NIP_SITI,))
    pseudonym = f"ANON{employee['id']:014d}"
    assert f"dianonimkan sebagai {pseudonym}" in out.stdout
    assert employee["nip"] == pseudonym
    assert employee["nama"] == f"Pegawai anonim {employee['id']}"
    assert (employee["password_hash"], employee["id_telegram"], employee["status"]) == (
        None,
        None,
        "nonaktif",
    )
    assert employee["unit_kerja"] == "Biro Umum"  # the report's waiting list shows the unit

    assert traces(db, texts, [BUDI]) == []
    assert counts(db) == before_counts  # the evaluation counts every row it counted before
    assert query(db, "SELECT COUNT(*) AS n FROM tunkin")[0]["n"] == 0
    assert query(db, "SELECT COUNT(*) AS n FROM conversation")[0]["n"] == 0
    ticket = query(db, "SELECT nip, chat_id, rating, rating_comment FROM ticket")[0]
    assert (ticket["nip"], ticket["rating"], ticket["rating_comment"]) == (pseudonym, 5, None)
    assert ticket["chat_id"] >= 2**62
    # the stranger's attempt on the NIP is kept (his account is his), now on the pseudonym
    assert query(db, "SELECT nip FROM audit_log WHERE telegram_user_id = %s", (STRANGER,)) == [
        {"nip": pseudonym}
    ]
    # the staff member's own rows stay hers: her id, her name on the answer
    assert query(db, "SELECT actor_name FROM ticket_event WHERE actor_id = %s", (RINA,)) == [
        {"actor_name": "Rina"}
    ]
    assert query(db, "SELECT * FROM pesan WHERE chat_id = %s", (SITI,)) == siti_before
    assert query(db, "SELECT * FROM update_inbox WHERE chat_id = %s", (SITI,)) == siti_inbox
    (erasure,) = query(
        db, "SELECT telegram_user_id, chat_id, nip, detail FROM audit_log WHERE event = 'erasure'"
    )
    assert (erasure["telegram_user_id"], erasure["chat_id"], erasure["nip"]) == (None, None, pseudonym)
    detail = json.loads(erasure["detail"])
    assert detail["oleh"] == "cli:petugas-osdm"
    assert detail["baris"]["pesan"] >= 6
    assert "Budi" not in erasure["detail"]

    again = sinawai_cli(db, "pegawai", "hapus", NIP, "--yes")
    assert again.returncode == 1
    assert "sudah dianonimkan sehingga tidak ada yang tersisa" in again.stderr


def test_hapus_without_a_terminal_or_with_a_no_changes_nothing(
    db: DatabaseSettings, seeded: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sinawai import cli

    before = snapshot(db)
    out = sinawai_cli(db, "pegawai", "hapus", NIP)  # stdin is no terminal
    assert out.returncode == 2
    assert "--yes" in out.stderr
    assert "Pegawai: Budi Santoso" in out.stdout  # what would go was shown first
    assert snapshot(db) == before

    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "stdin", _Terminal("tidak\n"))
    assert cli.main(["pegawai", "hapus", NIP]) == 1
    assert "Anonimkan data pegawai ini? [y/N]" in capsys.readouterr().out
    assert snapshot(db) == before
    monkeypatch.setattr(sys, "stdin", _Terminal("ya\n"))
    assert cli.main(["pegawai", "hapus", NIP]) == 0
    assert query(db, "SELECT COUNT(*) AS n FROM pengguna WHERE nip = %s", (NIP,)) == [{"n": 0}]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_an_erasure_that_fails_half_way_leaves_everything_as_it_was(
    db: DatabaseSettings, seeded: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sinawai import cli

    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    before = snapshot(db)
    real_run = store._Counter.run

    def failing(self: Any, table: str, sql: str, args: Any) -> None:
        if table == "pengguna":  # after every other table was changed
            raise DatabaseUnavailableError("connection lost")
        real_run(self, table, sql, args)

    monkeypatch.setattr(store._Counter, "run", failing)
    assert cli.main(["pegawai", "hapus", NIP, "--yes"]) == 2
    assert snapshot(db) == before


def test_an_account_bound_to_budi_once_and_to_siti_later_keeps_sitis_rows(db: DatabaseSettings) -> None:
    shared = 5580077
    database = Database(db)
    try:
        for nip, nama in ((NIP, "Budi Santoso"), (NIP_SITI, "Siti Rahmawati")):
            database.execute("INSERT INTO pengguna (nip, nama) VALUES (%s, %s)", (nip, nama))
        database.execute("UPDATE pengguna SET id_telegram = %s WHERE nip = %s", (shared, NIP_SITI))
        _audit(database, 0, "register_success", shared, NIP)
        _pesan(database, 10, "in", shared, sender=shared, text="pesan Budi", update_id=1)
        _audit(database, 20, "unbind", shared, NIP)
        _pesan(database, 30, "in", shared, sender=shared, text="pesan tanpa akun")
        _audit(database, 40, "register_success", shared, NIP_SITI)
        _pesan(database, 50, "in", shared, sender=shared, text="pesan Siti")
        data = store.collect(database, NIP)
        assert data is not None
        assert [m["isi_pesan"] for m in data.messages] == ["pesan Budi"]
        assert store.anonymise(database, NIP, operator="test") is not None
    finally:
        database.close()
    rows = query(db, "SELECT chat_id, isi_pesan FROM pesan ORDER BY waktu")
    assert [r["isi_pesan"] for r in rows] == [None, "pesan tanpa akun", "pesan Siti"]
    assert rows[0]["chat_id"] >= 2**62
    assert rows[2]["chat_id"] == shared
    assert query(db, "SELECT id_telegram FROM pengguna WHERE nip = %s", (NIP_SITI,)) == [
        {"id_telegram": shared}
    ]
    # her registration on the shared account is hers, untouched
    assert query(db, "SELECT telegram_user_id FROM audit_log WHERE nip = %s", (NIP_SITI,)) == [
        {"telegram_user_id": shared}
    ]


def test_anonymising_a_staff_member_keeps_her_answers_to_others_under_a_pseudonym(
    db: DatabaseSettings, seeded: int
) -> None:
    nip_rina = "198502022010012001"
    Database(db).execute(
        "INSERT INTO pengguna (nip, nama, id_telegram, hak_pengguna) VALUES (%s, 'Rina Marlina', %s, 'staf')",
        (nip_rina, RINA),
    )
    before_counts = counts(db)
    out = sinawai_cli(db, "pegawai", "hapus", nip_rina, "--yes")
    assert out.returncode == 0, out.stderr
    label = query(db, "SELECT nama FROM pengguna WHERE nip LIKE 'ANON%%'")[0]["nama"]
    assert traces(db, ["Marlina", nip_rina], [RINA]) == []
    # her answer is the bureau's answer to Budi: kept for him, no longer hers
    (answer,) = query(db, "SELECT id_pengirim, pengirim, isi_pesan FROM pesan WHERE id_pesan = 502")
    assert (answer["pengirim"], answer["isi_pesan"]) == (None, ANSWER)
    assert answer["id_pengirim"] >= 2**62
    # her name stays only where another person wrote it: Budi's comment is Budi's
    assert traces(db, ["Rina"], []) == ["ticket.rating_comment ~ 'Rina'"]
    assert query(db, "SELECT actor_name FROM ticket_event WHERE event = 'answered'") == [
        {"actor_name": label}
    ]
    assert query(db, "SELECT assigned_staff_name FROM ticket") == [{"assigned_staff_name": label}]
    assert query(db, "SELECT posted_by_name FROM announcement") == [{"posted_by_name": label}]
    assert counts(db) == before_counts
    # Budi is untouched
    assert query(db, "SELECT isi_pesan FROM pesan WHERE chat_id = %s AND id_pesan = 2", (BUDI,)) == [
        {"isi_pesan": QUESTION}
    ]


# ---- the evaluation report of past days ------------------------------------------------------------------


def _without_comments(report: Report) -> Report:
    def clean(m: Metrics | None) -> Metrics | None:
        if m is None:
            return None
        return replace(m, low_ratings=[replace(low, comment=None) for low in m.low_ratings])

    previous, week = clean(report.previous), clean(report.week)
    metrics = clean(report.metrics)
    assert metrics is not None
    assert previous is not None
    return replace(report, metrics=metrics, previous=previous, week=week)


def test_the_report_of_past_days_is_the_same_after_anonymising_employees(db: DatabaseSettings) -> None:
    hours = WorkingHours.from_spec(None, timezone="Asia/Jakarta", is_holiday=indonesian_holidays())
    later = datetime(2027, 1, 10)
    day = Period(report_seed.DAY, report_seed.DAY)
    week = Period(report_seed.DAY - timedelta(days=7), report_seed.DAY)
    database = Database(db)
    try:
        report_seed.seed(database)
        before = [report_store.build(database, p, hours, 8.0, now=later) for p in (day, week)]
        for who in (report_seed.BUDI, report_seed.SITI):  # tickets, messages, a registration, FAQ, documents
            assert store.anonymise(database, report_seed.NIP[who], operator="test") is not None
        after = [report_store.build(database, p, hours, 8.0, now=later) for p in (day, week)]
    finally:
        database.close()
    comments = [(low.ticket_id, low.comment) for low in before[0].report.metrics.low_ratings]
    assert [c for _, c in comments] == ["Tidak membantu", "Jawaban kurang jelas <b>& lambat</b>"]
    assert [(low.ticket_id, low.comment) for low in after[0].report.metrics.low_ratings] == [
        (t, None) for t, _ in comments
    ]  # the comments were theirs: gone, and nothing else changed
    m = after[0].report.metrics
    assert (m.messages_in, m.messages_out, m.active_users, m.registrations) == (7, 5, 3, 1)
    for old, new in zip(before, after, strict=True):
        assert _without_comments(new.report) == _without_comments(old.report)
        assert [r["event"] for r in new.detail.audit] == [r["event"] for r in old.detail.audit]
        assert new.detail.faq == old.detail.faq
        assert new.detail.documents == old.detail.documents
        assert new.detail.content == old.detail.content
