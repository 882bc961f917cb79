"""What /dokumen and /unggah say, in Indonesian (Telegram HTML; pure)."""

from __future__ import annotations

NOT_REGISTERED = (
    "Dokumen kepegawaian hanya untuk pegawai yang sudah terdaftar. Tekan <b>Daftar sekarang</b> di bawah "
    "ini (atau ketik /daftar) dan ikuti langkahnya. Belum menerima atau lupa kata sandi? Ketik /lupasandi."
)
INACTIVE = "Maaf, akun kepegawaian Anda tidak aktif. Silakan hubungi Biro OSDM (lihat /kontak)."
CATEGORIES = "<b>Dokumen Kepegawaian</b>\nSilakan pilih kategori:"
NO_DOCUMENTS = "Belum ada dokumen yang tersedia untuk Anda. Silakan periksa kembali nanti."
NOT_AVAILABLE = "Dokumen tersebut tidak tersedia untuk Anda. Silakan pilih dari daftar terbaru."
SENDING = "Dokumen sedang dikirim…"
FILE_MISSING = (
    "Maaf, berkas dokumen <b>{title}</b> sedang tidak tersedia. Petugas Biro OSDM sudah kami beri tahu; "
    "silakan coba lagi nanti atau pilih dokumen lain."
)
FILE_MISSING_STAFF = (
    "⚠️ Dokumen #{id} <b>{title}</b> ({category}) tidak dapat dikirim kepada pegawai: berkasnya tidak ada "
    "lagi di penyimpanan Sinawai. Silakan unggah ulang berkasnya ke grup ini dengan keterangan "
    "<code>/unggah {category} {title}</code>. Bila masih gagal, hubungi admin Sinawai."
)
TOO_BIG_LINK = (
    "{caption}\nBerkas ini berukuran {megabytes:.0f} MB, melebihi batas Telegram. "
    "Silakan unduh melalui tautan berikut (berlaku {minutes} menit)."
)
DOWNLOAD_LABEL = "⬇️ Unduh dokumen"
STAFF_ONLY = "Maaf, /unggah hanya dapat digunakan oleh petugas OSDM di grup layanan kepegawaian."
UNGGAH_USAGE = (
    "Cara menambah dokumen: kirim berkasnya ke grup ini dengan keterangan "
    "<code>/unggah KATEGORI JUDUL</code>, misalnya <code>/unggah formulir Formulir permohonan cuti</code>. "
    "Untuk membatasi pembaca: <code>/unggah pedoman:staf,admin JUDUL</code>. Mengunggah judul yang sama "
    "mengganti berkasnya; tanpa peran, pembacanya tetap seperti sebelumnya. "
    "Berkas di atas 20 MB tidak dapat diterima bot: kirimkan berkasnya kepada admin Sinawai untuk diunggah."
)
TOO_BIG_FOR_BOT = (
    "Berkas lebih dari 20 MB tidak dapat diterima bot melalui Telegram, dan tidak ada yang disimpan. "
    "Silakan kirimkan berkas ini kepada admin Sinawai untuk diunggah, atau perkecil ukurannya lalu "
    "kirim ulang."
)
ADDED = (
    "✅ Dokumen #{id} <b>{title}</b> ditambahkan ke kategori <b>{category}</b> dan kini tersedia di /dokumen "
    "(untuk: {who})."
)
