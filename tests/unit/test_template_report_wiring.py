"""template.yaml after SAM's transform: the daily schedule, the router's wiring and the ReportFunction's
least privilege."""

from __future__ import annotations

import json

import pytest

from tests.unit.test_template_import_wiring import transformed


def test_the_digest_is_scheduled_daily_at_0700_in_the_service_timezone_with_retries_and_a_dlq(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resources = transformed(monkeypatch)["Resources"]
    schedules = [
        r
        for r in resources.values()
        if r["Type"] == "AWS::Scheduler::Schedule"
        and r["Properties"]["Target"]["Arn"] == {"Ref": "ReportFunctionAliaslive"}
        and '"daily"' in r["Properties"]["Target"]["Input"]
    ]
    assert len(schedules) == 1
    schedule = schedules[0]["Properties"]
    assert schedule["ScheduleExpression"] == "cron(0 7 * * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == {"Ref": "ServiceTimezone"}
    target = schedule["Target"]
    assert target["Arn"] == {"Ref": "ReportFunctionAliaslive"}  # SnapStart: the alias
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
    event = json.loads(target["Input"])
    assert event == {
        "source": "sinawai.scheduler",
        "report": "daily",
        "scheduled_time": "<aws.scheduler.scheduled-time>",
    }
    invoke_config = next(
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventInvokeConfig"
        and r["Properties"]["FunctionName"] == {"Ref": "ReportFunction"}
    )
    assert invoke_config["DestinationConfig"]["OnFailure"] == {
        "Destination": {"Fn::GetAtt": ["FailedInvocationsQueue", "Arn"]}
    }


@pytest.mark.parametrize(
    ("kind", "expression", "name"),
    [
        ("weekly", "cron(0 7 ? * MON *)", "sinawai-${Stage}-weekly-digest"),
        ("monthly", "cron(0 7 1-10 * ? *)", "sinawai-${Stage}-monthly-digest"),
    ],
)
def test_the_weekly_digest_runs_on_monday_and_the_monthly_one_on_the_first_ten_days_like_the_daily_one(
    monkeypatch: pytest.MonkeyPatch, kind: str, expression: str, name: str
) -> None:
    resources = transformed(monkeypatch)["Resources"]
    schedules = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Scheduler::Schedule"
        and r["Properties"]["Target"]["Arn"] == {"Ref": "ReportFunctionAliaslive"}
        and json.loads(r["Properties"]["Target"]["Input"]).get("report") == kind
    ]
    assert len(schedules) == 1
    schedule = schedules[0]
    assert schedule["ScheduleExpression"] == expression
    assert schedule["ScheduleExpressionTimezone"] == {"Ref": "ServiceTimezone"}
    assert schedule["Name"] == {"Fn::Sub": name}
    target = schedule["Target"]
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 21600}
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
    assert json.loads(target["Input"]) == {
        "source": "sinawai.scheduler",
        "report": kind,
        "scheduled_time": "<aws.scheduler.scheduled-time>",
    }


def test_the_router_invokes_the_report_function_and_it_writes_only_the_archive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resources = transformed(monkeypatch)["Resources"]
    router = resources["WebhookFunction"]["Properties"]["Environment"]["Variables"]
    assert router["REPORT_FUNCTION_NAME"] == {"Ref": "ReportFunction"}
    policies = json.dumps(resources["WebhookFunctionRole"]["Properties"]["Policies"])
    assert '"Ref": "ReportFunction"' in policies
    statements = [
        s
        for policy in resources["ReportFunctionRole"]["Properties"]["Policies"]
        for s in (policy.get("PolicyDocument") or {"Statement": []})["Statement"]
        if "s3:" in json.dumps(s.get("Action"))
    ]
    # writes only the archive; reads only the published content (the working calendar comes with it)
    assert [s["Action"] for s in statements] == [["s3:PutObject"], "s3:GetObject", "s3:ListBucket"]
    assert statements[0]["Resource"]["Fn::Sub"].endswith(
        "-documents-${AWS::AccountId}-${AWS::Region}/reports/*"
    )
    assert statements[1]["Resource"]["Fn::Sub"].endswith(
        "-documents-${AWS::AccountId}-${AWS::Region}/content/*"
    )
    assert statements[2]["Condition"] == {"StringLike": {"s3:prefix": "content/*"}}


def test_every_schedule_is_named_after_its_stage_so_two_stages_fit_in_one_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resources = transformed(monkeypatch)["Resources"]
    schedules = {k: r for k, r in resources.items() if r["Type"] == "AWS::Scheduler::Schedule"}
    assert len(schedules) >= 2  # the daily digest and the inbox sweep, at least
    for logical_id, schedule in schedules.items():
        name = schedule["Properties"].get("Name")
        assert isinstance(name, dict), f"{logical_id} has no per-stage name"
        assert "${Stage}" in name["Fn::Sub"], f"{logical_id}: {name}"
