"""Import of HR files (employees, tunkin, cuti) exported by the HR system: CSV or XLSX, all or nothing.

Two parts:

- the domain part (pure: no pymysql, boto3 or telegram): read the file into a table, validate every row
  into dataclasses, and collect every problem with the line number the staff see in the file (the header
  is line 1); render a result for the staff group (HTML) or the terminal;
- the apply part, which takes a ``Database``: checks what needs the database (NIPs that must exist),
  then upserts everything in ONE transaction, or nothing when any row is bad, and records the run in
  ``import_run`` and ``audit_log``.

Passwords of the employees file are hashed (scrypt) before anything is stored, are never echoed in a
message, and never reset the password of an employee who has already registered.

A column missing from the file leaves the stored value untouched when a row is updated; a column that is
present with an empty cell stores its empty value (NULL, or the default for ``peran``), except ``status``:
an empty status cell never changes an existing employee's status (a new employee starts ``aktif``).

A full export (``FullMode``: ``sinawai import employees FILE --full``, or an upload to
``imports/employees-full/``) is the whole workforce: in the same transaction, every employee absent from it
is deactivated and their Telegram binding released (one ``import_deactivate`` audit row each). A guard
refuses a file that would deactivate more than a share of the active employees (a truncated export) unless
forced. ``preview`` runs the same transaction and rolls it back: the dry-run summary is what the import
would do.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import html
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal, cast

from sinawai.common.format_id import mask_nip
from sinawai.platform.errors import TransactionConflictError
from sinawai.registration.passwords import MAX_PASSWORD_CHARS, hash_password, verify_password

if TYPE_CHECKING:  # the domain part must not import the MySQL driver
    from sinawai.platform.db import Database

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
    ),
    "tunkin": ("keterangan",),
    "cuti": (),
}

STATUSES = ("aktif", "nonaktif")
ROLES = ("pegawai", "staf", "admin")
GENDERS = ("L", "P")
LEAVE_KINDS = ("tahunan", "besar", "sakit", "melahirkan", "alasan_penting", "luar_tanggungan")

MAX_FILE_BYTES = 20 * 2**20
MAX_DATA_ROWS = 50_000
MAX_RUPIAH = 999_999_999_999
MAX_DAYS = 65_535
MIN_YEAR, MAX_YEAR = 2000, 2100
TRANSACTION_ATTEMPTS = 3
WEAK_PASSWORD_CHARS = 8
NIP_EXAMPLE = "199001172015031001"
# Rows listed in one Telegram message; the rest are counted ("… dan N baris lainnya").
MAX_ROWS_IN_MESSAGE = 30
TELEGRAM_TEXT_LIMIT = 4096
_MESSAGE_BUDGET = 3900  # room under Telegram's limit for the closing lines
_ECHO_CHARS = 40
_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "koma", ";": "titik koma", "\t": "tab"}

_NIP_RE = re.compile(r"[0-9]{18}")
_DIGITS_RE = re.compile(r"[0-9]+")
_SCIENTIFIC_RE = re.compile(r"[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+")
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_PERIOD_RE = re.compile(r"([0-9]{4})-([0-9]{2})")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_HEADER_SPACES_RE = re.compile(r"[\s\-]+")

TEXT_FORMAT_ADVICE = (
    "format kolom nip sebagai Teks (Format Cells → Text) lalu ketik atau tempel ulang NIP-nya, "
    "karena Excel menyimpan angka 18 digit dengan pembulatan sehingga digit terakhir NIP berubah"
)
CSV_UTF8_ADVICE = (
    'simpan ulang berkas dari Excel dengan "Save As" / "Simpan Sebagai" dan pilih jenis '
    '"CSV UTF-8 (Comma delimited) (*.csv)", lalu unggah ulang'
)

Cell = str | int | float | date | datetime | bool | None


# ---- results ---------------------------------------------------------------------------------------------


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


# ---- reading a file into a table -------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]  # normalised names, "" for a column without a name
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]  # (line, cells) of non-blank data rows
    file_format: str  # "csv" or "xlsx"
    delimiter: str | None = None


class FileProblemError(Exception):
    """The file as a whole cannot be read (message in Indonesian)."""


def normalise_header(name: Cell) -> str:
    text = "" if name is None else str(name)
    return _HEADER_SPACES_RE.sub("_", text.replace("\ufeff", "").strip().lower())


def _blank(cells: Sequence[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of comma, semicolon and tab (comma on a tie)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv(data: bytes) -> Table:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblemError(
            f"Berkas tersimpan sebagai UTF-16 (Unicode Text), bukan UTF-8: {CSV_UTF8_ADVICE}."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise FileProblemError(
            f"Berkas bukan teks UTF-8 (karakter yang tidak dikenali pertama kali ada di baris {line}; "
            f'biasanya huruf seperti é atau ñ dari berkas "CSV (Comma delimited)" biasa): {CSV_UTF8_ADVICE}.'
        ) from e
    if "\x00" in text:
        raise FileProblemError(f"Berkas berisi karakter NUL, bukan CSV teks biasa: {CSV_UTF8_ADVICE}.")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    line = 1
    try:
        for record in reader:
            rows.append((line, tuple(record)))
            line = reader.line_num + 1
            if len(rows) > MAX_DATA_ROWS + 1:
                break
    except csv.Error as e:
        raise FileProblemError(f"Baris {reader.line_num}: format CSV rusak ({e}).") from e
    return _table(rows, "csv", delimiter)


def read_xlsx(data: bytes) -> Table:
    """The first sheet of a workbook, cached values (not formulas), read-only."""
    import openpyxl  # only here: the core layer does not ship it; the import function does

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:
        raise FileProblemError(
            "Berkas XLSX tidak dapat dibaca (rusak atau bukan buku kerja Excel). Simpan ulang sebagai "
            '"Excel Workbook (*.xlsx)" atau "CSV UTF-8".'
        ) from e
    try:
        if not workbook.worksheets:
            raise FileProblemError("Buku kerja tidak memiliki lembar kerja (sheet).")
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, tuple[Cell, ...]]] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((line, tuple(cast(Cell, v) for v in values)))
            if len(rows) > MAX_DATA_ROWS + 1:
                break
    finally:
        workbook.close()
    return _table(rows, "xlsx", None)


def _table(rows: list[tuple[int, tuple[Cell, ...]]], file_format: str, delimiter: str | None) -> Table:
    non_blank = [(line, cells) for line, cells in rows if not _blank(cells)]
    if not non_blank:
        raise FileProblemError("Berkas kosong: tidak ada judul kolom maupun baris data.")
    (_, header_cells), *data = non_blank
    header = tuple(normalise_header(c) for c in header_cells)
    while header and header[-1] == "":
        header = header[:-1]
    return Table(header=header, rows=tuple(data), file_format=file_format, delimiter=delimiter)


def read_table(data: bytes, file_name: str) -> Table:
    """CSV (UTF-8, with or without BOM; comma, semicolon or tab) or XLSX, by content then by name."""
    if not data.strip():
        raise FileProblemError("Berkas kosong: tidak ada judul kolom maupun baris data.")
    if len(data) > MAX_FILE_BYTES:
        raise FileProblemError(
            f"Berkas terlalu besar ({len(data) // 2**20} MB); batasnya {MAX_FILE_BYTES // 2**20} MB."
        )
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblemError(
            "Berkas Excel lama (.xls) atau berkas Excel yang dilindungi kata sandi tidak didukung: simpan "
            'sebagai "Excel Workbook (*.xlsx)" tanpa kata sandi atau sebagai "CSV UTF-8".'
        )
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise FileProblemError("Berkas bernama .xlsx tetapi isinya bukan buku kerja Excel yang dapat dibaca.")
    return read_csv(data)


# ---- cell validation -------------------------------------------------------------------------------------


class _BadCellError(Exception):
    """A cell's value is wrong: ``args[0]`` says what is wrong and what is expected (Indonesian)."""


def _visible(value: Cell) -> str:
    """A value as it may be quoted in a message: printable, at most a few dozen characters."""
    text = "" if value is None else str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    if len(text) > _ECHO_CHARS:
        text = text[: _ECHO_CHARS - 1] + "…"
    return text


def _echo(value: Cell) -> str:
    return f"«{_visible(value)}»"


class _Cells:
    """The cells of one row by column name, converting and checking each one."""

    def __init__(self, header: Sequence[str], cells: Sequence[Cell], *, echo: bool) -> None:
        self._values: dict[str, Cell] = {}
        for name, value in zip(header, cells, strict=False):
            if name and name not in self._values:
                self._values[name] = value
        self.echo = echo

    def shown(self, value: Cell) -> str:
        """The value quoted in a message, or nothing when the row may hold values in the wrong columns."""
        return f" (tertulis {_echo(value)})" if self.echo else ""

    def raw(self, name: str) -> Cell:
        return self._values.get(name)

    def text(self, name: str) -> str:
        value = self._values.get(name)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime):
            return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return str(value).strip()


def _nip(cells: _Cells) -> str:
    value = cells.raw("nip")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _BadCellError(f"NIP tersimpan sebagai angka, bukan teks: {TEXT_FORMAT_ADVICE}.")
    text = cells.text("nip")
    if not text:
        raise _BadCellError(f"NIP wajib diisi: 18 digit angka, misalnya {NIP_EXAMPLE}.")
    if _SCIENTIFIC_RE.fullmatch(text):
        raise _BadCellError(
            f"NIP tertulis dalam notasi ilmiah{cells.shown(text)} karena kolom berformat angka: "
            f"{TEXT_FORMAT_ADVICE}."
        )
    if _NIP_RE.fullmatch(text):
        return text
    if _DIGITS_RE.fullmatch(text):
        raise _BadCellError(
            f"NIP harus 18 digit angka, tetapi yang tertulis {len(text)} digit{cells.shown(text)}."
        )
    raise _BadCellError(
        f"NIP harus 18 digit angka tanpa huruf, spasi, atau tanda baca{cells.shown(text)}, "
        f"misalnya {NIP_EXAMPLE}."
    )


def _required_text(cells: _Cells, name: str, label: str, max_chars: int) -> str:
    text = cells.text(name)
    if not text:
        raise _BadCellError(f"{label} wajib diisi.")
    if len(text) > max_chars:
        raise _BadCellError(f"{label} terlalu panjang ({len(text)} karakter; maksimal {max_chars}).")
    return text


def _optional_text(cells: _Cells, name: str, label: str, max_chars: int) -> str | None:
    text = cells.text(name)
    if len(text) > max_chars:
        raise _BadCellError(f"{label} terlalu panjang ({len(text)} karakter; maksimal {max_chars}).")
    return text or None


def _integer(cells: _Cells, name: str, label: str, *, low: int, high: int, unit: str = "") -> int | None:
    """A whole number in [low, high], or None for an empty cell; ``unit`` shapes the example."""
    value = cells.raw(name)
    example = "misalnya 5361800" if unit == "rupiah" else "misalnya 12"
    if isinstance(value, bool):
        raise _BadCellError(f"{label} harus bilangan bulat, {example}.")
    number: int
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise _BadCellError(f"{label} harus bilangan bulat, tanpa pecahan{cells.shown(value)}.")
        number = int(value)
    else:
        text = cells.text(name)
        if not text:
            return None
        if text.startswith("-") and _DIGITS_RE.fullmatch(text[1:].strip()):
            raise _BadCellError(f"{label} tidak boleh negatif{cells.shown(text)}.")
        if not _DIGITS_RE.fullmatch(text):
            if unit == "rupiah":
                raise _BadCellError(
                    f"{label} harus bilangan bulat rupiah yang ditulis dengan angka saja, tanpa titik, koma, "
                    f"spasi, atau 'Rp'{cells.shown(text)}, {example}."
                )
            raise _BadCellError(f"{label} harus bilangan bulat{cells.shown(text)}, {example}.")
        number = int(text)
    if number < 0:
        raise _BadCellError(f"{label} tidak boleh negatif{cells.shown(number)}.")
    if not low <= number <= high:
        raise _BadCellError(f"{label} harus antara {low} dan {high}{cells.shown(number)}.")
    return number


def _required_integer(cells: _Cells, name: str, label: str, *, low: int, high: int, unit: str = "") -> int:
    number = _integer(cells, name, label, low=low, high=high, unit=unit)
    if number is None:
        raise _BadCellError(f"{label} wajib diisi.")
    return number


def _date(cells: _Cells, name: str, label: str, today: date) -> date | None:
    value = cells.raw(name)
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    else:
        text = cells.text(name)
        if not text:
            return None
        match = _DATE_RE.fullmatch(text)
        if match is None:
            raise _BadCellError(
                f"{label} harus berformat YYYY-MM-DD{cells.shown(text)}, misalnya 1990-01-17 "
                "untuk 17 Januari 1990."
            )
        try:
            result = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as e:
            raise _BadCellError(f"{label} tidak ada di kalender{cells.shown(text)}.") from e
    if result.year < 1900 or result > today:
        raise _BadCellError(f"{label} tidak masuk akal{cells.shown(result.isoformat())}.")
    return result


def _period(cells: _Cells) -> str:
    value = cells.raw("periode")
    if isinstance(value, (date, datetime)):
        # Excel turns a typed "2026-10" into the date 1 October 2026
        if value.day != 1:
            raise _BadCellError(
                f"Periode harus berformat YYYY-MM{cells.shown(value)}, misalnya 2026-10 untuk Oktober 2026."
            )
        year, month = value.year, value.month
    else:
        text = cells.text("periode")
        if not text:
            raise _BadCellError("Periode wajib diisi dengan format YYYY-MM, misalnya 2026-10.")
        match = _PERIOD_RE.fullmatch(text)
        if match is None:
            raise _BadCellError(
                f"Periode harus berformat YYYY-MM{cells.shown(text)}, misalnya 2026-10 untuk Oktober 2026."
            )
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise _BadCellError(f"Bulan pada periode harus 01 sampai 12{cells.shown(text)}.")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _BadCellError(f"Tahun pada periode harus antara {MIN_YEAR} dan {MAX_YEAR}.")
    return f"{year:04d}-{month:02d}"


def _choice(
    cells: _Cells, name: str, label: str, allowed: Sequence[str], *, upper: bool = False
) -> str | None:
    text = cells.text(name)
    if not text:
        return None
    normalised = text.upper() if upper else text.lower()
    if normalised not in allowed:
        options = (
            ", ".join(allowed[:-1]) + f", atau {allowed[-1]}" if len(allowed) > 2 else " atau ".join(allowed)
        )
        raise _BadCellError(f"{label} harus salah satu dari: {options}{cells.shown(text)}.")
    return normalised


# ---- rows into records -----------------------------------------------------------------------------------


class _RowProblems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def check[T](self, line: int, column: str, fn: Callable[[], T]) -> T | None:
        try:
            return fn()
        except _BadCellError as e:
            self.items.append(Problem(line, str(e.args[0]), column))
            return None


Key = tuple[Any, ...]
# A row parser returns the record (None when the row is bad) and the row's key when the key's cells are valid
# (so a duplicate is found even on a row that has other problems).
type RowParser = Callable[[_Cells, int, _RowProblems, frozenset[str], date], tuple[Record | None, Key | None]]


def _employee(
    cells: _Cells, line: int, problems: _RowProblems, columns: frozenset[str], today: date
) -> tuple[Record | None, Key | None]:
    before = len(problems.items)
    nip = problems.check(line, "nip", lambda: _nip(cells))
    nama = problems.check(line, "nama", lambda: _required_text(cells, "nama", "Nama", 200))
    password = problems.check(line, "password", lambda: _password(cells))
    values: dict[str, Any] = {}
    optional: list[tuple[str, str, Callable[[], Any]]] = [
        ("jabatan", "jabatan", lambda: _optional_text(cells, "jabatan", "Jabatan", 255)),
        ("unit_kerja", "unit_kerja", lambda: _optional_text(cells, "unit_kerja", "Unit kerja", 255)),
        ("pangkat", "pangkat", lambda: _optional_text(cells, "pangkat", "Pangkat", 100)),
        ("golongan", "golongan", lambda: _optional_text(cells, "golongan", "Golongan", 10)),
        (
            "kelas_jabatan",
            "kelas_jabatan",
            lambda: _integer(cells, "kelas_jabatan", "Kelas jabatan", low=1, high=17),
        ),
        (
            "jenis_kelamin",
            "jenis_kelamin",
            lambda: _choice(cells, "jenis_kelamin", "Jenis kelamin", GENDERS, upper=True),
        ),
        ("tanggal_lahir", "tanggal_lahir", lambda: _date(cells, "tanggal_lahir", "Tanggal lahir", today)),
        ("email", "email", lambda: _email(cells)),
        # an empty status cell is left out: it never changes a stored status (a new row defaults to aktif)
        ("status", "status", lambda: _choice(cells, "status", "Status", STATUSES)),
        ("peran", "hak_pengguna", lambda: _choice(cells, "peran", "Peran", ROLES) or "pegawai"),
    ]
    for column, db_column, fn in optional:
        if column in columns:
            value = problems.check(line, column, fn)
            if value is not None or db_column not in _KEPT_WHEN_EMPTY:
                values[db_column] = value
    key = None if nip is None else (nip,)
    if len(problems.items) > before or nip is None or nama is None or password is None:
        return None, key
    return EmployeeRecord(line=line, nip=nip, nama=nama, password=password, values=values), key


# pengguna columns an empty cell does not change (a bad cell is a problem: the row is dropped anyway)
_KEPT_WHEN_EMPTY = frozenset({"status"})


def _password(cells: _Cells) -> str:
    value = cells.raw("password")
    if isinstance(value, float) and not value.is_integer():
        raise _BadCellError(
            "Kata sandi awal tersimpan sebagai angka pecahan: format kolom password sebagai Teks."
        )
    text = cells.text("password")
    if not text:
        raise _BadCellError("Kata sandi awal wajib diisi.")
    if any(ch.isspace() for ch in text):
        raise _BadCellError(
            "Kata sandi awal tidak boleh mengandung spasi (pegawai tidak dapat mengetikkannya)."
        )
    if len(text) > MAX_PASSWORD_CHARS:
        raise _BadCellError(f"Kata sandi awal terlalu panjang (maksimal {MAX_PASSWORD_CHARS} karakter).")
    return text


def _email(cells: _Cells) -> str | None:
    text = _optional_text(cells, "email", "Email", 255)
    if text is not None and not _EMAIL_RE.fullmatch(text):
        raise _BadCellError(f"Email tidak valid{cells.shown(text)}, misalnya nama@instansi.go.id.")
    return text


def _tunkin(
    cells: _Cells, line: int, problems: _RowProblems, columns: frozenset[str], today: date
) -> tuple[Record | None, Key | None]:
    before = len(problems.items)
    nip = problems.check(line, "nip", lambda: _nip(cells))
    periode = problems.check(line, "periode", lambda: _period(cells))
    kelas = problems.check(
        line,
        "kelas_jabatan",
        lambda: _required_integer(cells, "kelas_jabatan", "Kelas jabatan", low=1, high=17),
    )
    tunjangan = problems.check(
        line,
        "tunjangan",
        lambda: _required_integer(cells, "tunjangan", "Tunjangan", low=0, high=MAX_RUPIAH, unit="rupiah"),
    )
    potongan = problems.check(
        line,
        "potongan",
        lambda: _required_integer(cells, "potongan", "Potongan", low=0, high=MAX_RUPIAH, unit="rupiah"),
    )
    keterangan = problems.check(
        line, "keterangan", lambda: _optional_text(cells, "keterangan", "Keterangan", 500)
    )
    if tunjangan is not None and potongan is not None and potongan > tunjangan:
        problems.items.append(
            Problem(
                line,
                f"Potongan ({potongan}) tidak boleh lebih besar daripada tunjangan ({tunjangan}).",
                "potongan",
            )
        )
    key = None if nip is None or periode is None else (nip, periode)
    if len(problems.items) > before:
        return None, key
    assert nip is not None
    assert periode is not None
    assert kelas is not None
    assert tunjangan is not None
    assert potongan is not None
    record = TunkinRecord(
        line=line,
        nip=nip,
        periode=periode,
        kelas_jabatan=kelas,
        tunjangan=tunjangan,
        potongan=potongan,
        keterangan=keterangan,
        has_keterangan="keterangan" in columns,
    )
    return record, key


def _leave_kind(cells: _Cells) -> str:
    text = cells.text("jenis")
    if not text:
        raise _BadCellError(f"Jenis cuti wajib diisi: {', '.join(LEAVE_KINDS)}.")
    normalised = _HEADER_SPACES_RE.sub("_", text.lower())
    if normalised not in LEAVE_KINDS:
        raise _BadCellError(
            f"Jenis cuti tidak dikenal{cells.shown(text)}; gunakan salah satu dari: {', '.join(LEAVE_KINDS)}."
        )
    return normalised


def _cuti(
    cells: _Cells, line: int, problems: _RowProblems, columns: frozenset[str], today: date
) -> tuple[Record | None, Key | None]:
    before = len(problems.items)
    nip = problems.check(line, "nip", lambda: _nip(cells))
    tahun = problems.check(
        line, "tahun", lambda: _required_integer(cells, "tahun", "Tahun", low=MIN_YEAR, high=MAX_YEAR)
    )
    jenis = problems.check(line, "jenis", lambda: _leave_kind(cells))
    hak = problems.check(
        line, "hak", lambda: _required_integer(cells, "hak", "Hak cuti (hari)", low=0, high=MAX_DAYS)
    )
    terpakai = problems.check(
        line,
        "terpakai",
        lambda: _required_integer(cells, "terpakai", "Cuti terpakai (hari)", low=0, high=MAX_DAYS),
    )
    if hak is not None and terpakai is not None and terpakai > hak:
        problems.items.append(
            Problem(
                line,
                f"Cuti terpakai ({terpakai} hari) tidak boleh lebih besar daripada hak cuti ({hak} hari).",
                "terpakai",
            )
        )
    key = None if nip is None or tahun is None or jenis is None else (nip, tahun, jenis)
    if len(problems.items) > before:
        return None, key
    assert nip is not None
    assert tahun is not None
    assert jenis is not None
    assert hak is not None
    assert terpakai is not None
    return CutiRecord(line=line, nip=nip, tahun=tahun, jenis=jenis, hak=hak, terpakai=terpakai), key


_ROW_PARSERS: dict[Kind, RowParser] = {"employees": _employee, "tunkin": _tunkin, "cuti": _cuti}


def _duplicate_message(kind: Kind, key: Key, first_line: int) -> tuple[str, str]:
    """(column, message) for a row whose key (nip; nip+periode; nip+tahun+jenis) an earlier row has."""
    if kind == "employees":
        return "nip", f"NIP ganda: NIP yang sama sudah ada di baris {first_line}."
    if kind == "tunkin":
        return (
            "periode",
            f"Data ganda: NIP dan periode {key[1]} yang sama sudah ada di baris {first_line}.",
        )
    return (
        "jenis",
        f"Data ganda: NIP, tahun {key[1]}, dan jenis cuti {key[2]} yang sama sudah ada di baris "
        f"{first_line}.",
    )


def parse(kind: Kind, data: bytes, file_name: str, *, today: date | None = None) -> ParsedImport:
    """Read and validate a whole file; every bad row is reported, none is skipped silently."""
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    today = today or datetime.now(UTC).date()
    try:
        table = read_table(data, file_name)
    except FileProblemError as e:
        return ParsedImport(kind, file_name, (), (Problem(None, str(e.args[0])),), (), 0, "")

    warnings: list[str] = []
    problems: list[Problem] = []
    known = REQUIRED_COLUMNS[kind] + OPTIONAL_COLUMNS[kind]
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(table.header):
        positions.setdefault(name, []).append(index)
    for name, where in positions.items():
        if name in known and len(where) > 1:
            places = " dan ".join(str(i + 1) for i in where)
            problems.append(Problem(1, f"Kolom {name} muncul lebih dari sekali (kolom ke-{places})."))
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in positions]
    unknown = [name for name in positions if name and name not in known]
    if unknown:
        warnings.append("Kolom yang tidak dikenal diabaikan: " + ", ".join(unknown) + ".")
    if "" in positions:
        warnings.append("Kolom tanpa judul diabaikan.")
    if missing:
        problems.insert(
            0,
            Problem(
                None,
                f"Kolom wajib tidak ditemukan: {', '.join(missing)}. Baris 1 harus berisi judul kolom: "
                f"{', '.join(REQUIRED_COLUMNS[kind])} (wajib)"
                + (f" dan {', '.join(OPTIONAL_COLUMNS[kind])} (opsional)" if OPTIONAL_COLUMNS[kind] else "")
                + ".",
            ),
        )
        if table.delimiter is not None and len(table.header) == 1:
            problems.append(
                Problem(None, "Hanya satu kolom terbaca: pisahkan kolom dengan koma, titik koma, atau tab.")
            )
    if problems:
        return ParsedImport(
            kind, file_name, (), tuple(problems), tuple(warnings), len(table.rows), table.file_format
        )
    if not table.rows:
        return ParsedImport(
            kind,
            file_name,
            (),
            (Problem(None, "Berkas hanya berisi judul kolom; tidak ada baris data yang dapat diimpor."),),
            tuple(warnings),
            0,
            table.file_format,
        )
    if len(table.rows) > MAX_DATA_ROWS:
        return ParsedImport(
            kind,
            file_name,
            (),
            (
                Problem(
                    None,
                    f"Berkas berisi lebih dari {MAX_DATA_ROWS} baris data; pecah menjadi beberapa berkas.",
                ),
            ),
            tuple(warnings),
            len(table.rows),
            table.file_format,
        )

    columns = frozenset(positions)
    row_problems = _RowProblems()
    records: list[Record] = []
    first_seen: dict[tuple[Any, ...], int] = {}
    width = len(table.header)
    weak_passwords = 0
    nips: list[tuple[int, str]] = []
    for line, cells in table.rows:
        extra = cells[width:]
        if table.file_format == "csv" and not _blank(extra):
            delimiter = _DELIMITER_NAMES.get(table.delimiter or ",", "pemisah")
            row_problems.items.append(
                Problem(
                    line,
                    f"Baris ini berisi {len(cells)} kolom, sedangkan judul berisi {width} kolom. "
                    f"Kemungkinan ada {delimiter} di dalam sebuah nilai (misalnya gelar pada nama) "
                    'yang tidak diapit tanda kutip ("). Simpan ulang dari Excel agar nilai seperti itu '
                    "dikutip otomatis.",
                )
            )
            continue
        # A CSV row shorter than the header may have its values in the wrong columns: quote no values,
        # since one of them may be a password.
        echo = table.file_format != "csv" or len(cells) >= width
        row = _Cells(table.header, cells, echo=echo)
        record, key = _ROW_PARSERS[kind](row, line, row_problems, columns, today)
        with contextlib.suppress(_BadCellError):
            nips.append((line, _nip(row)))
        if key is not None:
            if key in first_seen:
                column, message = _duplicate_message(kind, key, first_seen[key])
                row_problems.items.append(Problem(line, message, column))
                continue
            first_seen[key] = line
        if record is None:
            continue
        if isinstance(record, EmployeeRecord) and len(record.password) < WEAK_PASSWORD_CHARS:
            weak_passwords += 1
        records.append(record)
    if weak_passwords:
        warnings.append(
            f"{weak_passwords} kata sandi awal kurang dari {WEAK_PASSWORD_CHARS} karakter; sebaiknya "
            "pegawai menggantinya dengan /gantisandi setelah mendaftar."
        )
    return ParsedImport(
        kind,
        file_name,
        tuple(records) if not row_problems.items else (),
        tuple(sorted(row_problems.items, key=lambda p: p.line or 0)),
        tuple(warnings),
        len(table.rows),
        table.file_format,
        tuple(nips),
    )


# ---- S3 keys ---------------------------------------------------------------------------------------------


FULL_EMPLOYEES_FOLDER = "employees-full"


@dataclass(frozen=True)
class KeyCheck:
    """What an uploaded object's key asks for: a kind to import, nothing (a folder), or a problem."""

    kind: Kind | None
    file_name: str
    ignore: bool = False
    problem: str | None = None
    full: bool = False  # imports/employees-full/: the whole workforce (FullMode)


def check_key(key: str, prefix: str = "imports/") -> KeyCheck:
    """``imports/<kind>/<file>`` → the kind; ``imports/employees-full/<file>`` → employees in full mode;
    a folder placeholder (``imports/tunkin/``) is ignored."""
    file_name = key.rsplit("/", 1)[-1]
    expected = ", ".join(f"{prefix}{k}/" for k in (*KINDS, FULL_EMPLOYEES_FOLDER))
    if key.endswith("/"):
        return KeyCheck(None, file_name, ignore=True)
    if not key.startswith(prefix):
        return KeyCheck(None, file_name, problem=f"Berkas harus diunggah ke salah satu folder: {expected}.")
    parts = key[len(prefix) :].split("/")
    if len(parts) != 2 or not parts[1]:
        return KeyCheck(
            None,
            file_name,
            problem=f"Berkas harus diletakkan langsung di salah satu folder: {expected} (tanpa subfolder).",
        )
    kind = parts[0]
    if kind == FULL_EMPLOYEES_FOLDER:
        return KeyCheck("employees", file_name, full=True)
    if kind not in KINDS:
        return KeyCheck(
            None,
            file_name,
            problem=f"Jenis data {_echo(kind)} tidak dikenal. Unggah ke salah satu folder: {expected}.",
        )
    return KeyCheck(kind, file_name)


# ---- rendering -------------------------------------------------------------------------------------------


def _grouped(problems: Iterable[Problem]) -> list[tuple[int | None, list[Problem]]]:
    groups: dict[int | None, list[Problem]] = {}
    for p in problems:
        groups.setdefault(p.line, []).append(p)
    return sorted(groups.items(), key=lambda item: -1 if item[0] is None else item[0])


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_message(result: ImportResult, *, note: str | None = None) -> str:
    """The result for the staff group: Indonesian, HTML (escaped), under Telegram's 4096 characters."""

    def e(text: str) -> str:
        return html.escape(text, quote=False)

    label = KIND_LABELS[result.kind]
    head: list[str] = []
    if result.imported:
        head += [
            f"✅ <b>Impor {e(label)} berhasil</b>",
            f"Berkas: <code>{e(_clip(result.file_name, 200))}</code>",
            f"Baris data: {result.rows_total}",
            f"• baru: {result.inserted}",
            f"• diperbarui: {result.updated}",
            f"• tidak berubah: {result.unchanged}",
        ]
        if result.full:
            head += [
                f"• dinonaktifkan: {result.deactivated}{_deactivated_list(result)}",
                f"• akun Telegram dilepas: {result.released}",
                "Mode lengkap: pegawai yang tidak ada di berkas dinonaktifkan dan akun Telegram-nya dilepas.",
            ]
    else:
        bad_rows = len(result.bad_lines)
        head += [
            f"❌ <b>Impor {e(label)} ditolak</b>: tidak ada data yang disimpan.",
            f"Berkas: <code>{e(_clip(result.file_name, 200))}</code>",
        ]
        if bad_rows:
            head.append(
                f"{len(result.problems)} kesalahan pada {bad_rows} baris "
                f"(dari {result.rows_total} baris data). "
                "Perbaiki baris berikut, lalu unggah ulang seluruh berkas:"
            )
        else:
            head.append("Perbaiki hal berikut, lalu unggah ulang berkasnya:")
    tail = [f"⚠️ {e(_clip(w, 300))}" for w in result.warnings]
    if note:
        tail.append(e(note))

    body: list[str] = []
    groups = _grouped(result.problems)
    used = sum(len(x) + 1 for x in head + tail)
    shown = 0
    for line, problems in groups:
        where = "" if line is None else f"<b>Baris {line}</b> — "
        entry = f"• {where}" + e(_clip("; ".join(p.text().rstrip(".") for p in problems) + ".", 400))
        if shown >= MAX_ROWS_IN_MESSAGE or used + len(entry) + 1 > _MESSAGE_BUDGET:
            break
        body.append(entry)
        used += len(entry) + 1
        shown += 1
    if shown < len(groups):
        body.append(f"… dan {len(groups) - shown} baris lainnya.")
    text = "\n".join([*head, *body, *tail])
    if len(text) > TELEGRAM_TEXT_LIMIT:  # a guard: head and tail are clipped, so the body fits the budget
        text = "\n".join([*head, f"… {len(groups)} baris bermasalah tidak dapat ditampilkan di sini."])
    return text


def render_key_problem(key: str, problem: str) -> str:
    """The staff group's message for an upload outside imports/<kind>/ (HTML)."""
    return (
        f"⚠️ <b>Berkas tidak diimpor</b>: <code>{html.escape(_clip(key, 300), quote=False)}</code>\n"
        f"{html.escape(problem, quote=False)}\n"
        "Tidak ada data yang disimpan. Berkas di folder imports/ terhapus otomatis dalam 1 hari."
    )


def _deactivated_list(result: ImportResult) -> str:
    """' (1990**********1001, …, dan N lainnya)': the first few deactivated NIPs, masked."""
    if not result.deactivated_nips:
        return ""
    shown = ", ".join(mask_nip(nip) for nip in result.deactivated_nips)
    more = result.deactivated - len(result.deactivated_nips)
    return f" ({shown}" + (f", dan {more} lainnya" if more > 0 else "") + ")"


def render_text(result: ImportResult) -> str:
    """The result for a terminal (plain text): counts, or every problem with its line number.

    A preview (``dry_run``) says what the import would do; nothing was stored."""
    label = KIND_LABELS[result.kind]
    mode = " mode lengkap" if result.full else ""
    counts = [
        f"  baris data    : {result.rows_total}",
        f"  baru          : {result.inserted}",
        f"  diperbarui    : {result.updated}",
        f"  tidak berubah : {result.unchanged}",
    ]
    if result.full:
        counts += [
            f"  dinonaktifkan : {result.deactivated}{_deactivated_list(result)}",
            f"  akun dilepas  : {result.released}",
        ]
    lines: list[str] = []
    if result.imported:
        if result.dry_run:
            lines.append(f"Ringkasan impor {label}{mode} (belum ada yang disimpan): {result.file_name}")
        else:
            lines.append(f"Impor {label}{mode} berhasil: {result.file_name}")
        lines += counts
    else:
        lines.append(f"Impor {label}{mode} DITOLAK: tidak ada data yang disimpan ({result.file_name}).")
        if result.dry_run and result.full and not result.bad_lines and result.deactivated:
            lines += counts  # refused by the guard: what the file would have done
        if result.bad_lines:
            lines.append(f"{len(result.problems)} kesalahan pada {len(result.bad_lines)} baris:")
        for problem in result.problems:
            where = "berkas" if problem.line is None else f"baris {problem.line}"
            lines.append(f"  {where}: {problem.text()}")
    lines += [f"Peringatan: {w}" for w in result.warnings]
    return "\n".join(lines)


# ---- applying to the database ----------------------------------------------------------------------------


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _chunks[T](items: Sequence[T], size: int = 500) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


def _registered(row: Mapping[str, Any]) -> bool:
    return row.get("registered_at") is not None or row.get("id_telegram") is not None


EMPLOYEE_DB_COLUMNS = (
    "jabatan",
    "unit_kerja",
    "pangkat",
    "golongan",
    "kelas_jabatan",
    "jenis_kelamin",
    "tanggal_lahir",
    "email",
    "status",
    "hak_pengguna",
)
_EMPLOYEE_SELECT = (
    "SELECT nip, nama, password_hash, id_telegram, registered_at, "  # noqa: S608 - fixed column names
    + ", ".join(EMPLOYEE_DB_COLUMNS)
    + " FROM pengguna"
)


def _fetch_employees(
    run: Callable[[str, Sequence[Any]], list[dict[str, Any]]], nips: Sequence[str], suffix: str = ""
) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(nips):
        sql = f"{_EMPLOYEE_SELECT} WHERE nip IN ({_placeholders(len(chunk))}){suffix}"
        for row in run(sql, chunk):
            rows[str(row["nip"])] = row
    return rows


def _password_decision(password: str, stored: str | None) -> str:
    """The hash to keep: the stored one when it already matches (so a re-import changes nothing)."""
    if stored and verify_password(password, stored):
        return stored
    return hash_password(password)


def _hash_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _decide_passwords(
    records: Sequence[EmployeeRecord], existing: Mapping[str, Mapping[str, Any]]
) -> dict[str, str | None]:
    """nip → hash to store (None: registered, never touched). scrypt releases the GIL: a few threads."""
    todo = [(r.nip, r.password, existing.get(r.nip)) for r in records]

    def decide(item: tuple[str, str, Mapping[str, Any] | None]) -> tuple[str, str | None]:
        nip, password, row = item
        if row is not None and _registered(row):
            return nip, None
        return nip, _password_decision(password, row["password_hash"] if row else None)

    with ThreadPoolExecutor(max_workers=_hash_workers()) as pool:
        return dict(pool.map(decide, todo))


@dataclass
class _Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def _apply_employees(
    cur: Any,
    records: Sequence[EmployeeRecord],
    pre: Mapping[str, Mapping[str, Any]],
    hashes: Mapping[str, str | None],
) -> _Counts:
    counts = _Counts()

    def run(sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        cur.execute(sql, args)
        return list(cur.fetchall())

    locked = _fetch_employees(run, [r.nip for r in records], " FOR UPDATE")
    for record in records:
        row = locked.get(record.nip)
        new_hash = hashes.get(record.nip)
        if row is not None:
            if _registered(row):
                new_hash = row["password_hash"]  # an employee who registered keeps the password they use
            elif row["password_hash"] != (pre.get(record.nip) or {}).get("password_hash") or new_hash is None:
                # changed (or registered and released) since the hashes were decided: decide again
                new_hash = _password_decision(record.password, row["password_hash"])
        elif new_hash is None:
            new_hash = hash_password(record.password)
        wanted: dict[str, Any] = {"nama": record.nama, **record.values, "password_hash": new_hash}
        if row is None:
            wanted.setdefault("status", "aktif")
            wanted.setdefault("hak_pengguna", "pegawai")
            names = ["nip", *wanted]
            cur.execute(
                f"INSERT INTO pengguna ({', '.join(names)}) VALUES ({_placeholders(len(names))})",  # noqa: S608
                [record.nip, *wanted.values()],
            )
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
    return counts


def _apply_tunkin(cur: Any, records: Sequence[TunkinRecord], now: datetime) -> _Counts:
    counts = _Counts()
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
            cur.execute(
                "INSERT INTO tunkin (nip, periode, kelas_jabatan, tunjangan, potongan, keterangan,"
                " imported_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
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
    return counts


def _apply_cuti(cur: Any, records: Sequence[CutiRecord], now: datetime) -> _Counts:
    counts = _Counts()
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
            cur.execute(
                "INSERT INTO cuti (nip, tahun, jenis, hak, terpakai, imported_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
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
    return counts


def _unknown_nips(db: Database, rows: Sequence[tuple[int, str]]) -> list[Problem]:
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
        _utcnow(),
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
    pre = _fetch_employees(db.fetch_all, [r.nip for r in employees])
    return Prepared(pre, _decide_passwords(employees, pre))  # slow (scrypt): before the rows are locked


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
    started = _utcnow()
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
        problems += _unknown_nips(db, parsed.nips)
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
                    _record_failure(db, base, started, e, detail)
                raise
        except Exception as e:
            if not dry_run:
                _record_failure(db, base, started, e, detail)
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
    return _record_rejection(db, recorded, _utcnow(), detail)


def _record_rejection(
    db: Database, result: ImportResult, started: datetime, detail: Mapping[str, Any] | None
) -> ImportResult:
    with db.transaction() as cur:
        cur.execute(_INSERT_RUN, _run_args(result, started, "rejected"))
        run_id = int(cur.lastrowid)
        cur.execute(_INSERT_AUDIT, (_utcnow(), _audit_detail(result, "rejected", run_id, detail)))
    return _replace(result, run_id=run_id)


@dataclass(frozen=True)
class _Absent:
    """Full mode: the employees the file leaves out that are still active or still bound."""

    rows: tuple[Mapping[str, Any], ...]
    active_before: int

    @property
    def deactivated(self) -> list[str]:
        return sorted(str(r["nip"]) for r in self.rows if r["status"] == "aktif")

    @property
    def released(self) -> list[Mapping[str, Any]]:
        return [r for r in self.rows if r["id_telegram"] is not None]


def _lock_absent(cur: Any, present: set[str]) -> _Absent:
    """Lock every active or bound employee (a concurrent /daftar waits) and keep those not in the file."""
    cur.execute(
        "SELECT nip, status, id_telegram FROM pengguna WHERE status = 'aktif' OR id_telegram IS NOT NULL"
        " ORDER BY nip FOR UPDATE"
    )
    rows = list(cur.fetchall())
    active = sum(1 for r in rows if r["status"] == "aktif")
    return _Absent(tuple(r for r in rows if str(r["nip"]) not in present), active)


def _percent(value: float) -> str:
    """12.5 → '12,5'; 25.0 → '25' (Indonesian decimal comma)."""
    text = f"{value:.1f}".replace(".", ",")
    return text.removesuffix(",0")


def _guard_problem(absent: _Absent, full: FullMode) -> Problem | None:
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


_INSERT_DEACTIVATION_AUDIT = (
    "INSERT INTO audit_log (waktu, event, telegram_user_id, nip, detail)"
    " VALUES (%s, 'import_deactivate', %s, %s, %s)"
)


def _deactivate(cur: Any, absent: _Absent, run_id: int, now: datetime) -> None:
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


def _write(
    db: Database,
    parsed: ParsedImport,
    base: ImportResult,
    started: datetime,
    prepared: Prepared,
    detail: Mapping[str, Any] | None,
    full: FullMode | None,
) -> ImportResult:
    """The one transaction of an import: every row, the deactivations of a full export, the import_run
    row and the audit rows, or nothing. A preview or a refusal leaves by ``_RolledBack``."""
    with db.transaction() as cur:
        now = _utcnow()
        absent: _Absent | None = None
        if parsed.kind == "employees":
            records = cast(Sequence[EmployeeRecord], parsed.records)
            if full is not None:
                absent = _lock_absent(cur, {r.nip for r in records})
            counts = _apply_employees(cur, records, prepared.pre, prepared.hashes)
        elif parsed.kind == "tunkin":
            counts = _apply_tunkin(cur, cast(Sequence[TunkinRecord], parsed.records), now)
        else:
            counts = _apply_cuti(cur, cast(Sequence[CutiRecord], parsed.records), now)
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
        cur.execute(_INSERT_RUN, _run_args(result, started, "imported"))
        run_id = int(cur.lastrowid)
        if absent is not None and absent.rows:
            _deactivate(cur, absent, run_id, now)
        cur.execute(
            _INSERT_AUDIT, (_utcnow(), _audit_detail(result, "imported", run_id, {**(detail or {}), **extra}))
        )
    return _replace(result, run_id=run_id)


def _record_failure(
    db: Database, base: ImportResult, started: datetime, error: Exception, detail: Mapping[str, Any] | None
) -> None:
    """Best effort: the run that failed on the database side, so it shows in import_run."""
    try:
        with db.transaction() as cur:
            cur.execute(_INSERT_RUN, _run_args(base, started, "failed"))
            run_id = int(cur.lastrowid)
            extra = {**(detail or {}), "error": type(error).__name__}
            cur.execute(_INSERT_AUDIT, (_utcnow(), _audit_detail(base, "failed", run_id, extra)))
    except Exception:  # noqa: S110 - the original error is what the caller must see
        pass


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
