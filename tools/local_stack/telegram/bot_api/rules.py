"""Rules every Bot API method shares: which chats the bot may read or write, replies and topics,
formatted text, flood control, and the bot's new messages.
"""

from __future__ import annotations

import copy
import math
import time
from typing import Any

from local_stack import telegram_markup as markup
from local_stack.telegram.core import EmulatorCore
from local_stack.telegram.params import chat_id_value, lenient_int, text_param
from local_stack.telegram.records import (
    MAX_CAPTION_LENGTH,
    ApiError,
    ChatMessage,
    JsonDict,
    Params,
    bad,
    forbidden,
    too_many,
)
from local_stack.telegram.state import Chat


class BotRules(EmulatorCore):
    """Checks and helpers shared by the Bot API methods; they raise ``ApiError`` like Telegram."""

    # ---- chats and messages ---------------------------------------------------------------------

    def _lookup_chat(self, p: Params, name: str) -> Chat:
        raw = p.get(name)
        if raw is None or raw == "":
            raise bad(f"{name} is empty")
        chat = self._chats.get(raw) if isinstance(raw, int) else None
        if chat is None:
            raise bad("chat not found")
        return chat

    def _readable_chat(self, p: Params, name: str) -> Chat:
        """A chat the bot can see: it exists and, for a group, the bot is in it."""
        chat = self._lookup_chat(p, name)
        if chat.type != "private" and not chat.bot_is_member:
            kind = "group" if chat.type == "group" else "supergroup"
            raise forbidden(f"bot is not a member of the {kind} chat")
        return chat

    def _writable_chat(self, p: Params) -> Chat:
        """A chat the bot may write to: the user started it and did not block it; the bot is in the group."""
        chat = self._readable_chat(p, "chat_id")
        if chat.type == "private":
            user = self._users[chat.user_id or 0]
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.started:
                raise forbidden("bot can't initiate conversation with a user")
        return chat

    def _existing_message(self, chat: Chat, p: Params, missing: str) -> ChatMessage:
        message_id = int(p.get("message_id", 0) or 0)
        if not message_id:
            raise bad("message identifier is not specified")
        msg = chat.messages.get(message_id)
        if msg is None or msg.deleted:
            raise bad(missing)
        return msg

    def _thread_id(self, chat: Chat, p: Params) -> int | None:
        thread_id = int(p.get("message_thread_id", 0) or 0)
        if not thread_id or chat.type == "private" or not chat.forum:
            return None
        if thread_id not in chat.topics:
            raise bad("message thread not found")
        return thread_id

    def _reply_target(self, chat: Chat, p: Params) -> int | None:
        reply = p.get("reply_parameters")
        allow_missing = bool(p.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            message_id = lenient_int(reply.get("message_id", 0))
            allow_missing = allow_missing or reply.get("allow_sending_without_reply") is True
            if "chat_id" in reply and chat_id_value(reply["chat_id"]) != chat.id:
                raise bad("message to be replied not found")  # cross-chat replies are not emulated
        elif reply is not None:
            raise bad("can't parse reply parameters JSON object")
        else:
            message_id = int(p.get("reply_to_message_id", 0) or 0)
        if not message_id:
            return None
        target = chat.messages.get(message_id)
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise bad("message to be replied not found")
        return message_id

    # ---- text -----------------------------------------------------------------------------------

    def _formatted(self, text: str, parse_mode: Any, entities: Any) -> markup.FormattedText:
        if entities is not None:
            try:
                parsed = markup.FormattedText(text, markup.entities_from_json(entities))
            except markup.EntityJsonError as exc:
                raise ApiError(400, str(exc)) from None
        else:
            mode = str(parse_mode or "")
            if mode.lower() == "markdown":
                # Telegram accepts legacy Markdown, the emulator does not parse it (the bot sends HTML only):
                # refused loudly rather than let unchecked markup through
                raise bad("parse_mode Markdown (legacy) is not emulated: use HTML or MarkdownV2")
            if mode and mode.lower() not in markup.PARSE_MODES:
                raise bad("unsupported parse_mode")
            try:
                parsed = markup.parse(text, mode or None)
            except markup.EntityParseError as exc:
                raise bad(f"can't parse entities: {exc}") from None
        fixed = markup.normalize(parsed.text, parsed.entities)
        for entity in fixed.entities:
            if entity["type"] == "text_mention":
                known = self._users.get(int(entity["user"]["id"]))
                entity["user"] = copy.deepcopy(known.info) if known else {**entity["user"], "is_bot": False}
                entity["user"].setdefault("first_name", "")
        return fixed

    def _caption(self, p: Params) -> markup.FormattedText | None:
        caption = text_param(p, "caption")
        if caption is None:
            return None
        return self._formatted(caption, p.get("parse_mode"), p.get("caption_entities"))

    def _check_caption_length(self, caption: markup.FormattedText | None) -> None:
        if caption is not None and markup.utf16_len(caption.text) > MAX_CAPTION_LENGTH:
            raise bad("message caption is too long")

    # ---- flood control --------------------------------------------------------------------------

    def _check_flood(self, chat: Chat) -> None:
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
            raise too_many(max(1, math.ceil(max(waits))))
        if limits.global_per_second is not None:
            self._global_times.append(now)
        if chat.type != "private" and limits.group_messages is not None:
            chat.sent_times.append(now)
        if chat.type == "private" and limits.private_burst is not None:
            chat.tokens -= 1.0

    # ---- the bot's messages ---------------------------------------------------------------------

    def _bot_message(self, chat: Chat, reply_to: int | None, thread_id: int | None) -> ChatMessage:
        return self._new_message(chat, self.bot_user, reply_to, thread_id)

    def _publish_bot_message(self, chat: Chat, msg: ChatMessage, kind: str, line: str) -> JsonDict:
        self._note(chat, None, kind, line, msg.message_id, msg.buttons)
        self._cond.notify_all()
        return self._message_json(msg)

    def _origin_of_message(self, msg: ChatMessage) -> JsonDict:
        return {"type": "user", "sender_user": copy.deepcopy(msg.from_user), "date": msg.date}
