"""A worker that cannot even record its failure (MySQL gone at that moment) does not lose its update.

GeneralFunction's handler in process, real MariaDB behind a TCP forwarder the test cuts, the Telegram
emulator over HTTP. Lambda's retry of the same invocation (same request id) comes after the claim's lease
(in AWS a minute later; here the worker says it has 1 s left and the margin is 1 s).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from local_stack.telegram import TelegramEmulator
from sinawai.general.handlers import register as register_general
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.errors import ClaimBusyError, DatabaseUnavailableError
from sinawai.router.commands import GENERAL
from sinawai.telegram.runtime import GroupFunction
from tests.helpers import BOT_TOKEN, FakeContext, db_env, load_event, query
from tests.tcp_proxy import TcpProxy

BUDI = 5550001


def general_function() -> GroupFunction:
    """GeneralFunction as Lambda builds it, from the environment the test has set."""
    return GroupFunction(GENERAL, register_general)


class ShortContext(FakeContext):
    """An invocation with one second left: its claim's lease is 1 s plus the margin."""

    def get_remaining_time_in_millis(self) -> int:
        return 1_000


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(BUDI, "Budi")
        emu.send_message(BUDI, "/start")
        yield emu


@pytest.fixture
def proxy(db: DatabaseSettings) -> Iterator[TcpProxy]:
    with TcpProxy(db.host, db.port) as forwarder:
        yield forwarder


@pytest.fixture
def general(
    db: DatabaseSettings, emulator: TelegramEmulator, proxy: TcpProxy, monkeypatch: pytest.MonkeyPatch
) -> GroupFunction:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DB_PORT", str(proxy.port))
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("CLAIM_LEASE_MARGIN_SECONDS", "1")
    return general_function()


def test_a_failure_that_could_not_be_recorded_is_processed_by_lambdas_retry_after_the_lease(
    general: GroupFunction, emulator: TelegramEmulator, proxy: TcpProxy, db: DatabaseSettings
) -> None:
    event = load_event("general_tentang")
    # Telegram is slow and then fails the reply; while it is slow, MySQL goes away.
    emulator.delay_next("sendMessage", 1.0, chat_id=BUDI)
    emulator.fail_next("sendMessage", error_code=500, chat_id=BUDI)
    threading.Timer(0.5, proxy.cut).start()
    with pytest.raises(DatabaseUnavailableError):
        general.lambda_handler(event, ShortContext())  # the failure could not be recorded
    row = query(db, "SELECT status, attempts FROM update_inbox")[0]
    assert (row["status"], row["attempts"]) == ("processing", 1)  # as the worker left it

    proxy.restore()
    # A duplicate delivery of the same attempt inside the lease is sent back to be retried later ...
    with pytest.raises(ClaimBusyError):
        general.lambda_handler(event, ShortContext())
    # ... and Lambda's retry, after the lease, answers.
    time.sleep(2.2)
    assert general.lambda_handler(event, ShortContext())["status"] == "done"
    assert "Tentang Sinawai" in (emulator.bot_messages(BUDI)[-1].text or "")
    row = query(db, "SELECT status, attempts FROM update_inbox")[0]
    assert (row["status"], row["attempts"]) == ("done", 2)
