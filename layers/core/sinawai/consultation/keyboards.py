"""The consultation's buttons. Their callback data never change: Telegram clients keep old buttons, and
``handlers.register`` matches each kind with its own pattern (``PATTERNS``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from sinawai.consultation import staff_list, tickets
from sinawai.consultation import staff_texts as st
from sinawai.consultation import texts as t
from sinawai.consultation.staff_tools import fits_callback
from sinawai.consultation.store import Ticket
from sinawai.consultation.tickets import Status
from sinawai.general import menu
from sinawai.information.content import Topic
from sinawai.router.commands import CONSULTATION

_ANY = r"([^:]*)"  # one field of callback data, exactly as str.split(":") cuts it
_END = r"\Z"  # not "$", which also matches before a final newline

PATTERNS = {
    "tanya": rf"^{CONSULTATION}:tanya(?::|{_END})",
    "ambil": rf"^{CONSULTATION}:ambil:{_ANY}{_END}",
    "tutup": rf"^{CONSULTATION}:tutup:{_ANY}{_END}",
    "pegawai": rf"^{CONSULTATION}:pegawai:{_ANY}{_END}",
    "faq": rf"^{CONSULTATION}:faq:{_ANY}:{_ANY}{_END}",
    "faqt": rf"^{CONSULTATION}:faqt:{_ANY}:{_ANY}{_END}",
    "nilai": rf"^{CONSULTATION}:nilai:{_ANY}:{_ANY}{_END}",
    "lewati": rf"^{CONSULTATION}:lewati(?::|{_END})",
    "pilih": rf"^{CONSULTATION}:pilih:{_ANY}:{_ANY}{_END}",
    "tiketsaya": rf"^{CONSULTATION}:tiketsaya(?::|{_END})",
    "tsl": rf"^{CONSULTATION}:tsl:{_ANY}:{_ANY}{_END}",
    "alih": rf"^{CONSULTATION}:alih:{_ANY}:{_ANY}{_END}",
    "jsp": rf"^{CONSULTATION}:jsp:{_ANY}{_END}",
    "jwp": rf"^{CONSULTATION}:jwp:{_ANY}:{_ANY}{_END}",
    "kirim": rf"^{CONSULTATION}:kirim:{_ANY}{_END}",
    "bukan": rf"^{CONSULTATION}:bukan:{_ANY}{_END}",
    "riw": rf"^{CONSULTATION}:riw:{_ANY}:{_ANY}{_END}",
    "cari": rf"^{CONSULTATION}:cari:{_ANY}:{_ANY}{_END}",
}


def ticket_buttons(ticket_id: int, *, takeable: bool = True, guest: bool = False) -> InlineKeyboardMarkup:
    """Under a ticket's header in the staff group: Ambil (while nobody has taken it), Tutup, Data pegawai
    (an employee's ticket: the full data go to the presser's private chat, never to the group), and the
    ready answers that match the question."""
    row = []
    if takeable:
        row.append(InlineKeyboardButton("🙋 Ambil", callback_data=f"{CONSULTATION}:ambil:{ticket_id}"))
    row.append(InlineKeyboardButton("✅ Tutup", callback_data=f"{CONSULTATION}:tutup:{ticket_id}"))
    rows = [row]
    second = [InlineKeyboardButton(t.CANNED_LABEL, callback_data=f"{CONSULTATION}:jsp:{ticket_id}")]
    if not guest:
        data = f"{CONSULTATION}:pegawai:{ticket_id}"
        second.insert(0, InlineKeyboardButton(st.EMPLOYEE_DATA_LABEL, callback_data=data))
    rows.append(second)
    return InlineKeyboardMarkup(rows)


def header_buttons(ticket: Ticket) -> InlineKeyboardMarkup | None:
    """The header's buttons for the ticket as it is now: none once closed, no Ambil once taken."""
    if ticket.status is Status.SELESAI or ticket.closed_at is not None:
        return None
    return ticket_buttons(ticket.id, takeable=tickets.takeable(ticket.status), guest=ticket.is_guest)


def list_buttons(ticket_ids: Sequence[int]) -> InlineKeyboardMarkup | None:
    """Under a burst's list message: one "Ambil #N" per ticket still to take (staff_list.takeable_ids);
    None once every ticket of the list is taken or closed."""
    labels = [
        InlineKeyboardButton(t.BURST_TAKE_LABEL.format(id=i), callback_data=staff_list.take_data(i))
        for i in ticket_ids
    ]
    per_row = staff_list.BUTTONS_PER_ROW
    rows = [labels[n : n + per_row] for n in range(0, len(labels), per_row)]
    return InlineKeyboardMarkup(rows) if rows else None


def canned_topic_buttons(ticket_id: int, topics: Sequence[Topic]) -> InlineKeyboardMarkup | None:
    """One button per matching topic (a topic whose id would not fit in callback data is left out)."""
    rows = [
        [InlineKeyboardButton(f"📖 {topic.title}", callback_data=data)]
        for topic in topics
        if fits_callback(data := f"{CONSULTATION}:jwp:{ticket_id}:{topic.id}")
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def pending_buttons(pending_id: int, yes: str, no: str) -> InlineKeyboardMarkup:
    """Confirm or dismiss a send that waits (staff_pending_send)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes, callback_data=f"{CONSULTATION}:kirim:{pending_id}"),
                InlineKeyboardButton(no, callback_data=f"{CONSULTATION}:bukan:{pending_id}"),
            ]
        ]
    )


def rating_buttons(ticket_id: int) -> InlineKeyboardMarkup:
    """One rating per row, worst first, each with its word on the scale."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t.RATING_LABELS[n], callback_data=f"{CONSULTATION}:nilai:{ticket_id}:{n}")]
            for n in tickets.RATINGS
        ]
    )


def skip_comment_button(ticket_id: int) -> InlineKeyboardMarkup:
    skip = InlineKeyboardButton(t.SKIP_LABEL, callback_data=f"{CONSULTATION}:lewati:{ticket_id}")
    return InlineKeyboardMarkup([[skip]])


def back_to_menu() -> InlineKeyboardMarkup:
    back = menu.BACK_TO_MENU
    return InlineKeyboardMarkup([[InlineKeyboardButton(back.label, callback_data=back.callback_data)]])


def faq_markup(offer_id: int, topics: Sequence[Topic], shown: int) -> InlineKeyboardMarkup:
    """The other offered topics, then "Ya, terjawab" and "Tidak, teruskan ke petugas"."""
    rows = [
        [InlineKeyboardButton(f"📖 {topic.title}", callback_data=f"{CONSULTATION}:faqt:{offer_id}:{n}")]
        for n, topic in enumerate(topics)
        if n != shown
    ]
    rows.append(
        [
            InlineKeyboardButton(t.FAQ_YES, callback_data=f"{CONSULTATION}:faq:{offer_id}:ya"),
            InlineKeyboardButton(t.FAQ_NO, callback_data=f"{CONSULTATION}:faq:{offer_id}:tidak"),
        ]
    )
    return InlineKeyboardMarkup(rows)


def faq_choice_markup(offer_id: int, topics: Sequence[Topic]) -> InlineKeyboardMarkup:
    """A choice of topics (no answer shown yet): every offered topic, then "Tidak, teruskan ke petugas"."""
    rows = [
        [InlineKeyboardButton(f"📖 {topic.title}", callback_data=f"{CONSULTATION}:faqt:{offer_id}:{n}")]
        for n, topic in enumerate(topics)
    ]
    rows.append([InlineKeyboardButton(t.FAQ_NO, callback_data=f"{CONSULTATION}:faq:{offer_id}:tidak")])
    return InlineKeyboardMarkup(rows)


def choice_buttons(choice_id: int, offered: Sequence[int], *, new_allowed: bool) -> InlineKeyboardMarkup:
    """ "Tambahkan ke tiket #N" for each offered ticket (latest first), then "Pertanyaan baru"."""
    rows = [
        [
            InlineKeyboardButton(
                t.CHOICE_ADD_LABEL.format(id=n), callback_data=f"{CONSULTATION}:pilih:{choice_id}:{n}"
            )
        ]
        for n in offered
    ]
    if new_allowed:
        rows.append(
            [InlineKeyboardButton(t.CHOICE_NEW_LABEL, callback_data=f"{CONSULTATION}:pilih:{choice_id}:baru")]
        )
    return InlineKeyboardMarkup(rows)


def my_tickets_buttons(ticket_ids: Sequence[int]) -> InlineKeyboardMarkup:
    """One button per listed ticket (opens its exchange), three to a row, then the main menu."""
    buttons = [
        InlineKeyboardButton(t.MY_TICKET_LABEL.format(id=n), callback_data=f"{CONSULTATION}:tsl:{n}:0")
        for n in ticket_ids
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    back = menu.BACK_TO_MENU
    rows.append([InlineKeyboardButton(back.label, callback_data=back.callback_data)])
    return InlineKeyboardMarkup(rows)


def exchange_buttons(ticket_id: int, page: int, pages: int) -> InlineKeyboardMarkup:
    """Paging through a ticket's exchange, and back to the list."""
    paging = []
    if page > 0:
        paging.append(
            InlineKeyboardButton(t.PAGE_PREVIOUS, callback_data=f"{CONSULTATION}:tsl:{ticket_id}:{page - 1}")
        )
    if page + 1 < pages:
        paging.append(
            InlineKeyboardButton(t.PAGE_NEXT, callback_data=f"{CONSULTATION}:tsl:{ticket_id}:{page + 1}")
        )
    rows = [paging] if paging else []
    rows.append([InlineKeyboardButton(t.BACK_TO_MY_TICKETS, callback_data=f"{CONSULTATION}:tiketsaya")])
    return InlineKeyboardMarkup(rows)


def _paging(page: int, pages: int, data: Callable[[int], str]) -> list[InlineKeyboardButton]:
    paging = []
    if page > 0:
        paging.append(InlineKeyboardButton(t.PAGE_PREVIOUS, callback_data=data(page - 1)))
    if page + 1 < pages:
        paging.append(InlineKeyboardButton(t.PAGE_NEXT, callback_data=data(page + 1)))
    return paging


def history_buttons(ticket_id: int, page: int, pages: int) -> InlineKeyboardMarkup | None:
    """Paging through /riwayat N."""
    paging = _paging(page, pages, lambda p: f"{CONSULTATION}:riw:{ticket_id}:{p}")
    return InlineKeyboardMarkup([paging]) if paging else None


def search_buttons(ticket_ids: Sequence[int], key: str, page: int, pages: int) -> InlineKeyboardMarkup:
    """/cari_tiket's page: a button per ticket found (its /riwayat), two per row, and the paging."""
    opens = [
        InlineKeyboardButton(t.history_button(i), callback_data=f"{CONSULTATION}:riw:{i}:0")
        for i in ticket_ids
    ]
    rows = [opens[i : i + 2] for i in range(0, len(opens), 2)]
    paging = [
        b
        for b in _paging(page, pages, lambda p: f"{CONSULTATION}:cari:{p}:{key}")
        if fits_callback(str(b.callback_data))
    ]
    if paging:
        rows.append(paging)
    return InlineKeyboardMarkup(rows)
