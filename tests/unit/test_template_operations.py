"""The stage's operations in the template (issue 13 items 1, 3, 4, 5): after SAM's transform, every queue
where work can die has an alarm, every alarm says what it means and which runbook section to open and
reaches the stage's topic, failed async invocations land where `sinawai dlq` reads them, the dashboard is
valid and its URL an output, and the API's access log holds no request body."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.helpers import ROOT
from tests.unit.test_template_import_wiring import transformed
from tests.unit.test_template_profiles import PRODUCTION, Profile, nested

RUNBOOK_LINK = re.compile(r"Runbook: docs/runbook\.md#([a-z0-9-]+)$")
ASYNC_FUNCTIONS = {
    "GeneralFunction",
    "RegistrationFunction",
    "ConsultationFunction",
    "InformationFunction",
    "DocumentsFunction",
    "ReportFunction",
    "ImportFunction",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    mp = pytest.MonkeyPatch()
    try:
        return transformed(mp)
    finally:
        mp.undo()


def alarms(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: r["Properties"] for n, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}


def test_every_queue_where_work_can_die_has_an_alarm(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    dead_letter_queues = {
        n
        for n, r in resources.items()
        if r["Type"] == "AWS::SQS::Queue" and ("DeadLetter" in n or n == "FailedInvocationsQueue")
    }
    assert dead_letter_queues == {
        "FailedInvocationsQueue",
        "DeadLetterQueue",
        "BroadcastDeadLetterQueue",
        "StaffDeliveryDeadLetterQueue",
        "ImportDeadLetterQueue",
    }
    watched = {
        a["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for a in alarms(resources).values()
        if a.get("Namespace") == "AWS/SQS" and a["MetricName"] == "ApproximateNumberOfMessagesVisible"
    }
    assert watched == dead_letter_queues
    for a in alarms(resources).values():
        if a.get("Namespace") == "AWS/SQS":
            assert a["Threshold"] == 0
            assert a["ComparisonOperator"] == "GreaterThanThreshold"


def test_every_function_has_an_errors_and_throttles_alarm(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    functions = {n for n, r in resources.items() if r["Type"] == "AWS::Lambda::Function"}
    watched = set()
    for a in alarms(resources).values():
        for m in a.get("Metrics", []):
            stat = m.get("MetricStat")
            if stat and stat["Metric"]["Namespace"] == "AWS/Lambda":
                watched.add((stat["Metric"]["Dimensions"][0]["Value"]["Ref"], stat["Metric"]["MetricName"]))
    # the migration runs inside a deploy: its failure is the deploy's failure, seen at once
    for function in functions - {"MigrateFunction"}:
        assert (function, "Errors") in watched, function
        assert (function, "Throttles") in watched, function


def test_every_alarm_says_what_it_means_names_its_runbook_section_and_reaches_the_topic(
    template: dict[str, Any],
) -> None:
    database = nested("infra/cloudformation/database.yaml", {"AlarmTopicArn": "arn:aws:sns:x:1:t"})
    network = nested("infra/cloudformation/network.yaml", {"NatMode": "instance"})
    everything = {**alarms(template["Resources"]), **alarms(database.resources), **alarms(network.resources)}
    assert len(everything) >= 25
    for name, alarm in everything.items():
        description = alarm["AlarmDescription"]
        assert RUNBOOK_LINK.search(description), f"{name}: {description}"
        assert len(description) <= 1024, name  # CloudWatch's limit
        if name == "NatInstanceRecovery":
            continue  # its action is EC2's recovery, not a page
        assert alarm["AlarmActions"] in ([{"Ref": "AlarmTopic"}], [{"Ref": "AlarmTopicArn"}]), name


def test_every_runbook_section_an_alarm_names_exists(template: dict[str, Any]) -> None:
    runbook = (ROOT / "docs" / "runbook.md").read_text()
    anchors = set(re.findall(r"^#+ .*\{#([a-z0-9-]+)\}|^<a id=\"([a-z0-9-]+)\"", runbook, re.MULTILINE))
    present = {a for pair in anchors for a in pair if a} | {
        re.sub(r"[^a-z0-9 -]", "", h.lower()).strip().replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", runbook, re.MULTILINE)
    }
    database = nested("infra/cloudformation/database.yaml", {"AlarmTopicArn": "arn:aws:sns:x:1:t"})
    network = nested("infra/cloudformation/network.yaml", {"NatMode": "instance"})
    named = {
        RUNBOOK_LINK.search(a["AlarmDescription"]).group(1)  # type: ignore[union-attr]
        for a in {
            **alarms(template["Resources"]),
            **alarms(database.resources),
            **alarms(network.resources),
        }.values()
    }
    assert named - present == set(), f"runbook sections missing: {sorted(named - present)}"


def test_failed_async_invocations_go_to_the_queue_sinawai_dlq_reads(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    configs = {
        r["Properties"]["FunctionName"]["Ref"]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventInvokeConfig"
    }
    assert set(configs) >= ASYNC_FUNCTIONS
    for function in ASYNC_FUNCTIONS:
        config = configs[function]
        assert config["MaximumRetryAttempts"] == 2
        assert config["DestinationConfig"]["OnFailure"]["Destination"] == {
            "Fn::GetAtt": ["FailedInvocationsQueue", "Arn"]
        }
        policies = json.dumps(resources[f"{function}Role"]["Properties"]["Policies"])
        assert "sqs:SendMessage" in policies
        assert "FailedInvocationsQueue" in policies
    # no function keeps the old shared DLQ: one place to look
    assert not any(
        "DeadLetterConfig" in r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Function"
    )


def test_the_alarms_reach_email_and_the_ops_chat_only_when_configured(template: dict[str, Any]) -> None:
    quiet = Profile(template, PRODUCTION)
    assert "AlarmEmailSubscription" not in quiet.resources
    assert "AlarmOpsChatSubscription" not in quiet.resources
    told = Profile(template, {**PRODUCTION, "AlarmEmail": "ops@bssn.example", "OpsChatId": "-1001000000009"})
    assert (
        told.value(told.resources["AlarmEmailSubscription"]["Properties"])["Endpoint"] == "ops@bssn.example"
    )
    relay = told.value(told.resources["AlarmOpsChatSubscription"]["Properties"])
    assert relay["Endpoint"] == {"Fn::GetAtt": ["SetupFunction", "Arn"]}
    env = told.value(told.resources["SetupFunction"]["Properties"])["Environment"]["Variables"]
    assert env["OPS_CHAT_ID"] == "-1001000000009"


def test_the_dashboard_is_valid_json_with_the_stage_s_metrics_and_its_url_is_an_output(
    template: dict[str, Any],
) -> None:
    body, names = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    rendered = re.sub(r"\$\{[^}]+\}", "x", body)
    widgets = json.loads(rendered)["widgets"]
    titles = " | ".join(w["properties"]["title"] for w in widgets)
    for wanted in ("Updates in", "Processing time", "Errors", "Dead-letter", "FAQ", "digest"):
        assert wanted in titles
    assert set(names) == {"FailedQueue", "SchedulerQueue", "BroadcastQueue", "DeliveryQueue"}
    url = template["Outputs"]["DashboardUrl"]["Value"]["Fn::Sub"]
    assert "dashboards:name=sinawai-${Stage}" in url


def test_the_api_access_log_is_json_without_the_request_body(template: dict[str, Any]) -> None:
    stage = next(r for r in template["Resources"].values() if r["Type"] == "AWS::ApiGateway::Stage")
    setting = stage["Properties"]["AccessLogSetting"]
    fields = json.loads(setting["Format"])
    assert {"requestId", "status", "latencyMs"} <= set(fields)
    assert not any("body" in v.lower() or "requestOverride" in v for v in fields.values())
    text = (ROOT / "template.yaml").read_text()
    assert "$context.requestBody" not in text


def test_each_digest_the_0730_check_covers_has_its_alarm(template: dict[str, Any]) -> None:
    from sinawai.report.service import MISSING_METRICS

    watched = {
        a["MetricName"]: a for a in alarms(template["Resources"]).values() if a.get("Namespace") == "Sinawai"
    }
    for kind, metric in MISSING_METRICS.items():
        alarm = watched[metric]
        assert alarm["Dimensions"] == [{"Name": "service", "Value": "sinawai-report"}], kind
        assert (alarm["Statistic"], alarm["Threshold"]) == ("Maximum", 1), kind
        assert alarm["AlarmDescription"].endswith("Runbook: docs/runbook.md#digest-missing"), kind
