"""``sinawai smoke`` against the whole local stack: API Gateway, the functions in their processes, moto's
Secrets Manager, MariaDB and the Telegram emulator, configured as an operator's shell would be (the
functions' variables and the stage's webhook URL).

Proves: on a working stage every check passes and the operator's chat gets the /start greeting through the
real path (webhook → router → general function → Telegram → message log); the digest of the last due day is
found once sent; a chat that never pressed Start, a webhook secret that is not the stage's and a webhook
moved elsewhere each fail with the reason, exit 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

import httpx
import pytest

from local_stack.stack import LocalStack, StackConfig
from sinawai import cli
from sinawai.platform.db import Database
from tests.helpers import fresh_database

OPS: Final = 5595001  # the operator, who pressed Start with the bot
NEWCOMER: Final = 5595002  # never pressed Start


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("smoke-logs")
    with fresh_database("sinawai_e2e_smoke") as database:
        config = StackConfig(database=database, log_dir=log_dir, bucket="sinawai-e2e-smoke")
        with LocalStack(config) as local:
            local.telegram.add_user(OPS, "Oki", started=True)
            local.telegram.add_user(NEWCOMER, "Nina")
            yield local


@pytest.fixture
def operator_shell(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> LocalStack:
    """The operator's environment: what the functions have, and the stage's webhook URL."""
    for key in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "OPS_CHAT_ID", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in stack.function_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("WEBHOOK_URL", stack.webhook_url)
    return stack


def smoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = cli.main(["smoke", *args])
    captured = capsys.readouterr()
    assert captured.err == ""
    return code, captured.out.splitlines()


def set_webhook(stack: LocalStack, url: str) -> None:
    token = stack.config.bot_token
    payload = {"url": url, "secret_token": stack.config.webhook_secret}
    httpx.post(
        f"{stack.telegram.base_url}/bot{token}/setWebhook", json=payload, timeout=10
    ).raise_for_status()


def test_on_a_working_stage_every_check_passes_and_the_operator_gets_the_greeting(
    operator_shell: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = operator_shell
    code, lines = smoke(capsys, "--ops-chat", str(OPS))
    assert code == 0, lines
    assert lines[0] == f"[PASS] Webhook URL is this stage's: {stack.webhook_url}"
    assert lines[1] == "[PASS] No backlog at Telegram: 0 pending"
    assert lines[2] == "[PASS] No recent delivery error: last error none in the last day"
    assert lines[3].startswith("[PASS] /start round trip: update 9")
    assert lines[3].endswith(f"answered in chat {OPS}")
    assert (
        lines[4]
        == "[WARN] Daily digest: no digest was ever sent on this stage (MANAGERS_CHAT_ID not set yet?)"
    )
    assert lines[5] == "4 passed, 1 warning(s), 0 failed: the bot is up."
    [greeting] = stack.telegram.bot_messages(OPS)
    assert greeting.text is not None
    assert greeting.text.startswith("Selamat datang di Sinawai")  # the ops account is not registered
    assert stack.config.bot_token not in "\n".join(lines)

    # the digests of the last two days are recorded as sent: whatever the hour, the one due is found
    zone = ZoneInfo("Asia/Jakarta")
    today = datetime.now(UTC).astimezone(zone).date()
    db = Database(stack.config.database)
    try:
        for back in (1, 2):
            db.execute(
                "INSERT INTO report_run (report_date, status, claimed_at, sent_at)"
                " VALUES (%s, 'sent', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                (today - timedelta(days=back),),
            )
    finally:
        db.close()
    code, lines = smoke(capsys, "--dry-run")
    assert code == 0, lines
    assert lines[3] == "[WARN] /start round trip: skipped (--dry-run)"
    assert lines[4].startswith("[PASS] Daily digest: digest of ")
    assert len(stack.telegram.bot_messages(OPS)) == 1  # a dry run sends nothing


def test_a_chat_that_never_pressed_start_a_wrong_secret_and_a_moved_webhook_each_fail(
    operator_shell: LocalStack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = operator_shell
    code, lines = smoke(capsys, "--ops-chat", str(NEWCOMER), "--timeout", "15")
    assert code == 1
    assert lines[3].startswith("[FAIL] /start round trip: processed, but no reply reached chat 5595002")
    assert lines[3].endswith("press Start with the bot first")
    assert lines[-1].endswith("1 failed")

    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "not-the-secret-of-this-stage")
    code, lines = smoke(capsys, "--ops-chat", str(OPS))
    assert code == 1
    assert lines[3] == (
        "[FAIL] /start round trip: the webhook answered 403: "
        "this environment's webhook secret is not the stage's"
    )
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET")

    elsewhere = "https://example.invalid/another-stage/webhook"
    set_webhook(stack, elsewhere)
    try:
        code, lines = smoke(capsys, "--dry-run")
    finally:
        set_webhook(stack, stack.webhook_url)
    assert code == 1
    assert lines[0] == f"[FAIL] Webhook URL is this stage's: it is {elsewhere}, not {stack.webhook_url}"
