"""The ``sinawai`` command: operations on the database and the bot (dev and ops machines, not Lambda)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import resources
from urllib.parse import quote

from sinawai.config import DatabaseSettings
from sinawai.errors import SinawaiError


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sinawai", description="Sinawai operations")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("migrate", help="apply pending schema migrations to the DB_* database")
    p.set_defaults(func=_cmd_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SinawaiError as e:
        print(f"sinawai: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
