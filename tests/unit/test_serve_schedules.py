"""``sinawai serve``'s schedules: one table that covers every schedule of template.yaml (same expression,
same event, same timezone), and EventBridge's expressions read as EventBridge reads them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from local_stack.template import load_template
from sinawai.onprem import schedules
from sinawai.onprem.schedules import NOT_ON_ONE_SERVER, RULE_EVENT, SCHEDULES, ExpressionError, next_due
from tests.helpers import ROOT

JAKARTA = ZoneInfo("Asia/Jakarta")
UTC_ZONE = ZoneInfo("UTC")


def template_schedules() -> list[tuple[str, str, dict[str, Any], bool]]:
    """(function, expression, event, zoned) of every schedule event of every function in the template."""
    found = []
    for name, resource in load_template(ROOT / "template.yaml")["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event in (resource["Properties"].get("Events") or {}).values():
            props = event.get("Properties") or {}
            if event["Type"] == "Schedule":
                raw = props.get("Input")
                found.append((name, props["Schedule"], json.loads(raw) if raw else dict(RULE_EVENT), False))
            elif event["Type"] == "ScheduleV2":
                raw = props.get("Input")
                zoned = "ScheduleExpressionTimezone" in props
                found.append((name, props["ScheduleExpression"], json.loads(raw) if raw else {}, zoned))
    return found


def test_every_schedule_of_the_template_runs_in_serve_or_says_why_not() -> None:
    in_template = template_schedules()
    assert len(in_template) >= 9  # the sweep, the purge, the digests, the SLA list...
    served = {(s.function, s.expression): s for s in SCHEDULES}
    for function, expression, event, zoned in in_template:
        if (function, expression) in NOT_ON_ONE_SERVER:
            continue
        schedule = served.get((function, expression))
        assert schedule is not None, f"{function} {expression} has no in-process timer in sinawai serve"
        assert dict(schedule.event) == event, schedule.name
        assert schedule.zoned == zoned, f"{schedule.name}: SERVICE_TIMEZONE or UTC as the template says"
    # and nothing in the table that the template does not have
    template_keys = {(f, e) for f, e, _, _ in in_template}
    assert set(served) <= template_keys
    assert set(NOT_ON_ONE_SERVER) <= template_keys
    assert len({s.name for s in SCHEDULES}) == len(SCHEDULES)


def test_daily_digest_is_at_seven_in_the_service_timezone() -> None:
    digest = schedules.by_name("daily-digest")
    after = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 07:30 in Jakarta: today's went already
    assert digest.next_after(after, JAKARTA) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    just_before = datetime(2026, 11, 29, 23, 59, 59, tzinfo=UTC)  # 06:59:59 WIB
    assert digest.next_after(just_before, JAKARTA) == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


def test_sla_list_weekly_and_monthly_expressions() -> None:
    monday_after_eight = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB
    assert schedules.by_name("sla-morning-list").next_after(monday_after_eight, JAKARTA) == datetime(
        2026, 12, 1, 0, 45, tzinfo=UTC
    )
    assert schedules.by_name("weekly-digest").next_after(monday_after_eight, JAKARTA) == datetime(
        2026, 12, 7, 0, 0, tzinfo=UTC
    )  # next Monday
    the_tenth = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)
    assert schedules.by_name("monthly-digest").next_after(the_tenth, JAKARTA) == datetime(
        2027, 1, 1, 0, 0, tzinfo=UTC
    )  # days 1-10 only
    assert schedules.by_name("retention-purge").next_after(monday_after_eight, JAKARTA) == datetime(
        2026, 11, 30, 18, 30, tzinfo=UTC
    )  # 01:30 WIB


def test_rates_fire_on_the_multiples_of_their_period() -> None:
    at = datetime(2026, 11, 30, 9, 7, 30, tzinfo=UTC)
    assert next_due("rate(5 minutes)", at, UTC_ZONE) == datetime(2026, 11, 30, 9, 10, tzinfo=UTC)
    assert next_due("rate(15 minutes)", at, UTC_ZONE) == datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
    exactly = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
    assert next_due("rate(15 minutes)", exactly, UTC_ZONE) == datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    assert next_due("rate(1 hour)", at, UTC_ZONE) == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def test_the_event_carries_the_scheduled_time_as_eventbridge_puts_it() -> None:
    due = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert schedules.by_name("daily-digest").event_for(due) == {
        "source": "sinawai.scheduler",
        "report": "daily",
        "scheduled_time": "2026-12-01T00:00:00Z",
    }
    sweep = schedules.by_name("consultation-sweep").event_for(due)
    assert sweep["source"] == "aws.events"
    assert sweep["detail-type"] == "Scheduled Event"


@pytest.mark.parametrize(
    "expression",
    [
        "rate(0 minutes)",
        "rate(5 weeks)",
        "cron(0 7 * *)",
        "cron(61 7 * * ? *)",
        "cron(0 7 * * XYZ *)",
        "at(x)",
    ],
)
def test_expressions_it_cannot_read_are_refused(expression: str) -> None:
    with pytest.raises(ExpressionError):
        next_due(expression, datetime(2026, 11, 30, tzinfo=UTC), UTC_ZONE)
