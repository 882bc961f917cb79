"""The pages the information menus show: an area, a section, a topic, the latest announcements.

Each page is its text (Telegram HTML) and its buttons; the callback data comes from ``content`` (one place
builds it) and keeps its shape, since Telegram clients hold old buttons.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from sinawai.common.format_id import tanggal
from sinawai.common.text_limits import MAX_MESSAGE_UTF16, cut_escaped_utf16, utf16_len, visible_text
from sinawai.general import menu
from sinawai.information import announcements, content, texts
from sinawai.information.announcements import Announcement
from sinawai.information.content import Area, Bundle, Topic
from sinawai.platform import service_records
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database
from sinawai.router.commands import INFORMATION

Page = tuple[str, InlineKeyboardMarkup]

TERKINI_MAX_UTF16 = MAX_MESSAGE_UTF16 - 96  # Telegram's limit, with room to spare
BACK_LABEL = menu.BACK_LABEL
HOME = InlineKeyboardButton(menu.BACK_TO_MENU.label, callback_data=menu.BACK_TO_MENU.callback_data)


def area_page(bundle: Bundle, area: Area) -> Page:
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


def section_page(bundle: Bundle, area: Area, section_id: str) -> Page | None:
    section = next((s for s in area.sections if s.id == section_id), None)
    if section is None:
        return None
    text = f"<b>{html.escape(area.title)} › {html.escape(section.title)}</b>\n{texts.SECTION_PROMPT}"
    rows = [
        [InlineKeyboardButton(t.title, callback_data=content.topic_callback(area.id, t.id))]
        for t in bundle.topics_of(area.id, section.id)
    ]
    back = InlineKeyboardButton(BACK_LABEL, callback_data=content.area_callback(area.id))
    return text, InlineKeyboardMarkup([*rows, [back, HOME]])


def draft_notice_due(db: Database, chat_id: int, bundle: Bundle) -> bool:
    """Whether a draft topic shown in this chat now says it awaits OSDM's confirmation: once per
    conversation (not again within DRAFT_NOTICE_GAP_HOURS of a draft topic shown before)."""
    since = utcnow() - timedelta(hours=content.DRAFT_NOTICE_GAP_HOURS)
    return content.draft_notice_due(bundle, service_records.topics_viewed_since(db, chat_id, since))


def topic_page(
    bundle: Bundle, area: Area, topic_id: str, jenis_asn: str | None = None, *, notice: bool = True
) -> Page | None:
    """A topic's answer as a reader of type ``jenis_asn`` reads it (None: unknown; see content.for_reader),
    with the draft notice when ``notice``."""
    topic = bundle.topic(topic_id)
    if topic is None or topic.area != area.id:
        return None
    target = (
        content.section_callback(area.id, topic.section) if topic.section else content.area_callback(area.id)
    )
    back = InlineKeyboardButton(BACK_LABEL, callback_data=target)
    shown = content.for_reader(bundle, topic, jenis_asn)
    return content.answer_html(shown, area, notice=notice), InlineKeyboardMarkup([[back, HOME]])


def search_page(query: str, found: Sequence[Topic]) -> Page:
    """/cari: the topics found, as buttons that open them (Back from a topic leads to its menu)."""
    shown = html.escape(query)
    if not found:
        return texts.CARI_NONE.format(query=shown), InlineKeyboardMarkup([[HOME]])
    rows = [
        [InlineKeyboardButton(t.title, callback_data=content.topic_callback(t.area, t.id))] for t in found
    ]
    return texts.CARI_FOUND.format(query=shown, count=len(found)), InlineKeyboardMarkup([*rows, [HOME]])


def not_published_page() -> Page:
    return texts.NOT_PUBLISHED, InlineKeyboardMarkup([[HOME]])


def terkini_page(items: Sequence[Announcement], timezone: str) -> Page:
    """The latest announcements, newest first, as many as fit in one message."""
    home = InlineKeyboardMarkup([[HOME]])
    if not items:
        return texts.NO_ANNOUNCEMENTS, home
    zone = ZoneInfo(timezone)
    blocks: list[str] = []
    for item in items:
        day = tanggal(item.posted_at.replace(tzinfo=UTC).astimezone(zone).date())
        blocks.append(f"📌 <i>{day}</i>\n{announcements.shown_body(item)}")
    text = f"{texts.TERKINI_TITLE}\n\n" + "\n\n".join(blocks)
    # the newest always fits (its body is at most MAX_BODY_UTF16); older ones go while the whole does not
    while utf16_len(visible_text(text)) > TERKINI_MAX_UTF16 and len(blocks) > 1:
        blocks.pop()
        text = f"{texts.TERKINI_TITLE}\n\n" + "\n\n".join(blocks)
    return text, home


PREVIEW_UTF16 = 200  # each announcement's first words in the staff group's list


def staff_announcements_page(
    items: Sequence[Announcement], timezone: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """/umumkan without text in the staff group: the announcements /terkini shows, each with its ✏️ Ubah
    and 🗑 Tarik buttons, and how to make, edit and withdraw one (no keyboard when there is none: Telegram
    refuses an empty one)."""
    zone = ZoneInfo(timezone)
    blocks: list[str] = [texts.STAFF_LIST_TITLE if items else texts.STAFF_LIST_EMPTY]
    rows: list[list[InlineKeyboardButton]] = []
    for item in items:
        blocks.append(
            texts.STAFF_LIST_ENTRY.format(
                id=item.id,
                day=tanggal(item.posted_at.replace(tzinfo=UTC).astimezone(zone).date()),
                who=html.escape(item.posted_by_name or "-"),
                broadcast=texts.STAFF_LIST_BROADCAST if item.broadcast_at is not None else "",
                preview=cut_escaped_utf16(item.body, PREVIEW_UTF16),
            )
        )
        rows.append(
            [
                InlineKeyboardButton(
                    texts.EDIT_LABEL.format(id=item.id), callback_data=f"{INFORMATION}:ubah:{item.id}"
                ),
                InlineKeyboardButton(
                    texts.WITHDRAW_LABEL.format(id=item.id), callback_data=f"{INFORMATION}:tarik:{item.id}"
                ),
            ]
        )
    if items:
        blocks.append(texts.STAFF_LIST_FOOTER)
    blocks.append(texts.UMUMKAN_USAGE)
    return "\n\n".join(blocks), InlineKeyboardMarkup(rows) if rows else None


def withdraw_confirm_page(item: Announcement) -> Page:
    broadcast = texts.WITHDRAW_CONFIRM_BROADCAST if item.broadcast_at is not None else ""
    buttons = [
        InlineKeyboardButton(texts.CONFIRM_WITHDRAW_LABEL, callback_data=f"{INFORMATION}:tarikya:{item.id}"),
        InlineKeyboardButton(
            texts.CANCEL_WITHDRAW_LABEL, callback_data=f"{INFORMATION}:tarikbatal:{item.id}"
        ),
    ]
    return texts.WITHDRAW_CONFIRM.format(id=item.id, broadcast=broadcast), InlineKeyboardMarkup([buttons])
