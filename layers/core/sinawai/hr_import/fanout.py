"""A large HR file imported in chunks (issue 16, item 1): still one run, all or nothing, told once per step.

The ImportFunction's S3 event reads and validates the whole file (cheap: no hashing) and, when it has more
rows than ``IMPORT_CHUNK_ROWS`` (default 2,000) and an import queue is configured, creates a run here
(``import_fanout``, status ``staging``) and sends one SQS message per chunk (a range of data rows). Each
chunk's worker reads the same object version, parses only its rows, decides the password hashes of its
employees (the slow part) and stages the rows in ``import_staging`` keyed by the run, together with its
``import_chunk`` row in one transaction: a chunk delivered twice stages its rows once and counts once. The
worker that stages the last chunk commits the run: the staged rows go into ``pengguna``/``tunkin``/``cuti``
in one transaction (``service.write_staged``, the same code and the same full-mode guard as a direct
import), under the kind's lock row (``import_lock``), so that two runs of the same kind never interleave.

A clear password is never staged: only the hash decided for it. A chunk that keeps failing marks the run
``failed`` (nothing was written outside the staging table, which is cleared).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, cast

from sinawai.hr_import import store
from sinawai.hr_import.parse import parse
from sinawai.hr_import.records import (
    CutiRecord,
    EmployeeRecord,
    ImportResult,
    Kind,
    ParsedImport,
    Record,
    TunkinRecord,
)
from sinawai.hr_import.service import (
    FullMode,
    InTransaction,
    Prepared,
    record_rejection,
    sha256_of,
    write_staged,
)
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database

CHUNK_ROWS_ENV = "IMPORT_CHUNK_ROWS"
# A chunk of employees whose stored hashes are full scrypt ones (imported before the initial hash existed)
# costs one full verify a row: 2,000 of them stay well inside the function's timeout on 0.6 vCPU.
DEFAULT_CHUNK_ROWS = 2000
ATTEMPTS_ENV = "IMPORT_CHUNK_ATTEMPTS"
DEFAULT_ATTEMPTS = 3  # the queue's maxReceiveCount is one more: the extra delivery only marks the run failed
PROGRESS_STEPS = 4  # the staff are told at each quarter of the chunks
# How long a commit waits for another import of its kind before it is put back on the queue for later.
COMMIT_LOCK_WAIT_SECONDS = 5.0
_CLEAR_BATCH = 5000


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < 1:
        raise ValueError(f"{name} must be a positive whole number, not {raw!r}")
    return value


def chunk_rows_from_env() -> int:
    return _positive_int(CHUNK_ROWS_ENV, DEFAULT_CHUNK_ROWS)


def attempts_from_env() -> int:
    return _positive_int(ATTEMPTS_ENV, DEFAULT_ATTEMPTS)


class ChunkProblemError(Exception):
    """A chunk that no retry can fix (the object is gone or differs from the validated file)."""


class RunOverError(Exception):
    """The run is no longer staging (committed, refused or failed by another worker)."""


@dataclass(frozen=True)
class Run:
    id: int
    kind: Kind
    full: bool
    source: str
    bucket: str
    key: str
    version_id: str | None
    file_name: str
    sha256: str
    rows_total: int
    chunk_rows: int
    chunks_total: int
    warnings: tuple[str, ...]
    status: str
    progress_message_id: int | None
    progress_step: int
    import_run_id: int | None
    created_at: datetime

    def rows_of(self, chunk: int) -> tuple[int, int]:
        """The data-row indexes (start, end) of chunk ``chunk`` (0-based)."""
        start = chunk * self.chunk_rows
        return start, min(start + self.chunk_rows, self.rows_total)

    def base(self) -> ImportResult:
        return ImportResult(
            kind=self.kind,
            file_name=self.file_name,
            source=self.source,
            sha256=self.sha256,
            status="rejected",
            rows_total=self.rows_total,
            warnings=self.warnings,
            full=self.full,
        )

    def detail(self) -> dict[str, Any]:
        return {
            "via": "s3",
            "bucket": self.bucket,
            "key": self.key,
            "version_id": self.version_id,
            "fanout_id": self.id,
            "chunks": self.chunks_total,
        }


def chunks_for(rows_total: int, chunk_rows: int) -> int:
    return max(1, math.ceil(rows_total / chunk_rows))


_SELECT_RUN = (
    "SELECT id, kind, full_mode, source, bucket, object_key, version_id, file_name, file_sha256, rows_total,"
    " chunk_rows, chunks_total, warnings, status, progress_message_id, progress_step, import_run_id,"
    " created_at FROM import_fanout"
)


def _run(row: Mapping[str, Any]) -> Run:
    warnings = json.loads(row["warnings"]) if row["warnings"] else []
    return Run(
        id=int(row["id"]),
        kind=cast(Kind, row["kind"]),
        full=bool(row["full_mode"]),
        source=str(row["source"]),
        bucket=str(row["bucket"]),
        key=str(row["object_key"]),
        version_id=row["version_id"],
        file_name=str(row["file_name"]),
        sha256=str(row["file_sha256"]),
        rows_total=int(row["rows_total"]),
        chunk_rows=int(row["chunk_rows"]),
        chunks_total=int(row["chunks_total"]),
        warnings=tuple(str(w) for w in warnings),
        status=str(row["status"]),
        progress_message_id=None if row["progress_message_id"] is None else int(row["progress_message_id"]),
        progress_step=int(row["progress_step"]),
        import_run_id=None if row["import_run_id"] is None else int(row["import_run_id"]),
        created_at=row["created_at"],
    )


def load_run(db: Database, run_id: int) -> Run | None:
    row = db.fetch_one(f"{_SELECT_RUN} WHERE id = %s", (run_id,))
    return None if row is None else _run(row)


def find_run(db: Database, source: str) -> Run | None:
    """The latest run of this object version (an S3 event delivered again finds it)."""
    row = db.fetch_one(
        f"{_SELECT_RUN} WHERE source = %s ORDER BY id DESC LIMIT 1",
        (source[:1024],),
    )
    return None if row is None else _run(row)


def create_run(
    db: Database,
    parsed: ParsedImport,
    *,
    source: str,
    bucket: str,
    key: str,
    version_id: str | None,
    sha256: str,
    full: bool,
    chunk_rows: int,
) -> Run:
    """The run of a validated file, status ``staging``; its chunks are still to be sent."""
    chunks = chunks_for(parsed.rows_total, chunk_rows)
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO import_fanout (kind, full_mode, source, bucket, object_key, version_id, file_name,"
            " file_sha256, rows_total, chunk_rows, chunks_total, warnings, status, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'staging', %s)",
            (
                parsed.kind,
                int(full),
                source[:1024],
                bucket,
                key[:1024],
                version_id,
                parsed.file_name[:1024],
                sha256,
                parsed.rows_total,
                chunk_rows,
                chunks,
                json.dumps(list(parsed.warnings), ensure_ascii=False),
                utcnow(),
            ),
        )
        run_id = int(cur.lastrowid)
    run = load_run(db, run_id)
    assert run is not None
    return run


def set_progress_message(db: Database, run_id: int, message_id: int) -> None:
    db.execute("UPDATE import_fanout SET progress_message_id = %s WHERE id = %s", (message_id, run_id))


def chunks_done(db: Database, run_id: int) -> set[int]:
    rows = db.fetch_all("SELECT chunk_no FROM import_chunk WHERE fanout_id = %s", (run_id,))
    return {int(r["chunk_no"]) for r in rows}


# ---- a chunk ---------------------------------------------------------------------------------------------


def _encode(record: Record) -> str:
    if isinstance(record, EmployeeRecord):
        values = {k: {"date": v.isoformat()} if isinstance(v, date) else v for k, v in record.values.items()}
        return json.dumps({"nama": record.nama, "values": values}, ensure_ascii=False)
    fields = asdict(record)
    del fields["line"], fields["nip"]
    return json.dumps(fields, ensure_ascii=False)


def _decode(kind: Kind, line: int, nip: str, payload: str) -> Record:
    data = json.loads(payload)
    if kind == "employees":
        values = {
            k: date.fromisoformat(v["date"]) if isinstance(v, dict) else v for k, v in data["values"].items()
        }
        return EmployeeRecord(line, nip, data["nama"], "", values)
    if kind == "tunkin":
        return TunkinRecord(line=line, nip=nip, **data)
    return CutiRecord(line=line, nip=nip, **data)


def stage_chunk(db: Database, run: Run, chunk: int, data: bytes) -> bool:
    """Stage chunk ``chunk`` of ``run`` from the file's bytes; False when it was staged before (a second
    delivery) or the run is over. Raises ``ChunkProblemError`` when the bytes are not the validated file."""
    if sha256_of(data) != run.sha256:
        raise ChunkProblemError("the object differs from the file that was validated")
    start, end = run.rows_of(chunk)
    parsed = parse(run.kind, data, run.file_name, rows=(start, end))
    if parsed.problems or len(parsed.records) != end - start:
        raise ChunkProblemError("the chunk's rows no longer pass the checks")
    hashes: Mapping[str, str | None] = {}
    pre: Mapping[str, Mapping[str, Any]] = {}
    if run.kind == "employees":
        employees = cast(Sequence[EmployeeRecord], parsed.records)
        pre = store.fetch_employees(db.fetch_all, [r.nip for r in employees])
        hashes = store.decide_passwords(employees, pre)  # the slow part, before any lock is taken
    rows = [
        (
            run.id,
            r.line,
            r.nip,
            _encode(r),
            hashes.get(r.nip),
            (pre.get(r.nip) or {}).get("password_hash"),
        )
        for r in parsed.records
    ]
    with db.transaction() as cur:
        # a shared lock: chunks stage side by side, while a commit or a failure waits for them (and they
        # for it), so that no chunk stages into a run that is over
        cur.execute("SELECT status FROM import_fanout WHERE id = %s LOCK IN SHARE MODE", (run.id,))
        found = cur.fetchone()
        if found is None or found["status"] != "staging":
            return False
        cur.execute(
            "INSERT IGNORE INTO import_chunk (fanout_id, chunk_no, rows_staged, done_at)"
            " VALUES (%s, %s, %s, %s)",
            (run.id, chunk, len(rows), utcnow()),
        )
        if cur.rowcount == 0:
            return False  # delivered twice: the other delivery staged it
        for batch in store.chunks_of(rows, 1000):
            cur.executemany(
                "INSERT INTO import_staging (fanout_id, line, nip, record, password_hash, pre_hash)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                list(batch),
            )
    return True


def progress_step(db: Database, run: Run, done: int) -> int | None:
    """The quarter of the chunks just reached (1-3) when this caller is the one to tell it, else None."""
    step = done * PROGRESS_STEPS // run.chunks_total
    if not 1 <= step < PROGRESS_STEPS:
        return None
    changed = db.execute(
        "UPDATE import_fanout SET progress_step = %s"
        " WHERE id = %s AND progress_step < %s AND status = 'staging'",
        (step, run.id, step),
    )
    return step if changed == 1 else None


# ---- the end of a run ------------------------------------------------------------------------------------


def _staged(db: Database, run: Run) -> tuple[ParsedImport, Prepared]:
    rows = db.fetch_all(
        "SELECT line, nip, record, password_hash, pre_hash FROM import_staging WHERE fanout_id = %s"
        " ORDER BY line",
        (run.id,),
    )
    records = tuple(_decode(run.kind, int(r["line"]), str(r["nip"]), str(r["record"])) for r in rows)
    parsed = ParsedImport(run.kind, run.file_name, records, (), run.warnings, run.rows_total, "", ())
    if run.kind != "employees":
        return parsed, Prepared()
    hashes = {str(r["nip"]): r["password_hash"] for r in rows}
    pre = {str(r["nip"]): {"password_hash": r["pre_hash"]} for r in rows if r["pre_hash"] is not None}
    return parsed, Prepared(pre, hashes)


def commit_run(db: Database, run: Run, full: FullMode | None) -> ImportResult | None:
    """Write the staged run in one transaction, when every chunk is staged; None when it is not this
    caller's to commit (a chunk is missing, or another worker committed, refused or failed it first). The
    staging rows stay: ``clear_staging`` after the staff were told.
    ``store.KindBusyError`` when another import of the kind is committing: try again later.

    A refusal by the full-mode guard is returned as a rejected result, and recorded like any rejection."""
    if len(chunks_done(db, run.id)) < run.chunks_total:
        return None
    parsed, prepared = _staged(db, run)
    if len(parsed.records) != run.rows_total:
        raise AssertionError(f"{len(parsed.records)} rows staged for a run of {run.rows_total}")

    def first(cur: Any) -> None:
        cur.execute("SELECT status FROM import_fanout WHERE id = %s FOR UPDATE", (run.id,))
        found = cur.fetchone()
        if found is None or found["status"] != "staging":
            raise RunOverError(run.id)

    def last(cur: Any, import_run_id: int | None) -> None:
        cur.execute(
            "UPDATE import_fanout SET status = 'imported', import_run_id = %s, finished_at = %s"
            " WHERE id = %s",
            (import_run_id, utcnow(), run.id),
        )

    try:
        result = write_staged(
            db,
            parsed,
            run.base(),
            run.created_at,
            prepared,
            run.detail(),
            full if run.full else None,
            InTransaction(first, last, COMMIT_LOCK_WAIT_SECONDS),
        )
    except RunOverError:
        return None
    if not result.imported:
        if not _finish(db, run, "rejected", None):
            return None
        result = record_rejection(db, result, detail=run.detail())
    return result


def _finish(db: Database, run: Run, status: str, error: str | None) -> bool:
    with db.transaction() as cur:
        cur.execute("SELECT status FROM import_fanout WHERE id = %s FOR UPDATE", (run.id,))
        found = cur.fetchone()
        if found is None or found["status"] != "staging":
            return False
        cur.execute(
            "UPDATE import_fanout SET status = %s, error = %s, finished_at = %s WHERE id = %s",
            (status, None if error is None else error[:255], utcnow(), run.id),
        )
    return True


def fail_run(db: Database, run: Run, error: str) -> bool:
    """Mark the run failed (nothing is committed); False when it was already over (then someone else told
    the staff)."""
    if not _finish(db, run, "failed", error):
        return False
    store.record_failure(
        db, run.base(), run.created_at, RuntimeError(error), {**run.detail(), "reason": error}
    )
    return True


def clear_staging(db: Database, run_id: int) -> None:
    """The staged rows of a run that is over (committed, refused or failed), in small deletes (no long lock
    on the staging table). The caller does it after telling the staff: rows a failure here leaves are
    harmless (keyed by a finished run) and cleared by hand (docs/runbook.md#import-failed)."""
    while db.execute("DELETE FROM import_staging WHERE fanout_id = %s LIMIT %s", (run_id, _CLEAR_BATCH)):
        pass
