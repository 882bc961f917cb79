"""``python -m local_stack``: the local stack for a person; ``serve``/``say``/``env`` for ``sam local``.

Without arguments (``make local``): the whole local stack without Docker — start it, talk to the bot with
curl, Ctrl-C to stop. A database ``sinawai_local`` is created afresh (DB_* variables, MariaDB by default)
with the demo's employees; every part keeps running until interrupted.

With Docker, ``sam local`` runs the functions and these commands run what they talk to (serve.py):

- ``serve [--telegram-port 8081] [--moto-port 5000] [--webhook-url URL] [--bind 0.0.0.0]``: the Telegram
  Bot API emulator and moto as plain servers, set up from ``events/env.local.json``;
- ``say --as budi|siti|staf|pimpinan TEXT`` (or ``--press CALLBACK_DATA``): speak in the emulator, print
  the bot's answer;
- ``env``: ``export`` lines for ``sinawai`` on this machine (same database, bucket and Bot API).
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from local_stack.sample_history import SampleHistoryError
from local_stack.serve import (
    DEFAULT_MOTO_PORT,
    DEFAULT_TELEGRAM_PORT,
    DEFAULT_WEBHOOK_URL,
    ENV_FILE,
    PEOPLE,
    Companions,
    EnvFile,
    EnvFileError,
    host_env,
)


def _wait_for_signal() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()


def run_local() -> int:
    from local_stack.dbtools import recreate_database
    from local_stack.demo import seed_demo_data, setup_people
    from local_stack.stack import LocalStack, StackConfig
    from sinawai.platform.config import DatabaseSettings

    os.environ.setdefault("DB_HOST", "127.0.0.1")
    os.environ.setdefault("DB_USER", "root")
    database = recreate_database(DatabaseSettings.from_env(), "sinawai_local")
    seed_demo_data(database)
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
        _wait_for_signal()
    return 0


def _port_in_use(bind: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((bind, port))
        except OSError:
            return True
    return False


def _serve(args: argparse.Namespace) -> int:
    env = EnvFile.load(args.env_vars)
    for option, port in (("--telegram-port", args.telegram_port), ("--moto-port", args.moto_port)):
        if port and _port_in_use(args.bind, port):
            print(
                f"serve: port {port} ({option}) is in use: is another serve (or make local) running?",
                file=sys.stderr,
            )
            return 1
    companions = Companions(
        env,
        telegram_port=args.telegram_port,
        moto_port=args.moto_port,
        bind=args.bind,
        webhook_url=args.webhook_url or None,
    )
    try:
        companions.start()
    except OSError as e:
        print(f"serve: cannot listen ({e}): is another serve (or make local) running?", file=sys.stderr)
        return 1
    try:
        print("\n".join(companions.instructions()), flush=True)
        _wait_for_signal()
    finally:
        companions.stop()
    return 0


def _say(args: argparse.Namespace) -> int:
    from local_stack.say import SayError, say

    if (args.text is None) == (args.press is None):
        print("say: give the TEXT to send or --press CALLBACK_DATA (one of them)", file=sys.stderr)
        return 2
    if args.text is not None and not args.text.strip():
        print("say: a Telegram client cannot send an empty message", file=sys.stderr)
        return 2
    env = EnvFile.load(args.env_vars)
    try:
        return say(
            args.telegram_url, env, PEOPLE[args.person], text=args.text, press=args.press, wait=args.wait
        )
    except SayError as e:
        print(f"say: {e}", file=sys.stderr)
        return 1


def _env(args: argparse.Namespace) -> int:
    env = EnvFile.load(args.env_vars)
    for name, value in sorted(host_env(env).items()):
        print(f"export {name}={shlex.quote(value)}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m local_stack",
        description="No command: the whole local stack (make local). A command: the companions of sam local.",
    )
    sub = p.add_subparsers(dest="command")

    def env_option(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--env-vars",
            type=Path,
            default=ENV_FILE,
            help="the file sam gets with --env-vars (default: %(default)s)",
        )

    serve = sub.add_parser("serve", help="the Bot API emulator and moto on fixed ports, for sam local")
    serve.add_argument("--telegram-port", type=int, default=DEFAULT_TELEGRAM_PORT)
    serve.add_argument("--moto-port", type=int, default=DEFAULT_MOTO_PORT)
    serve.add_argument(
        "--webhook-url",
        default=DEFAULT_WEBHOOK_URL,
        help="where the emulator delivers updates: sam local start-api (default: %(default)s; '' for none)",
    )
    serve.add_argument(
        "--bind",
        default="0.0.0.0",
        help="address to listen on (default %(default)s: Docker's containers come through the host's bridge)",
    )
    env_option(serve)
    serve.set_defaults(func=_serve)

    say = sub.add_parser("say", help="speak as an employee or a staff member; print the bot's answer")
    say.add_argument("--as", dest="person", required=True, choices=sorted(PEOPLE))
    say.add_argument("text", nargs="?", help="what they write")
    say.add_argument("--press", help="press the bot's button with this callback data instead")
    say.add_argument(
        "--telegram-url",
        default=f"http://127.0.0.1:{DEFAULT_TELEGRAM_PORT}",
        help="the emulator (default: %(default)s)",
    )
    say.add_argument(
        "--wait", type=float, default=60.0, help="seconds to wait for an answer (default: %(default)s)"
    )
    env_option(say)
    say.set_defaults(func=_say)

    env = sub.add_parser("env", help="export lines for sinawai on this machine (database, bucket, Bot API)")
    env_option(env)
    env.set_defaults(func=_env)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        return run_local()
    try:
        code: int = args.func(args)
    except (EnvFileError, SampleHistoryError) as e:
        print(f"{args.command}: {e}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
