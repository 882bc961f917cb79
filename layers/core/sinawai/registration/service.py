"""Registration's use cases: bind a Telegram account to its NIP (with the lockout), change the password,
show the employee's own data, unbind. Each answers in the chat and audits what happened.

A password never stays anywhere: the message that carried it is deleted at once, the router stored it
masked, and only its scrypt hash is compared. Personal data is shown only to its registered, active owner.
"""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from sinawai.common.format_id import format_nip, mask_nip, sapaan, tanggal_jam
from sinawai.consultation.store import open_of
from sinawai.consultation.texts import tickets_continue_here
from sinawai.general import menu
from sinawai.platform import clock, conversations, updates
from sinawai.registration import employees, personal_data, reset
from sinawai.registration import texts as t
from sinawai.registration.employees import AccountAlreadyBoundError, Employee
from sinawai.registration.guards import LUPA_SANDI_BUTTON, Refusals, active_employee
from sinawai.registration.passwords import (
    hash_password,
    looks_like_code,
    needs_rehash,
    password_problem,
    verify_password,
)
from sinawai.registration.rules import LockoutPolicy, nip_problem, normalize_nip
from sinawai.router.commands import REGISTRATION
from sinawai.telegram.invocation import personal_reply
from sinawai.telegram.runtime import GroupFunction

# The states of the chat's guided /daftar and /gantisandi.
AWAITING_NIP = "awaiting_nip"
AWAITING_PASSWORD = "awaiting_password"
AWAITING_OLD_PASSWORD = "awaiting_old_password"
AWAITING_NEW_PASSWORD = "awaiting_new_password"
REFUSALS = Refusals(not_registered=t.NOT_REGISTERED, inactive=t.INACTIVE)


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    message = update.effective_message
    assert message is not None
    await message.get_bot().send_message(
        message.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def delete_quietly(message: Message, deps: GroupFunction) -> bool:
    """Delete a message that carried a secret; False when Telegram does not allow it."""
    try:
        await message.delete()
    except (BadRequest, Forbidden):
        deps.logger.warning("could not delete a message that carried a password")
        return False
    return True


def ids(update: Update) -> tuple[int, int]:
    """The sender's user id and the chat's id."""
    assert update.effective_user is not None
    assert update.effective_chat is not None
    return update.effective_user.id, update.effective_chat.id


# ---- registration ----------------------------------------------------------------------------------------


async def already_registered(update: Update, deps: GroupFunction) -> bool:
    """This account is bound already: say so (no password will be asked)."""
    user_id, chat_id = ids(update)
    bound = employees.by_telegram(deps.db, user_id)
    if bound is None:
        return False
    conversations.drop_secret_step(deps.db, chat_id)
    with personal_reply("registered"):
        await reply(update, t.ALREADY_REGISTERED.format(nama=html.escape(bound.nama)))
    return True


async def ask_nip(update: Update, deps: GroupFunction) -> None:
    _, chat_id = ids(update)
    conversations.start_conversation(deps.db, chat_id, REGISTRATION, AWAITING_NIP)
    conversations.open_secret_step(deps.db, chat_id, "daftar")
    await reply(update, t.ASK_NIP)


async def accept_nip(update: Update, deps: GroupFunction, text: str) -> None:
    """A NIP of the guided /daftar: ask again when it is malformed, else ask the password."""
    _, chat_id = ids(update)
    nip = normalize_nip(text)
    problem = nip_problem(nip)
    if problem is not None:
        conversations.start_conversation(deps.db, chat_id, REGISTRATION, AWAITING_NIP)
        conversations.open_secret_step(deps.db, chat_id, "daftar")
        await reply(update, problem + t.NIP_RETRY_SUFFIX)
        return
    conversations.start_conversation(
        deps.db, chat_id, REGISTRATION, AWAITING_PASSWORD, data={"nip": nip}, sensitive_input=True
    )
    conversations.open_secret_step(deps.db, chat_id, "daftar")
    await reply(update, t.ASK_PASSWORD)


async def register_account(update: Update, deps: GroupFunction, nip_text: str, password: str) -> None:
    """Check the NIP and password and bind this Telegram account; every outcome is audited."""
    user_id, chat_id = ids(update)
    db = deps.db
    nip = normalize_nip(nip_text)
    problem = nip_problem(nip)
    if problem is not None:
        await reply(update, problem + t.DAFTAR_RETRY_SUFFIX)
        return

    policy = LockoutPolicy.from_env()
    moment = clock.utcnow()
    last = employees.last_lockout(db, nip=nip, telegram_user_id=user_id)
    until = policy.locked_until(last, moment)
    if until is not None:
        employees.audit(db, "register_locked", telegram_user_id=user_id, chat_id=chat_id, nip=nip)
        await reply(update, t.LOCKED.format(until=tanggal_jam(until, deps.settings.timezone)), help_markup())
        return

    bound = employees.by_telegram(db, user_id)
    employee = employees.by_nip(db, nip)
    if employee is not None and (bound is None or bound.nip == nip) and looks_like_code(password):
        found = reset.code_matches(db, nip, password)
        if found is not None and not employee.active:
            await refuse(update, deps, nip, "nonaktif", t.INACTIVE)
            return
        if found is not None:
            await reset.register_with_code(update, deps, employee, found)
            return
    if bound is not None and bound.nip == nip and updates.step_done(db, update.update_id, "registered")[0]:
        # Lambda's retry of this very registration (its answer failed): the answer, not "already registered"
        await welcome(update, deps, bound)
        return
    if bound is not None:
        text = (
            t.ALREADY_REGISTERED.format(nama=html.escape(bound.nama)) if bound.nip == nip else t.ACCOUNT_TAKEN
        )
        with personal_reply("registered"):
            await reply(update, text)
        return

    if not verify_password(password, employee.password_hash if employee else None) or employee is None:
        used_code = employee is not None and looks_like_code(password) and reset.any_code_issued(db, nip)
        await record_failure(update, deps, nip, policy, last, t.CODE_USED_OR_EXPIRED if used_code else None)
        return
    if not employee.active:
        await refuse(update, deps, nip, "nonaktif", t.INACTIVE)
        return
    if employee.telegram_id is not None:
        await refuse(update, deps, nip, "nip_bound_elsewhere", t.NIP_TAKEN)
        return
    try:
        won = employees.bind(db, nip, user_id)
    except AccountAlreadyBoundError:
        await reply(update, t.ACCOUNT_TAKEN)
        return
    if not won:
        # Another account bound this NIP between our read and our write.
        await refuse(update, deps, nip, "lost_race", t.NIP_TAKEN)
        return
    if employee.password_hash and needs_rehash(employee.password_hash):
        # an initial password from an HR import (a cheap hash) stays the credential: hash it in full now
        employees.upgrade_password_hash(db, nip, employee.password_hash, hash_password(password))
    employees.audit(db, "register_success", telegram_user_id=user_id, chat_id=chat_id, nip=nip)
    updates.record_step(db, update.update_id, "registered", None)
    await welcome(update, deps, employee)


def help_markup() -> InlineKeyboardMarkup:
    """Under a lock or a wrong password: ask for a reset, or find how to reach OSDM."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(LUPA_SANDI_BUTTON, callback_data=f"{REGISTRATION}:lupasandi"),
                InlineKeyboardButton(menu.CONTACT.label, callback_data=menu.CONTACT.callback_data),
            ]
        ]
    )


def personal_menu_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("👤 Data Pribadi", callback_data=f"{REGISTRATION}:datapribadi"),
                InlineKeyboardButton("🗓️ Cuti", callback_data=f"{REGISTRATION}:cuti"),
            ],
            [InlineKeyboardButton("💰 Tunjangan Kinerja", callback_data=f"{REGISTRATION}:tunkin")],
        ]
    )


async def welcome(update: Update, deps: GroupFunction, employee: Employee) -> None:
    chat = update.effective_chat
    if chat is not None:
        conversations.finish_secret_step(deps.db, chat.id)
    with personal_reply("registered"):
        text = t.REGISTERED.format(
            sapaan=sapaan(employee.row.get("jenis_kelamin")),
            nama=html.escape(employee.nama),
            nip=format_nip(employee.nip),
        )
        await reply(update, text, personal_menu_markup())
    await tell_open_tickets(update, deps, employee.nip)


async def tell_open_tickets(update: Update, deps: GroupFunction, nip: str) -> None:
    """Tickets belong to the NIP: its open ones (asked from an account it had before) continue here."""
    open_ids = [ticket.id for ticket in open_of(deps.db, nip)]
    if open_ids:
        await reply(update, tickets_continue_here(open_ids))


async def refuse(update: Update, deps: GroupFunction, nip: str, reason: str, text: str) -> None:
    """A right password that still cannot register: audited with its reason, and explained."""
    user_id, chat_id = ids(update)
    employees.audit(
        deps.db,
        "register_failure",
        telegram_user_id=user_id,
        chat_id=chat_id,
        nip=nip,
        detail={"reason": reason},
    )
    await reply(update, text)


async def record_failure(
    update: Update,
    deps: GroupFunction,
    nip: str,
    policy: LockoutPolicy,
    last: datetime | None,
    text: str | None = None,
) -> None:
    """A wrong NIP or password: audited; one failure too many locks the NIP and alerts the staff."""
    user_id, chat_id = ids(update)
    db = deps.db
    employees.audit(db, "register_failure", telegram_user_id=user_id, chat_id=chat_id, nip=nip)
    moment = clock.utcnow()
    cleared = employees.last_lock_clear(db, nip=nip, telegram_user_id=user_id)
    failures = employees.failures_since(
        db, policy.count_since(last, moment, cleared), nip=nip, telegram_user_id=user_id
    )
    if failures < policy.max_failures:
        await reply(update, text or t.WRONG_CREDENTIALS, help_markup())
        return
    employees.audit(
        db, "lockout", telegram_user_id=user_id, chat_id=chat_id, nip=nip, detail={"failures": failures}
    )
    until = tanggal_jam(moment + policy.lockout, deps.settings.timezone)
    await reply(update, t.LOCKED.format(until=until), help_markup())
    staff = deps.settings.staff_group_chat_id
    if staff is not None:
        alert = t.STAFF_LOCKOUT_ALERT.format(
            nip=mask_nip(nip),
            user_id=user_id,
            failures=failures,
            window=int(policy.window.total_seconds() // 60),
            until=until,
        )
        try:
            await update.get_bot().send_message(staff, alert, parse_mode=ParseMode.HTML)
        except TelegramError:
            deps.logger.exception("could not alert the staff group about a lockout")


# ---- personal data ---------------------------------------------------------------------------------------


def back_markup() -> InlineKeyboardMarkup:
    back = menu.BACK_TO_MENU
    return InlineKeyboardMarkup([[InlineKeyboardButton(back.label, callback_data=back.callback_data)]])


def _personal_text(deps: GroupFunction, kind: str, employee: Employee) -> str:
    if kind == "datapribadi":
        return personal_data.personal_data_text(employee.row)
    if kind == "tunkin":
        return personal_data.tunkin_text(employees.tunkin_history(deps.db, employee.nip))
    year = datetime.now(ZoneInfo(deps.settings.timezone)).year
    return personal_data.cuti_text(
        employees.cuti_of_year(deps.db, employee.nip, year), year, employee.jenis_asn
    )


async def show_personal(update: Update, deps: GroupFunction, kind: str) -> None:
    """The employee's own data (``kind``: datapribadi, tunkin or cuti), audited, and only to its owner."""
    employee = await active_employee(update, deps.db, REFUSALS)
    if employee is None:
        return
    if employee.must_change_password:
        await reply(update, t.MUST_SET_PASSWORD)
        return
    user_id, chat_id = ids(update)
    employees.audit(deps.db, f"view_{kind}", telegram_user_id=user_id, chat_id=chat_id, nip=employee.nip)
    with personal_reply(kind):
        await reply(update, _personal_text(deps, kind, employee), back_markup())


# ---- password change and unbinding ------------------------------------------------------------------------


async def ask_reset_password(update: Update, deps: GroupFunction) -> None:
    """After a reset code: the new password, no old one (it was forgotten)."""
    _, chat_id = ids(update)
    conversations.start_conversation(
        deps.db, chat_id, REGISTRATION, AWAITING_NEW_PASSWORD, data={"reset": True}, sensitive_input=True
    )
    conversations.open_secret_step(deps.db, chat_id, "gantisandi")
    await reply(update, t.ASK_RESET_NEW_PASSWORD)


async def ask_old_password(update: Update, deps: GroupFunction) -> None:
    _, chat_id = ids(update)
    conversations.start_conversation(
        deps.db, chat_id, REGISTRATION, AWAITING_OLD_PASSWORD, sensitive_input=True
    )
    conversations.open_secret_step(deps.db, chat_id, "gantisandi")
    await reply(update, t.ASK_OLD_PASSWORD)


async def check_old_password(update: Update, deps: GroupFunction, password: str) -> bool:
    """The current password, before a new one: a wrong one ends the change (audited)."""
    user_id, chat_id = ids(update)
    employee = employees.by_telegram(deps.db, user_id)
    if employee is None or not verify_password(password, employee.password_hash):
        conversations.end_conversation(deps.db, chat_id)
        employees.audit(
            deps.db,
            "password_change_failure",
            telegram_user_id=user_id,
            chat_id=chat_id,
            nip=employee.nip if employee else None,
        )
        await reply(update, t.OLD_PASSWORD_WRONG)
        return False
    conversations.start_conversation(
        deps.db, chat_id, REGISTRATION, AWAITING_NEW_PASSWORD, sensitive_input=True
    )
    conversations.open_secret_step(deps.db, chat_id, "gantisandi")
    await reply(update, t.ASK_NEW_PASSWORD)
    return True


async def set_new_password(update: Update, deps: GroupFunction, password: str) -> None:
    """Store the new password's hash when it is strong enough and not the old one."""
    user_id, chat_id = ids(update)
    employee = employees.by_telegram(deps.db, user_id)
    if employee is None:
        conversations.end_conversation(deps.db, chat_id)
        await reply(update, t.NOT_REGISTERED)
        return
    problem = password_problem(password)
    if problem is not None:
        await reply(update, t.NEW_PASSWORD_WEAK.format(problem=problem))
        return
    if verify_password(password, employee.password_hash):
        await reply(update, t.NEW_PASSWORD_SAME)
        return
    employees.set_password_hash(deps.db, employee.nip, hash_password(password))
    conversations.end_conversation(deps.db, chat_id)
    conversations.finish_secret_step(deps.db, chat_id)
    employees.audit(deps.db, "password_change", telegram_user_id=user_id, chat_id=chat_id, nip=employee.nip)
    if employee.must_change_password:
        with personal_reply("registered"):
            await reply(update, reset.welcome_back_text(employee), personal_menu_markup())
        return
    await reply(update, t.PASSWORD_CHANGED)


def unbind(update: Update, deps: GroupFunction) -> str | None:
    """Unbind this account from its NIP (audited); the NIP it had, or None when it had none."""
    user_id, chat_id = ids(update)
    nip = employees.unbind(deps.db, user_id)
    if nip is not None:
        employees.audit(deps.db, "unbind", telegram_user_id=user_id, chat_id=chat_id, nip=nip)
    return nip
