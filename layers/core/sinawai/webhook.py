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
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Protocol

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from sinawai import store
from sinawai.commands import GENERAL
from sinawai.config import Settings, webhook_secret_matches
from sinawai.db import Database
from sinawai.errors import ConfigurationError, DatabaseUnavailableError, DispatchError
from sinawai.redact import redact_update
from sinawai.routing import NotAnUpdateError, Route, classify, validate_update

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name, not a secret
MAX_BODY_BYTES = 1_000_000

logger = Logger(service="sinawai-webhook")
# CloudWatch embedded metrics: one JSON line per invocation, no API call on the hot path.
metrics = Metrics(namespace="Sinawai", service="webhook")


class Invoker(Protocol):
    def invoke_async(self, function_name: str, payload: bytes) -> None: ...


def function_env_var(group: str) -> str:
    """The environment variable that names a group's function, e.g. GENERAL_FUNCTION_NAME."""
    return f"{group.upper()}_FUNCTION_NAME"


def group_function(group: str) -> str | None:
    return os.environ.get(function_env_var(group)) or None


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
        secret_text = False
        group = route.group
        if route.check_conversation and route.chat_id is not None:
            pending = store.pending_conversation(self.db, route.chat_id)
            if pending is not None:
                group, secret_text = pending.group, pending.sensitive_input
        function = self._function_for(group, route)
        if function is None:
            group = None
        route = Route(route.kind, group, route.chat_id, route.chat_type, route.user_id, route.command)
        logger.append_keys(command_group=group, update_kind=route.kind)

        redacted, _ = redact_update(update, secret_text=secret_text)
        if function is None:
            store.record_update(self.db, redacted, route, status="ignored")
            metrics.add_metric("UpdateIgnored", MetricUnit.Count, 1)
            return _response(HTTPStatus.OK)

        if not store.record_update(self.db, redacted, route, status="received"):
            status = store.inbox_status(self.db, update["update_id"])
            if status != "received":
                logger.info("duplicate delivery", extra={"status": status})
                metrics.add_metric("UpdateDuplicate", MetricUnit.Count, 1)
                return _response(HTTPStatus.OK)
            # Recorded before, never dispatched (the router died in between): dispatch now.
            logger.info("redelivery of an update that was never dispatched")

        assert group is not None
        payload = {"update": update, "group": group, "secret_text": secret_text}
        self.invoker.invoke_async(function, json.dumps(payload, ensure_ascii=False).encode())
        try:
            store.mark_dispatched(self.db, update["update_id"])
        except DatabaseUnavailableError:
            # Dispatched already; the worker's claim keeps a redelivery from running it twice.
            logger.warning("could not mark the update dispatched")
        metrics.add_metric("UpdateDispatched", MetricUnit.Count, 1)
        return _response(HTTPStatus.OK)

    @staticmethod
    def _function_for(group: str | None, route: Route) -> str | None:
        if group is None:
            return None
        function = group_function(group)
        if function is None and route.chat_type == "private":
            # A group whose function is not deployed: the general group answers in private chats.
            function = group_function(GENERAL)
        return function
