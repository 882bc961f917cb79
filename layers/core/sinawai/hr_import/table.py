"""Reading an HR file into a table (pure): CSV (UTF-8, with or without BOM; comma, semicolon or tab) or
XLSX, with the line numbers the staff see in the file (the header is line 1)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sinawai.hr_import.records import MAX_DATA_ROWS, MAX_FILE_BYTES, Cell

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "koma", ";": "titik koma", "\t": "tab"}
HEADER_SPACES_RE = re.compile(r"[\s\-]+")
CSV_UTF8_ADVICE = (
    'simpan ulang berkas dari Excel dengan "Save As" / "Simpan Sebagai" dan pilih jenis '
    '"CSV UTF-8 (Comma delimited) (*.csv)", lalu unggah ulang'
)


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
    return HEADER_SPACES_RE.sub("_", text.replace("\ufeff", "").strip().lower())


def blank(cells: Sequence[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of comma, semicolon and tab (comma on a tie)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv(data: bytes) -> Table:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblemError(
            f'Berkas tersimpan sebagai UTF-16 ("Unicode Text"), bukan UTF-8: {CSV_UTF8_ADVICE}.'
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
            raise FileProblemError("Buku kerja tidak memiliki lembar kerja.")
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
    non_blank = [(line, cells) for line, cells in rows if not blank(cells)]
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
