"""Bot API: the bot's settings (its command lists, its description, its webhook)."""

from __future__ import annotations

import copy
import json
import re
import threading
from urllib.parse import urlsplit

import httpx

from local_stack import telegram_markup as markup
from local_stack.telegram.bot_api.rules import BotRules
from local_stack.telegram.delivery import UpdateDelivery
from local_stack.telegram.params import allowed_updates_param, chat_id_value, lenient_int, text_param
from local_stack.telegram.records import Files, JsonDict, Params, bad
from local_stack.telegram.state import Described, Webhook

_COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
MAX_DESCRIPTION_LENGTH = 512  # setMyDescription: "0-512 characters"
MAX_SHORT_DESCRIPTION_LENGTH = 120  # setMyShortDescription: "0-120 characters"


class SettingsMethods(UpdateDelivery, BotRules):
    """setMyCommands, getMyCommands, deleteMyCommands, setMyDescription, getMyDescription,
    setMyShortDescription, getMyShortDescription, setWebhook, deleteWebhook, getWebhookInfo."""

    # ---- commands -------------------------------------------------------------------------------

    def _command_key(self, p: Params) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
            raise bad("can't parse BotCommandScope JSON object")
        kind = str(scope["type"])
        normalized: JsonDict = {"type": kind}
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat_id = chat_id_value(scope.get("chat_id", ""))
            chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
            if chat is None or (chat.type != "private" and not chat.bot_is_member):
                raise bad("chat not found")
            normalized["chat_id"] = chat_id
        if kind == "chat_member":
            normalized["user_id"] = lenient_int(scope.get("user_id", 0))
            if normalized["user_id"] not in self._users:
                raise bad("user not found")
        return json.dumps(normalized, sort_keys=True), self._language(p)

    @staticmethod
    def _language(p: Params) -> str:
        language = text_param(p, "language_code") or ""
        if language and not _LANGUAGE.match(language):
            raise bad("invalid language code specified")
        return language

    def _set_my_commands(self, p: Params, files: Files) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad("BOT_COMMANDS_TOO_MUCH")
        checked: list[JsonDict] = []
        for item in commands:
            if not isinstance(item, dict) or not isinstance(item.get("command"), str):
                raise bad("can't parse commands JSON object")
            command = item["command"]
            description = item.get("description")
            if not _COMMAND.match(command):
                raise bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
            checked.append({"command": command, "description": description.strip()})
        key = self._command_key(p)
        if checked:
            self._commands[key] = checked
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, p: Params, files: Files) -> list[JsonDict]:
        return copy.deepcopy(self._commands.get(self._command_key(p), []))

    def _delete_my_commands(self, p: Params, files: Files) -> bool:
        self._commands.pop(self._command_key(p), None)
        return True

    # ---- description ----------------------------------------------------------------------------

    def _set_my_description(self, p: Params, files: Files) -> bool:
        text = text_param(p, "description") or ""
        if markup.utf16_len(text) > MAX_DESCRIPTION_LENGTH:
            raise bad("description is too long")
        self._descriptions[("description", self._language(p))] = text
        return True

    def _get_my_description(self, p: Params, files: Files) -> JsonDict:
        language = self._language(p)
        text = self._descriptions.get(("description", language))
        if text is None:  # no text for that language: the default one
            text = self._descriptions.get(("description", ""), "")
        return {"description": text}

    def _set_my_short_description(self, p: Params, files: Files) -> bool:
        text = text_param(p, "short_description") or ""
        if markup.utf16_len(text) > MAX_SHORT_DESCRIPTION_LENGTH:
            raise bad("short description is too long")
        self._descriptions[("short_description", self._language(p))] = text
        return True

    def _get_my_short_description(self, p: Params, files: Files) -> JsonDict:
        language = self._language(p)
        text = self._descriptions.get(("short_description", language))
        if text is None:
            text = self._descriptions.get(("short_description", ""), "")
        return {"short_description": text}

    # ---- webhook --------------------------------------------------------------------------------

    def _set_webhook(self, p: Params, files: Files) -> Described:
        url = str(p.get("url") or "").strip()
        if not url:
            return self._delete_webhook(p, files)
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            # Telegram wants HTTPS; the emulator also accepts plain HTTP for local endpoints.
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        if not parts.hostname:
            raise bad("bad webhook: Failed to resolve host: Name or service not known")
        secret = p.get("secret_token")
        if secret is not None and secret != "" and not _SECRET_TOKEN.match(str(secret)):
            raise bad("secret token contains unallowed characters")
        max_connections = p.get("max_connections", 40) or 40
        max_connections = max(1, min(100, int(max_connections)))  # Telegram clamps
        if "allowed_updates" in p:
            self._allowed_updates = allowed_updates_param(p["allowed_updates"])
        if p.get("drop_pending_updates"):
            self._pending.clear()
        current = self._webhook
        if (
            current is not None
            and current.url == url
            and current.secret_token == (secret or None)
            and current.max_connections == max_connections
        ):
            return Described(True, "Webhook is already set")
        self._webhook_generation += 1
        secret_token = str(secret) if secret else None
        self._webhook = Webhook(url, secret_token, max_connections, self._webhook_generation)
        if self._http is None:
            limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
            self._http = httpx.Client(timeout=self.webhook_timeout, limits=limits)
        self._workers = [w for w in self._workers if w.is_alive()]
        for n in range(max_connections):
            worker = threading.Thread(
                target=self._webhook_worker,
                args=(self._webhook_generation,),
                name=f"telegram-webhook-{self._webhook_generation}-{n}",
                daemon=True,
            )
            self._workers.append(worker)
            worker.start()
        self._cond.notify_all()
        return Described(True, "Webhook was set")

    def _delete_webhook(self, p: Params, files: Files) -> Described:
        if p.get("drop_pending_updates"):
            self._pending.clear()
        if self._webhook is None:
            return Described(True, "Webhook is already deleted")
        self._webhook = None
        self._cond.notify_all()
        return Described(True, "Webhook was deleted")

    def _get_webhook_info(self, p: Params, files: Files) -> JsonDict:
        info: JsonDict = {
            "url": self._webhook.url if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook.max_connections
            if self._webhook.last_error_date is not None:
                info["last_error_date"] = self._webhook.last_error_date
                info["last_error_message"] = self._webhook.last_error_message
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info
