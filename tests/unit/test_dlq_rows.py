"""What ``sinawai dlq`` makes of a dead letter: a row of whitelisted fields, a re-drive plan, a verdict.

Records are shaped as Lambda, EventBridge Scheduler and SQS write them; the rows must never carry what an
employee typed, their name, NIP, password or the bot token, whatever the payload or the error holds.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pytest

from sinawai.cli.dlq import (
    Invoke,
    Letter,
    SendBack,
    Verdict,
    describe,
    judge,
    plan,
    render_table,
    safe_error_line,
)

NOW = 1_800_000_000.0
ARN = "arn:aws:lambda:ap-southeast-3:123456789012:function:sinawai-prod-ConsultationFunction-Ab12Cd34"
NIP = "199001172015031001"
TOKEN = "7000000001:AAHsecret-token-part-0123456789abcdef"
TYPED = "Saya Budi Santoso, kata sandi saya Rahasia123, kapan cuti besar saya?"


def update(text: str = TYPED, **extra: Any) -> dict[str, Any]:
    return {
        "update_id": 700123,
        "message": {
            "message_id": 9,
            "date": 1_799_999_000,
            "chat": {"id": 5550001, "type": "private", "first_name": "Budi", "last_name": "Santoso"},
            "from": {"id": 5550001, "is_bot": False, "first_name": "Budi", "last_name": "Santoso"},
            "text": text,
            **extra,
        },
    }


def failed_letter(payload: Any, error: dict[str, Any] | None = None, **context: Any) -> Letter:
    record = {
        "version": "1.0",
        "timestamp": "2027-01-15T08:00:00.000Z",
        "requestContext": {
            "requestId": "c2a6f2ae-7dbb-4d22-8782-d0485c9877e2",
            "functionArn": ARN + ":$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
            **context,
        },
        "requestPayload": payload,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": error or {"errorType": "NetworkError", "errorMessage": "httpx.ConnectError"},
    }
    attributes = {"SentTimestamp": str(int((NOW - 7500) * 1000)), "ApproximateReceiveCount": "1"}
    return Letter("failed", "https://sqs/failed", "5fea7756-0ea4-451a", "rh", json.dumps(record), attributes)


def shown(letter: Letter) -> str:
    """Everything the list would print of the letter: its JSON row and its table line."""
    row = describe(letter, NOW)
    return json.dumps(asdict(row), ensure_ascii=False) + "\n" + render_table([row])


# ---- rows: whitelisted fields only ---------------------------------------------------------------------


def test_a_failed_update_shows_function_update_kind_chat_error_age_and_attempts() -> None:
    letter = failed_letter({"update": update(), "group": "consultation", "secret_text": False, "pad": "x"})
    row = describe(letter, NOW)
    assert row.function == "sinawai-prod-ConsultationFunction-Ab12Cd34"
    assert (row.update_id, row.kind, row.chat_id) == (700123, "message text", 5550001)
    assert row.error == "NetworkError: httpx.ConnectError"
    assert (row.age_seconds, row.attempts) == (7500, 3)
    assert "2h05m" in render_table([row])


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"/daftar {NIP} Rahasia123", "message /daftar"),
        ("/tentang", "message /tentang"),
        (f"/{NIP}", "message unknown command"),  # a typed "command" is not shown unless the bot has it
        ("/BudiSantoso tolong", "message unknown command"),
    ],
)
def test_a_command_is_named_only_when_the_bot_has_it(text: str, kind: str) -> None:
    letter = failed_letter({"update": update(text), "group": "registration"})
    assert describe(letter, NOW).kind == kind
    assert NIP not in shown(letter)
    assert "Rahasia123" not in shown(letter)
    assert "Budi" not in shown(letter)


def test_nothing_the_employee_typed_or_is_called_appears_even_in_a_photo_caption_or_a_button() -> None:
    photo = update(photo=[{"file_id": "AgAC", "width": 90, "height": 90}])
    photo["message"]["caption"] = photo["message"].pop("text")
    button = {
        "update_id": 700124,
        "callback_query": {
            "id": "1",
            "from": {"id": 5550001, "first_name": "Budi"},
            "data": f"consultation:rate:{NIP}",
            "message": {"message_id": 3, "chat": {"id": 5550001, "type": "private"}, "text": TYPED},
        },
    }
    odd_button = {"update_id": 700125, "callback_query": {"id": "2", "data": "Budi Santoso"}}
    for payload, kind in (
        (photo, "message photo"),
        (button, "callback_query consultation"),
        (odd_button, "callback_query"),
    ):
        letter = failed_letter({"update": payload, "group": "consultation"})
        assert describe(letter, NOW).kind == kind
        text = shown(letter)
        for secret in ("Budi", "Santoso", "Rahasia123", NIP, "cuti besar"):
            assert secret not in text, (kind, secret)


def test_an_error_message_shows_its_first_line_without_personal_data_or_the_token() -> None:
    error = {
        "errorType": "IntegrityError",
        "errorMessage": f"(1062, \"Duplicate entry '{NIP}' for key 'nip'\") at https://api.telegram.org/"
        f"bot{TOKEN}/sendMessage budi.santoso@kemen.go.id\nTraceback line with {TYPED}",
    }
    letter = failed_letter({"update": update(), "group": "registration"}, error)
    row = describe(letter, NOW)
    assert row.error.startswith("IntegrityError: (1062, ")
    text = shown(letter)
    for secret in (NIP, TOKEN, "AAHsecret", "budi.santoso", "Budi", "Rahasia123"):
        assert secret not in text, secret
    assert (
        safe_error_line("Forbidden: bot was blocked by the user") == "Forbidden: bot was blocked by the user"
    )


def test_other_events_say_what_they_are() -> None:
    digest = {"source": "sinawai.scheduler", "report": "daily", "scheduled_time": "2027-01-15T00:00:00Z"}
    s3 = {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": "b"}, "object": {"key": f"imports/employees/{NIP}-Budi.csv"}},
            }
        ]
    }
    sweep = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
    kinds = {
        describe(failed_letter(digest), NOW).kind,
        describe(failed_letter(s3), NOW).kind,
        describe(failed_letter(sweep), NOW).kind,
    }
    assert kinds == {
        "schedule report daily",
        "s3 ObjectCreated:Put imports/employees/",
        "schedule (EventBridge rule)",
    }
    assert "Budi" not in shown(failed_letter(s3))
    assert NIP not in shown(failed_letter(s3))


def test_a_scheduler_dead_letter_names_its_target_and_error() -> None:
    letter = Letter(
        "scheduler",
        "https://sqs/dlq",
        "m-1",
        "rh",
        json.dumps({"source": "sinawai.scheduler", "report": "daily"}),
        {"SentTimestamp": str(int((NOW - 90_000) * 1000))},
        {
            "ERROR_CODE": "AWS.Scheduler.ThrottlingException",
            "ERROR_MESSAGE": "Rate exceeded",
            "TARGET_ARN": ARN.replace("Consultation", "Report"),
            "RETRY_ATTEMPTS": "10",
        },
    )
    row = describe(letter, NOW)
    assert row.function == "sinawai-prod-ReportFunction-Ab12Cd34"
    assert row.error == "AWS.Scheduler.ThrottlingException: Rate exceeded"
    assert (row.kind, row.attempts) == ("schedule report daily", 11)
    assert "1d01h" in render_table([row])


def test_fifo_dead_letters_show_their_reference_not_their_recipients() -> None:
    chunk = Letter(
        "broadcast", "u", "m-2", "rh", json.dumps({"announcement_id": 12, "chat_ids": [5550001, 5550002]}),
        {"MessageGroupId": "broadcast", "ApproximateReceiveCount": "11"},
    )  # fmt: skip
    post = Letter("delivery", "u", "m-3", "rh", json.dumps({"outbox_id": 77}), {"MessageGroupId": "ticket-7"})
    assert describe(chunk, NOW).kind == "broadcast announcement 12, 2 recipients"
    assert describe(chunk, NOW).attempts == 10
    assert "5550002" not in shown(chunk)
    assert describe(post, NOW).kind == "staff post outbox 77 (ticket-7)"


# ---- plans: what a re-drive does ------------------------------------------------------------------------


def test_a_failed_update_is_replayed_in_its_function_with_replay_true() -> None:
    payload = {"update": update(), "group": "consultation", "secret_text": False}
    target = plan(failed_letter(payload), None)
    assert target == Invoke(ARN, {**payload, "replay": True}, update=True)  # the ARN without :$LATEST


def test_other_events_are_invoked_again_unchanged_and_fifo_letters_go_back_in_their_group() -> None:
    digest = {"source": "sinawai.scheduler", "report": "daily"}
    assert plan(failed_letter(digest), None) == Invoke(ARN, digest, update=False)
    post = Letter("delivery", "u", "abc-123", "rh", '{"outbox_id": 77}', {"MessageGroupId": "ticket-7"})
    assert plan(post, "https://sqs/source.fifo") == SendBack(
        "https://sqs/source.fifo", '{"outbox_id": 77}', "ticket-7", "redrive-abc-123"
    )


@pytest.mark.parametrize(
    ("letter", "reason"),
    [
        (
            Letter("delivery", "u", "m", "rh", "{}", {"MessageGroupId": "ticket-7"}),
            "STAFF_DELIVERY_QUEUE_URL",
        ),
        (Letter("scheduler", "u", "m", "rh", '{"update": {}}', {}, {"ErrorCode": "200"}), "TARGET_ARN"),
        (Letter("failed", "u", "m", "rh", "not json"), "not a Lambda invocation record"),
    ],
)
def test_what_cannot_be_re_driven_says_why(letter: Letter, reason: str) -> None:
    outcome = plan(letter, None)
    assert isinstance(outcome, str)
    assert reason in outcome


# ---- verdicts: when a letter may be deleted ----------------------------------------------------------------


REPLAY = Invoke(ARN, {}, update=True)


@pytest.mark.parametrize(
    ("answer", "finished"),
    [
        ({"status": "done", "update_id": 1}, True),
        ({"status": "undeliverable", "update_id": 1}, True),
        ({"status": "secret_expired", "update_id": 1}, True),
        ({"status": "duplicate", "update_id": 1, "inbox": "done"}, True),
        ({"status": "duplicate", "update_id": 1, "inbox": "processing"}, False),  # another worker holds it
        ({"status": "duplicate", "update_id": 1}, False),  # cannot tell
        ({"status": "failed", "update_id": 1}, False),
    ],
)
def test_a_replayed_update_is_finished_only_when_its_function_says_so(
    answer: dict[str, Any], finished: bool
) -> None:
    assert judge(REPLAY, None, json.dumps(answer).encode()).finished is finished


def test_a_function_error_keeps_the_letter_with_its_reason() -> None:
    error = {"errorType": "NetworkError", "errorMessage": f"bot{TOKEN} unreachable"}
    assert judge(REPLAY, "Unhandled", json.dumps(error).encode()) == Verdict(
        False, "NetworkError: bot<token> unreachable"
    )
    assert judge(Invoke(ARN, {}, update=False), None, b'{"status": "sent"}') == Verdict(
        True, "invoked (sent)"
    )
