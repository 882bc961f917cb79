"""The report's use cases: the daily digest to the managers' chat, and a report sent on demand.

EventBridge Scheduler invokes the ReportFunction every day at 07:00 (SERVICE_TIMEZONE) for the day before;
the router invokes it for /laporan. One function for both: the chart library is packaged once, and a report
asked for on demand is the very same text, chart and workbook as the scheduled one.

A report date is claimed in MySQL (``report_run``) before anything is sent, and every part sent is
recorded, so a retried or doubled schedule never sends a second digest, and a retry after a failure
sends only what is missing. The S3 archive comes after the digest: S3 being down never holds it back;
the archive is retried (this invocation fails, Lambda retries it, and every later run retries it too).

Metrics (EMF, service sinawai-report), one line per run: DigestSent (1 when the day's digest went out),
DigestFailed (Telegram or the configuration refused it; retried), DigestSkipped (no managers' chat yet),
ReportsArchived and ReportArchivesFailed (days whose files reached S3, or not yet).
At 07:30 ``{"source": "sinawai.scheduler", "report": "check"}`` publishes ``DigestMissing`` for the alarm
(and ``WeeklyDigestMissing`` on a Monday, ``MonthlyDigestMissing`` on the month's first working day).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.metrics import MetricUnit
from telegram import Bot, InputFile
from telegram.constants import ParseMode
from telegram.error import TelegramError

from sinawai.common.working_hours import ServiceHours, WorkingHours
from sinawai.information.content import Bundle
from sinawai.information.content_store import ContentStore
from sinawai.platform import clock
from sinawai.platform.errors import ConfigurationError, SinawaiError
from sinawai.report import config, digest, files, store
from sinawai.report.metrics import Titles
from sinawai.report.period import (
    Period,
    daily_report_date,
    month_of,
    monthly_digest_due,
    period_text,
    week_of,
    weekly_report_period,
)
from sinawai.report.store import Built, Run
from sinawai.telegram.runtime import GroupFunction

STAFF_NOTICE = (
    "⚠️ Laporan harian Sinawai untuk {day} belum dapat dikirim ke grup pimpinan ({reason}). Sistem "
    "mencoba lagi secara otomatis. Mohon pastikan bot masih menjadi anggota grup pimpinan; bila sudah dan "
    "laporan tetap belum terkirim, hubungi admin Sinawai."
)
# What the staff group is told of why (the technical reason goes to the log and the report run).
STAFF_REASON_REFUSED = "Telegram menolak pengirimannya"
STAFF_REASON_NOT_SET = "grup pimpinan belum diatur oleh admin Sinawai"
NO_MANAGERS_CHAT = "grup pimpinan tujuan laporan belum ditetapkan"

Files = dict[str, tuple[bytes, str]]


class ReportDeliveryError(SinawaiError):
    """The digest could not be delivered to the managers' chat; the invocation fails so it is retried."""


class ReportInProgressError(SinawaiError):
    """Another run holds the day's claim: this one fails so Lambda retries it once that run is done (it
    then finds the digest sent) or its claim has lapsed (it then sends the digest itself)."""


class ArchiveError(SinawaiError):
    """The digest was sent but its files are not in S3 yet; the invocation fails so it is retried."""


def _s3_client() -> Any:
    # boto3 (about 150 ms of imports) only when a report goes to S3; it honours AWS_ENDPOINT_URL_S3 (moto)
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 2}))


def _aws_errors(*more: type[Exception]) -> tuple[type[Exception], ...]:
    """botocore's errors, imported when an exception is being matched (an ``except`` clause's types are
    evaluated only then): a report that calls no AWS API never loads botocore."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError, *more)


@dataclass
class Reporting:
    """What the report works with: its group function (database, settings, logger), the working hours,
    the service target, S3, and the clock /laporan reads "today" from (a test sets a fixed one: the seeded
    days lie ahead of the real one)."""

    function: GroupFunction
    service_hours: ServiceHours  # with the published calendar: read again on each use
    target_hours: float
    now: Callable[[], datetime] = clock.utcnow
    s3_client: Callable[[], Any] = _s3_client
    titles: Callable[[], Titles] = Titles  # the content's area and topic titles (read on each build)
    _s3: Any = field(default=None, init=False, repr=False)

    @property
    def hours(self) -> WorkingHours:
        return self.service_hours.current()

    @property
    def zone(self) -> ZoneInfo:
        """SERVICE_TIMEZONE: known without reading the published calendar (a skipped digest reads nothing)."""
        return self.service_hours.zone

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            self._s3 = self.s3_client()
        return self._s3

    def today(self) -> date:
        """The local date now."""
        return self.now().replace(tzinfo=UTC).astimezone(self.zone).date()

    def build(self, period: Period) -> tuple[Built, Files]:
        built = store.build(self.function.db, period, self.hours, self.target_hours, titles=self.titles())
        return built, files.files_of(built, self.hours.zone)


@functools.cache
def reporting_of(function: GroupFunction) -> Reporting:
    """The report's dependencies for a group function, made once per container."""
    settings = function.settings
    content = ContentStore(settings.documents_bucket)  # the working calendar is published with the content
    hours = config.hours_source(settings, lambda: content.get().calendar)

    def titles() -> Titles:
        try:
            return titles_of(content.get())
        except _aws_errors(ValueError):
            function.logger.warning("content titles unreadable: the report shows ids")
            return Titles()

    return Reporting(function, hours, config.target_hours(settings), titles=titles)


def titles_of(bundle: Bundle) -> Titles:
    """The published content's area and topic titles (a variant under its own id too)."""
    return Titles(
        areas={a.id: a.title for a in bundle.areas},
        topics={t.id: t.title for t in (*bundle.topics, *bundle.variants)},
    )


# ---- sending and archiving ---------------------------------------------------------------------------------


async def send_report(
    reporting: Reporting, bot: Bot, chat_id: int, built: Built, report_files: Files, run: Run | None = None
) -> None:
    """The digest text, then the chart, then the workbook; a part a previous attempt sent is skipped.
    A period without any activity gets the text alone (an empty chart and workbook say nothing)."""
    db = reporting.function.db
    stem = digest.file_stem(built.report.period)
    png, xlsx = report_files[f"{stem}.png"][0], report_files[f"{stem}.xlsx"][0]
    kind = built.report.period.kind

    def record(part: str, message_id: int) -> None:
        if run is not None:
            store.record_part(db, run.report_date, part, message_id, chat_id, kind)

    if run is None or run.text_message_id is None:
        sent = await bot.send_message(chat_id, digest.digest(built.report), parse_mode=ParseMode.HTML)
        record("text_message_id", sent.message_id)
    if built.report.metrics.quiet:
        return
    if run is None or run.chart_message_id is None:
        sent = await bot.send_photo(
            chat_id, InputFile(png, filename=f"{stem}.png"), caption=digest.chart_caption(built.report)
        )
        record("chart_message_id", sent.message_id)
    if run is None or run.workbook_message_id is None:
        sent = await bot.send_document(
            chat_id,
            InputFile(xlsx, filename=f"{stem}.xlsx"),
            caption=digest.workbook_caption(built.report),
        )
        record("workbook_message_id", sent.message_id)


def archive(reporting: Reporting, day: date, report_files: Files) -> str:
    bucket = reporting.function.settings.documents_bucket
    if not bucket:
        raise ConfigurationError("DOCUMENTS_BUCKET is not set")
    prefix = digest.archive_prefix(day)
    for name, (content, mime) in report_files.items():
        reporting.s3.put_object(Bucket=bucket, Key=prefix + name, Body=content, ContentType=mime)
    return prefix


def archive_pending(reporting: Reporting, ready: dict[date, Files]) -> list[date]:
    """Archive every sent digest whose files are not in S3 yet; return the dates that failed again."""
    db, logger = reporting.function.db, reporting.function.logger
    failed = []
    archived = 0
    for kind, day in store.pending_archives(db):
        try:
            period = period_of(kind, day)
            report_files = ready.get(day) if period.is_day else None
            report_files = report_files or reporting.build(period)[1]
            store.mark_archived(db, day, archive(reporting, day, report_files), kind)
            archived += 1
        except _aws_errors(ConfigurationError) as e:
            logger.warning("report archive failed; retried later", extra={"day": day.isoformat()})
            store.record_archive_error(db, day, f"archive: {type(e).__name__}: {e}", kind)
            failed.append(day)
    reporting.function.metrics.add_metric("ReportsArchived", MetricUnit.Count, archived)
    reporting.function.metrics.add_metric("ReportArchivesFailed", MetricUnit.Count, len(failed))
    return failed


def period_of(kind: str, day: date) -> Period:
    """The period a run record stands for: the day, or the week or month starting on it."""
    if kind == "weekly":
        return week_of(day)
    if kind == "monthly":
        return month_of(day)
    return Period(day, day)


async def tell_staff(reporting: Reporting, bot: Bot, period: Period, reason: str) -> None:
    staff = reporting.function.settings.staff_group_chat_id
    if staff is None or not store.claim_staff_notice(reporting.function.db, period.first, period.kind):
        return
    what = {"weekly": "mingguan", "monthly": "bulanan"}.get(period.kind, "harian")
    text = STAFF_NOTICE.format(day=period_text(period), reason=reason).replace("harian", what, 1)
    try:
        await bot.send_message(staff, text)
    except TelegramError:
        reporting.function.logger.exception("could not tell the staff group that the digest failed")


def managers_chat(reporting: Reporting) -> int:
    managers = reporting.function.settings.managers_chat_id
    if managers is None:
        raise ConfigurationError("MANAGERS_CHAT_ID is not set")
    return managers


# ---- the daily run -------------------------------------------------------------------------------------


async def daily(reporting: Reporting, bot: Bot, day: date) -> dict[str, Any]:
    """Send the digest of ``day`` once, then archive it (and any digest whose archive is pending)."""
    return await scheduled(reporting, bot, Period(day, day))


async def scheduled(reporting: Reporting, bot: Bot, period: Period) -> dict[str, Any]:
    """Send the digest of ``period`` (a day, a week or a month) once, then archive it (and any digest whose
    archive is pending). The claim is the period's kind and first day: a retried or doubled schedule finds
    it taken and sends nothing again."""
    db, logger = reporting.function.db, reporting.function.logger
    day, kind = period.first, period.kind
    logger.append_keys(report_date=day.isoformat(), report_kind=kind)
    run = store.claim_run(db, day, kind=kind)
    if run is None:
        existing = store.get_run(db, day, kind)
        if existing is not None and existing.status == "claimed":
            raise ReportInProgressError(f"the digest of {day.isoformat()} is being sent by another run")
        logger.info("digest already sent: skipped")
        failed = archive_pending(reporting, {})
        if failed:
            raise ArchiveError(f"archive still pending for {', '.join(d.isoformat() for d in failed)}")
        return _answer("duplicate", period)
    try:
        built, report_files = reporting.build(period)
        await send_report(reporting, bot, managers_chat(reporting), built, report_files, run)
    except (TelegramError, ConfigurationError) as e:
        reason = f"Telegram menolak: {e.message}" if isinstance(e, TelegramError) else NO_MANAGERS_CHAT
        store.mark_failed(db, day, f"{type(e).__name__}: {reason}", kind)
        reporting.function.metrics.add_metric("DigestFailed", MetricUnit.Count, 1)
        logger.exception("digest not delivered; the invocation fails so that it is retried")
        await tell_staff(
            reporting,
            bot,
            period,
            STAFF_REASON_REFUSED if isinstance(e, TelegramError) else STAFF_REASON_NOT_SET,
        )
        raise ReportDeliveryError(f"digest of {day.isoformat()} not delivered: {reason}") from e
    except Exception as e:
        # The database or the rendering failed: release the claim so that Lambda's retry takes it over.
        store.mark_failed(db, day, f"{type(e).__name__}: {e}", kind)
        raise
    store.mark_sent(db, day, kind)
    reporting.function.metrics.add_metric("DigestSent", MetricUnit.Count, 1)
    logger.info("digest sent", extra={"quiet": built.report.metrics.quiet})
    failed = archive_pending(reporting, {day: report_files})
    if failed:
        raise ArchiveError(f"digest sent; archive pending for {', '.join(d.isoformat() for d in failed)}")
    return _answer("sent", period)


def _answer(status: str, period: Period) -> dict[str, Any]:
    """The scheduled run's result; a weekly or monthly one names its kind (the daily one keeps its shape)."""
    answer = {"status": status, "report_date": period.first.isoformat()}
    if period.kind != "daily":
        answer["kind"] = period.kind
    return answer


# ---- the 07:30 check: was today's digest sent? ----------------------------------------------------------

CHECK_EVENT = {"source": "sinawai.scheduler", "report": "check"}


def is_check(event: dict[str, Any]) -> bool:
    return all(event.get(k) == v for k, v in CHECK_EVENT.items())


# The metric each kind of digest's 07:30 check publishes (an alarm each, same runbook section).
MISSING_METRICS = {
    "daily": "DigestMissing",
    "weekly": "WeeklyDigestMissing",
    "monthly": "MonthlyDigestMissing",
}


def digests_due(moment: datetime, zone: ZoneInfo, hours: WorkingHours) -> list[Period]:
    """The digests the 07:00 schedules of ``moment``'s morning send: the day before's every day, the week
    before's on a Monday, the month before's on the month's first working day."""
    day = daily_report_date(moment, zone)
    due = [Period(day, day)]
    if moment.astimezone(zone).weekday() == 0:
        due.append(weekly_report_period(moment, zone))
    monthly = monthly_digest_due(moment, hours)
    if monthly is not None:
        due.append(monthly)
    return due


def check_digest(reporting: Reporting, event: dict[str, Any]) -> dict[str, Any]:
    """Publish ``DigestMissing`` (1 when the daily digest due this morning is not recorded as sent, else
    0), and on a Monday ``WeeklyDigestMissing``, on the month's first working day ``MonthlyDigestMissing``
    (the same for the weekly and the monthly digest; not published on other mornings).

    The digests sent at 07:00 report on the day (week, month) before, so the periods checked are the ones
    the 07:00 runs of the same morning took (``scheduled_time`` of the check, or now). Without a managers'
    chat no digest is due: 0, so that the alarms stay quiet on a stage still being set up. Nothing is sent
    from here. The answer is the daily digest's; a weekly or monthly one due adds its own under its kind."""
    function = reporting.function
    raw = str(event.get("scheduled_time") or "")
    moment = (
        datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else reporting.now().replace(tzinfo=UTC)
    )
    due = digests_due(moment, reporting.zone, reporting.hours)
    answers: dict[str, dict[str, Any]] = {}
    for period in due:
        metric, first = MISSING_METRICS[period.kind], period.first.isoformat()
        if function.settings.managers_chat_id is None:
            function.metrics.add_metric(metric, MetricUnit.Count, 0)
            answers[period.kind] = {
                "status": "not due",
                "reason": "MANAGERS_CHAT_ID is not set",
                "report_date": first,
            }
            continue
        state = store.digest_state(function.db, period.first, period.kind)
        function.metrics.add_metric(metric, MetricUnit.Count, 0 if state.sent else 1)
        if state.sent:
            function.logger.info("digest sent", extra={"day": first, "kind": period.kind})
            answers[period.kind] = {"status": "sent", "report_date": first}
            continue
        function.logger.warning(
            "the digest is not sent",
            extra={
                "day": first,
                "kind": period.kind,
                "run_status": state.status or "none",
                "last_error": state.last_error,
            },
        )
        answers[period.kind] = {
            "status": "missing",
            "report_date": first,
            "run_status": state.status or "none",
        }
    if function.settings.managers_chat_id is None:
        function.logger.info(
            "MANAGERS_CHAT_ID is not set: no digest is due", extra={"day": due[0].first.isoformat()}
        )
    answer = answers.pop("daily")
    return {**answer, **answers}


def scheduled_period(event: dict[str, Any], reporting: Reporting) -> Period | str | None:
    """The period a scheduler event asks for: ``report`` daily (the default), weekly or monthly, at
    ``scheduled_time`` (or ``report_date``: a day inside the period wanted). A monthly event on a day that
    is not the month's first working day (the schedule fires on each of the first days) is "not due"."""
    if event.get("source") != "sinawai.scheduler":
        return None
    kind = str(event.get("report") or "daily")
    if kind not in ("weekly", "monthly"):
        day = scheduled_day(event, reporting)
        return Period(day, day) if day is not None else None
    if event.get("report_date"):
        inside = date.fromisoformat(str(event["report_date"]))
        return week_of(inside) if kind == "weekly" else month_of(inside)
    raw = str(event.get("scheduled_time") or "")
    moment = (
        datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else reporting.now().replace(tzinfo=UTC)
    )
    if kind == "weekly":
        return weekly_report_period(moment, reporting.zone)
    return monthly_digest_due(moment, reporting.hours) or "not due"


def scheduled_day(event: dict[str, Any], reporting: Reporting) -> date | None:
    """The day a scheduler event asks for: ``report_date``, else the day before ``scheduled_time``."""
    if event.get("source") != "sinawai.scheduler":
        return None
    if event.get("report_date"):
        return date.fromisoformat(str(event["report_date"]))
    raw = str(event.get("scheduled_time") or "")
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else datetime.now(UTC)
    return daily_report_date(moment, reporting.zone)


def handle(function: GroupFunction, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The ReportFunction's work: a scheduler event sends the day's digest; anything else is an update."""
    reporting = reporting_of(function)
    if is_check(event):
        return check_digest(reporting, event)
    period = scheduled_period(event, reporting)
    if period == "not due":
        function.logger.info("not the first working day of the month: no monthly digest today")
        return {"status": "not due", "kind": "monthly"}
    if isinstance(period, Period):
        day = period.first
        if function.settings.managers_chat_id is None:
            # Not configured yet (ManagersChatId is empty until the managers' chat exists): nothing to send
            # and nothing to retry; a failure here would only fill the dead-letter queue.
            function.logger.warning(
                "MANAGERS_CHAT_ID is not set: the daily digest is skipped", extra={"day": day.isoformat()}
            )
            function.metrics.add_metric("DigestSkipped", MetricUnit.Count, 1)
            return {
                "status": "skipped",
                "reason": "MANAGERS_CHAT_ID is not set",
                "report_date": day.isoformat(),
            }
        return function.run(lambda bot: scheduled(reporting, bot, period))
    return function.handle(event, context)


def lambda_handler_of(function: GroupFunction) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """``handle`` with Powertools' logs, metrics and traces around it, as ``GroupFunction.lambda_handler``."""

    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return handle(function, event, context)

    return function.entry(lambda_handler)
