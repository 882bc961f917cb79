"""Texts of the registration group, in Indonesian (HTML parse mode; user data escaped by the caller)."""

from __future__ import annotations

from sinawai.common.contact import SEE_CONTACT

ASK_NIP = (
    "📝 <b>Pendaftaran Sinawai</b>\n"
    "Silakan kirim <b>NIP</b> Anda (18 digit angka; boleh ditulis seperti di SK, misalnya "
    "<code>19870212 201101 1 002</code>).\n\n"
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
    "beberapa kali gagal. Lupa kata sandi? Ketik /lupasandi."
)
LOCKED = (
    "⛔ Terlalu banyak percobaan yang gagal. Demi keamanan, pendaftaran untuk NIP atau akun ini dikunci "
    "sampai <b>{until}</b>. Setelah itu Anda dapat mencoba lagi dengan /daftar.\n\n"
    "Jika Anda lupa kata sandi, ketik /lupasandi. Begitu petugas Biro OSDM menerbitkan kode sekali pakai "
    "untuk Anda, kunci ini dibuka dan Anda dapat langsung mendaftar dengan <code>/daftar NIP KODE</code> "
    f"tanpa menunggu. Anda juga dapat menghubungi Biro OSDM {SEE_CONTACT}."
)
INACTIVE = (
    "Status kepegawaian Anda tercatat <b>tidak aktif</b>, sehingga Anda belum dapat menggunakan layanan "
    f"pribadi Sinawai. Silakan hubungi Biro OSDM {SEE_CONTACT} bila data ini tidak sesuai."
)
NIP_TAKEN = (
    "NIP ini sudah terhubung dengan akun Telegram lain. Jika itu bukan Anda, segera hubungi Biro OSDM "
    f"{SEE_CONTACT} agar akun tersebut diperiksa. Bila Anda berganti akun Telegram, ketik /lupasandi: "
    "petugas akan memberikan kode sekali pakai untuk akun baru Anda."
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
    "Selamat datang, {sapaan} <b>{nama}</b>. Akun Telegram Anda kini terhubung dengan NIP "
    "<code>{nip}</code>.\n\n"
    "Anda dapat melihat /datapribadi, /tunkin dan /cuti. Demi keamanan, segera ganti kata sandi awal "
    "dengan /gantisandi."
)
PASSWORD_DELETED_NOTE = "🔒 Pesan berisi kata sandi telah dihapus."

PRIVATE_ONLY = (
    "Pendaftaran dan data pribadi hanya dilayani melalui <b>percakapan pribadi</b> dengan bot, agar data "
    "Anda terjaga. Silakan tekan tombol di bawah ini."
)
PRIVATE_ONLY_DELETED = (
    "⚠️ Pesan Anda berisi kata sandi dan telah dihapus dari grup ini. Segera ganti kata sandi Anda melalui "
    f"percakapan pribadi dengan bot (/gantisandi), atau hubungi Biro OSDM {SEE_CONTACT}."
)
PRIVATE_ONLY_NOT_DELETED = (
    "⚠️ Pesan Anda berisi kata sandi, dan bot tidak berwenang menghapusnya dari grup ini. Hapus pesan itu "
    "sekarang, lalu ganti kata sandi Anda melalui percakapan pribadi dengan bot, atau hubungi Biro OSDM "
    f"{SEE_CONTACT}."
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
    "Anda belum terdaftar di Sinawai. Data pribadi, tunkin dan cuti hanya ditampilkan setelah akun Telegram "
    "ini didaftarkan.\n\n"
    "Tekan <b>Daftar sekarang</b> di bawah ini (atau ketik /daftar), lalu kirim NIP dan kata sandi awal "
    "dari Biro OSDM sesuai petunjuk. Belum menerima atau lupa kata sandi? Ketik /lupasandi."
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


# ---- "lupa kata sandi": the request, the staff's /resetsandi, the one-time code -------------------------

ASK_RESET_NIP = (
    "🔑 <b>Lupa kata sandi</b>\n"
    "Kirim <b>NIP</b> Anda (18 digit angka). Petugas Biro OSDM akan memastikan identitas Anda melalui "
    "saluran resmi instansi, lalu memberikan <b>kode sekali pakai</b> untuk mendaftar kembali.\n\n"
    "Ketik /batal untuk membatalkan."
)
RESET_NIP_RETRY_SUFFIX = "\n\nSilakan kirim ulang NIP Anda, atau ketik /batal."
RESET_REQUESTED = (
    "✅ Permintaan atur ulang kata sandi untuk NIP <code>{nip}</code> telah kami teruskan kepada petugas "
    "Biro OSDM.\n\n"
    "Petugas akan menghubungi Anda melalui saluran resmi instansi dan memberikan kode sekali pakai "
    "(berlaku 24 jam). Setelah menerima kode, ketik di percakapan ini:\n"
    "<code>/daftar NIP KODE</code>\n"
    "lalu buat kata sandi baru. Petugas tidak pernah meminta kata sandi Anda.\n\n"
    f"Perlu cepat? Hubungi Biro OSDM {SEE_CONTACT}."
)
RESET_ALREADY_REQUESTED = (
    "Permintaan atur ulang kata sandi Anda sudah kami teruskan pukul {at}; petugas Biro OSDM akan "
    f"menghubungi Anda. Mohon tunggu, atau hubungi Biro OSDM {SEE_CONTACT}."
)
RESET_BUTTON = "🔑 Buat kode sekali pakai"
STAFF_RESET_REQUEST_HEAD = (
    "🔑 <b>Permintaan atur ulang kata sandi</b>\n"
    "NIP: <code>{nip}</code>\nDari akun Telegram: <code>{user_id}</code>\nMasuk: {at}"
)
STAFF_RESET_REQUEST = (
    STAFF_RESET_REQUEST_HEAD + "\n\n"
    "Pastikan identitas pegawai melalui saluran resmi instansi (telepon kantor atau tatap muka), lalu tekan "
    f"<b>{RESET_BUTTON}</b> di bawah ini (atau ketik <code>/resetsandi NIP</code> dengan NIP lengkapnya). "
    "Kode dikirim ke percakapan pribadi Anda dengan bot, bukan ke grup ini."
)
# The request message once handled (edited in place, its button gone; never the code).
STAFF_RESET_REQUEST_DONE = (
    STAFF_RESET_REQUEST_HEAD + "\n\n"
    "✅ Kode sekali pakai diterbitkan oleh {staff} pada {issued} dan dikirim ke percakapan pribadi {staff} "
    "dengan bot. Berlaku sampai {until}."
)
STAFF_RESET_REQUEST_EXPIRED = (
    STAFF_RESET_REQUEST_HEAD + "\n\n"
    "⌛ Permintaan ini sudah lebih dari 7 hari dan tidak lagi dapat dilayani dengan tombol. Tidak ada kode "
    "yang diterbitkan; pegawai dapat meminta lagi dengan /lupasandi."
)
# Short answers to a press of the button (plain text: a Telegram alert shows no HTML; at most 200 chars).
RESET_BUTTON_STAFF_ONLY = (
    "Tombol ini hanya untuk petugas Biro OSDM (peran staf atau admin) yang sudah terdaftar di Sinawai. "
    "Tidak ada yang diubah."
)
RESET_BUTTON_STAFF_GROUP_ONLY = "Tombol ini hanya berlaku di grup layanan kepegawaian. Tidak ada yang diubah."
RESET_BUTTON_NOT_FOUND = "Permintaan atur ulang ini tidak ditemukan. Tidak ada kode yang diterbitkan."
RESET_BUTTON_EXPIRED = (
    "Permintaan ini sudah lebih dari 7 hari. Tidak ada kode yang diterbitkan; minta pegawai mengirim "
    "/lupasandi lagi."
)
RESET_BUTTON_ALREADY = (
    "Kode untuk permintaan ini sudah diterbitkan oleh {staff} pada {issued}. Tidak ada kode baru."
)
RESET_BUTTON_INACTIVE = (
    "Pegawai ini berstatus tidak aktif atau tidak lagi terdapat dalam data. Tidak ada kode."
)
RESET_BUTTON_SENT = "Kode sekali pakai telah dikirim ke percakapan pribadi Anda dengan bot."
RESET_BUTTON_CANNOT_SEND = (
    "⚠️ Kode untuk NIP <code>{nip}</code> <b>tidak diterbitkan</b>: bot tidak dapat mengirim pesan ke "
    "percakapan pribadi {staff}. Buka percakapan pribadi dengan bot (tombol di bawah), tekan Mulai, lalu "
    f"tekan lagi <b>{RESET_BUTTON}</b> pada permintaan tadi."
)
LOCK_OPENED = " Kunci pendaftaran NIP ini dibuka, sehingga pegawai dapat langsung memakai kode tersebut."
RESET_FORMAT = (
    "Format: <code>/resetsandi NIP</code>, misalnya <code>/resetsandi 19900117 201503 1 001</code>."
)
RESET_STAFF_ONLY = (
    "Perintah /resetsandi hanya untuk petugas Biro OSDM (peran staf atau admin) yang sudah terdaftar di "
    "Sinawai. Tidak ada yang diubah."
)
RESET_IN_STAFF_GROUP_ONLY = (
    "Perintah /resetsandi digunakan petugas di grup layanan kepegawaian. Bila Anda lupa kata sandi, "
    "ketik /lupasandi."
)
RESET_UNKNOWN_NIP = (
    "NIP <code>{nip}</code> tidak terdapat dalam data pegawai Sinawai. Tidak ada kode yang diterbitkan."
)
RESET_INACTIVE_NIP = (
    "Pegawai dengan NIP <code>{nip}</code> berstatus tidak aktif. Tidak ada kode yang diterbitkan."
)
RESET_CODE_PRIVATE = (
    "🔑 <b>Kode sekali pakai</b> untuk NIP <code>{nip}</code> ({nama}):\n\n"
    "<code>{code}</code>\n\n"
    "Berlaku sampai {until}, dan hanya sekali. Serahkan kepada pegawai tersebut melalui saluran resmi "
    "instansi; pegawai mengetik <code>/daftar NIP KODE</code> di percakapan pribadi dengan bot, lalu membuat "
    "kata sandi baru. Kode ini tidak akan ditampilkan lagi; hapus pesan ini setelah kode diserahkan."
)
RESET_ISSUED_GROUP = (
    "✅ Kode sekali pakai untuk NIP <code>{nip}</code> telah diterbitkan oleh {staff} dan dikirim ke "
    "percakapan pribadi {staff} dengan bot. Berlaku sampai {until}."
)
RESET_CANNOT_SEND = (
    "⚠️ Kode untuk NIP <code>{nip}</code> <b>tidak diterbitkan</b>: bot tidak dapat mengirim pesan ke "
    "percakapan pribadi {staff}. Buka percakapan pribadi dengan bot (tombol di bawah), tekan Mulai, lalu "
    "ketik <code>/resetsandi NIP</code> lagi di grup ini."
)
OPEN_PRIVATE_CHAT = "💬 Buka percakapan pribadi dengan bot"
CODE_ACCEPTED = (
    "✅ <b>Kode diterima.</b> Akun Telegram ini kini terhubung dengan NIP <code>{nip}</code>.\n\n"
    "Sekarang buat <b>kata sandi baru</b>: minimal 8 karakter, tanpa spasi, memuat sedikitnya tiga dari "
    "huruf kecil, huruf besar, angka dan simbol. Pesan Anda akan langsung dihapus."
)
CODE_USED_OR_EXPIRED = (
    "❌ Kode ini sudah dipakai atau sudah kedaluwarsa (kode berlaku 24 jam dan hanya sekali). Ketik "
    "/lupasandi untuk meminta kode baru."
)
MUST_SET_PASSWORD = (
    "🔒 Silakan buat kata sandi baru terlebih dahulu: ketik /gantisandi. Setelah itu data pribadi, tunkin "
    "dan cuti dapat dilihat kembali."
)
ASK_RESET_NEW_PASSWORD = (
    "🔑 <b>Buat kata sandi baru</b>\nKirim kata sandi baru Anda: minimal 8 karakter, tanpa spasi, memuat "
    "sedikitnya tiga dari huruf kecil, huruf besar, angka dan simbol. Pesan akan langsung dihapus.\n\n"
    "Ketik /batal untuk membatalkan."
)
PASSWORD_SET_AFTER_RESET = (
    "✅ Kata sandi baru Anda telah disimpan. Selamat datang kembali, {sapaan} <b>{nama}</b>.\n"
    "Anda dapat melihat /datapribadi, /tunkin dan /cuti."
)
