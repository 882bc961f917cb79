"""What the staff read of the staff tools (issue 15): the employee's data sent to a staff member's private
chat (the "👤 Data pegawai" button and /pegawai N), and /blokir, /bukablokir. Indonesian, formal."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sinawai.common.format_id import format_nip
from sinawai.common.working_hours import when_text
from sinawai.consultation.tickets import STATUS_LABELS, Status

EMPLOYEE_DATA_LABEL = "👤 Data pegawai"
OPEN_BOT_LABEL = "💬 Buka percakapan dengan bot"

EMPLOYEE_USAGE = (
    "Format: <code>/pegawai N</code>, dengan N nomor tiket, misalnya <code>/pegawai 12</code>. "
    "Data pegawai dikirim ke percakapan pribadi Anda dengan bot."
)
# Short: a button's alert holds up to 200 characters.
NOT_STAFF = "Data pegawai hanya untuk petugas Biro OSDM yang terdaftar di Sinawai sebagai staf atau admin."
GUEST_TICKET = "Tiket #{id} dari tamu yang belum terdaftar: tidak ada data pegawai untuk tiket ini."
EMPLOYEE_GONE = "Data pegawai tiket #{id} tidak ditemukan di Sinawai. Silakan periksa di sistem kepegawaian."
SENT_PRIVATELY = "Data pegawai tiket #{id} sudah dikirim ke percakapan pribadi Anda dengan bot."
CANNOT_SEND = (
    "{staff}, data pegawai tiket #{id} belum dapat dikirim karena Anda belum memulai percakapan pribadi "
    "dengan bot. Tekan tombol di bawah, tekan Mulai, lalu tekan kembali 👤 Data pegawai."
)
CANNOT_SEND_ALERT = "Anda belum memulai percakapan pribadi dengan bot: lihat petunjuk di grup."


def employee_card(
    ticket_id: int,
    row: Mapping[str, Any],
    jenis_asn: str,
    open_tickets: Sequence[tuple[int, Status, datetime]],
    zone: ZoneInfo,
) -> str:
    """The employee of ticket #N, for the staff member's private chat only: full NIP and position, and the
    employee's open tickets."""
    pangkat = " / ".join(str(v) for v in (row.get("pangkat"), row.get("golongan")) if v) or "-"
    lines = [
        f"👤 <b>Data pegawai tiket #{ticket_id}</b>",
        f"Nama: {html.escape(str(row.get('nama') or '-'))}",
        f"NIP: <code>{html.escape(format_nip(str(row.get('nip') or '')))}</code>",
        f"Jabatan: {html.escape(str(row.get('jabatan') or '-'))}",
        f"Pangkat/golongan: {html.escape(pangkat)}",
        f"Unit kerja: {html.escape(str(row.get('unit_kerja') or '-'))}",
        f"Jenis ASN: {html.escape(jenis_asn)}",
        "",
        "<b>Tiket terbuka pegawai ini</b>:",
    ]
    if not open_tickets:
        lines.append("Tidak ada.")
    for other_id, status, created_at in open_tickets:
        since = when_text(created_at.replace(tzinfo=UTC), zone)
        lines.append(f"#{other_id} · {STATUS_LABELS[status]} · masuk {since}")
    lines.append(
        "\n<i>Data ini untuk keperluan tugas pelayanan kepegawaian. "
        "Jangan diteruskan ke grup atau pihak lain.</i>"
    )
    return "\n".join(lines)


def cannot_send(ticket_id: int, staff: str) -> str:
    return CANNOT_SEND.format(id=ticket_id, staff=html.escape(staff))


# ---- /blokir N [jam], /bukablokir N (admin) --------------------------------------------------------------

BLOCK_USAGE = (
    "Format: <code>/blokir N</code> atau <code>/blokir N JAM</code>, dengan N nomor tiket dan JAM lama "
    "pemblokiran 1 sampai 720 (tanpa JAM: 24 jam), misalnya <code>/blokir 12 48</code>."
)
UNBLOCK_USAGE = (
    "Format: <code>/bukablokir N</code>, dengan N nomor tiket, misalnya <code>/bukablokir 12</code>."
)
ADMIN_ONLY = (
    "Pemblokiran pengirim hanya dapat dilakukan oleh admin Sinawai. Bila pengirim ini perlu dihentikan "
    "sementara, silakan hubungi admin Sinawai."
)
BLOCKED = (
    "⛔ Pengirim tiket #{id} ({who}) tidak dapat membuka atau menambah tiket sampai {until}. "
    "Pengirim diberi tahu satu kali saat menulis lagi. "
    "Untuk membuka lebih awal: <code>/bukablokir {id}</code>."
)
UNBLOCKED = "✅ Pengirim tiket #{id} ({who}) dapat kembali mengirim pertanyaan."
NOT_BLOCKED = "Pengirim tiket #{id} ({who}) sedang tidak diblokir. Tidak ada yang diubah."
OWN_TICKET_BLOCK = "Anda tidak dapat memblokir diri sendiri. Tidak ada yang diubah."


def blocked(ticket_id: int, who: str, until: datetime, zone: ZoneInfo) -> str:
    return BLOCKED.format(
        id=ticket_id, who=html.escape(who), until=when_text(until.replace(tzinfo=UTC), zone)
    )
