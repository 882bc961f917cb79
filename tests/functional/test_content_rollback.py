"""``sinawai content rollback``: an earlier publication of content/bundle.json made current again.

moto's S3 with versioning on (as the template's bucket); three publications of the repository's content,
each with one more paragraph in a topic, through ``sinawai content publish``; the functions' reader
(``ContentStore``) is what an employee's menu would show.

Proves: the list shows every version newest first with its time and content version, the current one
marked; by default the previous publication becomes current, and the functions serve it; a VERSION (content
version or S3 version id) restores that one; the rollback is itself a version (rolled back again, nothing
lost); --dry-run and --list change nothing; an unknown version is refused (exit 2) and changes nothing;
an empty bucket and one without earlier content fail (exit 1).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws

from sinawai import cli
from sinawai.information import content_store
from sinawai.information.content_store import ContentStore
from tests.helpers import ROOT

REGION: Final = "ap-southeast-3"
BUCKET: Final = "sinawai-dev-documents-123456789012-ap-southeast-3"
TOPIC: Final = Path("jahdis") / "cuti-tahunan.md"


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
        "SERVICE_TIMEZONE": "Asia/Jakarta",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield client


def publish_three(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Three publications, each with one more paragraph; their content versions, oldest first."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    versions = []
    for n in (1, 2, 3):
        if n > 1:
            topic = folder / TOPIC
            topic.write_text(
                topic.read_text(encoding="utf-8") + f"\nParagraf tambahan {n}.\n", encoding="utf-8"
            )
        assert cli.main(["content", "publish", str(folder)]) == 0
        found = re.search(r"versi ([0-9a-f]{12})", capsys.readouterr().out)
        assert found is not None
        versions.append(found.group(1))
    assert len(set(versions)) == 3
    return versions


def served() -> str:
    """The content version the functions serve now (no cache: as after CONTENT_CACHE_SECONDS)."""
    return ContentStore(BUCKET, cache_seconds=0).get().version


def rollback(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["content", "rollback", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def listed(out: str) -> list[tuple[bool, str]]:
    """(current?, content version) of each listed version, in the order shown."""
    return [
        (m.group(1) == "*", m.group(2))
        for m in re.finditer(r"^  ([* ]) \S+ \S+ WIB  konten (\S+)", out, re.M)
    ]


def test_the_default_rollback_restores_the_previous_publication_and_the_functions_serve_it(
    s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v1, v2, v3 = publish_three(tmp_path, capsys)
    assert served() == v3

    code, out, _ = rollback(capsys)
    assert code == 0
    assert listed(out) == [(True, v3), (False, v2), (False, v1)]
    assert f"Dipulihkan: konten {v2} (S3 " in out
    assert served() == v2
    body = s3.get_object(Bucket=BUCKET, Key=content_store.BUNDLE_KEY)["Body"].read()
    second = content_store.published_versions(BUCKET)[2]  # v2's own S3 version, below the new copy and v3
    assert second.content_version == v2
    own = s3.get_object(Bucket=BUCKET, Key=content_store.BUNDLE_KEY, VersionId=second.s3_version_id)
    assert body == own["Body"].read()  # byte for byte what was published then

    # the rollback is a version too: listed as a restoration, and rolled back in turn
    code, out, _ = rollback(capsys, "--list")
    assert code == 0
    assert listed(out) == [(True, v2), (False, v3), (False, v2), (False, v1)]
    assert f"(saat ini; pemulihan dari {second.s3_version_id})" in out
    code, out, _ = rollback(capsys)
    assert code == 0
    assert served() == v3


def test_a_named_version_is_restored_by_content_version_or_s3_version_id(
    s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v1, v2, _ = publish_three(tmp_path, capsys)
    assert rollback(capsys, v1)[0] == 0
    assert served() == v1
    first_of_v2 = next(v for v in content_store.published_versions(BUCKET) if v.content_version == v2)
    assert rollback(capsys, first_of_v2.s3_version_id)[0] == 0
    assert served() == v2
    code, out, _ = rollback(capsys, v2)  # already current: nothing written
    assert (code, out.splitlines()[-1]) == (0, f"Konten {v2} sudah versi saat ini. Tidak ada yang diubah.")
    assert len(content_store.published_versions(BUCKET)) == 5


def test_dry_run_list_and_an_unknown_version_change_nothing(
    s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, v2, v3 = publish_three(tmp_path, capsys)
    code, out, _ = rollback(capsys, "--dry-run")
    assert code == 0
    assert f"Uji coba: konten {v2} " in out
    assert rollback(capsys, "--list")[0] == 0
    code, _, err = rollback(capsys, "0123456789ab")
    assert code == 2
    assert "versi '0123456789ab' tidak ada" in err
    assert served() == v3
    assert len(content_store.published_versions(BUCKET)) == 3


def test_nothing_to_roll_back_to_fails_and_says_why(
    s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = rollback(capsys)
    assert code == 1
    assert "Belum ada konten yang diterbitkan" in err

    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    assert cli.main(["content", "publish", str(folder)]) == 0
    code, _, err = rollback(capsys)
    assert code == 1
    assert "Tidak ada terbitan sebelumnya yang isinya berbeda" in err


def test_usage_errors_exit_2(
    s3: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DOCUMENTS_BUCKET")
    assert rollback(capsys)[0] == 2
    with pytest.raises(SystemExit) as raised:
        cli.main(["content", "rollback", "--bogus"])
    assert raised.value.code == 2
    with pytest.raises(SystemExit) as helped:
        cli.main(["content", "rollback", "--help"])
    assert helped.value.code == 0
    assert "VERSION" in capsys.readouterr().out
