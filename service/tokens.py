"""Random bearer secrets (session ids, invite links, API tokens) and how they are stored.

The secret goes to its holder once; the database keeps only its SHA-256, so a copy of the
database cannot be used to sign in. SHA-256 (not argon2) is right here: the secrets carry
256 bits of randomness, so there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token(prefix: str = "") -> tuple[str, bytes]:
    """A fresh secret and the hash to store for it. The prefix tells a leaked token's kind."""
    token = prefix + secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def sign(key: str, message: str) -> str:
    """An HMAC-SHA256 of message under key, URL-safe."""
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
