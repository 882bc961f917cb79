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
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from pymysql.connections import Connection

from local_stack.dbtools import admin_connection, temporary_database
from sinawai.common.working_hours import WorkingHours, indonesian_holidays
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.report import digest as report
from sinawai.report import files as report_files
from sinawai.report import store as report_store
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
            "INSERT INTO pesan (waktu, direction, chat_id, chat_type, kind, command, command_group)"
            f" SELECT {_spread(MESSAGES)}, IF(seq MOD 2 = 0, 'in', 'out'),"
            f" 9000001 + (seq * 7919) MOD {EMPLOYEES}, 'private', 'message',"
            " IF(seq MOD 3 = 0, ELT(1 + seq MOD 4, 'start', 'menu', 'daftar', 'cuti'), NULL),"
            " ELT(1 + seq MOD 5, 'general', 'registration', 'consultation', 'information', 'documents')"
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


def run(base: DatabaseSettings, progress: Any = print, *, compare: bool = True) -> dict[str, Any]:
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
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="local_stack.report_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--no-compare", action="store_true", help="skip the run without the 0008 indexes")
    args = parser.parse_args(argv)
    os.environ.setdefault("DB_HOST", "127.0.0.1")
    os.environ.setdefault("DB_USER", "root")
    result = run(
        DatabaseSettings.from_env(),
        lambda text: print(f"... {text}", flush=True),
        compare=not args.no_compare,
    )
    print(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
