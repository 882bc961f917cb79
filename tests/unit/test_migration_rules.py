"""The migration's rules that need no database: which grants are too many (as MariaDB and MySQL 8 print
them), which session defaults are wrong and what fixes them, and which names and settings are refused."""

from __future__ import annotations

from typing import Any

import pytest

from sinawai.deploy.migration import (
    AppUser,
    _extra_grants,
    connect_wait_seconds,
    ensure_app_user,
    functions_send_no_set,
    session_default_problems,
)
from sinawai.platform.errors import ConfigurationError

HASH = "IDENTIFIED BY PASSWORD '*119A184279C1AED606CEEBA8BA8D52651DABBA8B'"


@pytest.mark.parametrize(
    "lines",
    [
        # MariaDB 10.11
        [
            f"GRANT USAGE ON *.* TO `sinawai_app`@`%` {HASH} REQUIRE SSL",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON `sinawai`.* TO `sinawai_app`@`%`",
        ],
        # MySQL 8 / Aurora MySQL 3 (another order of the same privileges)
        [
            "GRANT USAGE ON *.* TO `sinawai_app`@`%`",
            "GRANT INSERT, SELECT, DELETE, UPDATE ON `sinawai`.* TO `sinawai_app`@`%`",
        ],
    ],
)
def test_usage_and_dml_on_the_schema_are_exactly_right(lines: list[str]) -> None:
    assert _extra_grants(lines, "sinawai") == []


def test_anything_more_is_extra_and_described_without_the_password_hash() -> None:
    lines = [
        f"GRANT ALL PRIVILEGES ON *.* TO `sinawai_app`@`%` {HASH} REQUIRE SSL WITH GRANT OPTION",
        "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE TEMPORARY TABLES ON `sinawai`.* TO `sinawai_app`@`%`",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `sinawai`.* TO `sinawai_app`@`%` WITH GRANT OPTION",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `other`.* TO `sinawai_app`@`%`",
        "GRANT SELECT (`nip`) ON `sinawai`.`pengguna` TO `sinawai_app`@`%`",
        "GRANT `dba` TO `sinawai_app`@`%`",
    ]
    extra = _extra_grants(lines, "sinawai")
    assert extra == [
        "GRANT ALL PRIVILEGES ON *.* WITH GRANT OPTION",
        "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE TEMPORARY TABLES ON `sinawai`.*",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `sinawai`.* WITH GRANT OPTION",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `other`.*",
        "GRANT SELECT (`nip`) ON `sinawai`.`pengguna`",
        "GRANT `dba`",
    ]
    assert not any("PASSWORD" in e for e in extra)


GOOD_MYSQL8 = {
    "time_zone": "SYSTEM",
    "system_time_zone": "UTC",
    # Aurora MySQL 3's default
    "sql_mode": "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION",
    "transaction_isolation": "READ-COMMITTED",
}


def test_session_defaults_that_match_the_functions_sets_pass() -> None:
    assert session_default_problems(GOOD_MYSQL8) == []
    mariadb = {"time_zone": "+00:00", "sql_mode": "STRICT_ALL_TABLES", "tx_isolation": "READ-COMMITTED"}
    assert session_default_problems(mariadb) == []


def test_each_wrong_default_names_the_parameter_that_fixes_it() -> None:
    problems = session_default_problems(
        {
            "time_zone": "SYSTEM",
            "system_time_zone": "WIB",
            "sql_mode": "NO_ENGINE_SUBSTITUTION",
            "transaction_isolation": "REPEATABLE-READ",
        }
    )
    assert problems == [
        "time_zone is SYSTEM (WIB): set time_zone = UTC in the DB cluster parameter group",
        "transaction isolation is REPEATABLE-READ: set transaction_isolation = READ-COMMITTED in the DB "
        "cluster parameter group (tx_isolation on MariaDB)",
        "sql_mode 'NO_ENGINE_SUBSTITUTION' is not strict: set sql_mode = "
        "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO in the DB parameter group",
    ]
    assert session_default_problems({**GOOD_MYSQL8, "time_zone": "Asia/Jakarta"})[0].startswith(
        "time_zone is Asia/Jakarta:"
    )


class UntouchableConnection:
    """A connection no statement may reach: a refused name must change nothing."""

    def cursor(self) -> Any:
        raise AssertionError("a statement was sent for a refused name")


@pytest.mark.parametrize(
    ("user", "schema", "message"),
    [
        ("sinawai_app'@'%", "sinawai", "the application user's name"),
        ("sinawai-app", "sinawai", "the application user's name"),
        ("x" * 33, "sinawai", "the application user's name"),
        ("", "sinawai", "the application user's name"),
        ("sinawai_app", "sinawai`.* TO x; --", "DB_NAME"),
    ],
)
def test_names_that_are_not_plain_identifiers_are_refused_before_any_statement(
    user: str, schema: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        ensure_app_user(UntouchableConnection(), schema, AppUser(user, "secret"), require_tls=True)


def test_the_app_user_from_plain_variables_needs_both(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("APP_DB_USER", "APP_DB_PASSWORD", "APP_DB_SECRET_ARN"):
        monkeypatch.delenv(key, raising=False)
    assert AppUser.from_env() is None
    monkeypatch.setenv("APP_DB_USER", "sinawai_app")
    with pytest.raises(ConfigurationError, match="set both APP_DB_USER and APP_DB_PASSWORD"):
        AppUser.from_env()
    monkeypatch.setenv("APP_DB_PASSWORD", "Rahasia-1")
    user = AppUser.from_env()
    assert user == AppUser("sinawai_app", "Rahasia-1")
    assert "Rahasia-1" not in repr(user)


@pytest.mark.parametrize(("raw", "expected"), [("", False), ("true", False), ("false", True), ("0", True)])
def test_app_db_session_init(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("APP_DB_SESSION_INIT", raw)
    assert functions_send_no_set() is expected


def test_bad_waits_and_flags_are_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_DB_SESSION_INIT", "maybe")
    with pytest.raises(ConfigurationError, match="APP_DB_SESSION_INIT must be true or false"):
        functions_send_no_set()
    monkeypatch.delenv("DB_CONNECT_WAIT_SECONDS", raising=False)
    assert connect_wait_seconds() == 60
    for bad in ("soon", "-1", "3600"):
        monkeypatch.setenv("DB_CONNECT_WAIT_SECONDS", bad)
        with pytest.raises(ConfigurationError, match="DB_CONNECT_WAIT_SECONDS"):
            connect_wait_seconds()


def test_the_sql_mode_the_migration_asks_of_the_server_is_the_one_a_connection_sets() -> None:
    from sinawai.platform import db

    assert f"sql_mode = '{db.SQL_MODE}'" in db._SESSION_SETUP
    assert db.SQL_MODE in session_default_problems({**GOOD_MYSQL8, "sql_mode": "NO_ENGINE_SUBSTITUTION"})[0]
