"""What an HR import works with (pure): the kinds of file and their columns, the records a file's rows
become, the problems that reject a file, and the result of an import."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Kind = Literal["employees", "tunkin", "cuti"]
KINDS: tuple[Kind, ...] = ("employees", "tunkin", "cuti")
KIND_LABELS: dict[Kind, str] = {
    "employees": "data pegawai",
    "tunkin": "data tunjangan kinerja (tunkin)",
    "cuti": "data cuti",
}

REQUIRED_COLUMNS: dict[Kind, tuple[str, ...]] = {
    "employees": ("nip", "nama", "password"),
    "tunkin": ("nip", "periode", "kelas_jabatan", "tunjangan", "potongan"),
    "cuti": ("nip", "tahun", "jenis", "hak", "terpakai"),
}
OPTIONAL_COLUMNS: dict[Kind, tuple[str, ...]] = {
    "employees": (
        "jabatan",
        "unit_kerja",
        "pangkat",
        "golongan",
        "kelas_jabatan",
        "jenis_kelamin",
        "tanggal_lahir",
        "email",
        "status",
        "peran",
        "jenis_asn",
    ),
    "tunkin": ("keterangan",),
    "cuti": (),
}
# A file's column whose pengguna column has another name.
DB_COLUMN = {"peran": "hak_pengguna"}

STATUSES = ("aktif", "nonaktif")
ROLES = ("pegawai", "staf", "admin")
GENDERS = ("L", "P")
LEAVE_KINDS = ("tahunan", "besar", "sakit", "melahirkan", "alasan_penting", "luar_tanggungan")

MAX_FILE_BYTES = 20 * 2**20
MAX_DATA_ROWS = 50_000

Cell = str | int | float | date | datetime | bool | None


@dataclass(frozen=True)
class Problem:
    """What is wrong, where (``line`` as the staff see it, header = 1; None for the file as a whole)."""

    line: int | None
    message: str
    column: str | None = None

    def text(self) -> str:
        where = f"kolom {self.column}: " if self.column else ""
        return f"{where}{self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class EmployeeRecord:
    line: int
    nip: str
    nama: str
    password: str = field(repr=False)
    # pengguna columns the file supplies (beyond nip, nama, password) → value; None stores NULL
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TunkinRecord:
    line: int
    nip: str
    periode: str
    kelas_jabatan: int
    tunjangan: int
    potongan: int
    keterangan: str | None
    has_keterangan: bool


@dataclass(frozen=True)
class CutiRecord:
    line: int
    nip: str
    tahun: int
    jenis: str
    hak: int
    terpakai: int


Record = EmployeeRecord | TunkinRecord | CutiRecord


@dataclass(frozen=True)
class ParsedImport:
    """A file read and validated: its records, or the problems that reject it."""

    kind: Kind
    file_name: str
    records: tuple[Record, ...]
    problems: tuple[Problem, ...]
    warnings: tuple[str, ...]
    rows_total: int
    file_format: str
    # (line, NIP) of every row whose NIP is well formed, bad rows included: tunkin and cuti check them all
    # against pengguna, so one pass lists every bad row
    nips: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class ImportResult:
    kind: Kind
    file_name: str
    source: str
    sha256: str
    status: Literal["imported", "rejected"]
    rows_total: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()
    run_id: int | None = None
    full: bool = False
    # full mode: employees deactivated, bindings released, the first few deactivated NIPs (sorted)
    deactivated: int = 0
    released: int = 0
    deactivated_nips: tuple[str, ...] = ()
    # a preview: what the import would do; nothing was written
    dry_run: bool = False

    @property
    def imported(self) -> bool:
        return self.status == "imported"

    @property
    def bad_lines(self) -> list[int]:
        return sorted({p.line for p in self.problems if p.line is not None})
