"""Pointing the login at another standards-compliant provider needs settings only.

A second provider runs as a separate process on its own port with another issuer (with
a path, like a Keycloak realm), another client, another scope and claim name for the
personal ID number, the identity claims only at /userinfo, and client authentication
in the request body. motcua is reconfigured by settings — the same ones an operator
sets from the environment (docs/oidc.md) — and signs a resident in over real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings
from simulators.population.generator import population

from motcua.accounts.models import AccountKind, User
from tests.simulators.oidc_browser import Browser, query_of
from tests.simulators.processes import free_port, simulator_process

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other_provider(live_server) -> Iterator[str]:
    port = free_port()
    issuer = f"http://127.0.0.1:{port}/realms/vneid-test"
    args = [
        "national-id",
        f"--port={port}",
        f"--issuer={issuer}",
        "--client-id=other-portal",
        "--client-secret=other-secret-5b8d2c",
        f"--redirect-uri={live_server.url}/accounts/oidc/callback/",
        "--personal-id-claim=cccd_number",
        "--personal-id-scope=cccd",
        "--claims-in=userinfo",
    ]
    with simulator_process(args, ready_url=f"{issuer}/.well-known/openid-configuration"):
        yield issuer


def test_another_provider_by_configuration_only(live_server, other_provider: str) -> None:
    settings = {
        "OIDC_ISSUER": other_provider,
        "OIDC_CLIENT_ID": "other-portal",
        "OIDC_CLIENT_SECRET": "other-secret-5b8d2c",
        "OIDC_SCOPES": "openid profile cccd",
        "OIDC_CLAIM_PERSONAL_ID": "cccd_number",
        "OIDC_TOKEN_AUTH_METHOD": "client_secret_post",
    }
    browser = Browser()
    try:
        with override_settings(**settings):
            start = browser.get(f"{live_server.url}/accounts/oidc/login/", params={"next": "/"})
            assert start.status_code == 302
            location = start.headers["location"]
            assert location.startswith(f"{other_provider}/authorize?")
            assert query_of(location)["client_id"] == "other-portal"
            assert query_of(location)["scope"] == "openid profile cccd"
            page = browser.follow(start)
            assert page.status_code == 200
            back = browser.choose_resident(page)
            assert back.headers["location"].startswith(f"{live_server.url}/accounts/oidc/callback/")
            answer = browser.get(back.headers["location"])
            assert answer.status_code == 302, answer.text
            assert answer.headers["location"] == "/"
    finally:
        browser.close()
    user = User.objects.get()
    resident = population().find(user.personal_id or "")
    assert resident is not None
    assert user.kind == AccountKind.CITIZEN
    assert user.full_name == resident.full_name
    assert user.date_of_birth == resident.date_of_birth
