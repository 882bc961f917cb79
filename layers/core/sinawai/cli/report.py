"""``sinawai report [--period day|week|month] [--date D] [--to D]``: the evaluation report on the terminal
and its files on disk."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sinawai.cli.common import Subcommands
from sinawai.platform.config import Settings
from sinawai.platform.errors import ConfigurationError, DatabaseUnavailableError


def _published_calendar(settings: Settings) -> Any:
    """The working calendar published with the content (cuti bersama, special hours), as the report
    function reads it; None, with a warning, when it cannot be read."""
    from botocore.exceptions import BotoCoreError, ClientError

    from sinawai.information.content_store import ContentStore

    try:
        return ContentStore(settings.documents_bucket, cache_seconds=0).get().calendar
    except (BotoCoreError, ClientError) as e:
        print(
            f"sinawai report: kalender kerja tidak dapat dibaca dari S3 ({e}); jam kerja dihitung tanpa "
            "cuti bersama dan jam khusus.",
            file=sys.stderr,
        )
        return None


def _cmd_report(args: argparse.Namespace) -> int:
    """Print the digest of a day, a range, a week or a month and write its files: exit 0, 2 on a bad
    period or database."""
    from datetime import UTC, datetime

    from sinawai.platform.clock import utcnow
    from sinawai.platform.db import Database
    from sinawai.report import config, digest
    from sinawai.report import files as report_files
    from sinawai.report import store as report_store
    from sinawai.report.period import PeriodError, parse_period

    settings = Settings.from_env()
    hours = config.working_hours(settings, _published_calendar(settings))
    today = utcnow().replace(tzinfo=UTC).astimezone(hours.zone).date()
    try:
        period = parse_period(period_args(args.period, args.date, args.to), today)
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
    folder = Path(args.out) / digest.archive_prefix_of(period)
    folder.mkdir(parents=True, exist_ok=True)
    print()
    for name, (content, _mime) in report_files.files_of(built, hours.zone).items():
        (folder / name).write_bytes(content)
        print(f"Ditulis: {folder / name}")
    return 0


PERIOD_WORDS = {"week": "minggu", "month": "bulan"}


def period_args(period: str, first: str | None, last: str | None) -> list[str]:
    """The /laporan arguments the options stand for: a day (yesterday without --date) or a range; the
    week or month before this one, or the one holding --date."""
    if period in PERIOD_WORDS:
        if last:
            from sinawai.report.period import PeriodError

            raise PeriodError("--to hanya dapat dipakai dengan --period day (rentang tanggal).")
        return [PERIOD_WORDS[period]] + ([first] if first else [])
    return ([first] if first else []) + ([last] if last else [])


def add_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "report",
        help="the evaluation report of a day, a range, a week or a month: print the digest, write chart and "
        "workbook",
        description="Build the evaluation report from the DB_* database, print the managers' digest and "
        "write its files (PNG chart, XLSX workbook, text) under OUT/reports/YYYY/MM/DD/ (the S3 archive's "
        "layout). Nothing is sent to Telegram. Exit status: 0 done, 2 bad period or database error.",
    )
    p.add_argument(
        "--period",
        choices=("day", "week", "month"),
        default="day",
        help="day: --date (yesterday without it), or --date to --to; week/month: the week (Monday to Sunday) "
        "or calendar month holding --date, the one before this one without it (default: day)",
    )
    p.add_argument(
        "--date", help="the day, the first day of the range, or a day in the week or month (YYYY-MM-DD)"
    )
    p.add_argument("--to", help="the last day of the range (YYYY-MM-DD), at most a year after --date")
    p.add_argument("--out", default="laporan", help="folder for the files (default: ./laporan)")
    p.set_defaults(func=_cmd_report)
