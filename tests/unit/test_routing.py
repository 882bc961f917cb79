"""Classification of updates into command groups (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from sinawai.platform.anatomy import parse_command
from sinawai.router.routing import NotAnUpdateError, classify, validate_update

STAFF = -1001000000001


def message(text: str, *, chat_id: int = 42, chat_type: str = "private", **extra: Any) -> dict[str, Any]:
    return {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "from": {"id": 42, "is_bot": False, "first_name": "Budi"},
            "chat": {"id": chat_id, "type": chat_type},
            "text": text,
            **extra,
        },
    }


@pytest.mark.parametrize(
    ("text", "group", "command"),
    [
        ("/start", "general", "start"),
        ("/START", "general", "start"),
        ("/menu@SinawaiBot", "general", "menu"),
        ("/bantuan sekarang", "general", "bantuan"),
        ("/tentang", "general", "tentang"),
        ("/tidakada", "general", "tidakada"),  # unknown commands get the general group's answer
    ],
)
def test_commands_go_to_their_group(text: str, group: str, command: str) -> None:
    route = classify(message(text), staff_group_chat_id=STAFF)
    assert (route.group, route.command, route.check_conversation) == (group, command, False)


def test_plain_private_text_checks_the_pending_conversation_then_consultation() -> None:
    route = classify(message("199001012015031001"), staff_group_chat_id=STAFF)
    assert route.group == "consultation"
    assert route.check_conversation is True


def test_staff_commands_and_chatter_in_the_staff_group_go_to_consultation() -> None:
    for text in ("/tiket", "/pegawai 3", "Baik, akan kami cek", "/perintahbaru"):
        route = classify(message(text, chat_id=STAFF, chat_type="supergroup"), staff_group_chat_id=STAFF)
        assert route.group == "consultation", text


@pytest.mark.parametrize("text", ["/bantuan", "/start", "/datapribadi", "/tunkin", "/cuti", "/tiketsaya"])
def test_private_chat_commands_in_the_staff_group_go_to_general(text: str) -> None:
    """/bantuan lists the staff commands there; the others point to the private chat (issue 15 item 1)."""
    route = classify(message(text, chat_id=STAFF, chat_type="supergroup"), staff_group_chat_id=STAFF)
    assert (route.group, route.command) == ("general", text[1:])


def test_chatter_in_other_groups_is_ignored_but_commands_are_answered() -> None:
    chatter = classify(
        message("halo semua", chat_id=-100777, chat_type="supergroup"), staff_group_chat_id=STAFF
    )
    assert chatter.group is None
    command = classify(message("/start", chat_id=-100777, chat_type="supergroup"), staff_group_chat_id=STAFF)
    assert command.group == "general"


@pytest.mark.parametrize(
    ("data", "group"),
    [
        ("general:menu", "general"),
        ("registration:datapribadi", "registration"),
        ("information:mutasi", "information"),
        ("forged:anything", "general"),
        ("", "general"),
    ],
)
def test_button_presses_go_to_the_group_in_their_data(data: str, group: str) -> None:
    update = {
        "update_id": 2,
        "callback_query": {
            "id": "1",
            "from": {"id": 42},
            "data": data,
            "message": {"message_id": 5, "chat": {"id": 42, "type": "private"}},
        },
    }
    route = classify(update, staff_group_chat_id=STAFF)
    assert (route.group, route.chat_id) == (group, 42)


def test_edits_and_member_changes_are_recorded_not_processed() -> None:
    edited = {"update_id": 3, "edited_message": message("/start")["message"]}
    member = {"update_id": 4, "my_chat_member": {"chat": {"id": 42, "type": "private"}, "from": {"id": 42}}}
    assert classify(edited, staff_group_chat_id=STAFF).group is None
    assert classify(member, staff_group_chat_id=STAFF).group is None


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "update",
        {"hello": "world"},
        {"update_id": "1", "message": {}},
        {"update_id": True, "message": {}},
        {"update_id": -1, "message": {}},
        {"update_id": 1},
        {"update_id": 1, "message": "text"},
        {"update_id": 1, "message": {}, "callback_query": {}},
    ],
)
def test_what_is_not_an_update_is_refused(body: Any) -> None:
    with pytest.raises(NotAnUpdateError):
        validate_update(body)


def test_parse_command() -> None:
    assert parse_command("/daftar 1 2") == ("daftar", None)
    assert parse_command("/start@SinawaiBot") == ("start", "SinawaiBot")
    assert parse_command("/") is None
    assert parse_command("/ spasi") is None
    assert parse_command("bukan perintah") is None
    assert parse_command("/héllo") is None


@pytest.mark.parametrize(
    ("text", "group", "command"),
    [
        ("/umumkan Besok apel pagi", "information", "umumkan"),
        ("/umumkan@SinawaiBot", "information", "umumkan"),
        ("/unggah formulir Formulir cuti", "documents", "unggah"),
        ("/tiket", "consultation", "tiket"),
        ("/jahdis", "general", "jahdis"),  # an employee's command: pointed to the private chat
        ("terima kasih", "consultation", None),
    ],
)
def test_staff_commands_of_other_groups_leave_the_staff_group_for_their_group(
    text: str, group: str, command: str | None
) -> None:
    route = classify(message(text, chat_id=STAFF, chat_type="supergroup"), staff_group_chat_id=STAFF)
    assert (route.group, route.command) == (group, command)


def test_a_file_captioned_unggah_in_the_staff_group_goes_to_documents() -> None:
    update = message("", chat_id=STAFF, chat_type="supergroup")
    del update["message"]["text"]
    update["message"]["document"] = {"file_id": "BQAC", "file_unique_id": "u", "file_name": "f.pdf"}
    update["message"]["caption"] = "/unggah formulir Formulir cuti"
    route = classify(update, staff_group_chat_id=STAFF)
    assert (route.group, route.command) == ("documents", "unggah")
    update["message"]["caption"] = "lampiran jawaban tiket"
    assert classify(update, staff_group_chat_id=STAFF).group == "consultation"


def test_a_captioned_command_in_a_private_chat_is_a_question_not_a_command() -> None:
    update = message("")
    del update["message"]["text"]
    update["message"]["caption"] = "/unggah formulir Judul"
    update["message"]["document"] = {"file_id": "BQAC", "file_unique_id": "u"}
    route = classify(update, staff_group_chat_id=STAFF)
    assert (route.group, route.check_conversation) == ("consultation", True)


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("/renbangkompeg", "information"),
        ("/terkini", "information"),
        ("/umumkan x", "information"),
        ("/dokumen", "documents"),
    ],
)
def test_information_and_document_commands_go_to_their_groups(text: str, group: str) -> None:
    assert classify(message(text), staff_group_chat_id=STAFF).group == group


@pytest.mark.parametrize(
    ("chat_id", "chat_type"),
    [(-1001000000002, "supergroup"), (42, "private"), (STAFF, "supergroup")],
)
def test_laporan_goes_to_the_report_group_wherever_it_is_asked(chat_id: int, chat_type: str) -> None:
    """The managers' chat and admins get the report; anyone else, staff included, its polite refusal."""
    route = classify(
        message("/laporan 2026-11-01", chat_id=chat_id, chat_type=chat_type), staff_group_chat_id=STAFF
    )
    assert (route.group, route.command) == ("report", "laporan")


def test_other_commands_and_replies_in_the_staff_group_stay_with_consultation() -> None:
    assert classify(
        message("/tiket", chat_id=STAFF, chat_type="supergroup"), staff_group_chat_id=STAFF
    ).group == ("consultation")
