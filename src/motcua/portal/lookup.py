"""The public look-up page ``/tra-cuu-ho-so/``: follow a dossier with its code and ID number.

``GET`` shows the form (``?code=`` pre-fills the code, as the receipt slip's QR code
does). ``POST`` looks the dossier up (the ID number stays out of addresses and logs)
through ``dossier_public_lookup``, which shows no personal data and answers a wrong
pair exactly like an unknown code.

Against enumeration, one client address may look up at most ``LOOKUP_LIMIT`` times per
``LOOKUP_WINDOW_SECONDS`` (cache-based, so shared by every app node on Redis); beyond
that the page answers 429 and performs no look-up.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from motcua.dossiers.access import DossierNotFound
from motcua.dossiers.api_lookup import dossier_public_lookup

LOOKUP_LIMIT: int = getattr(settings, "MOTCUA_LOOKUP_RATE_PER_IP", 20)
LOOKUP_WINDOW_SECONDS = 10 * 60


class DossierLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Dossier code"),
        max_length=64,
        help_text=_("As printed on the receipt slip, e.g. H15.50.05.13-261008-0975."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    id_number = forms.CharField(
        label=_("Applicant's ID number"),
        max_length=20,
        help_text=_("The personal ID number (12 digits) or tax code given on the dossier."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()

    def clean_id_number(self) -> str:
        return str(self.cleaned_data["id_number"]).strip()


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def lookup_allowed(address: str) -> bool:
    """Count one look-up for ``address``; False once it is over the limit in the window."""
    key = f"dossier-lookup:{address}"
    cache.add(key, 0, LOOKUP_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOOKUP_WINDOW_SECONDS)
        count = 1
    return count <= LOOKUP_LIMIT


@require_http_methods(["GET", "HEAD", "POST"])
def dossier_lookup(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"result": None, "not_found": False, "limited": False}
    status = 200
    if request.method == "POST":
        form = DossierLookupForm(request.POST)
        if not lookup_allowed(client_address(request)):
            context["limited"] = True
            status = 429
        elif not form.is_valid():
            status = 400
        else:
            try:
                context["result"] = dossier_public_lookup(
                    code=form.cleaned_data["code"], id_number=form.cleaned_data["id_number"]
                )
            except DossierNotFound:
                context["not_found"] = True
                status = 404
            # The ID number is not echoed back (shared screens): only the code stays filled.
            form = DossierLookupForm(initial={"code": form.cleaned_data["code"]})
    else:
        initial = {"code": request.GET.get("code", "")[:64]}
        form = DossierLookupForm(initial=initial)
    context["form"] = form
    response = render(request, "portal/lookup.html", context, status=status)
    response["Cache-Control"] = "no-store"
    if status == 429:
        response["Retry-After"] = str(LOOKUP_WINDOW_SECONDS)
    return response
