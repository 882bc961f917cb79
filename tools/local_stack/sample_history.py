"""What Telegram knows of the sample events, put into the emulator: their messages, files and button presses.

A sample event (``events/*.json``) carries an update Telegram delivered, so Telegram knows its message: the
bot may reply to it, edit the bot message whose button was pressed, answer the press, download the
document. Invoked with ``sam local invoke``, the update never passed through the emulator, which would
answer "message to be replied not found", "message to edit not found" or "Invalid file_id" where Telegram
would not. ``seed_sample_history`` records those messages in the chats with the events' own ids (and moves
each chat's next message id past them), the events' documents as files (the file of the same name in
``events/documents/``), and their callback queries as unanswered: exactly what the chats would hold had
the updates come through the emulator, and nothing is delivered.

The emulator has no public API for a message it did not see being sent, so this writes its state under
its lock (``_cond``, ``_chats``, ``_files``, ``_queries``): a change there fails the serve tests first.
"""

from __future__ import annotations

import copy
import json
import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_stack.telegram import ChatMessage, TelegramEmulator
from local_stack.telegram.state import Query, StoredFile

_MESSAGE_KEYS = ("message", "edited_message")


class SampleHistoryError(ValueError):
    """A sample event names a chat the emulator does not have, a file that is not in events/documents/, or
    a message id another sample event uses for a message of someone else."""


@dataclass(frozen=True)
class SampleUpdate:
    event: str
    update: dict[str, Any]


def sample_updates(events_dir: Path) -> list[SampleUpdate]:
    """The Telegram updates the sample events carry: a group function's ``update``, or the JSON body of an
    API Gateway event for the webhook (bodies that are not an update are skipped)."""
    found: list[SampleUpdate] = []
    for path in sorted(events_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            continue
        update = data.get("update")
        if update is None and isinstance(data.get("body"), str) and "httpMethod" in data:
            try:
                update = json.loads(data["body"])
            except ValueError:
                continue
        if isinstance(update, dict) and isinstance(update.get("update_id"), int):
            found.append(SampleUpdate(path.stem, update))
    return found


def _messages(update: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every message an update shows, replied-to messages first."""
    candidates = [update[k] for k in _MESSAGE_KEYS if isinstance(update.get(k), dict)]
    query = update.get("callback_query")
    if isinstance(query, dict) and isinstance(query.get("message"), dict):
        candidates.append(query["message"])
    for message in candidates:
        if isinstance(message.get("reply_to_message"), dict):
            yield message["reply_to_message"]
        yield message


def seed_sample_history(emulator: TelegramEmulator, events_dir: Path) -> int:
    """Record the sample events' messages, files and button presses; return how many messages."""
    updates = sample_updates(events_dir)
    seeded = 0
    with emulator._cond:  # the emulator's lock: its HTTP threads read this state
        for sample in updates:
            for message in _messages(sample.update):
                seeded += _seed_message(emulator, events_dir, sample.event, message)
            query = sample.update.get("callback_query")
            if isinstance(query, dict) and isinstance(query.get("message"), dict):
                qid = str(query["id"])
                if qid not in emulator._queries:
                    msg = query["message"]
                    emulator._queries[qid] = Query(
                        int(query["from"]["id"]), msg["chat"]["id"], msg["message_id"]
                    )
    return seeded


def _seed_message(emulator: TelegramEmulator, events_dir: Path, event: str, message: dict[str, Any]) -> int:
    chat_id = int(message["chat"]["id"])
    chat = emulator._chats.get(chat_id)
    if chat is None:
        raise SampleHistoryError(
            f"{event}.json: chat {chat_id} is not in the emulator (serve adds its people)"
        )
    message_id = int(message["message_id"])
    sender = dict(message.get("from") or {})
    if sender.get("is_bot"):
        sender = copy.deepcopy(emulator.bot_user)  # the events' bot is this bot
    known = chat.messages.get(message_id)
    if known is not None:
        if known.sender_id != sender.get("id"):
            raise SampleHistoryError(
                f"{event}.json: message {message_id} of chat {chat_id} is from {sender.get('id')} here and "
                f"from {known.sender_id} in another sample event"
            )
        return 0
    document = copy.deepcopy(message.get("document"))
    if document is not None:
        _seed_file(emulator, events_dir, event, document)
    reply_to = message.get("reply_to_message")
    chat.messages[message_id] = ChatMessage(
        chat_id=chat_id,
        message_id=message_id,
        from_user=sender,
        date=int(message.get("date", 0)),
        text=message.get("text"),
        entities=copy.deepcopy(message.get("entities") or []),
        caption=message.get("caption"),
        caption_entities=copy.deepcopy(message.get("caption_entities") or []),
        reply_markup=copy.deepcopy(message.get("reply_markup")),
        reply_to_message_id=int(reply_to["message_id"]) if isinstance(reply_to, dict) else None,
        document=document,
    )
    chat.next_message_id = max(chat.next_message_id, message_id + 1)
    return 1


def _seed_file(emulator: TelegramEmulator, events_dir: Path, event: str, document: dict[str, Any]) -> None:
    file_id = str(document["file_id"])
    if file_id in emulator._files:
        return
    name = str(document.get("file_name", ""))
    source = events_dir / "documents" / name
    if not source.is_file():
        raise SampleHistoryError(f"{event}.json: its document {name!r} is not in events/documents/")
    content = source.read_bytes()
    mime = str(document.get("mime_type") or mimetypes.guess_type(name)[0] or "application/octet-stream")
    extension = Path(name).suffix
    emulator._files[file_id] = StoredFile(
        file_id=file_id,
        file_unique_id=str(document.get("file_unique_id", file_id)),
        kind="document",
        file_name=name,
        mime_type=mime,
        size=len(content),
        content=content,
        url=None,
        file_path=f"documents/sample_{len(emulator._files) + 1}{extension}",
    )
