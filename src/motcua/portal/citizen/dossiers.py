"""Following one's dossiers: the dashboard, a dossier's page, supplement, withdraw, rate.

Every dossier is reached through the one gate (``access_dossier``/``visible_dossiers``)
and every change goes through ``motcua.dossiers.services`` (and its siblings); files are
downloaded only through the gate, as attachments.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from motcua.core.errors import DomainError
from motcua.documents.models import Document
from motcua.documents.services import warehouse_documents
from motcua.dossiers.access import DossierNotFound, access_dossier, available_actions
from motcua.dossiers.api_lookup import ACTION_LABELS
from motcua.dossiers.components import (
    ChosenDocument,
    component_documents_attach,
    documents_of,
    dossier_documents,
    reuse_state,
)
from motcua.dossiers.models import (
    AttachmentRole,
    DigitizationState,
    Dossier,
    Status,
)
from motcua.dossiers.services import InvalidInput, dossier_supplement, dossier_withdraw
from motcua.feedback.models import Rating, Satisfaction
from motcua.feedback.services import may_rate, rating_submit
from motcua.portal.citizen.common import (
    citizen,
    citizen_required,
    download,
    install_size_limit,
    store_uploads,
)
from motcua.portal.citizen.drafts import drafts_of

PAGE = 20
REUSE_CHOICES = 30
ACTIVE = {
    Status.NEW,
    Status.RECEIVED,
    Status.PROCESSING,
    Status.SUPPLEMENT_REQUESTED,
    Status.AWAITING_PAYMENT,
}


def _dossier(request: HttpRequest, public_id: str) -> Dossier:
    try:
        return access_dossier(citizen(request), public_id)
    except DossierNotFound:
        raise Http404 from None


def _name(version: Any) -> str:
    english = (get_language() or "vi").startswith("en")
    return str(version.name_en if english and version.name_en else version.name)


@citizen_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    user = citizen(request)
    dossiers = (
        Dossier.objects.filter(applicant_account=user)
        .select_related("procedure_version", "receiving_unit")
        .order_by("-submitted_at", "-pk")
    )
    page = Paginator(dossiers, PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "dossier": d,
            "name": _name(d.procedure_version),
            "status_label": Status(d.status).label,
            "active": d.status in ACTIVE,
            "needs_me": d.status == Status.SUPPLEMENT_REQUESTED,
        }
        for d in page
    ]
    drafts = [{"draft": draft, "name": _name(draft.case.version)} for draft in drafts_of(user)]
    return render(
        request,
        "portal/citizen/dashboard.html",
        {"page": page, "rows": rows, "drafts": drafts},
    )


def _timeline(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "label": ACTION_LABELS.get(event.action, event.action),
            "occurred_at": event.occurred_at,
            "status": Status(event.to_status).label if event.to_status else "",
            "reason": event.reason
            if event.action in {"refuse", "stop", "request_supplement", "withdraw"}
            else "",
            "items": event.data.get("items", []) if event.action == "request_supplement" else [],
            "due_at": event.due_at,
        }
        for event in dossier.events.order_by("seq")
    ]


def _supplement_request(dossier: Dossier) -> Any:
    return dossier.events.filter(action="request_supplement").order_by("-seq").first()


@citizen_required
@require_safe
def dossier_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    dossier = _dossier(request, public_id)
    user = citizen(request)
    components = [(c, documents_of(c)) for c in dossier.components.order_by("pk")]
    attachments = list(dossier.attachments.select_related("document").order_by("created_at"))
    actions = available_actions(user, dossier)
    rating = Rating.objects.filter(dossier=dossier).first()
    return render(
        request,
        "portal/citizen/dossier.html",
        {
            "dossier": dossier,
            "name": _name(dossier.procedure_version),
            "status_label": Status(dossier.status).label,
            "timeline": _timeline(dossier),
            "components": components,
            "slips": [
                a
                for a in attachments
                if a.role not in {AttachmentRole.RESULT, AttachmentRole.OTHER}
            ],
            "results": [a for a in attachments if a.role == AttachmentRole.RESULT],
            "sent": [a for a in attachments if a.role == AttachmentRole.OTHER],
            "can_withdraw": "withdraw" in actions,
            "can_supplement": "supplement" in actions,
            "supplement_request": _supplement_request(dossier)
            if dossier.status == Status.SUPPLEMENT_REQUESTED
            else None,
            "can_rate": may_rate(user, dossier),
            "rating": rating,
            "satisfaction_label": Satisfaction(rating.satisfaction).label if rating else "",
        },
    )


@citizen_required
@require_safe
def dossier_document(request: HttpRequest, public_id: str, reference: Any) -> HttpResponseBase:
    """A file of the dossier (a part, a slip, the result), through the access gate."""
    dossier = _dossier(request, public_id)
    document = Document.objects.filter(reference=reference).first()
    if document is None or document.pk not in dossier_documents(dossier):
        raise Http404
    return download(document)


# --- withdraw -----------------------------------------------------------------------------
class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you withdraw it? (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@citizen_required
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    dossier = _dossier(request, public_id)
    if "withdraw" not in available_actions(citizen(request), dossier):
        messages.error(request, _("This dossier can no longer be withdrawn."))
        return redirect("citizen:dossier", public_id=dossier.public_id)
    form = WithdrawForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            dossier_withdraw(
                actor=citizen(request),
                public_id=dossier.public_id,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Your dossier was withdrawn."))
            return redirect("citizen:dossier", public_id=dossier.public_id)
    return render(
        request,
        "portal/citizen/withdraw.html",
        {
            "dossier": dossier,
            "name": _name(dossier.procedure_version),
            "form": form,
            "error": error,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- rate ------------------------------------------------------------------------------------
class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=gettext_lazy("How satisfied are you with how your dossier was handled?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@citizen_required
@require_http_methods(["GET", "HEAD", "POST"])
def rate(request: HttpRequest, public_id: str) -> HttpResponse:
    dossier = _dossier(request, public_id)
    user = citizen(request)
    if not may_rate(user, dossier):
        if Rating.objects.filter(dossier=dossier).exists():
            messages.info(request, _("You have already rated this dossier. Thank you."))
        else:
            messages.info(request, _("You can rate the service once the result is ready."))
        return redirect("citizen:dossier", public_id=dossier.public_id)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rating_submit(
                actor=user,
                public_id=dossier.public_id,
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
            )
        except InvalidInput as exc:
            for key, problems in exc.errors.items():
                for problem in problems:
                    form.add_error(key if key in form.fields else None, problem)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Thank you for rating the service."))
            return redirect("citizen:dossier", public_id=dossier.public_id)
    return render(
        request,
        "portal/citizen/rate.html",
        {"dossier": dossier, "name": _name(dossier.procedure_version), "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- answer a supplement request ------------------------------------------------------------
@csrf_exempt
@citizen_required
def supplement(request: HttpRequest, public_id: str) -> HttpResponse:
    handler = install_size_limit(request) if request.method == "POST" else None
    return _supplement(request, public_id, handler)


@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def _supplement(request: HttpRequest, public_id: str, handler: Any) -> HttpResponse:
    dossier = _dossier(request, public_id)
    user = citizen(request)
    if "supplement" not in available_actions(user, dossier):
        messages.info(request, _("No supplement is requested for this dossier now."))
        return redirect("citizen:dossier", public_id=dossier.public_id)
    components = [c for c in dossier.case.components.all() if not c.registry]
    refused: list[tuple[str, str, str]] = []
    error = ""
    note = ""
    if request.method == "POST":
        note = request.POST.get("note", "").strip()[:1000]
        chosen: dict[str, list[ChosenDocument]] = {}
        available = {str(d.reference): d for d in warehouse_documents(user)[:500]}
        for component in components:
            outcome = store_uploads(
                request, f"file-{component.code}", handler, province_code=dossier.province_code
            )
            chosen.setdefault(component.code, []).extend(
                ChosenDocument(d, DigitizationState.DIGITIZED) for d in outcome.stored
            )
            refused += [(component.name, name, msg) for name, msg in outcome.refused]
            if handler is not None and handler.exceeded:
                break
            for ref in request.POST.getlist(f"reuse-{component.code}"):
                document = available.get(ref)
                if document is not None:
                    chosen[component.code].append(ChosenDocument(document, reuse_state(document)))
        chosen = {code: items for code, items in chosen.items() if items}
        if not refused and not chosen and not note:
            error = _("Attach the missing documents, or explain in the note what you supply.")
        elif not refused:
            try:
                with transaction.atomic():
                    component_documents_attach(actor=user, dossier=dossier, chosen=chosen)
                    dossier_supplement(actor=user, public_id=dossier.public_id, note=note)
            except InvalidInput as exc:
                error = " ".join(m for v in exc.errors.values() for m in v)
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(
                    request, _("Thank you: your supplement was sent and processing resumes.")
                )
                return redirect("citizen:dossier", public_id=dossier.public_id)
    request_event = _supplement_request(dossier)
    have = dossier_documents(dossier)
    return render(
        request,
        "portal/citizen/supplement.html",
        {
            "dossier": dossier,
            "name": _name(dossier.procedure_version),
            "request_event": request_event,
            "components": components,
            "available": [d for d in warehouse_documents(user)[:REUSE_CHOICES] if d.pk not in have],
            "refused": refused,
            "error": error,
            "note": note,
        },
        status=400 if request.method == "POST" else 200,
    )
