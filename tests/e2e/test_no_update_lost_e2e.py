"""No update is ever lost (issue 10, items 7 and 8), end to end with faults injected.

The module runs its own stack, shaped like AWS in the one way that matters here: Lambda retries a failed
asynchronous invocation only after its claim's lease has ended (in AWS a minute later, against a 30 s
timeout plus a 10 s margin). Here the functions time out after 3 s, the lease margin is 1 s and the
retries come 5 s apart, so the same race plays out in seconds.

Faults tried: Telegram's 429 with a long retry_after twice in a row; a Telegram call that hangs past the
function's timeout; a worker process killed in the middle of an update; an update whose every attempt
fails (dead letter) and its re-drive; a dispatch that never happened and a claim whose worker vanished
with its retries (the sweep); and all of them at once over many updates.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import RateLimits
from sinawai.platform import updates
from sinawai.platform.db import Database
from tests.helpers import fresh_database, load_event, query

pytestmark = pytest.mark.e2e

TIMEOUT = 3.0
RETRY_DELAY = 5.0
FUNCTIONS = ("GeneralFunction", "RegistrationFunction", "InformationFunction", "ConsultationFunction")
_next_user = iter(range(5_581_000, 5_582_000))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("fault-logs")
    with fresh_database("sinawai_e2e_faults") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            bucket="sinawai-e2e-faults",
            instances_per_function=3,
            extra_env={"CLAIM_LEASE_MARGIN_SECONDS": "1"},
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
            async_retry_delays=(RETRY_DELAY, RETRY_DELAY),
            function_timeouts=dict.fromkeys(FUNCTIONS, TIMEOUT),
        )
        with LocalStack(config) as local:
            yield local


def new_user(stack: LocalStack) -> int:
    user = next(_next_user)
    stack.telegram.add_user(user, "Pegawai")
    return user


def settle(stack: LocalStack) -> None:
    """Wait until every invocation, retry and dead letter has happened."""
    stack.wait_idle(timeout=60)


def replies(stack: LocalStack, user: int) -> list[str]:
    return [m.text or "" for m in stack.telegram.bot_messages(user)]


def inbox(stack: LocalStack, update: dict[str, Any]) -> dict[str, Any]:
    rows = query(
        stack.config.database,
        "SELECT status, attempts, request_id FROM update_inbox WHERE update_id = %s",
        (update["update_id"],),
    )
    return rows[0]


def sweep(stack: LocalStack) -> dict[str, int]:
    """What EventBridge Scheduler does every 5 minutes: run the router's sweep."""
    assert stack.runtime is not None
    event = json.dumps(load_event("webhook_inbox_sweep")).encode()
    result = stack.runtime.invoke("WebhookFunction", event)
    assert result.function_error is None, result.payload
    answer: dict[str, int] = json.loads(result.payload)
    return answer


# ---- 7. a worker that times out or crashes --------------------------------------------------------------


def test_an_update_whose_429_waits_would_pass_the_timeout_is_answered_by_lambdas_retry(
    stack: LocalStack,
) -> None:
    user = new_user(stack)
    # Telegram asks twice to wait 2 s: together longer than the function may run. The worker stops
    # waiting before its deadline, fails cleanly, and Lambda's retry answers.
    stack.telegram.fail_next("sendMessage", count=2, error_code=429, retry_after=2, chat_id=user)
    update = stack.telegram.send_message(user, "/tentang")
    settle(stack)
    assert any("Sinawai" in text for text in replies(stack, user))
    assert inbox(stack, update)["status"] == "done"


def test_an_update_whose_worker_timed_out_is_answered_by_lambdas_retry_after_the_lease(
    stack: LocalStack,
) -> None:
    user = new_user(stack)
    stack.telegram.delay_next("sendMessage", TIMEOUT + 1, chat_id=user)  # outlives the function
    update = stack.telegram.send_message(user, "/tentang")
    settle(stack)
    row = inbox(stack, update)
    assert row["status"] == "done"
    assert row["attempts"] == 2
    assert row["request_id"], "the claim records which invocation holds it"
    assert any("Sinawai" in text for text in replies(stack, user))


def test_an_update_whose_worker_crashed_is_answered_by_lambdas_retry(stack: LocalStack) -> None:
    assert stack.runtime is not None
    user = new_user(stack)
    stack.telegram.delay_next("sendMessage", 2.0, chat_id=user)
    update = stack.telegram.send_message(user, "/bantuan")
    deadline = time.monotonic() + 10
    while not stack.telegram.calls_to("sendMessage") or not stack.runtime.crash("GeneralFunction"):
        assert time.monotonic() < deadline, "the worker never got busy"
        time.sleep(0.05)
    settle(stack)
    assert inbox(stack, update)["status"] == "done"
    assert any("/menu" in text for text in replies(stack, user))


def test_the_sweep_dispatches_an_update_that_was_recorded_and_never_dispatched(stack: LocalStack) -> None:
    user = new_user(stack)
    stack.telegram.send_message(user, "/start")  # the chat exists: the bot may write to it
    settle(stack)
    update = {
        "update_id": 990_000_001,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user, "type": "private", "first_name": "Pegawai"},
            "from": {"id": user, "is_bot": False, "first_name": "Pegawai"},
            "text": "/tentang",
            "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
        },
    }
    # The router recorded it and died before the invoke; Telegram got no answer and gave up.
    db = Database(stack.config.database)
    updates.record_update(db, update, group="general", chat_id=user, status="received")
    db.execute("UPDATE update_inbox SET received_at = received_at - INTERVAL 3 MINUTE WHERE update_id = %s",
               (update["update_id"],))  # fmt: skip
    db.close()
    assert sweep(stack)["redispatched"] == 1
    settle(stack)
    assert inbox(stack, update)["status"] == "done", inbox(stack, update)
    assert any("Sinawai" in text for text in replies(stack, user)), replies(stack, user)
    assert sweep(stack)["redispatched"] == 0  # nothing left: a second sweep does nothing


def test_the_sweep_takes_over_a_claim_whose_worker_and_retries_are_gone(stack: LocalStack) -> None:
    user = new_user(stack)
    update = stack.telegram.send_message(user, "/tentang")
    settle(stack)
    before = len(replies(stack, user))
    # As if the worker had died and Lambda's retries were lost with it: claimed, its lease long over.
    query(
        stack.config.database,
        "UPDATE update_inbox SET status = 'processing', attempts = 1, finished_at = NULL,"
        " lease_until = UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE WHERE update_id = %s",
        (update["update_id"],),
    )
    assert sweep(stack)["redispatched"] == 1
    settle(stack)
    assert inbox(stack, update)["status"] == "done"
    assert len(replies(stack, user)) == before + 1


# ---- 8. an operator re-drive --------------------------------------------------------------------------


def test_a_dead_lettered_update_is_processed_once_more_on_an_explicit_replay(stack: LocalStack) -> None:
    assert stack.runtime is not None
    user = new_user(stack)
    letters_before = len(stack.runtime.dead_letters)
    stack.telegram.fail_next("sendMessage", count=3, error_code=500, chat_id=user)
    update = stack.telegram.send_message(user, "/tentang")
    settle(stack)
    assert inbox(stack, update)["status"] == "failed"
    (letter,) = stack.runtime.dead_letters[letters_before:]
    # The same event again is a duplicate (Lambda's at-least-once delivery must never run it twice) ...
    stack.runtime.invoke(letter.function, letter.payload)
    assert inbox(stack, update)["status"] == "failed"
    assert not any("Sinawai" in text for text in replies(stack, user))
    # ... an operator's re-drive says so explicitly, and it runs once.
    replay = json.dumps({**json.loads(letter.payload), "replay": True}).encode()
    stack.runtime.invoke(letter.function, replay)
    assert inbox(stack, update)["status"] == "done"
    stack.runtime.invoke(letter.function, replay)  # a second re-drive of a done update does nothing
    assert sum("Sinawai" in text for text in replies(stack, user)) == 1


# ---- all of it at once ---------------------------------------------------------------------------------


def test_a_fault_injection_run_loses_no_update(stack: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    """Many employees at once while Telegram slows down, refuses, hangs and workers die: every update is
    answered (after the sweep that the schedule runs)."""
    assert stack.runtime is not None
    users = [new_user(stack) for _ in range(12)]
    for i, user in enumerate(users):
        if i % 4 == 0:
            stack.telegram.fail_next("sendMessage", count=2, error_code=429, retry_after=2, chat_id=user)
        elif i % 4 == 1:
            stack.telegram.delay_next("sendMessage", TIMEOUT + 1, chat_id=user)
        elif i % 4 == 2:
            stack.telegram.fail_next("sendMessage", count=1, error_code=500, chat_id=user)
    updates = []
    for user in users:
        for text in ("/tentang", "/bantuan", "/menu"):
            updates.append(stack.telegram.send_message(user, text))
    stop = threading.Event()

    def crash_now_and_then() -> None:
        while not stop.wait(1.5):
            stack.runtime.crash("GeneralFunction")  # type: ignore[union-attr]

    killer = threading.Thread(target=crash_now_and_then)
    killer.start()
    time.sleep(4)
    stop.set()
    killer.join()
    settle(stack)
    sweep(stack)  # what the 5-minute schedule would do for anything the retries did not finish
    settle(stack)
    statuses = [inbox(stack, u)["status"] for u in updates]
    unanswered = [u for u in users if len(stack.telegram.bot_messages(u)) < 3]
    lost = sum(s != "done" for s in statuses)
    with capsys.disabled():
        print(f"\nfault injection: {len(updates)} updates, {lost} lost, {len(unanswered)} users unanswered")
    assert lost == 0
    assert unanswered == []
