"""``sinawai serve`` measured (issue 16 item 4): the real command as a subprocess, long polling the Bot API
emulator's getUpdates, its own MariaDB database and files directory.

- start: from the process's start to its first long poll (imports of every group, the checks at start);
- sequential: one employee's /start, each sent after the previous reply came: update → reply latency;
- burst: N employees send /start at once: time until every one got its reply, updates per second, and
  whether every update got exactly one reply.

The emulator's rate limits are off: this measures the server's own capacity (Telegram's ~30 messages/s
for a bot caps a real burst of replies anyway). One process, one thread: updates are processed one by one.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from local_stack.dbtools import temporary_database
from local_stack.telegram import RateLimits, TelegramEmulator
from sinawai.platform.config import DatabaseSettings

TOKEN = "777000:serve-bench-token"  # noqa: S105 - the emulator's bot, not a secret
SINAWAI = Path(sys.executable).with_name("sinawai")
FIRST_USER = 7_700_001


def _wait(condition: Any, timeout: float, every: float = 0.002) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the serve benchmark waited too long")
        time.sleep(every)


def _env(settings: DatabaseSettings, emu: TelegramEmulator, files: str) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "DB_", "TELEGRAM_", "STAFF_", "MANAGERS_", "DOCUMENTS_", "SINAWAI_"))
    }
    return {
        **base,
        "DB_HOST": settings.host,
        "DB_PORT": str(settings.port),
        "DB_NAME": settings.name,
        "DB_USER": settings.user,
        "DB_PASSWORD": settings.password,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "SINAWAI_FILES_DIR": files,
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


def run(base: DatabaseSettings, progress: Any = print, *, quick: bool = False) -> dict[str, Any]:
    sequential, burst = (10, 20) if quick else (100, 300)
    with (
        temporary_database(base, "sinawai_serve_bench") as settings,
        TelegramEmulator(TOKEN, rate_limits=RateLimits.disabled()) as emu,
        tempfile.TemporaryDirectory() as files,
    ):
        users = [FIRST_USER + n for n in range(burst + 1)]
        for user in users:
            emu.add_user(user, f"Pegawai {user}")
        progress("serve: starting sinawai serve")
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(SINAWAI), "serve"],
            env=_env(settings, emu, files),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait(lambda: emu.polling() or proc.poll() is not None, 120)
            if proc.poll() is not None:
                raise RuntimeError(f"sinawai serve exited with {proc.returncode}")
            start_s = time.perf_counter() - started

            progress(f"serve: {sequential} sequential updates")
            latencies = []
            one = users[-1]
            for n in range(sequential):
                sent = time.perf_counter()
                emu.send_message(one, "/start")
                _wait(lambda n=n: len(emu.bot_messages(one)) > n, 30)
                latencies.append((time.perf_counter() - sent) * 1000)

            progress(f"serve: a burst of {burst} users")
            replies_before = len(emu.calls_to("sendMessage"))
            sent = time.perf_counter()
            for user in users[:burst]:
                emu.send_message(user, "/start")
            # a cheap check, not too often: the benchmark must not take the server's CPU (2 cores)
            _wait(lambda: len(emu.calls_to("sendMessage")) >= replies_before + burst, 600, every=0.02)
            burst_s = time.perf_counter() - sent
            time.sleep(0.5)  # a second reply would come now
            exactly_one = all(len(emu.bot_messages(u)) == 1 for u in users[:burst])
        finally:
            proc.terminate()
            stopped = proc.wait(60)
    return {
        "start_s": round(start_s, 2),
        "sequential": {
            "updates": sequential,
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(sorted(latencies)[max(0, int(len(latencies) * 0.95) - 1)], 1),
        },
        "burst": {
            "users": burst,
            "seconds": round(burst_s, 2),
            "updates_per_second": round(burst / burst_s, 1),
            "exactly_one_reply_each": exactly_one,
        },
        "sigterm_exit_code": stopped,
    }


def render(result: dict[str, Any]) -> str:
    seq, burst = result["sequential"], result["burst"]
    return "\n".join(
        [
            "sinawai serve (one server, long polling, in-process; emulator rate limits off)",
            f"  start to first long poll: {result['start_s']:.2f} s",
            f"  update → reply, {seq['updates']} sequential /start: p50 {seq['p50_ms']:.1f} ms, "
            f"p95 {seq['p95_ms']:.1f} ms",
            f"  burst of {burst['users']} users: all answered in {burst['seconds']:.2f} s "
            f"({burst['updates_per_second']:.1f} updates/s); exactly one reply each: "
            f"{'yes' if burst['exactly_one_reply_each'] else 'NO'}",
            f"  SIGTERM: exit {result['sigterm_exit_code']}",
        ]
    )


if __name__ == "__main__":
    os.environ.setdefault("DB_HOST", "127.0.0.1")
    os.environ.setdefault("DB_USER", "root")
    print(render(run(DatabaseSettings.from_env(), quick="--quick" in sys.argv)))
