"""The local stack: everything the functions need, on this machine, without Docker or cloud accounts.

- MariaDB from the ``DB_*`` variables (a database per stack);
- moto's server for S3 and Secrets Manager (the bot token and webhook secret live there, as in AWS);
- the Telegram Bot API emulator (``telegram.py``), where tests and people speak as employees and staff;
- the functions of ``template.yaml`` in their own processes behind a Lambda Invoke endpoint (like
  ``sam local start-lambda``), and the webhook behind an API Gateway endpoint (like ``sam local start-api``);
- the template's SQS queues in moto, and their ``SQS`` event sources polled as Lambda's event source mapping
  polls them (``sqs_poller.py``).

Functions run unchanged: they see only environment variables, the same names the template sets in AWS.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import boto3
import httpx
from moto.server import ThreadedMotoServer

from local_stack.lambda_api import ApiGatewayEndpoint, LambdaEndpoint
from local_stack.lambda_runtime import FailureDestination, LambdaRuntime, SqsDestination
from local_stack.sqs_poller import SqsPoller, SqsSource
from local_stack.telegram import RateLimits, TelegramEmulator
from local_stack.template import FunctionSpec, load_template, resolve_functions
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
REGION = "ap-southeast-3"


def _queue_of(destination: Any) -> str | None:
    """The logical id of ``!GetAtt Queue.Arn`` (either form), or None."""
    target = destination.get("Fn::GetAtt") if isinstance(destination, Mapping) else None
    if isinstance(target, list) and target:
        return str(target[0])
    if isinstance(target, str):
        return target.split(".")[0]
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@dataclass
class StackConfig:
    database: DatabaseSettings
    # Dummy values for the emulator only; they are put into moto's Secrets Manager like real ones.
    bot_token: str = "7000000001:AAHlocal-sinawai-token-not-a-real-one"  # noqa: S105
    webhook_secret: str = "local-webhook-secret-0123456789"  # noqa: S105
    staff_group_chat_id: int = -1001000000001
    managers_chat_id: int = -1001000000002
    bucket: str = "sinawai-local-documents"
    instances_per_function: int = 2
    log_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    # Flood limits of the Telegram emulator (None: Telegram's); the benchmark passes RateLimits.disabled().
    telegram_rate_limits: RateLimits | None = None
    # Lambda retries a failed asynchronous invocation after about 1 and 2 minutes; locally much sooner.
    # Fault tests set delays beyond the claim lease, as in AWS, with short function_timeouts (logical id →
    # seconds) so that they stay fast.
    async_retry_delays: tuple[float, ...] = (0.2, 0.5)
    function_timeouts: dict[str, float] = field(default_factory=dict)
    # Another checkout's template (and so its functions and layers): the cold-start benchmark's "before"
    template: Path = TEMPLATE
    parameter_overrides: dict[str, str] = field(default_factory=dict)  # e.g. {"SnapStart": "off"}


class LocalStack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.moto: ThreadedMotoServer | None = None
        self.moto_url = ""
        self.telegram = TelegramEmulator(config.bot_token, rate_limits=config.telegram_rate_limits)
        self.runtime: LambdaRuntime | None = None
        self.lambda_endpoint: LambdaEndpoint | None = None
        self.api: ApiGatewayEndpoint | None = None
        self.webhook_url = ""
        self.function_env: dict[str, str] = {}
        self.queue_urls: dict[str, str] = {}  # logical id of an AWS::SQS::Queue -> its URL in moto
        self.sqs_poller: SqsPoller | None = None

    # ---- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> LocalStack:
        self._start_moto()
        token_arn, secret_arn = self._create_aws_resources()
        self._create_queues()
        self.telegram.start()
        lambda_port = free_port()
        lambda_url = f"http://127.0.0.1:{lambda_port}"
        db = self.config.database
        self.function_env = {
            # AWS, pointed at moto and at our Lambda endpoint, as boto3's standard variables do it
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL_S3": self.moto_url,
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": self.moto_url,
            "AWS_ENDPOINT_URL_SQS": self.moto_url,
            "AWS_ENDPOINT_URL_LAMBDA": lambda_url,
            # the contract variables
            "TELEGRAM_API_BASE_URL": self.telegram.base_url,
            "TELEGRAM_BOT_TOKEN_SECRET_ARN": token_arn,
            "TELEGRAM_WEBHOOK_SECRET_ARN": secret_arn,
            "STAFF_GROUP_CHAT_ID": str(self.config.staff_group_chat_id),
            "MANAGERS_CHAT_ID": str(self.config.managers_chat_id),
            "DB_HOST": db.host,
            "DB_PORT": str(db.port),
            "DB_NAME": db.name,
            "DB_USER": db.user,
            "DB_PASSWORD": db.password,
            "DB_SECRET_ARN": "",
            "DB_TLS": "false",
            "DB_TLS_CA": "",
            # the local MariaDB has no parameter group of ours: each connection sets its session
            "DB_SESSION_INIT": "true",
            "DOCUMENTS_BUCKET": self.config.bucket,
            "SERVICE_TIMEZONE": "Asia/Jakarta",
            "POWERTOOLS_METRICS_NAMESPACE": "Sinawai",
            "POWERTOOLS_DEV": "false",
            **self.config.extra_env,
        }
        functions = resolve_functions(
            self.config.template,
            env_overrides={"Parameters": self.function_env},
            parameter_overrides=self.config.parameter_overrides,
            region=REGION,
        )
        timeouts = self.config.function_timeouts
        functions = {
            key: dataclasses.replace(spec, timeout=timeouts.get(spec.logical_id, spec.timeout))
            for key, spec in functions.items()
        }
        for spec in functions.values():
            for name, value in spec.environment.items():
                if value in self.queue_urls:  # !Ref of a queue is its URL in AWS
                    spec.environment[name] = self.queue_urls[value]
        base_env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TZ")}
        self.runtime = LambdaRuntime(
            functions,
            base_env=base_env,
            instances_per_function=self.config.instances_per_function,
            async_retry_delays=self.config.async_retry_delays,
            log_dir=self.config.log_dir,
            on_failure=self._failure_destinations(),
        )
        self.lambda_endpoint = LambdaEndpoint(self.runtime, port=lambda_port)
        self.lambda_endpoint.start()
        self.api = ApiGatewayEndpoint(functions, self.runtime)
        self.api.start()
        self.webhook_url = f"{self.api.url}/webhook"
        self.sqs_poller = SqsPoller(self.runtime, self._aws("sqs"), self._sqs_sources(functions))
        self.sqs_poller.start()
        self._set_webhook()
        return self

    def stop(self) -> None:
        if self.sqs_poller is not None:
            self.sqs_poller.stop()
        for part in (self.api, self.lambda_endpoint):
            if part is not None:
                part.stop()
        if self.runtime is not None:
            self.runtime.close()
        self.telegram.stop()
        if self.moto is not None:
            self.moto.stop()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ---- parts --------------------------------------------------------------------------------------

    def _start_moto(self) -> None:
        # moto's server logs every request through werkzeug: keep the demo's and the tests' output readable.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.moto.start()
        host, port = self.moto.get_host_and_port()
        self.moto_url = f"http://{host}:{port}"

    def _aws(self, service: Literal["s3", "secretsmanager", "sqs"]) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.moto_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto's dummy credentials
        )

    def _create_aws_resources(self) -> tuple[str, str]:
        s3 = self._aws("s3")
        # moto's state is per process: an earlier test in this process (e.g. `serve`) may have made it
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(
                Bucket=self.config.bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
        sm = self._aws("secretsmanager")
        # moto keeps its state per process: a second stack in one process (a test module with its own
        # stack) names its secrets after its own database, and its bucket through StackConfig.bucket.
        prefix = f"sinawai/{self.config.database.name or 'local'}"
        token = sm.create_secret(Name=f"{prefix}/telegram-bot-token", SecretString=self.config.bot_token)
        secret = sm.create_secret(
            Name=f"{prefix}/telegram-webhook-secret", SecretString=self.config.webhook_secret
        )
        return str(token["ARN"]), str(secret["ARN"])

    def _create_queues(self) -> None:
        """The template's queues, named after the stack's database (moto is shared within a process)."""
        sqs = self._aws("sqs")
        prefix = self.config.database.name or "local"
        resources = load_template(self.config.template).get("Resources") or {}
        for logical_id, body in resources.items():
            if not isinstance(body, Mapping) or body.get("Type") != "AWS::SQS::Queue":
                continue
            props = body.get("Properties") or {}
            fifo = str(props.get("FifoQueue", "")).lower() == "true"
            attributes = {"VisibilityTimeout": str(props.get("VisibilityTimeout", 30))}
            if fifo:
                attributes["FifoQueue"] = "true"
            name = f"{prefix}-{logical_id}" + (".fifo" if fifo else "")
            self.queue_urls[logical_id] = str(
                sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            )

    def _failure_destinations(self) -> dict[str, FailureDestination]:
        """Each function's ``EventInvokeConfig.DestinationConfig.OnFailure`` queue (Globals merged), as
        Lambda sends the records of the asynchronous invocations that failed every attempt."""
        template = load_template(self.config.template)
        globals_config = ((template.get("Globals") or {}).get("Function") or {}).get("EventInvokeConfig")
        destinations: dict[str, FailureDestination] = {}
        for logical_id, body in (template.get("Resources") or {}).items():
            if not isinstance(body, Mapping) or body.get("Type") != "AWS::Serverless::Function":
                continue
            own = (body.get("Properties") or {}).get("EventInvokeConfig")
            if not isinstance(own, Mapping) and not isinstance(globals_config, Mapping):
                continue
            config = {**(globals_config or {}), **(own or {})}
            on_failure = (config.get("DestinationConfig") or {}).get("OnFailure") or {}
            queue_id = _queue_of(on_failure.get("Destination")) if on_failure.get("Type") == "SQS" else None
            if queue_id is None:
                continue
            if queue_id not in self.queue_urls:
                logging.getLogger(__name__).warning("OnFailure of %s: unknown queue %r", logical_id, queue_id)
                continue
            destinations[logical_id] = SqsDestination(self._aws("sqs"), self.queue_urls[queue_id])
        return destinations

    def _sqs_sources(self, functions: Mapping[str, FunctionSpec]) -> list[SqsSource]:
        sources = []
        for logical_id, spec in functions.items():
            for event in spec.other_events.values():
                if event.get("Type") != "SQS":
                    continue
                props = event.get("Properties") or {}
                queue = props.get("Queue")
                target = queue.get("Fn::GetAtt") if isinstance(queue, Mapping) else queue
                queue_id = str(target[0] if isinstance(target, list) else str(target).split(".")[0])
                if queue_id not in self.queue_urls:
                    logging.getLogger(__name__).warning(
                        "SQS event of %s: unknown queue %r", logical_id, queue
                    )
                    continue
                scaling = props.get("ScalingConfig") or {}
                sources.append(
                    SqsSource(
                        function=logical_id,
                        queue_url=self.queue_urls[queue_id],
                        queue_arn=f"arn:aws:sqs:{REGION}:123456789012:{queue_id}",
                        batch_size=int(props.get("BatchSize", 10)),
                        concurrency=int(scaling.get("MaximumConcurrency", 2)),
                    )
                )
        return sources

    def _set_webhook(self) -> None:
        # As an operator would: through the Bot API, with the secret token Telegram will send back.
        response = httpx.post(
            f"{self.telegram.base_url}/bot{self.config.bot_token}/setWebhook",
            json={
                "url": self.webhook_url,
                "secret_token": self.config.webhook_secret,
                "allowed_updates": [],
                "max_connections": 40,
            },
            timeout=10,
        )
        response.raise_for_status()

    # ---- conveniences for tests, the demo and the benchmark -----------------------------------------

    def message_log_counts(self) -> dict[str, int]:
        """Rows of the message log (pesan) by direction."""
        db = Database(self.config.database)
        try:
            rows = db.fetch_all("SELECT direction, COUNT(*) AS n FROM pesan GROUP BY direction")
        finally:
            db.close()
        return {str(r["direction"]): int(r["n"]) for r in rows}

    def wait_idle(self, timeout: float = 15.0) -> None:
        """Wait until Telegram delivered every update and the functions processed them all."""
        assert self.runtime is not None
        deadline = time.monotonic() + timeout
        self.telegram.wait_all_delivered(timeout)
        self.runtime.wait_idle(timeout)
        # Then the queues: what the functions enqueued, delivered by their event sources.
        while self.sqs_poller is not None and not self.sqs_poller.idle():
            if time.monotonic() > deadline:
                raise TimeoutError("SQS queues not drained in time")
            time.sleep(0.05)
        self.runtime.wait_idle(max(0.1, deadline - time.monotonic()))
