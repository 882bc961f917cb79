"""The registration group's handlers: /daftar, /gantisandi, /keluar, the personal data (/datapribadi,
/tunkin, /cuti) and their buttons, the copy of all of it (/datasaya), and the password hygiene around
them (a password is deleted wherever it turns up: in a group, forwarded, edited in, or as the answer of a
guided step)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from sinawai.common.format_id import format_nip
from sinawai.general import menu
from sinawai.platform import conversations
from sinawai.platform.redact import SECRET_ARGUMENT_COMMANDS
from sinawai.privacy import service as privacy
from sinawai.registration import employees, reset, service
from sinawai.registration import texts as t
from sinawai.registration.guards import active_employee
from sinawai.registration.rules import split_nip
from sinawai.registration.service import delete_quietly, ids, reply
from sinawai.router.commands import REGISTRATION
from sinawai.router.routing import STEP_EXEMPT_COMMANDS
from sinawai.telegram.invocation import SecretMode, current_secret_mode, personal_reply
from sinawai.telegram.runtime import GroupContext


def _command_pattern(names: Iterable[str]) -> str:
    return rf"^/({'|'.join(sorted(names))})(@\w+)?(\s|$)"


# /daftar or /gantisandi as the caption of a photo or file: handled (and deleted) as that command.
SECRET_CAPTION = filters.CaptionRegex(_command_pattern(SECRET_ARGUMENT_COMMANDS))


def _message(update: Update) -> Message:
    message = update.effective_message
    assert message is not None
    return message


def command_text(message: Message) -> str:
    """The command as typed: a message's text, or a file's caption."""
    return message.text or message.caption or ""


def _carries_secret(text: str | None) -> bool:
    if not text:
        return False
    parts = text.split(maxsplit=1)
    command = parts[0][1:].partition("@")[0].lower() if parts and parts[0].startswith("/") else ""
    if command == "daftar":
        return bool(split_nip(parts[1] if len(parts) > 1 else "")[1])
    return command == "gantisandi" and len(parts) >= 2


async def _pressed_in_private(update: Update) -> CallbackQuery | None:
    """Stop the button's spinner; the press, when it came from the private chat (the only place these
    buttons act)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return None
    return query


# ---- outside a private chat, forwarded and edited messages ---------------------------------------------


async def refuse_outside_private_chat(update: Update, context: GroupContext) -> None:
    """Registration and personal data live in the private chat; remove a password posted in a group."""
    message = _message(update)
    url = f"https://t.me/{context.bot.username}?start=daftar"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(menu.OPEN_PRIVATE_CHAT_LABEL, url=url)]])
    if _carries_secret(command_text(message)):
        deleted = await delete_quietly(message, context.deps)
        await reply(update, t.PRIVATE_ONLY_DELETED if deleted else t.PRIVATE_ONLY_NOT_DELETED, markup)
        return
    await reply(update, t.PRIVATE_ONLY, markup)


async def refuse_forwarded(update: Update, context: GroupContext) -> None:
    """A forwarded /daftar is not the employee typing it: refuse, and remove any password in it."""
    message = _message(update)
    if _carries_secret(command_text(message)):
        await delete_quietly(message, context.deps)
    await reply(update, t.FORWARDED)


async def refuse_edited(update: Update, context: GroupContext) -> None:
    """An edit that adds a password is never acted on; the message is removed."""
    message = update.edited_message
    assert message is not None
    if _carries_secret(message.text):
        await delete_quietly(message, context.deps)
    if message.chat.type == ChatType.PRIVATE:
        await reply(update, t.EDITED)


# ---- /daftar --------------------------------------------------------------------------------------------


async def daftar(update: Update, context: GroupContext) -> None:
    """Register with `/daftar NIP PASSWORD` (or `/daftar NIP KODE` after a reset; the NIP as printed on
    decrees, spaces and all), or be guided step by step with `/daftar`."""
    message = _message(update)
    parts = command_text(message).split(maxsplit=1)
    nip_text, secret = split_nip(parts[1] if len(parts) > 1 else "")
    if secret or message.caption is not None:
        await delete_quietly(message, context.deps)
    if secret:
        await service.register_account(update, context.deps, nip_text, secret)
    elif await service.already_registered(update, context.deps):
        return
    elif nip_text:
        await service.accept_nip(update, context.deps, nip_text)
    else:
        await service.ask_nip(update, context.deps)


async def daftar_button(update: Update, context: GroupContext) -> None:
    """The "Daftar sekarang" button under a refusal or the greeting: start the guided /daftar."""
    if await _pressed_in_private(update) is None:
        return
    if await service.already_registered(update, context.deps):
        return
    await service.ask_nip(update, context.deps)


# ---- lupa kata sandi -----------------------------------------------------------------------------------


async def lupasandi(update: Update, context: GroupContext) -> None:
    """Ask the staff for a one-time code: `/lupasandi NIP`, `/lupasandi` (guided) or its button."""
    if update.callback_query is not None:
        if await _pressed_in_private(update) is None:
            return
        await reset.ask_nip(update, context.deps)
        return
    parts = command_text(_message(update)).split(maxsplit=1)
    if len(parts) > 1:
        await reset.request(update, context.deps, parts[1])
    else:
        await reset.ask_nip(update, context.deps)


async def reset_button(update: Update, context: GroupContext) -> None:
    """ "Buat kode sekali pakai" under a reset request in the staff group."""
    (raw_request,) = context.matched()
    await reset.press_reset_button(update, context.deps, raw_request)


async def resetsandi(update: Update, context: GroupContext) -> None:
    """`/resetsandi NIP` by a staff member in the staff group: a one-time code, shown to them only."""
    parts = command_text(_message(update)).split(maxsplit=1)
    await reset.reset_by_staff(update, context.deps, parts[1] if len(parts) > 1 else "")


# ---- the chat's pending conversation ------------------------------------------------------------------


async def continue_conversation(update: Update, context: GroupContext) -> None:
    """Continue the chat's guided /daftar or /gantisandi with the text just sent."""
    message = _message(update)
    deps = context.deps
    _, chat_id = ids(update)
    secret = current_secret_mode() == "step"
    pending = conversations.conversation_state(deps.db, chat_id, REGISTRATION)
    if pending is None:
        if secret:
            await delete_quietly(message, deps)
            conversations.close_secret_step(deps.db, chat_id)
        await reply(update, t.SESSION_EXPIRED)
        return
    state, data = pending
    if message.text is None:
        if secret and message.caption is not None:
            await delete_quietly(message, deps)
            await reply(update, t.STEP_TEXT_EXPECTED)
            return
        await reply(update, t.TEXT_EXPECTED)
        return
    text = message.text.strip()
    if state == service.AWAITING_NIP:
        await service.accept_nip(update, deps, text)
    elif state == reset.AWAITING_RESET_NIP:
        await reset.request(update, deps, text)
    elif state == service.AWAITING_PASSWORD:
        await delete_quietly(message, deps)
        conversations.end_conversation(deps.db, chat_id)
        await service.register_account(update, deps, str(data.get("nip", "")), text)
    elif state == service.AWAITING_OLD_PASSWORD:
        await delete_quietly(message, deps)
        await service.check_old_password(update, deps, text)
    elif state == service.AWAITING_NEW_PASSWORD:
        await delete_quietly(message, deps)
        await service.set_new_password(update, deps, text)
    else:
        conversations.end_conversation(deps.db, chat_id)
        await reply(update, t.SESSION_EXPIRED)


async def answer_secret_step(update: Update, context: GroupContext) -> None:
    """While a password step is open, every message answers it: a password may start with "/"."""
    await continue_conversation(update, context)
    raise ApplicationHandlerStop


async def delete_late_secret(update: Update, context: GroupContext) -> None:
    """A text shortly after a password step ended may be a late password: delete it, never relay it."""
    message = _message(update)
    deps = context.deps
    _, chat_id = ids(update)
    await delete_quietly(message, deps)
    command = conversations.secret_step_command(deps.db, chat_id) or "daftar"
    await reply(update, t.LATE_SECRET_TEXT.format(step=t.LATE_SECRET.get(command, t.LATE_SECRET["daftar"])))
    if any(ch.isspace() for ch in command_text(message).strip()):
        # Passwords hold no spaces: this was a sentence, so the employee's next text is ordinary again.
        conversations.drop_secret_step(deps.db, chat_id)
    raise ApplicationHandlerStop


# ---- personal data: each command and its button share one handler ---------------------------------------


async def _show_personal(update: Update, context: GroupContext, kind: str) -> None:
    if update.callback_query is not None and await _pressed_in_private(update) is None:
        return
    await service.show_personal(update, context.deps, kind)


async def datapribadi(update: Update, context: GroupContext) -> None:
    """Show the employee's own record."""
    await _show_personal(update, context, "datapribadi")


async def tunkin(update: Update, context: GroupContext) -> None:
    """Show the latest performance allowance and the months before."""
    await _show_personal(update, context, "tunkin")


async def cuti(update: Update, context: GroupContext) -> None:
    """Show this year's leave balance per kind, with its rule."""
    await _show_personal(update, context, "cuti")


async def datasaya(update: Update, context: GroupContext) -> None:
    """Send the employee everything Sinawai holds about them, as files in this private chat."""
    await privacy.send_export(update, context.deps, service.REFUSALS)


# ---- /gantisandi and /keluar ---------------------------------------------------------------------------


async def gantisandi(update: Update, context: GroupContext) -> None:
    """Change the password: `/gantisandi OLD NEW`, or guided."""
    message = _message(update)
    deps = context.deps
    parts = command_text(message).split()
    if len(parts) > 1 or message.caption is not None:
        await delete_quietly(message, deps)
    _, chat_id = ids(update)
    employee = await active_employee(update, deps.db, service.REFUSALS)
    if employee is None:
        conversations.drop_secret_step(deps.db, chat_id)
        return
    if employee.must_change_password:
        # registered with a reset code: the old password is gone, the new one comes straight away
        await service.ask_reset_password(update, deps)
        return
    if len(parts) == 3:
        if await service.check_old_password(update, deps, parts[1]):
            await service.set_new_password(update, deps, parts[2])
        return
    if len(parts) != 1:
        await reply(update, t.CHANGE_PASSWORD_FORMAT)
        return
    await service.ask_old_password(update, deps)


async def keluar(update: Update, context: GroupContext) -> None:
    """Ask for confirmation before unbinding this account from its NIP."""
    user_id, _ = ids(update)
    employee = employees.by_telegram(context.deps.db, user_id)
    if employee is None:
        await reply(update, t.NOT_REGISTERED)
        return
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t.UNBIND_YES, callback_data=f"{REGISTRATION}:keluar:ya"),
                InlineKeyboardButton(t.UNBIND_NO, callback_data=f"{REGISTRATION}:keluar:batal"),
            ]
        ]
    )
    with personal_reply("keluar"):
        await reply(update, t.CONFIRM_UNBIND.format(nip=format_nip(employee.nip)), markup)


async def confirm_unbind(update: Update, context: GroupContext) -> None:
    """The /keluar confirmation's "yes": unbind this account from its NIP."""
    query = await _pressed_in_private(update)
    if query is None:
        return
    nip = service.unbind(update, context.deps)
    await query.edit_message_text(t.UNBOUND if nip else t.NOT_REGISTERED)


async def cancel_unbind(update: Update, context: GroupContext) -> None:
    """The /keluar confirmation's "no": the account stays bound."""
    query = await _pressed_in_private(update)
    if query is None:
        return
    await query.edit_message_text(t.UNBIND_CANCELLED)


async def stale_button(update: Update, context: GroupContext) -> None:
    """Stale or forged button data of this group: show the menu text in place of the pressed message."""
    query = await _pressed_in_private(update)
    if query is None:
        return
    await query.edit_message_text(menu.MENU_TEXT, parse_mode=ParseMode.HTML)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Wire the registration group's handlers: a command and its button are registered next to each other."""
    private = filters.ChatType.PRIVATE
    new_messages = filters.UpdateType.MESSAGE
    names = ["daftar", "datapribadi", "tunkin", "cuti", "datasaya", "gantisandi", "keluar", "lupasandi"]
    # Before everything: a message the router marked as a possible password (see sinawai.router.routing).
    exempt = filters.Regex(_command_pattern(STEP_EXEMPT_COMMANDS)) | SECRET_CAPTION
    app.add_handler(
        MessageHandler(SecretMode("step") & private & new_messages & ~exempt, answer_secret_step), -1
    )
    app.add_handler(MessageHandler(SecretMode("grace") & private & new_messages, delete_late_secret), -1)
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, refuse_edited))
    app.add_handler(CommandHandler(names, refuse_outside_private_chat, filters=~private & new_messages))
    app.add_handler(MessageHandler(SECRET_CAPTION & ~private & new_messages, refuse_outside_private_chat))
    app.add_handler(CommandHandler(["daftar", "gantisandi"], refuse_forwarded, filters=filters.FORWARDED))
    app.add_handler(MessageHandler(SECRET_CAPTION & filters.FORWARDED, refuse_forwarded))
    captioned = SECRET_CAPTION & private & new_messages & ~filters.FORWARDED
    app.add_handler(MessageHandler(filters.CaptionRegex(r"^/daftar") & captioned, daftar))
    app.add_handler(MessageHandler(filters.CaptionRegex(r"^/gantisandi") & captioned, gantisandi))
    in_private = private & new_messages
    app.add_handler(CommandHandler("daftar", daftar, filters=in_private))
    app.add_handler(CallbackQueryHandler(daftar_button, pattern=rf"^{REGISTRATION}:daftar$"))
    app.add_handler(CommandHandler("lupasandi", lupasandi, filters=in_private))
    app.add_handler(CallbackQueryHandler(lupasandi, pattern=rf"^{REGISTRATION}:lupasandi$"))
    app.add_handler(CommandHandler("resetsandi", resetsandi, filters=new_messages))
    app.add_handler(CallbackQueryHandler(reset_button, pattern=rf"^{REGISTRATION}:resetkode:(.*)$"))
    app.add_handler(CommandHandler("datapribadi", datapribadi, filters=in_private))
    app.add_handler(CallbackQueryHandler(datapribadi, pattern=rf"^{REGISTRATION}:datapribadi(:|$)"))
    app.add_handler(CommandHandler("tunkin", tunkin, filters=in_private))
    app.add_handler(CallbackQueryHandler(tunkin, pattern=rf"^{REGISTRATION}:tunkin(:|$)"))
    app.add_handler(CommandHandler("cuti", cuti, filters=in_private))
    app.add_handler(CallbackQueryHandler(cuti, pattern=rf"^{REGISTRATION}:cuti(:|$)"))
    app.add_handler(CommandHandler("datasaya", datasaya, filters=in_private))
    app.add_handler(CommandHandler("gantisandi", gantisandi, filters=in_private))
    app.add_handler(CommandHandler("keluar", keluar, filters=in_private))
    app.add_handler(CallbackQueryHandler(confirm_unbind, pattern=rf"^{REGISTRATION}:keluar:ya(:|$)"))
    app.add_handler(CallbackQueryHandler(cancel_unbind, pattern=rf"^{REGISTRATION}:keluar:batal(:|$)"))
    app.add_handler(MessageHandler(private & new_messages & ~filters.COMMAND, continue_conversation))
    app.add_handler(CallbackQueryHandler(stale_button))
