"""The metrics the stage's alarms watch, published by the scheduled paths on MariaDB and the emulator.

Each is read from the EMF lines the handler prints, as CloudWatch reads them (namespace ``Sinawai``).

Proves: the 07:30 check publishes DigestMissing 0 after the 07:00 digest went out and 1 when it did not
(no run, or a run Telegram refused), sends nothing itself, and stays 0 without a managers' chat; the
consultation sweep publishes how long the oldest post for the staff group has waited, and 0 once it is
posted; the router's inbox sweep counts the updates past their lease and not done (re-dispatched or given
up), and not the fresh or finished ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws

from local_stack.telegram import TelegramEmulator
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.report import service
from sinawai.report.handlers import register
from sinawai.router.commands import REPORT
from sinawai.router.webhook import WebhookFunction
from sinawai.telegram.runtime import GroupFunction
from tests.consultation_function import ConsultationFunction
from tests.emf import emitted, metric_values
from tests.helpers import (
    BOT_TOKEN,
    MANAGERS_CHAT_ID,
    STAFF_GROUP_CHAT_ID,
    WEBHOOK_SECRET,
    FakeContext,
    db_env,
    load_event,
    query,
)

REGION: Final = "ap-southeast-3"
BUCKET: Final = "sinawai-test-documents"
EMPLOYEE: Final = 5550001
RINA: Final = 5550101
NIP: Final = "199001172015031001"
DAILY_28: Final = {"source": "sinawai.scheduler", "report": "daily", "scheduled_time": "2026-12-29T00:00:00Z"}


def check_at(scheduled_time: str) -> dict[str, Any]:
    """The 07:30 schedule's event (EventBridge Scheduler fills in scheduled_time)."""
    return {"source": "sinawai.scheduler", "report": "check", "scheduled_time": scheduled_time}


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(EMPLOYEE, "Budi")
        emu.add_user(RINA, "Rina")
        emu.add_group(STAFF_GROUP_CHAT_ID, "Layanan Kepegawaian OSDM", members=[RINA])
        yield emu


@pytest.fixture
def env(db: DatabaseSettings, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "STAFF_DELIVERY_QUEUE_URL"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {
        **db_env(db),
        "TELEGRAM_API_BASE_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "STAFF_GROUP_CHAT_ID": str(STAFF_GROUP_CHAT_ID),
        "MANAGERS_CHAT_ID": str(MANAGERS_CHAT_ID),
        "DOCUMENTS_BUCKET": BUCKET,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield


def report_handler() -> Any:
    function = GroupFunction(REPORT, register)
    service.reporting_of(function).now = lambda: datetime(2027, 1, 10, 3, 0)
    return service.lambda_handler_of(function)


def digest_missing(out: str) -> list[Any]:
    lines = [e for e in emitted(out) if "DigestMissing" in e.metrics]
    assert all(e.namespace == "Sinawai" and e.dimensions == {"service": f"sinawai-{REPORT}"} for e in lines)
    return [e.metrics["DigestMissing"] for e in lines]


# ---- DigestMissing --------------------------------------------------------------------------------------


def test_the_0730_check_says_whether_the_morning_s_digest_went_out(
    env: None, emulator: TelegramEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_group(MANAGERS_CHAT_ID, "Pimpinan Biro OSDM", members=[RINA])
    handler = report_handler()
    assert handler(DAILY_28, FakeContext())["status"] == "sent"
    capsys.readouterr()
    calls = len(emulator.calls)

    # 29 December, 07:30 WIB (the sample event): the digest of the 28th went out at 07:00
    answer = handler(load_event("report_digest_check"), FakeContext())
    assert answer == {"status": "sent", "report_date": "2026-12-28"}
    assert digest_missing(capsys.readouterr().out) == [0]

    # 30 December, 07:30 WIB: no run took the 29th (the schedule did not fire, or the function failed)
    answer = handler(check_at("2026-12-30T00:30:00Z"), FakeContext())
    assert answer == {"status": "missing", "report_date": "2026-12-29", "run_status": "none"}
    assert digest_missing(capsys.readouterr().out) == [1]
    assert len(emulator.calls) == calls  # the check sends nothing: a digest is the 07:00 run's


def test_a_digest_telegram_refused_is_missing_and_one_sent_later_is_not(
    env: None, emulator: TelegramEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = report_handler()  # the managers' chat does not exist at Telegram yet
    with pytest.raises(service.ReportDeliveryError):
        handler(DAILY_28, FakeContext())
    capsys.readouterr()
    answer = handler(check_at("2026-12-29T00:30:00Z"), FakeContext())
    assert answer["run_status"] == "failed"
    assert digest_missing(capsys.readouterr().out) == [1]

    emulator.add_group(MANAGERS_CHAT_ID, "Pimpinan Biro OSDM", members=[RINA])
    assert handler(DAILY_28, FakeContext())["status"] == "sent"  # Lambda's retry, or an operator's re-run
    handler(check_at("2026-12-29T00:30:00Z"), FakeContext())
    assert digest_missing(capsys.readouterr().out) == [0]


def test_without_a_managers_chat_no_digest_is_due(
    env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MANAGERS_CHAT_ID", "")
    answer = report_handler()(check_at("2026-12-30T00:30:00Z"), FakeContext())
    assert answer["status"] == "not due"
    assert digest_missing(capsys.readouterr().out) == [0]


def missing_of(out: str) -> dict[str, list[Any]]:
    """The three digest checks' metrics in ``out`` (all of the report's service dimension)."""
    lines = emitted(out)
    assert all(
        e.dimensions == {"service": f"sinawai-{REPORT}"} for e in lines if "DigestMissing" in e.metrics
    )
    return {
        name: metric_values(out, name)
        for name in ("DigestMissing", "WeeklyDigestMissing", "MonthlyDigestMissing")
    }


def test_on_a_monday_that_opens_the_month_the_check_covers_the_weekly_and_monthly_digests_too(
    env: None, emulator: TelegramEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Monday 4 January 2027 is the first working day of January (the 1st a holiday, then a weekend): at
    07:30 the daily digest of the 3rd, the weekly of 28 December - 3 January and the monthly of December
    are due. Only the weekly one went out."""
    emulator.add_group(MANAGERS_CHAT_ID, "Pimpinan Biro OSDM", members=[RINA])
    handler = report_handler()
    weekly = {"source": "sinawai.scheduler", "report": "weekly", "scheduled_time": "2027-01-04T00:00:00Z"}
    assert handler(weekly, FakeContext())["status"] == "sent"
    capsys.readouterr()
    calls = len(emulator.calls)

    answer = handler(check_at("2027-01-04T00:30:00Z"), FakeContext())
    assert answer == {
        "status": "missing",
        "report_date": "2027-01-03",
        "run_status": "none",
        "weekly": {"status": "sent", "report_date": "2026-12-28"},
        "monthly": {"status": "missing", "report_date": "2026-12-01", "run_status": "none"},
    }
    assert missing_of(capsys.readouterr().out) == {
        "DigestMissing": [1],
        "WeeklyDigestMissing": [0],
        "MonthlyDigestMissing": [1],
    }
    assert len(emulator.calls) == calls  # the check sends nothing

    # the monthly digest goes out (its retry): the next check of that morning finds it
    monthly = {"source": "sinawai.scheduler", "report": "monthly", "scheduled_time": "2027-01-04T00:00:00Z"}
    assert handler(monthly, FakeContext())["status"] == "sent"
    capsys.readouterr()
    assert handler(check_at("2027-01-04T00:30:00Z"), FakeContext())["monthly"]["status"] == "sent"
    assert missing_of(capsys.readouterr().out)["MonthlyDigestMissing"] == [0]

    # Tuesday 5 January: neither a weekly nor a monthly digest is due: their metrics are not published
    answer = handler(check_at("2027-01-05T00:30:00Z"), FakeContext())
    assert set(answer) == {"status", "report_date", "run_status"}
    assert missing_of(capsys.readouterr().out) == {
        "DigestMissing": [1],
        "WeeklyDigestMissing": [],
        "MonthlyDigestMissing": [],
    }


def test_a_monday_that_does_not_open_the_month_checks_the_weekly_digest_only(
    env: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Monday 11 January 2027: the weekly digest of 4-10 January is due (and missing), no monthly one;
    without a managers' chat nothing is due and every published metric is 0."""
    handler = report_handler()
    answer = handler(check_at("2027-01-11T00:30:00Z"), FakeContext())
    assert answer["weekly"] == {"status": "missing", "report_date": "2027-01-04", "run_status": "none"}
    assert "monthly" not in answer
    assert missing_of(capsys.readouterr().out) == {
        "DigestMissing": [1],
        "WeeklyDigestMissing": [1],
        "MonthlyDigestMissing": [],
    }
    monkeypatch.setenv("MANAGERS_CHAT_ID", "")
    answer = report_handler()(check_at("2027-01-04T00:30:00Z"), FakeContext())
    assert (answer["status"], answer["weekly"]["status"], answer["monthly"]["status"]) == ("not due",) * 3
    assert missing_of(capsys.readouterr().out) == {
        "DigestMissing": [0],
        "WeeklyDigestMissing": [0],
        "MonthlyDigestMissing": [0],
    }


# ---- StaffDeliveryBacklogMinutes ------------------------------------------------------------------------


def test_the_consultation_sweep_publishes_how_long_the_oldest_staff_post_has_waited(
    env: None, db: DatabaseSettings, emulator: TelegramEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    Database(db).execute(
        "INSERT INTO pengguna (nip, nama, unit_kerja, id_telegram)"
        " VALUES (%s, 'Budi Santoso', 'Biro Umum', %s)",
        (NIP, EMPLOYEE),
    )
    consultation = ConsultationFunction.build()
    schedule = load_event("consultation_auto_close_schedule")
    consultation.lambda_handler(schedule, FakeContext())
    assert metric_values(capsys.readouterr().out, "StaffDeliveryBacklogMinutes") == [0]

    # Budi's question: the copy into the staff group fails and Lambda gives up, so it stays pending
    update = emulator.send_message(EMPLOYEE, "Pertanyaan yang tertahan")
    emulator.fail_next("copyMessage", error_code=500, description="Internal Server Error")
    with pytest.raises(Exception, match="Internal Server Error"):
        consultation.lambda_handler(
            {"update": update, "group": "consultation", "secret_text": False}, FakeContext()
        )
    query(db, "UPDATE staff_outbox SET created_at = UTC_TIMESTAMP(6) - INTERVAL 25 MINUTE")
    capsys.readouterr()

    assert consultation.lambda_handler(schedule, FakeContext())["resent"] != []
    out = capsys.readouterr().out
    [backlog] = metric_values(out, "StaffDeliveryBacklogMinutes")
    assert 25 <= backlog < 26
    line = next(e for e in emitted(out) if "StaffDeliveryBacklogMinutes" in e.metrics)
    assert (line.namespace, line.dimensions) == ("Sinawai", {"service": "sinawai-consultation"})

    # that sweep posted it: nothing waits any more
    consultation.lambda_handler(schedule, FakeContext())
    assert metric_values(capsys.readouterr().out, "StaffDeliveryBacklogMinutes") == [0]


# ---- UpdatesStuck ---------------------------------------------------------------------------------------


class RecordingInvoker:
    """The router's port to Lambda: what it dispatched."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def invoke_async(self, function_name: str, payload: bytes, qualifier: str | None = None) -> None:
        self.calls.append((function_name, json.loads(payload)))


def start_event(update_id: int, chat_id: int) -> dict[str, Any]:
    event = load_event("webhook_start")
    update = json.loads(event["body"])
    update["update_id"] = update_id
    update["message"]["chat"]["id"] = update["message"]["from"]["id"] = chat_id
    event["body"] = json.dumps(update)
    return event


def test_the_inbox_sweep_counts_updates_past_their_lease_and_not_done(
    db: DatabaseSettings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("GENERAL_FUNCTION_NAME", "GeneralFunction")
    webhook = WebhookFunction.from_env()
    invoker = RecordingInvoker()
    webhook.router.invoker = invoker
    for update_id, chat in ((901, 7001), (902, 7002), (903, 7003), (904, 7004)):
        assert webhook.lambda_handler(start_event(update_id, chat), FakeContext())["statusCode"] == 200
    # 901: dispatched ten minutes ago and never claimed; 902: its worker's lease ran out, one attempt left;
    # 903: its worker's lease ran out after the last attempt (given up); 904: just arrived
    query(
        db,
        "UPDATE update_inbox SET received_at = UTC_TIMESTAMP(6) - INTERVAL 10 MINUTE WHERE update_id < 904",
    )
    query(
        db,
        "UPDATE update_inbox SET status = 'processing', attempts = %s,"
        " lease_until = UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE WHERE update_id = %s",
        (1, 902),
    )
    query(
        db,
        "UPDATE update_inbox SET status = 'processing', attempts = %s,"
        " lease_until = UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE WHERE update_id = %s",
        (3, 903),
    )
    capsys.readouterr()
    sweep = load_event("webhook_inbox_sweep")
    assert webhook.lambda_handler(sweep, FakeContext())["redispatched"] == 2
    assert sorted(p["update"]["update_id"] for _, p in invoker.calls[4:]) == [901, 902]
    out = capsys.readouterr().out
    assert metric_values(out, "UpdatesStuck") == [3]
    line = next(e for e in emitted(out) if "UpdatesStuck" in e.metrics)
    assert (line.namespace, line.dimensions) == ("Sinawai", {"service": "sinawai-webhook"})

    # the workers finish them: nothing is stuck any more (903 is failed, for a re-drive)
    query(db, "UPDATE update_inbox SET status = 'done' WHERE update_id IN (901, 902)")
    webhook.lambda_handler(sweep, FakeContext())
    assert metric_values(capsys.readouterr().out, "UpdatesStuck") == [0]
