"""Control API: observing what the bot did (chat histories, API calls, deliveries, the transcript)."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable

from local_stack.telegram.core import EmulatorCore
from local_stack.telegram.records import ApiCall, ChatMessage, Delivery, JsonDict, TranscriptEntry, Upload


class Observation(EmulatorCore):
    """Read-only views of the emulator's records, and waiting for the bot."""

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

    def polling(self) -> bool:
        """A getUpdates request is waiting (long polling) right now."""
        with self._cond:
            return self._polls_waiting > 0

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
