"""Staff tools in the staff group (issue 15): the employee of a ticket, in full, for the staff member who
asks, in their private chat with the bot ("👤 Data pegawai" under a header, and /pegawai N).

The staff group is a Telegram group: its headers mask the NIP. A staff member needs the full NIP, position
and rank to look the employee up in the HR systems; that is their duty, so the data go to the private chat
of a registered staff member (role staf or admin) only, never to the group, and each view is audited
(``staff_viewed_employee``).
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from sinawai.consultation import staff_delivery, store
from sinawai.consultation import staff_texts as st
from sinawai.consultation.deps import Consultation
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
