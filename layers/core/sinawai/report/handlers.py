"""The report group's handler: /laporan, the report of a day or a range for a manager or an admin."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler

from sinawai.report import store
from sinawai.report.period import PeriodError, parse_period
from sinawai.report.service import Reporting, reporting_of, send_report
from sinawai.telegram.runtime import GroupContext

REFUSED_TEXT = (
    "Mohon maaf, laporan evaluasi layanan hanya dapat diminta di grup pimpinan atau oleh admin Sinawai "
    "melalui percakapan pribadi dengan bot. Bila Anda memerlukan laporan ini, silakan hubungi Biro OSDM "
    "(lihat /kontak)."
)


def allowed(update: Update, reporting: Reporting) -> bool:
    """The managers' chat, or an active admin in a private chat."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    managers = reporting.function.settings.managers_chat_id
    if managers is not None and chat.id == managers:
        return True
    return chat.type == ChatType.PRIVATE and store.is_admin(reporting.function.db, user.id)


async def laporan(update: Update, context: GroupContext) -> None:
    """Send the report of yesterday, of a day or of a range to a manager or an admin; refuse anyone else."""
    reporting = reporting_of(context.deps)
    message = update.effective_message
    assert message is not None
    if not allowed(update, reporting):
        await message.reply_text(REFUSED_TEXT)
        return
    try:
        period = parse_period(context.args or [], reporting.today())
    except PeriodError as e:
        await message.reply_html(str(e))
        return
    built, report_files = reporting.build(period)
    await send_report(reporting, message.get_bot(), message.chat_id, built, report_files)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("laporan", laporan))
