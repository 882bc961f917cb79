"""What employees and OSDM staff read about consultations, in Indonesian (pure; Telegram HTML)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sinawai.common.format_id import mask_nip
from sinawai.common.numbers import parse_int
from sinawai.common.text_limits import utf16_len, visible_text
from sinawai.common.working_hours import Opening, opening_text, when_text
from sinawai.consultation import areas
from sinawai.consultation.tickets import STATUS_LABELS, Status
from sinawai.general.menu import BACK_LABEL

HOW_TO_ASK = (
    "<b>Tanya Petugas Biro OSDM</b> 💬\n"
    "Cukup ketik pertanyaan Anda di percakapan ini (boleh disertai foto atau dokumen dengan keterangan). "
    "Pertanyaan akan diteruskan kepada petugas Biro OSDM sebagai tiket, dan jawabannya dikirim kembali "
    "melalui percakapan ini.\n\n"
    "Belum terdaftar? Pertanyaan tetap dapat dikirim sebagai tamu (identitas belum terverifikasi); untuk "
    "melihat data kepegawaian Anda sendiri, silakan mendaftar dengan /daftar."
)

# An account bound to no NIP asks as a guest (guest.py); this is said only if the account was unbound
# between that check and the question's (a race): the question can simply be sent again.
NOT_REGISTERED = (
    "Mohon maaf, akun Telegram ini baru saja terlepas dari NIP-nya sehingga pesan ini belum diteruskan. "
    "Silakan kirim kembali pertanyaan Anda (sebagai tamu), atau mendaftar lagi dengan /daftar."
)
INACTIVE = (
    "Mohon maaf, status kepegawaian Anda tercatat tidak aktif sehingga pertanyaan tidak dapat "
    "diteruskan. Silakan hubungi Biro OSDM secara langsung (lihat /kontak)."
)
NOT_BOUND_ACTION = (
    "Mohon maaf, akun Telegram ini tidak (lagi) terdaftar untuk NIP pemilik pertanyaan atau tiket ini, "
    "sehingga tidak ada yang diubah. Silakan mendaftar dengan /daftar, lalu coba lagi."
)
INACTIVE_ACTION = (
    "Mohon maaf, status kepegawaian Anda tercatat tidak aktif sehingga permintaan ini tidak dapat "
    "diproses. Silakan hubungi Biro OSDM secara langsung (lihat /kontak)."
)


def tickets_continue_here(ticket_ids: Sequence[int]) -> str:
    """After registering (again): the NIP's open tickets continue on this account."""
    numbers = ", ".join(f"<b>#{n}</b>" for n in ticket_ids)
    word = "Tiket" if len(ticket_ids) == 1 else "Tiket-tiket"
    return (
        f"📌 {word} Anda yang masih terbuka, {numbers}, dilanjutkan di percakapan ini: jawaban petugas Biro "
        "OSDM akan dikirim ke akun ini. Kirim pesan untuk menambahkan keterangan, atau ketik /selesai "
        "bila pertanyaan Anda sudah terjawab."
    )


UNSUPPORTED_MEDIA = (
    "Mohon maaf, jenis pesan ini (misalnya lokasi, kontak atau jajak pendapat) tidak dapat diteruskan kepada "
    "petugas. Silakan kirim pertanyaan Anda dalam bentuk teks, foto, dokumen atau pesan suara."
)
RATE_LIMITED = (
    "Mohon maaf, Anda telah mengirim banyak pesan dalam waktu singkat, sehingga pesan ini belum "
    "diteruskan. 🙏 Silakan tunggu {minutes} menit, lalu kirim kembali. Pesan-pesan sebelumnya sudah "
    "kami terima."
)


def _out_of_hours(next_opening: Opening | None, zone: ZoneInfo) -> str:
    if next_opening is None:
        return ""
    now = "jam istirahat" if next_opening.on_break else "di luar jam kerja"
    when = opening_text(next_opening, zone)
    if next_opening.days_ahead > 1:  # not today, not tomorrow: say why it is that day
        when = f"pada hari kerja berikutnya, {when}"
    return f"\n\nSaat ini {now} Biro OSDM; pertanyaan Anda akan ditangani {when}."


def acknowledgement(ticket_id: int, next_opening: Opening | None, zone: ZoneInfo) -> str:
    """A new ticket; ``next_opening`` is set when the question arrived outside working hours."""
    return (
        f"Pertanyaan Anda telah kami terima sebagai tiket <b>#{ticket_id}</b> dan diteruskan ke petugas "
        "Biro OSDM. Mohon menunggu; jawaban akan dikirim melalui percakapan ini."
        + _out_of_hours(next_opening, zone)
    )


def added_to_ticket(ticket_id: int, answered: bool, next_opening: Opening | None, zone: ZoneInfo) -> str:
    """A message that joined an open ticket; ``answered``: the ticket had been answered (not closed: a
    closed ticket is never reopened, a new one is opened), so it goes back to the staff."""
    head = (
        f"Pesan lanjutan Anda telah ditambahkan ke tiket <b>#{ticket_id}</b>, yang sudah dijawab petugas, "
        "dan diteruskan kembali kepada petugas Biro OSDM untuk ditanggapi."
        if answered
        else f"Pesan tambahan Anda telah ditambahkan ke tiket <b>#{ticket_id}</b> dan diteruskan ke petugas."
    )
    return head + " Mohon menunggu jawaban melalui percakapan ini." + _out_of_hours(next_opening, zone)


def previous_closed(previous_id: int, reopen_hours: int) -> str:
    """Before the acknowledgement of a new ticket, when the answered one was closed to make room for it."""
    return (
        f"Tiket <b>#{previous_id}</b> sudah dijawab lebih dari {reopen_hours} jam yang lalu sehingga kami "
        "tutup; pesan Anda kami terima sebagai pertanyaan baru.\n\n"
    )


def answer_header(ticket_id: int) -> str:
    """The first line of a staff answer relayed to the employee (in one bubble with the answer)."""
    return f"💬 <b>Jawaban petugas Biro OSDM untuk tiket #{ticket_id}</b>"


# Said once per ticket, with its first relayed answer.
ANSWER_INSTRUCTION = (
    "<i>Bila pertanyaan Anda sudah terjawab, ketik /selesai. Bila masih ada yang ingin ditanyakan, "
    "kirim pesan di percakapan ini.</i>"
)


def answer_with_header(ticket_id: int, answer_html: str, instruction: bool) -> str:
    """A staff answer in one message (or one caption): the header line, the answer, the instruction."""
    parts = [answer_header(ticket_id)]
    if answer_html.strip():
        parts.append(answer_html)
    if instruction:
        parts.append(ANSWER_INSTRUCTION)
    return "\n\n".join(parts)


def fits_utf16(message_html: str, limit: int) -> bool:
    """Whether the HTML's text, as Telegram keeps it after parsing, is within ``limit`` UTF-16 units."""
    return utf16_len(visible_text(message_html)) <= limit


def answer_tag(ticket_id: int, instruction: bool = True) -> str:
    """Before an answer that cannot carry its header (a sticker, a caption too long): a message of its own."""
    tail = f"\n{ANSWER_INSTRUCTION}" if instruction else ""
    return f"{answer_header(ticket_id)} ada di bawah ini.{tail}"


STAFF_OWNED = "⚠️ <b>Tiket milik anggota staf: ditangani staf lain.</b>"


def header(
    ticket_id: int,
    status: Status,
    *,
    nama: str,
    unit: str | None,
    nip: str,
    created_at: datetime,
    zone: ZoneInfo,
    assigned: str | None,
    staff_owned: bool = False,
    area: str | None = None,
) -> str:
    lines = [
        f"🎫 <b>Tiket #{ticket_id}</b> · {STATUS_LABELS[status]}",
        f"Pegawai: {html.escape(nama)}",
        f"Unit kerja: {html.escape(unit or '-')}",
        f"NIP: {mask_nip(nip)}",
        f"Masuk: {when_text(created_at.replace(tzinfo=UTC), zone)}",
    ]
    if area is not None:
        lines.append(f"Bidang: {html.escape(areas.label(area))}")
    if assigned:
        lines.append(f"Petugas: {html.escape(assigned)}")
    if staff_owned:
        lines.append(STAFF_OWNED)
    if status is not Status.SELESAI:
        lines.append("\n<i>Balas pesan tiket ini untuk menjawab pegawai melalui bot.</i>")
    return "\n".join(lines)


def waiting(created_at: datetime, now: datetime) -> str:
    minutes = max(0, int((now - created_at).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} menit"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} jam {minutes} menit"
    days, hours = divmod(hours, 24)
    return f"{days} hari {hours} jam"


def answered_ago(answered_at: datetime, now: datetime) -> str:
    """How long ago the last staff answer went out: "dijawab 3 jam lalu"."""
    minutes = max(0, int((now - answered_at).total_seconds() // 60))
    if minutes < 60:
        return f"dijawab {minutes} menit lalu"
    hours = minutes // 60
    if hours < 24:
        return f"dijawab {hours} jam lalu"
    return f"dijawab {hours // 24} hari lalu"


def open_list(
    rows: Sequence[tuple[int, Status, str, datetime, str | None, datetime | None]],
    now: datetime,
    *,
    row_areas: Sequence[str] | None = None,
    scope: str = "",
) -> str:
    """/tiket: (id, status, employee name, created_at, assigned staff, last answer) oldest first;
    "menunggu" only while a ticket waits for its first answer; ``row_areas`` each row's area, ``scope`` what
    the list was filtered by ("bidang Mutasi", "yang Anda tangani")."""
    if not rows:
        if scope:
            return f"✅ Tidak ada tiket terbuka {scope} saat ini."
        return "✅ Tidak ada tiket yang terbuka saat ini."
    lines = [
        f"<b>Tiket terbuka {scope}</b> (terlama di atas):"
        if scope
        else "<b>Tiket terbuka</b> (terlama di atas):"
    ]
    for n, (ticket_id, status, nama, created_at, assigned, answered_at) in enumerate(rows):
        who = f" · {html.escape(assigned)}" if assigned else ""
        where = f" · {html.escape(areas.label(row_areas[n]))}" if row_areas is not None else ""
        waited = f"menunggu {waiting(created_at, now)}"
        since = waited if answered_at is None else answered_ago(answered_at, now)
        lines.append(f"#{ticket_id} · {STATUS_LABELS[status]}{where} · {html.escape(nama)} · {since}{who}")
    lines.append("\nGunakan /ambil N untuk mengambil dan /tutup N untuk menutup tiket.")
    return "\n".join(lines)


STAFF_USAGE = "Format: <code>/{command} N</code>, dengan N nomor tiket, misalnya <code>/{command} 12</code>."


def unknown_ticket(ticket_id: str) -> str:
    shown = html.escape(ticket_id[:20])
    if parse_int(ticket_id.lstrip("#")) is None:
        return (
            f"Tiket #{shown} tidak ditemukan. Nomor tiket ditulis dengan angka 0-9, misalnya /ambil 12. "
            "Ketik /tiket untuk melihat tiket terbuka."
        )
    return f"Tiket #{shown} tidak ditemukan. Ketik /tiket untuk melihat tiket terbuka."


TRANSITION_ERRORS = {
    "taken": "Tiket #{id} sudah diambil oleh {who}.",
    "answered": "Tiket #{id} sudah dijawab; balas pesan tiket untuk menambah jawaban.",
    "closed": "Tiket #{id} sudah selesai (ditutup).",
}


def taken(ticket_id: int, who: str) -> str:
    return f"👍 Tiket #{ticket_id} diambil oleh {html.escape(who)}."


def closed_by_staff(ticket_id: int, who: str) -> str:
    return f"✅ Tiket #{ticket_id} ditutup oleh {html.escape(who)}."


OWN_TICKET = (
    "⛔ Tiket #{id} adalah tiket Anda sendiri sebagai pegawai, sehingga tidak dapat Anda ambil, jawab, "
    "atau tutup. Mohon serahkan kepada anggota staf lain."
)
UNDELIVERABLE_UNBOUND = (
    "⚠️ Jawaban untuk tiket #{id} tidak dapat dikirim: akun Telegram pegawai sedang tidak terhubung "
    "dengan NIP-nya (pegawai telah keluar dari Sinawai). Jawaban tidak dikirim ke akun lama. Setelah "
    "pegawai mendaftar kembali, silakan kirim ulang jawaban, atau hubungi pegawai melalui saluran lain."
)
CLOSED_BY_EMPLOYEE = "✅ Tiket #{id} ditutup oleh pegawai."
ANSWER_TO_CLOSED = "Tiket #{id} sudah selesai; balasan ini tidak diteruskan kepada pegawai."
UNDELIVERABLE = (
    "⚠️ Jawaban untuk tiket #{id} tidak dapat dikirim: pegawai telah memblokir bot. Pesan tidak akan dikirim "
    "ulang; silakan hubungi pegawai melalui saluran lain."
)

UNDELIVERED_TO_STAFF = (
    "⚠️ Pesan pegawai untuk tiket #{id} tidak dapat diteruskan ke grup ini setelah {attempts} kali "
    "percobaan. Ketik /tiket untuk melihat tiket terbuka, lalu hubungi pegawai melalui saluran lain."
)

CLOSED_FOR_EMPLOYEE = (
    "Tiket <b>#{id}</b> telah ditutup oleh petugas Biro OSDM. Terima kasih telah menggunakan layanan "
    "Sinawai. 🙏\n\nMohon beri penilaian atas layanan kami (1 = sangat kurang, 5 = sangat baik):"
)
AUTO_CLOSED_FOR_EMPLOYEE = (
    "Tiket <b>#{id}</b> telah ditutup otomatis karena tidak ada tanggapan selama {days} hari kerja "
    "setelah jawaban petugas Biro OSDM. Bila masih ada yang ingin ditanyakan, ketik saja pesan Anda "
    "untuk membuat tiket baru. 🙏\n\n"
    "Mohon beri penilaian atas layanan kami (1 = sangat kurang, 5 = sangat baik):"
)
AUTO_CLOSED_FOR_STAFF = "🕒 Tiket #{id} ditutup otomatis: tidak ada tanggapan selama {days} hari kerja."
CLOSED_BY_YOU = (
    "Terima kasih, tiket <b>#{id}</b> telah ditutup. 🙏\n\n"
    "Mohon beri penilaian atas layanan kami (1 = sangat kurang, 5 = sangat baik):"
)
NOTHING_TO_CLOSE = (
    "Anda tidak memiliki tiket yang sedang terbuka. Ketik pertanyaan Anda untuk membuat tiket baru."
)
RATED = "Terima kasih atas penilaian Anda untuk tiket #{id}: {stars} ({rating}/5)."
ASK_COMMENT = (
    "Apakah ada saran atau komentar untuk layanan kami? Silakan ketik komentar Anda, atau ketik /lewati "
    "(atau tekan tombol di bawah) untuk melewatinya."
)
SKIP_LABEL = "Lewati"
# The rating buttons carry the scale's words, not stars alone (a screen reader says "star").
RATING_LABELS = {
    1: "⭐ 1 · Sangat kurang",
    2: "⭐ 2 · Kurang",
    3: "⭐ 3 · Cukup",
    4: "⭐ 4 · Baik",
    5: "⭐ 5 · Sangat baik",
}
ALREADY_RATED = "Anda sudah memberi penilaian untuk tiket ini. Terima kasih!"
RATING_NOT_AVAILABLE = "Penilaian untuk tiket ini tidak tersedia."
COMMENT_THANKS = "Terima kasih atas komentar Anda. Masukan Anda membantu kami meningkatkan layanan. 🙏"
COMMENT_SKIPPED = "Baik, terima kasih. Ketik pertanyaan Anda kapan saja bila memerlukan bantuan lagi."
COMMENT_TEXT_EXPECTED = "Mohon kirim komentar dalam bentuk teks, atau ketik /lewati."
NOTHING_TO_SKIP = "Tidak ada yang perlu dilewati. Ketik /menu untuk memilih layanan."
STAFF_ONLY = "Perintah ini hanya dapat digunakan di grup petugas Biro OSDM."

# A sender an admin blocked for a while (/blokir): told once per block, when they write.
SENDER_BLOCKED = (
    "Mohon maaf, untuk sementara Bapak/Ibu belum dapat mengirim pertanyaan melalui Sinawai, sampai {until}. "
    "Bila ada keperluan yang mendesak, silakan hubungi Biro OSDM secara langsung (lihat /kontak)."
)


# ---- FAQ answers before a consultation ------------------------------------------------------------------

FAQ_INTRO = "🔎 <b>Mungkin ini jawaban yang Anda cari:</b>"
FAQ_MORE = "Topik lain yang mungkin sesuai ada pada tombol di bawah ini.\n"
FAQ_QUESTION = "Apakah informasi ini menjawab pertanyaan Anda?"
# No topic is clearly the answer (a question about two things, or only a general word matched): a choice.
FAQ_CHOOSE = (
    "🔎 <b>Pertanyaan Anda mungkin berkaitan dengan beberapa topik.</b>\n"
    "Silakan pilih topik yang sesuai untuk membaca jawabannya. Jika tidak ada yang sesuai, tekan "
    '"Tidak, teruskan ke petugas".'
)
FAQ_YES = "✅ Ya, terjawab"
FAQ_NO = "➡️ Tidak, teruskan ke petugas"
FAQ_THANKS = (
    "Terima kasih, senang dapat membantu! 😊\n"
    "Jika masih ada yang ingin ditanyakan, silakan tulis pertanyaan Anda kapan saja."
)
FAQ_DECIDED = "Pilihan untuk pertanyaan ini sudah tercatat."
FAQ_GONE = (
    'Topik ini sudah tidak tersedia. Silakan tekan "Tidak, teruskan ke petugas" atau tulis ulang '
    "pertanyaan Anda."
)


# ---- guests: an account bound to no NIP asks -------------------------------------------------------

GUEST_NOTICE = (
    "ℹ️ Akun Telegram ini belum terdaftar di Sinawai, sehingga Bapak/Ibu bertanya sebagai <b>tamu</b>. "
    "Pertanyaan tetap kami teruskan kepada petugas Biro OSDM, tetapi identitas Bapak/Ibu belum "
    "terverifikasi: petugas hanya melihat nama akun Telegram ini dan tidak menyampaikan data kepegawaian "
    "pribadi melalui percakapan ini.\n"
    "Untuk melihat data Anda sendiri (data pribadi, tunjangan kinerja, cuti), silakan mendaftar dengan "
    "/daftar."
)


def guest_acknowledgement(ticket_id: int, next_opening: Opening | None, zone: ZoneInfo) -> str:
    return (
        f"Pertanyaan Anda telah kami terima sebagai tiket tamu <b>#{ticket_id}</b> dan diteruskan ke "
        "petugas Biro OSDM. Mohon menunggu; jawaban akan dikirim melalui percakapan ini."
        + _out_of_hours(next_opening, zone)
    )


GUEST_RATE_LIMITED = (
    "Mohon maaf, sebagai tamu Bapak/Ibu dapat mengirim paling banyak {limit} pesan dalam {minutes} menit, "
    "sehingga pesan ini belum diteruskan. 🙏 Silakan kirim kembali setelah itu, atau mendaftar dengan "
    "/daftar agar dapat bertanya sebagai pegawai. Pesan-pesan sebelumnya sudah kami terima."
)
GUEST_UNVERIFIED = "⚠️ <b>Belum terverifikasi</b>: penanya belum terdaftar di Sinawai (tamu)."
GUEST_STAFF_HINT = (
    "<i>Identitas penanya belum terverifikasi: jangan sampaikan data pribadi pegawai. Balas pesan "
    "tiket ini untuk menjawab penanya melalui bot.</i>"
)
GUEST_LABEL = "Tamu"


def guest_header(
    ticket_id: int,
    status: Status,
    *,
    name: str,
    created_at: datetime,
    zone: ZoneInfo,
    assigned: str | None,
    area: str | None = None,
) -> str:
    """A guest ticket's header in the staff group: the Telegram name only (no NIP, no unit), unverified."""
    lines = [
        f"🎫 <b>Tiket #{ticket_id}</b> · {STATUS_LABELS[status]}",
        GUEST_UNVERIFIED,
        f"Nama Telegram: {html.escape(name or '-')}",
        f"Masuk: {when_text(created_at.replace(tzinfo=UTC), zone)}",
    ]
    if area is not None:
        lines.append(f"Bidang: {html.escape(areas.label(area))}")
    if assigned:
        lines.append(f"Petugas: {html.escape(assigned)}")
    if status is not Status.SELESAI:
        lines.append(f"\n{GUEST_STAFF_HINT}")
    return "\n".join(lines)


def guest_list_name(name: str | None) -> str:
    """How /tiket names a guest: their Telegram name, marked."""
    return f"{name or '-'} ({GUEST_LABEL}, belum terverifikasi)"


def guest_added_to_ticket(
    ticket_id: int, answered: bool, next_opening: Opening | None, zone: ZoneInfo
) -> str:
    """A guest's later message joined their open guest ticket (a guest has one open ticket at a time)."""
    head = (
        f"Pesan lanjutan Anda telah ditambahkan ke tiket tamu <b>#{ticket_id}</b>, yang sudah dijawab "
        "petugas, dan diteruskan kembali kepada petugas Biro OSDM untuk ditanggapi."
        if answered
        else f"Pesan tambahan Anda telah ditambahkan ke tiket tamu <b>#{ticket_id}</b> dan diteruskan ke "
        "petugas."
    )
    return (
        head + " Mohon menunggu jawaban melalui percakapan ini. Sebagai tamu, Bapak/Ibu memiliki satu tiket "
        "terbuka: "
        f"untuk pertanyaan lain, ketik /selesai setelah tiket #{ticket_id} terjawab, lalu kirim pertanyaan "
        "baru, atau mendaftar dengan /daftar agar dapat mengajukan beberapa pertanyaan sekaligus."
        + _out_of_hours(next_opening, zone)
    )


GUEST_NOTHING_TO_CLOSE = (
    "Anda tidak memiliki tiket tamu yang sedang terbuka. Ketik pertanyaan Anda untuk membuat tiket baru."
)
# ---- several questions at once: where a message goes while a ticket is open (issue 14, item 5) ----------

EMPLOYEE_STATUS = {
    Status.BARU: "menunggu petugas",
    Status.DIPROSES: "sedang ditangani",
    Status.DIJAWAB: "sudah dijawab",
    Status.SELESAI: "selesai",
}
CHOICE_ADD_LABEL = "➕ Tambahkan ke tiket #{id}"
CHOICE_NEW_LABEL = "🆕 Pertanyaan baru"


def _ticket_list(ids: Sequence[int], statuses: dict[int, Status]) -> str:
    return ", ".join(
        f"<b>#{n}</b> ({EMPLOYEE_STATUS[statuses[n]]})" if n in statuses else f"<b>#{n}</b>" for n in ids
    )


def _limit_note(open_count: int, max_open: int) -> str:
    """The limit in brackets, when it is not the count just said (tickets may exceed a lowered limit)."""
    return "" if open_count == max_open else f" ({max_open})"


def choice_prompt(
    open_ids: Sequence[int], statuses: dict[int, Status], *, new_allowed: bool, max_open: int, ttl_hours: int
) -> str:
    """The question under a message sent while tickets are open: which ticket, or a new question."""
    word = "tiket" if len(open_ids) == 1 else "beberapa tiket"
    lines = [f"Anda masih memiliki {word} yang terbuka: {_ticket_list(open_ids, statuses)}."]
    if new_allowed:
        lines.append(
            "Pesan Anda di atas ingin ditambahkan ke tiket yang sudah ada, atau merupakan pertanyaan baru? "
            "Silakan pilih pada tombol di bawah ini."
        )
    else:
        lines.append(
            f"Anda sudah memiliki {len(open_ids)} tiket terbuka, jumlah terbanyak yang diperbolehkan"
            f"{_limit_note(len(open_ids), max_open)}, sehingga pesan ini belum dapat menjadi pertanyaan "
            "baru. Silakan tambahkan ke salah satu tiket di bawah ini, atau tutup dahulu tiket yang sudah "
            "terjawab dengan "
            f"<code>/selesai N</code> (misalnya <code>/selesai {open_ids[-1]}</code>), lalu kirim kembali "
            "pertanyaan Anda."
        )
    lines.append(
        f"\n<i>Pilihan berlaku {ttl_hours} jam; bila tidak dipilih, pesan ini tidak diteruskan kepada "
        "petugas. Agar langsung masuk ke suatu tiket tanpa ditanya, balas pesan bot tentang tiket "
        "tersebut. Ketik /tiketsaya untuk melihat semua tiket Anda.</i>"
    )
    return "\n".join(lines)


def choice_settled(choice: int | str) -> str:
    if isinstance(choice, int):
        return f"Pilihan Anda: pesan di atas ditambahkan ke tiket <b>#{choice}</b>."
    return "Pilihan Anda: pesan di atas adalah pertanyaan baru."


CHOICE_DECIDED = "Pilihan untuk pesan ini sudah tercatat."
CHOICE_EXPIRED = (
    "Pilihan ini sudah kedaluwarsa, sehingga pesan tersebut tidak diteruskan kepada petugas. Silakan kirim "
    "kembali pesan Anda."
)
CHOICE_GONE = "Pilihan ini tidak dikenal. Silakan kirim kembali pesan Anda."


def open_limit_reached(open_ids: Sequence[int], max_open: int) -> str:
    """A new ticket refused: which tickets are open, how to close or see them."""
    numbers = ", ".join(f"<b>#{n}</b>" for n in open_ids)
    return (
        f"Mohon maaf, Anda sudah memiliki {len(open_ids)} tiket terbuka ({numbers}), jumlah terbanyak yang "
        f"diperbolehkan{_limit_note(len(open_ids), max_open)}, sehingga pertanyaan ini belum diteruskan "
        "sebagai tiket baru.\n"
        f"Tutup tiket yang sudah terjawab dengan <code>/selesai N</code> (misalnya "
        f"<code>/selesai {open_ids[-1]}</code>), lalu kirim kembali pertanyaan Anda; atau tambahkan "
        "pertanyaan ke tiket yang ada dengan membalas pesan bot tentang tiket tersebut. Ketik "
        "/tiketsaya untuk melihat tiket Anda."
    )


def which_to_close(open_ids: Sequence[int]) -> str:
    """/selesai with several tickets open: which one."""
    numbers = ", ".join(f"<b>#{n}</b>" for n in open_ids)
    return (
        f"Anda memiliki beberapa tiket terbuka: {numbers}. Tiket mana yang ingin ditutup? Ketik "
        f"<code>/selesai N</code> dengan N nomor tiket, misalnya <code>/selesai {open_ids[0]}</code>."
    )


def not_your_open_ticket(raw: str) -> str:
    return (
        f"Tiket #{html.escape(raw[:20])} tidak ditemukan di antara tiket Anda yang terbuka. Nomor tiket "
        "ditulis dengan angka 0-9; ketik /tiketsaya untuk melihat tiket Anda."
    )


# ---- my tickets, taken, and the expected first response (issue 14, item 6) ---------------------------------

TAKEN_FOR_EMPLOYEE = (
    "Tiket <b>#{id}</b> sedang ditangani oleh petugas Biro OSDM. Jawaban akan dikirim melalui percakapan ini."
)
# a hand-over from one staff member to another (the employee is not told who)
HANDED_OVER_FOR_EMPLOYEE = (
    "Tiket <b>#{id}</b> kini ditangani petugas lain di Biro OSDM. "
    "Jawaban tetap dikirim melalui percakapan ini."
)


def expected_first_response(duration_text: str) -> str:
    return (
        f"\n\nPerkiraan waktu tunggu jawaban pertama: sekitar {duration_text} pada jam kerja (nilai tengah "
        "30 hari terakhir)."
    )


MY_TICKETS_EMPTY = (
    "<b>Tiket Saya</b>\nAnda belum memiliki tiket. Ketik pertanyaan Anda di percakapan ini untuk bertanya "
    "kepada petugas Biro OSDM."
)
MY_TICKETS_NOT_REGISTERED = (
    "Daftar tiket hanya dapat dilihat oleh pegawai yang sudah terdaftar. Silakan mendaftar terlebih dahulu "
    "dengan /daftar, lalu ketik /tiketsaya kembali."
)
MY_TICKETS_NOT_FOUND = "Tiket ini tidak ditemukan di antara tiket Anda."
NO_ANSWER_YET = "Belum ada jawaban."
CONTENT_GONE = "(isi pesan tidak lagi disimpan)"
MEDIA_LABELS = {
    "photo": "foto",
    "document": "dokumen",
    "voice": "pesan suara",
    "video": "video",
    "audio": "audio",
    "sticker": "stiker",
    "video_note": "video",
    "animation": "animasi",
}
PAGE_PREVIOUS = "◀️ Sebelumnya"
PAGE_NEXT = "Berikutnya ▶️"
BACK_TO_MY_TICKETS = BACK_LABEL
MY_TICKET_LABEL = "Tiket #{id}"


GUEST_TICKET_MARK = " (tiket tamu)"


def my_ticket_row(
    ticket_id: int,
    status: Status,
    age: str,
    closed_at: datetime | None,
    last_answer: str | None,
    zone: ZoneInfo,
    guest: bool = False,
) -> str:
    """One ticket of /tiketsaya; ``last_answer`` is escaped HTML already (None: no answer yet); ``guest``:
    asked as a guest from this account before it was registered."""
    when = (
        f"ditutup {when_text(closed_at.replace(tzinfo=UTC), zone)}"
        if closed_at is not None
        else f"usia {age} kerja"
    )
    answer = f"Jawaban terakhir: <i>{last_answer}</i>" if last_answer is not None else NO_ANSWER_YET
    mark = GUEST_TICKET_MARK if guest else ""
    return f"<b>#{ticket_id}</b>{mark} · {EMPLOYEE_STATUS[status]} · {when}\n{answer}"


def my_tickets(rows: Sequence[str], more: int) -> str:
    tail = f"\n\n… dan {more} tiket lama lainnya." if more else ""
    return (
        "<b>Tiket Saya</b> (yang terbuka di atas)\n\n"
        + "\n\n".join(rows)
        + tail
        + "\n\nTekan nomor tiket di bawah ini untuk membaca percakapannya."
    )


def exchange_head(
    ticket_id: int,
    status: Status,
    created_at: datetime,
    age: str,
    zone: ZoneInfo,
    page: int,
    pages: int,
    guest: bool = False,
) -> str:
    page_line = f" · halaman {page + 1} dari {pages}" if pages > 1 else ""
    mark = GUEST_TICKET_MARK if guest else ""
    return (
        f"<b>Tiket #{ticket_id}</b>{mark} · {EMPLOYEE_STATUS[status]}{page_line}\n"
        f"Diajukan {when_text(created_at.replace(tzinfo=UTC), zone)} (usia {age} kerja)"
    )


def exchange_entry(from_staff: bool, at: datetime, zone: ZoneInfo, body: str) -> str:
    """One message of the exchange; ``body`` is escaped HTML already."""
    who = "Petugas Biro OSDM" if from_staff else "Anda"
    return f"<b>{who}</b> · {when_text(at.replace(tzinfo=UTC), zone)}\n{body}"


EXCHANGE_EMPTY = "Belum ada pesan yang dapat ditampilkan untuk tiket ini."


# ---- hand-over, areas and the service target (issue 15, items 5 and 9) --------------------------------

AREA_CHOICES = ", ".join(f"<code>{a}</code> ({areas.LABELS[a]})" for a in areas.AREAS)
TIKET_USAGE = (
    "Format: <code>/tiket</code> untuk semua tiket terbuka, <code>/tiket saya</code> untuk tiket yang Anda "
    "tangani, atau <code>/tiket BIDANG</code> untuk satu bidang. Bidang: " + AREA_CHOICES + "."
)
SCOPE_MINE = "yang Anda tangani"


def scope_area(area: str) -> str:
    return f"bidang {areas.label(area)}"


def unknown_tiket_filter(raw: str) -> str:
    return f"Pilihan “{html.escape(raw[:30])}” tidak dikenal. " + TIKET_USAGE


AREA_USAGE = (
    "Format: <code>/area N BIDANG</code>, misalnya <code>/area 12 jahdis</code>. Bidang: "
    + AREA_CHOICES
    + "."
)


def unknown_area(raw: str) -> str:
    return f"Bidang “{html.escape(raw[:30])}” tidak dikenal. Bidang yang tersedia: {AREA_CHOICES}."


def area_set(ticket_id: int, area: str, who: str) -> str:
    where = html.escape(areas.label(area))
    return f"🗂️ Tiket #{ticket_id} kini masuk bidang {where} (diubah oleh {html.escape(who)})."


def area_unchanged(ticket_id: int, area: str) -> str:
    return f"Tiket #{ticket_id} sudah masuk bidang {html.escape(areas.label(area))}; tidak ada yang diubah."


ALIHKAN_USAGE = (
    "Format: <code>/alihkan N @nama_pengguna</code> untuk mengalihkan tiket N kepada rekan staf, atau "
    "<code>/alihkan N</code> untuk memilih rekan dari daftar."
)
ALIHKAN_CHOOSE = "Alihkan tiket #{id} kepada siapa? Pilih rekan staf di bawah ini."
ALIHKAN_NO_STAFF = (
    "Belum ada rekan staf terdaftar yang dapat menerima tiket. Anggota staf perlu terdaftar di Sinawai "
    "dengan peran staf; hubungi admin Biro OSDM."
)
ALIHKAN_CLOSED = "Tiket #{id} sudah selesai (ditutup), sehingga tidak dapat dialihkan."
ALIHKAN_SAME = "Tiket #{id} sudah ditangani oleh {who}; tidak ada yang diubah."
ALIHKAN_OWN = (
    "⛔ Tiket #{id} adalah tiket pribadi {who} sebagai pegawai, sehingga tidak dapat dialihkan kepadanya. "
    "Mohon pilih rekan staf lain."
)


def not_staff(raw: str) -> str:
    return (
        f"{html.escape(raw[:40])} bukan anggota staf terdaftar di grup ini, sehingga tiket tidak dialihkan. "
        "Ketik <code>/alihkan N</code> tanpa nama untuk memilih rekan dari daftar."
    )


NOT_STAFF_ANY = "Rekan ini bukan (lagi) anggota staf terdaftar; tiket tidak dialihkan. Ketik /alihkan N lagi."


def mention(telegram_id: int, name: str) -> str:
    return f'<a href="tg://user?id={telegram_id}">{html.escape(name)}</a>'


def handed_over(ticket_id: int, to_id: int, to_name: str, by: str) -> str:
    return (
        f"🔁 Tiket #{ticket_id} dialihkan kepada {mention(to_id, to_name)} oleh {html.escape(by)}. "
        "Silakan balas pesan tiket untuk menjawab pegawai."
    )


def handed_over_alert(ticket_id: int, to_name: str) -> str:
    return f"Tiket #{ticket_id} dialihkan kepada {to_name}."


def reminder(ticket_id: int, waited: str, target: str, area: str, assigned: str | None) -> str:
    who = f"Petugas: {html.escape(assigned)}" if assigned else "Belum ada petugas yang mengambil tiket ini."
    return (
        f"⏰ <b>Tiket #{ticket_id} menunggu {waited}</b> tanpa jawaban (target layanan {target}).\n"
        f"Bidang: {html.escape(areas.label(area))} · {who}\n"
        "Mohon segera dijawab dengan membalas pesan tiket, atau alihkan dengan /alihkan."
    )


def morning_list(rows: Sequence[tuple[int, str, str, str | None]], target: str) -> str:
    """The morning list: (ticket id, waited text, area, assigned staff) oldest first."""
    if not rows:
        return ""
    lines = [f"☀️ <b>Tiket yang melewati target layanan ({target})</b>, terlama di atas:"]
    for ticket_id, waited, area, assigned in rows:
        who = html.escape(assigned) if assigned else "belum diambil"
        lines.append(f"#{ticket_id} · menunggu {waited} · {html.escape(areas.label(area))} · {who}")
    lines.append("\nBalas pesan tiket untuk menjawab, atau alihkan dengan /alihkan N.")
    return "\n".join(lines)


# ---- staff answer tools: /jawab, /templat, notes, a message written without a reply (issue 15) ------------

CANNED_LABEL = "📚 Jawaban siap pakai"
JAWAB_USAGE = (
    "Format: <code>/jawab N TOPIK</code>, dengan N nomor tiket dan TOPIK kode topik, misalnya "
    "<code>/jawab 12 cuti-besar</code>. Kode topik terlihat pada tombol 📚 Jawaban siap pakai di bawah "
    "kepala tiket."
)


def unknown_topic(raw: str) -> str:
    return (
        f"Topik <code>{html.escape(raw[:64])}</code> tidak ditemukan. Tekan 📚 Jawaban siap pakai di bawah "
        "kepala tiket untuk melihat topik yang sesuai beserta kodenya."
    )


def canned_sent(ticket_id: int, title: str) -> str:
    return f"✅ Jawaban siap pakai “{html.escape(title)}” telah dikirim ke pegawai untuk tiket #{ticket_id}."


def canned_list(ticket_id: int, titles: list[tuple[str, str]]) -> str:
    if not titles:
        return (
            f"Tidak ada topik informasi yang cocok dengan pertanyaan tiket #{ticket_id}. Silakan jawab "
            "dengan membalas pesan tiket."
        )
    lines = [f"📚 <b>Jawaban siap pakai untuk tiket #{ticket_id}</b>", "Pilih topik yang akan dikirim:"]
    lines += [f"• {html.escape(title)} (<code>{html.escape(topic_id)}</code>)" for topic_id, title in titles]
    return "\n".join(lines)


def canned_confirm(ticket_id: int, title: str) -> str:
    return f"Kirim jawaban “{html.escape(title)}” ke tiket #{ticket_id}?"


SEND_YES = "📤 Kirim"
SEND_NO = "✖️ Batal"
LOOSE_SEND = "📤 Kirim ke tiket #{id}"
LOOSE_NOT = "💬 Bukan jawaban"


def loose_question(ticket_id: int) -> str:
    return (
        f"Pesan ini tidak membalas pesan tiket mana pun. Kirim sebagai jawaban untuk tiket #{ticket_id} yang "
        "baru saja Bapak/Ibu ambil?"
    )


PENDING_NOT_YOURS = "Hanya petugas yang menulis atau memilih jawaban ini yang dapat mengonfirmasinya."
PENDING_DONE = "Pilihan ini sudah diproses atau sudah kedaluwarsa."
PENDING_GONE = "Pesan aslinya sudah dihapus; tidak ada yang dikirim."
PENDING_SENT = "✅ Terkirim ke pegawai sebagai jawaban tiket #{id}."
PENDING_DISMISSED = "Baik, pesan ini tidak dikirim ke pegawai."

TEMPLATE_USAGE = (
    "Templat jawaban grup ini:\n"
    "• <code>/templat simpan NAMA</code> sebagai balasan atas sebuah pesan: simpan teksnya;\n"
    "• <code>/templat NAMA</code> sebagai balasan atas pesan tiket: kirim templat sebagai jawaban;\n"
    "• <code>/templat hapus NAMA</code>: hapus templat;\n"
    "• <code>/templat</code>: daftar templat.\n"
    "NAMA satu kata (huruf kecil, angka, - atau _), paling panjang 32 karakter."
)
TEMPLATE_BAD_NAME = (
    "Nama templat harus satu kata tanpa spasi (huruf, angka, - atau _), paling panjang 32 karakter, "
    "misalnya <code>salam-cuti</code>."
)
TEMPLATE_SAVE_NEEDS_REPLY = "Balas pesan yang teksnya akan disimpan dengan <code>/templat simpan NAMA</code>."
TEMPLATE_SAVE_NO_TEXT = "Pesan yang dibalas tidak berisi teks; templat hanya menyimpan teks."
TEMPLATE_TOO_LONG = "Teks templat terlalu panjang (paling banyak 3.500 karakter)."
TEMPLATE_SEND_NEEDS_TICKET = (
    "Balas salah satu pesan tiket dengan <code>/templat {name}</code> agar templat terkirim ke pegawai "
    "tiket itu."
)
TEMPLATE_EMPTY = "Belum ada templat. Simpan dengan membalas sebuah pesan: <code>/templat simpan NAMA</code>."


def template_saved(name: str, replaced: bool) -> str:
    verb = "diperbarui" if replaced else "disimpan"
    return f"✅ Templat <code>{html.escape(name)}</code> {verb}."


def template_unknown(name: str) -> str:
    return (
        f"Templat <code>{html.escape(name)}</code> tidak ada. Ketik <code>/templat</code> untuk melihat "
        "daftarnya."
    )


def template_deleted(name: str) -> str:
    return f"🗑 Templat <code>{html.escape(name)}</code> dihapus."


def template_list(names: list[str]) -> str:
    return "📝 <b>Templat jawaban</b>\n" + "\n".join(f"• <code>{html.escape(n)}</code>" for n in names)


def template_sent(name: str, ticket_id: int) -> str:
    return f"✅ Templat <code>{html.escape(name)}</code> telah dikirim ke pegawai untuk tiket #{ticket_id}."


NOTE_SAVED = "✍ Catatan internal disimpan pada tiket #{id}; tidak dikirim ke pegawai."
NOTE_NEEDS_TICKET = (
    "Catatan internal ditulis sebagai balasan atas pesan tiket: balas pesan tiket dengan <code>!TEKS</code> "
    "atau <code>/catatan TEKS</code>."
)
NOTE_EMPTY = "Catatan kosong. Tulis teksnya setelah tanda ! atau setelah <code>/catatan</code>."


# ---- /riwayat and /cari_tiket in the staff group (issue 15) ----------------------------------------------

RIWAYAT_USAGE = "Format: <code>/riwayat N</code>, misalnya <code>/riwayat 12</code>: seluruh isi tiket #12."
HISTORY_EMPLOYEE = "Pegawai"
HISTORY_GUEST = "Tamu"
HISTORY_STAFF = "Petugas"
HISTORY_NOTE = "📌 Catatan internal"
HISTORY_EMPTY = "Belum ada pesan yang dapat ditampilkan untuk tiket ini."
SEARCH_USAGE = (
    "Format: <code>/cari_tiket KATA</code>. Cari dengan nomor tiket (<code>/cari_tiket 12</code>), NIP "
    "lengkap atau beberapa angka terakhirnya (<code>/cari_tiket 1001</code>), atau kata dari pertanyaan "
    "(<code>/cari_tiket cuti besar</code>). Yang dicari: tiket 90 hari terakhir di grup ini."
)
SEARCH_TOO_SHORT = (
    "Kata pencarian terlalu pendek: tulis paling sedikit 2 huruf, misalnya <code>/cari_tiket cuti</code>."
)
SEARCH_TOO_LONG = (
    "Kata pencarian terlalu panjang: tulis paling banyak 40 huruf (beberapa kata kunci saja), atau NIP "
    "dengan 18 angka."
)
PAGE_GONE = "Halaman ini tidak ada lagi. Ketik perintahnya sekali lagi."


def history_head(ticket_id: int, status: Status, who: str, page: int, pages: int) -> str:
    """The first line of a /riwayat page; ``who`` is escaped HTML (the employee's masked data)."""
    page_line = f" · halaman {page + 1} dari {pages}" if pages > 1 else ""
    return f"🗂 <b>Riwayat tiket #{ticket_id}</b> · {STATUS_LABELS[status]}{page_line}\n{who}"


def history_entry(label: str, at: datetime, zone: ZoneInfo, body: str) -> str:
    """One message of /riwayat; ``label`` and ``body`` are escaped HTML already."""
    return f"<b>{label}</b> · {when_text(at.replace(tzinfo=UTC), zone)}\n{body}"


def history_staff_label(name: str | None, note: bool) -> str:
    who = html.escape(name or HISTORY_STAFF)
    return f"{HISTORY_NOTE} · {who}" if note else f"{HISTORY_STAFF}: {who}"


def search_results(key: str, rows: list[str], found: int, page: int, pages: int) -> str:
    """The tickets a search found; ``rows`` are escaped HTML already."""
    page_line = f" · halaman {page + 1} dari {pages}" if pages > 1 else ""
    more = f"{found} tiket" if found < 50 else "50 tiket terbaru"
    return (
        f"🔎 <b>Hasil pencarian “{html.escape(key)}”</b> · {more}{page_line}\n\n"
        + "\n".join(rows)
        + "\n\nTekan nomor tiket untuk melihat riwayatnya."
    )


def search_row(ticket_id: int, status: Status, who: str, at: datetime, zone: ZoneInfo, excerpt: str) -> str:
    """One ticket found; ``who`` and ``excerpt`` are escaped HTML already."""
    when = when_text(at.replace(tzinfo=UTC), zone)
    return f"#{ticket_id} · {STATUS_LABELS[status]} · {who} · {when}\n{excerpt}"


def search_none(key: str) -> str:
    return (
        f"Tidak ada tiket dalam 90 hari terakhir yang cocok dengan “{html.escape(key)}”. Coba kata lain, "
        "nomor tiket, atau beberapa angka terakhir NIP."
    )


def history_button(ticket_id: int) -> str:
    return f"🗂 Riwayat #{ticket_id}"


PENDING_STALE = {
    "closed": "Tiket #{id} sudah ditutup sejak pertanyaan ini; pesan tidak dikirim.",
    "answered": "Tiket #{id} sudah dijawab sejak pertanyaan ini; pesan tidak dikirim. Bila tetap perlu, "
    "balas pesan tiketnya.",
    "handed_over": "Tiket #{id} sudah dialihkan ke petugas lain sejak pertanyaan ini; pesan tidak dikirim.",
}


def moved_to_area(ticket_id: int, area_label: str, header_link: str | None) -> str:
    """The notice in an area's forum topic when a ticket moves there (the header stays where it was)."""
    header = (
        f'<a href="{html.escape(header_link)}">tajuk tiket</a>'
        if header_link
        else "tajuk tiket di topik sebelumnya"
    )
    return (
        f"📌 Tiket #{ticket_id} dipindahkan ke bidang {html.escape(area_label)}. Lihat {header}. "
        "Balas pesan ini untuk menjawab pegawai."
    )


# ---- a morning burst: compact lists in the staff group (staff_list.py) ---------------------------------

BURST_LIST_TITLE = "📋 <b>Daftar ringkas pertanyaan baru</b>"
BURST_LIST_HOW = (
    "Banyak pertanyaan masuk sekaligus, jadi tiket dikirim sebagai daftar. Tekan <b>Ambil #N</b> untuk "
    "mengambil tiket: pertanyaan lengkapnya dikirim di grup ini sebagai balasan daftar, lalu balas pesan "
    "tiket itu untuk menjawab."
)
BURST_GUEST = "tamu"
BURST_TAKEN_BY = "diambil {who}"
BURST_CLOSED = "selesai"
BURST_TAKE_LABEL = "Ambil #{id}"
# What a question without words shows in the list (a photo or a document without a caption, ...).
BURST_MEDIA = {
    "photo": "(foto tanpa keterangan)",
    "document": "(berkas tanpa keterangan)",
    "voice": "(pesan suara)",
    "video": "(video tanpa keterangan)",
    "audio": "(rekaman suara)",
    "sticker": "(stiker)",
}
BURST_NOTHING = "(tanpa teks)"
# Short: a button's alert holds up to 200 characters.
BURST_TAKEN_FROM_LIST = (
    "👍 Tiket #{id} diambil oleh {who}. Pertanyaan lengkapnya segera dikirim di grup sebagai balasan daftar."
)
REPLY_TO_BURST_LIST = (
    "Pesan ini daftar beberapa tiket, jadi balasan Anda tidak diteruskan ke pegawai. Tekan <b>Ambil #N</b> "
    "pada daftar, lalu balas pesan tiket yang dikirim bot."
)
