"""InformationFunction: the menus of the four service areas, /terkini, and /umumkan from the staff group.

A command opens an area's menu; a button edits that message in place: area → section (where the area has
sections) → topic, each with Back and Main-menu buttons. The topics come from the content OSDM publishes
(``sinawai content publish``), read from S3 with a short cache. A stale or forged button shows a menu
again, never an error.
"""

import html
import os
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.utilities.typing import LambdaContext
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sinawai.common.format_id import tanggal
from sinawai.common.numbers import parse_int
from sinawai.common.text_limits import MAX_MESSAGE_UTF16, utf16_len, visible_text
from sinawai.general import menu
from sinawai.information import announcements, content
from sinawai.information.announcements import Pacer
from sinawai.information.content import Area, Bundle
from sinawai.information.content_store import ContentStore
from sinawai.platform import service_records
from sinawai.platform.service_records import Via
from sinawai.router.commands import INFORMATION
from sinawai.telegram.runtime import GroupFunction, edit_or_keep

TERKINI = "terkini"
TERKINI_MAX_UTF16 = MAX_MESSAGE_UTF16 - 96  # Telegram's limit, with room to spare
BACK_LABEL = "⬅️ Kembali"
HOME = InlineKeyboardButton("🏠 Menu Utama", callback_data=menu.BACK_TO_MENU.callback_data)
NOT_PUBLISHED = (
    "Informasi layanan ini sedang disiapkan oleh Biro OSDM. 🙏\n"
    "Silakan coba lagi nanti, atau tuliskan pertanyaan Anda di chat ini untuk diteruskan ke petugas."
)
STALE_NOTICE = "Menu sudah diperbarui. Silakan pilih lagi."
STAFF_ONLY = (
    "Maaf, /umumkan hanya dapat digunakan oleh petugas OSDM di grup layanan kepegawaian. "
    "Untuk melihat pengumuman, ketik /terkini."
)
UMUMKAN_USAGE = (
    "Cara membuat pengumuman: <code>/umumkan TEKS PENGUMUMAN</code>, atau balas (reply) pesan yang ingin "
    "diumumkan dengan <code>/umumkan</code>."
)
NO_ANNOUNCEMENTS = "Belum ada pengumuman terbaru. Silakan periksa kembali nanti."

function = GroupFunction(INFORMATION, lambda app: register(app))
store = ContentStore(function.settings.documents_bucket)
BROADCAST_QUEUE_URL = os.environ.get("BROADCAST_QUEUE_URL", "").strip()
RATE = float(
    os.environ.get("BROADCAST_MESSAGES_PER_SECOND", "").strip() or announcements.DEFAULT_MESSAGES_PER_SECOND
)


def main_menu_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.callback_data) for b in row]
            for row in menu.MAIN_MENU
        ]
    )


def area_page(bundle: Bundle, area: Area) -> tuple[str, InlineKeyboardMarkup]:
    text = f"<b>{html.escape(area.title)}</b>\n{area.intro_html}"
    if area.sections:
        rows = [
            [InlineKeyboardButton(s.title, callback_data=content.section_callback(area.id, s.id))]
            for s in area.sections
        ]
    else:
        rows = [
            [InlineKeyboardButton(t.title, callback_data=content.topic_callback(area.id, t.id))]
            for t in bundle.topics_of(area.id)
        ]
    return text, InlineKeyboardMarkup([*rows, [HOME]])


def section_page(bundle: Bundle, area: Area, section_id: str) -> tuple[str, InlineKeyboardMarkup] | None:
    section = next((s for s in area.sections if s.id == section_id), None)
    if section is None:
        return None
    text = f"<b>{html.escape(area.title)} › {html.escape(section.title)}</b>\nSilakan pilih topik:"
    rows = [
        [InlineKeyboardButton(t.title, callback_data=content.topic_callback(area.id, t.id))]
        for t in bundle.topics_of(area.id, section.id)
    ]
    back = InlineKeyboardButton(BACK_LABEL, callback_data=content.area_callback(area.id))
    return text, InlineKeyboardMarkup([*rows, [back, HOME]])


def topic_page(bundle: Bundle, area: Area, topic_id: str) -> tuple[str, InlineKeyboardMarkup] | None:
    topic = bundle.topic(topic_id)
    if topic is None or topic.area != area.id:
        return None
    target = (
        content.section_callback(area.id, topic.section) if topic.section else content.area_callback(area.id)
    )
    back = InlineKeyboardButton(BACK_LABEL, callback_data=target)
    return content.answer_html(topic, area), InlineKeyboardMarkup([[back, HOME]])


def not_published_page() -> tuple[str, InlineKeyboardMarkup]:
    return NOT_PUBLISHED, InlineKeyboardMarkup([[HOME]])


def terkini_page() -> str:
    items = announcements.latest(function.db)
    if not items:
        return NO_ANNOUNCEMENTS
    zone = ZoneInfo(function.settings.timezone)
    blocks: list[str] = []
    for item in items:
        day = tanggal(item.posted_at.replace(tzinfo=UTC).astimezone(zone).date())
        blocks.append(f"📌 <i>{day}</i>\n{announcements.shown_body(item)}")
    text = "<b>Info Terkini Kepegawaian</b>\n\n" + "\n\n".join(blocks)
    # the newest always fits (its body is at most MAX_BODY_UTF16); older ones go while the whole does not
    while utf16_len(visible_text(text)) > TERKINI_MAX_UTF16 and len(blocks) > 1:
        blocks.pop()
        text = "<b>Info Terkini Kepegawaian</b>\n\n" + "\n\n".join(blocks)
    return text


def record(chat_id: int, area: str, topic_id: str | None, via: Via) -> None:
    service_records.record_view(function.db, chat_id, area, topic_id, via)


# ---- commands ------------------------------------------------------------------------------------------


async def edit_or_keep_page(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    """Show a content page in the pressed message, links without previews."""
    await edit_or_keep(update, text, markup, link_preview=False)


async def show_area(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Open the menu of the area named by the command."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    area_id = message.text.split(maxsplit=1)[0][1:].partition("@")[0].lower()
    bundle = store.get()
    area = bundle.area(area_id)
    text, markup = area_page(bundle, area) if area else not_published_page()
    await message.reply_html(text, reply_markup=markup, disable_web_page_preview=True)
    record(message.chat_id, area_id, None, "command")


async def terkini(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the latest announcements."""
    message = update.effective_message
    assert message is not None
    await message.reply_html(terkini_page(), reply_markup=InlineKeyboardMarkup([[HOME]]))
    record(message.chat_id, TERKINI, None, "command")


def in_staff_group(chat_id: int) -> bool:
    staff = function.settings.staff_group_chat_id
    return staff is not None and chat_id == staff


async def umumkan(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store an announcement from the staff group and offer to broadcast it; refused anywhere else."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    if not in_staff_group(message.chat_id):
        await message.reply_text(STAFF_ONLY)
        return
    # as a text, or as the caption of a photo or file (its text is announced; the file is not kept)
    given = (message.text or message.caption or "").split(maxsplit=1)
    text = given[1].strip() if len(given) > 1 else ""
    source = message.reply_to_message
    if not text and source is not None:
        text = (source.text or source.caption or "").strip()
    if not text:
        await message.reply_html(UMUMKAN_USAGE, do_quote=True)
        return
    problem = announcements.body_problem(text)
    if problem is not None:
        await message.reply_text(problem, do_quote=True)
        return
    item = announcements.post(
        function.db,
        text=text,
        posted_by=user.id if user else None,
        posted_by_name=user.full_name if user else None,
        staff_chat_id=message.chat_id,
        source_message_id=source.message_id if source else message.message_id,
        update_id=update.update_id,
    )
    audience = announcements.recipients_count(function.db)
    broadcast = InlineKeyboardButton(
        f"📣 Siarkan ke {audience} pegawai terdaftar", callback_data=f"{INFORMATION}:siar:{item.id}"
    )
    await message.reply_html(
        f"✅ Pengumuman #{item.id} disimpan dan kini tampil di /terkini.\n"
        "Tekan tombol di bawah ini bila pengumuman juga perlu dikirim ke setiap pegawai.",
        reply_markup=InlineKeyboardMarkup([[broadcast]]),
        do_quote=True,
    )


# ---- buttons -------------------------------------------------------------------------------------------


async def start_broadcast(update: Update, raw_id: str) -> None:
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    if not in_staff_group(chat.id):
        await query.answer(STAFF_ONLY, show_alert=True)
        return
    announcement_id = parse_int(raw_id)
    item = announcements.get(function.db, announcement_id) if announcement_id is not None else None
    if item is None:
        await query.answer("Pengumuman tidak ditemukan.", show_alert=True)
        return
    started = announcements.start_broadcast(function.db, item.id)
    if started is None:
        await query.answer(f"Pengumuman #{item.id} sudah disiarkan sebelumnya.", show_alert=True)
        left = announcements.pending(function.db, item.id)
        if BROADCAST_QUEUE_URL and left:
            # Started, but its hand-over to the queue may have been cut short: hand the rest over again
            # (the sender skips whoever has it already, and FIFO deduplication drops repeats).
            announcements.enqueue(BROADCAST_QUEUE_URL, item.id, left)
        return
    await query.answer()
    who = html.escape(update.effective_user.full_name if update.effective_user else "petugas")
    await query.edit_message_text(
        f"📣 Pengumuman #{item.id} sedang disiarkan ke {started} pegawai (oleh {who}). "
        "Ringkasan pengiriman akan dikirim ke grup ini setelah selesai.",
        parse_mode=ParseMode.HTML,
    )
    bot = update.get_bot()
    if BROADCAST_QUEUE_URL:
        announcements.enqueue(BROADCAST_QUEUE_URL, item.id, announcements.pending(function.db, item.id))
    else:
        await announcements.deliver(bot, function.db, item, None, Pacer(RATE))
        await announcements.send_summary_if_done(bot, function.db, item)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Walk the menus in place; a stale or forged button shows the nearest menu that still exists."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    parts = (query.data or "").split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action == "siar" and len(parts) == 3:
        await start_broadcast(update, parts[2])
        return
    if chat.type != ChatType.PRIVATE:
        await query.answer()
        return
    if action == TERKINI and len(parts) == 2:
        await query.answer()
        await edit_or_keep_page(update, terkini_page(), InlineKeyboardMarkup([[HOME]]))
        record(chat.id, TERKINI, None, "button")
        return
    bundle = store.get()
    area = bundle.area(action)
    if area is None:
        # Unknown area (forged, or content not published): the main menu again.
        if not bundle.areas:
            await query.answer()
            await edit_or_keep_page(update, *not_published_page())
            return
        await query.answer(STALE_NOTICE)
        await edit_or_keep_page(update, menu.MENU_TEXT, main_menu_markup())
        return
    page: tuple[str, InlineKeyboardMarkup] | None = None
    topic_id: str | None = None
    if len(parts) == 2:
        page = area_page(bundle, area)
    elif len(parts) == 4 and parts[2] == "s":
        page = section_page(bundle, area, parts[3])
    elif len(parts) == 4 and parts[2] == "t":
        page = topic_page(bundle, area, parts[3])
        topic_id = parts[3] if page else None
    if page is None:
        await query.answer(STALE_NOTICE)
        await edit_or_keep_page(update, *area_page(bundle, area))
        record(chat.id, area.id, None, "button")
        return
    await query.answer()
    await edit_or_keep_page(update, *page)
    record(chat.id, area.id, topic_id, "button")


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    new_messages = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler(list(content.AREAS), show_area, filters=private & new_messages))
    app.add_handler(CommandHandler(TERKINI, terkini, filters=private & new_messages))
    app.add_handler(CommandHandler("umumkan", umumkan, filters=new_messages))
    app.add_handler(MessageHandler(new_messages & filters.CaptionRegex(r"^/umumkan(@\w+)?(\s|$)"), umumkan))
    app.add_handler(CallbackQueryHandler(on_button))


@function.logger.inject_lambda_context(clear_state=True)
@function.metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return function.handle(event, context)
