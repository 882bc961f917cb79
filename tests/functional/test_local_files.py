"""S3 as a local directory (``sinawai.onprem.files``): the S3 calls the code makes, through boto3, answered
from a folder as S3 answers them; and the code's own readers (documents, content) on top of it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from sinawai.documents import store as documents
from sinawai.information import content_store
from sinawai.information.content import EMPTY, Bundle
from sinawai.onprem.files import LocalFiles

BUCKET = "sinawai"


KEY = "SINAWAITESTKEY"


@pytest.fixture
def files(tmp_path: Path) -> Iterator[LocalFiles]:
    local = LocalFiles(tmp_path / "files", access_key=KEY)
    local.start()
    yield local
    local.stop()


@pytest.fixture
def s3(files: LocalFiles) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=files.url,
        aws_access_key_id=KEY,
        aws_secret_access_key="anything",
        region_name="us-east-1",
    )


def test_put_get_head_with_type_and_metadata(s3: Any, files: LocalFiles) -> None:
    s3.put_object(
        Bucket=BUCKET,
        Key="reports/2026/11/30/laporan.xlsx",
        Body=b"isi",
        ContentType="x/y",
        Metadata={"content-version": "v1"},
    )
    got = s3.get_object(Bucket=BUCKET, Key="reports/2026/11/30/laporan.xlsx")
    assert got["Body"].read() == b"isi"
    assert got["ContentType"] == "x/y"
    assert got["Metadata"] == {"content-version": "v1"}
    head = s3.head_object(Bucket=BUCKET, Key="reports/2026/11/30/laporan.xlsx")
    assert head["ContentLength"] == 3
    assert head["ETag"] == got["ETag"]
    # the bytes are a plain file an operator can copy or back up
    assert (files.root / BUCKET / "reports" / "2026" / "11" / "30" / "laporan.xlsx").read_bytes() == b"isi"


def test_missing_objects_answer_as_s3_does(s3: Any) -> None:
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=BUCKET, Key="tidak/ada.pdf")
    assert raised.value.response["Error"]["Code"] == "NoSuchKey"
    with pytest.raises(ClientError) as raised:
        s3.head_object(Bucket=BUCKET, Key="tidak/ada.pdf")
    assert raised.value.response["Error"]["Code"] == "404"
    assert documents.exists(s3, BUCKET, "tidak/ada.pdf") is False


def test_if_none_match_answers_304(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="content/bundle.json", Body=b"{}")
    etag = s3.head_object(Bucket=BUCKET, Key="content/bundle.json")["ETag"]
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=BUCKET, Key="content/bundle.json", IfNoneMatch=etag)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304


def test_list_copy_and_delete(s3: Any) -> None:
    for key in ("documents/a.pdf", "documents/b.pdf", "reports/x.xlsx"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=key.encode())
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="documents/")
    assert [o["Key"] for page in pages for o in page.get("Contents", [])] == [
        "documents/a.pdf",
        "documents/b.pdf",
    ]
    s3.copy_object(
        Bucket=BUCKET,
        Key="documents/c.pdf",
        CopySource={"Bucket": BUCKET, "Key": "documents/a.pdf"},
        MetadataDirective="REPLACE",
        Metadata={"restored-from": "a"},
        ContentType="application/pdf",
    )
    copied = s3.get_object(Bucket=BUCKET, Key="documents/c.pdf")
    assert copied["Body"].read() == b"documents/a.pdf"
    assert copied["Metadata"] == {"restored-from": "a"}
    s3.delete_object(Bucket=BUCKET, Key="documents/a.pdf")
    assert not documents.exists(s3, BUCKET, "documents/a.pdf")
    assert documents.exists(s3, BUCKET, "documents/c.pdf")


def test_a_key_that_would_leave_the_folder_is_refused(s3: Any, files: LocalFiles) -> None:
    with pytest.raises(ClientError):
        s3.put_object(Bucket=BUCKET, Key="../../etc/passwd", Body=b"x")
    with pytest.raises(ClientError):
        s3.put_object(Bucket=BUCKET, Key="a/../../b", Body=b"x")
    assert not (files.root.parent / "etc").exists()


def test_a_presigned_link_downloads_the_file(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="documents/sk.pdf", Body=b"%PDF-1.4")
    url = s3.generate_presigned_url(
        "get_object",
        Params={"Bucket": BUCKET, "Key": "documents/sk.pdf", "ResponseContentDisposition": "attachment"},
    )
    answer = httpx.get(url)
    assert answer.status_code == 200
    assert answer.content == b"%PDF-1.4"
    assert answer.headers["Content-Disposition"] == "attachment"


def test_the_content_store_publishes_and_reads_through_it(s3: Any) -> None:
    content_store.publish(BUCKET, EMPTY, s3, sha256="abc")
    assert (
        Bundle.from_json(s3.get_object(Bucket=BUCKET, Key=content_store.BUNDLE_KEY)["Body"].read()) == EMPTY
    )
    assert content_store.published_sha256(BUCKET, s3) == "abc"
    with pytest.raises(ClientError) as raised:
        content_store.published_versions(BUCKET, s3)  # no versions in a folder: said plainly
    assert raised.value.response["Error"]["Code"] == "NotImplemented"


def test_a_request_without_the_endpoint_s_key_is_refused(s3: Any, files: LocalFiles) -> None:
    """Another local user reaching the loopback port reads nothing."""
    s3.put_object(Bucket=BUCKET, Key="documents/sk.pdf", Body=b"%PDF-1.4")
    assert httpx.get(f"{files.url}/{BUCKET}/documents/sk.pdf").status_code == 403
    other = boto3.client(
        "s3",
        endpoint_url=files.url,
        aws_access_key_id="SOMEONEELSE",
        aws_secret_access_key="x",
        region_name="us-east-1",
    )
    with pytest.raises(ClientError) as raised:
        other.get_object(Bucket=BUCKET, Key="documents/sk.pdf")
    assert raised.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError):
        other.put_object(Bucket=BUCKET, Key="documents/sk.pdf", Body=b"ganti")
    assert s3.get_object(Bucket=BUCKET, Key="documents/sk.pdf")["Body"].read() == b"%PDF-1.4"
