"""The administration site: Vietnamese first, password + TOTP for every officer."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


class MotcuaAdminSite(admin.AdminSite):
    site_header = _("motcua administration")
    site_title = _("motcua")
    index_title = _("Units, staff and roles")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)()
        return bool(user.is_active and user.is_staff and verified)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One login page for officers (password + TOTP), also for the admin."""
        next_url = request.GET.get("next") or reverse("admin:index")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
