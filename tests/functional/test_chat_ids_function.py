"""Finding a group's chat id without hand work: /idchat and the bot joining a group.

Every update is made by the Telegram emulator (a person writing, a member adding the bot), routed by the
router's classify, and handled by GeneralFunction against MariaDB and the emulator over HTTP. Proves: an
admin gets the id and the exact ``sam deploy`` lines; a member who is not an admin gets silence; the
configured staff group and managers' chat are named as such; /idchat in a private chat points to the
group; adding the bot greets the group with its id; a basic group is warned that its id changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local_stack.telegram import TelegramEmulator
from sinawai.general.handlers import register as register_general
from sinawai.platform.config import DatabaseSettings
from sinawai.router.commands import GENERAL
from sinawai.router.routing import classify
from sinawai.telegram.runtime import GroupFunction
from tests.helpers import (
    BOT_TOKEN,
    MANAGERS_CHAT_ID,
    STAFF_GROUP_CHAT_ID,
    FakeContext,
    db_env,
    query,
    text_of,
)

ADMIN = 5550201
MEMBER = 5550202
OWNER = 5550203
NEW_GROUP = -1009876543210
BASIC_GROUP = -4012345678


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(ADMIN, "Adi")
        emu.add_user(MEMBER, "Mira")
        emu.add_user(OWNER, "Oki")
        everyone = [ADMIN, MEMBER, OWNER]
        emu.add_group(NEW_GROUP, "Tim Kepegawaian Baru", members=everyone, creator=OWNER, admins=[ADMIN])
        emu.add_group(STAFF_GROUP_CHAT_ID, "Layanan Kepegawaian OSDM", members=everyone, admins=[ADMIN])
        emu.add_group(MANAGERS_CHAT_ID, "Pimpinan Biro OSDM", members=everyone, admins=[ADMIN])
        emu.add_group(
            BASIC_GROUP, "Grup Biasa", members=everyone, admins=[ADMIN], supergroup=False, bot_is_member=False
        )
        yield emu


@pytest.fixture
def general(
    db: DatabaseSettings, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> GroupFunction:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF_GROUP_CHAT_ID))
    monkeypatch.setenv("MANAGERS_CHAT_ID", str(MANAGERS_CHAT_ID))
    return GroupFunction(GENERAL, register_general)


def routed(general: GroupFunction, update: dict[str, Any]) -> dict[str, Any]:
    """What the router and then GeneralFunction do with the update Telegram sent."""
    assert "update_id" in update, "the bot would not even receive this update"
    route = classify(update, staff_group_chat_id=STAFF_GROUP_CHAT_ID)
    assert route.group == GENERAL, route
    result: dict[str, Any] = general.handle({"update": update, "group": GENERAL}, FakeContext())
    return result


def replies(emu: TelegramEmulator, chat_id: int) -> list[str]:
    return [text_of(m) for m in emu.bot_messages(chat_id)]


def test_an_admin_gets_the_chat_id_and_the_exact_deploy_lines(
    general: GroupFunction, emulator: TelegramEmulator
) -> None:
    for sender in (ADMIN, OWNER):
        assert (
            routed(general, emulator.send_message(sender, "/idchat", chat_id=NEW_GROUP))["status"] == "done"
        )
    first, second = replies(emulator, NEW_GROUP)
    assert first == second
    assert f"ID grup ini: {NEW_GROUP}" in first
    assert "belum terhubung dengan Sinawai" in first
    assert f"StaffGroupChatId={NEW_GROUP}" in first
    assert f"ManagersChatId={NEW_GROUP}" in first
    assert "grup biasa" not in first  # a supergroup keeps its id
    reply = emulator.bot_messages(NEW_GROUP)[0]
    assert any(e["type"] == "code" for e in reply.entities)  # the id and the lines are copyable


def test_a_member_who_is_not_an_admin_gets_no_answer(
    general: GroupFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    update = emulator.send_message(MEMBER, "/idchat", chat_id=NEW_GROUP)
    assert routed(general, update)["status"] == "done"
    assert replies(emulator, NEW_GROUP) == []
    assert [c.params["user_id"] for c in emulator.calls_to("getChatMember")] == [MEMBER]
    rows = query(db, "SELECT status FROM update_inbox WHERE update_id = %s", (update["update_id"],))
    assert rows == [{"status": "done"}]


def test_idchat_addressed_to_this_bot_is_answered_and_to_another_bot_is_not(
    general: GroupFunction, emulator: TelegramEmulator
) -> None:
    routed(general, emulator.send_message(ADMIN, "/idchat@SinawaiBot", chat_id=NEW_GROUP))
    assert len(replies(emulator, NEW_GROUP)) == 1
    routed(general, emulator.send_message(ADMIN, "/idchat@BotLain", chat_id=NEW_GROUP))
    assert len(replies(emulator, NEW_GROUP)) == 1


def test_an_anonymous_admin_posting_as_the_group_gets_the_answer(
    general: GroupFunction, emulator: TelegramEmulator
) -> None:
    update = emulator.send_message(ADMIN, "/idchat", chat_id=NEW_GROUP)
    # how Telegram shows an anonymous admin: the group itself is the sender, "from" a placeholder bot
    update["message"]["sender_chat"] = dict(update["message"]["chat"])
    update["message"]["from"] = {
        "id": 1087968824,
        "is_bot": True,
        "first_name": "Group",
        "username": "GroupAnonymousBot",
    }
    routed(general, update)
    assert f"ID grup ini: {NEW_GROUP}" in replies(emulator, NEW_GROUP)[0]
    assert emulator.calls_to("getChatMember") == []


def test_the_staff_group_and_the_managers_chat_are_named_as_such(
    general: GroupFunction, emulator: TelegramEmulator
) -> None:
    routed(general, emulator.send_message(ADMIN, "/idchat", chat_id=STAFF_GROUP_CHAT_ID))
    (staff,) = replies(emulator, STAFF_GROUP_CHAT_ID)
    assert (
        "sudah terhubung dengan Sinawai sebagai grup layanan kepegawaian (parameter StaffGroupChatId)"
        in staff
    )
    assert "sam deploy" not in staff
    routed(general, emulator.send_message(ADMIN, "/idchat", chat_id=MANAGERS_CHAT_ID))
    (managers,) = replies(emulator, MANAGERS_CHAT_ID)
    assert "sebagai grup pimpinan (parameter ManagersChatId)" in managers


def test_idchat_in_a_private_chat_says_where_it_belongs(
    general: GroupFunction, emulator: TelegramEmulator
) -> None:
    routed(general, emulator.send_message(MEMBER, "/idchat"))
    (answer,) = replies(emulator, MEMBER)
    assert answer.startswith("Perintah /idchat digunakan di grup.")
    assert str(MEMBER) not in answer


def test_the_bot_added_to_a_group_greets_it_with_its_chat_id(
    general: GroupFunction, emulator: TelegramEmulator
) -> None:
    update = emulator.add_bot_to_group(BASIC_GROUP, MEMBER)  # any member may add a bot
    assert routed(general, update)["status"] == "done"
    (greeting,) = replies(emulator, BASIC_GROUP)
    assert greeting.startswith("Terima kasih, Sinawai telah ditambahkan ke grup ini.")
    assert f"ID grup ini: {BASIC_GROUP}" in greeting
    assert f"StaffGroupChatId={BASIC_GROUP}" in greeting
    assert "ini grup biasa" in greeting  # its id changes if it becomes a supergroup
    # the service message that comes with it is not for the bot: the router leaves it alone
    service_message = emulator.pending_updates()[-1]
    assert service_message["message"]["new_chat_members"][0]["username"] == "SinawaiBot"
    assert classify(service_message, staff_group_chat_id=STAFF_GROUP_CHAT_ID).group is None


def test_the_bot_removed_from_a_group_says_nothing(
    general: GroupFunction, emulator: TelegramEmulator
) -> None:
    removed = emulator.remove_bot_from_group(NEW_GROUP, ADMIN)
    assert removed["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    assert classify(removed, staff_group_chat_id=STAFF_GROUP_CHAT_ID).group is None
