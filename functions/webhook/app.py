"""WebhookFunction: POST /webhook from Telegram → durable record → async invoke of the group's function.

Every 5 minutes its schedule sweeps the inbox: updates whose worker is gone are dispatched again."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from sinawai.platform.config import Settings
from sinawai.platform.db import Database
from sinawai.platform.lambda_invoke import LambdaInvoker
from sinawai.router.webhook import WebhookRouter, logger, metrics

router = WebhookRouter(db=Database(), invoker=LambdaInvoker.from_env(), settings=Settings.from_env())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("source") == "sinawai.scheduler" and event.get("task") == "sweep":
        return router.sweep()
    return router.handle(event)
