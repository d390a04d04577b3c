"""Account use cases: officer login with password + TOTP and lockout, officer creation.

Lockout policy (docs/security.md): ``MOTCUA_LOGIN_MAX_FAILURES`` consecutive failed
logins (wrong password or wrong code) lock the account for
``MOTCUA_LOGIN_LOCK_MINUTES``; while locked, no password is checked at all. A
successful login resets the count. Independently, one client address may try at most
``MOTCUA_LOGIN_RATE_PER_IP`` logins per 15 minutes. Every outcome is audited by
account id, never by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import formats
from django.utils.translation import gettext as _
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import AccountKind, User
from motcua.audit.services import audit_record
from motcua.core.clock import VIETNAM, now

log = structlog.get_logger(__name__)

RATE_WINDOW_SECONDS = 15 * 60


class LoginRefused(Exception):
    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class LoginSuccess:
    user: User
    device: TOTPDevice


def _generic_refusal() -> LoginRefused:
    return LoginRefused(
        _("Wrong username, password or authentication code."), reason="bad_credentials"
    )


def _rate_limited(client_ip: str) -> bool:
    key = f"login-rate:{client_ip}"
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        attempts = 1
    return attempts > settings.MOTCUA_LOGIN_RATE_PER_IP


def _register_failure(user: User, *, reason: str) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
        user.refresh_from_db(fields=["failed_login_count", "locked_until"])
        audit_record(
            action="account.login_failed",
            actor=None,
            object_type="account",
            object_id=user.pk,
            data={"reason": reason, "consecutive_failures": user.failed_login_count},
        )
        if user.failed_login_count >= settings.MOTCUA_LOGIN_MAX_FAILURES:
            until = now() + timedelta(minutes=settings.MOTCUA_LOGIN_LOCK_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_login_count=0)
            audit_record(
                action="account.locked",
                object_type="account",
                object_id=user.pk,
                data={"until": until.isoformat(), "minutes": settings.MOTCUA_LOGIN_LOCK_MINUTES},
            )
            log.warning("account_locked", account_id=user.pk)


def officer_authenticate(
    *, request: HttpRequest | None, username: str, password: str, otp_token: str, client_ip: str
) -> LoginSuccess:
    """Check password and TOTP code of an officer; raise LoginRefused with a user message."""
    if _rate_limited(client_ip):
        log.warning("login_rate_limited")
        raise LoginRefused(
            _("Too many login attempts from this address. Please wait 15 minutes."),
            reason="rate_limited",
        )
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        # Same work and same answer as a wrong password: no account enumeration.
        authenticate(request, username=username, password=password)
        raise _generic_refusal()
    if user.locked_until and user.locked_until > now():
        local = user.locked_until.astimezone(VIETNAM)
        raise LoginRefused(
            _(
                "This account is locked after too many failed logins until %(time)s. "
                "Try again later or ask your unit administrator."
            )
            % {"time": formats.date_format(local, "H:i d/m/Y")},
            reason="locked",
        )
    if not user.is_active:
        raise _generic_refusal()
    checked = authenticate(request, username=user.username, password=password)
    if checked is None:
        _register_failure(user, reason="password")
        raise _generic_refusal()
    if user.kind != AccountKind.OFFICER:
        raise LoginRefused(
            _("Citizens sign in with the national electronic identity (VNeID)."),
            reason="not_officer",
        )
    device = match_token(user, (otp_token or "").strip())
    if not isinstance(device, TOTPDevice):
        _register_failure(user, reason="otp")
        raise _generic_refusal()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        audit_record(action="account.login", actor=user, object_type="account", object_id=user.pk)
    log.info("login_succeeded", account_id=user.pk)
    assert isinstance(checked, User)
    return LoginSuccess(user=checked, device=device)


def officer_create(
    *,
    username: str,
    full_name: str,
    email: str,
    password: str,
    is_superuser: bool = False,
) -> tuple[User, TOTPDevice]:
    """Create an officer account with a confirmed TOTP device (its secret is shown once)."""
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name,
            email=email,
            kind=AccountKind.OFFICER,
            is_staff=True,
            is_superuser=is_superuser,
        )
        user.set_password(password)
        user.full_clean()
        user.save()
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
        audit_record(
            action="account.created",
            object_type="account",
            object_id=user.pk,
            data={"kind": "officer", "superuser": is_superuser},
        )
    return user, device


def account_disable(*, account: User, actor: User | None) -> None:
    """Disable an account: its sessions die at their next request (is_active is checked)."""
    with transaction.atomic():
        User.objects.filter(pk=account.pk).update(is_active=False)
        audit_record(
            action="account.disabled", actor=actor, object_type="account", object_id=account.pk
        )


def account_unlock(*, account: User, actor: User | None) -> None:
    with transaction.atomic():
        User.objects.filter(pk=account.pk).update(locked_until=None, failed_login_count=0)
        audit_record(
            action="account.unlocked", actor=actor, object_type="account", object_id=account.pk
        )
