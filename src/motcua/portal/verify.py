"""The public verification page ``/xac-thuc/``: is this document genuine?

* ``/xac-thuc/`` — upload a PDF: are its signatures intact, who signed (unit,
  certificate), is it the file motcua registered (same SHA-256), is it revoked.
* ``/xac-thuc/<code>/`` — where a document's QR code leads: what motcua registered
  under the code (title, issuing unit, date, fingerprint, revoked or not), and a form
  to check a file against it.

No login and no personal data: the page shows the document's title, the unit and the
certificate, never the applicant. Verification costs CPU, so one client address may
check at most ``MOTCUA_VERIFY_RATE_PER_IP`` files per 10 minutes (cache-based, shared
by every app node on Redis); beyond that the page answers 429 without checking.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from motcua.signatures.api import max_bytes
from motcua.signatures.verification import pdf_verify, result_by_token

VERIFY_WINDOW_SECONDS = 10 * 60


def verify_limit() -> int:
    return int(getattr(settings, "MOTCUA_VERIFY_RATE_PER_IP", 30))


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("PDF document"),
        help_text=_("The electronic document you received, as a PDF file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )


def _allowed(request: HttpRequest) -> bool:
    key = f"verify:{request.META.get('REMOTE_ADDR', 'unknown')}"
    cache.add(key, 0, VERIFY_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, VERIFY_WINDOW_SECONDS)
        count = 1
    return count <= verify_limit()


def _handle(request: HttpRequest, context: dict[str, Any], token: str | None) -> int:
    """Check the posted file; fills ``context``; returns the HTTP status."""
    form = VerifyForm(request.POST, request.FILES)
    context["form"] = form
    if not _allowed(request):
        context["limited"] = True
        return 429
    if not form.is_valid():
        return 400
    upload = form.cleaned_data["file"]
    if upload.size > max_bytes():
        form.add_error("file", _("The file is too large to check."))
        return 413
    context["report"] = pdf_verify(upload.read(), token=token)
    context["form"] = VerifyForm()
    return 200


def _respond(
    request: HttpRequest, template: str, context: dict[str, Any], status: int
) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    if status == 429:
        response["Retry-After"] = str(VERIFY_WINDOW_SECONDS)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"form": VerifyForm(), "report": None, "limited": False}
    status = _handle(request, context, None) if request.method == "POST" else 200
    return _respond(request, "portal/verify.html", context, status)


@require_http_methods(["GET", "HEAD", "POST"])
def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    registered = result_by_token(token)
    if registered is None:
        raise Http404
    context: dict[str, Any] = {
        "registered": registered,
        "form": VerifyForm(),
        "report": None,
        "limited": False,
    }
    status = _handle(request, context, token) if request.method == "POST" else 200
    return _respond(request, "portal/verify_token.html", context, status)
