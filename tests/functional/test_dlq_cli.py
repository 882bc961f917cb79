"""``sinawai dlq`` against moto's SQS and CloudFormation and the local Lambda runtime (fixture functions).

The dead letters are put where AWS would put them: a FIFO dead letter as SQS moves it (its body and
message group), a scheduler dead letter with EventBridge Scheduler's attributes (TARGET_ARN, ERROR_CODE,
ERROR_MESSAGE). The command runs in-process with an operator's environment.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from local_stack.lambda_api import LambdaEndpoint
from local_stack.lambda_runtime import LambdaRuntime
from local_stack.template import resolve_functions
from sinawai.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "local_stack"
REGION = "ap-southeast-3"
IMPORT_ARN = "arn:aws:lambda:ap-southeast-3:123456789012:function:sinawai-dev-ImportFunction-X"
# the operator's shell in these tests knows only what each test sets
UNSET = (
    "FAILED_INVOCATIONS_QUEUE_URL",
    "BROADCAST_DLQ_URL",
    "STAFF_DELIVERY_DLQ_URL",
    "SCHEDULER_DLQ_URL",
    "BROADCAST_QUEUE_URL",
    "STAFF_DELIVERY_QUEUE_URL",
    "AWS_PROFILE",
)


def client(service: str, moto_url: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=moto_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def lambda_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LambdaRuntime, str]]:
    functions = resolve_functions(FIXTURES / "template.yaml", parameter_overrides={"RequiredParam": "given"})
    wanted = {k: functions[k] for k in ("EchoFunction", "FailingFunction")}
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    with LambdaRuntime(wanted, base_env=base_env, log_dir=tmp_path_factory.mktemp("dlq-cli-logs")) as runtime:
        endpoint = LambdaEndpoint(runtime).start()
        try:
            yield runtime, endpoint.url
        finally:
            endpoint.stop()


@pytest.fixture
def sqs(moto_url: str) -> Any:
    return client("sqs", moto_url)


@pytest.fixture(autouse=True)
def operator_env(
    moto_url: str, lambda_endpoint: tuple[LambdaRuntime, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for service in ("SQS", "CLOUDFORMATION"):
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", moto_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", lambda_endpoint[1])


def sinawai(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Exit code and what the operator sees (stdout and stderr)."""
    code, out, err = run(capsys, *args)
    return code, out + err


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["dlq", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def fifo_pair(sqs: Any, *, redrive_policy: bool) -> tuple[str, str]:
    """A FIFO source queue and its dead-letter queue, as the template makes them."""
    name = uuid.uuid4().hex[:10]
    dlq = sqs.create_queue(QueueName=f"dlq-{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attributes = {"FifoQueue": "true"}
    if redrive_policy:
        attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "10"})
    source = sqs.create_queue(QueueName=f"src-{name}.fifo", Attributes=attributes)["QueueUrl"]
    return str(source), str(dlq)


def counts(sqs: Any, url: str) -> tuple[int, int]:
    """(visible, hidden) messages of a queue."""
    attrs = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]), int(attrs["ApproximateNumberOfMessagesNotVisible"])


def test_a_staff_post_dead_letter_goes_back_to_its_source_queue_in_its_ticket_group(
    sqs: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, dlq = fifo_pair(sqs, redrive_policy=True)
    monkeypatch.setenv("STAFF_DELIVERY_DLQ_URL", dlq)
    for outbox_id, ticket in ((41, 7), (42, 7), (43, 9)):
        body = json.dumps({"outbox_id": outbox_id})
        sqs.send_message(
            QueueUrl=dlq, MessageBody=body, MessageGroupId=f"ticket-{ticket}", MessageDeduplicationId=body
        )

    code, table = sinawai(capsys, "list", "--queue", "delivery")
    assert code == 0, table
    assert "staff post outbox 41 (ticket-7)" in table
    assert "staff post outbox 43 (ticket-9)" in table
    assert counts(sqs, dlq) == (3, 0)  # listing consumed nothing and hid nothing

    code, plan = sinawai(capsys, "redrive", "--queue", "delivery", "--dry-run")
    assert code == 0, plan
    assert plan.count("WOULD") == 3
    assert counts(sqs, source) == (0, 0)
    assert counts(sqs, dlq) == (3, 0)

    code, report = sinawai(capsys, "redrive", "--queue", "delivery")
    assert code == 0, report
    assert report.count("DONE") == 3
    assert counts(sqs, dlq) == (0, 0)
    moved = []
    while messages := sqs.receive_message(
        QueueUrl=source, MaxNumberOfMessages=10, MessageSystemAttributeNames=["MessageGroupId"]
    ).get("Messages"):
        for m in messages:
            moved.append((json.loads(m["Body"])["outbox_id"], m["Attributes"]["MessageGroupId"]))
            sqs.delete_message(QueueUrl=source, ReceiptHandle=m["ReceiptHandle"])
    assert sorted(moved) == [(41, "ticket-7"), (42, "ticket-7"), (43, "ticket-9")]


def test_a_fifo_dead_letter_whose_source_is_unknown_stays_and_says_what_to_set(
    sqs: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, dlq = fifo_pair(sqs, redrive_policy=False)
    monkeypatch.setenv("BROADCAST_DLQ_URL", dlq)
    sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps({"announcement_id": 5, "chat_ids": [1, 2, 3]}),
                     MessageGroupId="broadcast", MessageDeduplicationId="chunk-1")  # fmt: skip
    code, report = sinawai(capsys, "redrive", "--queue", "broadcast")
    assert code == 1, report
    assert "SKIPPED" in report
    assert "BROADCAST_QUEUE_URL" in report
    assert counts(sqs, dlq) == (1, 0)  # still there, and visible


def scheduler_letter(sqs: Any, url: str, target: str, body: dict[str, Any]) -> None:
    sqs.send_message(
        QueueUrl=url,
        MessageBody=json.dumps(body),
        MessageAttributes={
            "ERROR_CODE": {"DataType": "String", "StringValue": "AWS.Scheduler.ThrottlingException"},
            "ERROR_MESSAGE": {"DataType": "String", "StringValue": "Rate exceeded"},
            "TARGET_ARN": {"DataType": "String", "StringValue": target},
            "EXECUTION_ID": {"DataType": "String", "StringValue": "d32c5kddcf5bb8c3"},
        },
    )


def test_a_scheduler_dead_letter_is_delivered_to_its_target_and_deleted_only_if_it_succeeded(
    sqs: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lambda_endpoint: tuple[LambdaRuntime, str],
    tmp_path: Path,
) -> None:
    runtime, _ = lambda_endpoint
    url = sqs.create_queue(QueueName=f"scheduler-dlq-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    monkeypatch.setenv("SCHEDULER_DLQ_URL", url)
    delivered = tmp_path / "delivered.json"
    event = {"source": "sinawai.scheduler", "report": "daily", "write_to": str(delivered)}
    scheduler_letter(sqs, url, runtime.functions["EchoFunction"].arn, event)
    scheduler_letter(sqs, url, runtime.functions["FailingFunction"].arn, {"source": "sinawai.scheduler"})

    code, table = sinawai(capsys, "list", "--queue", "scheduler")
    assert code == 0, table
    assert "AWS.Scheduler.ThrottlingException: Rate exceeded" in table
    assert "EchoFunction" in table
    assert "FailingFunction" in table

    code, report = sinawai(capsys, "redrive", "--queue", "scheduler")
    assert code == 1, report
    assert "DONE" in report
    assert "FAILED" in report
    assert "ValueError: boom:" in report
    assert json.loads(delivered.read_text()) == event  # the schedule's input, unchanged
    assert counts(sqs, url) == (1, 0)  # the failing one stays, visible

    code, raw, _ = run(capsys, "list", "--queue", "scheduler", "--json")
    (row,) = json.loads(raw)["messages"]
    assert row["function"] == "FailingFunction"


def test_the_queue_urls_come_from_the_stack_outputs(
    sqs: Any, moto_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cloudformation = client("cloudformation", moto_url)
    stack = f"sinawai-dlq-{uuid.uuid4().hex[:6]}"
    template = {
        "Resources": {"Failed": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"FailedInvocationsQueueUrl": {"Value": {"Ref": "Failed"}}},
    }
    cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    outputs = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    url = outputs[0]["OutputValue"]
    record = {
        "requestContext": {
            "functionArn": IMPORT_ARN + ":$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": {
            "Records": [
                {
                    "eventSource": "aws:s3",
                    "eventName": "ObjectCreated:Put",
                    "s3": {"object": {"key": "imports/tunkin/2027-01.csv"}},
                }
            ]
        },
        "responsePayload": {"errorType": "DatabaseUnavailableError", "errorMessage": "MySQL is unreachable"},
    }
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record))

    code, raw, notes = run(capsys, "list", "--stack", stack, "--json")
    assert code == 0, raw
    # the stack has only this output: the other queues are skipped, on stderr
    assert "skipped" in notes
    assert "DeadLetterQueueUrl (scheduler)" in notes
    (row,) = json.loads(raw)["messages"]
    assert (row["function"], row["kind"]) == (
        "sinawai-dev-ImportFunction-X",
        "s3 ObjectCreated:Put imports/tunkin/",
    )
    assert row["error"] == "DatabaseUnavailableError: MySQL is unreachable"

    code, message = sinawai(capsys, "list", "--stack", "no-such-stack")
    assert code == 1
    assert "AWS refused" in message


def test_without_a_queue_url_the_command_says_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    code, message = sinawai(capsys, "list")
    assert code == 2
    assert "FAILED_INVOCATIONS_QUEUE_URL" in message
    assert "--stack" in message
    with pytest.raises(SystemExit) as bad:
        main(["dlq", "list", "--queue", "nope"])
    assert bad.value.code == 2
