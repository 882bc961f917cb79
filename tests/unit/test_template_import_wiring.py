"""template.yaml after SAM's transform: no circular dependency, and the ImportFunction's least privilege.

``sam validate --lint`` does not catch a circular dependency between the bucket's notification and the
functions that name the bucket; CloudFormation only does at deploy time. So the transform runs here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

from tests.helpers import ROOT


class _NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


def _references(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else str(value).split(".")[0])
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                found.update(m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text))
                _references(value, found)
            else:
                _references(value, found)
    elif isinstance(node, list):
        for item in node:
            _references(item, found)


def transformed(monkeypatch: pytest.MonkeyPatch, text: str | None = None) -> dict[str, Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
    source = text if text is not None else (ROOT / "template.yaml").read_text()
    # the transform wants S3 locations for code; sam build/package would put them there
    source = re.sub(r"(CodeUri|ContentUri): \S+", r"\1: s3://bucket/code.zip", source)
    # and nested templates at an https S3 URL (sam package uploads infra/cloudformation/*.yaml)
    source = re.sub(r"Location: (\S+)\.yaml", r"Location: https://bucket.s3.amazonaws.com/\1.yaml", source)
    result: dict[str, Any] = transform(yaml_parse(source), {"Stage": "dev"}, _NoManagedPolicies())
    return result


def cycle(resources: dict[str, Any]) -> list[str] | None:
    graph: dict[str, set[str]] = {}
    for name, body in resources.items():
        found: set[str] = set()
        _references(body.get("Properties", {}), found)
        depends = body.get("DependsOn", [])
        found.update([depends] if isinstance(depends, str) else depends)
        graph[name] = {f for f in found if f in resources}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for target in sorted(graph[name]):
            loop = visit(target, [*path, name])
            if loop:
                return loop
        done.add(name)
        return None

    for name in sorted(graph):
        loop = visit(name, [])
        if loop:
            return loop
    return None


def test_the_template_has_no_circular_dependency(monkeypatch: pytest.MonkeyPatch) -> None:
    resources = transformed(monkeypatch)["Resources"]
    assert "ImportFunctionImportUploadPermission" in resources
    assert cycle(resources) is None


def test_the_check_finds_the_cycle_a_ref_to_the_bucket_would_make(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "template.yaml").read_text()
    broken = re.sub(r"DOCUMENTS_BUCKET: .*", "DOCUMENTS_BUCKET: !Ref DocumentsBucket", text, count=1)
    assert broken != text
    loop = cycle(transformed(monkeypatch, broken)["Resources"])
    assert loop is not None
    assert "DocumentsBucket" in loop


def test_import_function_reads_and_deletes_only_import_files(monkeypatch: pytest.MonkeyPatch) -> None:
    resources = transformed(monkeypatch)["Resources"]
    statements = [
        s
        for policy in resources["ImportFunctionRole"]["Properties"]["Policies"]
        for s in (policy.get("PolicyDocument") or {"Statement": []})["Statement"]  # Fn::If: the DB secret
        if any(
            str(a).startswith("s3:") for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        )
    ]
    assert len(statements) == 1
    (s3,) = statements
    assert sorted(s3["Action"]) == [
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:GetObject",
        "s3:GetObjectVersion",
    ]
    assert s3["Resource"]["Fn::Sub"].endswith("-documents-${AWS::AccountId}-${AWS::Region}/imports/*")
    bucket = resources["DocumentsBucket"]["Properties"]
    assert bucket["BucketName"]["Fn::Sub"] == "sinawai-${Stage}-documents-${AWS::AccountId}-${AWS::Region}"
    notification = bucket["NotificationConfiguration"]["LambdaConfigurations"][0]
    assert notification["Event"] == "s3:ObjectCreated:*"
    assert notification["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "imports/"}]
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    imports = rules["expire-imports"]
    assert (imports["Prefix"], imports["ExpirationInDays"]) == ("imports/", 1)
    assert imports["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    function = resources["ImportFunction"]["Properties"]
    assert (function["Timeout"], function["MemorySize"]) == (300, 1024)
    assert "TELEGRAM_BOT_TOKEN_SECRET_ARN" in function["Environment"]["Variables"]


def s3_statements(resources: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [
        s
        for policy in resources[role]["Properties"]["Policies"]
        for s in (policy.get("PolicyDocument") or {"Statement": []})["Statement"]
        if any(
            str(a).startswith("s3:") for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        )
    ]


@pytest.mark.parametrize(
    ("role", "prefix", "actions"),
    [
        ("InformationFunctionRole", "content/", ["s3:GetObject"]),
        ("ConsultationFunctionRole", "content/", ["s3:GetObject"]),
        ("DocumentsFunctionRole", "documents/", ["s3:GetObject", "s3:PutObject"]),
    ],
)
def test_information_functions_reach_only_their_prefix_of_the_bucket(
    monkeypatch: pytest.MonkeyPatch, role: str, prefix: str, actions: list[str]
) -> None:
    statements = s3_statements(transformed(monkeypatch)["Resources"], role)
    objects = [s for s in statements if s["Action"] != "s3:ListBucket"]
    listing = [s for s in statements if s["Action"] == "s3:ListBucket"]
    assert len(objects) == 1
    assert len(listing) == 1
    got = objects[0]["Action"]
    assert sorted([got] if isinstance(got, str) else got) == actions
    assert objects[0]["Resource"]["Fn::Sub"].endswith(f"-${{AWS::Region}}/{prefix}*")
    assert listing[0]["Condition"] == {"StringLike": {"s3:prefix": f"{prefix}*"}}
    assert s3_statements(transformed(monkeypatch)["Resources"], "BroadcastFunctionRole") == []


def test_the_router_invokes_the_information_and_documents_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    resources = transformed(monkeypatch)["Resources"]
    variables = resources["WebhookFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["INFORMATION_FUNCTION_NAME"] == {"Ref": "InformationFunction"}
    assert variables["DOCUMENTS_FUNCTION_NAME"] == {"Ref": "DocumentsFunction"}
    policies = str(resources["WebhookFunctionRole"]["Properties"]["Policies"])
    assert "InformationFunction" in policies
    assert "DocumentsFunction" in policies
    queue = resources["BroadcastQueue"]["Properties"]
    assert queue["FifoQueue"] is True
    mapping = next(
        body["Properties"]
        for body in resources.values()
        if body["Type"] == "AWS::Lambda::EventSourceMapping"
        # the alias: SnapStart runs published versions only (test_template_snapstart.py)
        and body["Properties"]["FunctionName"] == {"Ref": "BroadcastFunctionAliaslive"}
    )
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    for name in ("InformationLogGroup", "DocumentsLogGroup", "BroadcastLogGroup"):
        assert name in resources
