"""ReportFunction: the daily evaluation digest to the managers' chat, and /laporan on demand.

EventBridge Scheduler invokes it every day at 07:00 (SERVICE_TIMEZONE) for the day before; the router
invokes it for /laporan. One function for both: the chart library is packaged once, and a report asked
for on demand is the very same text, chart and workbook as the scheduled one.

A report date is claimed in MySQL (``report_run``) before anything is sent, and every part sent is
recorded, so a retried or doubled schedule never sends a second digest, and a retry after a failure
sends only what is missing. The S3 archive comes after the digest: S3 being down never holds it back;
the archive is retried (this invocation fails, Lambda retries it, and every later run retries it too).
"""

import os
from datetime import UTC, date, datetime
from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from telegram import Bot, InputFile, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes

from sinawai.common.working_hours import WorkingHours, indonesian_holidays
from sinawai.platform import clock
from sinawai.platform.errors import ConfigurationError, SinawaiError
from sinawai.report import files as report_files
from sinawai.report import metrics as report
from sinawai.report import store as report_store
from sinawai.report.metrics import Period, PeriodError
from sinawai.report.store import Built, Run
from sinawai.router.commands import REPORT
from sinawai.telegram.runtime import GroupFunction

REFUSED_TEXT = (
    "Mohon maaf, laporan evaluasi layanan hanya dapat diminta di grup pimpinan atau oleh admin Sinawai "
    "melalui chat pribadi dengan bot. Bila Anda memerlukan laporan ini, silakan hubungi Biro OSDM."
)
STAFF_NOTICE = (
    "⚠️ Laporan harian Sinawai untuk {day} belum dapat dikirim ke grup pimpinan ({reason}). Sistem "
    "mencoba lagi secara otomatis. Mohon periksa pengaturan MANAGERS_CHAT_ID dan pastikan bot masih "
    "menjadi anggota grup pimpinan."
)


class ReportDeliveryError(SinawaiError):
    """The digest could not be delivered to the managers' chat; the invocation fails so it is retried."""


class ReportInProgressError(SinawaiError):
    """Another run holds the day's claim: this one fails so Lambda retries it once that run is done (it
    then finds the digest sent) or its claim has lapsed (it then sends the digest itself)."""


class ArchiveError(SinawaiError):
    """The digest was sent but its files are not in S3 yet; the invocation fails so it is retried."""


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError as e:
        raise ConfigurationError(f"{name} must be a number of working hours, got {raw!r}") from e


function = GroupFunction(REPORT, lambda app: register(app))
hours = WorkingHours.from_spec(
    os.environ.get("WORKING_HOURS"), timezone=function.settings.timezone, is_holiday=indonesian_holidays()
)
TARGET_HOURS = _float_env("REPORT_SERVICE_TARGET_WORKING_HOURS", report.DEFAULT_SERVICE_TARGET_WORKING_HOURS)
# The clock /laporan reads "today" from (a test sets a fixed one: the seeded days lie ahead of the real one).
now_utc = clock.utcnow
s3 = boto3.client("s3", config=Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 2}))


# ---- building and sending ------------------------------------------------------------------------------


def build(period: Period) -> tuple[Built, dict[str, tuple[bytes, str]]]:
    built = report_store.build(function.db, period, hours, TARGET_HOURS)
    return built, report_files.files_of(built, hours.zone)


async def send_report(
    bot: Bot,
    chat_id: int,
    built: Built,
    files: dict[str, tuple[bytes, str]],
    run: Run | None = None,
) -> None:
    """The digest text, then the chart, then the workbook; a part a previous attempt sent is skipped."""
    stem = report.file_stem(built.report.period)
    png, xlsx = files[f"{stem}.png"][0], files[f"{stem}.xlsx"][0]

    def record(part: str, message_id: int) -> None:
        if run is not None:
            report_store.record_part(function.db, run.report_date, part, message_id, chat_id)

    if run is None or run.text_message_id is None:
        sent = await bot.send_message(chat_id, report.digest(built.report), parse_mode=ParseMode.HTML)
        record("text_message_id", sent.message_id)
    if run is None or run.chart_message_id is None:
        sent = await bot.send_photo(
            chat_id, InputFile(png, filename=f"{stem}.png"), caption=report.chart_caption(built.report)
        )
        record("chart_message_id", sent.message_id)
    if run is None or run.workbook_message_id is None:
        sent = await bot.send_document(
            chat_id,
            InputFile(xlsx, filename=f"{stem}.xlsx"),
            caption=report.workbook_caption(built.report),
        )
        record("workbook_message_id", sent.message_id)


def archive(day: date, files: dict[str, tuple[bytes, str]]) -> str:
    bucket = function.settings.documents_bucket
    if not bucket:
        raise ConfigurationError("DOCUMENTS_BUCKET is not set")
    prefix = report.archive_prefix(day)
    for name, (content, mime) in files.items():
        s3.put_object(Bucket=bucket, Key=prefix + name, Body=content, ContentType=mime)
    return prefix


def archive_pending(ready: dict[date, dict[str, tuple[bytes, str]]]) -> list[date]:
    """Archive every sent digest whose files are not in S3 yet; return the dates that failed again."""
    failed = []
    for day in report_store.pending_archives(function.db):
        try:
            files = ready.get(day) or build(Period(day, day))[1]
            report_store.mark_archived(function.db, day, archive(day, files))
        except (BotoCoreError, ClientError, ConfigurationError) as e:
            function.logger.warning("report archive failed; retried later", extra={"day": day.isoformat()})
            report_store.record_archive_error(function.db, day, f"archive: {type(e).__name__}: {e}")
            failed.append(day)
    return failed


async def tell_staff(bot: Bot, day: date, reason: str) -> None:
    staff = function.settings.staff_group_chat_id
    if staff is None or not report_store.claim_staff_notice(function.db, day):
        return
    try:
        await bot.send_message(staff, STAFF_NOTICE.format(day=report.tanggal_panjang(day), reason=reason))
    except TelegramError:
        function.logger.exception("could not tell the staff group that the digest failed")


def managers_chat() -> int:
    managers = function.settings.managers_chat_id
    if managers is None:
        raise ConfigurationError("MANAGERS_CHAT_ID is not set")
    return managers


async def daily(bot: Bot, day: date) -> dict[str, Any]:
    """Send the digest of ``day`` once, then archive it (and any digest whose archive is pending)."""
    db = function.db
    function.logger.append_keys(report_date=day.isoformat())
    run = report_store.claim_run(db, day)
    if run is None:
        existing = report_store.get_run(db, day)
        if existing is not None and existing.status == "claimed":
            raise ReportInProgressError(f"the digest of {day.isoformat()} is being sent by another run")
        function.logger.info("digest already sent: skipped")
        failed = archive_pending({})
        if failed:
            raise ArchiveError(f"archive still pending for {', '.join(d.isoformat() for d in failed)}")
        return {"status": "duplicate", "report_date": day.isoformat()}
    try:
        built, files = build(Period(day, day))
        await send_report(bot, managers_chat(), built, files, run)
    except (TelegramError, ConfigurationError) as e:
        reason = (
            f"Telegram menolak: {e.message}"
            if isinstance(e, TelegramError)
            else "MANAGERS_CHAT_ID belum diatur"
        )
        report_store.mark_failed(db, day, f"{type(e).__name__}: {reason}")
        function.logger.exception("digest not delivered; the invocation fails so that it is retried")
        await tell_staff(bot, day, reason)
        raise ReportDeliveryError(f"digest of {day.isoformat()} not delivered: {reason}") from e
    except Exception as e:
        # The database or the rendering failed: release the claim so that Lambda's retry takes it over.
        report_store.mark_failed(db, day, f"{type(e).__name__}: {e}")
        raise
    report_store.mark_sent(db, day)
    function.logger.info("digest sent", extra={"quiet": built.report.metrics.quiet})
    failed = archive_pending({day: files})
    if failed:
        raise ArchiveError(f"digest sent; archive pending for {', '.join(d.isoformat() for d in failed)}")
    return {"status": "sent", "report_date": day.isoformat()}


# ---- /laporan ------------------------------------------------------------------------------------------


def allowed(update: Update) -> bool:
    """The managers' chat, or an active admin in a private chat."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if function.settings.managers_chat_id is not None and chat.id == function.settings.managers_chat_id:
        return True
    return chat.type == ChatType.PRIVATE and report_store.is_admin(function.db, user.id)


async def laporan(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the report of yesterday, of a day or of a range to a manager or an admin; refuse anyone else."""
    message = update.effective_message
    assert message is not None
    if not allowed(update):
        await message.reply_text(REFUSED_TEXT)
        return
    today = now_utc().replace(tzinfo=UTC).astimezone(hours.zone).date()
    try:
        period = report.parse_period(context.args or [], today)
    except PeriodError as e:
        await message.reply_html(str(e))
        return
    built, files = build(period)
    await send_report(message.get_bot(), message.chat_id, built, files)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("laporan", laporan))


# ---- the handler ---------------------------------------------------------------------------------------


def scheduled_day(event: dict[str, Any]) -> date | None:
    """The day a scheduler event asks for: ``report_date``, else the day before ``scheduled_time``."""
    if event.get("source") != "sinawai.scheduler":
        return None
    if event.get("report_date"):
        return date.fromisoformat(str(event["report_date"]))
    raw = str(event.get("scheduled_time") or "")
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else datetime.now(UTC)
    return report.daily_report_date(moment, hours.zone)


@function.logger.inject_lambda_context(clear_state=True)
@function.metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    day = scheduled_day(event)
    if day is not None:
        return function.run(lambda bot: daily(bot, day))
    return function.handle(event, context)
