"""`sinawai migrate` is idempotent; secrets come from Secrets Manager (moto) unless a plain value is set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from sinawai.cli import migrate
from sinawai.platform import config
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.errors import ConfigurationError
from tests.helpers import ROOT, base_db_settings, db_env, fresh_database, query


def test_migrate_twice_changes_nothing_the_second_time() -> None:
    with fresh_database("sinawai_migrate") as settings:
        # fresh_database applied everything already: a second run has nothing to do
        assert migrate(settings) == []
        tables = {
            r["t"]
            for r in query(
                settings,
                "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = %s",
                (settings.name,),
            )
        }
        assert {"pengguna", "pesan", "update_inbox", "conversation"} <= tables


def test_sinawai_migrate_command_on_an_empty_database() -> None:
    base = base_db_settings()
    name = f"sinawai_cli_{uuid.uuid4().hex[:8]}"
    empty = DatabaseSettings(base.host, base.port, name, base.user, base.password)
    with fresh_database("sinawai_admin") as admin:
        query(admin, f"CREATE DATABASE `{name}`")
        try:
            env = {**os.environ, **db_env(empty)}
            cli = [sys.executable, "-m", "sinawai.cli", "migrate"]
            first = subprocess.run(cli, env=env, capture_output=True, text=True, check=True, cwd=ROOT)
            shipped = sorted(
                p.name.removesuffix(".sql")
                for p in (ROOT / "layers/core/sinawai/migrations").glob("*.sql")
                if not p.name.endswith(".rollback.sql")
            )
            assert shipped[:6] == [
                "0001_initial",
                "0002_personal_data",
                "0003_consultation",
                "0004_update_steps",
                "0005_staff_outbox",
                "0006_service_records",
            ]
            assert f"Applied {len(shipped)} migration(s): {', '.join(shipped)}" in first.stdout
            second = subprocess.run(cli, env=env, capture_output=True, text=True, check=True, cwd=ROOT)
            assert "nothing to apply" in second.stdout
        finally:
            query(admin, f"DROP DATABASE IF EXISTS `{name}`")


def test_migrate_refuses_an_unreachable_database_with_a_clear_message() -> None:
    env = {**os.environ, "DB_HOST": "127.0.0.1", "DB_PORT": "1", "DB_NAME": "x", "DB_USER": "root"}
    out = subprocess.run(
        [sys.executable, "-m", "sinawai.cli", "migrate"], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode != 0
    assert "Can't connect" in out.stderr or "connect" in out.stderr.lower()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, moto_url: str) -> Iterator[None]:
    for key in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN_SECRET_ARN", "DB_HOST", "DB_USER", "DB_SECRET_ARN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto_url)  # the signed reads go to moto's server
    with mock_aws():
        yield


def test_bot_token_comes_from_secrets_manager(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    sm = boto3.client("secretsmanager", region_name="ap-southeast-3")
    arn = sm.create_secret(Name="sinawai/test/token", SecretString="123:from-secrets-manager")["ARN"]
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN_SECRET_ARN", arn)
    assert config.bot_token() == "123:from-secrets-manager"
    config.clear_caches()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "456:plain-wins")
    assert config.bot_token() == "456:plain-wins"


def test_missing_token_is_a_configuration_error(aws: None) -> None:
    with pytest.raises(ConfigurationError, match="TELEGRAM_BOT_TOKEN"):
        config.bot_token()


def test_database_settings_from_the_rds_secret(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    sm = boto3.client("secretsmanager", region_name="ap-southeast-3")
    secret = {
        "host": "db.internal",
        "port": 3307,
        "username": "sinawai_app",
        "password": "s3cr3t!",
        "dbname": "sinawai",
    }
    arn = sm.create_secret(Name="sinawai/test/db", SecretString=json.dumps(secret))["ARN"]
    monkeypatch.setenv("DB_SECRET_ARN", arn)
    settings = DatabaseSettings.from_env()
    assert (settings.host, settings.port, settings.user, settings.name) == (
        "db.internal",
        3307,
        "sinawai_app",
        "sinawai",
    )
    assert settings.password == "s3cr3t!"
    assert "s3cr3t!" not in repr(settings)
