"""``sinawai smoke``'s checks that a working local stack cannot show: a webhook Telegram cannot reach (a
backlog, a recent error), the placeholder token, the digest due at each hour, bad usage. The emulator over
HTTP and MariaDB; the round trip itself runs against the whole stack in tests/e2e/test_smoke_e2e.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Final
from zoneinfo import ZoneInfo

import pytest

from local_stack.stack import free_port
from local_stack.telegram import TelegramEmulator
from sinawai import cli
from sinawai.cli import smoke
from sinawai.deploy.probe import PENDING_BACKLOG
from sinawai.deploy.telegram_setup import BotApi
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from tests.helpers import db_env

TOKEN: Final = "7000000003:AAHtest-token-of-the-smoke-emulator_xyz"
WIB: Final = ZoneInfo("Asia/Jakarta")
USERS: Final = range(5596001, 5596001 + PENDING_BACKLOG + 1)


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(TOKEN) as emu:
        for user in USERS:
            emu.add_user(user, f"Pegawai {user}")
        yield emu


@pytest.fixture
def shell(db: DatabaseSettings, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """An operator's shell; the stage's webhook is a local port nobody listens on (API Gateway down)."""
    url = f"http://127.0.0.1:{free_port()}/webhook"
    for key in ("TELEGRAM_BOT_TOKEN_SECRET_ARN", "TELEGRAM_WEBHOOK_SECRET_ARN", "OPS_CHAT_ID", "WEBHOOK_URL"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {
        **db_env(db),
        "TELEGRAM_API_BASE_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": "Rahasia-webhook-smoke-0123456789",
        "SERVICE_TIMEZONE": "Asia/Jakarta",
    }.items():
        monkeypatch.setenv(key, value)
    BotApi(TOKEN, emulator.base_url).call("setWebhook", {"url": url})
    return url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["smoke", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_webhook_telegram_cannot_reach_fails_on_backlog_and_recent_error(
    shell: str, emulator: TelegramEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    for user in USERS:
        emulator.send_message(user, "/start")
    deadline = time.monotonic() + 5
    while not any(not d.ok for d in emulator.delivery_log()):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    code, out, _ = run(capsys, "--webhook-url", shell, "--dry-run")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"[PASS] Webhook URL is this stage's: {shell}"
    assert lines[1] == f"[FAIL] No backlog at Telegram: {PENDING_BACKLOG + 1} pending"
    assert lines[2].startswith("[FAIL] No recent delivery error: ")
    assert lines[2].endswith(" s ago: Connection refused")
    assert TOKEN not in out


def test_the_placeholder_token_fails_the_webhook_check_without_calling_telegram(
    shell: str,
    emulator: TelegramEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "set-me-from-botfather")
    emulator.reset_records()
    code, out, _ = run(capsys, "--webhook-url", shell, "--dry-run")
    assert code == 1
    assert out.splitlines()[0] == (
        "[FAIL] Telegram webhook: the bot token is not set yet (still the placeholder)"
    )
    assert emulator.calls == []


def test_bad_usage_exits_2_and_sends_nothing(
    shell: str,
    emulator: TelegramEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator.reset_records()
    code, _, err = run(capsys, "--dry-run")  # no URL anywhere
    assert code == 2
    assert "give --webhook-url" in err
    code, _, err = run(capsys, "--webhook-url", shell)  # a round trip with no chat to do it from
    assert code == 2
    assert "needs --ops-chat" in err
    monkeypatch.setenv("OPS_CHAT_ID", "-1001000000099")  # the alarm relay's group: not a private chat
    code, _, err = run(capsys, "--webhook-url", shell)
    assert code == 2
    assert "got '-1001000000099'" in err
    assert emulator.calls == []
    with pytest.raises(SystemExit) as helped:
        cli.main(["smoke", "--help"])
    assert helped.value.code == 0


def record(db: DatabaseSettings, day: date, status: str, error: str | None = None) -> None:
    database = Database(db)
    try:
        database.execute(
            "INSERT INTO report_run (report_date, status, claimed_at, sent_at, last_error)"
            " VALUES (%s, %s, %s, %s, %s)",
            (
                day,
                status,
                datetime(2026, 5, 1),
                datetime(2026, 5, 5, 0, 0, 5) if status == "sent" else None,
                error,
            ),
        )
    finally:
        database.close()


def test_the_digest_checked_is_the_one_due_at_that_hour(db: DatabaseSettings) -> None:
    database = Database(db)
    after = datetime(2026, 5, 5, 0, 45, tzinfo=UTC)  # 07:45 WIB: the digest of 4 May is due
    before = datetime(2026, 5, 5, 0, 10, tzinfo=UTC)  # 07:10 WIB: it may still be on its way; 3 May's is due
    try:
        assert smoke.digest_check(database, WIB, after).verdict == "WARN"  # no digest ever: a new stage
        record(db, date(2026, 5, 3), "sent")
        assert smoke.digest_check(database, WIB, before).line() == (
            "[PASS] Daily digest: digest of 2026-05-03 sent at 2026-05-05 07:00 WIB"
        )
        assert smoke.digest_check(database, WIB, after).line() == (
            "[FAIL] Daily digest: digest of 2026-05-04 is not started; last one sent: 2026-05-03"
        )
        record(db, date(2026, 5, 4), "failed", "TelegramError: Telegram menolak: Chat not found")
        assert smoke.digest_check(database, WIB, after).line() == (
            "[FAIL] Daily digest: digest of 2026-05-04 is failed (TelegramError: Telegram menolak: Chat not "
            "found); last one sent: 2026-05-03"
        )
    finally:
        database.close()
