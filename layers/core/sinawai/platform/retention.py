"""Retention: how long Sinawai keeps what people wrote, and the daily purge that enforces it.

UU PDP (UU 27/2022, Pasal 42 and 43) ends the processing of personal data when its retention period is
reached or its purpose achieved, and has it deleted once no longer needed. Sinawai keeps every row (the
evaluation report counts rows: messages per day, tickets, FAQ outcomes) and removes the content that is
personal, often specific personal data (health behind a cuti sakit, finances behind a tunkin question),
once its purpose is served:

* ``update_inbox``: a processed update (done, ignored or failed) keeps its payload for
  RETENTION_INBOX_DAYS (default 30; a re-drive or an investigation of a failure needs it, Lambda's and
  SQS's queues keep nothing that long). Then the payload becomes a stub ``{"update_id", "kind",
  "purged_at"}`` and the sealed half goes; ids, status, group, chat, attempts and times stay, so the
  dedupe on ``update_id`` still refuses a redelivery.
* ``pesan``: a message keeps its text, data and the sender's display name for RETENTION_MESSAGE_DAYS
  (default 365: a year of service, the span of the yearly evaluation). The row keeps its time,
  direction, chat, kind, command and group: all the report counts. ``faq_offer.question`` likewise.
* consultations: the texts of a ticket (its messages in the staff group and in the employee's chat as
  ``ticket_message`` maps them, the FAQ question that opened it, the rating comment, a guest's Telegram
  name) are kept while the ticket is open, whatever their age, and RETENTION_TICKET_DAYS (default 365)
  after it was closed:
  the answer is the bureau's advice on a right (cuti, tunkin, mutasi) that the employee may rely on or
  contest through the next yearly cycle. Then they go, even if younger than RETENTION_MESSAGE_DAYS.
* ``ticket_choice``: a message held while its sender chooses where it goes (add to ticket #N or a new
  question) waits CHOICE_TTL (24 hours) at most; its row serves a retried button press, which comes within
  minutes. It is deleted HELD_MESSAGE_MARGIN (1 day) after it expired, chosen or not (the message itself is
  in ``pesan`` under that rule). The report counts no held message.
* ``staff_pending_send``: a staff send held for its staff member's confirmation ("Kirim ke tiket #N?", a
  canned topic chosen from the header's list) waits PENDING_LIFETIME (30 minutes) at most; its row serves a
  retried button press. It is deleted HELD_MESSAGE_MARGIN after it expired, confirmed or not, like a
  ``ticket_choice`` row (it holds ids only; the staff message is in ``pesan``). Its foreign key points to
  ``ticket``, which no rule deletes, so the row goes on its own. The report counts no held send.
* ``password_reset``: a one-time code's row (its hash, who issued it, when it was used) is deleted
  RETENTION_INBOX_DAYS after it expired (used or not): like a processed update, it serves an investigation
  of a recent incident; ``audit_log`` keeps the request, the issue and the use for good.

Each rule walks its table in the order of an indexed time column from a cursor (``retention_cursor``),
1,000 rows per short transaction that also moves the cursor: a run stopped by its time budget (or a
crash) resumes there, a daily run reads only the rows that aged since, and running it twice changes
nothing. A message of an open (or recently closed) ticket that the message rule passes by is held; the
ticket rule removes it when the ticket's time is over.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from sinawai.platform.clock import utcnow
from sinawai.platform.db import Cursor, Database
from sinawai.platform.errors import ConfigurationError, DuplicateKeyError, TransactionConflictError

DEFAULT_INBOX_DAYS = 30
DEFAULT_MESSAGE_DAYS = 365
DEFAULT_TICKET_DAYS = 365
BATCH_ROWS = 1_000  # rows per transaction: milliseconds of locks on rows nobody else writes any more
TICKET_BATCH = 200  # tickets per transaction (each has a handful of messages)
HELD_MESSAGE_MARGIN = timedelta(days=1)  # after a held message's choice expired (CHOICE_TTL, 24 hours)
# The router's invocation stops starting batches this long before its timeout: one batch takes tens of
# milliseconds, so the margin also covers a slow database.
SAFETY_SECONDS = 3.0
DEFAULT_BUDGET_SECONDS = 7.0  # when the invocation cannot tell its remaining time
_START = datetime(1000, 1, 1)  # noqa: DTZ001 - naive UTC like every column; before any row

# EMF metric per count of PurgeResult (namespace Sinawai, the router's service dimension).
METRICS = {
    "inbox_payloads": "RetentionInboxPayloadsPurged",
    "message_texts": "RetentionMessageTextsPurged",
    "faq_questions": "RetentionFaqQuestionsPurged",
    "tickets": "RetentionTicketsPurged",
    "ticket_texts": "RetentionTicketTextsPurged",
    "held_messages": "RetentionHeldMessagesPurged",
    "password_resets": "RetentionPasswordResetsPurged",
    "pending_sends": "RetentionPendingSendsPurged",
}


# ---- the policy ----------------------------------------------------------------------------------------


def _days(name: str, default: int, env: Mapping[str, str] | None = None) -> int:
    raw = (os.environ.get(name, "") if env is None else env.get(name, "")).strip()
    if not raw:
        return default
    # ASCII digits only: int() would also take "+30", " 30" or other scripts' digits
    if not re.fullmatch(r"[0-9]{1,5}", raw) or int(raw) < 1:
        raise ConfigurationError(f"{name} must be a whole number of days, at least 1: got {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Cutoffs:
    """Rows older than these (naive UTC) have served their purpose."""

    inbox: datetime
    messages: datetime
    tickets: datetime  # tickets closed before this
    held_messages: datetime = datetime(1000, 1, 1)  # noqa: DTZ001 - ticket_choice rows expired before this
    password_resets: datetime = datetime(1000, 1, 1)  # noqa: DTZ001 - password_reset rows expired before this


@dataclass(frozen=True)
class RetentionPolicy:
    inbox_days: int = DEFAULT_INBOX_DAYS
    message_days: int = DEFAULT_MESSAGE_DAYS
    ticket_days: int = DEFAULT_TICKET_DAYS

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RetentionPolicy:
        """RETENTION_INBOX_DAYS, RETENTION_MESSAGE_DAYS, RETENTION_TICKET_DAYS; a bad value is refused
        (ConfigurationError) before anything is purged."""
        return cls(
            inbox_days=_days("RETENTION_INBOX_DAYS", DEFAULT_INBOX_DAYS, env),
            message_days=_days("RETENTION_MESSAGE_DAYS", DEFAULT_MESSAGE_DAYS, env),
            ticket_days=_days("RETENTION_TICKET_DAYS", DEFAULT_TICKET_DAYS, env),
        )

    def cutoffs(self, now: datetime) -> Cutoffs:
        return Cutoffs(
            inbox=now - timedelta(days=self.inbox_days),
            messages=now - timedelta(days=self.message_days),
            tickets=now - timedelta(days=self.ticket_days),
            held_messages=now - HELD_MESSAGE_MARGIN,
            password_resets=now - timedelta(days=self.inbox_days),
        )


# ---- what each rule removes (one batch of keys, inside the batch's transaction) --------------------------

# Every statement below is constant text but for its ``IN (%s, ...)`` placeholders (hence the S608 notes).
# A ticket whose texts are still kept is open, or closed less than RETENTION_TICKET_DAYS ago.


def _in(keys: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(keys))


def _purge_payloads(cur: Cursor, keys: Sequence[int], cut: Cutoffs, now: datetime) -> dict[str, int]:
    # The stub keeps the update's kind (its one key beside update_id); a stub is never stubbed again.
    n = cur.execute(
        "UPDATE update_inbox SET payload = JSON_OBJECT('update_id', update_id, 'kind',"  # noqa: S608
        " JSON_UNQUOTE(JSON_EXTRACT(JSON_KEYS(JSON_REMOVE(payload, '$.update_id')), '$[0]')),"
        " 'purged_at', %s), sealed = NULL"
        f" WHERE update_id IN ({_in(keys)}) AND JSON_EXTRACT(payload, '$.purged_at') IS NULL",
        (now.strftime("%Y-%m-%dT%H:%M:%SZ"), *keys),
    )
    return {"inbox_payloads": n}


def _purge_messages(cur: Cursor, keys: Sequence[int], cut: Cutoffs, now: datetime) -> dict[str, int]:
    # held: the staff-group or private-chat message of a ticket whose texts are still kept
    n = cur.execute(
        "UPDATE pesan SET isi_pesan = NULL, data = NULL, pengirim = NULL"  # noqa: S608
        f" WHERE pesan.id IN ({_in(keys)})"
        " AND (isi_pesan IS NOT NULL OR data IS NOT NULL OR pengirim IS NOT NULL)"
        " AND NOT EXISTS (SELECT 1 FROM ticket_message m JOIN ticket t ON t.id = m.ticket_id"
        "  WHERE m.staff_chat_id = pesan.chat_id AND m.staff_message_id = pesan.id_pesan"
        "  AND (t.status <> 'selesai' OR t.closed_at IS NULL OR t.closed_at >= %s))"
        " AND NOT EXISTS (SELECT 1 FROM ticket_message m JOIN ticket t ON t.id = m.ticket_id"
        "  WHERE m.private_message_id = pesan.id_pesan AND t.chat_id = pesan.chat_id"
        "  AND (t.status <> 'selesai' OR t.closed_at IS NULL OR t.closed_at >= %s))",
        (*keys, cut.tickets, cut.tickets),
    )
    return {"message_texts": n}


def _purge_faq_questions(cur: Cursor, keys: Sequence[int], cut: Cutoffs, now: datetime) -> dict[str, int]:
    # held: the question that opened a ticket whose texts are still kept
    n = cur.execute(
        "UPDATE faq_offer SET question = NULL"  # noqa: S608
        f" WHERE faq_offer.id IN ({_in(keys)}) AND question IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM ticket t WHERE t.id = faq_offer.ticket_id"
        "  AND (t.status <> 'selesai' OR t.closed_at IS NULL OR t.closed_at >= %s))",
        (*keys, cut.tickets),
    )
    return {"faq_questions": n}


def _purge_tickets(cur: Cursor, keys: Sequence[int], cut: Cutoffs, now: datetime) -> dict[str, int]:
    ids = tuple(keys)
    # the tickets' messages: in the staff group by their staff message id, in the employee's chat by the
    # private message id (found first, then updated by primary key: no multi-table UPDATE)
    cur.execute(
        "SELECT p.id FROM ticket_message m JOIN pesan p"  # noqa: S608
        " ON p.chat_id = m.staff_chat_id AND p.id_pesan = m.staff_message_id"
        f" WHERE m.ticket_id IN ({_in(ids)})"
        " UNION SELECT p.id FROM ticket_message m JOIN ticket t ON t.id = m.ticket_id"
        " JOIN pesan p ON p.chat_id = t.chat_id AND p.id_pesan = m.private_message_id"
        f" WHERE m.ticket_id IN ({_in(ids)})",
        ids + ids,
    )
    messages = [int(r["id"]) for r in cur.fetchall()]
    texts = 0
    if messages:
        texts += cur.execute(
            "UPDATE pesan SET isi_pesan = NULL, data = NULL, pengirim = NULL"  # noqa: S608
            f" WHERE id IN ({_in(messages)})"
            " AND (isi_pesan IS NOT NULL OR data IS NOT NULL OR pengirim IS NOT NULL)",
            tuple(messages),
        )
    texts += cur.execute(
        f"UPDATE faq_offer SET question = NULL WHERE ticket_id IN ({_in(ids)})"  # noqa: S608
        " AND question IS NOT NULL",
        ids,
    )
    # and a guest ticket's Telegram name (the only name the staff saw)
    texts += cur.execute(
        f"UPDATE ticket SET rating_comment = NULL, guest_name = NULL WHERE id IN ({_in(ids)})"  # noqa: S608
        " AND (rating_comment IS NOT NULL OR guest_name IS NOT NULL)",
        ids,
    )
    return {"tickets": len(ids), "ticket_texts": texts}


def _delete_held_messages(cur: Cursor, keys: Sequence[int], cut: Cutoffs, now: datetime) -> dict[str, int]:
    n = cur.execute(f"DELETE FROM ticket_choice WHERE id IN ({_in(keys)})", tuple(keys))  # noqa: S608
    return {"held_messages": n}


def _delete_pending_sends(cur: Cursor, keys: Sequence[int], cut: Cutoffs, now: datetime) -> dict[str, int]:
    n = cur.execute(f"DELETE FROM staff_pending_send WHERE id IN ({_in(keys)})", tuple(keys))  # noqa: S608
    return {"pending_sends": n}


def _delete_password_resets(cur: Cursor, keys: Sequence[int], cut: Cutoffs, now: datetime) -> dict[str, int]:
    # expired (the walk's cutoff is in the past, so used ones too: a code expires 24 hours after issue)
    n = cur.execute(f"DELETE FROM password_reset WHERE id IN ({_in(keys)})", tuple(keys))  # noqa: S608
    return {"password_resets": n}


Purger = Callable[[Cursor, Sequence[int], Cutoffs, datetime], dict[str, int]]


@dataclass(frozen=True)
class Walk:
    """One rule's walk over a table: rows older than its cutoff, in (time, key) order, from its cursor."""

    task: str  # retention_cursor.task
    table: str
    time_column: str  # indexed
    key: str  # the primary key
    status: str | None  # only rows in this status
    cutoff: Callable[[Cutoffs], datetime]
    purge: Purger
    batch: int = BATCH_ROWS

    def next_keys_sql(self) -> str:
        # identifiers are the constants of WALKS below, never input; the status is a parameter
        at, key = self.time_column, self.key
        status = "status = %s AND " if self.status else ""
        return (
            f"SELECT {key} AS k, {at} AS at FROM {self.table} WHERE {status}{at} < %s"  # noqa: S608
            f" AND ({at} > %s OR ({at} = %s AND {key} > %s)) ORDER BY {at}, {key} LIMIT %s"
        )

    def next_keys_args(self, cut: Cutoffs, last_at: datetime, last_id: int) -> tuple[Any, ...]:
        args = (self.cutoff(cut), last_at, last_at, last_id, self.batch)
        return (self.status, *args) if self.status else args


# Processed updates only. One still received, dispatched or processing is the sweep's, which settles it
# within minutes (done or failed), long before its walk's cutoff reaches it; a failed one re-driven later
# needs no payload (the claim reads the row's state, the dead letter carries the update).
WALKS = (
    Walk("inbox_done", "update_inbox", "received_at", "update_id", "done",
         lambda c: c.inbox, _purge_payloads),
    Walk("inbox_ignored", "update_inbox", "received_at", "update_id", "ignored",
         lambda c: c.inbox, _purge_payloads),
    Walk("inbox_failed", "update_inbox", "received_at", "update_id", "failed",
         lambda c: c.inbox, _purge_payloads),
    Walk("tickets", "ticket", "closed_at", "id", "selesai",
         lambda c: c.tickets, _purge_tickets, TICKET_BATCH),
    Walk("messages", "pesan", "waktu", "id", None,
         lambda c: c.messages, _purge_messages),
    Walk("faq_questions", "faq_offer", "offered_at", "id", None,
         lambda c: c.messages, _purge_faq_questions),
    Walk("held_messages", "ticket_choice", "expires_at", "id", None,
         lambda c: c.held_messages, _delete_held_messages),
    Walk("password_resets", "password_reset", "expires_at", "id", None,
         lambda c: c.password_resets, _delete_password_resets),
    Walk("pending_sends", "staff_pending_send", "expires_at", "id", None,
         lambda c: c.held_messages, _delete_pending_sends),
)  # fmt: skip


# ---- the run -------------------------------------------------------------------------------------------


@dataclass
class PurgeResult:
    counts: Counter[str] = field(default_factory=Counter)
    batches: int = 0
    complete: bool = False  # every rule reached its cutoff (False: the time budget ran out first)
    seconds: float = 0.0
    cutoffs: Cutoffs | None = None
    seconds_by_walk: dict[str, float] = field(default_factory=dict)  # retention_cursor.task → seconds

    def as_dict(self) -> dict[str, Any]:
        """For the log and the invocation's answer (JSON)."""
        return {
            **{name: int(self.counts.get(name, 0)) for name in METRICS},
            "batches": self.batches,
            "complete": self.complete,
            "seconds": round(self.seconds, 3),
        }


def _ensure_cursors(db: Database, now: datetime) -> None:
    for walk in WALKS:
        with contextlib.suppress(DuplicateKeyError):  # there from an earlier run
            db.execute(
                "INSERT INTO retention_cursor (task, last_at, last_id, updated_at) VALUES (%s, %s, %s, %s)",
                (walk.task, _START, 0, now),
            )


def _step(db: Database, walk: Walk, cut: Cutoffs, now: datetime) -> tuple[dict[str, int], bool]:
    """One batch of ``walk``: purge it and move the cursor, atomically. Returns (counts, more to do)."""
    with db.transaction() as cur:
        cur.execute("SELECT last_at, last_id FROM retention_cursor WHERE task = %s FOR UPDATE", (walk.task,))
        at = cur.fetchone()
        last_at, last_id = (at["last_at"], at["last_id"]) if at else (_START, 0)
        cur.execute(walk.next_keys_sql(), walk.next_keys_args(cut, last_at, last_id))
        rows = cur.fetchall()
        if not rows:
            return {}, False
        counts = walk.purge(cur, [r["k"] for r in rows], cut, now)
        cur.execute(
            "UPDATE retention_cursor SET last_at = %s, last_id = %s, updated_at = %s WHERE task = %s",
            (rows[-1]["at"], rows[-1]["k"], now, walk.task),
        )
    return counts, len(rows) == walk.batch


def purge(
    db: Database,
    policy: RetentionPolicy,
    *,
    now: datetime | None = None,
    budget_seconds: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> PurgeResult:
    """Purge what is past its retention, a batch of each rule in turn, until done or ``budget_seconds``
    (None: no limit) is spent; no batch starts after the budget. Resumable and idempotent."""
    now = now or utcnow()
    started = clock()
    cut = policy.cutoffs(now)
    result = PurgeResult(cutoffs=cut)
    _ensure_cursors(db, now)
    pending = list(WALKS)
    while pending:
        for walk in list(pending):
            if budget_seconds is not None and clock() - started >= budget_seconds:
                result.seconds = clock() - started
                return result
            batch_started = clock()
            try:
                counts, more = _step(db, walk, cut, now)
            except TransactionConflictError:
                counts, more = _step(db, walk, cut, now)  # a deadlock victim: once more, then it raises
            spent = clock() - batch_started
            result.seconds_by_walk[walk.task] = result.seconds_by_walk.get(walk.task, 0.0) + spent
            result.counts.update(counts)
            result.batches += 1
            if not more:
                pending.remove(walk)
    result.complete = True
    result.seconds = clock() - started
    return result


def budget(remaining_seconds: float | None) -> float:
    """The purge's share of an invocation: all of its remaining time but SAFETY_SECONDS."""
    if remaining_seconds is None:
        return DEFAULT_BUDGET_SECONDS
    return max(0.0, remaining_seconds - SAFETY_SECONDS)


def add_metrics(metrics: Metrics, result: PurgeResult) -> None:
    """EMF: rows purged per rule, whether the run finished, and how long it took."""
    for name, metric in METRICS.items():
        metrics.add_metric(metric, MetricUnit.Count, int(result.counts.get(name, 0)))
    metrics.add_metric("RetentionIncomplete", MetricUnit.Count, 0 if result.complete else 1)
    metrics.add_metric("RetentionSeconds", MetricUnit.Seconds, round(result.seconds, 3))
