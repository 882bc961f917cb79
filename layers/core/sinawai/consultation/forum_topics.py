"""One forum topic per area of Biro OSDM (``CONSULTATION_FORUM_TOPICS=area``): each staff group's topic of
an area ("Bidang Mutasi", ...) is created the first time a ticket of that area needs it and remembered in
MySQL (``staff_forum_topic``); a ticket's header and messages go into its area's topic. A ticket moved to
another area (``/area N``) gets a short notice in the new area's topic with a link to its header (Telegram
cannot move messages); its later posts go there and reply to that notice.

In an area topic a message without a reply belongs to no ticket (unlike a ticket's own topic): the staff
answer by replying to a ticket's message, as in a group without topics.
"""

from __future__ import annotations

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from sinawai.consultation import areas, store, ticket_messages
from sinawai.consultation import texts as t
from sinawai.consultation.deps import Consultation
from sinawai.consultation.store import Ticket
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database


def stored_topic(db: Database, staff_chat_id: int, area: str) -> int | None:
    row = db.fetch_one(
        "SELECT message_thread_id FROM staff_forum_topic WHERE staff_chat_id = %s AND area = %s",
        (staff_chat_id, area),
    )
    return int(row["message_thread_id"]) if row else None


def is_area_topic(db: Database, staff_chat_id: int, thread_id: int) -> bool:
    row = db.fetch_one(
        "SELECT 1 AS x FROM staff_forum_topic WHERE staff_chat_id = %s AND message_thread_id = %s",
        (staff_chat_id, thread_id),
    )
    return row is not None


def topic_name(area: str) -> str:
    return f"Bidang {areas.label(area)}"[:128]


async def topic_for_area(c: Consultation, bot: Bot, staff_chat_id: int, area: str) -> int | None:
    """The area's topic in the staff group, created once (under a lock: two tickets of a new area at the
    same moment make one topic); None when the group is not a forum (or Telegram refused the topic)."""
    found = stored_topic(c.db, staff_chat_id, area)
    if found is not None:
        return found
    lock = f"sinawai-topic-{staff_chat_id}-{area}"
    c.db.fetch_one("SELECT GET_LOCK(%s, 30) AS locked", (lock,))
    try:
        found = stored_topic(c.db, staff_chat_id, area)
        if found is not None:
            return found
        try:
            topic = await bot.create_forum_topic(staff_chat_id, topic_name(area))
        except BadRequest as e:
            c.logger.warning("no forum topic for the area", extra={"area": area, "reason": e.message})
            return None
        c.db.execute(
            "INSERT INTO staff_forum_topic (staff_chat_id, area, message_thread_id, created_at)"
            " VALUES (%s, %s, %s, %s)",
            (staff_chat_id, area, topic.message_thread_id, utcnow()),
        )
        return int(topic.message_thread_id)
    finally:
        c.db.fetch_one("SELECT RELEASE_LOCK(%s) AS released", (lock,))


def header_link(staff_chat_id: int, thread_id: int | None, message_id: int) -> str | None:
    """A t.me link to a message of a supergroup (``-100…`` ids); None for any other chat."""
    raw = str(staff_chat_id)
    if not raw.startswith("-100"):
        return None
    topic = f"{thread_id}/" if thread_id else ""
    return f"https://t.me/c/{raw[4:]}/{topic}{message_id}"


async def move(c: Consultation, bot: Bot, before: Ticket, area: str) -> None:
    """The ticket's area changed to ``area``: when it sits in an area topic (or in none, its header posted
    before topics were used), its later posts go to the new area's topic, which gets a short notice with a
    link to the header. A ticket in its own topic (CONSULTATION_FORUM_TOPICS=true earlier) stays there."""
    thread = before.message_thread_id
    if before.header_message_id is None or before.status.value == "selesai":
        return
    if thread is not None and not is_area_topic(c.db, before.staff_chat_id, thread):
        return
    new_thread = await topic_for_area(c, bot, before.staff_chat_id, area)
    if new_thread is None or new_thread == thread:
        return
    store.set_thread(c.db, before.id, new_thread)
    link = header_link(before.staff_chat_id, thread, before.header_message_id)
    try:
        sent = await bot.send_message(
            before.staff_chat_id,
            t.moved_to_area(before.id, areas.label(area), link),
            parse_mode=ParseMode.HTML,
            message_thread_id=new_thread,
        )
    except TelegramError:
        c.logger.exception("could not post the moved ticket's notice", extra={"ticket": before.id})
        return
    # a reply to the notice answers the ticket; later posts of the ticket reply to it
    ticket_messages.map_message(c.db, before.id, before.staff_chat_id, sent.message_id, "moved")
