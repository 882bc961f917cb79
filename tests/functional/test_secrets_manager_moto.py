"""The boto3-free GetSecretValue against moto's Secrets Manager server: by ARN, missing, rotated, binary,
and through config's cache (the value itself never in an error message)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws

from local_stack.stack import free_port
from sinawai.platform import config
from sinawai.platform.errors import ConfigurationError
from sinawai.platform.secrets_manager import SecretReadError, SecretsManagerClient

REGION: Final = "ap-southeast-3"


@pytest.fixture
def sm(monkeypatch: pytest.MonkeyPatch, moto_url: str) -> Iterator[Any]:
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "SECRET_CACHE_SECONDS", "TELEGRAM_WEBHOOK_SECRET"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto_url)
    with mock_aws():
        yield boto3.client("secretsmanager", region_name=REGION)


def test_a_secret_is_read_by_its_arn(sm: Any) -> None:
    arn = sm.create_secret(Name="sinawai/test/webhook", SecretString="rahasia-webhook-1")["ARN"]
    assert SecretsManagerClient.from_env().get_secret_value(arn) == "rahasia-webhook-1"


def test_a_binary_secret_is_decoded(sm: Any) -> None:
    arn = sm.create_secret(Name="sinawai/test/binary", SecretBinary=b"rahasia-biner")["ARN"]
    assert SecretsManagerClient.from_env().get_secret_value(arn) == "rahasia-biner"


def test_a_missing_secret_is_a_configuration_error_naming_aws_s_error(sm: Any) -> None:
    arn = sm.create_secret(Name="sinawai/test/present", SecretString="rahasia-ada")["ARN"]
    sm.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    with pytest.raises(SecretReadError) as caught:
        SecretsManagerClient.from_env().get_secret_value(arn)
    assert caught.value.code == "ResourceNotFoundException"
    assert arn in str(caught.value)
    assert "rahasia" not in str(caught.value)
    assert isinstance(caught.value, ConfigurationError)


def test_a_rotated_secret_is_read_at_its_new_value(sm: Any) -> None:
    arn = sm.create_secret(Name="sinawai/test/rotated", SecretString="sebelum")["ARN"]
    client = SecretsManagerClient.from_env()
    assert client.get_secret_value(arn) == "sebelum"
    sm.put_secret_value(SecretId=arn, SecretString="sesudah")
    assert client.get_secret_value(arn) == "sesudah"


def test_config_reads_the_webhook_secret_by_arn_and_re_reads_it_when_it_does_not_match(
    sm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = sm.create_secret(Name="sinawai/test/webhook-rotated", SecretString="lama")["ARN"]
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET_ARN", arn)
    assert config.webhook_secret_matches("lama")
    sm.put_secret_value(SecretId=arn, SecretString="baru")
    assert config.webhook_secret() == "lama"  # cached
    assert config.webhook_secret_matches("baru")  # the mismatch forced one fresh read


def test_an_unreachable_endpoint_is_a_clear_error(sm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(SecretReadError) as caught:
        SecretsManagerClient.from_env().get_secret_value("sinawai/test/anything")
    assert caught.value.code == "ConnectionError"
