"""Rotated secrets are picked up by warm containers (issue 10, item 21), read from Secrets Manager (moto).

- the webhook secret and the bot token are cached for SECRET_CACHE_SECONDS (5 minutes), not for the life
  of the container; a webhook secret that does not match is re-read once before the router refuses it;
- a 401 from Telegram (token revoked or rotated) makes a group function re-read the token and rebuild its
  Application once;
- MySQL error 1045 (the RDS-managed password rotated) makes the adapter re-read the DB secret and connect
  once more.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from typing import Any, Final

import boto3
import pymysql
import pytest
from moto import mock_aws

from local_stack.dbtools import admin_connection
from local_stack.telegram import TelegramEmulator
from sinawai.general.handlers import register as register_general
from sinawai.hr_import.uploads import ImportFunction
from sinawai.platform import config
from sinawai.platform import db as db_module
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.platform.secrets_manager import SecretsManagerClient
from sinawai.router.commands import GENERAL
from sinawai.router.webhook import WebhookFunction
from sinawai.telegram.runtime import GroupFunction
from tests.helpers import FakeContext, db_env, load_event, query, use_moto_secrets

REGION: Final = "ap-southeast-3"
OLD_SECRET = "webhook-secret-before-rotation"
NEW_SECRET = "webhook-secret-after-rotation"
OLD_TOKEN = "7000000001:token-before-rotation"
NEW_TOKEN = "7000000001:token-after-rotation"
BUDI = 5550001


def general_function() -> GroupFunction:
    """GeneralFunction as Lambda builds it, from the environment the test has set."""
    return GroupFunction(GENERAL, register_general)


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch, moto_url: str) -> Iterator[Any]:
    for key in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
        "TELEGRAM_BOT_TOKEN_SECRET_ARN",
        "TELEGRAM_WEBHOOK_SECRET_ARN",
        "DB_SECRET_ARN",
        "AWS_ENDPOINT_URL_SECRETS_MANAGER",
        "AWS_PROFILE",
        "SECRET_CACHE_SECONDS",
    ):
        monkeypatch.delenv(key, raising=False)
    use_moto_secrets(monkeypatch, moto_url, REGION)
    with mock_aws():
        yield boto3.client("secretsmanager", region_name=REGION)


class Clock:
    """Stands in for the monotonic clock of the secret cache."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(config, "_clock", fake, raising=False)
    return fake


class Fetches:
    """Counts the GetSecretValue calls the functions make (secrets_manager.py)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = SecretsManagerClient.get_secret_value

        def counting(client: SecretsManagerClient, secret_id: str) -> str:
            self.count += 1
            return real(client, secret_id)

        monkeypatch.setattr(SecretsManagerClient, "get_secret_value", counting)


class RecordingInvoker:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def invoke_async(self, function_name: str, payload: bytes, qualifier: str | None = None) -> None:
        self.calls.append(function_name)


@pytest.fixture
def router(
    db: DatabaseSettings, secrets: Any, monkeypatch: pytest.MonkeyPatch
) -> tuple[WebhookFunction, str]:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    arn = secrets.create_secret(Name="sinawai/test/telegram-webhook-secret", SecretString=OLD_SECRET)["ARN"]
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET_ARN", arn)
    monkeypatch.setenv("GENERAL_FUNCTION_NAME", "GeneralFunction")
    module = WebhookFunction.from_env()
    module.router.invoker = RecordingInvoker()
    return module, str(arn)


def deliver(module: WebhookFunction, secret: str, update_id: int) -> int:
    event = copy.deepcopy(load_event("webhook_start"))
    event["headers"] = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
    body = json.loads(event["body"])
    body["update_id"] = update_id
    event["body"] = json.dumps(body)
    return int(module.lambda_handler(event, FakeContext())["statusCode"])


def test_a_warm_router_refuses_the_old_webhook_secret_once_the_cache_ttl_has_passed(
    router: tuple[WebhookFunction, str], secrets: Any, clock: Clock
) -> None:
    module, arn = router
    assert deliver(module, OLD_SECRET, 1) == 200
    secrets.put_secret_value(SecretId=arn, SecretString=NEW_SECRET)
    clock.now += 60
    assert deliver(module, OLD_SECRET, 2) == 200  # within the 5 minutes the README promises: cached
    clock.now += config.SECRET_CACHE_SECONDS
    assert deliver(module, OLD_SECRET, 3) == 403  # past them: read again, the old secret is refused
    assert deliver(module, NEW_SECRET, 4) == 200


def test_a_warm_router_re_reads_a_rotated_webhook_secret_once_before_refusing(
    router: tuple[WebhookFunction, str], secrets: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, arn = router
    assert deliver(module, OLD_SECRET, 1) == 200
    secrets.put_secret_value(SecretId=arn, SecretString=NEW_SECRET)
    fetches = Fetches(monkeypatch)
    clock.now += 1
    assert deliver(module, NEW_SECRET, 2) == 200  # no waiting for the TTL: re-read on the mismatch
    assert fetches.count == 1
    assert deliver(module, OLD_SECRET, 3) == 403
    # a caller guessing secrets cannot make the router hammer Secrets Manager
    for n in range(10):
        assert deliver(module, f"guess-{n}", 10 + n) == 403
    assert fetches.count <= 2
    invoker = module.router.invoker
    assert isinstance(invoker, RecordingInvoker)
    assert len(invoker.calls) == 2


# ---- the bot token -------------------------------------------------------------------------------------


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(OLD_TOKEN) as emu:
        emu.add_user(BUDI, "Budi", last_name="Santoso", username="budi_s")
        emu.send_message(BUDI, "/start")
        yield emu


def start_event(update_id: int) -> dict[str, Any]:
    event = copy.deepcopy(load_event("general_start"))
    event["update"]["update_id"] = update_id
    return dict(event)


def test_a_revoked_bot_token_is_re_read_and_the_application_rebuilt_once(
    db: DatabaseSettings,
    secrets: Any,
    emulator: TelegramEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    arn = secrets.create_secret(Name="sinawai/test/telegram-bot-token", SecretString=OLD_TOKEN)["ARN"]
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN_SECRET_ARN", arn)
    general = general_function()
    assert general.lambda_handler(start_event(820000001), FakeContext())["status"] == "done"
    answered = len(emulator.bot_messages(BUDI))
    # @BotFather revokes the token; the new one is put into the secret; the container stays warm
    emulator.token = NEW_TOKEN
    secrets.put_secret_value(SecretId=arn, SecretString=NEW_TOKEN)
    assert general.lambda_handler(start_event(820000002), FakeContext())["status"] == "done"
    assert len(emulator.bot_messages(BUDI)) == answered + 1
    assert query(db, "SELECT status FROM update_inbox WHERE update_id = 820000002")[0]["status"] == "done"


# ---- the database password -------------------------------------------------------------------------------


@pytest.fixture
def app_user(db: DatabaseSettings) -> Iterator[str]:
    """A real MariaDB user with a password and DML rights on the test database."""
    user = f"sinawai_rot_{uuid.uuid4().hex[:8]}"
    admin = admin_connection(db)
    try:
        with admin.cursor() as cur:
            cur.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", (user, "Rahasia-1-lama"))
            cur.execute("CREATE USER %s@'localhost' IDENTIFIED BY %s", (user, "Rahasia-1-lama"))
            for host in ("%", "localhost"):
                cur.execute(
                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON `{db.name}`.* TO %s@%s",
                    (user, host),
                )
        yield user
    finally:
        with admin.cursor() as cur:
            for host in ("%", "localhost"):
                cur.execute("DROP USER IF EXISTS %s@%s", (user, host))
        admin.close()


def test_mysql_access_denied_after_the_password_rotated_re_reads_the_db_secret_and_reconnects_once(
    db: DatabaseSettings, secrets: Any, app_user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rds = {
        "username": app_user,
        "password": "Rahasia-1-lama",
        "host": db.host,
        "port": db.port,
        "dbname": db.name,
    }
    arn = secrets.create_secret(Name="sinawai/test/db", SecretString=json.dumps(rds))["ARN"]
    for key in ("DB_USER", "DB_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DB_SECRET_ARN", arn)
    monkeypatch.setenv("DB_HOST", db.host)
    monkeypatch.setenv("DB_PORT", str(db.port))
    monkeypatch.setenv("DB_NAME", db.name)
    database = Database()  # as a function builds it: settings from the environment and the secret
    try:
        first = database.fetch_one("SELECT CONNECTION_ID() AS id, CURRENT_USER() AS u")
        assert first is not None
        assert str(first["u"]).startswith(app_user)
        # Secrets Manager rotates the password (RDS-managed rotation): the user changes, then the secret
        admin = admin_connection(db)
        try:
            with admin.cursor() as cur:
                for host in ("%", "localhost"):
                    cur.execute("ALTER USER %s@%s IDENTIFIED BY %s", (app_user, host, "Rahasia-2-baru"))
                cur.execute(f"KILL {int(first['id'])}")  # the warm container's connection is gone
        finally:
            admin.close()
        secrets.put_secret_value(SecretId=arn, SecretString=json.dumps({**rds, "password": "Rahasia-2-baru"}))
        connects: list[str] = []
        real_connect = db_module.connect

        def counting(settings: DatabaseSettings, **kwargs: Any) -> Any:
            connects.append(settings.password)
            return real_connect(settings, **kwargs)

        monkeypatch.setattr(db_module, "connect", counting)
        row = database.fetch_one("SELECT CURRENT_USER() AS u")
        assert row is not None
        assert str(row["u"]).startswith(app_user)
        assert connects == ["Rahasia-1-lama", "Rahasia-2-baru"]  # refused once, then the fresh secret
    finally:
        database.close()
    with pytest.raises(pymysql.err.OperationalError):
        pymysql.connect(host=db.host, port=db.port, user=app_user, password="Rahasia-1-lama")


def test_the_import_function_re_reads_a_revoked_bot_token_once_to_tell_the_staff(
    db: DatabaseSettings, secrets: Any, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff_group = -1001000000001
    emulator.add_group(staff_group, "OSDM", members=[BUDI])
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(staff_group))
    arn = secrets.create_secret(Name="sinawai/test/import-bot-token", SecretString=OLD_TOKEN)["ARN"]
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN_SECRET_ARN", arn)
    imports = ImportFunction()
    assert imports.notify_staff("pertama")
    emulator.token = NEW_TOKEN
    secrets.put_secret_value(SecretId=arn, SecretString=NEW_TOKEN)
    assert imports.notify_staff("kedua")
    assert [m.text for m in emulator.bot_messages(staff_group)] == ["pertama", "kedua"]
