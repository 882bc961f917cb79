"""Helpers shared by the test suites: events, fresh databases, loading a function's handler module."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pymysql

from local_stack.dbtools import admin_connection, temporary_database
from sinawai.platform.config import DatabaseSettings

if TYPE_CHECKING:
    import pytest

    from local_stack.stack import LocalStack
    from local_stack.telegram import ChatMessage

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"
FUNCTIONS = ROOT / "functions"

BOT_TOKEN = "123456:test-token-for-the-emulator"
WEBHOOK_SECRET = "local-webhook-secret"
STAFF_GROUP_CHAT_ID = -1001000000001
MANAGERS_CHAT_ID = -1001000000002

TABLES = (
    "announcement_delivery",
    "announcement",
    "document",
    "report_run",
    "faq_offer",
    "content_view",
    "document_send",
    "pesan",
    "update_inbox",
    "sensitive_chat",
    "update_counter",
    "conversation",
    "audit_log",
    "import_run",
    "import_staging",
    "import_chunk",
    "import_fanout",
    "tunkin",
    "cuti",
    "update_step",
    "staff_list_entry",  # its foreign keys point to staff_list and ticket
    "staff_list",
    "staff_outbox",
    "staff_send",
    "staff_pacer",
    "retention_cursor",
    "staff_pending_send",  # its foreign key points to ticket
    "staff_template",
    "staff_forum_topic",
    "ticket_message",
    "ticket_event",
    "ticket",
    "pengguna",
)


def load_event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return data


def base_db_settings() -> DatabaseSettings:
    return DatabaseSettings(
        host=os.environ.get("DB_HOST", "127.0.0.1"),
        port=int(os.environ.get("DB_PORT", "3306")),
        name="",
        user=os.environ.get("DB_USER", "root"),
        password=os.environ.get("DB_PASSWORD", ""),
    )


@contextmanager
def fresh_database(prefix: str = "sinawai_test") -> Iterator[DatabaseSettings]:
    """A new, migrated database, dropped afterwards."""
    with temporary_database(base_db_settings(), prefix) as settings:
        yield settings


def truncate_all(settings: DatabaseSettings) -> None:
    conn = admin_connection(settings)
    try:
        with conn.cursor() as cur:
            cur.execute(f"USE `{settings.name}`")
            for table in TABLES:
                cur.execute(f"DELETE FROM `{table}`")
    finally:
        conn.close()


def db_env(settings: DatabaseSettings) -> dict[str, str]:
    return {
        "DB_HOST": settings.host,
        "DB_PORT": str(settings.port),
        "DB_NAME": settings.name,
        "DB_USER": settings.user,
        "DB_PASSWORD": settings.password,
    }


class FakeContext:
    function_name = "test-function"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:ap-southeast-3:123456789012:function:test-function"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    log_group_name = "/aws/lambda/test-function"
    log_stream_name = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def query(settings: DatabaseSettings, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    conn = pymysql.connect(
        host=settings.host,
        port=settings.port,
        user=settings.user,
        password=settings.password,
        database=settings.name,
        cursorclass=pymysql.cursors.DictCursor,
        autocommit=True,
    )
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return list(cur.fetchall())
    finally:
        conn.close()


# Every place a copy of what a user sent could stay: no password may be found in any of them.
STORED_TEXT_COLUMNS = (
    ("update_inbox", "payload"),
    ("update_inbox", "sealed"),
    ("update_inbox", "error"),
    ("pesan", "isi_pesan"),
    ("pesan", "data"),
    ("conversation", "data"),
    ("audit_log", "detail"),
)


def assert_secret_nowhere(stack: LocalStack, secret: str, *, staff_group: int | None = None) -> None:
    """No table, no function log, no dead letter (and no live message in ``staff_group``) holds ``secret``."""
    for table, column in STORED_TEXT_COLUMNS:
        rows = query(
            stack.config.database,
            f"SELECT COUNT(*) AS n FROM {table} WHERE {column} LIKE %s",
            (f"%{secret}%",),
        )
        assert rows == [{"n": 0}], f"{secret!r} found in {table}.{column}"
    assert stack.config.log_dir is not None
    for log in stack.config.log_dir.glob("*.log"):
        assert secret not in log.read_text(errors="replace"), f"{secret!r} found in {log.name}"
    if staff_group is not None:
        for message in stack.telegram.messages(staff_group):
            assert message.deleted or secret not in message.content, "a password reached the staff group"
    assert stack.runtime is not None
    for letter in stack.runtime.dead_letters:
        assert secret.encode() not in letter.payload, f"{secret!r} in a dead letter of {letter.function}"


def text_of(message: ChatMessage) -> str:
    """The message's text; the test fails here when it has none (a caption does not count)."""
    assert message.text is not None, f"message {message.message_id} in chat {message.chat_id} has no text"
    return message.text


def use_moto_secrets(monkeypatch: pytest.MonkeyPatch, moto_url: str, region: str = "ap-southeast-3") -> None:
    """The functions' environment as in Lambda, with Secrets Manager served by moto's server: they read
    secrets by ARN with their own signed requests, over HTTP."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    monkeypatch.setenv("AWS_REGION", region)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto_url)
