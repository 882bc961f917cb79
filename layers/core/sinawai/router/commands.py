"""The command registry: one place that says which command exists, who handles it and what it does.

The router routes by it, /bantuan lists it and ``setMyCommands`` is filled from it, so the three never
disagree. Add a command here when its group can answer it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GENERAL = "general"
REGISTRATION = "registration"
INFORMATION = "information"
DOCUMENTS = "documents"
CONSULTATION = "consultation"
REPORT = "report"

GROUPS = (GENERAL, REGISTRATION, INFORMATION, DOCUMENTS, CONSULTATION, REPORT)

# "groups": any group, answered to its admins only (never in a command menu: it is for the ops set-up)
Audience = Literal["private", "staff", "managers", "groups"]


@dataclass(frozen=True)
class Command:
    name: str
    group: str
    description: str  # Indonesian, one line: shown by /bantuan and in Telegram's command menu
    audience: Audience = "private"


COMMANDS: tuple[Command, ...] = (
    Command("start", GENERAL, "Mulai dan tampilkan menu utama"),
    Command("menu", GENERAL, "Tampilkan menu utama layanan"),
    Command("bantuan", GENERAL, "Daftar perintah yang dapat digunakan"),
    Command("tentang", GENERAL, "Tentang layanan Sinawai"),
    Command("batal", GENERAL, "Batalkan proses yang sedang berjalan"),
    Command("kontak", GENERAL, "Kontak Biro OSDM: telepon, WhatsApp, Surel, ruang dan jam layanan"),
    Command("daftar", REGISTRATION, "Daftar dengan NIP dan kata sandi awal dari Biro OSDM"),
    Command("datapribadi", REGISTRATION, "Lihat data pribadi Anda"),
    Command("tunkin", REGISTRATION, "Lihat tunjangan kinerja (tunkin) Anda"),
    Command("cuti", REGISTRATION, "Lihat saldo cuti Anda tahun ini"),
    Command("gantisandi", REGISTRATION, "Ganti kata sandi Sinawai Anda"),
    Command("keluar", REGISTRATION, "Lepaskan akun Telegram ini dari NIP Anda"),
    Command("datasaya", REGISTRATION, "Minta salinan seluruh data Anda yang disimpan Sinawai"),
    Command("lupasandi", REGISTRATION, "Lupa kata sandi: minta kode sekali pakai dari Biro OSDM"),
    Command("renbangkompeg", INFORMATION, "Perencanaan dan pengembangan kompetensi pegawai"),
    Command("mutasi", INFORMATION, "Mutasi: kenaikan pangkat, pindah, jabatan, pensiun"),
    Command("jahdis", INFORMATION, "Kesejahteraan dan disiplin: cuti, disiplin, tunkin"),
    Command("pengkinpeg", INFORMATION, "Pengelolaan kinerja pegawai: SKP dan predikat kinerja"),
    Command("terkini", INFORMATION, "Pengumuman kepegawaian terbaru"),
    Command("cari", INFORMATION, "Cari topik informasi kepegawaian: /cari KATA"),
    Command("dokumen", DOCUMENTS, "Unduh formulir, templat dan peraturan"),
    Command("selesai", CONSULTATION, "Tutup pertanyaan (tiket) Anda yang sudah terjawab"),
    Command("lewati", CONSULTATION, "Lewati komentar setelah memberi penilaian"),
    Command("tiketsaya", CONSULTATION, "Lihat tiket pertanyaan Anda, statusnya dan jawabannya"),
    Command(
        "tiket", CONSULTATION, "Daftar tiket terbuka: /tiket, /tiket saya, /tiket BIDANG", audience="staff"
    ),
    Command("ambil", CONSULTATION, "Ambil tiket: /ambil N", audience="staff"),
    Command("tutup", CONSULTATION, "Tutup tiket: /tutup N", audience="staff"),
    Command("alihkan", CONSULTATION, "Alihkan tiket kepada rekan staf: /alihkan N @nama", audience="staff"),
    Command("area", CONSULTATION, "Ubah bidang tiket: /area N jahdis", audience="staff"),
    Command("jawab", CONSULTATION, "Kirim jawaban siap pakai dari topik: /jawab N TOPIK", audience="staff"),
    Command(
        "catatan", CONSULTATION, "Catatan internal: balas pesan tiket dengan /catatan TEKS", audience="staff"
    ),
    Command(
        "templat",
        CONSULTATION,
        "Templat jawaban: /templat, /templat simpan NAMA, /templat NAMA",
        audience="staff",
    ),
    Command("riwayat", CONSULTATION, "Seluruh isi tiket, termasuk catatan: /riwayat N", audience="staff"),
    Command(
        "cari_tiket",
        CONSULTATION,
        "Cari tiket 90 hari terakhir: /cari_tiket nomor, NIP, atau kata",
        audience="staff",
    ),
    Command("pegawai", CONSULTATION, "Data pegawai tiket N, dikirim pribadi: /pegawai N", audience="staff"),
    Command(
        "blokir",
        CONSULTATION,
        "Hentikan sementara pengirim tiket N (admin): /blokir N [JAM]",
        audience="staff",
    ),
    Command(
        "bukablokir",
        CONSULTATION,
        "Buka pemblokiran pengirim tiket N (admin): /bukablokir N",
        audience="staff",
    ),
    Command(
        "resetsandi",
        REGISTRATION,
        "Kode sekali pakai bagi pegawai yang lupa sandi: /resetsandi NIP",
        audience="staff",
    ),
    Command(
        "umumkan",
        INFORMATION,
        "Umumkan: /umumkan TEKS, atau balas pesan dengan /umumkan; tanpa teks: daftar untuk diubah/ditarik",
        audience="staff",
    ),
    Command(
        "unggah",
        DOCUMENTS,
        "Tambah dokumen: kirim berkas dengan keterangan /unggah KATEGORI JUDUL",
        audience="staff",
    ),
    Command(
        "laporan",
        REPORT,
        "Laporan evaluasi layanan: kemarin, /laporan TTTT-BB-HH, atau rentang dua tanggal",
        audience="managers",
    ),
    Command("idchat", GENERAL, "ID grup ini, untuk pengaturan Sinawai (admin grup)", audience="groups"),
)


_BY_NAME = {c.name: c for c in COMMANDS}


def command_group(name: str) -> str | None:
    """The group that answers ``/name``, or None when the command does not exist."""
    command = _BY_NAME.get(name.lower())
    return command.group if command else None


def command_audience(name: str) -> Audience | None:
    command = _BY_NAME.get(name.lower())
    return command.audience if command else None


def commands_for(audience: Audience) -> list[Command]:
    return [c for c in COMMANDS if c.audience == audience]
