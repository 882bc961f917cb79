"""A strict Telegram Bot API emulator over HTTP.

The functions talk to it with python-telegram-bot's real HTTP client (``base_url`` pointed here, requests
to ``{base_url}/bot{token}/{method}``), so what they send is checked the way api.telegram.org checks it:
markup is parsed with Telegram's own rules and error texts, lengths are counted in UTF-16 units, inline
keyboards are validated, edits that change nothing are refused, a user who never started the bot cannot be
written to, flood limits answer 429 with ``retry_after``. A lenient fake would hide exactly the bugs users
would hit.

Tests, the demo and the benchmark use it in-process to act as Telegram users (an employee in a private chat,
a staff member in a staff group), and to observe everything the bot did: the chat histories, every API call,
every webhook delivery attempt, and a readable transcript. Updates are delivered like Telegram does: POSTed to
the webhook (with the secret header, retried until a 2xx answer, one at a time per chat) or queued for
``getUpdates``. A small JSON control API under ``/_emulator/`` lets a person or another process do the same.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import dataclasses
import hashlib
import itertools
import json
import math
import mimetypes
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
from werkzeug.datastructures import FileStorage
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from local_stack import telegram_markup as markup

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
    "getChat",
    "getChatMember",
    "createForumTopic",
    "getFile",
)
_METHOD_NAMES = {name.lower(): name for name in METHODS}
# Methods that create a message: the ones flood control counts.
MESSAGE_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"})

# Update types delivered when allowed_updates is empty or was never given.
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_TOPIC_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_BOT_PATH = re.compile(r"^/bot([^/]*)/([^/]*)$")
_FILE_PATH = re.compile(r"^/file/bot([^/]+)/(.+)$")
_CHAT_MESSAGES_PATH = re.compile(r"^/_emulator/chats/(-?\d+)/messages$")
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")


# ==== public records =================================================================================


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


def _bad(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


def _forbidden(text: str) -> ApiError:
    return ApiError(403, f"Forbidden: {text}")


def _too_many(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


# ==== internal state =================================================================================


@dataclass
class _User:
    info: JsonDict
    started: bool = False
    blocked: bool = False


@dataclass
class _Chat:
    id: int
    type: str  # "private" | "supergroup"
    title: str
    user_id: int | None = None
    members: set[int] = field(default_factory=set)
    forum: bool = False
    bot_is_admin: bool = False
    bot_is_member: bool = True
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    next_message_id: int = 1
    topics: dict[int, JsonDict] = field(default_factory=dict)
    instance: str = field(default_factory=lambda: str(secrets.randbelow(9 * 10**18) - 45 * 10**17))
    sent_times: deque[float] = field(default_factory=deque)
    tokens: float = -1.0  # private-chat token bucket; -1 means full on first use
    tokens_time: float = 0.0


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "document" | "photo"
    file_name: str
    mime_type: str
    size: int
    content: bytes | None
    url: str | None
    file_path: str
    photo_sizes: list[JsonDict] = field(default_factory=list)


@dataclass
class _Pending:
    update: JsonDict
    update_id: int
    chat_key: int | None
    attempts: int = 0
    not_before: float = 0.0
    in_flight: bool = False


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    generation: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Fault:
    method: str
    remaining: int
    error: ApiError | None  # None: a delay, then the call runs normally
    chat_id: int | None
    delay: float = 0.0


@dataclass
class _Query:
    user_id: int
    chat_id: int
    message_id: int
    answered: bool = False


@dataclass
class _Described:
    """A successful result that also carries Telegram's "description" (setWebhook, deleteWebhook)."""

    result: Any
    description: str


# ==== parameters =====================================================================================

_CHAT_ID_PARAMS = frozenset({"chat_id", "from_chat_id"})
_INT_PARAMS = frozenset(
    {
        "message_id",
        "message_thread_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "timeout",
        "max_connections",
        "cache_time",
        "user_id",
        "icon_color",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
_JSON_PARAMS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
    "allowed_updates": "can't parse allowed_updates JSON object",
    "commands": "can't parse commands JSON object",
    "scope": "can't parse BotCommandScope JSON object",
    "reply_parameters": "can't parse reply parameters JSON object",
    "link_preview_options": "can't parse link preview options JSON object",
}
_LEADING_INT = re.compile(r"^\s*([+-]?\d+)")


def _lenient_int(value: Any) -> int:
    """Like the Bot API's to_integer: leading digits count, anything else is 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    match = _LEADING_INT.match(str(value))
    return int(match.group(1)) if match else 0


def _chat_id_value(value: Any) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value if isinstance(value, str) else json.dumps(value)
    text = text.strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def _decode_params(raw: Mapping[str, Any]) -> Params:
    params: Params = {}
    for name, value in raw.items():
        if name in _CHAT_ID_PARAMS:
            params[name] = _chat_id_value(value)
        elif name in _INT_PARAMS:
            params[name] = _lenient_int(value)
        elif name in _BOOL_PARAMS:
            params[name] = value is True or (isinstance(value, str) and value.lower() in ("true", "1"))
        elif name in _JSON_PARAMS:
            if isinstance(value, str):
                if value == "":
                    continue
                try:
                    value = json.loads(value)
                except ValueError:
                    raise _bad(_JSON_PARAMS[name]) from None
            params[name] = value
        elif isinstance(value, str):
            params[name] = value
        else:
            params[name] = json.dumps(value)
    return params


def _text_param(params: Params, name: str) -> str | None:
    value = params.get(name)
    return None if value is None else str(value)


# ==== reply markup ===================================================================================


def _button_error(text: str) -> ApiError:
    return _bad(f"can't parse inline keyboard button: {text}")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise _button_error('Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise _button_error('Field "text" must be of type String')
    if not button["text"].strip():
        raise _bad("BUTTON_TEXT_INVALID")
    actions = [
        name
        for name in _INLINE_ACTIONS
        if name in button
        and button[name] is not None
        and button[name] is not False
        and not (name in ("url", "callback_data") and button[name] == "")
    ]
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        # Stricter than the server (which takes the first it knows): the documentation demands exactly one.
        raise _button_error("exactly one of the optional fields must be used")
    action = actions[0]
    if action == "callback_data":
        data = button["callback_data"]
        if not isinstance(data, str):
            raise _button_error('Field "callback_data" must be of type String')
        if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
            raise _bad("BUTTON_DATA_INVALID")
    elif action == "url":
        url = button["url"]
        if not isinstance(url, str):
            raise _button_error('Field "url" must be of type String')
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https", "tg") or (scheme != "tg" and not parts.netloc):
            raise _bad("BUTTON_URL_INVALID")


def _parse_reply_markup(value: Any) -> tuple[JsonDict | None, bool]:
    """Validates a reply_markup: (the inline keyboard to store or None, whether a markup was given)."""
    if value is None:
        return None, False
    if not isinstance(value, dict):
        raise _bad("object expected as reply markup")
    if "inline_keyboard" in value:
        rows = value["inline_keyboard"]
        if not isinstance(rows, list):
            raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
        total = 0
        for row in rows:
            if not isinstance(row, list):
                raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
            for button in row:
                _check_inline_button(button)
                total += 1
        if total > MAX_INLINE_BUTTONS:
            raise _bad("reply markup is too long")
        return {"inline_keyboard": copy.deepcopy([row for row in rows if row])}, True
    if "keyboard" in value:
        rows = value["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str):
                    raise _bad('can\'t parse keyboard button: Field "text" must be of type String')
                if not text.strip():
                    raise _bad("BUTTON_TEXT_INVALID")
        return None, True
    if value.get("remove_keyboard") is True or value.get("force_reply") is True:
        return None, True
    raise _bad("can't parse reply keyboard markup JSON object")


def _same_json(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


# ==== the emulator ===================================================================================


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class TelegramEmulator:
    """The Bot API at ``base_url`` for one bot, plus the users and groups it talks to.

    HTTP endpoints besides ``/bot<token>/<method>``: ``/file/bot<token>/<file_path>`` (downloads, after
    getFile), and the JSON control API, thin wrappers over the Python methods of the same names:
    ``POST /_emulator/users`` {user_id, first_name, last_name?, username?, language_code?};
    ``POST /_emulator/groups`` {chat_id, title, members?, forum?, bot_is_admin?, bot_is_member?};
    ``POST /_emulator/send`` {user_id, text, chat_id?, reply_to_message_id?, forward_from?,
    message_thread_id?};
    ``POST /_emulator/press`` {user_id, chat_id, message_id, callback_data};
    ``POST /_emulator/fail_next`` {method, count?, error_code?, description?, retry_after?, chat_id?};
    ``GET /_emulator/chats/<chat_id>/messages``, ``GET /_emulator/transcript``, ``GET /_emulator/calls``.
    They answer {"ok": true, "result": ...}, or {"ok": false, "error": ...} with status 400 (a person or
    a client could not do that) or 404.
    """

    private_role = "pegawai"  # how the transcript names a user in a private chat
    group_role = "staf"  # ... and in a group

    def __init__(
        self,
        token: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int = 7000000001,
        bot_username: str = "SinawaiBot",
        bot_first_name: str = "Sinawai",
        rate_limits: RateLimits | None = None,
        webhook_retry_delays: Sequence[float] = (0.05, 0.1, 0.2, 0.5, 1.0),
        first_update_id: int = 100000001,
        group_privacy: bool = True,
        webhook_timeout: float = 30.0,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.bot_user: JsonDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.rate_limits = rate_limits if rate_limits is not None else RateLimits()
        self.webhook_retry_delays = tuple(webhook_retry_delays) or (1.0,)
        self.group_privacy = group_privacy  # privacy mode: in groups where it is no admin, the bot sees
        # only commands, replies to it and mentions of it
        self.webhook_timeout = webhook_timeout
        self.base_url = ""

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._users: dict[int, _User] = {}
        self._chats: dict[int, _Chat] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._queries: dict[str, _Query] = {}
        self._query_counter = itertools.count(secrets.randbelow(10**15) + 10**18)
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._next_update_id = first_update_id
        self._poll_generation = 0  # a newer getUpdates request terminates a waiting one
        self._pending: list[_Pending] = []
        self._allowed_updates: list[str] | None = None
        self._webhook: _Webhook | None = None
        self._webhook_generation = 0
        self._workers: list[threading.Thread] = []
        # one HTTP client shared by the webhook workers (httpx clients are thread-safe)
        self._http: httpx.Client | None = None
        self._global_times: deque[float] = deque()
        self._faults: list[_Fault] = []
        self._calls: list[ApiCall] = []
        self._transcript: list[TranscriptEntry] = []
        self._deliveries: list[Delivery] = []
        self._uploads: list[Upload] = []
        self._stopping = False
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._handlers: dict[str, Callable[[Params, Files], Any]] = {
            "getme": self._get_me,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "copymessage": self._copy_message,
            "forwardmessage": self._forward_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendchataction": self._send_chat_action,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "createforumtopic": self._create_forum_topic,
            "getfile": self._get_file,
        }

    # ---- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> None:
        if self._server is not None:
            return
        server = make_server(
            self.host, self.port, self._wsgi, threaded=True, request_handler=_QuietRequestHandler
        )
        self._server = server
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        self.base_url = f"http://{host}:{server.server_port}"
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), name="telegram-emulator", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            workers = list(self._workers)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._http is not None:
            self._http.close()  # a delivery in flight fails now instead of waiting for its answer
        deadline = time.monotonic() + 2.0
        for worker in workers:
            worker.join(timeout=max(0.0, deadline - time.monotonic()))
        self._http = None
        self._server = None
        self._thread = None

    def __enter__(self) -> TelegramEmulator:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ---- the world ----------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "id",
        started: bool = False,
    ) -> JsonDict:
        """A Telegram user (and their private chat with the bot). They have not started the bot yet, unless
        ``started`` (they pressed Start some time ago: the bot may write to them first)."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        info: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            info["last_name"] = last_name
        if username:
            info["username"] = username
        if language_code:
            info["language_code"] = language_code
        with self._cond:
            existing = self._users.get(user_id)
            if existing is not None:
                existing.info = info
            else:
                existing = self._users[user_id] = _User(info)
            existing.started = existing.started or started
            chat = self._chats.get(user_id)
            if chat is None:
                self._chats[user_id] = _Chat(id=user_id, type="private", title=first_name, user_id=user_id)
            else:
                chat.title = first_name
            return copy.deepcopy(info)

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        members: Iterable[int] = (),
        forum: bool = False,
        bot_is_admin: bool = True,
        bot_is_member: bool = True,
    ) -> JsonDict:
        """A supergroup (ids like -100...) with these users as members (adding it again updates it)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative, like -1001234567890")
        with self._cond:
            member_ids = set(members)
            unknown = [m for m in member_ids if m not in self._users]
            if unknown:
                raise ValueError(f"unknown users {unknown}: add_user first")
            chat = self._chats.get(chat_id)
            if chat is None:
                chat = self._chats[chat_id] = _Chat(id=chat_id, type="supergroup", title=title)
            chat.title = title
            chat.members |= member_ids
            chat.forum = forum
            chat.bot_is_member = bot_is_member
            chat.bot_is_admin = bot_is_admin and bot_is_member
            return self._chat_json(chat)

    def block_bot(self, user_id: int) -> None:
        """The user blocked the bot: writing to them answers 403 until they write again."""
        with self._cond:
            self._require_user(user_id).blocked = True

    def unblock_bot(self, user_id: int) -> None:
        with self._cond:
            self._require_user(user_id).blocked = False

    # ---- acting as people ---------------------------------------------------------------------------

    def send_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
        forward_from: int | None = None,
        message_thread_id: int | None = None,
    ) -> JsonDict:
        """The user writes ``text`` (in their private chat unless ``chat_id``). Returns the update.

        An update the bot does not get (privacy mode in a group, bot not a member) has no ``update_id``.
        """
        formatted = markup.normalize(text, [])
        if not formatted.text:
            raise ValueError("a Telegram client cannot send an empty message")
        with self._cond:
            user, chat = self._acting(user_id, chat_id)
            msg = self._user_message(user, chat, reply_to_message_id, message_thread_id)
            msg.text, msg.entities = formatted.text, formatted.entities
            if forward_from is not None:
                msg.forward_origin = self._origin_of_user(forward_from, msg.date)
            return self._post_user_message(user, chat, msg, "text", msg.text)

    def send_photo(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        content = b"\xff\xd8\xff\xe0" + secrets.token_bytes(2048)
        with self._cond:
            user, chat = self._acting(user_id, chat_id)
            stored = self._store_file("photo", "photo.jpg", "image/jpeg", content, None)
            msg = self._user_message(user, chat, reply_to_message_id, None)
            msg.photo = copy.deepcopy(stored.photo_sizes)
            self._set_caption(msg, caption)
            return self._post_user_message(user, chat, msg, "photo", msg.caption or "")

    def send_document(
        self,
        user_id: int,
        file_name: str,
        content: bytes,
        *,
        chat_id: int | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        if not content:
            raise ValueError("a Telegram client cannot send an empty file")
        mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        with self._cond:
            user, chat = self._acting(user_id, chat_id)
            stored = self._store_file("document", file_name, mime, content, None)
            msg = self._user_message(user, chat, reply_to_message_id, None)
            msg.document = self._document_json(stored)
            self._set_caption(msg, caption)
            return self._post_user_message(user, chat, msg, "document", _document_line(msg))

    def edit_message(self, user_id: int, chat_id: int, message_id: int, new_text: str) -> JsonDict:
        """The user edits their own text message: an ``edited_message`` update."""
        formatted = markup.normalize(new_text, [])
        if not formatted.text:
            raise ValueError("a Telegram client cannot save an empty message")
        with self._cond:
            _, chat = self._acting(user_id, chat_id)
            msg = chat.messages.get(message_id)
            if msg is None or msg.deleted:
                raise ValueError(f"chat {chat_id} has no message {message_id}")
            if msg.sender_id != user_id or msg.text is None:
                raise ValueError(f"message {message_id} is not a text message of user {user_id}")
            msg.text, msg.entities = formatted.text, formatted.entities
            msg.edit_date = int(time.time())
            self._note(chat, user_id, "edit", msg.text, message_id)
            update: JsonDict = {"edited_message": self._message_json(msg)}
            if self._bot_receives(chat, msg):
                update = self._enqueue(update, chat.id)
            return copy.deepcopy(update)

    def press_button(self, user_id: int, chat_id: int, message_id: int, callback_data: str) -> JsonDict:
        """The user presses the inline button with ``callback_data``: a ``callback_query`` update."""
        return self._press(user_id, chat_id, message_id, callback_data, forged=False)

    def press_forged_button(
        self, user_id: int, chat_id: int, message_id: int, callback_data: str
    ) -> JsonDict:
        """A modified client sends ``callback_data`` the message's keyboard never had (or no longer has)."""
        return self._press(user_id, chat_id, message_id, callback_data, forged=True)

    def _press(
        self, user_id: int, chat_id: int, message_id: int, callback_data: str, *, forged: bool
    ) -> JsonDict:
        with self._cond:
            user, chat = self._acting(user_id, chat_id)
            msg = chat.messages.get(message_id)
            if msg is None or msg.deleted:
                raise ValueError(f"chat {chat_id} has no message {message_id} to press a button on")
            if not msg.is_bot:
                raise ValueError(f"message {message_id} in chat {chat_id} was not sent by the bot")
            button = next(
                (b for row in msg.buttons for b in row if b.get("callback_data") == callback_data), None
            )
            if button is None and forged:
                button = {"text": f"forged: {callback_data}", "callback_data": callback_data}
            if button is None:
                raise ValueError(
                    f"message {message_id} in chat {chat_id} has no button with callback_data "
                    f"{callback_data!r}; its buttons: {msg.callback_data}"
                )
            query_id = str(next(self._query_counter))
            self._queries[query_id] = _Query(user_id, chat_id, message_id)
            query: JsonDict = {
                "id": query_id,
                "from": copy.deepcopy(user.info),
                "message": self._message_json(msg),
                "chat_instance": chat.instance,
                "data": callback_data,
            }
            self._note(chat, user_id, "callback", f"[{button['text']}]", message_id)
            return copy.deepcopy(self._enqueue({"callback_query": query}, chat.id))

    def add_member(self, chat_id: int, user_id: int) -> JsonDict:
        """The user joins the group: a ``new_chat_members`` message (and a ``chat_member`` update)."""
        with self._cond:
            user = self._require_user(user_id)
            chat = self._require_group(chat_id)
            chat.members.add(user_id)
            msg = self._user_message(user, chat, None, None)
            msg.service = {"new_chat_members": [copy.deepcopy(user.info)]}
            self._note(chat, user_id, "text", f"({user.info['first_name']} joined the group)", msg.message_id)
            update: JsonDict = {"message": self._message_json(msg)}
            if chat.bot_is_member:
                update = self._enqueue(update, chat.id)
            if chat.bot_is_admin:
                member_update: JsonDict = {
                    "chat_member": {
                        "chat": self._chat_json(chat),
                        "from": copy.deepcopy(user.info),
                        "date": msg.date,
                        "old_chat_member": {"status": "left", "user": copy.deepcopy(user.info)},
                        "new_chat_member": {"status": "member", "user": copy.deepcopy(user.info)},
                    }
                }
                self._enqueue(member_update, chat.id)
            return copy.deepcopy(update)

    def post_raw_update(self, update: Mapping[str, Any]) -> JsonDict:
        """Delivers any update (``update_id`` assigned when missing), whatever allowed_updates says."""
        data = copy.deepcopy(dict(update))
        with self._cond:
            if "update_id" in data:
                self._next_update_id = max(self._next_update_id, int(data["update_id"]) + 1)
            else:
                data["update_id"] = self._take_update_id()
            self._pending.append(_Pending(data, int(data["update_id"]), _chat_key(data)))
            self._cond.notify_all()
            return copy.deepcopy(data)

    # ---- observing ----------------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[ChatMessage]:
        """The chat history in order (users' and the bot's, deleted ones flagged)."""
        with self._cond:
            chat = self._chats.get(chat_id)
            if chat is None:
                return []
            return [copy.deepcopy(m) for m in sorted(chat.messages.values(), key=lambda m: m.message_id)]

    def bot_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[ChatMessage]:
        return [
            m
            for m in self.messages(chat_id)
            if m.is_bot and m.service is None and (include_deleted or not m.deleted)
        ]

    def wait_for_bot_message(
        self,
        chat_id: int,
        *,
        after: int = 0,
        predicate: Callable[[ChatMessage], bool] | None = None,
        timeout: float = 5.0,
    ) -> ChatMessage:
        """The first (not deleted) bot message with message_id > ``after`` matching ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                chat = self._chats.get(chat_id)
                if chat is not None:
                    for msg in sorted(chat.messages.values(), key=lambda m: m.message_id):
                        if msg.message_id <= after or not msg.is_bot or msg.deleted or msg.service:
                            continue
                        snapshot = copy.deepcopy(msg)
                        if predicate is None or predicate(snapshot):
                            return snapshot
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"no bot message in chat {chat_id} after message {after} matched within {timeout}s; "
                        f"the chat has:\n{self._describe_chat(chat_id)}"
                    )
                self._cond.wait(remaining)

    @property
    def calls(self) -> list[ApiCall]:
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        wanted = method.lower()
        return [c for c in self.calls if c.method.lower() == wanted]

    def wait_for_call(
        self, method: str, *, predicate: Callable[[ApiCall], bool] | None = None, timeout: float = 5.0
    ) -> ApiCall:
        """The first recorded call of ``method`` matching ``predicate``, waiting for it if needed."""
        wanted = method.lower()
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for call in self._calls:
                    if call.method.lower() == wanted and (predicate is None or predicate(call)):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [f"{c.method} ok={c.ok} {c.description or ''}" for c in self._calls[-20:]]
                    raise TimeoutError(f"no matching {method} call within {timeout}s; last calls: {seen}")
                self._cond.wait(remaining)

    @property
    def uploads(self) -> list[Upload]:
        with self._cond:
            return list(self._uploads)

    def file_content(self, file_id: str) -> bytes | None:
        with self._cond:
            stored = self._files.get(file_id)
            return None if stored is None else stored.content

    def transcript(self) -> list[TranscriptEntry]:
        with self._cond:
            return list(self._transcript)

    def delivery_log(self) -> list[Delivery]:
        with self._cond:
            return list(self._deliveries)

    def pending_updates(self) -> list[JsonDict]:
        """Updates not delivered yet (webhook) or not confirmed yet (getUpdates), in order."""
        with self._cond:
            return [copy.deepcopy(p.update) for p in self._pending]

    def wait_delivered(self, update_id: int, timeout: float = 5.0) -> Delivery:
        """Waits until a webhook delivery of that update got a 2xx answer."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                attempts = [d for d in self._deliveries if d.update_id == update_id]
                for delivery in attempts:
                    if delivery.ok:
                        return delivery
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    tried = [d.status or d.error for d in attempts]
                    raise TimeoutError(
                        f"update {update_id} was not delivered within {timeout}s; attempts: {tried}; "
                        f"webhook: {self._webhook.url if self._webhook else None}"
                    )
                self._cond.wait(remaining)

    def wait_all_delivered(self, timeout: float = 5.0) -> None:
        """Waits until no update is pending (with a webhook set)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    ids = [p.update_id for p in self._pending]
                    raise TimeoutError(f"updates still pending after {timeout}s: {ids}")
                self._cond.wait(remaining)

    def reset_records(self) -> None:
        """Forgets calls, transcript, deliveries and uploads (chats, files and updates stay)."""
        with self._cond:
            self._calls.clear()
            self._transcript.clear()
            self._deliveries.clear()
            self._uploads.clear()

    # ---- faults -------------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        count: int = 1,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
    ) -> None:
        """The next ``count`` calls of ``method`` (only to ``chat_id`` if given) fail with that error."""
        if method.lower() not in _METHOD_NAMES:
            raise ValueError(f"unknown method {method!r}")
        parameters: JsonDict | None = None
        if error_code == 429:
            retry_after = retry_after if retry_after is not None else 1
            description = description or f"Too Many Requests: retry after {retry_after}"
        if retry_after is not None:
            parameters = {"retry_after": retry_after}
        if description is None:
            phrase = _status_phrase(error_code)
            description = phrase if error_code >= 500 else f"{phrase}: injected by the emulator"
        with self._cond:
            error = ApiError(error_code, description, parameters)
            self._faults.append(_Fault(method.lower(), count, error, chat_id))

    def delay_next(self, method: str, seconds: float, *, count: int = 1, chat_id: int | None = None) -> None:
        """The next ``count`` calls of ``method`` (only to ``chat_id`` if given) are answered ``seconds``
        late, then normally: a slow Telegram, or a worker that outlives its timeout waiting for it."""
        if method.lower() not in _METHOD_NAMES:
            raise ValueError(f"unknown method {method!r}")
        with self._cond:
            self._faults.append(_Fault(method.lower(), count, None, chat_id, delay=seconds))

    # ---- HTTP ---------------------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        try:
            response = self._route(request)
        except Exception as exc:  # an emulator bug must answer, not hang the client
            body = {"ok": False, "error_code": 500, "description": f"emulator: {exc!r}"}
            response = _json_response(body, 500)
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        path = request.path
        match = _BOT_PATH.match(path)
        if match:
            return self._bot_api(request, match.group(1), match.group(2))
        match = _FILE_PATH.match(path)
        if match:
            return self._download(match.group(1), match.group(2))
        if path.startswith("/_emulator/"):
            return self._control(request)
        return _json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    def _bot_api(self, request: Request, token: str, method: str) -> Response:
        started = time.monotonic()
        canonical = _METHOD_NAMES.get(method.lower(), method)
        raw: Params = {}
        try:
            self._check_request(request, token, method)
            raw, files = _read_request(request)
            outcome = self._execute(canonical, raw, files, started)
        except ApiError as error:
            return _json_response(error.envelope(), error.code)
        body: JsonDict = {"ok": True, "result": outcome.result}
        if outcome.description:
            body["description"] = outcome.description
        return _json_response(body, 200)

    def _check_request(self, request: Request, token: str, method: str) -> None:
        if token != self.token:
            raise ApiError(401, "Unauthorized") if _TOKEN_SHAPE.match(token) else ApiError(404, "Not Found")
        if method.lower() not in _METHOD_NAMES:
            raise ApiError(404, "Not Found")
        if (request.content_length or 0) > MAX_UPLOAD_BYTES + 1024 * 1024:
            raise ApiError(413, "Request Entity Too Large")

    def _execute(self, method: str, raw: Params, files: Files, started: float) -> _Described:
        """Runs one Bot API method and records the call."""
        recorded: Params = dict(raw)
        for name, storage in files.items():
            recorded[name] = {"upload": storage.filename, "content_type": storage.mimetype}
        try:
            with self._cond:
                delay = self._take_delay(method, _decode_params(raw))
            if delay:
                time.sleep(delay)  # outside the lock: other calls go on meanwhile
            with self._cond:
                params = _decode_params(raw)
                recorded = {**params, **{k: v for k, v in recorded.items() if k in files}}
                self._check_fault(method, params)
                outcome = self._handlers[method.lower()](params, files)
        except ApiError as error:
            self._record(method, recorded, started, error=error)
            raise
        described = outcome if isinstance(outcome, _Described) else _Described(outcome, "")
        self._record(method, recorded, started, result=described.result)
        return described

    def _record(
        self,
        method: str,
        params: Params,
        started: float,
        *,
        result: Any = None,
        error: ApiError | None = None,
    ) -> None:
        call = ApiCall(
            method=method,
            params=params,
            ok=error is None,
            error_code=None if error is None else error.code,
            description=None if error is None else error.description,
            time=started,
            duration=time.monotonic() - started,
            result=copy.deepcopy(result),
        )
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def _download(self, token: str, file_path: str) -> Response:
        if token != self.token:
            return _json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        with self._cond:
            stored = next((f for f in self._files.values() if f.file_path == file_path), None)
        if stored is None or stored.content is None:
            return _json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return Response(stored.content, status=200, mimetype=stored.mime_type)

    def _control(self, request: Request) -> Response:
        """The JSON control API: thin wrappers over the Python API."""
        path = request.path
        try:
            body = _control_body(request)
            result: Any
            if path == "/_emulator/users" and request.method == "POST":
                result = self.add_user(
                    int(body["user_id"]),
                    str(body["first_name"]),
                    last_name=body.get("last_name"),
                    username=body.get("username"),
                    language_code=body.get("language_code", "id"),
                )
            elif path == "/_emulator/groups" and request.method == "POST":
                result = self.add_group(
                    int(body["chat_id"]),
                    str(body["title"]),
                    members=[int(m) for m in body.get("members", [])],
                    forum=bool(body.get("forum", False)),
                    bot_is_admin=bool(body.get("bot_is_admin", True)),
                    bot_is_member=bool(body.get("bot_is_member", True)),
                )
            elif path == "/_emulator/send" and request.method == "POST":
                result = self.send_message(
                    int(body["user_id"]),
                    str(body["text"]),
                    chat_id=_optional_int(body.get("chat_id")),
                    reply_to_message_id=_optional_int(body.get("reply_to_message_id")),
                    forward_from=_optional_int(body.get("forward_from")),
                    message_thread_id=_optional_int(body.get("message_thread_id")),
                )
            elif path == "/_emulator/press" and request.method == "POST":
                result = self.press_button(
                    int(body["user_id"]),
                    int(body["chat_id"]),
                    int(body["message_id"]),
                    str(body["callback_data"]),
                )
            elif path == "/_emulator/fail_next" and request.method == "POST":
                self.fail_next(
                    str(body["method"]),
                    count=int(body.get("count", 1)),
                    error_code=int(body.get("error_code", 429)),
                    description=body.get("description"),
                    retry_after=_optional_int(body.get("retry_after")),
                    chat_id=_optional_int(body.get("chat_id")),
                )
                result = True
            elif path == "/_emulator/transcript" and request.method == "GET":
                result = [dataclasses.asdict(e) for e in self.transcript()]
            elif path == "/_emulator/calls" and request.method == "GET":
                result = [dataclasses.asdict(c) for c in self.calls]
            elif (match := _CHAT_MESSAGES_PATH.match(path)) and request.method == "GET":
                result = [m.to_dict() for m in self.messages(int(match.group(1)))]
            else:
                missing = {"ok": False, "error": f"no such endpoint: {request.method} {path}"}
                return _json_response(missing, 404)
        except (KeyError, ValueError, TypeError) as exc:
            return _json_response({"ok": False, "error": f"{type(exc).__name__}: {exc}"}, 400)
        return _json_response({"ok": True, "result": result}, 200)

    # ---- Bot API: bot and updates -------------------------------------------------------------------

    def _get_me(self, p: Params, files: Files) -> JsonDict:
        return {
            **copy.deepcopy(self.bot_user),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_webhook(self, p: Params, files: Files) -> _Described:
        url = str(p.get("url") or "").strip()
        if not url:
            return self._delete_webhook(p, files)
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            # Telegram wants HTTPS; the emulator also accepts plain HTTP for local endpoints.
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if not parts.hostname:
            raise _bad("bad webhook: Failed to resolve host: Name or service not known")
        secret = p.get("secret_token")
        if secret is not None and secret != "" and not _SECRET_TOKEN.match(str(secret)):
            raise _bad("secret token contains unallowed characters")
        max_connections = p.get("max_connections", 40) or 40
        max_connections = max(1, min(100, int(max_connections)))  # Telegram clamps
        if "allowed_updates" in p:
            self._allowed_updates = _allowed_updates_param(p["allowed_updates"])
        if p.get("drop_pending_updates"):
            self._pending.clear()
        current = self._webhook
        if (
            current is not None
            and current.url == url
            and current.secret_token == (secret or None)
            and current.max_connections == max_connections
        ):
            return _Described(True, "Webhook is already set")
        self._webhook_generation += 1
        secret_token = str(secret) if secret else None
        self._webhook = _Webhook(url, secret_token, max_connections, self._webhook_generation)
        if self._http is None:
            limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
            self._http = httpx.Client(timeout=self.webhook_timeout, limits=limits)
        self._workers = [w for w in self._workers if w.is_alive()]
        for n in range(max_connections):
            worker = threading.Thread(
                target=self._webhook_worker,
                args=(self._webhook_generation,),
                name=f"telegram-webhook-{self._webhook_generation}-{n}",
                daemon=True,
            )
            self._workers.append(worker)
            worker.start()
        self._cond.notify_all()
        return _Described(True, "Webhook was set")

    def _delete_webhook(self, p: Params, files: Files) -> _Described:
        if p.get("drop_pending_updates"):
            self._pending.clear()
        if self._webhook is None:
            return _Described(True, "Webhook is already deleted")
        self._webhook = None
        self._cond.notify_all()
        return _Described(True, "Webhook was deleted")

    def _get_webhook_info(self, p: Params, files: Files) -> JsonDict:
        info: JsonDict = {
            "url": self._webhook.url if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook.max_connections
            if self._webhook.last_error_date is not None:
                info["last_error_date"] = self._webhook.last_error_date
                info["last_error_message"] = self._webhook.last_error_message
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    def _get_updates(self, p: Params, files: Files) -> list[JsonDict]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if "allowed_updates" in p:
            self._allowed_updates = _allowed_updates_param(p["allowed_updates"])
        offset = int(p.get("offset", 0) or 0)
        limit = int(p.get("limit", 100) or 100)
        limit = max(1, min(100, limit))
        timeout = max(0, int(p.get("timeout", 0) or 0))
        if offset > 0:
            self._pending = [u for u in self._pending if u.update_id >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._cond.notify_all()
        deadline = time.monotonic() + timeout
        while True:
            if self._pending or self._stopping or self._webhook is not None:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._cond.wait(remaining)
            if self._poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
        return [copy.deepcopy(u.update) for u in self._pending[:limit]]

    # ---- Bot API: sending -----------------------------------------------------------------------------

    def _send_message(self, p: Params, files: Files) -> JsonDict:
        inline, _ = _parse_reply_markup(p.get("reply_markup"))
        text = _text_param(p, "text")
        if not text:
            raise _bad("message text is empty")
        formatted = self._formatted(text, p.get("parse_mode"), p.get("entities"))
        if not formatted.text:
            raise _bad("message must be non-empty")
        chat = self._writable_chat(p)
        thread_id = self._thread_id(chat, p)
        reply_to = self._reply_target(chat, p)
        if markup.utf16_len(formatted.text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        self._check_flood(chat)
        msg = self._bot_message(chat, reply_to, thread_id)
        msg.text, msg.entities, msg.reply_markup = formatted.text, formatted.entities, inline
        return self._publish_bot_message(chat, msg, "text", msg.text)

    def _send_photo(self, p: Params, files: Files) -> JsonDict:
        return self._send_media(p, files, "photo", "sendPhoto")

    def _send_document(self, p: Params, files: Files) -> JsonDict:
        return self._send_media(p, files, "document", "sendDocument")

    def _send_media(self, p: Params, files: Files, kind: str, method: str) -> JsonDict:
        inline, _ = _parse_reply_markup(p.get("reply_markup"))
        caption = self._caption(p)
        chat = self._writable_chat(p)
        thread_id = self._thread_id(chat, p)
        reply_to = self._reply_target(chat, p)
        self._check_caption_length(caption)
        stored = self._input_file(p, files, kind, method, chat)
        self._check_flood(chat)
        msg = self._bot_message(chat, reply_to, thread_id)
        if kind == "photo":
            msg.photo = copy.deepcopy(stored.photo_sizes)
        else:
            msg.document = self._document_json(stored)
        if caption is not None and caption.text:
            msg.caption, msg.caption_entities = caption.text, caption.entities
        msg.reply_markup = inline
        line = (msg.caption or "") if kind == "photo" else _document_line(msg)
        return self._publish_bot_message(chat, msg, kind, line)

    def _copy_message(self, p: Params, files: Files) -> JsonDict:
        inline, _ = _parse_reply_markup(p.get("reply_markup"))
        caption = self._caption(p) if "caption" in p else None
        chat = self._writable_chat(p)
        source_chat = self._readable_chat(p, "from_chat_id")
        source = self._existing_message(source_chat, p, "message to copy not found")
        if source.service is not None:
            raise _bad("message can't be copied")
        thread_id = self._thread_id(chat, p)
        reply_to = self._reply_target(chat, p)
        if source.text is None and caption is not None:
            self._check_caption_length(caption)
        self._check_flood(chat)
        msg = self._bot_message(chat, reply_to, thread_id)
        msg.text, msg.entities = source.text, copy.deepcopy(source.entities)
        msg.document, msg.photo = copy.deepcopy(source.document), copy.deepcopy(source.photo)
        if source.text is None:
            if caption is not None:
                msg.caption = caption.text or None
                msg.caption_entities = caption.entities if caption.text else []
            else:
                msg.caption, msg.caption_entities = source.caption, copy.deepcopy(source.caption_entities)
        msg.reply_markup = inline
        kind = "photo" if msg.photo else "document" if msg.document else "text"
        self._publish_bot_message(chat, msg, kind, msg.content if kind != "document" else _document_line(msg))
        return {"message_id": msg.message_id}

    def _forward_message(self, p: Params, files: Files) -> JsonDict:
        chat = self._writable_chat(p)
        source_chat = self._readable_chat(p, "from_chat_id")
        source = self._existing_message(source_chat, p, "message to forward not found")
        if source.service is not None:
            raise _bad("message can't be forwarded")
        thread_id = self._thread_id(chat, p)
        self._check_flood(chat)
        msg = self._bot_message(chat, None, thread_id)
        msg.text, msg.entities = source.text, copy.deepcopy(source.entities)
        msg.caption, msg.caption_entities = source.caption, copy.deepcopy(source.caption_entities)
        msg.document, msg.photo = copy.deepcopy(source.document), copy.deepcopy(source.photo)
        msg.forward_origin = copy.deepcopy(source.forward_origin) or self._origin_of_message(source)
        kind = "photo" if msg.photo else "document" if msg.document else "text"
        return self._publish_bot_message(
            chat, msg, kind, msg.content if kind != "document" else _document_line(msg)
        )

    def _send_chat_action(self, p: Params, files: Files) -> bool:
        action = _text_param(p, "action")
        if not action:
            raise _bad("action is empty")  # checked before the chat, as the Bot API does
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self._writable_chat(p)
        return True

    # ---- Bot API: editing ---------------------------------------------------------------------------

    def _edit_target(self, p: Params) -> tuple[_Chat, ChatMessage]:
        if p.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")  # the emulator has no inline messages
        chat = self._writable_chat(p)
        msg = self._existing_message(chat, p, "message to edit not found")
        if not msg.is_bot or msg.service is not None:
            raise _bad("message can't be edited")
        return chat, msg

    def _edit_message_text(self, p: Params, files: Files) -> JsonDict:
        inline, given = _parse_reply_markup(p.get("reply_markup"))
        if given and inline is None:
            raise _bad("inline keyboard expected")
        text = _text_param(p, "text")
        if not text:
            raise _bad("message text is empty")
        formatted = self._formatted(text, p.get("parse_mode"), p.get("entities"))
        if not formatted.text:
            raise _bad("message must be non-empty")
        chat, msg = self._edit_target(p)
        if msg.text is None:
            raise _bad("there is no text in the message to edit")
        if markup.utf16_len(formatted.text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        if (
            msg.text == formatted.text
            and _same_json(msg.entities, formatted.entities)
            and _same_json(msg.reply_markup, inline)
        ):
            raise _not_modified()
        msg.text, msg.entities, msg.reply_markup = formatted.text, formatted.entities, inline
        return self._publish_edit(chat, msg)

    def _edit_message_caption(self, p: Params, files: Files) -> JsonDict:
        inline, given = _parse_reply_markup(p.get("reply_markup"))
        if given and inline is None:
            raise _bad("inline keyboard expected")
        caption = self._caption(p)
        chat, msg = self._edit_target(p)
        if msg.text is not None:
            raise _bad("there is no caption in the message to edit")
        self._check_caption_length(caption)
        new_text = caption.text if caption and caption.text else None
        new_entities = caption.entities if caption and caption.text else []
        if (
            msg.caption == new_text
            and _same_json(msg.caption_entities, new_entities)
            and _same_json(msg.reply_markup, inline)
        ):
            raise _not_modified()
        msg.caption, msg.caption_entities, msg.reply_markup = new_text, new_entities, inline
        return self._publish_edit(chat, msg)

    def _edit_message_reply_markup(self, p: Params, files: Files) -> JsonDict:
        inline, given = _parse_reply_markup(p.get("reply_markup"))
        if given and inline is None:
            raise _bad("inline keyboard expected")
        chat, msg = self._edit_target(p)
        if _same_json(msg.reply_markup, inline):
            raise _not_modified()
        msg.reply_markup = inline
        return self._publish_edit(chat, msg)

    def _publish_edit(self, chat: _Chat, msg: ChatMessage) -> JsonDict:
        msg.edit_date = int(time.time())
        self._note(chat, None, "edit", msg.content, msg.message_id, msg.buttons)
        self._cond.notify_all()
        return self._message_json(msg)

    def _delete_message(self, p: Params, files: Files) -> bool:
        chat = self._readable_chat(p, "chat_id")
        msg = self._existing_message(chat, p, "message to delete not found")
        if chat.type != "private" and not msg.is_bot and not chat.bot_is_admin:
            raise _bad("message can't be deleted")
        msg.deleted = True
        self._note(chat, None, "delete", f"(pesan #{msg.message_id} dihapus)", msg.message_id)
        self._cond.notify_all()
        return True

    def _answer_callback_query(self, p: Params, files: Files) -> bool:
        query_id = _text_param(p, "callback_query_id") or ""
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = _text_param(p, "text") or ""
        if len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        if text:
            chat = self._chats[query.chat_id]
            shown = f"(alert) {text}" if p.get("show_alert") else f"(notification) {text}"
            self._note(chat, None, "callback", shown, query.message_id)
        self._cond.notify_all()
        return True

    # ---- Bot API: commands, chats, files ------------------------------------------------------------

    def _command_key(self, p: Params) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
            raise _bad("can't parse BotCommandScope JSON object")
        kind = str(scope["type"])
        normalized: JsonDict = {"type": kind}
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat_id = _chat_id_value(scope.get("chat_id", ""))
            if not isinstance(chat_id, int) or chat_id not in self._chats:
                raise _bad("chat not found")
            normalized["chat_id"] = chat_id
        if kind == "chat_member":
            normalized["user_id"] = _lenient_int(scope.get("user_id", 0))
            if normalized["user_id"] not in self._users:
                raise _bad("user not found")
        language = _text_param(p, "language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad("invalid language code specified")
        return json.dumps(normalized, sort_keys=True), language

    def _set_my_commands(self, p: Params, files: Files) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        checked: list[JsonDict] = []
        for item in commands:
            if not isinstance(item, dict) or not isinstance(item.get("command"), str):
                raise _bad("can't parse commands JSON object")
            command = item["command"]
            description = item.get("description")
            if not _COMMAND.match(command):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            checked.append({"command": command, "description": description.strip()})
        key = self._command_key(p)
        if checked:
            self._commands[key] = checked
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, p: Params, files: Files) -> list[JsonDict]:
        return copy.deepcopy(self._commands.get(self._command_key(p), []))

    def _delete_my_commands(self, p: Params, files: Files) -> bool:
        self._commands.pop(self._command_key(p), None)
        return True

    def _get_chat(self, p: Params, files: Files) -> JsonDict:
        chat = self._readable_chat(p, "chat_id")
        info = self._chat_json(chat)
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info

    def _get_chat_member(self, p: Params, files: Files) -> JsonDict:
        chat = self._readable_chat(p, "chat_id")
        user_id = int(p.get("user_id", 0) or 0)
        if user_id == self.bot_user["id"]:
            status = "administrator" if chat.bot_is_admin else "member"
            return {"status": status, "user": copy.deepcopy(self.bot_user), **_admin_rights(status)}
        user = self._users.get(user_id)
        if user is None:
            raise _bad("user not found")
        if chat.type == "private":
            status = "member" if chat.user_id == user_id else "left"
        else:
            status = "member" if user_id in chat.members else "left"
        return {"status": status, "user": copy.deepcopy(user.info)}

    def _create_forum_topic(self, p: Params, files: Files) -> JsonDict:
        chat = self._writable_chat(p)
        if chat.type == "private" or not chat.forum:
            raise _bad("the chat is not a forum")
        if not chat.bot_is_admin:
            raise _bad("not enough rights to create a topic")
        name = _text_param(p, "name") or ""
        if not name.strip():
            raise _bad("TOPIC_TITLE_EMPTY")
        if len(name) > 128:
            raise _bad("TOPIC_TITLE_TOO_LONG")
        color = int(p.get("icon_color") or _TOPIC_COLORS[0])
        if color not in _TOPIC_COLORS:
            raise _bad("TOPIC_ICON_COLOR_INVALID")  # one of the six colours Telegram offers
        msg = self._bot_message(chat, None, None)
        msg.message_thread_id = msg.message_id
        topic: JsonDict = {"name": name, "icon_color": color}
        msg.service = {"forum_topic_created": dict(topic)}
        chat.topics[msg.message_id] = topic
        self._note(chat, None, "text", f"(topic created: {name})", msg.message_id)
        self._cond.notify_all()
        return {"message_thread_id": msg.message_id, **topic}

    def _get_file(self, p: Params, files: Files) -> JsonDict:
        file_id = _text_param(p, "file_id") or ""
        stored = self._files.get(file_id)
        if stored is None:
            raise _bad("invalid file_id")
        if stored.size > MAX_DOWNLOAD_BYTES:
            raise _bad("file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    # ---- rules shared by the methods ----------------------------------------------------------------

    def _take_delay(self, method: str, params: Params) -> float:
        for fault in self._faults:
            if fault.error is not None or fault.method != method.lower() or fault.remaining <= 0:
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            fault.remaining -= 1
            self._faults = [f for f in self._faults if f.remaining > 0]
            return fault.delay
        return 0.0

    def _check_fault(self, method: str, params: Params) -> None:
        for fault in self._faults:
            if fault.error is None or fault.method != method.lower() or fault.remaining <= 0:
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            fault.remaining -= 1
            self._faults = [f for f in self._faults if f.remaining > 0]
            raise ApiError(fault.error.code, fault.error.description, copy.deepcopy(fault.error.parameters))

    def _lookup_chat(self, p: Params, name: str) -> _Chat:
        raw = p.get(name)
        if raw is None or raw == "":
            raise _bad(f"{name} is empty")
        chat = self._chats.get(raw) if isinstance(raw, int) else None
        if chat is None:
            raise _bad("chat not found")
        return chat

    def _readable_chat(self, p: Params, name: str) -> _Chat:
        """A chat the bot can see: it exists and, for a group, the bot is in it."""
        chat = self._lookup_chat(p, name)
        if chat.type != "private" and not chat.bot_is_member:
            raise _forbidden("bot is not a member of the supergroup chat")
        return chat

    def _writable_chat(self, p: Params) -> _Chat:
        """A chat the bot may write to: the user started it and did not block it; the bot is in the group."""
        chat = self._readable_chat(p, "chat_id")
        if chat.type == "private":
            user = self._users[chat.user_id or 0]
            if user.blocked:
                raise _forbidden("bot was blocked by the user")
            if not user.started:
                raise _forbidden("bot can't initiate conversation with a user")
        return chat

    def _existing_message(self, chat: _Chat, p: Params, missing: str) -> ChatMessage:
        message_id = int(p.get("message_id", 0) or 0)
        if not message_id:
            raise _bad("message identifier is not specified")
        msg = chat.messages.get(message_id)
        if msg is None or msg.deleted:
            raise _bad(missing)
        return msg

    def _thread_id(self, chat: _Chat, p: Params) -> int | None:
        thread_id = int(p.get("message_thread_id", 0) or 0)
        if not thread_id or chat.type == "private" or not chat.forum:
            return None
        if thread_id not in chat.topics:
            raise _bad("message thread not found")
        return thread_id

    def _reply_target(self, chat: _Chat, p: Params) -> int | None:
        reply = p.get("reply_parameters")
        allow_missing = bool(p.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            message_id = _lenient_int(reply.get("message_id", 0))
            allow_missing = allow_missing or reply.get("allow_sending_without_reply") is True
            if "chat_id" in reply and _chat_id_value(reply["chat_id"]) != chat.id:
                raise _bad("message to be replied not found")  # cross-chat replies are not emulated
        elif reply is not None:
            raise _bad("can't parse reply parameters JSON object")
        else:
            message_id = int(p.get("reply_to_message_id", 0) or 0)
        if not message_id:
            return None
        target = chat.messages.get(message_id)
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        return message_id

    def _formatted(self, text: str, parse_mode: Any, entities: Any) -> markup.FormattedText:
        if entities is not None:
            try:
                parsed = markup.FormattedText(text, markup.entities_from_json(entities))
            except markup.EntityJsonError as exc:
                raise ApiError(400, str(exc)) from None
        else:
            mode = str(parse_mode or "")
            if mode and mode.lower() not in markup.PARSE_MODES:
                raise _bad("unsupported parse_mode")
            try:
                parsed = markup.parse(text, mode or None)
            except markup.EntityParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        fixed = markup.normalize(parsed.text, parsed.entities)
        for entity in fixed.entities:
            if entity["type"] == "text_mention":
                known = self._users.get(int(entity["user"]["id"]))
                entity["user"] = copy.deepcopy(known.info) if known else {**entity["user"], "is_bot": False}
                entity["user"].setdefault("first_name", "")
        return fixed

    def _caption(self, p: Params) -> markup.FormattedText | None:
        caption = _text_param(p, "caption")
        if caption is None:
            return None
        return self._formatted(caption, p.get("parse_mode"), p.get("caption_entities"))

    def _check_caption_length(self, caption: markup.FormattedText | None) -> None:
        if caption is not None and markup.utf16_len(caption.text) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")

    def _check_flood(self, chat: _Chat) -> None:
        """Telegram's flood control for message-creating methods: 429 with retry_after, nothing consumed."""
        limits = self.rate_limits
        now = time.monotonic()
        waits: list[float] = []
        if limits.global_per_second is not None:
            while self._global_times and self._global_times[0] <= now - 1.0:
                self._global_times.popleft()
            if len(self._global_times) >= limits.global_per_second:
                waits.append(self._global_times[0] + 1.0 - now)
        if chat.type != "private" and limits.group_messages is not None:
            while chat.sent_times and chat.sent_times[0] <= now - limits.group_window:
                chat.sent_times.popleft()
            if len(chat.sent_times) >= limits.group_messages:
                waits.append(chat.sent_times[0] + limits.group_window - now)
        if chat.type == "private" and limits.private_burst is not None:
            if chat.tokens < 0:
                chat.tokens, chat.tokens_time = float(limits.private_burst), now
            chat.tokens = min(
                float(limits.private_burst),
                chat.tokens + (now - chat.tokens_time) * limits.private_refill_per_second,
            )
            chat.tokens_time = now
            if chat.tokens < 1.0:
                waits.append((1.0 - chat.tokens) / limits.private_refill_per_second)
        if waits:
            raise _too_many(max(1, math.ceil(max(waits))))
        if limits.global_per_second is not None:
            self._global_times.append(now)
        if chat.type != "private" and limits.group_messages is not None:
            chat.sent_times.append(now)
        if chat.type == "private" and limits.private_burst is not None:
            chat.tokens -= 1.0

    def _input_file(self, p: Params, files: Files, kind: str, method: str, chat: _Chat) -> _StoredFile:
        value = p.get(kind)
        storage = files.get(kind)
        if storage is None and isinstance(value, str) and value.startswith("attach://"):
            storage = files.get(value[len("attach://") :])
            if storage is None:
                raise _bad(f"there is no {kind} in the request")
        if storage is not None:
            content = storage.read()
            if len(content) > MAX_UPLOAD_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            if not content:
                raise _bad("file must be non-empty")
            if kind == "photo" and not _looks_like_image(content):
                raise _bad("IMAGE_PROCESS_FAILED")
            name = storage.filename or kind
            mime = storage.mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream"
            if kind == "photo":
                mime = "image/jpeg"
            stored = self._store_file(kind, name, mime, content, None)
            self._uploads.append(
                Upload(
                    method=method,
                    chat_id=chat.id,
                    file_id=stored.file_id,
                    file_unique_id=stored.file_unique_id,
                    file_name=name,
                    mime_type=mime,
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    time=time.monotonic(),
                )
            )
            return stored
        if value is None or value == "":
            raise _bad(f"there is no {kind} in the request")
        reference = str(value).strip()
        if reference.lower().startswith(("http://", "https://")):
            name = urlsplit(reference).path.rsplit("/", 1)[-1] or kind
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return self._store_file(kind, name, "image/jpeg" if kind == "photo" else mime, None, reference)
        stored_file = self._files.get(reference)
        if stored_file is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if stored_file.kind != kind:
            raise _bad(f"can't use file of type {stored_file.kind.title()} as {kind.title()}")
        return stored_file

    # ---- messages, updates, transcript --------------------------------------------------------------

    def _require_user(self, user_id: int) -> _User:
        user = self._users.get(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}: add_user first")
        return user

    def _require_group(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None or chat.type == "private":
            raise ValueError(f"unknown group {chat_id}: add_group first")
        return chat

    def _acting(self, user_id: int, chat_id: int | None) -> tuple[_User, _Chat]:
        """The user and the chat they act in; a real client can only act in its own chats."""
        user = self._require_user(user_id)
        chat = self._chats.get(chat_id if chat_id is not None else user_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}")
        if chat.type == "private" and chat.user_id != user_id:
            raise ValueError(f"user {user_id} cannot act in the private chat of user {chat.user_id}")
        if chat.type != "private" and user_id not in chat.members:
            raise ValueError(f"user {user_id} is not a member of group {chat.id}")
        return user, chat

    def _new_message(
        self, chat: _Chat, sender: JsonDict, reply_to: int | None, thread_id: int | None
    ) -> ChatMessage:
        msg = ChatMessage(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            from_user=copy.deepcopy(sender),
            date=int(time.time()),
            reply_to_message_id=reply_to,
            message_thread_id=thread_id,
        )
        if thread_id is not None and reply_to is None:
            msg.reply_to_message_id = thread_id  # Telegram: a topic message replies to the topic's creation
        chat.next_message_id += 1
        chat.messages[msg.message_id] = msg
        return msg

    def _user_message(
        self, user: _User, chat: _Chat, reply_to: int | None, thread_id: int | None
    ) -> ChatMessage:
        if reply_to is not None:
            target = chat.messages.get(reply_to)
            if target is None or target.deleted:
                raise ValueError(f"chat {chat.id} has no message {reply_to} to reply to")
        if thread_id is not None and (not chat.forum or thread_id not in chat.topics):
            raise ValueError(f"chat {chat.id} has no topic {thread_id}")
        return self._new_message(chat, user.info, reply_to, thread_id)

    def _bot_message(self, chat: _Chat, reply_to: int | None, thread_id: int | None) -> ChatMessage:
        return self._new_message(chat, self.bot_user, reply_to, thread_id)

    def _set_caption(self, msg: ChatMessage, caption: str | None) -> None:
        if caption:
            fixed = markup.normalize(caption, [])
            if fixed.text:
                msg.caption, msg.caption_entities = fixed.text, fixed.entities

    def _post_user_message(
        self, user: _User, chat: _Chat, msg: ChatMessage, kind: str, line: str
    ) -> JsonDict:
        if chat.type == "private":
            user.started = True
            user.blocked = False
        self._note(chat, user.info["id"], kind, line, msg.message_id)
        update: JsonDict = {"message": self._message_json(msg)}
        if self._bot_receives(chat, msg):
            update = self._enqueue(update, chat.id)
        self._cond.notify_all()
        return copy.deepcopy(update)

    def _publish_bot_message(self, chat: _Chat, msg: ChatMessage, kind: str, line: str) -> JsonDict:
        self._note(chat, None, kind, line, msg.message_id, msg.buttons)
        self._cond.notify_all()
        return self._message_json(msg)

    def _bot_receives(self, chat: _Chat, msg: ChatMessage) -> bool:
        if chat.type == "private":
            return True
        if not chat.bot_is_member:
            return False
        if msg.service is not None or chat.bot_is_admin or not self.group_privacy:
            return True
        text = msg.content
        username = str(self.bot_user["username"]).lower()
        entities = msg.entities if msg.text is not None else msg.caption_entities
        for entity in entities:
            part = markup.utf16_slice(text, entity["offset"], entity["length"]).lower()
            if (
                entity["type"] == "bot_command"
                and entity["offset"] == 0
                and ("@" not in part or part.endswith("@" + username))
            ):
                return True
            if entity["type"] == "mention" and part == "@" + username:
                return True
        if msg.reply_to_message_id is not None and msg.reply_to_message_id != msg.message_thread_id:
            target = chat.messages.get(msg.reply_to_message_id)
            return target is not None and target.is_bot
        return False

    def _origin_of_user(self, user_id: int, date: int) -> JsonDict:
        if user_id == self.bot_user["id"]:
            sender = copy.deepcopy(self.bot_user)
        else:
            sender = copy.deepcopy(self._require_user(user_id).info)
        return {"type": "user", "sender_user": sender, "date": date}

    def _origin_of_message(self, msg: ChatMessage) -> JsonDict:
        return {"type": "user", "sender_user": copy.deepcopy(msg.from_user), "date": msg.date}

    def _chat_json(self, chat: _Chat) -> JsonDict:
        if chat.type == "private":
            user = self._users[chat.user_id or 0].info
            data: JsonDict = {"id": chat.id, "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if key in user:
                    data[key] = user[key]
            data["type"] = "private"
            return data
        data = {"id": chat.id, "title": chat.title, "type": "supergroup"}
        if chat.forum:
            data["is_forum"] = True
        return data

    def _document_json(self, stored: _StoredFile) -> JsonDict:
        return {
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
        }

    def _message_json(self, msg: ChatMessage, *, with_reply: bool = True) -> JsonDict:
        chat = self._chats[msg.chat_id]
        data: JsonDict = {
            "message_id": msg.message_id,
            "from": copy.deepcopy(msg.from_user),
            "chat": self._chat_json(chat),
            "date": msg.date,
        }
        if msg.message_thread_id is not None:
            data["message_thread_id"] = msg.message_thread_id
            data["is_topic_message"] = True
        if msg.forward_origin is not None:
            data["forward_origin"] = copy.deepcopy(msg.forward_origin)
        if with_reply and msg.reply_to_message_id is not None:
            target = chat.messages.get(msg.reply_to_message_id)
            if target is not None and not target.deleted:
                data["reply_to_message"] = self._message_json(target, with_reply=False)
        if msg.edit_date is not None:
            data["edit_date"] = msg.edit_date
        if msg.text is not None:
            data["text"] = msg.text
            if msg.entities:
                data["entities"] = copy.deepcopy(msg.entities)
        if msg.document is not None:
            data["document"] = copy.deepcopy(msg.document)
        if msg.photo is not None:
            data["photo"] = copy.deepcopy(msg.photo)
        if msg.caption is not None:
            data["caption"] = msg.caption
            if msg.caption_entities:
                data["caption_entities"] = copy.deepcopy(msg.caption_entities)
        if msg.reply_markup is not None:
            data["reply_markup"] = copy.deepcopy(msg.reply_markup)
        if msg.service is not None:
            data.update(copy.deepcopy(msg.service))
        return data

    def _store_file(
        self, kind: str, file_name: str, mime_type: str, content: bytes | None, url: str | None
    ) -> _StoredFile:
        number = next(self._file_counter)
        digest = hashlib.sha256(content if content is not None else (url or "").encode()).digest()
        unique = "AgAD" + _b64(digest[:9])
        prefix = "AgACAgUAAxkBAAI" if kind == "photo" else "BQACAgUAAxkBAAI"
        file_id = prefix + _b64(secrets.token_bytes(42))
        size = len(content) if content is not None else 0
        extension = mimetypes.guess_extension(mime_type) or ""
        stored = _StoredFile(
            file_id=file_id,
            file_unique_id=unique,
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
            size=size,
            content=content,
            url=url,
            file_path=f"{kind}s/file_{number}{extension}",
        )
        self._files[file_id] = stored
        if kind == "photo":
            for n, side in enumerate((90, 320, 800)):
                size_id = file_id if side == 800 else prefix + _b64(secrets.token_bytes(42))
                stored.photo_sizes.append(
                    {
                        "file_id": size_id,
                        "file_unique_id": unique + "-" + str(n),
                        "file_size": max(1, size * side // 800),
                        "width": side,
                        "height": side * 3 // 4,
                    }
                )
                self._files[size_id] = stored
        return stored

    def _take_update_id(self) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        return update_id

    def _enqueue(self, update: JsonDict, chat_id: int | None) -> JsonDict:
        """Queues an update if allowed_updates lets it through: returns it with its update_id, else as is."""
        kind = next((k for k in update if k != "update_id"), "")
        allowed = self._allowed_updates
        if allowed:
            if kind not in allowed:
                return update
        elif kind in _DEFAULT_EXCLUDED_UPDATES:
            return update
        update_id = self._take_update_id()
        stored = {"update_id": update_id, **update}
        self._pending.append(_Pending(copy.deepcopy(stored), update_id, chat_id))
        self._cond.notify_all()
        return stored

    def _note(
        self,
        chat: _Chat,
        user_id: int | None,
        kind: str,
        text: str,
        message_id: int | None,
        buttons: list[list[JsonDict]] | None = None,
    ) -> None:
        if user_id is None:
            who = f"{self.bot_user['first_name']} (bot)"
        else:
            role = self.private_role if chat.type == "private" else self.group_role
            who = f"{self._users[user_id].info['first_name']} ({role})"
        if chat.type == "private":
            info = self._users[chat.user_id or 0].info
            name = " ".join(part for part in (info["first_name"], info.get("last_name")) if part)
        else:
            name = chat.title
        labels = tuple(tuple(str(b.get("text", "")) for b in row) for row in (buttons or []))
        self._transcript.append(
            TranscriptEntry(time.time(), chat.id, name, who, kind, text, message_id, labels)
        )

    def _describe_chat(self, chat_id: int) -> str:
        chat = self._chats.get(chat_id)
        if chat is None:
            return "  (no such chat)"
        lines = []
        for msg in sorted(chat.messages.values(), key=lambda m: m.message_id):
            who = "bot" if msg.is_bot else msg.from_user.get("first_name", "?")
            flags = " [deleted]" if msg.deleted else ""
            content = msg.content or ("(service)" if msg.service else "(media)")
            lines.append(f"  #{msg.message_id} {who}{flags}: {content[:100]!r} buttons={msg.callback_data}")
        return "\n".join(lines) or "  (no messages)"

    # ---- webhook delivery ---------------------------------------------------------------------------

    def _next_deliverable(self) -> tuple[_Pending | None, float | None]:
        """The first pending update no earlier update of its chat is waiting before; else the time to wait."""
        now = time.monotonic()
        busy_chats: set[int] = set()
        soonest: float | None = None
        for item in self._pending:
            if item.chat_key is not None:
                if item.chat_key in busy_chats:
                    continue
                busy_chats.add(item.chat_key)
            if item.in_flight:
                continue
            if item.not_before > now:
                soonest = item.not_before if soonest is None else min(soonest, item.not_before)
                continue
            return item, None
        return None, None if soonest is None else max(0.001, soonest - now)

    def _webhook_worker(self, generation: int) -> None:
        while True:
            with self._cond:
                while True:
                    webhook, client = self._webhook, self._http
                    if (
                        self._stopping
                        or webhook is None
                        or client is None
                        or webhook.generation != generation
                    ):
                        return
                    item, wait = self._next_deliverable()
                    if item is not None:
                        break
                    self._cond.wait(wait)
                item.in_flight = True
                item.attempts += 1
                attempt = item.attempts
                body = json.dumps(item.update, ensure_ascii=False).encode("utf-8")
                headers = {"Content-Type": "application/json"}
                if webhook.secret_token:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
            status, error, answer, started, latency = _post_update(client, webhook.url, body, headers)
            delivered = status is not None and 200 <= status < 300
            with self._cond:
                self._deliveries.append(
                    Delivery(item.update_id, attempt, status, error, latency, started, item.chat_key)
                )
                item.in_flight = False
                if delivered:
                    self._pending = [p for p in self._pending if p is not item]
                else:
                    delay = self.webhook_retry_delays[min(attempt, len(self.webhook_retry_delays)) - 1]
                    item.not_before = time.monotonic() + delay
                    webhook.last_error_date = int(time.time())
                    webhook.last_error_message = error or (
                        f"Wrong response from the webhook: {status} {_status_phrase(status or 0)}"
                    )
                self._cond.notify_all()
            if delivered and answer:
                self._webhook_answer(answer)

    def _webhook_answer(self, answer: bytes) -> None:
        """Telegram runs a method given in the webhook's answer body (its result is not reported)."""
        try:
            data = json.loads(answer)
        except ValueError:
            return
        if not isinstance(data, dict) or not isinstance(data.get("method"), str):
            return
        method = _METHOD_NAMES.get(data["method"].lower())
        if method is None:
            return
        params = {k: v for k, v in data.items() if k != "method"}
        with contextlib.suppress(ApiError):
            self._execute(method, params, {}, time.monotonic())


# ==== helpers ========================================================================================


def _post_update(
    client: httpx.Client, url: str, body: bytes, headers: dict[str, str]
) -> tuple[int | None, str | None, bytes, float, float]:
    """POSTs one update: (status, error, answer body, start time, latency)."""
    started = time.monotonic()
    status: int | None = None
    error: str | None = None
    answer = b""
    try:
        response = client.post(url, content=body, headers=headers)
        status, answer = response.status_code, response.content
    except httpx.TimeoutException:
        error = "Read timeout expired"
    except httpx.ConnectError:
        error = "Connection refused"
    except (httpx.HTTPError, RuntimeError) as exc:  # RuntimeError: the client was closed by stop()
        error = f"{type(exc).__name__}: {exc}"
    return status, error, answer, started, time.monotonic() - started


def _json_response(body: Any, status: int) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def _read_request(request: Request) -> tuple[Params, Files]:
    """Parameters from the query string and the body (form, multipart or JSON), as the Bot API reads them."""
    params: Params = dict(request.args.items())
    files: Files = {}
    if request.mimetype == "application/json":
        data = request.get_data()
        if data.strip():
            try:
                body = json.loads(data)
            except ValueError:
                raise _bad("can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise _bad("JSON object expected as request body")
            params.update(body)
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        params.update(request.form.items())
        files = dict(request.files.items())
    return params, files


def _allowed_updates_param(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad("can't parse allowed_updates JSON object")
    return list(value)


def _chat_key(update: Mapping[str, Any]) -> int | None:
    for value in update.values():
        if not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    return None


def _not_modified() -> ApiError:
    return _bad(
        "message is not modified: specified new message content and reply markup are exactly the same as a "
        "current content and reply markup of the message"
    )


def _status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _admin_rights(status: str) -> JsonDict:
    if status != "administrator":
        return {}
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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _looks_like_image(content: bytes) -> bool:
    if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return True
    return content.startswith(_IMAGE_MAGIC)


def _document_line(msg: ChatMessage) -> str:
    name = (msg.document or {}).get("file_name", "document")
    return f"[{name}] {msg.caption}" if msg.caption else f"[{name}]"


def _control_body(request: Request) -> JsonDict:
    if request.method != "POST":
        return {}
    loaded = request.get_json(force=True, silent=True)
    if not isinstance(loaded, dict):
        raise TypeError("a JSON object is expected")
    return loaded


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
