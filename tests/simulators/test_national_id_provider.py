"""The national e-ID simulator speaks OpenID Connect: discovery, keys, the code flow with
PKCE, signed ID tokens, userinfo and logout — checked over real HTTP with an independent
JOSE library, so the relying party is not testing itself against itself."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from simulators.national_id.provider import NationalIdProvider, RegisteredClient
from simulators.population.generator import population
from simulators.wsgi import serve_in_thread

from motcua.accounts.validators import validate_personal_id
from tests.simulators.oidc_browser import Browser, listed_residents, pkce_pair, query_of

CLIENT, SECRET = "portal", "portal-secret-0123456789"
CALLBACK = "https://rp.example/callback"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    holder: dict[str, str] = {}
    provider = NationalIdProvider(
        clients=lambda: [RegisteredClient(CLIENT, SECRET, redirect_uris=(CALLBACK,))],
        issuer=None,
    )
    server = serve_in_thread(provider)
    holder["url"] = f"http://127.0.0.1:{server.server_port}"
    yield holder["url"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    b = Browser()
    yield b
    b.close()


def authorize_url(issuer: str, **overrides: str) -> str:
    _verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": CALLBACK,
        "scope": "openid profile national_id",
        "state": "state-123",
        "nonce": "nonce-456",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    } | overrides
    return str(httpx.URL(f"{issuer}/authorize", params=params))


def code_for(browser: Browser, issuer: str, challenge: str, **overrides: str) -> tuple[str, str]:
    """Log in at the provider as the first listed resident; (code, resident ID number)."""
    page = browser.get(authorize_url(issuer, code_challenge=challenge, **overrides))
    assert page.status_code == 200
    resident = listed_residents(page)[0]
    back = browser.choose_resident(page, resident)
    assert back.status_code == 302
    assert back.headers["location"].startswith(CALLBACK + "?")
    answer = query_of(back.headers["location"])
    assert answer["state"] == "state-123" and answer["iss"] == issuer
    return answer["code"], resident


def exchange(
    issuer: str, code: str, verifier: str, *, basic: bool = True, **overrides: str
) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    data |= overrides
    if basic:
        return httpx.post(f"{issuer}/token", data=data, auth=(CLIENT, SECRET))
    return httpx.post(f"{issuer}/token", data=data | {"client_id": CLIENT, "client_secret": SECRET})


def test_discovery_names_every_endpoint_under_the_issuer(issuer: str) -> None:
    metadata = httpx.get(f"{issuer}/.well-known/openid-configuration").json()
    assert metadata["issuer"] == issuer
    for endpoint in (
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
    ):
        assert metadata[endpoint].startswith(issuer + "/")
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(metadata["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert {"openid", "profile", "national_id"} <= set(metadata["scopes_supported"])
    keys = httpx.get(metadata["jwks_uri"]).json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["kid"] and "d" not in keys[0]


def test_the_login_page_lists_residents_holding_an_e_id(issuer: str, browser: Browser) -> None:
    page = browser.get(authorize_url(issuer))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    listed = listed_residents(page)
    assert len(listed) == 12
    people = population()
    assert all(people.find(n) is not None and people.find(n).e_id_level for n in listed)  # type: ignore[union-attr]
    more = browser.get(authorize_url(issuer, **{"from": "5000"}))
    assert set(listed_residents(more)).isdisjoint(listed)


def test_code_flow_gives_a_signed_id_token_with_the_identity(issuer: str, browser: Browser) -> None:
    verifier, challenge = pkce_pair()
    code, resident_id = code_for(browser, issuer, challenge)
    response = exchange(issuer, code, verifier)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    keys = KeySet.import_key_set(httpx.get(f"{issuer}/jwks.json").json())
    token = jwt.decode(tokens["id_token"], keys, algorithms=["RS256"])
    assert token.header["alg"] == "RS256" and token.header["kid"]
    claims = token.claims
    resident = population().find(resident_id)
    assert resident is not None
    assert claims["iss"] == issuer and claims["aud"] == CLIENT and claims["azp"] == CLIENT
    assert claims["nonce"] == "nonce-456"
    assert claims["iat"] <= time.time() < claims["exp"]
    assert claims["personal_id"] == resident_id
    validate_personal_id(claims["personal_id"])
    assert claims["name"] == resident.full_name
    assert claims["birthdate"] == resident.date_of_birth.isoformat()
    assert claims["acr"] == f"vneid-level-{resident.e_id_level}"
    assert claims["assurance_level"] == resident.e_id_level
    assert claims["sub"] != resident_id and len(claims["sub"]) == 32
    digest = hashlib.sha256(tokens["access_token"].encode()).digest()[:16]
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    info = httpx.get(
        f"{issuer}/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ).json()
    assert info["sub"] == claims["sub"] and info["personal_id"] == resident_id


def test_the_personal_id_needs_its_scope(issuer: str, browser: Browser) -> None:
    verifier, challenge = pkce_pair()
    code, _resident = code_for(browser, issuer, challenge, scope="openid profile")
    claims = jwt.decode(
        exchange(issuer, code, verifier, basic=False).json()["id_token"],
        KeySet.import_key_set(httpx.get(f"{issuer}/jwks.json").json()),
    ).claims
    assert "personal_id" not in claims and "name" in claims


def test_a_code_works_once_and_only_with_its_verifier(issuer: str, browser: Browser) -> None:
    verifier, challenge = pkce_pair()
    code, _resident = code_for(browser, issuer, challenge)
    other_verifier, _other = pkce_pair()
    wrong = exchange(issuer, code, other_verifier)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # The failed attempt used the code up: the right verifier is too late now.
    again = exchange(issuer, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

    verifier, challenge = pkce_pair()
    code, _resident = code_for(browser, issuer, challenge)
    assert exchange(issuer, code, verifier).status_code == 200
    replay = exchange(issuer, code, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


def test_the_redirect_uri_must_match_the_request(issuer: str, browser: Browser) -> None:
    verifier, challenge = pkce_pair()
    code, _resident = code_for(browser, issuer, challenge)
    response = exchange(issuer, code, verifier, redirect_uri="https://rp.example/other")
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_client_authentication_is_required(issuer: str, browser: Browser) -> None:
    verifier, challenge = pkce_pair()
    code, _resident = code_for(browser, issuer, challenge)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    bad_basic = httpx.post(f"{issuer}/token", data=data, auth=(CLIENT, "wrong"))
    assert bad_basic.status_code == 401 and bad_basic.json()["error"] == "invalid_client"
    assert "Basic" in bad_basic.headers["www-authenticate"]
    bad_post = httpx.post(
        f"{issuer}/token", data=data | {"client_id": CLIENT, "client_secret": "wrong"}
    )
    assert bad_post.status_code == 401
    nothing = httpx.post(f"{issuer}/token", data=data)
    assert nothing.status_code == 401
    # None of the refused attempts used the code up.
    assert exchange(issuer, code, verifier).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
    ],
)
def test_bad_authorization_requests_go_back_with_an_error(
    issuer: str, browser: Browser, overrides: dict[str, str], error: str
) -> None:
    response = browser.get(authorize_url(issuer, **overrides))
    assert response.status_code == 302
    answer = query_of(response.headers["location"])
    assert answer["error"] == error and answer["state"] == "state-123"


@pytest.mark.parametrize(
    "overrides", [{"client_id": "unknown"}, {"redirect_uri": "https://evil.example/callback"}]
)
def test_unknown_clients_and_redirects_are_never_redirected_to(
    issuer: str, browser: Browser, overrides: dict[str, str]
) -> None:
    response = browser.get(authorize_url(issuer, **overrides))
    assert response.status_code == 400
    assert "location" not in response.headers


def test_cancel_and_unknown_residents(issuer: str, browser: Browser) -> None:
    page = browser.get(authorize_url(issuer))
    cancelled = browser.choose_resident(page, cancel="1")
    assert query_of(cancelled.headers["location"])["error"] == "access_denied"
    child = next(r for r in (population().resident(i) for i in range(100)) if r.age < 14)
    refused = browser.choose_resident(page, child.id_number)
    assert refused.status_code == 200 and "role='alert'" in refused.text


def test_userinfo_needs_a_valid_token(issuer: str) -> None:
    response = httpx.get(f"{issuer}/userinfo", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert "invalid_token" in response.headers["www-authenticate"]


def test_logout_returns_only_to_the_client(issuer: str) -> None:
    back = httpx.get(
        f"{issuer}/logout",
        params={
            "client_id": CLIENT,
            "post_logout_redirect_uri": "https://rp.example/",
            "state": "s",
        },
    )
    assert back.status_code == 302 and back.headers["location"] == "https://rp.example/?state=s"
    elsewhere = httpx.get(
        f"{issuer}/logout",
        params={"client_id": CLIENT, "post_logout_redirect_uri": "https://evil.example/"},
    )
    assert elsewhere.status_code == 200 and "location" not in elsewhere.headers
