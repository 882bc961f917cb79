"""Where documents are kept: their metadata in MySQL (``document``), their files in S3 under documents/.

A document is uploaded to Telegram once: the ``file_id`` Telegram returns is kept and re-sent after that.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pymysql

from sinawai.documents.rules import (
    LINK_SECONDS,
    ROLES,
    Document,
    DocumentInputError,
    check_category,
    check_roles,
    check_title,
)
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database, Row

_COLUMNS = "id, category, title, roles, s3_key, file_name, mime_type, size_bytes, telegram_file_id"


def _document(row: Row) -> Document:
    roles = row["roles"]
    role_set = roles if isinstance(roles, set) else set(str(roles or "").split(","))
    return Document(
        id=int(row["id"]),
        category=str(row["category"]),
        title=str(row["title"]),
        roles=frozenset(r for r in role_set if r),
        s3_key=str(row["s3_key"]),
        file_name=str(row["file_name"]),
        mime_type=row["mime_type"],
        size_bytes=int(row["size_bytes"]),
        telegram_file_id=row["telegram_file_id"],
    )


def categories(db: Database, role: str) -> list[tuple[str, int]]:
    rows = db.fetch_all(
        "SELECT category, COUNT(*) AS n FROM document WHERE active AND FIND_IN_SET(%s, roles) > 0"
        " GROUP BY category ORDER BY category",
        (role,),
    )
    return [(str(r["category"]), int(r["n"])) for r in rows]


def in_category(db: Database, category: str, role: str) -> list[Document]:
    rows = db.fetch_all(
        f"SELECT {_COLUMNS} FROM document WHERE active AND category = %s"  # noqa: S608
        " AND FIND_IN_SET(%s, roles) > 0 ORDER BY title",
        (category, role),
    )
    return [_document(r) for r in rows]


def get(db: Database, document_id: int) -> Document | None:
    row = db.fetch_one(f"SELECT {_COLUMNS} FROM document WHERE id = %s AND active", (document_id,))  # noqa: S608
    return _document(row) if row else None


def add(
    db: Database,
    *,
    category: str,
    title: str,
    roles: Iterable[str] | None,
    s3_key: str,
    file_name: str,
    mime_type: str | None,
    size_bytes: int,
    telegram_file_id: str | None,
    added_by: str | None,
) -> Document:
    """Add a document, or replace the file of the one with the same category and title.

    ``roles`` None: a new document is for every role, and a replaced one keeps the roles it has (uploading
    a new version of a restricted document never widens who sees it); named roles are set either way.
    """
    title = check_title(title)
    role_set = ",".join(check_roles(ROLES if roles is None else roles))
    now = utcnow()
    # s3_key, file_name, mime_type, size_bytes, telegram_file_id, added_by, added_at, file_id_at
    file = (
        s3_key,
        file_name[:255],
        mime_type,
        size_bytes,
        telegram_file_id,
        added_by,
        now,
        now if telegram_file_id else None,
    )
    try:
        db.execute(
            "INSERT INTO document (category, title, roles, s3_key, file_name, mime_type, size_bytes,"
            " telegram_file_id, added_by, added_at, file_id_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            # The new values are passed again rather than read back with VALUES(col), which MySQL 8.0.20+
            # deprecates (MariaDB has no "INSERT ... AS new" row alias). An existing row's roles change
            # only when roles were named.
            " ON DUPLICATE KEY UPDATE roles = IF(%s, %s, roles), s3_key = %s, file_name = %s, mime_type = %s,"
            " size_bytes = %s, telegram_file_id = %s, added_by = %s, added_at = %s, file_id_at = %s,"
            " active = TRUE",
            (check_category(category), title, role_set, *file, roles is not None, role_set, *file),
        )
    except pymysql.err.DataError as e:
        raise DocumentInputError("Data dokumen tidak valid.") from e
    row = db.fetch_one(
        f"SELECT {_COLUMNS} FROM document WHERE category = %s AND title = %s",  # noqa: S608
        (check_category(category), title),
    )
    assert row is not None
    return _document(row)


def keep_file_id(db: Database, document_id: int, file_id: str | None) -> None:
    db.execute(
        "UPDATE document SET telegram_file_id = %s, file_id_at = %s WHERE id = %s",
        (file_id, utcnow() if file_id else None, document_id),
    )


def list_all(db: Database) -> list[Document]:
    rows = db.fetch_all(f"SELECT {_COLUMNS} FROM document WHERE active ORDER BY category, title")  # noqa: S608
    return [_document(r) for r in rows]


# ---- S3 ------------------------------------------------------------------------------------------------


class MissingFileError(Exception):
    """The metadata names an S3 object that is not there (deleted, or never uploaded)."""


def s3_client() -> Any:
    import boto3

    return boto3.client("s3")


def read(s3: Any, bucket: str, key: str) -> bytes:
    from botocore.exceptions import ClientError

    try:
        response = s3.get_object(Bucket=bucket, Key=key)
    except ClientError as e:
        if str(e.response.get("Error", {}).get("Code")) in ("NoSuchKey", "404", "NoSuchBucket"):
            raise MissingFileError(key) from e
        raise
    data: bytes = response["Body"].read()
    return data


def exists(s3: Any, bucket: str, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as e:
        if str(e.response.get("Error", {}).get("Code")) in ("NoSuchKey", "404", "NotFound", "NoSuchBucket"):
            return False
        raise
    return True


def presigned_link(s3: Any, bucket: str, document: Document) -> str:
    url: str = s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": document.s3_key,
            "ResponseContentDisposition": f'attachment; filename="{document.file_name}"',
        },
        ExpiresIn=LINK_SECONDS,
    )
    return url


def store_file(s3: Any, bucket: str, key: str, data: bytes, mime_type: str | None) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=mime_type or "application/octet-stream")
