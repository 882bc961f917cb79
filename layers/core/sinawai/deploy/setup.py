"""SetupFunction: the Telegram set-up and the content publication, two custom resources of one function.

Two resources, not one: they fail for different reasons (Telegram refusing a token; a content file breaking
a rule), CloudFormation shows each failure on its own line, and a first deploy without a token still
publishes the content. One function: both need the same little (the core layer, the two secrets, the
bucket), and one more function is one more log group and role to keep. The event's ``ResourceType``
(``Custom::TelegramSetup`` or ``Custom::ContentPublish``) says which one is asked.

A failure while the stack rolls back is answered SUCCESS: CloudFormation rolls a failed update back by
sending the old properties as one more Update, and the cause (a token Telegram refuses, Telegram out of
reach) usually holds on; a FAILED then would leave the stack in UPDATE_ROLLBACK_FAILED, which only an
operator can clear. What was not re-applied is said in the resource's data and in the log.

``{"source": "sinawai.setup"}`` invoked directly runs the Telegram set-up from the function's environment
(``WEBHOOK_URL``, ``STAFF_GROUP_CHAT_ID``, ``MANAGERS_CHAT_ID``): the step after putting the token, which a
``sam deploy`` with no change to the stack would not run. The same event with ``"when": "new-token"``, every
5 minutes from EventBridge Scheduler, does it only when the token or the target changed since the last
set-up (setup_marker.py), so putting the token is the last manual step. Once the token is set, that run
also probes the webhook (probe.py: ``getWebhookInfo`` as CloudWatch metrics).

An SNS notification (``Records[].Sns``, the stage's alarm topic) is posted to the ops chat (alarm_relay.py).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sinawai.deploy.alarm_relay import AlarmRelay, is_sns_event
from sinawai.deploy.content_publish import ContentPublish
from sinawai.deploy.custom_resource import (
    FAILED_CREATE_ID,
    Action,
    CustomResource,
    CustomResourceError,
    LambdaContext,
    Outcome,
    Request,
)
from sinawai.deploy.probe import WebhookProbe
from sinawai.deploy.setup_marker import SetupMarker, expected_marker
from sinawai.deploy.telegram_setup import (
    SETUP_EVENT_SOURCE,
    BotApi,
    SetupTarget,
    TelegramApiError,
    TelegramSetup,
    run_setup,
    token_refused_reason,
)
from sinawai.platform.config import Settings, bot_token, webhook_secret
from sinawai.platform.errors import SinawaiError

logger = logging.getLogger(__name__)

TELEGRAM_SETUP = "Custom::TelegramSetup"
CONTENT_PUBLISH = "Custom::ContentPublish"

StackStatus = Callable[[str], str | None]


def cloudformation_stack_status(stack_id: str) -> str | None:
    """The stack's status (cloudformation:DescribeStacks); None when it cannot be read."""
    try:
        import boto3  # the Lambda runtime has it; only this rare path needs it

        stacks = boto3.client("cloudformation").describe_stacks(StackName=stack_id)["Stacks"]
    except Exception:
        logger.exception("could not read the stack's status")
        return None
    return str(stacks[0]["StackStatus"]) if stacks else None


class SetupFunction:
    def __init__(
        self,
        content_dir: Path,
        *,
        telegram: TelegramSetup | None = None,
        s3: Any = None,
        stack_status: StackStatus = cloudformation_stack_status,
        probe: WebhookProbe | None = None,
        alarm_relay: AlarmRelay | None = None,
    ) -> None:
        self.telegram = telegram or TelegramSetup()
        self.probe = probe or WebhookProbe()
        self.alarm_relay = alarm_relay or AlarmRelay()
        self.content = ContentPublish(content_dir, s3)
        self._s3 = s3
        self._stack_status = stack_status
        self.resources = {
            TELEGRAM_SETUP: CustomResource(
                "TelegramSetup",
                self._tolerant(self.telegram.create_or_update, self.telegram.rollback_data),
                self.telegram.delete,
            ),
            CONTENT_PUBLISH: CustomResource(
                "ContentPublish",
                self._tolerant(
                    self.content.create_or_update,
                    lambda reason: {"Content": f"unchanged (rollback: {reason})"},
                ),
                self.content.delete,
            ),
        }

    def _tolerant(self, action: Action, rollback_data: Callable[[str], dict[str, str]]) -> Action:
        def run(request: Request) -> Outcome:
            try:
                return action(request)
            except Exception as e:
                if request.request_type != "Update" or not self._rolling_back(request.stack_id):
                    raise
                reason = str(e) if isinstance(e, CustomResourceError) else f"{type(e).__name__}: {e}"
                logger.warning("failed during the stack's rollback, answered SUCCESS: %s", reason)
                return Outcome(request.physical_id or FAILED_CREATE_ID, rollback_data(reason[:300]))

        return run

    def _rolling_back(self, stack_id: str) -> bool:
        status = self._stack_status(stack_id) or ""
        return status.endswith("ROLLBACK_IN_PROGRESS")

    def handle(self, event: Mapping[str, Any], context: LambdaContext | None) -> dict[str, Any]:
        if is_sns_event(event):
            return self.alarm_relay.handle(event)
        if event.get("source") == SETUP_EVENT_SOURCE:
            if event.get("when") == "new-token":
                return self.setup_if_new()
            return self.setup_from_env()
        resource_type = str(event.get("ResourceType") or "")
        resource = self.resources.get(resource_type)
        if resource is None:
            resource = CustomResource(
                "Unknown", _refuse(resource_type), lambda r: Outcome(r.physical_id or "")
            )
        return resource.handle(event, context)

    def setup_if_new(self) -> dict[str, Any]:
        """The scheduled check: set the bot up when the token (or the URL, or a chat) changed since the
        last set-up, then probe the webhook; quiet while the token is still the placeholder."""
        try:
            api = BotApi.from_env()
        except SinawaiError as e:
            logger.warning("set-up check failed: %s", e)
            return {"ok": False, "error": str(e)}
        if not api.has_token:
            logger.info("waiting for the bot token: nothing to set up yet")
            return {"ok": False, "skipped": "the bot token is not set yet"}
        result = self._set_up_if_changed()
        # after the set-up: a webhook it has just set is probed as it now is
        result["probe"] = self.probe.run(api, os.environ.get("WEBHOOK_URL", "").strip())
        return result

    def _set_up_if_changed(self) -> dict[str, Any]:
        try:
            target = _target_from_env()
            bucket = Settings.from_env().documents_bucket
            marker = SetupMarker(bucket, self._s3)
            want = expected_marker(target, bot_token(), webhook_secret())
            if marker.read() == want:
                return {"ok": True, "skipped": "already set up for this token"}
        except (CustomResourceError, SinawaiError) as e:
            logger.warning("set-up check failed: %s", e)
            return {"ok": False, "error": str(e)}
        result = self.setup_from_env()
        if result.get("ok") is True:
            marker.write(want)
        return result

    def setup_from_env(self) -> dict[str, Any]:
        """The Telegram set-up from the function's environment (a direct invoke after the token was put)."""
        try:
            target = _target_from_env()
            result = run_setup(target)
        except TelegramApiError as e:
            reason = token_refused_reason() if e.code == 401 else str(e)
            logger.warning("set-up failed: %s", reason)
            return {"ok": False, "error": reason}
        except (CustomResourceError, SinawaiError) as e:
            logger.warning("set-up failed: %s", e)
            return {"ok": False, "error": str(e)}
        return {"ok": result.applied, **result.data()}


def _target_from_env() -> SetupTarget:
    return SetupTarget.from_values(
        os.environ.get("WEBHOOK_URL", ""),
        os.environ.get("STAFF_GROUP_CHAT_ID", ""),
        os.environ.get("MANAGERS_CHAT_ID", ""),
        names=("WEBHOOK_URL", "STAFF_GROUP_CHAT_ID", "MANAGERS_CHAT_ID"),
    )


def _refuse(resource_type: str) -> Action:
    def refuse(_: Request) -> Outcome:
        raise CustomResourceError(
            f"unknown ResourceType {resource_type!r}: "
            f"this function serves {TELEGRAM_SETUP} and {CONTENT_PUBLISH}"
        )

    return refuse
