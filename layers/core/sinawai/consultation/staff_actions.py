"""Staff tools in the staff group (issue 15): the employee of a ticket, in full, for the staff member who
asks, in their private chat with the bot ("👤 Data pegawai" under a header, and /pegawai N).

The staff group is a Telegram group: its headers mask the NIP. A staff member needs the full NIP, position
and rank to look the employee up in the HR systems; that is their duty, so the data go to the private chat
of a registered staff member (role staf or admin) only, never to the group, and each view is audited
(``staff_viewed_employee``).

An admin can also stop a ticket's sender for a while (/blokir N [jam], /bukablokir N; blocks.py).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from sinawai.common.working_hours import when_text
from sinawai.consultation import block_store, blocks, staff_delivery, store
from sinawai.consultation import staff_texts as st
from sinawai.consultation import texts as t
from sinawai.consultation.deps import Consultation, say
from sinawai.consultation.store import Ticket
from sinawai.registration import employees
from sinawai.telegram.invocation import personal_reply

AUDIT_EVENT = "staff_viewed_employee"


@dataclass(frozen=True)
class Outcome:
    """What the staff member is told: a short text (an alert for a button, a reply for a command), and a
    message for the group when the data could not be sent (how to open the private chat)."""

    text: str
    group_text: str | None = None
    group_markup: InlineKeyboardMarkup | None = None


def staff_member(c: Consultation, user_id: int) -> employees.Employee | None:
    """The registered, active staff member (role staf or admin) behind a Telegram account, else None."""
    staff = employees.by_telegram(c.db, user_id)
    if staff is None or not staff.active or staff.role not in staff_delivery.STAFF_ROLES:
        return None
    return staff


async def send_employee_data(c: Consultation, update: Update, ticket: Ticket) -> Outcome:
    """Send the ticket's employee data to the acting staff member's private chat; audited."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None
    staff = staff_member(c, user.id)
    if staff is None:
        return Outcome(st.NOT_STAFF)
    if ticket.nip is None:
        return Outcome(st.GUEST_TICKET.format(id=ticket.id))
    employee = employees.by_nip(c.db, ticket.nip)
    if employee is None:
        return Outcome(st.EMPLOYEE_GONE.format(id=ticket.id))
    open_tickets = [(o.id, o.status, o.created_at) for o in store.open_of(c.db, ticket.nip)]
    card = st.employee_card(ticket.id, employee.row, employee.jenis_asn, open_tickets, c.settings.zone)
    try:
        with personal_reply("staff_employee_data"):
            await update.get_bot().send_message(user.id, card, parse_mode=ParseMode.HTML)
    except (Forbidden, BadRequest):
        url = f"https://t.me/{update.get_bot().username}?start=menu"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(st.OPEN_BOT_LABEL, url=url)]])
        return Outcome(st.CANNOT_SEND_ALERT, st.cannot_send(ticket.id, staff.nama), markup)
    employees.audit(
        c.db,
        AUDIT_EVENT,
        telegram_user_id=user.id,
        chat_id=chat.id if chat else None,
        nip=ticket.nip,
        detail={"ticket": ticket.id, "by": staff.nip},
    )
    return Outcome(st.SENT_PRIVATELY.format(id=ticket.id))


# ---- /blokir N [jam], /bukablokir N ----------------------------------------------------------------------


def _sender_name(c: Consultation, ticket: Ticket) -> str:
    """The sender as the staff group may see them: the employee's name, or the guest's Telegram name."""
    if ticket.nip is None:
        return f"tamu {ticket.guest_name or '-'}"
    employee = employees.by_nip(c.db, ticket.nip)
    return employee.nama if employee is not None else "-"


def _admin(c: Consultation, update: Update) -> employees.Employee | None:
    user = update.effective_user
    staff = staff_member(c, user.id) if user is not None else None
    return staff if staff is not None and staff.role == "admin" else None


def block(c: Consultation, update: Update, ticket: Ticket, hours: int) -> str:
    """An admin stops the ticket's sender from opening or adding to tickets for ``hours``; audited."""
    admin = _admin(c, update)
    if admin is None:
        return st.ADMIN_ONLY
    if ticket.nip is not None and ticket.nip == admin.nip:
        return st.OWN_TICKET_BLOCK
    chat = update.effective_chat
    until = block_store.add(
        c.db,
        nip=ticket.nip,
        guest_telegram_id=ticket.guest_telegram_id,
        ticket_id=ticket.id,
        by=admin.telegram_id or 0,
        hours=hours,
    )
    employees.audit(
        c.db,
        blocks.AUDIT_BLOCKED,
        telegram_user_id=admin.telegram_id,
        chat_id=chat.id if chat else None,
        nip=ticket.nip,
        detail={"ticket": ticket.id, "hours": hours, "by": admin.nip, "guest": ticket.guest_telegram_id},
    )
    return st.blocked(ticket.id, _sender_name(c, ticket), until, c.settings.zone)


def unblock(c: Consultation, update: Update, ticket: Ticket) -> str:
    """An admin ends the block of the ticket's sender early; audited."""
    admin = _admin(c, update)
    if admin is None:
        return st.ADMIN_ONLY
    who = html.escape(_sender_name(c, ticket))
    lifted = block_store.lift(
        c.db, nip=ticket.nip, guest_telegram_id=ticket.guest_telegram_id, by=admin.telegram_id or 0
    )
    if not lifted:
        return st.NOT_BLOCKED.format(id=ticket.id, who=who)
    chat = update.effective_chat
    employees.audit(
        c.db,
        blocks.AUDIT_UNBLOCKED,
        telegram_user_id=admin.telegram_id,
        chat_id=chat.id if chat else None,
        nip=ticket.nip,
        detail={"ticket": ticket.id, "by": admin.nip, "guest": ticket.guest_telegram_id},
    )
    return st.UNBLOCKED.format(id=ticket.id, who=who)


async def stopped_by_block(c: Consultation, update: Update, nip: str | None) -> bool:
    """Whether the sender of this private message is blocked (then nothing is placed): the first message of
    a block is answered with the notice, the others get no answer."""
    user = update.effective_user
    if user is None:
        return False
    running = block_store.active(c.db, nip=nip, guest_telegram_id=None if nip else user.id)
    if running is None:
        return False
    if block_store.claim_notice(c.db, running.id):
        until = when_text(running.until_at.replace(tzinfo=UTC), c.settings.zone)
        await say(update, t.SENDER_BLOCKED.format(until=until))
    return True
