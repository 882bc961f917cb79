"""Hand-over and areas in the staff group: ``/alihkan N @staf`` (or ``/alihkan N`` and a colleague's
button) gives a ticket to a colleague, ``/area N BIDANG`` files it under an area of Biro OSDM, ``/tiket
BIDANG`` and ``/tiket saya`` filter the list.

A colleague is a registered staff member (role staf or admin, active, bound to a Telegram account) who is in
the staff group: the bot knows no usernames, so ``@name`` is looked up among the registered staff with
getChatMember (a handful of calls in a group of staff), and a mention without a username carries its user.
"""

from __future__ import annotations

import html

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from sinawai.consultation import areas, forum_topics, handover_store, my_tickets, service
from sinawai.consultation import texts as t
from sinawai.consultation.deps import Consultation, staff_actor
from sinawai.consultation.handover_store import StaffMember
from sinawai.consultation.store import Ticket
from sinawai.registration import employees
from sinawai.router.commands import CONSULTATION

GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
MAX_CHOICES = 24  # buttons under /alihkan N (two to a row)


def choice_buttons(ticket_id: int, staff: list[StaffMember]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            f"👤 {member.nama}"[:64], callback_data=f"{CONSULTATION}:alih:{ticket_id}:{member.telegram_id}"
        )
        for member in staff[:MAX_CHOICES]
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def _in_group(bot: Bot, chat_id: int, telegram_id: int) -> tuple[bool, str | None]:
    """Whether the account is in the staff group, and its username."""
    try:
        member = await bot.get_chat_member(chat_id, telegram_id)
    except TelegramError:
        return False, None
    return member.status not in GONE, member.user.username


async def colleague_named(c: Consultation, bot: Bot, message: Message, raw: str) -> StaffMember | None:
    """The registered staff member in the group that ``@username`` (or a mention of a user) names."""
    for entity in message.entities:
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None:
            member = handover_store.staff_member(c.db, entity.user.id)
            if member is None:
                return None
            return member if (await _in_group(bot, message.chat_id, member.telegram_id))[0] else None
    wanted = raw.strip().lstrip("@").lower()
    if not wanted:
        return None
    for member in handover_store.staff_members(c.db):
        present, username = await _in_group(bot, message.chat_id, member.telegram_id)
        if present and username is not None and username.lower() == wanted:
            return member
    return None


async def alihkan(
    c: Consultation, update: Update, ticket: Ticket, rest: list[str]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """/alihkan N [@colleague]: the answer for the group (HTML), and the colleagues' buttons when none was
    named."""
    message = update.effective_message
    assert message is not None
    if ticket.status.value == "selesai":
        return t.ALIHKAN_CLOSED.format(id=ticket.id), None
    bot = update.get_bot()
    if not rest:
        staff = []
        for member in handover_store.staff_members(c.db):
            if (await _in_group(bot, message.chat_id, member.telegram_id))[0]:
                staff.append(member)
        if not staff:
            return t.ALIHKAN_NO_STAFF, None
        return t.ALIHKAN_CHOOSE.format(id=ticket.id), choice_buttons(ticket.id, staff)
    colleague = await colleague_named(c, bot, message, rest[0])
    if colleague is None:
        return t.not_staff(rest[0]), None
    return await give(c, update, ticket, colleague), None


async def give(c: Consultation, update: Update, ticket: Ticket, colleague: StaffMember) -> str:
    """Hand the ticket to the colleague: recorded, the header shows them; the answer mentions them."""
    if ticket.assigned_staff_id == colleague.telegram_id:
        return t.ALIHKAN_SAME.format(id=ticket.id, who=html.escape(colleague.nama))
    if ticket.nip is not None:
        owner = employees.by_nip(c.db, ticket.nip)
        if owner is not None and owner.telegram_id == colleague.telegram_id:
            return t.ALIHKAN_OWN.format(id=ticket.id, who=html.escape(colleague.nama))
    actor = staff_actor(c, update)
    handed = handover_store.hand_over(c.db, ticket, colleague, actor)
    if handed is None:
        return t.ALIHKAN_CLOSED.format(id=ticket.id)
    bot = update.get_bot()
    await service.refresh_header(c, bot, ticket.id)
    # The employee hears of it once (a retry of this update sends nothing again), without the staff name:
    # a ticket nobody handled yet reads as taken, one someone handled as handed to another staff member.
    text = (
        t.HANDED_OVER_FOR_EMPLOYEE if ticket.assigned_staff_id is not None else t.TAKEN_FOR_EMPLOYEE
    ).format(id=ticket.id)
    await c.once(
        update,
        "handover_notice",
        lambda: my_tickets.notify(c, bot, handed, service.recipient(c, handed), text),
    )
    return t.handed_over(ticket.id, colleague.telegram_id, colleague.nama, actor.name or "petugas")


async def set_area(c: Consultation, update: Update, ticket: Ticket, raw: str) -> str:
    """/area N BIDANG: the ticket's area changed (the header follows); an unknown area changes nothing."""
    area = areas.parse_area(raw)
    if area is None:
        return t.unknown_area(raw)
    actor = staff_actor(c, update)
    if not handover_store.set_area(c.db, ticket.id, area, actor):
        return t.area_unchanged(ticket.id, area)
    bot = update.get_bot()
    await service.refresh_header(c, bot, ticket.id)
    if c.settings.forum_topics_by_area:
        await forum_topics.move(c, bot, ticket, area)
    return t.area_set(ticket.id, area, actor.name or "petugas")


def tiket_list(c: Consultation, update: Update, args: list[str]) -> str:
    """/tiket, /tiket saya, /tiket BIDANG; anything else: what can follow /tiket."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    if not args:
        return service.open_list(c, message.chat_id)
    if len(args) == 1 and args[0].lower() == "saya" and user is not None:
        return service.open_list(c, message.chat_id, assigned_to=user.id)
    area = areas.parse_area(args[0]) if len(args) == 1 else None
    if area is None:
        return t.unknown_tiket_filter(" ".join(args))
    return service.open_list(c, message.chat_id, area=area)
