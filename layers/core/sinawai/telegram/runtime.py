"""Runtime of a command-group function: one python-telegram-bot Application per container.

The Application is built and initialised once, on one long-lived event loop (never ``asyncio.run`` per
invocation: a second warm call would find its loop closed). Each invocation claims its update exactly once
in MySQL, lets PTB's handlers answer it, and records every message the bot sends in the message log.
Telegram's 429 answers are waited out here, in the HTTP layer, so no handler has to care.

Around every entry point (``GroupFunction.entry``): Powertools' log context, its metrics (EMF, with a
cold-start metric) and its tracer (X-Ray subsegments for MySQL, Telegram and AWS calls: ``tracing.py``);
and the bot token is masked in every log line (``sinawai.platform.log_redaction``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import importlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, InvalidToken
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot
from telegram.request import BaseRequest, RequestData

from sinawai.platform import anatomy, log_redaction, snapstart, updates
from sinawai.platform.config import Settings, bot_token, clear_caches, lease_margin_seconds
from sinawai.platform.db import Database
from sinawai.platform.errors import ClaimBusyError
from sinawai.platform.redact import redact_update
from sinawai.platform.seal import unseal
from sinawai.telegram import invocation
from sinawai.telegram.tracing import tracer_for
from sinawai.telegram.transport import RecordingRequest

SORRY_TEXT = (
    "Maaf, terjadi gangguan saat memproses pesan Anda dan pesan tersebut tidak dapat diproses. "
    "Silakan kirim ulang beberapa saat lagi."
)
LOST_STEP_TEXT = (
    "Maaf, pesan Anda tadi tidak dapat kami proses karena gangguan, dan demi keamanan isinya (mungkin "
    "kata sandi) tidak kami simpan. Silakan ulangi langkahnya: ketik /daftar untuk mendaftar, atau "
    "/gantisandi untuk mengganti kata sandi."
)
DEFAULT_BUDGET_SECONDS = 25.0  # the functions' timeout is 30 s; used when no Lambda context says more
# The token of the Application built before a SnapStart snapshot to prime PTB: no real token may be in it.
PRIMING_TOKEN = "0:snapshot-priming-placeholder"  # noqa: S105 - a placeholder, not a secret
# What the first Bot API request imports lazily (httpcore's HTTP/1.1 connection, h11, anyio's asyncio
# backend): imported before the snapshot instead of in the first invocation after each restore.
_IMPORTED_AT_FIRST_REQUEST = (
    "h11",
    "httpcore._async.http11",
    "httpcore._backends.anyio",
    "anyio._backends._asyncio",
)
# An update as Telegram sends one: parsed once before the snapshot, so its classes' code paths are warm.
_PRIMING_UPDATE: dict[str, Any] = {
    "update_id": 0,
    "message": {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 1, "type": "private", "first_name": "-"},
        "from": {"id": 1, "is_bot": False, "first_name": "-"},
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    },
}

T = TypeVar("T")

Registrar = Callable[[Application[Any, Any, Any, Any, Any, Any]], None]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class _NoGetUpdates(BaseRequest):
    """The Application's getUpdates request: never used (the webhook delivers updates, ``updater(None)``),
    so nothing is built for it; PTB would otherwise make a second HTTP client (an SSL context, about 20 ms
    of the first invocation). Any call is a programming error."""

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        raise RuntimeError("a group function never calls getUpdates")


class GroupContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context every handler gets: ``context.deps`` is its group function (db, settings, logger,
    ``once``), so handlers reach their dependencies through it, not through module globals."""

    def matched(self) -> tuple[str, ...]:
        """The groups the button's pattern caught (a category, a document id, an area and topic...)."""
        match = self.match
        assert match is not None
        return tuple(match.groups())

    @property
    def deps(self) -> GroupFunction:
        deps = self.application.bot_data["deps"]
        assert isinstance(deps, GroupFunction)
        return deps


class GroupFunction:
    """Wires one command group: Lambda event in, PTB handlers, exactly-once bookkeeping around them.

    ``lambda_handler`` is the function's Lambda entry point (``entry`` around ``handle``); a test builds a
    GroupFunction with its own ``db`` and calls ``handle`` directly. The metrics' ``service`` dimension is
    the logger's service (POWERTOOLS_SERVICE_NAME in AWS, e.g. sinawai-broadcast): the functions that share
    a group (information and broadcast, consultation and delivery) are told apart."""

    def __init__(
        self, group: str, register: Registrar, *, logger: Logger | None = None, db: Database | None = None
    ) -> None:
        self.group = group
        self.logger = logger or Logger(service=f"sinawai-{group}")
        log_redaction.install([logging.getLogger(self.logger.name)])
        self.metrics = Metrics(namespace="Sinawai", service=self.logger.service)
        self.tracer = tracer_for(self.logger.service)
        self.settings = Settings.from_env()
        self.db = db or Database()
        self.lambda_handler: Handler = self.entry(self.handle)
        self._register = register
        self._loop = asyncio.new_event_loop()
        self._app: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._request: RecordingRequest | None = None
        self._token: str | None = None  # the token the Application was built with
        self._handler_error: BaseException | None = None
        if snapstart.with_snapstart():
            snapstart.register_before_snapshot(self.before_snapshot)
            snapstart.register_after_restore(self.after_restore)

    def entry(self, handler: Handler) -> Handler:
        """``handler`` as a Lambda entry point: its log context, its metrics flushed as one EMF line (and
        ``ColdStart`` on a container's first invocation), and its X-Ray subsegment."""
        traced = self.tracer.capture_lambda_handler(handler, capture_response=False)
        measured = self.metrics.log_metrics(traced, capture_cold_start_metric=True)
        entry: Handler = self.logger.inject_lambda_context(clear_state=True)(measured)
        return entry

    def _build(self, token: str, request: BaseRequest) -> Application[Any, Any, Any, Any, Any, Any]:
        """The group's Application with its handlers, not initialised (no network call yet)."""
        base = self.settings.telegram_api_base_url
        app = (
            Application.builder()
            .token(token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .request(request)
            .get_updates_request(_NoGetUpdates())
            .updater(None)
            .context_types(ContextTypes(context=GroupContext))
            .build()
        )
        app.bot_data["deps"] = self
        self._register(app)
        app.add_error_handler(self._on_error)
        return app

    async def _application(self) -> Application[Any, Any, Any, Any, Any, Any]:
        if self._app is None:
            self._request = RecordingRequest(self.db, self.logger, tracer=self.tracer, connection_pool_size=8)
            self._token = bot_token()
            log_redaction.remember(self._token)
            app = self._build(self._token, self._request)
            await app.initialize()
            self._request.bot_id = app.bot.id
            self._request.bot_name = app.bot.first_name
            self._app = app
        return self._app

    # ---- SnapStart (sinawai.platform.snapstart) -------------------------------------------------------

    def before_snapshot(self) -> None:
        """Before the snapshot: prime PTB (an Application with the handlers, built with a placeholder token
        and a request that never connects, and an update parsed with it), then close and forget what must
        not be in the snapshot: the database connection and the settings holding its password, the cached
        secrets, the Application built with the real token (its HTTP connection pool), the remembered
        token and the event loop (its selector and whatever transports it holds)."""
        primed = self._build(PRIMING_TOKEN, _NoGetUpdates())
        Update.de_json(dict(_PRIMING_UPDATE), primed.bot)
        for module in _IMPORTED_AT_FIRST_REQUEST:
            with contextlib.suppress(ImportError):
                importlib.import_module(module)
        if self._app is not None:
            with contextlib.suppress(Exception):
                self._event_loop().run_until_complete(self._app.shutdown())
        self._app, self._request, self._token = None, None, None
        self.db.forget()
        clear_caches()
        log_redaction.forget()
        self._loop.close()

    def after_restore(self) -> None:
        """After a restore: new random seed and event loop; secrets, the database connection and the
        Application come back on first use (secrets read again, so a rotation since the snapshot is seen)."""
        snapstart.reseed_random()
        clear_caches()
        self.db.forget()
        self._event_loop()

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop.is_closed():
            self._loop = asyncio.new_event_loop()
        return self._loop

    async def _renewing_token(self, work: Callable[[], Awaitable[T]]) -> T:
        """Telegram answered 401: the token was revoked or rotated. Re-read it once, bypassing the secret
        cache, and rebuild the Application with it; an unchanged token is not tried twice. The error that
        escapes does not name the token (PTB's message does: Lambda would report it and the DLQ keep it)."""
        try:
            try:
                return await work()
            except InvalidToken:
                fresh = bot_token(fresh=True)
                if fresh == self._token:
                    raise
                log_redaction.remember(fresh)
                self.logger.warning("telegram refused the bot token: rebuilt with the token read again")
                app, self._app = self._app, None
                if app is not None:
                    with contextlib.suppress(Exception):
                        await app.shutdown()
                return await work()
        except InvalidToken as e:
            log_redaction.redact_exception(e)
            raise

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        self._handler_error = context.error

    async def _process(self, update_json: Mapping[str, Any]) -> None:
        app = await self._application()
        update = Update.de_json(dict(update_json), app.bot)
        self._handler_error = None
        await app.process_update(update)
        if self._handler_error is not None:
            raise self._handler_error

    def run(self, task: Callable[[Bot], Awaitable[T]]) -> T:
        """Run work that is not an update (a scheduled sweep) on the container's loop and bot."""

        async def with_bot() -> T:
            app = await self._application()
            return await task(app.bot)

        token_group = invocation.current_group.set(self.group)
        try:
            return self._event_loop().run_until_complete(self._renewing_token(with_bot))
        finally:
            invocation.current_group.reset(token_group)

    async def once(self, update: Update, step: str, send: Callable[[], Awaitable[int | None]]) -> int | None:
        """Make a call of this update's processing once: a Lambda retry (after a later step failed) gets
        the first call's result back instead of sending again (``update_step``)."""
        done, result = updates.step_done(self.db, update.update_id, step)
        if done:
            return result
        result = await send()
        updates.record_step(self.db, update.update_id, step, result)
        return result

    def _apologise(self, update: Mapping[str, Any], text: str = SORRY_TEXT, *, delete: bool = False) -> None:
        chat = anatomy.chat_of(update)
        if not chat.get("id"):
            return
        message_id = (update.get("message") or {}).get("message_id") if delete else None
        try:
            self._event_loop().run_until_complete(self._send_apology(int(chat["id"]), text, message_id))
        except Exception:
            self.logger.exception("could not apologise for a failed update")

    async def _send_apology(self, chat_id: int, text: str, delete_message_id: Any) -> None:
        app = await self._application()
        if isinstance(delete_message_id, int):
            # The employee's own copy of what may be a password goes too.
            with contextlib.suppress(BadRequest, Forbidden):
                await app.bot.delete_message(chat_id, delete_message_id)
        await app.bot.send_message(chat_id, text)

    def _after_earlier_updates(
        self, update: Mapping[str, Any], update_id: int, event: Mapping[str, Any]
    ) -> None:
        """Two quick messages of one chat run in parallel invocations: the later one waits (briefly) for
        the earlier to finish, so a question is not overtaken by its follow-up, nor a NIP by its password."""
        message = update.get("message")
        chat = (message or {}).get("chat") or {}
        if not isinstance(message, dict) or chat.get("type") != "private" or event.get("replay"):
            return
        deadline = time.monotonic() + updates.ORDER_WAIT_SECONDS
        while updates.earlier_unfinished(self.db, int(chat["id"]), update_id):
            if time.monotonic() > deadline:
                self.logger.info("an earlier update of the chat is still unfinished: not waiting longer")
                return
            time.sleep(0.05)

    def _run_update(self, update: Mapping[str, Any], update_id: int, deadline: float, mode: Any) -> None:
        """Process one update with its own context (a copy: nothing leaks into the next invocation)."""
        invocation.current_update_id.set(update_id)
        invocation.current_group.set(self.group)
        invocation.deadline.set(deadline)
        invocation.secret_mode.set(mode if mode in ("step", "grace") else None)
        self._event_loop().run_until_complete(self._renewing_token(lambda: self._process(update)))

    def handle(self, event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
        update = event["update"]
        update_id = int(update["update_id"])
        self.logger.append_keys(update_id=update_id, command_group=self.group)
        self.tracer.put_annotation("update_id", str(update_id))  # find an update's trace by its id
        self.tracer.put_annotation("command_group", self.group)
        budget = _remaining_seconds(context)
        deadline = time.monotonic() + budget
        claim = updates.claim_update(
            self.db,
            update,
            self.group,
            secret_text=bool(event.get("secret_text")),
            request_id=getattr(context, "aws_request_id", None),
            lease_seconds=budget + lease_margin_seconds(),
            replay=bool(event.get("replay")),
        )
        if claim.busy:
            self.logger.warning("update held by this request id under a running lease: retry later")
            raise ClaimBusyError(f"update {update_id} is held by this invocation's earlier attempt")
        if not claim.won:
            self.logger.info("update already processed or in progress: skipped")
            # "inbox" tells a re-drive whether the update is finished (done) or still held by a worker
            return {"status": "duplicate", "update_id": update_id, "inbox": claim.status}
        pad = event.get("pad")
        if pad is not None or claim.had_secret:
            clear = _unsealed(claim.sealed, pad)
            if clear is None:
                # A password's other half is gone (wiped after its time, or a sweep or re-drive that has no
                # pad): it cannot be read again, by design. The employee is asked to repeat the step.
                self.logger.warning("secret half expired: the update cannot be processed")
                self._apologise(update, LOST_STEP_TEXT, delete=True)
                updates.finish_update(self.db, update_id, error="secret expired before processing")
                return {"status": "secret_expired", "update_id": update_id}
            update = clear
        self._after_earlier_updates(update, update_id, event)
        started = time.perf_counter()
        context_vars = contextvars.copy_context()
        try:
            context_vars.run(self._run_update, update, update_id, deadline, event.get("secret_mode"))
        except Forbidden as e:
            # The user blocked the bot (or never opened the chat): retrying cannot deliver anything.
            self.logger.warning("recipient refuses messages", extra={"reason": e.message})
            updates.finish_update(self.db, update_id, error=f"undeliverable: {e.message}")
            return {"status": "undeliverable", "update_id": update_id}
        except Exception as e:
            self.logger.exception("processing failed")
            self.metrics.add_metric("UpdateFailed", MetricUnit.Count, 1)
            # If MySQL is down here too, the error propagates: the claim's lease ends before Lambda's retry
            # comes, and the sweep covers the rest.
            updates.finish_update(self.db, update_id, status="failed", error=f"{type(e).__name__}: {e}")
            if pad is None and (event.get("secret_text") or redact_update(event["update"])[1]):
                # Invoked directly with a password in clear (not through the router, which seals it): a
                # retry would put it into Lambda's retry queue and the DLQ. The employee is asked again.
                self._apologise(update, delete=True)
                return {"status": "failed", "update_id": update_id}
            if claim.attempts >= updates.MAX_ATTEMPTS and not event.get("replay"):
                # The last attempt: the update goes to the dead-letter queue. A re-drive that fails again
                # stays quiet: the employee was told already, once.
                self._apologise(update)
            # Re-raised so Lambda retries: a routed payload holds no secret (only a pad: platform/seal.py).
            raise
        updates.finish_update(self.db, update_id)
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.logger.info("processed", extra={"ms": round(elapsed_ms, 1)})
        self.metrics.add_metric("UpdateProcessed", MetricUnit.Count, 1)
        self.metrics.add_metric("ProcessingTime", MetricUnit.Milliseconds, elapsed_ms)
        return {"status": "done", "update_id": update_id}


def _remaining_seconds(context: Any) -> float:
    """How long this invocation may still run (Lambda's context), less nothing: the caller adds margins."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return DEFAULT_BUDGET_SECONDS
    try:
        return max(1.0, float(remaining()) / 1000)
    except (TypeError, ValueError):
        return DEFAULT_BUDGET_SECONDS


def _unsealed(sealed: bytes | None, pad: Any) -> dict[str, Any] | None:
    if sealed is None or not isinstance(pad, str):
        return None
    try:
        update = json.loads(unseal(sealed, pad))
    except (ValueError, UnicodeDecodeError):
        return None
    return update if isinstance(update, dict) else None
