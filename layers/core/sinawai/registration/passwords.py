"""Password hashing: scrypt from the standard library (slow, salted, memory-hard; no native wheel to build).

Format: ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>``, so the cost can be raised later and old hashes still
verify. Comparison is constant time. The clear password is never stored, logged or returned.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SCRYPT_N = 2**14  # ~16 MiB of memory and tens of milliseconds per hash on a Lambda vCPU
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MAX_PASSWORD_CHARS = 128


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES, maxmem=64 * 2**20
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches ``stored``; False for any malformed or missing hash."""
    if not stored or len(password) > MAX_PASSWORD_CHARS:
        # Still spend the time of one hash, so the answer time does not tell whether an account exists.
        hashlib.scrypt(b"x", salt=b"0" * SALT_BYTES, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES)
        return False
    try:
        scheme, n, r, p, salt_b64, key_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(key_b64)
        key = hashlib.scrypt(
            password.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected), maxmem=64 * 2**20
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(key, expected)


def password_problem(password: str) -> str | None:
    """Why a new password is too weak (Indonesian, for the user), or None when it is acceptable."""
    if len(password) < 8:
        return "Kata sandi minimal 8 karakter."
    if len(password) > MAX_PASSWORD_CHARS:
        return f"Kata sandi maksimal {MAX_PASSWORD_CHARS} karakter."
    if any(ch.isspace() for ch in password):
        return "Kata sandi tidak boleh mengandung spasi."
    kinds = sum(
        (
            any(ch.islower() for ch in password),
            any(ch.isupper() for ch in password),
            any(ch.isdigit() for ch in password),
            any(not ch.isalnum() for ch in password),
        )
    )
    if kinds < 3:
        return "Kata sandi harus memuat sedikitnya tiga dari: huruf kecil, huruf besar, angka, dan simbol."
    return None


# ---- one-time reset codes (/resetsandi): shown once to a staff member, kept only as a hash ---------------

# No 0/O, 1/I/L: the code is read aloud or copied by hand through the agency's own channel.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 3
CODE_GROUP_CHARS = 4  # 12 characters of 31: about 59 bits, against at most a few guesses per lockout


def new_reset_code() -> str:
    """A fresh one-time code: 'K7QF-9MZT-2XH4'."""
    return "-".join(
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_CHARS)) for _ in range(CODE_GROUPS)
    )


def normalize_code(text: str) -> str:
    """What is compared: upper case, no dashes or spaces ('k7qf 9mzt-2xh4' is the same code)."""
    return "".join(ch for ch in text.upper() if ch not in "- ")


def looks_like_code(text: str) -> bool:
    """Shaped like a reset code (a password may be too: both are then tried)."""
    code = normalize_code(text)
    return len(code) == CODE_GROUPS * CODE_GROUP_CHARS and all(ch in CODE_ALPHABET for ch in code)
