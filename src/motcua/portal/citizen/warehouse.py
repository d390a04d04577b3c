"""My documents: the account's data warehouse (Decree 45/2020 Art. 16).

Every file the citizen uploaded and every result issued to them, kept for reuse in
later dossiers. Files are downloaded only by their owner, as attachments.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from motcua.documents.models import Document
from motcua.documents.services import warehouse_document, warehouse_documents
from motcua.portal.citizen.common import (
    citizen,
    citizen_required,
    download,
    install_size_limit,
    store_uploads,
)

PAGE = 20


@csrf_exempt
@citizen_required
def warehouse(request: HttpRequest) -> HttpResponse:
    handler = install_size_limit(request) if request.method == "POST" else None
    return _warehouse(request, handler)


@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def _warehouse(request: HttpRequest, handler: Any) -> HttpResponse:
    user = citizen(request)
    refused: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        outcome = store_uploads(request, "files", handler)
        refused = outcome.refused
        if outcome.stored:
            count = len(outcome.stored)
            messages.success(
                request,
                ngettext(
                    "%(count)d file was added to your documents.",
                    "%(count)d files were added to your documents.",
                    count,
                )
                % {"count": count},
            )
        if not refused:
            if not outcome.stored:
                refused = [("", _("Choose at least one file."))]
            else:
                return redirect("citizen:warehouse")
        status = 400
    page = Paginator(warehouse_documents(user), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/citizen/warehouse.html",
        {"page": page, "refused": refused},
        status=status,
    )


@citizen_required
@require_safe
def warehouse_download(request: HttpRequest, reference: Any) -> HttpResponseBase:
    try:
        document = warehouse_document(citizen(request), str(reference))
    except Document.DoesNotExist:
        raise Http404 from None
    return download(document)
