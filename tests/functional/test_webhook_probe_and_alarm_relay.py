"""The SetupFunction's 5-minute run probes the webhook, and its SNS subscription relays alarms to Telegram.

Telegram is the Bot API emulator over HTTP; the webhook it delivers to is a closed local port, so its
deliveries fail the way Telegram's do when API Gateway is unreachable (pending updates, a last error). The
metrics are read from the EMF lines the function prints, as CloudWatch reads them. The alarm is the SNS
shape a CloudWatch alarm publishes (events/setup_alarm_sns.json).

Proves: the probe publishes pending updates, the age of the last delivery error and whether the URL is this
stage's, and sees each of them change; the placeholder token calls nothing and publishes nothing; Telegram
refusing getWebhookInfo is a failed probe, not a failed check, and never shows the token; an alarm reaches
the ops chat with its name, states, reason and runbook section, with <, >, &, _ and * intact; no
OPS_CHAT_ID posts nothing and says so; a chat Telegram refuses is dropped, Telegram out of reach is retried.
"""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws

from local_stack.stack import free_port
from local_stack.telegram import TelegramEmulator
from local_stack.telegram_markup import utf16_slice
from sinawai.deploy import probe
from sinawai.deploy.setup import SetupFunction
from sinawai.deploy.telegram_setup import BotApi, TelegramApiError
from tests.emf import emitted, metric_values
from tests.helpers import FakeContext, load_event

REGION: Final = "ap-southeast-3"
TOKEN: Final = "7000000002:AAHtest-token-of-the-probe-emulator_xy"
BUCKET: Final = "sinawai-dev-documents"
EMPLOYEE: Final = 5550901
OPS_CHAT: Final = -1001000000099
SCHEDULED: Final = {"source": "sinawai.setup", "when": "new-token"}


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[TelegramEmulator]:
    with TelegramEmulator(TOKEN) as emu:
        emu.add_user(EMPLOYEE, "Budi")
        emu.add_group(OPS_CHAT, "Sinawai Ops")
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        yield emu


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, emulator: TelegramEmulator) -> Iterator[str]:
    """The setup function's environment; WEBHOOK_URL is a local port nobody listens on."""
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "TELEGRAM_BOT_TOKEN_SECRET_ARN"):
        monkeypatch.delenv(key, raising=False)
    url = f"http://127.0.0.1:{free_port()}/webhook"
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": "Rahasia-webhook-probe-0123456789",
        "DOCUMENTS_BUCKET": BUCKET,
        "WEBHOOK_URL": url,
        "STAFF_GROUP_CHAT_ID": "",
        "MANAGERS_CHAT_ID": "",
        "OPS_CHAT_ID": str(OPS_CHAT),
        "SERVICE_TIMEZONE": "Asia/Jakarta",
        "POWERTOOLS_METRICS_NAMESPACE": "Sinawai",
        "POWERTOOLS_SERVICE_NAME": "sinawai-setup",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def setup(env: str, clock: Clock, tmp_path: Path) -> SetupFunction:
    return SetupFunction(tmp_path / "no-content", probe=probe.WebhookProbe(clock=clock))


def wait_failed_delivery(emu: TelegramEmulator, update_id: int) -> None:
    deadline = time.monotonic() + 5
    while not any(d.update_id == update_id and not d.ok for d in emu.delivery_log()):
        assert time.monotonic() < deadline, "the emulator never tried to deliver the update"
        time.sleep(0.02)


def probe_metrics(out: str) -> dict[str, Any]:
    """The probe's one EMF line: its metrics, and namespace/dimensions/metadata checked on the way."""
    lines = [e for e in emitted(out) if "WebhookProbeFailed" in e.metrics]
    assert len(lines) == 1, out
    line = lines[0]
    assert line.namespace == "Sinawai"
    assert line.dimensions == {"service": "sinawai-setup"}
    return {**line.metrics, **line.properties}


# ---- the probe ------------------------------------------------------------------------------------------


def test_the_five_minute_run_publishes_what_telegram_says_about_the_webhook(
    setup: SetupFunction,
    env: str,
    emulator: TelegramEmulator,
    clock: Clock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the first run sets the bot up, then finds a healthy webhook: ours, nothing pending, no error
    answer = setup.handle(SCHEDULED, FakeContext())
    assert answer["ok"] is True, answer
    assert answer["probe"]["url_is_ours"] is True
    healthy = probe_metrics(capsys.readouterr().out)
    assert healthy == {
        "WebhookPendingUpdates": 0,
        "WebhookLastErrorAgeSeconds": probe.NO_ERROR_AGE_SECONDS,
        "WebhookUrlIsOurs": 1,
        "WebhookProbeFailed": 0,
    }

    # API Gateway unreachable: an employee's message stays with Telegram, its delivery failed just now
    update = emulator.send_message(EMPLOYEE, "/start")
    wait_failed_delivery(emulator, update["update_id"])
    assert setup.handle(SCHEDULED, FakeContext())["skipped"] == "already set up for this token"
    failing = probe_metrics(capsys.readouterr().out)
    assert failing["WebhookPendingUpdates"] == 1
    assert 0 <= failing["WebhookLastErrorAgeSeconds"] < 60
    assert failing["WebhookUrlIsOurs"] == 1
    assert failing["last_error_message"] == "Connection refused"
    assert [c.method for c in emulator.calls_to("setWebhook")] == ["setWebhook"]  # not set up again

    # an hour later the error is old news; someone pointed the bot at another URL meanwhile
    other = f"http://127.0.0.1:{free_port()}/elsewhere"
    failures = sum(1 for d in emulator.delivery_log() if not d.ok)
    BotApi(TOKEN, emulator.base_url).call("setWebhook", {"url": other})
    # the pending update is tried at the new URL too (closed as well): wait for that failure, or a loaded
    # machine probes before it and sees no error at all
    deadline = time.monotonic() + 5
    while sum(1 for d in emulator.delivery_log() if not d.ok) <= failures:
        assert time.monotonic() < deadline, "the emulator never tried the new URL"
        time.sleep(0.02)
    clock.offset = 3600
    answer = setup.handle(SCHEDULED, FakeContext())
    assert answer["probe"]["url_is_ours"] is False
    moved = probe_metrics(capsys.readouterr().out)
    assert moved["WebhookUrlIsOurs"] == 0
    assert moved["webhook_url"] == other
    assert 3600 <= moved["WebhookLastErrorAgeSeconds"] < 3660
    assert emulator.calls_to("getWebhookInfo")[-1].ok


def test_the_placeholder_token_probes_nothing_and_publishes_nothing(
    setup: SetupFunction,
    emulator: TelegramEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "set-me-from-botfather")
    assert setup.handle(SCHEDULED, FakeContext()) == {"ok": False, "skipped": "the bot token is not set yet"}
    assert emulator.calls == []
    assert emitted(capsys.readouterr().out) == []


def test_telegram_refusing_get_webhook_info_is_a_failed_probe_not_a_failed_check(
    setup: SetupFunction,
    emulator: TelegramEmulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert setup.handle(SCHEDULED, FakeContext())["ok"] is True
    capsys.readouterr()
    emulator.fail_next("getWebhookInfo", error_code=502)
    answer = setup.handle(SCHEDULED, FakeContext())
    assert answer["skipped"] == "already set up for this token"
    assert answer["probe"] == {"error": "Telegram refused getWebhookInfo (502): Bad Gateway"}
    out = capsys.readouterr().out
    assert metric_values(out, "WebhookProbeFailed") == [1]
    assert metric_values(out, "WebhookUrlIsOurs") == []  # nothing known: no value rather than a wrong one
    assert TOKEN not in out
    assert TOKEN not in json.dumps(answer)


# ---- the alarm relay ------------------------------------------------------------------------------------

TRICKY_REASON: Final = (
    "Threshold Crossed: 2 datapoints [3.0 (05/05/26 00:31:00)] were > the threshold (0.0) & <b>not</b> "
    "< 1; metric DLQ_depth*2 in sinawai_prod"
)


def alarm_event(**changes: Any) -> dict[str, Any]:
    """The sample SNS event of a CloudWatch alarm with some of its message's fields changed."""
    event = copy.deepcopy(load_event("setup_alarm_sns"))
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    message.update(changes)
    event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    return event


def test_an_alarm_reaches_the_ops_chat_with_its_runbook_section_and_every_character_intact(
    setup: SetupFunction, emulator: TelegramEmulator
) -> None:
    event = alarm_event(
        AlarmName="sinawai-prod_dlq*not-empty<&>",
        NewStateReason=TRICKY_REASON,
    )
    assert setup.handle(event, FakeContext()) == {"relayed": 1, "dropped": 0}
    [posted] = emulator.bot_messages(OPS_CHAT)
    assert posted.text is not None
    lines = posted.text.split("\n")
    assert lines[0] == "🔴 ALARM: sinawai-prod_dlq*not-empty<&>"
    assert lines[1] == "Status: OK → ALARM pada 05-05-2026 07:36 WIB"
    assert lines[2] == (
        "Arti: Failed invocations of a function wait in FailedInvocationsQueue (messages > 0 & <1 h old); "
        "replay them with `sinawai dlq redrive` once fixed"
    )
    assert lines[3] == f"Penyebab: {TRICKY_REASON}"
    assert lines[4] == "Runbook: docs/runbook.md#dlq"
    # the markup Telegram parsed: the state in bold, the alarm's name as code
    kinds = {(e["type"], utf16_slice(posted.text, e["offset"], e["length"])) for e in posted.entities}
    assert ("bold", "ALARM") in kinds
    assert ("code", "sinawai-prod_dlq*not-empty<&>") in kinds

    # back to OK: the same alarm says it recovered
    setup.handle(
        alarm_event(NewStateValue="OK", OldStateValue="ALARM", NewStateReason="1 datapoint [0.0] < 0.5"),
        FakeContext(),
    )
    recovered = emulator.bot_messages(OPS_CHAT)[-1].text or ""
    assert recovered.startswith("✅ PULIH (OK): sinawai-prod-dlq-FailedInvocationsQueue-not-empty\n")
    assert "Status: ALARM → OK" in recovered


def test_the_runbook_section_is_a_link_when_the_runbook_s_address_is_known(
    setup: SetupFunction, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNBOOK_URL", "https://git.example.go.id/osdm/sinawai/blob/main/docs/runbook.md")
    setup.handle(alarm_event(AlarmDescription="Webhook errors. Runbook: docs/runbook.md#webhook-probe"), None)
    posted = emulator.bot_messages(OPS_CHAT)[-1]
    links = [e["url"] for e in posted.entities if e["type"] == "text_link"]
    assert links == ["https://git.example.go.id/osdm/sinawai/blob/main/docs/runbook.md#webhook-probe"]


def test_a_notification_that_is_not_an_alarm_is_posted_as_its_subject_and_text(
    setup: SetupFunction, emulator: TelegramEmulator
) -> None:
    event = load_event("setup_alarm_sns")
    event["Records"][0]["Sns"].update({"Subject": "Uji <topik> & co", "Message": "halo *ops* _semua_"})
    assert setup.handle(event, FakeContext()) == {"relayed": 1, "dropped": 0}
    assert emulator.bot_messages(OPS_CHAT)[-1].text == "🔔 Uji <topik> & co\nhalo *ops* _semua_"


def test_without_ops_chat_id_nothing_is_posted_and_the_log_says_so(
    setup: SetupFunction,
    emulator: TelegramEmulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("OPS_CHAT_ID", "")
    with caplog.at_level(logging.INFO, logger="sinawai"):
        answer = setup.handle(load_event("setup_alarm_sns"), FakeContext())
    assert answer == {"relayed": 0, "skipped": "OPS_CHAT_ID is not set"}
    assert emulator.calls == []
    assert "OPS_CHAT_ID is not set: 1 notification(s) not posted" in caplog.text

    monkeypatch.setenv("OPS_CHAT_ID", "grup-ops")
    with caplog.at_level(logging.INFO, logger="sinawai"):
        setup.handle(load_event("setup_alarm_sns"), FakeContext())
    assert emulator.calls == []
    assert "OPS_CHAT_ID is not a Telegram chat id ('grup-ops')" in caplog.text


def test_a_chat_telegram_refuses_is_dropped_and_telegram_out_of_reach_is_retried(
    setup: SetupFunction, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPS_CHAT_ID", "-1009999999999")  # the bot is in no such chat
    assert setup.handle(load_event("setup_alarm_sns"), FakeContext()) == {"relayed": 0, "dropped": 1}
    assert emulator.calls_to("sendMessage")[-1].description == "Bad Request: chat not found"

    monkeypatch.setenv("OPS_CHAT_ID", str(OPS_CHAT))
    emulator.fail_next("sendMessage", error_code=500)
    with pytest.raises(TelegramApiError) as raised:  # Lambda retries the SNS notification
        setup.handle(load_event("setup_alarm_sns"), FakeContext())
    assert raised.value.code == 500
    assert emulator.bot_messages(OPS_CHAT) == []
    assert setup.handle(load_event("setup_alarm_sns"), FakeContext()) == {"relayed": 1, "dropped": 0}
