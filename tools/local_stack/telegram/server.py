"""The HTTP server: lifecycle, routing, Bot API dispatch (every call recorded) and file downloads."""

from __future__ import annotations

import copy
import re
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from local_stack.telegram.control.endpoints import ControlEndpoints
from local_stack.telegram.params import decode_params, json_response, read_request
from local_stack.telegram.records import (
    MAX_UPLOAD_BYTES,
    METHOD_NAMES,
    ApiCall,
    ApiError,
    Files,
    JsonDict,
    Params,
)
from local_stack.telegram.state import Described

_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_BOT_PATH = re.compile(r"^/bot([^/]*)/([^/]*)$")
_FILE_PATH = re.compile(r"^/file/bot([^/]+)/(.+)$")


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class Server(ControlEndpoints):
    """Serves the Bot API, file downloads and the control API at ``base_url``."""

    # ---- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        if self._server is not None:
            return
        server = make_server(
            self.host, self.port, self._wsgi, threaded=True, request_handler=_QuietRequestHandler
        )
        self._server = server
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        self.base_url = f"http://{host}:{server.server_port}"
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), name="telegram-emulator", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            workers = list(self._workers)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._http is not None:
            self._http.close()  # a delivery in flight fails now instead of waiting for its answer
        deadline = time.monotonic() + 2.0
        for worker in workers:
            worker.join(timeout=max(0.0, deadline - time.monotonic()))
        self._http = None
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ---- HTTP -----------------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        try:
            response = self._route(request)
        except Exception as exc:  # an emulator bug must answer, not hang the client
            body = {"ok": False, "error_code": 500, "description": f"emulator: {exc!r}"}
            response = json_response(body, 500)
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        path = request.path
        match = _BOT_PATH.match(path)
        if match:
            return self._bot_api(request, match.group(1), match.group(2))
        match = _FILE_PATH.match(path)
        if match:
            return self._download(match.group(1), match.group(2))
        if path.startswith("/_emulator/"):
            return self._control(request)
        return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    def _bot_api(self, request: Request, token: str, method: str) -> Response:
        started = time.monotonic()
        canonical = METHOD_NAMES.get(method.lower(), method)
        raw: Params = {}
        try:
            self._check_request(request, token, method)
            raw, files = read_request(request)
            outcome = self._execute(
                canonical, raw, files, started, client_gone=lambda: _client_gone(request.environ)
            )
        except ApiError as error:
            return json_response(error.envelope(), error.code)
        body: JsonDict = {"ok": True, "result": outcome.result}
        if outcome.description:
            body["description"] = outcome.description
        return json_response(body, 200)

    def _check_request(self, request: Request, token: str, method: str) -> None:
        if token != self.token:
            raise ApiError(401, "Unauthorized") if _TOKEN_SHAPE.match(token) else ApiError(404, "Not Found")
        if method.lower() not in METHOD_NAMES:
            raise ApiError(404, "Not Found")
        if (request.content_length or 0) > MAX_UPLOAD_BYTES + 1024 * 1024:
            raise ApiError(413, "Request Entity Too Large")

    def _execute(
        self,
        method: str,
        raw: Params,
        files: Files,
        started: float,
        *,
        client_gone: Callable[[], bool] | None = None,
    ) -> Described:
        """Runs one Bot API method and records the call (a held call whose client is gone: neither)."""
        recorded: Params = dict(raw)
        for name, storage in files.items():
            recorded[name] = {"upload": storage.filename, "content_type": storage.mimetype}
        try:
            with self._cond:
                delay, drop_if_gone = self._take_delay(method, decode_params(raw))
                self._held += 1 if delay else 0
            if delay:
                try:
                    time.sleep(delay)  # outside the lock: other calls go on meanwhile
                finally:
                    with self._cond:
                        self._held -= 1
                if drop_if_gone and client_gone is not None and client_gone():
                    return Described(None, "client gone: dropped unanswered")
            with self._cond:
                params = decode_params(raw)
                recorded = {**params, **{k: v for k, v in recorded.items() if k in files}}
                self._check_fault(method, params)
                outcome = self._handlers[method.lower()](params, files)
        except ApiError as error:
            self._record(method, recorded, started, error=error)
            raise
        described = outcome if isinstance(outcome, Described) else Described(outcome, "")
        self._record(method, recorded, started, result=described.result)
        return described

    def _record(
        self,
        method: str,
        params: Params,
        started: float,
        *,
        result: Any = None,
        error: ApiError | None = None,
    ) -> None:
        call = ApiCall(
            method=method,
            params=params,
            ok=error is None,
            error_code=None if error is None else error.code,
            description=None if error is None else error.description,
            time=started,
            duration=time.monotonic() - started,
            result=copy.deepcopy(result),
        )
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def _download(self, token: str, file_path: str) -> Response:
        if token != self.token:
            return json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        with self._cond:
            stored = next((f for f in self._files.values() if f.file_path == file_path), None)
        if stored is None or stored.content is None:
            return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return Response(stored.content, status=200, mimetype=stored.mime_type)


def _client_gone(environ: dict[str, Any]) -> bool:
    """The client closed its connection (a killed process): the socket reads end-of-file."""
    sock = environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket):
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
