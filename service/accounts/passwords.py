"""Password hashing with argon2id (RFC 9106 low-memory profile: m=64 MiB, t=3, p=4).

Hashing runs in a worker thread, a few at a time: each hash holds 64 MiB, and a burst of
sign-ins must neither stall the event loop nor exhaust memory.
"""

from __future__ import annotations

import functools
import secrets
import threading
import unicodedata

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

MIN_LENGTH = 8
MAX_LENGTH = 256
HASHER = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
HASHING_SLOTS = threading.BoundedSemaphore(2)


def normalize(password: str) -> str:
    # The same password typed on a phone and a laptop may differ in Unicode form (NIST 800-63B).
    return unicodedata.normalize("NFKC", password)


def hash_password_sync(password: str) -> str:
    with HASHING_SLOTS:
        return HASHER.hash(normalize(password))


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(hash_password_sync, password)


def _verify_sync(stored_hash: str | None, password: str) -> bool:
    with HASHING_SLOTS:
        try:
            matched = HASHER.verify(stored_hash or _decoy_hash(), normalize(password))
        except (VerificationError, InvalidHashError):
            return False
    return matched and stored_hash is not None


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when password matches. With no hash (unknown email) it spends the same time."""
    return await anyio.to_thread.run_sync(_verify_sync, stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's; rehash on sign-in."""
    return HASHER.check_needs_rehash(stored_hash)


@functools.cache
def _decoy_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(16))
