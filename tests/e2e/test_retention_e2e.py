"""Retention end to end: consultations through the local stack, a year later, the scheduled purge.

An employee's question, the staff answer, the closing, the rating and its comment go through the router
and the functions as in production; a second employee's question stays unanswered. Then every row is made
400 days older (as if a year had passed) and EventBridge Scheduler's event reaches WebhookFunction through
the local Lambda endpoint. What the employees wrote must be nowhere but in the open ticket's messages,
every row must still be there, and the evaluation report of that day must count the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import RateLimits
from sinawai.common.working_hours import WorkingHours, indonesian_holidays
from sinawai.platform.db import Database
from sinawai.report import store as report_store
from sinawai.report.comparison import Report
from sinawai.report.period import Period
from tests.helpers import STORED_TEXT_COLUMNS, fresh_database, load_event, query
from tests.report_compare import without_comments

pytestmark = pytest.mark.e2e

BUDI, SITI, RINA = 5570001, 5570002, 5570101
STAFF = -1001000000001
AGE_DAYS = 400
QUESTION = "Apakah tunjangan saya dipotong bila cuti sakit tiga bulan karena operasi jantung?"
ANSWER = "Tidak dipotong selama ada surat keterangan dokter."
COMMENT = "Terima kasih, ibu Rina sangat membantu soal operasi saya"
OPEN_QUESTION = "Mohon cek pangkat saya yang belum naik sejak 2019"
# (table, time columns): every time a row of the conversation carries
AGED = (
    ("pesan", ("waktu",)),
    ("update_inbox", ("received_at", "dispatched_at", "claimed_at", "finished_at", "lease_until")),
    ("ticket", ("created_at", "first_answer_at", "last_answer_at", "closed_at", "rated_at")),
    ("ticket_event", ("waktu",)),
    ("ticket_message", ("created_at",)),
    ("faq_offer", ("offered_at", "decided_at")),
    ("audit_log", ("waktu",)),
    ("staff_outbox", ("created_at", "sent_at")),
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("retention-logs")
    with fresh_database("sinawai_e2e_retention") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-retention",
            extra_env={"STAFF_GROUP_MESSAGES_PER_MINUTE": "10000"},
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            emu.add_user(BUDI, "Budi", last_name="Santoso")
            emu.add_user(SITI, "Siti")
            emu.add_user(RINA, "Rina")
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA])
            db = Database(database)
            for nip, name, who in (
                ("199001172015031001", "Budi Santoso", BUDI),
                ("199203252016042002", "Siti", SITI),
            ):
                db.execute(
                    "INSERT INTO pengguna (nip, nama, status, unit_kerja, id_telegram)"
                    " VALUES (%s, %s, 'aktif', 'Biro Umum', %s)",
                    (nip, name, who),
                )
            db.close()
            yield local


def say(
    stack: LocalStack, user: int, text: str, *, chat_id: int | None = None, reply_to: int | None = None
) -> None:
    stack.telegram.send_message(user, text, chat_id=chat_id, reply_to_message_id=reply_to)
    stack.wait_idle()


def found(stack: LocalStack, text: str) -> list[str]:
    """Where ``text`` is stored: every column that may keep what a person wrote."""
    columns = (*STORED_TEXT_COLUMNS, ("ticket", "rating_comment"), ("faq_offer", "question"))
    places = []
    for table, column in columns:
        n = query(
            stack.config.database, f"SELECT COUNT(*) AS n FROM {table} WHERE {column} LIKE %s", (f"%{text}%",)
        )
        if n[0]["n"]:
            places.append(f"{table}.{column}")
    return places


def counts(stack: LocalStack) -> dict[str, int]:
    return {
        table: int(query(stack.config.database, f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])
        for table, _ in AGED
    }


def report_of(stack: LocalStack, day: date) -> Report:
    hours = WorkingHours.from_spec(None, timezone="Asia/Jakarta", is_holiday=indonesian_holidays())
    db = Database(stack.config.database)
    try:
        return report_store.build(db, Period(day, day), hours, 8.0).report
    finally:
        db.close()


def purge(stack: LocalStack) -> dict[str, Any]:
    """What EventBridge Scheduler does once a day: the router's purge task."""
    assert stack.runtime is not None
    result = stack.runtime.invoke(
        "WebhookFunction", json.dumps(load_event("webhook_retention_purge")).encode()
    )
    assert result.function_error is None, result.payload
    answer: dict[str, Any] = json.loads(result.payload)
    return answer


def test_a_year_later_the_purge_leaves_the_rows_and_the_report_and_only_the_open_tickets_words(
    stack: LocalStack,
) -> None:
    emu = stack.telegram
    say(stack, BUDI, "/start")
    say(stack, BUDI, QUESTION)
    ticket = query(stack.config.database, "SELECT id FROM ticket WHERE chat_id = %s", (BUDI,))[0]["id"]
    copy = next(m for m in emu.bot_messages(STAFF) if m.content == QUESTION)
    say(stack, RINA, ANSWER, chat_id=STAFF, reply_to=copy.message_id)
    say(stack, BUDI, "/selesai")
    emu.press_button(BUDI, BUDI, emu.bot_messages(BUDI)[-1].message_id, f"consultation:nilai:{ticket}:2")
    stack.wait_idle()
    say(stack, BUDI, COMMENT)
    say(stack, SITI, OPEN_QUESTION)  # never answered: the ticket stays open
    for text in (QUESTION, ANSWER, COMMENT, OPEN_QUESTION):
        assert "pesan.isi_pesan" in found(stack, text), text
    assert "ticket.rating_comment" in found(stack, COMMENT)

    # A year and a month pass.
    db = Database(stack.config.database)
    for table, columns in AGED:
        shifted = ", ".join(f"{c} = {c} - INTERVAL {AGE_DAYS} DAY" for c in columns)
        db.execute(f"UPDATE {table} SET {shifted}")
    db.close()
    day = (datetime.now(UTC) - timedelta(days=AGE_DAYS)).astimezone(ZoneInfo("Asia/Jakarta")).date()
    before_report, before_rows = report_of(stack, day), counts(stack)
    assert before_report.metrics.opened == 2
    assert before_report.metrics.messages_in > 0

    answer = purge(stack)

    assert answer["complete"] is True
    assert answer["tickets"] == 1
    processed = "SELECT COUNT(*) AS n FROM update_inbox WHERE status IN ('done', 'ignored', 'failed')"
    assert answer["inbox_payloads"] == query(stack.config.database, processed)[0]["n"] > 0
    for text in (QUESTION, ANSWER, COMMENT):
        assert found(stack, text) == [], text
    # The open ticket keeps its question (the employee's message; its copy in the staff group was logged
    # without text, as copies are), and only in the message log: the update's payload went after 30 days.
    assert found(stack, OPEN_QUESTION) == ["pesan.isi_pesan"]
    held = query(stack.config.database, "SELECT chat_id FROM pesan WHERE isi_pesan = %s", (OPEN_QUESTION,))
    assert [r["chat_id"] for r in held] == [SITI]
    assert counts(stack) == before_rows
    # every figure of that day's report is the same; the rating comment (a closed ticket's text) is gone
    assert [low.comment for low in before_report.metrics.low_ratings] == [COMMENT]
    assert report_of(stack, day) == without_comments(before_report)
    assert purge(stack)["batches"] == 9  # nothing left: one empty look per rule
