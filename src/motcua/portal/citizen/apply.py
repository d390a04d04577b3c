"""Applying online: find the procedure, fill the e-form in steps, attach documents, submit.

Every step saves the draft on the server (resumable on any device until it expires).
The form's read-only values come from the server and are re-derived at submission; a
browser that sends another value for one is refused and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from motcua.catalog.models import Channel, OnlineLevel, ProcedureCase, ProcedureVersion
from motcua.catalog.text import fold
from motcua.core.clock import local_now
from motcua.core.errors import DomainError
from motcua.documents.models import Document
from motcua.documents.services import warehouse_documents
from motcua.dossiers.components import ChosenDocument, component_documents_attach, reuse_state
from motcua.dossiers.models import DigitizationState, DossierDraft
from motcua.dossiers.services import Applicant, ComponentInput, InvalidInput, dossier_submit
from motcua.portal.citizen.common import (
    citizen,
    citizen_required,
    install_size_limit,
    national_id_verified,
    store_uploads,
)
from motcua.portal.citizen.drafts import (
    DraftNotFound,
    TooManyDrafts,
    draft_days,
    draft_discard,
    draft_of,
    draft_save,
    draft_start,
)
from motcua.portal.citizen.prefill import PURPOSE_CHECK, account_prefill
from motcua.portal.eform import EForm
from motcua.units.models import Unit, UnitLevel

RESULTS = 20
REUSE_CHOICES = 30


# --- finding the procedure ---------------------------------------------------------------
def _online_cases(q: str) -> QuerySet[ProcedureVersion]:
    today = local_now().date()
    versions = (
        ProcedureVersion.objects.in_force(today)
        .filter(online_level__in=[OnlineLevel.FULL, OnlineLevel.PARTIAL])
        .filter(cases__ways__channel=Channel.ONLINE)
        .distinct()
        .select_related("procedure", "sector")
        .order_by("name")
    )
    for word in fold(q).split()[:8]:
        versions = versions.filter(
            Q(search_text__contains=word) | Q(procedure__code__icontains=word)
        )
    return versions


@citizen_required
@require_http_methods(["GET", "HEAD"])
def new_application(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    versions = list(_online_cases(q)[:RESULTS]) if q else []
    return render(
        request,
        "portal/citizen/new_application.html",
        {"q": q, "versions": versions, "searched": bool(q)},
    )


def _case(code: str, case_code: str) -> ProcedureCase:
    version = _online_cases("").filter(procedure__code=code).first()
    if version is None:
        raise Http404
    case = version.cases.filter(code=case_code, ways__channel=Channel.ONLINE).first()
    if case is None:
        raise Http404
    return case


@citizen_required
@require_POST
def start(request: HttpRequest, code: str, case_code: str) -> HttpResponse:
    """Start a draft: look the citizen up once, keep the values on the server."""
    case = _case(code, case_code)
    user = citizen(request)
    prefill = account_prefill(user)
    form = EForm(case.form_schema, case.form_ui, language=get_language(), prefill=prefill.values)
    try:
        draft = draft_start(owner=user, case=case, form=form.initial(), prefill=prefill.values)
    except TooManyDrafts:
        messages.error(
            request, _("You keep too many draft applications; finish or delete one first.")
        )
        return redirect("citizen:dashboard")
    if prefill.problem:
        messages.warning(request, prefill.problem)
    return redirect("citizen:draft_step", reference=draft.reference, step=1)


# --- the e-form, step by step ---------------------------------------------------------------
def _draft(request: HttpRequest, reference: Any, *, for_update: bool = False) -> DossierDraft:
    try:
        return draft_of(citizen(request), str(reference), for_update=for_update)
    except DraftNotFound:
        raise Http404 from None


def _eform(draft: DossierDraft) -> EForm:
    return EForm(
        draft.case.form_schema,
        draft.case.form_ui,
        language=get_language(),
        prefill=draft.data.get("prefill") or {},
    )


def _nav(draft: DossierDraft, form: EForm, current: str) -> list[dict[str, Any]]:
    """The list of steps shown above every page of the application."""
    items = [
        {
            "title": title,
            "url": reverse("citizen:draft_step", args=[draft.reference, i + 1]),
            "current": current == f"step-{i + 1}",
        }
        for i, (title, _names) in enumerate(form.step_names())
    ]
    items.append(
        {
            "title": _("Documents"),
            "url": reverse("citizen:draft_documents", args=[draft.reference]),
            "current": current == "documents",
        }
    )
    items.append(
        {
            "title": _("Check and submit"),
            "url": reverse("citizen:draft_review", args=[draft.reference]),
            "current": current == "review",
        }
    )
    return items


def _context(draft: DossierDraft, form: EForm, current: str) -> dict[str, Any]:
    return {
        "draft": draft,
        "case": draft.case,
        "version": draft.case.version,
        "steps_nav": _nav(draft, form, current),
        "draft_days": draft_days(),
    }


@citizen_required
@require_http_methods(["GET", "HEAD", "POST"])
def draft_step(request: HttpRequest, reference: Any, step: int) -> HttpResponse:
    draft = _draft(request, reference)
    form = _eform(draft)
    names_by_step = form.step_names()
    if not 1 <= step <= len(names_by_step):
        if not names_by_step and step == 1:
            return redirect("citizen:draft_documents", reference=draft.reference)
        raise Http404
    names = names_by_step[step - 1][1]
    data = dict(draft.data.get("form") or {})
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "next")
        parsed = form.parse(request.POST, names)
        if parsed.tampered:
            # A changed read-only value: refuse the whole request, save nothing.
            errors = parsed.errors
            status = 400
        else:
            candidate = {k: v for k, v in data.items() if k not in names} | parsed.data
            errors = dict(parsed.errors)
            if action in {"next", "review"}:
                for key, value in form.validate(candidate, names).items():
                    errors.setdefault(key, []).extend(value)
            if not errors or action in {"save", "back"}:
                # "Save" and "Back" keep what was typed even when incomplete.
                draft_save(draft=draft, form=candidate, step=step - 1)
                if action == "save":
                    messages.success(request, _("Your draft is saved."))
                    return redirect("citizen:dashboard")
                if action == "back" and step > 1:
                    return redirect("citizen:draft_step", reference=draft.reference, step=step - 1)
                if not errors:
                    if action == "review":
                        return redirect("citizen:draft_review", reference=draft.reference)
                    if step < len(names_by_step):
                        return redirect(
                            "citizen:draft_step", reference=draft.reference, step=step + 1
                        )
                    return redirect("citizen:draft_documents", reference=draft.reference)
            data = candidate
            status = 400
    form_step = form.steps(data, errors)[step - 1]
    context = _context(draft, form, f"step-{step}") | {
        "step": form_step,
        "step_count": len(names_by_step) + 2,  # the documents and the check follow
        "errors": [(f, e) for f in form_step.fields for e in f.errors],
        "tampered": status == 400 and any(f.readonly and f.errors for f in form_step.fields),
    }
    return render(request, "portal/citizen/draft_step.html", context, status=status)


# --- documents ---------------------------------------------------------------------------------
def _chosen(draft: DossierDraft) -> dict[str, list[dict[str, Any]]]:
    return {code: list(items) for code, items in (draft.data.get("documents") or {}).items()}


def _documents_by_ref(owner: Any, refs: Iterable[str]) -> dict[str, Document]:
    return {str(d.reference): d for d in warehouse_documents(owner).filter(reference__in=refs)}


def _component_rows(
    draft: DossierDraft, chosen: dict[str, list[dict[str, Any]]], errors: dict[str, str]
) -> list[dict[str, Any]]:
    owner = draft.owner
    refs = [item["ref"] for items in chosen.values() for item in items]
    docs = _documents_by_ref(owner, refs)
    used = set(refs)
    available = [
        d for d in warehouse_documents(owner)[:REUSE_CHOICES] if str(d.reference) not in used
    ]
    rows = []
    for component in draft.case.components.all():
        rows.append(
            {
                "component": component,
                "documents": [
                    (docs[item["ref"]], item["digitization"])
                    for item in chosen.get(component.code, [])
                    if item["ref"] in docs
                ],
                "available": available,
                "error": errors.get(component.code, ""),
            }
        )
    return rows


def _missing_components(
    draft: DossierDraft, chosen: dict[str, list[dict[str, Any]]]
) -> dict[str, str]:
    return {
        c.code: _("Attach at least one file for this part.")
        for c in draft.case.components.all()
        if c.required and not c.registry and not chosen.get(c.code)
    }


@csrf_exempt
@citizen_required
def draft_documents(request: HttpRequest, reference: Any) -> HttpResponse:
    handler = install_size_limit(request) if request.method == "POST" else None
    return _draft_documents(request, reference, handler)


@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def _draft_documents(request: HttpRequest, reference: Any, handler: Any) -> HttpResponse:
    draft = _draft(request, reference)
    form = _eform(draft)
    chosen = _chosen(draft)
    errors: dict[str, str] = {}
    refused: list[tuple[str, str, str]] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        components = {c.code: c for c in draft.case.components.all() if not c.registry}
        removal = request.POST.get("remove", "")
        if removal:
            code, _sep, ref = removal.partition(":")
            chosen[code] = [i for i in chosen.get(code, []) if i["ref"] != ref]
        for code, component in components.items():
            outcome = store_uploads(request, f"file-{code}", handler)
            for document in outcome.stored:
                chosen.setdefault(code, []).append(
                    {"ref": str(document.reference), "digitization": DigitizationState.DIGITIZED}
                )
            refused += [(component.name, name, message) for name, message in outcome.refused]
            if handler is not None and handler.exceeded:
                break
            wanted = request.POST.getlist(f"reuse-{code}")
            if wanted:
                have = {i["ref"] for i in chosen.get(code, [])}
                for ref, document in _documents_by_ref(draft.owner, wanted).items():
                    if ref not in have:
                        chosen.setdefault(code, []).append(
                            {"ref": ref, "digitization": reuse_state(document)}
                        )
        draft_save(draft=draft, documents=chosen)
        if refused:
            status = 400
        elif action == "back":
            steps = len(form.step_names())
            if steps:
                return redirect("citizen:draft_step", reference=draft.reference, step=steps)
        elif action == "next":
            errors = _missing_components(draft, chosen)
            if not errors:
                return redirect("citizen:draft_review", reference=draft.reference)
            status = 400
        elif action == "save_exit":
            messages.success(request, _("Your draft is saved."))
            return redirect("citizen:dashboard")
        else:
            return redirect("citizen:draft_documents", reference=draft.reference)
    context = _context(draft, form, "documents") | {
        "rows": _component_rows(draft, chosen, errors),
        "refused": refused,
        "errors": errors,
    }
    return render(request, "portal/citizen/draft_documents.html", context, status=status)


# --- review and submit ----------------------------------------------------------------------------
def _unit_choices(draft: DossierDraft, province: str) -> list[Unit]:
    today = local_now().date()
    levels = set(draft.case.version.levels or [])
    parents = set()
    if "commune" in levels:
        parents.add(UnitLevel.COMMUNE)
    if levels & {"province", "ministry"}:
        parents.update({UnitLevel.PROVINCE, UnitLevel.DEPARTMENT, UnitLevel.MINISTRY})
    units = Unit.objects.valid_on(today).filter(level=UnitLevel.ONE_STOP, province_code=province)
    matching = units.filter(parent__level__in=parents) if parents else units
    return list((matching if matching.exists() else units).order_by("name")[:500])


def _provinces() -> list[tuple[str, str]]:
    from motcua.units.models import AdministrativeArea

    rows = list(
        AdministrativeArea.objects.filter(parent__isnull=True)
        .order_by("name")
        .values_list("code", "name")
    )
    if rows:
        return rows
    # Units without the official geography loaded (tests, small installations).
    codes = sorted(
        set(Unit.objects.filter(level=UnitLevel.ONE_STOP).values_list("province_code", flat=True))
    )
    return [(code, code) for code in codes]


def _applicant(draft: DossierDraft, data: dict[str, Any], form: EForm) -> Applicant:
    user = draft.owner
    prefill = draft.data.get("prefill") or {}
    by_source = {form.source(name): value for name, value in data.items() if form.source(name)}
    return Applicant(
        kind="citizen",
        name=prefill.get("population.full_name") or user.full_name,
        id_number=user.personal_id or "",
        address=(
            prefill.get("population.current_residence")
            or prefill.get("population.permanent_residence")
            or ""
        )[:300],
        phone=str(by_source.get("account.phone") or user.phone or "")[:20],
        email=str(by_source.get("account.email") or user.email or "")[:254],
    )


def _rederive(request: HttpRequest, draft: DossierDraft, form: EForm) -> tuple[EForm, bool]:
    """Ask the population database again; True when a read-only value changed."""
    fresh = account_prefill(draft.owner, purpose=PURPOSE_CHECK)
    if fresh.problem or not any(k.startswith("population.") for k in fresh.values):
        return form, False  # the server's own copy from the start stands
    renewed = EForm(
        draft.case.form_schema, draft.case.form_ui, language=get_language(), prefill=fresh.values
    )
    changed = any(
        renewed.server_value(name) != form.server_value(name)
        for name in set(form.readonly_names) | set(renewed.readonly_names)
    )
    if changed:
        data = dict(draft.data)
        data["prefill"] = fresh.values
        draft.data = data
    return renewed, changed


@citizen_required
@require_http_methods(["GET", "HEAD", "POST"])
def draft_review(request: HttpRequest, reference: Any) -> HttpResponse:
    draft = _draft(request, reference)
    form = _eform(draft)
    chosen = _chosen(draft)
    data = form.enforce_readonly(draft.data.get("form") or {})
    province = request.POST.get("province") or request.GET.get("province") or ""
    unit_code = request.POST.get("receiving_unit") or draft.data.get("receiving_unit") or ""
    if not province and unit_code:
        province = (
            Unit.objects.filter(code=unit_code).values_list("province_code", flat=True).first()
            or ""
        )
    form_errors = form.validate(data)
    component_errors = _missing_components(draft, chosen)
    unit_error = ""
    status = 200
    if request.method == "POST" and request.POST.get("action") == "choose_province":
        unit_code = ""
    elif request.method == "POST":
        response = _submit(request, draft, form, data, chosen, unit_code)
        if isinstance(response, HttpResponse):
            return response
        form, data, form_errors, component_errors, unit_error = response
        status = 400
    provinces = _provinces()
    if not province and len(provinces) == 1:
        province = provinces[0][0]
    steps = form.steps(data, form_errors)
    context = _context(draft, form, "review") | {
        "form_steps": steps,
        "rows": _component_rows(draft, chosen, component_errors),
        "form_errors": [(s, f, e) for s in steps for f in s.fields for e in f.errors],
        "component_errors": component_errors,
        "provinces": provinces,
        "province": province,
        "units": _unit_choices(draft, province) if province else [],
        "unit_code": unit_code,
        "unit_error": unit_error,
        "verified": national_id_verified(request),
    }
    return render(request, "portal/citizen/draft_review.html", context, status=status)


def _submit(
    request: HttpRequest,
    draft: DossierDraft,
    form: EForm,
    data: dict[str, Any],
    chosen: dict[str, list[dict[str, Any]]],
    unit_code: str,
) -> HttpResponse | tuple[EForm, dict[str, Any], dict[str, Any], dict[str, str], str]:
    form, changed = _rederive(request, draft, form)
    data = form.enforce_readonly(data)
    if changed:
        draft_save(draft=draft, form=data)
        messages.warning(
            request,
            _(
                "Your data in the national population database has changed since you "
                "started; the form shows the current values. Check them and submit again."
            ),
        )
        return form, data, form.validate(data), _missing_components(draft, chosen), ""
    today = local_now().date()
    unit = Unit.objects.valid_on(today).filter(code=unit_code, level=UnitLevel.ONE_STOP).first()
    form_errors = form.validate(data)
    component_errors = _missing_components(draft, chosen)
    unit_error = "" if unit else _("Choose where to submit your dossier.")
    if form_errors or component_errors or unit is None:
        return form, data, form_errors, component_errors, unit_error
    draft_save(draft=draft, receiving_unit=unit.code)
    docs = _documents_by_ref(draft.owner, [i["ref"] for v in chosen.values() for i in v])
    picked = {
        code: [
            ChosenDocument(docs[i["ref"]], int(i["digitization"]))
            for i in items
            if i["ref"] in docs
        ]
        for code, items in chosen.items()
    }
    try:
        with transaction.atomic():
            locked = draft_of(draft.owner, str(draft.reference), for_update=True)
            dossier = dossier_submit(
                actor=draft.owner,
                case=locked.case,
                applicant=_applicant(locked, data, form),
                channel=Channel.ONLINE,
                receiving_unit=unit,
                form_data=data,
                components=[
                    ComponentInput(code, count=len(items))
                    for code, items in picked.items()
                    if items
                ],
                verified_with_national_id=national_id_verified(request),
            )
            component_documents_attach(actor=draft.owner, dossier=dossier, chosen=picked)
            draft_discard(draft=locked)
    except DraftNotFound:
        messages.info(request, _("This application was already submitted."))
        return redirect("citizen:dashboard")
    except InvalidInput as exc:
        errors = {
            k.removeprefix("form_data."): list(dict.fromkeys(v)) for k, v in exc.errors.items()
        }
        merged = {k: v for k, v in errors.items() if k in form.properties}
        other = [m for k, v in errors.items() if k not in form.properties for m in v]
        return form, data, merged, component_errors, " ".join(other)
    except DomainError as exc:
        return form, data, form_errors, component_errors, exc.message
    messages.success(
        request,
        _("Your dossier was submitted. Keep this page: you can follow it here at any time."),
    )
    return HttpResponseRedirect(reverse("citizen:dossier", args=[dossier.public_id]))


@citizen_required
@require_POST
def draft_delete(request: HttpRequest, reference: Any) -> HttpResponse:
    draft = _draft(request, reference)
    draft_discard(draft=draft)
    messages.success(request, _("The draft was deleted."))
    return redirect("citizen:dashboard")
