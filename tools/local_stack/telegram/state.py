"""The emulator's internal state: users, chats, stored files, pending updates, the webhook, faults."""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from local_stack.telegram.records import ApiError, ChatMessage, JsonDict


@dataclass
class User:
    info: JsonDict
    started: bool = False
    blocked: bool = False


@dataclass
class Chat:
    id: int
    type: str  # "private" | "group" (a basic group) | "supergroup"
    title: str
    user_id: int | None = None
    members: set[int] = field(default_factory=set)
    creator: int | None = None  # getChatMember "creator"
    admins: set[int] = field(default_factory=set)  # getChatMember "administrator"
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
class StoredFile:
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
class Pending:
    update: JsonDict
    update_id: int
    chat_key: int | None
    attempts: int = 0
    not_before: float = 0.0
    in_flight: bool = False


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    generation: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class Fault:
    method: str
    remaining: int
    error: ApiError | None  # None: a delay, then the call runs normally
    chat_id: int | None
    delay: float = 0.0
    # a delayed call whose client hung up meanwhile is dropped, as a request that never reached Telegram
    drop_if_client_gone: bool = False


@dataclass
class Query:
    user_id: int
    chat_id: int
    message_id: int
    answered: bool = False


@dataclass
class Described:
    """A successful result that also carries Telegram's "description" (setWebhook, deleteWebhook)."""

    result: Any
    description: str
