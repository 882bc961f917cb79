"""The emulator's public records, Bot API constants and error answers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from werkzeug.datastructures import FileStorage

JsonDict = dict[str, Any]
Params = dict[str, Any]
Files = dict[str, FileStorage]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_INLINE_BUTTONS = 100

# Canonical spelling of every method the emulator implements (Telegram matches names case-insensitively).
METHODS = (
    "getMe",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "getUpdates",
    "sendMessage",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "answerCallbackQuery",
    "copyMessage",
    "forwardMessage",
    "sendPhoto",
    "sendDocument",
    "sendChatAction",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "setMyDescription",
    "getMyDescription",
    "setMyShortDescription",
    "getMyShortDescription",
    "getChat",
    "getChatMember",
    "createForumTopic",
    "getFile",
)
METHOD_NAMES = {name.lower(): name for name in METHODS}
# Methods that create a message: the ones flood control counts.
MESSAGE_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"})


@dataclass(frozen=True)
class RateLimits:
    """Telegram's flood limits. Any limit set to None is off.

    - ``global_per_second``: messages per second across all chats (sliding one-second window);
    - ``group_messages`` per ``group_window`` seconds in one group chat (sliding window);
    - a token bucket per private chat: ``private_burst`` messages at once, refilled at
      ``private_refill_per_second``.
    """

    global_per_second: int | None = 30
    group_messages: int | None = 20
    group_window: float = 60.0
    private_burst: float | None = 3
    private_refill_per_second: float = 1.0

    @classmethod
    def disabled(cls) -> RateLimits:
        return cls(global_per_second=None, group_messages=None, private_burst=None)


@dataclass
class ChatMessage:
    """A message in a chat history, as it is now (after edits); ``deleted`` once deleted."""

    chat_id: int
    message_id: int
    from_user: JsonDict  # the Bot API "from"
    date: int
    text: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JsonDict] = field(default_factory=list)
    reply_markup: JsonDict | None = None
    reply_to_message_id: int | None = None
    message_thread_id: int | None = None
    document: JsonDict | None = None
    photo: list[JsonDict] | None = None
    forward_origin: JsonDict | None = None
    service: JsonDict | None = None  # e.g. {"new_chat_members": [...]} or {"forum_topic_created": {...}}
    edit_date: int | None = None
    deleted: bool = False

    @property
    def sender_id(self) -> int:
        return int(self.from_user["id"])

    @property
    def is_bot(self) -> bool:
        return bool(self.from_user.get("is_bot"))

    @property
    def content(self) -> str:
        """The text, or the caption of a media message ("" when there is neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def buttons(self) -> list[list[JsonDict]]:
        """The rows of the current inline keyboard ([] without one)."""
        if not self.reply_markup:
            return []
        return [list(row) for row in self.reply_markup.get("inline_keyboard", [])]

    @property
    def callback_data(self) -> list[str]:
        return [str(b["callback_data"]) for row in self.buttons for b in row if "callback_data" in b]

    def to_dict(self) -> JsonDict:
        data = dataclasses.asdict(self)
        data["from"] = data.pop("from_user")
        return data


@dataclass(frozen=True)
class ApiCall:
    """One Bot API request: params decoded (ints coerced, JSON parameters parsed; uploads summarized)."""

    method: str
    params: Params
    ok: bool
    error_code: int | None
    description: str | None
    time: float  # time.monotonic() when it arrived
    duration: float
    result: Any = None


@dataclass(frozen=True)
class Delivery:
    """One attempt to POST an update to the webhook."""

    update_id: int
    attempt: int
    status: int | None  # HTTP status, None when the request failed
    error: str | None  # why it failed (connection error, timeout), None when an answer came
    latency: float
    time: float  # time.monotonic() when the attempt started
    chat_id: int | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True)
class TranscriptEntry:
    time: float  # time.time()
    chat_id: int
    chat_name: str
    who: str  # "Budi (pegawai)", "Rina (staf)", "Sinawai (bot)"
    kind: str  # text, photo, document, callback, edit, delete
    text: str
    message_id: int | None = None
    buttons: tuple[tuple[str, ...], ...] = ()  # inline keyboard labels of a bot message, row by row


@dataclass(frozen=True)
class Upload:
    """A file uploaded in a multipart request (not a file_id or URL reuse)."""

    method: str
    chat_id: int | str | None
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    size: int
    sha256: str
    time: float


class ApiError(Exception):
    """A Bot API error answer: HTTP status = error_code, like Telegram."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def envelope(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def administrator_rights() -> JsonDict:
    """The fields of a ChatMemberAdministrator besides status and user, as Telegram sends them (every one:
    python-telegram-bot refuses an administrator without the story rights)."""
    rights = [
        "can_be_edited",
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
        "is_anonymous",
        "can_pin_messages",
        "can_manage_topics",
    ]
    return {name: name not in ("can_be_edited", "is_anonymous", "can_promote_members") for name in rights}


def bad(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


def forbidden(text: str) -> ApiError:
    return ApiError(403, f"Forbidden: {text}")


def too_many(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


def not_modified() -> ApiError:
    return bad(
        "message is not modified: specified new message content and reply markup are exactly the same as a "
        "current content and reply markup of the message"
    )


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def document_line(msg: ChatMessage) -> str:
    name = (msg.document or {}).get("file_name", "document")
    return f"[{name}] {msg.caption}" if msg.caption else f"[{name}]"
