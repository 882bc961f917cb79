"""Configuration from the environment (contract names in DESIGN.md), secrets from Secrets Manager.

A plain value wins over its ``*_ARN`` twin, so a local run can override anything the template sets.
Secrets are fetched once per container through Powertools Parameters (cached) and never logged.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sinawai.errors import ConfigurationError

DEFAULT_TELEGRAM_API_BASE_URL = "https://api.telegram.org"
DEFAULT_TIMEZONE = "Asia/Jakarta"
SECRET_CACHE_SECONDS = 300


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def _secret_string(arn: str) -> str:
    # Imported here: only a container that really reads a secret pays for boto3.
    from aws_lambda_powertools.utilities import parameters

    value: str | bytes = parameters.get_secret(arn, max_age=SECRET_CACHE_SECONDS)
    return value.decode() if isinstance(value, bytes) else value


def value_or_secret(name: str, arn_name: str) -> str:
    """Return ``name`` from the environment, else the secret whose ARN is in ``arn_name``."""
    plain = _env(name)
    if plain:
        return plain
    arn = _env(arn_name)
    if arn:
        return _secret_string(arn)
    raise ConfigurationError(f"set {name} or {arn_name}")


def secret_grace_seconds() -> int:
    """After a password step ends, how long a text of the chat is still treated as a possible password
    (SENSITIVE_GRACE_MINUTES, default 30)."""
    raw = _env("SENSITIVE_GRACE_MINUTES")
    if not raw:
        return 30 * 60
    try:
        return max(0, int(float(raw) * 60))
    except ValueError as e:
        raise ConfigurationError(f"SENSITIVE_GRACE_MINUTES must be a number of minutes, got {raw!r}") from e


def _optional_int(name: str) -> int | None:
    raw = _env(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as e:
        raise ConfigurationError(f"{name} must be an integer chat id, got {raw!r}") from e


@dataclass(frozen=True)
class DatabaseSettings:
    host: str
    port: int
    name: str
    user: str
    password: str = field(repr=False)
    # TLS with the system's CA bundle and host name checks; RDS Proxy is deployed with RequireTLS.
    tls: bool = False

    @classmethod
    def from_env(cls) -> DatabaseSettings:
        secret: dict[str, Any] = {}
        arn = _env("DB_SECRET_ARN")
        if arn and not (_env("DB_HOST") and _env("DB_USER")):
            secret = json.loads(_secret_string(arn))
        host = _env("DB_HOST") or str(secret.get("host", ""))
        if not host:
            raise ConfigurationError("set DB_HOST (or DB_SECRET_ARN)")
        port_raw = _env("DB_PORT") or str(secret.get("port", "3306"))
        return cls(
            host=host,
            port=int(port_raw),
            name=_env("DB_NAME") or str(secret.get("dbname", "sinawai")),
            user=_env("DB_USER") or str(secret.get("username", "")),
            password=_env("DB_PASSWORD") or str(secret.get("password", "")),
            tls=_env("DB_TLS").lower() in ("1", "true", "yes"),
        )


@dataclass(frozen=True)
class Settings:
    """Everything a function needs that is not a secret; secrets are read on first use."""

    telegram_api_base_url: str
    staff_group_chat_id: int | None
    managers_chat_id: int | None
    documents_bucket: str
    timezone: str

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            telegram_api_base_url=(_env("TELEGRAM_API_BASE_URL") or DEFAULT_TELEGRAM_API_BASE_URL).rstrip(
                "/"
            ),
            staff_group_chat_id=_optional_int("STAFF_GROUP_CHAT_ID"),
            managers_chat_id=_optional_int("MANAGERS_CHAT_ID"),
            documents_bucket=_env("DOCUMENTS_BUCKET"),
            timezone=_env("SERVICE_TIMEZONE") or DEFAULT_TIMEZONE,
        )


@cache
def bot_token() -> str:
    return value_or_secret("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN_SECRET_ARN")


@cache
def webhook_secret() -> str:
    return value_or_secret("TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_WEBHOOK_SECRET_ARN")


def clear_caches() -> None:
    """Forget cached secrets (tests, and a rotated secret after SECRET_CACHE_SECONDS)."""
    bot_token.cache_clear()
    webhook_secret.cache_clear()
    try:
        from aws_lambda_powertools.utilities import parameters
    except ImportError:  # pragma: no cover - powertools is part of the layer
        return
    parameters.clear_caches()  # type: ignore[no-untyped-call]
