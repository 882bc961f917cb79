"""What the information group says, in Indonesian (Telegram HTML; pure)."""

from __future__ import annotations

NOT_PUBLISHED = (
    "Informasi layanan ini sedang disiapkan oleh Biro OSDM. 🙏\n"
    "Silakan coba lagi nanti, atau tuliskan pertanyaan Anda di percakapan ini untuk diteruskan ke petugas."
)
STALE_NOTICE = "Menu sudah diperbarui. Silakan pilih lagi."
SECTION_PROMPT = "Silakan pilih topik:"
TERKINI_TITLE = "<b>Info Terkini Kepegawaian</b>"
NO_ANNOUNCEMENTS = "Belum ada pengumuman terbaru. Silakan periksa kembali nanti."
STAFF_ONLY = (
    "Maaf, /umumkan hanya dapat digunakan oleh petugas OSDM di grup layanan kepegawaian. "
    "Untuk melihat pengumuman, ketik /terkini."
)
UMUMKAN_USAGE = (
    "Cara membuat pengumuman: <code>/umumkan TEKS PENGUMUMAN</code>, atau balas pesan yang ingin "
    "diumumkan dengan <code>/umumkan</code>."
)
POSTED = (
    "✅ Pengumuman #{id} disimpan dan kini tampil di /terkini.\n"
    "Tekan tombol di bawah ini bila pengumuman juga perlu dikirim ke setiap pegawai."
)
BROADCAST_LABEL = "📣 Siarkan ke {audience} pegawai terdaftar"
NOT_FOUND = "Pengumuman tidak ditemukan."
ALREADY_BROADCAST = "Pengumuman #{id} sudah disiarkan sebelumnya."
BROADCASTING = (
    "📣 Pengumuman #{id} sedang disiarkan ke {started} pegawai (oleh {who}). "
    "Ringkasan pengiriman akan dikirim ke grup ini setelah selesai."
)

# /cari: search the published topics
CARI_USAGE = (
    "Cara mencari topik: <code>/cari KATA</code>, misalnya <code>/cari cuti melahirkan</code> atau "
    "<code>/cari pensiun</code>."
)
CARI_TOO_LONG = (
    "Kata pencarian terlalu panjang (paling banyak {limit} karakter). Tulis beberapa kata kunci saja, "
    "misalnya <code>/cari cuti besar</code>."
)
CARI_FOUND = "Hasil pencarian <b>{query}</b>: {count} topik. Pilih topik untuk membukanya:"
CARI_NONE = (
    "Tidak ada topik yang cocok dengan <b>{query}</b>.\n"
    "Coba kata lain (misalnya <code>/cari cuti</code> atau <code>/cari pensiun</code>), atau tuliskan "
    "pertanyaan Anda di percakapan ini agar diteruskan ke petugas Biro OSDM."
)
