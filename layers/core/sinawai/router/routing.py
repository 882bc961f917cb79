"""Classify a Telegram update into the command group that should process it (pure; no I/O).

Routing is by what the update means: a command goes to its group, a button press to the group named in
its callback data, a staff command in the staff group (also as a file's caption) to its group, anything
else in the staff group to consultation, and plain text in a private chat to
whatever conversation the chat has pending (looked up by the caller), otherwise to consultation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sinawai.platform.anatomy import MESSAGE_KINDS, UPDATE_KINDS, parse_command, update_kind
from sinawai.platform.chat_state import ChatState
from sinawai.platform.redact import SECRET_ARGUMENT_COMMANDS
from sinawai.router.commands import (
    CONSULTATION,
    GENERAL,
    GROUPS,
    REGISTRATION,
    REPORT,
    command_audience,
    command_group,
)

# The updates the bot asks Telegram for (setWebhook's allowed_updates): what classify() routes or the
# router records; anything else Telegram does not even send. Shared by the deploy's setup and the CLI.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member", "chat_member")

GROUP_CHAT_TYPES = frozenset({"group", "supergroup"})
_IN_CHAT = frozenset({"member", "administrator", "creator"})


class NotAnUpdateError(ValueError):
    """The webhook body is not a Telegram update."""


@dataclass(frozen=True)
class Route:
    kind: str  # the update kind: message, callback_query, ...
    group: str | None  # None: recorded, answered 200, not processed
    chat_id: int | None
    chat_type: str | None
    user_id: int | None
    command: str | None = None
    # True for plain input in a private chat: the caller checks the chat's pending conversation first.
    check_conversation: bool = False
    # A guided /daftar or /gantisandi in a private chat: the chat's next messages may be passwords.
    opens_secret_step: bool = False


# Telegram's ids fit in a signed 64-bit integer; MySQL's BIGINT holds no more.
MAX_ID = 2**63 - 1


def validate_update(body: Any) -> dict[str, Any]:
    """Return the update when ``body`` is one, else raise NotAnUpdateError."""
    if not isinstance(body, dict):
        raise NotAnUpdateError("body is not a JSON object")
    update_id = body.get("update_id")
    if not isinstance(update_id, int) or not _is_id(update_id) or update_id < 0:
        raise NotAnUpdateError("update_id missing or not a non-negative 64-bit integer")
    kinds = [k for k in body if k in UPDATE_KINDS]
    if len(kinds) != 1 or not isinstance(body[kinds[0]], dict):
        raise NotAnUpdateError("an update carries exactly one known object")
    _check_ids(body[kinds[0]])
    return body


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_ID <= value <= MAX_ID


def _check_ids(obj: Mapping[str, Any]) -> None:
    """The ids the router stores (chat, sender) are integers when present, as Telegram sends them."""
    message = obj.get("message")
    holders = [obj, message if isinstance(message, dict) else {}]
    for holder in holders:
        for key in ("chat", "from", "sender_chat"):
            value = holder.get(key)
            if value is None:
                continue
            if not isinstance(value, dict) or not _is_id(value.get("id")):
                raise NotAnUpdateError(f"{key}.id is not an integer")


# A NIP as printed on decrees: "NIP." then pieces of digits with dots or dashes ("19900117 201503 1 001")
_NIP_PIECE = re.compile(r"^(?:nip[.:]?|[0-9][0-9.\-]*)$", re.IGNORECASE)


def _opens_secret_step(command: str, text: str) -> bool:
    """/daftar and /daftar NIP (spaced as on a decree, too) ask for a password next; /gantisandi alone
    asks for the old one."""
    if command not in SECRET_ARGUMENT_COMMANDS:
        return False
    args = text.split()[1:]
    if command == "daftar" and args and all(_NIP_PIECE.match(a) for a in args):
        digits = sum(ch.isascii() and ch.isdigit() for a in args for ch in a)
        return digits <= 18
    return len(args) <= SECRET_ARGUMENT_COMMANDS[command]


def callback_group(data: str) -> str:
    """Callback data is ``<group>:<action>...``; an unknown or forged prefix goes to the general group."""
    prefix = data.partition(":")[0]
    return prefix if prefix in GROUPS else GENERAL


def classify(update: Mapping[str, Any], *, staff_group_chat_id: int | None) -> Route:
    kind = update_kind(update)
    obj: Mapping[str, Any] = update[kind]

    if kind == "callback_query":
        message = obj.get("message") or {}
        chat = message.get("chat") or {}
        return Route(
            kind=kind,
            group=callback_group(str(obj.get("data") or "")),
            chat_id=chat.get("id"),
            chat_type=chat.get("type"),
            user_id=(obj.get("from") or {}).get("id"),
        )

    if kind not in MESSAGE_KINDS:
        chat = obj.get("chat") or {}
        # The bot was added to a group: the general group tells the group its chat id (for the set-up).
        group = GENERAL if kind == "my_chat_member" and _bot_joined_group(obj) else None
        return Route(kind, group, chat.get("id"), chat.get("type"), (obj.get("from") or {}).get("id"))

    chat = obj.get("chat") or {}
    chat_id = chat.get("id")
    chat_type = chat.get("type")
    user_id = (obj.get("from") or {}).get("id")
    if kind != "message":
        # Edits and channel posts are recorded for the evaluation, never acted on; except an edit that put
        # a password into a message: the registration group deletes it and says why nothing happened.
        edited = parse_command(obj.get("text") or "")
        if kind == "edited_message" and edited and edited[0] in SECRET_ARGUMENT_COMMANDS:
            return Route(kind, REGISTRATION, chat_id, chat_type, user_id, edited[0])
        return Route(kind, None, chat_id, chat_type, user_id)

    text = obj.get("text") or ""
    command = parse_command(text)
    command_name = command[0] if command else None

    if staff_group_chat_id is not None and chat_id == staff_group_chat_id:
        # A staff command of another group (/umumkan, /unggah) goes to that group, also as the caption of
        # a file (/unggah); /laporan to the report group (its polite refusal: the report is the managers',
        # rather than silence); everything else in the staff group is the consultation relay's.
        staff_command = command or parse_command(obj.get("caption") or "")
        if staff_command is not None and staff_command[0] in SECRET_ARGUMENT_COMMANDS:
            # /daftar NIP SANDI posted in the group: registration deletes it and points to the private chat.
            return Route(kind, REGISTRATION, chat_id, chat_type, user_id, staff_command[0])
        if staff_command is not None and command_audience(staff_command[0]) in ("staff", "groups"):
            group = command_group(staff_command[0]) or CONSULTATION
            return Route(kind, group, chat_id, chat_type, user_id, staff_command[0])
        if command_name is not None and command_group(command_name) == REPORT:
            return Route(kind, REPORT, chat_id, chat_type, user_id, command_name)
        if command_name is not None and command_audience(command_name) == "private":
            # /bantuan lists the staff commands; a personal command (/start, /datapribadi, ...) points to
            # the private chat with the bot: both are the general group's answer.
            return Route(kind, GENERAL, chat_id, chat_type, user_id, command_name)
        return Route(kind, CONSULTATION, chat_id, chat_type, user_id, command_name)

    if command_name is None:
        # A photo or file captioned /daftar or /gantisandi is that command (and is deleted like it).
        captioned = parse_command(obj.get("caption") or "")
        if captioned is not None and captioned[0] in SECRET_ARGUMENT_COMMANDS:
            return Route(kind, REGISTRATION, chat_id, chat_type, user_id, captioned[0])

    if command_name is not None:
        # An unknown command still gets an answer (from the general group) that points to /bantuan.
        group = command_group(command_name) or GENERAL
        opens = chat_type == "private" and _opens_secret_step(command_name, text)
        return Route(kind, group, chat_id, chat_type, user_id, command_name, opens_secret_step=opens)

    if chat_type == "private":
        return Route(kind, CONSULTATION, chat_id, chat_type, user_id, check_conversation=True)

    # Chatter in other groups is not for the bot.
    return Route(kind, None, chat_id, chat_type, user_id)


def _bot_joined_group(member_update: Mapping[str, Any]) -> bool:
    """A ``my_chat_member`` update that says the bot went from outside a group to inside it."""
    chat = member_update.get("chat") or {}
    old = member_update.get("old_chat_member") or {}
    new = member_update.get("new_chat_member") or {}
    if chat.get("type") not in GROUP_CHAT_TYPES:
        return False
    # "restricted" carries is_member: a restricted bot may be in or out of the group
    was_in = old.get("status") in _IN_CHAT or (old.get("status") == "restricted" and old.get("is_member"))
    is_in = new.get("status") in _IN_CHAT or (new.get("status") == "restricted" and new.get("is_member"))
    return bool(is_in) and not was_in


# How the router treats a private message when the chat may be typing a password:
# "step": a guided /daftar or /gantisandi is waiting: every message answers it (commands included).
# "grace": the step ended a short while ago: a text may still be a password that came too late.
SecretMode = Literal["step", "grace"]
STEP_EXEMPT_COMMANDS = frozenset({"batal", *SECRET_ARGUMENT_COMMANDS})


def resolve(
    route: Route, update: Mapping[str, Any], state: ChatState
) -> tuple[str | None, SecretMode | None]:
    """The group that gets a private message, and whether its text is secret, given the chat's state."""
    if route.kind != "message" or route.chat_type != "private":
        return route.group, None
    obj = update["message"]
    if state.secret_step and route.command not in STEP_EXEMPT_COMMANDS:
        return REGISTRATION, "step"
    if state.conversation_sensitive and route.check_conversation:
        return state.conversation_group, "step"
    unknown_command = route.command is None or command_group(route.command) is None
    said = str(obj.get("text") or obj.get("caption") or "").strip()
    # Passwords hold no spaces: after a password was accepted, a sentence is a question, not a late copy.
    shaped_like_a_password = bool(said) and not any(ch.isspace() for ch in said)
    held = shaped_like_a_password or not state.grace_after_success
    if state.secret_grace and unknown_command and said and held:
        return REGISTRATION, "grace"
    if route.check_conversation and state.conversation_group is not None:
        return state.conversation_group, None
    return route.group, None
