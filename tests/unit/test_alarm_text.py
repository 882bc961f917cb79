"""The alarm relay's text, without Telegram: the runbook section named in a description, the states, the
time in WIB, the escaping and the length of what CloudWatch can put in an alarm."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from sinawai.deploy.alarm_relay import AlarmNotice, is_sns_event, other_text, runbook_section
from tests.helpers import load_event

WIB = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("description", "section"),
    [
        ("Messages wait in the queue. Runbook: docs/runbook.md#dlq", "dlq"),
        ("Webhook errors; see docs/runbook.md#webhook-probe.", "webhook-probe"),
        ("runbook #digest-missing", "digest-missing"),
        ("RUNBOOK: DOCS/RUNBOOK.MD#Stuck-Updates", "stuck-updates"),
        ("No section named here", None),
        ("", None),
    ],
)
def test_the_runbook_section_is_read_from_the_description(description: str, section: str | None) -> None:
    assert runbook_section(description) == section


def notice(**changes: object) -> AlarmNotice:
    message = json.loads(load_event("setup_alarm_sns")["Records"][0]["Sns"]["Message"])
    message.update(changes)
    parsed = AlarmNotice.from_message(json.dumps(message))
    assert parsed is not None
    return parsed


def test_the_sample_alarm_reads_as_the_ops_team_needs_it() -> None:
    assert is_sns_event(load_event("setup_alarm_sns"))
    assert not is_sns_event({"source": "sinawai.setup", "when": "new-token"})
    text = notice().text(WIB)
    assert text.split("\n") == [
        "🔴 <b>ALARM</b>: <code>sinawai-prod-dlq-FailedInvocationsQueue-not-empty</code>",
        "Status: OK → ALARM pada 05-05-2026 07:36 WIB",
        "Arti: Failed invocations of a function wait in FailedInvocationsQueue "
        "(messages &gt; 0 &amp; &lt;1 h old); replay them with `sinawai dlq redrive` once fixed",
        "Penyebab: Threshold Crossed: 1 out of the last 1 datapoints [3.0 (05/05/26 00:31:00)] was greater "
        "than the threshold (0.0) (minimum 1 datapoint for OK -&gt; ALARM transition).",
        "Runbook: <code>docs/runbook.md#dlq</code>",
    ]


def test_states_without_a_section_a_null_description_and_an_odd_time_still_make_a_text() -> None:
    text = notice(NewStateValue="INSUFFICIENT_DATA", AlarmDescription=None, StateChangeTime="kemarin").text(
        WIB
    )
    assert text.split("\n")[:2] == [
        "⚪ <b>DATA KURANG (INSUFFICIENT_DATA)</b>: "
        "<code>sinawai-prod-dlq-FailedInvocationsQueue-not-empty</code>",
        "Status: OK → INSUFFICIENT_DATA",
    ]
    assert "Runbook" not in text
    alarm = notice(AlarmDescription="Something is wrong.").text(WIB)
    assert alarm.endswith(
        "Runbook: lihat <code>docs/runbook.md</code> (deskripsi alarm tidak menyebut bagian)"
    )


def test_long_fields_are_cut_so_the_text_fits_one_telegram_message() -> None:
    text = notice(AlarmDescription="d" * 1024, NewStateReason="r" * 5000, AlarmName="n" * 255).text(WIB)
    assert len(text) < 4096
    assert "…" in text
    assert other_text("s" * 500, "m" * 9000).count("…") == 2


def test_a_message_that_is_not_an_alarm_is_not_taken_for_one() -> None:
    assert AlarmNotice.from_message("hello") is None
    assert AlarmNotice.from_message('{"AlarmName": "x"}') is None
    assert AlarmNotice.from_message("[1, 2]") is None
