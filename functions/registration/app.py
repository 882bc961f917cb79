"""RegistrationFunction: /daftar, /gantisandi, /keluar and the personal data (/datapribadi, /tunkin, /cuti).

A password never stays anywhere: the message that carried it is deleted at once, the router stored it
masked, and only its scrypt hash is compared. Personal data is shown only to its registered, active owner
in a private chat.
"""

import html
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.utilities.typing import LambdaContext
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sinawai.common import format_id
from sinawai.consultation import store as consultation_store
from sinawai.consultation import texts as consultation_texts
from sinawai.general import menu
from sinawai.platform import clock, conversations, updates
from sinawai.registration import employees
from sinawai.registration import texts as t
from sinawai.registration.employees import AccountAlreadyBoundError, Employee
from sinawai.registration.passwords import hash_password, password_problem, verify_password
from sinawai.registration.rules import LockoutPolicy, nip_problem, normalize_nip
from sinawai.router.commands import REGISTRATION
from sinawai.telegram.runtime import GroupFunction, SecretMode, current_secret_mode, personal_reply

AWAITING_NIP = "awaiting_nip"
AWAITING_PASSWORD = "awaiting_password"
AWAITING_OLD_PASSWORD = "awaiting_old_password"
AWAITING_NEW_PASSWORD = "awaiting_new_password"
SECRET_COMMANDS = ("daftar", "gantisandi")
# /daftar or /gantisandi as the caption of a photo or file: handled (and deleted) as that command.
SECRET_CAPTION = filters.CaptionRegex(r"^/(daftar|gantisandi)(@\w+)?(\s|$)")


def back_markup() -> InlineKeyboardMarkup:
    back = menu.BACK_TO_MENU
    return InlineKeyboardMarkup([[InlineKeyboardButton(back.label, callback_data=back.callback_data)]])


def local_time(value: datetime) -> str:
    zone = ZoneInfo(function.settings.timezone)
    moment = value.replace(tzinfo=UTC).astimezone(zone)
    suffix = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}.get(
        function.settings.timezone
    )
    return moment.strftime("%H.%M") + (f" {suffix}" if suffix else "")


def now() -> datetime:
    return clock.utcnow()


async def delete_quietly(message: Message) -> bool:
    """Delete a message that carried a secret; False when Telegram does not allow it."""
    try:
        await message.delete()
    except (BadRequest, Forbidden):
        function.logger.warning("could not delete a message that carried a password")
        return False
    return True


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    message = update.effective_message
    assert message is not None
    await message.get_bot().send_message(
        message.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


def _ids(update: Update) -> tuple[int, int]:
    assert update.effective_user is not None
    assert update.effective_chat is not None
    return update.effective_user.id, update.effective_chat.id


# ---- outside a private chat, forwarded and edited messages ---------------------------------------------


def command_text(message: Message) -> str:
    """The command as typed: a message's text, or a file's caption."""
    return message.text or message.caption or ""


def _carries_secret(text: str | None) -> bool:
    if not text:
        return False
    parts = text.split()
    command = parts[0][1:].partition("@")[0].lower() if parts and parts[0].startswith("/") else ""
    return (command == "daftar" and len(parts) >= 3) or (command == "gantisandi" and len(parts) >= 2)


async def refuse_outside_private_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Registration and personal data live in the private chat; remove a password posted in a group."""
    message = update.effective_message
    assert message is not None
    url = f"https://t.me/{context.bot.username}?start=daftar"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(menu.OPEN_PRIVATE_CHAT_LABEL, url=url)]])
    if _carries_secret(command_text(message)):
        deleted = await delete_quietly(message)
        await reply(update, t.PRIVATE_ONLY_DELETED if deleted else t.PRIVATE_ONLY_NOT_DELETED, markup)
        return
    await reply(update, t.PRIVATE_ONLY, markup)


async def refuse_forwarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A forwarded /daftar is not the employee typing it: refuse, and remove any password in it."""
    message = update.effective_message
    assert message is not None
    if _carries_secret(command_text(message)):
        await delete_quietly(message)
    await reply(update, t.FORWARDED)


async def refuse_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edit that adds a password is never acted on; the message is removed."""
    message = update.edited_message
    assert message is not None
    if _carries_secret(message.text):
        await delete_quietly(message)
    if message.chat.type == ChatType.PRIVATE:
        await reply(update, t.EDITED)


# ---- /daftar --------------------------------------------------------------------------------------------


async def daftar(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Register with `/daftar NIP PASSWORD`, or be guided step by step with `/daftar`."""
    message = update.effective_message
    assert message is not None
    user_id, chat_id = _ids(update)
    parts = command_text(message).split(maxsplit=2)
    if len(parts) >= 3 or message.caption is not None:
        await delete_quietly(message)
    if len(parts) >= 3:
        await register(update, parts[1], parts[2].strip())
        return
    bound = employees.by_telegram(function.db, user_id)
    if bound is not None:
        conversations.drop_secret_step(function.db, chat_id)  # no password will be asked
        with personal_reply("registered"):
            await reply(update, t.ALREADY_REGISTERED.format(nama=html.escape(bound.nama)))
        return
    if len(parts) == 2:
        await accept_nip(update, parts[1])
        return
    conversations.start_conversation(function.db, chat_id, REGISTRATION, AWAITING_NIP)
    conversations.open_secret_step(function.db, chat_id, "daftar")
    await reply(update, t.ASK_NIP)


async def accept_nip(update: Update, text: str) -> None:
    _, chat_id = _ids(update)
    nip = normalize_nip(text)
    problem = nip_problem(nip)
    if problem is not None:
        conversations.start_conversation(function.db, chat_id, REGISTRATION, AWAITING_NIP)
        conversations.open_secret_step(function.db, chat_id, "daftar")
        await reply(update, problem + t.NIP_RETRY_SUFFIX)
        return
    conversations.start_conversation(
        function.db, chat_id, REGISTRATION, AWAITING_PASSWORD, data={"nip": nip}, sensitive_input=True
    )
    conversations.open_secret_step(function.db, chat_id, "daftar")
    await reply(update, t.ASK_PASSWORD)


async def register(update: Update, nip_text: str, password: str) -> None:
    """Check the NIP and password and bind this Telegram account; every outcome is audited."""
    user_id, chat_id = _ids(update)
    db = function.db
    nip = normalize_nip(nip_text)
    problem = nip_problem(nip)
    if problem is not None:
        await reply(update, problem + "\n\nKetik /daftar untuk mencoba lagi.")
        return

    policy = LockoutPolicy.from_env()
    moment = now()
    last = employees.last_lockout(db, nip=nip, telegram_user_id=user_id)
    until = policy.locked_until(last, moment)
    if until is not None:
        employees.audit(db, "register_locked", telegram_user_id=user_id, chat_id=chat_id, nip=nip)
        await reply(update, t.LOCKED.format(until=local_time(until)))
        return

    bound = employees.by_telegram(db, user_id)
    if bound is not None and bound.nip == nip and updates.step_done(db, update.update_id, "registered")[0]:
        # Lambda's retry of this very registration (its answer failed): the answer, not "already registered"
        await welcome(update, bound)
        return
    if bound is not None:
        text = (
            t.ALREADY_REGISTERED.format(nama=html.escape(bound.nama)) if bound.nip == nip else t.ACCOUNT_TAKEN
        )
        with personal_reply("registered"):
            await reply(update, text)
        return

    employee = employees.by_nip(db, nip)
    if not verify_password(password, employee.password_hash if employee else None) or employee is None:
        await record_failure(update, nip, policy, last)
        return
    if not employee.active:
        await refuse(update, nip, "nonaktif", t.INACTIVE)
        return
    if employee.telegram_id is not None:
        await refuse(update, nip, "nip_bound_elsewhere", t.NIP_TAKEN)
        return
    try:
        won = employees.bind(db, nip, user_id)
    except AccountAlreadyBoundError:
        await reply(update, t.ACCOUNT_TAKEN)
        return
    if not won:
        # Another account bound this NIP between our read and our write.
        await refuse(update, nip, "lost_race", t.NIP_TAKEN)
        return
    employees.audit(db, "register_success", telegram_user_id=user_id, chat_id=chat_id, nip=nip)
    updates.record_step(db, update.update_id, "registered", None)
    await welcome(update, employee)


async def welcome(update: Update, employee: Employee) -> None:
    with personal_reply("registered"):
        await _welcome(update, employee)
    await tell_open_tickets(update, employee.nip)


async def _welcome(update: Update, employee: Employee) -> None:
    await reply(
        update,
        t.REGISTERED.format(nama=html.escape(employee.nama), nip=format_id.format_nip(employee.nip)),
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("👤 Data Pribadi", callback_data=f"{REGISTRATION}:datapribadi"),
                    InlineKeyboardButton("💰 Tunkin", callback_data=f"{REGISTRATION}:tunkin"),
                    InlineKeyboardButton("🗓️ Cuti", callback_data=f"{REGISTRATION}:cuti"),
                ]
            ]
        ),
    )


async def tell_open_tickets(update: Update, nip: str) -> None:
    """Tickets belong to the NIP: its open ones (asked from an account it had before) continue here."""
    open_ids = [ticket.id for ticket in consultation_store.open_of(function.db, nip)]
    if open_ids:
        await reply(update, consultation_texts.tickets_continue_here(open_ids))


async def refuse(update: Update, nip: str, reason: str, text: str) -> None:
    """A right password that still cannot register: audited with its reason, and explained."""
    user_id, chat_id = _ids(update)
    employees.audit(
        function.db,
        "register_failure",
        telegram_user_id=user_id,
        chat_id=chat_id,
        nip=nip,
        detail={"reason": reason},
    )
    await reply(update, text)


async def record_failure(update: Update, nip: str, policy: LockoutPolicy, last: datetime | None) -> None:
    user_id, chat_id = _ids(update)
    db = function.db
    employees.audit(db, "register_failure", telegram_user_id=user_id, chat_id=chat_id, nip=nip)
    moment = now()
    failures = employees.failures_since(
        db, policy.count_since(last, moment), nip=nip, telegram_user_id=user_id
    )
    if failures < policy.max_failures:
        await reply(update, t.WRONG_CREDENTIALS)
        return
    employees.audit(
        db, "lockout", telegram_user_id=user_id, chat_id=chat_id, nip=nip, detail={"failures": failures}
    )
    until = local_time(moment + policy.lockout)
    await reply(update, t.LOCKED.format(until=until))
    staff = function.settings.staff_group_chat_id
    if staff is not None:
        alert = t.STAFF_LOCKOUT_ALERT.format(
            nip=format_id.mask_nip(nip),
            user_id=user_id,
            failures=failures,
            window=int(policy.window.total_seconds() // 60),
            until=until,
        )
        try:
            await update.get_bot().send_message(staff, alert, parse_mode=ParseMode.HTML)
        except TelegramError:
            function.logger.exception("could not alert the staff group about a lockout")


# ---- the chat's pending conversation ------------------------------------------------------------------


async def on_input(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Continue the chat's guided /daftar or /gantisandi with the text just sent."""
    message = update.effective_message
    assert message is not None
    _, chat_id = _ids(update)
    secret = current_secret_mode() == "step"
    pending = conversations.conversation_state(function.db, chat_id, REGISTRATION)
    if pending is None:
        if secret:
            await delete_quietly(message)
            conversations.close_secret_step(function.db, chat_id)
        await reply(update, t.SESSION_EXPIRED)
        return
    state, data = pending
    if message.text is None:
        if secret and message.caption is not None:
            await delete_quietly(message)
            await reply(update, t.STEP_TEXT_EXPECTED)
            return
        await reply(update, t.TEXT_EXPECTED)
        return
    text = message.text.strip()
    if state == AWAITING_NIP:
        await accept_nip(update, text)
    elif state == AWAITING_PASSWORD:
        await delete_quietly(message)
        conversations.end_conversation(function.db, chat_id)
        await register(update, str(data.get("nip", "")), text)
    elif state == AWAITING_OLD_PASSWORD:
        await delete_quietly(message)
        await check_old_password(update, text)
    elif state == AWAITING_NEW_PASSWORD:
        await delete_quietly(message)
        await set_new_password(update, text)
    else:
        conversations.end_conversation(function.db, chat_id)
        await reply(update, t.SESSION_EXPIRED)


async def on_step_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """While a password step is open, every message answers it: a password may start with "/"."""
    await on_input(update, context)
    raise ApplicationHandlerStop


async def on_late_secret(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text shortly after a password step ended may be a late password: delete it, never relay it."""
    message = update.effective_message
    assert message is not None
    _, chat_id = _ids(update)
    await delete_quietly(message)
    command = conversations.secret_step_command(function.db, chat_id) or "daftar"
    await reply(update, t.LATE_SECRET_TEXT.format(step=t.LATE_SECRET.get(command, t.LATE_SECRET["daftar"])))
    if any(ch.isspace() for ch in command_text(message).strip()):
        # Passwords hold no spaces: this was a sentence, so the employee's next text is ordinary again.
        conversations.drop_secret_step(function.db, chat_id)
    raise ApplicationHandlerStop


# ---- personal services --------------------------------------------------------------------------------


async def owner(update: Update) -> Employee | None:
    """The registered, active employee behind this private chat, or None after telling them why not."""
    user_id, _ = _ids(update)
    employee = employees.by_telegram(function.db, user_id)
    if employee is None:
        await reply(update, t.NOT_REGISTERED)
        return None
    if not employee.active:
        await reply(update, t.INACTIVE)
        return None
    return employee


def _personal_text(kind: str, employee: Employee) -> str:
    if kind == "datapribadi":
        return format_id.personal_data_text(employee.row)
    if kind == "tunkin":
        return format_id.tunkin_text(employees.tunkin_history(function.db, employee.nip))
    year = datetime.now(ZoneInfo(function.settings.timezone)).year
    return format_id.cuti_text(employees.cuti_of_year(function.db, employee.nip, year), year)


async def show_personal(update: Update, kind: str) -> None:
    employee = await owner(update)
    if employee is None:
        return
    user_id, chat_id = _ids(update)
    employees.audit(function.db, f"view_{kind}", telegram_user_id=user_id, chat_id=chat_id, nip=employee.nip)
    with personal_reply(kind):
        await reply(update, _personal_text(kind, employee), back_markup())


async def datapribadi(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the employee's own record."""
    await show_personal(update, "datapribadi")


async def tunkin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the latest performance allowance and the months before."""
    await show_personal(update, "tunkin")


async def cuti(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show this year's leave balance per kind, with its rule."""
    await show_personal(update, "cuti")


# ---- /gantisandi and /keluar ---------------------------------------------------------------------------


async def gantisandi(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Change the password: `/gantisandi OLD NEW`, or guided."""
    message = update.effective_message
    assert message is not None
    parts = command_text(message).split()
    if len(parts) > 1 or message.caption is not None:
        await delete_quietly(message)
    _, chat_id = _ids(update)
    employee = await owner(update)
    if employee is None:
        conversations.drop_secret_step(function.db, chat_id)
        return
    if len(parts) == 3:
        if await check_old_password(update, parts[1]):
            await set_new_password(update, parts[2])
        return
    if len(parts) != 1:
        await reply(
            update, "Format: <code>/gantisandi LAMA BARU</code>, atau ketik /gantisandi untuk dipandu."
        )
        return
    conversations.start_conversation(
        function.db, chat_id, REGISTRATION, AWAITING_OLD_PASSWORD, sensitive_input=True
    )
    conversations.open_secret_step(function.db, chat_id, "gantisandi")
    await reply(update, t.ASK_OLD_PASSWORD)


async def check_old_password(update: Update, password: str) -> bool:
    user_id, chat_id = _ids(update)
    employee = employees.by_telegram(function.db, user_id)
    if employee is None or not verify_password(password, employee.password_hash):
        conversations.end_conversation(function.db, chat_id)
        employees.audit(
            function.db,
            "password_change_failure",
            telegram_user_id=user_id,
            chat_id=chat_id,
            nip=employee.nip if employee else None,
        )
        await reply(update, t.OLD_PASSWORD_WRONG)
        return False
    conversations.start_conversation(
        function.db, chat_id, REGISTRATION, AWAITING_NEW_PASSWORD, sensitive_input=True
    )
    conversations.open_secret_step(function.db, chat_id, "gantisandi")
    await reply(update, t.ASK_NEW_PASSWORD)
    return True


async def set_new_password(update: Update, password: str) -> None:
    user_id, chat_id = _ids(update)
    employee = employees.by_telegram(function.db, user_id)
    if employee is None:
        conversations.end_conversation(function.db, chat_id)
        await reply(update, t.NOT_REGISTERED)
        return
    problem = password_problem(password)
    if problem is not None:
        await reply(update, t.NEW_PASSWORD_WEAK.format(problem=problem))
        return
    if verify_password(password, employee.password_hash):
        await reply(update, t.NEW_PASSWORD_SAME)
        return
    employees.set_password_hash(function.db, employee.nip, hash_password(password))
    conversations.end_conversation(function.db, chat_id)
    employees.audit(
        function.db, "password_change", telegram_user_id=user_id, chat_id=chat_id, nip=employee.nip
    )
    await reply(update, t.PASSWORD_CHANGED)


async def keluar(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for confirmation before unbinding this account from its NIP."""
    user_id, _ = _ids(update)
    employee = employees.by_telegram(function.db, user_id)
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
        await reply(update, t.CONFIRM_UNBIND.format(nip=format_id.format_nip(employee.nip)), markup)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Menu buttons of personal services, and the /keluar confirmation."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    action = (query.data or "").split(":")[1:]
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    if action and action[0] in ("datapribadi", "tunkin", "cuti"):
        await show_personal(update, action[0])
    elif action[:2] == ["keluar", "ya"]:
        user_id, chat_id = _ids(update)
        nip = employees.unbind(function.db, user_id)
        if nip is not None:
            employees.audit(function.db, "unbind", telegram_user_id=user_id, chat_id=chat_id, nip=nip)
        await query.edit_message_text(t.UNBOUND if nip else t.NOT_REGISTERED)
    elif action[:2] == ["keluar", "batal"]:
        await query.edit_message_text(t.UNBIND_CANCELLED)
    else:
        await query.edit_message_text(menu.MENU_TEXT, parse_mode=ParseMode.HTML)


def register_handlers(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    new_messages = filters.UpdateType.MESSAGE
    names = ["daftar", "datapribadi", "tunkin", "cuti", "gantisandi", "keluar"]
    # Before everything: a message the router marked as a possible password (see sinawai.router.routing).
    exempt = filters.Regex(r"^/(batal|daftar|gantisandi)(@\w+)?(\s|$)") | SECRET_CAPTION
    app.add_handler(MessageHandler(SecretMode("step") & private & new_messages & ~exempt, on_step_answer), -1)
    app.add_handler(MessageHandler(SecretMode("grace") & private & new_messages, on_late_secret), -1)
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, refuse_edited))
    app.add_handler(CommandHandler(names, refuse_outside_private_chat, filters=~private & new_messages))
    app.add_handler(MessageHandler(SECRET_CAPTION & ~private & new_messages, refuse_outside_private_chat))
    app.add_handler(CommandHandler(["daftar", "gantisandi"], refuse_forwarded, filters=filters.FORWARDED))
    app.add_handler(MessageHandler(SECRET_CAPTION & filters.FORWARDED, refuse_forwarded))
    captioned = SECRET_CAPTION & private & new_messages & ~filters.FORWARDED
    app.add_handler(MessageHandler(filters.CaptionRegex(r"^/daftar") & captioned, daftar))
    app.add_handler(MessageHandler(filters.CaptionRegex(r"^/gantisandi") & captioned, gantisandi))
    app.add_handler(CommandHandler("daftar", daftar, filters=private & new_messages))
    app.add_handler(CommandHandler("datapribadi", datapribadi, filters=private & new_messages))
    app.add_handler(CommandHandler("tunkin", tunkin, filters=private & new_messages))
    app.add_handler(CommandHandler("cuti", cuti, filters=private & new_messages))
    app.add_handler(CommandHandler("gantisandi", gantisandi, filters=private & new_messages))
    app.add_handler(CommandHandler("keluar", keluar, filters=private & new_messages))
    app.add_handler(MessageHandler(private & new_messages & ~filters.COMMAND, on_input))
    app.add_handler(CallbackQueryHandler(on_button))


function = GroupFunction(REGISTRATION, register_handlers)


@function.logger.inject_lambda_context(clear_state=True)
@function.metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return function.handle(event, context)
