"""``sinawai migrate``: apply pending schema migrations to the DB_* database."""

from __future__ import annotations

import argparse
from importlib import resources
from urllib.parse import quote

from sinawai.cli.common import Subcommands
from sinawai.platform.config import DatabaseSettings


def migrations_dir() -> str:
    return str(resources.files("sinawai") / "migrations")


def database_uri(settings: DatabaseSettings) -> str:
    # yoyo's "mysql" backend drives PyMySQL, the driver the functions use.
    auth = quote(settings.user, safe="")
    if settings.password:
        auth += ":" + quote(settings.password, safe="")
    return f"mysql://{auth}@{settings.host}:{settings.port}/{quote(settings.name, safe='')}"


def migrate(settings: DatabaseSettings | None = None) -> list[str]:
    """Apply pending migrations; return the ids applied (empty when the schema is current)."""
    from yoyo import get_backend, read_migrations

    settings = settings or DatabaseSettings.from_env()
    backend = get_backend(database_uri(settings))
    migrations = read_migrations(migrations_dir())
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    return [m.id for m in pending]


def _cmd_migrate(_: argparse.Namespace) -> int:
    applied = migrate()
    if applied:
        print(f"Applied {len(applied)} migration(s): {', '.join(applied)}")
    else:
        print("Schema is up to date: nothing to apply.")
    return 0


def add_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("migrate", help="apply pending schema migrations to the DB_* database")
    p.set_defaults(func=_cmd_migrate)
