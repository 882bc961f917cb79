"""SnapStart in template.yaml: the parameter, the regions, the alias every caller uses (issue 16, item 2).

Read twice: by the local stack's resolver (which evaluates the conditions for a region and parameter
values, as CloudFormation would) and after SAM's transform (what CloudFormation receives: which resource
each event source, permission and EventInvokeConfig points at).
"""

from __future__ import annotations

from typing import Any

import pytest

from local_stack.template import resolve_functions
from tests.helpers import ROOT
from tests.unit.test_template_import_wiring import transformed

TEMPLATE = ROOT / "template.yaml"
# The functions the router invokes, and those SQS or schedules run for users: restored from a snapshot.
SNAPSTART_FUNCTIONS = {
    "GeneralFunction",
    "RegistrationFunction",
    "ConsultationFunction",
    "InformationFunction",
    "DocumentsFunction",
    "BroadcastFunction",
    "DeliveryFunction",
    "ReportFunction",
}
# The router (about 100 ms of init: a restore would not be faster and costs per restore), the deploy-time
# custom resources and the rarely run import.
WITHOUT = {"WebhookFunction", "MigrateFunction", "SetupFunction", "ImportFunction"}
ROUTED_GROUPS = ("GENERAL", "REGISTRATION", "CONSULTATION", "INFORMATION", "DOCUMENTS", "REPORT")


def snapstart_by_function(**kwargs: Any) -> dict[str, bool]:
    return {name: spec.snap_start for name, spec in resolve_functions(TEMPLATE, **kwargs).items()}


def test_by_default_snapstart_is_on_in_jakarta_for_the_group_functions_only() -> None:
    functions = resolve_functions(TEMPLATE)  # region ap-southeast-3, SnapStart=auto
    assert {name for name, spec in functions.items() if spec.snap_start} == SNAPSTART_FUNCTIONS
    assert set(functions) == SNAPSTART_FUNCTIONS | WITHOUT
    for name in SNAPSTART_FUNCTIONS:
        assert functions[name].alias == "live"
        assert (
            functions[name].environment.get("AWS_LAMBDA_INITIALIZATION_TYPE") is None
        )  # the runtime sets it


@pytest.mark.parametrize(
    ("region", "setting", "expected"),
    [
        ("ap-southeast-3", "auto", True),
        ("ap-southeast-1", "auto", True),
        ("ap-southeast-6", "auto", False),  # Auckland: no SnapStart
        ("ap-east-2", "auto", False),  # Taipei: no SnapStart
        ("ap-southeast-6", "on", True),  # forced: the deploy would fail there, as asked
        ("ap-southeast-3", "off", False),
    ],
)
def test_the_parameter_and_the_region_decide(region: str, setting: str, expected: bool) -> None:
    found = snapstart_by_function(region=region, parameter_overrides={"SnapStart": setting})
    assert {name for name, on in found.items() if on} == (SNAPSTART_FUNCTIONS if expected else set())
    # the alias stays either way: the router and every event source keep calling the same qualifier
    functions = resolve_functions(TEMPLATE, region=region, parameter_overrides={"SnapStart": setting})
    assert all(functions[name].alias == "live" for name in SNAPSTART_FUNCTIONS)


def test_a_bad_parameter_value_is_refused() -> None:
    warnings: list[str] = []
    resolve_functions(TEMPLATE, parameter_overrides={"SnapStart": "yes"}, warnings=warnings)
    assert any("SnapStart" in w and "AllowedValues" in w for w in warnings)


def test_the_router_names_each_group_by_ref_and_invokes_the_alias() -> None:
    router = resolve_functions(TEMPLATE)["WebhookFunction"]
    assert router.environment["GROUP_FUNCTION_QUALIFIER"] == "live"
    for group in ROUTED_GROUPS:
        # DESIGN.md's contract: the value is !Ref <GroupFunction>, which locally resolves to its logical id
        assert router.environment[f"{group}_FUNCTION_NAME"] == f"{group.title()}Function"


def _targets(node: Any, found: list[Any]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("FunctionName", "Arn", "Function") and not isinstance(value, (str, int)):
                found.append(value)
            _targets(value, found)
    elif isinstance(node, list):
        for item in node:
            _targets(item, found)


def test_after_the_transform_every_event_source_targets_the_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    resources: dict[str, Any] = transformed(monkeypatch)["Resources"]
    for name in SNAPSTART_FUNCTIONS:
        props = resources[name]["Properties"]
        assert props["SnapStart"] == {"ApplyOn": {"Fn::If": ["UseSnapStart", "PublishedVersions", "None"]}}
        # SnapStart's limits: no EFS, no ephemeral storage above 512 MB, no provisioned concurrency
        assert "FileSystemConfigs" not in props
        assert int(props.get("EphemeralStorage", {}).get("Size", 512)) <= 512
        alias = resources[f"{name}Aliaslive"]
        assert alias["Type"] == "AWS::Lambda::Alias"
        assert "ProvisionedConcurrencyConfig" not in alias["Properties"]
        # retries and the on-failure queue (of the asynchronously invoked ones) are configured on the alias
        config = resources.get(f"{name}EventInvokeConfig")
        if name not in ("BroadcastFunction", "DeliveryFunction"):  # those two are run by SQS only
            assert config is not None
            assert config["Properties"]["Qualifier"] == "live"
    unqualified = []
    for logical_id, body in resources.items():
        kind = body["Type"]
        if kind not in (
            "AWS::Lambda::EventSourceMapping",
            "AWS::Scheduler::Schedule",
            "AWS::Lambda::Permission",
            "AWS::Events::Rule",
            "AWS::S3::Bucket",
        ):
            continue
        found: list[Any] = []
        _targets(body.get("Properties", {}), found)
        for target in found:
            text = str(target)
            for name in SNAPSTART_FUNCTIONS:
                if f"'{name}'" in text or f"'{name}', 'Arn'" in text:
                    unqualified.append((logical_id, text))
    assert unqualified == [], "these reach $LATEST, which never runs from the snapshot"


def test_the_router_may_invoke_the_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    resources: dict[str, Any] = transformed(monkeypatch)["Resources"]
    statements = [
        statement
        for policy in resources["WebhookFunctionRole"]["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        if "lambda:InvokeFunction" in statement["Action"]
    ]
    granted = {str(s["Resource"]) for s in statements}
    for group in ROUTED_GROUPS:
        function = f"{group.title()}Function"
        # SAM's LambdaInvokePolicy grants function:<name>* — which covers <name>:live
        assert any("function:${functionName}*" in g and f"'{function}'" in g for g in granted), function
