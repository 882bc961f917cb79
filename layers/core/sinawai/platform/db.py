"""MySQL adapter: one connection per container, reused while it lives, re-opened when it breaks.

Every statement is parameterised; driver errors that mean "the database is not there" become
``DatabaseUnavailableError`` so handlers can answer with a retryable status.

TLS (``DB_TLS``) always checks the server's certificate and host name, against ``DB_TLS_CA`` (the system's
trust store, a PEM file, or a PEM bundle downloaded once per container over verified HTTPS). With
``DB_SESSION_INIT=false`` a connection sends no SET at all (RDS Proxy pins a client that changes session
state to one backend connection): the server's own defaults must then be right, which the migration checks.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pymysql
import pymysql.cursors
from pymysql.connections import Connection

from sinawai.platform.config import DatabaseSettings
from sinawai.platform.errors import (
    ConfigurationError,
    DatabaseUnavailableError,
    DuplicateKeyError,
    TransactionConflictError,
)

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
# (ERROR_FOR_DIVISION_BY_ZERO with the others: MySQL 8 warns on every connection without it)
SQL_MODE = "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO"
_SESSION_SETUP = (  # a literal, so the SQL portability scan reads the flags the functions send
    "SET time_zone = '+00:00',"
    " sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO'"
)
# READ COMMITTED: no gap locks, so concurrent claims of different updates cannot deadlock on the status
# index. (The statement form works on MySQL 8 and MariaDB alike.)
_ISOLATION_SETUP = "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"

# ---- TLS ---------------------------------------------------------------------------------------------------

TLS_CA_ENV = "DB_TLS_CA"
CA_DOWNLOAD_TIMEOUT_SECONDS = 10
CA_MAX_BYTES = 4 * 1024 * 1024
# Where a downloaded CA bundle is kept for the container's life (Lambda's /tmp); tests point it elsewhere.
ca_cache_dir = Path(tempfile.gettempdir())
_downloaded: dict[str, str] = {}
_download_lock = threading.Lock()


class TlsError(DatabaseUnavailableError):
    """The TLS connection to MySQL failed: the server offers no TLS, requires it, or its certificate is not
    trusted (``DB_TLS_CA``) or not for its host name."""


def ssl_context(settings: DatabaseSettings) -> ssl.SSLContext:
    """The TLS context for ``settings``: the certificate chain and the host name are always verified."""
    source = settings.tls_ca
    if not source:
        # Public CAs conform to RFC 5280: Python's strict checks stay on.
        context = ssl.create_default_context()
    else:
        try:
            if source.startswith("https://"):
                context = ssl.create_default_context(cadata=downloaded_ca(source))
            else:
                context = ssl.create_default_context(cafile=source)
        except FileNotFoundError as e:
            raise ConfigurationError(f"{TLS_CA_ENV}: no such PEM file {source!r}") from e
        except (ssl.SSLError, ValueError) as e:
            raise ConfigurationError(f"{TLS_CA_ENV}: {source!r} holds no PEM certificate") from e
        except OSError as e:
            raise ConfigurationError(f"{TLS_CA_ENV}: cannot read {source!r} ({e.strerror or e})") from e
        # A private CA (RDS's regional bundle) is trusted as the mysql client trusts it: chain and host
        # name checked, without Python 3.13's extra RFC 5280 form checks that some private CAs fail.
        context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def downloaded_ca(url: str) -> str:
    """The PEM bundle at ``url``: from memory, else from the container's /tmp, else downloaded (verified
    HTTPS, the system's trust store) and kept in both."""
    with _download_lock:
        if url in _downloaded:
            return _downloaded[url]
        path = ca_cache_dir / f"sinawai-db-ca-{hashlib.sha256(url.encode()).hexdigest()[:16]}.pem"
        try:
            pem = path.read_text()
        except (FileNotFoundError, UnicodeDecodeError):
            pem = ""
        if not _is_pem_bundle(pem):
            pem = _download(url)
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_text(pem)
            partial.replace(path)  # atomic: another process never reads half a bundle
        _downloaded[url] = pem
        return pem


def _download(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigurationError(f"{TLS_CA_ENV} must be an https:// URL, got {url!r}")
    conn = http.client.HTTPSConnection(
        parts.hostname, parts.port, timeout=CA_DOWNLOAD_TIMEOUT_SECONDS, context=ssl.create_default_context()
    )
    try:
        conn.request("GET", parts.path or "/")
        response = conn.getresponse()
        body = response.read(CA_MAX_BYTES + 1)
        status = response.status
    except (OSError, http.client.HTTPException) as e:
        raise ConfigurationError(f"{TLS_CA_ENV}: cannot download {url} ({e})") from e
    finally:
        conn.close()
    if status != 200:
        raise ConfigurationError(f"{TLS_CA_ENV}: downloading {url} answered HTTP {status}")
    pem = body.decode("ascii", errors="replace")
    if len(body) > CA_MAX_BYTES or not _is_pem_bundle(pem):
        raise ConfigurationError(f"{TLS_CA_ENV}: {url} is not a PEM certificate bundle")
    return pem


def _is_pem_bundle(pem: str) -> bool:
    if "-----BEGIN CERTIFICATE-----" not in pem:
        return False
    try:
        ssl.create_default_context(cadata=pem)
    except (ssl.SSLError, ValueError):
        return False
    return True


def clear_ca_cache() -> None:
    """Forget downloaded CA bundles held in memory (tests; the /tmp copy stays)."""
    with _download_lock:
        _downloaded.clear()


# ---- tracing -----------------------------------------------------------------------------------------------

# A span around each statement (its parameterised SQL) and each transaction (None). The functions that trace
# (``sinawai.telegram.tracing``) install one; the router installs none, so the platform imports no tracer
# and an untraced statement costs one comparison.
Span = Callable[[str | None], AbstractContextManager[object]]
_span: Span | None = None


def install_span(span: Span | None) -> None:
    """Trace every statement and transaction of every ``Database`` with ``span`` (None: stop tracing)."""
    global _span
    _span = span


def _traced(sql: str | None) -> AbstractContextManager[object]:
    return _span(sql) if _span is not None else contextlib.nullcontext()


# ---- connections -------------------------------------------------------------------------------------------


class _HandshakeCharsetConnection(Connection):  # type: ignore[misc]
    """A connection that sends no ``SET NAMES`` while it connects: the handshake carries the character set.

    PyMySQL follows the handshake with ``SET NAMES utf8mb4``, a session-state change that pins the client
    to one backend connection behind RDS Proxy; the handshake's utf8mb4 (utf8mb4_general_ci) already sets
    character_set_client, _connection and _results."""

    _connecting = False

    def connect(self, sock: Any = None) -> None:
        self._connecting = True
        try:
            super().connect(sock)
        finally:
            self._connecting = False

    def set_character_set(self, charset: str, collation: str | None = None) -> None:
        if self._connecting and charset == self.charset and collation is None:
            return
        super().set_character_set(charset, collation)


def connect(
    settings: DatabaseSettings,
    *,
    database: bool = True,
    cursorclass: type[pymysql.cursors.Cursor] = Cursor,
    autocommit: bool = True,
) -> Connection[Any]:
    """Open a connection in UTC, utf8mb4, strict mode and READ COMMITTED (sent as SETs, or the server's
    defaults when ``session_init`` is off); autocommit unless a transaction is opened."""
    connection_class = Connection if settings.session_init else _HandshakeCharsetConnection
    try:
        conn = connection_class(
            host=settings.host,
            port=settings.port,
            user=settings.user,
            password=settings.password,
            database=settings.name if database else None,
            charset="utf8mb4",
            autocommit=autocommit,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=READ_TIMEOUT_SECONDS,
            write_timeout=READ_TIMEOUT_SECONDS,
            cursorclass=cursorclass,
            init_command=_SESSION_SETUP if settings.session_init else None,
            # no TLS means none: PyMySQL would otherwise try TLS without checking the certificate
            ssl=ssl_context(settings) if settings.tls else None,
            ssl_disabled=not settings.tls,
        )
        if settings.session_init:
            with conn.cursor() as cur:
                cur.execute(_ISOLATION_SETUP)
    except pymysql.err.OperationalError as e:
        raise _connect_error(settings, e) from e
    return conn


def _connect_error(settings: DatabaseSettings, e: pymysql.err.OperationalError) -> DatabaseUnavailableError:
    where = f"MySQL at {settings.host}:{settings.port}"
    code = e.args[0] if e.args else None
    cause = getattr(e, "original_exception", None)
    if isinstance(cause, ssl.SSLCertVerificationError) and cause.verify_code == X509_V_ERR_HOSTNAME_MISMATCH:
        return TlsError(
            f"{where}: its TLS certificate is not for this host name ({cause.verify_message}); "
            "DB_HOST must be a name the certificate carries (the endpoint's own name, not an alias)"
        )
    if isinstance(cause, ssl.SSLCertVerificationError):
        return TlsError(
            f"{where}: its TLS certificate is not trusted ({cause.verify_message}); "
            f"check {TLS_CA_ENV} ({settings.tls_ca or 'empty: the system trust store'})"
        )
    if isinstance(cause, ssl.SSLError):
        return TlsError(f"{where}: the TLS handshake failed ({cause.reason or cause})")
    if code == CR_SSL_CONNECTION_ERROR:
        return TlsError(f"{where} offers no TLS, and DB_TLS=true requires it")
    if code == ER_SECURE_TRANSPORT_REQUIRED:
        return TlsError(f"{where} requires TLS: set DB_TLS=true")
    if code == ER_ACCESS_DENIED:
        hint = "" if settings.tls else " (a server that requires TLS refuses a plain connection so too)"
        return AccessDeniedError(f"{where} refused the credentials{hint}")
    detail = e.args[-1] if e.args else e
    return DatabaseUnavailableError(f"cannot connect to {where}: {detail}")


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

    def forget(self) -> None:
        """Close the connection and forget settings read from the environment or a secret (they hold the
        password): both come back on the next statement (before a SnapStart snapshot, after a restore)."""
        with self._lock:
            self.close()
            if self._settings_from_env:
                self._settings = None

    def _run(self, sql: str, args: Sequence[Any] | None, fetch: str) -> Any:
        with self._lock, _traced(sql):
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
        with self._lock, _traced(None):
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
ER_SECURE_TRANSPORT_REQUIRED = 3159
CR_SSL_CONNECTION_ERROR = 2026
X509_V_ERR_HOSTNAME_MISMATCH = 62
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
