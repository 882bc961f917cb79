"""``sinawai import employees|tunkin|cuti FILE``: import an HR file (the same code as the ImportFunction)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sinawai.cli.common import Subcommands, operator
from sinawai.platform.errors import ConfigurationError, DatabaseUnavailableError, TransactionConflictError

CONFIRM_ANSWERS = frozenset({"y", "ya", "yes"})


def _import_full_mode(args: argparse.Namespace) -> Any:
    """The FullMode of --full (None without it); ValueError for a bad limit."""
    from sinawai.hr_import import service

    if not args.full:
        return None
    if args.max_deactivate_percent is not None:
        limit = service.check_percent(args.max_deactivate_percent)
    else:
        limit = service.max_deactivate_percent_from_env()
    return service.FullMode(max_deactivate_percent=limit, force=args.force)


def _confirmed(deactivate: int) -> bool | None:
    """Ask on a terminal; None when stdin is not one (the caller refuses: --yes is needed)."""
    if sys.stdin is None or not sys.stdin.isatty():
        return None
    try:
        answer = input(f"Lanjutkan impor dan nonaktifkan {deactivate} pegawai? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in CONFIRM_ANSWERS


def _cmd_import(args: argparse.Namespace) -> int:
    """Import one HR file: exit 0 imported, 1 rejected (every bad row printed), 2 usage or I/O error.

    ``--full`` (employees only) prints the dry-run summary first and asks before it writes."""
    import pymysql

    from sinawai.hr_import import notices, service
    from sinawai.hr_import.parse import parse
    from sinawai.hr_import.records import MAX_FILE_BYTES
    from sinawai.platform.db import Database

    if args.kind != "employees" and args.full:
        print("sinawai import: --full hanya untuk berkas employees (data pegawai).", file=sys.stderr)
        return 2
    if not args.full and (args.force or args.yes or args.max_deactivate_percent is not None):
        print(
            "sinawai import: --yes, --force dan --max-deactivate-percent hanya dengan --full.",
            file=sys.stderr,
        )
        return 2
    try:
        full = _import_full_mode(args)
    except ValueError:
        print(
            "sinawai import: batas penonaktifan (--max-deactivate-percent atau "
            f"{service.MAX_DEACTIVATE_PERCENT_ENV}) harus angka persen 0 sampai 100.",
            file=sys.stderr,
        )
        return 2
    path = Path(args.file)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // 2**20
            print(f"sinawai import: berkas {path} terlalu besar (maksimal {limit} MB).", file=sys.stderr)
            return 2
        data = path.read_bytes()
    except OSError as e:
        print(f"sinawai import: berkas {path} tidak dapat dibaca: {e.strerror or e}.", file=sys.stderr)
        return 2
    db = Database()
    source = f"cli:{path.resolve()}"
    try:
        parsed = parse(args.kind, data, path.name)
        sha256 = service.sha256_of(data)
        prepared = None
        if full is not None or args.dry_run:
            prepared = service.prepare(db, parsed)
            summary = service.preview(db, parsed, source=source, sha256=sha256, full=full, prepared=prepared)
            print(notices.render_text(summary))
            if args.dry_run:
                return 0 if summary.imported else 1
            if not summary.imported:
                # recorded like any rejected import, never re-run: nothing is written without confirmation
                service.record_rejection(db, summary, detail={"via": "cli", "user": operator()})
                return 1
            if not args.yes:
                confirmed = _confirmed(summary.deactivated)
                if confirmed is None:
                    print(
                        "sinawai import: masukan bukan terminal, jadi konfirmasi tidak dapat diminta; "
                        "tidak ada data yang disimpan. Tambahkan --yes untuk mengimpor tanpa konfirmasi.",
                        file=sys.stderr,
                    )
                    return 2
                if not confirmed:
                    print("Dibatalkan: tidak ada data yang disimpan.")
                    return 1
        result = service.apply(
            db,
            parsed,
            source=source,
            sha256=sha256,
            detail={"via": "cli", "user": operator()},
            full=full,
            prepared=prepared,
        )
    except (ConfigurationError, DatabaseUnavailableError, TransactionConflictError) as e:
        print(f"sinawai import: basis data tidak dapat digunakan: {e}", file=sys.stderr)
        return 2
    except pymysql.err.MySQLError as e:
        print(
            f"sinawai import: kesalahan basis data ({e}); sudahkah `sinawai migrate` dijalankan?",
            file=sys.stderr,
        )
        return 2
    finally:
        db.close()
    print(notices.render_text(result))
    return 0 if result.imported else 1


def add_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import",
        help="import an HR file (CSV or XLSX): all rows or none",
        description="Import a CSV or XLSX file exported by the HR system into the DB_* database. "
        "A file with any bad row imports nothing; every bad row is printed with its line number. "
        "Exit status: 0 imported, 1 rejected, 2 usage or I/O error.",
    )
    p.add_argument("kind", choices=["employees", "tunkin", "cuti"], help="what the file holds")
    p.add_argument("file", help="path of the .csv or .xlsx file")
    p.add_argument(
        "--full",
        action="store_true",
        help="employees only: the file is the whole workforce; employees absent from it are deactivated "
        "and their Telegram binding released (a summary is printed first and confirmation asked)",
    )
    p.add_argument("--dry-run", action="store_true", help="print what the import would do; change nothing")
    p.add_argument("-y", "--yes", action="store_true", help="with --full: do not ask for confirmation")
    p.add_argument(
        "--max-deactivate-percent",
        metavar="P",
        help="with --full: refuse when more than P%% of the active employees would be deactivated "
        "(default: IMPORT_MAX_DEACTIVATE_PERCENT or 10)",
    )
    p.add_argument("--force", action="store_true", help="with --full: deactivate beyond that limit")
    p.set_defaults(func=_cmd_import)
