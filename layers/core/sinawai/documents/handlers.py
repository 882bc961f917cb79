"""The documents group's handlers: /dokumen (categories → documents → the file), and /unggah from the staff
group. Only documents the employee's role may see are offered, and a forged button for another one is
refused; stale or forged button data shows the categories again."""

from __future__ import annotations

import html
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from sinawai.common.numbers import parse_int
from sinawai.documents import rules, service, store, texts
from sinawai.documents.rules import DocumentInputError
from sinawai.general import menu
from sinawai.registration.employees import Employee
from sinawai.registration.guards import Refusals, active_employee
from sinawai.router.commands import DOCUMENTS
from sinawai.telegram.runtime import GroupContext
from sinawai.telegram.ui import edit_or_keep, pressed

HOME = InlineKeyboardButton(menu.BACK_TO_MENU.label, callback_data=menu.BACK_TO_MENU.callback_data)
BACK = InlineKeyboardButton(menu.BACK_LABEL, callback_data=f"{DOCUMENTS}:dokumen")
REFUSALS = Refusals(not_registered=texts.NOT_REGISTERED, inactive=texts.INACTIVE)


def categories_page(context: GroupContext, role: str) -> tuple[str, InlineKeyboardMarkup]:
    found = store.categories(context.deps.db, role)
    if not found:
        return texts.NO_DOCUMENTS, InlineKeyboardMarkup([[HOME]])
    rows = [
        [InlineKeyboardButton(f"📁 {rules.category_label(c)} ({n})", callback_data=f"{DOCUMENTS}:c:{c}")]
        for c, n in found
    ]
    return texts.CATEGORIES, InlineKeyboardMarkup([*rows, [HOME]])


def category_page(context: GroupContext, category: str, role: str) -> tuple[str, InlineKeyboardMarkup] | None:
    found = store.in_category(context.deps.db, category, role)
    if not found:
        return None
    rows = [
        [InlineKeyboardButton(f"📄 {d.title}"[:64], callback_data=f"{DOCUMENTS}:d:{d.id}")] for d in found
    ]
    text = (
        f"<b>Dokumen › {html.escape(rules.category_label(category))}</b>\n"
        "Pilih dokumen yang ingin Anda unduh:"
    )
    return text, InlineKeyboardMarkup([*rows, [BACK, HOME]])


async def employee_pressing(update: Update, context: GroupContext) -> Employee | None:
    """The registered, active employee pressing a button in a private chat, or None once answered."""
    query = pressed(update)
    chat = update.effective_chat
    assert chat is not None
    if chat.type != ChatType.PRIVATE:
        await query.answer()
        return None
    return await active_employee(update, context.deps.db, REFUSALS, alert=True)


async def dokumen(update: Update, context: GroupContext) -> None:
    """List the categories with documents the employee may see."""
    employee = await active_employee(update, context.deps.db, REFUSALS)
    if employee is None:
        return
    message = update.effective_message
    assert message is not None
    text, markup = categories_page(context, employee.role)
    await message.reply_html(text, reply_markup=markup)


async def show_categories(update: Update, context: GroupContext) -> None:
    """The Dokumen button (and stale or forged data): the categories, in place of the pressed message."""
    employee = await employee_pressing(update, context)
    if employee is None:
        return
    await pressed(update).answer()
    await edit_or_keep(update, *categories_page(context, employee.role))


async def open_category(update: Update, context: GroupContext) -> None:
    """A category button: its documents; an empty or unknown category shows the categories again."""
    employee = await employee_pressing(update, context)
    if employee is None:
        return
    page = category_page(context, context.matched()[0], employee.role)
    await pressed(update).answer()
    await edit_or_keep(update, *(page or categories_page(context, employee.role)))


async def download(update: Update, context: GroupContext) -> None:
    """A document button: send the file, if the employee's role may see it."""
    employee = await employee_pressing(update, context)
    if employee is None:
        return
    query = pressed(update)
    document_id = parse_int(context.matched()[0])
    document = store.get(context.deps.db, document_id) if document_id is not None else None
    if document is not None and document.visible_to(employee.role):
        await query.answer(texts.SENDING)
        await service.send_document(update, context, employee, document)
        return
    await query.answer(texts.NOT_AVAILABLE, show_alert=True)
    await edit_or_keep(update, *categories_page(context, employee.role))


async def unggah(update: Update, context: GroupContext) -> None:
    """A file sent to the staff group with caption /unggah CATEGORY TITLE becomes a document."""
    message = update.effective_message
    assert message is not None
    if message.chat_id != context.deps.settings.staff_group_chat_id:
        await message.reply_text(texts.STAFF_ONLY)
        return
    caption = message.caption if message.document else message.text
    parts = (caption or "").split(maxsplit=2)
    if message.document is None or len(parts) < 3:
        await message.reply_html(texts.UNGGAH_USAGE, do_quote=True)
        return
    try:
        reply = await service.add_from_group(context, message, parts[1], parts[2])
    except DocumentInputError as e:
        reply = html.escape(str(e))
    await message.reply_html(reply, do_quote=True)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Wire the documents group's handlers: a command and its buttons are registered next to each other."""
    private = filters.ChatType.PRIVATE
    new_messages = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("dokumen", dokumen, filters=private & new_messages))
    app.add_handler(CallbackQueryHandler(show_categories, pattern=rf"^{DOCUMENTS}:dokumen$"))
    app.add_handler(CallbackQueryHandler(open_category, pattern=rf"^{DOCUMENTS}:c:([^:]*)$"))
    app.add_handler(CallbackQueryHandler(download, pattern=rf"^{DOCUMENTS}:d:([^:]*)$"))
    app.add_handler(CommandHandler("unggah", unggah, filters=new_messages))
    app.add_handler(
        MessageHandler(
            new_messages & filters.Document.ALL & filters.CaptionRegex(r"^/unggah(@\w+)?(\s|$)"), unggah
        )
    )
    # Stale or forged button data: the categories again.
    app.add_handler(CallbackQueryHandler(show_categories))
