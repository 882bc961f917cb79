"""A rotated webhook secret through the whole local stack (issue 10, item 21).

The operator rotates the webhook secret in Secrets Manager (moto here) and points Telegram at it with
`sinawai webhook set`; the warm routers, which cached the old secret, must accept Telegram's next delivery
at once (re-read on the mismatch) instead of refusing it for the rest of their life.
"""

from __future__ import annotations

import boto3
import pytest

from local_stack.stack import REGION, LocalStack
from sinawai import cli
from sinawai.platform import config

pytestmark = pytest.mark.e2e

EMPLOYEE = 6_400_001
ROTATED = "local-webhook-secret-rotated-9876543210"


def say(stack: LocalStack, user: int, text: str) -> str:
    stack.telegram.send_message(user, text)
    stack.wait_idle()
    return stack.telegram.bot_messages(user)[-1].text or ""


def test_warm_routers_accept_a_rotated_webhook_secret_at_once(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.telegram.add_user(EMPLOYEE, "Budi")
    for _ in range(2):  # every router instance warm, holding the old secret
        assert say(stack, EMPLOYEE, "/start").startswith("Selamat datang di Sinawai")
    answered = len(stack.telegram.bot_messages(EMPLOYEE))

    arn = stack.function_env["TELEGRAM_WEBHOOK_SECRET_ARN"]
    sm = boto3.client(
        "secretsmanager",
        endpoint_url=stack.moto_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    sm.put_secret_value(SecretId=arn, SecretString=ROTATED)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.setenv(key, stack.function_env[key])
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", stack.moto_url)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", stack.telegram.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", stack.config.bot_token)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET_ARN", arn)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    config.clear_caches()
    assert cli.main(["webhook", "set", stack.webhook_url]) == 0  # Telegram now sends the rotated secret
    config.clear_caches()
    stack.config.webhook_secret = ROTATED

    for _ in range(2):
        assert say(stack, EMPLOYEE, "/menu")
    assert len(stack.telegram.bot_messages(EMPLOYEE)) == answered + 2
