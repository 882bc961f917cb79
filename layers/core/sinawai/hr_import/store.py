"""An HR import in MySQL: the stored rows an import compares with, the upserts of each kind, the full
export's deactivations, and the run records (``import_run``, ``audit_log``). The caller holds the
transaction (``hr_import.service``); these functions run on its cursor."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sinawai.common.asn import LEAVE_KINDS_OF, PPPK_LEAVE_SOURCE, AsnType, asn_type, leave_applies
from sinawai.hr_import.records import (
    DB_COLUMN,
    OPTIONAL_COLUMNS,
    CutiRecord,
    EmployeeRecord,
    ImportResult,
    Problem,
    TunkinRecord,
)
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database
from sinawai.registration.passwords import hash_initial_password, verify_password


def _chunks[T](items: Sequence[T], size: int = 500) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


chunks_of = _chunks


def _placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


def _registered(row: Mapping[str, Any]) -> bool:
    return row.get("registered_at") is not None or row.get("id_telegram") is not None


EMPLOYEE_DB_COLUMNS = tuple(DB_COLUMN.get(c, c) for c in OPTIONAL_COLUMNS["employees"])
_EMPLOYEE_SELECT = (
    "SELECT nip, nama, password_hash, id_telegram, registered_at, "  # noqa: S608 - fixed column names
    + ", ".join(EMPLOYEE_DB_COLUMNS)
    + " FROM pengguna"
)


def fetch_employees(
    run: Callable[[str, Sequence[Any]], list[dict[str, Any]]], nips: Sequence[str], suffix: str = ""
) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(nips):
        sql = f"{_EMPLOYEE_SELECT} WHERE nip IN ({_placeholders(len(chunk))}){suffix}"
        for row in run(sql, chunk):
            rows[str(row["nip"])] = row
    return rows


def password_decision(password: str, stored: str | None) -> str:
    """The hash to keep: the stored one when it already matches (so a re-import changes nothing), else the
    initial password's (cheap) hash: see ``registration.passwords.hash_initial_password``."""
    if stored and verify_password(password, stored):
        return stored
    return hash_initial_password(password)


def _hash_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def decide_passwords(
    records: Sequence[EmployeeRecord], existing: Mapping[str, Mapping[str, Any]]
) -> dict[str, str | None]:
    """nip → hash to store (None: registered, never touched). scrypt releases the GIL: a few threads.

    Cheap for new rows and for rows imported since the initial hash exists; a stored full hash (an
    employee imported before, or one who set a password after a release) costs one full verify."""
    todo = [(r.nip, r.password, existing.get(r.nip)) for r in records]

    def decide(item: tuple[str, str, Mapping[str, Any] | None]) -> tuple[str, str | None]:
        nip, password, row = item
        if row is not None and _registered(row):
            return nip, None
        return nip, password_decision(password, row["password_hash"] if row else None)

    with ThreadPoolExecutor(max_workers=_hash_workers()) as pool:
        return dict(pool.map(decide, todo))


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


class KindBusyError(Exception):
    """Another import of the same kind holds its lock (it is committing)."""


LOCK_POLL_SECONDS = 0.5
DIRECT_LOCK_WAIT_SECONDS = 120.0


def lock_kind(cur: Any, kind: str, wait_seconds: float = DIRECT_LOCK_WAIT_SECONDS) -> None:
    """Two imports of the same kind never interleave their writes: each holds its kind's row until commit.

    Polled (SKIP LOCKED) rather than waited for in one statement, so that a long wait never meets the
    connection's read timeout; ``KindBusyError`` after ``wait_seconds``."""
    deadline = time.monotonic() + wait_seconds
    while True:
        cur.execute("SELECT kind FROM import_lock WHERE kind = %s FOR UPDATE SKIP LOCKED", (kind,))
        if cur.fetchone() is not None:
            return
        cur.execute("SELECT COUNT(*) AS n FROM import_lock WHERE kind = %s", (kind,))  # a plain read
        if not cur.fetchone()["n"]:
            # the migration's row is gone (a database emptied by hand): put it back, locked by this import
            cur.execute("INSERT IGNORE INTO import_lock (kind) VALUES (%s)", (kind,))
            continue
        if time.monotonic() >= deadline:
            raise KindBusyError(kind)
        time.sleep(LOCK_POLL_SECONDS)


class _Inserts:
    """INSERTs of one statement shape, sent as multi-row statements (pymysql batches ``executemany``)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, tuple[str, ...]], list[Sequence[Any]]] = {}

    def add(self, table: str, names: Sequence[str], values: Sequence[Any]) -> None:
        self.rows.setdefault((table, tuple(names)), []).append(values)

    def flush(self, cur: Any) -> None:
        for (table, names), rows in self.rows.items():
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({_placeholders(len(names))})"  # noqa: S608
            for chunk in _chunks(rows, 1000):
                cur.executemany(sql, list(chunk))
        self.rows.clear()


def apply_employees(
    cur: Any,
    records: Sequence[EmployeeRecord],
    pre: Mapping[str, Mapping[str, Any]],
    hashes: Mapping[str, str | None],
    *,
    staged: bool = False,
) -> Counts:
    """Insert or update each record's employee. ``staged``: the records come from a fanned-out run's staging
    rows and carry no password; ``hashes`` (decided by the chunks) is used as it is, and an employee who
    registered meanwhile, or whose hash was staged as None, keeps the stored hash."""
    counts = Counts()
    inserts = _Inserts()

    def run(sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        cur.execute(sql, args)
        return list(cur.fetchall())

    locked = fetch_employees(run, [r.nip for r in records], " FOR UPDATE")
    for record in records:
        row = locked.get(record.nip)
        new_hash = hashes.get(record.nip)
        if row is not None:
            if _registered(row) or (staged and new_hash is None):
                new_hash = row["password_hash"]  # an employee who registered keeps the password they use
            elif staged:
                pass  # the staged hash verifies the file's password whatever is stored now
            elif row["password_hash"] != (pre.get(record.nip) or {}).get("password_hash") or new_hash is None:
                # changed (or registered and released) since the hashes were decided: decide again
                new_hash = password_decision(record.password, row["password_hash"])
        elif new_hash is None and not staged:
            new_hash = hash_initial_password(record.password)
        wanted: dict[str, Any] = {"nama": record.nama, **record.values, "password_hash": new_hash}
        if row is None:
            wanted.setdefault("status", "aktif")
            wanted.setdefault("hak_pengguna", "pegawai")
            inserts.add("pengguna", ["nip", *wanted], [record.nip, *wanted.values()])
            counts.inserted += 1
            continue
        changed = {k: v for k, v in wanted.items() if row.get(k) != v}
        if not changed:
            counts.unchanged += 1
            continue
        assignments = ", ".join(f"{k} = %s" for k in changed)
        cur.execute(
            f"UPDATE pengguna SET {assignments} WHERE nip = %s",  # noqa: S608 - names from a fixed list
            [*changed.values(), record.nip],
        )
        counts.updated += 1
    inserts.flush(cur)
    return counts


def apply_tunkin(cur: Any, records: Sequence[TunkinRecord], now: datetime) -> Counts:
    counts = Counts()
    inserts = _Inserts()
    existing: dict[tuple[str, str], dict[str, Any]] = {}
    nips = sorted({r.nip for r in records})
    for chunk in _chunks(nips):
        cur.execute(
            "SELECT nip, periode, kelas_jabatan, tunjangan, potongan, keterangan FROM tunkin"  # noqa: S608
            f" WHERE nip IN ({_placeholders(len(chunk))}) FOR UPDATE",
            list(chunk),
        )
        for row in cur.fetchall():
            existing[(str(row["nip"]), str(row["periode"]))] = row
    for r in records:
        wanted: dict[str, Any] = {
            "kelas_jabatan": r.kelas_jabatan,
            "tunjangan": r.tunjangan,
            "potongan": r.potongan,
        }
        if r.has_keterangan:
            wanted["keterangan"] = r.keterangan
        row = existing.get((r.nip, r.periode))
        if row is None:
            inserts.add(
                "tunkin",
                ("nip", "periode", "kelas_jabatan", "tunjangan", "potongan", "keterangan", "imported_at"),
                (r.nip, r.periode, r.kelas_jabatan, r.tunjangan, r.potongan, r.keterangan, now),
            )
            counts.inserted += 1
            continue
        changed = {k: v for k, v in wanted.items() if row.get(k) != v}
        if not changed:
            counts.unchanged += 1
            continue
        assignments = ", ".join(f"{k} = %s" for k in changed)
        cur.execute(
            f"UPDATE tunkin SET {assignments}, imported_at = %s WHERE nip = %s AND periode = %s",  # noqa: S608
            [*changed.values(), now, r.nip, r.periode],
        )
        counts.updated += 1
    inserts.flush(cur)
    return counts


def apply_cuti(cur: Any, records: Sequence[CutiRecord], now: datetime) -> Counts:
    counts = Counts()
    inserts = _Inserts()
    existing: dict[tuple[str, int, str], dict[str, Any]] = {}
    nips = sorted({r.nip for r in records})
    for chunk in _chunks(nips):
        cur.execute(
            "SELECT nip, tahun, jenis, hak, terpakai FROM cuti"  # noqa: S608
            f" WHERE nip IN ({_placeholders(len(chunk))}) FOR UPDATE",
            list(chunk),
        )
        for row in cur.fetchall():
            existing[(str(row["nip"]), int(row["tahun"]), str(row["jenis"]))] = row
    for r in records:
        row = existing.get((r.nip, r.tahun, r.jenis))
        if row is None:
            inserts.add(
                "cuti",
                ("nip", "tahun", "jenis", "hak", "terpakai", "imported_at"),
                (r.nip, r.tahun, r.jenis, r.hak, r.terpakai, now),
            )
            counts.inserted += 1
        elif (int(row["hak"]), int(row["terpakai"])) == (r.hak, r.terpakai):
            counts.unchanged += 1
        else:
            cur.execute(
                "UPDATE cuti SET hak = %s, terpakai = %s, imported_at = %s"
                " WHERE nip = %s AND tahun = %s AND jenis = %s",
                (r.hak, r.terpakai, now, r.nip, r.tahun, r.jenis),
            )
            counts.updated += 1
    inserts.flush(cur)
    return counts


def unknown_nips(db: Database, rows: Sequence[tuple[int, str]]) -> list[Problem]:
    nips = sorted({nip for _, nip in rows})
    known: set[str] = set()
    for chunk in _chunks(nips):
        sql = f"SELECT nip FROM pengguna WHERE nip IN ({_placeholders(len(chunk))})"  # noqa: S608
        known.update(str(row["nip"]) for row in db.fetch_all(sql, list(chunk)))
    return [
        Problem(
            line,
            "NIP tidak terdaftar sebagai pegawai. Impor data pegawai yang memuat NIP ini terlebih dahulu.",
            "nip",
        )
        for line, nip in rows
        if nip not in known
    ]


def leave_not_for_type(db: Database, records: Sequence[CutiRecord]) -> list[Problem]:
    """Rows of a kind of leave the employee's type does not have (a PPPK has no cuti besar)."""
    nips = sorted({r.nip for r in records})
    types: dict[str, AsnType] = {}
    for chunk in _chunks(nips):
        sql = f"SELECT nip, jenis_asn FROM pengguna WHERE nip IN ({_placeholders(len(chunk))})"  # noqa: S608
        types.update((str(row["nip"]), asn_type(row["jenis_asn"])) for row in db.fetch_all(sql, list(chunk)))
    return [
        Problem(
            r.line,
            f"Pegawai ini tercatat sebagai PPPK, sedangkan PPPK tidak memiliki jenis cuti {r.jenis} "
            f"({PPPK_LEAVE_SOURCE}: hanya {', '.join(LEAVE_KINDS_OF['PPPK'])}, dan cuti bersama). Hapus "
            "baris ini, atau perbaiki jenis_asn pegawai ini pada data pegawai.",
            "jenis",
        )
        for r in records
        if r.nip in types and not leave_applies(r.jenis, types[r.nip])
    ]


_INSERT_RUN = (
    "INSERT INTO import_run (kind, source, file_sha256, started_at, finished_at, status, rows_total,"
    " inserted, updated, unchanged, errors) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
_INSERT_AUDIT = "INSERT INTO audit_log (waktu, event, detail) VALUES (%s, 'import', %s)"


def _run_args(result: ImportResult, started: datetime, status: str) -> tuple[Any, ...]:
    errors = (
        json.dumps([p.to_json() for p in result.problems], ensure_ascii=False) if result.problems else None
    )
    return (
        result.kind,
        result.source[:1024],
        result.sha256,
        started,
        utcnow(),
        status,
        result.rows_total,
        result.inserted,
        result.updated,
        result.unchanged,
        errors,
    )


def _audit_detail(
    result: ImportResult, status: str, run_id: int | None, extra: Mapping[str, Any] | None
) -> str:
    detail: dict[str, Any] = {
        "kind": result.kind,
        "source": result.source[:1024],
        "file_sha256": result.sha256,
        "status": status,
        "import_run_id": run_id,
        "rows_total": result.rows_total,
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "bad_lines": result.bad_lines[:200],
        "warnings": list(result.warnings),
        **(extra or {}),
    }
    return json.dumps(detail, ensure_ascii=False, default=str)


def insert_run(cur: Any, result: ImportResult, started: datetime, status: str) -> int:
    """The run's ``import_run`` row; its id."""
    cur.execute(_INSERT_RUN, _run_args(result, started, status))
    return int(cur.lastrowid)


def insert_audit(
    cur: Any, result: ImportResult, status: str, run_id: int | None, extra: Mapping[str, Any] | None
) -> None:
    """The run's ``audit_log`` row."""
    cur.execute(_INSERT_AUDIT, (utcnow(), _audit_detail(result, status, run_id, extra)))


@dataclass(frozen=True)
class Absent:
    """Full mode: the employees the file leaves out that are still active or still bound."""

    rows: tuple[Mapping[str, Any], ...]
    active_before: int

    @property
    def deactivated(self) -> list[str]:
        return sorted(str(r["nip"]) for r in self.rows if r["status"] == "aktif")

    @property
    def released(self) -> list[Mapping[str, Any]]:
        return [r for r in self.rows if r["id_telegram"] is not None]


def lock_absent(cur: Any, present: set[str]) -> Absent:
    """Lock every active or bound employee (a concurrent /daftar waits) and keep those not in the file."""
    cur.execute(
        "SELECT nip, status, id_telegram FROM pengguna WHERE status = 'aktif' OR id_telegram IS NOT NULL"
        " ORDER BY nip FOR UPDATE"
    )
    rows = list(cur.fetchall())
    active = sum(1 for r in rows if r["status"] == "aktif")
    return Absent(tuple(r for r in rows if str(r["nip"]) not in present), active)


_INSERT_DEACTIVATION_AUDIT = (
    "INSERT INTO audit_log (waktu, event, telegram_user_id, nip, detail)"
    " VALUES (%s, 'import_deactivate', %s, %s, %s)"
)


def deactivate(cur: Any, absent: Absent, run_id: int, now: datetime) -> None:
    """Deactivate and release the absent employees; one audit row each (with the account released)."""
    nips = [str(r["nip"]) for r in absent.rows]
    for chunk in _chunks(nips):
        cur.execute(
            "UPDATE pengguna SET status = 'nonaktif', id_telegram = NULL"  # noqa: S608 - placeholders only
            f" WHERE nip IN ({_placeholders(len(chunk))})",
            list(chunk),
        )
    cur.executemany(
        _INSERT_DEACTIVATION_AUDIT,
        [
            (
                now,
                r["id_telegram"],
                r["nip"],
                json.dumps(
                    {
                        "import_run_id": run_id,
                        "status_before": r["status"],
                        "binding_released": r["id_telegram"] is not None,
                    }
                ),
            )
            for r in absent.rows
        ],
    )


def record_failure(
    db: Database, base: ImportResult, started: datetime, error: Exception, detail: Mapping[str, Any] | None
) -> None:
    """Best effort: the run that failed on the database side, so it shows in import_run."""
    try:
        with db.transaction() as cur:
            run_id = insert_run(cur, base, started, "failed")
            insert_audit(cur, base, "failed", run_id, {**(detail or {}), "error": type(error).__name__})
    except Exception:  # noqa: S110 - the original error is what the caller must see
        pass
