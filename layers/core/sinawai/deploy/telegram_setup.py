"""Telegram's side of a deploy: the webhook, the command menus and the bot's description.

``Custom::TelegramSetup`` runs it on every Create and Update of the stack (``Version`` changes with the code,
so a new command or text reaches Telegram with the deploy that brings it); ``sinawai setup``, ``sinawai
webhook set`` and ``sinawai commands publish`` run the same functions from an operator's machine.

- Create/Update: ``setWebhook`` (the secret token, the updates the router handles, max 40 connections,
  pending updates kept), ``setMyCommands`` per audience (private chats; the staff group and the managers'
  chat only once their ids are set), ``setMyDescription`` and ``setMyShortDescription``.
- A first deploy has no token yet (the secret holds ``set-me-from-botfather``): nothing is sent to
  Telegram, the resource succeeds, and its ``NextStep`` says how to put the token and finish.
- Telegram refusing (a wrong token, a bad URL) fails the resource with Telegram's description. A wrong
  token fails too, on purpose: a deploy that "succeeds" with a bot that never answers hides the mistake of
  a pasted token; the placeholder is the only "not yet" the deploy accepts.
- Delete: ``deleteWebhook`` only when the bot's webhook is still this stack's URL (another stage may use
  the same bot by now), and never a failure: a stack delete must not hang on Telegram.

The token is never logged and never part of a message: errors carry Telegram's description only.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sinawai.deploy.custom_resource import CustomResourceError, Outcome, Request
from sinawai.general.menu import BOT_DESCRIPTION, BOT_SHORT_DESCRIPTION
from sinawai.platform.config import Settings, bot_token, webhook_secret
from sinawai.platform.errors import ConfigurationError, SinawaiError
from sinawai.router.commands import Audience, commands_for
from sinawai.router.routing import ALLOWED_UPDATES

logger = logging.getLogger(__name__)

PLACEHOLDER_TOKEN = "set-me-from-botfather"  # noqa: S105 - the template's initial value, not a secret
_TOKEN_SHAPE = re.compile(r"^[0-9]+:[A-Za-z0-9_-]{30,}$")
MAX_CONNECTIONS = 40
CALL_TIMEOUT_SECONDS = 10.0
MAX_RETRY_AFTER_SECONDS = 15  # a 429 asking for longer fails the call (the deploy has a timeout too)
DESCRIPTION_LIMIT = 512  # Telegram's limits for setMyDescription and setMyShortDescription
SHORT_DESCRIPTION_LIMIT = 120
SETUP_EVENT_SOURCE = "sinawai.setup"  # a direct invoke of the setup function: {"source": "sinawai.setup"}


class TelegramApiError(SinawaiError):
    """Telegram refused a call (``code`` is its error_code) or could not be reached (``code`` None)."""

    def __init__(self, method: str, code: int | None, description: str) -> None:
        self.method = method
        self.code = code
        self.description = description
        if code is None:
            super().__init__(f"Telegram could not be reached ({method}): {description}")
        else:
            super().__init__(f"Telegram refused {method} ({code}): {description}")


class SetupInputError(CustomResourceError):
    """A property or setting of the set-up is malformed: nothing was sent to Telegram."""


def plausible_token(token: str) -> bool:
    """Shaped like a token @BotFather gives (``123456789:AA...``); the placeholder is not."""
    return bool(_TOKEN_SHAPE.match(token))


class BotApi:
    """The few Bot API calls of the set-up: JSON over HTTPS with the standard library (no PTB needed)."""

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        timeout: float = CALL_TIMEOUT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._token = token
        self._base = base_url.rstrip("/")
        self._timeout = timeout
        self._sleep = sleep

    @classmethod
    def from_env(cls) -> BotApi:
        # fresh: a warm container must not keep the placeholder it read before the token was put
        return cls(bot_token(fresh=True), Settings.from_env().telegram_api_base_url)

    @property
    def has_token(self) -> bool:
        """The configured token is shaped like one (not the template's placeholder)."""
        return plausible_token(self._token)

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "<token>") if self._token else text

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> Any:
        """The call's result; TelegramApiError when Telegram refuses or cannot be reached. A 429 with a
        short ``retry_after`` is waited out once."""
        for attempt in (1, 2):
            body = self._post(method, params or {})
            if body.get("ok") is True:
                return body.get("result")
            code = body.get("error_code")
            description = self._scrub(str(body.get("description") or "no description"))
            retry_after = (body.get("parameters") or {}).get("retry_after")
            if not isinstance(retry_after, int):
                retry_after = MAX_RETRY_AFTER_SECONDS + 1
            if code == 429 and attempt == 1 and retry_after <= MAX_RETRY_AFTER_SECONDS:
                logger.warning("Telegram asked to wait %ss before %s", retry_after, method)
                self._sleep(float(retry_after))
                continue
            raise TelegramApiError(method, code if isinstance(code, int) else None, description)
        raise AssertionError("unreachable")  # pragma: no cover

    def _post(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - the Bot API base URL is operator configuration
            f"{self._base}/bot{self._token}/{method}",
            data=json.dumps(params).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as e:
            raw = e.read() or b""
            status = e.code
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if not isinstance(body, dict):
                return {"ok": False, "error_code": status, "description": f"HTTP {status} {e.reason}"}
            return body
        except (OSError, ValueError, http.client.HTTPException) as e:
            # not "from e": the chained exception could carry the URL, and the URL carries the token
            raise TelegramApiError(method, None, self._scrub(str(getattr(e, "reason", e)))) from None
        try:
            body = json.loads(raw)
        except ValueError:
            raise TelegramApiError(method, None, "the answer is not JSON") from None
        return body if isinstance(body, dict) else {"ok": False, "description": "the answer is not an object"}


# ---- what is set up -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupTarget:
    webhook_url: str
    staff_group_chat_id: int | None
    managers_chat_id: int | None

    @classmethod
    def from_values(
        cls, webhook_url: str, staff: str, managers: str, *, names: tuple[str, str, str]
    ) -> SetupTarget:
        """Checked strings (CloudFormation passes every property as one); ``names`` say what to call them
        in an error (property names for the resource, variables for the CLI)."""
        url_name, staff_name, managers_name = names
        return cls(
            _webhook_url(webhook_url, url_name),
            _chat_id(staff, staff_name, group_only=True),
            _chat_id(managers, managers_name, group_only=False),
        )

    @classmethod
    def from_properties(cls, properties: Mapping[str, Any]) -> SetupTarget:
        return cls.from_values(
            str(properties.get("WebhookUrl") or ""),
            str(properties.get("StaffGroupChatId") or ""),
            str(properties.get("ManagersChatId") or ""),
            names=("WebhookUrl", "StaffGroupChatId", "ManagersChatId"),
        )

    @property
    def chats(self) -> set[int]:
        return {c for c in (self.staff_group_chat_id, self.managers_chat_id) if c is not None}


def _webhook_url(raw: str, name: str) -> str:
    url = raw.strip()
    parts = urlsplit(url)
    if (
        not url
        or any(ch.isspace() for ch in url)
        or parts.scheme not in ("https", "http")
        or not parts.hostname
    ):
        raise SetupInputError(f"{name} must be the stack's webhook URL (https://…/webhook), got {raw!r}")
    return url


def _chat_id(raw: str, name: str, *, group_only: bool) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not re.fullmatch(r"-?[0-9]{1,19}", text) or int(text) == 0:
        raise SetupInputError(
            f"{name} must be a Telegram chat id like -1001234567890 (or empty), got {raw!r}"
        )
    if group_only and int(text) > 0:
        raise SetupInputError(f"{name} must be a group's chat id, which is negative (-100…), got {raw!r}")
    return int(text)


@dataclass(frozen=True)
class CommandCounts:
    private: int
    staff: int
    managers: int

    def __str__(self) -> str:
        return f"private {self.private}, staff {self.staff}, managers {self.managers}"


def command_list(*audiences: Audience) -> list[dict[str, str]]:
    return [{"command": c.name, "description": c.description} for a in audiences for c in commands_for(a)]


def set_webhook(api: BotApi, url: str, secret_token: str, *, max_connections: int = MAX_CONNECTIONS) -> None:
    api.call(
        "setWebhook",
        {
            "url": url,
            "secret_token": secret_token,
            "allowed_updates": list(ALLOWED_UPDATES),
            "drop_pending_updates": False,
            "max_connections": max_connections,
        },
    )


def publish_commands(
    api: BotApi, staff: int | None, managers: int | None, *, forget: Iterable[int] = ()
) -> CommandCounts:
    """Each audience's menu in its scope; ``forget``: chats that were the staff or managers' chat before
    (their chat menus are deleted, so a former staff group no longer offers /ambil)."""
    private = command_list("private")
    api.call("setMyCommands", {"commands": private, "scope": {"type": "all_private_chats"}})
    staff_commands, managers_commands = command_list("staff"), command_list("managers")
    menus: dict[int, list[dict[str, str]]] = {}
    if staff is not None:
        menus[staff] = list(staff_commands)
    if managers is not None:
        menus.setdefault(managers, []).extend(managers_commands)  # one chat may be both
    for chat_id, commands in menus.items():
        api.call("setMyCommands", {"commands": commands, "scope": {"type": "chat", "chat_id": chat_id}})
    for chat_id in sorted(set(forget) - set(menus)):
        try:
            api.call("deleteMyCommands", {"scope": {"type": "chat", "chat_id": chat_id}})
        except TelegramApiError as e:
            logger.warning("could not delete the menu of former chat %s: %s", chat_id, e)
    return CommandCounts(
        len(private),
        len(staff_commands) if staff is not None else 0,
        len(managers_commands) if managers is not None else 0,
    )


def set_descriptions(api: BotApi) -> None:
    """What people see before pressing Start (Indonesian, in sinawai.general.menu)."""
    api.call("setMyDescription", {"description": BOT_DESCRIPTION})
    api.call("setMyShortDescription", {"short_description": BOT_SHORT_DESCRIPTION})


def remove_webhook(api: BotApi, url: str) -> str:
    """Delete the webhook if it is still ``url``; say what was done."""
    current = str((api.call("getWebhookInfo") or {}).get("url") or "")
    if current != url:
        return f"left alone: the bot's webhook is {current or 'not set'}"
    api.call("deleteWebhook", {"drop_pending_updates": False})
    return "deleted"


# ---- the set-up as a whole ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupResult:
    applied: bool  # False: the token is not set yet, Telegram was not called
    webhook: str
    commands: str
    next_step: str

    def data(self) -> dict[str, str]:
        """The resource's Data: always the same keys (a template's !GetAtt must find them)."""
        return {"Webhook": self.webhook, "Commands": self.commands, "NextStep": self.next_step}


def _token_arn() -> str:
    return os.environ.get("TELEGRAM_BOT_TOKEN_SECRET_ARN", "").strip()


def placeholder_next_step(webhook_url: str) -> str:
    arn = _token_arn()
    put = (
        f"aws secretsmanager put-secret-value --secret-id {arn} --secret-string '<token from @BotFather>'"
        if arn and not os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
        else "set TELEGRAM_BOT_TOKEN to the token from @BotFather"
    )
    function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "").strip()
    region = os.environ.get("AWS_REGION", "").strip()
    finish = f"sinawai setup --webhook-url {webhook_url}"
    if function:
        invoke = (
            f"aws lambda invoke --function-name {function}{f' --region {region}' if region else ''} "
            f'--cli-binary-format raw-in-base64-out --payload \'{{"source":"{SETUP_EVENT_SOURCE}"}}\' '
            "/dev/stdout"
        )
        finish = f"{invoke} (or: {finish})"
    return (
        "The bot token is not set yet, so Telegram was not called. "
        f"1) {put} 2) {finish}. A sam deploy with no change to the stack does not run the set-up again."
    )


def token_refused_reason() -> str:
    arn = _token_arn()
    where = f"the secret {arn}" if arn else "TELEGRAM_BOT_TOKEN"
    return (
        f"Telegram refused the bot token in {where} (401 Unauthorized): it is not the token of a bot. "
        "Put the token @BotFather gave (aws secretsmanager put-secret-value), then deploy again."
    )


def run_setup(target: SetupTarget, *, forget: Iterable[int] = (), api: BotApi | None = None) -> SetupResult:
    """Set the webhook, the menus and the description; with the placeholder token, nothing (and say
    what to do). TelegramApiError when Telegram refuses; ConfigurationError when no token is configured."""
    client = api or BotApi.from_env()
    if not client.has_token:
        logger.warning("the bot token is not set yet: Telegram not called")
        return SetupResult(False, "not set", "not published", placeholder_next_step(target.webhook_url))
    secret = webhook_secret(fresh=True)
    set_webhook(client, target.webhook_url, secret)
    counts = publish_commands(client, target.staff_group_chat_id, target.managers_chat_id, forget=forget)
    set_descriptions(client)
    logger.info("telegram set up: webhook %s, commands %s", target.webhook_url, counts)
    return SetupResult(True, target.webhook_url, str(counts), chat_ids_next_step(target))


def chat_ids_next_step(target: SetupTarget) -> str:
    missing = [
        name
        for name, value in (
            ("StaffGroupChatId", target.staff_group_chat_id),
            ("ManagersChatId", target.managers_chat_id),
        )
        if value is None
    ]
    if not missing:
        return "Nothing: the bot is set up."
    return (
        f"{' and '.join(missing)} not set: add the bot to the group; it answers with the group's chat id "
        "and the parameter to set (a group admin can also send /idchat there); set it with sam deploy "
        "--guided or in samconfig.toml's parameter_overrides (a bare --parameter-overrides replaces the "
        "profile's)."
    )


class TelegramSetup:
    """``Custom::TelegramSetup``: properties ``WebhookUrl``, ``StaffGroupChatId``, ``ManagersChatId``
    (empty until known) and ``Version`` (only there to make a new deploy an Update). Its physical id is the
    webhook URL: a new URL replaces the resource, and the old one's Delete finds the bot already moved."""

    def __init__(self, api_factory: Callable[[], BotApi] = BotApi.from_env) -> None:
        self._api = api_factory

    def create_or_update(self, request: Request) -> Outcome:
        target = SetupTarget.from_properties(request.properties)
        forget: set[int] = set()
        if request.request_type == "Update":
            for name in ("StaffGroupChatId", "ManagersChatId"):
                old = str(request.old_properties.get(name) or "").strip()
                if re.fullmatch(r"-?[0-9]{1,19}", old):
                    forget.add(int(old))
        try:
            result = run_setup(target, forget=forget - target.chats, api=self._api())
        except ConfigurationError as e:
            raise CustomResourceError(f"the setup function's configuration: {e}") from e
        except TelegramApiError as e:
            if e.code == 401:
                raise CustomResourceError(token_refused_reason()) from None
            raise CustomResourceError(str(e)) from None
        return Outcome(target.webhook_url, result.data())

    def delete(self, request: Request) -> Outcome:
        physical_id = request.physical_id or ""
        url = str(request.properties.get("WebhookUrl") or "").strip()
        if not url:
            return Outcome(physical_id, {"Webhook": "not set"})
        try:
            api = self._api()
            if not api.has_token:
                logger.info("delete: no bot token was ever set, nothing to undo at Telegram")
                return Outcome(physical_id, {"Webhook": "not set"})
            done = remove_webhook(api, url)
        except (SinawaiError, OSError) as e:
            logger.warning("delete: Telegram not cleaned up, the stack delete goes on: %s", e)
            return Outcome(physical_id, {"Webhook": "not deleted: Telegram unreachable"})
        logger.info("delete: webhook %s", done)
        return Outcome(physical_id, {"Webhook": done})

    def rollback_data(self, reason: str) -> dict[str, str]:
        return SetupResult(
            False,
            "unchanged (rollback)",
            "unchanged (rollback)",
            f"The rollback did not re-apply the Telegram set-up ({reason}); run sinawai setup once fixed.",
        ).data()
