"""The evaluation report's reads and its run records in MySQL (adapter of ``sinawai.report.metrics``).

Every query reads one period by an indexed time column (migration 0008 adds the covering ones), so a
day's report stays fast however long the record grows. Definitions of what is counted live in
``sinawai.report.metrics``; this module only fetches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sinawai.common.format_id import mask_nip
from sinawai.common.working_hours import WorkingHours
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database, Row
from sinawai.platform.errors import DuplicateKeyError
from sinawai.report import comparison, metrics
from sinawai.report.comparison import Report, TrendPoint
from sinawai.report.metrics import Facts, Metrics, TicketFact, Titles
from sinawai.report.period import Period, weeks_of

# A run that claimed a date and went silent this long ago (crashed, timed out) is taken over: longer than
# the function's 120 s timeout, shorter than Lambda's second retry (about 3 minutes after the first try).
CLAIM_LEASE = timedelta(seconds=150)

# A guest ticket (no NIP, issue 14) is counted like any other; where the report names a unit, it says guest.
GUEST_UNIT = "Tamu (belum terverifikasi)"
_TICKET_SELECT = (
    "SELECT t.id, t.created_at, t.first_answer_at, t.closed_at, t.rating, t.rated_at, t.rating_comment,"
    " p.unit_kerja, t.nip IS NULL AS tamu FROM ticket t LEFT JOIN pengguna p ON p.nip = t.nip"
)


def _ticket(row: Row) -> TicketFact:
    return TicketFact(
        id=int(row["id"]),
        unit=GUEST_UNIT if row["tamu"] else row["unit_kerja"],
        created_at=row["created_at"],
        first_answer_at=row["first_answer_at"],
        closed_at=row["closed_at"],
        rating=row["rating"],
        rated_at=row["rated_at"],
        rating_comment=row["rating_comment"],
    )


def _tickets(db: Database, where: str, args: tuple[Any, ...]) -> list[TicketFact]:
    rows = db.fetch_all(f"{_TICKET_SELECT} WHERE {where} ORDER BY t.id", args)
    return [_ticket(r) for r in rows]


def _counts(rows: list[Row], key: str) -> dict[Any, int]:
    return {r[key]: int(r["n"]) for r in rows}


def collect(db: Database, period: Period, zone: ZoneInfo, now: datetime) -> Facts:
    """The facts of ``period`` (local days in ``zone``); the backlog is measured at its end, or ``now``."""
    start, end = period.bounds(zone)
    as_of = min(end, now.replace(tzinfo=None))
    span = (start, end)

    messages_in = messages_out = 0
    by_area: dict[str | None, int] = {}
    by_command: dict[str, int] = {}
    for row in db.fetch_all(
        "SELECT direction, command_group, command, COUNT(*) AS n FROM pesan"
        " WHERE waktu >= %s AND waktu < %s GROUP BY direction, command_group, command",
        span,
    ):
        n = int(row["n"])
        if row["direction"] == "out":
            messages_out += n
            continue
        messages_in += n
        by_area[row["command_group"]] = by_area.get(row["command_group"], 0) + n
        if row["command"]:
            name = f"/{row['command']}"
            by_command[name] = by_command.get(name, 0) + n
    users = db.fetch_one(
        "SELECT COUNT(DISTINCT chat_id) AS n FROM pesan WHERE waktu >= %s AND waktu < %s"
        " AND direction = 'in' AND chat_type = 'private'",
        span,
    )
    audit = _counts(
        db.fetch_all(
            "SELECT event, COUNT(*) AS n FROM audit_log WHERE event IN ('register_success',"
            " 'register_failure', 'lockout') AND waktu >= %s AND waktu < %s GROUP BY event",
            span,
        ),
        "event",
    )
    faq = _counts(
        db.fetch_all(
            "SELECT outcome, COUNT(*) AS n FROM faq_offer WHERE offered_at >= %s AND offered_at < %s"
            " GROUP BY outcome",
            span,
        ),
        "outcome",
    )
    views = _counts(
        db.fetch_all(
            "SELECT area, COUNT(*) AS n FROM content_view WHERE viewed_at >= %s AND viewed_at < %s"
            " GROUP BY area",
            span,
        ),
        "area",
    )
    documents = _counts(
        db.fetch_all(
            "SELECT COALESCE(category, 'lainnya') AS category, COUNT(*) AS n FROM document_send"
            " WHERE sent_at >= %s AND sent_at < %s GROUP BY COALESCE(category, 'lainnya')",
            span,
        ),
        "category",
    )
    # Staff named by their registered name where their Telegram account is bound, else the Telegram name.
    staff = db.fetch_all(
        "SELECT e.actor_id, COALESCE(MAX(p.nama), MAX(e.actor_name)) AS name, COUNT(*) AS n"
        " FROM ticket_event e LEFT JOIN pengguna p ON p.id_telegram = e.actor_id AND e.actor_id IS NOT NULL"
        " WHERE e.event = 'answered' AND e.waktu >= %s AND e.waktu < %s AND e.actor_type = 'staf'"
        " GROUP BY e.actor_id",
        span,
    )
    tools = staff_tool_facts(db, start, end)
    # Open at the period's end: not closed then (still open, or closed only later), created before it.
    open_now = db.fetch_one(
        "SELECT COUNT(*) AS n FROM ticket WHERE status <> 'selesai' AND created_at < %s", (as_of,)
    )
    closed_later = db.fetch_one(
        "SELECT COUNT(*) AS n FROM ticket WHERE closed_at >= %s AND created_at < %s", (as_of, as_of)
    )
    # Of those, the ones still waiting for a first answer (read by ix_ticket_first_answer, both ranges).
    not_closed = "(t.closed_at IS NULL OR t.closed_at >= %s) AND t.created_at < %s"
    waiting = _tickets(db, f"t.first_answer_at IS NULL AND {not_closed}", (as_of, as_of)) + _tickets(
        db, f"t.first_answer_at >= %s AND {not_closed}", (as_of, as_of, as_of)
    )
    return Facts(
        period=period,
        as_of=as_of,
        messages_in=messages_in,
        messages_out=messages_out,
        active_users=int(users["n"]) if users else 0,
        registrations=audit.get("register_success", 0),
        failed_attempts=audit.get("register_failure", 0),
        lockouts=audit.get("lockout", 0),
        usage_by_area=by_area,
        usage_by_command=by_command,
        faq_outcomes=faq,
        content_views=views,
        documents_sent=sum(documents.values()),
        documents_by_category=documents,
        opened=_tickets(db, "t.created_at >= %s AND t.created_at < %s", span),
        first_answered=_tickets(db, "t.first_answer_at >= %s AND t.first_answer_at < %s", span),
        closed=_tickets(db, "t.closed_at >= %s AND t.closed_at < %s", span),
        rated=_tickets(db, "t.rated_at >= %s AND t.rated_at < %s", span),
        backlog_count=int(open_now["n"] if open_now else 0) + int(closed_later["n"] if closed_later else 0),
        waiting=sorted(waiting, key=lambda t: t.id),
        staff_answers={str(r["name"] or r["actor_id"]): int(r["n"]) for r in staff},
        **tools,
    )


def staff_tool_facts(db: Database, start: datetime, end: datetime) -> dict[str, Any]:
    """The staff tools' figures of [start, end), from ``ticket_event`` alone (the issue-15 contract):
    canned answers by topic (``answered`` with a ``topic``), the latest ``area_set`` of each ticket opened
    in the period, the area of each ``sla_reminded`` and the number of ``handed_over``."""
    canned = db.fetch_all(
        "SELECT JSON_VALUE(detail, '$.topic') AS topic, COUNT(*) AS n FROM ticket_event"
        " WHERE event = 'answered' AND waktu >= %s AND waktu < %s"
        " AND JSON_VALUE(detail, '$.topic') IS NOT NULL GROUP BY topic",
        (start, end),
    )
    areas = db.fetch_all(
        "SELECT t.id, (SELECT JSON_VALUE(e.detail, '$.area') FROM ticket_event e WHERE e.ticket_id = t.id"
        " AND e.event = 'area_set' AND e.waktu < %s ORDER BY e.waktu DESC, e.id DESC LIMIT 1) AS area"
        " FROM ticket t WHERE t.created_at >= %s AND t.created_at < %s",
        (end, start, end),
    )
    reminders = db.fetch_all(
        "SELECT JSON_VALUE(detail, '$.area') AS area FROM ticket_event"
        " WHERE event = 'sla_reminded' AND waktu >= %s AND waktu < %s",
        (start, end),
    )
    handovers = db.fetch_one(
        "SELECT COUNT(*) AS n FROM ticket_event WHERE event = 'handed_over' AND waktu >= %s AND waktu < %s",
        (start, end),
    )
    return {
        "canned_answers": {str(r["topic"]): int(r["n"]) for r in canned},
        "ticket_areas": {int(r["id"]): r["area"] for r in areas},
        "sla_reminders": [r["area"] for r in reminders],
        "handovers": int(handovers["n"]) if handovers else 0,
    }


def trend(db: Database, period: Period, hours: WorkingHours, *, weekly: bool = False) -> list[TrendPoint]:
    """The chart's series over ``period``: consultations opened per day (per week when ``weekly``), and
    the median first response of the tickets first answered that day (week)."""
    start, end = period.bounds(hours.zone)
    offset = hours.zone.utcoffset(datetime.combine(period.first, datetime.min.time()))
    seconds = int(offset.total_seconds()) if offset is not None else 0
    opened = db.fetch_all(
        "SELECT DATE(created_at + INTERVAL %s SECOND) AS day, COUNT(*) AS n FROM ticket"
        " WHERE created_at >= %s AND created_at < %s GROUP BY day",
        (seconds, start, end),
    )
    answers = db.fetch_all(
        "SELECT created_at, first_answer_at FROM ticket WHERE first_answer_at >= %s AND first_answer_at < %s",
        (start, end),
    )
    pairs = [(r["created_at"], r["first_answer_at"]) for r in answers]
    daily = comparison.trend(list(period.each_day()), {r["day"]: int(r["n"]) for r in opened}, pairs, hours)
    if weekly:
        return comparison.weekly(daily, weeks_of(period), pairs, hours)
    return daily


@dataclass(frozen=True)
class Detail:
    """The rows of the workbook beyond the metrics: what happened, line by line or per item."""

    audit: list[Row] = field(default_factory=list)  # time, event, masked NIP
    content: list[Row] = field(default_factory=list)  # area, topic, via, n
    documents: list[Row] = field(default_factory=list)  # document, title, category, method, n
    faq: list[Row] = field(default_factory=list)  # time, outcome, score, ticket


def detail(db: Database, period: Period, zone: ZoneInfo) -> Detail:
    span = period.bounds(zone)
    audit = db.fetch_all(
        "SELECT waktu, event, nip FROM audit_log WHERE waktu >= %s AND waktu < %s AND event IN"
        " ('register_success', 'register_failure', 'register_locked', 'lockout', 'unbind')"
        " ORDER BY waktu, id LIMIT 5000",
        span,
    )
    for row in audit:
        row["nip"] = mask_nip(str(row["nip"])) if row["nip"] else None
    return Detail(
        audit=audit,
        content=db.fetch_all(
            "SELECT area, COALESCE(topic_id, '(menu)') AS topic, via, COUNT(*) AS n FROM content_view"
            " WHERE viewed_at >= %s AND viewed_at < %s GROUP BY area, topic, via ORDER BY area, n DESC",
            span,
        ),
        documents=db.fetch_all(
            # the document's title where it is still on record (a document_id is document.id as text)
            "SELECT s.document_id, MAX(d.title) AS title, COALESCE(s.category, 'lainnya') AS category,"
            " s.method, COUNT(*) AS n FROM document_send s"
            " LEFT JOIN document d ON s.document_id = CAST(d.id AS CHAR) COLLATE utf8mb4_unicode_ci"
            " WHERE s.sent_at >= %s AND s.sent_at < %s"
            " GROUP BY s.document_id, category, s.method ORDER BY n DESC, s.document_id",
            span,
        ),
        faq=db.fetch_all(
            "SELECT offered_at, outcome, best_score, ticket_id FROM faq_offer"
            " WHERE offered_at >= %s AND offered_at < %s ORDER BY offered_at, id LIMIT 5000",
            span,
        ),
    )


@dataclass(frozen=True)
class Built:
    report: Report
    detail: Detail


def build(
    db: Database,
    period: Period,
    hours: WorkingHours,
    target_hours: float,
    now: datetime | None = None,
    titles: Titles | None = None,
) -> Built:
    """The whole report of ``period``: its metrics, the comparison periods, the trend and the detail."""
    now = now or utcnow()
    zone = hours.zone

    def metrics_of(p: Period) -> Metrics:
        return metrics.compute(collect(db, p, zone, now), hours, target_hours)

    week = metrics_of(period.week_before()) if period.is_day else None
    built = Report(
        metrics=metrics_of(period),
        previous=metrics_of(period.previous()),
        week=week,
        trend=trend(db, comparison.trend_period(period), hours, weekly=comparison.by_week(period)),
        titles=titles or Titles(),
    )
    return Built(built, detail(db, period, zone))


# ---- scheduled runs: one digest per report date ------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    report_date: date
    status: str
    attempts: int
    text_message_id: int | None
    chart_message_id: int | None
    workbook_message_id: int | None
    archive_status: str
    staff_notified: bool

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Run:
        return cls(
            report_date=row["report_date"],
            status=str(row["status"]),
            attempts=int(row["attempts"]),
            text_message_id=row["text_message_id"],
            chart_message_id=row["chart_message_id"],
            workbook_message_id=row["workbook_message_id"],
            archive_status=str(row["archive_status"]),
            staff_notified=row["staff_notified_at"] is not None,
        )


KINDS = ("daily", "weekly", "monthly")


def get_run(db: Database, report_date: date, kind: str = "daily") -> Run | None:
    row = db.fetch_one("SELECT * FROM report_run WHERE kind = %s AND report_date = %s", (kind, report_date))
    return Run.from_row(row) if row else None


def claim_run(
    db: Database, report_date: date, now: datetime | None = None, kind: str = "daily"
) -> Run | None:
    """Claim the digest of ``report_date``; None when it was sent or another run is sending it now.

    The date is the primary key: of two runs inserting at once, one wins. A failed run, or a claim older
    than CLAIM_LEASE, is taken over with a conditional UPDATE, which again only one run can win.
    """
    now = now or utcnow()
    try:
        db.execute(
            "INSERT INTO report_run (kind, report_date, status, claimed_at) VALUES (%s, %s, 'claimed', %s)",
            (kind, report_date, now),
        )
    except DuplicateKeyError:
        # the date has a run already: take it over only if it failed or its claim lapsed
        taken = db.execute(
            "UPDATE report_run SET status = 'claimed', claimed_at = %s, attempts = attempts + 1"
            " WHERE kind = %s AND report_date = %s"
            " AND (status = 'failed' OR (status = 'claimed' AND claimed_at < %s))",
            (now, kind, report_date, now - CLAIM_LEASE),
        )
        if not taken:
            return None
    return get_run(db, report_date, kind)


PARTS = ("text_message_id", "chart_message_id", "workbook_message_id")


def record_part(
    db: Database, report_date: date, part: str, message_id: int, chat_id: int, kind: str = "daily"
) -> None:
    if part not in PARTS:
        raise ValueError(part)
    db.execute(
        f"UPDATE report_run SET {part} = %s, chat_id = %s WHERE kind = %s AND report_date = %s",  # noqa: S608
        (message_id, chat_id, kind, report_date),
    )


def mark_sent(db: Database, report_date: date, kind: str = "daily") -> None:
    db.execute(
        "UPDATE report_run SET status = 'sent', sent_at = %s, last_error = NULL"
        " WHERE kind = %s AND report_date = %s",
        (utcnow(), kind, report_date),
    )


def mark_failed(db: Database, report_date: date, error: str, kind: str = "daily") -> None:
    db.execute(
        "UPDATE report_run SET status = 'failed', last_error = %s WHERE kind = %s AND report_date = %s",
        (error[:1000], kind, report_date),
    )


def claim_staff_notice(db: Database, report_date: date, kind: str = "daily") -> bool:
    """True once per report: the staff group is told of a failed digest only the first time."""
    return bool(
        db.execute(
            "UPDATE report_run SET staff_notified_at = %s WHERE kind = %s AND report_date = %s"
            " AND staff_notified_at IS NULL",
            (utcnow(), kind, report_date),
        )
    )


def mark_archived(db: Database, report_date: date, prefix: str, kind: str = "daily") -> None:
    db.execute(
        "UPDATE report_run SET archive_status = 'archived', archive_prefix = %s, archived_at = %s"
        " WHERE kind = %s AND report_date = %s",
        (prefix, utcnow(), kind, report_date),
    )


def record_archive_error(db: Database, report_date: date, error: str, kind: str = "daily") -> None:
    db.execute(
        "UPDATE report_run SET last_error = %s WHERE kind = %s AND report_date = %s",
        (error[:1000], kind, report_date),
    )


def pending_archives(db: Database, limit: int = 7) -> list[tuple[str, date]]:
    """Digests sent whose files are not in S3 yet, oldest first: (kind, report date)."""
    rows = db.fetch_all(
        "SELECT kind, report_date FROM report_run WHERE archive_status = 'pending' AND status = 'sent'"
        " ORDER BY report_date, kind LIMIT %s",
        (limit,),
    )
    return [(str(r["kind"]), r["report_date"]) for r in rows]


@dataclass(frozen=True)
class DigestState:
    """What the record says of one date's digest (the 07:30 check and ``sinawai smoke`` read it)."""

    report_date: date
    status: str | None  # report_run.status: claimed, sent or failed; None when no run took the date
    sent_at: datetime | None  # UTC
    last_error: str | None

    @property
    def sent(self) -> bool:
        return self.status == "sent"


def digest_state(db: Database, report_date: date, kind: str = "daily") -> DigestState:
    """The record of the ``kind`` digest (daily, weekly, monthly) whose period starts on ``report_date``."""
    row = db.fetch_one(
        "SELECT status, sent_at, last_error FROM report_run WHERE kind = %s AND report_date = %s",
        (kind, report_date),
    )
    if row is None:
        return DigestState(report_date, None, None, None)
    return DigestState(report_date, str(row["status"]), row["sent_at"], row["last_error"])


def last_digest_date(db: Database) -> date | None:
    """The latest date a digest was sent for; None on a stage that never sent one."""
    row = db.fetch_one(
        "SELECT MAX(report_date) AS d FROM report_run WHERE kind = 'daily' AND status = 'sent'"
    )
    return row["d"] if row and row["d"] is not None else None


def is_admin(db: Database, telegram_id: int) -> bool:
    """An active employee with the admin role bound to this Telegram account."""
    row = db.fetch_one(
        "SELECT 1 AS ok FROM pengguna WHERE id_telegram = %s AND hak_pengguna = 'admin' AND status = 'aktif'",
        (telegram_id,),
    )
    return row is not None
