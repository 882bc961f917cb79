"""MySQL adapter: one connection per container, reused while it lives, re-opened when it breaks.

Every statement is parameterised; driver errors that mean "the database is not there" become
``DatabaseUnavailableError`` so handlers can answer with a retryable status.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pymysql
import pymysql.cursors
from pymysql.connections import Connection

from sinawai.platform.config import DatabaseSettings
from sinawai.platform.errors import DatabaseUnavailableError, DuplicateKeyError, TransactionConflictError

CONNECT_TIMEOUT_SECONDS = 3
READ_TIMEOUT_SECONDS = 10

Row = dict[str, Any]
ER_DUP_ENTRY = 1062


class Cursor(pymysql.cursors.DictCursor):  # type: ignore[misc]
    """A dict cursor whose duplicate-key error is ours (``DuplicateKeyError``), so no caller needs the
    driver's error codes."""

    def execute(self, query: str, args: Any = None) -> int:
        try:
            return int(super().execute(query, args))
        except pymysql.err.IntegrityError as e:
            if e.args and e.args[0] == ER_DUP_ENTRY:
                raise DuplicateKeyError(str(e.args[-1])) from e
            raise


# UTC everywhere, and strict mode so bad data fails instead of being silently truncated.
_SESSION_SETUP = "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE'"


def connect(settings: DatabaseSettings, *, database: bool = True) -> Connection[Any]:
    """Open a connection in UTC, utf8mb4 and strict mode; autocommit unless a transaction is opened."""
    try:
        conn = pymysql.connect(
            host=settings.host,
            port=settings.port,
            user=settings.user,
            password=settings.password,
            database=settings.name if database else None,
            charset="utf8mb4",
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=READ_TIMEOUT_SECONDS,
            write_timeout=READ_TIMEOUT_SECONDS,
            cursorclass=Cursor,
            init_command=_SESSION_SETUP,
            ssl=ssl.create_default_context() if settings.tls else None,
        )
        with conn.cursor() as cur:
            # READ COMMITTED: no gap locks, so concurrent claims of different updates cannot deadlock on
            # the status index. (The statement form works on MySQL 8 and MariaDB alike.)
            cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
    except pymysql.err.OperationalError as e:
        if e.args and e.args[0] == ER_ACCESS_DENIED:
            raise AccessDeniedError(
                f"MySQL at {settings.host}:{settings.port} refused the credentials"
            ) from e
        raise DatabaseUnavailableError(f"cannot connect to MySQL at {settings.host}:{settings.port}") from e
    return conn


class AccessDeniedError(DatabaseUnavailableError):
    """MySQL error 1045: the user or password is refused (e.g. the RDS-managed password rotated)."""


class Database:
    """A lazily opened, self-healing connection. Safe to share between threads (one statement at a time)."""

    def __init__(self, settings: DatabaseSettings | None = None) -> None:
        self._settings = settings
        self._settings_from_env = settings is None  # so a refused password may be read again
        self._conn: Connection[Any] | None = None
        self._lock = threading.RLock()

    @property
    def settings(self) -> DatabaseSettings:
        if self._settings is None:
            self._settings = DatabaseSettings.from_env()
        return self._settings

    def _connection(self) -> Connection[Any]:
        if self._conn is None or not self._conn.open:
            try:
                self._conn = connect(self.settings)
            except AccessDeniedError:
                if not self._settings_from_env:
                    raise
                # The password was rotated since the secret was read: read it again and connect once more.
                self._settings = DatabaseSettings.from_env(fresh=True)
                self._conn = connect(self._settings)
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._conn.open:
                self._conn.close()
            self._conn = None

    def _run(self, sql: str, args: Sequence[Any] | None, fetch: str) -> Any:
        with self._lock:
            for attempt in (1, 2):
                try:
                    conn = self._connection()
                    with conn.cursor() as cur:
                        cur.execute(sql, args)
                        if fetch == "one":
                            return cur.fetchone()
                        if fetch == "all":
                            return cur.fetchall()
                        return cur.rowcount
                except pymysql.err.OperationalError as e:
                    if _is_conflict(e) and attempt == 1:
                        continue  # a single statement chosen as deadlock victim: run it once more
                    if _is_conflict(e):
                        raise TransactionConflictError(str(e)) from e
                    self.close()
                    if attempt == 2 or not _is_connection_error(e):
                        raise DatabaseUnavailableError(str(e.args[-1] if e.args else e)) from e
                except pymysql.err.InterfaceError as e:
                    # A connection kept by a warm container may have been closed by the server:
                    # retry once on a new connection before calling the database unavailable.
                    self.close()
                    if attempt == 2 or not _is_connection_error(e):
                        raise DatabaseUnavailableError(str(e.args[-1] if e.args else e)) from e
            raise AssertionError("unreachable")  # pragma: no cover

    def execute(self, sql: str, args: Sequence[Any] | None = None) -> int:
        """Run one statement and return the affected row count."""
        return int(self._run(sql, args, "count"))

    def fetch_one(self, sql: str, args: Sequence[Any] | None = None) -> Row | None:
        row: Row | None = self._run(sql, args, "one")
        return row

    def fetch_all(self, sql: str, args: Sequence[Any] | None = None) -> list[Row]:
        rows = self._run(sql, args, "all")
        return list(rows)

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """Run several statements atomically: all of them or none."""
        with self._lock:
            try:
                conn = self._connection()
                conn.begin()
            except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as e:
                self.close()
                raise DatabaseUnavailableError(str(e)) from e
            try:
                with conn.cursor() as cur:
                    yield cur
                conn.commit()
            except pymysql.err.OperationalError as e:
                if _is_conflict(e):
                    conn.rollback()
                    raise TransactionConflictError(str(e)) from e
                self.close()
                raise DatabaseUnavailableError(str(e)) from e
            except pymysql.err.InterfaceError as e:
                self.close()
                raise DatabaseUnavailableError(str(e)) from e
            except BaseException:
                conn.rollback()
                raise


ER_ACCESS_DENIED = 1045
ER_LOCK_WAIT_TIMEOUT = 1205
ER_LOCK_DEADLOCK = 1213


def _is_conflict(e: Exception) -> bool:
    return bool(e.args) and e.args[0] in (ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT)


# MySQL client errors that mean the link is gone (server gone away, lost connection, cannot connect).
_CONNECTION_ERRORS = {2002, 2003, 2006, 2013, 2055, 1053, 1927, 4031}


def _is_connection_error(e: Exception) -> bool:
    if isinstance(e, pymysql.err.InterfaceError):
        return True
    code = e.args[0] if e.args and isinstance(e.args[0], int) else None
    return code in _CONNECTION_ERRORS or code is None
