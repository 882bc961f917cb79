"""One update is one X-Ray trace: the router's hand-signed ``Invoke`` carries its invocation's trace header.

Lambda gives each invocation its trace header in ``_X_AMZN_TRACE_ID``; the invoked group function joins the
trace when the ``Invoke`` request carries it as ``X-Amzn-Trace-Id`` (what botocore adds inside Lambda).
A fake Lambda endpoint records the requests the real router sends for real updates (MariaDB behind it).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from sinawai.platform.config import DatabaseSettings
from sinawai.platform.lambda_invoke import LambdaInvoker
from sinawai.platform.sigv4 import Credentials
from sinawai.router.webhook import WebhookFunction
from tests.helpers import WEBHOOK_SECRET, FakeContext, db_env, load_event

ROUTER_TRACE = "Root=1-6749a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:0"
NEXT_TRACE = "Root=1-6749a1c9-fedcba9876543210fedcba98;Parent=0f1e2d3c4b5a6978;Sampled=0"


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes


class FakeLambda:
    """Answers ``Invoke`` with 202, as Lambda does for InvocationType=Event, and keeps every request."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        recorded = self.requests

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # the invoker keeps its connection alive

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                recorded.append(Recorded(self.path, dict(self.headers.items()), body))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeLambda:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_lambda() -> Iterator[FakeLambda]:
    with FakeLambda() as endpoint:
        yield endpoint


@pytest.fixture
def router(db: DatabaseSettings, fake_lambda: FakeLambda, monkeypatch: pytest.MonkeyPatch) -> WebhookFunction:
    """The router as Lambda builds it (``from_env``), its Lambda endpoint the fake one."""
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("GENERAL_FUNCTION_NAME", "sinawai-dev-GeneralFunction")
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", fake_lambda.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "sinawai-dev-WebhookFunction")
    return WebhookFunction.from_env()


def deliver(router: WebhookFunction, update_id: int) -> dict[str, Any]:
    """Telegram delivers a new ``/start`` (events/webhook_start.json under ``update_id``) to the router."""
    event = load_event("webhook_start")
    body = json.loads(event["body"])
    body["update_id"] = update_id
    event["body"] = json.dumps(body)
    response: dict[str, Any] = router.lambda_handler(event, FakeContext())
    return response


def test_the_invoke_carries_the_trace_of_the_routers_invocation(
    router: WebhookFunction, fake_lambda: FakeLambda, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", ROUTER_TRACE)
    assert deliver(router, 870000001)["statusCode"] == 200
    # Lambda sets the variable anew for each invocation: the next update travels in its own trace.
    monkeypatch.setenv("_X_AMZN_TRACE_ID", NEXT_TRACE)
    assert deliver(router, 870000002)["statusCode"] == 200

    first, second = fake_lambda.requests
    assert first.path == "/2015-03-31/functions/sinawai-dev-GeneralFunction/invocations"
    assert json.loads(first.body)["update"]["update_id"] == 870000001
    assert first.headers["X-Amzn-Trace-Id"] == ROUTER_TRACE
    assert json.loads(second.body)["update"]["update_id"] == 870000002
    assert second.headers["X-Amzn-Trace-Id"] == NEXT_TRACE
    # outside the signature, as botocore leaves it: the tracing side may rewrite the header in transit
    assert "x-amzn-trace-id" not in first.headers["Authorization"].lower()


def test_outside_lambda_or_untraced_no_trace_header_is_sent(
    router: WebhookFunction, fake_lambda: FakeLambda, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)
    assert deliver(router, 870000003)["statusCode"] == 200
    monkeypatch.setenv("_X_AMZN_TRACE_ID", ROUTER_TRACE)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME")  # a CLI or a test: not an invocation of Lambda's
    assert deliver(router, 870000004)["statusCode"] == 200
    assert [r.headers.get("X-Amzn-Trace-Id") for r in fake_lambda.requests] == [None, None]


def test_the_signed_invoke_with_its_trace_header_is_what_botocore_signs(
    fake_lambda: FakeLambda, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS accepts it: botocore, given the same request and trace header, computes the same signature."""
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "sinawai-dev-WebhookFunction")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", ROUTER_TRACE)
    now = datetime(2026, 11, 28, 3, 4, 5, tzinfo=UTC)
    creds = ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-xyz")
    invoker = LambdaInvoker(
        region="ap-southeast-3", endpoint=fake_lambda.url, credentials=Credentials(*creds)
    )
    body = b'{"update": {"update_id": 1}}'
    with mock.patch("sinawai.platform.lambda_invoke.datetime") as clock:
        clock.now.return_value = now
        invoker.invoke_async("sinawai-dev-GeneralFunction", body)
    sent = fake_lambda.requests[0]

    request = AWSRequest(
        method="POST",
        url=f"{fake_lambda.url}{sent.path}",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Amz-Invocation-Type": "Event",
            "X-Amzn-Trace-Id": ROUTER_TRACE,
        },
    )
    with mock.patch("botocore.auth.get_current_datetime", return_value=now.replace(tzinfo=None)):
        SigV4Auth(BotoCredentials(*creds), "lambda", "ap-southeast-3").add_auth(request)
    assert sent.headers["Authorization"] == request.headers["Authorization"]
    assert sent.headers["X-Amzn-Trace-Id"] == ROUTER_TRACE
