"""The evaluation report over a year of synthetic activity: how long the daily report takes (target < 5 s).

A fresh MariaDB database gets a year of activity ending on the report day, generated inside the server
with INSERT … SELECT over MariaDB's sequence engine (``seq_1_to_N``): 5,000 employees, 1,000,000
messages, 100,000 tickets with their opened/answered/closed events (about 300,000), 20,000 registration
events, 50,000 FAQ offers, 100,000 information views and 30,000 documents sent. Then the daily report is
built exactly as ReportFunction builds it (the day, the day before, the 7 days before, the 30-day trend,
the detail), and its chart, workbook and digest are rendered; each part is timed. To show which indexes
make it fast, the report is timed again without migration 0008's indexes, and they are put back.

Run alone: ``python -m local_stack.report_bench``; ``make bench`` runs it after the webhook benchmark.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymysql.connections import Connection

from local_stack.dbtools import admin_connection, temporary_database
from sinawai.common.working_hours import WorkingHours, indonesian_holidays
from sinawai.platform import retention
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.report import digest as report
from sinawai.report import files as report_files
from sinawai.report import store as report_store
from sinawai.report.comparison import Report
from sinawai.report.metrics import Metrics
from sinawai.report.period import Period

REPORT_DAY = date(2026, 11, 27)
YEAR_START = datetime(2025, 11, 27, 17, 0, tzinfo=UTC).replace(tzinfo=None)  # 28 Nov 2025 00:00 WIB
YEAR_SECONDS = 365 * 86400
TARGET_SECONDS = 5.0
EMPLOYEES = 5_000
MESSAGES = 1_000_000
TICKETS = 100_000

# migration 0008's indexes, as (table, name, columns): dropped and re-created for the comparison
INDEXES = (
    ("pesan", "ix_pesan_report", "waktu, direction, chat_type, chat_id, command_group, command"),
    ("ticket", "ix_ticket_first_answer", "first_answer_at, created_at"),
    ("ticket", "ix_ticket_rated", "rated_at"),
    ("ticket_event", "ix_ticket_event_event_waktu", "event, waktu, actor_type, actor_id"),
)


# the time indexes of earlier migrations (0001, 0003) on the two big tables, for the full-scan comparison
TIME_INDEXES = (
    ("pesan", "ix_pesan_waktu", "waktu"),
    ("pesan", "ix_pesan_group_waktu", "command_group, waktu"),
    ("ticket", "ix_ticket_created", "created_at"),
    ("ticket", "ix_ticket_closed", "closed_at"),
    ("ticket", "ix_ticket_status_created", "status, created_at"),
)


def _spread(n: int) -> str:
    """SQL: the moment of row ``seq`` of ``n``, spread over the year (times are UTC)."""
    return f"%s + INTERVAL FLOOR(seq * {YEAR_SECONDS} / {n}) SECOND"


def generate(conn: Connection, progress: Any = print) -> dict[str, int]:
    """Fill the database with a year of activity; return the row counts."""
    start = YEAR_START
    steps: list[tuple[str, str, tuple[Any, ...]]] = [
        (
            "employees",
            "INSERT INTO pengguna (nip, nama, unit_kerja, id_telegram, registered_at)"
            " SELECT LPAD(seq, 18, '0'), CONCAT('Pegawai ', seq), CONCAT('Biro ', 1 + seq MOD 12),"
            f" 9000000 + seq, %s FROM seq_1_to_{EMPLOYEES}",
            (start,),
        ),
        (
            "messages",
            "INSERT INTO pesan (id, waktu, direction, chat_id, chat_type, kind, command, command_group,"
            " id_pesan, pengirim, isi_pesan)"
            f" SELECT seq, {_spread(MESSAGES)}, IF(seq MOD 2 = 0, 'in', 'out'),"
            f" 9000001 + (seq * 7919) MOD {EMPLOYEES}, 'private', 'message',"
            " IF(seq MOD 3 = 0, ELT(1 + seq MOD 4, 'start', 'menu', 'daftar', 'cuti'), NULL),"
            " ELT(1 + seq MOD 5, 'general', 'registration', 'consultation', 'information', 'documents'),"
            " seq, IF(seq MOD 2 = 0, CONCAT('Pegawai ', seq MOD 5000), 'Sinawai'),"
            " CONCAT('Pesan contoh nomor ', seq, ': pertanyaan tentang cuti, tunjangan dan pangkat saya')"
            f" FROM seq_1_to_{MESSAGES}",
            (start,),
        ),
        (
            "tickets",
            "INSERT INTO ticket (nip, chat_id, status, staff_chat_id, created_at, first_answer_at,"
            " last_answer_at, closed_at, rating, rated_at, rating_comment)"
            " SELECT nip, chat_id, IF(closed_at IS NULL, IF(first_answer_at IS NULL, 'baru', 'dijawab'),"
            " 'selesai'), -1001000000001, created_at, first_answer_at, first_answer_at, closed_at,"
            " IF(closed_at IS NOT NULL AND seq MOD 5 < 3, 1 + seq MOD 5, NULL),"
            " IF(closed_at IS NOT NULL AND seq MOD 5 < 3, closed_at + INTERVAL 2 MINUTE, NULL),"
            " IF(closed_at IS NOT NULL AND seq MOD 5 < 3 AND seq MOD 5 < 2, 'Mohon lebih cepat', NULL)"
            " FROM (SELECT seq, LPAD(1 + seq MOD %s, 18, '0') AS nip, 9000001 + seq MOD %s AS chat_id,"
            f" {_spread(TICKETS)} AS created_at,"
            f" IF(seq MOD 33 = 0, NULL, {_spread(TICKETS)} + INTERVAL (seq * 37) MOD 86400 SECOND)"
            " AS first_answer_at,"
            f" IF(seq MOD 10 = 0 OR seq MOD 33 = 0, NULL, {_spread(TICKETS)}"
            " + INTERVAL (seq * 37) MOD 86400 + (seq * 53) MOD 172800 SECOND) AS closed_at"
            f" FROM seq_1_to_{TICKETS}) AS generated",
            (EMPLOYEES, EMPLOYEES, start, start, start),
        ),
        (
            "ticket events",
            "INSERT INTO ticket_event (ticket_id, waktu, event, actor_type, actor_id, actor_name)"
            " SELECT id, created_at, 'opened', 'pegawai', chat_id, NULL FROM ticket"
            " UNION ALL SELECT id, first_answer_at, 'answered', 'staf', 8000 + id MOD 20,"
            " CONCAT('Petugas ', id MOD 20) FROM ticket WHERE first_answer_at IS NOT NULL"
            " UNION ALL SELECT id, closed_at, 'closed', 'staf', 8000 + id MOD 20,"
            " CONCAT('Petugas ', id MOD 20) FROM ticket WHERE closed_at IS NOT NULL",
            (),
        ),
        (
            "registration events",
            "INSERT INTO audit_log (waktu, event, telegram_user_id, nip)"
            f" SELECT {_spread(20_000)}, ELT(1 + seq MOD 4, 'register_success', 'register_failure',"
            " 'register_failure', 'lockout'), 9000001 + seq MOD 5000, LPAD(1 + seq MOD 5000, 18, '0')"
            " FROM seq_1_to_20000",
            (start,),
        ),
        (
            "FAQ offers",
            "INSERT INTO faq_offer (chat_id, outcome, offered_at, best_score)"
            f" SELECT 9000001 + seq MOD 5000, ELT(1 + seq MOD 4, 'terjawab', 'diteruskan',"
            f" 'tanpa_kecocokan', 'terjawab'), {_spread(50_000)}, 60 FROM seq_1_to_50000",
            (start,),
        ),
        (
            "information views",
            "INSERT INTO content_view (chat_id, area, topic_id, via, viewed_at)"
            " SELECT 9000001 + seq MOD 5000, ELT(1 + seq MOD 5, 'renbangkompeg', 'mutasi', 'jahdis',"
            f" 'pengkinpeg', 'terkini'), CONCAT('topik-', seq MOD 20), 'button', {_spread(100_000)}"
            " FROM seq_1_to_100000",
            (start,),
        ),
        (
            "documents sent",
            "INSERT INTO document_send (document_id, category, chat_id, method, sent_at)"
            " SELECT CONCAT('dok-', seq MOD 40), ELT(1 + seq MOD 3, 'formulir', 'peraturan', NULL),"
            f" 9000001 + seq MOD 5000, 'file_id', {_spread(30_000)} FROM seq_1_to_30000",
            (start,),
        ),
    ]
    counts: dict[str, int] = {}
    with conn.cursor() as cur:
        for name, sql, args in steps:
            started = time.perf_counter()
            counts[name] = cur.execute(sql, args or None)
            progress(f"{name}: {counts[name]:,} rows in {time.perf_counter() - started:.1f} s")
        for table in (
            "pesan",
            "ticket",
            "ticket_event",
            "audit_log",
            "faq_offer",
            "content_view",
            "document_send",
        ):
            cur.execute(f"ANALYZE TABLE {table}")
            cur.fetchall()
    return counts


@contextmanager
def _without(conn: Connection, indexes: tuple[tuple[str, str, str], ...]) -> Iterator[None]:
    """Drop these indexes for the block, and put them back."""
    with conn.cursor() as cur:
        for table, name, _columns in indexes:
            cur.execute(f"DROP INDEX {name} ON {table}")  # identifiers from the constants above
    try:
        yield
    finally:
        with conn.cursor() as cur:
            for table, name, columns in indexes:
                cur.execute(f"CREATE INDEX {name} ON {table} ({columns})")


def time_report(db: Database, hours: WorkingHours) -> dict[str, float]:
    """Seconds for each part of the daily report of REPORT_DAY, as ReportFunction builds it."""
    now = datetime(2026, 11, 28, 0, 0, tzinfo=UTC).replace(tzinfo=None)  # 07:00 WIB, the schedule
    started = time.perf_counter()
    built = report_store.build(db, Period(REPORT_DAY, REPORT_DAY), hours, 8.0, now)
    queried = time.perf_counter()
    files = report_files.files_of(built, hours.zone)
    text = report.digest(built.report)
    rendered = time.perf_counter()
    assert built.report.metrics.messages_in > 0
    assert len(text) <= report.TELEGRAM_TEXT_LIMIT
    return {
        "queries_and_metrics_s": round(queried - started, 3),
        "chart_workbook_digest_s": round(rendered - queried, 3),
        "total_s": round(rendered - started, 3),
        "messages_in_that_day": built.report.metrics.messages_in,
        "tickets_opened_that_day": built.report.metrics.opened,
        "workbook_bytes": len(next(c for n, (c, _m) in files.items() if n.endswith(".xlsx"))),
    }


# ---- retention: the daily purge over the same year -------------------------------------------------------

REPORT_NOW = datetime(2026, 11, 28, 0, 0, tzinfo=UTC).replace(tzinfo=None)  # 07:00 WIB, the schedule
# A year after the report day every row of the year is past its retention: the first run (as of the day
# before) is the catch-up of a stack deployed over a year of data, the next one is an ordinary daily run.
PURGE_NOW = datetime(2027, 11, 28, 0, 0, tzinfo=UTC).replace(tzinfo=None)
PURGED_DAYS = (date(2026, 5, 20), REPORT_DAY)
LAMBDA_BUDGET_SECONDS = 7.0  # WebhookFunction's 10 s timeout less retention.SAFETY_SECONDS


def prepare_retention(conn: Connection, progress: Any = print) -> dict[str, int]:
    """What the purge removes, added to the year: every incoming message's update in the inbox (as
    Telegram sent it: sender, text), every ticket's conversation mapped as the consultation function maps
    it (question copy and staff answer in the staff group, the question in the employee's chat), and the
    FAQ questions (the forwarded ones linked to their ticket). Ticket ``k`` owns messages 10k-9 … 10k-7."""
    steps: list[tuple[str, str, tuple[Any, ...]]] = [
        (
            "inbox updates",
            "INSERT INTO update_inbox (update_id, received_at, status, command_group, chat_id, payload,"
            " attempts, finished_at)"
            " SELECT id, waktu, CASE WHEN id MOD 200 = 2 THEN 'failed' WHEN id MOD 50 = 4 THEN 'ignored'"
            " ELSE 'done' END, command_group, chat_id, JSON_OBJECT('update_id', id, 'message',"
            " JSON_OBJECT('message_id', id_pesan, 'date', UNIX_TIMESTAMP(waktu), 'chat',"
            " JSON_OBJECT('id', chat_id, 'type', 'private'), 'from', JSON_OBJECT('id', chat_id,"
            " 'first_name', pengirim), 'text', isi_pesan)), 1, waktu + INTERVAL 1 SECOND"
            " FROM pesan WHERE direction = 'in'",
            (),
        ),
        (
            "tickets' questions in the employees' chats",
            "UPDATE pesan JOIN ticket t ON pesan.id = t.id * 10 - 7 SET pesan.chat_id = t.chat_id",
            (),
        ),
        (
            "ticket messages (questions)",
            "INSERT INTO ticket_message (ticket_id, staff_chat_id, staff_message_id, kind,"
            " private_message_id, created_at)"
            " SELECT t.id, p.chat_id, p.id_pesan, 'question', t.id * 10 - 7, p.waktu"
            " FROM ticket t JOIN pesan p ON p.id = t.id * 10 - 9",
            (),
        ),
        (
            "ticket messages (answers)",
            "INSERT INTO ticket_message (ticket_id, staff_chat_id, staff_message_id, kind, created_at)"
            " SELECT t.id, p.chat_id, p.id_pesan, 'answer', p.waktu FROM ticket t JOIN pesan p"
            " ON p.id = t.id * 10 - 8",
            (),
        ),
        (
            "FAQ questions",
            "UPDATE faq_offer SET question = CONCAT('Pertanyaan contoh ', id, ' tentang kenaikan pangkat'),"
            " ticket_id = IF(outcome = 'diteruskan', 1 + (id * 7) MOD %s, NULL)",
            (TICKETS - 1,),
        ),
    ]
    counts: dict[str, int] = {}
    with conn.cursor() as cur:
        for name, sql, args in steps:
            started = time.perf_counter()
            counts[name] = cur.execute(sql, args or None)
            progress(f"{name}: {counts[name]:,} rows in {time.perf_counter() - started:.1f} s")
        for table in ("update_inbox", "pesan", "ticket_message", "faq_offer"):
            cur.execute(f"ANALYZE TABLE {table}")
            cur.fetchall()
    return counts


def _reports(db: Database, hours: WorkingHours) -> dict[date, Report]:
    return {
        day: report_store.build(db, Period(day, day), hours, 8.0, REPORT_NOW).report for day in PURGED_DAYS
    }


def _without_comments(report: Report) -> Report:
    """The report with its rating comments taken out (they are closed tickets' texts): every figure,
    ticket id and rating as it was."""

    def bare(metrics: Metrics) -> Metrics:
        lows = [dataclasses.replace(low, comment=None) for low in metrics.low_ratings]
        return dataclasses.replace(metrics, low_ratings=lows)

    week = bare(report.week) if report.week else None
    return dataclasses.replace(
        report, metrics=bare(report.metrics), previous=bare(report.previous), week=week
    )


def _remaining(conn: Connection) -> dict[str, int]:
    """Rows that still hold content: texts of the tickets still open, and what is not past retention."""
    queries = {
        "inbox_payloads": "SELECT COUNT(*) FROM update_inbox"
        " WHERE JSON_VALUE(payload, '$.purged_at') IS NULL",
        "message_texts": "SELECT COUNT(*) FROM pesan WHERE isi_pesan IS NOT NULL",
        "faq_questions": "SELECT COUNT(*) FROM faq_offer WHERE question IS NOT NULL",
        "rating_comments": "SELECT COUNT(*) FROM ticket WHERE rating_comment IS NOT NULL",
    }
    found: dict[str, int] = {}
    with conn.cursor() as cur:
        for name, sql in queries.items():
            cur.execute(sql)
            row = cur.fetchone()
            found[name] = int(row[0]) if row else 0
    return found


def purge_year(conn: Connection, db: Database, hours: WorkingHours, progress: Any = print) -> dict[str, Any]:
    """The daily purge over the year: the catch-up, the next day's run, a run with nothing left; and the
    reports of a day in the middle of the year and of its last day, before and after."""
    started = time.perf_counter()
    prepared = prepare_retention(conn, progress)
    prepared_s = round(time.perf_counter() - started, 1)
    before_content = _remaining(conn)
    before = _reports(db, hours)
    policy = retention.RetentionPolicy()
    runs: dict[str, Any] = {}
    for name, now in (
        ("catch_up", PURGE_NOW - timedelta(days=1)),
        ("next_day", PURGE_NOW),
        ("nothing_left", PURGE_NOW),
    ):
        result = retention.purge(db, policy, now=now)
        rows = sum(
            result.counts[n] for n in ("inbox_payloads", "message_texts", "faq_questions", "ticket_texts")
        )
        by_walk = result.seconds_by_walk
        runs[name] = {
            "as_of": now.isoformat(),
            **result.as_dict(),
            "rows": rows,
            "rows_per_s": round(rows / result.seconds) if result.seconds else None,
            "seconds_per_rule": {
                "update_inbox payloads": round(
                    sum(v for k, v in by_walk.items() if k.startswith("inbox")), 2
                ),
                "pesan texts": round(by_walk.get("messages", 0.0), 2),
                "faq_offer questions": round(by_walk.get("faq_questions", 0.0), 2),
                "closed tickets' texts": round(by_walk.get("tickets", 0.0), 2),
            },
        }
        progress(f"purge {name}: {rows:,} rows in {result.seconds:.2f} s ({result.batches} batches)")
    after = _reports(db, hours)
    unchanged = {day.isoformat(): after[day] == _without_comments(before[day]) for day in PURGED_DAYS}
    comments_removed = sum(
        1
        for built in before.values()
        for m in (built.metrics, built.previous, built.week)
        if m is not None
        for low in m.low_ratings
        if low.comment
    )
    catch_up = runs["catch_up"]
    return {
        "prepared": prepared,
        "prepared_s": prepared_s,
        "content_before": before_content,
        "runs": runs,
        "content_after": _remaining(conn),
        "report_figures_unchanged": unchanged,
        "rating_comments_removed_from_those_reports": comments_removed,
        "lambda_runs_for_the_catch_up": max(1, math.ceil(catch_up["seconds"] / LAMBDA_BUDGET_SECONDS)),
    }


def run(
    base: DatabaseSettings, progress: Any = print, *, compare: bool = True, purge: bool = True
) -> dict[str, Any]:
    hours = WorkingHours.from_spec(None, timezone="Asia/Jakarta", is_holiday=indonesian_holidays())
    with temporary_database(base, "sinawai_report_bench") as settings:
        # The bulk statements on their own connection: a million rows take longer than the functions'
        # 10 s read timeout. The report itself reads through the functions' Database, timeouts included.
        bulk = admin_connection(settings)
        db = Database(settings)
        try:
            bulk.select_db(settings.name)
            started = time.perf_counter()
            counts = generate(bulk, progress)
            generated_s = round(time.perf_counter() - started, 1)
            time_report(db, hours)  # warm: the buffer pool, matplotlib's font cache
            with_indexes = time_report(db, hours)
            progress(
                f"daily report over a year: {with_indexes['total_s']:.2f} s (target < {TARGET_SECONDS} s)"
            )
            result: dict[str, Any] = {
                "rows": counts,
                "generation_s": generated_s,
                "report_day": REPORT_DAY.isoformat(),
                "with_0008_indexes": with_indexes,
                "target_s": TARGET_SECONDS,
                "met": with_indexes["total_s"] < TARGET_SECONDS,
            }
            if compare:
                with _without(bulk, INDEXES):
                    result["without_0008_indexes"] = time_report(db, hours)
                progress(f"without 0008's indexes: {result['without_0008_indexes']['total_s']:.2f} s")
                with _without(bulk, INDEXES + TIME_INDEXES):
                    result["without_time_indexes"] = time_report(db, hours)
                progress(f"without any time index: {result['without_time_indexes']['total_s']:.2f} s")
            if purge:
                result["retention"] = purge_year(bulk, db, hours, progress)
            return result
        finally:
            db.close()
            bulk.close()


def render(result: dict[str, Any]) -> str:
    rows = result["rows"]
    w = result["with_0008_indexes"]
    lines = [
        "Evaluation report over a year of activity",
        f"  generated: {rows['messages']:,} messages, {rows['tickets']:,} tickets, "
        f"{rows['ticket events']:,} ticket events (+ registrations, FAQ, views, documents) "
        f"in {result['generation_s']} s",
        f"  daily report of {result['report_day']}: {w['total_s']:.2f} s "
        f"(queries and metrics {w['queries_and_metrics_s']:.2f} s, chart + workbook + digest "
        f"{w['chart_workbook_digest_s']:.2f} s); target < {result['target_s']} s: "
        f"{'met' if result['met'] else 'NOT MET'}",
    ]
    for key, label in (
        ("without_0008_indexes", "without migration 0008's indexes"),
        ("without_time_indexes", "without any time index on pesan and ticket (full scans)"),
    ):
        if key in result:
            timed = result[key]
            lines.append(
                f"  {label}: {timed['total_s']:.2f} s (queries {timed['queries_and_metrics_s']:.2f} s)"
            )
    if "retention" in result:
        lines += render_retention(result["retention"])
    return "\n".join(lines)


def render_retention(r: dict[str, Any]) -> list[str]:
    lines = ["Retention purge over the year (default policy: inbox 30 days, messages 365, tickets 365)"]
    for name, label in (
        ("catch_up", "catch-up, a year of data at once"),
        ("next_day", "the next daily run"),
        ("nothing_left", "a run with nothing left"),
    ):
        run = r["runs"][name]
        lines.append(
            f"  {label} (as of {run['as_of'][:10]}): {run['seconds']:.2f} s, {run['batches']} batches;"
            f" {run['inbox_payloads']:,} inbox payloads, {run['message_texts']:,} message texts,"
            f" {run['faq_questions']:,} FAQ questions,"
            f" {run['tickets']:,} tickets ({run['ticket_texts']:,} texts)"
            + (f"; {run['rows_per_s']:,} rows/s" if run["rows_per_s"] else "")
        )
    per_rule = r["runs"]["catch_up"]["seconds_per_rule"]
    lines.append("  catch-up per rule: " + ", ".join(f"{rule} {sec:.1f} s" for rule, sec in per_rule.items()))
    lines.append(
        f"  in WebhookFunction's {LAMBDA_BUDGET_SECONDS:.0f} s budget the catch-up takes"
        f" {r['lambda_runs_for_the_catch_up']} run(s)"
    )
    kept = r["content_after"]
    lines.append(
        f"  content kept after the purge: {kept['message_texts']:,} message texts,"
        f" {kept['faq_questions']:,} FAQ questions, {kept['rating_comments']:,} rating comments"
        " (tickets open, or closed less than a year before), "
        f"{kept['inbox_payloads']:,} inbox payloads"
    )
    for day, same in r["report_figures_unchanged"].items():
        lines.append(f"  report of {day} after the purge: figures {'unchanged' if same else 'CHANGED'}")
    lines.append(
        f"  (rating comments removed from those reports: {r['rating_comments_removed_from_those_reports']})"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="local_stack.report_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--no-compare", action="store_true", help="skip the run without the 0008 indexes")
    parser.add_argument("--no-purge", action="store_true", help="skip the retention purge over the year")
    args = parser.parse_args(argv)
    os.environ.setdefault("DB_HOST", "127.0.0.1")
    os.environ.setdefault("DB_USER", "root")
    result = run(
        DatabaseSettings.from_env(),
        lambda text: print(f"... {text}", flush=True),
        compare=not args.no_compare,
        purge=not args.no_purge,
    )
    print(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
