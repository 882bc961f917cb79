"""``sinawai smoke``: after every deploy, is the bot answering? A checklist; exit 0 when all pass, 1 if not.

1. Telegram's view of the webhook (``getWebhookInfo``, the probe's reading): the URL is this stage's, no
   backlog of pending updates, no recent delivery error.
2. A ``/start`` round trip (unless ``--dry-run``): a synthetic update, from the operator's own private chat
   (``--ops-chat``: their Telegram user id, after pressing Start with the bot), is POSTed to the webhook
   with the secret header, exactly as Telegram would; the check passes when the router accepted it, the
   general function processed it and the bot's reply to that chat is in the message log (the operator
   also sees the greeting arrive). The update id is far above Telegram's own, so it never collides.
3. The daily digest: the last one due (07:00 for the day before; before 07:30 the morning's may still be
   on its way, so the one of the day before is checked) is recorded as sent. A stage that never sent one
   is a warning, not a failure.

It needs what the functions need: the bot token and webhook secret (values or secret ARNs), ``DB_*``
(the database, through a tunnel from an operator's machine), and the stage's webhook URL (``--webhook-url``
or ``WEBHOOK_URL``; the stack's ``WebhookUrl`` output). Output is for ops, in English; it never prints the
token or the secret.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sinawai.cli.common import Subcommands
from sinawai.platform.config import Settings
from sinawai.platform.errors import SinawaiError

SMOKE_UPDATE_BASE = 9_000_000_000_000_000  # + milliseconds since the epoch: far above Telegram's ids
DIGEST_DUE = (7, 30)  # local time by which the morning's digest must be recorded (07:00 run + retries)
Verdict = Literal["PASS", "FAIL", "WARN"]


@dataclass(frozen=True)
class Check:
    verdict: Verdict
    name: str
    detail: str = ""

    def line(self) -> str:
        return f"[{self.verdict}] {self.name}" + (f": {self.detail}" if self.detail else "")


def webhook_checks(expected_url: str) -> list[Check]:
    from sinawai.deploy.probe import PENDING_BACKLOG, RECENT_ERROR_SECONDS, read_health
    from sinawai.deploy.telegram_setup import BotApi, TelegramApiError

    try:
        api = BotApi.from_env()
        if not api.has_token:
            return [Check("FAIL", "Telegram webhook", "the bot token is not set yet (still the placeholder)")]
        health = read_health(api, expected_url)
    except (TelegramApiError, SinawaiError) as e:
        return [Check("FAIL", "Telegram webhook", f"getWebhookInfo failed: {e}")]
    checks = [
        Check("PASS", "Webhook URL is this stage's", health.url)
        if health.url_is_ours
        else Check(
            "FAIL", "Webhook URL is this stage's", f"it is {health.url or 'not set'}, not {expected_url}"
        )
    ]
    pending = health.pending_update_count
    checks.append(
        Check(
            "PASS" if pending <= PENDING_BACKLOG else "FAIL", "No backlog at Telegram", f"{pending} pending"
        )
    )
    age = health.last_error_age_seconds
    if age >= RECENT_ERROR_SECONDS:
        last = "none in the last day" if health.last_error_date is None or age >= 86_400 else f"{age} s ago"
        checks.append(Check("PASS", "No recent delivery error", f"last error {last}"))
    else:
        checks.append(
            Check("FAIL", "No recent delivery error", f"{age} s ago: {health.last_error_message or '?'}")
        )
    return checks


def synthetic_start(update_id: int, chat_id: int, now: int) -> dict[str, Any]:
    person = {"id": chat_id, "is_bot": False, "first_name": "Smoke test"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": now,
            "chat": {"id": chat_id, "type": "private", "first_name": "Smoke test"},
            "from": person,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


def _post(url: str, body: bytes, secret: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - the stage's webhook URL, given by the operator
        url,
        data=body,
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def round_trip(url: str, chat_id: int, db: Any, timeout: float) -> Check:
    from sinawai.platform.config import webhook_secret

    name = "/start round trip"
    now = time.time()
    update_id = SMOKE_UPDATE_BASE + int(now * 1000)
    body = json.dumps(synthetic_start(update_id, chat_id, int(now))).encode()
    try:
        status = _post(url, body, webhook_secret(fresh=True))
    except (OSError, SinawaiError) as e:
        return Check("FAIL", name, f"the webhook could not be reached: {getattr(e, 'reason', e)}")
    if status in (401, 403):
        return Check(
            "FAIL",
            name,
            f"the webhook answered {status}: this environment's webhook secret is not the stage's",
        )
    if status != 200:
        return Check(
            "FAIL", name, f"the webhook answered {status} (503: database down; 502: dispatch failed)"
        )
    deadline = time.monotonic() + timeout
    state: dict[str, Any] | None = None
    while True:
        state = db.fetch_one("SELECT status, error FROM update_inbox WHERE update_id = %s", (update_id,))
        replied = db.fetch_one(
            "SELECT COUNT(*) AS n FROM pesan WHERE update_id = %s AND direction = 'out' AND chat_id = %s",
            (update_id, chat_id),
        )
        if replied and int(replied["n"]) > 0:
            return Check("PASS", name, f"update {update_id} answered in chat {chat_id}")
        if state is not None and state["status"] in ("done", "failed", "ignored"):
            break
        if time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    if state is None:
        return Check("FAIL", name, f"the webhook answered 200 but update {update_id} is not in this database")
    if state["status"] == "done":
        why = f" ({state['error']})" if state["error"] else ""
        return Check(
            "FAIL",
            name,
            f"processed, but no reply reached chat {chat_id}{why}: press Start with the bot first",
        )
    return Check(
        "FAIL",
        name,
        f"update {update_id} is '{state['status']}' after {timeout:.0f} s: see the general function's logs "
        "and the failed-invocations queue",
    )


def digest_check(db: Any, zone: ZoneInfo, now: datetime) -> Check:
    from sinawai.report import store
    from sinawai.report.period import daily_report_date

    name = "Daily digest"
    local = now.astimezone(zone)
    due = daily_report_date(now, zone)
    if (local.hour, local.minute) < DIGEST_DUE:
        due -= timedelta(days=1)  # this morning's may still be on its way: the one before must be sent
    state = store.digest_state(db, due)
    if state.sent:
        sent = state.sent_at.replace(tzinfo=UTC).astimezone(zone) if state.sent_at else None
        return Check(
            "PASS",
            name,
            f"digest of {due} sent" + (f" at {sent:%Y-%m-%d %H:%M} {sent.tzname()}" if sent else ""),
        )
    last = store.last_digest_date(db)
    if last is None and state.status is None:
        return Check("WARN", name, "no digest was ever sent on this stage (MANAGERS_CHAT_ID not set yet?)")
    detail = f"digest of {due} is {state.status or 'not started'}"
    if state.last_error:
        detail += f" ({state.last_error[:200]})"
    return Check("FAIL", name, detail + (f"; last one sent: {last}" if last else ""))


def _chat_id(raw: str) -> int | None:
    text = raw.strip()
    return int(text) if re.fullmatch(r"[1-9][0-9]{0,18}", text) else None


def _cmd_smoke(args: argparse.Namespace) -> int:
    from sinawai.platform.db import Database

    url = (args.webhook_url or os.environ.get("WEBHOOK_URL", "")).strip()
    if not re.match(r"^https?://[^\s/]+/\S*$", url):
        print(
            "sinawai smoke: give --webhook-url (the stack's WebhookUrl output) or set WEBHOOK_URL.",
            file=sys.stderr,
        )
        return 2
    chat: int | None = None
    if not args.dry_run:
        raw = args.ops_chat if args.ops_chat is not None else os.environ.get("OPS_CHAT_ID", "")
        chat = _chat_id(raw)
        if chat is None:
            print(
                "sinawai smoke: the /start round trip needs --ops-chat: your own Telegram user id (a private "
                f"chat, after pressing Start with the bot), got {raw!r}; or --dry-run for the checks only.",
                file=sys.stderr,
            )
            return 2
    settings = Settings.from_env()
    zone = ZoneInfo(settings.timezone)
    checks = webhook_checks(url)
    db = Database()
    try:
        if chat is not None:
            checks.append(round_trip(url, chat, db, args.timeout))
        else:
            checks.append(Check("WARN", "/start round trip", "skipped (--dry-run)"))
        checks.append(digest_check(db, zone, datetime.now(UTC)))
    except SinawaiError as e:
        checks.append(Check("FAIL", "Database", f"not usable from here: {e}"))
    finally:
        db.close()
    for check in checks:
        print(check.line())
    failed = sum(c.verdict == "FAIL" for c in checks)
    warned = sum(c.verdict == "WARN" for c in checks)
    summary = f"{len(checks) - failed - warned} passed, {warned} warning(s), {failed} failed"
    print(summary + ("" if failed else ": the bot is up."))
    return 1 if failed else 0


def add_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "smoke",
        help="after a deploy: webhook info, a /start round trip, the digest status (exit 1 if any fails)",
        description="Checks Telegram's view of the webhook (URL, pending updates, recent errors), sends a "
        "synthetic /start from your private chat through the webhook and waits for the reply in the message "
        "log, and checks that the last daily digest due was sent. Needs the token, the webhook secret and "
        "DB_* as the functions have them.",
    )
    p.add_argument("--webhook-url", help="the stage's webhook URL (default: WEBHOOK_URL)")
    p.add_argument(
        "--ops-chat", help="your Telegram user id, for the /start round trip (default: OPS_CHAT_ID)"
    )
    p.add_argument("--dry-run", action="store_true", help="only the checks: no update is sent")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the reply (default 30)")
    p.set_defaults(func=_cmd_smoke)
