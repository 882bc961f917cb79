"""The Telegram Bot API emulator (local_stack.telegram), driven by python-telegram-bot's real HTTP client.

Each test starts an emulator on a free port; PTB talks to it exactly as the functions do (``base_url`` pointed
at it). Telegram's answers are checked twice: the exception PTB raises, and the exact description the
emulator sent (PTB rewrites "Bad Request: ..." descriptions, capitalizing only the first letter).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import socket
import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from local_stack.telegram import RateLimits, TelegramEmulator

TOKEN = "123456:test-token-for-the-emulator"
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

BUDI = 5550001
RINA = 5550101
STAFF = -1001000000001


@pytest.fixture
def emu() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(TOKEN, rate_limits=RateLimits.disabled(), webhook_retry_delays=(0.05,)) as emulator:
        emulator.add_user(BUDI, "Budi", last_name="Santoso", username="budi_s")
        emulator.add_user(RINA, "Rina")
        emulator.add_group(STAFF, "Layanan Kepegawaian", members=[RINA])
        yield emulator


def run[T](emu: TelegramEmulator, scenario: Callable[[Bot], Awaitable[T]], token: str = TOKEN) -> T:
    async def main() -> T:
        async with Bot(
            token, base_url=f"{emu.base_url}/bot", base_file_url=f"{emu.base_url}/file/bot"
        ) as bot:
            return await scenario(bot)

    return asyncio.run(main())


def last_description(emu: TelegramEmulator, method: str) -> str | None:
    return emu.calls_to(method)[-1].description


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Tentang", callback_data="general:tentang")],
        [InlineKeyboardButton("Menu", callback_data="general:menu")],
    ]
)


# ---- success paths ----------------------------------------------------------------------------------


def test_send_message_with_inline_keyboard_returns_a_parsable_message(emu: TelegramEmulator) -> None:
    start = emu.send_message(BUDI, "/start")
    assert start["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]

    async def scenario(bot: Bot) -> Message:
        assert bot.username == "SinawaiBot"
        return await bot.send_message(
            BUDI, "Halo *Budi* 😀, pilih menu\\:", parse_mode=ParseMode.MARKDOWN_V2, reply_markup=KEYBOARD
        )

    msg = run(emu, scenario)
    assert msg.text == "Halo Budi 😀, pilih menu:"
    assert [(e.type, e.offset, e.length) for e in msg.entities] == [("bold", 5, 4)]
    assert msg.reply_markup is not None
    assert msg.reply_markup.inline_keyboard[1][0].callback_data == "general:menu"
    assert msg.message_id == 2  # message ids are shared with the user's /start
    assert msg.chat.id == BUDI
    assert msg.from_user is not None
    assert msg.from_user.is_bot

    stored = emu.wait_for_bot_message(BUDI, after=1)
    assert stored.text == msg.text
    assert stored.callback_data == ["general:tentang", "general:menu"]
    assert [(e.who, e.kind) for e in emu.transcript()] == [
        ("Budi (pegawai)", "text"),
        ("Sinawai (bot)", "text"),
    ]


def test_edit_delete_and_copy(emu: TelegramEmulator) -> None:
    emu.send_message(BUDI, "Saya mau tanya soal cuti")

    async def scenario(bot: Bot) -> None:
        sent = await bot.send_message(BUDI, "Menu", reply_markup=KEYBOARD)
        edited = await bot.edit_message_text("Menu baru", BUDI, sent.message_id, reply_markup=KEYBOARD)
        assert isinstance(edited, Message)
        assert edited.text == "Menu baru"
        assert edited.edit_date is not None
        # editMessageText without reply_markup removes the keyboard, as Telegram does
        await bot.edit_message_text("Menu baru", BUDI, sent.message_id)
        copied = await bot.copy_message(STAFF, from_chat_id=BUDI, message_id=1)
        assert copied.message_id == 1
        forwarded = await bot.forward_message(STAFF, from_chat_id=BUDI, message_id=1)
        assert forwarded.forward_origin is not None
        assert await bot.delete_message(BUDI, sent.message_id) is True

    run(emu, scenario)
    [menu] = emu.bot_messages(BUDI, include_deleted=True)
    assert menu.deleted
    assert menu.text == "Menu baru"
    assert menu.reply_markup is None
    assert emu.bot_messages(BUDI) == []
    copy_msg, forward_msg = emu.messages(STAFF)
    assert copy_msg.is_bot
    assert copy_msg.text == "Saya mau tanya soal cuti"
    assert copy_msg.forward_origin is None
    assert forward_msg.forward_origin is not None
    assert forward_msg.forward_origin["sender_user"]["id"] == BUDI
    kinds = [e.kind for e in emu.transcript() if e.who == "Sinawai (bot)"]
    assert kinds == ["text", "edit", "edit", "text", "text", "delete"]


def test_document_uploaded_once_then_resent_by_file_id(emu: TelegramEmulator) -> None:
    emu.send_message(BUDI, "/start")
    content = b"%PDF-1.4 surat keterangan"

    async def scenario(bot: Bot) -> tuple[Message, Message]:
        first = await bot.send_document(
            BUDI, document=content, filename="surat.pdf", caption="<b>Surat</b>", parse_mode=ParseMode.HTML
        )
        assert first.document is not None
        again = await bot.send_document(BUDI, document=first.document.file_id)
        return first, again

    first, again = run(emu, scenario)
    assert first.document is not None
    assert again.document is not None
    assert first.document.file_name == "surat.pdf"
    assert first.document.mime_type == "application/pdf"
    assert first.document.file_size == len(content)
    assert first.caption == "Surat"
    assert again.document.file_unique_id == first.document.file_unique_id
    assert len(emu.uploads) == 1
    assert emu.uploads[0].file_name == "surat.pdf"
    assert emu.file_content(first.document.file_id) == content


def test_bot_downloads_a_document_the_user_sent(emu: TelegramEmulator) -> None:
    content = b"%PDF-1.4 kartu pegawai"
    update = emu.send_document(BUDI, "kartu.pdf", content, caption="Kartu saya")
    document = update["message"]["document"]
    assert document["file_name"] == "kartu.pdf"
    assert document["mime_type"] == "application/pdf"
    assert update["message"]["caption"] == "Kartu saya"

    async def scenario(bot: Bot) -> bytes:
        file = await bot.get_file(document["file_id"])
        assert file.file_size == len(content)
        return bytes(await file.download_as_bytearray())

    assert run(emu, scenario) == content
    assert emu.transcript()[0].text == "[kartu.pdf] Kartu saya"


def test_a_second_get_updates_terminates_the_waiting_one(emu: TelegramEmulator) -> None:
    async def scenario(bot: Bot) -> None:
        waiting = asyncio.create_task(bot.get_updates(timeout=3, read_timeout=5))
        await asyncio.sleep(0.2)
        async with Bot(TOKEN, base_url=f"{emu.base_url}/bot") as second_instance:
            assert await second_instance.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await waiting

    run(emu, scenario)


def test_unknown_file_id_and_fake_photo_are_refused(emu: TelegramEmulator) -> None:
    emu.send_message(BUDI, "/start")

    async def scenario(bot: Bot) -> None:
        with pytest.raises(BadRequest):
            await bot.send_document(BUDI, document="BQACAgUAAxkBAAInvalid")
        with pytest.raises(BadRequest):
            await bot.send_photo(BUDI, photo=b"%PDF-1.4 not an image", filename="x.jpg")

    run(emu, scenario)
    assert [c.description for c in emu.calls if not c.ok] == [
        "Bad Request: wrong file identifier/HTTP URL specified",
        "Bad Request: IMAGE_PROCESS_FAILED",
    ]


def test_answer_callback_query_after_press_button(emu: TelegramEmulator) -> None:
    emu.send_message(BUDI, "/start")

    async def send_menu(bot: Bot) -> Message:
        return await bot.send_message(BUDI, "Menu", reply_markup=KEYBOARD)

    menu = run(emu, send_menu)
    with pytest.raises(ValueError, match="no button with callback_data"):
        emu.press_button(BUDI, BUDI, menu.message_id, "general:missing")
    with pytest.raises(ValueError, match="not sent by the bot"):
        emu.press_button(BUDI, BUDI, 1, "general:menu")
    pressed = emu.press_button(BUDI, BUDI, menu.message_id, "general:menu")

    async def answer(bot: Bot) -> None:
        updates = await bot.get_updates(timeout=0)
        assert [u.update_id for u in updates] == [pressed["update_id"] - 1, pressed["update_id"]]
        query = updates[-1].callback_query
        assert query is not None
        assert query.data == "general:menu"
        assert query.message is not None
        assert query.message.message_id == menu.message_id
        assert await bot.answer_callback_query(query.id, text="Membuka menu") is True
        with pytest.raises(BadRequest):
            await bot.answer_callback_query(query.id)
        # the offset confirms the updates
        assert await bot.get_updates(offset=pressed["update_id"] + 1, timeout=0) == ()

    run(emu, answer)
    assert last_description(emu, "answerCallbackQuery") == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    assert emu.transcript()[-2].text == "[Menu]"  # the press, then the bot's notification
    assert emu.transcript()[-1].text == "(notification) Membuka menu"


# ---- Telegram's refusals ----------------------------------------------------------------------------


def test_bad_requests_carry_telegram_descriptions(emu: TelegramEmulator) -> None:
    emu.send_message(BUDI, "/start")

    async def scenario(bot: Bot) -> list[str]:
        attempts: list[Callable[[], Awaitable[Any]]] = [
            lambda: bot.send_message(BUDI, "Selamat pagi.", parse_mode=ParseMode.MARKDOWN_V2),
            lambda: bot.send_message(BUDI, "<b>tebal", parse_mode=ParseMode.HTML),
            lambda: bot.send_message(BUDI, "a" * 4097),
            lambda: bot.send_message(BUDI, "😀" * 2049),  # 2049 characters, 4098 UTF-16 units
            lambda: bot.send_message(
                BUDI,
                "x",
                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="a" * 65)]]),
            ),
            lambda: bot.send_message(
                BUDI,
                "x",
                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]]),
            ),
            lambda: bot.send_message(BUDI, "x", parse_mode="Markdown3"),
            lambda: bot.send_message(BUDI, "*x*", parse_mode=ParseMode.MARKDOWN),  # legacy: not emulated
            lambda: bot.send_message(BUDI, "   "),
            lambda: bot.send_message(-100999, "x"),
            lambda: bot.edit_message_text("x", BUDI, 999),
            lambda: bot.edit_message_text("x", BUDI, 1),  # the user's /start
            lambda: bot.delete_message(BUDI, 999),
            lambda: bot.send_message(BUDI, "x", reply_to_message_id=999),
            lambda: bot.set_my_commands([BotCommand("Menu", "Menu utama")]),
            lambda: bot.create_forum_topic(STAFF, "Cuti"),
        ]
        refused = []
        for attempt in attempts:
            with pytest.raises(BadRequest) as raised:
                await attempt()
            refused.append(raised.value.message)
        return refused

    messages = run(emu, scenario)
    assert (
        messages[0]
        == "Can't parse entities: character '.' is reserved and must be escaped with the preceding '\\'"
    )
    assert [c.description for c in emu.calls if not c.ok] == [
        "Bad Request: can't parse entities: "
        "Character '.' is reserved and must be escaped with the preceding '\\'",
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
        "Bad Request: message is too long",
        "Bad Request: message is too long",
        "Bad Request: BUTTON_DATA_INVALID",
        "Bad Request: BUTTON_DATA_INVALID",
        "Bad Request: unsupported parse_mode",
        "Bad Request: parse_mode Markdown (legacy) is not emulated: use HTML or MarkdownV2",
        "Bad Request: message must be non-empty",
        "Bad Request: chat not found",
        "Bad Request: message to edit not found",
        "Bad Request: message can't be edited",
        "Bad Request: message to delete not found",
        "Bad Request: message to be replied not found",
        "Bad Request: BOT_COMMAND_INVALID",
        "Bad Request: the chat is not a forum",
    ]
    assert all(c.error_code == 400 for c in emu.calls if not c.ok)


def test_limits_are_counted_in_utf16_units(emu: TelegramEmulator) -> None:
    emu.send_message(BUDI, "/start")

    async def scenario(bot: Bot) -> Message:
        return await bot.send_message(BUDI, "😀" * 2048)

    assert run(emu, scenario).text == "😀" * 2048


def test_edit_with_identical_content_is_not_modified(emu: TelegramEmulator) -> None:
    emu.send_message(BUDI, "/start")

    async def scenario(bot: Bot) -> None:
        sent = await bot.send_message(BUDI, "*Menu*", parse_mode=ParseMode.MARKDOWN_V2, reply_markup=KEYBOARD)
        with pytest.raises(BadRequest, match="Message is not modified"):
            # the same text and entities, written in another parse mode
            await bot.edit_message_text(
                "<b>Menu</b>", BUDI, sent.message_id, parse_mode=ParseMode.HTML, reply_markup=KEYBOARD
            )
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_reply_markup(BUDI, sent.message_id, reply_markup=KEYBOARD)
        # a different entity is a modification
        await bot.edit_message_text(
            "<i>Menu</i>", BUDI, sent.message_id, parse_mode=ParseMode.HTML, reply_markup=KEYBOARD
        )

    run(emu, scenario)
    assert last_description(emu, "editMessageReplyMarkup") == (
        "Bad Request: message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )
    assert emu.bot_messages(BUDI)[0].entities == [{"type": "italic", "offset": 0, "length": 4}]


def test_forbidden_until_the_user_starts_the_bot_and_after_blocking(emu: TelegramEmulator) -> None:
    async def send(bot: Bot) -> Message:
        return await bot.send_message(BUDI, "Halo")

    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        run(emu, send)
    emu.send_message(BUDI, "/start")
    assert run(emu, send).text == "Halo"
    emu.block_bot(BUDI)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        run(emu, send)
    assert [c.description for c in emu.calls_to("sendMessage") if not c.ok] == [
        "Forbidden: bot can't initiate conversation with a user",
        "Forbidden: bot was blocked by the user",
    ]
    assert [c.error_code for c in emu.calls_to("sendMessage")] == [403, None, 403]


def test_bot_outside_a_group_is_forbidden(emu: TelegramEmulator) -> None:
    emu.add_group(-1001000000009, "Grup lain", members=[RINA], bot_is_member=False)

    async def scenario(bot: Bot) -> None:
        await bot.send_message(-1001000000009, "Halo")

    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        run(emu, scenario)


def test_wrong_token_is_unauthorized(emu: TelegramEmulator) -> None:
    async def scenario(bot: Bot) -> None:
        await bot.get_me()

    with pytest.raises(InvalidToken):
        run(emu, scenario, token="123456:wrong-token")
    assert emu.calls == []  # the emulator records calls for its own bot only
    response = httpx.post(f"{emu.base_url}/bot123456:wrong-token/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


# ---- flood control ----------------------------------------------------------------------------------


def test_injected_429_carries_retry_after(emu: TelegramEmulator) -> None:
    emu.send_message(BUDI, "/start")
    emu.fail_next("sendMessage", retry_after=7, chat_id=BUDI)

    async def scenario(bot: Bot) -> Message:
        await bot.send_message(STAFF, "Tidak terpengaruh")  # another chat: not injected
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(BUDI, "Halo")
        assert retry_seconds(raised.value) == 7
        return await bot.send_message(BUDI, "Halo")

    assert run(emu, scenario).text == "Halo"
    failed = [c for c in emu.calls_to("sendMessage") if not c.ok]
    assert [(c.error_code, c.description, c.params["chat_id"]) for c in failed] == [
        (429, "Too Many Requests: retry after 7", BUDI)
    ]


def test_group_limit_is_twenty_messages_per_minute(emu: TelegramEmulator) -> None:
    emu.rate_limits = RateLimits(global_per_second=None, private_burst=None)

    async def scenario(bot: Bot) -> float:
        for n in range(20):
            await bot.send_message(STAFF, f"Pesan {n}")
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(STAFF, "Pesan 21")
        return retry_seconds(raised.value)

    retry_after = run(emu, scenario)
    assert 55 <= retry_after <= 60
    assert len(emu.bot_messages(STAFF)) == 20
    rejected = emu.calls_to("sendMessage")[-1]
    assert (rejected.ok, rejected.error_code) == (False, 429)


def test_group_limit_window_slides_and_private_bucket_refills(emu: TelegramEmulator) -> None:
    emu.rate_limits = RateLimits(
        global_per_second=None,
        group_messages=2,
        group_window=0.5,
        private_burst=2,
        private_refill_per_second=5,
    )
    emu.send_message(BUDI, "/start")

    async def scenario(bot: Bot) -> None:
        for chat in (STAFF, BUDI):
            await bot.send_message(chat, "1")
            await bot.send_message(chat, "2")
            with pytest.raises(RetryAfter) as raised:
                await bot.send_message(chat, "3")
            assert retry_seconds(raised.value) == 1  # whole seconds, at least one
        await asyncio.sleep(0.55)
        await bot.send_message(STAFF, "after the window")
        await bot.send_message(BUDI, "after the refill")

    run(emu, scenario)
    assert [m.text for m in emu.bot_messages(STAFF)] == ["1", "2", "after the window"]
    assert [m.text for m in emu.bot_messages(BUDI)] == ["1", "2", "after the refill"]


# ---- updates: webhook and getUpdates ----------------------------------------------------------------


class Receiver:
    """A webhook endpoint: answers with ``status_for(update)`` and records every request."""

    def __init__(self, status_for: Callable[[dict[str, Any], int], int]) -> None:
        self.status_for = status_for
        self.requests: list[tuple[float, dict[str, str], dict[str, Any], int]] = []
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhook"
        self.thread = threading.Thread(
            target=lambda: self.server.serve_forever(poll_interval=0.05), daemon=True
        )

    def app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        update = json.loads(request.get_data())
        with self.lock:
            seen = sum(1 for r in self.requests if r[2]["update_id"] == update["update_id"])
            status = self.status_for(update, seen)
            self.requests.append((time.monotonic(), dict(request.headers), update, status))
        return Response("", status=status)(environ, start_response)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def text_of(update: dict[str, Any]) -> str:
    return str(update["message"]["text"])


def test_webhook_retries_until_2xx_with_the_secret_and_in_order(emu: TelegramEmulator) -> None:
    with Receiver(lambda update, seen: 503 if text_of(update) == "pertama" and seen < 2 else 200) as receiver:

        async def set_webhook(bot: Bot) -> None:
            assert await bot.set_webhook(receiver.url, secret_token="rahasia-123")

        run(emu, set_webhook)
        first = emu.send_message(BUDI, "pertama")
        second = emu.send_message(BUDI, "kedua")
        emu.wait_delivered(second["update_id"])

        async def webhook_info(bot: Bot) -> Any:
            return await bot.get_webhook_info()

        info = run(emu, webhook_info)

    attempts = [d for d in emu.delivery_log() if d.update_id == first["update_id"]]
    assert [(d.attempt, d.status) for d in attempts] == [(1, 503), (2, 503), (3, 200)]
    assert [(text_of(r[2]), r[3]) for r in receiver.requests] == [
        ("pertama", 503),
        ("pertama", 503),
        ("pertama", 200),
        ("kedua", 200),
    ]
    assert all(r[1]["X-Telegram-Bot-Api-Secret-Token"] == "rahasia-123" for r in receiver.requests)
    assert all(r[1]["Content-Type"] == "application/json" for r in receiver.requests)
    assert receiver.requests[0][2] == first
    assert info.url == receiver.url
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 503 Service Unavailable"


def test_webhook_keeps_order_per_chat_but_not_across_chats(emu: TelegramEmulator) -> None:
    emu.webhook_retry_delays = (0.3,)
    with Receiver(lambda update, seen: 503 if text_of(update) == "A1" and seen == 0 else 200) as receiver:

        async def set_webhook(bot: Bot) -> None:
            await bot.set_webhook(receiver.url)

        run(emu, set_webhook)
        emu.send_message(BUDI, "A1")
        emu.send_message(BUDI, "A2")
        emu.send_message(RINA, "B1", chat_id=STAFF)  # the bot is an admin there: it sees everything
        emu.wait_all_delivered()

    accepted = [text_of(r[2]) for r in receiver.requests if r[3] == 200]
    first_a2 = next(i for i, r in enumerate(receiver.requests) if text_of(r[2]) == "A2")
    a1_ok = next(i for i, r in enumerate(receiver.requests) if text_of(r[2]) == "A1" and r[3] == 200)
    assert first_a2 > a1_ok  # A2 is not even tried before A1 got its 2xx
    assert accepted.index("B1") < accepted.index("A1")  # the other chat did not wait for A1's retry
    assert "X-Telegram-Bot-Api-Secret-Token" not in receiver.requests[0][1]


def test_get_updates_conflicts_with_a_webhook_and_nothing_is_dropped(emu: TelegramEmulator) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]

    async def set_dead_webhook(bot: Bot) -> None:
        await bot.set_webhook(f"http://127.0.0.1:{dead_port}/webhook")

    run(emu, set_dead_webhook)
    update = emu.send_message(BUDI, "/start")
    deadline = time.monotonic() + 5
    while not emu.delivery_log() and time.monotonic() < deadline:
        time.sleep(0.01)

    async def scenario(bot: Bot) -> Any:
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 1
        assert info.last_error_message == "Connection refused"
        with pytest.raises(Conflict):
            await bot.get_updates(timeout=0)
        await bot.delete_webhook()
        return await bot.get_updates(timeout=1)

    updates = run(emu, scenario)
    assert emu.delivery_log()[0].error == "Connection refused"
    assert [u.update_id for u in updates] == [update["update_id"]]
    assert emu.calls_to("getUpdates")[0].description == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
        "webhook first"
    )
    assert emu.calls_to("getUpdates")[0].error_code == 409


def test_group_privacy_mode(emu: TelegramEmulator) -> None:
    emu.add_group(-1001000000005, "Grup biasa", members=[RINA], bot_is_admin=False)
    plain = emu.send_message(RINA, "halo semua", chat_id=-1001000000005)
    command = emu.send_message(RINA, "/menu@SinawaiBot", chat_id=-1001000000005)
    other_bot = emu.send_message(RINA, "/menu@OtherBot", chat_id=-1001000000005)
    assert "update_id" not in plain
    assert "update_id" in command
    assert command["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 16}]
    assert "update_id" not in other_bot
    assert [u["update_id"] for u in emu.pending_updates()] == [command["update_id"]]


# ---- raw HTTP: parameter formats and the control API ------------------------------------------------


def test_parameters_in_query_form_and_json(emu: TelegramEmulator) -> None:
    emu.send_message(BUDI, "/start")
    api = f"{emu.base_url}/bot{TOKEN}"
    keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    by_query = httpx.get(f"{api}/SENDMESSAGE", params={"chat_id": str(BUDI), "text": "q"})
    by_form = httpx.post(
        f"{api}/sendMessage", data={"chat_id": str(BUDI), "text": "f", "reply_markup": json.dumps(keyboard)}
    )
    by_json = httpx.post(f"{api}/sendMessage", json={"chat_id": BUDI, "text": "j", "reply_markup": keyboard})
    assert [r.json()["result"]["text"] for r in (by_query, by_form, by_json)] == ["q", "f", "j"]
    assert by_json.json()["result"]["reply_markup"] == keyboard

    broken = httpx.post(
        f"{api}/sendMessage", data={"chat_id": str(BUDI), "text": "x", "reply_markup": "{oops"}
    )
    assert broken.status_code == 400
    assert broken.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: can't parse reply keyboard markup JSON object",
    }
    no_action = httpx.post(
        f"{api}/sendMessage",
        json={"chat_id": BUDI, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "A"}]]}},
    )
    assert no_action.json()["description"] == (
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
    )
    bad_url = httpx.post(
        f"{api}/sendMessage",
        json={
            "chat_id": BUDI,
            "text": "x",
            "reply_markup": {"inline_keyboard": [[{"text": "A", "url": "ftp://x"}]]},
        },
    )
    assert bad_url.json()["description"] == "Bad Request: BUTTON_URL_INVALID"
    unknown = httpx.post(f"{api}/sendTelepathy", json={})
    assert (unknown.status_code, unknown.json()["description"]) == (404, "Not Found")
    bad_secret = httpx.post(
        f"{api}/setWebhook", json={"url": "http://127.0.0.1:9/x", "secret_token": "bad token!"}
    )
    assert bad_secret.json()["description"] == "Bad Request: secret token contains unallowed characters"


def test_control_api(emu: TelegramEmulator) -> None:
    control = f"{emu.base_url}/_emulator"
    created = httpx.post(f"{control}/users", json={"user_id": 5550002, "first_name": "Siti"})
    assert created.json()["result"]["first_name"] == "Siti"
    sent = httpx.post(f"{control}/send", json={"user_id": 5550002, "text": "/start"}).json()["result"]
    assert sent["message"]["text"] == "/start"
    assert "update_id" in sent
    httpx.post(f"{control}/fail_next", json={"method": "sendMessage", "error_code": 500})

    async def scenario(bot: Bot) -> Message:
        with pytest.raises(Exception, match="Internal Server Error"):
            await bot.send_message(5550002, "Halo")
        return await bot.send_message(5550002, "Halo Siti", reply_markup=KEYBOARD)

    reply = run(emu, scenario)
    pressed = httpx.post(
        f"{control}/press",
        json={
            "user_id": 5550002,
            "chat_id": 5550002,
            "message_id": reply.message_id,
            "callback_data": "general:menu",
        },
    )
    assert pressed.json()["result"]["callback_query"]["data"] == "general:menu"
    history = httpx.get(f"{control}/chats/5550002/messages").json()["result"]
    assert [(m["from"]["first_name"], m["text"], m["deleted"]) for m in history] == [
        ("Siti", "/start", False),
        ("Sinawai", "Halo Siti", False),
    ]
    transcript = httpx.get(f"{control}/transcript").json()["result"]
    assert [(t["who"], t["kind"], t["text"]) for t in transcript] == [
        ("Siti (pegawai)", "text", "/start"),
        ("Sinawai (bot)", "text", "Halo Siti"),
        ("Siti (pegawai)", "callback", "[Menu]"),
    ]
    missing = httpx.post(
        f"{control}/press",
        json={"user_id": 5550002, "chat_id": 5550002, "message_id": 1, "callback_data": "x"},
    )
    assert missing.status_code == 400


def test_forum_topics_and_commands(emu: TelegramEmulator) -> None:
    emu.add_group(-1001000000007, "Forum OSDM", members=[RINA], forum=True)

    async def scenario(bot: Bot) -> int:
        topic = await bot.create_forum_topic(-1001000000007, "Tiket #1")
        sent = await bot.send_message(-1001000000007, "Tiket baru", message_thread_id=topic.message_thread_id)
        assert sent.message_thread_id == topic.message_thread_id
        assert sent.is_topic_message
        with pytest.raises(BadRequest, match="Message thread not found"):
            await bot.send_message(-1001000000007, "x", message_thread_id=999)
        assert await bot.set_my_commands([BotCommand("menu", "Menu utama"), BotCommand("bantuan", "Bantuan")])
        assert [c.command for c in await bot.get_my_commands()] == ["menu", "bantuan"]
        assert await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()
        assert await bot.send_chat_action(-1001000000007, "typing")
        return topic.message_thread_id

    thread_id = run(emu, scenario)
    reply = emu.send_message(RINA, "Saya ambil", chat_id=-1001000000007, message_thread_id=thread_id)
    assert reply["message"]["message_thread_id"] == thread_id
    assert reply["message"]["is_topic_message"] is True
    assert reply["message"]["reply_to_message"]["forum_topic_created"]["name"] == "Tiket #1"
