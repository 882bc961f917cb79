"""Employees (pengguna), their Telegram binding, personal data and the audit trail (MySQL adapter)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sinawai.common.asn import AsnType, asn_type
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database, Row
from sinawai.platform.errors import DuplicateKeyError

EMPLOYEE_COLUMNS = (
    "id, nip, nama, password_hash, id_telegram, status, hak_pengguna, jabatan, unit_kerja, pangkat, golongan,"
    " kelas_jabatan, jenis_kelamin, tanggal_lahir, email, registered_at, wajib_ganti_sandi, jenis_asn"
)


@dataclass(frozen=True)
class Employee:
    nip: str
    nama: str
    status: str
    role: str
    telegram_id: int | None
    password_hash: str | None
    row: Mapping[str, Any]
    # registered with a one-time reset code: a new password comes before anything personal
    must_change_password: bool = False

    @property
    def active(self) -> bool:
        return self.status == "aktif"

    @property
    def jenis_asn(self) -> AsnType:
        """PNS or PPPK: which rules (leave kinds, content variants) answer this employee."""
        return asn_type(self.row.get("jenis_asn"))

    @classmethod
    def from_row(cls, row: Row) -> Employee:
        return cls(
            nip=str(row["nip"]),
            nama=str(row["nama"]),
            status=str(row["status"]),
            role=str(row["hak_pengguna"]),
            telegram_id=row["id_telegram"],
            password_hash=row["password_hash"],
            row=row,
            must_change_password=bool(row.get("wajib_ganti_sandi")),
        )


def by_nip(db: Database, nip: str) -> Employee | None:
    row = db.fetch_one(f"SELECT {EMPLOYEE_COLUMNS} FROM pengguna WHERE nip = %s", (nip,))  # noqa: S608
    return Employee.from_row(row) if row else None


def by_telegram(db: Database, telegram_id: int) -> Employee | None:
    row = db.fetch_one(f"SELECT {EMPLOYEE_COLUMNS} FROM pengguna WHERE id_telegram = %s", (telegram_id,))  # noqa: S608
    return Employee.from_row(row) if row else None


class AccountAlreadyBoundError(Exception):
    """This Telegram account is bound to another NIP already."""


def bind(db: Database, nip: str, telegram_id: int) -> bool:
    """Bind ``telegram_id`` to ``nip`` if the NIP is free. Only one of two racing accounts wins."""
    try:
        changed = db.execute(
            "UPDATE pengguna SET id_telegram = %s, registered_at = COALESCE(registered_at, %s)"
            " WHERE nip = %s AND id_telegram IS NULL",
            (telegram_id, utcnow(), nip),
        )
    except DuplicateKeyError as e:
        raise AccountAlreadyBoundError(nip) from e
    return changed == 1


def unbind(db: Database, telegram_id: int) -> str | None:
    """Release the account's NIP; return the NIP, or None when the account was not bound."""
    with db.transaction() as cur:
        cur.execute("SELECT nip FROM pengguna WHERE id_telegram = %s FOR UPDATE", (telegram_id,))
        row = cur.fetchone()
        if row is None:
            return None
        cur.execute("UPDATE pengguna SET id_telegram = NULL WHERE nip = %s", (row["nip"],))
        return str(row["nip"])


def set_password_hash(db: Database, nip: str, password_hash: str) -> None:
    """A new password (which also ends the duty to set one after a reset code)."""
    db.execute(
        "UPDATE pengguna SET password_hash = %s, wajib_ganti_sandi = 0 WHERE nip = %s", (password_hash, nip)
    )


def upgrade_password_hash(db: Database, nip: str, old_hash: str, new_hash: str) -> bool:
    """Replace an initial password's cheap hash by a full one of the same password (nothing else changes);
    False when the hash was changed meanwhile (the newer one stays)."""
    changed = db.execute(
        "UPDATE pengguna SET password_hash = %s WHERE nip = %s AND password_hash = %s",
        (new_hash, nip, old_hash),
    )
    return changed == 1


def tunkin_history(db: Database, nip: str, months: int = 6) -> list[Row]:
    return db.fetch_all(
        "SELECT periode, kelas_jabatan, tunjangan, potongan, keterangan FROM tunkin WHERE nip = %s"
        " ORDER BY periode DESC LIMIT %s",
        (nip, months),
    )


def asn_type_of(db: Database, telegram_id: int) -> AsnType | None:
    """The type of the employee bound to this Telegram account; None for an account bound to nobody."""
    row = db.fetch_one("SELECT jenis_asn FROM pengguna WHERE id_telegram = %s", (telegram_id,))
    return asn_type(row["jenis_asn"]) if row else None


def cuti_of_year(db: Database, nip: str, year: int) -> list[Row]:
    return db.fetch_all("SELECT jenis, hak, terpakai FROM cuti WHERE nip = %s AND tahun = %s", (nip, year))


# ---- audit ---------------------------------------------------------------------------------------------


def audit(
    db: Database,
    event: str,
    *,
    telegram_user_id: int | None,
    chat_id: int | None,
    nip: str | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    db.execute(
        "INSERT INTO audit_log (waktu, event, telegram_user_id, chat_id, nip, detail)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (
            utcnow(),
            event,
            telegram_user_id,
            chat_id,
            nip[:18] if nip else None,
            json.dumps(detail, ensure_ascii=False) if detail else None,
        ),
    )


def last_lockout(db: Database, *, nip: str | None, telegram_user_id: int) -> datetime | None:
    """The latest lock of this NIP or account that a staff reset has not cleared since (a
    ``lockout_cleared`` row on the lock's NIP or account, at or after it)."""
    row = db.fetch_one(
        "SELECT MAX(l.waktu) AS w FROM audit_log l"
        " WHERE l.event = 'lockout' AND (l.telegram_user_id = %s OR l.nip = %s)"
        " AND NOT EXISTS (SELECT 1 FROM audit_log c WHERE c.event = 'lockout_cleared'"
        "  AND c.waktu >= l.waktu AND (c.nip = l.nip OR c.telegram_user_id = l.telegram_user_id))",
        (telegram_user_id, nip),
    )
    return row["w"] if row else None


def last_lock_clear(db: Database, *, nip: str | None, telegram_user_id: int) -> datetime | None:
    """When a staff reset last cleared the lock of this NIP or account: failures before it count no more."""
    row = db.fetch_one(
        "SELECT MAX(waktu) AS w FROM audit_log"
        " WHERE event = 'lockout_cleared' AND (telegram_user_id = %s OR nip = %s)",
        (telegram_user_id, nip),
    )
    return row["w"] if row else None


def failures_since(db: Database, since: datetime, *, nip: str | None, telegram_user_id: int) -> int:
    """Failed attempts since ``since`` for this NIP or this account (whichever has more)."""
    row = db.fetch_one(
        "SELECT SUM(telegram_user_id = %s) AS by_user, SUM(nip = %s) AS by_nip FROM audit_log"
        " WHERE event = 'register_failure' AND waktu > %s AND (telegram_user_id = %s OR nip = %s)",
        (telegram_user_id, nip, since, telegram_user_id, nip),
    )
    if row is None:
        return 0
    return max(int(row["by_user"] or 0), int(row["by_nip"] or 0))
