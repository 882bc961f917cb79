"""The main menu and the general texts, in Indonesian (pure; the general function renders them).

Texts use Telegram HTML: only names coming from users need escaping, which ``html.escape`` does.
Callback data is ``<group>:<action>``, so a press reaches the group that owns the service (DESIGN.md).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from sinawai.common.contact import SEE_CONTACT
from sinawai.router.commands import (
    COMMANDS,
    CONSULTATION,
    DOCUMENTS,
    GENERAL,
    INFORMATION,
    REGISTRATION,
    Command,
)

SERVICE_NAME = "Sinawai"
BUREAU = "Biro Organisasi dan Sumber Daya Manusia (OSDM)"


@dataclass(frozen=True)
class Button:
    label: str
    callback_data: str


# The services of the seed's Tabel 1, plus tunkin and cuti from its evaluation (Tabel 5).
MAIN_MENU: tuple[tuple[Button, ...], ...] = (
    # the acronym "Tunkin" spelled out (commands keep their names); two to a row so no label is cut
    (
        Button("👤 Data Pribadi", f"{REGISTRATION}:datapribadi"),
        Button("🗓️ Cuti", f"{REGISTRATION}:cuti"),
    ),
    (Button("💰 Tunjangan Kinerja", f"{REGISTRATION}:tunkin"),),
    (
        Button("📚 Pengembangan Kompetensi", f"{INFORMATION}:renbangkompeg"),
        Button("🔁 Mutasi", f"{INFORMATION}:mutasi"),
    ),
    (
        Button("Kesejahteraan & Disiplin", f"{INFORMATION}:jahdis"),
        Button("📈 Kinerja Pegawai", f"{INFORMATION}:pengkinpeg"),
    ),
    (
        Button("📄 Dokumen", f"{DOCUMENTS}:dokumen"),
        Button("📰 Info Terkini", f"{INFORMATION}:terkini"),
    ),
    (
        Button("💬 Tanya Petugas OSDM", f"{CONSULTATION}:tanya"),
        Button("🎫 Tiket Saya", f"{CONSULTATION}:tiketsaya"),
    ),
    (
        Button("📞 Kontak Biro OSDM", f"{GENERAL}:kontak"),
        Button("❓ Bantuan", f"{GENERAL}:bantuan"),
    ),
    (Button("ℹ️ Tentang Sinawai", f"{GENERAL}:tentang"),),
)

# One label for every button that returns to the main menu, one for every button that goes one level up.
BACK_TO_MENU = Button("🏠 Menu Utama", f"{GENERAL}:menu")
BACK_LABEL = "⬅️ Kembali"
CONTACT = Button("📞 Kontak Biro OSDM", f"{GENERAL}:kontak")
DAFTAR = Button("📝 Daftar sekarang", f"{REGISTRATION}:daftar")


def greeting(sapaan: str, nama: str | None) -> str:
    """/start of a registered employee: "Selamat datang, Bapak Budi Santoso" (sapaan from jenis_kelamin)."""
    who = f"{sapaan} <b>{html.escape(nama.strip())}</b>" if nama and nama.strip() else sapaan
    return (
        f"Selamat datang, {who}.\n"
        f"<b>{SERVICE_NAME}</b> adalah layanan bantuan kepegawaian {BUREAU}.\n\n"
        "Silakan pilih layanan pada menu di bawah ini. Ketik /bantuan untuk melihat semua perintah."
    )


def greeting_unregistered() -> str:
    """/start of an account that is not registered: what to do first."""
    return (
        f"Selamat datang di <b>{SERVICE_NAME}</b>, Bapak/Ibu, layanan bantuan kepegawaian {BUREAU}.\n\n"
        "<b>Langkah pertama: daftarkan akun Telegram Anda.</b> Tekan <b>Daftar sekarang</b> di bawah ini "
        "(atau ketik /daftar), lalu kirim NIP dan kata sandi awal dari Biro OSDM sesuai petunjuk. Setelah "
        "terdaftar, Anda dapat melihat data pribadi, tunkin dan cuti Anda sendiri.\n\n"
        "• Ingin langsung bertanya? Tulis saja pertanyaan Anda; sebelum terdaftar, pertanyaan diteruskan "
        "kepada petugas sebagai tamu.\n"
        "• Belum menerima atau lupa kata sandi? Ketik /lupasandi.\n"
        "• Cara menghubungi Biro OSDM: /kontak.\n"
        "• Informasi kepegawaian umum dapat dibuka tanpa mendaftar melalui menu di bawah ini."
    )


MENU_TEXT = "<b>Menu Utama Sinawai</b>\nSilakan pilih layanan kepegawaian yang Anda butuhkan:"


def help_text(commands: tuple[Command, ...] = COMMANDS) -> str:
    lines = [f"/{c.name} — {html.escape(c.description)}" for c in commands if c.audience == "private"]
    return (
        "<b>Bantuan Sinawai</b>\nPerintah yang dapat Anda gunakan:\n\n"
        + "\n".join(lines)
        + "\n\nAnda juga dapat memilih layanan melalui /menu."
    )


ABOUT_TEXT = (
    f"<b>Tentang {SERVICE_NAME}</b>\n"
    f"{SERVICE_NAME} (Sistem Layanan Bantuan Kepegawaian) adalah layanan {BUREAU} melalui Telegram.\n\n"
    "• Informasi kepegawaian umum dijawab otomatis, kapan pun dan di mana pun.\n"
    "• Data pribadi, tunjangan kinerja (tunkin) dan cuti Anda hanya ditampilkan kepada Anda sendiri, "
    "di percakapan pribadi, setelah Anda mendaftar.\n"
    "• Pertanyaan khusus diteruskan ke petugas layanan kepegawaian Biro OSDM, dan jawabannya dikirim "
    "kembali kepada Anda melalui bot ini.\n\n"
    "Seluruh layanan tercatat untuk evaluasi dan peningkatan mutu layanan kepegawaian."
)


def unknown_command_text(command: str) -> str:
    return (
        f"Maaf, perintah <code>/{html.escape(command[:32])}</code> tidak dikenal. 🙏\n"
        "Ketik /bantuan untuk melihat daftar perintah, atau /menu untuk memilih layanan."
    )


FALLBACK_TEXT = (
    "Maaf, pesan Anda belum dapat kami proses. 🙏\n"
    "Silakan pilih layanan pada menu di bawah ini, atau ketik /bantuan untuk melihat daftar perintah."
)

SERVICE_NOT_READY_ALERT = (
    "Layanan ini sedang disiapkan dan belum dapat digunakan. Silakan pilih layanan lain atau hubungi "
    f"Biro OSDM {SEE_CONTACT}."
)

PRIVATE_ONLY_TEXT = (
    "Layanan Sinawai digunakan melalui percakapan pribadi agar data Anda tetap terjaga. "
    "Silakan tekan tombol di bawah ini untuk membuka percakapan pribadi dengan bot."
)

OPEN_PRIVATE_CHAT_LABEL = "💬 Buka percakapan pribadi"

CANCELLED_TEXT = "Baik, proses sebelumnya telah dibatalkan. Ketik /menu untuk memilih layanan."
NOTHING_TO_CANCEL_TEXT = "Tidak ada proses yang sedang berjalan. Ketik /menu untuk memilih layanan."


# ---- what Telegram shows before Start (setMyDescription / setMyShortDescription, set by the deploy) ----

BOT_DESCRIPTION = (
    f"{SERVICE_NAME} adalah layanan bantuan kepegawaian {BUREAU}.\n\n"
    "• Informasi kepegawaian umum dijawab otomatis: pengembangan kompetensi, mutasi, kesejahteraan dan "
    "disiplin, kinerja pegawai, dan dokumen.\n"
    "• Data pribadi, tunkin dan cuti Anda sendiri, setelah mendaftar dengan NIP.\n"
    "• Pertanyaan khusus diteruskan ke petugas Biro OSDM, dan jawabannya dikirim kembali melalui bot ini.\n\n"
    "Tekan MULAI untuk membuka menu layanan."
)
BOT_SHORT_DESCRIPTION = (
    "Layanan bantuan kepegawaian Biro OSDM: informasi umum, data pribadi, tunkin, cuti, dokumen, "
    "tanya petugas."
)


# ---- /idchat and the bot joining a group: the chat id the deploy needs ----------------------------------

STAFF_PARAMETER = "StaffGroupChatId"
MANAGERS_PARAMETER = "ManagersChatId"

IDCHAT_IN_PRIVATE_TEXT = (
    "Perintah /idchat digunakan di grup. Tambahkan bot ini ke grup layanan kepegawaian atau grup pimpinan, "
    "lalu admin grup mengetik /idchat di grup tersebut untuk melihat ID grup yang diperlukan "
    "pengaturan Sinawai."
)

JOINED_GROUP_GREETING = "Terima kasih, Sinawai telah ditambahkan ke grup ini. 👋\n\n"


def chat_id_text(chat_id: int, chat_type: str, *, staff: bool, managers: bool) -> str:
    """The group's chat id and what it is for Sinawai: the staff group, the managers' chat, or neither
    (then the exact ``sam deploy`` line for each role)."""
    head = f"🆔 ID grup ini: <code>{chat_id}</code>\n\n"
    roles = []
    if staff:
        roles.append(
            f"<b>grup layanan kepegawaian</b> (parameter <code>{STAFF_PARAMETER}</code>): pertanyaan "
            "pegawai masuk ke grup ini sebagai tiket"
        )
    if managers:
        roles.append(
            f"<b>grup pimpinan</b> (parameter <code>{MANAGERS_PARAMETER}</code>): laporan harian evaluasi "
            "layanan dikirim ke grup ini"
        )
    if roles:
        return head + "Grup ini sudah terhubung dengan Sinawai sebagai " + "; dan sebagai ".join(roles) + "."
    text = (
        head + "Grup ini belum terhubung dengan Sinawai. Untuk menghubungkannya, tim pengelola sistem "
        "mengisi salah satu parameter berikut lalu memasang ulang Sinawai:\n\n"
        "• sebagai grup layanan kepegawaian (tiket pertanyaan pegawai):\n"
        f"<code>{STAFF_PARAMETER}={chat_id}</code>\n\n"
        "• sebagai grup pimpinan (laporan harian):\n"
        f"<code>{MANAGERS_PARAMETER}={chat_id}</code>\n\n"
        # a bare --parameter-overrides replaces samconfig.toml's, the profile included: --guided keeps them
        "Isi lewat <code>sam deploy --guided</code> (nilai parameter lain tetap), atau tambahkan ke "
        "<code>parameter_overrides</code> di samconfig.toml."
    )
    if chat_type == "group":
        text += (
            "\n\nCatatan: ini grup biasa. Bila grup ini diubah menjadi supergrup (misalnya riwayat "
            "percakapan dibuka untuk anggota baru), ID-nya berubah: ketik /idchat lagi sesudahnya."
        )
    return text


def staff_help_text(commands: tuple[Command, ...] = COMMANDS) -> str:
    """/bantuan in the staff group: the staff commands, one line each (new ones appear by themselves)."""
    lines = [f"/{c.name} — {html.escape(c.description)}" for c in commands if c.audience == "staff"]
    return (
        "<b>Perintah petugas di grup ini</b>\n\n"
        + "\n".join(lines)
        + "\n\nBalas pesan tiket untuk menjawab pegawai. Layanan pribadi (data pribadi, tunkin, cuti) "
        "tersedia di percakapan pribadi dengan bot."
    )


STAFF_GROUP_PRIVATE_ONLY_TEXT = (
    "Perintah /{command} untuk layanan pribadi: silakan gunakan di percakapan pribadi dengan bot. "
    "Di grup ini, ketik /bantuan untuk perintah petugas."
)
