"""A stand-in for Lambda's X-Ray daemon, and a function run in a fresh interpreter as Lambda runs it.

The daemon is a UDP socket on 127.0.0.1 that keeps every document the X-Ray SDK sends (a JSON header line,
then a segment or subsegment). ``run_traced`` imports ``functions/<name>/app.py`` in a new process whose
environment says Lambda with active tracing (task root, function name, daemon address, this invocation's
trace header), calls its ``lambda_handler`` once and returns the handler's answer: the tracer is the one the
function builds in AWS, not a test double.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.helpers import FUNCTIONS, ROOT

TRACE_ROOT = "1-6749a1b2-0123456789abcdef01234567"
FUNCTION_SEGMENT = "53995c3f42cd8ad8"  # the segment Lambda opened for the invocation
TRACE_HEADER = f"Root={TRACE_ROOT};Parent={FUNCTION_SEGMENT};Sampled=1"


@dataclass
class XRayDaemon:
    sock: socket.socket
    raw: list[bytes] = field(default_factory=list)

    @property
    def address(self) -> str:
        host, port = self.sock.getsockname()
        return f"{host}:{port}"

    def _receive(self) -> None:
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            self.raw.append(data)

    def documents(self) -> list[dict[str, Any]]:
        """Every segment or subsegment received, nested subsegments flattened into the list too."""
        found: list[dict[str, Any]] = []

        def walk(document: dict[str, Any]) -> None:
            found.append(document)
            for child in document.get("subsegments") or []:
                walk(child)

        for datagram in self.raw:
            header, _, body = datagram.decode().partition("\n")
            assert json.loads(header) == {"format": "json", "version": 1}
            walk(json.loads(body))
        return found


@contextmanager
def xray_daemon() -> Iterator[XRayDaemon]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    daemon = XRayDaemon(sock)
    thread = threading.Thread(target=daemon._receive, daemon=True)
    thread.start()
    try:
        yield daemon
    finally:
        sock.close()
        thread.join(timeout=5)


_INVOKE = (
    "import importlib, json, sys, types\n"
    "event = json.loads(sys.stdin.read())\n"
    "context = types.SimpleNamespace(aws_request_id='traced-1', function_name='sinawai-test-Function',\n"
    "    invoked_function_arn='arn:aws:lambda:ap-southeast-3:123456789012:function:sinawai-test-Function',\n"
    "    function_version='$LATEST', memory_limit_in_mb=512, get_remaining_time_in_millis=lambda: 30000)\n"
    "answer = importlib.import_module('app').lambda_handler(event, context)\n"
    "sys.__stdout__.write('ANSWER=' + json.dumps(answer) + '\\n')\n"
)


def run_traced(
    function: str, event: dict[str, Any], env: dict[str, str], daemon: XRayDaemon, *, service: str
) -> tuple[dict[str, Any], str]:
    """Invoke ``functions/<function>/app.py`` once, traced; its answer and everything it printed."""
    code_dir = FUNCTIONS / function
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TZ": "UTC",
        "PYTHONPATH": os.pathsep.join([str(code_dir), str(ROOT / "layers" / "core")]),
        "LAMBDA_TASK_ROOT": str(code_dir),
        "AWS_LAMBDA_FUNCTION_NAME": "sinawai-test-Function",
        "AWS_REGION": "ap-southeast-3",
        "AWS_DEFAULT_REGION": "ap-southeast-3",
        "AWS_XRAY_DAEMON_ADDRESS": daemon.address,
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "_X_AMZN_TRACE_ID": TRACE_HEADER,
        "POWERTOOLS_SERVICE_NAME": service,
        "POWERTOOLS_METRICS_NAMESPACE": "Sinawai",
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", _INVOKE],
        input=json.dumps(event),
        cwd=code_dir,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    answers = [line for line in done.stdout.splitlines() if line.startswith("ANSWER=")]
    if done.returncode != 0 or not answers:
        raise AssertionError(f"{function} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    time.sleep(0.2)  # the last datagrams are on their way over loopback
    answer: dict[str, Any] = json.loads(answers[-1].removeprefix("ANSWER="))
    return answer, done.stdout + done.stderr
