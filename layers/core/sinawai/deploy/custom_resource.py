"""A CloudFormation custom resource that always answers.

CloudFormation waits for a PUT to the event's presigned ``ResponseURL``; a handler that crashes, times out
or forgets to answer leaves the stack hanging for an hour. ``CustomResource.handle`` therefore answers in
every case: SUCCESS with the action's data, FAILED with the action's error as the reason (cut to fit the
4 KB response), and FAILED shortly before the function's own timeout when the action is still running.

A Delete of a resource whose Create failed (CloudFormation's rollback) succeeds at once: nothing was made.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

logger = logging.getLogger(__name__)

SUCCESS = "SUCCESS"
FAILED = "FAILED"
# The PUT body must stay under 4096 bytes: the reason is cut well before that.
MAX_REASON_CHARS = 1500
# Answer FAILED this long before Lambda would kill the function mid-action.
DEADLINE_MARGIN_SECONDS = 10.0
FAILED_CREATE_ID = "failed-create"
RESPONSE_TIMEOUT_SECONDS = 15


class LambdaContext(Protocol):
    def get_remaining_time_in_millis(self) -> int: ...


class CustomResourceError(Exception):
    """An expected failure: its message is the reason CloudFormation shows (no stack trace needed)."""


@dataclass(frozen=True)
class Request:
    request_type: str  # Create | Update | Delete
    response_url: str = field(repr=False)  # presigned: a credential, never logged
    stack_id: str
    request_id: str
    logical_id: str
    physical_id: str | None
    properties: Mapping[str, Any]
    old_properties: Mapping[str, Any]

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Request:
        try:
            return cls(
                request_type=str(event["RequestType"]),
                response_url=str(event["ResponseURL"]),
                stack_id=str(event["StackId"]),
                request_id=str(event["RequestId"]),
                logical_id=str(event["LogicalResourceId"]),
                physical_id=str(event["PhysicalResourceId"]) if event.get("PhysicalResourceId") else None,
                properties=dict(event.get("ResourceProperties") or {}),
                old_properties=dict(event.get("OldResourceProperties") or {}),
            )
        except KeyError as e:
            raise CustomResourceError(
                f"not a CloudFormation custom resource event: {e.args[0]} missing"
            ) from e


@dataclass(frozen=True)
class Outcome:
    physical_id: str
    data: Mapping[str, str] = field(default_factory=dict)


Action = Callable[[Request], Outcome]


def send(
    request: Request, status: str, physical_id: str, reason: str = "", data: Mapping[str, str] | None = None
) -> None:
    """PUT the answer to the ResponseURL (an empty Content-Type: the URL is signed without one)."""
    body = json.dumps(
        {
            "Status": status,
            "Reason": _short(reason) or status,
            "PhysicalResourceId": physical_id,
            "StackId": request.stack_id,
            "RequestId": request.request_id,
            "LogicalResourceId": request.logical_id,
            "Data": dict(data or {}),
        }
    ).encode()
    put = urllib.request.Request(  # noqa: S310 - CloudFormation's presigned https URL (a local server in tests)
        request.response_url, data=body, method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(put, timeout=RESPONSE_TIMEOUT_SECONDS) as response:  # noqa: S310
        response.read()


def _short(reason: str) -> str:
    reason = " ".join(reason.split())
    return reason if len(reason) <= MAX_REASON_CHARS else reason[: MAX_REASON_CHARS - 1] + "…"


class CustomResource:
    """Runs ``on_create_or_update`` / ``on_delete`` and answers CloudFormation exactly once."""

    def __init__(self, name: str, on_create_or_update: Action, on_delete: Action | None = None) -> None:
        self.name = name
        self._apply = on_create_or_update
        self._delete = on_delete

    def handle(self, event: Mapping[str, Any], context: LambdaContext | None) -> dict[str, str]:
        try:
            request = Request.from_event(event)
        except CustomResourceError as e:
            # Without a ResponseURL nobody can be answered: say so in the log and stop.
            logger.warning("%s: %s", self.name, e)
            return {"Status": FAILED, "Reason": str(e)}
        answered = threading.Lock()
        result: dict[str, str] = {}

        def answer(
            status: str, physical_id: str, reason: str = "", data: Mapping[str, str] | None = None
        ) -> None:
            if not answered.acquire(blocking=False):
                return  # the deadline answered already (or the action did): CloudFormation takes one
            result.update(Status=status, Reason=_short(reason), PhysicalResourceId=physical_id)
            try:
                send(request, status, physical_id, reason, data)
            except Exception:
                logger.exception("%s: could not answer CloudFormation", self.name)
            log = logger.info if status == SUCCESS else logger.error
            log("%s %s %s: %s", self.name, request.request_type, status, _short(reason) or "-")

        fallback_id = request.physical_id or FAILED_CREATE_ID
        timer = self._deadline_timer(context, lambda: answer(FAILED, fallback_id, self._timeout_reason()))
        try:
            outcome = self._run(request)
        except CustomResourceError as e:
            answer(FAILED, fallback_id, str(e))
        except Exception as e:
            logger.exception("%s %s failed", self.name, request.request_type)
            answer(FAILED, fallback_id, f"{type(e).__name__}: {e}")
        else:
            answer(SUCCESS, outcome.physical_id, "", outcome.data)
        finally:
            if timer is not None:
                timer.cancel()
        return result

    def _run(self, request: Request) -> Outcome:
        if request.request_type == "Delete":
            if request.physical_id in (None, FAILED_CREATE_ID) or self._delete is None:
                return Outcome(request.physical_id or FAILED_CREATE_ID)
            return self._delete(request)
        if request.request_type not in ("Create", "Update"):
            raise CustomResourceError(f"unknown RequestType {request.request_type!r}")
        return self._apply(request)

    def _timeout_reason(self) -> str:
        return (
            f"{self.name} did not finish before the function's timeout; see its CloudWatch log. "
            "Nothing reported as done: deploy again once the cause is fixed."
        )

    @staticmethod
    def _deadline_timer(
        context: LambdaContext | None, on_deadline: Callable[[], None]
    ) -> threading.Timer | None:
        if context is None:
            return None
        seconds = context.get_remaining_time_in_millis() / 1000 - DEADLINE_MARGIN_SECONDS
        timer = threading.Timer(max(0.0, seconds), on_deadline)
        timer.daemon = True
        timer.start()
        return timer
