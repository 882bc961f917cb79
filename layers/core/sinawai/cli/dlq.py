"""``sinawai dlq list|redrive``: what failed, shown readably, and its re-drive (ops: English output).

The queues (their URLs from the environment, or from the stack's outputs with ``--stack``):

- ``failed`` (FAILED_INVOCATIONS_QUEUE_URL): Lambda's on-failure records of the asynchronously invoked
  functions (updates, the daily digest, S3 imports, sweeps), each naming its function and error;
- ``broadcast`` (BROADCAST_DLQ_URL): broadcast chunks SQS gave up on (FIFO);
- ``delivery`` (STAFF_DELIVERY_DLQ_URL): staff-group posts SQS gave up on (FIFO);
- ``scheduler`` (SCHEDULER_DLQ_URL): events EventBridge Scheduler could not hand to its target.

Listing never consumes a message: it is received with a short visibility timeout (so that paging meets
each message once), never deleted, and made visible again at once (``ChangeMessageVisibility`` 0) when
the listing ends; if the command dies half-way, SQS shows it again after ``LIST_HIDE_SECONDS`` anyway.
A FIFO queue hands out no later message of a group while an earlier one is hidden, so a listing shows at
most the first ten messages of each message group.

A row is built from a whitelist of fields (function, update id, kind, chat id, error type and the first
line of the error with numbers, quotes, e-mail addresses and tokens masked, age, attempts): never by
dumping a payload, which holds what an employee typed.

The re-drive replays a failed update through the same claim as any worker, with ``"replay": true`` (the
claim takes it whatever its attempts, once: ``sinawai.platform.updates.claim_update``), synchronously
(``RequestResponse``), so it knows the outcome: the message is deleted only after the function finished
the update; otherwise it stays, visible again, and the command says why. The daily digest, S3 imports
and sweeps are invoked again with their own event (each is idempotent); a scheduler dead letter goes to
its ``TARGET_ARN``; a FIFO dead letter goes back to its source queue in its message group.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sinawai.cli.common import Subcommands
from sinawai.hr_import.parse import FULL_EMPLOYEES_FOLDER
from sinawai.hr_import.records import KINDS as IMPORT_KINDS
from sinawai.platform.anatomy import MESSAGE_KINDS, UPDATE_KINDS, parse_command
from sinawai.router.commands import GROUPS, command_group

QUEUES = ("failed", "broadcast", "delivery", "scheduler")
QUEUE_ENV = {
    "failed": "FAILED_INVOCATIONS_QUEUE_URL",
    "broadcast": "BROADCAST_DLQ_URL",
    "delivery": "STAFF_DELIVERY_DLQ_URL",
    "scheduler": "SCHEDULER_DLQ_URL",
}
# the stack's outputs that name the same queues (``--stack``)
QUEUE_OUTPUT = {
    "failed": "FailedInvocationsQueueUrl",
    "broadcast": "BroadcastDeadLetterQueueUrl",
    "delivery": "StaffDeliveryDeadLetterQueueUrl",
    "scheduler": "DeadLetterQueueUrl",
}
# where a FIFO dead letter goes back to (else SQS's ListDeadLetterSourceQueues tells)
SOURCE_ENV = {"broadcast": "BROADCAST_QUEUE_URL", "delivery": "STAFF_DELIVERY_QUEUE_URL"}

LIST_HIDE_SECONDS = 30  # how long a listed message is hidden if the listing dies before showing it again
SCAN_LIMIT = 1000  # messages read per queue
# A re-drive keeps its message hidden while the function runs (Lambda's longest timeout is 900 s).
INVOKE_TIMEOUT_SECONDS = 900
REDRIVE_HIDE_SECONDS = INVOKE_TIMEOUT_SECONDS + 60
ERROR_WIDTH = 70  # characters of the error in the table (the JSON has the whole first line)

# what a re-driven update's function answers when the update is finished (see GroupFunction.handle)
FINISHED = {"done", "undeliverable", "secret_expired"}
FINISHED_INBOX = {"done", "ignored"}

# the parts of a message that say what it is, never what it says
_MESSAGE_CONTENT = (
    "text", "photo", "document", "video", "voice", "audio", "video_note", "animation", "sticker", "location",
    "venue", "contact", "poll", "dice", "new_chat_members", "left_chat_member", "new_chat_title",
    "pinned_message", "migrate_to_chat_id", "forum_topic_created", "successful_payment",
)  # fmt: skip


class DlqUsageError(Exception):
    """The command was asked something it cannot do as asked (exit 2)."""


# ---- what a dead letter is --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """One message of a queue, as received (the body is kept for the re-drive, never printed)."""

    queue: str
    queue_url: str
    message_id: str
    receipt: str
    body: str
    attributes: Mapping[str, str] = field(default_factory=dict)  # SQS system attributes
    message_attributes: Mapping[str, str] = field(default_factory=dict)  # string values only


@dataclass(frozen=True)
class Row:
    """What ``dlq list`` shows of a letter: whitelisted fields only."""

    queue: str
    message_id: str
    function: str | None
    update_id: int | None
    kind: str
    chat_id: int | None
    error: str
    age_seconds: int | None
    attempts: int | None


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def function_short_name(arn: str) -> str:
    """``arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`` → NAME (anything else unchanged)."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return parts[6]
    return arn


def unqualified(arn: str) -> str:
    """The function's ARN without its version or alias (``:$LATEST``)."""
    parts = arn.split(":")
    return ":".join(parts[:7]) if len(parts) > 7 and parts[5] == "function" else arn


_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|‘[^’]*’|“[^”]*”")
_LONG_NUMBER = re.compile(r"\d{8,}")  # a NIP (18 digits), NIK, phone number or account number


def safe_error_line(text: str) -> str:
    """The first line of an error message, with what may be personal data or a secret masked: bot
    tokens, e-mail addresses, quoted values (MySQL quotes the duplicate value, for one) and long numbers."""
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    line = _TOKEN.sub("<token>", line)
    line = _EMAIL.sub("<email>", line)
    line = _QUOTED.sub("'…'", line)
    line = _LONG_NUMBER.sub("<number>", line)
    return line[:300]


def _error_of(error_type: Any, message: Any) -> str:
    kind = str(error_type or "").strip()
    line = safe_error_line(str(message or ""))
    return f"{kind}: {line}" if kind and line else kind or line


def update_kind(update: Mapping[str, Any]) -> str:
    """What an update is, never what it says: ``message /daftar``, ``message text``, ``callback_query
    consultation``. A command is named only when the bot has it (a typed ``/1990...`` is not shown)."""
    kind = next((k for k in update if k in UPDATE_KINDS), None)
    if kind is None:
        return "not an update"
    body = update.get(kind)
    if not isinstance(body, Mapping):
        return kind
    if kind in MESSAGE_KINDS:
        for text_field in ("text", "caption"):
            text = body.get(text_field)
            if isinstance(text, str):
                command = parse_command(text)
                if command is not None:
                    known = command_group(command[0]) is not None
                    return f"{kind} /{command[0]}" if known else f"{kind} unknown command"
        content = next((c for c in _MESSAGE_CONTENT if c in body), None)
        return f"{kind} {content}" if content else kind
    if kind == "callback_query":
        data = body.get("data")
        prefix = data.split(":", 1)[0] if isinstance(data, str) else ""
        return f"{kind} {prefix}" if prefix in GROUPS else kind
    return kind


def _chat_id(update: Mapping[str, Any]) -> int | None:
    kind = next((k for k in update if k in UPDATE_KINDS), None)
    body = update.get(kind) if kind else None
    if not isinstance(body, Mapping):
        return None
    chat = body.get("chat")
    if not isinstance(chat, Mapping):
        message = body.get("message")
        chat = message.get("chat") if isinstance(message, Mapping) else None
    chat_id = chat.get("id") if isinstance(chat, Mapping) else None
    return chat_id if isinstance(chat_id, int) else None


def event_kind(payload: Any) -> tuple[str, int | None, int | None]:
    """(kind, update id, chat id) of an event a function was invoked with."""
    if not isinstance(payload, Mapping):
        return "unreadable event", None, None
    update = payload.get("update")
    if isinstance(update, Mapping):
        update_id = update.get("update_id")
        return (update_kind(update), update_id if isinstance(update_id, int) else None, _chat_id(update))
    records = payload.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], Mapping):
        record = records[0]
        if record.get("eventSource") == "aws:s3":
            key = str((((record.get("s3") or {}).get("object")) or {}).get("key", ""))
            parts = key.split("/")
            folder = parts[1] if len(parts) > 2 and parts[0] == "imports" else ""
            known = folder in (*IMPORT_KINDS, FULL_EMPLOYEES_FOLDER)
            where = f"imports/{folder}/" if known else "a file outside imports/<kind>/"
            more = f" (+{len(records) - 1} more)" if len(records) > 1 else ""
            return f"s3 {record.get('eventName', 'event')} {where}{more}", None, None
        return f"{record.get('eventSource', 'unknown')} records", None, None
    if payload.get("source") == "sinawai.scheduler":
        if payload.get("report"):
            day = payload.get("report_date")
            return f"schedule report {payload['report']}" + (f" {day}" if day else ""), None, None
        return f"schedule {payload.get('task') or 'event'}", None, None
    if payload.get("detail-type") == "Scheduled Event":
        return "schedule (EventBridge rule)", None, None
    if payload.get("source") == "sinawai.setup":
        return "setup check", None, None
    return "unknown event", None, None


def _age(letter: Letter, now: float) -> int | None:
    sent = letter.attributes.get("SentTimestamp")
    return max(0, int(now - int(sent) / 1000)) if sent and sent.isdigit() else None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def describe(letter: Letter, now: float) -> Row:
    """The row of a letter: built field by field, never from the payload as a whole."""
    age = _age(letter, now)
    function: str | None = None
    attempts: int | None = None
    error = ""
    if letter.queue == "failed":
        record = _json_or_none(letter.body)
        if not isinstance(record, Mapping) or not isinstance(record.get("requestContext"), Mapping):
            return Row(
                letter.queue, letter.message_id, None, None, "not a Lambda record", None, "", age, None
            )
        context = record["requestContext"]
        function = function_short_name(str(context.get("functionArn", ""))) or None
        attempts = _int(context.get("approximateInvokeCount"))
        kind, update_id, chat_id = event_kind(record.get("requestPayload"))
        response = record.get("responsePayload")
        if isinstance(response, Mapping):
            error = _error_of(response.get("errorType"), response.get("errorMessage"))
        condition = str(context.get("condition") or "")
        if condition and condition != "RetriesExhausted":
            error = f"{condition}; {error}" if error else condition
        return Row(letter.queue, letter.message_id, function, update_id, kind, chat_id, error, age, attempts)
    if letter.queue == "scheduler":
        attrs = letter.message_attributes
        target = attrs.get("TARGET_ARN")
        function = function_short_name(target) if target else None
        if "ERROR_CODE" in attrs or "ERROR_MESSAGE" in attrs:
            error = _error_of(attrs.get("ERROR_CODE"), attrs.get("ERROR_MESSAGE"))
        else:  # a Lambda dead-letter-queue message: the function is not recorded
            error = _error_of(attrs.get("ErrorCode"), attrs.get("ErrorMessage"))
        retries = _int(attrs.get("RETRY_ATTEMPTS"))
        attempts = retries + 1 if retries is not None else None
        kind, update_id, chat_id = event_kind(_json_or_none(letter.body))
        return Row(letter.queue, letter.message_id, function, update_id, kind, chat_id, error, age, attempts)
    # a FIFO dead letter: a broadcast chunk or a staff-group post
    body = _json_or_none(letter.body)
    body = body if isinstance(body, Mapping) else {}
    group = letter.attributes.get("MessageGroupId", "")
    if letter.queue == "broadcast":
        recipients = body.get("chat_ids")
        count = len(recipients) if isinstance(recipients, list) else 0
        kind = f"broadcast announcement {_int(body.get('announcement_id'))}, {count} recipients"
    else:
        kind = f"staff post outbox {_int(body.get('outbox_id'))} ({group or 'no group'})"
    receives = _int(letter.attributes.get("ApproximateReceiveCount"))
    attempts = receives - 1 if receives else None  # less this listing's own receive
    error = "SQS gave up after maxReceiveCount"
    return Row(letter.queue, letter.message_id, None, None, kind, None, error, age, attempts)


# ---- what a re-drive does ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invoke:
    """Invoke ``function_arn`` synchronously with ``payload``; ``update`` when it is a replayed update."""

    function_arn: str
    payload: dict[str, Any]
    update: bool

    def describe(self) -> str:
        what = "replay the update (replay: true)" if self.update else "invoke again with the same event"
        return f"{what} in {function_short_name(self.function_arn)}"


@dataclass(frozen=True)
class SendBack:
    """Put the body back into its source FIFO queue, in its message group."""

    queue_url: str
    body: str
    group_id: str
    deduplication_id: str

    def describe(self) -> str:
        return f"send back to {self.queue_url.rsplit('/', 1)[-1]} in group {self.group_id}"


Plan = Invoke | SendBack


def plan(letter: Letter, source_url: str | None) -> Plan | str:
    """What a re-drive of the letter does, or why it cannot be re-driven."""
    if letter.queue == "failed":
        record = _json_or_none(letter.body)
        context = record.get("requestContext") if isinstance(record, Mapping) else None
        payload = record.get("requestPayload") if isinstance(record, Mapping) else None
        if not isinstance(context, Mapping) or not context.get("functionArn"):
            return "not a Lambda invocation record: no function to re-drive to"
        if not isinstance(payload, dict):
            return "the record holds no JSON event to invoke with"
        arn = unqualified(str(context["functionArn"]))
        if isinstance(payload.get("update"), Mapping):
            return Invoke(arn, {**payload, "replay": True}, update=True)
        return Invoke(arn, payload, update=False)
    if letter.queue == "scheduler":
        target = letter.message_attributes.get("TARGET_ARN")
        event = _json_or_none(letter.body)
        if not target:
            return "no TARGET_ARN (a Lambda dead-letter message does not record its function): invoke by hand"
        if ":lambda:" not in target:
            return "the schedule's target is not a Lambda function: re-drive it by hand"
        if not isinstance(event, dict):
            return "the message body is not the schedule's JSON input"
        return Invoke(unqualified(target), event, update=isinstance(event.get("update"), Mapping))
    group = letter.attributes.get("MessageGroupId")
    if not group:
        return "no MessageGroupId: not a FIFO message"
    if not source_url:
        return f"source queue unknown: set {SOURCE_ENV[letter.queue]} (or give the queue a RedrivePolicy)"
    return SendBack(source_url, letter.body, group, f"redrive-{letter.message_id}")


@dataclass(frozen=True)
class Verdict:
    """Whether a re-driven invocation finished its work (then its letter is deleted), and what happened."""

    finished: bool
    note: str


# what a replayed update's function answered, for the operator
_FINISHED_NOTES = {
    "done": "processed",
    "undeliverable": "processed; the employee does not accept messages from the bot",
    "secret_expired": "its password half had expired: the employee was asked to repeat the step",
}


def judge(plan_: Invoke, function_error: str | None, answer: bytes) -> Verdict:
    """Did the re-driven invocation finish its work? A replayed update is finished only when its function
    says so: processed now, or found done already; held by another worker is not finished yet."""
    data = _json_or_none(answer.decode("utf-8", errors="replace"))
    data = data if isinstance(data, Mapping) else {}
    if function_error:
        reason = _error_of(data.get("errorType"), data.get("errorMessage"))
        return Verdict(False, reason or f"function error ({function_error})")
    status = data.get("status")
    if not plan_.update:  # the digest, an import or a sweep: a normal return is its success
        return Verdict(True, f"invoked ({status})" if isinstance(status, str) else "invoked")
    if status in FINISHED:
        return Verdict(True, _FINISHED_NOTES[str(status)])
    if status == "duplicate":
        inbox = data.get("inbox")
        if inbox in FINISHED_INBOX:
            return Verdict(True, f"already {inbox} before: nothing ran twice")
        if inbox == "processing":
            return Verdict(False, "another worker holds the update right now: try again when it has finished")
        return Verdict(False, f"the function skipped it without saying it was finished (inbox: {inbox})")
    if status == "failed":
        return Verdict(False, "the function gave up on it and asked the employee to send it again")
    return Verdict(False, f"unexpected answer from the function (status: {status})")


# ---- AWS: the queues and the functions ------------------------------------------------------------------


class Aws:
    """boto3's SQS, Lambda and CloudFormation clients (endpoints from ``AWS_ENDPOINT_URL_*``)."""

    def __init__(self) -> None:
        import boto3
        from botocore.config import Config

        self.sqs: Any = boto3.client("sqs")
        # No client-side retry: a retried Invoke would run the function a second time. The read timeout
        # outlives the longest function.
        self.lambda_: Any = boto3.client(
            "lambda",
            config=Config(
                read_timeout=INVOKE_TIMEOUT_SECONDS + 10,
                connect_timeout=10,
                retries={"total_max_attempts": 1},
            ),
        )
        self._cloudformation: Any = None

    def stack_outputs(self, stack: str) -> dict[str, str]:
        import boto3

        if self._cloudformation is None:
            self._cloudformation = boto3.client("cloudformation")
        stacks = self._cloudformation.describe_stacks(StackName=stack)["Stacks"]
        outputs = (stacks[0].get("Outputs") or []) if stacks else []
        return {str(o["OutputKey"]): str(o["OutputValue"]) for o in outputs}

    def scan(self, queue: str, url: str, hide_seconds: int, limit: int = SCAN_LIMIT) -> list[Letter]:
        """Receive up to ``limit`` messages, each hidden for ``hide_seconds``; nothing is deleted."""
        letters: dict[str, Letter] = {}
        waited = False
        while len(letters) < limit:
            answer = self.sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(10, limit - len(letters)),
                VisibilityTimeout=hide_seconds,
                WaitTimeSeconds=1 if waited else 0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            messages = answer.get("Messages") or []
            if not messages:
                if waited:
                    break
                waited = True  # short polling samples some servers: one long poll before concluding
                continue
            for m in messages:
                attributes = {str(k): str(v) for k, v in (m.get("Attributes") or {}).items()}
                strings = {
                    str(k): str(v["StringValue"])
                    for k, v in (m.get("MessageAttributes") or {}).items()
                    if "StringValue" in v
                }
                letters[m["MessageId"]] = Letter(
                    queue, url, m["MessageId"], m["ReceiptHandle"], m.get("Body") or "", attributes, strings
                )
        return list(letters.values())

    def show_again(self, letters: Sequence[Letter]) -> None:
        """Make received messages visible again at once."""
        self.hide_all(letters, 0)

    def hide_all(self, letters: Sequence[Letter], seconds: int) -> None:
        for url in {letter.queue_url for letter in letters}:
            mine = [letter for letter in letters if letter.queue_url == url]
            for start in range(0, len(mine), 10):
                answer = self.sqs.change_message_visibility_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(n), "ReceiptHandle": letter.receipt, "VisibilityTimeout": seconds}
                        for n, letter in enumerate(mine[start : start + 10])
                    ],
                )
                for failed in answer.get("Failed") or []:
                    letter = mine[start + int(failed["Id"])]
                    print(
                        f"sinawai dlq: visibility of {letter.queue} {letter.message_id[:8]} not changed "
                        f"({failed.get('Code')}): it shows again after its timeout",
                        file=sys.stderr,
                    )

    def hide(self, letter: Letter, seconds: int) -> None:
        self.sqs.change_message_visibility(
            QueueUrl=letter.queue_url, ReceiptHandle=letter.receipt, VisibilityTimeout=seconds
        )

    def delete(self, letter: Letter) -> None:
        self.sqs.delete_message(QueueUrl=letter.queue_url, ReceiptHandle=letter.receipt)

    def count(self, url: str) -> int | None:
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        return _int((attrs.get("Attributes") or {}).get("ApproximateNumberOfMessages"))

    def source_queue(self, dlq_url: str) -> str | None:
        urls = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq_url).get("queueUrls") or []
        return str(urls[0]) if len(urls) == 1 else None

    def invoke(self, function_arn: str, payload: Mapping[str, Any]) -> tuple[str | None, bytes]:
        """(FunctionError or None, the answer) of a synchronous invocation."""
        response = self.lambda_.invoke(
            FunctionName=function_arn,
            InvocationType="RequestResponse",
            Payload=json.dumps(payload, ensure_ascii=False).encode(),
        )
        return response.get("FunctionError"), response["Payload"].read()

    def send_back(self, target: SendBack) -> None:
        self.sqs.send_message(
            QueueUrl=target.queue_url,
            MessageBody=target.body,
            MessageGroupId=target.group_id,
            # the same id for the same dead letter: if deleting it fails and the re-drive runs again
            # within SQS's five-minute window, the source queue takes it once
            MessageDeduplicationId=target.deduplication_id,
        )


# ---- the commands -----------------------------------------------------------------------------------------


def _queue_urls(args: argparse.Namespace, aws: Aws) -> dict[str, str]:
    """The URLs of the queues asked for (``--queue``); DlqUsageError when none is known."""
    wanted = QUEUES if args.queue == "all" else (args.queue,)
    if args.stack:
        outputs = aws.stack_outputs(args.stack)
        found = {q: outputs[QUEUE_OUTPUT[q]] for q in wanted if outputs.get(QUEUE_OUTPUT[q])}
        missing = [f"{QUEUE_OUTPUT[q]} ({q})" for q in wanted if q not in found]
        where = f"stack {args.stack} has no output "
        hint = "deploy the template that has it, or set the queue URL variables without --stack"
    else:
        found = {q: os.environ[QUEUE_ENV[q]] for q in wanted if os.environ.get(QUEUE_ENV[q])}
        missing = [f"{QUEUE_ENV[q]} ({q})" for q in wanted if q not in found]
        where = "not set: "
        hint = "set it, or use --stack NAME"
    if not found:
        raise DlqUsageError(f"no queue to read: {where}{', '.join(missing)}; {hint}")
    if missing and args.queue == "all":
        print(f"sinawai dlq: skipped, {where}{', '.join(missing)}", file=sys.stderr)
    return found


def _age_text(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"


def _cell(value: Any) -> str:
    return "-" if value is None or value == "" else str(value)


def render_table(rows: Sequence[Row]) -> str:
    header = ("QUEUE", "MESSAGE", "FUNCTION", "UPDATE", "KIND", "CHAT", "AGE", "TRIES", "ERROR")
    lines = [
        (
            row.queue,
            row.message_id[:8],
            _cell(row.function),
            _cell(row.update_id),
            row.kind,
            _cell(row.chat_id),
            _age_text(row.age_seconds),
            _cell(row.attempts),
            row.error if len(row.error) <= ERROR_WIDTH else row.error[: ERROR_WIDTH - 1] + "…",
        )
        for row in rows
    ]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in [header, *lines]
    )


def _matches(row: Row, args: argparse.Namespace) -> bool:
    wanted_function = getattr(args, "function", None)
    if wanted_function and wanted_function.lower() not in (row.function or "").lower():
        return False
    wanted_id = getattr(args, "id", None)
    if wanted_id:
        if wanted_id.isdigit():
            return row.update_id == int(wanted_id)
        return row.message_id.startswith(wanted_id)
    return True


def _cmd_list(args: argparse.Namespace) -> int:
    aws = Aws()
    urls = _queue_urls(args, aws)
    now = time.time()
    rows: list[Row] = []
    counts: dict[str, int | None] = {}
    for queue, url in urls.items():
        letters = aws.scan(queue, url, LIST_HIDE_SECONDS, args.limit)
        try:
            rows.extend(describe(letter, now) for letter in letters)
        finally:
            aws.show_again(letters)
        counts[queue] = aws.count(url)
    rows = [row for row in rows if _matches(row, args)]
    rows.sort(key=lambda r: (QUEUES.index(r.queue), -(r.age_seconds or 0)))
    if args.json:
        print(json.dumps({"queues": counts, "messages": [asdict(r) for r in rows]}, indent=2))
        return 0
    if not rows:
        print("No failed message" + (" matches." if args.function or args.id else "s: every queue is empty."))
        return 0
    print(render_table(rows))
    summary = ", ".join(f"{q} {n if n is not None else '?'}" for q, n in counts.items())
    print(f"\n{len(rows)} shown; in the queues (approximate): {summary}.")
    return 0


def _source_url(queue: str, url: str, aws: Aws) -> str | None:
    if queue not in SOURCE_ENV:
        return None
    return os.environ.get(SOURCE_ENV[queue]) or aws.source_queue(url)


def _redrive_one(aws: Aws, letter: Letter, target: Plan) -> Verdict:
    """Run one re-drive: the letter is deleted when it finished, else shown again at once."""
    aws.hide(letter, REDRIVE_HIDE_SECONDS)
    try:
        if isinstance(target, SendBack):
            aws.send_back(target)
            verdict = Verdict(True, "sent back")
        else:
            function_error, answer = aws.invoke(target.function_arn, target.payload)
            verdict = judge(target, function_error, answer)
    except Exception as e:
        verdict = Verdict(False, f"{type(e).__name__}: {safe_error_line(str(e))}")
    if verdict.finished:
        aws.delete(letter)
    else:
        aws.show_again([letter])
    return verdict


def _cmd_redrive(args: argparse.Namespace) -> int:
    aws = Aws()
    urls = _queue_urls(args, aws)
    now = time.time()
    chosen: list[tuple[Letter, Row, Plan | str]] = []
    for queue, url in urls.items():
        letters = aws.scan(queue, url, LIST_HIDE_SECONDS)
        source = _source_url(queue, url, aws) if letters else None
        others: list[Letter] = []
        mine: list[Letter] = []
        for letter in letters:
            row = describe(letter, now)
            if _matches(row, args):
                chosen.append((letter, row, plan(letter, source)))
                mine.append(letter)
            else:
                others.append(letter)
        aws.show_again(others)
        if not args.dry_run:
            # hidden while the re-drives run one after the other (each hides its own again when it starts)
            aws.hide_all(mine, REDRIVE_HIDE_SECONDS)
    # a chat's updates in the order Telegram numbered them
    chosen.sort(key=lambda c: (QUEUES.index(c[1].queue), c[1].update_id or 0, -(c[1].age_seconds or 0)))
    if not chosen:
        print("Nothing to re-drive" + (": no failed message matches." if args.function or args.id else "."))
        return 0
    failures = 0
    for letter, row, target in chosen:
        name = _label(row)
        if isinstance(target, str):
            failures += 1
            print(f"SKIPPED  {name}: {target}")
            aws.show_again([letter])
            continue
        if args.dry_run:
            print(f"WOULD    {name}: {target.describe()}")
            aws.show_again([letter])
            continue
        verdict = _redrive_one(aws, letter, target)
        if verdict.finished:
            print(f"DONE     {name}: {target.describe()}: {verdict.note}; deleted from the queue")
        else:
            failures += 1
            print(f"FAILED   {name}: {verdict.note}; left in the queue")
    if args.dry_run:
        print(f"\nDry run: {len(chosen)} message(s) examined, nothing invoked, sent or deleted.")
        return 0
    done = len(chosen) - failures
    print(f"\n{done} re-driven, {failures} left in the queue.")
    return 1 if failures else 0


def _label(row: Row) -> str:
    parts = [f"{row.queue} {row.message_id[:8]}"]
    if row.function:
        parts.append(row.function)
    if row.update_id is not None:
        parts.append(f"update {row.update_id}")
    parts.append(row.kind)
    return " · ".join(parts)


def _run(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """AWS and usage errors as exit codes (2 bad usage, 1 failure) with one line, never a traceback."""

    def run(args: argparse.Namespace) -> int:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return int(command(args))
        except DlqUsageError as e:
            print(f"sinawai dlq: {e}", file=sys.stderr)
            return 2
        except (BotoCoreError, ClientError) as e:
            print(f"sinawai dlq: AWS refused: {type(e).__name__}: {safe_error_line(str(e))}", file=sys.stderr)
            return 1

    return run


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _add_common(p: argparse.ArgumentParser, queue_default: str) -> None:
    p.add_argument(
        "--queue", choices=(*QUEUES, "all"), default=queue_default,
        help=f"which queue (default: {queue_default}); URLs from "
        + ", ".join(f"{QUEUE_ENV[q]} ({q})" for q in QUEUES),
    )  # fmt: skip
    p.add_argument("--stack", help="read the queue URLs from this CloudFormation stack's outputs instead")
    p.add_argument(
        "--function", help="only the records of this function (part of its name, any case: general)"
    )
    p.add_argument("--id", help="only this update id (digits) or SQS message id (its first characters)")


def add_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    dlq = sub.add_parser(
        "dlq", help="failed invocations and dead letters: list them, re-drive them"
    ).add_subparsers(dest="action", required=True)
    p = dlq.add_parser(
        "list",
        help="show the failed messages without consuming them (never a text, name, NIP or password)",
        description="Show the failed messages, one row each: queue, function, update id, kind, chat id, "
        "age, attempts, error. Nothing is consumed: messages are made visible again at once.",
    )
    _add_common(p, "all")
    p.add_argument("--json", action="store_true", help="JSON for machines")
    p.add_argument("--limit", type=_positive, default=SCAN_LIMIT, help=f"per queue (default {SCAN_LIMIT})")
    p.set_defaults(func=_run(_cmd_list))
    p = dlq.add_parser(
        "redrive",
        help="replay failed updates (once) and events; delete each only after it succeeded",
        description="Replay the selected messages: a failed update through the same claim with "
        '"replay": true, the digest, imports and sweeps with their own event, a scheduler dead letter to '
        "its target, a FIFO dead letter back to its source queue. A message is deleted only after "
        "its re-drive succeeded; otherwise it stays and the reason is printed (exit 1).",
    )
    _add_common(p, "all")
    p.add_argument("--dry-run", action="store_true", help="say what would be done; change nothing")
    p.set_defaults(func=_run(_cmd_redrive))


__all__ = [
    "Letter",
    "Row",
    "Verdict",
    "add_commands",
    "describe",
    "event_kind",
    "judge",
    "plan",
    "render_table",
    "safe_error_line",
    "update_kind",
]
