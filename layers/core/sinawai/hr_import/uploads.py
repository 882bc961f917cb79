"""An HR file uploaded to S3 under imports/<kind>/ → MySQL (all or nothing) → the staff group.

A file under imports/employees-full/ is a full export of the workforce (``FullMode``): employees absent from
it are deactivated and their Telegram binding released, in the same transaction; no prompt here, but the
same guard as the CLI (IMPORT_MAX_DEACTIVATE_PERCENT, default 10) refuses a file that would deactivate a
larger share of the active employees, and the staff group is told the summary or the refusal.

The S3 ObjectCreated event names the object; ``ImportFunction`` reads that exact version, imports it with the
same code as ``sinawai import`` and tells the OSDM staff group the outcome (counts, or every bad row with its
line number). After a successful import the version is deleted for good (the bucket is versioned: a plain
delete would leave the initial passwords in a noncurrent version). A rejected file stays until the bucket's
lifecycle rule expires it a day later. A repeated event for the same version is recognised (the object is
gone, or import_run has its source) and neither imports nor reports twice.

A large file (more data rows than IMPORT_CHUNK_ROWS, default 2,000) is fanned out when IMPORT_QUEUE_URL is
set (``hr_import.fanout``): this event validates the whole file, creates the run and sends one message per
chunk to the import queue, whose messages come back to this same function; the staff group gets one message
at the start, edited at each quarter of the chunks, and the outcome. A file of one chunk is imported at once.

Metrics (EMF, service sinawai-imports), one line per event: ImportFilesImported, ImportFilesRejected,
ImportRowsImported (the data rows of imported files), ImportRowsRefused (the bad rows that rejected a file),
EmployeesDeactivated (full imports), ImportNoticesFailed (the staff group could not be told), and for
a large file ImportChunksSent, ImportChunksStaged (a chunk delivered twice counts once), ImportRunsFailed.
Traces: the S3 calls, MySQL and the staff-group message, as in the group functions
(``sinawai.telegram.tracing``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import ClientError
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError

from sinawai.common.format_id import mask_nip
from sinawai.hr_import import fanout, notices, store
from sinawai.hr_import.parse import check_key, parse
from sinawai.hr_import.records import MAX_FILE_BYTES, CutiRecord, ImportResult, ParsedImport
from sinawai.hr_import.service import (
    DEFAULT_MAX_DEACTIVATE_PERCENT,
    MAX_DEACTIVATE_PERCENT_ENV,
    FullMode,
    apply,
    max_deactivate_percent_from_env,
    sha256_of,
)
from sinawai.platform import log_redaction
from sinawai.platform.config import Settings, bot_token
from sinawai.platform.db import Database
from sinawai.platform.errors import SinawaiError
from sinawai.telegram.tracing import tracer_for
from sinawai.telegram.transport import RecordingRequest

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

GONE_CODES = frozenset({"NoSuchKey", "NoSuchVersion", "NotFound", "404"})
QUEUE_URL_ENV = "IMPORT_QUEUE_URL"
# Test and benchmark hook only (never set by the template): the chunk with this number fails every time.
FAIL_CHUNK_ENV = "SINAWAI_TEST_FAIL_IMPORT_CHUNK"
RETRY_DELAY_SECONDS = 10  # a failed chunk comes back after 10 s, then 20 s, ...
COMMIT_RETRY_SECONDS = 15  # a commit that found another import of its kind committing
_NIP_IN_TEXT = re.compile(r"[0-9]{18}")


def masked(text: str) -> str:
    """Logs never carry a NIP, not even in a file name."""
    return _NIP_IN_TEXT.sub(lambda m: mask_nip(m.group(0)), text)


class ImportFunction:
    """One per container: the database connection, the S3 client, the bot and its event loop live on."""

    def __init__(self) -> None:
        self.logger = Logger(service="sinawai-imports")
        log_redaction.install([logging.getLogger(self.logger.name)])
        self.metrics = Metrics(namespace="Sinawai", service=self.logger.service)
        self.tracer = tracer_for(self.logger.service)
        self.settings = Settings.from_env()
        self.db = Database()
        self._loop = asyncio.new_event_loop()
        self._bot: Bot | None = None
        self._s3: S3Client | None = None
        self._sqs: SQSClient | None = None
        traced = self.tracer.capture_lambda_handler(self.handle, capture_response=False)
        measured = self.metrics.log_metrics(traced, capture_cold_start_metric=True)
        self.lambda_handler: Callable[[dict[str, Any], Any], dict[str, Any]] = (
            self.logger.inject_lambda_context(clear_state=True)(measured)
        )

    @property
    def s3(self) -> S3Client:
        if self._s3 is None:
            # boto3 honours AWS_ENDPOINT_URL_S3 (moto locally)
            self._s3 = boto3.client("s3")
        return self._s3

    @property
    def sqs(self) -> SQSClient:
        if self._sqs is None:
            self._sqs = boto3.client("sqs")  # AWS_ENDPOINT_URL_SQS locally
        return self._sqs

    # ---- the staff group ----------------------------------------------------------------------------

    async def _get_bot(self) -> Bot:
        if self._bot is None:
            base = self.settings.telegram_api_base_url
            request = RecordingRequest(self.db, self.logger, tracer=self.tracer, connection_pool_size=2)
            token = bot_token()
            log_redaction.remember(token)
            bot = Bot(token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot", request=request)
            await bot.initialize()
            request.bot_id = bot.id
            request.bot_name = bot.first_name
            self._bot = bot
        return self._bot

    async def _send(self, chat_id: int, text: str, edit: int | None = None) -> int:
        bot = await self._get_bot()
        if edit is not None:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=edit, parse_mode=ParseMode.HTML)
            return edit
        message = await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
        return message.message_id

    def post_staff(self, text: str, *, edit: int | None = None) -> int | None:
        """Send (or edit, ``edit`` = message id) a message in the staff group; its id, or None when the
        staff group could not be told (logged and counted, never raised)."""
        chat_id = self.settings.staff_group_chat_id
        if chat_id is None:
            self.logger.warning("STAFF_GROUP_CHAT_ID is not set: the import result is only in this log")
            return None
        try:
            try:
                return self._loop.run_until_complete(self._send(chat_id, text, edit))
            except InvalidToken:
                # 401: the token was revoked or rotated. Read it again (bypassing the cache), once.
                if self._bot is None or bot_token(fresh=True) == self._bot.token:
                    raise
                log_redaction.remember(bot_token())
                self._bot = None
                return self._loop.run_until_complete(self._send(chat_id, text, edit))
        except (TelegramError, SinawaiError):
            # The import itself is done (or rejected) and recorded in import_run: a retry of the whole
            # event would find it there and stay silent, so do not raise; the log says what happened.
            self.logger.exception("could not tell the staff group about the import")
            self.metrics.add_metric("ImportNoticesFailed", MetricUnit.Count, 1)
            return None

    def notify_staff(self, text: str) -> bool:
        return self.post_staff(text) is not None

    # ---- one S3 record ------------------------------------------------------------------------------

    def _already_processed(self, source: str) -> str | None:
        row = self.db.fetch_one(
            "SELECT status FROM import_run WHERE source = %s AND status IN ('imported', 'rejected')"
            " ORDER BY id DESC LIMIT 1",
            (source[:1024],),
        )
        return str(row["status"]) if row else None

    def _delete_version(self, bucket: str, key: str, version_id: str | None) -> bool:
        try:
            if version_id:
                self.s3.delete_object(Bucket=bucket, Key=key, VersionId=version_id)
            else:
                self.s3.delete_object(Bucket=bucket, Key=key)
        except ClientError:
            self.logger.exception("could not delete the imported file", extra={"key": masked(key)})
            return False
        return True

    def _exists(self, bucket: str, key: str, version_id: str | None) -> bool:
        try:
            if version_id:
                self.s3.head_object(Bucket=bucket, Key=key, VersionId=version_id)
            else:
                self.s3.head_object(Bucket=bucket, Key=key)
        except ClientError as e:
            if str(e.response.get("Error", {}).get("Code", "")) in GONE_CODES:
                return False
            raise
        return True

    def _download(self, bucket: str, key: str, version_id: str | None) -> tuple[bytes, str | None] | None:
        """The object's first MAX_FILE_BYTES + 1 bytes and its version, or None when it is gone."""
        try:
            if version_id:
                obj = self.s3.get_object(Bucket=bucket, Key=key, VersionId=version_id)
            else:
                obj = self.s3.get_object(Bucket=bucket, Key=key)
        except ClientError as e:
            code = str(e.response.get("Error", {}).get("Code", ""))
            if code in GONE_CODES:
                return None
            raise
        body = obj["Body"]
        try:
            data = body.read(MAX_FILE_BYTES + 1)  # a larger file is rejected, not read whole
        finally:
            body.close()
        return data, version_id or obj.get("VersionId")

    def _full_mode(self) -> FullMode:
        try:
            limit = max_deactivate_percent_from_env()
        except ValueError:
            # a bad setting must not disable the guard: the default applies, and the log says so
            self.logger.exception(f"{MAX_DEACTIVATE_PERCENT_ENV} is not a percentage: default used")
            limit = DEFAULT_MAX_DEACTIVATE_PERCENT
        return FullMode(max_deactivate_percent=limit)

    def handle_record(self, record: dict[str, Any]) -> dict[str, Any]:
        s3_part = record.get("s3") or {}
        bucket = str((s3_part.get("bucket") or {}).get("name", ""))
        obj = s3_part.get("object") or {}
        key = unquote_plus(str(obj.get("key", "")))  # S3 events carry the key URL-encoded
        version_id: str | None = obj.get("versionId") or None
        event_name = str(record.get("eventName", ""))
        self.logger.append_keys(s3_key=masked(key), s3_version_id=version_id)
        if not event_name.startswith("ObjectCreated:") or not bucket or not key:
            self.logger.info("not an object upload: ignored", extra={"event_name": event_name})
            return {"key": masked(key), "status": "ignored"}

        check = check_key(key)
        if check.ignore:
            self.logger.info("folder placeholder: ignored")
            return {"key": masked(key), "status": "ignored"}
        if check.kind is None:
            if not self._exists(bucket, key, version_id):
                self.logger.info("object is already gone: nothing to report")
                return {"key": masked(key), "status": "gone"}
            self.logger.warning("upload outside imports/<kind>/: not imported")
            self.notify_staff(notices.render_key_problem(key, check.problem or ""))
            return {"key": masked(key), "status": "unknown_kind"}

        source = f"s3://{bucket}/{key}" + (f"?versionId={version_id}" if version_id else "")
        if version_id:
            earlier = self._already_processed(source)
            if earlier is not None:
                # Delivered again (S3 events are at least once): done before, say nothing twice.
                if earlier == "imported":
                    self._delete_version(bucket, key, version_id)
                self.logger.info("this object version was processed before", extra={"status": earlier})
                return {"key": masked(key), "status": "duplicate", "earlier": earlier}
            run = fanout.find_run(self.db, source)
            if run is not None:
                if run.status == "staging":
                    self._send_chunks(run)  # an earlier delivery may have stopped before all were sent
                self.logger.info("this object version is being imported in chunks", extra={"run": run.id})
                return {"key": masked(key), "status": "duplicate", "earlier": run.status, "fanout_id": run.id}

        downloaded = self._download(bucket, key, version_id)
        if downloaded is None:
            # Imported and deleted by an earlier delivery, or removed by hand: nothing to import or report.
            self.logger.info("object is already gone: processed before or deleted")
            return {"key": masked(key), "status": "gone"}
        data, version_id = downloaded
        parsed = parse(check.kind, data, check.file_name)
        sha256 = sha256_of(data)
        chunk_rows = fanout.chunk_rows_from_env()
        queue_url = os.environ.get(QUEUE_URL_ENV, "").strip()
        if (
            queue_url
            and not parsed.problems
            and parsed.rows_total > chunk_rows
            and not self._refused_by_database(parsed)
        ):
            run = fanout.create_run(
                self.db,
                parsed,
                source=source,
                bucket=bucket,
                key=key,
                version_id=version_id,
                sha256=sha256,
                full=check.full,
                chunk_rows=chunk_rows,
            )
            self._send_chunks(run)
            self.logger.info(
                "import fanned out",
                extra={"fanout_id": run.id, "rows_total": run.rows_total, "chunks": run.chunks_total},
            )
            self.metrics.add_metric("ImportChunksSent", MetricUnit.Count, run.chunks_total)
            return {"key": masked(key), "status": "staging", "fanout_id": run.id}
        result = apply(
            self.db,
            parsed,
            source=source,
            sha256=sha256,
            detail={"via": "s3", "bucket": bucket, "key": key, "version_id": version_id},
            full=self._full_mode() if check.full else None,
        )
        return self._finished(result, bucket, key, version_id)

    def _refused_by_database(self, parsed: ParsedImport) -> bool:
        """Whether the checks against the database (unknown NIPs, kinds of leave) refuse the file: then it
        goes the direct way, which lists every problem and records the rejection, and nothing is staged."""
        if parsed.kind == "employees":
            return False
        if store.unknown_nips(self.db, parsed.nips):
            return True
        return parsed.kind == "cuti" and bool(
            store.leave_not_for_type(self.db, cast(Sequence[CutiRecord], parsed.records))
        )

    def _finished(
        self, result: ImportResult, bucket: str, key: str, version_id: str | None
    ) -> dict[str, Any]:
        """Log, count, delete an imported file's version and tell the staff group the outcome."""
        self.logger.info(
            "import finished",
            extra={
                "kind": result.kind,
                "status": result.status,
                "import_run_id": result.run_id,
                "rows_total": result.rows_total,
                "inserted": result.inserted,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "full": result.full,
                "deactivated": result.deactivated,
                "released": result.released,
                "problems": len(result.problems),
                "bad_lines": result.bad_lines[:50],
            },
        )
        self._count(result)
        if result.imported:
            deleted = self._delete_version(bucket, key, version_id)
            note = notices.DELETED_NOTE if deleted else notices.DELETE_FAILED_NOTE
        else:
            note = notices.KEPT_NOTE
        notified = self.notify_staff(notices.render_message(result, note=note))
        return {
            "key": masked(key),
            "status": result.status,
            "import_run_id": result.run_id,
            "notified": notified,
        }

    # ---- a large file in chunks (hr_import.fanout) -------------------------------------------------------

    def _send_chunks(self, run: fanout.Run) -> None:
        """The start message (once) and one queue message per chunk not yet staged (a chunk sent twice is
        staged once)."""
        if run.progress_message_id is None:
            message_id = self.post_staff(
                notices.render_started(run.kind, run.file_name, run.rows_total, run.chunks_total)
            )
            if message_id is not None:
                fanout.set_progress_message(self.db, run.id, message_id)
        done = fanout.chunks_done(self.db, run.id)
        todo = [n for n in range(run.chunks_total) if n not in done]
        queue_url = os.environ[QUEUE_URL_ENV].strip()
        for start in range(0, len(todo), 10):
            entries = []
            for n in todo[start : start + 10]:
                first, end = run.rows_of(n)
                body = {"fanout_id": run.id, "chunk": n, "first_row": first, "rows": end - first}
                entries.append({"Id": str(n), "MessageBody": json.dumps(body)})
            answer = self.sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)  # type: ignore[arg-type]
            if answer.get("Failed"):
                raise RuntimeError(f"{len(answer['Failed'])} chunk messages were not accepted by SQS")

    def handle_chunk(self, record: dict[str, Any]) -> bool:
        """One chunk of a fanned-out run; False when SQS should deliver it again (a retryable failure)."""
        body = json.loads(record.get("body") or "{}")
        attempt = int((record.get("attributes") or {}).get("ApproximateReceiveCount", "1"))
        attempts = fanout.attempts_from_env()
        run = fanout.load_run(self.db, int(body["fanout_id"]))
        chunk = -1 if body.get("commit") else int(body["chunk"])  # -1: only the commit, tried again
        self.logger.append_keys(fanout_id=body["fanout_id"], chunk=chunk, attempt=attempt)
        if run is None or run.status != "staging":
            self.logger.info("the run is over: chunk ignored", extra={"status": run and run.status})
            return True
        if attempt > attempts:
            # every earlier delivery failed without saying so (a timeout, a crash): the run cannot finish
            self._fail(run, f"chunk {chunk} did not finish in {attempts} attempts")
            return True
        try:
            if chunk >= 0 and chunk not in fanout.chunks_done(self.db, run.id):
                self._stage(run, chunk)
            self._after_chunk(run)
        except fanout.ChunkProblemError as e:
            self.logger.warning("chunk cannot be staged: the run fails", extra={"reason": str(e)})
            self._fail(run, f"chunk {chunk}: {e}")
        except Exception as e:
            self.logger.exception("chunk failed", extra={"last_attempt": attempt >= attempts})
            if attempt < attempts:
                self._retry_soon(record, attempt)
                return False
            self._fail(run, f"{'the commit' if chunk < 0 else f'chunk {chunk}'}: {type(e).__name__}")
        return True

    def _retry_soon(self, record: dict[str, Any], attempt: int) -> None:
        """Deliver a failed chunk again after a short backoff, not after the queue's long visibility
        timeout (sized for a slow chunk): the staff learn about a failing run in about a minute."""
        queue_url = os.environ.get(QUEUE_URL_ENV, "").strip()
        if not queue_url or not record.get("receiptHandle"):
            return
        try:
            self.sqs.change_message_visibility(
                QueueUrl=queue_url,
                ReceiptHandle=str(record["receiptHandle"]),
                VisibilityTimeout=RETRY_DELAY_SECONDS * attempt,
            )
        except ClientError:
            self.logger.warning("could not shorten the retry delay of a chunk")

    def _stage(self, run: fanout.Run, chunk: int) -> None:
        if os.environ.get(FAIL_CHUNK_ENV, "").strip() == str(chunk):
            raise RuntimeError(f"{FAIL_CHUNK_ENV}: chunk {chunk} fails (a test hook)")
        downloaded = self._download(run.bucket, run.key, run.version_id)
        if downloaded is None:
            raise fanout.ChunkProblemError("the uploaded file is gone")
        if fanout.stage_chunk(self.db, run, chunk, downloaded[0]):
            self.metrics.add_metric("ImportChunksStaged", MetricUnit.Count, 1)

    def _after_chunk(self, run: fanout.Run) -> None:
        done = len(fanout.chunks_done(self.db, run.id))
        step = fanout.progress_step(self.db, run, done)
        if step is not None and run.progress_message_id is not None:
            percent = step * 100 // fanout.PROGRESS_STEPS
            text = notices.render_progress(
                run.kind, run.file_name, run.rows_total, done, run.chunks_total, percent
            )
            self.post_staff(text, edit=run.progress_message_id)
        if done < run.chunks_total:
            return
        try:
            result = fanout.commit_run(self.db, run, self._full_mode() if run.full else None)
        except store.KindBusyError:
            # another import of this kind is committing: the commit alone comes back a little later
            self.logger.info("another import of this kind is committing: the commit is queued again")
            self.sqs.send_message(
                QueueUrl=os.environ[QUEUE_URL_ENV].strip(),
                MessageBody=json.dumps({"fanout_id": run.id, "commit": True}),
                DelaySeconds=COMMIT_RETRY_SECONDS,
            )
            return
        if result is None:
            return  # another worker commits (or did)
        self.logger.info("fanned-out import committed", extra={"chunks": run.chunks_total})
        self._finished(result, run.bucket, run.key, run.version_id)
        self._clear_staging(run)

    def _fail(self, run: fanout.Run, error: str) -> None:
        if fanout.fail_run(self.db, run, error):
            self.metrics.add_metric("ImportRunsFailed", MetricUnit.Count, 1)
            self.notify_staff(notices.render_failed(run.kind, run.file_name))
            self._clear_staging(run)

    def _clear_staging(self, run: fanout.Run) -> None:
        """After the staff were told: a failure here must not leave the run's outcome untold."""
        try:
            fanout.clear_staging(self.db, run.id)
        except Exception:
            self.logger.exception("could not clear the staging rows of a finished run")

    def _count(self, result: ImportResult) -> None:
        add = self.metrics.add_metric
        if result.imported:
            add("ImportFilesImported", MetricUnit.Count, 1)
            add("ImportRowsImported", MetricUnit.Count, result.rows_total)
            add("EmployeesDeactivated", MetricUnit.Count, result.deactivated)
        else:
            add("ImportFilesRejected", MetricUnit.Count, 1)
            add("ImportRowsRefused", MetricUnit.Count, len(result.bad_lines))

    def handle(self, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        """Import each uploaded file the S3 event names, or stage each chunk an SQS event carries."""
        records = event.get("Records") or []
        if records and all(r.get("eventSource") == "aws:sqs" for r in records):
            failures = [{"itemIdentifier": r["messageId"]} for r in records if not self.handle_chunk(r)]
            return {"batchItemFailures": failures}
        results = [self.handle_record(record) for record in records]
        return {"results": results}
