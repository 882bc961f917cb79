"""Update delivery: POSTed to the webhook (secret header, retried until a 2xx answer, one at a time per
chat), or handed out by ``getUpdates``.
"""

from __future__ import annotations

import contextlib
import copy
import json
import time

import httpx

from local_stack.telegram.params import allowed_updates_param
from local_stack.telegram.records import (
    METHOD_NAMES,
    ApiError,
    Delivery,
    Files,
    JsonDict,
    Params,
    status_phrase,
)
from local_stack.telegram.server import Server
from local_stack.telegram.state import Pending

MAX_POLL_TIMEOUT_SECONDS = 50  # the Bot API server's longest long poll


class UpdateDelivery(Server):
    """Delivers the queued updates: webhook workers, or getUpdates long polling."""

    # ---- getUpdates -----------------------------------------------------------------------------

    def _get_updates(self, p: Params, files: Files) -> list[JsonDict]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if "allowed_updates" in p:
            self._allowed_updates = allowed_updates_param(p["allowed_updates"])
        # as the Bot API server reads them: absent → the default, else clamped (limit 1-100, timeout 0-50)
        offset = int(p.get("offset") or 0)
        limit = 100 if p.get("limit") is None else max(1, min(100, int(p["limit"])))
        timeout = max(0, min(MAX_POLL_TIMEOUT_SECONDS, int(p.get("timeout") or 0)))
        if offset > 0:
            # confirmed: every update below the offset is forgotten for good
            self._pending = [u for u in self._pending if u.update_id >= offset]
        elif offset < 0:
            # the last -offset updates are kept; all earlier ones are forgotten
            self._pending = self._pending[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._cond.notify_all()  # an older request still waiting ends with a 409 (below)
        deadline = time.monotonic() + timeout
        self._polls_waiting += 1
        try:
            while True:
                if self._pending or self._stopping or self._webhook is not None:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
                if self._poll_generation != generation:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
        finally:
            self._polls_waiting -= 1
        return [copy.deepcopy(u.update) for u in self._pending[:limit]]

    # ---- webhook delivery -----------------------------------------------------------------------

    def _next_deliverable(self) -> tuple[Pending | None, float | None]:
        """The first pending update no earlier update of its chat is waiting before; else the time to wait."""
        now = time.monotonic()
        busy_chats: set[int] = set()
        soonest: float | None = None
        for item in self._pending:
            if item.chat_key is not None:
                if item.chat_key in busy_chats:
                    continue
                busy_chats.add(item.chat_key)
            if item.in_flight:
                continue
            if item.not_before > now:
                soonest = item.not_before if soonest is None else min(soonest, item.not_before)
                continue
            return item, None
        return None, None if soonest is None else max(0.001, soonest - now)

    def _webhook_worker(self, generation: int) -> None:
        while True:
            with self._cond:
                while True:
                    webhook, client = self._webhook, self._http
                    if (
                        self._stopping
                        or webhook is None
                        or client is None
                        or webhook.generation != generation
                    ):
                        return
                    item, wait = self._next_deliverable()
                    if item is not None:
                        break
                    self._cond.wait(wait)
                item.in_flight = True
                item.attempts += 1
                attempt = item.attempts
                body = json.dumps(item.update, ensure_ascii=False).encode("utf-8")
                headers = {"Content-Type": "application/json"}
                if webhook.secret_token:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
            status, error, answer, started, latency = _post_update(client, webhook.url, body, headers)
            delivered = status is not None and 200 <= status < 300
            with self._cond:
                self._deliveries.append(
                    Delivery(item.update_id, attempt, status, error, latency, started, item.chat_key)
                )
                item.in_flight = False
                if delivered:
                    self._pending = [p for p in self._pending if p is not item]
                else:
                    delay = self.webhook_retry_delays[min(attempt, len(self.webhook_retry_delays)) - 1]
                    item.not_before = time.monotonic() + delay
                    webhook.last_error_date = int(time.time())
                    webhook.last_error_message = error or (
                        f"Wrong response from the webhook: {status} {status_phrase(status or 0)}"
                    )
                self._cond.notify_all()
            if delivered and answer:
                self._webhook_answer(answer)

    def _webhook_answer(self, answer: bytes) -> None:
        """Telegram runs a method given in the webhook's answer body (its result is not reported)."""
        try:
            data = json.loads(answer)
        except ValueError:
            return
        if not isinstance(data, dict) or not isinstance(data.get("method"), str):
            return
        method = METHOD_NAMES.get(data["method"].lower())
        if method is None:
            return
        params = {k: v for k, v in data.items() if k != "method"}
        with contextlib.suppress(ApiError):
            self._execute(method, params, {}, time.monotonic())


def _post_update(
    client: httpx.Client, url: str, body: bytes, headers: dict[str, str]
) -> tuple[int | None, str | None, bytes, float, float]:
    """POSTs one update: (status, error, answer body, start time, latency)."""
    started = time.monotonic()
    status: int | None = None
    error: str | None = None
    answer = b""
    try:
        response = client.post(url, content=body, headers=headers)
        status, answer = response.status_code, response.content
    except httpx.TimeoutException:
        error = "Read timeout expired"
    except httpx.ConnectError:
        error = "Connection refused"
    except (httpx.HTTPError, RuntimeError) as exc:  # RuntimeError: the client was closed by stop()
        error = f"{type(exc).__name__}: {exc}"
    return status, error, answer, started, time.monotonic() - started
