"""The employee's own data as /datapribadi, /tunkin and /cuti show it, with the leave rules (pure)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from sinawai.common.format_id import format_nip, periode, rupiah, tanggal

# Leave kinds in the order employees think of them, with their name and the rule in one line
# (PP 11/2017 as amended by PP 17/2020; Peraturan BKN 24/2017). To be confirmed by OSDM.
LEAVE_KINDS: tuple[tuple[str, str, str], ...] = (
    (
        "tahunan",
        "Cuti Tahunan",
        "12 hari kerja per tahun setelah 1 tahun bekerja; sisa maksimal 6 hari dapat dibawa ke tahun "
        "berikutnya. Cuti bersama tidak mengurangi hak cuti tahunan; PNS yang tetap bekerja pada hari "
        "cuti bersama mendapat tambahan hak cuti tahunan.",
    ),
    ("besar", "Cuti Besar", "Paling lama 3 bulan, setelah bekerja paling singkat 5 tahun terus-menerus."),
    ("sakit", "Cuti Sakit", "Dengan surat keterangan dokter; sakit lama dapat sampai 1 tahun (+6 bulan)."),
    ("melahirkan", "Cuti Melahirkan", "Paling lama 3 bulan, untuk kelahiran anak pertama sampai ketiga."),
    (
        "alasan_penting",
        "Cuti Karena Alasan Penting",
        "Paling lama 1 bulan, misalnya keluarga inti sakit keras atau meninggal dunia.",
    ),
    (
        "luar_tanggungan",
        "Cuti di Luar Tanggungan Negara",
        "Paling lama 3 tahun, setelah bekerja paling singkat 5 tahun; tanpa penghasilan.",
    ),
)


def _e(value: Any) -> str:
    return html.escape(str(value))


def personal_data_text(row: Mapping[str, Any]) -> str:
    lines = ["👤 <b>Data Pribadi</b>", ""]
    fields: list[tuple[str, Any]] = [
        ("Nama", row.get("nama")),
        ("NIP", format_nip(str(row.get("nip", "")))),
    ]
    pangkat, golongan = row.get("pangkat"), row.get("golongan")
    if pangkat or golongan:
        both = f"{pangkat} ({golongan})" if pangkat and golongan else (pangkat or golongan)
        fields.append(("Pangkat/Golongan", both))
    fields += [
        ("Jabatan", row.get("jabatan")),
        ("Unit Kerja", row.get("unit_kerja")),
        ("Kelas Jabatan", row.get("kelas_jabatan")),
        ("Jenis Kelamin", {"L": "Laki-laki", "P": "Perempuan"}.get(str(row.get("jenis_kelamin")))),
        ("Tanggal Lahir", tanggal(row["tanggal_lahir"]) if row.get("tanggal_lahir") else None),
        ("Email", row.get("email")),
        ("Status", "Aktif" if row.get("status") == "aktif" else "Nonaktif"),
    ]
    for label, value in fields:
        if value not in (None, ""):
            lines.append(f"<b>{label}</b>: {_e(value)}")
    lines += ["", "Jika ada data yang tidak sesuai, silakan sampaikan kepada Biro OSDM."]
    return "\n".join(lines)


def tunkin_text(rows: Sequence[Mapping[str, Any]]) -> str:
    """``rows`` newest first (periode, kelas_jabatan, tunjangan, potongan, keterangan)."""
    if not rows:
        return (
            "💰 <b>Tunjangan Kinerja</b>\n\nBelum ada data tunjangan kinerja untuk Anda. "
            "Data diperbarui oleh Biro OSDM setiap bulan."
        )
    latest = rows[0]
    net = int(latest["tunjangan"]) - int(latest["potongan"])
    lines = [
        f"💰 <b>Tunjangan Kinerja — {periode(str(latest['periode']))}</b>",
        "",
        f"Kelas jabatan: {_e(latest['kelas_jabatan'])}",
        f"Tunjangan: {rupiah(int(latest['tunjangan']))}",
        f"Potongan: {rupiah(int(latest['potongan']))}",
        f"<b>Diterima: {rupiah(net)}</b>",
    ]
    if latest.get("keterangan"):
        lines.append(f"Keterangan: {_e(latest['keterangan'])}")
    if len(rows) > 1:
        lines += ["", "<b>Bulan sebelumnya</b> (diterima):"]
        for row in rows[1:]:
            received = int(row["tunjangan"]) - int(row["potongan"])
            lines.append(f"• {periode(str(row['periode']))}: {rupiah(received)}")
    return "\n".join(lines)


def cuti_text(rows: Sequence[Mapping[str, Any]], year: int) -> str:
    """``rows`` of one year: jenis, hak, terpakai."""
    if not rows:
        return (
            f"🗓️ <b>Saldo Cuti {year}</b>\n\nBelum ada data cuti tahun {year} untuk Anda. "
            "Silakan hubungi Biro OSDM (lihat /kontak) bila Anda memerlukan informasi cuti."
        )
    by_kind = {str(r["jenis"]): r for r in rows}
    lines = [f"🗓️ <b>Saldo Cuti {year}</b>"]
    for kind, name, rule in LEAVE_KINDS:
        row = by_kind.get(kind)
        if row is None:
            continue
        hak, used = int(row["hak"]), int(row["terpakai"])
        lines += [
            "",
            f"<b>{name}</b>",
            f"Hak {hak} hari · terpakai {used} hari · <b>sisa {max(hak - used, 0)} hari</b>",
            f"<i>{rule}</i>",
        ]
    lines += ["", "Aturan di atas bersifat ringkasan; ketentuan lengkap dapat ditanyakan kepada Biro OSDM."]
    return "\n".join(lines)
