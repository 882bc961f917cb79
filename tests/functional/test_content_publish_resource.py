"""``Custom::ContentPublish`` and ``sinawai content publish``: the repository's content reaches S3 with the
deploy, once per change; invalid content fails the deploy with file:line and publishes nothing.

Real CloudFormation events answered to a local ResponseURL, moto's S3 (a versioned bucket, as the template's),
and the function package as ``sam build`` makes it (the ``functions/setup/content`` symlink).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws

from sinawai import cli
from sinawai.deploy.content_publish import content_sha256, load
from sinawai.deploy.setup import SetupFunction
from sinawai.information import content_store
from sinawai.information.content import Bundle
from tests.cfn_response_server import ResponseServer, response_server
from tests.helpers import FUNCTIONS, ROOT, FakeContext, load_event

REGION: Final = "ap-southeast-3"
BUCKET: Final = "sinawai-dev-documents-123456789012-ap-southeast-3"
PACKAGED_CONTENT: Final = FUNCTIONS / "setup" / "content"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "DOCUMENTS_BUCKET": BUCKET,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield client


@pytest.fixture
def cfn() -> Iterator[ResponseServer]:
    with response_server() as server:
        yield server


def copy_of_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def event(cfn: ResponseServer, kind: str, **extra: Any) -> dict[str, Any]:
    return cfn.event(kind, {"Version": "v1"}, ResourceType="Custom::ContentPublish", **extra)


def versions(s3: Any) -> list[dict[str, Any]]:
    listed = s3.list_object_versions(Bucket=BUCKET, Prefix=content_store.BUNDLE_KEY)
    return list(listed.get("Versions", []))


def published(s3: Any) -> Bundle:
    body = s3.get_object(Bucket=BUCKET, Key=content_store.BUNDLE_KEY)["Body"].read()
    return Bundle.from_json(body)


def topic_text(bundle: Bundle, topic_id: str) -> str:
    topic = bundle.topic(topic_id)
    assert topic is not None, f"no topic {topic_id}"
    return topic.text


def test_the_package_carries_the_repository_s_content_through_its_symlink() -> None:
    assert PACKAGED_CONTENT.is_symlink()
    assert PACKAGED_CONTENT.resolve() == (ROOT / "content").resolve()
    assert load(PACKAGED_CONTENT).version == load(ROOT / "content").version


def test_sam_build_copies_the_linked_content_into_the_setup_function_s_artifact(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  SetupFunction:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        f"      CodeUri: {FUNCTIONS / 'setup'}\n"
        "      Handler: app.lambda_handler\n"
        "      Runtime: python3.13\n"
        "      Architectures: [arm64]\n"
    )
    sam = Path(sys.executable).parent / "sam"
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "PATH": f"{sam.parent}:{os.environ.get('PATH', '')}"}
    build = tmp_path / "build"
    done = subprocess.run(
        [str(sam), "build", "-t", str(template), "--build-dir", str(build)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    artifact = build / "SetupFunction" / "content"
    assert artifact.is_dir()
    assert not artifact.is_symlink()  # real files: the zip holds them
    assert load(artifact).version == load(ROOT / "content").version


def test_create_publishes_the_content_and_an_update_without_change_writes_nothing(
    s3: Any, cfn: ResponseServer
) -> None:
    function = SetupFunction(PACKAGED_CONTENT)
    expected = load(ROOT / "content")
    function.handle(event(cfn, "Create"), FakeContext())

    assert cfn.last["Status"] == "SUCCESS", cfn.last["Reason"]
    assert cfn.last["Data"] == {"Content": f"published {expected.version}"}
    assert cfn.last["PhysicalResourceId"] == f"s3://{BUCKET}/content/bundle.json"
    bundle = published(s3)
    assert (bundle.version, len(bundle.topics)) == (expected.version, len(expected.topics))
    assert bundle.published_at  # stamped
    head = s3.head_object(Bucket=BUCKET, Key=content_store.BUNDLE_KEY)
    assert head["Metadata"]["content-sha256"] == content_sha256(expected)

    # the next deploy changed only code: same content, so no new S3 version (the functions' caches keep it)
    function.handle(event(cfn, "Update", PhysicalResourceId=cfn.last["PhysicalResourceId"]), FakeContext())
    assert cfn.last["Status"] == "SUCCESS"
    assert cfn.last["Data"] == {"Content": "unchanged"}
    assert len(versions(s3)) == 1


def test_the_sample_update_event_publishes_what_is_missing(s3: Any, cfn: ResponseServer) -> None:
    sample = load_event("setup_content_update") | {"ResponseURL": cfn.url}
    SetupFunction(PACKAGED_CONTENT).handle(sample, FakeContext())
    assert cfn.last["Status"] == "SUCCESS", cfn.last["Reason"]
    assert cfn.last["PhysicalResourceId"] == sample["PhysicalResourceId"]
    assert cfn.last["Data"] == {"Content": f"published {load(ROOT / 'content').version}"}


def test_the_function_s_own_handler_publishes_from_its_package(s3: Any, cfn: ResponseServer) -> None:
    spec = importlib.util.spec_from_file_location("setup_app", FUNCTIONS / "setup" / "app.py")
    assert spec is not None
    assert spec.loader is not None
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)  # as Lambda imports it: app.lambda_handler
    app.lambda_handler(event(cfn, "Create"), FakeContext())
    assert cfn.last["Status"] == "SUCCESS", cfn.last["Reason"]
    assert published(s3).version == load(ROOT / "content").version


def test_changed_content_is_published_again(s3: Any, cfn: ResponseServer, tmp_path: Path) -> None:
    root = copy_of_content(tmp_path)
    SetupFunction(root).handle(event(cfn, "Create"), FakeContext())
    first = published(s3).version
    topic = root / "jahdis" / "cuti-tahunan.md"
    topic.write_text(
        topic.read_text(encoding="utf-8") + "\nSatu paragraf baru dari OSDM.\n", encoding="utf-8"
    )

    SetupFunction(root).handle(event(cfn, "Update", PhysicalResourceId="x"), FakeContext())
    assert cfn.last["Status"] == "SUCCESS", cfn.last["Reason"]
    second = published(s3)
    assert second.version != first
    assert cfn.last["Data"] == {"Content": f"published {second.version}"}
    assert "Satu paragraf baru dari OSDM." in topic_text(second, "cuti-tahunan")
    assert len(versions(s3)) == 2


def test_invalid_content_fails_with_file_and_line_and_publishes_nothing(
    s3: Any, cfn: ResponseServer, tmp_path: Path
) -> None:
    root = copy_of_content(tmp_path)
    topic = root / "mutasi" / "pensiun.md"
    lines = [line for line in topic.read_text(encoding="utf-8").splitlines() if not line.startswith("order:")]
    lines.insert(1, "order: dua")
    topic.write_text("\n".join(lines) + "\n", encoding="utf-8")

    SetupFunction(root).handle(event(cfn, "Create"), FakeContext())
    assert cfn.last["Status"] == "FAILED"
    assert cfn.last["Reason"].startswith("content rejected, nothing published (1 problems): ")
    assert "mutasi/pensiun.md:2: order harus bilangan bulat" in cfn.last["Reason"]
    assert versions(s3) == []


def test_many_problems_show_the_first_five_and_how_many_more(
    s3: Any, cfn: ResponseServer, tmp_path: Path
) -> None:
    root = copy_of_content(tmp_path)
    topics = sorted(p for p in (root / "jahdis").glob("*.md") if p.name != "_index.md")[:7]
    for topic in topics:
        topic.write_text("tanpa front matter\n", encoding="utf-8")
    SetupFunction(root).handle(event(cfn, "Create"), FakeContext())
    assert cfn.last["Status"] == "FAILED"
    reason = cfn.last["Reason"]
    counted = re.match(r"content rejected, nothing published \((\d+) problems\): ", reason)
    more = re.search(r"; and (\d+) more$", reason)
    assert counted is not None
    assert more is not None
    assert reason.count(": berkas harus diawali front matter") == 5
    assert int(counted.group(1)) == 5 + int(more.group(1)) >= 7
    assert versions(s3) == []


def test_a_package_without_the_content_folder_fails_saying_so(
    s3: Any, cfn: ResponseServer, tmp_path: Path
) -> None:
    SetupFunction(tmp_path / "content").handle(event(cfn, "Create"), FakeContext())
    assert cfn.last["Status"] == "FAILED"
    assert "the content folder is missing from the function package" in cfn.last["Reason"]


def test_delete_leaves_the_published_content(s3: Any, cfn: ResponseServer) -> None:
    function = SetupFunction(PACKAGED_CONTENT)
    function.handle(event(cfn, "Create"), FakeContext())
    function.handle(event(cfn, "Delete", PhysicalResourceId=cfn.last["PhysicalResourceId"]), FakeContext())
    assert cfn.last["Status"] == "SUCCESS"
    assert len(versions(s3)) == 1
    assert published(s3).version == load(ROOT / "content").version


def test_the_cli_publishes_through_the_same_path_once_per_change(
    s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(ROOT / "content")
    assert cli.main(["content", "publish", folder, "--bucket", BUCKET]) == 0
    assert "Diterbitkan:" in capsys.readouterr().out
    assert cli.main(["content", "publish", folder, "--bucket", BUCKET]) == 0
    assert "Konten tidak berubah" in capsys.readouterr().out
    assert len(versions(s3)) == 1
    # ... and the deploy that follows finds it published
    with response_server() as cfn:
        SetupFunction(PACKAGED_CONTENT).handle(event(cfn, "Create"), FakeContext())
        assert cfn.last["Data"] == {"Content": "unchanged"}
