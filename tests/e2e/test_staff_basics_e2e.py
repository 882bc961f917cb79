"""Issue 15, staff basics, end to end through the local stack: /bantuan and personal commands in the staff
group, the "👤 Data pegawai" button and /pegawai N, the Ambil button going once a ticket is taken, and /tiket
saying "menunggu" only before the first answer.

Its own stack (database, bucket). Bad inputs tried: /pegawai with letters, with an unknown number, without
a number; a forged Data pegawai button (a ticket number that does not exist, letters, nothing); the button
pressed by a group member who is no registered staff member, and by a staff member who never started
the bot; a forged Ambil button on a taken ticket; /blokir by a staff member who is no admin, with letters,
an unknown ticket, 0, 721 or a word for the hours, without a number; /bukablokir of a sender not blocked;
/umumkan ubah with letters, an unknown number, no text, a withdrawn announcement; forged Ubah/Tarik
buttons (letters, unknown number, pressed in a private chat); Ya, tarik pressed twice; Siarkan after Tarik.
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
TAMU = 5615201  # not registered: asks as a guest
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
            emu.add_user(TAMU, "Tamu", started=True)
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
        "sender_block",
        "announcement_delivery",
        "announcement",
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
        f"consultation:jsp:{ticket_id}",
    ]
    assert "1990**********1001" in header.content  # the header keeps the masked NIP
    assert NIP_BUDI not in header.content
    press(stack, RINA, header.message_id, f"consultation:ambil:{ticket_id}")
    assert header_of(stack, ticket_id).callback_data == [
        f"consultation:tutup:{ticket_id}",
        f"consultation:pegawai:{ticket_id}",
        f"consultation:jsp:{ticket_id}",
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


# ---- item 8: /blokir N [jam], /bukablokir N ----------------------------------------------------------------


def blocks_of(stack: LocalStack) -> list[dict[str, Any]]:
    return query(
        stack.config.database,
        "SELECT nip, guest_telegram_id, ticket_id, blocked_by, lifted_at,"
        " TIMESTAMPDIFF(HOUR, blocked_at, until_at) AS hours FROM sender_block ORDER BY id",
    )


def audits(stack: LocalStack, event: str) -> list[dict[str, Any]]:
    return query(
        stack.config.database,
        "SELECT telegram_user_id, nip, detail FROM audit_log WHERE event = %s ORDER BY id",
        (event,),
    )


def test_an_admin_blocks_a_sender_who_is_told_once_then_unblocks(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    say(stack, ANDI, f"/blokir {ticket_id} 48", chat_id=STAFF)
    told = last_text(stack, STAFF)
    assert f"Pengirim tiket #{ticket_id} (Budi Santoso) tidak dapat membuka atau menambah tiket" in told
    assert f"/bukablokir {ticket_id}" in told
    assert NIP_BUDI not in told
    (block,) = blocks_of(stack)
    assert block["nip"] == NIP_BUDI
    assert block["hours"] == 48
    assert block["blocked_by"] == ANDI
    (audit,) = audits(stack, "sender_blocked")
    assert audit["telegram_user_id"] == ANDI
    assert audit["nip"] == NIP_BUDI
    assert json.loads(audit["detail"])["hours"] == 48

    group_before = len(bot_in(stack, STAFF))
    messages_before = query(stack.config.database, "SELECT COUNT(*) AS n FROM ticket_message")[0]["n"]
    say(stack, BUDI, "Mohon segera dijawab, ini sudah lama sekali.")
    notice = last_text(stack, BUDI)
    assert "belum dapat mengirim pertanyaan" in notice
    assert "/kontak" in notice
    budi_after_notice = len(bot_in(stack, BUDI))
    say(stack, BUDI, "Halo? Ada petugas?")
    assert len(bot_in(stack, BUDI)) == budi_after_notice  # told once, not on every message
    assert len(bot_in(stack, STAFF)) == group_before  # nothing reached the staff group
    assert query(stack.config.database, "SELECT COUNT(*) AS n FROM ticket_message")[0]["n"] == messages_before
    assert len(query(stack.config.database, "SELECT id FROM ticket")) == 1

    say(stack, ANDI, f"/bukablokir {ticket_id}", chat_id=STAFF)
    assert "dapat kembali mengirim pertanyaan" in last_text(stack, STAFF)
    assert blocks_of(stack)[0]["lifted_at"] is not None
    assert len(audits(stack, "sender_unblocked")) == 1
    say(stack, BUDI, "Maaf, saya ingin menambahkan nomor berkas 4471-B.")
    prompt = bot_in(stack, BUDI)[-1]
    assert "Anda masih memiliki" in prompt.content  # asked where it goes, as for anyone not blocked
    stack.telegram.press_button(BUDI, BUDI, prompt.message_id, prompt.callback_data[0])
    stack.wait_idle()
    assert f"ditambahkan ke tiket #{ticket_id}" in last_text(stack, BUDI)
    assert any("4471-B" in m.content for m in bot_in(stack, STAFF)[group_before:])


def test_a_choice_offered_before_the_block_adds_nothing_during_it(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    say(stack, BUDI, "Tambahan: berkas saya nomor 4471-C.")
    prompt = bot_in(stack, BUDI)[-1]
    assert "Anda masih memiliki" in prompt.content
    say(stack, ANDI, f"/blokir {ticket_id} 2", chat_id=STAFF)
    group_before = len(bot_in(stack, STAFF))
    stack.telegram.press_button(BUDI, BUDI, prompt.message_id, prompt.callback_data[0])
    stack.wait_idle()
    assert "belum dapat mengirim pertanyaan" in last_text(stack, BUDI)
    assert len(bot_in(stack, STAFF)) == group_before


def test_blokir_without_hours_lasts_24_hours_and_blocks_a_guest_by_account(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack, TAMU)
    say(stack, ANDI, f"/blokir #{ticket_id}", chat_id=STAFF)
    assert "tamu" in last_text(stack, STAFF)
    (block,) = blocks_of(stack)
    assert block["hours"] == 24
    assert block["nip"] is None
    assert block["guest_telegram_id"] == TAMU
    say(stack, TAMU, "Pertanyaan lain: bagaimana cara mendaftar?")
    assert "belum dapat mengirim pertanyaan" in last_text(stack, TAMU)
    assert len(query(stack.config.database, "SELECT id FROM ticket")) == 1
    # another sender is not affected
    open_ticket(stack, BUDI)
    assert len(query(stack.config.database, "SELECT id FROM ticket")) == 2


@pytest.mark.parametrize(
    ("user", "args", "expected"),
    [
        (RINA, "{id}", "hanya dapat dilakukan oleh admin Sinawai"),
        (DEDI, "{id} 5", "hanya dapat dilakukan oleh admin Sinawai"),
        (ANDI, "abc", "tidak ditemukan"),
        (ANDI, "999999", "tidak ditemukan"),
        (ANDI, "{id} 0", "Format: /blokir N"),
        (ANDI, "{id} 721", "Format: /blokir N"),
        (ANDI, "{id} dua", "Format: /blokir N"),
        (ANDI, "{id} 5 jam", "Format: /blokir N"),
        (ANDI, "", "Format: /blokir N"),
    ],
)
def test_bad_blokir_is_refused_and_blocks_nobody(
    stack: LocalStack, user: int, args: str, expected: str
) -> None:
    ticket_id = open_ticket(stack)
    say(stack, user, f"/blokir {args.format(id=ticket_id)}".strip(), chat_id=STAFF)
    assert expected in html_unescaped(last_text(stack, STAFF))
    assert blocks_of(stack) == []
    assert audits(stack, "sender_blocked") == []
    say(stack, BUDI, "Tambahan: lampiran sudah saya kirim lewat surel.")
    assert "belum dapat mengirim pertanyaan" not in last_text(stack, BUDI)


def test_bukablokir_of_a_sender_not_blocked_or_by_a_non_admin_changes_nothing(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    say(stack, ANDI, f"/bukablokir {ticket_id}", chat_id=STAFF)
    assert "sedang tidak diblokir" in last_text(stack, STAFF)
    say(stack, ANDI, f"/blokir {ticket_id}", chat_id=STAFF)
    say(stack, RINA, f"/bukablokir {ticket_id}", chat_id=STAFF)
    assert "hanya dapat dilakukan oleh admin Sinawai" in last_text(stack, STAFF)
    assert blocks_of(stack)[0]["lifted_at"] is None
    assert audits(stack, "sender_unblocked") == []


def message_in(stack: LocalStack, message_id: int) -> ChatMessage:
    return next(m for m in bot_in(stack, STAFF) if m.message_id == message_id)


def html_unescaped(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# ---- item 8: announcements listed, edited, withdrawn -------------------------------------------------------


def announce(stack: LocalStack, text: str) -> int:
    say(stack, RINA, f"/umumkan {text}", chat_id=STAFF)
    return int(query(stack.config.database, "SELECT MAX(id) AS id FROM announcement")[0]["id"])


def terkini(stack: LocalStack) -> str:
    say(stack, BUDI, "/terkini")
    return last_text(stack, BUDI)


def test_umumkan_without_text_lists_recent_announcements_with_ubah_and_tarik(stack: LocalStack) -> None:
    first = announce(stack, "Apel pagi hari Senin pukul 07.30 di halaman kantor.")
    second = announce(stack, "Batas unggah SKP triwulan III: 10 Oktober.")
    say(stack, RINA, "/umumkan", chat_id=STAFF)
    listing = bot_in(stack, STAFF)[-1]
    assert f"#{second}" in listing.content
    assert f"#{first}" in listing.content
    assert listing.content.index(f"#{second}") < listing.content.index(f"#{first}")  # newest first
    assert "oleh Rina Lestari" in listing.content  # the registered name
    assert "/umumkan ubah N TEKS BARU" in listing.content
    assert listing.callback_data == [
        f"information:ubah:{second}",
        f"information:tarik:{second}",
        f"information:ubah:{first}",
        f"information:tarik:{first}",
    ]
    labels = [b["text"] for row in listing.buttons for b in row]
    assert labels == [f"✏️ Ubah #{second}", f"🗑 Tarik #{second}", f"✏️ Ubah #{first}", f"🗑 Tarik #{first}"]


def test_ubah_edits_what_terkini_shows_and_is_audited(stack: LocalStack) -> None:
    item = announce(stack, "Apel pagi hari Senin pukul 07.30 di halaman kantor.")
    say(stack, RINA, "/umumkan", chat_id=STAFF)
    listing = bot_in(stack, STAFF)[-1]
    press(stack, RINA, listing.message_id, f"information:ubah:{item}")
    how = last_text(stack, STAFF)
    assert f"/umumkan ubah {item} TEKS BARU" in how
    assert "Apel pagi hari Senin pukul 07.30" in how
    say(stack, RINA, f"/umumkan ubah {item} Apel pagi hari Senin diundur ke pukul 08.00.", chat_id=STAFF)
    assert f"Pengumuman #{item} diubah" in last_text(stack, STAFF)
    shown = terkini(stack)
    assert "diundur ke pukul 08.00" in shown
    assert "pukul 07.30" not in shown
    (audit,) = audits(stack, "announcement_edited")
    assert json.loads(audit["detail"]) == {"announcement": item, "by": "Rina Lestari"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("ubah abc Teks baru", "Format: /umumkan ubah N TEKS BARU"),
        ("ubah {id}", "Format: /umumkan ubah N TEKS BARU"),
        ("ubah", "Format: /umumkan ubah N TEKS BARU"),
        ("ubah ١ Teks baru", "Format: /umumkan ubah N TEKS BARU"),
        ("ubah 999999 Teks baru", "tidak ditemukan atau sudah ditarik"),
    ],
)
def test_a_bad_ubah_changes_nothing(stack: LocalStack, args: str, expected: str) -> None:
    item = announce(stack, "Apel pagi hari Senin pukul 07.30 di halaman kantor.")
    count = len(query(stack.config.database, "SELECT id FROM announcement"))
    say(stack, RINA, f"/umumkan {args.format(id=item)}", chat_id=STAFF)
    assert expected in last_text(stack, STAFF)
    rows = query(stack.config.database, "SELECT body, edited_at FROM announcement")
    assert len(rows) == count  # nothing announced either
    assert rows[0]["body"] == "Apel pagi hari Senin pukul 07.30 di halaman kantor."
    assert rows[0]["edited_at"] is None


def test_tarik_asks_first_then_withdraws_from_terkini_audited(stack: LocalStack) -> None:
    kept = announce(stack, "Batas unggah SKP triwulan III: 10 Oktober.")
    gone = announce(stack, "Apel pagi hari Senin pukul 07.30 di halaman kantor.")
    say(stack, RINA, "/umumkan", chat_id=STAFF)
    listing = bot_in(stack, STAFF)[-1]
    press(stack, RINA, listing.message_id, f"information:tarik:{gone}")
    confirm = bot_in(stack, STAFF)[-1]
    assert f"Tarik pengumuman #{gone} dari /terkini?" in confirm.content
    assert confirm.callback_data == [f"information:tarikya:{gone}", f"information:tarikbatal:{gone}"]
    # Batal: nothing changes
    press(stack, RINA, confirm.message_id, f"information:tarikbatal:{gone}")
    assert "dibatalkan" in message_in(stack, confirm.message_id).content
    assert message_in(stack, confirm.message_id).callback_data == []
    assert "Apel pagi" in terkini(stack)
    # Ya, tarik
    press(stack, RINA, listing.message_id, f"information:tarik:{gone}")
    confirm = bot_in(stack, STAFF)[-1]
    press(stack, ANDI, confirm.message_id, f"information:tarikya:{gone}")
    assert any(
        f"Pengumuman #{gone} ditarik dari /terkini oleh Andi Wijaya" in m.content
        for m in bot_in(stack, STAFF)
    )
    shown = terkini(stack)
    assert "Apel pagi" not in shown
    assert "Batas unggah SKP" in shown
    (audit,) = audits(stack, "announcement_withdrawn")
    assert audit["telegram_user_id"] == ANDI
    assert json.loads(audit["detail"]) == {"announcement": gone, "by": "Andi Wijaya"}
    # pressed again (an old message): refused, audited once
    press(stack, RINA, confirm.message_id, f"information:tarikya:{gone}", forged=True)
    assert "sudah ditarik" in last_alert(stack)
    assert len(audits(stack, "announcement_withdrawn")) == 1
    # the list no longer offers it; editing it is refused
    say(stack, RINA, "/umumkan", chat_id=STAFF)
    assert f"information:tarik:{gone}" not in bot_in(stack, STAFF)[-1].callback_data
    assert f"information:tarik:{kept}" in bot_in(stack, STAFF)[-1].callback_data
    say(stack, RINA, f"/umumkan ubah {gone} Teks baru.", chat_id=STAFF)
    assert "tidak ditemukan atau sudah ditarik" in last_text(stack, STAFF)
    # its broadcast button no longer broadcasts
    posted = next(m for m in bot_in(stack, STAFF) if f"information:siar:{gone}" in m.callback_data)
    press(stack, RINA, posted.message_id, f"information:siar:{gone}")
    assert "sudah ditarik" in last_alert(stack)
    assert query(stack.config.database, "SELECT chat_id FROM announcement_delivery") == []


def test_forged_ubah_and_tarik_buttons_change_nothing(stack: LocalStack) -> None:
    item = announce(stack, "Apel pagi hari Senin pukul 07.30 di halaman kantor.")
    say(stack, RINA, "/umumkan", chat_id=STAFF)
    listing = bot_in(stack, STAFF)[-1]
    for data in (
        "information:tarik:abc",
        "information:ubah:999999",
        "information:tarikya:",
        "information:tarikya:٣",
    ):
        press(stack, RINA, listing.message_id, data, forged=True)
        assert "tidak ditemukan atau sudah ditarik" in last_alert(stack), data
    # pressed in a private chat
    say(stack, BUDI, "/terkini")
    stack.telegram.press_forged_button(
        BUDI, BUDI, bot_in(stack, BUDI)[-1].message_id, f"information:tarikya:{item}"
    )
    stack.wait_idle()
    assert "hanya dapat digunakan oleh petugas" in last_alert(stack)
    assert query(stack.config.database, "SELECT withdrawn_at FROM announcement")[0]["withdrawn_at"] is None
    assert audits(stack, "announcement_withdrawn") == []
