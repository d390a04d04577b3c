"""Officer login: password + TOTP, lockout, session rotation, logout, disabled accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import AccountKind, User
from motcua.accounts.services import account_disable
from motcua.audit.models import AuditEntry
from tests.conftest import current_totp

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-Battery-9"


def _login(client: Client, user: User, *, password: str = PASSWORD, token: str | None = None):
    return client.post(
        reverse("accounts:login"),
        {
            "username": user.username,
            "password": password,
            "otp_token": token if token is not None else current_totp(user.test_device),
            "next": "/admin/",
        },
        HTTP_ACCEPT_LANGUAGE="vi",
    )


def test_password_and_code_open_the_admin(client: Client, officer: User) -> None:
    response = _login(client, officer)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_password_without_the_right_code_is_refused(client: Client, officer: User) -> None:
    response = _login(client, officer, token="000000")
    assert response.status_code == 200
    assert "Sai tên đăng nhập, mật khẩu hoặc mã xác thực" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_an_officer_session_without_second_factor_cannot_use_admin(
    client: Client, officer: User
) -> None:
    client.force_login(officer)  # password-level session only, not OTP-verified
    assert client.get("/admin/").status_code == 302


def test_account_locks_after_the_documented_number_of_failures(
    client: Client, officer: User
) -> None:
    for _ in range(settings.MOTCUA_LOGIN_MAX_FAILURES):
        _login(client, officer, password="wrong-password-123")
    officer.refresh_from_db()
    assert officer.locked_until is not None
    # Even the right password and code are refused while locked.
    response = _login(client, officer)
    assert response.status_code == 200
    assert "tạm khóa" in response.content.decode()
    assert AuditEntry.objects.filter(action="account.locked", object_id=str(officer.pk)).exists()


def test_lock_expires(client: Client, officer: User) -> None:
    from motcua.core.clock import now

    User.objects.filter(pk=officer.pk).update(locked_until=now() - timedelta(seconds=1))
    assert _login(client, officer).status_code == 302


def test_session_key_rotates_at_login_and_dies_at_logout(client: Client, officer: User) -> None:
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    _login(client, officer)
    after = client.session.session_key
    assert after and after != before
    client.post(reverse("accounts:logout"))
    assert client.get("/admin/").status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=after).exists()


def test_disabling_an_account_ends_its_sessions(client: Client, officer: User) -> None:
    _login(client, officer)
    assert client.get("/admin/").status_code == 200
    account_disable(account=officer, actor=None)
    assert client.get("/admin/").status_code == 302


def test_citizens_cannot_use_the_officer_login(client: Client) -> None:
    citizen = User.objects.create_user(username="dan", password=PASSWORD, kind=AccountKind.CITIZEN)
    response = client.post(
        reverse("accounts:login"),
        {"username": "dan", "password": PASSWORD, "otp_token": "123456"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "national electronic identity" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert citizen.pk


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client: Client) -> None:
    response = client.post(
        reverse("accounts:login"),
        {"username": "nobody", "password": "x" * 12, "otp_token": "123456"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert "Sai tên đăng nhập, mật khẩu hoặc mã xác thực" in response.content.decode()


def test_logins_from_one_address_are_rate_limited(client: Client, officer: User) -> None:
    for _ in range(settings.MOTCUA_LOGIN_RATE_PER_IP):
        client.post(
            reverse("accounts:login"), {"username": f"u{_}", "password": "x" * 12, "otp_token": "1"}
        )
    response = _login(client, officer)
    assert response.status_code == 200
    assert "15 phút" in response.content.decode()


def test_common_passwords_are_refused() -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("password1234")


def test_admin_login_page_is_vietnamese(client: Client) -> None:
    response = client.get("/admin/", follow=True, HTTP_ACCEPT_LANGUAGE="vi")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'lang="vi"' in body and "Đăng nhập cán bộ" in body and "Mã xác thực" in body
