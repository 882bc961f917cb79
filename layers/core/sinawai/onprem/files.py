"""S3 as a local directory: a small S3-compatible endpoint, in-process on 127.0.0.1, for ``sinawai serve``.

The code that stores documents, report archives and the published content speaks S3 through boto3 in
several places; rather than an adapter in each, ``sinawai serve`` starts this endpoint and points
``AWS_ENDPOINT_URL_S3`` at it, so the same code runs unchanged. It serves what that code uses, path-style:
PutObject (with Content-Type and x-amz-meta-*), CopyObject, GetObject (If-None-Match → 304), HeadObject,
DeleteObject and ListObjectsV2. Not versioned: ``sinawai content rollback`` needs a versioned store (any
S3-compatible one via ``AWS_ENDPOINT_URL_S3``). It listens on loopback only, and answers only requests
signed with its process's random access key id (another local user cannot read HR files through it;
the signature itself is not verified: the key id is the shared secret, never written anywhere).

Layout: ``<dir>/<bucket>/<key>`` holds the bytes; ``<dir>/.meta/<bucket>/<key>.json`` the content type,
user metadata and ETag. A file is written to a temporary name and renamed: a reader sees all or nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import threading
from datetime import UTC, datetime
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

META_DIR = ".meta"
FILES_DIR_ENV = "SINAWAI_FILES_DIR"
DEFAULT_BUCKET = "sinawai"  # DOCUMENTS_BUCKET's default with SINAWAI_FILES_DIR: a folder of that name
_S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def serve_from_env() -> LocalFiles | None:
    """SINAWAI_FILES_DIR set: start the endpoint over it and point this process's boto3 at it
    (``AWS_ENDPOINT_URL_S3``, DOCUMENTS_BUCKET default, placeholder credentials: nothing checks them).
    ``sinawai serve`` and the other ``sinawai`` commands (content publish, documents upload...) do this,
    so they all read and write the same directory."""
    root = os.environ.get(FILES_DIR_ENV, "").strip()
    if not root:
        return None
    access_key = "SINAWAI" + secrets.token_hex(16).upper()
    files = LocalFiles(Path(root), access_key=access_key)
    os.environ["AWS_ENDPOINT_URL_S3"] = files.start()
    os.environ.setdefault("DOCUMENTS_BUCKET", DEFAULT_BUCKET)
    os.environ["AWS_ACCESS_KEY_ID"] = access_key
    os.environ["AWS_SECRET_ACCESS_KEY"] = secrets.token_hex(20)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return files


class LocalFiles:
    """The endpoint over ``root``; ``start()`` returns its URL (for AWS_ENDPOINT_URL_S3)."""

    def __init__(
        self, root: Path, host: str = "127.0.0.1", port: int = 0, *, access_key: str | None = None
    ) -> None:
        self.root = root.resolve()
        self.access_key = access_key  # None: any request (tests); else requests must be signed with it
        self.root.mkdir(parents=True, exist_ok=True)
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> str:
        self._thread = threading.Thread(target=self._server.serve_forever, name="sinawai-files", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ---- storage -------------------------------------------------------------------------------------

    def path_of(self, bucket: str, key: str) -> Path:
        """The file of an object; a key that would leave its bucket's folder is refused."""
        if not bucket or bucket.startswith(".") or "/" in bucket or not key:
            raise KeyError(key)
        parts = key.split("/")
        if any(p in ("", ".", "..") for p in parts) or key.startswith(META_DIR):
            raise KeyError(key)
        return self.root / bucket / Path(*parts)

    def _meta_path(self, bucket: str, key: str) -> Path:
        return self.root / META_DIR / bucket / Path(*key.split("/")).with_name(key.split("/")[-1] + ".json")

    def put(self, bucket: str, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> str:
        path = self.path_of(bucket, key)
        etag = hashlib.md5(data, usedforsecurity=False).hexdigest()
        meta = {"content_type": content_type, "metadata": metadata, "etag": etag}
        with self._lock:
            _write_atomically(path, data)
            _write_atomically(self._meta_path(bucket, key), json.dumps(meta).encode())
        return etag

    def meta(self, bucket: str, key: str) -> dict[str, Any] | None:
        path = self.path_of(bucket, key)
        if not path.is_file():
            return None
        try:
            loaded: dict[str, Any] = json.loads(self._meta_path(bucket, key).read_bytes())
        except (OSError, ValueError):  # a file put into the folder by hand: plain bytes
            data = path.read_bytes()
            loaded = {
                "content_type": "application/octet-stream",
                "metadata": {},
                "etag": hashlib.md5(data, usedforsecurity=False).hexdigest(),
            }
        stat = path.stat()
        loaded["size"] = stat.st_size
        loaded["modified"] = stat.st_mtime
        return loaded

    def delete(self, bucket: str, key: str) -> None:
        with self._lock:
            for path in (self.path_of(bucket, key), self._meta_path(bucket, key)):
                path.unlink(missing_ok=True)

    def keys(self, bucket: str, prefix: str) -> list[str]:
        base = self.root / bucket
        if not base.is_dir():
            return []
        found = [p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()]
        kept = (k for k in found if k.startswith(prefix) and not k.rsplit("/", 1)[-1].startswith(".tmp-"))
        return sorted(kept)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}-{threading.get_ident()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _handler_for(files: LocalFiles) -> type[BaseHTTPRequestHandler]:
    class Handler(_S3Handler):
        store = files

    return Handler


class _S3Handler(BaseHTTPRequestHandler):
    store: LocalFiles
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return None

    # ---- request parts --------------------------------------------------------------------------------

    def _target(self) -> tuple[str, str, dict[str, list[str]]]:
        split = urlsplit(self.path)
        bucket, _, key = unquote(split.path).lstrip("/").partition("/")
        return bucket, key, parse_qs(split.query, keep_blank_values=True)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        encoding = self.headers.get("Content-Encoding") or ""
        sha = self.headers.get("x-amz-content-sha256") or ""
        if "aws-chunked" in encoding or sha.startswith("STREAMING-"):
            return _dechunk(raw)
        return raw

    # ---- answers ------------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, code: str, message: str, key: str = "") -> None:
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{escape(message)}</Message><Key>{escape(key)}</Key></Error>"
        )
        body = xml.encode() if self.command != "HEAD" else b""
        self._send(status, body, {"Content-Type": "application/xml"})

    def _object_headers(self, meta: dict[str, Any]) -> dict[str, str]:
        headers = {
            "Content-Type": str(meta["content_type"]),
            "ETag": f'"{meta["etag"]}"',
            "Last-Modified": formatdate(float(meta["modified"]), usegmt=True),
            "Accept-Ranges": "bytes",
        }
        for name, value in (meta.get("metadata") or {}).items():
            headers[f"x-amz-meta-{name}"] = str(value)
        return headers

    def _allowed(self) -> bool:
        """Signed with this endpoint's access key id (the Authorization header, or a presigned URL)."""
        key = self.store.access_key
        if key is None:
            return True
        authorization = self.headers.get("Authorization") or ""
        if f"Credential={key}/" in authorization or authorization.startswith(f"AWS {key}:"):
            return True  # SigV4, or SigV2
        query = parse_qs(urlsplit(self.path).query)
        presigned_v4 = any(c.startswith(f"{key}/") for c in query.get("X-Amz-Credential", []))
        return presigned_v4 or query.get("AWSAccessKeyId") == [key]

    def _refuse(self) -> None:
        self._body()
        self._error(HTTPStatus.FORBIDDEN, "AccessDenied", "Access Denied")

    # ---- methods ------------------------------------------------------------------------------------

    def do_PUT(self) -> None:
        if not self._allowed():
            self._refuse()
            return
        bucket, key, _ = self._target()
        body = self._body()
        if not key:
            self._send(HTTPStatus.OK)  # CreateBucket: folders appear on first write
            return
        try:
            source = self.headers.get("x-amz-copy-source")
            if source:
                self._copy(bucket, key, source)
                return
            metadata = {
                name[len("x-amz-meta-") :].lower(): value
                for name, value in self.headers.items()
                if name.lower().startswith("x-amz-meta-")
            }
            content_type = self.headers.get("Content-Type") or "binary/octet-stream"
            etag = self.store.put(bucket, key, body, content_type, metadata)
        except KeyError:
            self._error(HTTPStatus.BAD_REQUEST, "InvalidArgument", "Invalid key", key)
            return
        self._send(HTTPStatus.OK, headers={"ETag": f'"{etag}"'})

    def _copy(self, bucket: str, key: str, source: str) -> None:
        src_bucket, _, src_key = unquote(source.split("?", 1)[0]).lstrip("/").partition("/")
        meta = self.store.meta(src_bucket, src_key)
        if meta is None:
            self._error(HTTPStatus.NOT_FOUND, "NoSuchKey", "The specified key does not exist.", src_key)
            return
        data = self.store.path_of(src_bucket, src_key).read_bytes()
        if (self.headers.get("x-amz-metadata-directive") or "COPY").upper() == "REPLACE":
            metadata = {
                n[len("x-amz-meta-") :].lower(): v
                for n, v in self.headers.items()
                if n.lower().startswith("x-amz-meta-")
            }
            content_type = self.headers.get("Content-Type") or str(meta["content_type"])
        else:
            metadata, content_type = dict(meta.get("metadata") or {}), str(meta["content_type"])
        etag = self.store.put(bucket, key, data, content_type, metadata)
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        xml = f'<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><LastModified>{stamp}</LastModified>'
        xml += f"<ETag>&quot;{etag}&quot;</ETag></CopyObjectResult>"
        self._send(HTTPStatus.OK, xml.encode(), {"Content-Type": "application/xml"})

    def do_GET(self) -> None:
        if not self._allowed():
            self._refuse()
            return
        bucket, key, query = self._target()
        if not key:
            self._list(bucket, query)
            return
        try:
            meta = self.store.meta(bucket, key)
        except KeyError:
            meta = None
        if meta is None:
            self._error(HTTPStatus.NOT_FOUND, "NoSuchKey", "The specified key does not exist.", key)
            return
        headers = self._object_headers(meta)
        if self.headers.get("If-None-Match", "").strip() == f'"{meta["etag"]}"':
            self._send(HTTPStatus.NOT_MODIFIED, headers={"ETag": headers["ETag"]})
            return
        disposition = query.get("response-content-disposition")
        if disposition:
            headers["Content-Disposition"] = disposition[0]
        self._send(HTTPStatus.OK, self.store.path_of(bucket, key).read_bytes(), headers)

    def do_HEAD(self) -> None:
        if not self._allowed():
            self._refuse()
            return
        bucket, key, _ = self._target()
        try:
            meta = self.store.meta(bucket, key) if key else None
        except KeyError:
            meta = None
        if not key:
            self._send(HTTPStatus.OK)  # HeadBucket
            return
        if meta is None:
            self._send(HTTPStatus.NOT_FOUND)
            return
        headers = self._object_headers(meta)
        self.send_response(HTTPStatus.OK)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(meta["size"]))
        self.end_headers()

    def do_DELETE(self) -> None:
        if not self._allowed():
            self._refuse()
            return
        bucket, key, _ = self._target()
        with contextlib.suppress(KeyError):
            self.store.delete(bucket, key)
        self._send(HTTPStatus.NO_CONTENT)

    def do_POST(self) -> None:
        self._body()
        self._error(HTTPStatus.NOT_IMPLEMENTED, "NotImplemented", "Not served by the local files endpoint.")

    def _list(self, bucket: str, query: dict[str, list[str]]) -> None:
        if "versions" in query:
            self._error(
                HTTPStatus.NOT_IMPLEMENTED,
                "NotImplemented",
                "The local files directory keeps no versions: use a versioned S3-compatible store.",
            )
            return
        prefix = (query.get("prefix") or [""])[0]
        keys = self.store.keys(bucket, prefix)
        parts = [
            f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="{_S3_NS}">',
            f"<Name>{escape(bucket)}</Name><Prefix>{escape(prefix)}</Prefix><KeyCount>{len(keys)}</KeyCount>",
            f"<MaxKeys>{max(1000, len(keys))}</MaxKeys><IsTruncated>false</IsTruncated>",
        ]
        for key in keys:
            meta = self.store.meta(bucket, key)
            if meta is None:
                continue
            stamp = datetime.fromtimestamp(float(meta["modified"]), UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            parts.append(
                f"<Contents><Key>{escape(key)}</Key><LastModified>{stamp}</LastModified>"
                f"<ETag>&quot;{meta['etag']}&quot;</ETag><Size>{meta['size']}</Size>"
                "<StorageClass>STANDARD</StorageClass></Contents>"
            )
        parts.append("</ListBucketResult>")
        self._send(HTTPStatus.OK, "".join(parts).encode(), {"Content-Type": "application/xml"})


def _dechunk(raw: bytes) -> bytes:
    """The payload of an aws-chunked body: ``<hex size>[;signature]CRLF<data>CRLF`` ... ``0``."""
    out = bytearray()
    pos = 0
    while pos < len(raw):
        end = raw.index(b"\r\n", pos)
        size = int(raw[pos:end].split(b";", 1)[0], 16)
        if size == 0:
            break
        start = end + 2
        out += raw[start : start + size]
        pos = start + size + 2
    return bytes(out)
