"""Citizen login with the national e-ID through the in-process simulator, over real HTTP:
motcua's live server is both the relying party and (under /sim/) the provider."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings
from simulators.population.generator import population

from motcua.accounts.models import AccountKind, User
from motcua.accounts.oidc import SESSION_ASSURANCE, SESSION_PENDING, SESSION_VERIFIED
from motcua.audit.models import AuditEntry
from tests.simulators.oidc_browser import Browser, listed_residents, query_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser() -> Iterator[Browser]:
    b = Browser()
    yield b
    b.close()


def start(browser: Browser, base: str, next_url: str = "/thu-tuc/") -> httpx.Response:
    """Start the login; returns the provider's login page."""
    response = browser.get(f"{base}/accounts/oidc/login/", params={"next": next_url})
    assert response.status_code == 302
    assert response.headers["location"].startswith(f"{base}/sim/national-id/authorize?")
    page = browser.follow(response)
    assert page.status_code == 200
    return page


def session_of(browser: Browser) -> SessionStore:
    return SessionStore(session_key=browser.client.cookies.get("sessionid"))


def sign_in(
    browser: Browser, base: str, resident: str | None = None, next_url: str = "/thu-tuc/"
) -> httpx.Response:
    page = start(browser, base, next_url)
    back = browser.choose_resident(page, resident)
    assert back.status_code == 302
    return browser.follow(back, stop_at=base + next_url)


def test_first_login_creates_the_citizen_account_linked_by_personal_id(
    live_server, browser: Browser
) -> None:
    base = live_server.url
    page = start(browser, base)
    request = query_of(str(page.url))
    assert request["code_challenge_method"] == "S256" and len(request["code_challenge"]) == 43
    assert (
        request["state"] and request["nonce"] and request["scope"] == "openid profile national_id"
    )
    assert request["redirect_uri"] == f"{base}/accounts/oidc/callback/"
    chosen = listed_residents(page)[0]
    back = browser.choose_resident(page, chosen)
    callback = browser.follow(back, stop_at=base + "/thu-tuc/")
    assert callback.status_code == 302 and callback.headers["location"] == "/thu-tuc/"

    resident = population().find(chosen)
    assert resident is not None
    user = User.objects.get(personal_id=chosen)
    assert user.kind == AccountKind.CITIZEN
    assert user.full_name == resident.full_name
    assert user.date_of_birth == resident.date_of_birth
    assert user.assurance_level == f"vneid-level-{resident.e_id_level}"
    assert user.national_id_verified_at is not None
    assert not user.has_usable_password()
    assert chosen not in user.username
    session = session_of(browser)
    assert session["_auth_user_id"] == str(user.pk)
    assert session[SESSION_VERIFIED] is True
    assert session[SESSION_ASSURANCE] == user.assurance_level
    assert session[SESSION_PENDING] == {}
    entry = AuditEntry.objects.get(action="account.login_national_id")
    assert entry.object_id == str(user.pk) and entry.data == {"created": True}


def test_a_second_login_finds_the_same_account_and_refreshes_it(
    live_server, browser: Browser
) -> None:
    base = live_server.url
    chosen = listed_residents(start(browser, base))[1]
    sign_in(browser, base, chosen)
    user = User.objects.get(personal_id=chosen)
    User.objects.filter(pk=user.pk).update(full_name="Tên cũ", assurance_level="")
    other = Browser()
    try:
        sign_in(other, base, chosen)
    finally:
        other.close()
    assert User.objects.filter(personal_id=chosen).count() == 1
    user.refresh_from_db()
    assert user.full_name == population().find(chosen).full_name  # type: ignore[union-attr]
    assert user.assurance_level.startswith("vneid-level-")
    assert [
        e.data for e in AuditEntry.objects.filter(action="account.login_national_id").order_by("id")
    ] == [
        {"created": True},
        {"created": False},
    ]


def test_the_next_address_must_stay_on_motcua(live_server, browser: Browser) -> None:
    base = live_server.url
    page = start(browser, base, next_url="https://evil.example/steal")
    back = browser.choose_resident(page)
    callback = browser.get(back.headers["location"])
    assert callback.status_code == 302 and callback.headers["location"] == "/"


def test_cancelling_at_the_provider_signs_nobody_in(live_server, browser: Browser) -> None:
    base = live_server.url
    page = start(browser, base)
    back = browser.choose_resident(page, cancel="1")
    result = browser.follow(back)
    assert result.status_code == 400
    assert 'role="alert"' in result.text
    assert not User.objects.filter(kind=AccountKind.CITIZEN).exists()
    assert "_auth_user_id" not in session_of(browser)
    failed = AuditEntry.objects.get(action="account.login_national_id_failed")
    assert failed.data == {"reason": "cancelled"}


def test_a_callback_is_used_once(live_server, browser: Browser) -> None:
    base = live_server.url
    page = start(browser, base)
    back = browser.choose_resident(page)
    callback_url = back.headers["location"]
    first = browser.get(callback_url)
    assert first.status_code == 302
    count = User.objects.count()
    browser.client.cookies.clear()  # an attacker replaying the URL in another browser
    replay = browser.get(callback_url)
    assert replay.status_code == 400
    assert User.objects.count() == count


def test_a_callback_without_a_started_login_is_refused(live_server, browser: Browser) -> None:
    response = browser.get(
        f"{live_server.url}/accounts/oidc/callback/", params={"code": "x", "state": "forged"}
    )
    assert response.status_code == 400
    assert not User.objects.exists()


def test_a_pkce_verifier_that_does_not_match_is_refused_by_the_provider(
    live_server, browser: Browser
) -> None:
    """The relying party's verifier is swapped after the challenge left: the code is useless."""
    base = live_server.url
    page = start(browser, base)
    session = session_of(browser)
    pending = session[SESSION_PENDING]
    for item in pending.values():
        item["verifier"] = "x" * 64
    session[SESSION_PENDING] = pending
    session.save()
    result = browser.follow(browser.choose_resident(page))
    assert result.status_code == 400
    assert not User.objects.exists()
    assert AuditEntry.objects.get(action="account.login_national_id_failed").data == {
        "reason": "token:invalid_grant"
    }


def test_an_officer_cannot_sign_in_with_the_e_id(live_server, browser: Browser) -> None:
    base = live_server.url
    page = start(browser, base)
    chosen = listed_residents(page)[2]
    officer = User.objects.create(
        username="canbo.x", kind=AccountKind.OFFICER, is_staff=True, personal_id=chosen
    )
    result = browser.follow(browser.choose_resident(page, chosen))
    assert result.status_code == 403
    assert "_auth_user_id" not in session_of(browser)
    officer.refresh_from_db()
    assert officer.national_id_verified_at is None


def test_a_disabled_account_stays_out(live_server, browser: Browser) -> None:
    base = live_server.url
    page = start(browser, base)
    chosen = listed_residents(page)[3]
    User.objects.create(
        username="tam.khoa", kind=AccountKind.CITIZEN, personal_id=chosen, is_active=False
    )
    result = browser.follow(browser.choose_resident(page, chosen))
    assert result.status_code == 403
    assert "_auth_user_id" not in session_of(browser)


def test_a_required_assurance_level_is_enforced(live_server, browser: Browser) -> None:
    people = population()
    level_one = next(r for r in people.with_e_id(limit=400) if r.e_id_level == 1)
    level_two = next(r for r in people.with_e_id(limit=400) if r.e_id_level == 2)
    base = live_server.url
    with override_settings(OIDC_ACCEPTED_ACR="vneid-level-2"):
        page = start(browser, base)
        refused = browser.follow(browser.choose_resident(page, level_one.id_number))
        assert refused.status_code == 403
        assert not User.objects.filter(personal_id=level_one.id_number).exists()
        sign_in(browser, base, level_two.id_number)
        assert User.objects.get(personal_id=level_two.id_number).assurance_level == "vneid-level-2"


def test_logout_ends_both_sessions(live_server, browser: Browser) -> None:
    base = live_server.url
    sign_in(browser, base)
    confirm = browser.get(f"{base}/accounts/oidc/logout/")
    assert confirm.status_code == 200
    token = browser.client.cookies.get("csrftoken")
    response = browser.client.post(
        f"{base}/accounts/oidc/logout/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/oidc/logout/"},
    )
    assert response.status_code == 302
    end_session = response.headers["location"]
    assert end_session.startswith(f"{base}/sim/national-id/logout?")
    params = query_of(end_session)
    assert params["post_logout_redirect_uri"] == f"{base}/" and params["id_token_hint"]
    back = browser.get(end_session)
    assert back.status_code == 302 and back.headers["location"] == f"{base}/"
    assert "_auth_user_id" not in session_of(browser)
    assert AuditEntry.objects.filter(action="account.logout").count() == 1


def test_the_sign_in_page_offers_the_e_id_and_the_officer_login(
    live_server, browser: Browser
) -> None:
    page = browser.get(
        f"{live_server.url}/accounts/oidc/",
        params={"next": "/tra-cuu-ho-so/"},
        headers={"Accept-Language": "en"},
    )
    assert page.status_code == 200
    assert "/accounts/oidc/login/?next=%2Ftra-cuu-ho-so%2F" in page.text
    assert "/accounts/login/" in page.text
    assert "VNeID" in page.text
