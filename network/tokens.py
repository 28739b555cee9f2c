"""Secret link tokens (invitations, sign-up confirmation and cancellation links).

The link carries the token; the database keeps only its SHA-256 hash, so a leaked
database holds no usable links.
"""

import hashlib
import secrets


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(nbytes: int = 32) -> tuple[str, str]:
    """A fresh URL-safe token and the hash to store for it."""
    token = secrets.token_urlsafe(nbytes)
    return token, token_hash(token)
