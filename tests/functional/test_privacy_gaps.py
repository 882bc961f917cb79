"""Issue 14 access gap 3 on MariaDB: the data-subject export (`sinawai pegawai ekspor`, /datasaya) holds the
employee's held messages (ticket_choice) and their password reset requests and codes (dates and status,
never a code hash nor who issued it); the erasure (`sinawai pegawai hapus`) removes the NIP's codes and
takes a staff member's NIP and account out of the codes she issued for others; the retention purge deletes
held messages a day after they expired and codes RETENTION_INBOX_DAYS after they expired.

Bad inputs tried: a code still valid (kept by the purge, shown as "berlaku"), a request never forwarded
(unknown to the staff: "tidak diteruskan"), a held message of another employee (not exported, not
deleted), a second purge (changes nothing)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from sinawai.platform import retention
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.privacy import export, store
from sinawai.registration.passwords import hash_password
from tests.helpers import query

NOW = datetime(2028, 1, 15, 2, 0)
NIP_BUDI = "199001172015031001"
NIP_SITI = "199203252016042002"
NIP_RINA = "198505052010012003"
BUDI = 5594001
SITI = 5594002
RINA = 5594101
CODE_HASH = hash_password("ABCD-EFGH-JKLM")


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


@pytest.fixture
def handle(db: DatabaseSettings) -> Iterator[Database]:
    opened = Database(db)
    for table in ("password_reset", "ticket_choice"):  # not in tests.helpers.TABLES
        opened.execute(f"DELETE FROM {table}")
    try:
        yield opened
    finally:
        opened.close()


def seed(db: Database) -> None:
    people = (
        (NIP_BUDI, "Budi Santoso", "pegawai", BUDI),
        (NIP_SITI, "Siti Rahmawati", "pegawai", SITI),
        (NIP_RINA, "Rina Wulandari", "staf", RINA),
    )
    for nip, name, role, account in people:
        db.execute(
            "INSERT INTO pengguna (nip, nama, password_hash, status, hak_pengguna, id_telegram,"
            " registered_at) VALUES (%s, %s, %s, 'aktif', %s, %s, %s)",
            (nip, name, hash_password("Awal#2026"), role, account, ago(days=60)),
        )
        db.execute(
            "INSERT INTO audit_log (waktu, event, telegram_user_id, chat_id, nip) VALUES"
            " (%s, 'register_success', %s, %s, %s)",
            (ago(days=60), account, account, nip),
        )
    audit = (
        "INSERT INTO audit_log (waktu, event, telegram_user_id, chat_id, nip, detail)"
        " VALUES (%s, %s, %s, %s, %s, %s)"
    )
    db.execute(audit, (ago(days=40), "password_reset_request", BUDI, BUDI, NIP_BUDI, None))
    db.execute(audit, (ago(days=40, hours=-1), "password_reset_issued", RINA, -100, NIP_BUDI,
                       json.dumps({"by": NIP_RINA, "request": 1})))  # fmt: skip
    db.execute(audit, (ago(days=2), "password_reset_request", BUDI, BUDI, NIP_BUDI, '{"forwarded": false}'))
    db.execute(audit, (ago(hours=3), "password_reset_request", BUDI, BUDI, NIP_BUDI, None))
    db.execute(audit, (ago(hours=1), "password_reset_request", BUDI, BUDI, NIP_BUDI, None))
    code = (
        "INSERT INTO password_reset (nip, code_hash, issued_by_telegram, issued_at, expires_at, used_at,"
        " used_by_telegram) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    # used 40 days ago (past RETENTION_INBOX_DAYS), and one issued 2 hours ago (valid)
    db.execute(code, (NIP_BUDI, CODE_HASH, RINA, ago(days=40, hours=-1), ago(days=39), ago(days=40), BUDI))
    db.execute(code, (NIP_BUDI, CODE_HASH, RINA, ago(hours=2), ago(hours=-22), None, None))
    db.execute(code, (NIP_SITI, CODE_HASH, RINA, ago(days=3), ago(days=2), None, None))  # expired unused
    held = (
        "INSERT INTO ticket_choice (update_id, chat_id, nip, message_id, offered, status, created_at,"
        " expires_at) VALUES (%s, %s, %s, %s, '[1]', %s, %s, %s)"
    )
    db.execute(held, (9001, BUDI, NIP_BUDI, 11, "dipilih", ago(days=3), ago(days=2)))  # expired 2 days ago
    db.execute(held, (9002, BUDI, NIP_BUDI, 12, "menunggu", ago(hours=1), ago(hours=-23)))  # waiting
    db.execute(held, (9003, SITI, NIP_SITI, 13, "menunggu", ago(hours=30), ago(hours=6)))  # within margin


def test_the_export_holds_held_messages_and_reset_requests_and_codes_without_hashes(
    handle: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(handle)
    monkeypatch.setattr(store, "utcnow", lambda: NOW)
    data = store.collect(handle, NIP_BUDI)
    assert data is not None
    document = export.document(data, NOW)
    raw = json.dumps(document, default=str)
    assert CODE_HASH not in raw
    assert "code_hash" not in raw
    assert NIP_RINA not in raw  # who issued a code is the staff member's data
    assert str(RINA) not in raw
    held = document["pesan_menunggu_pilihan"]
    assert [(h["message_id"], h["status"]) for h in held] == [(11, "dipilih"), (12, "menunggu")]
    assert [r["status"] for r in document["permintaan_reset_sandi"]] == [
        "kode diterbitkan",
        "tidak diteruskan",
        "kode diterbitkan",  # the code issued two hours ago answered it
        "belum ditanggapi",
    ]
    codes = document["kode_sekali_pakai"]
    assert [c["status"] for c in codes] == ["dipakai", "berlaku"]
    assert set(codes[0]) == {"id", "issued_at", "expires_at", "used_at", "status"}
    summary = export.summary(data, NOW, "Asia/Jakarta")
    assert "## Pesan yang menunggu pilihan tiket" in summary
    assert "## Atur ulang kata sandi" in summary
    assert ": sudah dipakai" in summary
    assert "petugas menerbitkan kode sekali pakai" in summary
    assert "Permintaan atur ulang kata sandi: 4; kode sekali pakai: 2" in export.caption(data)


def test_the_erasure_removes_the_nips_codes_and_the_staff_members_name_from_codes_she_issued(
    db: DatabaseSettings, handle: Database
) -> None:
    seed(handle)
    assert store.anonymise(handle, NIP_BUDI, operator="petugas") is not None
    assert query(db, "SELECT COUNT(*) AS n FROM password_reset WHERE nip = %s", (NIP_BUDI,))[0]["n"] == 0
    assert query(db, "SELECT COUNT(*) AS n FROM ticket_choice WHERE chat_id = %s", (BUDI,))[0]["n"] == 0
    assert query(db, "SELECT COUNT(*) AS n FROM ticket_choice WHERE nip = %s", (NIP_SITI,))[0]["n"] == 1
    assert query(db, "SELECT COUNT(*) AS n FROM password_reset WHERE nip = %s", (NIP_SITI,))[0]["n"] == 1

    # Rina (staff) erased: the code she issued for Siti no longer names her account, nor her NIP any detail
    assert store.anonymise(handle, NIP_RINA, operator="petugas") is not None
    (siti_code,) = query(db, "SELECT issued_by_telegram FROM password_reset WHERE nip = %s", (NIP_SITI,))
    assert siti_code["issued_by_telegram"] != RINA
    assert (
        query(db, "SELECT COUNT(*) AS n FROM audit_log WHERE detail LIKE %s", (f"%{NIP_RINA}%",))[0]["n"] == 0
    )


def test_the_purge_deletes_expired_held_messages_and_old_codes_and_keeps_the_rest(
    db: DatabaseSettings, handle: Database
) -> None:
    seed(handle)
    first = retention.purge(handle, retention.RetentionPolicy(), now=NOW)
    assert first.complete
    assert first.counts["held_messages"] == 1
    assert first.counts["password_resets"] == 1
    held = query(db, "SELECT update_id FROM ticket_choice ORDER BY update_id")
    assert [h["update_id"] for h in held] == [9002, 9003]  # waiting, and expired less than a day ago
    codes = query(db, "SELECT nip, used_at IS NULL AS unused FROM password_reset ORDER BY id")
    assert codes == [{"nip": NIP_BUDI, "unused": 1}, {"nip": NIP_SITI, "unused": 1}]
    assert first.as_dict()["password_resets"] == 1
    again = retention.purge(handle, retention.RetentionPolicy(), now=NOW)
    assert sum(again.counts.values()) == 0
    # a shorter RETENTION_INBOX_DAYS takes the code that expired two days ago as well
    policy = retention.RetentionPolicy.from_env({"RETENTION_INBOX_DAYS": "1"})
    assert retention.purge(handle, policy, now=NOW).counts["password_resets"] == 1


def test_the_erasure_clears_the_log_of_a_burst_list_that_showed_the_employees_question(
    db: DatabaseSettings, handle: Database
) -> None:
    """A compact list (issue 16) shows the first line of several employees' questions in one message: its
    log row loses its text when one of them is erased; a list without their tickets keeps its text."""
    seed(handle)
    staff = -1001000000555

    def insert(sql: str, args: tuple[object, ...]) -> int:
        with handle.transaction() as cur:
            cur.execute(sql, args)
            return int(cur.lastrowid)

    tickets = {
        nip: insert(
            "INSERT INTO ticket (nip, chat_id, status, staff_chat_id, created_at)"
            " VALUES (%s, %s, 'baru', %s, %s)",
            (nip, account, staff, ago(days=1)),
        )
        for nip, account in ((NIP_BUDI, BUDI), (NIP_SITI, SITI))
    }
    log = (
        "INSERT INTO pesan (waktu, direction, chat_id, chat_type, id_pesan, isi_pesan, kind)"
        " VALUES (%s, 'out', %s, 'supergroup', %s, %s, 'text')"
    )
    lists = "INSERT INTO staff_list (staff_chat_id, staff_message_id, created_at) VALUES (%s, %s, %s)"
    entry = "INSERT INTO staff_list_entry (list_id, ticket_id, position, outbox_id) VALUES (%s, %s, %s, %s)"
    both = insert(lists, (staff, 700, ago(days=1)))
    handle.execute(entry, (both, tickets[NIP_BUDI], 1, 1))
    handle.execute(entry, (both, tickets[NIP_SITI], 2, 2))
    handle.execute(log, (ago(days=1), staff, 700, "#1 Kenaikan pangkat Budi… #2 Cuti Siti…"))
    only_siti = insert(lists, (staff, 701, ago(days=1)))
    handle.execute(entry, (only_siti, tickets[NIP_SITI], 1, 3))
    handle.execute(log, (ago(days=1), staff, 701, "#2 Cuti Siti…"))

    assert store.anonymise(handle, NIP_BUDI, operator="petugas") is not None
    shown = {
        r["id_pesan"]: r["isi_pesan"]
        for r in query(db, "SELECT id_pesan, isi_pesan FROM pesan WHERE chat_id = %s", (staff,))
    }
    assert shown == {700: None, 701: "#2 Cuti Siti…"}
