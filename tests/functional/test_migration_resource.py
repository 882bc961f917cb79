"""The MigrationFunction (functions/migrate/app.py) as CloudFormation drives it: real custom resource events,
answered on a local ResponseURL, against a MariaDB that speaks only TLS (tests/tls_mariadb.py), with the
master and application secrets in Secrets Manager (moto).

- Create migrates an empty database over TLS and answers Applied/Head; Update and a repeated Create change
  nothing; Delete leaves the data;
- an unreachable database, a foreign CA, a plain connection or a broken migration answer FAILED with the
  reason, in time; a database that comes up during the wait is migrated;
- the application user can use the data and nothing more, is corrected after drift, gets a rotated
  password, and a function reading its secret reconnects after the rotation;
- with APP_DB_SESSION_INIT=false the server's session defaults are checked;
- no password reaches the answer or the log; ``sinawai migrate`` does the same from a laptop.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pymysql
import pytest
from moto import mock_aws

from sinawai.deploy import migration
from sinawai.platform import db as db_module
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from tests.cfn_response_server import ResponseServer, response_server
from tests.helpers import FUNCTIONS, ROOT, FakeContext, base_db_settings, db_env, query, use_moto_secrets
from tests.tcp_proxy import TcpProxy
from tests.tls_mariadb import HOST, MASTER_USER, TlsMariaDB

REGION = "ap-southeast-3"
APP_PASSWORD = "App-Rahasia-1 'quoted' \"too\" %s"
NEW_APP_PASSWORD = "App-Rahasia-2-baru"
SHIPPED = sorted(
    p.name.removesuffix(".sql")
    for p in (ROOT / "layers/core/sinawai/migrations").glob("*.sql")
    if not p.name.endswith(".rollback.sql")
)


def load_function() -> ModuleType:
    """functions/migrate/app.py as Lambda loads it: a fresh module, as in a new container."""
    spec = importlib.util.spec_from_file_location("migrate_app", FUNCTIONS / "migrate" / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Stack:
    """One stage's database on the TLS server, its secrets, and the MigrationFunction's environment."""

    server: TlsMariaDB
    schema: str
    app_user: str
    master_arn: str
    app_arn: str
    secrets: Any
    cfn: ResponseServer
    function: ModuleType
    monkeypatch: pytest.MonkeyPatch

    def handle(self, request_type: str, **extra: Any) -> dict[str, Any]:
        """Deliver one CloudFormation event; return CloudFormation's answer."""
        before = len(self.cfn.answers)
        event = self.cfn.event(request_type, {"LayerVersion": "arn:aws:lambda:::layer:core:7"}, **extra)
        self.function.lambda_handler(event, FakeContext())
        assert len(self.cfn.answers) == before + 1, "CloudFormation gets exactly one answer per event"
        return self.cfn.last

    def tables(self) -> set[str]:
        rows = self.server.sql(
            "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = %s", (self.schema,)
        )
        return {str(r["t"]) for r in rows}

    def app_settings(self, password: str = APP_PASSWORD, **changes: Any) -> DatabaseSettings:
        return self.server.settings(self.schema, user=self.app_user, password=password, **changes)

    def grants(self) -> list[str]:
        rows = self.server.sql("SHOW GRANTS FOR %s@'%%'", (self.app_user,))
        return [str(next(iter(r.values()))) for r in rows]


@pytest.fixture
def cfn() -> Iterator[ResponseServer]:
    with response_server() as server:
        yield server


@pytest.fixture
def stack(
    tls_db: TlsMariaDB, cfn: ResponseServer, moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Stack]:
    schema = tls_db.create_database()
    app_user = f"app_{schema[-10:]}"
    for key in (
        "DB_USER",
        "DB_PASSWORD",
        "DB_SECRET_ARN",
        "APP_DB_USER",
        "APP_DB_PASSWORD",
        "APP_DB_SECRET_ARN",
        "APP_DB_SESSION_INIT",
        "DB_SESSION_INIT",
        "SSL_CERT_FILE",
        "AWS_PROFILE",
    ):
        monkeypatch.delenv(key, raising=False)
    use_moto_secrets(monkeypatch, moto_url, REGION)
    with mock_aws():
        sm = boto3.client("secretsmanager", region_name=REGION)
        # An RDS-managed master secret holds only username and password: DB_HOST names the endpoint.
        master_arn = sm.create_secret(
            Name=f"sinawai/{schema}/master",
            SecretString=json.dumps({"username": MASTER_USER, "password": tls_db.master_password}),
        )["ARN"]
        app_arn = sm.create_secret(
            Name=f"sinawai/{schema}/app",
            SecretString=json.dumps(
                {"username": app_user, "password": APP_PASSWORD, "host": HOST, "port": tls_db.port}
            ),
        )["ARN"]
        monkeypatch.setenv("DB_SECRET_ARN", master_arn)
        monkeypatch.setenv("DB_HOST", HOST)
        monkeypatch.setenv("DB_PORT", str(tls_db.port))
        monkeypatch.setenv("DB_NAME", schema)
        monkeypatch.setenv("DB_TLS", "true")
        monkeypatch.setenv("DB_TLS_CA", str(tls_db.ca.pem))
        monkeypatch.setenv("APP_DB_SECRET_ARN", app_arn)
        monkeypatch.setenv("DB_CONNECT_WAIT_SECONDS", "3")
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "sinawai-dev-MigrationFunction")
        monkeypatch.setattr(migration, "RETRY_PAUSE_SECONDS", 0.5)
        try:
            yield Stack(tls_db, schema, app_user, master_arn, app_arn, sm, cfn, load_function(), monkeypatch)
        finally:
            tls_db.drop_database(schema)
            tls_db.sql("DROP USER IF EXISTS %s@'%%'", (app_user,))


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Everything the function logs (ours and yoyo's, at every level); not the test's own boto3 calls."""
    for name in ("sinawai", "yoyo"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def assert_no_password(stack: Stack, log: pytest.LogCaptureFixture, *passwords: str) -> None:
    answers = json.dumps(stack.cfn.answers)
    for password in (stack.server.master_password, APP_PASSWORD, *passwords):
        assert password not in answers, "a password reached CloudFormation"
        assert password not in log.text, "a password reached the log"
    assert "IDENTIFIED BY PASSWORD" not in log.text  # nor a password hash from SHOW GRANTS


# ---- Create, Update, Delete --------------------------------------------------------------------------------


def test_create_migrates_over_tls_then_update_repeat_and_delete_change_nothing(
    stack: Stack, log: pytest.LogCaptureFixture
) -> None:
    started = time.monotonic()
    created = stack.handle("Create")
    assert created["Status"] == "SUCCESS", created["Reason"]
    assert created["Data"] == {"Applied": ", ".join(SHIPPED), "Head": SHIPPED[-1]}
    assert {"pengguna", "pesan", "update_inbox", "ticket"} <= stack.tables()
    physical_id = created["PhysicalResourceId"]
    assert physical_id == f"sinawai-schema-{stack.schema}"
    # the migration connected over TLS, so the application user must use TLS too
    user = stack.server.sql("SELECT ssl_type FROM mysql.user WHERE user = %s", (stack.app_user,))
    assert user == [{"ssl_type": "ANY"}]
    ran_by = stack.server.sql(f"SELECT DISTINCT username FROM `{stack.schema}`._yoyo_log")
    assert ran_by == [{"username": "sinawai-dev-MigrationFunction"}]  # yoyo's record says who migrated

    updated = stack.handle("Update", PhysicalResourceId=physical_id, OldResourceProperties={})
    assert updated["Status"] == "SUCCESS", updated["Reason"]
    assert updated["Data"] == {"Applied": "none", "Head": SHIPPED[-1]}
    assert updated["PhysicalResourceId"] == physical_id  # not a replacement

    again = stack.handle("Create")  # CloudFormation may repeat a Create: it is idempotent
    assert (again["Status"], again["Data"]["Applied"]) == ("SUCCESS", "none")

    deleted = stack.handle("Delete", PhysicalResourceId=physical_id)
    assert deleted["Status"] == "SUCCESS"
    assert {"pengguna", "pesan"} <= stack.tables()  # a stack deletion never drops the data
    assert stack.grants()  # nor the application user
    assert time.monotonic() - started < 60
    assert_no_password(stack, log)


def test_an_unreachable_database_fails_the_deploy_within_the_wait_with_the_reason(
    stack: Stack, log: pytest.LogCaptureFixture
) -> None:
    stack.monkeypatch.setenv("DB_PORT", "1")
    started = time.monotonic()
    answer = stack.handle("Create")
    elapsed = time.monotonic() - started
    assert answer["Status"] == "FAILED"
    assert "cannot connect to MySQL at 127.0.0.1:1" in answer["Reason"]
    assert "gave up after" in answer["Reason"]  # it did try again during DB_CONNECT_WAIT_SECONDS
    assert answer["PhysicalResourceId"] == "failed-create"
    assert 2 < elapsed < 8
    assert_no_password(stack, log)


def test_a_database_that_comes_up_during_the_wait_is_migrated(stack: Stack) -> None:
    with TcpProxy(HOST, stack.server.port) as proxy:
        proxy.cut()  # the new cluster refuses connections for a moment
        stack.monkeypatch.setenv("DB_PORT", str(proxy.port))
        stack.monkeypatch.setenv("DB_CONNECT_WAIT_SECONDS", "20")
        threading.Timer(1.5, proxy.restore).start()
        answer = stack.handle("Create")
    assert answer["Status"] == "SUCCESS", answer["Reason"]
    assert answer["Data"]["Head"] == SHIPPED[-1]


def test_a_foreign_ca_fails_at_once_without_waiting(stack: Stack, log: pytest.LogCaptureFixture) -> None:
    stack.monkeypatch.setenv("DB_TLS_CA", str(stack.server.wrong_ca.pem))
    stack.monkeypatch.setenv("DB_CONNECT_WAIT_SECONDS", "60")
    started = time.monotonic()
    answer = stack.handle("Create")
    assert answer["Status"] == "FAILED"
    assert "certificate is not trusted" in answer["Reason"]
    assert "DB_TLS_CA" in answer["Reason"]
    assert time.monotonic() - started < 5  # a certificate does not fix itself: no minute of retries
    assert stack.tables() == set()
    assert_no_password(stack, log)


def test_a_plain_connection_is_refused_by_the_tls_server(stack: Stack, log: pytest.LogCaptureFixture) -> None:
    stack.monkeypatch.setenv("DB_TLS", "false")
    answer = stack.handle("Create")
    assert answer["Status"] == "FAILED"
    assert "refused the credentials" in answer["Reason"]
    assert "requires TLS" in answer["Reason"]
    assert stack.tables() == set()
    assert_no_password(stack, log)


def test_a_failing_migration_fails_with_its_id_and_mysql_message(
    stack: Stack, tmp_path: Path, log: pytest.LogCaptureFixture
) -> None:
    shipped = Path(migration.migrations_dir())
    broken = tmp_path / "migrations"
    shutil.copytree(shipped, broken)
    (broken / "0099_broken.sql").write_text("ALTER TABLE no_such_table ADD COLUMN x INT;\n")
    stack.monkeypatch.setattr(migration, "migrations_dir", lambda: str(broken))
    answer = stack.handle("Create")
    assert answer["Status"] == "FAILED"
    assert answer["Reason"].startswith("migration 0099_broken failed: MySQL 1146:")
    assert "no_such_table" in answer["Reason"]
    assert "pengguna" in stack.tables()  # the migrations before it stay applied
    assert stack.server.sql(f"SELECT COUNT(*) AS n FROM `{stack.schema}`.yoyo_lock") == [{"n": 0}]
    assert_no_password(stack, log)


def test_a_stale_lock_of_a_killed_migration_is_removed_and_a_live_one_is_respected(
    stack: Stack, log: pytest.LogCaptureFixture
) -> None:
    assert stack.handle("Create")["Status"] == "SUCCESS"
    lock = f"`{stack.schema}`.yoyo_lock"
    stack.server.sql(
        f"INSERT INTO {lock} (locked, ctime, pid) VALUES (1, UTC_TIMESTAMP() - INTERVAL 1 HOUR, 8)"
    )
    answer = stack.handle("Update", PhysicalResourceId=f"sinawai-schema-{stack.schema}")
    assert answer["Status"] == "SUCCESS", answer["Reason"]
    assert "stale migration lock" in log.text
    stack.server.sql(f"INSERT INTO {lock} (locked, ctime, pid) VALUES (1, UTC_TIMESTAMP(), 8)")
    stack.monkeypatch.setattr(migration, "LOCK_WAIT_SECONDS", 1)
    busy = stack.handle("Update", PhysicalResourceId=f"sinawai-schema-{stack.schema}")
    assert busy["Status"] == "FAILED"
    assert "another migration holds yoyo's lock" in busy["Reason"]


def test_an_app_secret_that_is_not_json_fails_before_anything_changes(
    stack: Stack, log: pytest.LogCaptureFixture
) -> None:
    stack.secrets.put_secret_value(SecretId=stack.app_arn, SecretString=APP_PASSWORD)
    answer = stack.handle("Create")
    assert answer["Status"] == "FAILED"
    assert answer["Reason"] == "APP_DB_SECRET_ARN: the secret must be JSON with username and password"
    assert stack.tables() == set()
    assert_no_password(stack, log)


# ---- the application user ----------------------------------------------------------------------------------


def as_app(stack: Stack, sql: str, password: str = APP_PASSWORD) -> None:
    conn = db_module.connect(stack.app_settings(password))
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


NIP = "199001012015011001"


def test_the_app_user_can_use_the_data_but_not_change_the_schema_or_grant(stack: Stack) -> None:
    assert stack.handle("Create")["Status"] == "SUCCESS"
    app = Database(stack.app_settings())
    try:
        app.execute("INSERT INTO pengguna (nip, nama) VALUES (%s, %s)", (NIP, "Budi Santoso"))
        app.execute("UPDATE pengguna SET jabatan = %s WHERE nip = %s", ("Analis SDM", NIP))
        row = app.fetch_one("SELECT nama, jabatan FROM pengguna WHERE nip = %s", (NIP,))
        assert row == {"nama": "Budi Santoso", "jabatan": "Analis SDM"}
        with app.transaction() as cur:  # the functions' claims: SELECT ... FOR UPDATE
            cur.execute("SELECT id FROM pengguna WHERE nip = %s FOR UPDATE", (NIP,))
        assert app.execute("DELETE FROM pengguna WHERE nip = %s", (NIP,)) == 1
    finally:
        app.close()
    for ddl in (
        "CREATE TABLE extra (id INT)",
        "DROP TABLE pesan",
        "ALTER TABLE pengguna ADD COLUMN x INT",
        "TRUNCATE TABLE pesan",
        f"GRANT SELECT ON `{stack.schema}`.* TO '{MASTER_USER}'@'%'",
        "CREATE DATABASE elsewhere",
    ):
        with pytest.raises(pymysql.err.MySQLError) as refused:
            as_app(stack, ddl)
        assert refused.value.args[0] in (1142, 1044, 1045, 1227), (ddl, refused.value)
    assert {"pesan", "pengguna"} <= stack.tables()


def test_a_drifted_app_user_is_corrected_on_the_next_run(stack: Stack, log: pytest.LogCaptureFixture) -> None:
    assert stack.handle("Create")["Status"] == "SUCCESS"
    expected = stack.grants()
    stack.server.sql("GRANT ALL PRIVILEGES ON *.* TO %s@'%%' WITH GRANT OPTION", (stack.app_user,))
    stack.server.sql(f"GRANT ALL PRIVILEGES ON `{stack.schema}`.* TO %s@'%%'", (stack.app_user,))
    as_app(stack, "CREATE TABLE drift (id INT)")  # the drift is real: the app user could run DDL
    answer = stack.handle("Update", PhysicalResourceId=f"sinawai-schema-{stack.schema}")
    assert answer["Status"] == "SUCCESS", answer["Reason"]
    assert stack.grants() == expected
    assert len(expected) == 2
    assert "SELECT, INSERT, UPDATE, DELETE" in expected[1]
    with pytest.raises(pymysql.err.MySQLError):
        as_app(stack, "DROP TABLE drift")
    assert "revoked extra grants: GRANT ALL PRIVILEGES ON *.* WITH GRANT OPTION" in log.text
    assert_no_password(stack, log)


def test_a_rotated_password_in_the_secret_is_set_on_the_next_run(
    stack: Stack, log: pytest.LogCaptureFixture
) -> None:
    assert stack.handle("Create")["Status"] == "SUCCESS"
    stack.secrets.put_secret_value(
        SecretId=stack.app_arn,
        SecretString=json.dumps({"username": stack.app_user, "password": NEW_APP_PASSWORD}),
    )
    assert stack.handle("Update", PhysicalResourceId=f"sinawai-schema-{stack.schema}")["Status"] == "SUCCESS"
    as_app(stack, "SELECT 1", NEW_APP_PASSWORD)
    with pytest.raises(db_module.AccessDeniedError):
        as_app(stack, "SELECT 1", APP_PASSWORD)
    assert_no_password(stack, log, NEW_APP_PASSWORD)


def test_an_operator_invoking_migrate_applies_a_new_app_password_without_cloudformation(
    stack: Stack, log: pytest.LogCaptureFixture
) -> None:
    assert stack.handle("Create")["Status"] == "SUCCESS"
    stack.secrets.put_secret_value(
        SecretId=stack.app_arn,
        SecretString=json.dumps({"username": stack.app_user, "password": NEW_APP_PASSWORD}),
    )
    before = len(stack.cfn.answers)
    answer = stack.function.lambda_handler({"action": "migrate"}, FakeContext())
    assert answer == {"ok": True, "Applied": "none", "Head": SHIPPED[-1]}
    assert len(stack.cfn.answers) == before  # nothing sent to CloudFormation
    as_app(stack, "SELECT 1", NEW_APP_PASSWORD)
    with pytest.raises(db_module.AccessDeniedError):
        as_app(stack, "SELECT 1", APP_PASSWORD)
    assert_no_password(stack, log, NEW_APP_PASSWORD)
    # a database out of reach: a clear answer, no crash
    stack.monkeypatch.setenv("DB_PORT", "1")
    stack.monkeypatch.setenv("DB_CONNECT_WAIT_SECONDS", "0")
    failed = stack.function.lambda_handler({"action": "migrate"}, FakeContext())
    assert failed["ok"] is False
    assert NEW_APP_PASSWORD not in json.dumps(failed)


def test_a_function_reading_the_app_secret_reconnects_after_a_rotation(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert stack.handle("Create")["Status"] == "SUCCESS"
    # a group function's environment: DB_SECRET_ARN is the application secret, no SET (RDS Proxy)
    monkeypatch.setenv("DB_SECRET_ARN", stack.app_arn)
    monkeypatch.setenv("DB_SESSION_INIT", "false")
    stack.server.sql("SET GLOBAL TRANSACTION ISOLATION LEVEL READ COMMITTED")
    function_db = Database()
    try:
        first = function_db.fetch_one("SELECT CONNECTION_ID() AS id, CURRENT_USER() AS u")
        assert first is not None
        assert str(first["u"]) == f"{stack.app_user}@%"
        # the secret rotates and the migration (with the master secret) sets the user's new password
        stack.secrets.put_secret_value(
            SecretId=stack.app_arn,
            SecretString=json.dumps({"username": stack.app_user, "password": NEW_APP_PASSWORD}),
        )
        with monkeypatch.context() as migration_env:
            migration_env.setenv("DB_SECRET_ARN", stack.master_arn)
            migration_env.delenv("DB_SESSION_INIT")
            updated = stack.handle("Update", PhysicalResourceId=f"sinawai-schema-{stack.schema}")
        assert updated["Status"] == "SUCCESS", updated["Reason"]
        stack.server.sql(f"KILL {int(first['id'])}")  # the warm container's connection is gone
        connects: list[str] = []
        real_connect = db_module.connect

        def counting(settings: DatabaseSettings, **kwargs: Any) -> Any:
            connects.append(settings.password)
            return real_connect(settings, **kwargs)

        monkeypatch.setattr(db_module, "connect", counting)
        row = function_db.fetch_one("SELECT CURRENT_USER() AS u, @@tx_isolation AS iso")
        assert row == {"u": f"{stack.app_user}@%", "iso": "READ-COMMITTED"}
        assert connects == [APP_PASSWORD, NEW_APP_PASSWORD]  # refused once, then the fresh secret
    finally:
        function_db.close()
        stack.server.sql("SET GLOBAL TRANSACTION ISOLATION LEVEL REPEATABLE READ")


# ---- the server's session defaults -------------------------------------------------------------------------


def test_session_defaults_are_checked_when_the_functions_send_no_set(
    stack: Stack, log: pytest.LogCaptureFixture
) -> None:
    server = stack.server
    server.sql("SET GLOBAL time_zone = '+07:00'")
    server.sql("SET GLOBAL sql_mode = 'NO_ENGINE_SUBSTITUTION'")
    try:
        # the functions send their SETs (the default): the server's defaults do not matter
        assert stack.handle("Create")["Status"] == "SUCCESS"
        server.drop_database(stack.schema)
        server.sql(f"CREATE DATABASE `{stack.schema}`")
        stack.monkeypatch.setenv("APP_DB_SESSION_INIT", "false")
        answer = stack.handle("Create")
        assert answer["Status"] == "FAILED"
        reason = answer["Reason"]
        assert "time_zone is +07:00: set time_zone = UTC in the DB cluster parameter group" in reason
        assert (
            "transaction isolation is REPEATABLE-READ: set transaction_isolation = READ-COMMITTED" in reason
        )
        assert "'NO_ENGINE_SUBSTITUTION' is not strict: set sql_mode = STRICT_ALL_TABLES" in reason
        assert stack.tables() == set()  # checked before anything changed
        server.sql("SET GLOBAL time_zone = '+00:00'")
        server.sql("SET GLOBAL sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE'")
        server.sql("SET GLOBAL TRANSACTION ISOLATION LEVEL READ COMMITTED")
        fixed = stack.handle("Create")
        assert fixed["Status"] == "SUCCESS", fixed["Reason"]
    finally:
        server.sql("SET GLOBAL time_zone = SYSTEM")
        server.sql("SET GLOBAL sql_mode = DEFAULT")
        server.sql("SET GLOBAL TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    assert_no_password(stack, log)


# ---- sinawai migrate ---------------------------------------------------------------------------------------


def sinawai_migrate(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "APP_DB_"))}
    return subprocess.run(
        [sys.executable, "-m", "sinawai.cli", "migrate"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_sinawai_migrate_over_tls_ensures_the_app_user_and_says_so(tls_db: TlsMariaDB) -> None:
    schema = tls_db.create_database("sinawai_cli")
    user = f"cli_{schema[-10:]}"
    env = {**tls_db.env(schema), "APP_DB_USER": user, "APP_DB_PASSWORD": APP_PASSWORD}
    try:
        first = sinawai_migrate(env)
        assert first.returncode == 0, first.stderr
        assert f"Applied {len(SHIPPED)} migration(s): {', '.join(SHIPPED)}" in first.stdout
        said = f"Application user {user}: created, SELECT, INSERT, UPDATE, DELETE on {schema} only"
        assert f"{said}, TLS required." in first.stdout
        second = sinawai_migrate(env)
        assert second.returncode == 0, second.stderr
        assert "nothing to apply" in second.stdout
        assert f"Application user {user}: updated" in second.stdout
        for out in (first, second):
            assert tls_db.master_password not in out.stdout + out.stderr
            assert APP_PASSWORD not in out.stdout + out.stderr
        plain = sinawai_migrate({**env, "DB_TLS": "false"})
        assert plain.returncode == 1
        assert "requires TLS" in plain.stderr
    finally:
        tls_db.drop_database(schema)
        tls_db.sql("DROP USER IF EXISTS %s@'%%'", (user,))


def test_sinawai_migrate_locally_without_tls_makes_a_user_that_needs_no_tls() -> None:
    base = base_db_settings()
    admin = DatabaseSettings(base.host, base.port, "", base.user, base.password)
    schema = f"sinawai_cli_{os.urandom(4).hex()}"
    user = f"cli_{schema[-8:]}"
    query(admin, f"CREATE DATABASE `{schema}`")
    try:
        local = DatabaseSettings(base.host, base.port, schema, base.user, base.password)
        result = sinawai_migrate({**db_env(local), "APP_DB_USER": user, "APP_DB_PASSWORD": APP_PASSWORD})
        assert result.returncode == 0, result.stderr
        assert f"Application user {user}: created" in result.stdout
        assert "TLS required" not in result.stdout
        assert query(admin, "SELECT ssl_type FROM mysql.user WHERE user = %s", (user,)) == [{"ssl_type": ""}]
        app = Database(DatabaseSettings(base.host, base.port, schema, user, APP_PASSWORD))
        try:
            assert app.fetch_one("SELECT COUNT(*) AS n FROM pengguna") == {"n": 0}
        finally:
            app.close()
        tls_on_plain = sinawai_migrate({**db_env(local), "DB_TLS": "true"})
        assert tls_on_plain.returncode == 1
        assert "offers no TLS" in tls_on_plain.stderr
    finally:
        query(admin, f"DROP DATABASE IF EXISTS `{schema}`")
        query(admin, "DROP USER IF EXISTS %s@'%%'", (user,))
