"""Issue 15, staff basics, end to end through the local stack: /bantuan and personal commands in the staff
group, the "👤 Data pegawai" button and /pegawai N, the Ambil button going once a ticket is taken, and /tiket
saying "menunggu" only before the first answer.

Its own stack (database, bucket). Bad inputs tried: /pegawai with letters, with an unknown number, without
a number; a forged Data pegawai button (a ticket number that does not exist, letters, nothing); the button
pressed by a group member who is no registered staff member, and by a staff member who never started
the bot; a forged Ambil button on a taken ticket.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import ChatMessage, RateLimits
from sinawai.platform.db import Database
from sinawai.router.commands import commands_for
from tests.helpers import fresh_database, query

pytestmark = pytest.mark.e2e

STAFF = -1001000000015
BUDI = 5615001  # pegawai, registered
RINA = 5615101  # staff member (staf), started the bot
ANDI = 5615102  # staff member (admin) who never started the bot
DEDI = 5615103  # in the staff group, registered as a plain pegawai
NIP_BUDI = "199001172015031001"
NIP_RINA = "198805052012012003"
NIP_ANDI = "198705052011011004"
NIP_DEDI = "199105052015011005"
QUESTION = "Mohon dicek, berkas usulan saya nomor 4471 sudah sampai di mana?"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("staff-basics-logs")
    with fresh_database("sinawai_e2e_staff_basics") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-staff-basics",
            extra_env={"STAFF_GROUP_MESSAGES_PER_MINUTE": "10000"},
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            emu.add_user(BUDI, "Budi", started=True)
            emu.add_user(RINA, "Rina", started=True)
            emu.add_user(ANDI, "Andi")
            emu.add_user(DEDI, "Dedi", started=True)
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA, ANDI, DEDI])
            yield local


EMPLOYEE_SQL = (
    "INSERT INTO pengguna (nip, nama, status, jabatan, unit_kerja, pangkat, golongan, jenis_asn, id_telegram,"
    " hak_pengguna) VALUES (%s, %s, 'aktif', %s, %s, %s, %s, %s, %s, %s)"
)


@pytest.fixture(autouse=True)
def _employees(stack: LocalStack) -> None:
    db = Database(stack.config.database)
    for table in (
        "staff_outbox",
        "staff_send",
        "ticket_message",
        "ticket_event",
        "ticket",
        "conversation",
        "audit_log",
        "pengguna",
    ):
        db.execute(f"DELETE FROM {table}")
    rows = (
        (
            NIP_BUDI,
            "Budi Santoso",
            "Analis SDM Aparatur",
            "Biro Umum",
            "Penata",
            "III/c",
            "PNS",
            BUDI,
            "pegawai",
        ),
        (NIP_RINA, "Rina Lestari", "Pranata SDM", "Biro OSDM", "Penata Muda", "III/a", "PNS", RINA, "staf"),
        (NIP_ANDI, "Andi Wijaya", "Analis Kepegawaian", "Biro OSDM", "Penata", "III/c", "PNS", ANDI, "admin"),
        (NIP_DEDI, "Dedi Kurnia", "Pengadministrasi", "Biro Umum", None, None, "PPPK", DEDI, "pegawai"),
    )
    for row in rows:
        db.execute(EMPLOYEE_SQL, row)
    db.close()


# ---- helpers ------------------------------------------------------------------------------------------


def say(stack: LocalStack, user: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text, chat_id=chat_id)
    stack.wait_idle()
    return update


def bot_in(stack: LocalStack, chat_id: int) -> list[ChatMessage]:
    return stack.telegram.bot_messages(chat_id)


def last_text(stack: LocalStack, chat_id: int) -> str:
    return bot_in(stack, chat_id)[-1].content


def last_alert(stack: LocalStack) -> str:
    return str(stack.telegram.calls_to("answerCallbackQuery")[-1].params.get("text") or "")


def header_of(stack: LocalStack, ticket_id: int) -> ChatMessage:
    return next(m for m in bot_in(stack, STAFF) if m.content.startswith(f"🎫 Tiket #{ticket_id} "))


def open_ticket(stack: LocalStack, user: int = BUDI) -> int:
    say(stack, user, QUESTION)
    rows = query(stack.config.database, "SELECT id FROM ticket ORDER BY id")
    assert rows, f"no ticket opened; the bot said: {last_text(stack, user)}"
    return int(rows[-1]["id"])


def press(stack: LocalStack, user: int, message_id: int, data: str, *, forged: bool = False) -> None:
    if forged:
        stack.telegram.press_forged_button(user, STAFF, message_id, data)
    else:
        stack.telegram.press_button(user, STAFF, message_id, data)
    stack.wait_idle()


def views(stack: LocalStack) -> list[dict[str, Any]]:
    return query(
        stack.config.database,
        "SELECT telegram_user_id, chat_id, nip, detail FROM audit_log WHERE event = 'staff_viewed_employee'",
    )


# ---- item 1: /bantuan and personal commands in the staff group ---------------------------------------------


def test_bantuan_in_the_staff_group_lists_every_staff_command(stack: LocalStack) -> None:
    say(stack, RINA, "/bantuan", chat_id=STAFF)
    help_text = last_text(stack, STAFF)
    for command in commands_for("staff"):
        assert f"/{command.name} — {command.description}" in help_text
    assert "/pegawai" in help_text
    assert "/datapribadi" not in help_text  # the private chat's commands are not listed here


@pytest.mark.parametrize("command", ["/start", "/datapribadi", "/tunkin", "/cuti", "/tiketsaya", "/menu"])
def test_a_personal_command_in_the_staff_group_points_to_the_private_chat(
    stack: LocalStack, command: str
) -> None:
    before = len(bot_in(stack, STAFF))
    say(stack, RINA, command, chat_id=STAFF)
    answers = bot_in(stack, STAFF)[before:]
    assert len(answers) == 1, [m.content for m in answers]  # said once, briefly
    assert "percakapan pribadi dengan bot" in answers[0].content
    assert command in answers[0].content
    urls = [b.get("url") for row in answers[0].buttons for b in row]
    assert urls
    assert all(str(u).startswith("https://t.me/") for u in urls)


# ---- item 8: the Ambil button goes once taken; /tiket says menunggu or dijawab -----------------------------


def test_ambil_disappears_once_taken_and_tutup_and_data_pegawai_stay(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    header = header_of(stack, ticket_id)
    assert header.callback_data == [
        f"consultation:ambil:{ticket_id}",
        f"consultation:tutup:{ticket_id}",
        f"consultation:pegawai:{ticket_id}",
    ]
    assert "1990**********1001" in header.content  # the header keeps the masked NIP
    assert NIP_BUDI not in header.content
    press(stack, RINA, header.message_id, f"consultation:ambil:{ticket_id}")
    assert header_of(stack, ticket_id).callback_data == [
        f"consultation:tutup:{ticket_id}",
        f"consultation:pegawai:{ticket_id}",
    ]
    # an old client still showing Ambil: refused, nothing changes
    press(stack, ANDI, header.message_id, f"consultation:ambil:{ticket_id}", forged=True)
    assert "sudah diambil oleh Rina" in last_alert(stack)


def test_an_answer_without_ambil_also_removes_ambil(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    header_id = header_of(stack, ticket_id).message_id
    stack.telegram.send_message(
        RINA, "Berkas sudah diverifikasi.", chat_id=STAFF, reply_to_message_id=header_id
    )
    stack.wait_idle()
    assert "Berkas sudah diverifikasi." in last_text(stack, BUDI)
    assert f"consultation:ambil:{ticket_id}" not in header_of(stack, ticket_id).callback_data


def test_tiket_says_menunggu_before_the_first_answer_and_dijawab_after(stack: LocalStack) -> None:
    waiting = open_ticket(stack)
    answered = open_ticket(stack, DEDI)
    assert answered != waiting
    stack.telegram.send_message(
        RINA, "Sudah kami teruskan.", chat_id=STAFF, reply_to_message_id=header_of(stack, answered).message_id
    )
    stack.wait_idle()
    three_hours_ago = "UPDATE ticket SET last_answer_at = UTC_TIMESTAMP(6) - INTERVAL 3 HOUR WHERE id = %s"
    db = Database(stack.config.database)
    db.execute(three_hours_ago, (answered,))
    db.close()
    say(stack, RINA, "/tiket", chat_id=STAFF)
    listing = last_text(stack, STAFF).splitlines()
    waiting_line = next(line for line in listing if line.startswith(f"#{waiting} "))
    answered_line = next(line for line in listing if line.startswith(f"#{answered} "))
    assert "menunggu 0 menit" in waiting_line
    assert "dijawab 3 jam lalu" in answered_line
    assert "menunggu" not in answered_line


# ---- item 2: Data pegawai and /pegawai N -----------------------------------------------------------------


def test_data_pegawai_goes_to_the_pressers_private_chat_and_is_audited(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    group_before = len(bot_in(stack, STAFF))
    press(stack, RINA, header_of(stack, ticket_id).message_id, f"consultation:pegawai:{ticket_id}")
    card = last_text(stack, RINA)
    assert f"Data pegawai tiket #{ticket_id}" in card
    assert "19900117 201503 1 001" in card  # the full NIP, as printed on decrees
    assert "Analis SDM Aparatur" in card
    assert "Penata / III/c" in card
    assert "Biro Umum" in card
    assert "Jenis ASN: PNS" in card
    assert f"#{ticket_id} · Baru" in card  # the employee's open tickets
    assert "dikirim ke percakapan pribadi" in last_alert(stack)
    # nothing personal in the group: no new message at all
    assert len(bot_in(stack, STAFF)) == group_before
    assert all("201503 1 001" not in m.content and NIP_BUDI not in m.content for m in bot_in(stack, STAFF))
    (view,) = views(stack)
    assert view["telegram_user_id"] == RINA
    assert view["chat_id"] == STAFF
    assert view["nip"] == NIP_BUDI
    assert json.loads(view["detail"]) == {"ticket": ticket_id, "by": NIP_RINA}


def test_pegawai_command_sends_the_same_data_privately(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    say(stack, RINA, f"/pegawai {ticket_id}", chat_id=STAFF)
    assert "dikirim ke percakapan pribadi" in last_text(stack, STAFF)
    assert "19900117 201503 1 001" in last_text(stack, RINA)
    assert len(views(stack)) == 1


@pytest.mark.parametrize("bad", ["/pegawai abc", "/pegawai 999999", "/pegawai ١٢", "/pegawai"])
def test_pegawai_with_a_bad_number_changes_nothing(stack: LocalStack, bad: str) -> None:
    open_ticket(stack)
    rina_before = len(bot_in(stack, RINA))
    say(stack, RINA, bad, chat_id=STAFF)
    answer = last_text(stack, STAFF)
    assert "tidak ditemukan" in answer or "Format: /pegawai N" in answer, answer
    assert len(bot_in(stack, RINA)) == rina_before
    assert views(stack) == []


def test_a_member_who_is_no_staff_is_refused_with_a_short_alert(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    dedi_before = len(bot_in(stack, DEDI))
    press(stack, DEDI, header_of(stack, ticket_id).message_id, f"consultation:pegawai:{ticket_id}")
    assert "hanya untuk petugas Biro OSDM" in last_alert(stack)
    say(stack, DEDI, f"/pegawai {ticket_id}", chat_id=STAFF)
    assert "hanya untuk petugas Biro OSDM" in last_text(stack, STAFF)
    assert len(bot_in(stack, DEDI)) == dedi_before
    assert views(stack) == []


def test_a_staff_member_who_never_started_the_bot_is_told_how(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    press(stack, ANDI, header_of(stack, ticket_id).message_id, f"consultation:pegawai:{ticket_id}")
    assert "belum memulai percakapan pribadi" in last_alert(stack)
    told = bot_in(stack, STAFF)[-1]
    assert "Andi Wijaya" in told.content
    assert "tekan Mulai" in told.content
    assert str(next(b.get("url") for row in told.buttons for b in row)).startswith("https://t.me/")
    assert NIP_BUDI not in told.content
    assert "201503 1 001" not in told.content
    assert views(stack) == []


def test_a_forged_data_pegawai_button_reveals_nothing(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    header = header_of(stack, ticket_id)
    rina_before = len(bot_in(stack, RINA))
    for data in ("consultation:pegawai:999999", "consultation:pegawai:abc", "consultation:pegawai:"):
        press(stack, RINA, header.message_id, data, forged=True)
        assert "tidak ditemukan" in last_alert(stack), data
    assert len(bot_in(stack, RINA)) == rina_before
    assert views(stack) == []
