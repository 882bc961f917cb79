"""Asynchronous Lambda invoke without boto3, so the webhook router starts fast.

boto3 with a Lambda client costs about 300 ms of imports on a cold start; the router needs one API call,
``Invoke`` with ``InvocationType=Event``, which is a signed HTTPS POST. This module signs it with AWS
Signature Version 4 (``sigv4.py``, checked against botocore's signer in the unit tests), keeps the
connection alive between invocations, and honours boto3's ``AWS_ENDPOINT_URL_LAMBDA`` /
``AWS_ENDPOINT_URL`` variables.

One update is one X-Ray trace: Lambda puts the invocation's trace header in ``_X_AMZN_TRACE_ID``, and an
``Invoke`` that carries it as ``X-Amzn-Trace-Id`` makes the invoked function's segment a child of this
invocation's (what botocore's recursion-detection handler adds to every request made inside Lambda). The
header is left out of the signature, as botocore leaves it: the tracing side may rewrite it.
"""

from __future__ import annotations

import http.client
import os
import threading
from datetime import UTC, datetime
from urllib.parse import quote, urlencode, urlsplit

from sinawai.platform.errors import ConfigurationError, DispatchError
from sinawai.platform.sigv4 import Credentials, region_from_env, sign_v4

SERVICE = "lambda"
TIMEOUT_SECONDS = 5.0
TRACE_HEADER = "X-Amzn-Trace-Id"
TRACE_ENV = "_X_AMZN_TRACE_ID"


def trace_header() -> str | None:
    """This invocation's X-Ray trace header (Root, Parent, Sampled, Lineage), as botocore sends it from
    inside Lambda; None outside Lambda or when Lambda traces nothing."""
    trace = os.environ.get(TRACE_ENV)
    if not trace or "AWS_LAMBDA_FUNCTION_NAME" not in os.environ:
        return None
    return quote(trace, safe="-=;:+&[]{}\"',")


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
        region = region_from_env()
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

    def invoke_async(self, function_name: str, payload: bytes, qualifier: str | None = None) -> None:
        """Queue ``payload`` for ``function_name`` (InvocationType=Event); raise DispatchError on failure.

        ``qualifier`` (an alias such as ``live``, or a version) is sent as Lambda's ``Qualifier`` query
        parameter: with SnapStart, only a published version (through its alias) runs from the snapshot,
        and the alias is also where the function's EventInvokeConfig (retries, on-failure queue) lives."""
        credentials = self._credentials or Credentials.from_env()
        path = f"{self._base_path}/2015-03-31/functions/{quote(function_name, safe='')}/invocations"
        query = {"Qualifier": qualifier} if qualifier else {}
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
            query=query,
        )
        if query:
            path += "?" + urlencode(query, quote_via=quote)
        trace = trace_header()
        if trace is not None:
            headers[TRACE_HEADER] = trace  # read per call: Lambda sets it for each invocation
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
