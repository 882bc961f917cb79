"""One row's cells by column name, each converted and checked (pure); a bad cell raises ``BadCellError``
whose message says, in Indonesian, what is wrong and what is expected."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from sinawai.common.asn import ASN_TYPES
from sinawai.hr_import.records import LEAVE_KINDS, Cell
from sinawai.hr_import.table import HEADER_SPACES_RE
from sinawai.registration.passwords import MAX_PASSWORD_CHARS

MAX_RUPIAH = 999_999_999_999
MAX_DAYS = 65_535
MIN_YEAR, MAX_YEAR = 2000, 2100
NIP_EXAMPLE = "199001172015031001"
_ECHO_CHARS = 40

_NIP_RE = re.compile(r"[0-9]{18}")
_DIGITS_RE = re.compile(r"[0-9]+")
_SCIENTIFIC_RE = re.compile(r"[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+")
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_PERIOD_RE = re.compile(r"([0-9]{4})-([0-9]{2})")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

TEXT_FORMAT_ADVICE = (
    'format kolom nip sebagai Teks (di Excel: "Format Cells" → "Text") lalu ketik atau tempel ulang NIP-nya, '
    "karena Excel menyimpan angka 18 digit dengan pembulatan sehingga digit terakhir NIP berubah"
)


class BadCellError(Exception):
    """A cell's value is wrong: ``args[0]`` says what is wrong and what is expected (Indonesian)."""


def _visible(value: Cell) -> str:
    """A value as it may be quoted in a message: printable, at most a few dozen characters."""
    text = "" if value is None else str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    if len(text) > _ECHO_CHARS:
        text = text[: _ECHO_CHARS - 1] + "…"
    return text


def echo(value: Cell) -> str:
    return f"«{_visible(value)}»"


class Cells:
    """The cells of one row by column name, converting and checking each one."""

    def __init__(self, header: Sequence[str], cells: Sequence[Cell], *, echo: bool) -> None:
        self._values: dict[str, Cell] = {}
        for name, value in zip(header, cells, strict=False):
            if name and name not in self._values:
                self._values[name] = value
        self.echo = echo

    def shown(self, value: Cell) -> str:
        """The value quoted in a message, or nothing when the row may hold values in the wrong columns."""
        return f" (tertulis {echo(value)})" if self.echo else ""

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


def nip_cell(cells: Cells) -> str:
    value = cells.raw("nip")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise BadCellError(f"NIP tersimpan sebagai angka, bukan teks: {TEXT_FORMAT_ADVICE}.")
    text = cells.text("nip")
    if not text:
        raise BadCellError(f"NIP wajib diisi: 18 digit angka, misalnya {NIP_EXAMPLE}.")
    if _SCIENTIFIC_RE.fullmatch(text):
        raise BadCellError(
            f"NIP tertulis dalam notasi ilmiah{cells.shown(text)} karena kolom berformat angka: "
            f"{TEXT_FORMAT_ADVICE}."
        )
    if _NIP_RE.fullmatch(text):
        return text
    if _DIGITS_RE.fullmatch(text):
        raise BadCellError(
            f"NIP harus 18 digit angka, tetapi yang tertulis {len(text)} digit{cells.shown(text)}."
        )
    raise BadCellError(
        f"NIP harus 18 digit angka tanpa huruf, spasi, atau tanda baca{cells.shown(text)}, "
        f"misalnya {NIP_EXAMPLE}."
    )


def required_text(cells: Cells, name: str, label: str, max_chars: int) -> str:
    text = cells.text(name)
    if not text:
        raise BadCellError(f"{label} wajib diisi.")
    if len(text) > max_chars:
        raise BadCellError(f"{label} terlalu panjang ({len(text)} karakter; maksimal {max_chars}).")
    return text


def optional_text(cells: Cells, name: str, label: str, max_chars: int) -> str | None:
    text = cells.text(name)
    if len(text) > max_chars:
        raise BadCellError(f"{label} terlalu panjang ({len(text)} karakter; maksimal {max_chars}).")
    return text or None


def integer_cell(cells: Cells, name: str, label: str, *, low: int, high: int, unit: str = "") -> int | None:
    """A whole number in [low, high], or None for an empty cell; ``unit`` shapes the example."""
    value = cells.raw(name)
    example = "misalnya 5361800" if unit == "rupiah" else "misalnya 12"
    if isinstance(value, bool):
        raise BadCellError(f"{label} harus bilangan bulat, {example}.")
    number: int
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise BadCellError(f"{label} harus bilangan bulat, tanpa pecahan{cells.shown(value)}.")
        number = int(value)
    else:
        text = cells.text(name)
        if not text:
            return None
        if text.startswith("-") and _DIGITS_RE.fullmatch(text[1:].strip()):
            raise BadCellError(f"{label} tidak boleh negatif{cells.shown(text)}.")
        if not _DIGITS_RE.fullmatch(text):
            if unit == "rupiah":
                raise BadCellError(
                    f"{label} harus bilangan bulat rupiah yang ditulis dengan angka saja, tanpa titik, koma, "
                    f"spasi, atau 'Rp'{cells.shown(text)}, {example}."
                )
            raise BadCellError(f"{label} harus bilangan bulat{cells.shown(text)}, {example}.")
        number = int(text)
    if number < 0:
        raise BadCellError(f"{label} tidak boleh negatif{cells.shown(number)}.")
    if not low <= number <= high:
        raise BadCellError(f"{label} harus antara {low} dan {high}{cells.shown(number)}.")
    return number


def required_integer(cells: Cells, name: str, label: str, *, low: int, high: int, unit: str = "") -> int:
    number = integer_cell(cells, name, label, low=low, high=high, unit=unit)
    if number is None:
        raise BadCellError(f"{label} wajib diisi.")
    return number


def date_cell(cells: Cells, name: str, label: str, today: date) -> date | None:
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
            raise BadCellError(
                f"{label} harus berformat YYYY-MM-DD{cells.shown(text)}, misalnya 1990-01-17 "
                "untuk 17 Januari 1990."
            )
        try:
            result = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as e:
            raise BadCellError(f"{label} tidak ada di kalender{cells.shown(text)}.") from e
    if result.year < 1900 or result > today:
        raise BadCellError(f"{label} tidak masuk akal{cells.shown(result.isoformat())}.")
    return result


def period_cell(cells: Cells) -> str:
    value = cells.raw("periode")
    if isinstance(value, (date, datetime)):
        # Excel turns a typed "2026-10" into the date 1 October 2026
        if value.day != 1:
            raise BadCellError(
                f"Periode harus berformat YYYY-MM{cells.shown(value)}, misalnya 2026-10 untuk Oktober 2026."
            )
        year, month = value.year, value.month
    else:
        text = cells.text("periode")
        if not text:
            raise BadCellError("Periode wajib diisi dengan format YYYY-MM, misalnya 2026-10.")
        match = _PERIOD_RE.fullmatch(text)
        if match is None:
            raise BadCellError(
                f"Periode harus berformat YYYY-MM{cells.shown(text)}, misalnya 2026-10 untuk Oktober 2026."
            )
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise BadCellError(f"Bulan pada periode harus 01 sampai 12{cells.shown(text)}.")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadCellError(f"Tahun pada periode harus antara {MIN_YEAR} dan {MAX_YEAR}.")
    return f"{year:04d}-{month:02d}"


def choice_cell(
    cells: Cells, name: str, label: str, allowed: Sequence[str], *, upper: bool = False
) -> str | None:
    text = cells.text(name)
    if not text:
        return None
    normalised = text.upper() if upper else text.lower()
    if normalised not in allowed:
        options = (
            ", ".join(allowed[:-1]) + f", atau {allowed[-1]}" if len(allowed) > 2 else " atau ".join(allowed)
        )
        raise BadCellError(f"{label} harus salah satu dari: {options}{cells.shown(text)}.")
    return normalised


def password_cell(cells: Cells) -> str:
    value = cells.raw("password")
    if isinstance(value, float) and not value.is_integer():
        raise BadCellError(
            'Kata sandi awal tersimpan sebagai angka pecahan: format kolom "password" sebagai Teks.'
        )
    text = cells.text("password")
    if not text:
        raise BadCellError("Kata sandi awal wajib diisi.")
    if any(ch.isspace() for ch in text):
        raise BadCellError(
            "Kata sandi awal tidak boleh mengandung spasi (pegawai tidak dapat mengetikkannya)."
        )
    if len(text) > MAX_PASSWORD_CHARS:
        raise BadCellError(f"Kata sandi awal terlalu panjang (maksimal {MAX_PASSWORD_CHARS} karakter).")
    return text


def email_cell(cells: Cells) -> str | None:
    text = optional_text(cells, "email", "Surel", 255)
    if text is not None and not _EMAIL_RE.fullmatch(text):
        raise BadCellError(f"Surel tidak valid{cells.shown(text)}, misalnya nama@instansi.go.id.")
    return text


def leave_kind_cell(cells: Cells) -> str:
    text = cells.text("jenis")
    if not text:
        raise BadCellError(f"Jenis cuti wajib diisi: {', '.join(LEAVE_KINDS)}.")
    normalised = HEADER_SPACES_RE.sub("_", text.lower())
    if normalised not in LEAVE_KINDS:
        raise BadCellError(
            f"Jenis cuti tidak dikenal{cells.shown(text)}; gunakan salah satu dari: {', '.join(LEAVE_KINDS)}."
        )
    return normalised


# What HR staff sometimes write instead of the two values, with the value they mean.
_ASN_TYPE_ALIASES = {"P3K": "PPPK", "CPNS": "PNS"}


def asn_type_cell(cells: Cells) -> str | None:
    """``PNS`` or ``PPPK`` (any case), or None for an empty cell."""
    text = cells.text("jenis_asn")
    if not text:
        return None
    normalised = text.upper()
    if normalised in ASN_TYPES:
        return normalised
    meant = _ASN_TYPE_ALIASES.get(normalised)
    if meant is not None:
        raise BadCellError(f"Jenis ASN ditulis {meant}{cells.shown(text)}: hanya PNS atau PPPK yang dikenal.")
    raise BadCellError(f"Jenis ASN harus PNS atau PPPK{cells.shown(text)}; kosongkan untuk PNS.")
