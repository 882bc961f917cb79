"""An employee's export as files (pure): the complete JSON, and a readable Indonesian summary of it.

The JSON holds every row the store found (column names as in the database, times in UTC); the summary says
in words what there is, with times on the service's clock, for an employee reading it on a phone or an
officer answering a request. Neither ever contains the password hash (the store does not read it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sinawai.common.format_id import format_nip, periode, rupiah, tanggal
from sinawai.common.text_limits import MAX_CAPTION_UTF16, cut_utf16
from sinawai.privacy.subject import Account, SubjectData
from sinawai.privacy.texts import moment

FORMAT = "sinawai-data-pegawai/1"
MAX_TELEGRAM_UPLOAD_BYTES = 50 * 1024 * 1024  # the Bot API's limit for a file the bot uploads

NOT_INCLUDED = (
    "Kata sandi Anda: hanya hash-nya yang disimpan, dan hash itu pun tidak disertakan. Begitu pula kode "
    "sekali pakai: hanya tanggal dan statusnya yang disertakan.",
    "Catatan teknis tanpa data pribadi: langkah pemrosesan pesan, antrean dan jeda pengiriman ke grup "
    "petugas, hitungan harian, catatan laporan evaluasi dan catatan impor berkas kepegawaian.",
    "Isi dokumen dan pengumuman: itu konten umum Biro OSDM, bukan data Anda.",
    "Nama dan akun Telegram petugas yang menjawab tiket Anda (itu data mereka), dan pesan kerja di grup "
    "petugas selain jawaban kepada Anda (kepala tiket dan salinan pertanyaan Anda).",
)


def _plain(value: Any) -> Any:
    """JSON's view of a stored value: UTC times as ISO 8601 with Z, dates as ISO, decimals as numbers."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _account(account: Account) -> dict[str, Any]:
    return {
        "id_telegram": account.telegram_id,
        "terhubung_sekarang": account.bound_now,
        "periode": "seluruh riwayat akun"
        if account.periods is None
        else [{"mulai": _plain(start), "sampai": _plain(end)} for start, end in account.periods],
    }


def document(data: SubjectData, now: datetime) -> dict[str, Any]:
    """The export as one JSON-ready dictionary (sections in Indonesian, columns as stored)."""
    return {
        "format": FORMAT,
        "dibuat": _plain(now),
        "keterangan": (
            "Seluruh data tentang Anda yang disimpan layanan Sinawai Biro OSDM (UU No. 27 Tahun 2022 tentang "
            "Pelindungan Data Pribadi). Waktu dalam UTC (WIB = UTC+7); nama kolom seperti di basis data."
        ),
        "pegawai": _plain(data.employee),
        "akun_telegram": [_account(a) for a in data.accounts],
        "tunkin": _plain(data.tunkin),
        "cuti": _plain(data.cuti),
        "jejak_audit": _plain(data.audit),
        "tiket": [
            {**_plain(t.ticket), "riwayat": _plain(t.events), "pesan": _plain(t.messages)}
            for t in data.tickets
        ],
        "tawaran_faq": _plain(data.faq_offers),
        "dokumen_terkirim": _plain(data.documents),
        "informasi_dibuka": _plain(data.content_views),
        "pengumuman_diterima": _plain(data.announcements),
        "catatan_pesan": _plain(data.messages),
        "pembaruan_telegram": _plain(data.updates),
        "percakapan_tertunda": _plain(data.conversations),
        "pesan_menunggu_pilihan": _plain(data.held_messages),
        "permintaan_reset_sandi": _plain(data.reset_requests),
        "kode_sekali_pakai": _plain(data.password_resets),
        "tidak_disertakan": list(NOT_INCLUDED),
    }


def to_json(data: SubjectData, now: datetime) -> bytes:
    return json.dumps(document(data, now), ensure_ascii=False, indent=2).encode("utf-8")


# ---- the readable summary -------------------------------------------------------------------------------


def _when(value: datetime | None, timezone: str) -> str:
    return "-" if value is None else moment(value, timezone)


def _short(text: Any, limit: int = 120) -> str:
    if not isinstance(text, str) or not text.strip():
        return "(tanpa teks)"
    return cut_utf16(" ".join(text.split()), limit)


def _value(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, date) and not isinstance(value, datetime):
        return tanggal(value)
    return str(value)


EVENT_LABELS = {
    "register_success": "pendaftaran berhasil",
    "register_failure": "percobaan pendaftaran gagal",
    "register_locked": "pendaftaran ditolak (dikunci)",
    "lockout": "pendaftaran dikunci sementara",
    "unbind": "akun Telegram dilepaskan (/keluar)",
    "password_change": "kata sandi diganti",
    "password_change_failure": "penggantian kata sandi gagal",
    "view_datapribadi": "melihat data pribadi",
    "view_tunkin": "melihat tunkin",
    "view_cuti": "melihat cuti",
    "import_deactivate": "dinonaktifkan oleh impor data kepegawaian",
    "export_datasaya": "meminta salinan data (/datasaya)",
    "export_cli": "salinan data dibuat oleh petugas",
    "password_reset_request": "meminta atur ulang kata sandi (/lupasandi)",
    "password_reset_issued": "petugas menerbitkan kode sekali pakai",
    "password_reset_undelivered": "kode sekali pakai tidak terkirim kepada petugas (dibatalkan)",
    "password_reset_used": "mendaftar dengan kode sekali pakai",
    "lockout_cleared": "kunci pendaftaran dibuka karena kode sekali pakai",
    "staff_viewed_employee": "petugas melihat data kepegawaian Anda untuk menangani tiket",
    "sender_blocked": "pengiriman pertanyaan dihentikan sementara oleh admin",
    "sender_unblocked": "penghentian sementara pengiriman pertanyaan dibuka oleh admin",
}
RESET_STATUS = {"dipakai": "sudah dipakai", "kedaluwarsa": "kedaluwarsa", "berlaku": "masih berlaku"}
TICKET_SENDERS = {"anda": "Anda", "petugas": "Petugas"}


def counts(data: SubjectData) -> list[str]:
    """One line per kind of data, with how much of it there is."""
    incoming = sum(1 for m in data.messages if m.get("direction") == "in")
    failures = sum(1 for a in data.audit if a.get("event") == "register_failure")
    lines = [
        f"Tiket konsultasi: {len(data.tickets)}",
        f"Pesan dalam catatan percakapan: {len(data.messages)} ({incoming} dari Anda, "
        f"{len(data.messages) - incoming} dari Sinawai)",
        f"Tawaran jawaban otomatis: {len(data.faq_offers)}",
        f"Dokumen yang dikirim kepada Anda: {len(data.documents)}",
        f"Topik informasi yang Anda buka: {len(data.content_views)}",
        f"Pengumuman yang dikirim kepada Anda: {len(data.announcements)}",
        f"Tunjangan kinerja (tunkin): {len(data.tunkin)} bulan",
        f"Saldo cuti: {len(data.cuti)} catatan",
        f"Jejak audit: {len(data.audit)} catatan"
        + (f", termasuk {failures} percobaan pendaftaran gagal" if failures else ""),
        f"Pembaruan Telegram tersimpan: {len(data.updates)}",
    ]
    if data.held_messages:
        lines.append(f"Pesan yang menunggu pilihan tiket: {len(data.held_messages)}")
    if data.reset_requests or data.password_resets:
        lines.append(
            f"Permintaan atur ulang kata sandi: {len(data.reset_requests)}; kode sekali pakai: "
            f"{len(data.password_resets)}"
        )
    return lines


def summary(data: SubjectData, now: datetime, timezone: str) -> str:
    """The export in words (Indonesian, plain text with Markdown headings)."""
    e = data.employee
    nip = str(e.get("nip") or "")
    out = [
        "# Data Anda di Sinawai",
        f"Dibuat {_when(now, timezone)}.",
        "Sesuai UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi, berikut seluruh data tentang Anda "
        "yang disimpan layanan Sinawai Biro OSDM. Rincian lengkapnya ada di berkas JSON.",
        "",
        "## Profil",
        f"Nama: {_value(e.get('nama'))}",
        f"NIP: {format_nip(nip)}",
        f"Status: {_value(e.get('status'))} · Peran: {_value(e.get('hak_pengguna'))}",
        f"Jenis ASN: {_value(e.get('jenis_asn'))}",
        f"Jabatan: {_value(e.get('jabatan'))}",
        f"Unit kerja: {_value(e.get('unit_kerja'))}",
        f"Pangkat/golongan: {' '.join(str(v) for v in (e.get('pangkat'), e.get('golongan')) if v) or '-'}",
        f"Kelas jabatan: {_value(e.get('kelas_jabatan'))}",
        f"Jenis kelamin: {_value(e.get('jenis_kelamin'))} · Tanggal lahir: {_value(e.get('tanggal_lahir'))}",
        f"Surel: {_value(e.get('email'))}",
        f"Terdaftar di Sinawai: {_when(e.get('registered_at'), timezone)}",
        "Kata sandi: "
        + (
            "tersimpan sebagai hash yang tidak dapat dibaca" if e.get("kata_sandi_tersimpan") else "belum ada"
        ),
        "",
        "## Akun Telegram",
    ]
    if not data.accounts:
        out.append("- Tidak ada akun Telegram yang pernah terhubung.")
    for a in data.accounts:
        note = " (terhubung sekarang)" if a.bound_now else ""
        if a.periods is not None:
            spans = ", ".join(f"{_when(s, timezone)} s.d. {_when(u, timezone)}" for s, u in a.periods)
            note += f"; hanya selama terhubung dengan NIP Anda: {spans}"
        out.append(f"- {a.telegram_id}{note}")
    out += ["", "## Ringkasan", *(f"- {line}" for line in counts(data))]
    if data.tunkin:
        out += ["", "## Tunjangan kinerja"]
        for month in data.tunkin:
            net = int(month["tunjangan"]) - int(month["potongan"])
            out.append(f"- {periode(str(month['periode']))}: diterima {rupiah(net)}")
    if data.cuti:
        out += ["", "## Cuti"]
        for c in data.cuti:
            out.append(f"- {c['tahun']} {c['jenis']}: hak {c['hak']} hari, terpakai {c['terpakai']} hari")
    if data.tickets:
        out += ["", "## Tiket konsultasi"]
        for t in data.tickets:
            row = t.ticket
            rating = f", penilaian {row['rating']}/5" if row.get("rating") else ""
            guest = ", ditanyakan sebagai tamu" if row.get("tamu") else ""
            out.append(
                f"- #{row['id']} ({row['status']}{guest}), dibuka {_when(row.get('created_at'), timezone)}, "
                f"{len(t.messages)} pesan{rating}"
            )
            for m in t.messages:
                sender = TICKET_SENDERS.get(str(m.get("dari")), str(m.get("dari")))
                out.append(f"  - {_when(m.get('waktu'), timezone)} {sender}: {_short(m.get('isi'))}")
    if data.held_messages:
        out += ["", "## Pesan yang menunggu pilihan tiket"]
        for held in data.held_messages:
            placed = "sudah ditempatkan" if held.get("status") == "dipilih" else "belum dipilih"
            out.append(
                f"- {_when(held.get('created_at'), timezone)}: {placed}"
                f" (berlaku sampai {_when(held.get('expires_at'), timezone)})"
            )
    if data.reset_requests or data.password_resets:
        out += ["", "## Atur ulang kata sandi"]
        for request in data.reset_requests:
            other = " (dari akun Telegram lain)" if request.get("dari_akun_lain") else ""
            out.append(
                f"- Permintaan {_when(request.get('waktu'), timezone)}{other}: {request.get('status')}"
            )
        for code in data.password_resets:
            status = RESET_STATUS.get(str(code.get("status")), str(code.get("status")))
            used = f", dipakai {_when(code.get('used_at'), timezone)}" if code.get("used_at") else ""
            out.append(
                f"- Kode sekali pakai diterbitkan {_when(code.get('issued_at'), timezone)}, berlaku sampai "
                f"{_when(code.get('expires_at'), timezone)}{used}: {status}"
            )
    if data.audit:
        out += ["", "## Jejak audit"]
        for entry in data.audit:
            label = EVENT_LABELS.get(str(entry.get("event")), str(entry.get("event")))
            other = " (dari akun Telegram lain)" if entry.get("akun_lain") else ""
            out.append(f"- {_when(entry.get('waktu'), timezone)}: {label}{other}")
    out += ["", "## Yang tidak disertakan", *(f"- {line}" for line in NOT_INCLUDED), ""]
    return "\n".join(out)


def caption(data: SubjectData) -> str:
    """The file's caption in the chat (plain text, within Telegram's 1,024)."""
    e = data.employee
    text = "\n".join(
        [
            "📦 Salinan data Anda di Sinawai",
            f"{e.get('nama')} · NIP {format_nip(str(e.get('nip') or ''))}",
            "",
            *(f"• {line}" for line in counts(data)),
            "",
            "Berkas JSON ini memuat seluruh data; berkas TXT berikutnya ringkasannya. Simpan keduanya dengan "
            "aman dan jangan diteruskan kepada orang lain.",
        ]
    )
    return cut_utf16(text, MAX_CAPTION_UTF16)
