"""Control API over HTTP: ``/_emulator/...`` JSON endpoints, thin wrappers over the Python methods."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from werkzeug.wrappers import Request, Response

from local_stack.telegram.control.faults import Faults
from local_stack.telegram.control.observe import Observation
from local_stack.telegram.control.people import People
from local_stack.telegram.params import json_response
from local_stack.telegram.records import JsonDict

_CHAT_MESSAGES_PATH = re.compile(r"^/_emulator/chats/(-?\d+)/messages$")


class ControlEndpoints(People, Observation, Faults):
    """The JSON control API for a person or another process."""

    def _control(self, request: Request) -> Response:
        """The JSON control API: thin wrappers over the Python API."""
        path = request.path
        try:
            body = _control_body(request)
            result: Any
            if path == "/_emulator/users" and request.method == "POST":
                result = self.add_user(
                    int(body["user_id"]),
                    str(body["first_name"]),
                    last_name=body.get("last_name"),
                    username=body.get("username"),
                    language_code=body.get("language_code", "id"),
                )
            elif path == "/_emulator/groups" and request.method == "POST":
                result = self.add_group(
                    int(body["chat_id"]),
                    str(body["title"]),
                    members=[int(m) for m in body.get("members", [])],
                    forum=bool(body.get("forum", False)),
                    bot_is_admin=bool(body.get("bot_is_admin", True)),
                    bot_is_member=bool(body.get("bot_is_member", True)),
                    creator=_optional_int(body.get("creator")),
                    admins=[int(m) for m in body.get("admins", [])],
                    supergroup=bool(body.get("supergroup", True)),
                )
            elif path == "/_emulator/bot_membership" and request.method == "POST":
                if body.get("status", "member") in ("member", "administrator"):
                    result = self.add_bot_to_group(
                        int(body["chat_id"]),
                        int(body["by_user_id"]),
                        as_admin=body.get("status") == "administrator",
                    )
                else:
                    result = self.remove_bot_from_group(int(body["chat_id"]), int(body["by_user_id"]))
            elif path == "/_emulator/send" and request.method == "POST":
                result = self.send_message(
                    int(body["user_id"]),
                    str(body["text"]),
                    chat_id=_optional_int(body.get("chat_id")),
                    reply_to_message_id=_optional_int(body.get("reply_to_message_id")),
                    forward_from=_optional_int(body.get("forward_from")),
                    message_thread_id=_optional_int(body.get("message_thread_id")),
                )
            elif path == "/_emulator/press" and request.method == "POST":
                result = self.press_button(
                    int(body["user_id"]),
                    int(body["chat_id"]),
                    int(body["message_id"]),
                    str(body["callback_data"]),
                )
            elif path == "/_emulator/fail_next" and request.method == "POST":
                self.fail_next(
                    str(body["method"]),
                    count=int(body.get("count", 1)),
                    error_code=int(body.get("error_code", 429)),
                    description=body.get("description"),
                    retry_after=_optional_int(body.get("retry_after")),
                    chat_id=_optional_int(body.get("chat_id")),
                )
                result = True
            elif path == "/_emulator/transcript" and request.method == "GET":
                result = [dataclasses.asdict(e) for e in self.transcript()]
            elif path == "/_emulator/calls" and request.method == "GET":
                result = [dataclasses.asdict(c) for c in self.calls]
            elif (match := _CHAT_MESSAGES_PATH.match(path)) and request.method == "GET":
                result = [m.to_dict() for m in self.messages(int(match.group(1)))]
            else:
                missing = {"ok": False, "error": f"no such endpoint: {request.method} {path}"}
                return json_response(missing, 404)
        except (KeyError, ValueError, TypeError) as exc:
            return json_response({"ok": False, "error": f"{type(exc).__name__}: {exc}"}, 400)
        return json_response({"ok": True, "result": result}, 200)


def _control_body(request: Request) -> JsonDict:
    if request.method != "POST":
        return {}
    loaded = request.get_json(force=True, silent=True)
    if not isinstance(loaded, dict):
        raise TypeError("a JSON object is expected")
    return loaded


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
