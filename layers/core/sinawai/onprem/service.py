"""``sinawai serve``: the whole bot in one process on one server, with long polling instead of a webhook.

The loop, on one thread:
1. ``getUpdates`` (the stored offset, ``allowed_updates`` = the router's ``ALLOWED_UPDATES``, a long poll
   no longer than the time to the next schedule);
2. per update: recorded durably in MySQL and classified by the webhook's own code
   (``WebhookRouter.route_update``: ``platform/updates.py``, ``router/routing.py``), then the offset past
   it written to MySQL (``poll_offset``), then processed in-process by the same group function the Lambda
   runs (``GroupFunction`` with the same handlers, the same claim: exactly once);
3. the template's schedules as timers (``onprem.schedules``), each run recorded in MySQL.

Nothing goes through Lambda or SQS: with STAFF_DELIVERY_QUEUE_URL and BROADCAST_QUEUE_URL unset, the staff
outbox and the broadcasts are posted by the same code, paced in-process. A failed update is tried again
after 1 and 2 minutes (Lambda's async retries). At start, under a MySQL lock that keeps a second server
off the same database, the updates a killed process recorded but did not finish are processed (their
claims' leases are ended first: no other worker can hold them). SIGTERM or SIGINT: the current update is
finished, the offset is kept, exit 0.
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger

from sinawai.deploy.telegram_setup import BotApi, TelegramApiError
from sinawai.onprem import files, schedules, store
from sinawai.onprem.files import LocalFiles
from sinawai.platform.config import DatabaseSettings, Settings, bot_token
from sinawai.platform.db import Database
from sinawai.platform.errors import DatabaseUnavailableError, SinawaiError
from sinawai.router.commands import GROUPS
from sinawai.router.routing import ALLOWED_UPDATES, NotAnUpdateError, validate_update
from sinawai.router.webhook import WebhookRouter, function_env_var, update_payload

logger = Logger(service="sinawai-serve")

POLL_SECONDS = 25  # a long poll's longest wait (Telegram's limit is 50)
UPDATE_BUDGET_SECONDS = 30.0  # as the functions' Lambda timeout: the claim's lease follows from it
RETRY_DELAYS_SECONDS = (60.0, 120.0)  # Lambda's async retries of a failed update
CATCH_UP_SECONDS = 3600.0  # a schedule due while the server was stopped runs at start if this recent
PURGE_BUDGET_SECONDS = 300.0
DB_RETRY_SECONDS = 5.0
BROADCAST_RETRY_SECONDS = 30.0  # a broadcast chunk Telegram or the network refused: its recipients wait
# The clock of the in-process schedules only, for drills and tests: SINAWAI_SERVE_SCHEDULE_CLOCK (ISO
# date-time with its offset) is where that clock starts; it runs at the real pace from there.
SCHEDULE_CLOCK_ENV = "SINAWAI_SERVE_SCHEDULE_CLOCK"

Handler = Callable[[dict[str, Any], Any], Any]
# the template's functions that get scheduled events, and the group function that runs here in their place
SCHEDULED_GROUPS = {"ConsultationFunction": "consultation", "ReportFunction": "report"}


class ServeRefusedError(SinawaiError):
    """``sinawai serve`` cannot start (a webhook is set, another server runs, the schema is old...)."""


class _Stop(BaseException):
    """Raised by the signal handler while the loop waits (a long poll): stop at once, nothing is lost."""


class ServeContext:
    """A Lambda-shaped ``context`` for the in-process handlers (Powertools reads these attributes)."""

    def __init__(self, function_name: str, budget_seconds: float) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:sinawai:serve:local:0:function:{function_name}"
        self.memory_limit_in_mb = "0"
        self.log_group_name = "sinawai-serve"
        self.log_stream_name = str(os.getpid())
        self._deadline = time.monotonic() + budget_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class _Retry:
    due: float
    function: str
    event: dict[str, Any]
    attempt: int


@dataclass
class InProcessInvoker:
    """The router's invoker: an async invoke queues the payload; ``run_queued`` runs it in-process after
    the offset is stored. The function names are the group names (``<GROUP>_FUNCTION_NAME`` = group)."""

    functions: Mapping[str, Handler]
    queue: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    retries: list[_Retry] = field(default_factory=list)

    def invoke_async(self, function_name: str, payload: bytes, qualifier: str | None = None) -> None:
        # one server has no published versions: the qualifier (an alias on AWS) names nothing here
        del qualifier
        self.queue.append((function_name, json.loads(payload)))

    def run_queued(self) -> None:
        while self.queue:
            function, event = self.queue.pop(0)
            self.run(function, event, attempt=1)

    def run(self, function: str, event: dict[str, Any], *, attempt: int) -> Any:
        handler = self.functions[function]
        try:
            return handler(event, ServeContext(f"sinawai-{function}", UPDATE_BUDGET_SECONDS))
        except Exception:
            update_id = (event.get("update") or {}).get("update_id")
            if attempt <= len(RETRY_DELAYS_SECONDS) and "update" in event:
                delay = RETRY_DELAYS_SECONDS[attempt - 1]
                logger.exception("update failed: tried again later", extra={"update_id": update_id})
                self.retries.append(_Retry(time.monotonic() + delay, function, event, attempt + 1))
            else:
                logger.exception("update failed for good", extra={"update_id": update_id})
            return None

    def run_due_retries(self) -> None:
        now = time.monotonic()
        due = [r for r in self.retries if r.due <= now]
        self.retries = [r for r in self.retries if r.due > now]
        for retry in due:
            self.run(retry.function, retry.event, attempt=retry.attempt)

    def next_retry_in(self) -> float | None:
        return min((r.due for r in self.retries), default=None)


def group_functions(db: Database) -> dict[str, Handler]:
    """Each command group's function, built as ``functions/<group>/app.py`` builds it (same handlers, same
    entry points for scheduled events), on one shared database connection."""
    from sinawai.consultation import handlers as consultation
    from sinawai.consultation import sweep
    from sinawai.documents import handlers as documents
    from sinawai.general import handlers as general
    from sinawai.information import handlers as information
    from sinawai.registration import handlers as registration
    from sinawai.report import handlers as report
    from sinawai.report.service import lambda_handler_of
    from sinawai.router.commands import CONSULTATION, DOCUMENTS, GENERAL, INFORMATION, REGISTRATION, REPORT
    from sinawai.telegram.runtime import GroupFunction

    built: dict[str, Handler] = {
        GENERAL: GroupFunction(GENERAL, general.register, db=db).lambda_handler,
        REGISTRATION: GroupFunction(REGISTRATION, registration.register, db=db).lambda_handler,
        INFORMATION: GroupFunction(INFORMATION, information.register, db=db).lambda_handler,
        DOCUMENTS: GroupFunction(DOCUMENTS, documents.register, db=db).lambda_handler,
        CONSULTATION: sweep.entry_point(GroupFunction(CONSULTATION, consultation.register, db=db)),
        REPORT: lambda_handler_of(GroupFunction(REPORT, report.register, db=db)),
    }
    assert set(built) == set(GROUPS), "every command group runs in-process"
    return built


def broadcast_sender(db: Database) -> Callable[[], bool]:
    """The BroadcastFunction's work on one server: each call sends the next chunk of the oldest started
    broadcast (paced for the whole process) and tells whether recipients were pending."""
    from sinawai.information import broadcast
    from sinawai.router.commands import INFORMATION
    from sinawai.telegram.runtime import GroupFunction

    function = GroupFunction(INFORMATION, lambda app: None, logger=Logger(service="sinawai-broadcast"), db=db)
    pacer = broadcast.Pacer(broadcast.messages_per_second())
    return lambda: function.run(lambda bot: broadcast.send_next_chunk(bot, db, pacer))


def schedule_clock() -> Callable[[], datetime]:
    """Now (aware UTC) for the schedules: the real clock, or the drill clock of SCHEDULE_CLOCK_ENV."""
    raw = os.environ.get(SCHEDULE_CLOCK_ENV, "").strip()
    if not raw:
        return lambda: datetime.now(UTC)
    refused = ServeRefusedError(
        f"{SCHEDULE_CLOCK_ENV} must be a date-time with its offset, e.g. 2026-12-01T06:59:55+07:00"
    )
    try:
        start = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise refused from None
    if start.tzinfo is None:
        raise refused
    began = time.monotonic()
    return lambda: start.astimezone(UTC) + timedelta(seconds=time.monotonic() - began)


def prepare_environment() -> LocalFiles | None:
    """The process's AWS-shaped environment: in-process function names, Powertools without metrics and
    traces (no CloudWatch or X-Ray here), and S3 as a local directory when SINAWAI_FILES_DIR is set."""
    for group in GROUPS:
        os.environ[function_env_var(group)] = group
    # no SQS: the staff outbox and the broadcasts are posted by the same code, paced in-process
    os.environ.pop("STAFF_DELIVERY_QUEUE_URL", None)
    os.environ.pop("BROADCAST_QUEUE_URL", None)
    # ...and a broadcast is sent a chunk at a time between updates (Server._broadcast_step), not inside the
    # update that started it: a broadcast to 50,000 employees takes half an hour at Telegram's pace
    os.environ["BROADCAST_IN_BACKGROUND"] = "true"
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    return files.serve_from_env()


class Server:
    def __init__(self, *, api: BotApi, db: Database, db_settings: DatabaseSettings) -> None:
        self.api = api
        self.db = db
        self.lock = store.InstanceLock(db_settings)
        self.settings = Settings.from_env()
        self.zone = ZoneInfo(self.settings.timezone)
        self.now = schedule_clock()
        self.invoker: InProcessInvoker | None = None
        self.router: WebhookRouter | None = None
        self.bot_id = 0
        self.offset = 0
        self.stopping = False
        self._waiting = False  # in a long poll or a sleep: a signal stops at once
        self._due: dict[str, datetime] = {}
        self._broadcast: Callable[[], bool] | None = None
        self.broadcasting = False  # recipients were pending at the last step: the loop polls without waiting
        self._broadcast_resume = 0.0

    # ---- start ----------------------------------------------------------------------------------------

    def start(self) -> None:
        try:
            store.check_schema(self.db)
        except store.SchemaNotCurrentError:
            raise ServeRefusedError(
                "the database schema is not current: run `sinawai migrate` (same DB_* settings) first"
            ) from None
        if not self.lock.acquire():
            raise ServeRefusedError(
                "another `sinawai serve` is running against this database: stop it first (one server only)"
            )
        me = self.api.call("getMe")
        self.bot_id = int(me["id"])
        webhook = self.api.call("getWebhookInfo")
        if webhook.get("url"):
            raise ServeRefusedError(
                f"a webhook is set ({webhook['url']}): Telegram hands no updates to long polling while it "
                "is. Delete it with `sinawai webhook delete` (or: curl -X POST "
                f"{self.settings.telegram_api_base_url}/bot<TOKEN>/deleteWebhook), then start again; "
                "pending updates are kept"
            )
        functions = group_functions(self.db)
        self.invoker = InProcessInvoker(functions)
        self.router = WebhookRouter(db=self.db, invoker=self.invoker, settings=self.settings)
        self._broadcast = broadcast_sender(self.db)
        self.offset = store.load_offset(self.db, self.bot_id)
        self._plan_schedules()
        released = store.release_leases(self.db)
        # What a killed process recorded but did not finish: processed now, exactly once (the claims).
        recovered = self.router.sweep(older_than_seconds=0)
        self.invoker.run_queued()
        # ...and what failed with tries left: its in-memory retries died with that process.
        failed = store.failed_to_retry(self.db)
        for item in failed:
            event = update_payload(item.payload, item.group, None, None)
            self.invoker.run(item.group, event, attempt=item.attempts + 1)
        logger.info(
            "sinawai serve started",
            extra={
                "bot_id": self.bot_id,
                "offset": self.offset,
                "released": released,
                "retried": len(failed),
                **recovered,
            },
        )

    def stop_signal(self, signum: int, frame: FrameType | None) -> None:
        logger.info("stop requested", extra={"signal": signal.Signals(signum).name})
        self.stopping = True
        if self._waiting:
            raise _Stop

    def stop_requested(self) -> bool:
        """Asked to stop (a signal may have come while a schedule or a retry ran)."""
        return self.stopping

    # ---- the loop -------------------------------------------------------------------------------------

    def run(self) -> None:
        while not self.stopping:
            try:
                self._round()
            except _Stop:
                break
            except DatabaseUnavailableError:
                # a schedule's record, the sweep...: nothing is confirmed to Telegram before MySQL has it
                logger.exception("database unavailable: trying again")
                try:
                    self._sleep_unless_stopped(DB_RETRY_SECONDS)
                except _Stop:
                    break

    def _round(self) -> None:
        """One round: the lock still ours, due schedules and retries, one long poll and its updates."""
        assert self.invoker is not None
        if not self.lock.still_held():
            raise ServeRefusedError(
                "another `sinawai serve` took this database's lock while MySQL was unreachable: "
                "stopped so that one server only processes updates"
            )
        self._run_due_schedules()
        self.invoker.run_due_retries()
        self._broadcast_step()
        if self.stop_requested():
            return
        for raw in self._poll(self._poll_seconds()):
            # a stop (or MySQL gone) leaves the rest unrecorded and the offset before them: Telegram
            # hands them out again
            if self.stop_requested() or not self._take(raw):
                break

    def _broadcast_step(self) -> None:
        """One chunk of a started broadcast (about a second at its pace), then back to the updates."""
        if self._broadcast is None or time.monotonic() < self._broadcast_resume:
            self.broadcasting = False
            return
        try:
            self.broadcasting = self._broadcast()
        except DatabaseUnavailableError:
            raise
        except Exception:
            # a 429 the HTTP layer could not wait out, the network: the recipients stay pending
            logger.exception("broadcast chunk failed: tried again later")
            self.broadcasting = False
            self._broadcast_resume = time.monotonic() + BROADCAST_RETRY_SECONDS

    def _poll_seconds(self) -> int:
        if self.broadcasting:
            return 0  # recipients are waiting: take what came in, then the next chunk
        now = self.now()
        nearest = min(self._due.values(), default=now + timedelta(seconds=POLL_SECONDS))
        wait = (nearest - now).total_seconds()
        assert self.invoker is not None
        retry = self.invoker.next_retry_in()
        if retry is not None:
            wait = min(wait, retry - time.monotonic())
        return max(0, min(POLL_SECONDS, int(wait + 0.999)))

    def _poll(self, seconds: int) -> list[Any]:
        params: dict[str, Any] = {"timeout": seconds, "allowed_updates": list(ALLOWED_UPDATES)}
        if self.offset:
            params["offset"] = self.offset
        self._waiting = True
        try:
            if self.stopping:
                raise _Stop
            result = self.api.call("getUpdates", params)
        except TelegramApiError as e:
            if e.code == 401:
                raise ServeRefusedError(
                    "Telegram refused the bot token (401): check TELEGRAM_BOT_TOKEN (revoked or mistyped)"
                ) from None
            if e.code == 409:
                logger.warning("Telegram refused getUpdates: %s", e.description)
                if "webhook" in e.description:
                    raise ServeRefusedError(
                        "a webhook was set while serving: delete it (`sinawai webhook delete`) to go on"
                    ) from None
            else:
                logger.warning("getUpdates failed: %s", e.description)
            self._sleep_unless_stopped(DB_RETRY_SECONDS)
            return []
        finally:
            self._waiting = False
        return result if isinstance(result, list) else []

    def _sleep_unless_stopped(self, seconds: float) -> None:
        """Sleeps; a stop signal meanwhile raises _Stop (the loop ends)."""
        self._waiting = True
        try:
            if not self.stopping:
                time.sleep(seconds)
        finally:
            self._waiting = False

    def _take(self, raw: Any) -> bool:
        """Record (durable), move the offset past it (durable), then process it. False: MySQL is gone."""
        assert self.router is not None
        assert self.invoker is not None
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        try:
            update = validate_update(raw)
        except NotAnUpdateError as e:
            logger.warning("skipped a malformed update", extra={"reason": str(e)})
            if isinstance(update_id, int):
                self._advance(update_id + 1)
            return True
        try:
            self.router.route_update(update)
            self._advance(int(update["update_id"]) + 1)
        except DatabaseUnavailableError:
            # Not recorded or not confirmed: Telegram hands it out again on the next poll.
            logger.exception("database unavailable: the update is asked for again")
            self.invoker.queue.clear()
            self._sleep_unless_stopped(DB_RETRY_SECONDS)
            return False
        self.invoker.run_queued()
        return True

    def _advance(self, next_offset: int) -> None:
        store.save_offset(self.db, self.bot_id, next_offset)
        self.offset = max(self.offset, next_offset)

    # ---- schedules -------------------------------------------------------------------------------------

    def _plan_schedules(self) -> None:
        now = self.now()
        for schedule in schedules.SCHEDULES:
            last = store.last_due(self.db, schedule.name)
            if last is not None:
                due = schedule.next_after(last.replace(tzinfo=UTC), self.zone)
                if now - due > timedelta(seconds=CATCH_UP_SECONDS):
                    due = schedule.next_after(now, self.zone)  # missed long ago: wait for the next one
            else:
                due = schedule.next_after(now, self.zone)
            self._due[schedule.name] = due

    def _run_due_schedules(self) -> None:
        now = self.now()
        for schedule in schedules.SCHEDULES:
            due = self._due[schedule.name]
            if due > now or self.stopping:
                continue
            self._run_schedule(schedule, due)
            self._due[schedule.name] = schedule.next_after(max(now, due), self.zone)

    def _run_schedule(self, schedule: schedules.Schedule, due: datetime) -> None:
        assert self.router is not None
        assert self.invoker is not None
        event = schedule.event_for(due)
        logger.info("schedule due", extra={"schedule": schedule.name, "due": due.isoformat()})
        try:
            if schedule.function == "WebhookFunction":
                if event.get("task") == "purge":
                    self.router.purge(PURGE_BUDGET_SECONDS)
                else:
                    self.router.sweep()
                    self.invoker.run_queued()
            else:
                group = SCHEDULED_GROUPS[schedule.function]
                handler = self.invoker.functions[group]
                handler(event, ServeContext(f"sinawai-{group}", PURGE_BUDGET_SECONDS))
        except Exception:
            logger.exception("schedule failed", extra={"schedule": schedule.name})
            return
        store.record_run(self.db, schedule.name, due.astimezone(UTC).replace(tzinfo=None))

    def close(self) -> None:
        self.lock.release()
        self.db.close()


def serve() -> int:
    """Run until SIGTERM/SIGINT; 0 after a graceful stop. Raises ServeRefusedError (exit 1)."""
    local_files = prepare_environment()
    db_settings = DatabaseSettings.from_env()
    api = BotApi(bot_token(), Settings.from_env().telegram_api_base_url, timeout=POLL_SECONDS + 15)
    server = Server(api=api, db=Database(db_settings), db_settings=db_settings)
    previous = {s: signal.signal(s, server.stop_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        try:
            server.start()
        except _Stop:
            return 0
        server.run()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        server.close()
        if local_files is not None:
            local_files.stop()
    logger.info("sinawai serve stopped", extra={"offset": server.offset})
    return 0
