"""Issue 14 items 1-4 and 15 through the local stack: /kontak (deploy parameters and the published
content/_kontak.md), the unregistered /start, the one refusal with the guided /daftar's button, /daftar
with the NIP as printed on decrees, and "lupa kata sandi" from the request to a new password.

Bad inputs tried: /resetsandi by a registered employee who is no staff member, /resetsandi in a private
chat, /resetsandi without a NIP, a staff member who never started the bot, a used code, an expired code,
a wrong password until the lock (its end told in words), /daftar with a full-width NIP."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import RateLimits
from sinawai import cli
from sinawai.platform.db import Database
from sinawai.registration.passwords import hash_password
from tests.helpers import assert_secret_nowhere, fresh_database, query

pytestmark = pytest.mark.e2e

STAFF = -1001000000001
RINA = 5580101  # OSDM staff (peran staf), has started the bot
DEWI = 5580102  # OSDM staff who never started the bot
NIP_BUDI = "199001172015031001"
NIP_SITI = "199203252016042002"
NIP_RINA = "198505052010012003"
NIP_DEWI = "198707072012012004"
PASSWORD = "Awal#2026"
NEW_PASSWORD = "Baru#Sandi2026"
ROOT = Path(__file__).resolve().parents[2]

_next_user = iter(range(5_581_000, 5_582_000))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("access-logs")
    with fresh_database("sinawai_e2e_access") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-access",
            extra_env={
                "STAFF_GROUP_MESSAGES_PER_MINUTE": "10000",
                "CONTENT_CACHE_SECONDS": "0",
                "OSDM_CONTACT_PHONE": "021-7863000",
                "OSDM_CONTACT_EMAIL": "osdm@instansi.go.id",
                "REGISTRATION_MAX_FAILURES": "3",
            },
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            local.telegram.add_user(RINA, "Rina", started=True)
            local.telegram.add_user(DEWI, "Dewi")
            local.telegram.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA, DEWI])
            db = Database(database)
            sql = (
                "INSERT INTO pengguna (nip, nama, password_hash, status, hak_pengguna, jenis_kelamin,"
                " id_telegram) VALUES (%s, %s, %s, 'aktif', %s, %s, %s)"
            )
            db.execute(sql, (NIP_RINA, "Rina Wulandari", hash_password(PASSWORD), "staf", "P", RINA))
            db.execute(sql, (NIP_DEWI, "Dewi Lestari", hash_password(PASSWORD), "staf", "P", DEWI))
            db.close()
            yield local


@pytest.fixture
def employees(stack: LocalStack) -> None:
    """Budi (L) and Siti (P), neither registered; no reset, no lock, no conversation."""
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


def say(stack: LocalStack, user: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text, chat_id=chat_id)
    stack.wait_idle()
    return update


def last(stack: LocalStack, chat_id: int) -> Any:
    return stack.telegram.bot_messages(chat_id)[-1]


def labels(message: Any) -> list[str]:
    return [b["text"] for row in message.buttons for b in row]


def press(stack: LocalStack, user: int, message: Any, label: str) -> None:
    data = next(b["callback_data"] for row in message.buttons for b in row if b["text"] == label)
    stack.telegram.press_button(user, user, message.message_id, data)
    stack.wait_idle()


def deleted(stack: LocalStack, chat_id: int, update: dict[str, Any]) -> bool:
    message_id = update["message"]["message_id"]
    return next(m for m in stack.telegram.messages(chat_id) if m.message_id == message_id).deleted


def publish(stack: LocalStack, folder: Path) -> int:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL_S3", stack.moto_url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
        return cli.main(["content", "publish", str(folder), "--bucket", stack.config.bucket])


# ---- item 1: /kontak -----------------------------------------------------------------------------------


def test_kontak_shows_the_deploys_details_then_the_published_file_wins(
    stack: LocalStack, tmp_path: Path
) -> None:
    user = new_user(stack)
    say(stack, user, "/kontak")
    text = last(stack, user).text
    assert "Telepon: 021-7863000" in text
    assert "Surel: osdm@instansi.go.id" in text
    assert "WhatsApp" not in text  # not configured: no empty line
    assert "Senin–Kamis 07.30–16.00, Jumat 07.30–16.30 WIB" in text  # WORKING_HOURS when no hours given
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    (folder / "_kontak.md").write_text("---\ntelepon: 021-5550000\nwhatsapp: 0812-3456-7890\n---\n")
    assert publish(stack, folder) == 0
    say(stack, user, "/kontak")
    text = last(stack, user).text
    assert "Telepon: 021-5550000" in text
    assert "WhatsApp: 0812-3456-7890" in text
    assert "Surel: osdm@instansi.go.id" in text  # the file leaves it out: the deploy's value stays


# ---- items 4 and 15: the unregistered /start, one refusal ---------------------------------------------


def test_unregistered_start_says_register_first_and_the_button_starts_the_guided_daftar(
    stack: LocalStack, employees: None
) -> None:
    user = new_user(stack, "Budi")
    say(stack, user, "/start")
    greeting = last(stack, user)
    assert "Langkah pertama: daftarkan akun Telegram Anda" in greeting.text
    assert "/kontak" in greeting.text
    assert "/lupasandi" in greeting.text
    assert "🏠 Menu Utama" in labels(greeting)
    press(stack, user, greeting, "📝 Daftar sekarang")
    assert "kirim NIP Anda" in last(stack, user).text
    update = say(stack, user, "NIP. 19900117 201503 1 001")
    assert "kata sandi awal" in last(stack, user).text
    secret = say(stack, user, PASSWORD)
    assert deleted(stack, user, secret)
    assert "Selamat datang, Bapak Budi Santoso." in last(stack, user).text
    assert not deleted(stack, user, update)
    say(stack, user, "/start")
    assert "Selamat datang, Bapak Budi Santoso." in last(stack, user).text


@pytest.mark.parametrize("how", ["/datapribadi", "/tunkin", "/cuti", "button:datapribadi", "button:cuti"])
def test_every_personal_service_refuses_the_same_way_with_the_daftar_button(
    stack: LocalStack, employees: None, how: str
) -> None:
    user = new_user(stack)
    if how.startswith("button:"):
        say(stack, user, "/menu")
        menu_message = last(stack, user)
        stack.telegram.press_button(user, user, menu_message.message_id, f"registration:{how[7:]}")
        stack.wait_idle()
    else:
        say(stack, user, how)
    refusal = last(stack, user)
    assert "Anda belum terdaftar di Sinawai" in refusal.text
    assert labels(refusal) == ["📝 Daftar sekarang", "🔑 Lupa kata sandi"]


# ---- item 3: /daftar NIP as printed, in one message ---------------------------------------------------


def test_daftar_in_one_message_with_the_nip_as_printed_on_a_decree(
    stack: LocalStack, employees: None
) -> None:
    user = new_user(stack, "Siti")
    update = say(stack, user, f"/daftar 19920325 201604 2 002 {PASSWORD}")
    assert deleted(stack, user, update)
    text = last(stack, user).text
    assert "Selamat datang, Ibu Siti Rahmawati." in text
    assert "19920325 201604 2 002" in text


def test_daftar_with_full_width_digits_says_to_type_plain_digits(stack: LocalStack, employees: None) -> None:
    user = new_user(stack)
    update = say(stack, user, f"/daftar １９９２０３２５２０１６０４２００２ {PASSWORD}")
    assert deleted(stack, user, update)
    assert "angka biasa 0-9" in last(stack, user).text


# ---- item 2: lupa kata sandi --------------------------------------------------------------------------


def issue_code(stack: LocalStack, staff: int, nip_as_typed: str) -> str:
    say(stack, staff, f"/resetsandi {nip_as_typed}", chat_id=STAFF)
    private = last(stack, staff).text
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b", private)
    assert code is not None, private
    return code.group(1)


def test_lupa_sandi_from_request_to_a_new_password(stack: LocalStack, employees: None) -> None:
    user = new_user(stack, "Budi")
    say(stack, user, "/lupasandi")
    assert "Kirim NIP Anda" in last(stack, user).text
    say(stack, user, "19900117 201503 1 001")
    assert "telah kami teruskan" in last(stack, user).text
    request = last(stack, STAFF).text
    assert "Permintaan atur ulang kata sandi" in request
    assert "1990**********1001" in request
    assert NIP_BUDI not in request

    code = issue_code(stack, RINA, "19900117 201503 1 001")
    group = last(stack, STAFF).text
    assert "dikirim ke percakapan pribadi" in group
    assert code not in group
    assert_secret_nowhere(stack, code, staff_group=STAFF)  # not in the message log, the logs, the group
    issued = "SELECT telegram_user_id FROM audit_log WHERE event = 'password_reset_issued'"
    audit = query(stack.config.database, issued)
    assert [row["telegram_user_id"] for row in audit] == [RINA]

    say(stack, user, "/datapribadi")  # not registered yet
    sent = say(stack, user, f"/daftar {NIP_BUDI} {code.lower()}")
    assert deleted(stack, user, sent)
    assert "Kode diterima" in last(stack, user).text
    new = say(stack, user, NEW_PASSWORD)
    assert deleted(stack, user, new)
    assert "Selamat datang kembali, Bapak Budi Santoso" in last(stack, user).text
    say(stack, user, "/datapribadi")
    assert "Budi Santoso" in last(stack, user).text
    assert "19900117 201503 1 001" in last(stack, user).text

    other = new_user(stack)
    say(stack, other, f"/daftar {NIP_BUDI} {code}")
    assert "sudah dipakai atau sudah kedaluwarsa" in last(stack, other).text


def test_a_new_password_comes_before_personal_data(stack: LocalStack, employees: None) -> None:
    user = new_user(stack)
    code = issue_code(stack, RINA, NIP_SITI)
    say(stack, user, f"/daftar {NIP_SITI} {code}")
    say(stack, user, "/batal")
    say(stack, user, "/cuti")
    assert "buat kata sandi baru terlebih dahulu" in last(stack, user).text
    say(stack, user, "/gantisandi")
    assert "Buat kata sandi baru" in last(stack, user).text
    say(stack, user, NEW_PASSWORD)
    assert "Selamat datang kembali, Ibu Siti Rahmawati" in last(stack, user).text


def test_an_expired_code_is_refused(stack: LocalStack, employees: None) -> None:
    user = new_user(stack)
    code = issue_code(stack, RINA, NIP_SITI)
    past = "UPDATE password_reset SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND"
    query(stack.config.database, past)
    say(stack, user, f"/daftar {NIP_SITI} {code}")
    assert "sudah dipakai atau sudah kedaluwarsa" in last(stack, user).text


def test_resetsandi_is_refused_to_non_staff_outside_the_group_and_without_a_nip(
    stack: LocalStack, employees: None
) -> None:
    budi = new_user(stack, "Budi")
    say(stack, budi, f"/daftar {NIP_BUDI} {PASSWORD}")
    stack.telegram.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA, DEWI, budi])
    say(stack, budi, f"/resetsandi {NIP_SITI}", chat_id=STAFF)  # a registered employee, no staff role
    assert "hanya untuk petugas Biro OSDM (peran staf atau admin)" in last(stack, STAFF).text
    before = query(stack.config.database, "SELECT COUNT(*) AS n FROM password_reset")[0]["n"]
    say(stack, RINA, f"/resetsandi {NIP_SITI}")  # private chat
    assert "digunakan petugas di grup layanan" in last(stack, RINA).text
    say(stack, RINA, "/resetsandi", chat_id=STAFF)
    assert "Format: /resetsandi NIP" in last(stack, STAFF).text
    say(stack, DEWI, f"/resetsandi {NIP_SITI}", chat_id=STAFF)
    assert "tidak diterbitkan" in last(stack, STAFF).text
    assert "Buka percakapan pribadi" in labels(last(stack, STAFF))[0]
    live = "SELECT COUNT(*) AS n FROM password_reset WHERE expires_at > UTC_TIMESTAMP(6)"
    after = query(stack.config.database, live)
    assert after[0]["n"] == 0
    assert before == 0


def test_a_lock_says_when_it_ends_in_words(stack: LocalStack, employees: None) -> None:
    user = new_user(stack)
    for _ in range(3):
        say(stack, user, f"/daftar {NIP_SITI} Salah#123")
    text = last(stack, user).text
    days = "Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu"
    assert re.search(rf"dikunci sampai ({days}), \d+ \w+ \d{{4}} pukul \d\d\.\d\d WIB", text)
    assert "/lupasandi" in text
    assert labels(last(stack, user)) == ["🔑 Lupa kata sandi", "📞 Kontak Biro OSDM"]
