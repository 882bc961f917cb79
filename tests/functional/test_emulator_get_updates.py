"""The emulator's getUpdates, as strict as api.telegram.org: what ``sinawai serve`` relies on.

Offset semantics (an update below the offset is confirmed and forgotten; a negative offset keeps the last
ones), ``limit`` clamped to 1-100, ``timeout`` long polling that returns as soon as an update comes,
``allowed_updates`` remembered between calls, and the two 409 Conflicts (a webhook is set; another
getUpdates took over). Raw HTTP, so the exact answers are checked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from local_stack.telegram import RateLimits, TelegramEmulator

TOKEN = "123456:test-token-for-get-updates"
BUDI = 5550001
SITI = 5550002

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
OTHER_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)


@pytest.fixture
def emu() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(TOKEN, rate_limits=RateLimits.disabled()) as emulator:
        emulator.add_user(BUDI, "Budi")
        emulator.add_user(SITI, "Siti")
        yield emulator


def call(emu: TelegramEmulator, method: str, timeout: float = 10.0, **params: Any) -> httpx.Response:
    """One Bot API call (``timeout``: the client's; a long poll's own is the ``poll_seconds`` param)."""
    if "poll_seconds" in params:
        params["timeout"] = params.pop("poll_seconds")
    return httpx.post(f"{emu.base_url}/bot{TOKEN}/{method}", json=params, timeout=timeout)


def poll(emu: TelegramEmulator, **params: Any) -> list[dict[str, Any]]:
    answer = call(emu, "getUpdates", **params)
    assert answer.status_code == 200, answer.text
    result: list[dict[str, Any]] = answer.json()["result"]
    return result


def texts(result: list[dict[str, Any]]) -> list[str]:
    return [u["message"]["text"] for u in result]


def test_an_update_below_the_offset_is_confirmed_and_forgotten(emu: TelegramEmulator) -> None:
    first = emu.send_message(BUDI, "satu")
    emu.send_message(BUDI, "dua")
    assert texts(poll(emu)) == ["satu", "dua"]
    assert texts(poll(emu)) == ["satu", "dua"]  # not confirmed yet: handed out again
    assert texts(poll(emu, offset=first["update_id"] + 1)) == ["dua"]
    assert texts(poll(emu)) == ["dua"]  # "satu" is gone for good, even without an offset
    assert emu.pending_updates()[0]["update_id"] == first["update_id"] + 1


def test_a_negative_offset_keeps_only_the_last_updates(emu: TelegramEmulator) -> None:
    for word in ("satu", "dua", "tiga"):
        emu.send_message(BUDI, word)
    assert texts(poll(emu, offset=-1)) == ["tiga"]
    assert texts(poll(emu)) == ["tiga"]  # the earlier ones were forgotten


def test_limit_is_clamped_between_1_and_100(emu: TelegramEmulator) -> None:
    for n in range(3):
        emu.send_message(BUDI, f"pesan {n}")
    assert texts(poll(emu, limit=2)) == ["pesan 0", "pesan 1"]
    assert texts(poll(emu, limit=0)) == ["pesan 0"]  # Telegram treats 0 as 1
    assert len(poll(emu, limit=1000)) == 3


def test_long_polling_returns_as_soon_as_an_update_comes(emu: TelegramEmulator) -> None:
    sent: list[dict[str, Any]] = []
    timer = threading.Timer(0.3, lambda: sent.append(emu.send_message(SITI, "halo")))
    timer.start()
    result = poll(emu, poll_seconds=20)
    timer.join()
    assert texts(result) == ["halo"]
    assert result[0]["update_id"] == sent[0]["update_id"]


def test_long_polling_without_updates_answers_an_empty_list_after_the_timeout(emu: TelegramEmulator) -> None:
    started = time.monotonic()
    assert poll(emu, poll_seconds=1) == []
    assert time.monotonic() - started >= 0.9  # it waited: the bot does not spin
    assert poll(emu, poll_seconds=0) == []


def test_allowed_updates_is_remembered_between_calls(emu: TelegramEmulator) -> None:
    assert poll(emu, allowed_updates=["callback_query"]) == []
    emu.send_message(BUDI, "tidak diminta")  # a message is not among the allowed kinds: never queued
    assert poll(emu) == []  # no allowed_updates given: the previous setting holds
    assert poll(emu, allowed_updates=["message", "callback_query"]) == []
    emu.send_message(BUDI, "diminta")
    assert texts(poll(emu)) == ["diminta"]
    info = call(emu, "getWebhookInfo").json()["result"]
    assert info["allowed_updates"] == ["message", "callback_query"]


def test_a_bad_allowed_updates_is_refused_and_changes_nothing(emu: TelegramEmulator) -> None:
    poll(emu, allowed_updates=["message"])
    answer = call(emu, "getUpdates", allowed_updates="message")
    assert answer.status_code == 400
    assert answer.json()["description"] == "Bad Request: can't parse allowed_updates JSON object"
    emu.send_message(BUDI, "masih diterima")
    assert texts(poll(emu)) == ["masih diterima"]


def test_get_updates_while_a_webhook_is_set_is_a_409_and_nothing_is_lost(emu: TelegramEmulator) -> None:
    assert call(emu, "setWebhook", url="https://example.invalid/webhook").json()["ok"]
    emu.send_message(BUDI, "menunggu")
    answer = call(emu, "getUpdates")
    assert answer.status_code == 409
    assert answer.json() == {"ok": False, "error_code": 409, "description": WEBHOOK_CONFLICT}
    assert call(emu, "deleteWebhook").json()["ok"]
    assert texts(poll(emu)) == ["menunggu"]


def test_a_second_get_updates_terminates_the_waiting_one_with_a_409(emu: TelegramEmulator) -> None:
    answers: list[httpx.Response] = []
    # the waiting poll asks Telegram to hold it for 5 s
    waiting = threading.Thread(target=lambda: answers.append(call(emu, "getUpdates", poll_seconds=5)))
    waiting.start()
    deadline = time.monotonic() + 5
    while not emu.polling() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert poll(emu, poll_seconds=0) == []
    waiting.join()
    assert answers[0].status_code == 409
    assert answers[0].json() == {"ok": False, "error_code": 409, "description": OTHER_POLL_CONFLICT}


def test_a_held_call_whose_client_hung_up_is_dropped(emu: TelegramEmulator) -> None:
    """The fault ``sinawai serve``'s crash test uses: a reply held in transit dies with its sender."""
    emu.send_message(BUDI, "/start")  # a bot may write to Budi
    emu.delay_next("sendMessage", 0.5, chat_id=BUDI, drop_if_client_gone=True)
    with pytest.raises(httpx.ReadTimeout):
        call(emu, "sendMessage", timeout=0.2, chat_id=BUDI, text="hilang")
    deadline = time.monotonic() + 3
    while emu.held_calls() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert call(emu, "sendMessage", chat_id=BUDI, text="sampai").json()["ok"]
    assert [m.text for m in emu.bot_messages(BUDI)] == ["sampai"]
