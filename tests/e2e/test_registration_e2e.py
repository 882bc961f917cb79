"""Registration and personal data end to end, through the webhook, the router and RegistrationFunction.

Bad inputs tried: wrong NIP formats (17 digits, letters, spaces inside, SQL-like text, emoji, 4,000
characters), wrong passwords up to the lockout, a password in a group, a forwarded /daftar, an edited
message that adds a password, an inactive employee, a NIP bound to another account, two accounts racing
for one NIP, personal data asked in a group or before registering.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from local_stack.stack import LocalStack
from local_stack.telegram import ChatMessage
from sinawai.platform.db import Database
from sinawai.registration.passwords import hash_password
from tests.helpers import assert_secret_nowhere, query

pytestmark = pytest.mark.e2e

NIP_BUDI = "199001172015031001"
NIP_SITI = "199203252016042002"
NIP_NONAKTIF = "198512302010121003"
PASSWORD = "Awal#2026"
OTHER_GROUP = -1002000000009

_next_user = iter(range(6_100_000, 6_200_000))


def new_user(stack: LocalStack, first_name: str = "Pegawai") -> int:
    user = next(_next_user)
    stack.telegram.add_user(user, first_name)
    return user


EMPLOYEE_SQL = (
    "INSERT INTO pengguna (nip, nama, password_hash, status, pangkat, golongan, jabatan, unit_kerja,"
    " kelas_jabatan, jenis_kelamin, tanggal_lahir)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'L', '1990-01-17')"
)
TUNKIN_SQL = (
    "INSERT INTO tunkin (nip, periode, kelas_jabatan, tunjangan, potongan, keterangan, imported_at)"
    " VALUES (%s, %s, 9, 5361800, %s, %s, UTC_TIMESTAMP())"
)
CUTI_SQL = (
    "INSERT INTO cuti (nip, tahun, jenis, hak, terpakai, imported_at)"
    " VALUES (%s, YEAR(UTC_TIMESTAMP() + INTERVAL 7 HOUR), 'tahunan', 12, 3, UTC_TIMESTAMP())"
)


@pytest.fixture(autouse=True)
def _employees(stack: LocalStack) -> None:
    db = Database(stack.config.database)
    hashed = hash_password(PASSWORD)
    for table in ("tunkin", "cuti", "conversation", "audit_log", "pengguna"):
        db.execute(f"DELETE FROM {table}")
    rows = [
        (NIP_BUDI, "Budi Santoso", "aktif", "Penata Muda", "III/a", "Analis SDM Aparatur", "Biro OSDM", 9),
        (NIP_SITI, "Siti Rahmawati", "aktif", "Penata", "III/c", "Pranata Komputer", "Pusdatik", 8),
        (NIP_NONAKTIF, "Agus Pensiun", "nonaktif", "Pembina", "IV/a", "Analis", "Biro Umum", 10),
    ]
    for nip, nama, status, pangkat, golongan, jabatan, unit, kelas in rows:
        db.execute(EMPLOYEE_SQL, (nip, nama, hashed, status, pangkat, golongan, jabatan, unit, kelas))
    db.execute(TUNKIN_SQL, (NIP_BUDI, "2026-10", 0, None))
    db.execute(TUNKIN_SQL, (NIP_BUDI, "2026-09", 134045, "Terlambat 2 kali"))
    db.execute(CUTI_SQL, (NIP_BUDI,))
    db.close()


def say(stack: LocalStack, user: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text, chat_id=chat_id)
    stack.wait_idle()
    return update


def last_text(stack: LocalStack, chat_id: int) -> str:
    return stack.telegram.bot_messages(chat_id)[-1].text or ""


def bound_to(stack: LocalStack, nip: str) -> int | None:
    rows = query(stack.config.database, "SELECT id_telegram FROM pengguna WHERE nip = %s", (nip,))
    value: int | None = rows[0]["id_telegram"]
    return value


def no_clear_password_stored(stack: LocalStack, password: str) -> None:
    assert_secret_nowhere(stack, password)


def message_of(stack: LocalStack, chat_id: int, update: dict[str, Any]) -> ChatMessage:
    message_id = update["message"]["message_id"]
    return next(m for m in stack.telegram.messages(chat_id) if m.message_id == message_id)


def test_one_message_registration_deletes_the_password_and_binds(stack: LocalStack) -> None:
    user = new_user(stack, "Budi")
    update = say(stack, user, f"/daftar {NIP_BUDI} {PASSWORD}")
    assert message_of(stack, user, update).deleted, "the message with the password must be deleted"
    assert "Pendaftaran berhasil" in last_text(stack, user)
    assert "Budi Santoso" in last_text(stack, user)
    assert bound_to(stack, NIP_BUDI) == user
    no_clear_password_stored(stack, PASSWORD)
    events = query(stack.config.database, "SELECT event, telegram_user_id, nip FROM audit_log")
    assert events == [{"event": "register_success", "telegram_user_id": user, "nip": NIP_BUDI}]


def test_guided_registration_asks_nip_then_password(stack: LocalStack) -> None:
    user = new_user(stack, "Siti")
    say(stack, user, "/daftar")
    assert "Silakan kirim NIP Anda" in last_text(stack, user)
    say(stack, user, "19920325 201604 2 002")  # the NIP as printed on a decree, with spaces
    assert "kata sandi awal" in last_text(stack, user)
    update = say(stack, user, PASSWORD)
    assert message_of(stack, user, update).deleted
    assert "Pendaftaran berhasil" in last_text(stack, user)
    assert bound_to(stack, NIP_SITI) == user
    # the NIP step did not become a consultation or a menu fallback
    assert not any("belum dapat kami proses" in (m.text or "") for m in stack.telegram.bot_messages(user))
    no_clear_password_stored(stack, PASSWORD)


@pytest.mark.parametrize(
    "nip",
    [
        "19900117201503100",  # 17 digits
        "1990011720150310011",  # 19 digits
        "19900117201503100A",
        "1' OR '1'='1",
        "😀😀😀",
        "9" * 4000,
    ],
)
def test_wrong_nip_formats_get_the_format_explained_and_change_nothing(stack: LocalStack, nip: str) -> None:
    user = new_user(stack)
    say(stack, user, f"/daftar {nip} {PASSWORD}")
    assert "18 digit angka" in last_text(stack, user)
    assert query(
        stack.config.database, "SELECT COUNT(*) AS n FROM pengguna WHERE id_telegram IS NOT NULL"
    ) == [{"n": 0}]


def test_wrong_password_and_unknown_nip_get_the_same_answer(stack: LocalStack) -> None:
    user = new_user(stack)
    say(stack, user, f"/daftar {NIP_BUDI} Salah#123")
    wrong_password = last_text(stack, user)
    say(stack, user, f"/daftar 199912312020121999 {PASSWORD}")
    unknown_nip = last_text(stack, user)
    assert wrong_password == unknown_nip
    assert "NIP atau kata sandi tidak sesuai" in wrong_password


def test_five_failures_lock_the_nip_for_every_account_and_tell_staff_once(stack: LocalStack) -> None:
    staff = stack.config.staff_group_chat_id
    stack.telegram.add_group(staff, "Layanan Kepegawaian OSDM", members=[])
    alerts_before = len(stack.telegram.bot_messages(staff))
    attacker = new_user(stack, "Penyusup")
    for attempt in range(5):
        say(stack, attacker, f"/daftar {NIP_SITI} Coba#{attempt}")
    assert "dikunci" in last_text(stack, attacker)
    # now even the right password, from another account, is refused until the lock ends
    owner = new_user(stack, "Siti")
    say(stack, owner, f"/daftar {NIP_SITI} {PASSWORD}")
    assert "dikunci" in last_text(stack, owner)
    assert bound_to(stack, NIP_SITI) is None
    alerts = stack.telegram.bot_messages(staff)[alerts_before:]
    assert len(alerts) == 1
    assert "1992**********2002" in (alerts[0].text or "")
    assert NIP_SITI not in (alerts[0].text or "")
    events = [r["event"] for r in query(stack.config.database, "SELECT event FROM audit_log ORDER BY id")]
    assert events == ["register_failure"] * 5 + ["lockout", "register_locked"]


def test_lockout_ends_after_its_window(stack: LocalStack) -> None:
    user = new_user(stack)
    for attempt in range(5):
        say(stack, user, f"/daftar {NIP_BUDI} Coba#{attempt}")
    # move the lockout 16 minutes into the past: the window has passed
    query(stack.config.database, "UPDATE audit_log SET waktu = waktu - INTERVAL 16 MINUTE")
    say(stack, user, f"/daftar {NIP_BUDI} {PASSWORD}")
    assert "Pendaftaran berhasil" in last_text(stack, user)


def test_inactive_employee_cannot_register(stack: LocalStack) -> None:
    user = new_user(stack)
    say(stack, user, f"/daftar {NIP_NONAKTIF} {PASSWORD}")
    assert "tidak aktif" in last_text(stack, user)
    assert bound_to(stack, NIP_NONAKTIF) is None


def test_a_nip_bound_to_another_account_is_refused_with_advice(stack: LocalStack) -> None:
    first, second = new_user(stack), new_user(stack)
    say(stack, first, f"/daftar {NIP_BUDI} {PASSWORD}")
    say(stack, second, f"/daftar {NIP_BUDI} {PASSWORD}")
    assert "sudah terhubung dengan akun Telegram lain" in last_text(stack, second)
    assert "hubungi Biro OSDM" in last_text(stack, second)
    assert bound_to(stack, NIP_BUDI) == first
    # and one account cannot take a second NIP
    say(stack, first, f"/daftar {NIP_SITI} {PASSWORD}")
    assert "sudah terhubung dengan NIP lain" in last_text(stack, first)
    assert bound_to(stack, NIP_SITI) is None


def test_two_accounts_racing_for_one_nip_only_one_wins(stack: LocalStack) -> None:
    first, second = new_user(stack), new_user(stack)
    threads = [
        threading.Thread(target=stack.telegram.send_message, args=(u, f"/daftar {NIP_SITI} {PASSWORD}"))
        for u in (first, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stack.wait_idle()
    winner = bound_to(stack, NIP_SITI)
    assert winner is not None
    assert winner in (first, second)
    loser = second if winner == first else first
    assert "Pendaftaran berhasil" in last_text(stack, winner)
    assert "sudah terhubung" in last_text(stack, loser)


def test_a_password_in_a_group_is_deleted_and_registration_refused(stack: LocalStack) -> None:
    user = new_user(stack)
    stack.telegram.add_group(OTHER_GROUP, "Grup Unit Kerja", members=[user])
    update = say(stack, user, f"/daftar {NIP_BUDI} {PASSWORD}", chat_id=OTHER_GROUP)
    assert message_of(stack, OTHER_GROUP, update).deleted
    assert "telah dihapus" in last_text(stack, OTHER_GROUP)
    assert bound_to(stack, NIP_BUDI) is None
    no_clear_password_stored(stack, PASSWORD)


def test_a_forwarded_daftar_is_refused(stack: LocalStack) -> None:
    user, original_sender = new_user(stack), new_user(stack, "Pengirim Asli")
    update = stack.telegram.send_message(user, f"/daftar {NIP_BUDI} {PASSWORD}", forward_from=original_sender)
    stack.wait_idle()
    assert message_of(stack, user, update).deleted
    assert "Pesan terusan" in last_text(stack, user)
    assert bound_to(stack, NIP_BUDI) is None


def test_an_edit_that_adds_a_password_is_deleted_and_not_acted_on(stack: LocalStack) -> None:
    user = new_user(stack)
    update = say(stack, user, "/daftar")
    message_id = update["message"]["message_id"]
    stack.telegram.edit_message(user, user, message_id, f"/daftar {NIP_BUDI} {PASSWORD}")
    stack.wait_idle()
    assert message_of(stack, user, update).deleted
    assert "Pesan yang diedit tidak diproses" in last_text(stack, user)
    assert bound_to(stack, NIP_BUDI) is None
    no_clear_password_stored(stack, PASSWORD)


def test_personal_data_only_for_the_registered_owner_in_private(stack: LocalStack) -> None:
    stranger = new_user(stack)
    say(stack, stranger, "/datapribadi")
    assert "belum terdaftar" in last_text(stack, stranger)

    user = new_user(stack, "Budi")
    say(stack, user, f"/daftar {NIP_BUDI} {PASSWORD}")
    say(stack, user, "/datapribadi")
    text = last_text(stack, user)
    for expected in (
        "Budi Santoso",
        "19900117 201503 1 001",
        "Penata Muda (III/a)",
        "Analis SDM Aparatur",
        "Biro OSDM",
        "Kelas Jabatan: 9",
        "17 Januari 1990",
        "Aktif",
    ):
        assert expected in text, expected

    say(stack, user, "/tunkin")
    text = last_text(stack, user)
    assert "Oktober 2026" in text
    assert "Diterima: Rp5.361.800" in text
    assert "September 2026: Rp5.227.755" in text

    say(stack, user, "/cuti")
    text = last_text(stack, user)
    assert "Cuti tahunan" in text
    assert "sisa 9 hari" in text
    assert "12 hari kerja" in text

    stack.telegram.add_group(OTHER_GROUP, "Grup Unit Kerja", members=[user])
    say(stack, user, "/datapribadi", chat_id=OTHER_GROUP)
    assert "percakapan pribadi" in last_text(stack, OTHER_GROUP)
    assert "Budi Santoso" not in last_text(stack, OTHER_GROUP)

    views = query(stack.config.database, "SELECT event FROM audit_log WHERE event LIKE 'view_%%' ORDER BY id")
    assert [r["event"] for r in views] == ["view_datapribadi", "view_tunkin", "view_cuti"]


def test_keluar_unbinds_after_confirmation(stack: LocalStack) -> None:
    user = new_user(stack)
    say(stack, user, f"/daftar {NIP_BUDI} {PASSWORD}")
    say(stack, user, "/keluar")
    confirm = stack.telegram.bot_messages(user)[-1]
    assert bound_to(stack, NIP_BUDI) == user  # nothing happens before the confirmation
    stack.telegram.press_button(user, user, confirm.message_id, "registration:keluar:ya")
    stack.wait_idle()
    assert bound_to(stack, NIP_BUDI) is None
    assert "telah dilepaskan" in last_text(stack, user)
    # the password is not reset: registering again needs the same password
    say(stack, user, f"/daftar {NIP_BUDI} {PASSWORD}")
    assert "Pendaftaran berhasil" in last_text(stack, user)


def test_gantisandi_guided_deletes_both_messages_and_enforces_strength(stack: LocalStack) -> None:
    user = new_user(stack)
    say(stack, user, f"/daftar {NIP_BUDI} {PASSWORD}")
    say(stack, user, "/gantisandi")
    old = say(stack, user, PASSWORD)
    assert message_of(stack, user, old).deleted
    weak = say(stack, user, "lemah")
    assert message_of(stack, user, weak).deleted
    assert "minimal 8 karakter" in last_text(stack, user)
    new = say(stack, user, "Baru#Kuat2026")
    assert message_of(stack, user, new).deleted
    assert "telah diganti" in last_text(stack, user)
    no_clear_password_stored(stack, "Baru#Kuat2026")
    no_clear_password_stored(stack, "lemah")
    # the new password works, the old one no longer does
    say(stack, user, "/keluar")
    stack.telegram.press_button(
        user, user, stack.telegram.bot_messages(user)[-1].message_id, "registration:keluar:ya"
    )
    stack.wait_idle()
    say(stack, user, f"/daftar {NIP_BUDI} {PASSWORD}")
    assert "tidak sesuai" in last_text(stack, user)
    say(stack, user, f"/daftar {NIP_BUDI} Baru#Kuat2026")
    assert "Pendaftaran berhasil" in last_text(stack, user)


def test_personal_data_replies_are_logged_as_markers_and_a_button_under_them_stores_no_copy(
    stack: LocalStack,
) -> None:
    user = new_user(stack, "Budi")
    say(stack, user, f"/daftar {NIP_BUDI} {PASSWORD}")
    for command in ("/datapribadi", "/tunkin", "/cuti"):
        say(stack, user, command)
    shown = stack.telegram.bot_messages(user)[-1]
    assert "Cuti tahunan" in (shown.text or "")
    # A button under the personal data: Telegram sends the whole message back with the press.
    button = shown.callback_data[0]
    stack.telegram.press_button(user, user, shown.message_id, button)
    stack.wait_idle()
    db = stack.config.database
    out = query(
        db,
        "SELECT isi_pesan, data FROM pesan WHERE direction = 'out' AND chat_id = %s AND data LIKE %s",
        (user, '%"personal"%'),
    )
    kinds = [json.loads(r["data"])["personal"] for r in out]
    assert kinds == ["registered", "datapribadi", "tunkin", "cuti"]
    assert all(r["isi_pesan"] is None and json.loads(r["data"])["length"] > 50 for r in out)
    for secret in ("Budi Santoso", "19900117 201503 1 001", "Rp5.361.800", "sisa 9 hari", "Analis SDM"):
        for table, column in (("pesan", "isi_pesan"), ("pesan", "data"), ("update_inbox", "payload")):
            sql = f"SELECT COUNT(*) AS n FROM {table} WHERE {column} LIKE %s"
            assert query(db, sql, (f"%{secret}%",)) == [{"n": 0}], f"{secret!r} kept in {table}.{column}"
