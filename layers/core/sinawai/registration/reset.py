""" "Lupa kata sandi": an employee asks (/lupasandi), the staff group is told (masked NIP), a staff member
(registered with the role staf or admin) issues a one-time code with ``/resetsandi NIP`` in the staff
group, the code goes to that staff member's private chat only (never to the group, never to the message
log), and the employee registers with ``/daftar NIP KODE`` and must set a new password at once.

The code is valid 24 hours and once; only its scrypt hash is stored (``password_reset``). A new code
replaces an unused one. Every step is audited in ``audit_log``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from sinawai.common.format_id import format_nip, jam, mask_nip, sapaan, tanggal_jam
from sinawai.platform import clock, conversations
from sinawai.platform.db import Database
from sinawai.registration import employees
from sinawai.registration import texts as t
from sinawai.registration.employees import Employee
from sinawai.registration.passwords import hash_password, new_reset_code, normalize_code, verify_password
from sinawai.registration.rules import nip_problem, normalize_nip, split_nip
from sinawai.router.commands import REGISTRATION
from sinawai.telegram.invocation import personal_reply
from sinawai.telegram.runtime import GroupFunction

CODE_VALIDITY = timedelta(hours=24)
REQUEST_INTERVAL = timedelta(hours=1)  # one staff alert per NIP or account per hour
STAFF_ROLES = frozenset({"staf", "admin"})
AWAITING_RESET_NIP = "awaiting_reset_nip"


# ---- store ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingReset:
    id: int
    code_hash: str
    expires_at: datetime


def issue(db: Database, nip: str, code_hash: str, staff_user_id: int, now: datetime) -> None:
    """Store a new code's hash; an earlier unused code of the NIP ends now."""
    with db.transaction() as cur:
        cur.execute(
            "UPDATE password_reset SET expires_at = %s"
            " WHERE nip = %s AND used_at IS NULL AND expires_at > %s",
            (now, nip, now),
        )
        cur.execute(
            "INSERT INTO password_reset (nip, code_hash, issued_by_telegram, issued_at, expires_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            (nip, code_hash, staff_user_id, now, now + CODE_VALIDITY),
        )


def revoke_latest(db: Database, nip: str, now: datetime) -> None:
    db.execute(
        "UPDATE password_reset SET expires_at = %s WHERE nip = %s AND used_at IS NULL AND expires_at > %s",
        (now, nip, now),
    )


def pending(db: Database, nip: str, now: datetime) -> PendingReset | None:
    row = db.fetch_one(
        "SELECT id, code_hash, expires_at FROM password_reset WHERE nip = %s AND used_at IS NULL"
        " AND expires_at > %s ORDER BY id DESC LIMIT 1",
        (nip, now),
    )
    return PendingReset(int(row["id"]), str(row["code_hash"]), row["expires_at"]) if row else None


def any_code_issued(db: Database, nip: str) -> bool:
    row = db.fetch_one("SELECT COUNT(*) AS n FROM password_reset WHERE nip = %s", (nip,))
    return bool(row and int(row["n"]))


def use(db: Database, reset_id: int, user_id: int, now: datetime) -> bool:
    """Mark the code used; False when another message used it first."""
    changed = db.execute(
        "UPDATE password_reset SET used_at = %s, used_by_telegram = %s WHERE id = %s AND used_at IS NULL",
        (now, user_id, reset_id),
    )
    return changed == 1


def bind_after_reset(db: Database, nip: str, user_id: int) -> None:
    """Bind the NIP to this account (moving it from a lost one): the staff checked who asked. The old
    password stops working; a new one must be set before anything personal is shown."""
    db.execute(
        "UPDATE pengguna SET id_telegram = %s, password_hash = NULL, wajib_ganti_sandi = 1,"
        " registered_at = COALESCE(registered_at, %s) WHERE nip = %s",
        (user_id, clock.utcnow(), nip),
    )


def last_request(db: Database, nip: str, user_id: int, since: datetime) -> datetime | None:
    row = db.fetch_one(
        "SELECT MAX(waktu) AS w FROM audit_log WHERE event = 'password_reset_request' AND waktu > %s"
        " AND (telegram_user_id = %s OR nip = %s)",
        (since, user_id, nip),
    )
    return row["w"] if row else None


# ---- the employee's request ----------------------------------------------------------------------------


async def _reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    chat = update.effective_chat
    assert chat is not None
    await update.get_bot().send_message(chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


def _ids(update: Update) -> tuple[int, int]:
    assert update.effective_user is not None
    assert update.effective_chat is not None
    return update.effective_user.id, update.effective_chat.id


async def ask_nip(update: Update, deps: GroupFunction) -> None:
    """/lupasandi alone (or its button): the account's own NIP when it is bound, else ask for it."""
    user_id, chat_id = _ids(update)
    bound = employees.by_telegram(deps.db, user_id)
    if bound is not None:
        await request(update, deps, bound.nip)
        return
    conversations.start_conversation(deps.db, chat_id, REGISTRATION, AWAITING_RESET_NIP)
    await _reply(update, t.ASK_RESET_NIP)


async def request(update: Update, deps: GroupFunction, nip_text: str) -> None:
    """Forward a reset request to the staff group. The answer is the same whether or not the NIP exists,
    so nobody learns from it which NIPs are employees'."""
    user_id, chat_id = _ids(update)
    db = deps.db
    nip = normalize_nip(nip_text)
    problem = nip_problem(nip)
    if problem is not None:
        conversations.start_conversation(db, chat_id, REGISTRATION, AWAITING_RESET_NIP)
        await _reply(update, problem + t.RESET_NIP_RETRY_SUFFIX)
        return
    conversations.end_conversation(db, chat_id)
    now = clock.utcnow()
    earlier = last_request(db, nip, user_id, now - REQUEST_INTERVAL)
    if earlier is not None:
        await _reply(update, t.RESET_ALREADY_REQUESTED.format(at=jam(earlier, deps.settings.timezone)))
        return
    employee = employees.by_nip(db, nip)
    known = employee is not None and employee.active
    employees.audit(
        db,
        "password_reset_request",
        telegram_user_id=user_id,
        chat_id=chat_id,
        nip=nip,
        detail=None if known else {"forwarded": False},
    )
    staff = deps.settings.staff_group_chat_id
    if known and staff is not None:
        alert = t.STAFF_RESET_REQUEST.format(nip=mask_nip(nip), user_id=user_id)
        try:
            await update.get_bot().send_message(staff, alert, parse_mode=ParseMode.HTML)
        except TelegramError:
            deps.logger.exception("could not forward a password reset request to the staff group")
    await _reply(update, t.RESET_REQUESTED.format(nip=format_nip(nip)))


# ---- the staff member's /resetsandi --------------------------------------------------------------------


def _staff_name(update: Update) -> str:
    user = update.effective_user
    return html.escape(user.full_name if user else "petugas")


async def reset_by_staff(update: Update, deps: GroupFunction, args: str) -> None:
    """``/resetsandi NIP`` in the staff group: a one-time code to the staff member's private chat."""
    user_id, chat_id = _ids(update)
    db = deps.db
    if chat_id != deps.settings.staff_group_chat_id:
        await _reply(update, t.RESET_IN_STAFF_GROUP_ONLY)
        return
    staff = employees.by_telegram(db, user_id)
    if staff is None or not staff.active or staff.role not in STAFF_ROLES:
        employees.audit(db, "password_reset_refused", telegram_user_id=user_id, chat_id=chat_id, nip=None)
        await _reply(update, t.RESET_STAFF_ONLY)
        return
    nip_text, rest = split_nip(args)
    nip = normalize_nip(nip_text)
    problem = nip_problem(nip) if nip_text and not rest else None
    if not nip_text or rest or problem is not None:
        await _reply(update, (problem + "\n") if problem else t.RESET_FORMAT)
        return
    employee = employees.by_nip(db, nip)
    if employee is None:
        await _reply(update, t.RESET_UNKNOWN_NIP.format(nip=mask_nip(nip)))
        return
    if not employee.active:
        await _reply(update, t.RESET_INACTIVE_NIP.format(nip=mask_nip(nip)))
        return
    now = clock.utcnow()
    code = new_reset_code()
    issue(db, nip, hash_password(normalize_code(code)), user_id, now)
    until = tanggal_jam(now + CODE_VALIDITY, deps.settings.timezone)
    private = t.RESET_CODE_PRIVATE.format(
        nip=format_nip(nip), nama=html.escape(employee.nama), code=code, until=until
    )
    try:
        with personal_reply("reset_code"):
            await update.get_bot().send_message(user_id, private, parse_mode=ParseMode.HTML)
    except (Forbidden, BadRequest):
        revoke_latest(db, nip, clock.utcnow())
        employees.audit(
            db,
            "password_reset_undelivered",
            telegram_user_id=user_id,
            chat_id=chat_id,
            nip=nip,
            detail={"by": staff.nip},
        )
        url = f"https://t.me/{update.get_bot().username}?start=menu"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(t.OPEN_PRIVATE_CHAT, url=url)]])
        await _reply(update, t.RESET_CANNOT_SEND.format(nip=mask_nip(nip), staff=_staff_name(update)), markup)
        return
    employees.audit(
        db,
        "password_reset_issued",
        telegram_user_id=user_id,
        chat_id=chat_id,
        nip=nip,
        detail={"by": staff.nip},
    )
    await _reply(
        update, t.RESET_ISSUED_GROUP.format(nip=mask_nip(nip), staff=_staff_name(update), until=until)
    )


# ---- the code, used with /daftar NIP KODE --------------------------------------------------------------


def code_matches(db: Database, nip: str, secret: str) -> PendingReset | None:
    """The NIP's pending reset whose code ``secret`` is, or None."""
    found = pending(db, nip, clock.utcnow())
    if found is not None and verify_password(normalize_code(secret), found.code_hash):
        return found
    return None


async def register_with_code(
    update: Update, deps: GroupFunction, employee: Employee, found: PendingReset
) -> bool:
    """Bind this account to the NIP with its one-time code, then ask for the new password at once."""
    user_id, chat_id = _ids(update)
    db = deps.db
    if not use(db, found.id, user_id, clock.utcnow()):
        await _reply(update, t.CODE_USED_OR_EXPIRED)
        return False
    bind_after_reset(db, employee.nip, user_id)
    employees.audit(db, "password_reset_used", telegram_user_id=user_id, chat_id=chat_id, nip=employee.nip)
    conversations.start_conversation(
        db, chat_id, REGISTRATION, "awaiting_new_password", data={"reset": True}, sensitive_input=True
    )
    conversations.open_secret_step(db, chat_id, "gantisandi")
    with personal_reply("registered"):
        await _reply(update, t.CODE_ACCEPTED.format(nip=format_nip(employee.nip)))
    return True


def welcome_back_text(employee: Employee) -> str:
    return t.PASSWORD_SET_AFTER_RESET.format(
        sapaan=sapaan(employee.row.get("jenis_kelamin")), nama=html.escape(employee.nama)
    )
