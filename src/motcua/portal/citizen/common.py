"""What every citizen page shares: who may enter, downloads through the gate, uploads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import FileResponse, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.accounts.models import AccountKind, User
from motcua.accounts.oidc import verified_with_national_id
from motcua.documents.checks import SizeLimitUploadHandler, UploadRefused
from motcua.documents.models import Document
from motcua.documents.services import document_upload

MAX_FILES_PER_REQUEST = 20

View = Callable[..., HttpResponseBase]


def login_url(next_path: str) -> str:
    """The national e-ID sign-in page, coming back to ``next_path``."""
    return f"{reverse('oidc:signin')}?{urlencode({'next': next_path})}"


def national_id_verified(request: HttpRequest) -> bool:
    """Whether this session signed in with the national e-ID (recorded on the dossier)."""
    return verified_with_national_id(request)


def citizen_required(view: View) -> View:
    """Citizens and businesses only: others are sent to sign in, officers are refused."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return HttpResponseRedirect(login_url(request.get_full_path()))
        if getattr(user, "kind", None) != AccountKind.CITIZEN or not user.is_active:
            return render(request, "portal/citizen/officer_refused.html", status=403)
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    return wrapper


def citizen(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def download(document: Document) -> FileResponse:
    """The document as an attachment: never rendered by the browser, never sniffed."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.filename,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def install_size_limit(request: HttpRequest) -> SizeLimitUploadHandler:
    """Put the size-limit handler first; call before anything reads ``request.POST``."""
    handler = SizeLimitUploadHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler


@dataclass
class UploadOutcome:
    stored: list[Document] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file name, message)


def store_uploads(
    request: HttpRequest,
    input_name: str,
    handler: SizeLimitUploadHandler | None,
    *,
    province_code: str = "",
) -> UploadOutcome:
    """Check and store every file of ``input_name`` into the citizen's warehouse."""
    outcome = UploadOutcome()
    user = citizen(request)
    files = request.FILES.getlist(input_name)  # reads the body: the handler runs now
    if handler is not None and handler.exceeded:
        try:
            document_upload(
                actor=user,
                upload=_Nothing(),
                size_exceeded=True,
            )
        except UploadRefused as refused:
            outcome.refused.append(("", refused.message))
        return outcome
    if len(files) > MAX_FILES_PER_REQUEST:
        outcome.refused.append(
            ("", _("Send at most %(n)s files at a time.") % {"n": MAX_FILES_PER_REQUEST})
        )
        return outcome
    for upload in files:
        try:
            outcome.stored.append(
                document_upload(actor=user, upload=upload, province_code=province_code)
            )
        except UploadRefused as refused:
            outcome.refused.append((_display_name(upload.name), refused.message))
    return outcome


class _Nothing:
    name: str | None = "file.pdf"

    def chunks(self, chunk_size: int | None = None) -> list[bytes]:
        return []


def _display_name(name: str | None) -> str:
    """A refused file's name, safe to show (control and direction characters removed)."""
    text = "".join(ch for ch in (name or "") if ch.isprintable())
    return text[:120]
