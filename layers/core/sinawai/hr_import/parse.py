"""An HR file's rows into records (pure): every bad row is reported with its line number, none is skipped
silently, and a file with any bad row yields no records at all. Also what an uploaded object's S3 key asks
for."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sinawai.hr_import.cells import (
    MAX_DAYS,
    MAX_RUPIAH,
    MAX_YEAR,
    MIN_YEAR,
    BadCellError,
    Cells,
    asn_type_cell,
    choice_cell,
    date_cell,
    echo,
    email_cell,
    integer_cell,
    leave_kind_cell,
    nip_cell,
    optional_text,
    password_cell,
    period_cell,
    required_integer,
    required_text,
)
from sinawai.hr_import.records import (
    GENDERS,
    KINDS,
    MAX_DATA_ROWS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ROLES,
    STATUSES,
    CutiRecord,
    EmployeeRecord,
    Kind,
    ParsedImport,
    Problem,
    Record,
    TunkinRecord,
)
from sinawai.hr_import.table import DELIMITER_NAMES, FileProblemError, blank, read_table

WEAK_PASSWORD_CHARS = 8


class _RowProblems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def check[T](self, line: int, column: str, fn: Callable[[], T]) -> T | None:
        try:
            return fn()
        except BadCellError as e:
            self.items.append(Problem(line, str(e.args[0]), column))
            return None


Key = tuple[Any, ...]
# A row parser returns the record (None when the row is bad) and the row's key when the key's cells are valid
# (so a duplicate is found even on a row that has other problems).
type RowParser = Callable[[Cells, int, _RowProblems, frozenset[str], date], tuple[Record | None, Key | None]]


def _employee(
    cells: Cells, line: int, problems: _RowProblems, columns: frozenset[str], today: date
) -> tuple[Record | None, Key | None]:
    before = len(problems.items)
    nip = problems.check(line, "nip", lambda: nip_cell(cells))
    nama = problems.check(line, "nama", lambda: required_text(cells, "nama", "Nama", 200))
    password = problems.check(line, "password", lambda: password_cell(cells))
    values: dict[str, Any] = {}
    optional: list[tuple[str, str, Callable[[], Any]]] = [
        ("jabatan", "jabatan", lambda: optional_text(cells, "jabatan", "Jabatan", 255)),
        ("unit_kerja", "unit_kerja", lambda: optional_text(cells, "unit_kerja", "Unit kerja", 255)),
        ("pangkat", "pangkat", lambda: optional_text(cells, "pangkat", "Pangkat", 100)),
        ("golongan", "golongan", lambda: optional_text(cells, "golongan", "Golongan", 10)),
        (
            "kelas_jabatan",
            "kelas_jabatan",
            lambda: integer_cell(cells, "kelas_jabatan", "Kelas jabatan", low=1, high=17),
        ),
        (
            "jenis_kelamin",
            "jenis_kelamin",
            lambda: choice_cell(cells, "jenis_kelamin", "Jenis kelamin", GENDERS, upper=True),
        ),
        ("tanggal_lahir", "tanggal_lahir", lambda: date_cell(cells, "tanggal_lahir", "Tanggal lahir", today)),
        ("email", "email", lambda: email_cell(cells)),
        # an empty status cell is left out: it never changes a stored status (a new row defaults to aktif)
        ("status", "status", lambda: choice_cell(cells, "status", "Status", STATUSES)),
        ("peran", "hak_pengguna", lambda: choice_cell(cells, "peran", "Peran", ROLES) or "pegawai"),
        # like status: an empty cell keeps the stored type (a new row defaults to PNS)
        ("jenis_asn", "jenis_asn", lambda: asn_type_cell(cells)),
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
_KEPT_WHEN_EMPTY = frozenset({"status", "jenis_asn"})


def _tunkin(
    cells: Cells, line: int, problems: _RowProblems, columns: frozenset[str], today: date
) -> tuple[Record | None, Key | None]:
    before = len(problems.items)
    nip = problems.check(line, "nip", lambda: nip_cell(cells))
    periode = problems.check(line, "periode", lambda: period_cell(cells))
    kelas = problems.check(
        line,
        "kelas_jabatan",
        lambda: required_integer(cells, "kelas_jabatan", "Kelas jabatan", low=1, high=17),
    )
    tunjangan = problems.check(
        line,
        "tunjangan",
        lambda: required_integer(cells, "tunjangan", "Tunjangan", low=0, high=MAX_RUPIAH, unit="rupiah"),
    )
    potongan = problems.check(
        line,
        "potongan",
        lambda: required_integer(cells, "potongan", "Potongan", low=0, high=MAX_RUPIAH, unit="rupiah"),
    )
    keterangan = problems.check(
        line, "keterangan", lambda: optional_text(cells, "keterangan", "Keterangan", 500)
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


def _cuti(
    cells: Cells, line: int, problems: _RowProblems, columns: frozenset[str], today: date
) -> tuple[Record | None, Key | None]:
    before = len(problems.items)
    nip = problems.check(line, "nip", lambda: nip_cell(cells))
    tahun = problems.check(
        line, "tahun", lambda: required_integer(cells, "tahun", "Tahun", low=MIN_YEAR, high=MAX_YEAR)
    )
    jenis = problems.check(line, "jenis", lambda: leave_kind_cell(cells))
    hak = problems.check(
        line, "hak", lambda: required_integer(cells, "hak", "Hak cuti (hari)", low=0, high=MAX_DAYS)
    )
    terpakai = problems.check(
        line,
        "terpakai",
        lambda: required_integer(cells, "terpakai", "Cuti terpakai (hari)", low=0, high=MAX_DAYS),
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


def parse(
    kind: Kind, data: bytes, file_name: str, *, today: date | None = None, rows: tuple[int, int] | None = None
) -> ParsedImport:
    """Read and validate a whole file; every bad row is reported, none is skipped silently.

    ``rows`` (start, end): only the data rows with those indexes (0 = the first data row) become records, for
    a chunk of a fanned-out run whose whole file was validated before (duplicates are looked for only
    within the chunk)."""
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
    selected = table.rows if rows is None else table.rows[rows[0] : rows[1]]
    for line, cells in selected:
        extra = cells[width:]
        if table.file_format == "csv" and not blank(extra):
            delimiter = DELIMITER_NAMES.get(table.delimiter or ",", "pemisah")
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
        row = Cells(table.header, cells, echo=echo)
        record, key = _ROW_PARSERS[kind](row, line, row_problems, columns, today)
        with contextlib.suppress(BadCellError):
            nips.append((line, nip_cell(row)))
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
            problem=f"Jenis data {echo(kind)} tidak dikenal. Unggah ke salah satu folder: {expected}.",
        )
    return KeyCheck(kind, file_name)
