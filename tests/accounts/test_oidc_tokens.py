"""ID tokens are believed only after every check: a provider on its own port (real HTTP,
real RS256) is made to misbehave one way at a time, and each time nobody is signed in."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings
from joserfc import jwt
from joserfc.jwk import RSAKey
from simulators.national_id.provider import NationalIdProvider, RegisteredClient, signing_key
from simulators.wsgi import Request, Response, json_response, serve_in_thread, with_query

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from tests.simulators.oidc_browser import Browser, query_of

pytestmark = pytest.mark.django_db(transaction=True)
CLIENT, SECRET = "motcua-test-rp", "rp-secret-9f8e7d6c5b4a"


@dataclass
class Faults:
    claims: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    token: Callable[[str, dict[str, Any]], str] | None = None
    discovery_issuer: str | None = None
    response_iss: str | None = None
    seen: list[str] = field(default_factory=list)


class MisbehavingProvider(NationalIdProvider):
    """The simulator with one fault at a time switched on by the test."""

    faults = Faults()

    def id_token_claims(self, request: Request, grant: Any, access_token: str) -> dict[str, Any]:
        claims = super().id_token_claims(request, grant, access_token)
        return self.faults.claims(claims) if self.faults.claims else claims

    def sign(self, claims: dict[str, Any]) -> str:
        token = super().sign(claims)
        return self.faults.token(token, claims) if self.faults.token else token

    def discovery(self, request: Request) -> Response:
        response = super().discovery(request)
        if self.faults.discovery_issuer:
            data = json.loads(response.body) | {"issuer": self.faults.discovery_issuer}
            return json_response(data)
        return response

    def authorize(self, request: Request) -> Response:
        response = super().authorize(request)
        location = dict(response.headers).get("Location", "")
        if self.faults.response_iss and "code=" in location:
            base, _sep, _query = location.partition("?")
            params = query_of(location) | {"iss": self.faults.response_iss}
            response.headers = [("Location", with_query(base, params))]
        return response


@pytest.fixture(scope="module")
def provider_key() -> RSAKey:
    return signing_key()


@pytest.fixture
def provider(live_server, provider_key: RSAKey) -> Iterator[MisbehavingProvider]:
    callback = f"{live_server.url}/accounts/oidc/callback/"
    instance = MisbehavingProvider(
        clients=[RegisteredClient(CLIENT, SECRET, redirect_uris=(callback,))],
        key=provider_key,
        issuer=None,
    )
    instance.faults = Faults()
    server = serve_in_thread(instance)
    issuer = f"http://127.0.0.1:{server.server_port}"
    instance.fixed_issuer = issuer
    with override_settings(OIDC_ISSUER=issuer, OIDC_CLIENT_ID=CLIENT, OIDC_CLIENT_SECRET=SECRET):
        yield instance
    server.shutdown()
    server.server_close()


def login(live_server, provider: NationalIdProvider) -> httpx.Response:
    """Run the whole login in a fresh browser; returns motcua's answer to the callback."""
    browser = Browser()
    try:
        start = browser.get(f"{live_server.url}/accounts/oidc/login/", params={"next": "/thu-tuc/"})
        assert start.status_code == 302, start.text
        page = browser.follow(start)
        back = browser.choose_resident(page)
        assert back.status_code == 302
        answer = browser.get(back.headers["location"])
        answer.session = SessionStore(session_key=browser.client.cookies.get("sessionid"))  # type: ignore[attr-defined]
        return answer
    finally:
        browser.close()


def assert_refused(answer: httpx.Response, reason: str, status: int = 502) -> None:
    assert answer.status_code == status
    assert 'role="alert"' in answer.text
    assert not User.objects.exists()
    assert "_auth_user_id" not in answer.session  # type: ignore[attr-defined]
    assert AuditEntry.objects.filter(action="account.login_national_id_failed").get().data == {
        "reason": reason
    }
    assert not AuditEntry.objects.filter(action="account.login_national_id").exists()


def b64(data: dict[str, Any] | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_the_well_behaved_provider_signs_in(live_server, provider: MisbehavingProvider) -> None:
    answer = login(live_server, provider)
    assert answer.status_code == 302 and answer.headers["location"] == "/thu-tuc/"
    assert User.objects.count() == 1


def test_a_token_whose_identity_was_changed_after_signing_is_refused(
    live_server, provider: MisbehavingProvider
) -> None:
    def swap_identity(token: str, claims: dict[str, Any]) -> str:
        header, _payload, signature = token.split(".")
        forged = claims | {"personal_id": "001099000001", "name": "Kẻ Giả Mạo"}
        return f"{header}.{b64(forged)}.{signature}"

    provider.faults.token = swap_identity
    assert_refused(login(live_server, provider), "id_token:signature:BadSignatureError")


def test_a_token_signed_with_another_key_is_refused(
    live_server, provider: MisbehavingProvider
) -> None:
    intruder = RSAKey.generate_key(2048, private=True)

    def resign(token: str, claims: dict[str, Any]) -> str:
        return jwt.encode({"alg": "RS256", "kid": provider.kid}, claims, intruder)

    provider.faults.token = resign
    assert_refused(login(live_server, provider), "id_token:signature:BadSignatureError")


def test_an_unsigned_token_is_refused(live_server, provider: MisbehavingProvider) -> None:
    provider.faults.token = lambda token, claims: (
        f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    )
    answer = login(live_server, provider)
    assert answer.status_code == 502
    assert not User.objects.exists()
    failure = AuditEntry.objects.get(action="account.login_national_id_failed")
    assert failure.data["reason"].startswith("id_token:signature:")


def test_a_token_hmac_signed_with_the_public_key_is_refused(
    live_server, provider: MisbehavingProvider
) -> None:
    """The algorithm-confusion attack: HS256 keyed with the provider's public key."""
    public_pem = provider.key.as_pem(private=False)

    def confuse(token: str, claims: dict[str, Any]) -> str:
        signing_input = f"{b64({'alg': 'HS256', 'kid': provider.kid})}.{b64(claims)}"
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64(mac)}"

    provider.faults.token = confuse
    answer = login(live_server, provider)
    assert answer.status_code == 502
    assert not User.objects.exists()
    failure = AuditEntry.objects.get(action="account.login_national_id_failed")
    assert failure.data["reason"].startswith("id_token:signature:")


@pytest.mark.parametrize(
    ("patch", "reason"),
    [
        ({"nonce": "a-nonce-from-another-login"}, "id_token:nonce"),
        ({"aud": "another-client"}, "id_token:aud"),
        ({"aud": [CLIENT, "another-client"], "azp": "another-client"}, "id_token:azp"),
        ({"iss": "https://impostor.example"}, "id_token:iss"),
        ({"exp": 1_000_000_000, "iat": 999_999_000}, "id_token:exp"),
        ({"iat": 4_000_000_000, "exp": 4_000_000_300}, "id_token:iat"),
        ({"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, "id_token:at_hash"),
        ({"personal_id": "12345"}, "claims:personal_id"),
    ],
)
def test_each_wrong_claim_is_refused(
    live_server, provider: MisbehavingProvider, patch: dict[str, Any], reason: str
) -> None:
    provider.faults.claims = lambda claims: claims | patch
    assert_refused(login(live_server, provider), reason)


def test_a_token_without_nonce_is_refused(live_server, provider: MisbehavingProvider) -> None:
    provider.faults.claims = lambda claims: {k: v for k, v in claims.items() if k != "nonce"}
    assert_refused(login(live_server, provider), "id_token:nonce")


def test_a_mixed_up_authorization_response_is_refused(
    live_server, provider: MisbehavingProvider
) -> None:
    provider.faults.response_iss = "https://other-provider.example"
    assert_refused(login(live_server, provider), "callback:iss")


def test_a_discovery_document_for_another_issuer_is_refused(
    live_server, provider: MisbehavingProvider
) -> None:
    provider.faults.discovery_issuer = "https://other-provider.example"
    browser = Browser()
    try:
        answer = browser.get(f"{live_server.url}/accounts/oidc/login/")
    finally:
        browser.close()
    assert answer.status_code == 502
    assert "location" not in answer.headers


def test_rotated_keys_are_fetched_again(live_server, provider: MisbehavingProvider) -> None:
    assert login(live_server, provider).status_code == 302
    provider.key = RSAKey.generate_key(2048, private=True)
    provider.kid = provider.key.thumbprint()
    answer = login(live_server, provider)
    assert answer.status_code == 302
    assert User.objects.count() >= 1


def test_an_unreachable_provider_is_a_clear_temporary_error(live_server) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with override_settings(
        OIDC_ISSUER=f"http://127.0.0.1:{port}", OIDC_CLIENT_ID=CLIENT, OIDC_CLIENT_SECRET=SECRET
    ):
        browser = Browser()
        try:
            answer = browser.get(
                f"{live_server.url}/accounts/oidc/login/", headers={"Accept-Language": "en"}
            )
        finally:
            browser.close()
    assert answer.status_code == 503
    assert "try again" in answer.text
    assert AuditEntry.objects.get(action="account.login_national_id_failed").data == {
        "reason": "discovery:ConnectError"
    }
