"""What the set-up sends Telegram and what it accepts (pure): texts within Telegram's limits, properties
checked before anything is sent."""

from __future__ import annotations

import pytest

from sinawai.common.text_limits import utf16_len
from sinawai.deploy.telegram_setup import (
    DESCRIPTION_LIMIT,
    SHORT_DESCRIPTION_LIMIT,
    SetupInputError,
    SetupTarget,
    command_list,
    plausible_token,
)
from sinawai.general import menu


def test_the_descriptions_fit_telegram_s_limits_and_say_what_the_bot_is_for() -> None:
    assert 0 < utf16_len(menu.BOT_DESCRIPTION) <= DESCRIPTION_LIMIT
    assert 0 < utf16_len(menu.BOT_SHORT_DESCRIPTION) <= SHORT_DESCRIPTION_LIMIT
    for words in ("Biro OSDM", "NIP", "petugas"):
        assert words in menu.BOT_DESCRIPTION
    assert "Biro OSDM" in menu.BOT_SHORT_DESCRIPTION


def test_every_published_command_fits_telegram_s_rules() -> None:
    for entry in command_list("private", "staff", "managers", "groups"):
        assert entry["command"].isascii()
        assert entry["command"] == entry["command"].lower()
        assert 1 <= len(entry["command"]) <= 32
        assert 1 <= len(entry["description"]) <= 256


@pytest.mark.parametrize(
    ("token", "plausible"),
    [
        ("set-me-from-botfather", False),
        ("", False),
        ("123456:short", False),
        ("123456789:AAHk0ExampleExampleExampleExample12", True),
        ("123456789:AAH k0ExampleExampleExampleExample12", False),
    ],
)
def test_only_a_token_shaped_like_botfather_s_is_used(token: str, plausible: bool) -> None:
    assert plausible_token(token) is plausible


def test_properties_are_checked_and_named() -> None:
    target = SetupTarget.from_properties(
        {"WebhookUrl": " https://x.example/dev/webhook ", "StaffGroupChatId": "-1001", "ManagersChatId": "77"}
    )
    assert target == SetupTarget("https://x.example/dev/webhook", -1001, 77)  # a manager's own chat is fine
    assert SetupTarget.from_properties({"WebhookUrl": "https://x.example/w"}).chats == set()
    for bad, name in (
        ({"WebhookUrl": "x.example/webhook"}, "WebhookUrl"),
        ({"WebhookUrl": "https://x/w", "StaffGroupChatId": "1001"}, "StaffGroupChatId"),
        ({"WebhookUrl": "https://x/w", "ManagersChatId": "0"}, "ManagersChatId"),
        ({"WebhookUrl": "https://x/w", "ManagersChatId": "1e9"}, "ManagersChatId"),
    ):
        with pytest.raises(SetupInputError, match=f"^{name} must be"):
            SetupTarget.from_properties(bad)


def test_chat_id_texts_give_the_exact_deploy_lines_only_when_the_group_is_not_configured() -> None:
    free = menu.chat_id_text(-100123, "supergroup", staff=False, managers=False)
    assert "<code>StaffGroupChatId=-100123</code>" in free
    assert "<code>ManagersChatId=-100123</code>" in free
    # never a bare --parameter-overrides: it would replace samconfig.toml's, the profile with them
    assert "--parameter-overrides" not in free
    assert "sam deploy --guided" in free
    both = menu.chat_id_text(-100123, "supergroup", staff=True, managers=True)
    assert "sam deploy" not in both
    assert "StaffGroupChatId" in both
    assert "ManagersChatId" in both
