from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.accounts.services import LoginRefused, LoginSuccess, officer_authenticate


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return "unknown"
    return str(request.META.get("REMOTE_ADDR", "unknown"))


class OfficerLoginForm(AuthenticationForm):
    """Username, password and the 6-digit code from the officer's authenticator app."""

    otp_token = forms.CharField(
        label=_("Authentication code"),
        max_length=8,
        help_text=_("The 6-digit code shown by your authenticator app."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.login_result: LoginSuccess | None = None

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        username = data.get("username") or ""
        password = data.get("password") or ""
        token = data.get("otp_token") or ""
        if not (username and password and token):
            return data
        try:
            self.login_result = officer_authenticate(
                request=self.request,
                username=username,
                password=password,
                otp_token=token,
                client_ip=client_ip(self.request),
            )
        except LoginRefused as refused:
            raise forms.ValidationError(refused.message, code=refused.reason) from None
        self.user_cache = self.login_result.user
        return data
