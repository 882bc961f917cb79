"""An employee's data in MySQL: read all of it (export), or anonymise it in one transaction (erasure).

What is "about" the employee, table by table (migrations 0001-0011):

* found by NIP: ``pengguna`` (never its ``password_hash``), ``tunkin``, ``cuti``, ``ticket``, ``audit_log``
  (their own actions, and attempts on their NIP from any account), ``faq_offer``, ``document_send``;
* found by their Telegram accounts (``sinawai.privacy.subject``): ``pesan`` (their private chat both ways,
  and what they wrote in groups), ``update_inbox`` (the raw updates of those chats and messages),
  ``ticket_event`` (what they did on tickets), ``faq_offer``, ``content_view``, ``document_send``,
  ``announcement_delivery``, ``conversation``, ``sensitive_chat``; and, when the employee is OSDM staff,
  ``ticket.assigned_staff_*`` and ``announcement.posted_by*``;
* found through their tickets: ``ticket_event``, the staff group's messages of the ticket (``ticket_message``
  → ``pesan``: the header naming them, the staff's answers) and ``staff_outbox``.

Consciously left out: ``update_step``, ``ticket_message``, ``staff_send``, ``staff_pacer``,
``update_counter`` and ``report_run`` hold ids, times and counts only, nothing about a person;
``import_run`` records HR files (name, hash, line numbers of bad rows), not people; ``document`` and
``announcement`` bodies are OSDM's published content; ``update_inbox.sealed`` is one half of a one-time pad,
unreadable alone (the export leaves it out, the erasure wipes it). ``sensitive_chat`` (when a password
step was open) is not exported (timing of a security control, no content) but is deleted.

The erasure keeps every row the evaluation report counts (so the figures of past days do not change) and
removes what identifies the employee: name, NIP (a stable pseudonym instead, so the foreign keys hold),
Telegram ids (pseudonyms, distinct per account), every text (messages, questions, the rating comment,
update payloads; a staff member's answers to other employees' tickets stay, without her name or id:
they are the bureau's answers to someone else), personal HR data (tunkin and cuti rows deleted; the
profile emptied except the unit, which the report's waiting list shows), and the chat's pending
conversation. It ends with an ``erasure``
audit row that names the operator and the row counts, not the employee.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sinawai.platform.clock import utcnow
from sinawai.platform.db import Cursor, Database, Row
from sinawai.platform.updates import insert_step
from sinawai.privacy import subject
from sinawai.privacy.subject import Account, BindingEvent, SubjectData, TicketRecord

# Everything of pengguna an export shows: password_hash is never selected (only whether there is one).
_EMPLOYEE_SELECT = (
    "SELECT id, nip, nama, password_hash IS NOT NULL AS kata_sandi_tersimpan, id_telegram, status,"
    " hak_pengguna, jabatan, unit_kerja, pangkat, golongan, kelas_jabatan, jenis_kelamin, tanggal_lahir,"
    " email, jenis_asn, registered_at, bot_blocked_at, created_at, updated_at FROM pengguna WHERE nip = %s"
)
_PESAN_SELECT = (
    "SELECT id, waktu, direction, chat_id, chat_type, id_pengirim, pengirim, isi_pesan, data, id_pesan,"
    " update_id, kind, command, command_group FROM pesan"
)
BOT_EXPORT_EVENT = "export_datasaya"  # audit event of /datasaya (its rate limit is read from these rows)
CLI_EXPORT_EVENT = "export_cli"
ERASURE_EVENT = "erasure"
_CHUNK = 500


def _all(cur: Cursor, sql: str, args: Sequence[Any] = ()) -> list[Row]:
    cur.execute(sql, list(args))
    return list(cur.fetchall())


def _placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _merge(*lists: list[Row], key: str = "id", order: str = "waktu") -> list[Row]:
    """Rows of several queries, each once, in time order."""
    seen: dict[Any, Row] = {}
    for rows in lists:
        for row in rows:
            seen.setdefault(row[key], row)
    return sorted(seen.values(), key=lambda r: (r[order] or subject.EPOCH, r[key]))


# ---- the employee's Telegram accounts ---------------------------------------------------------------------


def _accounts(cur: Cursor, employee: Row) -> tuple[list[Account], list[int]]:
    """The employee's accounts, and the chats their tickets were asked from."""
    nip = str(employee["nip"])
    candidates: set[int] = set()
    if employee["id_telegram"] is not None:
        candidates.add(int(employee["id_telegram"]))
    events_in = _placeholders(len(subject.BINDING_EVENTS))
    for row in _all(
        cur,
        "SELECT DISTINCT telegram_user_id FROM audit_log WHERE nip = %s AND telegram_user_id IS NOT NULL"  # noqa: S608
        f" AND event IN ({events_in})",
        [nip, *subject.BINDING_EVENTS],
    ):
        candidates.add(int(row["telegram_user_id"]))
    ticket_chats = sorted(
        {int(r["chat_id"]) for r in _all(cur, "SELECT DISTINCT chat_id FROM ticket WHERE nip = %s", [nip])}
    )
    candidates.update(ticket_chats)
    candidates = {c for c in candidates if not subject.is_pseudonym_account(c)}
    if not candidates:
        return [], ticket_chats
    ids = sorted(candidates)
    events = [
        BindingEvent(r["waktu"], str(r["event"]), int(r["telegram_user_id"]), r["nip"])
        for r in _all(
            cur,
            "SELECT waktu, event, telegram_user_id, nip FROM audit_log"  # noqa: S608
            f" WHERE telegram_user_id IN ({_placeholders(len(ids))}) AND event IN ({events_in})"
            " ORDER BY waktu, id",
            [*ids, *subject.BINDING_EVENTS],
        )
    ]
    bound_now = {
        int(r["id_telegram"]): str(r["nip"])
        for r in _all(
            cur,
            f"SELECT id_telegram, nip FROM pengguna WHERE id_telegram IN ({_placeholders(len(ids))})",  # noqa: S608
            ids,
        )
    }
    return subject.accounts_of(nip, ids, events, bound_now), ticket_chats


# ---- export -----------------------------------------------------------------------------------------------


def _parse_json(rows: list[Row], *columns: str) -> list[Row]:
    for row in rows:
        for column in columns:
            value = row.get(column)
            if isinstance(value, (str, bytes)):
                with contextlib.suppress(ValueError):  # not JSON after all: kept as text
                    row[column] = json.loads(value)
    return rows


def _by_accounts(
    cur: Cursor,
    accounts: Sequence[Account],
    select: str,
    id_column: str,
    time_column: str | None,
    tail: str = "",
) -> list[Row]:
    where, args = subject.accounts_condition(accounts, id_column, time_column)
    if where == "FALSE":
        return []
    return _all(cur, f"{select} WHERE {where}{tail}", args)


def _guest_ticket_ids(cur: Cursor, accounts: Sequence[Account]) -> list[int]:
    """The guest tickets (issue 14) asked from the employee's accounts. Only from an account whose whole
    history is theirs: a guest ticket is asked while the account is bound to no NIP, so on an account
    several NIPs have used it belongs to nobody it can be proven of."""
    own = [a.telegram_id for a in accounts if a.whole]
    if not own:
        return []
    rows = _all(
        cur,
        f"SELECT id FROM ticket WHERE guest_telegram_id IN ({_placeholders(len(own))}) ORDER BY id",  # noqa: S608
        own,
    )
    return [int(r["id"]) for r in rows]


def _tickets(cur: Cursor, nip: str, guest_ids: Sequence[int] = ()) -> list[TicketRecord]:
    columns = (
        "SELECT id, status, created_at, first_answer_at, last_answer_at, closed_at, rating, rating_comment,"
        " rated_at, chat_id, assigned_staff_id IS NOT NULL AS ditangani_petugas, nip IS NULL AS tamu"
        " FROM ticket"
    )
    tickets = _all(cur, f"{columns} WHERE nip = %s ORDER BY id", [nip])
    if guest_ids:
        tickets += _all(cur, f"{columns} WHERE id IN ({_placeholders(len(guest_ids))})", list(guest_ids))
        tickets.sort(key=lambda r: int(r["id"]))
    if not tickets:
        return []
    ids = [int(t["id"]) for t in tickets]
    marks = _placeholders(len(ids))
    events = _parse_json(
        _all(
            cur,
            "SELECT ticket_id, waktu, event, from_status, to_status, actor_type, actor_id, detail"  # noqa: S608
            f" FROM ticket_event WHERE ticket_id IN ({marks}) ORDER BY waktu, id",
            ids,
        ),
        "detail",
    )
    staff_rows = _all(
        cur,
        "SELECT tm.ticket_id, tm.kind AS jenis, p.waktu, p.direction, p.isi_pesan FROM ticket_message tm"  # noqa: S608
        " JOIN pesan p ON p.chat_id = tm.staff_chat_id AND p.id_pesan = tm.staff_message_id"
        f" WHERE tm.ticket_id IN ({marks}) ORDER BY p.waktu, p.id",
        ids,
    )
    question_ids: dict[int, set[int]] = {}
    for e in events:
        detail = e.get("detail")
        if e["event"] in ("opened", "question") and isinstance(detail, dict) and detail.get("message_id"):
            question_ids.setdefault(int(e["ticket_id"]), set()).add(int(detail["message_id"]))
    records: list[TicketRecord] = []
    for t in tickets:
        tid = int(t["id"])
        messages: list[Row] = []
        asked = sorted(question_ids.get(tid, set()))
        if asked:
            for row in _all(
                cur,
                "SELECT waktu, isi_pesan FROM pesan WHERE chat_id = %s AND direction = 'in'"  # noqa: S608
                f" AND id_pesan IN ({_placeholders(len(asked))}) ORDER BY waktu, id",
                [t["chat_id"], *asked],
            ):
                messages.append({"waktu": row["waktu"], "dari": "anda", "isi": row["isi_pesan"]})
        for row in staff_rows:
            # The staff's answers; not the bot's own posts in the staff group (the ticket's header, the
            # copy of the question): they repeat the profile and the question, and name the staff.
            if int(row["ticket_id"]) == tid and row["direction"] == "in":
                messages.append({"waktu": row["waktu"], "dari": "petugas", "isi": row["isi_pesan"]})
        messages.sort(key=lambda m: m["waktu"])
        own_events = [
            {
                "waktu": e["waktu"],
                "event": e["event"],
                "from_status": e["from_status"],
                "to_status": e["to_status"],
                # who did it, without naming staff: their names and ids are theirs, not the employee's
                "oleh": e["actor_type"],
                "detail": e["detail"],
            }
            for e in events
            if int(e["ticket_id"]) == tid
        ]
        ticket = {k: v for k, v in t.items() if k != "chat_id"}
        ticket["ditangani_petugas"] = bool(ticket["ditangani_petugas"])
        ticket["tamu"] = bool(ticket["tamu"])  # asked as a guest, before the account was registered
        ticket["akun_telegram"] = t["chat_id"]  # the employee's private chat the question came from
        records.append(TicketRecord(ticket, own_events, messages))
    return records


def _audit(cur: Cursor, nip: str, accounts: Sequence[Account]) -> list[Row]:
    columns = "SELECT id, waktu, event, telegram_user_id, chat_id, nip, detail FROM audit_log"
    rows = _merge(
        _all(cur, f"{columns} WHERE nip = %s", [nip]),
        _by_accounts(cur, accounts, columns, "telegram_user_id", "waktu"),
    )
    for row in rows:
        # An attempt on this NIP from somebody else's account: the attempt is the employee's to know,
        # the other account's id is not.
        if row["telegram_user_id"] is not None and not subject.owns(
            accounts, row["telegram_user_id"], row["waktu"]
        ):
            row["telegram_user_id"] = row["chat_id"] = None
            row["akun_lain"] = True
    return _parse_json(rows, "detail")


# Audit details that name the staff member who acted (their NIP, their account): not the employee's data.
_STAFF_DETAIL_KEYS = ("by", "by_telegram")


def _without_staff(audit: list[Row]) -> list[Row]:
    for row in audit:
        detail = row.get("detail")
        if isinstance(detail, dict):
            row["detail"] = {k: v for k, v in detail.items() if k not in _STAFF_DETAIL_KEYS} or None
    return audit


def _password_resets(cur: Cursor, nip: str, now: datetime) -> list[Row]:
    """The NIP's one-time codes: when issued, until when, when used, and so their status; never the hash
    nor who issued it (a staff member's data)."""
    rows = _all(
        cur,
        "SELECT id, issued_at, expires_at, used_at, request_audit_id FROM password_reset WHERE nip = %s"
        " ORDER BY id",
        [nip],
    )
    for row in rows:
        row["status"] = (
            "dipakai"
            if row["used_at"] is not None
            else "kedaluwarsa"
            if row["expires_at"] <= now
            else "berlaku"
        )
    return rows


def _reset_requests(audit: Sequence[Row], resets: Sequence[Row]) -> list[Row]:
    """The "lupa kata sandi" requests on the NIP (from the audit trail) and what became of each."""
    found: list[Row] = []
    for row in audit:
        if row.get("event") != "password_reset_request":
            continue
        detail = row.get("detail") if isinstance(row.get("detail"), dict) else {}
        answered = any(r["request_audit_id"] == row["id"] or r["issued_at"] >= row["waktu"] for r in resets)
        status = (
            "tidak diteruskan"
            if detail and detail.get("forwarded") is False
            else "kode diterbitkan"
            if answered
            else "belum ditanggapi"
        )
        found.append({"waktu": row["waktu"], "status": status, "dari_akun_lain": bool(row.get("akun_lain"))})
    return found


def collect(db: Database, nip: str) -> SubjectData | None:
    """Everything held about the employee with ``nip``; None when no employee has it."""
    with db.transaction() as cur:
        found = _all(cur, _EMPLOYEE_SELECT, [nip])
        if not found:
            return None
        employee = found[0]
        employee["kata_sandi_tersimpan"] = bool(employee["kata_sandi_tersimpan"])
        accounts, _ = _accounts(cur, employee)
        own_messages = _by_accounts(cur, accounts, _PESAN_SELECT, "chat_id", "waktu")
        group_messages = _by_accounts(cur, accounts, _PESAN_SELECT, "id_pengirim", "waktu")
        messages = _parse_json(_merge(own_messages, group_messages), "data")
        # The raw updates of their private chat. Those of their messages in groups are left out: a group
        # update carries the message it replies to, someone else's (their own message is in the log).
        updates = _by_accounts(
            cur,
            accounts,
            "SELECT update_id, received_at, status, command_group, chat_id, payload FROM update_inbox",
            "chat_id",
            "received_at",
            " ORDER BY update_id",
        )
        faq_select = (
            "SELECT id, offered_at, question, topic_ids, best_score, outcome, ticket_id, decided_at"
            " FROM faq_offer"
        )
        doc_select = "SELECT id, sent_at, document_id, category, method FROM document_send"
        chats_now = [a for a in accounts if a.whole or a.bound_now]
        audit = _without_staff(_audit(cur, nip, accounts))
        resets = _password_resets(cur, nip, utcnow())
        held_select = (
            "SELECT id, created_at, expires_at, status, choice, decided_at, chat_id, message_id"
            " FROM ticket_choice"
        )
        return SubjectData(
            employee=employee,
            accounts=accounts,
            tunkin=_all(
                cur,
                "SELECT periode, kelas_jabatan, tunjangan, potongan, keterangan, imported_at FROM tunkin"
                " WHERE nip = %s ORDER BY periode",
                [nip],
            ),
            cuti=_all(
                cur,
                "SELECT tahun, jenis, hak, terpakai, imported_at FROM cuti WHERE nip = %s"
                " ORDER BY tahun, jenis",
                [nip],
            ),
            audit=audit,
            tickets=_tickets(cur, nip, _guest_ticket_ids(cur, accounts)),
            faq_offers=_parse_json(
                _merge(
                    _all(cur, f"{faq_select} WHERE nip = %s", [nip]),
                    _by_accounts(cur, accounts, faq_select, "chat_id", "offered_at"),
                    order="offered_at",
                ),
                "topic_ids",
            ),
            documents=_merge(
                _all(cur, f"{doc_select} WHERE nip = %s", [nip]),
                _by_accounts(cur, accounts, doc_select, "chat_id", "sent_at"),
                order="sent_at",
            ),
            content_views=_by_accounts(
                cur,
                accounts,
                "SELECT viewed_at, area, topic_id, via FROM content_view",
                "chat_id",
                "viewed_at",
                " ORDER BY viewed_at, id",
            ),
            announcements=_by_accounts(
                cur,
                accounts,
                "SELECT announcement_id, status, sent_at FROM announcement_delivery",
                "chat_id",
                "sent_at",
                " ORDER BY announcement_id",
            ),
            messages=messages,
            updates=_parse_json(updates, "payload"),
            conversations=_parse_json(
                _by_accounts(
                    cur,
                    chats_now,
                    "SELECT chat_id, command_group, state, data, expires_at FROM conversation",
                    "chat_id",
                    None,
                ),
                "data",
            ),
            held_messages=_merge(
                _all(cur, f"{held_select} WHERE nip = %s", [nip]),
                _by_accounts(cur, accounts, held_select, "chat_id", "created_at"),
                order="created_at",
            ),
            reset_requests=_reset_requests(audit, resets),
            password_resets=[{k: v for k, v in r.items() if k != "request_audit_id"} for r in resets],
        )


def record_cli_export(db: Database, nip: str, operator: str) -> None:
    """The operator's export, in the employee's audit trail."""
    _insert_audit(db, CLI_EXPORT_EVENT, nip, {"via": "cli", "oleh": operator})


def _insert_audit(db: Database, event: str, nip: str, detail: dict[str, Any]) -> None:
    db.execute(
        "INSERT INTO audit_log (waktu, event, nip, detail) VALUES (%s, %s, %s, %s)",
        (utcnow(), event, nip, json.dumps(detail, ensure_ascii=False)),
    )


# ---- /datasaya: one export per interval -------------------------------------------------------------------


@dataclass(frozen=True)
class BotClaim:
    """May this /datasaya go ahead? ``next_at`` (UTC) when not: the first moment another one may."""

    allowed: bool
    last_at: datetime | None = None
    next_at: datetime | None = None


def claim_bot_export(
    db: Database,
    nip: str,
    *,
    telegram_user_id: int,
    update_id: int,
    interval: timedelta,
    now: datetime | None = None,
) -> BotClaim:
    """Record a /datasaya export (audited) unless one was made within ``interval``. The employee's row is
    locked, so two requests at once make one export; Lambda's retry of the same update is let through."""
    now = now or utcnow()
    with db.transaction() as cur:
        cur.execute("SELECT id FROM pengguna WHERE nip = %s FOR UPDATE", (nip,))
        cur.execute(
            "SELECT 1 AS done FROM update_step WHERE update_id = %s AND step = 'datasaya'", (update_id,)
        )
        if cur.fetchone() is not None:
            return BotClaim(True)
        cur.execute(
            "SELECT MAX(waktu) AS last FROM audit_log WHERE nip = %s AND event = %s",
            (nip, BOT_EXPORT_EVENT),
        )
        row = cur.fetchone()
        last: datetime | None = row["last"] if row else None
        if last is not None and last + interval > now:
            return BotClaim(False, last, last + interval)
        cur.execute(
            "INSERT INTO audit_log (waktu, event, telegram_user_id, chat_id, nip, detail)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (
                now,
                BOT_EXPORT_EVENT,
                telegram_user_id,
                telegram_user_id,
                nip,
                json.dumps({"update_id": update_id}),
            ),
        )
        insert_step(cur, update_id, "datasaya", None, now)
    return BotClaim(True)


# ---- erasure ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    """What an anonymisation changed: the pseudonym now standing for the NIP, rows per table."""

    pseudonym: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


class _Counter:
    def __init__(self, cur: Cursor) -> None:
        self.cur = cur
        self.rows: dict[str, int] = {}

    def run(self, table: str, sql: str, args: Sequence[Any]) -> None:
        changed = self.cur.execute(sql, list(args))
        self.rows[table] = self.rows.get(table, 0) + int(changed or 0)

    def by_account(
        self,
        table: str,
        set_sql: str,
        set_args: Sequence[Any],
        account: Account,
        id_column: str,
        time: str | None,
        extra: str = "",
    ) -> None:
        where, args = subject.account_condition(account, id_column, time)
        if where != "FALSE":
            self.run(table, f"{set_sql} WHERE {where}{extra}", [*set_args, *args])


_NOT_A_TICKET_ANSWER = (
    " AND NOT EXISTS (SELECT 1 FROM ticket_message tm WHERE tm.staff_chat_id = pesan.chat_id"
    " AND tm.staff_message_id = pesan.id_pesan AND tm.kind = 'answer')"
)
_INBOX_SCRUB = "UPDATE update_inbox SET payload = JSON_OBJECT('update_id', update_id), sealed = NULL"


def _anonymise_account(c: _Counter, account: Account, p: int, pnip: str, label: str) -> None:
    """Every row of one account of the employee: its id becomes ``p``, its texts go."""
    x = account.telegram_id
    c.by_account(
        "pesan",
        "UPDATE pesan SET chat_id = %s, id_pengirim = IF(id_pengirim = %s, %s, id_pengirim),"
        " pengirim = IF(direction = 'in', NULL, pengirim), isi_pesan = NULL, data = NULL",
        [p, x, p],
        account,
        "chat_id",
        "waktu",
    )
    # What they wrote elsewhere: their texts go, except a staff member's answers to tickets, which are the
    # bureau's answers to another employee (that employee's erasure clears them); their name goes from all.
    c.by_account(
        "pesan",
        "UPDATE pesan SET id_pengirim = %s, pengirim = NULL, isi_pesan = NULL, data = NULL",
        [p],
        account,
        "id_pengirim",
        "waktu",
        _NOT_A_TICKET_ANSWER,
    )
    c.by_account(
        "pesan", "UPDATE pesan SET id_pengirim = %s, pengirim = NULL", [p], account, "id_pengirim", "waktu"
    )
    c.by_account("update_inbox", f"{_INBOX_SCRUB}, chat_id = %s", [p], account, "chat_id", "received_at")
    c.by_account(
        "faq_offer",
        "UPDATE faq_offer SET chat_id = %s, nip = IF(nip IS NULL, NULL, %s), question = NULL",
        [p, pnip],
        account,
        "chat_id",
        "offered_at",
    )
    c.by_account("content_view", "UPDATE content_view SET chat_id = %s", [p], account, "chat_id", "viewed_at")
    c.by_account(
        "document_send",
        "UPDATE document_send SET chat_id = %s, nip = IF(nip IS NULL, NULL, %s)",
        [p, pnip],
        account,
        "chat_id",
        "sent_at",
    )
    c.by_account(
        "announcement_delivery",
        "UPDATE announcement_delivery SET chat_id = %s",
        [p],
        account,
        "chat_id",
        "sent_at",
    )
    c.by_account(
        "ticket_event",
        "UPDATE ticket_event SET actor_id = %s, actor_name = IF(actor_type = 'pegawai', NULL, %s)",
        [p, label],
        account,
        "actor_id",
        "waktu",
    )
    # OSDM staff: the tickets they took and the announcements they posted
    c.by_account(
        "ticket",
        "UPDATE ticket SET assigned_staff_id = %s, assigned_staff_name = %s",
        [p, label],
        account,
        "assigned_staff_id",
        None,
    )
    c.by_account(
        "announcement",
        "UPDATE announcement SET posted_by = %s, posted_by_name = %s",
        [p, label],
        account,
        "posted_by",
        "posted_at",
    )
    c.by_account(
        "audit_log",
        "UPDATE audit_log SET telegram_user_id = %s, chat_id = IF(chat_id = %s, %s, chat_id)",
        [p, x, p],
        account,
        "telegram_user_id",
        "waktu",
    )
    for column, time in (("issued_by_telegram", "issued_at"), ("used_by_telegram", "used_at")):
        set_sql = f"UPDATE password_reset SET {column} = %s"  # noqa: S608 - the two constants above
        c.by_account("password_reset", set_sql, [p], account, column, time)
    c.by_account(
        "audit_log",
        "UPDATE audit_log SET detail = JSON_SET(detail, '$.by_telegram', %s)",
        [p],
        account,
        "CAST(JSON_EXTRACT(detail, '$.by_telegram') AS SIGNED)",
        "waktu",
    )
    if account.whole or account.bound_now:
        c.run("conversation", "DELETE FROM conversation WHERE chat_id = %s", [x])
        c.run("sensitive_chat", "DELETE FROM sensitive_chat WHERE chat_id = %s", [x])
        c.run("ticket_choice", "DELETE FROM ticket_choice WHERE chat_id = %s", [x])
        c.run("ticket_private_message", "DELETE FROM ticket_private_message WHERE chat_id = %s", [x])


_STAFF_GROUP_JOIN = (
    "pesan p JOIN ticket_message tm ON p.chat_id = tm.staff_chat_id AND p.id_pesan = tm.staff_message_id"
)
# A compact list of a morning burst (issue 16) shows the first line of several tickets' questions: its log
# row loses its text when any of them is erased (the others' own messages keep theirs).
_STAFF_LIST_JOIN = (
    "pesan p JOIN staff_list sl ON p.chat_id = sl.staff_chat_id AND p.id_pesan = sl.staff_message_id"
    " JOIN staff_list_entry se ON se.list_id = sl.id"
)


def _anonymise_tickets(c: _Counter, ticket_ids: Sequence[int], pseudonym: dict[int, int]) -> set[int]:
    """The tickets' chats, rating comments and their messages in the staff group (the header names the
    employee, the answers speak to them); the updates those messages came with, to scrub."""
    if not ticket_ids:
        return set()
    marks = _placeholders(len(ticket_ids))
    in_tickets = f" WHERE tm.ticket_id IN ({marks})"
    rows = _all(
        c.cur,
        f"SELECT p.update_id FROM {_STAFF_GROUP_JOIN}{in_tickets} AND p.update_id IS NOT NULL",  # noqa: S608
        ticket_ids,
    )
    c.run(
        "pesan",
        f"UPDATE {_STAFF_GROUP_JOIN} SET p.isi_pesan = NULL, p.data = NULL{in_tickets}",  # noqa: S608
        ticket_ids,
    )
    c.run(
        "pesan",
        f"UPDATE {_STAFF_LIST_JOIN} SET p.isi_pesan = NULL, p.data = NULL"  # noqa: S608
        f" WHERE se.ticket_id IN ({marks})",
        ticket_ids,
    )
    for x, p in pseudonym.items():
        c.run(
            "ticket",
            f"UPDATE ticket SET chat_id = %s WHERE chat_id = %s AND id IN ({marks})",  # noqa: S608
            [p, x, *ticket_ids],
        )
        c.run(
            "staff_outbox",
            f"UPDATE staff_outbox SET from_chat_id = %s WHERE from_chat_id = %s"  # noqa: S608
            f" AND ticket_id IN ({marks})",
            [p, x, *ticket_ids],
        )
    c.run("ticket", f"UPDATE ticket SET rating_comment = NULL WHERE id IN ({marks})", ticket_ids)  # noqa: S608
    return {int(r["update_id"]) for r in rows}


def _anonymise_guest_tickets(c: _Counter, guest_ids: Sequence[int], pseudonym: dict[int, int]) -> None:
    """A guest ticket names its asker by account and Telegram name: the account becomes its pseudonym."""
    if not guest_ids:
        return
    marks = _placeholders(len(guest_ids))
    for x, p in pseudonym.items():
        c.run(
            "ticket",
            f"UPDATE ticket SET guest_telegram_id = %s, guest_name = NULL WHERE guest_telegram_id = %s"  # noqa: S608
            f" AND id IN ({marks})",
            [p, x, *guest_ids],
        )


def _updates_sent_by(cur: Cursor, accounts: Sequence[Account]) -> set[int]:
    """The updates of the employee's messages outside their private chat (their payloads name them)."""
    found: set[int] = set()
    for account in accounts:
        where, args = subject.account_condition(account, "id_pengirim", "waktu")
        if where != "FALSE":
            sql = f"SELECT update_id FROM pesan WHERE {where} AND update_id IS NOT NULL"  # noqa: S608
            found.update(int(r["update_id"]) for r in _all(cur, sql, args))
    return found


def anonymise(db: Database, nip: str, *, operator: str, via: str = "cli") -> Erasure | None:
    """Anonymise the employee with ``nip`` in one transaction; None when no employee has it (never did, or
    anonymised already: nothing derived from the NIP is kept, so the two cannot be told apart)."""
    now = utcnow()
    with db.transaction() as cur:
        cur.execute("SELECT id, nip, id_telegram FROM pengguna WHERE nip = %s FOR UPDATE", (nip,))
        employee = cur.fetchone()
        if employee is None:
            return None
        employee_id = int(employee["id"])
        pnip = subject.pseudonym_nip(employee_id)
        label = subject.pseudonym_name(employee_id)
        accounts, ticket_chats = _accounts(cur, employee)
        guest_ids = _guest_ticket_ids(cur, accounts)
        ticket_ids = [int(r["id"]) for r in _all(cur, "SELECT id FROM ticket WHERE nip = %s", [nip])]
        ticket_ids += guest_ids
        known = sorted({a.telegram_id for a in accounts} | set(ticket_chats))
        pseudonym = {x: subject.pseudonym_account(employee_id, n) for n, x in enumerate(known)}
        c = _Counter(cur)

        scrub = _updates_sent_by(cur, accounts)
        scrub |= _anonymise_tickets(c, ticket_ids, pseudonym)
        _anonymise_guest_tickets(c, guest_ids, pseudonym)
        for account in accounts:
            _anonymise_account(c, account, pseudonym[account.telegram_id], pnip, label)
        for chunk in _chunks(sorted(scrub)):
            c.run("update_inbox", f"{_INBOX_SCRUB} WHERE update_id IN ({_placeholders(len(chunk))})", chunk)
        c.run("faq_offer", "UPDATE faq_offer SET nip = %s, question = NULL WHERE nip = %s", [pnip, nip])
        c.run("ticket_choice", "DELETE FROM ticket_choice WHERE nip = %s", [nip])
        # one-time codes of the NIP: nothing to keep (the audit trail keeps request, issue and use)
        c.run("password_reset", "DELETE FROM password_reset WHERE nip = %s", [nip])
        # a staff member: the codes she issued for others, and her NIP in their audit details
        c.run(
            "audit_log",
            "UPDATE audit_log SET detail = JSON_SET(detail, '$.by', %s)"
            " WHERE JSON_UNQUOTE(JSON_EXTRACT(detail, '$.by')) = %s",
            [pnip, nip],
        )
        c.run("document_send", "UPDATE document_send SET nip = %s WHERE nip = %s", [pnip, nip])
        c.run("audit_log", "UPDATE audit_log SET nip = %s WHERE nip = %s", [pnip, nip])
        c.run("tunkin", "DELETE FROM tunkin WHERE nip = %s", [nip])
        c.run("cuti", "DELETE FROM cuti WHERE nip = %s", [nip])
        # ticket.nip follows by its foreign key's ON UPDATE CASCADE
        c.run(
            "pengguna",
            "UPDATE pengguna SET nip = %s, nama = %s, password_hash = NULL, id_telegram = NULL,"
            " status = 'nonaktif', jabatan = NULL, pangkat = NULL, golongan = NULL, kelas_jabatan = NULL,"
            " jenis_kelamin = NULL, tanggal_lahir = NULL, email = NULL, bot_blocked_at = NULL WHERE id = %s",
            [pnip, label, employee_id],
        )
        rows = {table: n for table, n in sorted(c.rows.items()) if n}
        detail = {"via": via, "oleh": operator, "baris": rows}
        cur.execute(
            "INSERT INTO audit_log (waktu, event, nip, detail) VALUES (%s, %s, %s, %s)",
            (now, ERASURE_EVENT, pnip, json.dumps(detail, ensure_ascii=False)),
        )
    return Erasure(pnip, rows)
