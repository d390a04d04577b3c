from __future__ import annotations

import os

os.environ.setdefault("MOTCUA_ENVIRONMENT", "test")

import pytest
from django.db import connection
from django_otp.oath import totp


@pytest.fixture
def on_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL (CI does)")


def current_totp(device) -> str:  # type: ignore[no-untyped-def]
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


@pytest.fixture
def officer(db):  # type: ignore[no-untyped-def]
    from motcua.accounts.services import officer_create

    user, device = officer_create(
        username="canbo.mot",
        full_name="Nguyễn Văn Một",
        email="mot@example.invalid",
        password="Correct-Horse-Battery-9",
    )
    user.test_device = device
    return user


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run ``fn(**kwargs)`` and then what it scheduled after commit (as in production)."""

    def run(fn, **kwargs):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return run
