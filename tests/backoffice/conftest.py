"""Back-office tests: the dossier world, and clients signed in as officers with TOTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from tests.dossiers.conftest import World, world  # noqa: F401  (fixture)

__all__ = ["World"]


def verified_client(user: User, *, language: str = "en") -> Client:
    """A client whose session passed password + TOTP (as ``accounts:login`` leaves it)."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    device = TOTPDevice.objects.get(user=user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def officer_client() -> Callable[..., Client]:
    return verified_client
