"""Asynchronous Lambda invoke without boto3, so the webhook router starts fast.

boto3 with a Lambda client costs about 300 ms of imports on a cold start; the router needs one API call,
``Invoke`` with ``InvocationType=Event``, which is a signed HTTPS POST. This module signs it with AWS
Signature Version 4 (checked against botocore's signer in the unit tests), keeps the connection alive
between invocations, and honours boto3's ``AWS_ENDPOINT_URL_LAMBDA`` / ``AWS_ENDPOINT_URL`` variables.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from sinawai.platform.errors import ConfigurationError, DispatchError

SERVICE = "lambda"
TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls) -> Credentials:
        access = os.environ.get("AWS_ACCESS_KEY_ID", "")
        secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "")
        if not access or not secret:
            raise ConfigurationError("AWS credentials are not in the environment")
        return cls(access, secret, os.environ.get("AWS_SESSION_TOKEN") or None)


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def sign_v4(
    *,
    method: str,
    host: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    region: str,
    service: str,
    credentials: Credentials,
    now: datetime,
) -> dict[str, str]:
    """Return ``headers`` plus the SigV4 ``Authorization``, ``X-Amz-Date`` (and token) headers."""
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    signed = {k.lower(): " ".join(v.strip().split()) for k, v in headers.items()}
    signed["host"] = host
    signed["x-amz-date"] = amz_date
    if credentials.token:
        signed["x-amz-security-token"] = credentials.token
    names = sorted(signed)
    canonical_headers = "".join(f"{n}:{signed[n]}\n" for n in names)
    signed_headers = ";".join(names)
    # Every service but S3 signs the path URI-encoded once more.
    canonical_uri = quote(path, safe="/~")
    payload_hash = hashlib.sha256(body).hexdigest()
    canonical_request = "\n".join(
        [method, canonical_uri, "", canonical_headers, signed_headers, payload_hash]
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = _hmac(("AWS4" + credentials.secret_key).encode(), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    out = dict(headers)
    out["X-Amz-Date"] = amz_date
    if credentials.token:
        out["X-Amz-Security-Token"] = credentials.token
    out["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )
    return out


class LambdaInvoker:
    """Fire-and-forget ``Invoke`` calls over one kept-alive connection per thread."""

    def __init__(self, *, region: str, endpoint: str | None = None, credentials: Credentials | None = None):
        self.region = region
        self.endpoint = (endpoint or f"https://lambda.{region}.amazonaws.com").rstrip("/")
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"bad Lambda endpoint {self.endpoint!r}")
        self._https = parts.scheme == "https"
        self._host = parts.netloc
        self._base_path = parts.path.rstrip("/")
        self._credentials = credentials
        self._local = threading.local()

    @classmethod
    def from_env(cls) -> LambdaInvoker:
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-southeast-3"
        endpoint = os.environ.get("AWS_ENDPOINT_URL_LAMBDA") or os.environ.get("AWS_ENDPOINT_URL") or None
        return cls(region=region, endpoint=endpoint)

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = cls(self._host, timeout=TIMEOUT_SECONDS)
            self._local.conn = conn
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def invoke_async(self, function_name: str, payload: bytes) -> None:
        """Queue ``payload`` for ``function_name`` (InvocationType=Event); raise DispatchError on failure."""
        credentials = self._credentials or Credentials.from_env()
        path = f"{self._base_path}/2015-03-31/functions/{quote(function_name, safe='')}/invocations"
        headers = sign_v4(
            method="POST",
            host=self._host,
            path=path,
            headers={"Content-Type": "application/json", "X-Amz-Invocation-Type": "Event"},
            body=payload,
            region=self.region,
            service=SERVICE,
            credentials=credentials,
            now=datetime.now(UTC),
        )
        # A kept-alive connection may have been closed by the other side while the container slept:
        # one retry on a fresh connection. A duplicate invoke is harmless, the worker claims each update once.
        for attempt in (1, 2):
            try:
                conn = self._connection()
                conn.request("POST", path, body=payload, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as e:
                self._drop_connection()
                if attempt == 2:
                    raise DispatchError(f"invoke {function_name}: {e}") from e
                continue
            if response.status == 202:
                return
            raise DispatchError(f"invoke {function_name}: HTTP {response.status} {body[:200]!r}")
