"""Database chores of the local stack: a fresh, migrated database for a demo, a test run or a benchmark."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pymysql

from sinawai.cli import migrate
from sinawai.platform.config import DatabaseSettings

_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")


def admin_connection(settings: DatabaseSettings) -> pymysql.connections.Connection[pymysql.cursors.Cursor]:
    return pymysql.connect(
        host=settings.host,
        port=settings.port,
        user=settings.user,
        password=settings.password,
        autocommit=True,
    )


def recreate_database(base: DatabaseSettings, name: str) -> DatabaseSettings:
    """Drop and create ``name``, apply the migrations, and return its settings."""
    if not _NAME.match(name):
        raise ValueError(f"bad database name {name!r}")
    conn = admin_connection(base)
    try:
        with conn.cursor() as cur:
            # Identifiers cannot be parameters; the name is checked against _NAME above.
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    finally:
        conn.close()
    settings = DatabaseSettings(base.host, base.port, name, base.user, base.password)
    migrate(settings)
    return settings


def drop_database(base: DatabaseSettings, name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"bad database name {name!r}")
    conn = admin_connection(base)
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        conn.close()


@contextmanager
def temporary_database(base: DatabaseSettings, prefix: str) -> Iterator[DatabaseSettings]:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    settings = recreate_database(base, name)
    try:
        yield settings
    finally:
        drop_database(base, name)
