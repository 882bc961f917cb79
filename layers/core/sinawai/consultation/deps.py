"""What every consultation use case works with: the database, the log, the feature's settings, the published
content, and ``once`` (a Telegram call made once per update, whatever Lambda retries)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from sinawai.consultation import texts as t
from sinawai.consultation.config import ConsultationSettings
from sinawai.consultation.ticket_events import Actor, ActorType
from sinawai.information.content_store import ContentStore
from sinawai.platform.db import Database
from sinawai.registration.guards import Refusals
from sinawai.telegram.runtime import GroupContext, GroupFunction

Once = Callable[[Update, str, Callable[[], Awaitable[int | None]]], Awaitable[int | None]]


@dataclass(frozen=True)
class Consultation:
    db: Database
    logger: Logger
    settings: ConsultationSettings
    content: ContentStore
    once: Once

    @property
    def staff_group(self) -> int | None:
        return self.settings.staff_group


@functools.cache
def consultation_of(function: GroupFunction) -> Consultation:
    """The function's consultation dependencies, built once per container (per GroupFunction)."""
    content = ContentStore(function.settings.documents_bucket)
    return Consultation(
        db=function.db,
        logger=function.logger,
        # the working calendar comes with the published content: one store, one cache
        settings=ConsultationSettings.from_env(function.settings, lambda: content.get().calendar),
        content=content,
        once=function.once,
    )


def consultation(context: GroupContext) -> Consultation:
    """A handler's consultation dependencies."""
    return consultation_of(context.deps)


# Why an account may not ask a question, and may not act on a question or a ticket (an old button, a
# pending comment) of a NIP it is not bound to (any more).
ASKING = Refusals(not_registered=t.NOT_REGISTERED, inactive=t.INACTIVE)
ACTING = Refusals(not_registered=t.NOT_BOUND_ACTION, inactive=t.INACTIVE_ACTION)


def actor_of(update: Update, actor_type: ActorType) -> Actor:
    user = update.effective_user
    return Actor(actor_type, user.id if user else None, user.full_name if user else None)


def registered_name(db: Database, telegram_id: int | None) -> str | None:
    """The registered name (pengguna.nama) of a Telegram account, when it is bound to one."""
    if telegram_id is None:
        return None
    row = db.fetch_one("SELECT nama FROM pengguna WHERE id_telegram = %s", (telegram_id,))
    return str(row["nama"]) if row and row["nama"] else None


def staff_actor(c: Consultation, update: Update) -> Actor:
    """The staff member acting, named by their registered name where it is known, else their Telegram
    name: every place that records or shows who handles a ticket (Ambil, an answer, a hand-over, a note)
    names them the same way."""
    actor = actor_of(update, "staf")
    return Actor("staf", actor.id, registered_name(c.db, actor.id) or actor.name)


async def say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    """A message (HTML) in the update's chat."""
    message = update.effective_message
    assert message is not None
    return await message.get_bot().send_message(
        message.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def answer_in_group(update: Update, text: str) -> None:
    """A short answer in the staff group, as a reply to the staff member's message."""
    message = update.effective_message
    assert message is not None
    await message.reply_html(text, do_quote=True)


async def message_id_of(sent: Awaitable[Any]) -> int:
    return int((await sent).message_id)
