"""Whose rows are whose (pure): the Telegram accounts of one employee, and the pseudonyms that replace them.

An employee is found by NIP, but most of what the bot records is keyed by a Telegram account: the private
chat's id is the account's id. The accounts of a NIP are those ever bound to it (``register_success``,
``unbind`` and ``import_deactivate`` in the audit log, the binding in ``pengguna`` now, the chats its
tickets were asked from). An account that was only ever bound to this NIP is the employee's for its whole
history (the messages before registering too). An account that was also bound to another NIP at some time
is the employee's only while it was bound to this one, so erasing one employee never touches another's rows.

Pseudonyms: the NIP becomes ``ANON`` + the employee's row id (18 characters like a NIP, never a valid one:
nobody can register with it, and the foreign keys on ``nip`` keep holding); each account becomes a number
from 2^62 up, far above any Telegram id (those have at most 52 significant bits), distinct per account so
"distinct chats per day" in the evaluation report still counts the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Row = dict[str, Any]
EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - naive UTC, as the database stores times

PSEUDONYM_NIP_PREFIX = "ANON"
PSEUDONYM_ID_BASE = 2**62
ACCOUNTS_PER_EMPLOYEE = 1000  # room for the pseudonymous ids of one employee's accounts

BINDING_EVENTS = ("register_success", "unbind", "import_deactivate")
_RELEASES = frozenset({"unbind", "import_deactivate"})


def pseudonym_nip(employee_id: int) -> str:
    """'ANON00000000000042': what stands for the NIP of employee row 42 once anonymised."""
    return f"{PSEUDONYM_NIP_PREFIX}{employee_id:014d}"


def pseudonym_name(employee_id: int) -> str:
    return f"Pegawai anonim {employee_id}"


def pseudonym_account(employee_id: int, index: int) -> int:
    """The number that replaces the employee's ``index``-th Telegram account (0-based) everywhere."""
    if not 0 <= index < ACCOUNTS_PER_EMPLOYEE:
        raise ValueError(f"account index {index} out of range")
    return PSEUDONYM_ID_BASE + employee_id * ACCOUNTS_PER_EMPLOYEE + index


def is_pseudonym_account(value: int | None) -> bool:
    return value is not None and value >= PSEUDONYM_ID_BASE


@dataclass(frozen=True)
class BindingEvent:
    """One audit row that binds (``register_success``) or releases (``unbind``, ``import_deactivate``)."""

    waktu: datetime
    event: str
    account: int
    nip: str | None


Period = tuple[datetime, datetime | None]  # [start, end); end None: still running


@dataclass(frozen=True)
class Account:
    """A Telegram account of the employee: all of its history (``periods`` None) or only these periods."""

    telegram_id: int
    bound_now: bool
    periods: tuple[Period, ...] | None

    @property
    def whole(self) -> bool:
        return self.periods is None


def accounts_of(
    nip: str,
    candidates: Iterable[int],
    events: Sequence[BindingEvent],
    bound_now: Mapping[int, str],
) -> list[Account]:
    """The employee's accounts among ``candidates``, given every binding event of those accounts (any NIP)
    and the NIP each is bound to now. An account bound to another NIP and never to this one is left out."""
    found: list[Account] = []
    for account in sorted(set(candidates)):
        own = sorted((e for e in events if e.account == account), key=lambda e: e.waktu)
        nips = {e.nip for e in own if e.event == "register_success"}
        if account in bound_now:
            nips.add(bound_now[account])
        now = bound_now.get(account) == nip
        if nips <= {nip}:
            found.append(Account(account, now, None))
            continue
        periods = _periods(nip, own, now)
        if periods:
            found.append(Account(account, now, periods))
    return found


def _periods(nip: str, events: Sequence[BindingEvent], bound_now: bool) -> tuple[Period, ...]:
    periods: list[Period] = []
    start: datetime | None = None
    for e in events:
        if e.event == "register_success":
            if start is not None:  # bound to another NIP without a release recorded: this one ended
                periods.append((start, e.waktu))
            start = e.waktu if e.nip == nip else None
        elif e.event in _RELEASES and start is not None:
            periods.append((start, e.waktu))
            start = None
    if start is not None:
        periods.append((start, None))
    elif bound_now:
        # bound to this NIP now without a recorded registration (set by hand): since the last event
        periods.append((events[-1].waktu if events else EPOCH, None))
    return tuple(periods)


def account_condition(account: Account, id_column: str, time_column: str | None) -> tuple[str, list[Any]]:
    """SQL (with placeholders) selecting the rows of ``account`` by ``id_column``, within its periods by
    ``time_column``; a table without a time column (None) only gets whole accounts. Column names are the
    caller's constants, never input."""
    if account.periods is None:
        return f"{id_column} = %s", [account.telegram_id]
    if time_column is None:
        return "FALSE", []
    parts: list[str] = []
    args: list[Any] = []
    for start, end in account.periods:
        if end is None:
            parts.append(f"({id_column} = %s AND {time_column} >= %s)")
            args += [account.telegram_id, start]
        else:
            parts.append(f"({id_column} = %s AND {time_column} >= %s AND {time_column} < %s)")
            args += [account.telegram_id, start, end]
    return "(" + " OR ".join(parts) + ")", args


def accounts_condition(
    accounts: Sequence[Account], id_column: str, time_column: str | None
) -> tuple[str, list[Any]]:
    """``account_condition`` for several accounts, OR-ed ("FALSE" for none)."""
    parts: list[str] = []
    args: list[Any] = []
    for account in accounts:
        sql, values = account_condition(account, id_column, time_column)
        if sql != "FALSE":
            parts.append(sql)
            args += values
    return ("(" + " OR ".join(parts) + ")" if parts else "FALSE"), args


def owns(accounts: Sequence[Account], telegram_id: int | None, moment: datetime | None) -> bool:
    """Whether a row of ``telegram_id`` at ``moment`` is the employee's (as the SQL conditions decide)."""
    for account in accounts:
        if account.telegram_id != telegram_id:
            continue
        if account.periods is None:
            return True
        if moment is None:
            return False
        return any(start <= moment and (end is None or moment < end) for start, end in account.periods)
    return False


@dataclass(frozen=True)
class TicketRecord:
    ticket: Row
    events: list[Row]
    messages: list[Row]  # waktu, dari (anda | petugas), isi


@dataclass(frozen=True)
class SubjectData:
    """Everything Sinawai holds about one employee, as stored (rows of plain values; JSON columns parsed)."""

    employee: Row
    accounts: list[Account]
    tunkin: list[Row] = field(default_factory=list)
    cuti: list[Row] = field(default_factory=list)
    audit: list[Row] = field(default_factory=list)
    tickets: list[TicketRecord] = field(default_factory=list)
    faq_offers: list[Row] = field(default_factory=list)
    documents: list[Row] = field(default_factory=list)
    content_views: list[Row] = field(default_factory=list)
    announcements: list[Row] = field(default_factory=list)
    messages: list[Row] = field(default_factory=list)
    updates: list[Row] = field(default_factory=list)
    conversations: list[Row] = field(default_factory=list)
    held_messages: list[Row] = field(default_factory=list)  # ticket_choice: waiting for "add or new"
    reset_requests: list[Row] = field(default_factory=list)  # "lupa kata sandi" requests, with status
    password_resets: list[Row] = field(default_factory=list)  # one-time codes: dates and status only
