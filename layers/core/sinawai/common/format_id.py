"""Indonesian formatting, as employees read it on a phone: dates, rupiah, NIPs, the time of day (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
ZONE_SUFFIX = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def rupiah(amount: int) -> str:
    """1234567 → 'Rp1.234.567' (EYD: no space after Rp)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def sapaan(jenis_kelamin: object) -> str:
    """How the service addresses an employee: 'Bapak' (L), 'Ibu' (P), 'Bapak/Ibu' when unknown."""
    return {"L": "Bapak", "P": "Ibu"}.get(str(jenis_kelamin or "").strip().upper(), "Bapak/Ibu")


def tanggal(value: date) -> str:
    """date(1990, 1, 17) → '17 Januari 1990'."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def periode(value: str) -> str:
    """'2026-10' → 'Oktober 2026'."""
    year, month = value.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def format_nip(nip: str) -> str:
    """The way NIPs are printed on decrees: '19900117 201503 1 001'."""
    if len(nip) != 18:
        return nip
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def mask_nip(nip: str) -> str:
    """For staff messages and logs: '1990**********1001'."""
    if len(nip) < 8:
        return "*" * len(nip)
    return nip[:4] + "*" * (len(nip) - 8) + nip[-4:]


def jam(moment: datetime, timezone: str) -> str:
    """A naive UTC moment on the clock of ``timezone``: '14.05 WIB' (no suffix outside Indonesia's zones)."""
    local = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone))
    suffix = ZONE_SUFFIX.get(timezone)
    return local.strftime("%H.%M") + (f" {suffix}" if suffix else "")


DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def tanggal_jam(moment: datetime, timezone: str) -> str:
    """A naive UTC moment as a date and time in words: 'Selasa, 3 Maret 2026 pukul 10.15 WIB'."""
    local = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone))
    return f"{DAYS[local.weekday()]}, {tanggal(local.date())} pukul {jam(moment, timezone)}"
