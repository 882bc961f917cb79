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

Layout: ``emulator.py`` puts the parts together (one class, ``TelegramEmulator``, made of mixins over
``core.EmulatorCore``, which holds the state under one lock). ``bot_api/`` holds the Bot API methods by
concern (messages, edits, files, chats and members, commands and webhook settings, and the rules they share);
``control/`` the control API (people acting, observing, faults, and its JSON endpoints); ``delivery.py`` the
webhook delivery and getUpdates; ``server.py`` the HTTP server. Text-entity parsing is
``local_stack.telegram_markup``.
"""

from local_stack.telegram.emulator import TelegramEmulator
from local_stack.telegram.records import (
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_DOWNLOAD_BYTES,
    MAX_INLINE_BUTTONS,
    MAX_TEXT_LENGTH,
    MAX_UPLOAD_BYTES,
    MESSAGE_METHODS,
    METHODS,
    ApiCall,
    ApiError,
    ChatMessage,
    Delivery,
    JsonDict,
    RateLimits,
    TranscriptEntry,
    Upload,
)

__all__ = [
    "MAX_CALLBACK_ANSWER_LENGTH",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION_LENGTH",
    "MAX_DOWNLOAD_BYTES",
    "MAX_INLINE_BUTTONS",
    "MAX_TEXT_LENGTH",
    "MAX_UPLOAD_BYTES",
    "MESSAGE_METHODS",
    "METHODS",
    "ApiCall",
    "ApiError",
    "ChatMessage",
    "Delivery",
    "JsonDict",
    "RateLimits",
    "TelegramEmulator",
    "TranscriptEntry",
    "Upload",
]
