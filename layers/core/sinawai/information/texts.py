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

# /umumkan without text in the staff group: the recent announcements, to edit or withdraw (issue 15)
STAFF_LIST_TITLE = "📋 <b>Pengumuman yang tampil di /terkini</b>, terbaru di atas:"
STAFF_LIST_ENTRY = "<b>#{id}</b> · {day} · oleh {who}{broadcast}\n{preview}"
STAFF_LIST_BROADCAST = " · sudah disiarkan"
STAFF_LIST_EMPTY = "Belum ada pengumuman yang tampil di /terkini."
STAFF_LIST_FOOTER = (
    "Ubah: tekan ✏️ Ubah, atau ketik <code>/umumkan ubah N TEKS BARU</code>. "
    "Tarik dari /terkini: tekan 🗑 Tarik."
)
EDIT_LABEL = "✏️ Ubah #{id}"
WITHDRAW_LABEL = "🗑 Tarik #{id}"
EDIT_HOW = (
    "✏️ Untuk mengubah pengumuman #{id}, ketik <code>/umumkan ubah {id} TEKS BARU</code>. "
    "Teks yang tampil sekarang:\n\n{body}"
)
EDIT_USAGE = (
    "Format: <code>/umumkan ubah N TEKS BARU</code>, dengan N nomor pengumuman (lihat daftarnya dengan "
    "<code>/umumkan</code> tanpa teks), misalnya "
    "<code>/umumkan ubah 3 Apel pagi diundur ke pukul 08.00.</code> "
    'Untuk mengumumkan teks yang diawali kata "ubah", balas pesan berisi teks itu dengan '
    "<code>/umumkan</code>."
)
EDITED = "✅ Pengumuman #{id} diubah; /terkini kini menampilkan teks yang baru."
EDITED_AFTER_BROADCAST = (
    " Pesan yang sudah disiarkan ke pegawai tidak ikut berubah; bila perlu, buat pengumuman baru."
)
GONE = (
    "Pengumuman #{id} tidak ditemukan atau sudah ditarik dari /terkini. "
    "Lihat daftarnya dengan <code>/umumkan</code> tanpa teks."
)
GONE_ALERT = "Pengumuman #{id} tidak ditemukan atau sudah ditarik dari /terkini."
WITHDRAW_CONFIRM = (
    "🗑 Tarik pengumuman #{id} dari /terkini? Pegawai tidak akan melihatnya lagi di /terkini.{broadcast}"
)
WITHDRAW_CONFIRM_BROADCAST = " Pesan yang sudah disiarkan ke pegawai tidak dapat ditarik kembali."
CONFIRM_WITHDRAW_LABEL = "🗑 Ya, tarik"
CANCEL_WITHDRAW_LABEL = "✖️ Batal"
WITHDRAWN = "🗑 Pengumuman #{id} ditarik dari /terkini oleh {who}."
WITHDRAW_CANCELLED = "Penarikan pengumuman #{id} dibatalkan; pengumuman tetap tampil di /terkini."
WITHDRAWN_NO_BROADCAST = "Pengumuman #{id} sudah ditarik dari /terkini, sehingga tidak dapat disiarkan."

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
