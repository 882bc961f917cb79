"""Texts of the registration group, in Indonesian (HTML parse mode; user data escaped by the caller)."""

from __future__ import annotations

ASK_NIP = (
    "📝 <b>Pendaftaran Sinawai</b>\n"
    "Silakan kirim <b>NIP</b> Anda (18 digit angka).\n\n"
    "Ketik /batal untuk membatalkan."
)
ASK_PASSWORD = (
    "Terima kasih. Sekarang kirim <b>kata sandi awal</b> yang Anda terima dari Biro OSDM.\n"
    "🔒 Pesan berisi kata sandi akan langsung dihapus dari percakapan ini."
)
NIP_RETRY_SUFFIX = "\n\nSilakan kirim ulang NIP Anda, atau ketik /batal."
DAFTAR_RETRY_SUFFIX = "\n\nKetik /daftar untuk mencoba lagi."  # after a malformed NIP in one message
TEXT_EXPECTED = "Silakan kirim dalam bentuk teks, atau ketik /batal untuk membatalkan."
SESSION_EXPIRED = "Sesi sebelumnya telah berakhir. Ketik /daftar untuk memulai pendaftaran lagi."

WRONG_CREDENTIALS = (
    "❌ NIP atau kata sandi tidak sesuai.\n"
    "Periksa kembali lalu coba lagi dengan /daftar. Demi keamanan, pendaftaran dikunci sementara setelah "
    "beberapa kali gagal."
)
LOCKED = (
    "⛔ Terlalu banyak percobaan yang gagal. Demi keamanan, pendaftaran untuk NIP atau akun ini dikunci "
    "sampai pukul <b>{until}</b>. Jika Anda lupa kata sandi, silakan hubungi Biro OSDM."
)
INACTIVE = (
    "Status kepegawaian Anda tercatat <b>tidak aktif</b>, sehingga Anda belum dapat menggunakan layanan "
    "pribadi Sinawai. Silakan hubungi Biro OSDM bila data ini tidak sesuai."
)
NIP_TAKEN = (
    "NIP ini sudah terhubung dengan akun Telegram lain. Jika itu bukan Anda, segera hubungi Biro OSDM "
    "agar akun tersebut diperiksa."
)
ACCOUNT_TAKEN = (
    "Akun Telegram ini sudah terhubung dengan NIP lain. Ketik /keluar terlebih dahulu bila ingin "
    "menghubungkannya dengan NIP yang berbeda."
)
ALREADY_REGISTERED = (
    "Anda sudah terdaftar sebagai <b>{nama}</b>. Gunakan /datapribadi, /tunkin atau /cuti, atau ketik /menu."
)
REGISTERED = (
    "✅ <b>Pendaftaran berhasil.</b>\n"
    "Selamat datang, <b>{nama}</b>! Akun Telegram Anda kini terhubung dengan NIP <code>{nip}</code>.\n\n"
    "Anda dapat melihat /datapribadi, /tunkin dan /cuti. Demi keamanan, segera ganti kata sandi awal "
    "dengan /gantisandi."
)
PASSWORD_DELETED_NOTE = "🔒 Pesan berisi kata sandi telah dihapus."

PRIVATE_ONLY = (
    "Pendaftaran dan data pribadi hanya dilayani melalui <b>chat pribadi</b> dengan bot, agar data Anda "
    "terjaga. Silakan tekan tombol di bawah ini."
)
PRIVATE_ONLY_DELETED = (
    "⚠️ Pesan Anda berisi kata sandi dan telah dihapus dari grup ini. Segera ganti kata sandi Anda melalui "
    "chat pribadi dengan bot (/gantisandi), atau hubungi Biro OSDM."
)
PRIVATE_ONLY_NOT_DELETED = (
    "⚠️ Pesan Anda berisi kata sandi, dan bot tidak berwenang menghapusnya dari grup ini. Hapus pesan itu "
    "sekarang, lalu ganti kata sandi Anda melalui chat pribadi dengan bot, atau hubungi Biro OSDM."
)
FORWARDED = (
    "Pesan terusan tidak dapat digunakan untuk pendaftaran atau penggantian kata sandi. Ketik sendiri "
    "perintahnya, misalnya <code>/daftar NIP KATASANDI</code>, atau ketik /daftar untuk dipandu."
)
EDITED = (
    "Pesan yang diedit tidak diproses. Demi keamanan, pesan yang berisi kata sandi telah dihapus. "
    "Kirim perintahnya sebagai pesan baru, atau ketik /daftar untuk dipandu."
)

NOT_REGISTERED = (
    "Anda belum terdaftar di Sinawai. Ketik /daftar untuk mendaftar dengan NIP dan kata sandi awal dari "
    "Biro OSDM."
)

CONFIRM_UNBIND = (
    "Anda akan melepaskan akun Telegram ini dari NIP <code>{nip}</code>. Setelah itu data pribadi tidak "
    "dapat dilihat dari akun ini sampai Anda mendaftar lagi. Lanjutkan?"
)
UNBIND_YES = "Ya, lepaskan"
UNBIND_NO = "Batal"
UNBOUND = "Akun Telegram ini telah dilepaskan dari NIP Anda. Ketik /daftar bila ingin mendaftar lagi."
UNBIND_CANCELLED = "Baik, akun Anda tetap terhubung."

CHANGE_PASSWORD_FORMAT = "Format: <code>/gantisandi LAMA BARU</code>, atau ketik /gantisandi untuk dipandu."
ASK_OLD_PASSWORD = (
    "🔑 <b>Ganti kata sandi</b>\nKirim <b>kata sandi lama</b> Anda. Pesan akan langsung dihapus.\n\n"
    "Ketik /batal untuk membatalkan."
)
ASK_NEW_PASSWORD = (
    "Kirim <b>kata sandi baru</b>: minimal 8 karakter, tanpa spasi, memuat sedikitnya tiga dari huruf "
    "kecil, huruf besar, angka dan simbol."
)
OLD_PASSWORD_WRONG = "❌ Kata sandi lama tidak sesuai. Ketik /gantisandi untuk mencoba lagi."
NEW_PASSWORD_WEAK = "{problem}\nSilakan kirim kata sandi baru yang lain, atau ketik /batal."
NEW_PASSWORD_SAME = (
    "Kata sandi baru harus berbeda dari kata sandi lama. Silakan kirim yang lain, atau /batal."
)
PASSWORD_CHANGED = "✅ Kata sandi Anda telah diganti."

STAFF_LOCKOUT_ALERT = (
    "⚠️ <b>Pendaftaran dikunci sementara</b>\n"
    "NIP: <code>{nip}</code>\nAkun Telegram: <code>{user_id}</code>\n"
    "{failures} kali gagal dalam {window} menit; dikunci sampai {until}."
)

# A message the router held back as a possible password because a /daftar or /gantisandi step ended
# a short while before (expired, cancelled or finished).
LATE_SECRET = {
    "daftar": "pendaftaran",
    "gantisandi": "penggantian kata sandi",
}
LATE_SECRET_TEXT = (
    "🔒 Langkah {step} sudah berakhir, jadi pesan Anda tadi tidak kami proses. Pesan itu sudah kami hapus "
    "karena mungkin berisi kata sandi, dan tidak diteruskan kepada petugas.\n\n"
    "• Untuk mendaftar, ketik /daftar.\n"
    "• Untuk mengganti kata sandi, ketik /gantisandi.\n"
    "• Jika pesan tadi sebuah pertanyaan, silakan kirim ulang."
)
STEP_TEXT_EXPECTED = (
    "🔒 Pesan Anda sudah kami hapus karena mungkin berisi kata sandi. Kirim jawabannya sebagai teks biasa, "
    "atau ketik /batal untuk membatalkan."
)
