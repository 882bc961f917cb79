"""Run the template's functions locally the way Lambda does, one process per execution environment.

- Each function gets up to ``instances_per_function`` worker processes (``lambda_worker``), started
  lazily (a cold start: a new process imports the handler module) and reused while warm. An instance
  serves one invocation at a time; callers wait for a free one.
- ``RequestResponse`` runs the handler and returns its payload, or Lambda's error object with
  ``function_error="Unhandled"``. An invocation that outlives the function's timeout kills its instance
  ("Task timed out after N.NN seconds", ``Sandbox.Timedout``); the next one is a cold start.
- ``Event`` returns 202 at once and queues the payload for the function. A failed or timed-out event is
  retried after each of ``async_retry_delays`` (Lambda retries twice) and then lands in ``dead_letters``
  and the log: never silently dropped. A function with an on-failure destination (``on_failure``, from
  the template's ``EventInvokeConfig.DestinationConfig.OnFailure``) also gets Lambda's invocation record
  sent there, as Lambda sends it (``invocation_record``); ``MaximumEventAgeInSeconds`` is not emulated.
- Every execution is recorded in ``invocations`` (cold or warm, durations, error) for the benchmark.

Functions run unchanged: only their environment differs from AWS (see ``template.resolve_functions``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NamedTuple, Protocol

from local_stack.lambda_worker import MAX_FRAME, decode_body, encode_frame
from local_stack.template import FunctionSpec

__all__ = [
    "DeadLetter",
    "FailureDestination",
    "FunctionNotFoundError",
    "InvalidParameterValueError",
    "InvalidRequestContentError",
    "InvocationRecord",
    "InvokeResult",
    "LambdaRuntime",
    "RequestTooLargeError",
    "RuntimeClosedError",
    "SqsDestination",
    "TooManyRequestsError",
    "invocation_record",
]

log = logging.getLogger(__name__)

INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
MAX_SYNC_PAYLOAD = 6 * 1024 * 1024  # Lambda's limit for synchronous invocations
MAX_ASYNC_PAYLOAD = 1024 * 1024  # and for asynchronous ones (256 KB before October 2025)
INIT_TIMEOUT = 10.0  # Lambda gives the init phase 10 seconds
STOP_GRACE = 2.0
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)  # makes local_stack importable by workers


# ---- results ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvokeResult:
    """What Lambda's Invoke API answers."""

    status_code: int
    payload: bytes = b""
    function_error: str | None = None  # "Unhandled" when the payload is an error object
    log_result: str | None = None  # base64 of the invocation's last 4 KB of log (LogType=Tail)
    init_duration_ms: float | None = None  # on the first invocation of a new instance only
    request_id: str = ""
    executed_version: str = "$LATEST"
    cold: bool = False


@dataclass(frozen=True)
class InvocationRecord:
    """One execution of a function (an async event retried twice makes three records)."""

    function: str
    invocation_type: str
    request_id: str
    start: float  # time.monotonic()
    end: float
    duration_ms: float  # start to end: waiting for an instance, cold start and the handler
    cold: bool
    init_duration_ms: float | None
    error: str | None  # the errorType, None on success
    attempt: int = 1
    handler_duration_ms: float | None = None  # as measured inside the instance (Lambda's "Duration")
    pid: int | None = None
    qualifier: str = "$LATEST"  # the version or alias the Invoke named


class SnapshotRecord(NamedTuple):
    """A new instance of a SnapStart function: what its hooks did (``lambda_worker``'s report)."""

    function: str
    pid: int
    hooks: dict[str, Any]


class DeadLetter(NamedTuple):
    """An async event that failed every attempt; ``error`` is Lambda's error object of the last one."""

    function: str
    payload: bytes
    error: dict[str, Any]


class FailureDestination(Protocol):
    """Where Lambda sends the record of an asynchronous invocation that failed every attempt."""

    def deliver(self, record: Mapping[str, Any]) -> None: ...


class SqsDestination:
    """A standard SQS queue as an on-failure destination: the record is the message body, as in AWS."""

    def __init__(self, sqs: Any, queue_url: str) -> None:
        self.sqs = sqs  # a boto3 SQS client
        self.queue_url = queue_url

    def deliver(self, record: Mapping[str, Any]) -> None:
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(record))


def invocation_record(
    function_arn: str,
    request_id: str,
    payload: bytes,
    error: Mapping[str, Any],
    attempts: int,
    *,
    condition: str = "RetriesExhausted",
    now: datetime | None = None,
    qualifier: str = "$LATEST",
) -> dict[str, Any]:
    """Lambda's record of a failed asynchronous invocation (the on-failure destination's message)."""
    try:
        request: Any = json.loads(payload) if payload.strip() else {}
    except ValueError:
        request = payload.decode("utf-8", errors="replace")
    moment = now or datetime.now(UTC)
    return {
        "version": "1.0",
        "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:{qualifier}",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": request,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": dict(error),
    }


class FunctionNotFoundError(LookupError):
    def __init__(self, name: str, arn: str) -> None:
        super().__init__(f"Function not found: {arn}")
        self.name = name
        self.arn = arn


class InvalidRequestContentError(ValueError):
    """The payload is not JSON."""


class InvalidParameterValueError(ValueError):
    """An unknown invocation or log type."""


class RequestTooLargeError(ValueError):
    """The payload is over Lambda's limit for the invocation type."""


class RuntimeClosedError(RuntimeError):
    """The runtime was closed."""


class TooManyRequestsError(RuntimeError):
    """Every instance of the function stayed busy for too long (Lambda would throttle)."""


# ---- instances -------------------------------------------------------------------------------------------


class _WorkerFailed(Exception):
    """The instance is gone or unusable; ``error`` is the error object to report."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("errorMessage"))
        self.error = error


class _Timeout(Exception):
    pass


class _Instance:
    """One worker process and its two protocol pipes."""

    def __init__(self, spec: FunctionSpec, proc: subprocess.Popen[bytes], to_worker: int, from_worker: int):
        self.spec = spec
        self.proc = proc
        self.pid = proc.pid
        self.to_worker = to_worker
        self.from_worker = from_worker
        self.buffer = bytearray()
        self.generation = 0
        self.init_duration_ms: float | None = None
        self.used = False
        self.stopped = False
        self._lock = threading.Lock()

    def read_frame(self, deadline: float) -> dict[str, Any]:
        """The next frame, waiting until ``deadline`` (monotonic); _Timeout or _WorkerFailed otherwise."""
        while True:
            if len(self.buffer) >= 4:
                length = int.from_bytes(self.buffer[:4], "big")
                if length > MAX_FRAME:
                    raise _WorkerFailed(_error("Runtime.InvalidResponse", f"frame of {length} bytes"))
                if len(self.buffer) >= 4 + length:
                    body = bytes(self.buffer[4 : 4 + length])
                    del self.buffer[: 4 + length]
                    try:
                        return decode_body(body)
                    except (ValueError, TypeError) as e:
                        raise _WorkerFailed(_error("Runtime.InvalidResponse", str(e))) from e
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            readable, _, _ = select.select([self.from_worker], [], [], remaining)
            if not readable:
                continue
            try:
                chunk = os.read(self.from_worker, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                raise _WorkerFailed(self.exit_error())
            self.buffer += chunk

    def send(self, message: dict[str, Any]) -> None:
        data = memoryview(encode_frame(message))
        try:
            while data:
                if self.to_worker < 0:
                    raise BrokenPipeError("the instance is stopped")
                written = os.write(self.to_worker, data)
                data = data[written:]
        except OSError as e:
            raise _WorkerFailed(self.exit_error()) from e

    def exit_error(self) -> dict[str, Any]:
        try:
            code = self.proc.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            return _error("Runtime.ExitError", "Error: Runtime closed its pipe without exiting")
        status = f"signal: {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
        return _error("Runtime.ExitError", f"Error: Runtime exited with error: {status}")

    def terminate(self) -> None:
        """SIGKILL the worker and whatever the handler started (its process group). Closes no descriptor,
        so any thread may call it; the thread using the instance sees end of file."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)

    def close_input(self) -> None:
        with self._lock:
            if self.to_worker >= 0:
                with contextlib.suppress(OSError):
                    os.close(self.to_worker)
                self.to_worker = -1

    def kill(self) -> None:
        self.terminate()
        self._close()

    def stop(self) -> None:
        """Close the worker's input (it exits at end of file); kill it if it does not."""
        self.close_input()
        try:
            self.proc.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.terminate()
        self._close()

    def _close(self) -> None:
        with self._lock:
            if self.stopped:
                return
            self.stopped = True
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=STOP_GRACE)
        self.close_input()
        with self._lock:
            if self.from_worker >= 0:
                with contextlib.suppress(OSError):
                    os.close(self.from_worker)
                self.from_worker = -1


def _error(error_type: str, message: str) -> dict[str, Any]:
    return {"errorMessage": message, "errorType": error_type}


# ---- per function state ----------------------------------------------------------------------------------


@dataclass
class _Event:
    request_id: str
    payload: bytes
    attempt: int = 1
    qualifier: str = "$LATEST"


@dataclass
class _Pool:
    spec: FunctionSpec
    idle: list[_Instance] = field(default_factory=list)
    instances: set[_Instance] = field(default_factory=set)
    starting: int = 0
    running: int = 0  # executions between start and result, sync and async
    queue: deque[_Event] = field(default_factory=deque)
    dispatchers: int = 0
    dispatching: int = 0  # events taken from the queue and not yet finished (result, retry or DLQ)
    scheduled: int = 0  # events waiting for their retry delay
    generation: int = 0

    def busy(self) -> str | None:
        parts = [
            f"{n} {what}"
            for n, what in (
                (len(self.queue), "queued"),
                (self.running, "running"),
                (self.dispatching, "dispatching"),
                (self.scheduled, "waiting to retry"),
            )
            if n
        ]
        return f"{self.spec.logical_id} ({', '.join(parts)})" if parts else None


# ---- the runtime -----------------------------------------------------------------------------------------


class LambdaRuntime:
    def __init__(
        self,
        functions: Mapping[str, FunctionSpec],
        *,
        base_env: Mapping[str, str] | None = None,
        python: str = sys.executable,
        instances_per_function: int = 2,
        async_retry_delays: Sequence[float] = (0.2, 0.5),
        log_dir: Path | None = None,
        on_failure: Mapping[str, FailureDestination] | None = None,
    ) -> None:
        if instances_per_function < 1:
            raise ValueError("instances_per_function must be at least 1")
        self.functions: dict[str, FunctionSpec] = dict(functions)
        self.base_env: dict[str, str] = dict(os.environ if base_env is None else base_env)
        self.python = python
        self.instances_per_function = instances_per_function
        self.async_retry_delays = tuple(async_retry_delays)
        self.log_dir = log_dir
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)
        self.invocations: list[InvocationRecord] = []
        self.dead_letters: list[DeadLetter] = []
        self.snapshots: list[SnapshotRecord] = []
        self._cond = threading.Condition(threading.RLock())
        self._closed = False
        self._timers: set[threading.Timer] = set()
        self._pools: dict[str, _Pool] = {}
        self._by_name: dict[str, _Pool] = {}
        for key, spec in self.functions.items():
            pool = _Pool(spec)
            self._pools[spec.logical_id] = pool
            for name in (key, spec.logical_id, spec.function_name):
                self._by_name[name] = pool
        any_spec = next(iter(self.functions.values()), None)
        self._region = any_spec.region if any_spec else "ap-southeast-3"
        self._account = any_spec.account_id if any_spec else "123456789012"
        # function (logical id, name or ARN) → its on-failure destination, keyed here by logical id
        self._on_failure: dict[str, FailureDestination] = {
            self._pool(name).spec.logical_id: destination for name, destination in (on_failure or {}).items()
        }

    # ---- public API ---------------------------------------------------------------------------------

    def invoke(
        self,
        name_or_arn: str,
        payload: bytes = b"",
        invocation_type: str = "RequestResponse",
        *,
        log_type: str = "None",
        qualifier: str | None = None,
    ) -> InvokeResult:
        """Invoke a function by logical id, name or (partial) ARN, as Lambda's Invoke API does; the
        qualifier (the ``Qualifier`` parameter, or a ``name:qualifier`` suffix) is ``$LATEST`` or the
        function's alias (``AutoPublishAlias``), anything else is not found, as in Lambda."""
        pool = self._pool(name_or_arn)
        qualifier = self._qualifier(pool, name_or_arn, qualifier)
        if invocation_type not in INVOCATION_TYPES:
            raise InvalidParameterValueError(
                f"1 validation error detected: Value '{invocation_type}' at 'invocationType' failed to "
                f"satisfy constraint: Member must satisfy enum value set: {list(INVOCATION_TYPES)}"
            )
        if log_type not in ("None", "Tail"):
            raise InvalidParameterValueError(f"Value '{log_type}' at 'logType' is not one of None, Tail")
        limit = MAX_ASYNC_PAYLOAD if invocation_type == "Event" else MAX_SYNC_PAYLOAD
        if len(payload) > limit:
            raise RequestTooLargeError(f"{len(payload)} byte payload is over the {limit} byte limit")
        if payload.strip():
            try:
                json.loads(payload)
            except ValueError as e:
                raise InvalidRequestContentError(f"Could not parse request body into json: {e}") from e
        request_id = str(uuid.uuid4())
        if invocation_type == "DryRun":
            return InvokeResult(204, request_id=request_id)
        if invocation_type == "Event":
            with self._cond:
                self._check_open()
                self._enqueue(pool, _Event(request_id, bytes(payload), qualifier=qualifier))
            return InvokeResult(202, request_id=request_id)
        result, _ = self._execute(
            pool, payload, "RequestResponse", request_id, log_tail=log_type == "Tail", qualifier=qualifier
        )
        return result

    def _qualifier(self, pool: _Pool, name_or_arn: str, given: str | None) -> str:
        suffix = None
        if name_or_arn.startswith("arn:"):
            parts = name_or_arn.split(":")
            suffix = parts[7] if len(parts) >= 8 else None
        elif ":function:" in name_or_arn:
            rest = name_or_arn.split(":function:", 1)[1]
            suffix = rest.split(":", 1)[1] if ":" in rest else None
        elif ":" in name_or_arn:
            suffix = name_or_arn.split(":", 1)[1]
        if given and suffix and given != suffix:
            raise InvalidParameterValueError("The derived qualifier from the function name does not match")
        qualifier = given or suffix or "$LATEST"
        if qualifier not in ("$LATEST", pool.spec.alias):
            arn = f"{pool.spec.arn}:{qualifier}"
            raise FunctionNotFoundError(f"{pool.spec.function_name}:{qualifier}", arn)
        return qualifier

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no event is queued, waiting to retry or running, and no invocation is in flight."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                busy = [b for pool in self._pools.values() if (b := pool.busy())]
                if not busy:
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"still busy after {timeout:.1f} s: {'; '.join(busy)}")
                self._cond.wait(remaining)

    def restart(self, name: str | None = None) -> None:
        """Retire the instances (of every function or of one): the next invocation is a cold start in a
        new process. Busy instances finish their invocation first and are then stopped."""
        pools = list(self._pools.values()) if name is None else [self._pool(name)]
        to_stop: list[_Instance] = []
        with self._cond:
            for pool in pools:
                pool.generation += 1
                to_stop.extend(pool.idle)
                pool.instances.difference_update(pool.idle)
                pool.idle.clear()
            self._cond.notify_all()
        _stop_all(to_stop)

    def pids(self, name: str) -> list[int]:
        """The process ids of a function's live instances (e.g. to read their peak memory)."""
        pool = self._pool(name)
        with self._cond:
            return [i.pid for i in pool.instances if not i.stopped]

    def crash(self, name: str) -> int:
        """Kill the busy instances of a function at once (out of memory, a segfault): their invocations
        end with Lambda's "Runtime exited" error and events are retried. Returns how many were killed."""
        pool = self._pool(name)
        with self._cond:
            busy = [i for i in pool.instances if i not in pool.idle and not i.stopped]
        for instance in busy:
            instance.proc.kill()  # the runtime sees its pipe close, as Lambda sees a runtime exit
        return len(busy)

    def close(self) -> None:
        """Stop every instance; events still queued are logged as not delivered."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
            idle: list[_Instance] = []
            busy: list[_Instance] = []
            for pool in self._pools.values():
                undelivered = len(pool.queue) + pool.scheduled
                if undelivered:
                    log.warning("%s: %d event(s) not delivered at close", pool.spec.logical_id, undelivered)
                pool.queue.clear()
                pool.scheduled = 0
                idle.extend(pool.idle)
                busy.extend(pool.instances.difference(pool.idle))
                pool.instances.clear()
                pool.idle.clear()
            self._cond.notify_all()
        # Busy instances belong to the threads invoking them: those see their worker die and clean up.
        for instance in busy:
            instance.terminate()
        _stop_all(idle)

    def __enter__(self) -> LambdaRuntime:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self._region}:{self._account}:function:{name}"

    def resolve_name(self, name_or_arn: str) -> str:
        """The logical id of a function given by logical id, name, ``name:qualifier`` or (partial) ARN."""
        return self._pool(name_or_arn).spec.logical_id

    # ---- lookup -------------------------------------------------------------------------------------

    def _pool(self, name_or_arn: str) -> _Pool:
        name = name_or_arn
        if name.startswith("arn:"):
            parts = name.split(":")
            name = parts[6] if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function" else ""
        elif ":function:" in name:  # 123456789012:function:Name[:qualifier]
            name = name.split(":function:", 1)[1].split(":", 1)[0]
        else:
            name = name.split(":", 1)[0]  # Name:qualifier
        pool = self._by_name.get(name)
        if pool is None:
            raise FunctionNotFoundError(name_or_arn, self.arn(name or name_or_arn))
        return pool

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeClosedError("the Lambda runtime is closed")

    # ---- async events -------------------------------------------------------------------------------

    def _enqueue(self, pool: _Pool, event: _Event) -> None:
        """Queue an event and make sure a dispatcher serves it (called with the lock held)."""
        pool.queue.append(event)
        if pool.dispatchers < self.instances_per_function:
            pool.dispatchers += 1
            thread = threading.Thread(
                target=self._dispatch, args=(pool,), name=f"lambda-events-{pool.spec.logical_id}", daemon=True
            )
            thread.start()
        self._cond.notify_all()

    def _dispatch(self, pool: _Pool) -> None:
        while True:
            with self._cond:
                if self._closed or not pool.queue:
                    pool.dispatchers -= 1
                    self._cond.notify_all()
                    return
                event = pool.queue.popleft()
                pool.dispatching += 1
            try:
                self._run_event(pool, event)
            except RuntimeClosedError:
                log.warning(
                    "%s: event %s not delivered, runtime closed", pool.spec.logical_id, event.request_id
                )
            except Exception:
                log.exception("%s: event %s could not be run", pool.spec.logical_id, event.request_id)
                self._dead_letter(pool, event, _error("Local.RuntimeError", "the local runtime failed"))
            finally:
                with self._cond:
                    pool.dispatching -= 1
                    self._cond.notify_all()

    def _run_event(self, pool: _Pool, event: _Event) -> None:
        result, record = self._execute(
            pool, event.payload, "Event", event.request_id, attempt=event.attempt, qualifier=event.qualifier
        )
        if result.function_error is None:
            return
        try:
            error = json.loads(result.payload)
        except ValueError:
            error = _error("Unknown", result.payload.decode(errors="replace"))
        if event.attempt <= len(self.async_retry_delays):
            delay = self.async_retry_delays[event.attempt - 1]
            log.info(
                "%s: event %s failed (%s), retry %d in %.2f s",
                pool.spec.logical_id,
                event.request_id,
                record.error,
                event.attempt,
                delay,
            )
            retry = _Event(event.request_id, event.payload, event.attempt + 1, event.qualifier)
            with self._cond:
                if self._closed:
                    log.warning(
                        "%s: event %s not retried, runtime closed", pool.spec.logical_id, retry.request_id
                    )
                    return
                pool.scheduled += 1
                timer = threading.Timer(delay, self._retry, args=(pool, retry))
                timer.daemon = True
                self._timers.add(timer)
                timer.start()
            return
        self._dead_letter(pool, event, error)

    def _retry(self, pool: _Pool, event: _Event) -> None:
        with self._cond:
            self._timers = {t for t in self._timers if t.is_alive() and t is not threading.current_thread()}
            if self._closed:
                return
            pool.scheduled -= 1
            self._enqueue(pool, event)

    def _dead_letter(self, pool: _Pool, event: _Event, error: dict[str, Any]) -> None:
        log.error(
            "%s: event %s failed %d time(s), dead-lettered: %s: %s",
            pool.spec.logical_id,
            event.request_id,
            event.attempt,
            error.get("errorType"),
            error.get("errorMessage"),
        )
        destination = self._on_failure.get(pool.spec.logical_id)
        if destination is not None:
            record = invocation_record(
                pool.spec.arn,
                event.request_id,
                event.payload,
                error,
                event.attempt,
                qualifier=event.qualifier,
            )
            try:
                destination.deliver(record)
            except Exception:
                # Lambda counts these as DestinationDeliveryFailures; the dead letter below still keeps it.
                log.exception("%s: event %s: on-failure destination refused the record",
                              pool.spec.logical_id, event.request_id)  # fmt: skip
        with self._cond:
            self.dead_letters.append(DeadLetter(pool.spec.logical_id, event.payload, error))
            self._cond.notify_all()

    # ---- execution ----------------------------------------------------------------------------------

    def _execute(
        self,
        pool: _Pool,
        payload: bytes,
        invocation_type: str,
        request_id: str,
        *,
        attempt: int = 1,
        log_tail: bool = False,
        qualifier: str = "$LATEST",
    ) -> tuple[InvokeResult, InvocationRecord]:
        spec = pool.spec
        start = time.monotonic()
        with self._cond:
            pool.running += 1
        instance: _Instance | None = None
        cold = False
        healthy = False
        frame: dict[str, Any] = {}
        try:
            try:
                instance, cold = self._acquire(pool, wait=invocation_type != "Event")
                frame = self._call(instance, payload, request_id)
                healthy = True
            except _WorkerFailed as e:
                healthy = False
                frame = {"ok": False, "error": e.error}
            except _Timeout:
                healthy = False
                message = f"RequestId: {request_id} Error: Task timed out after {spec.timeout:.2f} seconds"
                self._log_line(spec, f"{_now()} {message}")
                frame = {"ok": False, "error": _error("Sandbox.Timedout", message)}
            if instance is not None:
                self._release(pool, instance, healthy)
        finally:
            with self._cond:
                pool.running -= 1
                self._cond.notify_all()
        end = time.monotonic()

        init_ms = instance.init_duration_ms if instance is not None and cold else None
        if frame.get("ok"):
            body = str(frame.get("payload", "null")).encode()
            function_error = None
            error_type = None
        else:
            error = dict(frame.get("error") or _error("Unknown", "no result"))
            error.setdefault("requestId", request_id)
            if not error.get("requestId"):
                error["requestId"] = request_id
            body = json.dumps(error).encode()
            function_error = "Unhandled"
            error_type = str(error.get("errorType", "Unknown"))
        tail = frame.get("log") if log_tail else None
        result = InvokeResult(
            status_code=200,
            payload=body,
            function_error=function_error,
            log_result=base64.b64encode(str(tail).encode()).decode() if tail is not None else None,
            init_duration_ms=init_ms,
            request_id=request_id,
            cold=cold,
        )
        handler_ms = frame.get("duration_ms")
        record = InvocationRecord(
            function=spec.logical_id,
            invocation_type=invocation_type,
            request_id=request_id,
            start=start,
            end=end,
            duration_ms=(end - start) * 1000,
            cold=cold,
            init_duration_ms=init_ms,
            error=error_type,
            attempt=attempt,
            handler_duration_ms=float(handler_ms) if isinstance(handler_ms, (int, float)) else None,
            pid=instance.pid if instance is not None else None,
            qualifier=qualifier,
        )
        with self._cond:
            self.invocations.append(record)
        return result, record

    def _call(self, instance: _Instance, payload: bytes, request_id: str) -> dict[str, Any]:
        spec = instance.spec
        instance.used = True
        deadline = time.monotonic() + spec.timeout
        instance.send(
            {
                "type": "invoke",
                "request_id": request_id,
                "payload": payload.decode("utf-8", errors="replace"),
                "deadline_ms": int((time.time() + spec.timeout) * 1000),
                "invoked_function_arn": spec.arn,
                "client_context": None,
            }
        )
        while True:
            frame = instance.read_frame(deadline)
            if frame.get("type") == "result" and frame.get("request_id") == request_id:
                return frame

    def _acquire(self, pool: _Pool, *, wait: bool) -> tuple[_Instance, bool]:
        """A warm idle instance, or a new one (cold) when the pool has room; else wait for one."""
        limit = time.monotonic() + pool.spec.timeout + 30.0 if wait else None
        with self._cond:
            while True:
                self._check_open()
                if pool.idle:
                    return pool.idle.pop(), False
                if len(pool.instances) + pool.starting < self.instances_per_function:
                    pool.starting += 1
                    generation = pool.generation
                    break
                remaining = None if limit is None else limit - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TooManyRequestsError(f"every instance of {pool.spec.logical_id} is busy")
                self._cond.wait(remaining)
        try:
            instance = self._spawn(pool.spec)
        finally:
            with self._cond:
                pool.starting -= 1
                self._cond.notify_all()
        instance.generation = generation
        with self._cond:
            pool.instances.add(instance)
            if self._closed:
                pool.instances.discard(instance)
                instance.kill()
                self._check_open()
        return instance, True

    def _release(self, pool: _Pool, instance: _Instance, healthy: bool) -> None:
        keep = False
        with self._cond:
            if healthy and not self._closed and instance.generation == pool.generation:
                pool.idle.append(instance)
                keep = True
            else:
                pool.instances.discard(instance)
            self._cond.notify_all()
        if keep:
            return
        if healthy:
            instance.stop()
        else:
            instance.kill()

    # ---- processes ----------------------------------------------------------------------------------

    def environment(self, spec: FunctionSpec) -> dict[str, str]:
        """The environment of the function's worker processes."""
        now = datetime.now(UTC)
        env = {
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            **self.base_env,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"{now:%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}",
            # SnapStart: the worker runs the function's snapshot and restore hooks after its init
            "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start" if spec.snap_start else "on-demand",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime or 'python3.13'}",
            **spec.environment,
        }
        inherited = self.base_env.get("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
        path = [str(spec.code_dir), *(str(d) for d in spec.layer_dirs)]
        path += [p for p in inherited.split(os.pathsep) if p] + [_PACKAGE_ROOT]
        env.update(
            {
                # Lambda's reserved variables: the function's own values cannot replace them.
                "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
                "AWS_LAMBDA_FUNCTION_TIMEOUT": f"{spec.timeout:g}",
                "AWS_REGION": spec.region,
                "AWS_DEFAULT_REGION": spec.region,
                "LAMBDA_TASK_ROOT": str(spec.code_dir),
                "_HANDLER": spec.handler,
                "PYTHONPATH": os.pathsep.join(dict.fromkeys(path)),
            }
        )
        return env

    def _spawn(self, spec: FunctionSpec) -> _Instance:
        """Start a worker and wait for the end of its init phase (a cold start)."""
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        log_file: IO[bytes] | None = None
        try:
            if self.log_dir is not None:
                log_file = (self.log_dir / f"{spec.logical_id}.log").open("ab")
            proc = subprocess.Popen(
                [
                    self.python,
                    "-u",
                    "-m",
                    "local_stack.lambda_worker",
                    "--in-fd",
                    str(to_worker_r),
                    "--out-fd",
                    str(from_worker_w),
                ],
                cwd=spec.code_dir,
                env=self.environment(spec),
                stdin=subprocess.DEVNULL,
                # The worker points its fd 1 at its stderr itself: whatever the handler prints is log.
                stdout=subprocess.DEVNULL,
                stderr=log_file,
                pass_fds=(to_worker_r, from_worker_w),
                start_new_session=True,  # its own process group: a timeout kills what the handler started
            )
        except OSError as e:
            for fd in (to_worker_r, to_worker_w, from_worker_r, from_worker_w):
                os.close(fd)
            raise _WorkerFailed(
                _error("Runtime.InvalidEntrypoint", f"cannot start {self.python}: {e}")
            ) from e
        except BaseException:
            for fd in (to_worker_r, to_worker_w, from_worker_r, from_worker_w):
                os.close(fd)
            raise
        finally:
            if log_file is not None:
                log_file.close()
        os.close(to_worker_r)
        os.close(from_worker_w)
        instance = _Instance(spec, proc, to_worker_w, from_worker_r)
        try:
            frame = instance.read_frame(time.monotonic() + INIT_TIMEOUT + spec.timeout)
        except _Timeout:
            instance.kill()
            raise _WorkerFailed(
                _error(
                    "Sandbox.Timedout", f"Init phase did not finish in {INIT_TIMEOUT + spec.timeout:.2f} s"
                )
            ) from None
        except _WorkerFailed:
            instance.kill()
            raise
        if frame.get("type") != "init":
            instance.kill()
            raise _WorkerFailed(_error("Runtime.InvalidResponse", f"expected the init frame, got {frame!r}"))
        duration = frame.get("init_duration_ms")
        instance.init_duration_ms = float(duration) if isinstance(duration, (int, float)) else None
        snap = frame.get("snapstart")
        if isinstance(snap, dict):
            with self._cond:
                self.snapshots.append(SnapshotRecord(spec.logical_id, instance.pid, dict(snap)))
        log.debug("%s: new instance pid %d, init %.1f ms", spec.logical_id, instance.pid, duration or 0.0)
        return instance

    def _log_line(self, spec: FunctionSpec, line: str) -> None:
        """A line of the runtime's own in the function's log (as Lambda writes timeouts there)."""
        if self.log_dir is not None:
            with (self.log_dir / f"{spec.logical_id}.log").open("a", encoding="utf-8") as f:
                f.write(line + "\n")
        else:
            sys.stderr.write(line + "\n")


def _stop_all(instances: Sequence[_Instance]) -> None:
    for instance in instances:
        instance.close_input()  # all of them see end of file at once
    for instance in instances:
        instance.stop()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
