"""The emulator's shared core: its state, the chat histories, the update queue and the transcript.

Every part of the emulator (the Bot API methods, the control API, the HTTP server, update delivery) is a mixin
over ``EmulatorCore`` and works under its one lock (``self._cond``).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import mimetypes
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from werkzeug.serving import BaseWSGIServer

from local_stack.telegram.records import (
    ApiCall,
    ChatMessage,
    Delivery,
    Files,
    JsonDict,
    Params,
    RateLimits,
    TranscriptEntry,
    Upload,
)
from local_stack.telegram.state import Chat, Fault, Pending, Query, StoredFile, User, Webhook

# Update types delivered when allowed_updates is empty or was never given.
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class EmulatorCore:
    """State shared by all the parts, and the model they all need: messages as JSON, files, updates."""

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
        self._users: dict[int, User] = {}
        self._chats: dict[int, Chat] = {}
        self._files: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._queries: dict[str, Query] = {}
        self._query_counter = itertools.count(secrets.randbelow(10**15) + 10**18)
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}  # (kind, language_code) -> text
        self._next_update_id = first_update_id
        self._poll_generation = 0  # a newer getUpdates request terminates a waiting one
        self._pending: list[Pending] = []
        self._allowed_updates: list[str] | None = None
        self._webhook: Webhook | None = None
        self._webhook_generation = 0
        self._workers: list[threading.Thread] = []
        # one HTTP client shared by the webhook workers (httpx clients are thread-safe)
        self._http: httpx.Client | None = None
        self._global_times: deque[float] = deque()
        self._faults: list[Fault] = []
        self._held = 0  # calls being held by a delay (delay_next)
        self._polls_waiting = 0  # getUpdates requests long polling right now
        self._calls: list[ApiCall] = []
        self._transcript: list[TranscriptEntry] = []
        self._deliveries: list[Delivery] = []
        self._uploads: list[Upload] = []
        self._stopping = False
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        # Bot API method (lower case) -> its implementation, filled by the emulator class
        self._handlers: dict[str, Callable[[Params, Files], Any]] = self._bot_methods()

    def _bot_methods(self) -> dict[str, Callable[[Params, Files], Any]]:
        """The Bot API methods by lower-case name (the emulator class lists them all)."""
        return {}

    # ---- chat histories -------------------------------------------------------------------------

    def _new_message(
        self, chat: Chat, sender: JsonDict, reply_to: int | None, thread_id: int | None
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

    def _chat_json(self, chat: Chat) -> JsonDict:
        if chat.type == "private":
            user = self._users[chat.user_id or 0].info
            data: JsonDict = {"id": chat.id, "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if key in user:
                    data[key] = user[key]
            data["type"] = "private"
            return data
        data = {"id": chat.id, "title": chat.title, "type": chat.type}
        if chat.forum:
            data["is_forum"] = True
        return data

    def _document_json(self, stored: StoredFile) -> JsonDict:
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

    # ---- files ----------------------------------------------------------------------------------

    def _store_file(
        self, kind: str, file_name: str, mime_type: str, content: bytes | None, url: str | None
    ) -> StoredFile:
        number = next(self._file_counter)
        digest = hashlib.sha256(content if content is not None else (url or "").encode()).digest()
        unique = "AgAD" + _b64(digest[:9])
        prefix = "AgACAgUAAxkBAAI" if kind == "photo" else "BQACAgUAAxkBAAI"
        file_id = prefix + _b64(secrets.token_bytes(42))
        size = len(content) if content is not None else 0
        extension = mimetypes.guess_extension(mime_type) or ""
        stored = StoredFile(
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

    # ---- updates and the transcript -------------------------------------------------------------

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
        self._pending.append(Pending(copy.deepcopy(stored), update_id, chat_id))
        self._cond.notify_all()
        return stored

    def _note(
        self,
        chat: Chat,
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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
