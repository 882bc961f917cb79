""" "Lupa kata sandi": an employee asks (/lupasandi), the staff group is told (masked NIP), a staff member
(registered with the role staf or admin) issues a one-time code with ``/resetsandi NIP`` in the staff
group, the code goes to that staff member's private chat only (never to the group, never to the message
log), and the employee registers with ``/daftar NIP KODE`` and must set a new password at once.

The code is valid 24 hours and once; only its scrypt hash is stored (``password_reset``). A new code
replaces an unused one. Every step is audited in ``audit_log``.

The staff see only a masked NIP, so the request in the staff group carries a button ("Buat kode sekali
pakai") that issues the code for that request (its ``audit_log`` row) without typing the NIP: only a
registered staf/admin may press it, the code answers the request once (``password_reset.request_audit_id``
is unique, so a second press or a second staff member issues nothing), and the request message is edited to
say who issued it. Issuing a code (button or ``/resetsandi``) also clears the registration lock of the NIP
and of the accounts that asked for the reset (audited ``lockout_cleared``): the employee uses the code at
once instead of waiting for the lock to end; the code's own tries still count towards a new lock.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from sinawai.common.format_id import format_nip, jam, mask_nip, sapaan, tanggal_jam
from sinawai.common.numbers import parse_int
from sinawai.platform import clock, conversations, updates
from sinawai.platform.db import Database
from sinawai.platform.errors import DuplicateKeyError
from sinawai.registration import employees
from sinawai.registration import texts as t
from sinawai.registration.employees import Employee
from sinawai.registration.passwords import hash_password, new_reset_code, normalize_code, verify_password
from sinawai.registration.rules import (
    REQUEST_BUTTON_VALIDITY,
    nip_problem,
    normalize_nip,
    request_expired,
    reset_callback_data,
    split_nip,
)
from sinawai.router.commands import REGISTRATION
from sinawai.telegram.invocation import personal_reply
from sinawai.telegram.runtime import GroupFunction

CODE_VALIDITY = timedelta(hours=24)
REQUEST_INTERVAL = timedelta(hours=1)  # one staff alert per NIP or account per hour
STAFF_ROLES = frozenset({"staf", "admin"})
AWAITING_RESET_NIP = "awaiting_reset_nip"
RESET_CODE_STEP = "reset_code"  # update_step: the password_reset row a press issued
RESET_SENT_STEP = "reset_code_sent"  # update_step: its code reached the staff member's private chat


# ---- store ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingReset:
    id: int
    code_hash: str
    expires_at: datetime


def issue(
    db: Database,
    nip: str,
    code_hash: str,
    staff_user_id: int,
    now: datetime,
    *,
    request_id: int | None = None,
    update_id: int | None = None,
) -> int:
    """Store a new code's hash; an earlier unused code of the NIP ends now. With ``request_id`` the code
    answers that request, once: DuplicateKeyError (and nothing changed) when a code already did. With
    ``update_id`` the row is recorded as that update's step, so a retry of the press finds it."""
    with db.transaction() as cur:
        cur.execute(
            "UPDATE password_reset SET expires_at = %s"
            " WHERE nip = %s AND used_at IS NULL AND expires_at > %s",
            (now, nip, now),
        )
        cur.execute(
            "INSERT INTO password_reset"
            " (nip, code_hash, issued_by_telegram, issued_at, expires_at, request_audit_id)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (nip, code_hash, staff_user_id, now, now + CODE_VALIDITY, request_id),
        )
        reset_id = int(cur.lastrowid)
        if update_id is not None:
            updates.insert_step(cur, update_id, RESET_CODE_STEP, reset_id)
    return reset_id


def reissue(db: Database, reset_id: int, code_hash: str, now: datetime) -> bool:
    """A retried press whose code never reached the staff member: a new code in the same row."""
    changed = db.execute(
        "UPDATE password_reset SET code_hash = %s, issued_at = %s, expires_at = %s"
        " WHERE id = %s AND used_at IS NULL",
        (code_hash, now, now + CODE_VALIDITY, reset_id),
    )
    return changed == 1


def withdraw(db: Database, reset_id: int, now: datetime) -> None:
    """A code that could not be delivered ends now and answers no request: the button may issue again."""
    db.execute(
        "UPDATE password_reset SET expires_at = LEAST(expires_at, %s), request_audit_id = NULL WHERE id = %s",
        (now, reset_id),
    )


@dataclass(frozen=True)
class ResetRequest:
    id: int
    nip: str
    user_id: int | None
    requested_at: datetime


@dataclass(frozen=True)
class IssuedCode:
    id: int
    issued_by: int
    issued_at: datetime
    expires_at: datetime


def record_request(db: Database, nip: str, user_id: int, chat_id: int, forwarded: bool) -> int:
    """The employee's request, audited; its audit row is the request the staff's button answers."""
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO audit_log (waktu, event, telegram_user_id, chat_id, nip, detail)"
            " VALUES (%s, 'password_reset_request', %s, %s, %s, %s)",
            (clock.utcnow(), user_id, chat_id, nip, None if forwarded else '{"forwarded": false}'),
        )
        return int(cur.lastrowid)


def request_by_id(db: Database, request_id: int) -> ResetRequest | None:
    """A forwarded reset request (one never forwarded to the staff has no button to press)."""
    row = db.fetch_one(
        "SELECT id, waktu, telegram_user_id, nip FROM audit_log"
        " WHERE id = %s AND event = 'password_reset_request' AND nip IS NOT NULL"
        " AND (detail IS NULL OR JSON_EXTRACT(detail, '$.forwarded') IS NULL)",
        (request_id,),
    )
    if row is None:
        return None
    user = row["telegram_user_id"]
    return ResetRequest(
        int(row["id"]), str(row["nip"]), int(user) if user is not None else None, row["waktu"]
    )


def code_for_request(db: Database, request: ResetRequest, now: datetime) -> IssuedCode | None:
    """The code that answered the request: issued with its button, or for its NIP since it came (by
    /resetsandi) and still valid or used. A code that lapsed unused answers nothing: a press issues anew."""
    row = db.fetch_one(
        "SELECT id, issued_by_telegram, issued_at, expires_at FROM password_reset"
        " WHERE request_audit_id = %s OR (nip = %s AND issued_at >= %s"
        "  AND (used_at IS NOT NULL OR expires_at > %s))"
        " ORDER BY request_audit_id = %s DESC, id DESC LIMIT 1",
        (request.id, request.nip, request.requested_at, now, request.id),
    )
    if row is None:
        return None
    return IssuedCode(int(row["id"]), int(row["issued_by_telegram"]), row["issued_at"], row["expires_at"])


def requesters(db: Database, nip: str, since: datetime) -> list[int]:
    """The accounts that asked for a reset of the NIP since ``since``."""
    rows = db.fetch_all(
        "SELECT DISTINCT telegram_user_id FROM audit_log WHERE event = 'password_reset_request'"
        " AND nip = %s AND waktu > %s AND telegram_user_id IS NOT NULL",
        (nip, since),
    )
    return sorted(int(r["telegram_user_id"]) for r in rows)


def clear_lock(db: Database, nip: str, *, staff: Employee, staff_user_id: int, chat_id: int) -> bool:
    """A code was issued for the NIP: open its registration lock, and that of the accounts that asked for
    the reset lately (audited ``lockout_cleared``, one row per account). True when a lock was open."""
    accounts = requesters(db, nip, clock.utcnow() - REQUEST_BUTTON_VALIDITY)
    locked = employees.last_lockout(db, nip=nip, telegram_user_id=0) is not None or any(
        employees.last_lockout(db, nip=nip, telegram_user_id=account) is not None for account in accounts
    )
    if not locked:
        return False
    detail = {"by": staff.nip, "by_telegram": staff_user_id}
    subjects: list[int | None] = [*accounts] or [None]
    for account in subjects:
        employees.audit(
            db, "lockout_cleared", telegram_user_id=account, chat_id=chat_id, nip=nip, detail=detail
        )
    return True


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
    request_id = record_request(db, nip, user_id, chat_id, known)
    staff = deps.settings.staff_group_chat_id
    if known and staff is not None:
        alert = t.STAFF_RESET_REQUEST.format(
            nip=mask_nip(nip), user_id=user_id, at=tanggal_jam(now, deps.settings.timezone)
        )
        button = InlineKeyboardButton(
            t.RESET_BUTTON, callback_data=reset_callback_data(REGISTRATION, request_id)
        )
        try:
            await update.get_bot().send_message(
                staff, alert, parse_mode=ParseMode.HTML, reply_markup=InlineKeyboardMarkup([[button]])
            )
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
    opened = clear_lock(db, nip, staff=staff, staff_user_id=user_id, chat_id=chat_id)
    await _reply(
        update,
        t.RESET_ISSUED_GROUP.format(nip=mask_nip(nip), staff=_staff_name(update), until=until)
        + (t.LOCK_OPENED if opened else ""),
    )


# ---- the request's button in the staff group -------------------------------------------------------------


def _staff_display(db: Database, staff_user_id: int, fallback: str) -> str:
    """Who issued a code, as the staff group knows them: the name of the staff member bound to the account."""
    staff = employees.by_telegram(db, staff_user_id)
    return html.escape(staff.nama if staff is not None else fallback)


async def _alert(query: CallbackQuery, text: str) -> None:
    await query.answer(text, show_alert=True)


async def _edit_request(query: CallbackQuery, text: str) -> None:
    """The request message in place, without its button (an edit that changes nothing is no error)."""
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML)
    except BadRequest as e:
        if "not modified" not in e.message.lower():
            raise


async def press_reset_button(update: Update, deps: GroupFunction, raw_request: str) -> None:
    """ "Buat kode sekali pakai" under a reset request: the code of that request, to the presser's private
    chat (as /resetsandi does), once; the request message then says who issued it (never the code)."""
    query = update.callback_query
    assert query is not None
    user_id, chat_id = _ids(update)
    db = deps.db
    zone = deps.settings.timezone
    if chat_id != deps.settings.staff_group_chat_id:
        await _alert(query, t.RESET_BUTTON_STAFF_GROUP_ONLY)
        return
    staff = employees.by_telegram(db, user_id)
    if staff is None or not staff.active or staff.role not in STAFF_ROLES:
        employees.audit(
            db,
            "password_reset_refused",
            telegram_user_id=user_id,
            chat_id=chat_id,
            nip=None,
            detail={"via": "tombol"},
        )
        await _alert(query, t.RESET_BUTTON_STAFF_ONLY)
        return
    request_id = parse_int(raw_request)
    found = request_by_id(db, request_id) if request_id is not None else None
    if found is None:
        await _alert(query, t.RESET_BUTTON_NOT_FOUND)
        return
    now = clock.utcnow()
    head = {
        "nip": mask_nip(found.nip),
        "user_id": found.user_id or "-",
        "at": tanggal_jam(found.requested_at, zone),
    }
    issued = code_for_request(db, found, now)
    retried = updates.step_done(db, update.update_id, RESET_CODE_STEP)
    if retried[0] and issued is not None and issued.id == retried[1]:
        if updates.step_done(db, update.update_id, RESET_SENT_STEP)[0]:
            await _done(query, db, head, issued, zone)
            return
        # this press issued the code and died before sending it: a new code in its row, then send it
        await _send_code(update, deps, found, staff, issued.id, head)
        return
    if issued is not None:
        name = _staff_display(db, issued.issued_by, "petugas")
        await _alert(
            query,
            t.RESET_BUTTON_ALREADY.format(staff=html.unescape(name), issued=jam(issued.issued_at, zone)),
        )
        await _done(query, db, head, issued, zone)
        return
    if request_expired(found.requested_at, now):
        await _alert(query, t.RESET_BUTTON_EXPIRED)
        await _edit_request(query, t.STAFF_RESET_REQUEST_EXPIRED.format(**head))
        return
    employee = employees.by_nip(db, found.nip)
    if employee is None or not employee.active:
        await _alert(query, t.RESET_BUTTON_INACTIVE)
        return
    code = new_reset_code()
    try:
        reset_id = issue(
            db,
            found.nip,
            hash_password(normalize_code(code)),
            user_id,
            now,
            request_id=found.id,
            update_id=None if retried[0] else update.update_id,
        )
    except DuplicateKeyError:
        # another press (another staff member) answered the request first
        issued = code_for_request(db, found, clock.utcnow())
        if issued is not None:
            name = _staff_display(db, issued.issued_by, "petugas")
            await _alert(
                query,
                t.RESET_BUTTON_ALREADY.format(staff=html.unescape(name), issued=jam(issued.issued_at, zone)),
            )
            await _done(query, db, head, issued, zone)
        else:
            await _alert(query, t.RESET_BUTTON_NOT_FOUND)
        return
    await _send_code(update, deps, found, staff, reset_id, head, code, now)


async def _done(
    query: CallbackQuery, db: Database, head: Mapping[str, object], issued: IssuedCode, zone: str
) -> None:
    name = _staff_display(db, issued.issued_by, "petugas")
    text = t.STAFF_RESET_REQUEST_DONE.format(
        **head,
        staff=name,
        issued=tanggal_jam(issued.issued_at, zone),
        until=tanggal_jam(issued.expires_at, zone),
    )
    await _edit_request(query, text)


async def _send_code(
    update: Update,
    deps: GroupFunction,
    found: ResetRequest,
    staff: Employee,
    reset_id: int,
    head: Mapping[str, object],
    code: str | None = None,
    issued_at: datetime | None = None,
) -> None:
    """The code of the row ``reset_id`` (a fresh one in it when ``code`` is None: a retried press) to the
    presser's private chat; audited; the lock opened; the request message says who issued it."""
    query = update.callback_query
    assert query is not None
    user_id, chat_id = _ids(update)
    db = deps.db
    zone = deps.settings.timezone
    employee = employees.by_nip(db, found.nip)
    now = issued_at or clock.utcnow()
    if code is None:
        code = new_reset_code()
        reissue(db, reset_id, hash_password(normalize_code(code)), now)
    until = now + CODE_VALIDITY
    private = t.RESET_CODE_PRIVATE.format(
        nip=format_nip(found.nip),
        nama=html.escape(employee.nama if employee else "-"),
        code=code,
        until=tanggal_jam(until, zone),
    )
    try:
        with personal_reply("reset_code"):
            await update.get_bot().send_message(user_id, private, parse_mode=ParseMode.HTML)
    except (Forbidden, BadRequest):
        withdraw(db, reset_id, clock.utcnow())
        employees.audit(
            db,
            "password_reset_undelivered",
            telegram_user_id=user_id,
            chat_id=chat_id,
            nip=found.nip,
            detail={"by": staff.nip, "request": found.id},
        )
        await query.answer()
        url = f"https://t.me/{update.get_bot().username}?start=menu"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(t.OPEN_PRIVATE_CHAT, url=url)]])
        text = t.RESET_BUTTON_CANNOT_SEND.format(nip=mask_nip(found.nip), staff=_staff_name(update))
        await _reply(update, text, markup)
        return
    updates.record_step(db, update.update_id, RESET_SENT_STEP, reset_id)
    employees.audit(
        db,
        "password_reset_issued",
        telegram_user_id=user_id,
        chat_id=chat_id,
        nip=found.nip,
        detail={"by": staff.nip, "request": found.id},
    )
    clear_lock(db, found.nip, staff=staff, staff_user_id=user_id, chat_id=chat_id)
    await query.answer(t.RESET_BUTTON_SENT)
    issued = IssuedCode(reset_id, user_id, now, until)
    await _done(query, db, head, issued, zone)


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
