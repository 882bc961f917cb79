"""The information group's handlers: the menus of the four service areas, /terkini, and /umumkan with its
broadcast button in the staff group (without text: the recent announcements with ✏️ Ubah and 🗑 Tarik).

A command opens an area's menu; a button edits that message in place: area → section (where the area has
sections) → topic, each with Back and Main-menu buttons. The topics come from the content OSDM publishes
(``sinawai content publish``), read from S3 with a short cache. A stale or forged button shows a menu
again, never an error.
"""

from __future__ import annotations

import html
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from sinawai.common.asn import AsnType
from sinawai.common.numbers import parse_int
from sinawai.general import menu
from sinawai.general.handlers import main_menu_markup
from sinawai.information import announcements, broadcast, content, pages, texts
from sinawai.information.announcements import Announcement
from sinawai.information.content import Area, Bundle
from sinawai.information.content_store import ContentStore
from sinawai.information.pages import Page
from sinawai.platform import service_records
from sinawai.platform.service_records import Via
from sinawai.registration import employees
from sinawai.router.commands import INFORMATION
from sinawai.telegram.runtime import GroupContext
from sinawai.telegram.ui import edit_or_keep, pressed

TERKINI = "terkini"
MAX_SEARCH_CHARS = 100


def content_store(context: GroupContext) -> ContentStore:
    """The container's content store (it caches the published bundle), made on first use."""
    store = context.bot_data.get("content_store")
    if store is None:
        store = context.bot_data["content_store"] = ContentStore(context.deps.settings.documents_bucket)
    assert isinstance(store, ContentStore)
    return store


def record(context: GroupContext, chat_id: int, area: str, topic_id: str | None, via: Via) -> None:
    service_records.record_view(context.deps.db, chat_id, area, topic_id, via)


def terkini_page(context: GroupContext) -> Page:
    return pages.terkini_page(announcements.latest(context.deps.db), context.deps.settings.timezone)


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    return chat.id


async def edit_or_keep_page(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    """Show a content page in the pressed message, links without previews."""
    await edit_or_keep(update, text, markup, link_preview=False)


async def in_private_chat(update: Update) -> bool:
    """Menu buttons work in the private chat only; elsewhere the press is just answered."""
    chat = update.effective_chat
    assert chat is not None
    if chat.type == ChatType.PRIVATE:
        return True
    await pressed(update).answer()
    return False


async def pressed_area(update: Update, context: GroupContext, area_id: str) -> tuple[Bundle, Area] | None:
    """The published area a menu button names, or None after showing the nearest menu that exists."""
    if not await in_private_chat(update):
        return None
    query = pressed(update)
    bundle = content_store(context).get()
    area = bundle.area(area_id)
    if area is not None:
        return bundle, area
    # Unknown area (forged, or content not published): the main menu again.
    if not bundle.areas:
        await query.answer()
        await edit_or_keep_page(update, *pages.not_published_page())
    else:
        await query.answer(texts.STALE_NOTICE)
        await edit_or_keep_page(update, menu.MENU_TEXT, main_menu_markup())
    return None


async def show_in_area(
    update: Update, context: GroupContext, bundle: Bundle, area: Area, page: Page | None, topic_id: str | None
) -> None:
    """Show a page of the area; one that no longer exists shows the area's menu instead."""
    query = pressed(update)
    if page is None:
        await query.answer(texts.STALE_NOTICE)
        await edit_or_keep_page(update, *pages.area_page(bundle, area))
        record(context, _chat_id(update), area.id, None, "button")
        return
    await query.answer()
    await edit_or_keep_page(update, *page)
    record(context, _chat_id(update), area.id, topic_id, "button")


# ---- the area menus ------------------------------------------------------------------------------------


async def show_area(update: Update, context: GroupContext) -> None:
    """Open the menu of the area named by the command."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    area_id = message.text.split(maxsplit=1)[0][1:].partition("@")[0].lower()
    bundle = content_store(context).get()
    area = bundle.area(area_id)
    text, markup = pages.area_page(bundle, area) if area else pages.not_published_page()
    await message.reply_html(text, reply_markup=markup, disable_web_page_preview=True)
    record(context, message.chat_id, area_id, None, "command")


async def open_area(update: Update, context: GroupContext) -> None:
    """An area button (the main menu's, or Back from a section or topic): the area's menu."""
    (area_id,) = context.matched()
    found = await pressed_area(update, context, area_id)
    if found is not None:
        bundle, area = found
        await show_in_area(update, context, bundle, area, pages.area_page(bundle, area), None)


async def open_section(update: Update, context: GroupContext) -> None:
    """A section button: the section's topics."""
    area_id, section_id = context.matched()
    found = await pressed_area(update, context, area_id)
    if found is not None:
        bundle, area = found
        await show_in_area(update, context, bundle, area, pages.section_page(bundle, area, section_id), None)


async def open_topic(update: Update, context: GroupContext) -> None:
    """A topic button: its answer."""
    area_id, topic_id = context.matched()
    found = await pressed_area(update, context, area_id)
    if found is not None:
        bundle, area = found
        notice = pages.draft_notice_due(context.deps.db, _chat_id(update), bundle)
        page = pages.topic_page(
            bundle, area, topic_id, reader_type(update, context, bundle, topic_id), notice=notice
        )
        await show_in_area(update, context, bundle, area, page, topic_id if page else None)


def reader_type(update: Update, context: GroupContext, bundle: Bundle, topic_id: str) -> AsnType | None:
    """PNS or PPPK for a registered reader of a topic that has a variant per type; None when unknown."""
    user = update.effective_user
    if user is None or not bundle.variants_of(topic_id):
        return None
    return employees.asn_type_of(context.deps.db, user.id)


async def stale_button(update: Update, context: GroupContext) -> None:
    """Stale or forged button data: the menu of the area it names, or the main menu."""
    parts = (pressed(update).data or "").split(":")
    found = await pressed_area(update, context, parts[1] if len(parts) > 1 else "")
    if found is not None:
        bundle, area = found
        await show_in_area(update, context, bundle, area, None, None)


# ---- /cari ---------------------------------------------------------------------------------------------


async def cari(update: Update, context: GroupContext) -> None:
    """Search the published topics with the FAQ's matcher; the results open the topics."""
    message = update.effective_message
    assert message is not None
    given = (message.text or "").split(maxsplit=1)
    query = " ".join(given[1].split()) if len(given) > 1 else ""
    if not query:
        await message.reply_html(texts.CARI_USAGE)
        return
    if len(query) > MAX_SEARCH_CHARS:
        await message.reply_html(texts.CARI_TOO_LONG.format(limit=MAX_SEARCH_CHARS))
        return
    from sinawai.consultation import faq  # rapidfuzz: loaded by /cari only, not on every cold start

    bundle = content_store(context).get()
    if not bundle.topics:
        text, markup = pages.not_published_page()
    else:
        text, markup = pages.search_page(query, [m.topic for m in faq.search(query, bundle)])
    await message.reply_html(text, reply_markup=markup, disable_web_page_preview=True)


# ---- /terkini ------------------------------------------------------------------------------------------


async def terkini(update: Update, context: GroupContext) -> None:
    """Show the latest announcements."""
    message = update.effective_message
    assert message is not None
    text, markup = terkini_page(context)
    await message.reply_html(text, reply_markup=markup)
    record(context, message.chat_id, TERKINI, None, "command")


async def terkini_button(update: Update, context: GroupContext) -> None:
    """The Info Terkini button: the latest announcements in place of the pressed message."""
    if not await in_private_chat(update):
        return
    await pressed(update).answer()
    await edit_or_keep_page(update, *terkini_page(context))
    record(context, _chat_id(update), TERKINI, None, "button")


# ---- /umumkan in the staff group -----------------------------------------------------------------------


def staff_name(context: GroupContext, update: Update) -> str | None:
    """The staff member's registered name where known, else their Telegram name."""
    user = update.effective_user
    if user is None:
        return None
    registered = employees.by_telegram(context.deps.db, user.id)
    return registered.nama if registered is not None and registered.nama else user.full_name


async def umumkan(update: Update, context: GroupContext) -> None:
    """Store an announcement from the staff group and offer to broadcast it; without text, the list of
    recent ones to edit or withdraw; ``/umumkan ubah N TEKS`` edits one. Refused anywhere else."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    db = context.deps.db
    if message.chat_id != context.deps.settings.staff_group_chat_id:
        await message.reply_text(texts.STAFF_ONLY)
        return
    # as a text, or as the caption of a photo or file (its text is announced; the file is not kept)
    given = (message.text or message.caption or "").split(maxsplit=1)
    text = given[1].strip() if len(given) > 1 else ""
    if announcements.is_edit(text):
        await edit_announcement(update, context, text)
        return
    source = message.reply_to_message
    if not text and source is not None:
        text = (source.text or source.caption or "").strip()
    if not text:
        listing, markup = pages.staff_announcements_page(
            announcements.latest(db, announcements.STAFF_LIST), context.deps.settings.timezone
        )
        await message.reply_html(listing, reply_markup=markup, do_quote=True)
        return
    problem = announcements.body_problem(text)
    if problem is not None:
        await message.reply_text(problem, do_quote=True)
        return
    item = announcements.post(
        db,
        text=text,
        posted_by=user.id if user else None,
        posted_by_name=staff_name(context, update),
        staff_chat_id=message.chat_id,
        source_message_id=source.message_id if source else message.message_id,
        update_id=update.update_id,
    )
    button = InlineKeyboardButton(
        texts.BROADCAST_LABEL.format(audience=announcements.recipients_count(db)),
        callback_data=f"{INFORMATION}:siar:{item.id}",
    )
    await message.reply_html(
        texts.POSTED.format(id=item.id), reply_markup=InlineKeyboardMarkup([[button]]), do_quote=True
    )


def _audit(context: GroupContext, update: Update, event: str, item: Announcement) -> None:
    user = update.effective_user
    employees.audit(
        context.deps.db,
        event,
        telegram_user_id=user.id if user else None,
        chat_id=_chat_id(update),
        nip=None,
        detail={"announcement": item.id, "by": staff_name(context, update)},
    )


async def edit_announcement(update: Update, context: GroupContext, given: str) -> None:
    """``/umumkan ubah N TEKS``: the new text shows in /terkini (a broadcast already sent stays as sent)."""
    message = update.effective_message
    assert message is not None
    db = context.deps.db
    request = announcements.parse_edit(given)
    if request is None:
        await message.reply_html(texts.EDIT_USAGE, do_quote=True)
        return
    problem = announcements.body_problem(request.text)
    if problem is not None:
        await message.reply_text(problem, do_quote=True)
        return
    item = announcements.get(db, request.announcement_id)
    if item is None or not announcements.edit(db, item.id, request.text):
        await message.reply_html(texts.GONE.format(id=request.announcement_id), do_quote=True)
        return
    _audit(context, update, announcements.AUDIT_EDITED, item)
    after = texts.EDITED_AFTER_BROADCAST if item.broadcast_at is not None else ""
    await message.reply_html(texts.EDITED.format(id=item.id) + after, do_quote=True)


async def _pressed_announcement(update: Update, context: GroupContext) -> Announcement | None:
    """The announcement a staff-group button names, still shown in /terkini; None after the alert."""
    query = pressed(update)
    if _chat_id(update) != context.deps.settings.staff_group_chat_id:
        await query.answer(texts.STAFF_ONLY, show_alert=True)
        return None
    (raw_id,) = context.matched()
    announcement_id = parse_int(raw_id, minimum=1)
    item = announcements.get(context.deps.db, announcement_id) if announcement_id is not None else None
    if item is None or item.withdrawn_at is not None:
        await query.answer(texts.GONE_ALERT.format(id=html.escape(raw_id[:20])), show_alert=True)
        return None
    return item


async def ubah_button(update: Update, context: GroupContext) -> None:
    """✏️ Ubah under the list: how to edit, with the text shown now."""
    item = await _pressed_announcement(update, context)
    if item is None:
        return
    await pressed(update).answer()
    message = update.effective_message
    assert message is not None
    await message.reply_html(
        texts.EDIT_HOW.format(id=item.id, body=announcements.shown_body(item)), do_quote=True
    )


async def tarik_button(update: Update, context: GroupContext) -> None:
    """🗑 Tarik under the list: asks to confirm first."""
    item = await _pressed_announcement(update, context)
    if item is None:
        return
    await pressed(update).answer()
    message = update.effective_message
    assert message is not None
    text, markup = pages.withdraw_confirm_page(item)
    await message.reply_html(text, reply_markup=markup, do_quote=True)


async def tarik_confirmed(update: Update, context: GroupContext) -> None:
    """ "Ya, tarik": the announcement leaves /terkini; audited."""
    item = await _pressed_announcement(update, context)
    if item is None:
        return
    query = pressed(update)
    user = update.effective_user
    if not announcements.withdraw(context.deps.db, item.id, user.id if user else None):
        await query.answer(texts.GONE_ALERT.format(id=item.id), show_alert=True)
        return
    _audit(context, update, announcements.AUDIT_WITHDRAWN, item)
    await query.answer()
    who = html.escape(staff_name(context, update) or "petugas")
    await edit_or_keep(update, texts.WITHDRAWN.format(id=item.id, who=who), None)


async def tarik_cancelled(update: Update, context: GroupContext) -> None:
    query = pressed(update)
    if _chat_id(update) != context.deps.settings.staff_group_chat_id:
        await query.answer(texts.STAFF_ONLY, show_alert=True)
        return
    (raw_id,) = context.matched()
    await query.answer()
    await edit_or_keep(update, texts.WITHDRAW_CANCELLED.format(id=html.escape(raw_id[:20])), None)


async def siarkan(update: Update, context: GroupContext) -> None:
    """The broadcast button under an announcement: send it to every registered employee, once."""
    query = pressed(update)
    db = context.deps.db
    if _chat_id(update) != context.deps.settings.staff_group_chat_id:
        await query.answer(texts.STAFF_ONLY, show_alert=True)
        return
    (raw_id,) = context.matched()
    announcement_id = parse_int(raw_id)
    item = announcements.get(db, announcement_id) if announcement_id is not None else None
    if item is None:
        await query.answer(texts.NOT_FOUND, show_alert=True)
        return
    if item.withdrawn_at is not None:
        await query.answer(texts.WITHDRAWN_NO_BROADCAST.format(id=item.id), show_alert=True)
        return
    started = announcements.start_broadcast(db, item.id)
    if started is None:
        await query.answer(texts.ALREADY_BROADCAST.format(id=item.id), show_alert=True)
        broadcast.hand_over_again(db, item)
        return
    await query.answer()
    who = html.escape(update.effective_user.full_name if update.effective_user else "petugas")
    await query.edit_message_text(
        texts.BROADCASTING.format(id=item.id, started=started, who=who), parse_mode=ParseMode.HTML
    )
    await broadcast.send_out(update.get_bot(), db, item)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Wire the information group's handlers: a command and its buttons are registered next to each other."""
    private = filters.ChatType.PRIVATE
    new_messages = filters.UpdateType.MESSAGE
    # \Z, not $: data with a trailing newline is forged, and is not the button it resembles
    app.add_handler(CommandHandler(TERKINI, terkini, filters=private & new_messages))
    app.add_handler(CallbackQueryHandler(terkini_button, pattern=rf"^{INFORMATION}:{TERKINI}\Z"))
    app.add_handler(CommandHandler(list(content.AREAS), show_area, filters=private & new_messages))
    app.add_handler(CommandHandler("cari", cari, filters=private & new_messages))
    app.add_handler(CallbackQueryHandler(open_area, pattern=rf"^{INFORMATION}:([^:]*)\Z"))
    app.add_handler(CallbackQueryHandler(open_section, pattern=rf"^{INFORMATION}:([^:]*):s:([^:]*)\Z"))
    app.add_handler(CallbackQueryHandler(open_topic, pattern=rf"^{INFORMATION}:([^:]*):t:([^:]*)\Z"))
    app.add_handler(CommandHandler("umumkan", umumkan, filters=new_messages))
    app.add_handler(MessageHandler(new_messages & filters.CaptionRegex(r"^/umumkan(@\w+)?(\s|$)"), umumkan))
    app.add_handler(CallbackQueryHandler(siarkan, pattern=rf"^{INFORMATION}:siar:([^:]*)\Z"))
    app.add_handler(CallbackQueryHandler(ubah_button, pattern=rf"^{INFORMATION}:ubah:([^:]*)\Z"))
    app.add_handler(CallbackQueryHandler(tarik_button, pattern=rf"^{INFORMATION}:tarik:([^:]*)\Z"))
    app.add_handler(CallbackQueryHandler(tarik_confirmed, pattern=rf"^{INFORMATION}:tarikya:([^:]*)\Z"))
    app.add_handler(CallbackQueryHandler(tarik_cancelled, pattern=rf"^{INFORMATION}:tarikbatal:([^:]*)\Z"))
    app.add_handler(CallbackQueryHandler(stale_button))
