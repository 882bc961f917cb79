"""The general group end to end: Telegram emulator → API Gateway → router → GeneralFunction → Bot API."""

from __future__ import annotations

import httpx
import pytest

from local_stack.stack import LocalStack
from tests.e2e.conftest import EMPLOYEE, OTHER_EMPLOYEE, STAFF_MEMBER
from tests.helpers import query, text_of

pytestmark = pytest.mark.e2e


def last_id(stack: LocalStack, chat_id: int) -> int:
    messages = stack.telegram.bot_messages(chat_id)
    return messages[-1].message_id if messages else 0


def say(stack: LocalStack, user: int, text: str, chat_id: int | None = None) -> None:
    stack.telegram.send_message(user, text, chat_id=chat_id)
    stack.wait_idle()


def buttons(message: object) -> list[str]:
    markup = getattr(message, "reply_markup", None) or {}
    return [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row]


def test_start_tells_an_unregistered_account_to_register_and_menu_shows_every_service(
    stack: LocalStack,
) -> None:
    before = last_id(stack, EMPLOYEE)
    say(stack, EMPLOYEE, "/start")
    reply = stack.telegram.wait_for_bot_message(EMPLOYEE, after=before)
    assert "Langkah pertama: daftarkan akun Telegram Anda" in text_of(reply)
    assert buttons(reply) == ["registration:daftar", "general:kontak", "general:menu"]
    before = last_id(stack, EMPLOYEE)
    say(stack, EMPLOYEE, "/menu")
    reply = stack.telegram.wait_for_bot_message(EMPLOYEE, after=before)
    data = buttons(reply)
    for expected in (
        "registration:datapribadi",
        "information:renbangkompeg",
        "information:mutasi",
        "information:jahdis",
        "information:pengkinpeg",
        "documents:dokumen",
        "general:bantuan",
        "general:tentang",
    ):
        assert expected in data


def test_bantuan_lists_every_command(stack: LocalStack) -> None:
    before = last_id(stack, EMPLOYEE)
    say(stack, EMPLOYEE, "/bantuan")
    reply = stack.telegram.wait_for_bot_message(EMPLOYEE, after=before)
    for command in ("/start", "/menu", "/bantuan", "/tentang"):
        assert command in text_of(reply)


def test_unknown_command_points_to_bantuan(stack: LocalStack) -> None:
    before = last_id(stack, EMPLOYEE)
    say(stack, EMPLOYEE, "/cutibersama")
    reply = stack.telegram.wait_for_bot_message(EMPLOYEE, after=before)
    assert "tidak dikenal" in text_of(reply)
    assert "/bantuan" in text_of(reply)


def test_menu_button_edits_the_message_in_place_and_back(stack: LocalStack) -> None:
    say(stack, OTHER_EMPLOYEE, "/menu")
    menu_message = stack.telegram.bot_messages(OTHER_EMPLOYEE)[-1]
    count = len(stack.telegram.bot_messages(OTHER_EMPLOYEE))

    stack.telegram.press_button(OTHER_EMPLOYEE, OTHER_EMPLOYEE, menu_message.message_id, "general:tentang")
    stack.wait_idle()
    edited = stack.telegram.bot_messages(OTHER_EMPLOYEE)[-1]
    assert len(stack.telegram.bot_messages(OTHER_EMPLOYEE)) == count  # edited, not a new message
    assert "Tentang Sinawai" in text_of(edited)
    assert buttons(edited) == ["general:menu"]

    stack.telegram.press_button(OTHER_EMPLOYEE, OTHER_EMPLOYEE, menu_message.message_id, "general:menu")
    stack.wait_idle()
    assert "Menu Utama" in text_of(stack.telegram.bot_messages(OTHER_EMPLOYEE)[-1])
    # every press was answered (the client stops its spinner)
    answered = stack.telegram.calls_to("answerCallbackQuery")
    assert len([c for c in answered if c.ok]) >= 2


def test_an_information_menu_before_any_content_is_published_says_so(stack: LocalStack) -> None:
    # this module's stack has no content published: the area's button says it is being prepared
    say(stack, OTHER_EMPLOYEE, "/menu")
    menu_message = stack.telegram.bot_messages(OTHER_EMPLOYEE)[-1]
    before = len(stack.telegram.calls_to("answerCallbackQuery"))
    stack.telegram.press_button(OTHER_EMPLOYEE, OTHER_EMPLOYEE, menu_message.message_id, "information:mutasi")
    stack.wait_idle()
    assert len(stack.telegram.calls_to("answerCallbackQuery")) > before
    edited = stack.telegram.bot_messages(OTHER_EMPLOYEE)[-1]
    assert edited.message_id == menu_message.message_id
    assert "sedang disiapkan" in text_of(edited)
    assert buttons(edited) == ["general:menu"]


def test_the_same_update_delivered_twice_gets_one_reply(stack: LocalStack) -> None:
    update = stack.telegram.send_message(EMPLOYEE, "/tentang")
    stack.wait_idle()
    replies = len(stack.telegram.bot_messages(EMPLOYEE))
    stack.telegram.post_raw_update(update)  # Telegram delivers the same update_id again
    stack.wait_idle()
    assert len(stack.telegram.bot_messages(EMPLOYEE)) == replies
    rows = query(
        stack.config.database, "SELECT status FROM update_inbox WHERE update_id = %s", (update["update_id"],)
    )
    assert rows == [{"status": "done"}]


def test_replies_survive_new_containers(stack: LocalStack) -> None:
    assert stack.runtime is not None
    stack.runtime.restart()
    before = last_id(stack, EMPLOYEE)
    say(stack, EMPLOYEE, "/menu")
    assert "Menu Utama" in text_of(stack.telegram.wait_for_bot_message(EMPLOYEE, after=before))


def test_every_update_and_reply_is_in_the_message_log(stack: LocalStack) -> None:
    update = stack.telegram.send_message(EMPLOYEE, "/bantuan")
    stack.wait_idle()
    rows = query(
        stack.config.database,
        "SELECT direction, kind, command, command_group FROM pesan WHERE update_id = %s ORDER BY id",
        (update["update_id"],),
    )
    assert rows[0] == {"direction": "in", "kind": "message", "command": "bantuan", "command_group": "general"}
    assert rows[1]["direction"] == "out"
    assert rows[1]["kind"] == "sendmessage"


def test_staff_group_chatter_gets_no_answer_yet(stack: LocalStack) -> None:
    group = stack.config.staff_group_chat_id
    before = len(stack.telegram.bot_messages(group))
    say(stack, STAFF_MEMBER, "Selamat pagi tim", chat_id=group)
    assert len(stack.telegram.bot_messages(group)) == before


def test_webhook_refuses_a_caller_without_the_secret(stack: LocalStack) -> None:
    response = httpx.post(stack.webhook_url, json={"update_id": 1, "message": {}}, timeout=10)
    assert response.status_code == 401
    response = httpx.post(
        stack.webhook_url,
        json={"update_id": 1, "message": {}},
        headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
        timeout=10,
    )
    assert response.status_code == 403
    rows = query(stack.config.database, "SELECT COUNT(*) AS n FROM update_inbox WHERE update_id = 1")
    assert rows == [{"n": 0}]
