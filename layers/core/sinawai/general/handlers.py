"""The general group's handlers: /start, /menu, /bantuan, /tentang, /batal, unknown commands, the main
menu's buttons, and the answer to whatever no other group takes; in groups, /idchat and the greeting when
the bot is added (both tell the chat id the deploy needs)."""

from __future__ import annotations

import html
from typing import Any

from telegram import Chat, ChatMember, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from sinawai.common.contact import Contact, contact_text, hours_text
from sinawai.common.format_id import ZONE_SUFFIX, sapaan
from sinawai.common.working_hours import DEFAULT_WORKING_HOURS
from sinawai.general import menu
from sinawai.information.content_store import ContentStore
from sinawai.platform import conversations
from sinawai.registration.employees import by_telegram
from sinawai.router.commands import GENERAL
from sinawai.telegram.runtime import GroupContext
from sinawai.telegram.ui import edit_or_keep


def main_menu_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.callback_data) for b in row]
            for row in menu.MAIN_MENU
        ]
    )


def back_markup() -> InlineKeyboardMarkup:
    back = menu.BACK_TO_MENU
    return InlineKeyboardMarkup([[InlineKeyboardButton(back.label, callback_data=back.callback_data)]])


def _message(update: Update) -> Message:
    message = update.effective_message
    assert message is not None
    return message


def start_markup() -> InlineKeyboardMarkup:
    """The unregistered greeting's keyboard: registering first, then the menu."""
    first = [InlineKeyboardButton(menu.DAFTAR.label, callback_data=menu.DAFTAR.callback_data)]
    contact = [InlineKeyboardButton(menu.CONTACT.label, callback_data=menu.CONTACT.callback_data)]
    return InlineKeyboardMarkup([first, contact, [_home_button()]])


def _home_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(menu.BACK_TO_MENU.label, callback_data=menu.BACK_TO_MENU.callback_data)


async def start(update: Update, context: GroupContext) -> None:
    """Greet a registered employee formally by name with the menu; tell anyone else to register first."""
    user = update.effective_user
    employee = by_telegram(context.deps.db, user.id) if user is not None else None
    if employee is None:
        await _message(update).reply_html(menu.greeting_unregistered(), reply_markup=start_markup())
        return
    text = menu.greeting(sapaan(employee.row.get("jenis_kelamin")), employee.nama)
    await _message(update).reply_html(text, reply_markup=main_menu_markup())


def current_contact(context: GroupContext) -> Contact:
    """The deploy's contact details, overridden field by field by a published content/_kontak.md."""
    settings = context.deps.settings
    store = context.bot_data.get("content_store")
    if store is None:
        store = context.bot_data["content_store"] = ContentStore(settings.documents_bucket)
    try:
        published = Contact.from_dict(store.get().contact)
    except Exception:  # S3 unreachable or the bundle unreadable: the deploy's details still answer
        context.deps.logger.warning("content bundle unreadable: /kontak shows the deploy's contact")
        published = Contact()
    return published.over(settings.contact)


def kontak_text(context: GroupContext) -> str:
    settings = context.deps.settings
    suffix = ZONE_SUFFIX.get(settings.timezone, "")
    hours = hours_text(settings.working_hours or DEFAULT_WORKING_HOURS, suffix)
    return contact_text(current_contact(context), hours)


async def show_contact(update: Update, context: GroupContext) -> None:
    """How to reach Biro OSDM."""
    await _message(update).reply_html(kontak_text(context), reply_markup=back_markup())


async def show_menu(update: Update, context: GroupContext) -> None:
    """Show the main menu."""
    await _message(update).reply_html(menu.MENU_TEXT, reply_markup=main_menu_markup())


async def show_help(update: Update, context: GroupContext) -> None:
    """List every command with a one-line description."""
    await _message(update).reply_html(menu.help_text(), reply_markup=back_markup())


async def show_about(update: Update, context: GroupContext) -> None:
    """Describe the service."""
    await _message(update).reply_html(menu.ABOUT_TEXT, reply_markup=back_markup())


async def unknown_command(update: Update, context: GroupContext) -> None:
    """Point an unknown command to /bantuan."""
    message = _message(update)
    name = (message.text or "").split(maxsplit=1)[0][1:].partition("@")[0]
    await message.reply_html(menu.unknown_command_text(name))


async def cancel(update: Update, context: GroupContext) -> None:
    """End the chat's pending conversation, if any."""
    chat = update.effective_chat
    assert chat is not None
    ended = conversations.end_conversation(context.deps.db, chat.id)
    await _message(update).reply_html(menu.CANCELLED_TEXT if ended else menu.NOTHING_TO_CANCEL_TEXT)


async def fallback(update: Update, context: GroupContext) -> None:
    """Answer a message no other group handles with the menu."""
    await _message(update).reply_html(menu.FALLBACK_TEXT, reply_markup=main_menu_markup())


async def private_only(update: Update, context: GroupContext) -> None:
    """Invite a group member to the private chat, where personal services live."""
    url = f"https://t.me/{context.bot.username}?start=menu"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(menu.OPEN_PRIVATE_CHAT_LABEL, url=url)]])
    await _message(update).reply_text(menu.PRIVATE_ONLY_TEXT, reply_markup=markup)


def _open_bot_markup(context: GroupContext) -> InlineKeyboardMarkup:
    url = f"https://t.me/{context.bot.username}?start=menu"
    return InlineKeyboardMarkup([[InlineKeyboardButton(menu.OPEN_PRIVATE_CHAT_LABEL, url=url)]])


_GROUP_PAGES = ("start", "menu", "bantuan", "tentang", "kontak")


async def group_command(update: Update, context: GroupContext) -> None:
    """A command of the private chat sent in a group. In the staff group: /bantuan lists the staff
    commands, any other says (once, as a reply) to use the private chat with the bot. Elsewhere: the
    pages of the menu invite to the private chat; anything else is not for the bot."""
    message = _message(update)
    name = (message.text or "").split(maxsplit=1)[0][1:].partition("@")[0].lower()
    if message.chat_id == context.deps.settings.staff_group_chat_id:
        if name == "bantuan":
            await message.reply_html(menu.staff_help_text(), do_quote=True)
            return
        text = menu.STAFF_GROUP_PRIVATE_ONLY_TEXT.format(command=html.escape(name[:32]))
        await message.reply_html(text, reply_markup=_open_bot_markup(context), do_quote=True)
        return
    if name in _GROUP_PAGES:
        await private_only(update, context)


async def show_page(update: Update, context: GroupContext) -> None:
    """A main-menu button: show its page in place of the pressed message."""
    query = update.callback_query
    assert query is not None
    pages = {
        "menu": (menu.MENU_TEXT, main_menu_markup()),
        "bantuan": (menu.help_text(), back_markup()),
        "tentang": (menu.ABOUT_TEXT, back_markup()),
    }
    await query.answer()
    page = (query.data or "").partition(":")[2]
    if page == "kontak":
        await edit_or_keep(update, kontak_text(context), back_markup())
        return
    await edit_or_keep(update, *pages[page])


async def service_not_ready(update: Update, context: GroupContext) -> None:
    """A button of a group whose function is not deployed (the router sent it here): say so."""
    query = update.callback_query
    assert query is not None
    await query.answer(menu.SERVICE_NOT_READY_ALERT, show_alert=True)


async def stale_button(update: Update, context: GroupContext) -> None:
    """Stale or forged button data: show the menu again, never an error."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await edit_or_keep(update, menu.MENU_TEXT, main_menu_markup())


def _chat_id_text(chat: Chat, context: GroupContext) -> str:
    settings = context.deps.settings
    return menu.chat_id_text(
        chat.id,
        chat.type,
        staff=chat.id == settings.staff_group_chat_id,
        managers=chat.id == settings.managers_chat_id,
    )


async def _sent_by_group_admin(message: Message, context: GroupContext) -> bool:
    """The sender administers the group: creator or administrator, or an anonymous admin (the group
    itself as sender_chat). Telegram not telling counts as no: in groups the bot stays silent."""
    if message.sender_chat is not None:
        return message.sender_chat.id == message.chat_id
    user = message.from_user
    if user is None:
        return False
    try:
        member = await message.get_bot().get_chat_member(message.chat_id, user.id)
    except (BadRequest, Forbidden) as e:
        context.deps.logger.warning("getChatMember refused: /idchat unanswered", extra={"reason": e.message})
        return False
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


async def show_chat_id(update: Update, context: GroupContext) -> None:
    """Tell a group's admin the group's chat id and what it is for Sinawai; in a private chat, say where
    /idchat belongs. Anyone else in a group gets no answer."""
    message = _message(update)
    if message.chat.type == Chat.PRIVATE:
        await message.reply_text(menu.IDCHAT_IN_PRIVATE_TEXT)
        return
    if not await _sent_by_group_admin(message, context):
        context.deps.logger.info("/idchat by someone who is no admin of the group: not answered")
        return
    await message.reply_html(_chat_id_text(message.chat, context))


async def joined_group(update: Update, context: GroupContext) -> None:
    """The bot was added to a group: greet it with its chat id, which the deploy needs."""
    change = update.my_chat_member
    assert change is not None
    joined = change.new_chat_member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR)
    if change.chat.type not in (Chat.GROUP, Chat.SUPERGROUP) or not joined:
        return
    text = menu.JOINED_GROUP_GREETING + _chat_id_text(change.chat, context)
    try:
        await context.bot.send_message(change.chat.id, text, parse_mode=ParseMode.HTML)
    except BadRequest as e:
        # added without the right to write (a restricted member): nothing to say, nothing to retry
        context.deps.logger.warning("cannot write in the group the bot joined", extra={"reason": e.message})


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Wire the general group's handlers: a command and its button are registered next to each other."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("idchat", show_chat_id))
    app.add_handler(ChatMemberHandler(joined_group, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(CommandHandler("start", start, filters=private))
    app.add_handler(CommandHandler("menu", show_menu, filters=private))
    app.add_handler(CommandHandler("bantuan", show_help, filters=private))
    app.add_handler(CommandHandler("tentang", show_about, filters=private))
    app.add_handler(CommandHandler("kontak", show_contact, filters=private))
    app.add_handler(CallbackQueryHandler(show_page, pattern=rf"^{GENERAL}:(menu|bantuan|tentang|kontak)$"))
    app.add_handler(CommandHandler("batal", cancel, filters=private))
    app.add_handler(MessageHandler(filters.COMMAND & private, unknown_command))
    app.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.GROUPS, group_command))
    app.add_handler(MessageHandler(private & ~filters.COMMAND, fallback))
    # Data without the general prefix reached this group: a group not deployed, or forged.
    app.add_handler(CallbackQueryHandler(service_not_ready, pattern=rf"^(?!{GENERAL}(?::|$))."))
    app.add_handler(CallbackQueryHandler(stale_button))
