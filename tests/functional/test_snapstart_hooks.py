"""SnapStart (issue 16, item 2): no connection and no secret crosses a snapshot, and a restored function
answers; the router invokes the group functions' alias through the Lambda Invoke API.

The hooks run as Lambda runs them (``sinawai.platform.snapstart``'s registry: before the snapshot last
registered first, after the restore in order), around a GeneralFunction that has already worked (its
MySQL connection open, its bot token read from Secrets Manager on moto and cached, its Application built
with the token and an HTTP connection to the emulator), which is the worst case: in Lambda the snapshot is
taken right after the init, before any invocation.
"""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws

from local_stack.lambda_api import LambdaEndpoint
from local_stack.lambda_runtime import LambdaRuntime
from local_stack.telegram import TelegramEmulator
from local_stack.template import resolve_functions
from sinawai.general.handlers import register as register_general
from sinawai.platform import config, log_redaction, snapstart
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.errors import DispatchError
from sinawai.platform.lambda_invoke import LambdaInvoker
from sinawai.platform.secrets_manager import SecretsManagerClient
from sinawai.platform.sigv4 import Credentials
from sinawai.router.commands import GENERAL
from sinawai.telegram.runtime import GroupFunction
from tests.helpers import FakeContext, db_env, load_event, use_moto_secrets

REGION: Final = "ap-southeast-3"
TOKEN = "7000000001:token-in-the-snapshot-era-0123456789"
ROTATED = "7000000001:token-rotated-after-the-snapshot-987"
BUDI = 5550001
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "local_stack"


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch, moto_url: str) -> Iterator[Any]:
    for key in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_BOT_TOKEN_SECRET_ARN",
        "DB_SECRET_ARN",
        "SECRET_CACHE_SECONDS",
    ):
        monkeypatch.delenv(key, raising=False)
    use_moto_secrets(monkeypatch, moto_url, REGION)
    with mock_aws():
        yield boto3.client("secretsmanager", region_name=REGION)


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(TOKEN) as emu:
        emu.add_user(BUDI, "Budi", last_name="Santoso", username="budi_s")
        emu.send_message(BUDI, "/start")
        yield emu


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty hook registry of our own (Lambda's library is absent here), as in a new container."""
    monkeypatch.setattr(snapstart, "_library", None)
    monkeypatch.setattr(snapstart, "_before", [])
    monkeypatch.setattr(snapstart, "_after", [])


class Reads:
    """Every GetSecretValue the function makes (its own signed request to moto)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.secrets: list[str] = []
        real = SecretsManagerClient.get_secret_value

        def counting(client: SecretsManagerClient, secret_id: str) -> str:
            value = real(client, secret_id)
            self.secrets.append(value)
            return value

        monkeypatch.setattr(SecretsManagerClient, "get_secret_value", counting)


def connection_of(function: GroupFunction) -> Any:
    return function.db._conn


def is_closed(request: Any) -> bool:
    return bool(request._client.is_closed)


def start_event(update_id: int) -> dict[str, Any]:
    event = copy.deepcopy(load_event("general_start"))
    event["update"]["update_id"] = update_id
    return dict(event)


def test_no_connection_or_secret_crosses_the_snapshot_and_the_restored_function_answers(
    db: DatabaseSettings,
    secrets: Any,
    emulator: TelegramEmulator,
    registry: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv(snapstart.INITIALIZATION_TYPE_ENV, snapstart.SNAP_START)
    arn = secrets.create_secret(Name="sinawai/test/snapstart-bot-token", SecretString=TOKEN)["ARN"]
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN_SECRET_ARN", arn)
    reads = Reads(monkeypatch)

    general = GroupFunction(GENERAL, register_general)
    # registered at init, as Lambda's runtime expects them
    assert len(snapstart.get_before_snapshot()) == 1
    assert len(snapstart.get_after_restore()) == 1

    assert general.lambda_handler(start_event(830000001), FakeContext())["status"] == "done"
    answered = len(emulator.bot_messages(BUDI))
    connection = general.db._conn
    request = general._request
    loop = general._loop
    assert connection is not None
    assert connection.open
    assert request is not None
    assert not is_closed(request)
    assert config._secrets
    assert TOKEN in log_redaction._known
    assert reads.secrets == [TOKEN]

    assert snapstart.run_before_snapshot() == 1
    # nothing in the snapshot that holds a connection or a secret
    assert not connection.open
    assert connection._sock is None
    assert general.db._conn is None
    assert general.db._settings is None
    assert is_closed(request)  # the Application's HTTP pool to Telegram
    assert general._app is None
    assert general._request is None
    assert general._token is None
    assert loop.is_closed()
    assert config._secrets == {}
    assert log_redaction._known == set()
    # what was primed holds no real token either
    assert all(TOKEN not in repr(value) for value in vars(general).values())

    # the token is rotated while the snapshot sits in Lambda's cache
    emulator.token = ROTATED
    secrets.put_secret_value(SecretId=arn, SecretString=ROTATED)
    assert snapstart.run_after_restore() == 1
    assert not general._loop.is_closed()

    assert general.lambda_handler(start_event(830000002), FakeContext())["status"] == "done"
    assert len(emulator.bot_messages(BUDI)) == answered + 1
    # read again after the restore, within what would otherwise still be the cache's 5 minutes
    assert reads.secrets == [TOKEN, ROTATED]
    # straight to the new token: Telegram never refused the token of before the snapshot (which a warm
    # container, not restored, would have tried first and replaced after a 401)
    assert "telegram refused the bot token" not in capsys.readouterr().out
    reconnected = connection_of(general)
    assert reconnected is not None
    assert reconnected is not connection


def test_restores_reseed_random(registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    random.seed(42)
    state = random.getstate()
    drawn_from_the_snapshot = random.random()
    random.setstate(state)  # a second environment restored from the same snapshot
    snapstart.reseed_random()
    assert random.random() != drawn_from_the_snapshot


def test_without_snapstart_no_hook_is_registered(
    db: DatabaseSettings, registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv(snapstart.INITIALIZATION_TYPE_ENV, "on-demand")
    GroupFunction(GENERAL, register_general)
    assert snapstart.get_before_snapshot() == []
    assert snapstart.get_after_restore() == []


def test_hooks_run_in_lambdas_order(registry: None) -> None:
    ran: list[str] = []
    snapstart.register_before_snapshot(ran.append, "before 1")
    snapstart.register_before_snapshot(ran.append, "before 2")
    snapstart.register_after_restore(ran.append, "after 1")
    snapstart.register_after_restore(ran.append, "after 2")
    assert snapstart.run_before_snapshot() == 2
    assert snapstart.run_after_restore() == 2
    assert ran == ["before 2", "before 1", "after 1", "after 2"]


# ---- the router's Invoke names the alias -----------------------------------------------------------------


@pytest.fixture
def lambda_endpoint(tmp_path: Path) -> Iterator[tuple[LambdaRuntime, str]]:
    echo = resolve_functions(FIXTURES / "template.yaml")["EchoFunction"]
    runtime = LambdaRuntime(
        {"EchoFunction": replace(echo, alias="live", api_events=[])},
        base_env={"PATH": "/usr/bin:/bin"},
        instances_per_function=1,
        log_dir=tmp_path,
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    endpoint = LambdaEndpoint(runtime, port=port).start()
    try:
        yield runtime, endpoint.url
    finally:
        endpoint.stop()
        runtime.close()


def test_the_router_invokes_the_alias_it_is_given(lambda_endpoint: tuple[LambdaRuntime, str]) -> None:
    runtime, url = lambda_endpoint
    invoker = LambdaInvoker(region=REGION, endpoint=url, credentials=Credentials("testing", "testing"))
    invoker.invoke_async("EchoFunction", json.dumps({"n": 1}).encode(), "live")
    invoker.invoke_async("EchoFunction", json.dumps({"n": 2}).encode())
    runtime.wait_idle(timeout=30)
    assert sorted(record.qualifier for record in runtime.invocations) == ["$LATEST", "live"]
    assert all(record.error is None for record in runtime.invocations)
    # a qualifier the function does not have is refused as Lambda refuses it (404), and nothing runs
    with pytest.raises(DispatchError, match="404"):
        invoker.invoke_async("EchoFunction", b"{}", "prod")
    runtime.wait_idle(timeout=30)
    assert len(runtime.invocations) == 2
