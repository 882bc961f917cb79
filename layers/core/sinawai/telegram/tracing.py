"""X-Ray for the functions that talk to Telegram: Powertools Tracer, and subsegments for MySQL, the Bot API
and AWS calls (S3, SQS).

Every group function (and the ImportFunction) builds its tracer here, once per container. Lambda's
``Tracing: Active`` already records each invocation; the tracer adds what happens inside it:

- ``## <handler>``: the invocation (Powertools ``capture_lambda_handler``), annotated with the update id;
- ``MySQL``: each statement (its parameterised text: values never travel with it) and each transaction,
  through the hook ``sinawai.platform.db`` offers, so the platform itself imports no tracer;
- ``Telegram Bot API``: each HTTP call, annotated with its method and answered status; never its URL,
  which holds the bot token;
- ``s3``, ``sqs``: botocore's calls (the X-Ray SDK's patch), applied once boto3 is imported, so a function
  that never creates a boto3 client never loads botocore for it. (Not on ``botocore.client`` itself: a hook
  runs before the module is bound to its package, and the patch reads ``botocore.client``.) S3 object keys
  are left out of the trace: an uploaded file's name may carry a NIP.

The router has no tracer: it stays lean, and its ``Invoke`` carries the trace header itself
(``sinawai.platform.lambda_invoke``). Outside Lambda (tests, the CLI) Powertools disables the tracer and
every hook here stays uninstalled.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import wrapt
from aws_lambda_powertools import Tracer

from sinawai.platform import db as database

# What a trace may show of a statement: its parameterised text, cut short.
MAX_SQL_CHARS = 2000
# The S3 request parameters the X-Ray SDK would copy into a subsegment that name an object.
S3_PARAMETERS_KEPT_OUT = ("Key", "CopySource", "Prefix")

# Without a trace header (an invocation Lambda does not trace, or the local stack, which has none) the SDK
# drops each subsegment with a warning: nothing is lost by not saying so at every statement.
_SDK_LAMBDA_LOGGER = "aws_xray_sdk.core.lambda_launcher"

_installed = False
_install_lock = threading.Lock()


def tracer_for(service: str) -> Tracer:
    """The function's tracer; in Lambda (tracing not disabled) the MySQL and botocore hooks go in once."""
    tracer = Tracer(service=service, auto_patch=False)
    global _installed
    with _install_lock:
        if not tracer.disabled and not _installed:
            logging.getLogger(_SDK_LAMBDA_LOGGER).setLevel(logging.ERROR)
            database.install_span(lambda sql: mysql_span(tracer, sql))
            wrapt.register_post_import_hook(_patch_botocore, "boto3")
            _installed = True
    return tracer


def _patch_botocore(module: object) -> None:
    """boto3 (and with it botocore's client) was imported: trace its calls, without S3 object names."""
    from aws_xray_sdk.core import patch
    from aws_xray_sdk.ext import boto_utils

    for operation in boto_utils.whitelist["services"]["s3"]["operations"].values():
        kept = operation.get("request_parameters")
        if kept:
            operation["request_parameters"] = [p for p in kept if p not in S3_PARAMETERS_KEPT_OUT]
    patch(["botocore"])


@contextlib.contextmanager
def mysql_span(tracer: Tracer, sql: str | None) -> Iterator[None]:
    """One MySQL statement (``sql``) or, with None, one transaction, as a remote subsegment."""
    provider: Any = tracer.provider
    with provider.in_subsegment("MySQL", namespace="remote") as subsegment:
        if subsegment is not None:
            query = sql[:MAX_SQL_CHARS] if sql is not None else "BEGIN … COMMIT"
            subsegment.set_sql({"database_type": "MySQL", "sanitized_query": query})
        yield


@contextlib.asynccontextmanager
async def telegram_span(tracer: Tracer | None, method: str) -> AsyncIterator[Callable[[int], None]]:
    """One Bot API call (``method``, e.g. ``sendmessage``); the yielded callback records its HTTP status."""
    if tracer is None or tracer.disabled:
        yield lambda status: None
        return
    provider: Any = tracer.provider
    async with provider.in_subsegment_async("Telegram Bot API", namespace="remote") as subsegment:

        def answered(status: int) -> None:
            if subsegment is not None:
                subsegment.put_http_meta("method", "POST")
                subsegment.put_http_meta("status", status)  # 429 marks a throttle, 5xx a fault

        if subsegment is not None:
            subsegment.put_annotation("telegram_method", method)
        yield answered
