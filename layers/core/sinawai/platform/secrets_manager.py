"""Secrets Manager ``GetSecretValue`` without boto3, so a function's first secret read costs no imports.

Powertools Parameters reads a secret through a boto3 client: about 0.7 s of imports and client setup on
the router's first invocation. A secret read is one signed HTTPS POST (the JSON 1.1 protocol), signed by
``sigv4.py``; the credentials and region are the ones Lambda puts into the environment, and boto3's
``AWS_ENDPOINT_URL_SECRETS_MANAGER`` / ``AWS_ENDPOINT_URL`` variables are honoured (moto locally).

The secret's value is returned, never logged, and never part of an exception's message.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sinawai.platform.errors import ConfigurationError
from sinawai.platform.sigv4 import Credentials, region_from_env, sign_v4

SERVICE = "secretsmanager"
TARGET = "secretsmanager.GetSecretValue"
CONTENT_TYPE = "application/x-amz-json-1.1"
TIMEOUT_SECONDS = 5.0


class SecretReadError(ConfigurationError):
    """Secrets Manager did not give the secret: ``code`` is its error type (``ResourceNotFoundException``,
    ``AccessDeniedException``, ...) or ``ConnectionError`` when it could not be reached."""

    def __init__(self, secret_id: str, code: str, detail: str = "") -> None:
        self.secret_id = secret_id
        self.code = code
        super().__init__(f"cannot read secret {secret_id}: {code}{f' ({detail})' if detail else ''}")


@dataclass(frozen=True)
class SignedRequest:
    host: str
    path: str
    headers: dict[str, str]
    body: bytes


class SecretsManagerClient:
    """One ``GetSecretValue`` per call, on its own connection (secrets are read every few minutes)."""

    def __init__(self, *, region: str, endpoint: str | None = None, credentials: Credentials | None = None):
        self.region = region
        self.endpoint = (endpoint or f"https://secretsmanager.{region}.amazonaws.com").rstrip("/")
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"bad Secrets Manager endpoint {self.endpoint!r}")
        self._https = parts.scheme == "https"
        self._host = parts.netloc
        self._path = parts.path.rstrip("/") or "/"
        self._credentials = credentials

    @classmethod
    def from_env(cls) -> SecretsManagerClient:
        endpoint = (
            os.environ.get("AWS_ENDPOINT_URL_SECRETS_MANAGER") or os.environ.get("AWS_ENDPOINT_URL") or None
        )
        return cls(region=region_from_env(), endpoint=endpoint)

    def request(self, secret_id: str, *, now: datetime | None = None) -> SignedRequest:
        """The signed ``GetSecretValue`` request for ``secret_id`` (an ARN or a name)."""
        body = json.dumps({"SecretId": secret_id}).encode()
        headers = sign_v4(
            method="POST",
            host=self._host,
            path=self._path,
            headers={"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET},
            body=body,
            region=self.region,
            service=SERVICE,
            credentials=self._credentials or Credentials.from_env(),
            now=now or datetime.now(UTC),
        )
        return SignedRequest(self._host, self._path, headers, body)

    def get_secret_value(self, secret_id: str) -> str:
        """The secret's current ``SecretString`` (a binary secret decoded as UTF-8)."""
        signed = self.request(secret_id)
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = cls(signed.host, timeout=TIMEOUT_SECONDS)
        try:
            conn.request("POST", signed.path, body=signed.body, headers=signed.headers)
            response = conn.getresponse()
            status, raw = response.status, response.read()
        except (OSError, http.client.HTTPException) as e:
            raise SecretReadError(secret_id, "ConnectionError", str(e)) from e
        finally:
            conn.close()
        document = _json(raw)
        if status != 200:
            code = str(document.get("__type") or f"HTTP {status}").rsplit("#", 1)[-1]
            message = document.get("message") or document.get("Message") or ""
            raise SecretReadError(secret_id, code, str(message)[:200])
        if isinstance(document.get("SecretString"), str):
            return str(document["SecretString"])
        if isinstance(document.get("SecretBinary"), str):
            return base64.b64decode(document["SecretBinary"]).decode()
        raise SecretReadError(secret_id, "NoSecretValue", "neither SecretString nor SecretBinary")


def _json(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}
