"""The published content bundle in S3: written by ``sinawai content publish``, read by the functions.

Why S3 and not MySQL: a publication is one object written at once, so a reader sees the old bundle or the
new one, never half of each; the bucket is versioned, so going back is restoring the previous version; the
functions need only ``s3:GetObject`` on ``content/*``; and the shape of the content can change with no
schema migration. Readers keep the bundle for ``CONTENT_CACHE_SECONDS`` (default 60) and then ask S3
with ``If-None-Match``, so a publication is served within a minute, with no redeploy.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sinawai.information.content import EMPTY, Bundle

BUNDLE_KEY = "content/bundle.json"
DEFAULT_CACHE_SECONDS = 60.0


def _s3() -> Any:
    import boto3  # only the functions that read content pay for boto3

    return boto3.client("s3")


SHA256_METADATA = "content-sha256"  # the digest of what was published (sinawai.deploy.content_publish)


def publish(bucket: str, bundle: Bundle, s3: Any = None, *, sha256: str | None = None) -> str:
    """Write the bundle (with the digest of its content, when given); return the S3 version id (or "" on
    an unversioned bucket)."""
    client = s3 or _s3()
    metadata = {"content-version": bundle.version}
    if sha256:
        metadata[SHA256_METADATA] = sha256
    result = client.put_object(
        Bucket=bucket,
        Key=BUNDLE_KEY,
        Body=bundle.to_json().encode(),
        ContentType="application/json; charset=utf-8",
        Metadata=metadata,
    )
    return str(result.get("VersionId") or "")


def published_sha256(bucket: str, s3: Any = None) -> str | None:
    """The digest stored with the published bundle; None when nothing (or a bundle without one) is."""
    from botocore.exceptions import ClientError

    client = s3 or _s3()
    try:
        head = client.head_object(Bucket=bucket, Key=BUNDLE_KEY)
    except ClientError as e:
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if str(e.response.get("Error", {}).get("Code", "")) in ("404", "NoSuchKey") or status == 404:
            return None
        raise
    value = (head.get("Metadata") or {}).get(SHA256_METADATA)
    return str(value) if value else None


# ---- the bucket's versions: what ``sinawai content rollback`` lists and restores -----------------------

RESTORED_FROM_METADATA = "restored-from"  # on a version written by a rollback: the S3 version it copies


@dataclass(frozen=True)
class PublishedVersion:
    """One S3 version of the bundle."""

    s3_version_id: str
    published_at: datetime  # when S3 stored it (a rollback's copy: when the rollback ran)
    content_version: str  # the bundle's version (a digest of the content files); "" if not recorded
    is_current: bool
    restored_from: str  # "" unless a rollback wrote it


def published_versions(bucket: str, s3: Any = None) -> list[PublishedVersion]:
    """Every version of the bundle, newest first (deleted ones are not listed)."""
    client = s3 or _s3()
    found: list[PublishedVersion] = []
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=BUNDLE_KEY):
        for v in page.get("Versions", []):
            if v["Key"] != BUNDLE_KEY:
                continue
            version_id = str(v["VersionId"])
            metadata = client.head_object(Bucket=bucket, Key=BUNDLE_KEY, VersionId=version_id)["Metadata"]
            found.append(
                PublishedVersion(
                    s3_version_id=version_id,
                    published_at=v["LastModified"],
                    content_version=str(metadata.get("content-version") or ""),
                    is_current=bool(v["IsLatest"]),
                    restored_from=str(metadata.get(RESTORED_FROM_METADATA) or ""),
                )
            )
    return found  # S3 lists a key's versions newest first (LastModified has whole seconds only)


def restore(bucket: str, version: PublishedVersion, s3: Any = None) -> str:
    """Make ``version`` the current bundle again (a copy of it becomes the newest version, so nothing is
    lost and the rollback itself can be rolled back); return the new S3 version id."""
    client = s3 or _s3()
    head = client.head_object(Bucket=bucket, Key=BUNDLE_KEY, VersionId=version.s3_version_id)
    metadata = dict(head.get("Metadata") or {})
    metadata[RESTORED_FROM_METADATA] = version.s3_version_id
    result = client.copy_object(
        Bucket=bucket,
        Key=BUNDLE_KEY,
        CopySource={"Bucket": bucket, "Key": BUNDLE_KEY, "VersionId": version.s3_version_id},
        MetadataDirective="REPLACE",
        Metadata=metadata,
        ContentType=str(head.get("ContentType") or "application/json; charset=utf-8"),
    )
    return str(result.get("VersionId") or "")


class ContentStore:
    """The current bundle, cached per container; EMPTY until something is published."""

    def __init__(self, bucket: str, *, cache_seconds: float | None = None, s3: Any = None) -> None:
        self.bucket = bucket
        raw = os.environ.get("CONTENT_CACHE_SECONDS", "").strip()
        self.cache_seconds = (
            cache_seconds if cache_seconds is not None else float(raw) if raw else DEFAULT_CACHE_SECONDS
        )
        self._s3 = s3
        self._bundle: Bundle = EMPTY
        self._etag: str | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def _client(self) -> Any:
        if self._s3 is None:
            self._s3 = _s3()
        return self._s3

    def get(self) -> Bundle:
        if not self.bucket:
            return EMPTY  # no bucket configured (a function run without DOCUMENTS_BUCKET): no content
        with self._lock:
            if time.monotonic() - self._checked < self.cache_seconds:
                return self._bundle
            self._refresh()
            return self._bundle

    def _refresh(self) -> None:
        from botocore.exceptions import ClientError

        client = self._client()
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": BUNDLE_KEY}
        if self._etag:
            args["IfNoneMatch"] = self._etag
        try:
            response = client.get_object(**args)
        except ClientError as e:
            code = str(e.response.get("Error", {}).get("Code", ""))
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("304", "NotModified") or status == 304:
                self._checked = time.monotonic()
                return
            if code in ("NoSuchKey", "404", "NoSuchBucket"):
                # Nothing published yet: the menus say so; asked again after the cache time.
                self._bundle, self._etag, self._checked = EMPTY, None, time.monotonic()
                return
            if self._bundle is not EMPTY:
                # S3 hiccup: keep serving what we have rather than failing the employee.
                self._checked = time.monotonic()
                return
            raise
        self._bundle = Bundle.from_json(response["Body"].read())
        self._etag = response.get("ETag")
        self._checked = time.monotonic()
