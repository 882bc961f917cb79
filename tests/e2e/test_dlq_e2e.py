"""``sinawai dlq list|redrive`` end to end, against real failures.

The module runs its own stack whose asynchronously invoked functions send Lambda's on-failure record to a
standard SQS queue in moto (``FailedInvocationsQueue``), as the template's
``EventInvokeConfig.DestinationConfig.OnFailure`` does in AWS. Telegram's emulator fails the bot's calls
to one chat for every attempt, so a real record lands in the queue; the command runs in-process with the
environment an operator would set (the queue URLs, boto3's endpoint variables) and reaches the functions
through the local Lambda Invoke endpoint.

Tried: a question whose every attempt failed is listed without anything the employee typed or is called,
listing consumes nothing, a dry run changes nothing, the re-drive answers the employee once and empties
the queue even when Lambda delivered the record twice; a re-drive while Telegram still fails leaves the
record (and does not apologise again), the next one succeeds; the daily digest that failed is sent by its
re-drive.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import RateLimits
from sinawai.cli import main
from sinawai.platform.db import Database
from tests.helpers import fresh_database, query

pytestmark = pytest.mark.e2e

BUDI = 5570001
SITI = 5570002
RINA = 5570101
HENDRA = 5570201
STAFF = -1001000000001
MANAGERS = -1001000000002
NIP_BUDI = "199001172015031001"
NIP_SITI = "199203252016042002"
QUESTION = f"Saya Budi Santoso NIP {NIP_BUDI}, rahasia: Mawar77. Kapan cuti besar saya bisa diambil?"
APOLOGY = "Maaf, terjadi gangguan"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("dlq-logs")
    with fresh_database("sinawai_e2e_dlq") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            managers_chat_id=MANAGERS,
            bucket="sinawai-e2e-dlq",
            extra_env={"STAFF_GROUP_MESSAGES_PER_MINUTE": "10000"},
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            emu.add_user(BUDI, "Budi", last_name="Santoso")
            emu.add_user(SITI, "Siti")
            emu.add_user(RINA, "Rina")
            emu.add_user(HENDRA, "Hendra")
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA])
            emu.add_group(MANAGERS, "Pimpinan Biro OSDM", members=[HENDRA])
            db = Database(database)
            for nip, name, user in ((NIP_BUDI, "Budi Santoso", BUDI), (NIP_SITI, "Siti Rahmawati", SITI)):
                db.execute(
                    "INSERT INTO pengguna (nip, nama, status, jabatan, unit_kerja, id_telegram)"
                    " VALUES (%s, %s, 'aktif', 'Analis SDM Aparatur', 'Biro Umum', %s)",
                    (nip, name, user),
                )
            db.close()
            yield local


@pytest.fixture(autouse=True)
def operator_env(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    """What an operator's shell holds: the queue URLs and where AWS is (here moto and the local Lambda)."""
    assert stack.lambda_endpoint is not None
    for name, value in {
        "FAILED_INVOCATIONS_QUEUE_URL": stack.queue_urls["FailedInvocationsQueue"],
        "SCHEDULER_DLQ_URL": stack.queue_urls["DeadLetterQueue"],
        "BROADCAST_DLQ_URL": stack.queue_urls["BroadcastDeadLetterQueue"],
        "STAFF_DELIVERY_DLQ_URL": stack.queue_urls["StaffDeliveryDeadLetterQueue"],
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-3",
        "AWS_ENDPOINT_URL_SQS": stack.moto_url,
        "AWS_ENDPOINT_URL_LAMBDA": stack.lambda_endpoint.url,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def sinawai(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["dlq", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def failed_queue(stack: LocalStack) -> tuple[Any, str]:
    sqs = boto3.client(
        "sqs",
        endpoint_url=stack.moto_url,
        region_name="ap-southeast-3",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return sqs, stack.queue_urls["FailedInvocationsQueue"]


def visible(stack: LocalStack) -> int:
    sqs, url = failed_queue(stack)
    attrs = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "0", "a message was left hidden"
    return int(attrs["ApproximateNumberOfMessages"])


def inbox_status(stack: LocalStack, update: dict[str, Any]) -> str:
    rows = query(stack.config.database, "SELECT status FROM update_inbox WHERE update_id = %s",
                 (update["update_id"],))  # fmt: skip
    return str(rows[0]["status"])


def texts(stack: LocalStack, chat: int) -> list[str]:
    return [m.content for m in stack.telegram.bot_messages(chat)]


def fail_every_attempt(stack: LocalStack, user: int, text: str) -> dict[str, Any]:
    """The employee writes; the bot's every message to them fails (Telegram answers 500) until the
    last attempt's apology, so Lambda's three attempts fail and its record lands in the queue."""
    stack.telegram.fail_next("sendMessage", count=3, error_code=500, chat_id=user)
    update = stack.telegram.send_message(user, text)
    stack.wait_idle(30)
    assert inbox_status(stack, update) == "failed"
    return update


def test_a_failed_question_is_listed_without_personal_data_and_redriven_once(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    update = fail_every_attempt(stack, BUDI, QUESTION)
    assert [t for t in texts(stack, BUDI) if t.startswith(APOLOGY)], texts(stack, BUDI)
    before = texts(stack, BUDI)

    code, table = sinawai(capsys, "list")
    assert code == 0, table
    line = next(row for row in table.splitlines() if str(update["update_id"]) in row)
    for shown in ("failed", "ConsultationFunction", "message text", str(BUDI)):
        assert shown in line, (shown, line)
    code, raw = sinawai(capsys, "list", "--queue", "failed", "--json")
    assert code == 0
    (row,) = [m for m in json.loads(raw)["messages"] if m["update_id"] == update["update_id"]]
    assert (row["function"], row["kind"], row["chat_id"], row["attempts"]) == (
        "ConsultationFunction",
        "message text",
        BUDI,
        3,
    )
    assert row["error"], "the error is shown"
    for output in (table, raw):
        for private in ("Budi", "Santoso", NIP_BUDI, "Mawar77", "cuti besar", stack.config.bot_token):
            assert private not in output, private
    assert visible(stack) == 1  # listed twice, consumed never

    code, plan = sinawai(capsys, "redrive", "--dry-run")
    assert code == 0, plan
    assert "WOULD" in plan
    assert "replay the update" in plan
    assert texts(stack, BUDI) == before
    assert inbox_status(stack, update) == "failed"
    assert visible(stack) == 1

    # Lambda delivers its records at least once: the same record twice must still answer once.
    sqs, url = failed_queue(stack)
    (message,) = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"]
    sqs.send_message(QueueUrl=url, MessageBody=message["Body"])

    code, report = sinawai(capsys, "redrive", "--function", "consultation", "--id", str(update["update_id"]))
    assert code == 0, report
    assert report.count("DONE") == 2, report
    assert "processed; deleted" in report
    assert "already done before: nothing ran twice" in report
    assert inbox_status(stack, update) == "done"
    stack.wait_idle(30)
    answers = texts(stack, BUDI)[len(before) :]
    assert len(answers) == 1, answers  # the acknowledgement of the question, once
    assert not answers[0].startswith(APOLOGY)
    assert visible(stack) == 0

    code, again = sinawai(capsys, "redrive")
    assert (code, again.strip()) == (0, "Nothing to re-drive.")
    assert len(texts(stack, BUDI)) == len(before) + 1


def test_a_redrive_while_the_function_still_fails_leaves_the_record_and_says_why(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    update = fail_every_attempt(stack, SITI, "Bagaimana cara mengurus kenaikan pangkat?")
    apologies = [t for t in texts(stack, SITI) if t.startswith(APOLOGY)]
    assert len(apologies) == 1
    before = texts(stack, SITI)

    stack.telegram.fail_next("sendMessage", count=1, error_code=500, chat_id=SITI)  # Telegram still down
    code, report = sinawai(capsys, "redrive", "--id", str(update["update_id"]))
    assert code == 1, report
    assert "FAILED" in report
    assert "left in the queue" in report
    assert "NetworkError" in report or "TelegramError" in report, report
    assert inbox_status(stack, update) == "failed"
    assert texts(stack, SITI) == before  # no second apology for the operator's attempt
    assert visible(stack) == 1  # and visible again at once, for the next try

    code, report = sinawai(capsys, "redrive", "--id", str(update["update_id"]))
    assert code == 0, report
    stack.wait_idle(30)
    assert inbox_status(stack, update) == "done"
    assert len(texts(stack, SITI)) == len(before) + 1
    assert visible(stack) == 0


def test_a_daily_digest_that_failed_every_attempt_is_sent_by_its_redrive(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert stack.runtime is not None
    stack.telegram.fail_next("sendMessage", count=3, error_code=500, chat_id=MANAGERS)
    event = {"source": "sinawai.scheduler", "report": "daily", "scheduled_time": "2026-12-29T00:00:00Z"}
    stack.runtime.invoke("ReportFunction", json.dumps(event).encode(), "Event")  # as the schedule does
    stack.wait_idle(60)
    assert texts(stack, MANAGERS) == []

    code, table = sinawai(capsys, "list", "--function", "report")
    assert code == 0, table
    assert "schedule report daily" in table
    assert "ReportFunction" in table

    code, report = sinawai(capsys, "redrive", "--function", "report")
    assert code == 0, report
    sent = texts(stack, MANAGERS)
    assert len(sent) == 1, sent  # a day without activity: the digest's text only (no empty chart or workbook)
    assert sent[0].startswith("📊 Laporan Harian Sinawai")
    assert visible(stack) == 0
