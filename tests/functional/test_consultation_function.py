"""ConsultationFunction's handler on MariaDB and the emulator: Telegram's 429s and 5xx on the relay.

Bad inputs tried: a 429 with retry_after on the copy into the staff group, a 500 on the copy of a staff
answer (Lambda retries: the answer arrives once, its tag too), a 500 on the copy of a new question after its
header was posted (the retry resumes: one header, one copy, one question logged), the sample events routed
by the router; the auto-close sweep a minute before and at its deadline, run twice, with an unanswered old
ticket beside the answered one, a 500 on the employee's notice (the next run sends it), and from the
scheduled event of events/; the DeliveryFunction given a post Telegram refuses every time (retried, then
reported to the staff group once); a question copy whose hand-over to the queue was lost (the schedule
posts it, or hands it to the queue again, once, and leaves a post younger than ten minutes alone).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from moto import mock_aws

from local_stack.telegram import TelegramEmulator
from sinawai.consultation import staff_delivery
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.router.routing import classify
from tests.consultation_function import ConsultationFunction, delivery_function
from tests.emf_lines import metric, new_container
from tests.helpers import (
    BOT_TOKEN,
    STAFF_GROUP_CHAT_ID,
    FakeContext,
    db_env,
    load_event,
    query,
)

USER = 5550001
RINA = 5550101
SITI = 5550002
NIP = "199001172015031001"
SITI_NIP = "199203042016042002"
JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(USER, "Budi")
        emu.add_user(RINA, "Rina")
        emu.add_user(SITI, "Siti")
        emu.add_group(STAFF_GROUP_CHAT_ID, "Layanan Kepegawaian OSDM", members=[RINA])
        yield emu


@pytest.fixture
def consultation(
    db: DatabaseSettings, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> ConsultationFunction:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF_GROUP_CHAT_ID))
    Database(db).execute(
        "INSERT INTO pengguna (nip, nama, unit_kerja, id_telegram)"
        " VALUES (%s, 'Budi Santoso', 'Biro Umum', %s)",
        (NIP, USER),
    )
    Database(db).execute(
        "INSERT INTO pengguna (nip, nama, unit_kerja, id_telegram)"
        " VALUES (%s, 'Siti Aminah', 'Biro Keuangan', %s)",
        (SITI_NIP, SITI),
    )
    return ConsultationFunction.build()


def event_for(update: dict[str, Any]) -> dict[str, Any]:
    return {"update": update, "group": "consultation", "secret_text": False}


def test_a_429_on_the_copy_into_the_staff_group_is_waited_out(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    update = emulator.send_message(USER, "Bagaimana cara mengajukan cuti besar?")
    emulator.fail_next("copyMessage", count=1, error_code=429, retry_after=1)
    assert consultation.lambda_handler(event_for(update), FakeContext())["status"] == "done"
    copies = [m for m in emulator.bot_messages(STAFF_GROUP_CHAT_ID) if m.content.startswith("Bagaimana")]
    assert len(copies) == 1
    assert "tiket #" in (emulator.bot_messages(USER)[-1].text or "")
    assert query(db, "SELECT status FROM ticket") == [{"status": "baru"}]


def answer_copy_fails_once_then_lambda_retries(
    consultation: ConsultationFunction,
    emulator: TelegramEmulator,
    text: str = "Jawaban",
    failing: str = "sendMessage",
) -> None:
    """Budi asks, Rina answers; the message carrying her answer to Budi gets a 500 (a text answer goes as
    one sendMessage with its header; ``text`` too long for the header goes as the header, then a copy) and
    Lambda runs the update again."""
    consultation.lambda_handler(event_for(emulator.send_message(USER, "Pertanyaan")), FakeContext())
    header = emulator.bot_messages(STAFF_GROUP_CHAT_ID)[0]
    reply = emulator.send_message(
        RINA, text, chat_id=STAFF_GROUP_CHAT_ID, reply_to_message_id=header.message_id
    )
    emulator.fail_next(failing, count=1, error_code=500, description="Internal Server Error")
    with pytest.raises(Exception, match="Internal Server Error"):
        consultation.lambda_handler(event_for(reply), FakeContext())
    assert consultation.lambda_handler(event_for(reply), FakeContext())["status"] == "done"


def test_a_failed_relay_is_retried_by_lambda_and_delivered_once(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    answer_copy_fails_once_then_lambda_retries(consultation, emulator)
    answers = [m for m in emulator.bot_messages(USER) if "\n\nJawaban\n\n" in m.content]
    assert len(answers) == 1
    assert query(db, "SELECT status FROM ticket") == [{"status": "dijawab"}]


def test_a_retry_after_a_failed_answer_copy_sends_the_tag_once(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    long_answer = "Jawaban panjang. " * 240  # 4,080 units: fits alone, not with its header: tag, then copy
    answer_copy_fails_once_then_lambda_retries(consultation, emulator, long_answer, "copyMessage")
    to_budi = [m.content for m in emulator.bot_messages(USER)]
    assert sum("Jawaban petugas Biro OSDM untuk tiket" in c for c in to_budi) == 1
    assert to_budi.count(long_answer.strip()) == 1
    tag = next(i for i, c in enumerate(to_budi) if "Jawaban petugas" in c)
    assert to_budi[tag + 1] == long_answer.strip()  # the tag stays right above the answer
    events = query(db, "SELECT event FROM ticket_event WHERE event = 'answered'")
    assert len(events) == 1


def test_a_retry_after_a_failed_question_copy_resumes_instead_of_adding_a_followup(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    update = emulator.send_message(USER, "Bagaimana cara mengajukan cuti besar?")
    emulator.fail_next("copyMessage", count=1, error_code=500, description="Internal Server Error")
    with pytest.raises(Exception, match="Internal Server Error"):
        consultation.lambda_handler(event_for(update), FakeContext())
    assert consultation.lambda_handler(event_for(update), FakeContext())["status"] == "done"
    staff = emulator.bot_messages(STAFF_GROUP_CHAT_ID)
    assert len(staff) == 2  # one header, one copy of the question under it
    assert staff[0].content.startswith("🎫 Tiket #")
    assert staff[1].content == "Bagaimana cara mengajukan cuti besar?"
    assert staff[1].reply_to_message_id == staff[0].message_id
    events = query(db, "SELECT event FROM ticket_event ORDER BY id")
    assert events == [{"event": "opened"}]
    kinds = query(db, "SELECT kind FROM ticket_message ORDER BY id")
    assert kinds == [{"kind": "header"}, {"kind": "question"}]
    to_budi = [m.content for m in emulator.bot_messages(USER)]
    assert len(to_budi) == 1
    assert "telah kami terima sebagai tiket" in to_budi[0]


def answered_ticket(consultation: ConsultationFunction, emulator: TelegramEmulator) -> int:
    """Budi asks, Rina answers: a dijawab ticket; Siti asks and nobody answers: a baru ticket."""
    consultation.lambda_handler(event_for(emulator.send_message(USER, "Pertanyaan")), FakeContext())
    header = emulator.bot_messages(STAFF_GROUP_CHAT_ID)[0]
    reply = emulator.send_message(
        RINA, "Jawaban", chat_id=STAFF_GROUP_CHAT_ID, reply_to_message_id=header.message_id
    )
    consultation.lambda_handler(event_for(reply), FakeContext())
    consultation.lambda_handler(event_for(emulator.send_message(SITI, "Belum dijawab")), FakeContext())
    return int(header.content.split("#")[1].split()[0])


def move_back(db: DatabaseSettings, when: str) -> None:
    """Every ticket's activity happened at ``when`` (UTC)."""
    query(
        db,
        "UPDATE ticket SET created_at = %s, last_answer_at = IF(last_answer_at IS NULL, NULL, %s)",
        (when, when),
    )
    query(db, "UPDATE ticket_event SET waktu = %s", (when,))


def test_the_sweep_closes_an_answered_ticket_after_three_working_days_once(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    ticket = answered_ticket(consultation, emulator)
    move_back(db, "2026-12-16 03:00:00")  # Wednesday 10:00 WIB: Thursday, Friday and Monday count

    staff_before = len(emulator.bot_messages(STAFF_GROUP_CHAT_ID))
    budi_before = len(emulator.bot_messages(USER))
    assert consultation.auto_close(datetime(2026, 12, 21, 15, 59, tzinfo=JAKARTA))["closed"] == []
    assert consultation.auto_close(datetime(2026, 12, 21, 16, 0, tzinfo=JAKARTA))["closed"] == [ticket]
    assert consultation.auto_close(datetime(2026, 12, 21, 17, 0, tzinfo=JAKARTA))["closed"] == []

    statuses = query(db, "SELECT id, status FROM ticket ORDER BY id")
    assert statuses == [{"id": ticket, "status": "selesai"}, {"id": ticket + 1, "status": "baru"}]
    closed = query(
        db,
        "SELECT actor_type, from_status, to_status, JSON_VALUE(detail, '$.reason') AS reason"
        " FROM ticket_event WHERE ticket_id = %s AND event = 'closed'",
        (ticket,),
    )
    assert closed == [
        {"actor_type": "sistem", "from_status": "dijawab", "to_status": "selesai", "reason": "auto_close"}
    ]
    notice = emulator.bot_messages(USER)[budi_before:]
    assert len(notice) == 1
    assert f"#{ticket}" in notice[0].content
    assert "ditutup otomatis" in notice[0].content
    assert notice[0].reply_markup is not None  # the rating question comes with it
    staff = emulator.bot_messages(STAFF_GROUP_CHAT_ID)
    notes = staff[staff_before:]
    assert len(notes) == 1
    assert notes[0].content.startswith(f"🕒 Tiket #{ticket} ditutup otomatis")
    assert notes[0].reply_to_message_id == staff[0].message_id
    assert "Selesai" in staff[0].content
    assert staff[0].reply_markup is None


def test_a_notice_telegram_refused_is_sent_by_the_next_sweep(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    ticket = answered_ticket(consultation, emulator)
    move_back(db, "2026-12-16 03:00:00")
    now = datetime(2026, 12, 22, 9, 0, tzinfo=JAKARTA)
    emulator.fail_next("sendMessage", count=1, error_code=500, chat_id=USER)
    assert consultation.auto_close(now)["closed"] == [ticket]
    assert not any("ditutup otomatis" in m.content for m in emulator.bot_messages(USER))
    assert consultation.auto_close(now)["closed"] == []
    assert sum("ditutup otomatis" in m.content for m in emulator.bot_messages(USER)) == 1
    assert sum("ditutup otomatis" in m.content for m in emulator.bot_messages(STAFF_GROUP_CHAT_ID)) == 1


def test_the_scheduled_event_runs_the_sweep(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    ticket = answered_ticket(consultation, emulator)
    query(db, "UPDATE ticket SET last_answer_at = UTC_TIMESTAMP(6) - INTERVAL 30 DAY")
    query(db, "UPDATE ticket_event SET waktu = UTC_TIMESTAMP(6) - INTERVAL 30 DAY")
    event = load_event("consultation_auto_close_schedule")
    assert consultation.lambda_handler(event, FakeContext()) == {
        "status": "done",
        "closed": [ticket],
        "resent": [],
        "reminded": [],
    }
    assert consultation.lambda_handler(event, FakeContext()) == {
        "status": "done",
        "closed": [],
        "resent": [],
        "reminded": [],
    }
    assert query(db, "SELECT status FROM ticket ORDER BY id") == [{"status": "selesai"}, {"status": "baru"}]
    assert sum("ditutup otomatis" in m.content for m in emulator.bot_messages(USER)) == 1


def lost_hand_over(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> int:
    """Budi's question: its header is posted, the copy fails and Lambda gives up (the update went to the
    DLQ), so the copy stays pending in the outbox."""
    update = emulator.send_message(USER, "Pertanyaan yang tertahan")
    emulator.fail_next("copyMessage", count=1, error_code=500, description="Internal Server Error")
    with pytest.raises(Exception, match="Internal Server Error"):
        consultation.lambda_handler(event_for(update), FakeContext())
    pending = query(db, "SELECT ticket_id, kind FROM staff_outbox WHERE status = 'pending'")
    assert [row["kind"] for row in pending] == ["question"]
    return int(pending[0]["ticket_id"])


def test_the_schedule_posts_a_copy_whose_hand_over_was_lost_once(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    ticket = lost_hand_over(consultation, emulator, db)
    event = load_event("consultation_auto_close_schedule")
    # A post pending for less than ten minutes may still be on its way: left alone.
    assert consultation.lambda_handler(event, FakeContext())["resent"] == []
    assert not any(
        m.content == "Pertanyaan yang tertahan" for m in emulator.bot_messages(STAFF_GROUP_CHAT_ID)
    )

    query(db, "UPDATE staff_outbox SET created_at = UTC_TIMESTAMP(6) - INTERVAL 11 MINUTE")
    assert consultation.lambda_handler(event, FakeContext())["resent"] == [ticket]
    assert consultation.lambda_handler(event, FakeContext())["resent"] == []
    staff = emulator.bot_messages(STAFF_GROUP_CHAT_ID)
    copies = [m for m in staff if m.content == "Pertanyaan yang tertahan"]
    assert len(copies) == 1
    assert copies[0].reply_to_message_id == staff[0].message_id  # under the ticket's header
    assert query(db, "SELECT status FROM staff_outbox ORDER BY id") == [{"status": "sent"}] * 2


def test_with_a_queue_the_schedule_hands_stale_posts_to_it_again(
    consultation: ConsultationFunction,
    emulator: TelegramEmulator,
    db: DatabaseSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticket = lost_hand_over(consultation, emulator, db)
    query(db, "UPDATE staff_outbox SET created_at = UTC_TIMESTAMP(6) - INTERVAL 11 MINUTE")
    for key, value in {
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
        "AWS_DEFAULT_REGION": "ap-southeast-3",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        sqs = boto3.client("sqs")
        url = sqs.create_queue(
            QueueName="staff.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"}
        )["QueueUrl"]
        monkeypatch.setenv("STAFF_DELIVERY_QUEUE_URL", url)
        restarted = ConsultationFunction.build()  # a container started with the queue configured
        event = load_event("consultation_auto_close_schedule")
        assert restarted.lambda_handler(event, FakeContext())["resent"] == [ticket]
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])
    (message,) = received["Messages"]
    item = query(db, "SELECT id FROM staff_outbox WHERE status = 'pending'")[0]["id"]
    assert json.loads(message["Body"]) == {"outbox_id": item}
    assert message["Attributes"]["MessageGroupId"] == f"ticket-{ticket}"


@pytest.mark.parametrize("name", ["consultation_question", "consultation_staff_reply"])
def test_sample_events_are_routed_to_consultation(name: str) -> None:
    event = load_event(name)
    route = classify(event["update"], staff_group_chat_id=STAFF_GROUP_CHAT_ID)
    assert route.group == event["group"] == "consultation"


def test_the_delivery_function_retries_a_post_and_reports_it_after_the_last_attempt(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    update = emulator.send_message(USER, "Pertanyaan yang tidak sampai")
    emulator.fail_next("copyMessage", count=1, error_code=500, description="Internal Server Error")
    with pytest.raises(Exception, match="Internal Server Error"):
        consultation.lambda_handler(event_for(update), FakeContext())
    [item] = query(db, "SELECT id, ticket_id FROM staff_outbox WHERE status = 'pending'")
    delivery = delivery_function()
    record = {
        "messageId": "m-1",
        "body": json.dumps({"outbox_id": item["id"]}),
        "attributes": {"MessageGroupId": f"ticket-{item['ticket_id']}"},
    }
    attempts = staff_delivery.MAX_ATTEMPTS
    emulator.fail_next("copyMessage", count=attempts, error_code=500, description="Internal Server Error")
    for _ in range(attempts - 1):
        answer = delivery({"Records": [record]}, FakeContext())
        assert answer == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}  # SQS hands it over again
    assert delivery({"Records": [record]}, FakeContext()) == {"batchItemFailures": []}
    assert query(db, "SELECT status, attempts FROM staff_outbox WHERE id = %s", (item["id"],)) == [
        {"status": "failed", "attempts": attempts}
    ]
    reports = [
        m for m in emulator.bot_messages(STAFF_GROUP_CHAT_ID) if m.content.startswith("⚠️ Pesan pegawai")
    ]
    assert len(reports) == 1
    assert f"tiket #{item['ticket_id']}" in reports[0].content
    assert delivery({"Records": [record]}, FakeContext()) == {"batchItemFailures": []}


def sweep_counts(output: str) -> list[list[float]]:
    names = ("TicketsAutoClosed", "AutoCloseNoticesSent", "StaleStaffPostsResent")
    return [metric(output, name, service="sinawai-consultation") for name in names]


def test_the_sweep_prints_the_tickets_it_closed_and_the_notices_sent(
    consultation: ConsultationFunction,
    emulator: TelegramEmulator,
    db: DatabaseSettings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    new_container()
    closed = answered_ticket(consultation, emulator)
    query(db, "UPDATE ticket SET last_answer_at = UTC_TIMESTAMP(6) - INTERVAL 30 DAY")
    query(db, "UPDATE ticket_event SET waktu = UTC_TIMESTAMP(6) - INTERVAL 30 DAY")
    event = load_event("consultation_auto_close_schedule")
    capsys.readouterr()
    assert consultation.lambda_handler(event, FakeContext())["closed"] == [closed]
    assert sweep_counts(capsys.readouterr().out) == [[1.0], [1.0], [0.0]]
    assert consultation.lambda_handler(event, FakeContext())["closed"] == []  # the next run: nothing to do
    assert sweep_counts(capsys.readouterr().out) == [[0.0], [0.0], [0.0]]


def test_the_sweep_prints_the_tickets_whose_posts_it_handed_over_again(
    consultation: ConsultationFunction,
    emulator: TelegramEmulator,
    db: DatabaseSettings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    new_container()
    stuck = lost_hand_over(consultation, emulator, db)
    query(db, "UPDATE staff_outbox SET created_at = UTC_TIMESTAMP(6) - INTERVAL 11 MINUTE")
    capsys.readouterr()
    assert consultation.lambda_handler(load_event("consultation_auto_close_schedule"), FakeContext()) == {
        "status": "done",
        "closed": [],
        "resent": [stuck],
        "reminded": [],
    }
    assert sweep_counts(capsys.readouterr().out) == [[0.0], [0.0], [1.0]]


def test_the_delivery_function_prints_posts_delivered_refused_and_given_up(
    consultation: ConsultationFunction,
    emulator: TelegramEmulator,
    db: DatabaseSettings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    new_container()

    def record(item: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": f"m-{item['id']}",
            "body": json.dumps({"outbox_id": item["id"]}),
            "attributes": {"MessageGroupId": f"ticket-{item['ticket_id']}"},
        }

    def counts(output: str) -> list[list[float]]:
        names = ("StaffPostsDelivered", "StaffPostsFailed", "StaffPostsGivenUp")
        return [metric(output, name, service="sinawai-consultation") for name in names]

    delivery = delivery_function()
    lost_hand_over(consultation, emulator, db)
    [item] = query(db, "SELECT id, ticket_id FROM staff_outbox WHERE status = 'pending'")
    emulator.fail_next("copyMessage", count=1, error_code=500, description="Internal Server Error")
    capsys.readouterr()
    assert delivery({"Records": [record(item)]}, FakeContext())["batchItemFailures"]
    assert counts(capsys.readouterr().out) == [[0.0], [1.0], [0.0]]
    assert delivery({"Records": [record(item)]}, FakeContext()) == {"batchItemFailures": []}
    assert counts(capsys.readouterr().out) == [[1.0], [0.0], [0.0]]

    # Siti's question: its copy is refused on every attempt, and given up after the last one
    update = emulator.send_message(SITI, "Pertanyaan yang tidak sampai")
    emulator.fail_next("copyMessage", count=1, error_code=500, description="Internal Server Error")
    with pytest.raises(Exception, match="Internal Server Error"):
        consultation.lambda_handler(event_for(update), FakeContext())
    [item] = query(db, "SELECT id, ticket_id FROM staff_outbox WHERE status = 'pending'")
    query(
        db,
        "UPDATE staff_outbox SET attempts = %s WHERE id = %s",
        (staff_delivery.MAX_ATTEMPTS - 1, item["id"]),
    )
    emulator.fail_next("copyMessage", count=1, error_code=500, description="Internal Server Error")
    capsys.readouterr()
    assert delivery({"Records": [record(item)]}, FakeContext()) == {"batchItemFailures": []}
    assert counts(capsys.readouterr().out) == [[0.0], [1.0], [1.0]]


def test_a_retried_choice_press_places_the_held_message_once(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    """Issue 14, item 5: a message held while a ticket is open, and the "Tambahkan" press failing on the
    copy into the staff group (Lambda retries the press): one copy, one event, one acknowledgement."""
    consultation.lambda_handler(event_for(emulator.send_message(USER, "Pertanyaan")), FakeContext())
    held = emulator.send_message(USER, "Keterangan tambahan")
    consultation.lambda_handler(event_for(held), FakeContext())
    prompt = emulator.bot_messages(USER)[-1]
    assert "Anda masih memiliki" in prompt.content
    assert emulator.bot_messages(STAFF_GROUP_CHAT_ID)[-1].content == "Pertanyaan"  # nothing more yet

    press = emulator.press_button(USER, USER, prompt.message_id, prompt.callback_data[0])
    emulator.fail_next("copyMessage", count=1, error_code=500, description="Internal Server Error")
    with pytest.raises(Exception, match="Internal Server Error"):
        consultation.lambda_handler(event_for(press), FakeContext())
    assert consultation.lambda_handler(event_for(press), FakeContext())["status"] == "done"
    copies = [m for m in emulator.bot_messages(STAFF_GROUP_CHAT_ID) if m.content == "Keterangan tambahan"]
    assert len(copies) == 1
    assert query(db, "SELECT event FROM ticket_event ORDER BY id") == [
        {"event": "opened"},
        {"event": "question"},
    ]
    acks = [m for m in emulator.bot_messages(USER) if "ditambahkan ke tiket" in m.content]
    assert len(acks) == 2  # the prompt settled ("Pilihan Anda: ...") and the acknowledgement, once each
