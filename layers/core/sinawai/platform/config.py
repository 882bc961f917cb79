"""Configuration from the environment (contract names in DESIGN.md), secrets from Secrets Manager.

A plain value wins over its ``*_ARN`` twin, so a local run can override anything the template sets.
Secrets are read from Secrets Manager (a SigV4-signed ``GetSecretValue``, no boto3: secrets_manager.py) and
never logged. A container keeps a secret for ``SECRET_CACHE_SECONDS`` (default 300: 5 minutes), then reads
it again, so a rotated secret is picked up by warm containers. A caller that has just seen a secret fail
(the webhook secret Telegram sends does not match, Telegram answers 401 to the token, MySQL answers 1045 to
the password) asks for a ``fresh`` read: it bypasses the cache, at most once per ``FRESH_READ_MIN_SECONDS``
per secret, so a stream of forged requests cannot turn into a stream of Secrets Manager calls.
"""

from __future__ import annotations

import hmac
import json
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sinawai.common.contact import Contact
from sinawai.platform.errors import ConfigurationError
from sinawai.platform.secrets_manager import SecretsManagerClient

DEFAULT_TELEGRAM_API_BASE_URL = "https://api.telegram.org"
DEFAULT_TIMEZONE = "Asia/Jakarta"
SECRET_CACHE_SECONDS = 300
SECRET_CACHE_SECONDS_ENV = "SECRET_CACHE_SECONDS"  # noqa: S105 - a variable name
FRESH_READ_MIN_SECONDS = 10.0

_clock = time.monotonic  # the secret cache's clock (tests move it)


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def secret_cache_seconds() -> float:
    raw = _env(SECRET_CACHE_SECONDS_ENV)
    if not raw:
        return SECRET_CACHE_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86_400:
        raise ConfigurationError(f"{SECRET_CACHE_SECONDS_ENV} must be a number of seconds (0-86400)")
    return seconds


@dataclass
class _Cached:
    value: str = field(repr=False)
    read_at: float
    fresh_read_at: float | None


_secrets: dict[str, _Cached] = {}
_secrets_lock = threading.Lock()


def _read_secret(arn: str) -> str:
    # A signed GetSecretValue without boto3 (secrets_manager.py): the router's first read costs no imports.
    # The TTL is kept here, one clock for every secret.
    return SecretsManagerClient.from_env().get_secret_value(arn)


def _secret_string(arn: str, *, fresh: bool = False) -> str:
    """The secret's value, cached for SECRET_CACHE_SECONDS; ``fresh`` bypasses the cache (rate-limited)."""
    ttl = secret_cache_seconds()
    with _secrets_lock:
        now = _clock()
        cached = _secrets.get(arn)
        if cached is not None:
            if not fresh and now - cached.read_at < ttl:
                return cached.value
            if (
                fresh
                and cached.fresh_read_at is not None
                and now - cached.fresh_read_at < FRESH_READ_MIN_SECONDS
            ):
                return cached.value
        value = _read_secret(arn)
        fresh_read_at = now if fresh else (cached.fresh_read_at if cached else None)
        _secrets[arn] = _Cached(value, now, fresh_read_at)
        return value


def value_or_secret(name: str, arn_name: str, *, fresh: bool = False) -> str:
    """Return ``name`` from the environment, else the secret whose ARN is in ``arn_name``."""
    plain = _env(name)
    if plain:
        return plain
    arn = _env(arn_name)
    if arn:
        return _secret_string(arn, fresh=fresh)
    raise ConfigurationError(f"set {name} or {arn_name}")


def lease_margin_seconds() -> float:
    """How long a claim holds beyond its worker's deadline (CLAIM_LEASE_MARGIN_SECONDS, default 10).

    Lambda's first retry of an asynchronous invocation comes a minute after it failed: past the lease of
    a 30 s function, so the retry takes the update over while a duplicate inside the lease does not."""
    raw = _env("CLAIM_LEASE_MARGIN_SECONDS")
    try:
        return max(0.0, float(raw)) if raw else 10.0
    except ValueError as e:
        raise ConfigurationError(f"CLAIM_LEASE_MARGIN_SECONDS must be seconds, got {raw!r}") from e


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


def _flag(name: str, *, default: bool) -> bool:
    raw = _env(name).lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("0", "false", "no"):
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw!r}")


@dataclass(frozen=True)
class DatabaseSettings:
    host: str
    port: int
    name: str
    user: str
    password: str = field(repr=False)
    # DB_TLS: TLS with the certificate and the host name always checked (RDS Proxy is deployed with
    # RequireTLS); false is plain TCP, as the local MariaDB speaks.
    tls: bool = False
    # DB_TLS_CA: whom the server's certificate must chain to. Empty: the system's trust store (RDS Proxy's
    # certificate is publicly trusted); a path: that PEM file; an https:// URL: the PEM bundle downloaded
    # once per container (a direct RDS endpoint: RDS's regional bundle). platform/db.py reads it.
    tls_ca: str = ""
    # DB_SESSION_INIT: true sends SETs for time zone, SQL mode and isolation on every new connection (the
    # local MariaDB); false sends none, because each SET pins the connection to one backend behind RDS
    # Proxy: the server's parameter group (or the proxy's init query) sets them instead.
    session_init: bool = True

    @classmethod
    def from_env(cls, *, fresh: bool = False) -> DatabaseSettings:
        """From DB_* and the DB secret; ``fresh`` re-reads the secret (MySQL refused the password)."""
        secret: dict[str, Any] = {}
        arn = _env("DB_SECRET_ARN")
        if arn and not (_env("DB_HOST") and _env("DB_USER")):
            secret = json.loads(_secret_string(arn, fresh=fresh))
        host = _env("DB_HOST") or str(secret.get("host", ""))
        if not host:
            raise ConfigurationError("set DB_HOST (or DB_SECRET_ARN)")
        port_raw = _env("DB_PORT") or str(secret.get("port", "3306"))
        tls_ca = _env("DB_TLS_CA")
        if "://" in tls_ca and not tls_ca.startswith("https://"):
            raise ConfigurationError(
                f"DB_TLS_CA must be a PEM file's path or an https:// URL, got {tls_ca!r}"
            )
        return cls(
            host=host,
            port=int(port_raw),
            name=_env("DB_NAME") or str(secret.get("dbname", "sinawai")),
            user=_env("DB_USER") or str(secret.get("username", "")),
            password=_env("DB_PASSWORD") or str(secret.get("password", "")),
            tls=_flag("DB_TLS", default=False),
            tls_ca=tls_ca,
            session_init=_flag("DB_SESSION_INIT", default=True),
        )


@dataclass(frozen=True)
class Settings:
    """Everything a function needs that is not a secret; secrets are read on first use."""

    telegram_api_base_url: str
    staff_group_chat_id: int | None
    managers_chat_id: int | None
    documents_bucket: str
    timezone: str
    # WORKING_HOURS, e.g. "mon-thu 07:30-16:00; fri 07:30-16:30" (None: the default); read here only, so
    # the consultation and the report cannot count in different hours
    working_hours: str | None = None
    # REPORT_SERVICE_TARGET_WORKING_HOURS as written (None: the report's default); the report parses it
    report_target_working_hours: str | None = None
    # OSDM_CONTACT_*: how to reach Biro OSDM as the deploy sets it (content/_kontak.md, when published,
    # overrides it field by field: sinawai.common.contact)
    contact: Contact = field(default_factory=Contact)

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
            working_hours=_env("WORKING_HOURS") or None,
            report_target_working_hours=_env("REPORT_SERVICE_TARGET_WORKING_HOURS") or None,
            contact=Contact(
                telepon=_env("OSDM_CONTACT_PHONE"),
                whatsapp=_env("OSDM_CONTACT_WHATSAPP"),
                surel=_env("OSDM_CONTACT_EMAIL"),
                ruang=_env("OSDM_CONTACT_ROOM"),
                jam=_env("OSDM_CONTACT_HOURS"),
            ),
        )


def bot_token(*, fresh: bool = False) -> str:
    """The bot token; ``fresh`` after Telegram answered 401 (the token was revoked or rotated)."""
    return value_or_secret("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN_SECRET_ARN", fresh=fresh)


def webhook_secret(*, fresh: bool = False) -> str:
    """The webhook secret token; ``fresh`` when a request's secret did not match the cached one."""
    return value_or_secret("TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_WEBHOOK_SECRET_ARN", fresh=fresh)


def webhook_secret_matches(given: str) -> bool:
    """Constant-time comparison with the webhook secret; on a mismatch the secret is read again once
    (bypassing the cache: it may have been rotated) before the answer is no."""
    if _same(given, webhook_secret()):
        return True
    return _same(given, webhook_secret(fresh=True))


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def clear_caches() -> None:
    """Forget cached secrets (tests)."""
    with _secrets_lock:
        _secrets.clear()
