"""``python -m local_stack say``: speak to the bot as an employee or a staff member, through the emulator.

The emulator (``python -m local_stack serve``) turns what the person says into the update Telegram would
send and delivers it to the webhook it was given (``sam local start-api``); this prints what the bot answers
in that chat (new messages, and messages it edited, with their buttons) until it has been quiet a moment.
Only the emulator's JSON control API is used, over HTTP, so ``serve`` may run in another terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from local_stack.serve import PEOPLE, EnvFile, Person

QUIET_SECONDS = 1.5  # the bot has answered once nothing changed for this long after its first change


class SayError(RuntimeError):
    """The emulator is unreachable or refused the action (the message says what to do)."""


@dataclass(frozen=True)
class Seen:
    message_id: int
    text: str
    buttons: tuple[tuple[str, str], ...]
    edit_date: int | None


def _control(client: httpx.Client, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    try:
        response = client.request(method, path, json=body)
    except httpx.HTTPError as e:
        raise SayError(
            f"the emulator at {client.base_url} does not answer ({e}): "
            "is `python -m local_stack serve` running?"
        ) from e
    try:
        data = response.json()
    except ValueError as e:
        raise SayError(f"{client.base_url}{path}: not the emulator (HTTP {response.status_code})") from e
    if not data.get("ok"):
        raise SayError(f"the emulator refused: {data.get('error') or data.get('description')}")
    return data["result"]


def _bot_messages(client: httpx.Client, chat_id: int) -> dict[int, Seen]:
    seen: dict[int, Seen] = {}
    for m in _control(client, "GET", f"/_emulator/chats/{chat_id}/messages"):
        if not m["from"].get("is_bot") or m.get("deleted"):
            continue
        markup = m.get("reply_markup") or {}
        buttons = tuple(
            (str(b.get("text", "")), str(b.get("callback_data") or b.get("url") or ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        )
        text = m.get("text") if m.get("text") is not None else (m.get("caption") or "")
        if m.get("document"):
            text = f"[document {m['document'].get('file_name', '')}] {text}".strip()
        seen[int(m["message_id"])] = Seen(int(m["message_id"]), text, buttons, m.get("edit_date"))
    return seen


def say(
    telegram_url: str,
    env: EnvFile,
    person: Person,
    *,
    text: str | None = None,
    press: str | None = None,
    wait: float = 60.0,
    out: Callable[[str], object] = print,
) -> int:
    """Speak (or press a button) as ``person``; print the bot's answers; 0 when it answered, 1 when not."""
    chat_id = person.chat_id(env)
    with httpx.Client(base_url=telegram_url.rstrip("/"), timeout=10) as client:
        before = _bot_messages(client, chat_id)
        if press is not None:
            target = next(
                (
                    m
                    for m in sorted(before.values(), key=lambda m: -m.message_id)
                    if press in dict(m.buttons).values()
                ),
                None,
            )
            if target is None:
                raise SayError(f"no message of the bot in this chat has a button {press!r}")
            pressed = {"user_id": person.user_id, "chat_id": chat_id, "message_id": target.message_id}
            _control(client, "POST", "/_emulator/press", {**pressed, "callback_data": press})
            out(f"{person.key} presses [{dict((d, t) for t, d in target.buttons)[press]}] ({press})")
        else:
            assert text is not None
            body: dict[str, Any] = {"user_id": person.user_id, "text": text}
            if chat_id != person.user_id:
                body["chat_id"] = chat_id
            _control(client, "POST", "/_emulator/send", body)
            out(f"{person.key} → bot: {text}")
        deadline = time.monotonic() + wait
        shown: dict[int, Seen] = dict(before)
        last_change: float | None = None
        while time.monotonic() < deadline:
            now = _bot_messages(client, chat_id)
            changed = [m for i, m in sorted(now.items()) if shown.get(i) != m]
            for message in changed:
                edited = " (edited)" if message.message_id in shown else ""
                out(f"bot → {person.key}{edited}:")
                for line in message.text.splitlines() or [""]:
                    out(f"    {line}")
                for label, data in message.buttons:
                    out(f"    [{label}] {data}")
                shown[message.message_id] = message
                last_change = time.monotonic()
            if last_change is not None and time.monotonic() - last_change >= QUIET_SECONDS:
                return 0
            time.sleep(0.2)
        if last_change is not None:
            return 0
        out(
            f"no answer within {wait:g} s: are `sam local start-api` (the webhook) and "
            "`sam local start-lambda` (the groups) running with --env-vars?"
        )
        return 1


__all__ = ["PEOPLE", "SayError", "say"]
