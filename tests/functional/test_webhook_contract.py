"""The webhook contract (DESIGN.md), against the real handler module and a real MariaDB database.

The group functions are replaced by a recording invoker (the router's port to Lambda); the e2e tests run
the same flows through the local Lambda endpoint.
"""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from sinawai.platform.config import DatabaseSettings
from sinawai.platform.errors import DispatchError
from sinawai.platform.seal import unseal
from sinawai.router.webhook import WebhookFunction
from tests.emf_lines import emf_lines, metric, new_container
from tests.helpers import (
    STAFF_GROUP_CHAT_ID,
    WEBHOOK_SECRET,
    FakeContext,
    db_env,
    load_event,
    query,
)


class RecordingInvoker:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail_with: list[BaseException] = []

    def invoke_async(self, function_name: str, payload: bytes, qualifier: str | None = None) -> None:
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.calls.append((function_name, json.loads(payload)))


@pytest.fixture
def webhook(
    db: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> tuple[WebhookFunction, RecordingInvoker]:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("GENERAL_FUNCTION_NAME", "GeneralFunction")
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF_GROUP_CHAT_ID))
    monkeypatch.delenv("CONSULTATION_FUNCTION_NAME", raising=False)
    module = WebhookFunction.from_env()
    invoker = RecordingInvoker()
    module.router.invoker = invoker
    return module, invoker


def call(module: WebhookFunction, event: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = module.lambda_handler(event, FakeContext())
    return response


def inbox(db: DatabaseSettings) -> list[dict[str, Any]]:
    return query(db, "SELECT update_id, status, command_group FROM update_inbox ORDER BY update_id")


def test_update_is_recorded_then_dispatched_to_its_group(webhook: Any, db: DatabaseSettings) -> None:
    module, invoker = webhook
    response = call(module, load_event("webhook_start"))
    assert response["statusCode"] == 200
    assert inbox(db) == [{"update_id": 810000001, "status": "dispatched", "command_group": "general"}]
    assert len(invoker.calls) == 1
    function, payload = invoker.calls[0]
    assert function == "GeneralFunction"
    assert payload["group"] == "general"
    assert payload["update"]["message"]["text"] == "/start"


@pytest.mark.parametrize(
    ("event_name", "status"),
    [("webhook_wrong_secret", 403), ("webhook_missing_secret", 401)],
)
def test_wrong_or_missing_secret_records_and_dispatches_nothing(
    webhook: Any, db: DatabaseSettings, event_name: str, status: int
) -> None:
    module, invoker = webhook
    assert call(module, load_event(event_name))["statusCode"] == status
    assert inbox(db) == []
    assert invoker.calls == []


def test_secret_header_name_is_case_insensitive(webhook: Any, db: DatabaseSettings) -> None:
    module, invoker = webhook
    event = load_event("webhook_start")
    event["headers"] = {"x-telegram-bot-api-secret-token": WEBHOOK_SECRET}
    assert call(module, event)["statusCode"] == 200
    assert len(invoker.calls) == 1


@pytest.mark.parametrize(
    "body",
    [
        '{"hello": "world"}',
        "<html>hello</html>",
        "",
        "[]",
        '{"update_id": 5}',
        '{"update_id": "5", "message": {}}',
    ],
)
def test_body_that_is_not_an_update_gets_400_and_nothing_happens(
    webhook: Any, db: DatabaseSettings, body: str
) -> None:
    module, invoker = webhook
    event = load_event("webhook_not_json")
    event["body"] = body
    response = call(module, event)
    assert response["statusCode"] == 400
    assert inbox(db) == []
    assert invoker.calls == []


def _message(chat_id: Any = 5550001, update_id: Any = 7001) -> str:
    message = {"message_id": 1, "date": 0, "chat": {"id": chat_id, "type": "private"}, "text": "halo"}
    return json.dumps({"update_id": update_id, "message": message})


@pytest.mark.parametrize(
    "body",
    [
        '{"update_id": 1, "message": ' + "[" * 100_000 + "]" * 100_000 + "}",  # RecursionError in json
        _message(update_id=2**64),  # more than MySQL's BIGINT (and Telegram's ids) hold
        _message(update_id=-(2**63) - 1),
        _message(chat_id="5550001"),  # a chat id that is not a number
        _message(chat_id=2**70),
        _message(chat_id=None).replace('"id": null', '"id": [1]'),
    ],
    ids=[
        "deep-nesting",
        "update-id-2**64",
        "update-id-below-int64",
        "chat-id-string",
        "chat-id-2**70",
        "chat-id-list",
    ],
)
def test_an_authenticated_body_telegram_would_resend_forever_gets_400_never_5xx(
    webhook: Any, db: DatabaseSettings, body: str
) -> None:
    module, invoker = webhook
    event = load_event("webhook_start")
    event["body"] = body
    response = call(module, event)
    assert response["statusCode"] == 400
    assert inbox(db) == []
    assert invoker.calls == []


def test_chatter_in_a_group_the_bot_does_not_serve_is_counted_not_stored(
    webhook: Any, db: DatabaseSettings
) -> None:
    module, invoker = webhook
    for update_id, text in ((8001, "Selamat pagi semua"), (8002, "Rapat jam 9 ya")):
        update = {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": -1002000000009, "type": "supergroup", "title": "Grup Unit Kerja"},
                "from": {"id": 5550009, "is_bot": False, "first_name": "Andi"},
                "text": text,
            },
        }
        event = load_event("webhook_start")
        event["body"] = json.dumps(update)
        assert call(module, event)["statusCode"] == 200
    assert invoker.calls == []
    assert inbox(db) == []
    assert query(db, "SELECT COUNT(*) AS n FROM pesan") == [{"n": 0}]  # no text, no sender kept
    assert query(db, "SELECT chat_type, kind, n FROM update_counter") == [
        {"chat_type": "supergroup", "kind": "message", "n": 2}
    ]


def test_same_update_delivered_twice_is_dispatched_once(webhook: Any, db: DatabaseSettings) -> None:
    module, invoker = webhook
    event = load_event("webhook_start")
    assert call(module, event)["statusCode"] == 200
    assert call(module, event)["statusCode"] == 200
    assert len(invoker.calls) == 1
    assert len(inbox(db)) == 1


def test_unhandled_updates_are_recorded_and_answered_200(webhook: Any, db: DatabaseSettings) -> None:
    module, invoker = webhook
    for name in ("webhook_edited_message", "webhook_bot_blocked"):
        assert call(module, load_event(name))["statusCode"] == 200
    assert invoker.calls == []
    assert [r["status"] for r in inbox(db)] == ["ignored", "ignored"]
    kinds = [r["kind"] for r in query(db, "SELECT kind FROM pesan WHERE direction = 'in' ORDER BY id")]
    assert kinds == ["edited_message", "my_chat_member"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_database_down_answers_503_then_the_retry_is_processed_once(
    webhook: Any, db: DatabaseSettings
) -> None:
    module, invoker = webhook
    router = module.router
    real = router.db._settings
    router.db.close()
    router.db._settings = DatabaseSettings("127.0.0.1", _closed_port(), db.name, db.user, db.password)
    event = load_event("webhook_start")
    assert call(module, event)["statusCode"] == 503
    assert invoker.calls == []

    router.db.close()
    router.db._settings = real  # the database is back; Telegram retries
    assert call(module, event)["statusCode"] == 200
    assert call(module, event)["statusCode"] == 200  # and a late duplicate changes nothing
    assert len(invoker.calls) == 1
    assert inbox(db) == [{"update_id": 810000001, "status": "dispatched", "command_group": "general"}]


@pytest.mark.parametrize("failure", [DispatchError("Lambda throttled"), RuntimeError("container crashed")])
def test_failure_between_record_and_dispatch_is_dispatched_on_retry(
    webhook: Any, db: DatabaseSettings, failure: BaseException
) -> None:
    module, invoker = webhook
    event = load_event("webhook_start")
    invoker.fail_with.append(failure)
    if isinstance(failure, DispatchError):
        assert call(module, event)["statusCode"] == 502  # non-2xx: Telegram delivers again
    else:
        with pytest.raises(RuntimeError):  # the invocation dies: API Gateway answers 502
            call(module, event)
    assert inbox(db)[0]["status"] == "received"  # durable, not yet dispatched

    assert call(module, event)["statusCode"] == 200
    assert len(invoker.calls) == 1
    assert inbox(db)[0]["status"] == "dispatched"


def test_plain_text_goes_to_the_pending_conversation_of_the_chat(webhook: Any, db: DatabaseSettings) -> None:
    module, invoker = webhook
    from sinawai.platform.db import Database

    Database(db).execute(
        "INSERT INTO conversation (chat_id, command_group, state, sensitive_input, expires_at)"
        " VALUES (%s, 'general', 'awaiting_password', TRUE, UTC_TIMESTAMP(6) + INTERVAL 10 MINUTE)",
        (5550001,),
    )
    event = load_event("webhook_start")
    update = json.loads(event["body"])
    update["message"]["text"] = "Rahasia#2026"
    del update["message"]["entities"]
    event["body"] = json.dumps(update)
    assert call(module, event)["statusCode"] == 200
    # Neither the payload (Lambda's retry queue, a DLQ) nor MySQL holds the clear text; the two together do.
    payload = invoker.calls[0][1]
    assert payload["secret_text"] is True
    assert "Rahasia#2026" not in json.dumps(payload)
    row = query(db, "SELECT payload, sealed FROM update_inbox")[0]
    assert "Rahasia#2026" not in row["payload"]
    assert b"Rahasia#2026" not in row["sealed"]
    assert json.loads(unseal(row["sealed"], payload["pad"]))["message"]["text"] == "Rahasia#2026"


def test_plain_text_without_conversation_falls_back_to_general_while_consultation_is_not_deployed(
    webhook: Any, db: DatabaseSettings
) -> None:
    module, invoker = webhook
    event = load_event("webhook_start")
    update = json.loads(event["body"])
    update["message"]["text"] = "Bagaimana cara mengajukan cuti?"
    del update["message"]["entities"]
    event["body"] = json.dumps(update)
    call(module, event)
    assert invoker.calls[0][0] == "GeneralFunction"


def test_staff_group_messages_are_ignored_while_consultation_is_not_deployed(
    webhook: Any, db: DatabaseSettings
) -> None:
    module, invoker = webhook
    event = load_event("webhook_start")
    update = json.loads(event["body"])
    update["message"]["chat"] = {"id": STAFF_GROUP_CHAT_ID, "type": "supergroup", "title": "OSDM"}
    # a plain message (a personal command such as /start in the staff group is the general group's: it
    # points to the private chat, issue 15)
    update["message"]["text"] = "Selamat pagi, rekan-rekan."
    update["message"].pop("entities", None)
    event["body"] = json.dumps(update)
    assert call(module, event)["statusCode"] == 200
    assert invoker.calls == []
    # nobody acts on it: counted, its text and sender not kept
    assert inbox(db) == []
    assert query(db, "SELECT chat_type, kind, n FROM update_counter") == [
        {"chat_type": "supergroup", "kind": "message", "n": 1}
    ]


def test_outcomes_are_published_as_cloudwatch_metrics(
    webhook: Any, db: DatabaseSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    module, _ = webhook
    event = load_event("webhook_start")
    call(module, event)
    call(module, event)
    call(module, load_event("webhook_wrong_secret"))
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    names = [m["Name"] for blob in emitted for m in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
    assert names == ["UpdateDispatched", "UpdateDuplicate", "WebhookUnauthorized"]
    assert all(blob["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Sinawai" for blob in emitted)


def test_the_routers_metrics_carry_its_service_and_a_cold_start(
    webhook: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the alarms read: namespace Sinawai, dimension service=sinawai-webhook; ColdStart once."""
    module, _ = webhook
    new_container()
    capsys.readouterr()
    assert call(module, load_event("webhook_start"))["statusCode"] == 200
    first = capsys.readouterr().out
    assert call(module, load_event("webhook_wrong_secret"))["statusCode"] == 403
    second = capsys.readouterr().out

    assert metric(first, "UpdateDispatched", service="sinawai-webhook") == [1.0]
    (cold,) = [line for line in emf_lines(first) if "ColdStart" in line.metrics]
    assert cold.dimensions == {"function_name": "test-function", "service": "sinawai-webhook"}
    assert metric(second, "WebhookUnauthorized", service="sinawai-webhook") == [1.0]
    assert metric(second, "ColdStart", service="sinawai-webhook") == []
