"""Password hashing in tests: the production scrypt, each distinct computation done once per run.

Every test account gets a real scrypt hash (the same function production calls, at its cost
settings), but hundreds of tests hash and check the same few passwords; werkzeug's scrypt takes
about a tenth of a second each time. Checking is a pure function of (hash, password), so keeping
its answers changes nothing; hashing keeps one salt per password, so accounts made with the same
password in one test share a hash (still salted, still scrypt, still checked for real).
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache

import pytest
from werkzeug import security

import planner.services.accounts


@cache
def _hashed(password: str, method: str, salt_length: int) -> str:
    return security.generate_password_hash(password, method=method, salt_length=salt_length)


def generate_password_hash(password: str, method: str = "scrypt", salt_length: int = 16) -> str:
    """werkzeug's generate_password_hash, done once per (password, method)."""
    return _hashed(password, method, salt_length)


@cache
def check_password_hash(pwhash: str, password: str) -> bool:
    """werkzeug's check_password_hash, done once per (hash, password)."""
    return security.check_password_hash(pwhash, password)


@contextmanager
def kept_hashes():
    """The accounts service hashes and checks through the memos for the block."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(planner.services.accounts, "generate_password_hash", generate_password_hash)
        patch.setattr(planner.services.accounts, "check_password_hash", check_password_hash)
        yield
