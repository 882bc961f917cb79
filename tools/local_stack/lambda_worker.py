"""One Lambda execution environment ("container") for one function, as a process of its own.

Started by ``lambda_runtime`` as ``python -m local_stack.lambda_worker --in-fd N --out-fd M`` with the
function's code directory as cwd, the code and layer directories on ``PYTHONPATH`` and the function's
environment (plus Lambda's reserved variables such as ``_HANDLER`` and ``AWS_LAMBDA_FUNCTION_NAME``).

The init phase imports the handler module once, as Lambda does, and reports its duration; then the worker
serves one invocation at a time until its input is closed. The protocol is length-prefixed JSON frames
(4-byte big-endian length, UTF-8 JSON) on two dedicated pipes passed as file descriptors, never stdout:
handler code prints and logs freely, and everything it writes to stdout or stderr goes to the worker's
stderr, which is the function's log.

With SnapStart (the function's ``AWS_LAMBDA_INITIALIZATION_TYPE`` is ``snap-start``: its template has
``SnapStart: ApplyOn: PublishedVersions`` and an alias), the init phase goes on as Lambda's runtime goes from
init to snapshot to restore: it runs the before-snapshot hooks (last registered first), counts the TCP
connections the process still has open at that point (the snapshot must hold none), then runs the
after-restore hooks (in order of registration). The hooks are those registered with Lambda's
``snapshot_restore_py`` or, where that library is absent, with the registry of the same shape in
``sinawai.platform.snapstart``. A failing hook fails the init with ``SnapStartException``. No process
image is saved: the local cold start of such a function is its init plus both hooks.

Frames, worker → runtime::

    {"type": "init", "pid": ..., "init_duration_ms": ..., "error": {...} | null, "snapstart": {...} | null}
    {"type": "result", "request_id": ..., "ok": true, "payload": "<json text>", "duration_ms": ...,
     "init_duration_ms": ... (first result only), "max_memory_used_mb": ..., "log": "<last 4 KB>"}
    {"type": "result", "request_id": ..., "ok": false, "error": {"errorMessage", "errorType", "stackTrace"},
     ...}

runtime → worker::

    {"type": "invoke", "request_id": ..., "payload": "<json text>", "deadline_ms": <epoch ms>,
     "invoked_function_arn": ..., "client_context": ... | null}
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import struct
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any, TextIO, cast

_HEADER = struct.Struct(">I")
MAX_FRAME = 64 * 1024 * 1024
LOG_TAIL_BYTES = 4096


# ---- framing (used by both sides) ------------------------------------------------------------------------


def encode_frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode()
    return _HEADER.pack(len(body)) + body


def decode_body(body: bytes) -> dict[str, Any]:
    message = json.loads(body)
    if not isinstance(message, dict):
        raise TypeError(f"frame is not a JSON object: {body[:80]!r}")
    return message


def read_frame(stream: IO[bytes]) -> dict[str, Any] | None:
    """The next frame from a blocking stream, or None at end of file."""
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    if length > MAX_FRAME:
        raise ValueError(f"frame of {length} bytes is too large")
    body = _read_exactly(stream, length)
    if body is None:
        raise EOFError("end of file inside a frame")
    return decode_body(body)


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = stream.read(size - len(chunks))
        if not chunk:
            if chunks:
                raise EOFError("end of file inside a frame")
            return None
        chunks += chunk
    return bytes(chunks)


# ---- the context object ----------------------------------------------------------------------------------


class CognitoIdentity:
    cognito_identity_id: str | None = None
    cognito_identity_pool_id: str | None = None


class LambdaContext:
    """The handler's ``context``, with the attributes and method of the Python runtime's (awslambdaric).

    As there, ``memory_limit_in_mb`` is a string (the value of AWS_LAMBDA_FUNCTION_MEMORY_SIZE).
    """

    def __init__(
        self,
        *,
        aws_request_id: str,
        invoked_function_arn: str,
        deadline_ms: int,
        client_context: Any = None,
    ) -> None:
        self.aws_request_id = aws_request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = CognitoIdentity()
        self.client_context = client_context
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, message: str) -> None:
        sys.stdout.write(message)

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn}])"
        )


# ---- the function's log ----------------------------------------------------------------------------------


class _LogStream(io.TextIOBase):
    """The handler's stdout and stderr: written to the worker's stderr, keeping the invocation's tail."""

    def __init__(self, target: TextIO, tail: _Tail) -> None:
        super().__init__()
        self._target = target
        self._tail = tail

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._target.encoding

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._target.write(text)
        self._target.flush()
        self._tail.add(text)
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def fileno(self) -> int:
        return self._target.fileno()

    def isatty(self) -> bool:
        return False


class _Tail:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data = bytearray()

    def add(self, text: str) -> None:
        with self._lock:
            self._data += text.encode(errors="replace")
            if len(self._data) > 2 * LOG_TAIL_BYTES:
                del self._data[:-LOG_TAIL_BYTES]

    def take(self) -> str:
        with self._lock:
            data = bytes(self._data[-LOG_TAIL_BYTES:])
            self._data.clear()
        return data.decode(errors="ignore")


# ---- the worker ------------------------------------------------------------------------------------------


def _error(exc: BaseException, error_type: str | None = None, message: str | None = None) -> dict[str, Any]:
    tb = exc.__traceback__
    frames = traceback.extract_tb(tb.tb_next if tb is not None and tb.tb_next is not None else tb)
    return {
        "errorMessage": message if message is not None else str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": traceback.format_list(frames),
    }


class Worker:
    def __init__(self, out: IO[bytes], log_stream: TextIO, tail: _Tail) -> None:
        self.out = out
        self.log = log_stream
        self.tail = tail
        self.handler: Callable[[Any, LambdaContext], Any] | None = None
        self.init_error: dict[str, Any] | None = None
        self.init_duration_ms: float | None = None
        self.snapstart: dict[str, Any] | None = None
        self.first = True

    def init(self) -> None:
        started = time.perf_counter()
        try:
            self.handler = _load_handler(os.environ.get("_HANDLER", ""))
        except _InitError as e:
            self.init_error = e.payload
        except Exception as e:  # an exception in the module's init code: reported with its own type
            self.init_error = _error(e)
        if self.init_error is None and os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
            try:
                self.snapstart = _snapshot_and_restore()
            except Exception as e:
                self.init_error = _error(e, "SnapStartException", f"a SnapStart runtime hook failed: {e}")
            else:
                self.log.write(
                    "SNAPSTART (local) before-snapshot hooks: {before_hooks} in {before_ms} ms, "
                    "TCP connections open at the snapshot: {tcp_connections_at_snapshot}, "
                    "after-restore hooks: {after_hooks} in {after_ms} ms\n".format(**self.snapstart)
                )
        self.init_duration_ms = round((time.perf_counter() - started) * 1000, 3)
        if self.init_error is not None:
            self.log.write(f"[ERROR] {self.init_error['errorType']}: {self.init_error['errorMessage']}\n")
            self.log.write("".join(self.init_error["stackTrace"]))
        self.tail.take()  # init output is not part of the first invocation's tail
        self.send(
            {
                "type": "init",
                "pid": os.getpid(),
                "init_duration_ms": self.init_duration_ms,
                "error": self.init_error,
                "snapstart": self.snapstart,
            }
        )

    def send(self, message: dict[str, Any]) -> None:
        self.out.write(encode_frame(message))
        self.out.flush()

    def invoke(self, request: dict[str, Any]) -> None:
        request_id = str(request.get("request_id") or uuid.uuid4())
        version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.log.write(f"START RequestId: {request_id} Version: {version}\n")
        started = time.perf_counter()
        response: dict[str, Any] = {"type": "result", "request_id": request_id}
        try:
            response.update(ok=True, payload=self._run(request, request_id))
        except _HandlerFailed as failed:
            response.update(ok=False, error=failed.error)
        duration_ms = (time.perf_counter() - started) * 1000
        memory = _max_memory_mb()
        self.log.write(f"END RequestId: {request_id}\n")
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {int(duration_ms) + 1} ms\t"
            f"Memory Size: {os.environ.get('AWS_LAMBDA_FUNCTION_MEMORY_SIZE', '')} MB\t"
            f"Max Memory Used: {memory} MB"
        )
        if self.first:
            report += f"\tInit Duration: {self.init_duration_ms:.2f} ms"
        self.log.write(report + "\n")
        response.update(
            duration_ms=round(duration_ms, 3),
            max_memory_used_mb=memory,
            init_duration_ms=self.init_duration_ms if self.first else None,
            log=self.tail.take(),
        )
        self.first = False
        self.send(response)

    def _run(self, request: dict[str, Any], request_id: str) -> str:
        """The handler's result as JSON text; raises _HandlerFailed with Lambda's error object."""
        if self.init_error is not None or self.handler is None:
            raise _HandlerFailed({**(self.init_error or {}), "requestId": request_id})
        try:
            event = json.loads(request.get("payload") or "{}")
        except ValueError as e:
            raise _HandlerFailed(
                _error(e, "Runtime.UnmarshalError", f"Unable to unmarshal input: {e}")
            ) from e
        context = LambdaContext(
            aws_request_id=request_id,
            invoked_function_arn=str(request.get("invoked_function_arn", "")),
            deadline_ms=int(request.get("deadline_ms") or (time.time() + 3) * 1000),
            client_context=request.get("client_context"),
        )
        try:
            result = self.handler(event, context)
        except Exception as e:
            error = {**_error(e), "requestId": request_id}
            self.log.write(f"[ERROR] {error['errorType']}: {error['errorMessage']}\n")
            self.log.write("Traceback (most recent call last):\n" + "".join(error["stackTrace"]))
            raise _HandlerFailed(error) from e
        try:
            return json.dumps(result)
        except (TypeError, ValueError) as e:
            raise _HandlerFailed(_error(e, "Runtime.MarshalError", f"Unable to marshal response: {e}")) from e

    def serve(self, source: IO[bytes]) -> None:
        while True:
            request = read_frame(source)
            if request is None:
                return
            if request.get("type") == "invoke":
                self.invoke(request)


class _InitError(Exception):
    def __init__(self, cause: BaseException | None, error_type: str, message: str) -> None:
        super().__init__(message)
        self.payload = (
            _error(cause, error_type, message)
            if cause is not None
            else {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": []}
        )


class _HandlerFailed(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("errorMessage"))
        self.error = error


def _load_handler(spec: str) -> Callable[[Any, LambdaContext], Any]:
    """Import the handler's module (the init phase) and return the handler; raise _InitError as Lambda
    reports these failures. Exceptions of the module's own init code propagate unchanged."""
    module_name, _, function_name = spec.replace("/", ".").rpartition(".")
    if not module_name or not function_name:
        raise _InitError(
            None, "Runtime.MalformedHandlerName", f"Bad handler '{spec}': expected module.function"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise _InitError(
            e, "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {e}"
        ) from e
    except SyntaxError as e:
        raise _InitError(
            e, "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {e}"
        ) from e
    handler = getattr(module, function_name, None)
    if not callable(handler):
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        raise _InitError(None, "Runtime.HandlerNotFound", message)
    return cast(Callable[[Any, LambdaContext], Any], handler)


def _hook_registry() -> Any:
    """Where the function registered its SnapStart hooks: Lambda's library, else our registry."""
    for name in ("snapshot_restore_py", "sinawai.platform.snapstart"):
        module = sys.modules.get(name)
        if module is not None:
            return module
    return None


def _snapshot_and_restore() -> dict[str, Any]:
    """The before-snapshot hooks, the snapshot's check, the after-restore hooks (as Lambda runs them)."""
    registry = _hook_registry()
    before: list[Any] = registry.get_before_snapshot() if registry is not None else []
    after: list[Any] = list(registry.get_after_restore()) if registry is not None else []
    started = time.perf_counter()
    ran_before = 0
    while before:
        func, args, kwargs = before.pop()
        func(*args, **kwargs)
        ran_before += 1
    before_ms = (time.perf_counter() - started) * 1000
    at_snapshot = len(_tcp_connections())
    started = time.perf_counter()
    for func, args, kwargs in after:
        func(*args, **kwargs)
    return {
        "before_hooks": ran_before,
        "before_ms": round(before_ms, 1),
        "tcp_connections_at_snapshot": at_snapshot,
        "after_hooks": len(after),
        "after_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def _tcp_connections() -> set[int]:
    """The socket inodes of this process that are TCP sockets (Linux /proc; empty elsewhere)."""
    mine: set[int] = set()
    try:
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/self/fd/{fd}")
                if target.startswith("socket:["):
                    mine.add(int(target[8:-1]))
    except OSError:
        return set()
    tcp: set[int] = set()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as f:
            next(f, None)
            for line in f:
                fields = line.split()
                if len(fields) > 9 and fields[9].isdigit() and int(fields[9]) in mine:
                    tcp.add(int(fields[9]))
    return tcp


def _max_memory_mb() -> int:
    try:
        import resource

        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024) + 1
    except (ImportError, OSError):
        return 0


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    sys.__stderr__.write("".join(traceback.format_exception(exc_type, exc, tb)))  # type: ignore[union-attr]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="local_stack.lambda_worker")
    parser.add_argument("--in-fd", type=int, required=True)
    parser.add_argument("--out-fd", type=int, required=True)
    args = parser.parse_args(argv)
    for fd in (args.in_fd, args.out_fd):
        os.set_inheritable(fd, False)  # processes the handler starts must not hold the protocol pipes
    source = os.fdopen(args.in_fd, "rb", buffering=0)
    out = os.fdopen(args.out_fd, "wb")

    # Lambda's log is stdout and stderr together: point fd 1 at the log (fd 2) too, so even C code and
    # child processes cannot write into anything but the log.
    sys.stdout.flush()
    os.dup2(2, 1)
    log_target = io.TextIOWrapper(
        os.fdopen(os.dup(2), "wb", buffering=0),
        encoding="utf-8",
        errors="backslashreplace",
        write_through=True,
    )
    tail = _Tail()
    log_stream = cast(TextIO, _LogStream(log_target, tail))
    sys.stdout = log_stream
    sys.stderr = log_stream
    sys.excepthook = _excepthook

    # The Python runtime's sys.path: the task root first (cwd is the code directory).
    task_root = os.environ.get("LAMBDA_TASK_ROOT")
    if task_root and task_root not in sys.path:
        sys.path.insert(0, task_root)

    worker = Worker(out, log_stream, tail)
    worker.init()
    try:
        worker.serve(source)
    except (BrokenPipeError, EOFError):
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
