"""Staff accounts: password hashing (more use cases to come)."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash


def hash_password(password: str) -> str:
    """A salted scrypt hash of a password."""
    return generate_password_hash(password, method="scrypt")


def password_matches(stored_hash: str, password: str) -> bool:
    """True when password matches the stored hash."""
    return check_password_hash(stored_hash, password)
