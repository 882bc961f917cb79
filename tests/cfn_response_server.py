"""A local stand-in for CloudFormation's presigned ResponseURL: records every PUT answer."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ResponseServer:
    def __init__(self) -> None:
        self.answers: list[dict[str, Any]] = []
        self.content_types: list[str | None] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                server.content_types.append(self.headers.get("Content-Type"))
                server.answers.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/cfn-response?X-Amz-Signature=abc"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def event(self, request_type: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
        """A CloudFormation custom resource event as Lambda receives it."""
        event: dict[str, Any] = {
            "RequestType": request_type,
            "ServiceToken": "arn:aws:lambda:ap-southeast-3:123456789012:function:sinawai-dev-Setup",
            "ResponseURL": self.url,
            "StackId": "arn:aws:cloudformation:ap-southeast-3:123456789012:stack/sinawai-dev/1a2b",
            "RequestId": f"req-{len(self.answers) + 1}",
            "LogicalResourceId": "Resource",
            "ResourceType": "Custom::Sinawai",
            "ResourceProperties": {"ServiceToken": "arn:…", **properties},
        }
        event.update(extra)
        return event

    @property
    def last(self) -> dict[str, Any]:
        assert self.answers, "CloudFormation got no answer"
        return self.answers[-1]


@contextmanager
def response_server() -> Iterator[ResponseServer]:
    server = ResponseServer()
    server._thread.start()
    try:
        yield server
    finally:
        server._httpd.shutdown()
        server._httpd.server_close()
