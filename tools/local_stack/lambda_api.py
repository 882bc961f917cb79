"""HTTP faces of the local Lambda runtime, on 127.0.0.1.

- ``LambdaEndpoint``: Lambda's Invoke API, like ``sam local start-lambda``. boto3 (``endpoint_url`` or
  ``AWS_ENDPOINT_URL_LAMBDA``) and the router's own SigV4 client call it; signatures are not checked.
- ``ApiGatewayEndpoint``: the template's ``Type: Api`` events as a REST API with Lambda proxy integration
  (payload format 1.0), like ``sam local start-api``: the function receives API Gateway's proxy event and
  its ``statusCode``/``headers``/``body`` answer becomes the HTTP response.

Both are Werkzeug servers (one thread per request) in a daemon thread; port 0 picks a free port.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from werkzeug.datastructures import Headers
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from local_stack.lambda_runtime import (
    FunctionNotFoundError,
    InvalidParameterValueError,
    InvalidRequestContentError,
    LambdaRuntime,
    RequestTooLargeError,
    TooManyRequestsError,
)
from local_stack.template import FunctionSpec

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["ApiGatewayEndpoint", "LambdaEndpoint"]

log = logging.getLogger(__name__)

_RAW_HEADERS = "local_stack.raw_headers"
_INVOKE_PATH = re.compile(r"/2015-03-31/functions/(?P<name>[^/]+)/invocations/?")


class _RequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, quiet, and keeping the request's header names as the client wrote them."""

    def make_environ(self) -> WSGIEnvironment:
        environ = super().make_environ()
        environ[_RAW_HEADERS] = list(self.headers.items())
        return environ

    def log(self, type: str, message: str, *args: Any) -> None:
        level = logging.WARNING if type == "error" else logging.DEBUG
        log.log(level, "%s %s", self.address_string(), message % args)


class _HttpServer:
    """A Werkzeug server in a daemon thread."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return f"http://{self.host}:{self._server.server_port}"

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._server = make_server(
            self.host, self.port, self._wsgi, threaded=True, request_handler=_RequestHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}-{self._server.server_port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.handle(request)
        except Exception:
            log.exception("%s: %s %s failed", type(self).__name__, request.method, request.path)
            response = _json_response(500, {"message": "Internal server error"})
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        raise NotImplementedError


def _json_response(
    status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body), status=status, headers=dict(headers or {}), content_type="application/json"
    )


# ---- Lambda Invoke API -----------------------------------------------------------------------------------


class LambdaEndpoint(_HttpServer):
    """``POST /2015-03-31/functions/<FunctionName>/invocations`` with Lambda's headers and errors."""

    def __init__(self, runtime: LambdaRuntime, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self.runtime = runtime

    def handle(self, request: Request) -> Response:
        match = _INVOKE_PATH.fullmatch(request.path)
        if match is None or request.method != "POST":
            return self._error(
                404, "UnknownOperationException", f"Unknown operation {request.method} {request.path}"
            )
        name = match.group("name")
        invocation_type = request.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        log_type = request.headers.get("X-Amz-Log-Type", "None")
        qualifier = request.args.get("Qualifier") or None
        try:
            result = self.runtime.invoke(
                name, request.get_data(), invocation_type, log_type=log_type, qualifier=qualifier
            )
        except FunctionNotFoundError as e:
            return self._error(404, "ResourceNotFoundException", str(e))
        except InvalidRequestContentError as e:
            return self._error(400, "InvalidRequestContentException", str(e))
        except InvalidParameterValueError as e:
            return self._error(400, "InvalidParameterValueException", str(e))
        except RequestTooLargeError as e:
            return self._error(413, "RequestTooLargeException", str(e))
        except TooManyRequestsError as e:
            return self._error(
                429,
                "TooManyRequestsException",
                str(e),
                {"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"},
            )
        except RuntimeError as e:
            return self._error(500, "ServiceException", str(e), kind="Service")
        headers = {"x-amzn-RequestId": result.request_id}
        if invocation_type != "RequestResponse":
            return Response(b"", status=result.status_code, headers=headers)
        headers["X-Amz-Executed-Version"] = result.executed_version
        if result.function_error:
            headers["X-Amz-Function-Error"] = result.function_error
        if result.log_result is not None:
            headers["X-Amz-Log-Result"] = result.log_result
        return Response(
            result.payload, status=result.status_code, headers=headers, content_type="application/json"
        )

    @staticmethod
    def _error(
        status: int,
        error_type: str,
        message: str,
        extra: Mapping[str, str] | None = None,
        *,
        kind: str = "User",
    ) -> Response:
        body = {"Type": kind, "message": message, **(extra or {})}
        return _json_response(
            status, body, {"x-amzn-ErrorType": error_type, "x-amzn-RequestId": str(uuid.uuid4())}
        )


# ---- API Gateway (REST API, Lambda proxy integration) ----------------------------------------------------


@dataclass(frozen=True)
class _Route:
    method: str  # GET, POST, ... or ANY
    resource: str  # the template's Path, e.g. /items/{id}
    function: str
    pattern: re.Pattern[str]

    @property
    def rank(self) -> tuple[int, int, int, int]:
        """Lower is more specific: literal paths before parameters before greedy ones, methods before ANY."""
        greedy = int("+}" in self.resource)
        params = self.resource.count("{")
        literal = len(re.sub(r"\{[^}]*\}", "", self.resource))
        return greedy, params, -literal, int(self.method == "ANY")


def _route_pattern(resource: str) -> re.Pattern[str]:
    parts: list[str] = []
    for piece in re.split(r"(\{[^}]+\})", resource):
        if piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]
            if name.endswith("+"):
                parts.append(f"(?P<{_group(name[:-1])}>.+)")
            else:
                parts.append(f"(?P<{_group(name)}>[^/]+)")
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts) + "/?")


def _group(name: str) -> str:
    # regex group names must be identifiers; the real name is recovered from the route.
    return "p_" + "".join(c if c.isalnum() else f"_{ord(c):x}_" for c in name)


def _param_names(resource: str) -> dict[str, str]:
    names = (m.rstrip("+") for m in re.findall(r"\{([^}]+)\}", resource))
    return {_group(n): n for n in names}


class ApiGatewayEndpoint(_HttpServer):
    """The functions' ``Type: Api`` events behind one local REST API (no stage prefix in the URL, as
    ``sam local start-api``; the stage is in ``requestContext``)."""

    def __init__(
        self,
        functions: Mapping[str, FunctionSpec],
        runtime: LambdaRuntime,
        stage: str = "Prod",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_id: str = "1234567890",
    ) -> None:
        super().__init__(host=host, port=port)
        self.runtime = runtime
        self.stage = stage
        self.api_id = api_id
        specs = list(functions.values())
        self.account_id = specs[0].account_id if specs else "123456789012"
        routes = [
            _Route(method.upper(), path, spec.logical_id, _route_pattern(path))
            for spec in specs
            for method, path in spec.api_events
        ]
        self.routes = sorted(routes, key=lambda r: r.rank)

    def match(self, method: str, path: str) -> tuple[_Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method not in (method.upper(), "ANY"):
                continue
            found = route.pattern.fullmatch(path)
            if found is not None:
                names = _param_names(route.resource)
                return route, {names[k]: v for k, v in found.groupdict().items()}
        return None

    def handle(self, request: Request) -> Response:
        matched = self.match(request.method, request.path)
        if matched is None:
            return _json_response(
                403,
                {"message": "Missing Authentication Token"},
                {"x-amzn-ErrorType": "MissingAuthenticationTokenException"},
            )
        route, path_parameters = matched
        event = self.proxy_event(request, route, path_parameters)
        request_id = event["requestContext"]["requestId"]
        try:
            result = self.runtime.invoke(route.function, json.dumps(event).encode())
        except TooManyRequestsError:
            return _json_response(429, {"message": "Too Many Requests"}, {"x-amzn-RequestId": request_id})
        if result.function_error:
            log.warning(
                "%s %s: %s failed: %s", request.method, request.path, route.function, result.payload[:500]
            )
            return self._bad_gateway(request_id)
        try:
            return self._response(result.payload, request_id)
        except _MalformedResponse as e:
            log.warning(
                "%s %s: malformed Lambda proxy response from %s: %s",
                request.method,
                request.path,
                route.function,
                e,
            )
            return self._bad_gateway(request_id)

    def proxy_event(
        self, request: Request, route: _Route, path_parameters: Mapping[str, str]
    ) -> dict[str, Any]:
        """API Gateway's Lambda proxy event (REST API, payload format 1.0)."""
        raw_headers: list[tuple[str, str]] = request.environ.get(_RAW_HEADERS) or list(
            request.headers.items()
        )
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for name, value in raw_headers:
            headers[name] = value
            multi_headers.setdefault(name, []).append(value)
        present = {name.lower() for name in headers}
        server_port = str(request.environ.get("SERVER_PORT", ""))
        for name, value in (
            ("X-Forwarded-For", request.remote_addr or "127.0.0.1"),
            ("X-Forwarded-Port", server_port),
            ("X-Forwarded-Proto", request.scheme),
        ):
            if name.lower() not in present:
                headers[name] = value
                multi_headers[name] = [value]
        query = {k: v[-1] for k, v in request.args.lists()}
        multi_query = {k: list(v) for k, v in request.args.lists()}
        data = request.get_data()
        body: str | None
        if not data:
            body, is_base64 = None, False
        else:
            try:
                body, is_base64 = data.decode("utf-8"), False
            except UnicodeDecodeError:
                body, is_base64 = base64.b64encode(data).decode(), True
        now = datetime.now(UTC)
        source_ip = request.remote_addr or "127.0.0.1"
        user_agent = request.headers.get("User-Agent")
        request_id = str(uuid.uuid4())
        return {
            "resource": route.resource,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": dict(path_parameters) or None,
            "stageVariables": None,
            "requestContext": {
                "resourceId": format(abs(hash(route.resource)) % 0xFFFFFF, "06x"),
                "resourcePath": route.resource,
                "httpMethod": request.method,
                "extendedRequestId": base64.b64encode(uuid.uuid4().bytes[:12]).decode(),
                "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "path": f"/{self.stage}{request.path}",
                "accountId": self.account_id,
                "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                "stage": self.stage,
                "domainPrefix": request.host.split(":")[0].split(".")[0],
                "requestTimeEpoch": int(time.time() * 1000),
                "requestId": request_id,
                "identity": {
                    "cognitoIdentityPoolId": None,
                    "accountId": None,
                    "cognitoIdentityId": None,
                    "caller": None,
                    "sourceIp": source_ip,
                    "principalOrgId": None,
                    "accessKey": None,
                    "cognitoAuthenticationType": None,
                    "cognitoAuthenticationProvider": None,
                    "userArn": None,
                    "userAgent": user_agent,
                    "user": None,
                },
                "domainName": request.host,
                "apiId": self.api_id,
            },
            "body": body,
            "isBase64Encoded": is_base64,
        }

    @staticmethod
    def _bad_gateway(request_id: str) -> Response:
        return _json_response(
            502,
            {"message": "Internal server error"},
            {"x-amzn-ErrorType": "InternalServerErrorException", "x-amzn-RequestId": request_id},
        )

    @staticmethod
    def _response(payload: bytes, request_id: str) -> Response:
        try:
            data = json.loads(payload)
        except ValueError as e:
            raise _MalformedResponse(f"not JSON: {e}") from e
        if not isinstance(data, dict):
            raise _MalformedResponse(f"not an object: {payload[:100]!r}")
        status = data.get("statusCode")
        if isinstance(status, str) and status.isdigit():
            status = int(status)
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            raise _MalformedResponse(f"statusCode {status!r}")
        headers = Headers()
        single = data.get("headers") or {}
        multi = data.get("multiValueHeaders") or {}
        if not isinstance(single, dict) or not isinstance(multi, dict):
            raise _MalformedResponse("headers and multiValueHeaders must be objects")
        for name, value in single.items():
            if name not in multi:
                headers.add(str(name), _header_value(value))
        for name, values in multi.items():
            if not isinstance(values, list):
                raise _MalformedResponse(f"multiValueHeaders[{name!r}] is not a list")
            for value in values:
                headers.add(str(name), _header_value(value))
        body = data.get("body")
        if body is None:
            content = b""
        elif isinstance(body, str):
            if data.get("isBase64Encoded") is True:
                try:
                    content = base64.b64decode(body, validate=True)
                except (binascii.Error, ValueError) as e:
                    raise _MalformedResponse(f"body is not base64: {e}") from e
            else:
                content = body.encode()
        else:
            raise _MalformedResponse(f"body is a {type(body).__name__}, not a string")
        if "Content-Type" not in headers:
            headers["Content-Type"] = "application/json"
        headers["x-amzn-RequestId"] = request_id
        return Response(content, status=status, headers=headers)


class _MalformedResponse(ValueError):
    pass


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise _MalformedResponse(f"header value {value!r} is not a string")
