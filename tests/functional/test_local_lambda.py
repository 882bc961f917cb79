"""The local Lambda runtime and its HTTP faces, with fixture functions in their own processes.

The fixture template (tests/fixtures/local_stack/template.yaml) defines the functions; they import a
fixture layer, print freely, fail, time out and call each other through the Lambda API, as in AWS.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import boto3
import pytest

from local_stack.lambda_api import ApiGatewayEndpoint, LambdaEndpoint
from local_stack.lambda_runtime import FunctionNotFoundError, InvokeResult, LambdaRuntime
from local_stack.template import resolve_functions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "local_stack"
TEMPLATE = FIXTURES / "template.yaml"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass
class Stack:
    runtime: LambdaRuntime
    lambda_endpoint: LambdaEndpoint
    api: ApiGatewayEndpoint
    log_dir: Path

    def lambda_client(self) -> Any:
        return boto3.client(
            "lambda",
            endpoint_url=self.lambda_endpoint.url,
            region_name="ap-southeast-3",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )

    def invoke(self, name: str, event: Any, invocation_type: str = "RequestResponse") -> InvokeResult:
        return self.runtime.invoke(name, json.dumps(event).encode(), invocation_type)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    log_dir = tmp_path_factory.mktemp("lambda-logs")
    lambda_port = free_port()
    functions = resolve_functions(
        TEMPLATE,
        parameter_overrides={"RequiredParam": "given"},
        env_overrides={
            "Parameters": CREDENTIALS,
            # only the caller learns where the Lambda API is, as the router does in the real stack
            "GeneralFunction": {"AWS_ENDPOINT_URL_LAMBDA": f"http://127.0.0.1:{lambda_port}"},
        },
    )
    failing = functions["FailingFunction"]
    functions["BrokenFunction"] = replace(
        failing,
        logical_id="BrokenFunction",
        function_name="BrokenFunction",
        environment={**failing.environment, "FIXTURE_BROKEN_IMPORT": "1"},
        api_events=[],
    )
    # Hermetic: no AWS profile or endpoint of the developer's shell reaches the functions.
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    runtime = LambdaRuntime(
        functions,
        base_env=base_env,
        instances_per_function=2,
        async_retry_delays=(0.05, 0.1),
        log_dir=log_dir,
    )
    lambda_endpoint = LambdaEndpoint(runtime, port=lambda_port).start()
    api = ApiGatewayEndpoint(functions, runtime).start()
    try:
        yield Stack(runtime, lambda_endpoint, api, log_dir)
    finally:
        api.stop()
        lambda_endpoint.stop()
        runtime.close()


def http_request(
    url: str, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=15)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


# ---- Lambda Invoke API through boto3 -----------------------------------------------------------------


def test_boto3_request_response_echo(stack: Stack) -> None:
    client = stack.lambda_client()
    response = client.invoke(FunctionName="EchoFunction", Payload=json.dumps({"hello": "world"}).encode())
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    body = json.loads(response["Payload"].read())
    assert body["event"] == {"hello": "world"}
    # the layer is on the path, the code directory is the task root and cwd
    assert body["layer"]["marker"] == "fixture-shared-layer"
    assert body["layer"]["file"].startswith(str(FIXTURES / "layers" / "shared"))
    assert body["cwd"] == str(FIXTURES / "functions" / "echo")
    context = body["context"]
    assert context["function_name"] == "EchoFunction"
    assert context["function_version"] == "$LATEST"
    assert (
        context["invoked_function_arn"] == "arn:aws:lambda:ap-southeast-3:123456789012:function:EchoFunction"
    )
    assert context["memory_limit_in_mb"] == "512"
    assert context["log_group_name"] == "/aws/lambda/EchoFunction"
    assert 0 < context["remaining_ms"] <= 10_000
    assert response["ResponseMetadata"]["RequestId"] == context["aws_request_id"]
    env = body["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "EchoFunction"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "10"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "ap-southeast-3"
    assert env["LAMBDA_TASK_ROOT"] == str(FIXTURES / "functions" / "echo")
    assert env["_HANDLER"] == "app.lambda_handler"
    assert env["GENERAL_FUNCTION_NAME"] == "GeneralFunction"
    assert env["REQUIRED"] == "given"
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert "AWS_ENDPOINT_URL_LAMBDA" not in env  # given to GeneralFunction only

    # by ARN (URL-encoded by botocore) and with a qualifier, as the router may call it
    arn = "arn:aws:lambda:ap-southeast-3:123456789012:function:EchoFunction"
    for name in (arn, f"{arn}:$LATEST", "EchoFunction:$LATEST", "123456789012:function:EchoFunction"):
        again = client.invoke(FunctionName=name, Payload=b'{"n": 2}')
        assert json.loads(again["Payload"].read())["event"] == {"n": 2}, name


def test_prints_go_to_the_log_not_the_protocol(stack: Stack) -> None:
    client = stack.lambda_client()
    response = client.invoke(FunctionName="EchoFunction", Payload=b'{"x": 1}', LogType="Tail")
    assert json.loads(response["Payload"].read())["event"] == {"x": 1}
    tail = base64.b64decode(response["LogResult"]).decode()
    request_id = response["ResponseMetadata"]["RequestId"]
    assert f"START RequestId: {request_id}" in tail
    assert "echo: hello on stdout" in tail
    assert "echo: hello on stderr" in tail
    assert f"REPORT RequestId: {request_id}" in tail
    log = (stack.log_dir / "EchoFunction.log").read_text(errors="replace")
    assert "echo: init output on stdout" in log
    assert "echo: raw bytes on fd 1" in log  # even below Python's sys.stdout
    assert f"END RequestId: {request_id}" in log


def test_boto3_function_error(stack: Stack) -> None:
    response = stack.lambda_client().invoke(FunctionName="FailingFunction", Payload=b'{"n": 1}')
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "boom: {'n': 1}"
    assert any("failing/app.py" in line for line in error["stackTrace"])


def test_boto3_not_found_and_bad_requests(stack: Stack) -> None:
    client = stack.lambda_client()
    with pytest.raises(client.exceptions.ResourceNotFoundException) as info:
        client.invoke(FunctionName="NoSuchFunction", Payload=b"{}")
    assert "Function not found: arn:aws:lambda:ap-southeast-3:123456789012:function:NoSuchFunction" in str(
        info.value
    )
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.invoke(FunctionName="NoSuchFunction", InvocationType="Event", Payload=b"{}")
    with pytest.raises(client.exceptions.InvalidRequestContentException):
        client.invoke(FunctionName="EchoFunction", Payload=b"{not json")
    assert client.invoke(FunctionName="EchoFunction", InvocationType="DryRun")["StatusCode"] == 204
    with pytest.raises(FunctionNotFoundError):
        stack.runtime.invoke("NoSuchFunction", b"{}")


def test_boto3_event_is_accepted_then_processed(stack: Stack, tmp_path: Path) -> None:
    target = tmp_path / "event.json"
    response = stack.lambda_client().invoke(
        FunctionName="EchoFunction",
        InvocationType="Event",
        Payload=json.dumps({"write_to": str(target), "n": 3}).encode(),
    )
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    stack.runtime.wait_idle(10)
    assert json.loads(target.read_text()) == {"write_to": str(target), "n": 3}
    request_id = response["ResponseMetadata"]["RequestId"]
    records = [r for r in stack.runtime.invocations if r.request_id == request_id]
    assert [(r.invocation_type, r.error) for r in records] == [("Event", None)]


def test_wait_idle_reports_what_is_busy(stack: Stack) -> None:
    assert stack.invoke("SlowFunction", {"sleep": 0.6}, "Event").status_code == 202
    with pytest.raises(TimeoutError, match="SlowFunction"):
        stack.runtime.wait_idle(0.1)
    stack.runtime.wait_idle(10)


# ---- async retries, timeouts, instances ------------------------------------------------------------------


def test_failing_event_is_retried_twice_then_dead_lettered(stack: Stack, tmp_path: Path) -> None:
    attempts = tmp_path / "attempts.txt"
    payload = json.dumps({"attempts_file": str(attempts)}).encode()
    result = stack.runtime.invoke("FailingFunction", payload, "Event")
    assert result.status_code == 202
    stack.runtime.wait_idle(10)
    assert attempts.read_text().splitlines() == [result.request_id] * 3  # Lambda keeps the request id
    records = [r for r in stack.runtime.invocations if r.request_id == result.request_id]
    assert [(r.attempt, r.error) for r in records] == [
        (1, "ValueError"),
        (2, "ValueError"),
        (3, "ValueError"),
    ]
    letters = [d for d in stack.runtime.dead_letters if d.payload == payload]
    assert len(letters) == 1
    function, letter_payload, error = letters[0]
    assert function == "FailingFunction"
    assert letter_payload == payload
    assert error["errorType"] == "ValueError"


def test_timeout_kills_the_instance(stack: Stack) -> None:
    stack.runtime.restart("SlowFunction")
    first = json.loads(stack.invoke("SlowFunction", {"sleep": 0}).payload)
    started = time.monotonic()
    timed_out = stack.invoke("SlowFunction", {"sleep": 5})
    elapsed = time.monotonic() - started
    assert timed_out.function_error == "Unhandled"
    error = json.loads(timed_out.payload)
    assert error["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in error["errorMessage"]
    assert 0.9 < elapsed < 3
    with pytest.raises(ProcessLookupError):
        os.kill(first["pid"], 0)  # the instance that timed out is gone
    after = stack.invoke("SlowFunction", {"sleep": 0})
    assert after.function_error is None
    assert after.cold
    assert json.loads(after.payload)["pid"] != first["pid"]


def test_restart_starts_new_processes(stack: Stack) -> None:
    before = json.loads(stack.invoke("EchoFunction", {}).payload)
    stack.runtime.restart()
    result = stack.invoke("EchoFunction", {})
    after = json.loads(result.payload)
    assert result.cold
    assert after["pid"] != before["pid"]
    assert after["invocations"] == 1  # module state is per instance, as in a new container


def test_init_duration_on_cold_start_only(stack: Stack) -> None:
    stack.runtime.restart("EchoFunction")
    cold = stack.invoke("EchoFunction", {"n": 1})
    warm = stack.invoke("EchoFunction", {"n": 2})
    assert cold.cold
    assert cold.init_duration_ms is not None
    assert cold.init_duration_ms > 0
    assert not warm.cold
    assert warm.init_duration_ms is None
    assert json.loads(warm.payload)["pid"] == json.loads(cold.payload)["pid"]
    records = {r.request_id: r for r in stack.runtime.invocations}
    assert records[cold.request_id].cold
    assert records[cold.request_id].init_duration_ms == cold.init_duration_ms
    assert not records[warm.request_id].cold


def test_two_instances_serve_two_calls_at_once(stack: Stack) -> None:
    stack.runtime.restart("SlowFunction")
    results: list[dict[str, Any]] = []

    def call() -> None:
        results.append(json.loads(stack.invoke("SlowFunction", {"sleep": 0.5}).payload))

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    first, second = results
    assert first["pid"] != second["pid"]
    assert first["start"] < second["end"]
    assert second["start"] < first["end"]  # the two sleeps overlapped


def test_import_error_is_reported_on_every_invoke(stack: Stack) -> None:
    for _ in range(2):
        result = stack.invoke("BrokenFunction", {})
        assert result.function_error == "Unhandled"
        error = json.loads(result.payload)
        assert error["errorType"] == "Runtime.ImportModuleError"
        assert "Unable to import module 'app'" in error["errorMessage"]
        assert "fixture_module_that_does_not_exist" in error["errorMessage"]


def test_functions_invoke_each_other_through_the_lambda_api(stack: Stack) -> None:
    result = stack.invoke("GeneralFunction", {"value": 7})
    assert result.function_error is None, result.payload
    body = json.loads(result.payload)
    assert body["endpoint"] == stack.lambda_endpoint.url
    assert body["status"] == 200
    assert body["async_status"] == 202
    assert body["echo"]["event"] == {"from": "caller", "value": 7}
    assert body["echo"]["context"]["function_name"] == "EchoFunction"
    stack.runtime.wait_idle(10)
    echo_events = [
        r for r in stack.runtime.invocations if r.function == "EchoFunction" and r.invocation_type == "Event"
    ]
    assert echo_events
    assert echo_events[-1].error is None


# ---- API Gateway -----------------------------------------------------------------------------------------


def test_api_post_reaches_the_function_as_a_proxy_event(stack: Stack) -> None:
    body = json.dumps({"update_id": 1, "message": {"text": "halo"}}).encode()
    status, headers, data = http_request(
        stack.api.url,
        "POST",
        "/webhook?a=1&a=2&b=3",
        body,
        {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "s3cret", "x-lower": "v"},
    )
    assert status == 201
    assert headers["X-Echo"] == "yes"
    assert headers["Content-Type"] == "application/json"
    assert headers.get_all("Set-Cookie") == ["a=1", "b=2"]
    event = json.loads(data)["event"]
    assert event["resource"] == "/webhook"
    assert event["path"] == "/webhook"
    assert event["httpMethod"] == "POST"
    assert event["body"] == body.decode()
    assert event["isBase64Encoded"] is False
    assert event["headers"]["X-Telegram-Bot-Api-Secret-Token"] == "s3cret"  # case as sent
    assert event["headers"]["x-lower"] == "v"
    assert event["multiValueHeaders"]["X-Telegram-Bot-Api-Secret-Token"] == ["s3cret"]
    assert event["headers"]["Content-Type"] == "application/json"
    assert event["queryStringParameters"] == {"a": "2", "b": "3"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["3"]}
    assert event["pathParameters"] is None
    assert event["stageVariables"] is None
    context = event["requestContext"]
    assert context["stage"] == "Prod"
    assert context["resourcePath"] == "/webhook"
    assert context["httpMethod"] == "POST"
    assert context["path"] == "/Prod/webhook"
    assert context["accountId"] == "123456789012"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["protocol"] == "HTTP/1.1"
    assert abs(context["requestTimeEpoch"] / 1000 - time.time()) < 60
    assert headers["x-amzn-RequestId"] == context["requestId"]


def test_api_path_parameters_any_and_binary(stack: Stack) -> None:
    status, _, data = http_request(stack.api.url, "GET", "/items/42")
    assert status == 201
    event = json.loads(data)["event"]
    assert event["resource"] == "/items/{id}"
    assert event["pathParameters"] == {"id": "42"}
    assert event["body"] is None
    assert event["queryStringParameters"] is None

    status, _, data = http_request(
        stack.api.url, "PUT", "/any/a/b%20c", b"\xff\x00\x01", {"Content-Type": "application/octet-stream"}
    )
    assert status == 201
    event = json.loads(data)["event"]
    assert event["resource"] == "/any/{proxy+}"
    assert event["httpMethod"] == "PUT"
    assert event["pathParameters"] == {"proxy": "a/b c"}
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\x00\x01"


def test_api_unknown_route_is_403(stack: Stack) -> None:
    for method, path in (("GET", "/nowhere"), ("GET", "/webhook"), ("POST", "/items/1/more")):
        status, headers, data = http_request(stack.api.url, method, path)
        assert status == 403, (method, path)
        assert json.loads(data) == {"message": "Missing Authentication Token"}
        assert headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_api_function_error_is_502(stack: Stack) -> None:
    status, _, data = http_request(stack.api.url, "POST", "/boom", b"{}")
    assert status == 502
    assert json.loads(data) == {"message": "Internal server error"}


def test_lambda_endpoint_path_is_url_decoded(stack: Stack) -> None:
    arn = "arn:aws:lambda:ap-southeast-3:123456789012:function:SlowFunction"
    status, headers, data = http_request(
        stack.lambda_endpoint.url,
        "POST",
        f"/2015-03-31/functions/{quote(arn, safe='')}/invocations",
        b'{"sleep": 0}',
        {"X-Amz-Invocation-Type": "RequestResponse"},
    )
    assert status == 200
    assert headers["X-Amz-Executed-Version"] == "$LATEST"
    assert "pid" in json.loads(data)
    status, headers, data = http_request(
        stack.lambda_endpoint.url, "POST", "/2015-03-31/functions/Nope/invocations", b"{}"
    )
    assert status == 404
    assert headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert json.loads(data) == {
        "Type": "User",
        "message": "Function not found: arn:aws:lambda:ap-southeast-3:123456789012:function:Nope",
    }
