"""Schema migrations and the application's MySQL user, run as the master user: by ``sinawai migrate`` and,
inside the stack, by the MigrationFunction, a CloudFormation custom resource (functions/migrate/app.py).

- yoyo applies the pending migrations over connections opened by platform/db.py, so with ``DB_TLS`` they
  use TLS with the certificate and host name checked (yoyo's own URI would drop TLS). yoyo's lock is
  held; a lock row older than any Lambda can run is a killed migration's and is removed first.
- The application user (``APP_DB_SECRET_ARN``: JSON with ``username`` and ``password``; locally
  ``APP_DB_USER``/``APP_DB_PASSWORD``) gets exactly SELECT, INSERT, UPDATE and DELETE on the schema: it is
  created, its password set to the secret's current value, and anything more it has is revoked.
  The functions need nothing beyond DML: ``SELECT ... FOR UPDATE`` needs SELECT and UPDATE, ``GET_LOCK``
  needs no privilege, and nothing outside the migrations creates temporary tables, truncates, locks
  tables or runs DDL. The user must use TLS (``REQUIRE SSL``) when the migration itself connected with it.
- With ``APP_DB_SESSION_INIT=false`` (the functions send no SET, for RDS Proxy) the server's own session
  defaults are checked first: UTC, a strict sql_mode and READ COMMITTED.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import re
import socket
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any
from urllib.parse import quote

import pymysql
import pymysql.cursors

from sinawai.deploy.custom_resource import CustomResource, CustomResourceError, Outcome, Request
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import SQL_MODE, AccessDeniedError, TlsError, connect
from sinawai.platform.errors import ConfigurationError, DatabaseUnavailableError, SinawaiError
from sinawai.platform.secrets_manager import SecretsManagerClient

logger = logging.getLogger(__name__)

APP_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
# Identifiers go into statements as text (they cannot be parameters): nothing but these characters.
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_]+$")
MAX_USER_NAME = 32  # MySQL 8's longest user name

CONNECT_WAIT_ENV = "DB_CONNECT_WAIT_SECONDS"
# A new Aurora cluster or RDS Proxy target may refuse connections for a moment after CloudFormation calls
# it created: the function keeps trying for a minute, well inside its timeout, then fails the deploy.
DEFAULT_CONNECT_WAIT_SECONDS = 60.0
RETRY_PAUSE_SECONDS = 5.0
# Lambda runs 15 minutes at most: a lock row older than this belongs to a migration that was killed.
STALE_LOCK_MINUTES = 20
LOCK_WAIT_SECONDS = 30
ER_NONEXISTING_GRANT = 1141  # SHOW GRANTS for a user that does not exist


class MigrationError(SinawaiError):
    """The migration could not be completed; the message is the reason the operator (or CloudFormation)
    is shown."""


@dataclass(frozen=True)
class AppUser:
    """The application's MySQL user: the functions' DB_SECRET_ARN holds the same name and password."""

    name: str
    password: str = field(repr=False)

    @classmethod
    def from_env(cls) -> AppUser | None:
        """From APP_DB_USER/APP_DB_PASSWORD, else APP_DB_SECRET_ARN (read now, never cached: a rotated
        password must be the one set); None when neither is configured."""
        name = os.environ.get("APP_DB_USER", "").strip()
        password = os.environ.get("APP_DB_PASSWORD", "").strip()
        if name or password:
            if not (name and password):
                raise ConfigurationError("set both APP_DB_USER and APP_DB_PASSWORD (or APP_DB_SECRET_ARN)")
            return cls(name, password)
        arn = os.environ.get("APP_DB_SECRET_ARN", "").strip()
        if not arn:
            return None
        raw = SecretsManagerClient.from_env().get_secret_value(arn)
        try:
            document = json.loads(raw)
        except ValueError:
            document = None
        fields = document if isinstance(document, dict) else {}
        secret_name, secret_password = fields.get("username"), fields.get("password")
        if not (isinstance(secret_name, str) and secret_name and isinstance(secret_password, str)):
            raise ConfigurationError("APP_DB_SECRET_ARN: the secret must be JSON with username and password")
        if not secret_password:
            raise ConfigurationError("APP_DB_SECRET_ARN: the secret's password is empty")
        return cls(secret_name, secret_password)


@dataclass(frozen=True)
class AppUserReport:
    name: str
    created: bool
    tls_required: bool
    revoked: tuple[str, ...] = ()  # the extra grants found and removed (without the password hash)


@dataclass(frozen=True)
class MigrationReport:
    applied: tuple[str, ...]
    head: str | None  # the newest migration's id, applied now or before
    app_user: AppUserReport | None = None


def migrations_dir() -> str:
    return str(resources.files("sinawai") / "migrations")


def functions_send_no_set() -> bool:
    """APP_DB_SESSION_INIT (default true) as the functions' DB_SESSION_INIT: false means they send no SET,
    so the server's own session defaults must be checked."""
    raw = os.environ.get("APP_DB_SESSION_INIT", "").strip().lower()
    if raw in ("", "1", "true", "yes"):
        return False
    if raw in ("0", "false", "no"):
        return True
    raise ConfigurationError(f"APP_DB_SESSION_INIT must be true or false, got {raw!r}")


def connect_wait_seconds() -> float:
    raw = os.environ.get(CONNECT_WAIT_ENV, "").strip()
    if not raw:
        return DEFAULT_CONNECT_WAIT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 600:
        raise ConfigurationError(f"{CONNECT_WAIT_ENV} must be a number of seconds (0-600), got {raw!r}")
    return seconds


def run(
    settings: DatabaseSettings,
    *,
    app_user: AppUser | None = None,
    check_session_defaults: bool = False,
    wait_seconds: float = 0.0,
    settings_from_env: bool = False,
) -> MigrationReport:
    """Wait for the database (up to ``wait_seconds``), check the session defaults when asked, apply the
    pending migrations, then ensure the application user. Raises ``SinawaiError`` with the reason."""
    settings = wait_for_database(settings, wait_seconds, settings_from_env=settings_from_env)
    if check_session_defaults:
        verify_session_defaults(settings)
    applied, head = apply_schema(settings)
    report: AppUserReport | None = None
    if app_user is not None:
        conn = connect(settings)
        try:
            report = ensure_app_user(conn, settings.name, app_user, require_tls=settings.tls)
        except pymysql.err.MySQLError as e:
            raise MigrationError(f"the application user {app_user.name}: {mysql_message(e)}") from e
        finally:
            conn.close()
    return MigrationReport(tuple(applied), head, report)


def wait_for_database(
    settings: DatabaseSettings, wait_seconds: float, *, settings_from_env: bool = False
) -> DatabaseSettings:
    """Connect until it works or ``wait_seconds`` have passed; return the settings that worked (the master
    secret is read again once when MySQL refuses its password: it may have been rotated)."""
    started = time.monotonic()
    attempts = 0
    refreshed = False
    while True:
        attempts += 1
        try:
            connect(settings).close()
        except TlsError:
            raise  # a certificate or a TLS setting does not fix itself
        except AccessDeniedError:
            if not settings_from_env or refreshed:
                raise
            settings, refreshed = DatabaseSettings.from_env(fresh=True), True
        except DatabaseUnavailableError as e:
            elapsed = time.monotonic() - started
            if elapsed + RETRY_PAUSE_SECONDS > wait_seconds:
                if attempts == 1:
                    raise
                raise DatabaseUnavailableError(
                    f"{e} (gave up after {attempts} attempts in {elapsed:.0f} s)"
                ) from e
            logger.warning("%s; trying again in %.0f s", e, RETRY_PAUSE_SECONDS)
            time.sleep(RETRY_PAUSE_SECONDS)
        else:
            return settings


# ---- the schema --------------------------------------------------------------------------------------------


def _backend(settings: DatabaseSettings) -> Any:
    """yoyo's MySQL backend, on connections we open (TLS, session setup) instead of from its URI."""
    from yoyo.backends.core.mysql import MySQLBackend
    from yoyo.connections import parse_uri
    from yoyo.migrations import default_migration_table

    class Backend(MySQLBackend):  # type: ignore[misc]
        def connect(self, dburi: Any) -> Any:
            # yoyo reads rows by position and runs its own transactions
            return connect(settings, cursorclass=pymysql.cursors.Cursor, autocommit=False)

        def get_log_data(self, migration: Any = None, operation: str = "apply") -> dict[str, Any]:
            # yoyo's own asks the OS for the user's name (Lambda's sandbox user may have none) and the
            # host's name from DNS: the function's name and the host name say who ran it.
            return {
                "id": str(uuid.uuid1()),
                "migration_id": migration.id if migration else None,
                "migration_hash": migration.hash if migration else None,
                "username": os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or _os_user(),
                "hostname": socket.gethostname(),
                "created_at_utc": datetime.now(UTC).replace(tzinfo=None),
                "operation": operation,
            }

    # The URI only names the database for yoyo (its cache key, list_tables): no password in it.
    user, name = quote(settings.user, safe=""), quote(settings.name, safe="")
    uri = parse_uri(f"mysql://{user}@{settings.host}:{settings.port}/{name}")
    backend = Backend(uri, default_migration_table)
    try:
        backend.init_database()
    except BaseException:
        backend.connection.close()
        raise
    return backend


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def apply_schema(settings: DatabaseSettings) -> tuple[list[str], str | None]:
    """Apply the pending migrations under yoyo's lock: (the ids applied, the newest migration's id)."""
    from yoyo import read_migrations
    from yoyo.exceptions import LockTimeout

    migrations = read_migrations(migrations_dir())
    backend = _backend(settings)
    try:
        _break_stale_lock(backend)
        with backend.lock(timeout=LOCK_WAIT_SECONDS):
            pending = backend.to_apply(migrations)
            for migration in pending:
                try:
                    backend.apply_one(migration)
                except backend.DatabaseError as e:
                    first = _first_error(e, backend.DatabaseError)
                    raise MigrationError(f"migration {migration.id} failed: {mysql_message(first)}") from e
            if pending:
                backend.run_post_apply(pending)
    except LockTimeout as e:
        raise MigrationError(
            f"another migration holds yoyo's lock (table yoyo_lock) for more than {LOCK_WAIT_SECONDS} s; "
            f"a lock older than {STALE_LOCK_MINUTES} minutes is removed by the next run ({e})"
        ) from e
    finally:
        backend.connection.close()
    return [m.id for m in pending], (migrations[-1].id if migrations else None)


def _break_stale_lock(backend: Any) -> None:
    cutoff = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=STALE_LOCK_MINUTES)
    with backend.transaction():
        cursor = backend.execute(
            f"DELETE FROM {backend.lock_table_quoted} WHERE ctime < :cutoff",  # noqa: S608 - yoyo's own name
            {"cutoff": cutoff},
        )
    if cursor.rowcount:
        logger.warning("removed a stale migration lock (older than %d minutes)", STALE_LOCK_MINUTES)


def _first_error(e: BaseException, kind: type[BaseException]) -> BaseException:
    """The statement's own error: yoyo's rollback to a savepoint that the failed DDL's implicit commit
    removed raises again (MySQL 1305), hiding the first error in ``__context__``."""
    while isinstance(e.__context__, kind):
        e = e.__context__
    return e


def mysql_message(e: BaseException) -> str:
    """``MySQL 1050: Table 'x' already exists`` from a driver error."""
    if len(e.args) >= 2 and isinstance(e.args[0], int):
        return f"MySQL {e.args[0]}: {e.args[1]}"
    return str(e)


# ---- the application user ----------------------------------------------------------------------------------


def ensure_app_user(conn: Any, schema: str, user: AppUser, *, require_tls: bool) -> AppUserReport:
    """Create or correct ``user``@'%': password from the secret, DML only on ``schema``, TLS when asked.

    Idempotent: re-running sets the current password again and revokes whatever else was granted."""
    if not _IDENTIFIER.match(user.name) or len(user.name) > MAX_USER_NAME:
        raise ConfigurationError(
            f"the application user's name must be 1-{MAX_USER_NAME} letters, digits or _, got {user.name!r}"
        )
    if not _IDENTIFIER.match(schema):
        raise ConfigurationError(f"DB_NAME must be letters, digits or _ only, got {schema!r}")
    if not user.password:
        raise ConfigurationError(f"the password of {user.name} is empty")
    require = "REQUIRE SSL" if require_tls else "REQUIRE NONE"
    # The schema name was checked above; the user and the password are parameters.
    grant = f"GRANT {', '.join(APP_PRIVILEGES)} ON `{schema}`.* TO %s@'%%'"
    with conn.cursor() as cur:
        created = _grants(cur, user.name) is None
        verb = "CREATE" if created else "ALTER"
        cur.execute(f"{verb} USER %s@'%%' IDENTIFIED BY %s {require}", (user.name, user.password))
        cur.execute(grant, (user.name,))
        extra = _extra_grants(_grants(cur, user.name) or [], schema)
        if extra:
            # Drift (someone granted more by hand): take everything away and give DML back.
            cur.execute("REVOKE ALL PRIVILEGES, GRANT OPTION FROM %s@'%%'", (user.name,))
            cur.execute(grant, (user.name,))
            left = _extra_grants(_grants(cur, user.name) or [], schema)
            if left:
                raise MigrationError(
                    f"the application user {user.name} keeps grants the migration cannot revoke: "
                    f"{'; '.join(left)}; revoke them by hand"
                )
            logger.warning("application user %s: revoked extra grants: %s", user.name, "; ".join(extra))
    logger.info(
        "application user %s %s: %s on %s%s",
        user.name,
        "created" if created else "updated",
        ", ".join(APP_PRIVILEGES),
        schema,
        ", TLS required" if require_tls else "",
    )
    return AppUserReport(user.name, created, require_tls, tuple(extra))


def _grants(cur: Any, name: str) -> list[str] | None:
    """SHOW GRANTS for ``name``@'%', or None when there is no such user."""
    try:
        cur.execute("SHOW GRANTS FOR %s@'%%'", (name,))
    except pymysql.err.MySQLError as e:
        if e.args and e.args[0] == ER_NONEXISTING_GRANT:
            return None
        raise
    return [str(next(iter(row.values())) if isinstance(row, dict) else row[0]) for row in cur.fetchall()]


_GRANT_LINE = re.compile(r"^GRANT (?P<privileges>.+?) ON (?P<target>\S+) TO ")


def _extra_grants(lines: Iterable[str], schema: str) -> list[str]:
    """The grants beyond USAGE and DML on the schema, each as ``GRANT ... ON ...`` (what follows TO is
    left out: MariaDB shows the password's hash there)."""
    extra: list[str] = []
    for line in lines:
        match = _GRANT_LINE.match(line)
        if match and "WITH GRANT OPTION" not in line:
            privileges = {p.strip().upper() for p in match["privileges"].split(",")}
            if match["target"] == "*.*" and privileges == {"USAGE"}:
                continue
            if match["target"] == f"`{schema}`.*" and privileges == set(APP_PRIVILEGES):
                continue
        option = " WITH GRANT OPTION" if "WITH GRANT OPTION" in line else ""
        extra.append(line.partition(" TO ")[0] + option)
    return extra


# ---- session defaults (DB_SESSION_INIT=false on the functions) ---------------------------------------------

_UTC_NAMES = {"+00:00", "UTC", "ETC/UTC", "GMT", "UNIVERSAL", "ZULU"}


def verify_session_defaults(settings: DatabaseSettings) -> None:
    """Fail unless a connection that sends no SET gets UTC, a strict sql_mode and READ COMMITTED."""
    conn = connect(replace(settings, session_init=False))
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SHOW VARIABLES WHERE Variable_name IN"
                " ('time_zone', 'system_time_zone', 'sql_mode', 'transaction_isolation', 'tx_isolation')"
            )
            values = {str(r["Variable_name"]): str(r["Value"]) for r in cur.fetchall()}
    finally:
        conn.close()
    problems = session_default_problems(values)
    if problems:
        raise MigrationError(
            "APP_DB_SESSION_INIT=false: the functions send no SET, so MySQL's own session defaults must be "
            "right, and they are not: "
            + "; ".join(problems)
            + " (or set them in RDS Proxy's InitQuery, or deploy with APP_DB_SESSION_INIT=true)"
        )


def session_default_problems(values: dict[str, str]) -> list[str]:
    """What is wrong with these session variables, each with the parameter group value that fixes it."""
    problems: list[str] = []
    zone = values.get("time_zone", "")
    effective = values.get("system_time_zone", "") if zone.upper() == "SYSTEM" else zone
    if effective.upper() not in _UTC_NAMES:
        shown = f"{zone} ({effective})" if zone.upper() == "SYSTEM" else zone
        problems.append(f"time_zone is {shown}: set time_zone = UTC in the DB cluster parameter group")
    isolation = values.get("transaction_isolation") or values.get("tx_isolation") or "?"
    if isolation.upper() != "READ-COMMITTED":
        problems.append(
            f"transaction isolation is {isolation}: set transaction_isolation = READ-COMMITTED in the DB "
            "cluster parameter group (tx_isolation on MariaDB)"
        )
    modes = {m.strip().upper() for m in values.get("sql_mode", "").split(",")}
    if not modes & {"STRICT_ALL_TABLES", "STRICT_TRANS_TABLES"}:
        problems.append(
            f"sql_mode {values.get('sql_mode', '')!r} is not strict: set sql_mode = "
            f"{SQL_MODE} in the DB parameter group"
        )
    return problems


# ---- the CloudFormation custom resource --------------------------------------------------------------------


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def on_create_or_update(request: Request) -> Outcome:
    """Create/Update: wait for MySQL, check the session defaults if asked, migrate, ensure the app user."""
    return migrate_now()


def migrate_now() -> Outcome:
    """Wait for MySQL, check the session defaults if asked, migrate, ensure the app user; the reason of a
    failure (CustomResourceError) never holds a password."""
    secrets: list[str] = []
    try:
        settings = DatabaseSettings.from_env()
        secrets.append(settings.password)
        app_user = AppUser.from_env()
        if app_user is not None:
            secrets.append(app_user.password)
        report = run(
            settings,
            app_user=app_user,
            check_session_defaults=functions_send_no_set(),
            wait_seconds=connect_wait_seconds(),
            settings_from_env=True,
        )
    except SinawaiError as e:
        raise CustomResourceError(_scrub(str(e), secrets)) from None
    except Exception as e:
        # Unexpected: the frames for the log, the message (scrubbed) for CloudFormation.
        reason = _scrub(f"{type(e).__name__}: {e}", secrets)
        # not logger.exception: its message could hold what _scrub removes
        frames = "".join(traceback.format_tb(e.__traceback__))
        logger.error("migration crashed: %s\n%s", reason, frames)  # noqa: TRY400
        raise CustomResourceError(reason) from None
    applied = ", ".join(report.applied) or "none"
    logger.info("schema at %s; applied: %s", report.head, applied)
    return Outcome(
        physical_id=f"sinawai-schema-{settings.name}",
        data={"Applied": applied, "Head": report.head or "none"},
    )


def migration_resource() -> CustomResource:
    """The MigrationFunction's custom resource: Delete leaves the data alone (SUCCESS, nothing done)."""
    return CustomResource("SchemaMigration", on_create_or_update)


MIGRATE_ACTION = {"action": "migrate"}


def handler(resource: CustomResource) -> Callable[[Mapping[str, Any], Any], dict[str, Any]]:
    """The function's handler: a CloudFormation event goes to the custom resource; ``{"action": "migrate"}``
    invoked by an operator (after putting a new application password in its secret) runs the same steps
    and answers with what it did."""

    def lambda_handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        if "RequestType" not in event and dict(event) == MIGRATE_ACTION:
            try:
                outcome = migrate_now()
            except CustomResourceError as e:
                return {"ok": False, "error": str(e)}
            return {"ok": True, **outcome.data}
        return resource.handle(event, context)

    return lambda_handler
