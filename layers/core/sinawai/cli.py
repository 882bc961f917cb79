"""The ``sinawai`` command: operations on the database and the bot (dev and ops machines, not Lambda)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sinawai.platform.config import DatabaseSettings, Settings, bot_token, webhook_secret
from sinawai.platform.errors import (
    ConfigurationError,
    DatabaseUnavailableError,
    SinawaiError,
    TransactionConflictError,
)
from sinawai.router.commands import commands_for


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


# Updates the bot acts on or records; anything else Telegram does not even send.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "chat_member"]


def bot_api(method: str, params: dict[str, Any]) -> Any:
    """Call the Bot API named by TELEGRAM_API_BASE_URL with the configured token."""
    base = Settings.from_env().telegram_api_base_url
    request = urllib.request.Request(  # noqa: S310 - the base URL is operator configuration (http/https)
        f"{base}/bot{bot_token()}/{method}",
        data=json.dumps(params).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body = json.loads(response.read())
    except urllib.error.HTTPError as e:
        body = json.loads(e.read() or b"{}")
    if not body.get("ok"):
        raise SinawaiError(f"{method}: {body.get('description', 'no answer')}")
    return body.get("result")


def _cmd_webhook_set(args: argparse.Namespace) -> int:
    bot_api(
        "setWebhook",
        {
            "url": args.url,
            "secret_token": webhook_secret(),
            "allowed_updates": ALLOWED_UPDATES,
            "max_connections": args.max_connections,
        },
    )
    print(f"Webhook set to {args.url} (secret token from configuration).")
    return 0


def _cmd_webhook_info(_: argparse.Namespace) -> int:
    info = bot_api("getWebhookInfo", {})
    print(json.dumps(info, indent=2, ensure_ascii=False))
    return 0


def _cmd_commands_publish(_: argparse.Namespace) -> int:
    private = [{"command": c.name, "description": c.description} for c in commands_for("private")]
    bot_api("setMyCommands", {"commands": private, "scope": {"type": "all_private_chats"}})
    print(f"Published {len(private)} command(s) for private chats.")
    staff_chat = os.environ.get("STAFF_GROUP_CHAT_ID", "").strip()
    if staff_chat:
        staff = [{"command": c.name, "description": c.description} for c in commands_for("staff")]
        bot_api("setMyCommands", {"commands": staff, "scope": {"type": "chat", "chat_id": int(staff_chat)}})
        print(f"Published {len(staff)} command(s) for the staff group.")
    managers_chat = os.environ.get("MANAGERS_CHAT_ID", "").strip()
    if managers_chat:
        managers = [{"command": c.name, "description": c.description} for c in commands_for("managers")]
        bot_api(
            "setMyCommands", {"commands": managers, "scope": {"type": "chat", "chat_id": int(managers_chat)}}
        )
        print(f"Published {len(managers)} command(s) for the managers' chat.")
    return 0


def _operator() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


CONFIRM_ANSWERS = frozenset({"y", "ya", "yes"})


def _import_full_mode(args: argparse.Namespace) -> Any:
    """The FullMode of --full (None without it); ValueError for a bad limit."""
    from sinawai.hr_import import importer as hr_import

    if not args.full:
        return None
    if args.max_deactivate_percent is not None:
        limit = hr_import.check_percent(args.max_deactivate_percent)
    else:
        limit = hr_import.max_deactivate_percent_from_env()
    return hr_import.FullMode(max_deactivate_percent=limit, force=args.force)


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

    from sinawai.hr_import import importer as hr_import
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
            f"{hr_import.MAX_DEACTIVATE_PERCENT_ENV}) harus angka persen 0 sampai 100.",
            file=sys.stderr,
        )
        return 2
    path = Path(args.file)
    try:
        size = path.stat().st_size
        if size > hr_import.MAX_FILE_BYTES:
            limit = hr_import.MAX_FILE_BYTES // 2**20
            print(f"sinawai import: berkas {path} terlalu besar (maksimal {limit} MB).", file=sys.stderr)
            return 2
        data = path.read_bytes()
    except OSError as e:
        print(f"sinawai import: berkas {path} tidak dapat dibaca: {e.strerror or e}.", file=sys.stderr)
        return 2
    db = Database()
    source = f"cli:{path.resolve()}"
    try:
        parsed = hr_import.parse(args.kind, data, path.name)
        sha256 = hr_import.sha256_of(data)
        prepared = None
        if full is not None or args.dry_run:
            prepared = hr_import.prepare(db, parsed)
            summary = hr_import.preview(
                db, parsed, source=source, sha256=sha256, full=full, prepared=prepared
            )
            print(hr_import.render_text(summary))
            if args.dry_run:
                return 0 if summary.imported else 1
            if not summary.imported:
                # recorded like any rejected import, never re-run: nothing is written without confirmation
                hr_import.record_rejection(db, summary, detail={"via": "cli", "user": _operator()})
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
        result = hr_import.apply(
            db,
            parsed,
            source=source,
            sha256=sha256,
            detail={"via": "cli", "user": _operator()},
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
    print(hr_import.render_text(result))
    return 0 if result.imported else 1


# ---- content -----------------------------------------------------------------------------------------


def _load_content(root: Path) -> Any:
    """The checked bundle, or None after printing every problem with its file and line."""
    from sinawai.information import content

    try:
        return content.build(content.load_folder(root))
    except content.ContentError as e:
        for problem in e.problems:
            print(f"{root / problem.path}:{problem.line}: {problem.message}", file=sys.stderr)
        print(f"Konten ditolak: {len(e.problems)} masalah. Tidak ada yang diterbitkan.", file=sys.stderr)
        return None


def _cmd_content_validate(args: argparse.Namespace) -> int:
    from sinawai.information import content

    root = Path(args.dir)
    if not root.is_dir():
        print(f"sinawai content: folder {root} tidak ada.", file=sys.stderr)
        return 2
    bundle = _load_content(root)
    if bundle is None:
        return 1
    info = content.describe(bundle)
    areas = ", ".join(f"{area} {n}" for area, n in info["areas"].items())
    print(
        f"Konten valid: {info['topics']} topik ({areas}); "
        f"{info['drafts']} masih draf menunggu konfirmasi OSDM."
    )
    return 0


def _cmd_content_publish(args: argparse.Namespace) -> int:
    from sinawai.information import content, content_store

    root = Path(args.dir)
    if not root.is_dir():
        print(f"sinawai content: folder {root} tidak ada.", file=sys.stderr)
        return 2
    bucket = args.bucket or Settings.from_env().documents_bucket
    if not bucket:
        print("sinawai content publish: set DOCUMENTS_BUCKET or --bucket.", file=sys.stderr)
        return 2
    bundle = _load_content(root)
    if bundle is None:
        return 1
    from datetime import UTC, datetime

    stamped = content.Bundle(
        bundle.areas, bundle.topics, bundle.version, datetime.now(UTC).isoformat(timespec="seconds")
    )
    version_id = content_store.publish(bucket, stamped)
    print(
        f"Diterbitkan: {len(bundle.topics)} topik, versi {bundle.version}, "
        f"s3://{bucket}/{content_store.BUNDLE_KEY}" + (f" (S3 version {version_id})" if version_id else "")
    )
    print("Fungsi membaca konten baru paling lambat setelah CONTENT_CACHE_SECONDS (bawaan 60 detik).")
    return 0


# ---- documents -----------------------------------------------------------------------------------------


def _cmd_documents_upload(args: argparse.Namespace) -> int:
    import mimetypes

    from sinawai.documents import library as documents
    from sinawai.platform.db import Database

    path = Path(args.file)
    bucket = args.bucket or Settings.from_env().documents_bucket
    if not bucket:
        print("sinawai documents upload: set DOCUMENTS_BUCKET or --bucket.", file=sys.stderr)
        return 2
    try:
        category = documents.check_category(args.category)
        roles = documents.check_roles(args.roles.split(",")) if args.roles is not None else None
        data = path.read_bytes()
    except documents.DocumentInputError as e:
        print(f"sinawai documents upload: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(
            f"sinawai documents upload: berkas {path} tidak dapat dibaca: {e.strerror or e}.", file=sys.stderr
        )
        return 2
    if not data:
        print(f"sinawai documents upload: berkas {path} kosong.", file=sys.stderr)
        return 2
    mime = mimetypes.guess_type(path.name)[0]
    key = documents.s3_key_for(category, path.name)
    documents.store_file(documents.s3_client(), bucket, key, data, mime)
    db = Database()
    try:
        document = documents.add(
            db,
            category=category,
            title=args.title,
            roles=roles,
            s3_key=key,
            file_name=path.name,
            mime_type=mime,
            size_bytes=len(data),
            telegram_file_id=None,
            added_by=f"cli:{_operator()}",
        )
    except documents.DocumentInputError as e:
        print(f"sinawai documents upload: {e}", file=sys.stderr)
        return 2
    finally:
        db.close()
    link = " (lebih dari 50 MB: dikirim sebagai tautan)" if document.too_big_for_telegram else ""
    print(
        f"Dokumen #{document.id} '{document.title}' ({category}, untuk {', '.join(sorted(document.roles))}) "
        f"disimpan di s3://{bucket}/{key}{link}."
    )
    return 0


def _cmd_documents_list(_: argparse.Namespace) -> int:
    from sinawai.documents import library as documents
    from sinawai.platform.db import Database

    db = Database()
    try:
        found = documents.list_all(db)
    finally:
        db.close()
    for d in found:
        uploaded = "file_id tersimpan" if d.telegram_file_id else "belum diunggah ke Telegram"
        print(f"#{d.id}\t{d.category}\t{d.title}\t{','.join(sorted(d.roles))}\t{d.size_bytes} B\t{uploaded}")
    print(f"{len(found)} dokumen.")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    """Print the digest of a day or a range and write its files: exit 0, 2 on a bad period or database."""
    from datetime import UTC, datetime

    from sinawai.platform.clock import utcnow
    from sinawai.platform.db import Database
    from sinawai.report import config, digest
    from sinawai.report import files as report_files
    from sinawai.report import store as report_store
    from sinawai.report.period import PeriodError, parse_period

    settings = Settings.from_env()
    hours = config.working_hours(settings)
    today = utcnow().replace(tzinfo=UTC).astimezone(hours.zone).date()
    try:
        period = parse_period([args.date] + ([args.to] if args.to else []), today)
        target = config.target_hours(settings)
    except PeriodError as e:
        print(f"sinawai report: {digest.plain(str(e))}", file=sys.stderr)
        return 2
    except ConfigurationError:
        print(
            "sinawai report: REPORT_SERVICE_TARGET_WORKING_HOURS harus berupa angka jam kerja.",
            file=sys.stderr,
        )
        return 2
    db = Database()
    try:
        built = report_store.build(db, period, hours, target, datetime.now(UTC).replace(tzinfo=None))
    except (ConfigurationError, DatabaseUnavailableError) as e:
        print(f"sinawai report: basis data tidak dapat digunakan: {e}", file=sys.stderr)
        return 2
    finally:
        db.close()
    print(digest.digest(built.report, rich=False))
    folder = Path(args.out) / digest.archive_prefix(period.last)
    folder.mkdir(parents=True, exist_ok=True)
    print()
    for name, (content, _mime) in report_files.files_of(built, hours.zone).items():
        (folder / name).write_bytes(content)
        print(f"Ditulis: {folder / name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sinawai", description="Sinawai operations")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("migrate", help="apply pending schema migrations to the DB_* database")
    p.set_defaults(func=_cmd_migrate)

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

    p = sub.add_parser(
        "report",
        help="the evaluation report of a day or a range: print the digest, write chart and workbook",
        description="Build the evaluation report from the DB_* database, print the managers' digest and "
        "write its files (PNG chart, XLSX workbook, text) under OUT/reports/YYYY/MM/DD/ (the S3 archive's "
        "layout). Nothing is sent to Telegram. Exit status: 0 done, 2 bad period or database error.",
    )
    p.add_argument("--date", required=True, help="the day, or the first day of the range (YYYY-MM-DD)")
    p.add_argument("--to", help="the last day of the range (YYYY-MM-DD), at most a year after --date")
    p.add_argument("--out", default="laporan", help="folder for the files (default: ./laporan)")
    p.set_defaults(func=_cmd_report)

    webhook = sub.add_parser("webhook", help="point Telegram at the deployed webhook").add_subparsers(
        dest="action", required=True
    )
    p = webhook.add_parser("set", help="setWebhook with the configured secret token")
    p.add_argument("url", help="the WebhookUrl output of the stack")
    p.add_argument("--max-connections", type=int, default=40)
    p.set_defaults(func=_cmd_webhook_set)
    p = webhook.add_parser("info", help="getWebhookInfo: pending updates and the last delivery error")
    p.set_defaults(func=_cmd_webhook_info)

    commands = sub.add_parser("commands", help="Telegram's command menu").add_subparsers(
        dest="action", required=True
    )
    p = commands.add_parser("publish", help="setMyCommands from the command registry")
    p.set_defaults(func=_cmd_commands_publish)

    content_cmd = sub.add_parser("content", help="OSDM's information content").add_subparsers(
        dest="action", required=True
    )
    p = content_cmd.add_parser("validate", help="check the content files; every problem with file and line")
    p.add_argument("dir", nargs="?", default="content", help="the content folder (default: content)")
    p.set_defaults(func=_cmd_content_validate)
    p = content_cmd.add_parser("publish", help="check, then publish to s3://DOCUMENTS_BUCKET/content/")
    p.add_argument("dir", nargs="?", default="content", help="the content folder (default: content)")
    p.add_argument("--bucket", help="instead of DOCUMENTS_BUCKET")
    p.set_defaults(func=_cmd_content_publish)

    docs = sub.add_parser("documents", help="documents offered by /dokumen").add_subparsers(
        dest="action", required=True
    )
    p = docs.add_parser("upload", help="store a file in S3 and offer it in /dokumen")
    p.add_argument("category", help="slug: formulir, peraturan, templat-surat, ...")
    p.add_argument("title", help="the title employees see")
    p.add_argument("file", help="path of the file")
    p.add_argument(
        "--roles",
        help="who may see it, e.g. staf,admin (default: everyone for a new document; "
        "a new version of an existing title keeps its roles)",
    )
    p.add_argument("--bucket", help="instead of DOCUMENTS_BUCKET")
    p.set_defaults(func=_cmd_documents_upload)
    p = docs.add_parser("list", help="the documents and whether Telegram has their file")
    p.set_defaults(func=_cmd_documents_list)
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
