"""The emulator's bot settings and group membership, as strict as api.telegram.org, driven by
python-telegram-bot's real HTTP client: setMyCommands' limits and scopes, setMyDescription and
setMyShortDescription, getChatMember's statuses, and the my_chat_member updates of the bot joining or
leaving a group.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat, ChatMember, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from local_stack.telegram import TelegramEmulator

TOKEN = "123456:test-token-for-the-emulator"
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

OWNER, ADMIN, MEMBER, OUTSIDER = 5550401, 5550402, 5550403, 5550404
GROUP = -1005550400001
BASIC = -5550400002


@pytest.fixture
def emu() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(TOKEN) as emulator:
        for user, name in ((OWNER, "Oki"), (ADMIN, "Adi"), (MEMBER, "Mira"), (OUTSIDER, "Luar")):
            emulator.add_user(user, name)
        emulator.add_group(GROUP, "Grup Uji", members=[MEMBER], creator=OWNER, admins=[ADMIN])
        emulator.add_group(BASIC, "Grup Biasa", members=[OWNER, MEMBER], creator=OWNER, supergroup=False)
        yield emulator


def run[T](emu: TelegramEmulator, scenario: Callable[[Bot], Awaitable[T]]) -> T:
    async def main() -> T:
        async with Bot(TOKEN, base_url=f"{emu.base_url}/bot") as bot:
            return await scenario(bot)

    return asyncio.run(main())


def refused(
    emu: TelegramEmulator,
    method: str,
    scenario: Callable[[Bot], Awaitable[Any]],
    error: type[TelegramError] = BadRequest,
) -> str:
    """Telegram's exact description of the refusal."""
    with pytest.raises(error):
        run(emu, scenario)
    description = emu.calls_to(method)[-1].description
    assert description is not None
    return description


def test_set_my_commands_checks_names_descriptions_count_and_scope(emu: TelegramEmulator) -> None:
    def commands(*pairs: tuple[str, str]) -> list[BotCommand]:
        return [BotCommand(name, text) for name, text in pairs]

    bad_name = refused(emu, "setMyCommands", lambda b: b.set_my_commands(commands(("IdChat", "ID chat"))))
    assert bad_name == "Bad Request: BOT_COMMAND_INVALID"
    too_long = refused(emu, "setMyCommands", lambda b: b.set_my_commands(commands(("a" * 33, "x"))))
    assert too_long == "Bad Request: BOT_COMMAND_INVALID"
    empty = refused(emu, "setMyCommands", lambda b: b.set_my_commands(commands(("idchat", " "))))
    assert empty == "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
    wordy = refused(emu, "setMyCommands", lambda b: b.set_my_commands(commands(("idchat", "x" * 257))))
    assert wordy == "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
    many = [BotCommand(f"c{n}", "perintah") for n in range(101)]
    assert (
        refused(emu, "setMyCommands", lambda b: b.set_my_commands(many))
        == "Bad Request: BOT_COMMANDS_TOO_MUCH"
    )
    nowhere = refused(
        emu,
        "setMyCommands",
        lambda b: b.set_my_commands(commands(("tiket", "x")), BotCommandScopeChat(-1009)),
    )
    assert nowhere == "Bad Request: chat not found"

    exactly = [BotCommand(f"c{n}", "x" * 256) for n in range(100)]
    assert run(emu, lambda b: b.set_my_commands(exactly, BotCommandScopeAllPrivateChats())) is True
    assert len(run(emu, lambda b: b.get_my_commands(BotCommandScopeAllPrivateChats()))) == 100
    assert run(emu, lambda b: b.get_my_commands()) == ()  # another scope: nothing set there


def test_a_group_the_bot_left_takes_no_chat_menu(emu: TelegramEmulator) -> None:
    emu.remove_bot_from_group(GROUP, OWNER)
    scope = BotCommandScopeChat(GROUP)
    refusal = refused(emu, "setMyCommands", lambda b: b.set_my_commands([BotCommand("tiket", "x")], scope))
    assert refusal == "Bad Request: chat not found"


def test_descriptions_are_kept_per_language_within_telegram_s_limits(emu: TelegramEmulator) -> None:
    long_text = refused(emu, "setMyDescription", lambda b: b.set_my_description("x" * 513))
    assert long_text == "Bad Request: description is too long"
    long_short = refused(emu, "setMyShortDescription", lambda b: b.set_my_short_description("x" * 121))
    assert long_short == "Bad Request: short description is too long"
    language = refused(emu, "setMyDescription", lambda b: b.set_my_description("x", language_code="ind"))
    assert language == "Bad Request: invalid language code specified"

    assert run(emu, lambda b: b.set_my_description("d" * 512)) is True
    assert run(emu, lambda b: b.set_my_short_description("s" * 120)) is True
    assert run(emu, lambda b: b.set_my_description("Deskripsi khusus", language_code="en")) is True
    assert run(emu, lambda b: b.get_my_description()).description == "d" * 512
    assert run(emu, lambda b: b.get_my_description("en")).description == "Deskripsi khusus"
    assert run(emu, lambda b: b.get_my_description("fr")).description == "d" * 512  # the default
    assert run(emu, lambda b: b.get_my_short_description()).short_description == "s" * 120
    assert run(emu, lambda b: b.set_my_description("")) is True  # empty: removed
    assert run(emu, lambda b: b.get_my_description()).description == ""


def test_get_chat_member_tells_creator_administrator_member_and_left(emu: TelegramEmulator) -> None:
    async def statuses(bot: Bot) -> list[str]:
        return [(await bot.get_chat_member(GROUP, user)).status for user in (OWNER, ADMIN, MEMBER, OUTSIDER)]

    assert run(emu, statuses) == [
        ChatMember.OWNER,
        ChatMember.ADMINISTRATOR,
        ChatMember.MEMBER,
        ChatMember.LEFT,
    ]
    admin = run(emu, lambda b: b.get_chat_member(GROUP, ADMIN))
    assert admin.can_delete_messages is True  # type: ignore[attr-defined]
    assert admin.can_promote_members is False  # type: ignore[attr-defined]


def test_the_bot_added_and_removed_gives_my_chat_member_updates_ptb_reads(emu: TelegramEmulator) -> None:
    emu.remove_bot_from_group(BASIC, OWNER)
    outside = refused(emu, "getChatMember", lambda b: b.get_chat_member(BASIC, OWNER), Forbidden)
    assert outside == "Forbidden: bot is not a member of the group chat"

    joined = emu.add_bot_to_group(BASIC, MEMBER, as_admin=True)
    change = joined["my_chat_member"]
    assert change["chat"] == {"id": BASIC, "title": "Grup Biasa", "type": "group"}
    assert change["from"]["id"] == MEMBER
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == (
        "left",
        "administrator",
    )
    service = emu.pending_updates()[-1]["message"]
    assert service["new_chat_members"][0]["id"] == emu.bot_user["id"]
    assert joined["update_id"] < emu.pending_updates()[-1]["update_id"]  # my_chat_member comes first

    async def parsed(bot: Bot) -> tuple[str, str]:
        update = Update.de_json(joined, bot)
        assert update is not None
        assert update.my_chat_member is not None
        return update.my_chat_member.old_chat_member.status, update.my_chat_member.new_chat_member.status

    assert run(emu, parsed) == ("left", "administrator")
    assert run(emu, lambda b: b.get_chat_member(BASIC, emu.bot_user["id"])).status == ChatMember.ADMINISTRATOR

    left = emu.remove_bot_from_group(BASIC, OWNER)["my_chat_member"]
    assert (left["old_chat_member"]["status"], left["new_chat_member"]["status"]) == (
        "administrator",
        "kicked",
    )
    with pytest.raises(ValueError, match="not in group"):
        emu.remove_bot_from_group(BASIC, OWNER)
    with pytest.raises(ValueError, match="not a member"):
        emu.add_bot_to_group(BASIC, OUTSIDER)  # only a member can add the bot


def test_a_basic_group_has_no_supergroup_id() -> None:
    with TelegramEmulator(TOKEN) as emu, pytest.raises(ValueError, match="basic group"):
        emu.add_group(-1001234, "Bukan grup biasa", supergroup=False)
