"""The webhook health probe: what Telegram says about our webhook, as CloudWatch metrics every 5 minutes.

Telegram is the only one who knows that it cannot reach the webhook (our logs see nothing when no request
arrives), that updates are piling up on its side, or that someone ran ``setWebhook`` for another URL. So
the setup function's 5-minute run (``{"source": "sinawai.setup", "when": "new-token"}``) asks
``getWebhookInfo`` once the token is set and publishes, in namespace ``Sinawai`` (EMF, no API call):

- ``WebhookPendingUpdates``: ``pending_update_count``, the updates Telegram holds for us;
- ``WebhookLastErrorAgeSeconds``: seconds since ``last_error_date``, capped at ``NO_ERROR_AGE_SECONDS``
  (also the value when Telegram reports no error), so "a delivery error in the last 5 minutes" is simply
  ``Minimum < 300``; the error's text goes with it as EMF metadata (searchable in the log, not a metric);
- ``WebhookUrlIsOurs``: 1 when the webhook is ``WEBHOOK_URL``, else 0 (another stage or a hand-run
  ``setWebhook`` took it; the set-up check does not fight that, see setup_marker.py);
- ``WebhookProbeFailed``: 1 when Telegram could not be asked (unreachable, or the token refused).

With the placeholder token there is nothing to probe: no call, no metric. ``sinawai smoke`` reads the same
``WebhookHealth`` and judges it with the thresholds below.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from sinawai.deploy.telegram_setup import BotApi, TelegramApiError

logger = logging.getLogger(__name__)

NO_ERROR_AGE_SECONDS = 86_400  # "no delivery error in the last day": also what no error at all reads as
RECENT_ERROR_SECONDS = 600  # sinawai smoke: an error this recent fails the check
PENDING_BACKLOG = 20  # sinawai smoke: more pending updates than this is a backlog
ERROR_MESSAGE_LIMIT = 300


def service_metrics() -> Metrics:
    """The function's Powertools Metrics: namespace and ``service`` dimension from the template's
    POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME (``Sinawai``, ``sinawai-setup``)."""
    return Metrics(
        namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Sinawai",
        service=os.environ.get("POWERTOOLS_SERVICE_NAME") or "sinawai-setup",
    )


@dataclass(frozen=True)
class WebhookHealth:
    """``getWebhookInfo`` read against the URL this stage expects, at ``now`` (Unix seconds)."""

    url: str
    expected_url: str
    pending_update_count: int
    last_error_date: int | None
    last_error_message: str | None
    now: float

    @classmethod
    def from_info(cls, info: Any, expected_url: str, now: float) -> WebhookHealth:
        info = info if isinstance(info, dict) else {}
        error_date = info.get("last_error_date")
        pending = info.get("pending_update_count")
        message = info.get("last_error_message")
        return cls(
            url=str(info.get("url") or ""),
            expected_url=expected_url,
            pending_update_count=pending if isinstance(pending, int) else 0,
            last_error_date=error_date if isinstance(error_date, int) and error_date > 0 else None,
            last_error_message=str(message)[:ERROR_MESSAGE_LIMIT] if message else None,
            now=now,
        )

    @property
    def url_is_ours(self) -> bool:
        return bool(self.expected_url) and self.url == self.expected_url

    @property
    def last_error_age_seconds(self) -> int:
        if self.last_error_date is None:
            return NO_ERROR_AGE_SECONDS
        return max(0, min(NO_ERROR_AGE_SECONDS, int(self.now - self.last_error_date)))

    def summary(self) -> dict[str, Any]:
        return {
            "url_is_ours": self.url_is_ours,
            "pending_update_count": self.pending_update_count,
            "last_error_age_seconds": self.last_error_age_seconds,
            "last_error_message": self.last_error_message,
        }


def read_health(api: BotApi, expected_url: str, *, now: float | None = None) -> WebhookHealth:
    """Ask Telegram; TelegramApiError when it refuses or cannot be reached."""
    info = api.call("getWebhookInfo")
    return WebhookHealth.from_info(info, expected_url, time.time() if now is None else now)


class WebhookProbe:
    """The probe of the 5-minute run: read, publish, log. Never raises: a probe that cannot ask Telegram
    says so with ``WebhookProbeFailed`` and lets the set-up check's answer stand."""

    def __init__(
        self,
        metrics: Metrics | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.metrics = metrics or service_metrics()
        self._clock = clock

    def run(self, api: BotApi, expected_url: str) -> dict[str, Any]:
        if not api.has_token:
            return {"skipped": "the bot token is not set yet"}
        try:
            health = read_health(api, expected_url, now=self._clock())
        except TelegramApiError as e:
            logger.warning("webhook probe: getWebhookInfo failed: %s", e)
            self.metrics.add_metric("WebhookProbeFailed", MetricUnit.Count, 1)
            self.metrics.flush_metrics()
            return {"error": str(e)}
        self.publish(health)
        level = logging.INFO if health.url_is_ours else logging.WARNING
        logger.log(level, "webhook probe: %s", health.summary())
        return health.summary()

    def publish(self, health: WebhookHealth) -> None:
        m = self.metrics
        m.add_metric("WebhookPendingUpdates", MetricUnit.Count, health.pending_update_count)
        m.add_metric("WebhookLastErrorAgeSeconds", MetricUnit.Seconds, health.last_error_age_seconds)
        if health.expected_url:
            m.add_metric("WebhookUrlIsOurs", MetricUnit.Count, 1 if health.url_is_ours else 0)
        m.add_metric("WebhookProbeFailed", MetricUnit.Count, 0)
        if health.last_error_message:
            m.add_metadata("last_error_message", health.last_error_message)
        if not health.url_is_ours:
            m.add_metadata("webhook_url", health.url or "(not set)")
        m.flush_metrics()
