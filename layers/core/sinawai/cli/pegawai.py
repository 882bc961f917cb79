"""``sinawai pegawai ekspor|hapus NIP``: an employee's request under UU PDP 27/2022 (access, erasure).

OSDM officers answer these requests, so the commands speak Indonesian. A NIP is accepted as printed on
decrees, with spaces ("19900117 201503 1 001", quoted or not). Exit status: 0 done, 1 no such employee (or
the erasure declined), 2 bad usage (a malformed NIP, no terminal to confirm on, an unusable database).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sinawai.cli.common import Subcommands, operator
from sinawai.platform.config import Settings
from sinawai.platform.errors import ConfigurationError, DatabaseUnavailableError, TransactionConflictError

CONFIRM_ANSWERS = frozenset({"y", "ya", "yes"})


def _nip(args: argparse.Namespace, command: str) -> str | None:
    """The NIP of the arguments (its parts joined), or None after printing why it is not one."""
    from sinawai.common.text_limits import visible_text
    from sinawai.registration.rules import nip_problem, normalize_nip

    nip = normalize_nip(" ".join(args.nip))
    problem = nip_problem(nip)
    if problem is not None:
        print(f"sinawai pegawai {command}: {visible_text(problem)}", file=sys.stderr)
        return None
    return nip


def _unknown(command: str, nip: str) -> int:
    from sinawai.common.format_id import format_nip

    print(
        f"sinawai pegawai {command}: tidak ada data pegawai dengan NIP {format_nip(nip)} di Sinawai: NIP ini "
        "tidak terdaftar, atau datanya sudah dianonimkan sehingga tidak ada yang tersisa. Tidak ada yang "
        "diubah.",
        file=sys.stderr,
    )
    return 1


def _database_error(command: str, e: Exception) -> int:
    print(f"sinawai pegawai {command}: basis data tidak dapat digunakan: {e}", file=sys.stderr)
    return 2


def _write_private(path: Path, content: bytes) -> None:
    """Personal data on the officer's disk: readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(content)


def _cmd_ekspor(args: argparse.Namespace) -> int:
    """Write the employee's JSON export and its summary under --out; audited."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from sinawai.platform.clock import utcnow
    from sinawai.platform.db import Database
    from sinawai.privacy import export, store

    nip = _nip(args, "ekspor")
    if nip is None:
        return 2
    timezone = Settings.from_env().timezone
    db = Database()
    try:
        data = store.collect(db, nip)
        if data is None:
            return _unknown("ekspor", nip)
        now = utcnow()
        payload = export.to_json(data, now)
        summary = export.summary(data, now, timezone)
        folder = Path(args.out)
        stem = f"datasaya-{nip}-{now.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)):%Y%m%d-%H%M%S}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write_private(folder / f"{stem}.json", payload)
            _write_private(folder / f"{stem}.md", summary.encode("utf-8"))
        except OSError as e:
            print(
                f"sinawai pegawai ekspor: tidak dapat menulis di {folder}: {e.strerror or e}.",
                file=sys.stderr,
            )
            return 2
        store.record_cli_export(db, nip, operator())
    except (ConfigurationError, DatabaseUnavailableError, TransactionConflictError) as e:
        return _database_error("ekspor", e)
    finally:
        db.close()
    print(summary)
    print(f"Ditulis: {folder / (stem + '.json')}")
    print(f"Ditulis: {folder / (stem + '.md')}")
    print("Berkas ini memuat data pribadi: serahkan hanya kepada pegawai yang bersangkutan, lalu hapus.")
    return 0


def _confirmed(prompt: str) -> bool | None:
    """Ask on a terminal; None when stdin is not one (the caller refuses: --yes is needed)."""
    if sys.stdin is None or not sys.stdin.isatty():
        return None
    try:
        answer = input(prompt)
    except EOFError:
        return False
    return answer.strip().lower() in CONFIRM_ANSWERS


def _cmd_hapus(args: argparse.Namespace) -> int:
    """Anonymise the employee in one transaction, after confirmation (or --yes); audited."""
    from sinawai.common.format_id import format_nip
    from sinawai.platform.db import Database
    from sinawai.privacy import export, store

    nip = _nip(args, "hapus")
    if nip is None:
        return 2
    db = Database()
    try:
        data = store.collect(db, nip)
        if data is None:
            return _unknown("hapus", nip)
        unit = data.employee["unit_kerja"] or "-"
        print(f"Pegawai: {data.employee['nama']}, NIP {format_nip(nip)}, unit {unit}")
        for line in export.counts(data):
            print(f"- {line}")
        print(
            "Nama, NIP, akun Telegram, data kepegawaian (tunkin, cuti) dan semua teks pesan pegawai ini "
            "akan dihapus atau diganti nama samaran. Jumlah untuk laporan evaluasi tetap. Tindakan ini "
            "tidak dapat dibatalkan."
        )
        if not args.yes:
            confirmed = _confirmed("Anonimkan data pegawai ini? [y/N] ")
            if confirmed is None:
                print(
                    "sinawai pegawai hapus: masukan bukan terminal, jadi konfirmasi tidak dapat diminta; "
                    "tidak ada yang diubah. Tambahkan --yes untuk menganonimkan tanpa konfirmasi.",
                    file=sys.stderr,
                )
                return 2
            if not confirmed:
                print("Dibatalkan: tidak ada yang diubah.")
                return 1
        erasure = store.anonymise(db, nip, operator=f"cli:{operator()}")
    except (ConfigurationError, DatabaseUnavailableError, TransactionConflictError) as e:
        return _database_error("hapus", e)
    finally:
        db.close()
    if erasure is None:  # anonymised by someone else since the summary above
        return _unknown("hapus", nip)
    print(f"Selesai: data pegawai dianonimkan sebagai {erasure.pseudonym} ({erasure.total} baris diubah).")
    for table, n in erasure.rows.items():
        print(f"  {table}: {n}")
    print(
        "Tercatat di jejak audit (tanpa data pribadi). Menjalankan perintah ini lagi: tidak ada yang tersisa."
    )
    return 0


def add_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    pegawai = sub.add_parser(
        "pegawai",
        help="an employee's data under UU PDP 27/2022: export (ekspor) or anonymise (hapus)",
        description="Serve a data subject request of one employee, found by NIP in the DB_* database.",
    ).add_subparsers(dest="action", required=True)
    p = pegawai.add_parser(
        "ekspor",
        help="write everything held about one employee: JSON and a readable summary",
        description="Write everything Sinawai holds about the employee (profile, tunkin, cuti, Telegram "
        "accounts, audit trail, tickets with their messages, FAQ offers, documents sent, message log) as "
        "JSON plus a Markdown summary in Indonesian, never the password hash. The export is audited. "
        "Exit status: 0 written, 1 no such employee, 2 bad NIP or database error.",
    )
    p.add_argument("nip", nargs="+", help="the NIP, 18 digits (spaces as printed are accepted)")
    p.add_argument("--out", default="data-pegawai", help="folder for the files (default: ./data-pegawai)")
    p.set_defaults(func=_cmd_ekspor)
    p = pegawai.add_parser(
        "hapus",
        help="anonymise one employee (keeps the evaluation's counts); asks for confirmation",
        description="Anonymise the employee in one transaction: name, NIP (a stable pseudonym instead), "
        "Telegram ids and every text are removed, tunkin and cuti deleted; the rows the evaluation report "
        "counts stay, so past reports do not change. Writes an audit entry without personal data. "
        "Exit status: 0 anonymised, 1 no such employee (or already anonymised) or declined, 2 bad NIP, "
        "no terminal to confirm on without --yes, or database error.",
    )
    p.add_argument("nip", nargs="+", help="the NIP, 18 digits (spaces as printed are accepted)")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=_cmd_hapus)
