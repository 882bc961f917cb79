"""events/env.local.json stays complete: every variable the functions read, nothing nobody reads, and only
variables `sam local` applies (the ones a function declares in template.yaml, Globals included).

The two sides come from their sources, not from a list kept here: the template's environment (every function,
Globals merged) and the variables the shared code reads (``tests/env_reads.py``: an AST scan of
layers/core/sinawai and functions/). What is exempt is exempt by name, with its reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest

from local_stack.template import FunctionSpec, load_template, resolve_functions
from sinawai.consultation.config import Pacing
from sinawai.hr_import.service import DEFAULT_MAX_DEACTIVATE_PERCENT, max_deactivate_percent_from_env
from sinawai.platform import config
from sinawai.platform.lambda_invoke import LambdaInvoker
from sinawai.platform.secrets_manager import SecretsManagerClient
from tests.env_reads import EnvReads, env_reads
from tests.helpers import EVENTS, ROOT

TEMPLATE = ROOT / "template.yaml"
ENV_FILE = EVENTS / "env.local.json"

# Set by Lambda itself (reserved: a template cannot declare them); sam local sets them from the AWS profile
# or with dummy values, and the local stack's runtime like Lambda.
RUNTIME_PROVIDED = {
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
}
# Read by the code, deliberately not set locally.
NOT_SET_LOCALLY = {
    # boto3's generic fallback: the file names each service's endpoint, and the router's Lambda endpoint
    # (sam local start-lambda) is not moto's
    "AWS_ENDPOINT_URL": "each service has its own endpoint",
    "AWS_ENDPOINT_URL_CLOUDFORMATION": "only the set-up's rollback check asks it; sam local has no stack",
    "AWS_LAMBDA_FUNCTION_NAME": "reserved: Lambda and sam local set it",
    "_X_AMZN_TRACE_ID": "reserved: Lambda sets it per invocation (the router forwards it on its Invoke)",
    "AWS_LAMBDA_INITIALIZATION_TYPE": "reserved: Lambda sets it (snap-start with SnapStart), the stack too",
    "DB_CONNECT_WAIT_SECONDS": "the migration's wait for a new database (60 s); the local MariaDB is up",
    "APP_DB_USER": "sinawai migrate's local form of APP_DB_SECRET_ARN; the function reads the secret",
    "APP_DB_PASSWORD": "sinawai migrate's local form of APP_DB_SECRET_ARN; the function reads the secret",
    "SINAWAI_FILES_DIR": "sinawai serve only (one server, no AWS): S3 as a local directory",
    "SINAWAI_SERVE_SCHEDULE_CLOCK": "sinawai serve only: the drill clock of its in-process schedules",
    "POWERTOOLS_METRICS_DISABLED": "sinawai serve sets it (no CloudWatch on one server); Lambda keeps them",
    "POWERTOOLS_TRACE_DISABLED": "sinawai serve sets it (no X-Ray on one server); Lambda keeps traces",
    "BROADCAST_IN_BACKGROUND": "sinawai serve sets it (its loop sends broadcasts); Lambda has the queue",
    "SINAWAI_TEST_FAIL_IMPORT_CHUNK": "a test and benchmark hook (a chunk that always fails), never deployed",
}
# Declared by the template for libraries, right as they are locally: the file does not repeat them.
TEMPLATE_VALUES_SERVE_LOCALLY = {
    "POWERTOOLS_SERVICE_NAME": "the function's name in its logs and metrics",
    "POWERTOOLS_METRICS_NAMESPACE": "the metrics namespace",
    "POWERTOOLS_LOG_LEVEL": "the log level (the template's default, INFO)",
    "MPLCONFIGDIR": "matplotlib's cache under /tmp, writable in sam local's container as in Lambda",
    "GROUP_FUNCTION_QUALIFIER": "the group functions' alias (AutoPublishAlias live), which the stack honours",
}
# Reads whose name is computed at run time, and the names they can have.
DYNAMIC_READS = {
    # the router's group functions, one variable per group: the template declares them on WebhookFunction
    "sinawai.router.webhook:group_function": re.compile(r"^[A-Z]+_FUNCTION_NAME$"),
    # the operator's `sinawai dlq` (a CLI, no function reads these): the queues' URLs by queue
    "sinawai.cli.dlq:_queue_urls": re.compile(r"^[A-Z_]+_(QUEUE|DLQ)_URL$"),
    "sinawai.cli.dlq:_source_url": re.compile(r"^[A-Z_]+_QUEUE_URL$"),
    # sinawai serve names its in-process group functions as the router reads them (<GROUP>_FUNCTION_NAME)
    "sinawai.onprem.service:prepare_environment": re.compile(r"^[A-Z]+_FUNCTION_NAME$"),
}
# Lambda's reserved variables (AWS Lambda Developer Guide, "Defined runtime environment variables").
LAMBDA_RESERVED = RUNTIME_PROVIDED | {
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
    "TZ",
}
DOCKER_HOST = "host.docker.internal"
START_LAMBDA_PORT = 3001  # sam local start-lambda's default port


@cache
def env_file() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(ENV_FILE.read_text(encoding="utf-8"))
    return data


@cache
def functions() -> dict[str, FunctionSpec]:
    return resolve_functions(TEMPLATE)


@cache
def reads() -> EnvReads:
    found = env_reads(ROOT / "layers" / "core" / "sinawai", "sinawai")
    in_handlers = env_reads(ROOT / "functions", "functions")
    for name, where in in_handlers.names.items():
        for place in where:
            found.add(name, place)
    found.dynamic |= in_handlers.dynamic
    return found


def set_anywhere() -> set[str]:
    return {name for section in env_file().values() for name in section}


def set_for(function: str) -> set[str]:
    return set(env_file().get("Parameters", {})) | set(env_file().get(function, {}))


def read_by_code(name: str) -> bool:
    return name in reads().names or any(
        pattern.match(name) for where, pattern in DYNAMIC_READS.items() if where in reads().dynamic
    )


# ---- the two sources are read, not guessed -------------------------------------------------------------


def test_the_scan_finds_reads_of_every_kind() -> None:
    """The scan must see the reads it exists for, or the checks below could not fail."""
    found = reads().names
    assert "sinawai.platform.config:from_env" in found["DB_TLS"]  # config._env("DB_TLS")
    assert "sinawai.platform.config:bot_token" in found["TELEGRAM_BOT_TOKEN_SECRET_ARN"]  # value_or_secret
    assert found["IMPORT_MAX_DEACTIVATE_PERCENT"]  # through the module constant MAX_DEACTIVATE_PERCENT_ENV
    assert found["CONSULTATION_REOPEN_HOURS"]  # through consultation.config._int_env
    assert any("boto3 s3 client" in w for w in found["AWS_ENDPOINT_URL_S3"])
    assert any("boto3 sqs client" in w for w in found["AWS_ENDPOINT_URL_SQS"])
    assert "DB_TLS" in functions()["GeneralFunction"].environment  # Globals merged into every function


def test_reads_with_computed_names_are_the_known_ones() -> None:
    """A new read whose name is computed at run time must be looked at (and listed in DYNAMIC_READS)."""
    assert reads().dynamic == set(DYNAMIC_READS)


def test_the_env_file_has_the_shape_sam_local_accepts() -> None:
    data = env_file()
    assert "Parameters" in data
    for section, values in data.items():
        assert section == "Parameters" or section in functions(), f"{section}: not a function of the template"
        assert isinstance(values, dict)
        for name, value in values.items():
            assert isinstance(value, str), f"{section}.{name}: sam local wants strings, got {value!r}"


# ---- complete -------------------------------------------------------------------------------------------


def test_every_variable_the_code_reads_is_in_the_env_file() -> None:
    exempt = RUNTIME_PROVIDED | set(NOT_SET_LOCALLY) | set(TEMPLATE_VALUES_SERVE_LOCALLY)
    missing = {
        name: where[:2] for name, where in reads().names.items() if name not in exempt | set_anywhere()
    }
    assert not missing, f"read by the code, not set in {ENV_FILE.name}: {missing}"


def test_every_variable_a_function_declares_is_set_for_it() -> None:
    missing = {
        logical_id: sorted(set(spec.environment) - set(TEMPLATE_VALUES_SERVE_LOCALLY) - set_for(logical_id))
        for logical_id, spec in functions().items()
    }
    assert not {k: v for k, v in missing.items() if v}, f"declared, not set in {ENV_FILE.name}: {missing}"


# ---- nothing extra, and nothing sam local would ignore --------------------------------------------------


def test_the_env_file_sets_nothing_nobody_reads() -> None:
    unread = sorted(name for name in set_anywhere() if not read_by_code(name))
    assert not unread, f"set in {ENV_FILE.name}, read by no code: {unread}"


def test_sam_local_applies_every_value_of_the_env_file() -> None:
    """sam local overrides only declared variables and silently ignores the rest."""
    declared_anywhere = {name for spec in functions().values() for name in spec.environment}
    ignored = sorted(set(env_file()["Parameters"]) - declared_anywhere)
    assert not ignored, f"no function declares {ignored}: declare them in the template's Globals"
    for section, values in env_file().items():
        if section != "Parameters":
            undeclared = sorted(set(values) - set(functions()[section].environment))
            assert not undeclared, f"{section} does not declare {undeclared}: sam local would ignore them"


def test_every_variable_the_code_reads_is_declared() -> None:
    """Else neither sam local nor AWS can give it a value."""
    declared_anywhere = {name for spec in functions().values() for name in spec.environment}
    undeclared = sorted(set(reads().names) - RUNTIME_PROVIDED - set(NOT_SET_LOCALLY) - declared_anywhere)
    assert not undeclared, f"read by the code, declared by no function: {undeclared}"


def test_no_function_declares_a_variable_lambda_reserves() -> None:
    for logical_id, spec in functions().items():
        assert not LAMBDA_RESERVED & set(spec.environment), logical_id


# ---- local values ---------------------------------------------------------------------------------------


def test_local_values_reach_the_host_from_docker() -> None:
    """The issue's bug: without DB_TLS=false every function tried TLS against a MariaDB without it."""
    p = env_file()["Parameters"]
    assert p["DB_TLS"] == "false"
    assert functions()["GeneralFunction"].environment["DB_TLS"] == "true"  # the template's default
    assert p["DB_HOST"] == DOCKER_HOST
    for name, value in [item for section in env_file().values() for item in section.items()]:
        if (name.startswith("AWS_ENDPOINT_URL_") or name == "TELEGRAM_API_BASE_URL") and value:
            assert urlsplit(value).hostname == DOCKER_HOST, f"{name}={value}: 127.0.0.1 is the container"


def test_the_router_invokes_the_groups_at_sam_local_start_lambda() -> None:
    router = env_file()["WebhookFunction"]
    assert env_file()["Parameters"]["AWS_ENDPOINT_URL_LAMBDA"] == ""  # no other function invokes one
    endpoint = urlsplit(router["AWS_ENDPOINT_URL_LAMBDA"])
    assert (endpoint.hostname, endpoint.port) == (DOCKER_HOST, START_LAMBDA_PORT)
    declared = {n for n in functions()["WebhookFunction"].environment if n.endswith("_FUNCTION_NAME")}
    assert declared == {n for n in router if n.endswith("_FUNCTION_NAME")}
    for name in declared:
        assert router[name] in functions(), f"{name}={router[name]}: start-lambda has no such function"
    # the template's own value (a !Ref) resolves to the same function
    for name in declared:
        assert functions()["WebhookFunction"].environment[name] == router[name]


def test_the_sample_events_match_the_local_values() -> None:
    p = env_file()["Parameters"]
    for path in sorted(EVENTS.glob("webhook_*.json")):
        headers = json.loads(path.read_text()).get("headers") or {}
        secret = headers.get("X-Telegram-Bot-Api-Secret-Token")
        if secret is not None and "wrong" not in path.stem:
            assert secret == p["TELEGRAM_WEBHOOK_SECRET"], path.name
    bot_id = int(p["TELEGRAM_BOT_TOKEN"].split(":", 1)[0])
    staff_reply = json.loads((EVENTS / "consultation_staff_reply.json").read_text())["update"]["message"]
    assert staff_reply["chat"]["id"] == int(p["STAFF_GROUP_CHAT_ID"])
    assert staff_reply["reply_to_message"]["from"]["id"] == bot_id  # a reply to the bot's own message
    laporan = json.loads((EVENTS / "report_laporan.json").read_text())["update"]["message"]
    assert laporan["chat"]["id"] == int(p["MANAGERS_CHAT_ID"])
    (record,) = json.loads((EVENTS / "import_s3_employees.json").read_text())["Records"]
    assert record["s3"]["bucket"]["name"] == p["DOCUMENTS_BUCKET"]


def _literal(node: Any) -> str | None:
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, str | int | float):
        return str(node)
    return None


def test_where_the_template_has_a_value_the_env_file_repeats_it() -> None:
    """A knob changed in the template must not keep its old value locally without anyone noticing."""
    template = load_template(TEMPLATE)
    for logical_id, body in template["Resources"].items():
        if body.get("Type") != "AWS::Serverless::Function":
            continue
        variables: Mapping[str, Any] = body["Properties"].get("Environment", {}).get("Variables", {})
        for name, node in variables.items():
            literal = _literal(node)
            if literal is None or name in TEMPLATE_VALUES_SERVE_LOCALLY:
                continue
            local = {**env_file()["Parameters"], **env_file().get(logical_id, {})}[name]
            assert local == literal, f"{logical_id}.{name}: template {literal!r}, {ENV_FILE.name} {local!r}"


# ---- the template's "" declarations change nothing in AWS ----------------------------------------------


def empty_declarations() -> list[str]:
    variables = load_template(TEMPLATE)["Globals"]["Function"]["Environment"]["Variables"]
    return sorted(name for name, node in variables.items() if node == "")


def test_empty_declarations_are_unset_to_the_code_and_to_boto3(monkeypatch: pytest.MonkeyPatch) -> None:
    """Declared with "" for sam local: in AWS the secrets still come by ARN, the endpoints are AWS's own."""
    declared = empty_declarations()
    checked = {
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
        "DB_PORT",
        "DB_USER",
        "DB_PASSWORD",
        "AWS_ENDPOINT_URL_S3",
        "AWS_ENDPOINT_URL_SQS",
        "AWS_ENDPOINT_URL_SECRETS_MANAGER",
        "AWS_ENDPOINT_URL_LAMBDA",
        "SECRET_CACHE_SECONDS",
        "CLAIM_LEASE_MARGIN_SECONDS",
        "SENSITIVE_GRACE_MINUTES",
        "IMPORT_MAX_DEACTIVATE_PERCENT",
        "STAFF_GROUP_WINDOW_SECONDS",
    }
    assert set(declared) == checked, 'a new "" declaration: check here that "" means unset to its readers'
    for name in declared:
        monkeypatch.setenv(name, "")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_REGION", "ap-southeast-3")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    secrets = {
        "arn:token": "7000000001:from-secrets-manager",
        "arn:webhook": "webhook-from-secrets-manager",
        "arn:db": json.dumps({"username": "app", "password": "pw", "port": 3307, "dbname": "sinawai"}),
    }
    monkeypatch.setattr(config, "_read_secret", secrets.__getitem__)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN_SECRET_ARN", "arn:token")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET_ARN", "arn:webhook")
    monkeypatch.setenv("DB_SECRET_ARN", "arn:db")
    monkeypatch.setenv("DB_HOST", "proxy.example")

    assert config.bot_token() == "7000000001:from-secrets-manager"
    assert config.webhook_secret() == "webhook-from-secrets-manager"
    db = config.DatabaseSettings.from_env()
    assert (db.host, db.port, db.user, db.password) == ("proxy.example", 3307, "app", "pw")
    assert LambdaInvoker.from_env().endpoint == "https://lambda.ap-southeast-3.amazonaws.com"
    assert SecretsManagerClient.from_env().endpoint == "https://secretsmanager.ap-southeast-3.amazonaws.com"
    assert boto3.client("s3").meta.endpoint_url == "https://s3.ap-southeast-3.amazonaws.com"
    assert boto3.client("sqs").meta.endpoint_url == "https://sqs.ap-southeast-3.amazonaws.com"
    assert config.secret_cache_seconds() == config.SECRET_CACHE_SECONDS
    assert config.lease_margin_seconds() == 10.0
    assert config.secret_grace_seconds() == 30 * 60
    assert max_deactivate_percent_from_env() == DEFAULT_MAX_DEACTIVATE_PERCENT
    assert Pacing.from_env().window == timedelta(seconds=60) * 1.05


def test_an_env_file_value_for_an_undeclared_variable_would_be_ignored(tmp_path: Path) -> None:
    """What the check above guards against, shown on the real template with the local stack's resolver."""
    overrides = {"Parameters": {"DB_TLS": "false", "NOT_DECLARED_ANYWHERE": "x"}}
    warnings: list[str] = []
    resolved = resolve_functions(TEMPLATE, env_overrides=overrides, declared_only=True, warnings=warnings)
    assert resolved["GeneralFunction"].environment["DB_TLS"] == "false"
    assert "NOT_DECLARED_ANYWHERE" not in resolved["GeneralFunction"].environment
    assert any("NOT_DECLARED_ANYWHERE" in w for w in warnings)
