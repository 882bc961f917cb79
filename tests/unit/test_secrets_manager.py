"""Our GetSecretValue request is the one botocore sends, signed exactly as botocore signs it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from sinawai.platform.errors import ConfigurationError
from sinawai.platform.secrets_manager import SecretReadError, SecretsManagerClient
from sinawai.platform.sigv4 import Credentials

NOW = datetime(2026, 11, 28, 3, 4, 5, tzinfo=UTC)
REGION = "ap-southeast-3"
ARN = "arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:sinawai/dev/telegram-webhook-secret-AbCdEf"
KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


class _Sent(Exception):
    def __init__(self, request: Any) -> None:
        self.request = request


def botocore_request(secret_id: str) -> Any:
    """The GetSecretValue request a botocore client would send (caught just before it is sent)."""
    session = botocore.session.get_session()
    client: Any = session.create_client(
        "secretsmanager", region_name=REGION, aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key=KEY
    )

    def catch(request: Any, **_: Any) -> None:
        raise _Sent(request)

    client.meta.events.register("before-send.secrets-manager.GetSecretValue", catch)
    with pytest.raises(_Sent) as sent:
        client.get_secret_value(SecretId=secret_id)
    return sent.value.request


def test_the_request_is_the_one_botocore_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    ours = SecretsManagerClient(region=REGION, credentials=Credentials("AKIDEXAMPLE", KEY)).request(
        ARN, now=NOW
    )
    theirs = botocore_request(ARN)
    assert theirs.url == f"https://{ours.host}{ours.path}"
    assert theirs.method == "POST"
    for name in ("X-Amz-Target", "Content-Type"):
        assert ours.headers[name].encode() == theirs.headers[name]
    assert json.loads(ours.body) == json.loads(theirs.body)


@pytest.mark.parametrize("token", [None, "session-token-xyz"])
@pytest.mark.parametrize("endpoint", [None, "http://127.0.0.1:5000"])
def test_signature_matches_botocore(token: str | None, endpoint: str | None) -> None:
    client = SecretsManagerClient(
        region=REGION, endpoint=endpoint, credentials=Credentials("AKIDEXAMPLE", KEY, token)
    )
    ours = client.request(ARN, now=NOW)

    unsigned = {k: v for k, v in ours.headers.items() if k in ("Content-Type", "X-Amz-Target")}
    scheme = "http" if endpoint else "https"
    request = AWSRequest(
        method="POST", url=f"{scheme}://{ours.host}{ours.path}", data=ours.body, headers=unsigned
    )
    creds = BotoCredentials("AKIDEXAMPLE", KEY, token)
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW.replace(tzinfo=None)):
        SigV4Auth(creds, "secretsmanager", REGION).add_auth(request)

    assert ours.headers["X-Amz-Date"] == request.headers["X-Amz-Date"]
    assert ours.headers["Authorization"] == request.headers["Authorization"]
    if token:
        assert ours.headers["X-Amz-Security-Token"] == token


def test_endpoint_and_credentials_come_from_the_lambda_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "ap-southeast-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "tok")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", raising=False)
    request = SecretsManagerClient.from_env().request(ARN, now=NOW)
    assert request.host == "secretsmanager.ap-southeast-1.amazonaws.com"
    assert (
        "Credential=AKIDENV/20261128/ap-southeast-1/secretsmanager/aws4_request"
        in request.headers["Authorization"]
    )
    assert request.headers["X-Amz-Security-Token"] == "tok"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:4566")
    assert SecretsManagerClient.from_env().request(ARN, now=NOW).host == "127.0.0.1:4566"


def test_missing_credentials_or_a_bad_endpoint_are_configuration_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    with pytest.raises(ConfigurationError, match="credentials"):
        SecretsManagerClient(region=REGION).request(ARN)
    with pytest.raises(ConfigurationError, match="endpoint"):
        SecretsManagerClient(region=REGION, endpoint="ftp://nowhere")
    assert issubclass(SecretReadError, ConfigurationError)
