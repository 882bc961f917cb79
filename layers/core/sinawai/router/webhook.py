"""The webhook router: authenticate, record durably, classify, hand over. Lean on purpose.

It imports neither boto3 nor python-telegram-bot: a cold start costs PyMySQL, Powertools Logger and the
standard library. Contract (DESIGN.md, "Webhook"): wrong secret → 401/403 and nothing recorded; a body
that is not an update → 400; a duplicate update_id → processed once; MySQL down → 503 so Telegram retries.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any, Protocol

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

from sinawai.platform import conversations, updates
from sinawai.platform.config import Settings, webhook_secret_matches
from sinawai.platform.db import Database
from sinawai.platform.errors import ConfigurationError, DatabaseUnavailableError, DispatchError
from sinawai.platform.lambda_invoke import LambdaInvoker
from sinawai.platform.redact import redact_update
from sinawai.platform.seal import seal
from sinawai.router.commands import GENERAL
from sinawai.router.routing import NotAnUpdateError, Route, SecretMode, classify, resolve, validate_update

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name, not a secret
MAX_BODY_BYTES = 1_000_000

logger = Logger(service="sinawai-webhook")
# CloudWatch embedded metrics: one JSON line per invocation, no API call on the hot path. Their ``service``
# dimension is the logger's (sinawai-webhook), as every function's: alarms name it so.
metrics = Metrics(namespace="Sinawai", service=logger.service)


QUALIFIER_ENV = "GROUP_FUNCTION_QUALIFIER"


class Invoker(Protocol):
    def invoke_async(self, function_name: str, payload: bytes, qualifier: str | None = None) -> None: ...


def function_env_var(group: str) -> str:
    """The environment variable that names a group's function, e.g. GENERAL_FUNCTION_NAME."""
    return f"{group.upper()}_FUNCTION_NAME"


def group_function(group: str) -> str | None:
    return os.environ.get(function_env_var(group)) or None


def group_qualifier() -> str | None:
    """The alias the router invokes the group functions through (``GROUP_FUNCTION_QUALIFIER``, ``live`` in
    the template: the functions publish a version per deploy behind that alias, which SnapStart restores
    from and where their retries and on-failure queue are configured); unset or empty: ``$LATEST``."""
    return os.environ.get(QUALIFIER_ENV, "").strip() or None


def update_payload(
    update: Mapping[str, Any], group: str, mode: SecretMode | None, pad: str | None
) -> dict[str, Any]:
    """The invoke payload of a group function (also what a dead-letter queue keeps)."""
    payload: dict[str, Any] = {"update": update, "group": group, "secret_text": mode is not None}
    if mode is not None:
        payload["secret_mode"] = mode
    if pad is not None:
        payload["pad"] = pad
    return payload


def _response(status: HTTPStatus, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "statusCode": int(status),
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body if body is not None else {"ok": status < 300}),
    }


def _header(event: Mapping[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def _body(event: Mapping[str, Any]) -> Any:
    raw = event.get("body")
    if raw is None:
        raise NotAnUpdateError("empty body")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as e:
            raise NotAnUpdateError("body is not base64 UTF-8") from e
    if len(raw) > MAX_BODY_BYTES:
        raise NotAnUpdateError("body too large")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, TypeError) as e:
        raise NotAnUpdateError("body is not JSON") from e
    except RecursionError as e:  # JSON nested deeper than Python's stack: no update is
        raise NotAnUpdateError("body is nested too deeply") from e


@dataclass
class WebhookRouter:
    db: Database
    invoker: Invoker
    settings: Settings

    def handle(self, event: Mapping[str, Any]) -> dict[str, Any]:
        given = _header(event, SECRET_HEADER)
        if given is None:
            metrics.add_metric("WebhookUnauthorized", MetricUnit.Count, 1)
            return _response(HTTPStatus.UNAUTHORIZED)
        try:
            # constant time; a mismatch re-reads the secret once (it may have been rotated)
            matches = webhook_secret_matches(given)
        except ConfigurationError:
            logger.exception("webhook secret is not configured")
            return _response(HTTPStatus.INTERNAL_SERVER_ERROR)
        if not matches:
            logger.warning("webhook call with a wrong secret token")
            metrics.add_metric("WebhookUnauthorized", MetricUnit.Count, 1)
            return _response(HTTPStatus.FORBIDDEN)

        try:
            update = validate_update(_body(event))
        except NotAnUpdateError as e:
            logger.warning("rejected webhook body", extra={"reason": str(e)})
            metrics.add_metric("WebhookBadRequest", MetricUnit.Count, 1)
            return _response(HTTPStatus.BAD_REQUEST, {"ok": False, "description": str(e)})

        logger.append_keys(update_id=update["update_id"])
        try:
            return self._route(update)
        except DatabaseUnavailableError:
            logger.exception("database unavailable: Telegram will retry this update")
            metrics.add_metric("DatabaseUnavailable", MetricUnit.Count, 1)
            return _response(HTTPStatus.SERVICE_UNAVAILABLE)
        except DispatchError:
            logger.exception("dispatch failed: Telegram will retry this update")
            metrics.add_metric("DispatchFailed", MetricUnit.Count, 1)
            return _response(HTTPStatus.BAD_GATEWAY)

    def _route(self, update: dict[str, Any]) -> dict[str, Any]:
        route = classify(update, staff_group_chat_id=self.settings.staff_group_chat_id)
        group, mode = route.group, None
        if route.kind == "message" and route.chat_type == "private" and route.chat_id is not None:
            # Any private message may be a password (a guided step, or one sent too late): MySQL knows.
            group, mode = resolve(route, update, conversations.chat_state(self.db, route.chat_id))
        function = self._function_for(group, route)
        route = replace(route, group=group if function is not None else None)
        logger.append_keys(command_group=route.group, update_kind=route.kind)

        redacted, changed = redact_update(update, secret_text=mode is not None)
        if function is None:
            if route.chat_type == "private":
                updates.record_update(self.db, redacted, group=None, chat_id=route.chat_id, status="ignored")
            else:
                # chatter in groups: counted, not kept
                updates.count_ignored(self.db, chat_type=route.chat_type, kind=route.kind)
            metrics.add_metric("UpdateIgnored", MetricUnit.Count, 1)
            return _response(HTTPStatus.OK)

        # A password never travels in clear: the payload carries the redacted update and a one-time pad,
        # MySQL the other half (see sinawai.platform.seal); a retry or a dead letter alone tells nothing.
        sealed, pad = seal(json.dumps(update, ensure_ascii=False).encode()) if changed else (None, None)
        recorded = updates.record_update(
            self.db, redacted, group=route.group, chat_id=route.chat_id, status="received", sealed=sealed
        )
        if not recorded:
            status = updates.inbox_status(self.db, update["update_id"])
            if status != "received":
                logger.info("duplicate delivery", extra={"status": status})
                metrics.add_metric("UpdateDuplicate", MetricUnit.Count, 1)
                return _response(HTTPStatus.OK)
            # Recorded before, never dispatched (the router died in between): dispatch now.
            logger.info("redelivery of an update that was never dispatched")
            if sealed is not None:
                updates.replace_sealed(self.db, update["update_id"], sealed)
        if route.opens_secret_step and route.chat_id is not None and route.command is not None:
            # Before the 200: the chat's next message is a secret even if it arrives before the
            # registration function has asked for it.
            conversations.open_secret_step(self.db, route.chat_id, route.command)

        assert route.group is not None
        self._dispatch(function, update_payload(redacted, route.group, mode, pad))
        try:
            updates.mark_dispatched(self.db, update["update_id"])
        except DatabaseUnavailableError:
            # Dispatched already; the worker's claim keeps a redelivery from running it twice.
            logger.warning("could not mark the update dispatched")
        metrics.add_metric("UpdateDispatched", MetricUnit.Count, 1)
        return _response(HTTPStatus.OK)

    def _dispatch(self, function: str, payload: Mapping[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.invoker.invoke_async(function, body, group_qualifier())

    def route_update(self, update: dict[str, Any]) -> None:
        """An update fetched with ``getUpdates`` (``sinawai serve``), already validated: recorded, classified
        and handed to its group exactly as a webhook delivery."""
        logger.append_keys(update_id=update["update_id"])
        self._route(update)

    def sweep(self, *, older_than_seconds: float = updates.SWEEP_AFTER_SECONDS) -> dict[str, int]:
        """Scheduled: dispatch again the updates whose worker is gone, so none is lost (see store)."""
        wiped = updates.wipe_stale_secrets(self.db)
        abandoned = updates.abandon_exhausted(self.db)
        found = updates.stuck_updates(self.db, older_than_seconds=older_than_seconds)
        # past their lease (or never claimed) and not done: re-dispatched now, or given up as failed
        metrics.add_metric("UpdatesStuck", MetricUnit.Count, len(found) + abandoned)
        redispatched = 0
        for stuck in found:
            function = group_function(stuck.group) or group_function(GENERAL)
            if function is None:
                continue
            try:
                self._dispatch(function, update_payload(stuck.payload, stuck.group, None, None))
            except DispatchError:
                logger.exception("sweep could not dispatch", extra={"stuck_update_id": stuck.update_id})
                continue
            if stuck.status == "received":
                updates.mark_dispatched(self.db, stuck.update_id)
            redispatched += 1
        result = {"redispatched": redispatched, "abandoned": abandoned, "secrets_wiped": wiped}
        logger.info("inbox sweep", extra=result)
        metrics.add_metric("UpdatesRedispatched", MetricUnit.Count, redispatched)
        metrics.add_metric("UpdatesAbandoned", MetricUnit.Count, abandoned)
        return result

    def purge(self, remaining_seconds: float | None) -> dict[str, Any]:
        """Scheduled daily: remove what is past its retention (``sinawai.platform.retention``), within the
        invocation's time; what is left waits for the next run."""
        from sinawai.platform import retention  # imported for this event only: the webhook path stays lean

        policy = retention.RetentionPolicy.from_env()  # a bad setting fails here, before anything changes
        result = retention.purge(self.db, policy, budget_seconds=retention.budget(remaining_seconds))
        answer = result.as_dict()
        logger.info("retention purge", extra=answer)
        retention.add_metrics(metrics, result)
        return answer

    @staticmethod
    def _function_for(group: str | None, route: Route) -> str | None:
        if group is None:
            return None
        function = group_function(group)
        if function is None and route.chat_type == "private":
            # A group whose function is not deployed: the general group answers in private chats.
            function = group_function(GENERAL)
        return function


class WebhookFunction:
    """WebhookFunction's Lambda entry point: Telegram's deliveries through API Gateway, the scheduled
    inbox sweep and the daily retention purge. ``from_env`` builds it as Lambda does; a test swaps
    ``router.invoker``. A container's first invocation also prints ``ColdStart`` (dimensions
    function_name, service). No tracer here: the router stays lean, and its ``Invoke`` carries the trace on
    (``sinawai.platform.lambda_invoke``)."""

    def __init__(self, router: WebhookRouter) -> None:
        self.router = router
        self.lambda_handler: Callable[[dict[str, Any], Any], dict[str, Any]] = logger.inject_lambda_context(
            correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True
        )(metrics.log_metrics(self._handle, capture_cold_start_metric=True))

    @classmethod
    def from_env(cls) -> WebhookFunction:
        return cls(
            WebhookRouter(db=Database(), invoker=LambdaInvoker.from_env(), settings=Settings.from_env())
        )

    def _handle(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event.get("source") == "sinawai.scheduler" and event.get("task") == "sweep":
            return self.router.sweep()
        if event.get("source") == "sinawai.scheduler" and event.get("task") == "purge":
            return self.router.purge(_remaining_seconds(context))
        return self.router.handle(event)


def _remaining_seconds(context: Any) -> float | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining() / 1000 if callable(remaining) else None
