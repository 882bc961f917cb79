"""Split a secret in two halves that tell nothing alone (pure; standard library only).

An update that carries a password must reach its function, may be retried by Lambda and may end in a
dead-letter queue. Neither of those may hold the password. The router therefore keeps ``clear XOR pad``
in MySQL (wiped when the update is finished, or after a few minutes) and sends only the random ``pad``
in the invoke payload: a one-time pad, so each half alone is uniformly random, and an old queue message
(a retry after the wipe, a DLQ re-drive) can no longer be turned back into the password.
"""

from __future__ import annotations

import base64
import secrets


def _xor(a: bytes, b: bytes) -> bytes:
    if len(a) != len(b):
        raise ValueError("the halves of a sealed secret differ in length")
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


def seal(clear: bytes) -> tuple[bytes, str]:
    """(the half to store, the pad as base64 for the payload)."""
    pad = secrets.token_bytes(len(clear))
    return _xor(clear, pad), base64.b64encode(pad).decode()


def unseal(stored: bytes, pad_b64: str) -> bytes:
    return _xor(stored, base64.b64decode(pad_b64, validate=True))
