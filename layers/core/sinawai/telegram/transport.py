"""The runtime's HTTP layer: python-telegram-bot's HTTPX transport, plus what no handler should have to
care about: Telegram's 429 answers are waited out (within the invocation's deadline), a second answer to a
button press is not an error, every message the bot wrote is recorded in the message log, and each call is
an X-Ray subsegment (its method and status, never its URL: the URL holds the bot token)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from telegram.request import HTTPXRequest, RequestData

from sinawai.platform import message_log
from sinawai.platform.db import Database
from sinawai.telegram import invocation
from sinawai.telegram.tracing import telegram_span

# The Bot API methods whose result is a message the bot wrote: each is recorded in the message log.
RECORDED_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendvideo",
        "sendvoice",
        "sendaudio",
        "sendsticker",
        "sendlocation",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)
MAX_429_RETRIES = 5
# 429 waits stop this long before the invocation's deadline: the update then fails cleanly and Lambda's
# retry resumes it (completed steps are not repeated), instead of a timeout in the middle of a wait.
DEADLINE_SAFETY_SECONDS = 5.0


def _method_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1].lower()


def _param(request_data: RequestData | None, name: str) -> Any:
    if request_data is None:
        return None
    return request_data.parameters.get(name)


class RecordingRequest(HTTPXRequest):
    """PTB's HTTPX transport, plus: waits out 429s, and records what the bot sent."""

    def __init__(self, db: Database, logger: Logger, *, tracer: Tracer | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._db = db
        self._logger = logger
        self._tracer = tracer
        self.bot_id: int | None = None
        self.bot_name: str | None = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        deadline = invocation.deadline.get()
        api_method = _method_of(url)
        for _ in range(MAX_429_RETRIES + 1):
            async with telegram_span(self._tracer, api_method) as answered:
                status, body = await super().do_request(url, method, request_data, *args, **kwargs)
                answered(status)
            if status != 429:
                break
            retry_after = _retry_after(body)
            if retry_after is None:
                break
            if deadline is not None and time.monotonic() + retry_after + DEADLINE_SAFETY_SECONDS > deadline:
                # Waiting would outlive the invocation: fail now, Lambda's retry continues later.
                self._logger.warning("429 wait would pass the deadline", extra={"retry_after": retry_after})
                break
            self._logger.info("telegram asked to slow down", extra={"retry_after": retry_after})
            await asyncio.sleep(retry_after)
        if status == 200:
            self._record(api_method, request_data, body)
        elif api_method == "answercallbackquery" and _query_expired(status, body):
            # Answering a button press only stops its spinner. Telegram refuses a second answer, and any
            # answer after about 15 s: a Lambda retry of the press (after a later step failed) must still
            # do the rest of its work, so the refusal is noted, not raised.
            self._logger.info("callback query already answered or expired", extra={"status": status})
            return 200, b'{"ok":true,"result":true}'
        return status, body

    def _record(self, api_method: str, request_data: RequestData | None, body: bytes) -> None:
        if api_method not in RECORDED_METHODS:
            return
        try:
            result = json.loads(body).get("result")
        except ValueError:
            return
        message = result if isinstance(result, dict) else {}
        chat = message.get("chat") or {}
        chat_id = chat.get("id") or _param(request_data, "chat_id")
        text = message.get("text") or message.get("caption") or _param(request_data, "text")
        data: dict[str, Any] = {}
        personal = invocation.personal_kind.get()
        if personal is not None and isinstance(text, str):
            data["personal"], data["length"] = personal, len(text)
            text = None
        for key in ("reply_markup", "document", "photo"):
            if key in message:
                data[key] = message[key]
        if api_method == "copymessage":
            data["from_chat_id"] = _param(request_data, "from_chat_id")
            data["source_message_id"] = _param(request_data, "message_id")
        try:
            message_log.log_outbound(
                self._db,
                message_log.OutboundMessage(
                    method=api_method,
                    chat_id=int(chat_id) if chat_id is not None else 0,
                    message_id=message.get("message_id"),
                    text=text if isinstance(text, str) else None,
                    data=data or None,
                    update_id=invocation.current_update_id.get(),
                    group=invocation.current_group.get(),
                    bot_id=self.bot_id,
                    bot_name=self.bot_name,
                ),
            )
        except Exception:
            # The message reached the user; a lost log row must not turn into a retry that repeats it.
            self._logger.exception("could not record an outgoing message")


def _query_expired(status: int, body: bytes) -> bool:
    try:
        description = str(json.loads(body).get("description") or "")
    except (ValueError, AttributeError):
        return False
    return status == 400 and "query is too old" in description.lower()


def _retry_after(body: bytes) -> float | None:
    try:
        params = json.loads(body).get("parameters") or {}
        return float(params["retry_after"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
