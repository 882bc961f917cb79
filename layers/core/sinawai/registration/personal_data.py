"""The employee's own data as /datapribadi, /tunkin and /cuti show it, with the leave rules (pure)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from sinawai.common.asn import DEFAULT_ASN_TYPE, PPPK_LEAVE_SOURCE, AsnType, leave_applies
from sinawai.common.format_id import format_nip, periode, rupiah, tanggal

# Leave kinds in the order employees think of them, with their name and the rule in one line
# (PP 11/2017 as amended by PP 17/2020; Peraturan BKN 24/2017). To be confirmed by OSDM.
LEAVE_KINDS: tuple[tuple[str, str, str], ...] = (
    (
        "tahunan",
        "Cuti tahunan",
        "12 hari kerja per tahun setelah 1 tahun bekerja; sisa maksimal 6 hari dapat dibawa ke tahun "
        "berikutnya.",
    ),
    ("besar", "Cuti besar", "Paling lama 3 bulan, setelah bekerja paling singkat 5 tahun terus-menerus."),
    ("sakit", "Cuti sakit", "Dengan surat keterangan dokter; sakit lama dapat sampai 1 tahun (+6 bulan)."),
    ("melahirkan", "Cuti melahirkan", "Paling lama 3 bulan, untuk kelahiran anak pertama sampai ketiga."),
    (
        "alasan_penting",
        "Cuti karena alasan penting",
        "Paling lama 1 bulan, misalnya keluarga inti sakit keras atau meninggal dunia.",
    ),
    (
        "luar_tanggungan",
        "Cuti di luar tanggungan negara",
        "Paling lama 3 tahun, setelah bekerja paling singkat 5 tahun; tanpa penghasilan.",
    ),
)


# The PPPK's own rule for the kinds they share with PNS (PP 49/2018 Pasal 78-87; Peraturan BKN 7/2022).
# To be confirmed by OSDM.
PPPK_RULES: dict[str, str] = {
    "tahunan": "12 hari kerja per tahun setelah bekerja paling singkat 1 tahun secara terus-menerus; "
    "sebelum itu paling lama 6 hari kerja bila keluarga inti sakit keras atau meninggal dunia, atau untuk "
    "perkawinan pertama.",
    "sakit": "Dengan surat keterangan dokter (lebih dari 14 hari: dokter pemerintah); paling lama 1 bulan, "
    "atau sampai perjanjian kerja berakhir bila karena kecelakaan kerja.",
    "melahirkan": "Paling lama 3 bulan, untuk kelahiran anak pertama sampai ketiga selama menjadi PPPK.",
}
# Cuti bersama applies to both types and has no balance: a line of its own after the kinds with data.
JOINT_LEAVE_NAME = "Cuti bersama"
JOINT_LEAVE_RULE = (
    "Ditetapkan setiap tahun dengan Keputusan Presiden dan tidak mengurangi hak cuti tahunan; bila Anda "
    "harus tetap bekerja pada hari cuti bersama, hak cuti tahunan Anda ditambah sebanyak hari itu."
)
# Granted per event, not from a yearly balance: the days taken this year, never a "sisa".
PER_EVENT_KINDS = frozenset({"alasan_penting"})


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
        ("Surel", row.get("email")),
        ("Status", "Aktif" if row.get("status") == "aktif" else "Nonaktif"),
        # /cuti and the answers follow the type: the employee sees it, and can report it when it is wrong
        ("Jenis ASN", row.get("jenis_asn")),
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


def cuti_text(rows: Sequence[Mapping[str, Any]], year: int, jenis_asn: AsnType = DEFAULT_ASN_TYPE) -> str:
    """``rows`` of one year (jenis, hak, terpakai): every kind of leave the employee's type has, with its
    balance where the HR data has one (days taken for a kind granted per event), and its rule."""
    title = f"🗓️ <b>Cuti tahun {year}</b>"
    by_kind = {str(r["jenis"]): r for r in rows}
    lines = [title]
    if jenis_asn == "PPPK":
        lines.append(
            "Sebagai PPPK, Anda berhak atas cuti tahunan, cuti sakit, cuti melahirkan, dan cuti bersama "
            f"({PPPK_LEAVE_SOURCE})."
        )
    if not any(leave_applies(kind, jenis_asn) for kind in by_kind):
        lines.append(f"Belum ada data cuti tahun {year} untuk Anda.")
    for kind, name, rule in LEAVE_KINDS:
        if not leave_applies(kind, jenis_asn):
            continue
        lines += ["", f"<b>{name}</b>"]
        row = by_kind.get(kind)
        if row is not None:
            hak, used = int(row["hak"]), int(row["terpakai"])
            if kind in PER_EVENT_KINDS:
                lines.append(
                    f"Diambil tahun ini: <b>{used} hari</b> · diberikan per peristiwa, bukan saldo tahunan"
                )
            else:
                lines.append(f"Hak {hak} hari · terpakai {used} hari · <b>sisa {max(hak - used, 0)} hari</b>")
        lines.append(f"<i>{PPPK_RULES.get(kind, rule) if jenis_asn == 'PPPK' else rule}</i>")
    lines += ["", f"<b>{JOINT_LEAVE_NAME}</b>", f"<i>{JOINT_LEAVE_RULE}</i>"]
    lines += [
        "",
        "Aturan di atas bersifat ringkasan; ketentuan lengkap dapat ditanyakan kepada Biro OSDM "
        "(lihat /kontak).",
    ]
    return "\n".join(lines)
