"""The import's run (the one entry point of the CLI and the ImportFunction): a parsed file is written
all or nothing in one transaction, a full export deactivates whoever it leaves out (within a guard), and
every run, imported, rejected or failed, is recorded.

Passwords of the employees file are hashed (scrypt) before anything is stored, are never echoed in a
message, and never reset the password of an employee who has already registered.

A column missing from the file leaves the stored value untouched when a row is updated; a column that is
present with an empty cell stores its empty value (NULL, or the default for ``peran``), except ``status``
and ``jenis_asn``: an empty cell never changes an existing employee's status or type (a new employee starts
``aktif`` and ``PNS``).

A full export (``FullMode``: ``sinawai import employees FILE --full``, or an upload to
``imports/employees-full/``) is the whole workforce: in the same transaction, every employee absent from it
is deactivated and their Telegram binding released (one ``import_deactivate`` audit row each). A guard
refuses a file that would deactivate more than a share of the active employees (a truncated export) unless
forced. ``preview`` runs the same transaction and rolls it back: the dry-run summary is what the import
would do.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

from sinawai.hr_import import store
from sinawai.hr_import.parse import parse
from sinawai.hr_import.records import (
    CutiRecord,
    EmployeeRecord,
    ImportResult,
    Kind,
    ParsedImport,
    Problem,
    TunkinRecord,
)
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database
from sinawai.platform.errors import TransactionConflictError

TRANSACTION_ATTEMPTS = 3
DEFAULT_MAX_DEACTIVATE_PERCENT = 10.0
MAX_DEACTIVATE_PERCENT_ENV = "IMPORT_MAX_DEACTIVATE_PERCENT"
# Deactivated NIPs named (masked) in a summary; the rest are counted.
SHOWN_DEACTIVATED_NIPS = 5


@dataclass(frozen=True)
class FullMode:
    """The file is the whole workforce: employees absent from it are deactivated and released.

    Refused when more than ``max_deactivate_percent`` of the active employees would be deactivated (a
    truncated export), unless ``force``."""

    max_deactivate_percent: float = DEFAULT_MAX_DEACTIVATE_PERCENT
    force: bool = False


def max_deactivate_percent_from_env() -> float:
    """IMPORT_MAX_DEACTIVATE_PERCENT (0-100), default 10; ValueError when it is not such a number."""
    raw = os.environ.get(MAX_DEACTIVATE_PERCENT_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_DEACTIVATE_PERCENT
    return check_percent(raw)


def check_percent(raw: str) -> float:
    value = float(raw)
    if not 0 <= value <= 100:  # also refuses nan
        raise ValueError(f"{raw!r} is not a percentage between 0 and 100")
    return value


@dataclass(frozen=True)
class Prepared:
    """What an import decides before its transaction (the slow part): stored rows and password hashes.

    Made once by ``prepare`` and shared by a preview and the import that follows it."""

    pre: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    hashes: Mapping[str, str | None] = field(default_factory=dict)


def prepare(db: Database, parsed: ParsedImport) -> Prepared:
    if parsed.kind != "employees" or parsed.problems:
        return Prepared()
    employees = cast(Sequence[EmployeeRecord], parsed.records)
    pre = store.fetch_employees(db.fetch_all, [r.nip for r in employees])
    return Prepared(pre, store.decide_passwords(employees, pre))  # slow (scrypt): before the rows are locked


class _RolledBack(Exception):
    """Leaves the import's transaction without committing: a preview, or the full-mode guard refused."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__(result.status)
        self.result = result


def apply(
    db: Database,
    parsed: ParsedImport,
    *,
    source: str,
    sha256: str,
    detail: Mapping[str, Any] | None = None,
    full: FullMode | None = None,
    prepared: Prepared | None = None,
) -> ImportResult:
    """Write a parsed file all or nothing, record the run (import_run, audit_log) and return the result."""
    return _apply(db, parsed, source=source, sha256=sha256, detail=detail, full=full, prepared=prepared)


def preview(
    db: Database,
    parsed: ParsedImport,
    *,
    source: str,
    sha256: str,
    full: FullMode | None = None,
    prepared: Prepared | None = None,
) -> ImportResult:
    """What ``apply`` would do (counts, deactivations, or why it is refused), from the same transaction
    rolled back: nothing is written, not even import_run."""
    return _apply(db, parsed, source=source, sha256=sha256, full=full, prepared=prepared, dry_run=True)


def _apply(
    db: Database,
    parsed: ParsedImport,
    *,
    source: str,
    sha256: str,
    detail: Mapping[str, Any] | None = None,
    full: FullMode | None = None,
    prepared: Prepared | None = None,
    dry_run: bool = False,
) -> ImportResult:
    if full is not None and parsed.kind != "employees":
        raise ValueError("full mode is for the employees file only")
    started = utcnow()
    problems = list(parsed.problems)
    base = ImportResult(
        kind=parsed.kind,
        file_name=parsed.file_name,
        source=source,
        sha256=sha256,
        status="rejected",
        rows_total=parsed.rows_total,
        warnings=parsed.warnings,
        full=full is not None,
        dry_run=dry_run,
    )
    if full is not None:
        detail = {**(detail or {}), "mode": "full"}
    if parsed.kind in ("tunkin", "cuti"):
        problems += store.unknown_nips(db, parsed.nips)
    if parsed.kind == "cuti":
        problems += store.leave_not_for_type(db, cast(Sequence[CutiRecord], parsed.records))
    if problems:
        result = _replace(base, problems=tuple(sorted(problems, key=lambda p: p.line or 0)))
        return result if dry_run else _record_rejection(db, result, started, detail)

    prepared = prepared or prepare(db, parsed)
    for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
        try:
            return _write(db, parsed, base, started, prepared, detail, full)
        except _RolledBack as e:
            if dry_run or e.result.imported:
                return e.result
            # refused by the full-mode guard: recorded like any rejected file, counts left at zero
            return _record_rejection(db, _replace(base, problems=e.result.problems), started, detail)
        except TransactionConflictError as e:
            # A deadlock victim (e.g. against a registration binding the same row): all was rolled back.
            if attempt == TRANSACTION_ATTEMPTS:
                if not dry_run:
                    store.record_failure(db, base, started, e, detail)
                raise
        except Exception as e:
            if not dry_run:
                store.record_failure(db, base, started, e, detail)
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def record_rejection(
    db: Database, result: ImportResult, *, detail: Mapping[str, Any] | None = None
) -> ImportResult:
    """Record a rejection a preview found (bad rows, or the full-mode guard) as ``apply`` would have."""
    recorded = replace(
        result,
        inserted=0,
        updated=0,
        unchanged=0,
        deactivated=0,
        released=0,
        deactivated_nips=(),
        dry_run=False,
    )
    if result.full:
        detail = {**(detail or {}), "mode": "full"}
    return _record_rejection(db, recorded, utcnow(), detail)


def _record_rejection(
    db: Database, result: ImportResult, started: datetime, detail: Mapping[str, Any] | None
) -> ImportResult:
    with db.transaction() as cur:
        run_id = store.insert_run(cur, result, started, "rejected")
        store.insert_audit(cur, result, "rejected", run_id, detail)
    return _replace(result, run_id=run_id)


def _percent(value: float) -> str:
    """12.5 → '12,5'; 25.0 → '25' (Indonesian decimal comma)."""
    text = f"{value:.1f}".replace(".", ",")
    return text.removesuffix(",0")


def _guard_problem(absent: store.Absent, full: FullMode) -> Problem | None:
    """Refuse a full export that would deactivate more than the allowed share of the active employees."""
    count = len(absent.deactivated)
    if full.force or count == 0 or count * 100 <= full.max_deactivate_percent * absent.active_before:
        return None
    share = count * 100 / absent.active_before
    return Problem(
        None,
        f"Mode lengkap akan menonaktifkan {count} dari {absent.active_before} pegawai aktif "
        f"({_percent(share)}%), melebihi batas {_percent(full.max_deactivate_percent)}%. Berkas ekspor "
        "mungkin tidak lengkap (terpotong), jadi tidak ada data yang disimpan. Periksa berkasnya; jika "
        "penonaktifan sebanyak ini memang benar, jalankan `sinawai import employees BERKAS --full --force` "
        f"atau naikkan batasnya (--max-deactivate-percent, {MAX_DEACTIVATE_PERCENT_ENV}).",
    )


@dataclass(frozen=True)
class InTransaction:
    """What a fanned-out run adds to the import's transaction (``hr_import.fanout``): a check made first,
    under the kind's lock (it raises to leave without writing), and a step made last with the run's id."""

    first: Callable[[Any], None]
    last: Callable[[Any, int | None], None]
    # a run's commit does not wait long for another import of its kind: it is tried again later
    lock_wait_seconds: float = 5.0


def _write(
    db: Database,
    parsed: ParsedImport,
    base: ImportResult,
    started: datetime,
    prepared: Prepared,
    detail: Mapping[str, Any] | None,
    full: FullMode | None,
    staged: InTransaction | None = None,
) -> ImportResult:
    """The one transaction of an import: every row, the deactivations of a full export, the import_run
    row and the audit rows, or nothing. A preview or a refusal leaves by ``_RolledBack``.

    Imports of the same kind hold the kind's lock row (``import_lock``) until they commit: two uploads, or
    an upload and the CLI, never interleave their writes."""
    with db.transaction() as cur:
        if staged is None:
            store.lock_kind(cur, parsed.kind)
        else:
            store.lock_kind(cur, parsed.kind, staged.lock_wait_seconds)
        if staged is not None:
            staged.first(cur)
        now = utcnow()
        absent: store.Absent | None = None
        if parsed.kind == "employees":
            records = cast(Sequence[EmployeeRecord], parsed.records)
            if full is not None:
                absent = store.lock_absent(cur, {r.nip for r in records})
            counts = store.apply_employees(
                cur, records, prepared.pre, prepared.hashes, staged=staged is not None
            )
        elif parsed.kind == "tunkin":
            counts = store.apply_tunkin(cur, cast(Sequence[TunkinRecord], parsed.records), now)
        else:
            counts = store.apply_cuti(cur, cast(Sequence[CutiRecord], parsed.records), now)
        result = _replace(
            base,
            status="imported",
            inserted=counts.inserted,
            updated=counts.updated,
            unchanged=counts.unchanged,
        )
        extra: dict[str, Any] = {}
        if absent is not None:
            deactivated = absent.deactivated
            result = _replace(
                result,
                deactivated=len(deactivated),
                released=len(absent.released),
                deactivated_nips=tuple(deactivated[:SHOWN_DEACTIVATED_NIPS]),
            )
            extra = {"deactivated": result.deactivated, "released": result.released}
            assert full is not None
            problem = _guard_problem(absent, full)
            if problem is not None:
                raise _RolledBack(_replace(result, status="rejected", problems=(problem,)))
        if base.dry_run:
            raise _RolledBack(result)
        run_id = store.insert_run(cur, result, started, "imported")
        if absent is not None and absent.rows:
            store.deactivate(cur, absent, run_id, now)
        store.insert_audit(cur, result, "imported", run_id, {**(detail or {}), **extra})
        if staged is not None:
            staged.last(cur, run_id)
    return _replace(result, run_id=run_id)


def write_staged(
    db: Database,
    parsed: ParsedImport,
    base: ImportResult,
    started: datetime,
    prepared: Prepared,
    detail: Mapping[str, Any] | None,
    full: FullMode | None,
    staged: InTransaction,
) -> ImportResult:
    """The commit of a fanned-out run: ``parsed`` holds the staged records (no passwords), ``prepared`` the
    hashes the chunks decided. One transaction, all or nothing; a deadlock victim is run again. The
    full-mode guard's refusal is returned as a rejected result (nothing written, nothing recorded)."""
    for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
        try:
            return _write(db, parsed, base, started, prepared, detail, full, staged)
        except _RolledBack as e:
            return _replace(base, status="rejected", problems=e.result.problems)
        except TransactionConflictError:
            if attempt == TRANSACTION_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _replace(result: ImportResult, **changes: Any) -> ImportResult:
    return replace(result, **changes)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_file(
    db: Database,
    kind: Kind,
    data: bytes,
    *,
    file_name: str,
    source: str,
    detail: Mapping[str, Any] | None = None,
    full: FullMode | None = None,
) -> ImportResult:
    """Parse, validate and apply one file: the one entry point of the CLI and the ImportFunction."""
    parsed = parse(kind, data, file_name)
    return apply(db, parsed, source=source, sha256=sha256_of(data), detail=detail, full=full)
