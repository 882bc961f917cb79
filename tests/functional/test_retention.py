"""Retention (issue 13, item 6): the daily purge against a real MariaDB handle.

Rows are written as the functions write them, with times in the past; the purge runs as of a fixed
``NOW``. What a person could read (texts, names, payloads) must be gone past its retention and nowhere
else; the rows, their metadata and every figure of the evaluation report must stay.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from sinawai.common.working_hours import WorkingHours, indonesian_holidays
from sinawai.platform import retention, updates
from sinawai.platform.clock import utcnow
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.platform.errors import ConfigurationError
from sinawai.platform.retention import RetentionPolicy
from sinawai.report import store as report_store
from sinawai.report.comparison import Report
from sinawai.report.digest import digest
from sinawai.report.period import Period
from sinawai.router.webhook import WebhookFunction
from tests import report_seed
from tests.helpers import FakeContext, db_env, load_event, query
from tests.report_compare import without_comments

NOW = datetime(2028, 1, 15, 2, 0)
STAFF = -1001000000001
EMPLOYEE, OTHER = 7101, 7102
NIP = {EMPLOYEE: "199001172015031001", OTHER: "199203042016042002"}
DEFAULTS = RetentionPolicy()


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def handle(db: DatabaseSettings) -> Iterator[Database]:
    """The functions' own database adapter on the emptied test database."""
    opened = Database(db)
    try:
        yield opened
    finally:
        opened.close()


# ---- rows as the functions write them ------------------------------------------------------------------


def inbox_row(db: Database, update_id: int, status: str, received: datetime, text: str) -> None:
    update = {
        "update_id": update_id,
        "message": {
            "message_id": update_id % 1000,
            "date": int(received.timestamp()),
            "chat": {"id": EMPLOYEE, "type": "private"},
            "from": {"id": EMPLOYEE, "is_bot": False, "first_name": "Budi", "username": "budi_s"},
            "text": text,
        },
    }
    db.execute(
        "INSERT INTO update_inbox (update_id, received_at, status, command_group, chat_id, payload, attempts,"
        " finished_at, sealed) VALUES (%s, %s, %s, 'consultation', %s, %s, 1, %s, %s)",
        (update_id, received, status, EMPLOYEE, json.dumps(update), received, b"secret-half"),
    )


def message(
    db: Database,
    when: datetime,
    chat: int,
    text: str,
    *,
    message_id: int | None = None,
    direction: str = "in",
) -> int:
    db.execute(
        "INSERT INTO pesan (waktu, direction, chat_id, chat_type, id_pengirim, pengirim, isi_pesan, data,"
        " id_pesan, kind, command, command_group) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            when,
            direction,
            chat,
            "supergroup" if chat < 0 else "private",
            EMPLOYEE if direction == "in" else 1,
            "Budi Santoso" if direction == "in" else "Sinawai",
            text,
            json.dumps({"media": "photo"}),
            message_id,
            "message" if direction == "in" else "sendMessage",
            None,
            "consultation",
        ),
    )
    row = db.fetch_one("SELECT MAX(id) AS id FROM pesan")
    assert row is not None
    return int(row["id"])


def person(db: Database, who: int) -> None:
    db.execute(
        "INSERT INTO pengguna (nip, nama, id_telegram) VALUES (%s, %s, %s)", (NIP[who], f"Pegawai {who}", who)
    )


def consultation(
    db: Database, who: int, created: datetime, closed: datetime | None, *, first_id: int, comment: str | None
) -> dict[str, int]:
    """A ticket as the consultation function leaves it: the question in the employee's chat, its copy and
    the header in the staff group, a staff answer and its copy back, the FAQ offer that opened it, and a
    chat line that belongs to no ticket. Returns the pesan ids by name."""
    db.execute(
        "INSERT INTO ticket (nip, chat_id, status, staff_chat_id, created_at, first_answer_at, closed_at,"
        " rating, rated_at, rating_comment) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            NIP[who], who, "selesai" if closed else "dijawab", STAFF, created, created + timedelta(hours=2),
            closed, 2 if closed else None, closed, comment,
        ),
    )  # fmt: skip
    ticket = db.fetch_one("SELECT MAX(id) AS id FROM ticket")
    assert ticket is not None
    tid = int(ticket["id"])
    question, header, copy, answer, answer_copy = (first_id + n for n in range(5))
    rows = {
        "question": message(db, created, who, f"Pertanyaan rahasia {tid}", message_id=question),
        "header": message(
            db, created, STAFF, f"Tiket #{tid} Pegawai {who}", message_id=header, direction="out"
        ),
        "copy": message(db, created, STAFF, f"Pertanyaan rahasia {tid}", message_id=copy, direction="out"),
        "answer": message(db, created + timedelta(hours=2), STAFF, f"Jawaban {tid}", message_id=answer),
        "answer_copy": message(
            db, created + timedelta(hours=2), who, f"Jawaban {tid}", message_id=answer_copy, direction="out"
        ),
        "unmapped": message(db, created, who, f"Terima kasih {tid}", message_id=first_id + 9),
    }
    for staff_id, kind, private_id in (
        (header, "header", None),
        (copy, "question", question),
        (answer, "answer", answer_copy),
    ):
        db.execute(
            "INSERT INTO ticket_message (ticket_id, staff_chat_id, staff_message_id, kind,"
            " private_message_id, created_at) VALUES (%s, %s, %s, %s, %s, %s)",
            (tid, STAFF, staff_id, kind, private_id, created),
        )
    db.execute(
        "INSERT INTO faq_offer (chat_id, nip, question, outcome, ticket_id, offered_at)"
        " VALUES (%s, %s, %s, 'diteruskan', %s, %s)",
        (who, NIP[who], f"Pertanyaan rahasia {tid}", tid, created),
    )
    return {"ticket": tid, **rows}


def texts(settings: DatabaseSettings, pesan_id: int) -> dict[str, Any]:
    return query(settings, "SELECT isi_pesan, data, pengirim FROM pesan WHERE id = %s", (pesan_id,))[0]


def kept(row: dict[str, Any]) -> bool:
    return row["isi_pesan"] is not None and row["pengirim"] is not None and row["data"] is not None


def gone(row: dict[str, Any]) -> bool:
    return row == {"isi_pesan": None, "data": None, "pengirim": None}


# ---- update_inbox ------------------------------------------------------------------------------------------


def test_processed_updates_older_than_the_inbox_retention_keep_their_metadata_and_lose_their_payload(
    db: DatabaseSettings, handle: Database
) -> None:
    inbox_row(handle, 901, "done", ago(31), "NIP saya 199001172015031001")
    inbox_row(handle, 902, "ignored", ago(40), "halo")
    inbox_row(handle, 903, "failed", ago(35), "cuti saya")
    inbox_row(handle, 904, "done", ago(29), "masih baru")  # younger than 30 days
    inbox_row(handle, 905, "processing", ago(60), "belum selesai")  # not processed: the sweep's
    before = {r["update_id"]: r for r in query(db, "SELECT * FROM update_inbox")}

    result = retention.purge(handle, DEFAULTS, now=NOW)

    assert result.complete
    assert result.counts["inbox_payloads"] == 3
    after = {r["update_id"]: r for r in query(db, "SELECT * FROM update_inbox")}
    for update_id in (901, 902, 903):
        assert json.loads(after[update_id]["payload"]) == {
            "update_id": update_id,
            "kind": "message",
            "purged_at": "2028-01-15T02:00:00Z",
        }
        assert after[update_id]["sealed"] is None
        metadata = ("status", "received_at", "finished_at", "chat_id", "command_group", "attempts")
        assert {k: after[update_id][k] for k in metadata} == {k: before[update_id][k] for k in metadata}
    assert after[904] == before[904]
    assert after[905] == before[905]
    # the row still refuses a redelivery of the update: it is processed once, even a year later
    redelivered = {"update_id": 901, "message": {"message_id": 1, "chat": {"id": EMPLOYEE}, "text": "x"}}
    assert not updates.record_update(
        handle, redelivered, group="general", chat_id=EMPLOYEE, status="received"
    )


# ---- pesan and tickets -------------------------------------------------------------------------------------


def test_messages_older_than_a_year_lose_their_text_and_keep_what_the_report_counts(
    db: DatabaseSettings, handle: Database
) -> None:
    old = message(handle, ago(366), EMPLOYEE, "Nama ibu kandung saya Sri", message_id=11)
    young = message(handle, ago(364), EMPLOYEE, "Kapan cuti bersama?", message_id=12)
    counted = "waktu, direction, chat_id, chat_type, id_pengirim, id_pesan, kind, command, command_group"
    before = query(db, f"SELECT {counted} FROM pesan ORDER BY id")

    result = retention.purge(handle, DEFAULTS, now=NOW)

    assert result.counts["message_texts"] == 1
    assert gone(texts(db, old))
    assert kept(texts(db, young))
    assert query(db, f"SELECT {counted} FROM pesan ORDER BY id") == before


def test_a_consultation_keeps_its_texts_while_open_and_a_year_after_it_closed(
    db: DatabaseSettings, handle: Database
) -> None:
    person(handle, EMPLOYEE)
    person(handle, OTHER)
    # open for 500 days: nothing of it goes, however old; the chat line beside it is no ticket's
    still_open = consultation(handle, EMPLOYEE, ago(500), None, first_id=100, comment=None)
    # closed 200 days ago, written 400 days ago: kept (older than the message retention, held by the ticket)
    recent = consultation(handle, OTHER, ago(400), ago(200), first_id=200, comment="Lambat")
    # closed 400 days ago: its texts go, rating comment and FAQ question included
    expired = consultation(handle, OTHER, ago(420), ago(400), first_id=300, comment="Kurang jelas")

    result = retention.purge(handle, DEFAULTS, now=NOW)

    assert result.complete
    ticket_rows = ("question", "header", "copy", "answer", "answer_copy")
    assert all(kept(texts(db, still_open[name])) for name in ticket_rows)
    assert all(kept(texts(db, recent[name])) for name in ticket_rows)
    assert all(gone(texts(db, expired[name])) for name in ticket_rows)
    for unmapped in (still_open["unmapped"], recent["unmapped"], expired["unmapped"]):
        assert gone(texts(db, unmapped))  # older than a year and no ticket's: the message rule
    comments = query(db, "SELECT id, rating, rating_comment FROM ticket ORDER BY id")
    assert [(r["rating"], r["rating_comment"]) for r in comments] == [(None, None), (2, "Lambat"), (2, None)]
    questions = {
        r["ticket_id"]: r["question"] for r in query(db, "SELECT ticket_id, question FROM faq_offer")
    }
    assert questions[still_open["ticket"]]
    assert questions[recent["ticket"]]
    assert questions[expired["ticket"]] is None
    assert result.counts["tickets"] == 1
    assert result.counts["ticket_texts"] == 5 + 1 + 1  # 5 messages, the FAQ question, the comment
    assert query(db, "SELECT COUNT(*) AS n FROM pesan")[0]["n"] == 18  # every row is still there

    # The recent ticket's time runs out 165 days later: the ticket rule removes what the message rule held.
    later = retention.purge(handle, DEFAULTS, now=NOW + timedelta(days=166))
    assert all(gone(texts(db, recent[name])) for name in ticket_rows)
    assert later.counts["tickets"] == 1
    assert later.counts["ticket_texts"] == 5 + 1 + 1
    assert all(kept(texts(db, still_open[name])) for name in ticket_rows)


def test_a_short_ticket_retention_removes_a_closed_consultation_before_the_message_retention(
    db: DatabaseSettings, handle: Database
) -> None:
    person(handle, EMPLOYEE)
    closed = consultation(handle, EMPLOYEE, ago(40), ago(35), first_id=100, comment="Oke")
    short = RetentionPolicy(ticket_days=30)
    result = retention.purge(handle, short, now=NOW)
    assert all(gone(texts(db, closed[n])) for n in ("question", "header", "copy", "answer", "answer_copy"))
    assert kept(texts(db, closed["unmapped"]))  # 40 days old and no ticket's: kept for a year
    assert result.counts["ticket_texts"] == 7


# ---- the report ----------------------------------------------------------------------------------------


@pytest.fixture
def hours() -> WorkingHours:
    return WorkingHours.from_spec(None, timezone="Asia/Jakarta", is_holiday=indonesian_holidays())


def report_of_the_day(handle: Database, hours: WorkingHours) -> Report:
    return report_store.build(handle, Period(report_seed.DAY, report_seed.DAY), hours, 8.0, now=NOW).report


def seeded_with_texts(handle: Database) -> dict[str, int]:
    """The report tests' known week, every message with a text and a sender, every ticket's question in
    both chats (mapped as the consultation function maps them), the FAQ questions written out."""
    tickets = report_seed.seed(handle)
    handle.execute(
        "UPDATE pesan SET isi_pesan = CONCAT('teks pribadi ', id), pengirim = 'Budi Santoso', id_pesan = id"
    )
    handle.execute("UPDATE faq_offer SET question = CONCAT('pertanyaan ', id)")
    for ticket in tickets.values():
        row = handle.fetch_one("SELECT chat_id, created_at FROM ticket WHERE id = %s", (ticket,))
        assert row is not None
        handle.execute(
            "INSERT INTO ticket_message (ticket_id, staff_chat_id, staff_message_id, kind,"
            " private_message_id, created_at) VALUES (%s, %s, %s, 'question', %s, %s)",
            (ticket, STAFF, 50_000 + ticket, 60_000 + ticket, row["created_at"]),
        )
    return tickets


def test_the_report_of_a_past_day_keeps_every_figure_after_everything_of_it_was_purged(
    db: DatabaseSettings, handle: Database, hours: WorkingHours
) -> None:
    seeded_with_texts(handle)
    before = report_of_the_day(handle, hours)
    assert before.metrics.low_ratings
    assert all(low.comment for low in before.metrics.low_ratings)
    assert "Tidak membantu" in digest(before)

    result = retention.purge(handle, DEFAULTS, now=NOW)  # more than a year after the day

    assert result.complete
    assert result.counts["message_texts"] > 0
    assert result.counts["tickets"] > 0
    assert query(db, "SELECT COUNT(*) AS n FROM pesan WHERE isi_pesan IS NOT NULL")[0]["n"] == 0
    assert query(db, "SELECT COUNT(*) AS n FROM faq_offer WHERE question IS NOT NULL")[0]["n"] == 0
    after = report_of_the_day(handle, hours)
    # Every figure is the same. The rating comments were closed tickets' texts: the low ratings are still
    # listed (ticket and rating), without the words.
    assert after == without_comments(before)
    assert after != before
    assert "Tidak membantu" not in digest(after)
    assert "(tanpa komentar)" in digest(after)


def test_the_report_of_a_day_is_identical_when_the_purge_removed_only_older_texts(
    db: DatabaseSettings, handle: Database, hours: WorkingHours
) -> None:
    seeded_with_texts(handle)
    before = report_of_the_day(handle, hours)
    # Four days after the day's start, with a 4-day message retention: the days before it lose their texts.
    now = datetime(2026, 12, 31, 17, 0)  # 1 January 00:00 WIB; the cutoff is 28 December 00:00 WIB
    result = retention.purge(handle, RetentionPolicy(message_days=4), now=now)
    # the 13 messages of Tuesday 22nd and the one a second before Monday; the 4 FAQ questions of the 23rd
    assert (result.counts["message_texts"], result.counts["faq_questions"]) == (14, 4)
    after = report_of_the_day(handle, hours)
    assert after == before
    assert digest(after) == digest(before)


# ---- the run: budget, resume, idempotence, the router's event --------------------------------------------


def many_old_messages(handle: Database, n: int) -> None:
    with handle.transaction() as cur:
        cur.executemany(
            "INSERT INTO pesan (waktu, direction, chat_id, chat_type, pengirim, isi_pesan, kind)"
            " VALUES (%s, 'in', %s, 'private', 'Budi', %s, 'message')",
            [(ago(400) + timedelta(seconds=k), EMPLOYEE, f"pesan {k}") for k in range(n)],
        )


def test_a_run_that_runs_out_of_time_stops_and_the_next_run_finishes_without_repeating_a_row(
    db: DatabaseSettings, handle: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    many_old_messages(handle, 2_500)
    elapsed = [0.0]  # a clock on which every batch takes one second
    real_step = retention._step

    def one_second_step(*args: Any) -> tuple[dict[str, int], bool]:
        elapsed[0] += 1
        return real_step(*args)

    monkeypatch.setattr(retention, "_step", one_second_step)
    first = retention.purge(handle, DEFAULTS, now=NOW, budget_seconds=9.5, clock=lambda: elapsed[0])
    monkeypatch.undo()
    # 10 batches started before 9.5 s: a look at each of the nine rules, then the messages' second thousand
    assert first.batches == 10
    assert not first.complete
    assert first.counts["message_texts"] == 2_000
    left = query(db, "SELECT COUNT(*) AS n FROM pesan WHERE isi_pesan IS NOT NULL")[0]["n"]
    assert left == 2_500 - first.counts["message_texts"]

    second = retention.purge(handle, DEFAULTS, now=NOW)
    assert second.complete
    assert second.counts["message_texts"] == left
    assert query(db, "SELECT COUNT(*) AS n FROM pesan WHERE isi_pesan IS NOT NULL")[0]["n"] == 0

    again = retention.purge(handle, DEFAULTS, now=NOW)
    assert again.complete
    assert sum(again.counts.values()) == 0


def test_a_purged_payload_is_never_rewritten_even_when_its_rows_are_walked_again(
    db: DatabaseSettings, handle: Database
) -> None:
    inbox_row(handle, 911, "done", ago(45), "rahasia")
    retention.purge(handle, DEFAULTS, now=NOW)
    stub = query(db, "SELECT payload FROM update_inbox WHERE update_id = 911")[0]["payload"]
    handle.execute("DELETE FROM retention_cursor")  # as if the cursors were lost: every row walked again
    again = retention.purge(handle, DEFAULTS, now=NOW + timedelta(days=1))
    assert again.complete
    assert again.counts["inbox_payloads"] == 0
    assert query(db, "SELECT payload FROM update_inbox WHERE update_id = 911")[0]["payload"] == stub


@pytest.fixture
def webhook(db: DatabaseSettings, monkeypatch: pytest.MonkeyPatch) -> WebhookFunction:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "not-used-by-the-purge")
    return WebhookFunction.from_env()


class ShortContext(FakeContext):
    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def emf(output: str) -> dict[str, Any]:
    """The invocation's EMF record (CloudWatch reads the metrics from it), each metric's single value."""
    for line in output.splitlines():
        # the purge's record (a first invocation in the process also writes Powertools' ColdStart record)
        if line.startswith("{") and '"_aws"' in line and '"RetentionIncomplete"' in line:
            record: dict[str, Any] = json.loads(line)
            return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in record.items()}
    raise AssertionError(f"no EMF record in {output!r}")


def test_the_scheduled_purge_event_purges_and_publishes_what_it_did(
    webhook: WebhookFunction, db: DatabaseSettings, handle: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    old = message(handle, utcnow() - timedelta(days=400), EMPLOYEE, "Data pribadi lama")
    inbox_row(handle, 921, "done", utcnow() - timedelta(days=31), "lama")

    answer = webhook.lambda_handler(load_event("webhook_retention_purge"), ShortContext(10_000))

    assert answer["complete"] is True
    assert (answer["message_texts"], answer["inbox_payloads"]) == (1, 1)
    assert gone(texts(db, old))
    record = emf(capsys.readouterr().out)
    assert record["RetentionMessageTextsPurged"] == 1.0
    assert record["RetentionInboxPayloadsPurged"] == 1.0
    assert record["RetentionIncomplete"] == 0.0
    assert record["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Sinawai"


def test_the_purge_starts_no_batch_in_the_last_seconds_of_its_invocation(
    webhook: WebhookFunction, db: DatabaseSettings, handle: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    old = message(handle, utcnow() - timedelta(days=400), EMPLOYEE, "Data pribadi lama")
    answer = webhook.lambda_handler(load_event("webhook_retention_purge"), ShortContext(2_500))
    assert answer["complete"] is False
    assert answer["batches"] == 0
    assert kept(texts(db, old))
    assert emf(capsys.readouterr().out)["RetentionIncomplete"] == 1.0


@pytest.mark.parametrize("value", ["setahun", "0", "-5", "30.5", "+30", "٣٠", "30 hari"])
def test_a_bad_retention_setting_is_refused_by_name_and_nothing_is_purged(
    webhook: WebhookFunction,
    db: DatabaseSettings,
    handle: Database,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
) -> None:
    old = message(handle, utcnow() - timedelta(days=400), EMPLOYEE, "Data pribadi lama")
    monkeypatch.setenv("RETENTION_MESSAGE_DAYS", value)
    with pytest.raises(ConfigurationError, match=r"RETENTION_MESSAGE_DAYS must be a whole number of days"):
        webhook.lambda_handler(load_event("webhook_retention_purge"), ShortContext(10_000))
    assert kept(texts(db, old))
    assert query(db, "SELECT COUNT(*) AS n FROM retention_cursor")[0]["n"] == 0


def test_the_policy_reads_its_three_settings_with_their_defaults() -> None:
    assert RetentionPolicy.from_env({}) == RetentionPolicy(30, 365, 365)
    env = {"RETENTION_INBOX_DAYS": "14", "RETENTION_MESSAGE_DAYS": " 730 ", "RETENTION_TICKET_DAYS": "90"}
    assert RetentionPolicy.from_env(env) == RetentionPolicy(14, 730, 90)
