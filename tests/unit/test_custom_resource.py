"""The custom resource answers CloudFormation exactly once, in every case (never a stack hung for an hour)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from sinawai.deploy.custom_resource import (
    FAILED_CREATE_ID,
    CustomResource,
    CustomResourceError,
    Outcome,
    Request,
)
from tests.cfn_response_server import ResponseServer, response_server


class Context:
    def __init__(self, seconds: float) -> None:
        self._deadline = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)


@pytest.fixture
def cfn() -> Iterator[ResponseServer]:
    with response_server() as server:
        yield server


def test_a_create_answers_success_with_the_physical_id_and_data(cfn: ResponseServer) -> None:
    resource = CustomResource("Demo", lambda r: Outcome("demo-1", {"Applied": str(r.properties["N"])}))
    resource.handle(cfn.event("Create", {"N": "3"}), Context(60))
    assert len(cfn.answers) == 1
    answer = cfn.last
    assert answer["Status"] == "SUCCESS"
    assert answer["PhysicalResourceId"] == "demo-1"
    assert answer["Data"] == {"Applied": "3"}
    assert answer["RequestId"] == "req-1"
    assert answer["LogicalResourceId"] == "Resource"
    assert answer["StackId"].startswith("arn:aws:cloudformation:")
    # the presigned URL is signed without a content type: any other value makes S3 refuse the answer
    assert cfn.content_types == [""]


def test_an_expected_failure_is_failed_with_its_message_as_the_reason(cfn: ResponseServer) -> None:
    def fail(_: Request) -> Outcome:
        raise CustomResourceError("migration 0010_x failed: Table 'pegawai' already exists")

    resource = CustomResource("Demo", fail)
    resource.handle(cfn.event("Create", {}), Context(60))
    assert cfn.last["Status"] == "FAILED"
    assert "0010_x failed" in cfn.last["Reason"]
    assert cfn.last["PhysicalResourceId"] == FAILED_CREATE_ID


def test_a_crash_is_failed_and_a_long_reason_is_cut_to_fit_the_4kb_answer(cfn: ResponseServer) -> None:
    def crash(_: Request) -> Outcome:
        raise RuntimeError("x" * 10_000)

    CustomResource("Demo", crash).handle(cfn.event("Update", {}, PhysicalResourceId="demo-1"), Context(60))
    assert cfn.last["Status"] == "FAILED"
    assert cfn.last["Reason"].startswith("RuntimeError: xxx")
    assert len(cfn.last["Reason"]) <= 1500
    # an update that failed keeps the old physical id: CloudFormation must not think it was replaced
    assert cfn.last["PhysicalResourceId"] == "demo-1"


def test_an_action_still_running_at_the_deadline_is_answered_failed_once(cfn: ResponseServer) -> None:
    import sinawai.deploy.custom_resource as cr

    def slow(_: Request) -> Outcome:
        time.sleep(1.5)
        return Outcome("late")

    original = cr.DEADLINE_MARGIN_SECONDS
    cr.DEADLINE_MARGIN_SECONDS = 0.0
    try:
        CustomResource("Slow", slow).handle(cfn.event("Create", {}), Context(0.5))
    finally:
        cr.DEADLINE_MARGIN_SECONDS = original
    assert len(cfn.answers) == 1, "CloudFormation takes one answer: the late success is not sent"
    assert cfn.last["Status"] == "FAILED"
    assert "timeout" in cfn.last["Reason"]


def test_the_delete_of_a_failed_create_succeeds_without_running_anything(cfn: ResponseServer) -> None:
    calls: list[str] = []

    def delete(r: Request) -> Outcome:
        calls.append(r.request_type)
        return Outcome(r.physical_id or "")

    resource = CustomResource("Demo", lambda r: Outcome("x"), on_delete=delete)
    resource.handle(cfn.event("Delete", {}, PhysicalResourceId=FAILED_CREATE_ID), Context(60))
    assert cfn.last["Status"] == "SUCCESS"
    assert calls == []
    resource.handle(cfn.event("Delete", {}, PhysicalResourceId="demo-1"), Context(60))
    assert calls == ["Delete"]


@pytest.mark.parametrize("bad", ["Upsert", ""])
def test_an_unknown_request_type_is_failed(cfn: ResponseServer, bad: str) -> None:
    CustomResource("Demo", lambda r: Outcome("x")).handle(cfn.event(bad, {}), Context(60))
    assert cfn.last["Status"] == "FAILED"


def test_an_event_without_a_response_url_is_refused_without_crashing() -> None:
    result = CustomResource("Demo", lambda r: Outcome("x")).handle({"RequestType": "Create"}, None)
    assert result["Status"] == "FAILED"
    assert "ResponseURL" in result["Reason"] or "missing" in result["Reason"]
