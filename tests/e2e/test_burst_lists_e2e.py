"""A morning burst into the staff group, end to end (issue 16, item 3): while the group's backlog is long,
new tickets go as compact list messages; Ambil on a list posts the full ticket as a reply to it.

Its own stack, the emulator's group limit on but scaled (20 messages per 5 s instead of per 60 s) and the
pacing scaled the same way; CONSULTATION_BURST_THRESHOLD=6 posts waiting for the group.
The posts go through the outbox, the SQS FIFO queue in moto and the DeliveryFunction, as in AWS.

Bad inputs tried: questions with emoji, ``<`` and ``&`` and HTML-looking tags, MarkdownV2 characters, a
first line of 900 characters, a photo whose caption starts with an empty line, a photo without caption; a
reply to the list message itself; Ambil pressed on a ticket someone else took (an old client still showing
the button); the second Ambil of the same staff member; a note and a hand-over of a ticket taken from a list.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import ChatMessage, RateLimits
from sinawai.common.text_limits import utf16_len
from sinawai.platform.db import Database
from tests.helpers import fresh_database, query

pytestmark = pytest.mark.e2e

STAFF = -1001000000016
RINA = 5616101  # staf, started the bot
ANDI = 5616102  # admin
GROUP_MESSAGES, GROUP_WINDOW = 20, 5.0
THRESHOLD = 6
EARLY = [5616300 + n for n in range(3)]  # below the threshold
BURST = [5616400 + n for n in range(30)]
ODD = [5616500 + n for n in range(7)]
AFTER = 5616600
LONG_LINE = "Mohon penjelasan " + "tentang tunjangan kinerja yang belum dibayarkan " * 20
ODD_TEXTS = {
    ODD[0]: "🙏🏽 Bagaimana cara mengajukan cuti melahirkan? 👶🏻\nTerima kasih",
    ODD[1]: "Apakah gaji < 5 juta & tunjangan <b>tetap</b> dipotong?",
    ODD[2]: "*Penting* _cuti_ `kode` [tautan](x) ~coret~ || \\ ! .",
    ODD[3]: LONG_LINE,
    ODD[4]: "   \n\n  Baris pertama kosong, ini baris kedua",
}
PHOTO_WITH_CAPTION, PHOTO_ALONE = ODD[5], ODD[6]
CAPTION = "\nKeterangan foto di baris kedua"
HEADER = re.compile(r"^🎫 Tiket #(\d+) ")
LIST_LINE = re.compile(r"^(?:✅ )?#(\d+) · ", re.MULTILINE)
EMPLOYEE_SQL = (
    "INSERT INTO pengguna (nip, nama, status, unit_kerja, id_telegram, hak_pengguna)"
    " VALUES (%s, %s, 'aktif', 'Biro Umum', %s, %s)"
)


def _nip(user: int) -> str:
    return f"19900101201503{user % 10000:04d}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("burst-logs")
    with fresh_database("sinawai_e2e_burst") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-burst",
            extra_env={
                "STAFF_GROUP_MESSAGES_PER_MINUTE": str(GROUP_MESSAGES),
                "STAFF_GROUP_WINDOW_SECONDS": str(GROUP_WINDOW),
                "CONSULTATION_BURST_THRESHOLD": str(THRESHOLD),
                "CONSULTATION_RATE_LIMIT_MESSAGES": "10",
            },
            telegram_rate_limits=RateLimits(
                global_per_second=None,
                group_messages=GROUP_MESSAGES,
                group_window=GROUP_WINDOW,
                private_burst=None,
            ),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            db = Database(database)
            emu.add_user(RINA, "Rina", started=True)
            emu.add_user(ANDI, "Andi", started=True)
            db.execute(EMPLOYEE_SQL, (_nip(RINA), "Rina Lestari", RINA, "staf"))
            db.execute(EMPLOYEE_SQL, (_nip(ANDI), "Andi Wijaya", ANDI, "admin"))
            for user in [*EARLY, *BURST, *ODD, AFTER]:
                emu.add_user(user, f"Pegawai {user}", started=True)
                db.execute(EMPLOYEE_SQL, (_nip(user), f"Pegawai {user}", user, "pegawai"))
            db.close()
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA, ANDI])
            yield local


# ---- helpers ------------------------------------------------------------------------------------------


def staff_posts(stack: LocalStack) -> list[ChatMessage]:
    return stack.telegram.bot_messages(STAFF)


def lists(stack: LocalStack) -> list[ChatMessage]:
    return [m for m in staff_posts(stack) if m.content.startswith("📋")]


def headers(stack: LocalStack) -> dict[int, ChatMessage]:
    return {int(h[1]): m for m in staff_posts(stack) if (h := HEADER.match(m.content))}


def ticket_of(stack: LocalStack, user: int) -> int:
    rows = query(stack.config.database, "SELECT id FROM ticket WHERE nip = %s ORDER BY id", (_nip(user),))
    assert rows, f"no ticket for {user}"
    return int(rows[-1]["id"])


def list_with(stack: LocalStack, ticket_id: int) -> ChatMessage:
    return next(m for m in lists(stack) if ticket_id in [int(x) for x in LIST_LINE.findall(m.content)])


def line_of(message: ChatMessage, ticket_id: int) -> str:
    return next(x for x in message.content.splitlines() if re.match(rf"^(✅ )?#{ticket_id} · ", x))


def pending(stack: LocalStack) -> int:
    rows = query(stack.config.database, "SELECT COUNT(*) AS n FROM staff_outbox WHERE status = 'pending'")
    return int(rows[0]["n"])


def last_alert(stack: LocalStack) -> str:
    return str(stack.telegram.calls_to("answerCallbackQuery")[-1].params.get("text") or "")


def press(stack: LocalStack, user: int, message_id: int, data: str, *, forged: bool = False) -> None:
    if forged:
        stack.telegram.press_forged_button(user, STAFF, message_id, data)
    else:
        stack.telegram.press_button(user, STAFF, message_id, data)
    stack.wait_idle(timeout=60)


# ---- the tests (in order: one burst, then what the staff do with it) -----------------------------------


def test_below_the_threshold_each_ticket_gets_its_header_and_copy(stack: LocalStack) -> None:
    for n, user in enumerate(EARLY):
        stack.telegram.send_message(user, f"Pertanyaan awal {n}")
    stack.wait_idle(timeout=60)
    assert lists(stack) == []
    texts = [m.content for m in staff_posts(stack)]
    for n, user in enumerate(EARLY):
        header = headers(stack)[ticket_of(stack, user)]
        copy = next(m for m in staff_posts(stack) if m.content == f"Pertanyaan awal {n}")
        assert copy.reply_to_message_id == header.message_id
    assert len(texts) == 2 * len(EARLY)


def test_a_burst_goes_out_as_lists_and_every_ticket_appears_exactly_once(stack: LocalStack) -> None:
    emu = stack.telegram
    started = time.monotonic()
    for n, user in enumerate(BURST):
        emu.send_message(user, f"Pertanyaan pagi nomor {n}")
    # The odd questions come once the burst went over the threshold, while the backlog is still long (the
    # group's window is 5 s): they go in a list.
    deadline = time.monotonic() + 30
    while not query(stack.config.database, "SELECT id FROM staff_outbox WHERE kind = 'list' LIMIT 1"):
        assert time.monotonic() < deadline, "the burst never built a backlog"
        time.sleep(0.02)
    for user, text in ODD_TEXTS.items():
        emu.send_message(user, text)
    emu.send_photo(PHOTO_WITH_CAPTION, caption=CAPTION)
    emu.send_photo(PHOTO_ALONE)
    stack.wait_idle(timeout=120)
    assert time.monotonic() - started < 60

    db = stack.config.database
    assert pending(stack) == 0
    ticket_ids = [int(r["id"]) for r in query(db, "SELECT id FROM ticket ORDER BY id")]
    assert len(ticket_ids) == len(EARLY) + len(BURST) + len(ODD)
    shown: list[int] = list(headers(stack))
    for message in lists(stack):
        ids = [int(x) for x in LIST_LINE.findall(message.content)]
        shown += ids
        # one "Ambil #N" per ticket of the list, in the list's order
        assert message.callback_data == [f"consultation:ambil:{i}" for i in ids]
        assert [b["text"] for row in message.buttons for b in row] == [f"Ambil #{i}" for i in ids]
        assert utf16_len(message.content) <= 4096
        assert message.content.startswith("📋 Daftar ringkas pertanyaan baru")
    assert sorted(shown) == ticket_ids  # every ticket exactly once: a header or a line of a list
    listed = [i for i in ticket_ids if i not in headers(stack)]
    assert len(listed) >= len(ODD)
    # far fewer posts than a header and a copy per ticket
    assert 1 <= len(lists(stack)) <= 4
    assert len(staff_posts(stack)) == 2 * len(headers(stack)) + len(lists(stack))
    # nothing went over the group's limit: the delivery kept Telegram's pace
    calls = [
        c for c in emu.calls if c.method in ("sendMessage", "copyMessage") and c.params["chat_id"] == STAFF
    ]
    assert [c for c in calls if c.error_code == 429] == []
    entries = query(db, "SELECT COUNT(*) AS n, COUNT(DISTINCT ticket_id) AS d FROM staff_list_entry")
    assert entries == [{"n": len(listed), "d": len(listed)}]

    # the odd questions, each on one line, as written (escaped right, cut to fit)
    for user in ODD:
        assert ticket_of(stack, user) in listed
    assert line_of(list_with(stack, ticket_of(stack, ODD[0])), ticket_of(stack, ODD[0])).endswith(
        "Umum · 🙏🏽 Bagaimana cara mengajukan cuti melahirkan? 👶🏻"
    )
    assert line_of(list_with(stack, ticket_of(stack, ODD[1])), ticket_of(stack, ODD[1])).endswith(
        "· Apakah gaji < 5 juta & tunjangan <b>tetap</b> dipotong?"
    )
    assert line_of(list_with(stack, ticket_of(stack, ODD[2])), ticket_of(stack, ODD[2])).endswith(
        "· *Penting* _cuti_ `kode` [tautan](x) ~coret~ || \\ ! ."
    )
    long_line = line_of(list_with(stack, ticket_of(stack, ODD[3])), ticket_of(stack, ODD[3]))
    assert long_line.endswith("…")
    assert long_line.split(" · ", 2)[2].startswith("Mohon penjelasan tentang tunjangan")
    assert utf16_len(long_line.split(" · ", 2)[2]) == 80
    assert line_of(list_with(stack, ticket_of(stack, ODD[4])), ticket_of(stack, ODD[4])).endswith(
        "· Baris pertama kosong, ini baris kedua"
    )
    photo = ticket_of(stack, PHOTO_WITH_CAPTION)
    assert line_of(list_with(stack, photo), photo).endswith("· Keterangan foto di baris kedua")
    alone = ticket_of(stack, PHOTO_ALONE)
    assert line_of(list_with(stack, alone), alone).endswith("· (foto tanpa keterangan)")


def test_ambil_from_a_list_posts_the_full_ticket_and_replies_reach_the_employee(stack: LocalStack) -> None:
    emu = stack.telegram
    user = ODD[1]
    ticket_id = ticket_of(stack, user)
    listing = list_with(stack, ticket_id)
    others = [d for d in listing.callback_data if d != f"consultation:ambil:{ticket_id}"]
    press(stack, RINA, listing.message_id, f"consultation:ambil:{ticket_id}")
    assert "Pertanyaan lengkapnya segera dikirim di grup sebagai balasan daftar" in last_alert(stack)

    # the list: the line struck through with who took it, its button gone, the others kept
    listing = list_with(stack, ticket_id)
    line = line_of(listing, ticket_id)
    assert line.startswith(f"✅ #{ticket_id} · Umum · ")
    assert line.endswith(" · diambil Rina Lestari")
    assert any(e["type"] == "strikethrough" for e in listing.entities)
    assert listing.callback_data == others

    # the full ticket: its header replies to the list, the question copied under it
    header = headers(stack)[ticket_id]
    assert header.reply_to_message_id == listing.message_id
    assert "Pegawai 5616501" in header.content
    assert header.callback_data == [
        f"consultation:tutup:{ticket_id}",
        f"consultation:pegawai:{ticket_id}",
        f"consultation:jsp:{ticket_id}",
    ]
    copy = next(m for m in staff_posts(stack) if m.reply_to_message_id == header.message_id)
    assert copy.content == ODD_TEXTS[user]

    # Andi's client still shows the button: refused, no second header, the list unchanged
    edits_before = len(emu.calls_to("editMessageText"))
    press(stack, ANDI, listing.message_id, f"consultation:ambil:{ticket_id}", forged=True)
    assert "sudah diambil oleh Rina Lestari" in last_alert(stack)
    press(stack, RINA, listing.message_id, f"consultation:ambil:{ticket_id}", forged=True)
    assert f"Tiket #{ticket_id} sudah" in last_alert(stack)
    assert [m for m in staff_posts(stack) if m.content.startswith(f"🎫 Tiket #{ticket_id} ")] == [header]
    assert len(emu.calls_to("editMessageText")) == edits_before
    # a reply to the copy is the answer, as for any ticket
    emu.send_message(RINA, "Tidak dipotong, Bapak.", chat_id=STAFF, reply_to_message_id=copy.message_id)
    stack.wait_idle(timeout=60)
    assert "Tidak dipotong, Bapak." in emu.bot_messages(user)[-1].content
    rows = query(
        stack.config.database, "SELECT status, assigned_staff_name FROM ticket WHERE id = %s", (ticket_id,)
    )
    assert rows == [{"status": "dijawab", "assigned_staff_name": "Rina Lestari"}]

    # never an edit Telegram refused (no "message is not modified")
    assert [c.description for c in emu.calls_to("editMessageText") if not c.ok] == []


def test_a_photo_taken_from_a_list_comes_whole_and_tutup_works(stack: LocalStack) -> None:
    emu = stack.telegram
    ticket_id = ticket_of(stack, PHOTO_WITH_CAPTION)
    listing = list_with(stack, ticket_id)
    press(stack, ANDI, listing.message_id, f"consultation:ambil:{ticket_id}")
    header = headers(stack)[ticket_id]
    copy = next(m for m in staff_posts(stack) if m.reply_to_message_id == header.message_id)
    assert copy.photo
    assert copy.caption is not None
    assert copy.caption.strip() == CAPTION.strip()
    press(stack, ANDI, header.message_id, f"consultation:tutup:{ticket_id}")
    rows = query(stack.config.database, "SELECT status FROM ticket WHERE id = %s", (ticket_id,))
    assert rows == [{"status": "selesai"}]
    line = line_of(list_with(stack, ticket_id), ticket_id)
    assert line.endswith(" · diambil Andi Wijaya")
    assert any("ditutup" in m.content or "selesai" in m.content for m in emu.bot_messages(PHOTO_WITH_CAPTION))
    assert [c.description for c in emu.calls_to("editMessageText") if not c.ok] == []


def test_a_reply_to_the_list_itself_says_what_to_do(stack: LocalStack) -> None:
    emu = stack.telegram
    listing = lists(stack)[0]
    answered_before = query(
        stack.config.database, "SELECT COUNT(*) AS n FROM ticket_message WHERE kind = 'answer'"
    )
    emu.send_message(RINA, "Sudah saya cek semua.", chat_id=STAFF, reply_to_message_id=listing.message_id)
    stack.wait_idle(timeout=60)
    assert staff_posts(stack)[-1].content.startswith("Pesan ini daftar beberapa tiket")
    after = query(stack.config.database, "SELECT COUNT(*) AS n FROM ticket_message WHERE kind = 'answer'")
    assert after == answered_before  # relayed to nobody


def test_once_the_backlog_clears_a_ticket_gets_its_header_again(stack: LocalStack) -> None:
    assert pending(stack) == 0
    count = len(lists(stack))
    stack.telegram.send_message(AFTER, "Pertanyaan setelah ramai")
    stack.wait_idle(timeout=60)
    ticket_id = ticket_of(stack, AFTER)
    header = headers(stack)[ticket_id]
    copy = staff_posts(stack)[-1]
    assert copy.content == "Pertanyaan setelah ramai"
    assert copy.reply_to_message_id == header.message_id
    assert len(lists(stack)) == count


def test_a_note_and_a_hand_over_work_for_a_ticket_taken_from_a_list(stack: LocalStack) -> None:
    emu = stack.telegram
    user = ODD[0]
    ticket_id = ticket_of(stack, user)
    listing = list_with(stack, ticket_id)
    press(stack, RINA, listing.message_id, f"consultation:ambil:{ticket_id}")
    header = headers(stack)[ticket_id]
    copy = next(m for m in staff_posts(stack) if m.reply_to_message_id == header.message_id)
    seen_by_employee = len(emu.bot_messages(user))

    # "!" before a reply: an internal note, never sent to the employee
    emu.send_message(RINA, "!cek slip gaji bulan lalu", chat_id=STAFF, reply_to_message_id=copy.message_id)
    stack.wait_idle(timeout=60)
    assert staff_posts(stack)[-1].content.startswith(f"✍ Catatan internal disimpan pada tiket #{ticket_id};")
    assert len(emu.bot_messages(user)) == seen_by_employee

    # handed over to Andi: the list says who has it now
    emu.send_message(RINA, f"/alihkan {ticket_id}", chat_id=STAFF)
    stack.wait_idle(timeout=60)
    choices = staff_posts(stack)[-1]
    (to_andi,) = [
        b["callback_data"]
        for row in choices.buttons
        for b in row
        if "Andi" in b["text"]
        and str(b.get("callback_data", "")).startswith(f"consultation:alih:{ticket_id}:")
    ]
    press(stack, RINA, choices.message_id, to_andi)
    assert line_of(list_with(stack, ticket_id), ticket_id).endswith(" · diambil Andi Wijaya")
    assert [c.description for c in emu.calls_to("editMessageText") if not c.ok] == []


# ---- a forum staff group with one topic per area (CONSULTATION_FORUM_TOPICS=area) ----------------------

FORUM = -1001000000116
FORUM_STAFF = 5616701
FORUM_BURST = [5616800 + n for n in range(24)]


@pytest.fixture(scope="module")
def forum_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("burst-forum-logs")
    with fresh_database("sinawai_e2e_burst_forum") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=FORUM,
            bucket="sinawai-e2e-burst-forum",
            extra_env={
                "STAFF_GROUP_MESSAGES_PER_MINUTE": str(GROUP_MESSAGES),
                "STAFF_GROUP_WINDOW_SECONDS": str(GROUP_WINDOW),
                "CONSULTATION_BURST_THRESHOLD": "2",
                "CONSULTATION_FORUM_TOPICS": "area",
            },
            telegram_rate_limits=RateLimits(
                global_per_second=None,
                group_messages=GROUP_MESSAGES,
                group_window=GROUP_WINDOW,
                private_burst=None,
            ),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            db = Database(database)
            emu.add_user(FORUM_STAFF, "Rina", started=True)
            db.execute(EMPLOYEE_SQL, (_nip(FORUM_STAFF), "Rina Lestari", FORUM_STAFF, "staf"))
            for user in FORUM_BURST:
                emu.add_user(user, f"Pegawai {user}", started=True)
                db.execute(EMPLOYEE_SQL, (_nip(user), f"Pegawai {user}", user, "pegawai"))
            db.close()
            emu.add_group(FORUM, "Layanan Kepegawaian OSDM", members=[FORUM_STAFF], forum=True)
            yield local


def test_in_an_area_forum_the_list_is_in_general_and_the_taken_ticket_in_its_area_topic(
    forum_stack: LocalStack,
) -> None:
    emu = forum_stack.telegram
    for n, user in enumerate(FORUM_BURST):
        emu.send_message(user, f"Pertanyaan forum nomor {n}")
    forum_stack.wait_idle(timeout=120)
    posts = emu.bot_messages(FORUM)
    listing = next(m for m in posts if m.content.startswith("📋"))
    assert listing.message_thread_id is None  # the list carries every area: the General topic
    ticket_id = int(LIST_LINE.findall(listing.content)[0])
    (row,) = query(
        forum_stack.config.database, "SELECT nip, message_thread_id FROM ticket WHERE id = %s", (ticket_id,)
    )
    thread = row["message_thread_id"]
    assert thread is not None  # the area's topic ("Bidang Umum")
    user = next(u for u in FORUM_BURST if _nip(u) == row["nip"])

    emu.press_button(FORUM_STAFF, FORUM, listing.message_id, f"consultation:ambil:{ticket_id}")
    forum_stack.wait_idle(timeout=60)
    posts = emu.bot_messages(FORUM)
    header = next(m for m in posts if m.content.startswith(f"🎫 Tiket #{ticket_id} "))
    assert header.message_thread_id == thread
    copy = next(m for m in posts if m.reply_to_message_id == header.message_id)
    assert copy.message_thread_id == thread
    assert copy.content.startswith("Pertanyaan forum nomor")
    listing = next(m for m in emu.bot_messages(FORUM) if m.message_id == listing.message_id)
    assert line_of(listing, ticket_id).endswith(" · diambil Rina Lestari")

    emu.send_message(
        FORUM_STAFF,
        "Sudah kami proses.",
        chat_id=FORUM,
        reply_to_message_id=copy.message_id,
        message_thread_id=thread,
    )
    forum_stack.wait_idle(timeout=60)
    assert "Sudah kami proses." in emu.bot_messages(user)[-1].content
    assert [c.description for c in emu.calls if not c.ok and c.error_code != 429] == []
