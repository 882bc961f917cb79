"""The one check every personal service makes: is this Telegram account a registered, active employee
(and, for an action on a ticket, the one bound to its NIP now)? Each feature says in its own words why
not; the check itself is here, once."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from sinawai.platform.db import Database
from sinawai.registration.employees import Employee, by_telegram
from sinawai.router.commands import REGISTRATION

DAFTAR_BUTTON = "📝 Daftar sekarang"
LUPA_SANDI_BUTTON = "🔑 Lupa kata sandi"


def daftar_markup() -> InlineKeyboardMarkup:
    """Under every "not registered": the guided /daftar, and the way back in for a forgotten password."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(DAFTAR_BUTTON, callback_data=f"{REGISTRATION}:daftar"),
                InlineKeyboardButton(LUPA_SANDI_BUTTON, callback_data=f"{REGISTRATION}:lupasandi"),
            ]
        ]
    )


@dataclass(frozen=True)
class Refusals:
    """What to tell an account that may not act (Indonesian, HTML)."""

    not_registered: str  # no employee is bound to the account (or another NIP is, for a NIP check)
    inactive: str  # the bound employee's status is nonaktif


async def active_employee(
    update: Update, db: Database, refusals: Refusals, *, nip: str | None = None, alert: bool = False
) -> Employee | None:
    """The active employee bound to the sender's account now (and to ``nip`` when given), or None after
    telling the sender why not: as a short alert on a button when ``alert``, else as a message. An
    account that is not registered at all always gets a message with the guided /daftar's button (in
    every group, for a command and a button alike: one way in)."""
    user = update.effective_user
    employee = by_telegram(db, user.id) if user is not None else None
    query = update.callback_query
    if employee is None:
        if query is not None:
            await query.answer()
        if update.effective_chat is not None:
            await update.get_bot().send_message(
                update.effective_chat.id,
                refusals.not_registered,
                parse_mode=ParseMode.HTML,
                reply_markup=daftar_markup(),
            )
        return None
    if nip is not None and employee.nip != nip:
        text = refusals.not_registered
    elif not employee.active:
        text = refusals.inactive
    else:
        return employee
    if alert and query is not None:
        # an alert shows plain text: the HTML of the message form is dropped
        await query.answer(html.unescape(_strip_tags(text)), show_alert=True)
    elif update.effective_chat is not None:
        await update.get_bot().send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML)
    return None


def _strip_tags(text: str) -> str:
    for tag in ("<b>", "</b>", "<i>", "</i>", "<code>", "</code>"):
        text = text.replace(tag, "")
    return text
