"""Looking back in the staff group: ``/riwayat N`` (a ticket's whole exchange, notes included, with who
wrote what and when, paged) and ``/cari_tiket KATA`` (the group's tickets of the last 90 days by number,
NIP or the question's words, paged, each opening its /riwayat). Guest tickets included; the group sees the
employee's masked NIP only."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from sinawai.common.format_id import mask_nip
from sinawai.common.numbers import parse_int
from sinawai.common.text_limits import cut_utf16
from sinawai.consultation import choices, history, history_store, service
from sinawai.consultation import texts as t
from sinawai.consultation.deps import Consultation, answer_in_group
from sinawai.consultation.history import SearchError
from sinawai.consultation.history_store import Entry
from sinawai.consultation.keyboards import history_buttons, search_buttons
from sinawai.consultation.store import Ticket
from sinawai.platform import clock
from sinawai.registration import employees
from sinawai.telegram.ui import not_modified

EXCERPT_UTF16 = 80


def _body(entry: Entry) -> str:
    label = t.MEDIA_LABELS.get(entry.media or "", entry.media or "")
    if entry.text is None and not label:
        return html.escape(t.CONTENT_GONE)
    text = cut_utf16(entry.text or "", history.ENTRY_UTF16)
    return html.escape(f"[{label}] {text}".strip() if label else text)


def _staff_name(c: Consultation, telegram_id: int | None, telegram_name: str | None) -> str | None:
    """The staff member's registered name where known, else their Telegram name."""
    registered = employees.by_telegram(c.db, telegram_id) if telegram_id is not None else None
    return registered.nama if registered is not None else telegram_name


def _who(c: Consultation, ticket: Ticket) -> str:
    if ticket.nip is None:
        return html.escape(t.guest_list_name(ticket.guest_name))
    employee = employees.by_nip(c.db, ticket.nip)
    name = employee.nama if employee is not None else "-"
    return f"{html.escape(name)} · NIP {mask_nip(ticket.nip)}"


def _label(c: Consultation, ticket: Ticket, entry: Entry) -> str:
    if entry.role == "pegawai":
        return t.HISTORY_GUEST if ticket.is_guest else t.HISTORY_EMPLOYEE
    return t.history_staff_label(_staff_name(c, entry.by_id, entry.by_name), entry.role == "catatan")


def pages_of(c: Consultation, ticket: Ticket) -> list[list[str]]:
    zone = c.settings.zone
    entries = history_store.entries(c.db, ticket, service.recipient(c, ticket))
    return history.pack_pages([t.history_entry(_label(c, ticket, e), e.at, zone, _body(e)) for e in entries])


def _page_text(c: Consultation, ticket: Ticket, pages: list[list[str]], page: int) -> str:
    head = t.history_head(ticket.id, ticket.status, _who(c, ticket), page, len(pages))
    return f"{head}\n\n" + ("\n\n".join(pages[page]) or t.HISTORY_EMPTY)


async def riwayat(c: Consultation, update: Update, args: list[str]) -> None:
    """/riwayat N: the ticket's first page, as a reply."""
    message = update.effective_message
    assert message is not None
    if len(args) != 1:
        await answer_in_group(update, t.RIWAYAT_USAGE)
        return
    ticket = service.ticket_in_group(c, args[0].lstrip("#"), message.chat_id)
    if ticket is None:
        await answer_in_group(update, t.unknown_ticket(args[0]))
        return
    pages = pages_of(c, ticket)
    await message.reply_html(
        _page_text(c, ticket, pages, 0),
        do_quote=True,
        reply_markup=history_buttons(ticket.id, 0, len(pages)),
        disable_web_page_preview=True,
    )


async def riwayat_button(c: Consultation, update: Update, raw_ticket: str, raw_page: str) -> None:
    """A page button of /riwayat (edits it in place), or a ticket of /cari_tiket (a new message)."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    ticket = service.ticket_in_group(c, raw_ticket, chat.id)
    if ticket is None:
        await query.answer(html.unescape(t.unknown_ticket(raw_ticket)), show_alert=True)
        return
    pages = pages_of(c, ticket)
    page = parse_int(raw_page, maximum=history.MAX_PAGE)
    if page is None or page >= len(pages):
        await query.answer(t.PAGE_GONE, show_alert=True)
        return
    await query.answer()
    text = _page_text(c, ticket, pages, page)
    markup = history_buttons(ticket.id, page, len(pages))
    shown = query.message.text if isinstance(query.message, Message) else None
    if shown is not None and shown.startswith("🗂 Riwayat tiket #"):
        await _edit(update, text, markup)
        return
    await update.get_bot().send_message(
        chat.id,
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        message_thread_id=query.message.message_thread_id if isinstance(query.message, Message) else None,
        disable_web_page_preview=True,
    )


async def _edit(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
        )
    except BadRequest as e:
        if not not_modified(e):
            raise


# ---- /cari_tiket -------------------------------------------------------------------------------------------


def _results(c: Consultation, chat_id: int, found: list[Ticket], key: str, page: int) -> str:
    zone = c.settings.zone
    pages = history.page_count(len(found))
    shown = found[page * history.RESULTS_PER_PAGE : (page + 1) * history.RESULTS_PER_PAGE]
    rows = []
    for ticket in shown:
        question = history_store.first_question(c.db, ticket.id)
        excerpt = html.escape(choices.excerpt(question, EXCERPT_UTF16) if question else t.CONTENT_GONE)
        rows.append(t.search_row(ticket.id, ticket.status, _who(c, ticket), ticket.created_at, zone, excerpt))
    return t.search_results(key, rows, len(found), page, pages)


def _found(c: Consultation, chat_id: int, what: history.Search) -> list[Ticket]:
    return history_store.search(c.db, chat_id, clock.utcnow() - history.SEARCH_WINDOW, what)


async def cari_tiket(c: Consultation, update: Update, raw: str) -> None:
    """/cari_tiket KATA: the first page of what was found, as a reply."""
    message = update.effective_message
    assert message is not None
    try:
        what = history.parse_search(raw)
    except SearchError as e:
        await answer_in_group(update, e.text)
        return
    found = _found(c, message.chat_id, what)
    if not found:
        await answer_in_group(update, t.search_none(what.key))
        return
    pages = history.page_count(len(found))
    await message.reply_html(
        _results(c, message.chat_id, found, what.key, 0),
        do_quote=True,
        reply_markup=search_buttons([x.id for x in found[: history.RESULTS_PER_PAGE]], what.key, 0, pages),
        disable_web_page_preview=True,
    )


async def cari_button(c: Consultation, update: Update, raw_page: str, key: str) -> None:
    """A page button of /cari_tiket: the search again, that page in place."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    page = parse_int(raw_page, maximum=history.MAX_PAGE)
    try:
        what = history.parse_search(key)
    except SearchError:
        what = None
    found = _found(c, chat.id, what) if what is not None and what.key == key else []
    if page is None or what is None or page >= history.page_count(len(found)) or not found:
        await query.answer(t.PAGE_GONE, show_alert=True)
        return
    await query.answer()
    per = history.RESULTS_PER_PAGE
    await _edit(
        update,
        _results(c, chat.id, found, what.key, page),
        search_buttons(
            [x.id for x in found[page * per : (page + 1) * per]],
            what.key,
            page,
            history.page_count(len(found)),
        ),
    )
