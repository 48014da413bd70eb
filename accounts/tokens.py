"""Secrets for links sent by email: generated, hashed and recognised here only."""

import hashlib
import re
import secrets

TOKEN_BYTES = 20  # 160 random bits, above the 120 our security budget asks for
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh URL-safe token and the hash to store in its place."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, hash_token(raw)


def looks_like_token(raw: str) -> bool:
    """Malformed input is answered as unknown without touching the database."""
    return bool(_TOKEN_SHAPE.fullmatch(raw or ""))
