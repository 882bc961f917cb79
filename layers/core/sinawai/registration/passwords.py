"""Password hashing: scrypt from the standard library (slow, salted, memory-hard; no native wheel to build).

Format: ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>``, so the cost can be raised later and old hashes still
verify. Comparison is constant time. The clear password is never stored, logged or returned.

An HR import stores each new employee's initial password (a one-time enrolment secret) with
``hash_initial_password``: the same format at a much lower cost (``INITIAL_SCRYPT_N``), so that 50,000 rows
can be hashed and re-compared within minutes. ``needs_rehash`` tells the registration to replace such a
hash with a full one the first time the password is used successfully (README, "Security": why).
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
# The initial password of an import: 1/256 of the work and 64 KiB of memory (about 0.15 ms on a Lambda vCPU).
INITIAL_SCRYPT_N = 2**6


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str, *, n: int = SCRYPT_N) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES, maxmem=64 * 2**20
    )
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def hash_initial_password(password: str) -> str:
    """The hash of an initial password from an HR import: cheap, salted, its cost in the stored string."""
    return hash_password(password, n=INITIAL_SCRYPT_N)


def needs_rehash(stored: str | None) -> bool:
    """True when ``stored`` is weaker than a full hash (an initial password's): replace it after a success."""
    if not stored:
        return False
    try:
        scheme, n, r, p, _, _ = stored.split("$")
        return scheme != "scrypt" or int(n) < SCRYPT_N or int(r) < SCRYPT_R or int(p) < SCRYPT_P
    except ValueError:
        return True


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
