"""Bot API: files (uploads, file_id and URL reuse, getFile)."""

from __future__ import annotations

import hashlib
import mimetypes
import time
from urllib.parse import urlsplit

from local_stack.telegram.bot_api.rules import BotRules
from local_stack.telegram.params import text_param
from local_stack.telegram.records import (
    MAX_DOWNLOAD_BYTES,
    MAX_UPLOAD_BYTES,
    ApiError,
    Files,
    JsonDict,
    Params,
    Upload,
    bad,
)
from local_stack.telegram.state import Chat, StoredFile

_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")


class FileMethods(BotRules):
    """getFile, and the file a sending method gets (upload, file_id or URL)."""

    def _get_file(self, p: Params, files: Files) -> JsonDict:
        file_id = text_param(p, "file_id") or ""
        stored = self._files.get(file_id)
        if stored is None:
            raise bad("invalid file_id")
        if stored.size > MAX_DOWNLOAD_BYTES:
            raise bad("file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    def _input_file(self, p: Params, files: Files, kind: str, method: str, chat: Chat) -> StoredFile:
        value = p.get(kind)
        storage = files.get(kind)
        if storage is None and isinstance(value, str) and value.startswith("attach://"):
            storage = files.get(value[len("attach://") :])
            if storage is None:
                raise bad(f"there is no {kind} in the request")
        if storage is not None:
            content = storage.read()
            if len(content) > MAX_UPLOAD_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            if not content:
                raise bad("file must be non-empty")
            if kind == "photo" and not _looks_like_image(content):
                raise bad("IMAGE_PROCESS_FAILED")
            name = storage.filename or kind
            mime = storage.mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream"
            if kind == "photo":
                mime = "image/jpeg"
            stored = self._store_file(kind, name, mime, content, None)
            self._uploads.append(
                Upload(
                    method=method,
                    chat_id=chat.id,
                    file_id=stored.file_id,
                    file_unique_id=stored.file_unique_id,
                    file_name=name,
                    mime_type=mime,
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    time=time.monotonic(),
                )
            )
            return stored
        if value is None or value == "":
            raise bad(f"there is no {kind} in the request")
        reference = str(value).strip()
        if reference.lower().startswith(("http://", "https://")):
            name = urlsplit(reference).path.rsplit("/", 1)[-1] or kind
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return self._store_file(kind, name, "image/jpeg" if kind == "photo" else mime, None, reference)
        stored_file = self._files.get(reference)
        if stored_file is None:
            raise bad("wrong file identifier/HTTP URL specified")
        if stored_file.kind != kind:
            raise bad(f"can't use file of type {stored_file.kind.title()} as {kind.title()}")
        return stored_file


def _looks_like_image(content: bytes) -> bool:
    if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return True
    return content.startswith(_IMAGE_MAGIC)
