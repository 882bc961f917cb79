"""The local Lambda runtime sends Lambda's on-failure record of an asynchronous invocation that failed every
attempt to the function's destination, a standard SQS queue in moto, as Lambda does in AWS.

Fixture functions (tests/fixtures/local_stack) in their own processes: FailingFunction always raises,
EchoFunction always answers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from local_stack.lambda_runtime import LambdaRuntime, SqsDestination
from local_stack.template import resolve_functions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "local_stack"


def sqs_client(moto_url: str) -> Any:
    return boto3.client(
        "sqs",
        endpoint_url=moto_url,
        region_name="ap-southeast-3",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def queue(moto_url: str) -> tuple[Any, str]:
    sqs = sqs_client(moto_url)
    return sqs, str(sqs.create_queue(QueueName="destinations-failed-invocations")["QueueUrl"])


@pytest.fixture(scope="module")
def runtime(queue: tuple[Any, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdaRuntime]:
    sqs, url = queue
    functions = resolve_functions(
        FIXTURES / "template.yaml",
        parameter_overrides={"RequiredParam": "given"},
        env_overrides={"Parameters": {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}},
    )
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    destination = SqsDestination(sqs, url)
    with LambdaRuntime(
        functions,
        base_env=base_env,
        async_retry_delays=(0.05, 0.1),
        log_dir=tmp_path_factory.mktemp("destination-logs"),
        # by name and by ARN, as the template may name a function either way
        on_failure={"FailingFunction": destination, functions["EchoFunction"].arn: destination},
    ) as local:
        yield local


def drain(queue: tuple[Any, str]) -> list[dict[str, Any]]:
    sqs, url = queue
    records = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for m in messages:
            records.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return records


def test_an_event_that_failed_every_attempt_lands_in_the_destination_as_lambdas_record(
    runtime: LambdaRuntime, queue: tuple[Any, str]
) -> None:
    drain(queue)
    event = {"update": {"update_id": 42, "message": {"text": "halo"}}, "group": "general"}
    accepted = runtime.invoke("FailingFunction", json.dumps(event).encode(), "Event")
    runtime.wait_idle(10)

    (record,) = drain(queue)
    assert record["version"] == "1.0"
    assert record["timestamp"].endswith("Z")
    context = record["requestContext"]
    assert context["requestId"] == accepted.request_id  # Lambda keeps the request id over its retries
    assert context["functionArn"] == runtime.functions["FailingFunction"].arn + ":$LATEST"
    assert context["condition"] == "RetriesExhausted"
    assert context["approximateInvokeCount"] == 3
    assert record["requestPayload"] == event
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert record["responsePayload"]["errorMessage"].startswith("boom:")
    # the in-memory dead letters still see it too
    assert any(letter.payload == json.dumps(event).encode() for letter in runtime.dead_letters)


def test_a_successful_event_and_a_synchronous_failure_send_no_record(
    runtime: LambdaRuntime, queue: tuple[Any, str]
) -> None:
    drain(queue)
    runtime.invoke("EchoFunction", json.dumps({"ok": True}).encode(), "Event")
    failed = runtime.invoke("FailingFunction", b'{"sync": true}', "RequestResponse")
    runtime.wait_idle(10)
    assert failed.function_error == "Unhandled"  # the caller got the error: Lambda records nothing
    assert drain(queue) == []


def test_a_destination_that_refuses_the_record_loses_nothing_else(
    queue: tuple[Any, str], tmp_path: Path
) -> None:
    sqs, _ = queue
    functions = resolve_functions(FIXTURES / "template.yaml", parameter_overrides={"RequiredParam": "given"})
    gone = SqsDestination(sqs, queue[1].rsplit("/", 1)[0] + "/no-such-queue")
    with LambdaRuntime(
        {"FailingFunction": functions["FailingFunction"]},
        base_env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        async_retry_delays=(0.05,),
        log_dir=tmp_path,
        on_failure={"FailingFunction": gone},
    ) as local:
        local.invoke("FailingFunction", b'{"n": 1}', "Event")
        local.wait_idle(10)
        assert [letter.payload for letter in local.dead_letters] == [b'{"n": 1}']
