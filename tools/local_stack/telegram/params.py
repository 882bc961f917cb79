"""A Bot API request read and its parameters decoded the way the Bot API does, reply markup validated; the
JSON answer.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from werkzeug.wrappers import Request, Response

from local_stack.telegram.records import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_INLINE_BUTTONS,
    ApiError,
    Files,
    JsonDict,
    Params,
    bad,
)

_CHAT_ID_PARAMS = frozenset({"chat_id", "from_chat_id"})
_INT_PARAMS = frozenset(
    {
        "message_id",
        "message_thread_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "timeout",
        "max_connections",
        "cache_time",
        "user_id",
        "icon_color",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
_JSON_PARAMS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
    "allowed_updates": "can't parse allowed_updates JSON object",
    "commands": "can't parse commands JSON object",
    "scope": "can't parse BotCommandScope JSON object",
    "reply_parameters": "can't parse reply parameters JSON object",
    "link_preview_options": "can't parse link preview options JSON object",
}
_LEADING_INT = re.compile(r"^\s*([+-]?\d+)")
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def read_request(request: Request) -> tuple[Params, Files]:
    """Parameters from the query string and the body (form, multipart or JSON), as the Bot API reads them."""
    params: Params = dict(request.args.items())
    files: Files = {}
    if request.mimetype == "application/json":
        data = request.get_data()
        if data.strip():
            try:
                body = json.loads(data)
            except ValueError:
                raise bad("can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise bad("JSON object expected as request body")
            params.update(body)
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        params.update(request.form.items())
        files = dict(request.files.items())
    return params, files


def lenient_int(value: Any) -> int:
    """Like the Bot API's to_integer: leading digits count, anything else is 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    match = _LEADING_INT.match(str(value))
    return int(match.group(1)) if match else 0


def chat_id_value(value: Any) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value if isinstance(value, str) else json.dumps(value)
    text = text.strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def decode_params(raw: Mapping[str, Any]) -> Params:
    params: Params = {}
    for name, value in raw.items():
        if name in _CHAT_ID_PARAMS:
            params[name] = chat_id_value(value)
        elif name in _INT_PARAMS:
            params[name] = lenient_int(value)
        elif name in _BOOL_PARAMS:
            params[name] = value is True or (isinstance(value, str) and value.lower() in ("true", "1"))
        elif name in _JSON_PARAMS:
            if isinstance(value, str):
                if value == "":
                    continue
                try:
                    value = json.loads(value)
                except ValueError:
                    raise bad(_JSON_PARAMS[name]) from None
            params[name] = value
        elif isinstance(value, str):
            params[name] = value
        else:
            params[name] = json.dumps(value)
    return params


def text_param(params: Params, name: str) -> str | None:
    value = params.get(name)
    return None if value is None else str(value)


def allowed_updates_param(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad("can't parse allowed_updates JSON object")
    return list(value)


def _button_error(text: str) -> ApiError:
    return bad(f"can't parse inline keyboard button: {text}")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise _button_error('Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise _button_error('Field "text" must be of type String')
    if not button["text"].strip():
        raise bad("BUTTON_TEXT_INVALID")
    actions = [
        name
        for name in _INLINE_ACTIONS
        if name in button
        and button[name] is not None
        and button[name] is not False
        and not (name in ("url", "callback_data") and button[name] == "")
    ]
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        # Stricter than the server (which takes the first it knows): the documentation demands exactly one.
        raise _button_error("exactly one of the optional fields must be used")
    action = actions[0]
    if action == "callback_data":
        data = button["callback_data"]
        if not isinstance(data, str):
            raise _button_error('Field "callback_data" must be of type String')
        if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
            raise bad("BUTTON_DATA_INVALID")
    elif action == "url":
        url = button["url"]
        if not isinstance(url, str):
            raise _button_error('Field "url" must be of type String')
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https", "tg") or (scheme != "tg" and not parts.netloc):
            raise bad("BUTTON_URL_INVALID")


def parse_reply_markup(value: Any) -> tuple[JsonDict | None, bool]:
    """Validates a reply_markup: (the inline keyboard to store or None, whether a markup was given)."""
    if value is None:
        return None, False
    if not isinstance(value, dict):
        raise bad("object expected as reply markup")
    if "inline_keyboard" in value:
        rows = value["inline_keyboard"]
        if not isinstance(rows, list):
            raise bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
        total = 0
        for row in rows:
            if not isinstance(row, list):
                raise bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
            for button in row:
                _check_inline_button(button)
                total += 1
        if total > MAX_INLINE_BUTTONS:
            raise bad("reply markup is too long")
        return {"inline_keyboard": copy.deepcopy([row for row in rows if row])}, True
    if "keyboard" in value:
        rows = value["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str):
                    raise bad('can\'t parse keyboard button: Field "text" must be of type String')
                if not text.strip():
                    raise bad("BUTTON_TEXT_INVALID")
        return None, True
    if value.get("remove_keyboard") is True or value.get("force_reply") is True:
        return None, True
    raise bad("can't parse reply keyboard markup JSON object")


def same_json(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def json_response(body: Any, status: int) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")
