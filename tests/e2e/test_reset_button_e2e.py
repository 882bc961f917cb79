"""Issue 14, access gaps 1 and 2 through the local stack: the reset request in the staff group carries a
"Buat kode sekali pakai" button that issues the code for that request without typing the NIP (the staff
see only a masked NIP), once; and a staff reset opens the registration lock, so a locked-out employee
uses the code at once (the code's own tries still count towards a new lock).

Bad inputs tried: a press by a registered employee who is no staff member, a double press (the same staff
member again, and a second staff member), a forged request id, forged data that is no number, a request
older than seven days, a press by a staff member who never started the bot (nothing issued, the button
still works after), wrong codes after the lock was opened (locked again)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import RateLimits
from sinawai.platform.db import Database
from sinawai.registration.passwords import hash_password
from tests.helpers import assert_secret_nowhere, fresh_database, query

pytestmark = pytest.mark.e2e

STAFF = -1001000000001
RINA = 5590101  # OSDM staff (peran staf), has started the bot
ANDI = 5590103  # OSDM staff (peran admin), has started the bot
DEWI = 5590102  # OSDM staff who never started the bot
NIP_BUDI = "199001172015031001"
NIP_SITI = "199203252016042002"
NIP_RINA = "198505052010012003"
NIP_DEWI = "198707072012012004"
NIP_ANDI = "198808082013011005"
PASSWORD = "Awal#2026"
NEW_PASSWORD = "Baru#Sandi2026"
BUTTON = "🔑 Buat kode sekali pakai"
CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b")

_next_user = iter(range(5_591_000, 5_592_000))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("reset-button-logs")
    with fresh_database("sinawai_e2e_reset_button") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-reset-button",
            extra_env={"STAFF_GROUP_MESSAGES_PER_MINUTE": "10000", "REGISTRATION_MAX_FAILURES": "3"},
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            local.telegram.add_user(RINA, "Rina", started=True)
            local.telegram.add_user(ANDI, "Andi", started=True)
            local.telegram.add_user(DEWI, "Dewi")
            local.telegram.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA, ANDI, DEWI])
            db = Database(database)
            sql = (
                "INSERT INTO pengguna (nip, nama, password_hash, status, hak_pengguna, jenis_kelamin,"
                " id_telegram) VALUES (%s, %s, %s, 'aktif', %s, %s, %s)"
            )
            db.execute(sql, (NIP_RINA, "Rina Wulandari", hash_password(PASSWORD), "staf", "P", RINA))
            db.execute(sql, (NIP_ANDI, "Andi Pratama", hash_password(PASSWORD), "admin", "L", ANDI))
            db.execute(sql, (NIP_DEWI, "Dewi Lestari", hash_password(PASSWORD), "staf", "P", DEWI))
            db.close()
            yield local


@pytest.fixture
def employees(stack: LocalStack) -> None:
    """Budi and Siti, neither registered; no reset, no lock."""
    db = Database(stack.config.database)
    db.execute("DELETE FROM pengguna WHERE nip IN (%s, %s)", (NIP_BUDI, NIP_SITI))
    for table in ("password_reset", "audit_log", "conversation", "sensitive_chat"):
        db.execute(f"DELETE FROM {table}")
    sql = (
        "INSERT INTO pengguna (nip, nama, password_hash, status, jenis_kelamin)"
        " VALUES (%s, %s, %s, 'aktif', %s)"
    )
    db.execute(sql, (NIP_BUDI, "Budi Santoso", hash_password(PASSWORD), "L"))
    db.execute(sql, (NIP_SITI, "Siti Rahmawati", hash_password(PASSWORD), "P"))
    db.close()


def new_user(stack: LocalStack, first_name: str = "Pegawai") -> int:
    user = next(_next_user)
    stack.telegram.add_user(user, first_name)
    return user


def say(stack: LocalStack, user: int, text: str, chat_id: int | None = None) -> None:
    stack.telegram.send_message(user, text, chat_id=chat_id)
    stack.wait_idle()


def last(stack: LocalStack, chat_id: int) -> Any:
    return stack.telegram.bot_messages(chat_id)[-1]


def message(stack: LocalStack, chat_id: int, message_id: int) -> Any:
    return next(m for m in stack.telegram.messages(chat_id) if m.message_id == message_id)


def labels(msg: Any) -> list[str]:
    return [b["text"] for row in msg.buttons for b in row]


def alerts(stack: LocalStack) -> list[str]:
    return [e.text for e in stack.telegram.transcript() if e.kind == "callback"]


def press(stack: LocalStack, user: int, request: Any, *, data: str | None = None) -> None:
    """Press the request's button in the staff group (``data``: forged data, or a button that is gone)."""
    if data is None:
        data = next(b["callback_data"] for row in request.buttons for b in row if b["text"] == BUTTON)
        stack.telegram.press_button(user, STAFF, request.message_id, data)
    else:
        stack.telegram.press_forged_button(user, STAFF, request.message_id, data)
    stack.wait_idle()


def ask_reset(stack: LocalStack, user: int, nip: str) -> Any:
    say(stack, user, f"/lupasandi {nip}")
    assert "telah kami teruskan" in last(stack, user).text
    request = last(stack, STAFF)
    assert "Permintaan atur ulang kata sandi" in request.text
    return request


def codes_in(stack: LocalStack, chat_id: int) -> list[str]:
    return [m.group(1) for msg in stack.telegram.bot_messages(chat_id) if (m := CODE.search(msg.text or ""))]


def reset_rows(stack: LocalStack) -> list[dict[str, Any]]:
    return query(stack.config.database, "SELECT * FROM password_reset ORDER BY id")


def test_the_button_issues_one_code_to_the_presser_and_the_request_says_who(
    stack: LocalStack, employees: None
) -> None:
    budi = new_user(stack, "Budi")
    request = ask_reset(stack, budi, "19900117 201503 1 001")
    assert "1990**********1001" in request.text
    assert NIP_BUDI not in request.text
    assert labels(request) == [BUTTON]
    data = request.buttons[0][0]["callback_data"]
    assert data.startswith("registration:")
    assert len(data.encode()) <= 64

    # a registered employee in the group who is no staff member: refused, nothing issued
    siti = new_user(stack, "Siti")
    say(stack, siti, f"/daftar {NIP_SITI} {PASSWORD}")
    stack.telegram.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA, ANDI, DEWI, siti])
    press(stack, siti, request)
    assert "Tombol ini hanya untuk petugas Biro OSDM" in alerts(stack)[-1]
    assert reset_rows(stack) == []
    # forged data: an id that is no request, and no number at all
    press(stack, RINA, request, data="registration:resetkode:987654321")
    assert "tidak ditemukan" in alerts(stack)[-1]
    press(stack, RINA, request, data="registration:resetkode:1x")
    assert "tidak ditemukan" in alerts(stack)[-1]
    assert reset_rows(stack) == []

    press(stack, RINA, request)
    codes = codes_in(stack, RINA)
    assert len(codes) == 1
    code = codes[0]
    assert "19900117 201503 1 001" in last(stack, RINA).text  # the presser sees the full NIP, privately
    assert "dikirim ke percakapan pribadi" in alerts(stack)[-1]
    edited = message(stack, STAFF, request.message_id)
    assert "diterbitkan oleh Rina Wulandari" in edited.text
    assert "1990**********1001" in edited.text
    assert edited.buttons == []
    assert code not in edited.text
    assert_secret_nowhere(stack, code, staff_group=STAFF)
    issued = query(
        stack.config.database,
        "SELECT telegram_user_id, detail FROM audit_log WHERE event = 'password_reset_issued'",
    )
    assert [r["telegram_user_id"] for r in issued] == [RINA]
    assert '"request"' in issued[0]["detail"]

    # pressed again (by Rina, then by Andi, from a client that still shows the button): one code
    press(stack, RINA, request, data=data)
    assert "sudah diterbitkan oleh Rina Wulandari" in alerts(stack)[-1]
    press(stack, ANDI, request, data=data)
    assert "sudah diterbitkan oleh Rina Wulandari" in alerts(stack)[-1]
    assert len(reset_rows(stack)) == 1
    assert codes_in(stack, RINA) == [code]
    assert codes_in(stack, ANDI) == []

    say(stack, budi, f"/daftar {NIP_BUDI} {code}")
    assert "Kode diterima" in last(stack, budi).text
    say(stack, budi, NEW_PASSWORD)
    assert "Selamat datang kembali, Bapak Budi Santoso" in last(stack, budi).text


def test_a_staff_member_who_never_started_the_bot_issues_nothing_and_the_button_stays(
    stack: LocalStack, employees: None
) -> None:
    budi = new_user(stack, "Budi")
    request = ask_reset(stack, budi, NIP_BUDI)
    press(stack, DEWI, request)
    assert "tidak diterbitkan" in last(stack, STAFF).text
    assert labels(last(stack, STAFF)) == ["💬 Buka percakapan pribadi dengan bot"]
    live = "SELECT COUNT(*) AS n FROM password_reset WHERE expires_at > UTC_TIMESTAMP(6)"
    assert query(stack.config.database, live)[0]["n"] == 0
    assert labels(message(stack, STAFF, request.message_id)) == [BUTTON]
    press(stack, RINA, request)  # the button still issues, once
    assert len(codes_in(stack, RINA)) >= 1
    assert query(stack.config.database, live)[0]["n"] == 1


def test_a_request_older_than_seven_days_issues_nothing(stack: LocalStack, employees: None) -> None:
    budi = new_user(stack, "Budi")
    request = ask_reset(stack, budi, NIP_BUDI)
    query(
        stack.config.database,
        "UPDATE audit_log SET waktu = UTC_TIMESTAMP(6) - INTERVAL 8 DAY"
        " WHERE event = 'password_reset_request'",
    )
    press(stack, RINA, request)
    assert "sudah lebih dari 7 hari" in alerts(stack)[-1]
    edited = message(stack, STAFF, request.message_id)
    assert "/lupasandi" in edited.text
    assert edited.buttons == []
    assert reset_rows(stack) == []


def lock_out(stack: LocalStack, user: int, nip: str) -> None:
    for _ in range(3):
        say(stack, user, f"/daftar {nip} Salah#123")
    text = last(stack, user).text
    assert "dikunci sampai" in text
    assert "kunci ini dibuka" in text  # the lock message tells the way out


def test_a_code_from_the_button_opens_the_lock_and_its_own_tries_still_count(
    stack: LocalStack, employees: None
) -> None:
    budi = new_user(stack, "Budi")
    lock_out(stack, budi, NIP_BUDI)
    request = ask_reset(stack, budi, NIP_BUDI)
    press(stack, RINA, request)
    code = codes_in(stack, RINA)[-1]
    cleared = query(
        stack.config.database,
        "SELECT telegram_user_id, nip FROM audit_log WHERE event = 'lockout_cleared'",
    )
    assert cleared == [{"telegram_user_id": budi, "nip": NIP_BUDI}]
    # wrong codes still count: three of them lock again, and the right one waits for that lock
    for _ in range(3):
        say(stack, budi, f"/daftar {NIP_BUDI} ABCD-EFGH-JKLM")
    assert "dikunci sampai" in last(stack, budi).text
    say(stack, budi, f"/daftar {NIP_BUDI} {code}")
    assert "dikunci sampai" in last(stack, budi).text


def test_resetsandi_opens_the_lock_too_and_the_code_works_at_once(stack: LocalStack, employees: None) -> None:
    siti = new_user(stack, "Siti")
    lock_out(stack, siti, NIP_SITI)
    ask_reset(stack, siti, NIP_SITI)
    say(stack, RINA, f"/resetsandi {NIP_SITI}", chat_id=STAFF)
    group = last(stack, STAFF).text
    assert "Kunci pendaftaran NIP ini dibuka" in group
    code = codes_in(stack, RINA)[-1]
    say(stack, siti, f"/daftar {NIP_SITI} {code}")
    assert "Kode diterima" in last(stack, siti).text
    audit = query(
        stack.config.database, "SELECT event FROM audit_log WHERE event LIKE 'lockout%%' ORDER BY id"
    )
    assert [r["event"] for r in audit] == ["lockout", "lockout_cleared"]
