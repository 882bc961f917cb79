"""A morning burst into the staff group (issue 16, item 3): how long until staff see every ticket.

200 employees ask a question at the same moment (after a broadcast, say). Telegram takes about 20 posts a
minute into one group, so the measurement is bounded by the group's limit, not by the bot's speed. Run
twice on the local stack (fresh database each), the emulator's group limit ON:

- **before**: ``CONSULTATION_BURST_THRESHOLD=0`` (never a list): a header and a copy of the question per
  ticket, 400 posts;
- **after**: the default threshold (10 pending posts): once the backlog is long, new tickets go as compact
  list messages (``sinawai/consultation/staff_list.py``).

Measured from the first question sent into the emulator until (a) every ticket is announced in the staff
group (its header, or its line in a list) and (b) every question can be read there (its copy, or its first
line in a list). 400 posts at 20 a minute are 20 real minutes: to keep the run to a few minutes the group's
window is scaled, in the emulator and in the bot's pacing alike (60 s → ``--window`` s, default 3); the
report gives the measured seconds and the equivalent Telegram minutes (× 60 / window). The emulator's
global and per-private-chat limits are off (not scaled, they would distort the scaled run); the questions
go through the webhook, the router, the ConsultationFunction, the outbox, the SQS FIFO queue (moto) and the
DeliveryFunction, as in AWS.

Run alone: ``PYTHONPATH=tools .venv/bin/python -m local_stack.burst_bench [--tickets N] [--window S]``;
``make bench`` runs it after the webhook benchmark (``python -m local_stack.bench --burst-only``: only it).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local_stack.dbtools import temporary_database
from local_stack.stack import ROOT, LocalStack, StackConfig
from local_stack.telegram import RateLimits
from sinawai.consultation.staff_list import DEFAULT_BURST_THRESHOLD
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database

STAFF = -1001000000160
FIRST_USER = 7_160_001
GROUP_MESSAGES = 20
TICKETS = 200
WINDOW = 3.0
TIMEOUT = 600.0
LOG_DIR = ROOT / ".bench" / "burst-logs"
HEADER = re.compile(r"^🎫 Tiket #(\d+) ")
LIST_LINE = re.compile(r"^(?:✅ )?#(\d+) · ", re.MULTILINE)
QUESTION = "Pertanyaan pagi dari pegawai nomor {n}: kapan tunjangan bulan ini dibayarkan?"


@dataclass(frozen=True)
class Run:
    mode: str
    threshold: int
    tickets: int
    acknowledged_s: float  # every employee got the bot's acknowledgement (the bot's own work: not scaled)
    announced_s: float  # every ticket's header or list line in the group
    readable_s: float  # every question's copy or list line in the group
    posts: int  # messages the bot posted into the staff group
    lists: int
    headers: int
    too_many: int  # 429s the group answered (pacing keeps this at 0)


def _users(count: int) -> list[int]:
    return [FIRST_USER + n for n in range(count)]


def _seen(stack: LocalStack) -> tuple[set[int], set[int], int, int, int]:
    """(tickets announced, questions readable, posts, lists, headers) as the staff group shows them now."""
    announced: set[int] = set()
    readable: set[int] = set()
    lists = headers = 0
    posts = stack.telegram.bot_messages(STAFF)
    for message in posts:
        content = message.content
        if content.startswith("📋"):
            lists += 1
            ids = {int(x) for x in LIST_LINE.findall(content)}
            announced |= ids
            readable |= ids
        elif match := HEADER.match(content):
            headers += 1
            announced.add(int(match[1]))
    return announced, readable, len(posts), lists, headers


def _copies(db: Database) -> set[int]:
    """The tickets whose question was copied into the group (ticket_message 'question')."""
    rows = db.fetch_all("SELECT DISTINCT ticket_id FROM ticket_message WHERE kind = 'question'")
    return {int(r["ticket_id"]) for r in rows}


def run_once(
    base: DatabaseSettings,
    mode: str,
    threshold: int,
    tickets: int,
    window: float,
    progress: Callable[[str], None],
) -> Run:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    users = _users(tickets)
    with temporary_database(base, "sinawai_burst") as database:
        config = StackConfig(
            database=database,
            log_dir=LOG_DIR,
            staff_group_chat_id=STAFF,
            bucket=f"sinawai-burst-{mode}",
            extra_env={
                "STAFF_GROUP_MESSAGES_PER_MINUTE": str(GROUP_MESSAGES),
                "STAFF_GROUP_WINDOW_SECONDS": str(window),
                "CONSULTATION_BURST_THRESHOLD": str(threshold),
                "CONSULTATION_RATE_LIMIT_MESSAGES": "10",
            },
            telegram_rate_limits=RateLimits(
                global_per_second=None, group_messages=GROUP_MESSAGES, group_window=window, private_burst=None
            ),
        )
        with LocalStack(config) as stack:
            emu = stack.telegram
            db = Database(database)
            for user in users:
                emu.add_user(user, f"Pegawai {user}", started=True)
                db.execute(
                    "INSERT INTO pengguna (nip, nama, status, unit_kerja, id_telegram)"
                    " VALUES (%s, %s, 'aktif', 'Biro Umum', %s)",
                    (f"19900101201503{user % 10000:04d}", f"Pegawai {user}", user),
                )
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM")
            progress(f"burst {mode}: {tickets} questions at once (group window {window:g} s)")
            started = time.monotonic()
            for n, user in enumerate(users):
                emu.send_message(user, QUESTION.format(n=n))
            acknowledged_at = announced_at = readable_at = None
            deadline = started + TIMEOUT
            while time.monotonic() < deadline:
                announced, readable, _, _, _ = _seen(stack)
                now = time.monotonic()
                if acknowledged_at is None and all(emu.bot_messages(user) for user in users):
                    acknowledged_at = now - started
                if announced_at is None and len(announced) >= tickets:
                    announced_at = now - started
                if len(announced) >= tickets and len(readable | _copies(db)) >= tickets:
                    readable_at = now - started
                    break
                time.sleep(0.05)
            if acknowledged_at is None:
                acknowledged_at = readable_at
            if announced_at is None or readable_at is None or acknowledged_at is None:
                raise TimeoutError(f"burst {mode}: not every ticket reached the staff group in {TIMEOUT:g} s")
            stack.wait_idle(timeout=TIMEOUT)
            announced, readable, posts, lists, headers = _seen(stack)
            opened = int((db.fetch_one("SELECT COUNT(*) AS n FROM ticket") or {"n": 0})["n"])
            if opened != tickets or len(announced) != tickets:
                raise AssertionError(f"burst {mode}: {opened} tickets, {len(announced)} shown of {tickets}")
            too_many = sum(1 for c in emu.calls if c.error_code == 429 and c.params.get("chat_id") == STAFF)
            db.close()
    return Run(
        mode, threshold, tickets, acknowledged_at, announced_at, readable_at, posts, lists, headers, too_many
    )


def run(
    base: DatabaseSettings,
    progress: Callable[[str], None],
    *,
    tickets: int = TICKETS,
    window: float = WINDOW,
) -> dict[str, Any]:
    before = run_once(base, "before", 0, tickets, window, progress)
    after = run_once(base, "after", DEFAULT_BURST_THRESHOLD, tickets, window, progress)
    return {
        "tickets": tickets,
        "group_limit": f"{GROUP_MESSAGES} per {window:g} s (Telegram: {GROUP_MESSAGES} per 60 s)",
        "scale": 60.0 / window,
        "before": before.__dict__,
        "after": after.__dict__,
    }


def render(result: dict[str, Any]) -> str:
    scale = float(result["scale"])
    before, after = result["before"], result["after"]

    def minutes(seconds: float) -> str:
        return f"{seconds * scale / 60:.1f} min"

    def group_bound(posts: int) -> str:
        # the first 20 posts go at once, then 20 a minute: Telegram's own share of the wait
        return f"{max(0, posts - GROUP_MESSAGES) / GROUP_MESSAGES:.1f} min"

    rows = [
        ("metric", "before (header + copy)", "after (lists)", "after/before"),
        (
            "every question acknowledged (not scaled)",
            f"{before['acknowledged_s']:.1f} s",
            f"{after['acknowledged_s']:.1f} s",
            "",
        ),
        (
            "every ticket announced",
            f"{before['announced_s']:.1f} s ≙ {minutes(before['announced_s'])}",
            f"{after['announced_s']:.1f} s ≙ {minutes(after['announced_s'])}",
            f"{after['announced_s'] / before['announced_s']:.2f}×",
        ),
        (
            "every question readable",
            f"{before['readable_s']:.1f} s ≙ {minutes(before['readable_s'])}",
            f"{after['readable_s']:.1f} s ≙ {minutes(after['readable_s'])}",
            f"{after['readable_s'] / before['readable_s']:.2f}×",
        ),
        ("posts into the group", str(before["posts"]), str(after["posts"]), ""),
        (
            "their wait at Telegram's 20/min",
            group_bound(before["posts"]),
            group_bound(after["posts"]),
            "",
        ),
        (
            "headers / list messages",
            f"{before['headers']} / {before['lists']}",
            f"{after['headers']} / {after['lists']}",
            "",
        ),
        ("429 from the group", str(before["too_many"]), str(after["too_many"]), ""),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        f"Morning burst: {result['tickets']} questions at once into the staff group, group limit "
        f"{result['group_limit']}; '≙': × {scale:g} in Telegram minutes (an upper bound: the bot's own "
        "processing is scaled too)",
    ]
    for n, r in enumerate(rows):
        lines.append("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip())
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="local_stack.burst_bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tickets", type=int, default=TICKETS, help=f"questions in the burst (default {TICKETS})"
    )
    parser.add_argument(
        "--window",
        type=float,
        default=WINDOW,
        help=f"the group's window in seconds, scaled (default {WINDOW:g})",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DB_HOST", "127.0.0.1")
    os.environ.setdefault("DB_USER", "root")
    result = run(
        DatabaseSettings.from_env(),
        lambda text: print(f"... {text}", flush=True),
        tickets=args.tickets,
        window=args.window,
    )
    print(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
