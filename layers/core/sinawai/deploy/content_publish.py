"""The content as part of the deploy: ``Custom::ContentPublish`` publishes the repository's ``content/``
folder, and ``sinawai content publish`` runs the very same code.

The folder reaches the setup function's package through the symlink ``functions/setup/content`` →
``../../content`` (``sam build`` copies the linked folder into the artifact). A publication is written only
when the content differs from the published one: the SHA-256 of the bundle as compiled (before it is
stamped with its publication time) travels in the S3 object's metadata and is compared before writing, so
a deploy that changed only code leaves the bundle, its S3 version and the functions' caches alone.

Invalid content fails the resource with its first problems as ``file:line: message``, so the deploy rolls
back and nothing is published.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sinawai.deploy.custom_resource import CustomResourceError, Outcome, Request
from sinawai.information import content_files, content_store
from sinawai.information.content import Bundle
from sinawai.platform.config import Settings

logger = logging.getLogger(__name__)

PROBLEMS_IN_REASON = 5  # CloudFormation shows one line: the first few problems, and how many there are


@dataclass(frozen=True)
class Publication:
    status: Literal["published", "unchanged"]
    version: str  # the bundle's version (a short digest of the content files)
    topics: int
    s3_version_id: str = ""


def content_sha256(bundle: Bundle) -> str:
    """The digest of the bundle as compiled: its content and how it renders, not when it was published."""
    return hashlib.sha256(_stamped(bundle, "").to_json().encode()).hexdigest()


def _stamped(bundle: Bundle, published_at: str) -> Bundle:
    return Bundle(
        bundle.areas,
        bundle.topics,
        bundle.version,
        published_at,
        bundle.calendar,
        variants=bundle.variants,
        contact=bundle.contact,
    )


def load(root: Path) -> Bundle:
    """The checked bundle of ``root``; ContentError lists every problem with its file and line."""
    return content_files.build(content_files.load_folder(root))


def publish_bundle(
    bucket: str,
    bundle: Bundle,
    *,
    s3: Any = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Publication:
    """Publish ``bundle`` unless the published one has the same content."""
    digest = content_sha256(bundle)
    topics = len(bundle.topics)
    if content_store.published_sha256(bucket, s3) == digest:
        return Publication("unchanged", bundle.version, topics)
    stamped = _stamped(bundle, now().isoformat(timespec="seconds"))
    version_id = content_store.publish(bucket, stamped, s3, sha256=digest)
    return Publication("published", bundle.version, topics, version_id)


def problems_reason(error: content_files.ContentError, limit: int = PROBLEMS_IN_REASON) -> str:
    shown = "; ".join(str(p) for p in error.problems[:limit])
    more = len(error.problems) - limit
    return f"{shown}{f'; and {more} more' if more > 0 else ''}"


@dataclass
class ContentPublish:
    """``Custom::ContentPublish``: Create/Update publish the packaged content when it changed; Delete
    leaves the published content alone (the bucket is retained, and the functions of another deploy may
    read it)."""

    content_dir: Path
    s3: Any = None

    def physical_id(self, bucket: str) -> str:
        return f"s3://{bucket}/{content_store.BUNDLE_KEY}"

    def create_or_update(self, request: Request) -> Outcome:
        bucket = Settings.from_env().documents_bucket
        if not bucket:
            raise CustomResourceError("DOCUMENTS_BUCKET is not set on the setup function: nowhere to publish")
        if not self.content_dir.is_dir():
            raise CustomResourceError(
                f"the content folder is missing from the function package ({self.content_dir}): "
                "functions/setup/content must link to ../../content, and sam build copies it"
            )
        try:
            bundle = load(self.content_dir)
        except content_files.ContentError as e:
            raise CustomResourceError(
                f"content rejected, nothing published ({len(e.problems)} problems): {problems_reason(e)}"
            ) from e
        result = publish_bundle(bucket, bundle, s3=self.s3)
        logger.info("content %s: version %s, %d topics", result.status, result.version, result.topics)
        text = f"published {result.version}" if result.status == "published" else "unchanged"
        return Outcome(self.physical_id(bucket), {"Content": text})

    def delete(self, request: Request) -> Outcome:
        return Outcome(request.physical_id or "")
