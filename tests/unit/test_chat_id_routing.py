"""Routing of what finds a group's chat id (pure): the bot joining a group, and /idchat anywhere."""

from __future__ import annotations

from typing import Any

import pytest

from sinawai.general.menu import help_text
from sinawai.router.commands import commands_for
from sinawai.router.routing import ALLOWED_UPDATES, classify

STAFF = -1001000000001
BOT = {"id": 7000000001, "is_bot": True, "first_name": "Sinawai", "username": "SinawaiBot"}


def member_change(old: str, new: str, *, chat_type: str = "supergroup", **new_extra: Any) -> dict[str, Any]:
    return {
        "update_id": 7,
        "my_chat_member": {
            "chat": {"id": -100555, "title": "Grup", "type": chat_type},
            "from": {"id": 42, "is_bot": False, "first_name": "Adi"},
            "date": 0,
            "old_chat_member": {"status": old, "user": BOT},
            "new_chat_member": {"status": new, "user": BOT, **new_extra},
        },
    }


def command(text: str, chat_id: int, chat_type: str) -> dict[str, Any]:
    return {
        "update_id": 8,
        "message": {
            "message_id": 1,
            "date": 0,
            "from": {"id": 42, "is_bot": False, "first_name": "Adi"},
            "chat": {"id": chat_id, "type": chat_type},
            "text": text,
        },
    }


@pytest.mark.parametrize(
    ("old", "new", "chat_type"),
    [
        ("left", "member", "supergroup"),
        ("kicked", "member", "group"),
        ("left", "administrator", "supergroup"),
    ],
)
def test_the_bot_joining_a_group_goes_to_the_general_group(old: str, new: str, chat_type: str) -> None:
    route = classify(member_change(old, new, chat_type=chat_type), staff_group_chat_id=STAFF)
    assert (route.kind, route.group, route.chat_id) == ("my_chat_member", "general", -100555)


@pytest.mark.parametrize(
    ("old", "new", "chat_type"),
    [
        ("member", "left", "supergroup"),  # removed: nothing to say, nobody to say it to
        ("member", "kicked", "supergroup"),
        ("member", "administrator", "supergroup"),  # promoted: it was in the group already
        ("left", "member", "channel"),  # channels are not groups
        ("left", "member", "private"),
    ],
)
def test_other_membership_changes_are_recorded_not_answered(old: str, new: str, chat_type: str) -> None:
    assert classify(member_change(old, new, chat_type=chat_type), staff_group_chat_id=STAFF).group is None


def test_a_restricted_bot_counts_by_its_is_member_flag() -> None:
    joined = member_change("left", "restricted", is_member=True)
    assert classify(joined, staff_group_chat_id=STAFF).group == "general"
    still_out = member_change("left", "restricted", is_member=False)
    assert classify(still_out, staff_group_chat_id=STAFF).group is None


@pytest.mark.parametrize(
    ("chat_id", "chat_type"),
    [(STAFF, "supergroup"), (-100777, "supergroup"), (-777, "group"), (42, "private")],
)
def test_idchat_goes_to_the_general_group_everywhere(chat_id: int, chat_type: str) -> None:
    for text in ("/idchat", "/idchat@SinawaiBot"):
        route = classify(command(text, chat_id, chat_type), staff_group_chat_id=STAFF)
        assert (route.group, route.command) == ("general", "idchat"), (text, chat_id)


def test_idchat_is_in_no_command_menu_and_not_in_the_employees_help() -> None:
    for audience in ("private", "staff", "managers"):
        assert "idchat" not in [c.name for c in commands_for(audience)]
    assert [c.name for c in commands_for("groups")] == ["idchat"]
    assert "/idchat" not in help_text()


def test_the_webhook_asks_for_the_membership_updates_the_router_acts_on() -> None:
    assert "my_chat_member" in ALLOWED_UPDATES
    assert {"message", "callback_query", "edited_message"} <= set(ALLOWED_UPDATES)
