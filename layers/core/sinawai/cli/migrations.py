"""``sinawai migrate``: apply pending schema migrations to the DB_* database, and ensure the application user.

The work is ``sinawai.deploy.migration``, the same code the MigrationFunction runs inside the stack: TLS
when ``DB_TLS`` is true, and the DML-only application user when ``APP_DB_SECRET_ARN`` (or
``APP_DB_USER``/``APP_DB_PASSWORD``) is set.
"""

from __future__ import annotations

import argparse

from sinawai.cli.common import Subcommands
from sinawai.deploy.migration import APP_PRIVILEGES, AppUser, apply_schema, functions_send_no_set, run
from sinawai.platform.config import DatabaseSettings


def migrate(settings: DatabaseSettings | None = None) -> list[str]:
    """Apply pending migrations; return the ids applied (empty when the schema is current)."""
    applied, _ = apply_schema(settings or DatabaseSettings.from_env())
    return applied


def _cmd_migrate(_: argparse.Namespace) -> int:
    settings = DatabaseSettings.from_env()
    report = run(
        settings,
        app_user=AppUser.from_env(),
        check_session_defaults=functions_send_no_set(),
        settings_from_env=True,
    )
    if report.applied:
        print(f"Applied {len(report.applied)} migration(s): {', '.join(report.applied)}")
    else:
        print("Schema is up to date: nothing to apply.")
    user = report.app_user
    if user is not None:
        print(
            f"Application user {user.name}: {'created' if user.created else 'updated'}, "
            f"{', '.join(APP_PRIVILEGES)} on {settings.name} only"
            + (", TLS required." if user.tls_required else ".")
        )
        if user.revoked:
            print(f"Revoked grants it should not have: {'; '.join(user.revoked)}")
    return 0


def add_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "migrate",
        help="apply pending schema migrations to the DB_* database (and ensure the application user)",
    )
    p.set_defaults(func=_cmd_migrate)
