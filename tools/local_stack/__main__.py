"""`make local`: the local stack for a person — start it, talk to the bot with curl, Ctrl-C to stop.

A database ``sinawai_local`` is created afresh (DB_* variables, MariaDB by default) with the demo's
employees; every part keeps running until interrupted.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from local_stack.dbtools import recreate_database
from local_stack.demo import seed_demo_data, setup_people
from local_stack.stack import LocalStack, StackConfig
from sinawai.platform.config import DatabaseSettings


def main() -> int:
    os.environ.setdefault("DB_HOST", "127.0.0.1")
    os.environ.setdefault("DB_USER", "root")
    database = recreate_database(DatabaseSettings.from_env(), "sinawai_local")
    seed_demo_data(database)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with LocalStack(StackConfig(database=database)) as stack:
        setup_people(stack)
        emu = stack.telegram.base_url
        print(f"Telegram Bot API emulator : {emu}")
        print(f"Webhook (API Gateway)     : {stack.webhook_url}")
        print(f"Lambda invoke endpoint    : {stack.function_env['AWS_ENDPOINT_URL_LAMBDA']}")
        print(f"moto (S3, Secrets Manager): {stack.moto_url}")
        print(f"MySQL database            : {database.name} on {database.host}:{database.port}")
        print()
        print("Speak as Budi (user 5550001) and read the chat:")
        print(f'  curl -s {emu}/_emulator/send -d \'{{"user_id": 5550001, "text": "/start"}}\'')
        print(f"  curl -s {emu}/_emulator/chats/5550001/messages")
        print(f"  curl -s {emu}/_emulator/transcript")
        print("Ctrl-C stops everything.")
        sys.stdout.flush()
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
