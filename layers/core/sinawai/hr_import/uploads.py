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

Metrics (EMF, service sinawai-imports), one line per event: ImportFilesImported, ImportFilesRejected,
ImportRowsImported (the data rows of imported files), ImportRowsRefused (the bad rows that rejected a file),
EmployeesDeactivated (full imports), ImportNoticesFailed (the staff group could not be told). Traces: the S3
calls, MySQL and the staff-group message, as in the group functions (``sinawai.telegram.tracing``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import ClientError
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError

from sinawai.common.format_id import mask_nip
from sinawai.hr_import import notices
from sinawai.hr_import.parse import check_key
from sinawai.hr_import.records import MAX_FILE_BYTES, ImportResult
from sinawai.hr_import.service import (
    DEFAULT_MAX_DEACTIVATE_PERCENT,
    MAX_DEACTIVATE_PERCENT_ENV,
    FullMode,
    import_file,
    max_deactivate_percent_from_env,
)
from sinawai.platform import log_redaction
from sinawai.platform.config import Settings, bot_token
from sinawai.platform.db import Database
from sinawai.platform.errors import SinawaiError
from sinawai.telegram.tracing import tracer_for
from sinawai.telegram.transport import RecordingRequest

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

GONE_CODES = frozenset({"NoSuchKey", "NoSuchVersion", "NotFound", "404"})
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

    async def _send(self, chat_id: int, text: str) -> None:
        bot = await self._get_bot()
        await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)

    def notify_staff(self, text: str) -> bool:
        chat_id = self.settings.staff_group_chat_id
        if chat_id is None:
            self.logger.warning("STAFF_GROUP_CHAT_ID is not set: the import result is only in this log")
            return False
        try:
            try:
                self._loop.run_until_complete(self._send(chat_id, text))
            except InvalidToken:
                # 401: the token was revoked or rotated. Read it again (bypassing the cache), once.
                if self._bot is None or bot_token(fresh=True) == self._bot.token:
                    raise
                log_redaction.remember(bot_token())
                self._bot = None
                self._loop.run_until_complete(self._send(chat_id, text))
        except (TelegramError, SinawaiError):
            # The import itself is done (or rejected) and recorded in import_run: a retry of the whole
            # event would find it there and stay silent, so do not raise; the log says what happened.
            self.logger.exception("could not tell the staff group about the import")
            self.metrics.add_metric("ImportNoticesFailed", MetricUnit.Count, 1)
            return False
        return True

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

        downloaded = self._download(bucket, key, version_id)
        if downloaded is None:
            # Imported and deleted by an earlier delivery, or removed by hand: nothing to import or report.
            self.logger.info("object is already gone: processed before or deleted")
            return {"key": masked(key), "status": "gone"}
        data, version_id = downloaded
        result = import_file(
            self.db,
            check.kind,
            data,
            file_name=check.file_name,
            source=source,
            detail={"via": "s3", "bucket": bucket, "key": key, "version_id": version_id},
            full=self._full_mode() if check.full else None,
        )
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
        """Import each uploaded file the S3 event names."""
        results = [self.handle_record(record) for record in event.get("Records") or []]
        return {"results": results}
