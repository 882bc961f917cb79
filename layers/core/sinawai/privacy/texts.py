"""What /datasaya says (Indonesian, HTML parse mode), and how a moment reads in it (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sinawai.common.format_id import jam, tanggal

RATE_LIMITED = (
    "Anda sudah meminta salinan data pada <b>{last}</b>. Demi keamanan, salinan data dapat diminta sekali "
    "dalam {hours} jam. Silakan ketik /datasaya lagi mulai <b>{next}</b>."
)
TOO_BIG = (
    "Maaf, data Anda terlalu besar untuk dikirim melalui Telegram (lebih dari 50 MB). Silakan hubungi "
    "Biro OSDM (lihat /kontak): petugas dapat menyiapkan salinannya untuk Anda."
)
GONE = "Data Anda tidak lagi tersimpan di Sinawai, sehingga tidak ada yang dapat dikirim."
SUMMARY_CAPTION = "Ringkasan data Anda (teks biasa)."


def moment(value: datetime, timezone: str) -> str:
    """A naive UTC moment as an employee reads it: '13 Mei 2026 pukul 14.05 WIB'."""
    local = value.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone))
    return f"{tanggal(local.date())} pukul {jam(value, timezone)}"


def rate_limited(last: datetime, next_at: datetime, hours: float, timezone: str) -> str:
    shown = f"{hours:g}"
    return RATE_LIMITED.format(last=moment(last, timezone), next=moment(next_at, timezone), hours=shown)
