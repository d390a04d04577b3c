from __future__ import annotations

from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django_otp import login as otp_login

from motcua.accounts.forms import OfficerLoginForm


class OfficerLoginView(auth_views.LoginView):
    """Officer login: password + TOTP; the session key rotates at login."""

    form_class = OfficerLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = False

    def form_valid(self, form: OfficerLoginForm) -> HttpResponse:  # type: ignore[override]
        result = form.login_result
        assert result is not None
        auth_login(self.request, result.user)  # rotates the session key
        otp_login(self.request, result.device)
        return super(auth_views.LoginView, self).form_valid(form)


class OfficerLogoutView(auth_views.LogoutView):
    """Logout (POST only): the whole session is flushed."""
