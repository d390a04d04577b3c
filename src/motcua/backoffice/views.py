"""Back-office pages (``/can-bo/``): queues, the dossier page and its actions, slips,
counter reception and the register. Thin: parse, call a service or a selector, render.

Every page requires an officer session verified with the second factor (password +
TOTP at ``accounts:login``); dossiers are reached only through ``motcua.dossiers.access``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.backoffice import routing, selectors
from motcua.backoffice.forms import (
    CaseSearchForm,
    CounterForm,
    QueueFilterForm,
    RegisterForm,
    action_form,
)
from motcua.backoffice.selectors import QUEUES, QueueFilter
from motcua.backoffice.services import counter_receive
from motcua.catalog.models import Channel, ProcedureCase, ProcedureVersion
from motcua.catalog.selectors import CatalogFilter, QueryTooLong, catalog_search
from motcua.core.clock import local_now
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.documents.models import Document
from motcua.dossiers.access import (
    ActorRoles,
    DossierNotFound,
    access_dossier,
    actor_roles,
    available_actions,
)
from motcua.dossiers.api_lookup import ACTION_LABELS
from motcua.dossiers.attachments import control_sheet_issue, dossier_act
from motcua.dossiers.lifecycle import TRANSITIONS
from motcua.dossiers.models import (
    AttachmentRole,
    Dossier,
    DossierAttachment,
    DossierComponent,
    DossierEvent,
    Status,
)
from motcua.dossiers.services import Applicant, ComponentInput, InvalidInput
from motcua.dossiers.slips import (
    RegisterRow,
    control_steps,
    register_pdf,
    register_xlsx,
)
from motcua.integrations.models import LookupPurpose
from motcua.integrations.population import population_lookup, prefill_values
from motcua.units.models import StaffRole, Unit
from motcua.workflow.selectors import current_task

# Queue addresses, Vietnamese first like the rest of the site's paths.
QUEUE_SLUGS = {
    "receive": "cho-tiep-nhan",
    "mine": "viec-cua-toi",
    "due_today": "den-han-hom-nay",
    "overdue": "qua-han",
    "waiting": "cho-cong-dan",
}
SLUG_QUEUES = {slug: queue for queue, slug in QUEUE_SLUGS.items()}
QUEUE_LABELS = {
    "receive": gettext_lazy("To receive"),
    "mine": gettext_lazy("My tasks"),
    "due_today": gettext_lazy("Due today"),
    "overdue": gettext_lazy("Overdue"),
    "waiting": gettext_lazy("Waiting for the applicant"),
}
# The button of each lifecycle action (``available_actions`` names them).
ACTION_BUTTONS = {
    "receive": gettext_lazy("Receive"),
    "refuse": gettext_lazy("Refuse to receive"),
    "request_supplement": gettext_lazy("Request a supplement"),
    "supplement": gettext_lazy("Record the supplement"),
    "forward": gettext_lazy("Hand over"),
    "send_back": gettext_lazy("Send back"),
    "approve": gettext_lazy("Approve"),
    "mark_result_ready": gettext_lazy("Mark the result ready"),
    "request_payment": gettext_lazy("Request payment"),
    "confirm_payment": gettext_lazy("Confirm payment"),
    "return_result": gettext_lazy("Return the result"),
    "withdraw": gettext_lazy("Withdraw at the applicant's request"),
    "stop": gettext_lazy("Stop processing"),
    "apologise_extend": gettext_lazy("Apologise and set a new date"),
}
# Component documents (uploads, counter scans) once the documents app links them.
HAS_COMPONENT_DOCUMENTS = any(f.name == "documents" for f in DossierComponent._meta.get_fields())


def _english() -> bool:
    return (get_language() or "vi").lower().startswith("en")


# --- the officer gate -------------------------------------------------------------------------
View = Callable[..., HttpResponseBase]


def officer_required(view: View) -> View:
    """A signed-in officer whose session passed the second factor; others go to log in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated or not user.is_verified():  # type: ignore[attr-defined]
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not user.is_active or not (user.is_officer or user.is_superuser):  # type: ignore[union-attr]
            raise HttpForbidden(_("This page is for officers."))
        request.roles = actor_roles(user)  # type: ignore[arg-type, attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def _roles(request: HttpRequest) -> ActorRoles:
    return request.roles  # type: ignore[attr-defined, no-any-return]


def _private(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "private, no-store"
    return response


# --- queues -------------------------------------------------------------------------------
@require_GET
@officer_required
def queue(request: HttpRequest, slug: str = "") -> HttpResponseBase:
    name = SLUG_QUEUES.get(slug, "") if slug else _default_queue(_roles(request))
    if name not in QUEUES:
        raise Http404
    roles = _roles(request)
    units = list(selectors.officer_units(roles))
    form = QueueFilterForm(request.GET or None, units=units)
    filters = QueueFilter()
    if form.is_valid():
        filters = QueueFilter(
            procedure=form.cleaned_data["procedure"].strip(),
            unit=form.cleaned_data["unit"],
            status=form.cleaned_data["status"],
        )
    user = request.user
    at = local_now()
    counts = selectors.queue_counts(user, roles, filters, at=at)  # type: ignore[arg-type]
    page = selectors.queue_page(
        user,  # type: ignore[arg-type]
        roles,
        name,
        filters,
        cursor=request.GET.get("after", "")[:40],
        size=selectors.PAGE_SIZE,
        at=at,
    )
    followups = selectors.apology_followups(user, roles)  # type: ignore[arg-type]
    query = request.GET.copy()
    query.pop("after", None)
    tabs = [
        {
            "queue": q,
            "slug": QUEUE_SLUGS[q],
            "label": QUEUE_LABELS[q],
            "count": counts[q],
            "current": q == name,
        }
        for q in QUEUES
    ]
    context = {
        "queue": name,
        "queue_label": QUEUE_LABELS[name],
        "tabs": tabs,
        "page": page,
        "form": form,
        "filter_query": query.urlencode(),
        "is_first_page": not request.GET.get("after"),
        "english": _english(),
        "now": at,
        "followups": followups,
        "section": "queues",
    }
    return _private(render(request, "backoffice/queue.html", context))


def _default_queue(roles: ActorRoles) -> str:
    if any(role == StaffRole.ONE_STOP_OFFICER for _unit, role in roles.roles):
        return "receive"
    return "mine"


# --- the dossier page -----------------------------------------------------------------------
def _dossier_for(request: HttpRequest, public_id: str) -> Dossier:
    try:
        found = access_dossier(request.user, public_id)  # type: ignore[arg-type]
    except DossierNotFound:
        raise Http404(_("No dossier with this code was found.")) from None
    return (
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "procedure_version__sector",
            "case",
            "receiving_unit__parent",
            "handling_unit",
        )
        .prefetch_related(
            Prefetch("components", queryset=_components()),
            Prefetch(
                "attachments",
                queryset=DossierAttachment.objects.select_related("document").order_by(
                    "-created_at", "-pk"
                ),
            ),
            "supporting_units",
        )
        .get(pk=found.pk)
    )


def _components() -> Any:
    qs = DossierComponent.objects.order_by("pk")
    if HAS_COMPONENT_DOCUMENTS:
        qs = qs.prefetch_related(Prefetch("documents", queryset=Document.objects.order_by("pk")))
    return qs


def _form_rows(dossier: Dossier) -> list[tuple[str, Any]]:
    schema = dossier.case.form_schema or {}
    props = schema.get("properties") or {}
    labels_en = (dossier.case.form_ui or {}).get("labels_en", {}) if _english() else {}
    rows = []
    for name, value in (dossier.form_data or {}).items():
        spec = props.get(name) if isinstance(props.get(name), dict) else {}
        label = labels_en.get(name) or spec.get("title") or name
        rows.append((label, value))
    return rows


def _dossier_context(
    request: HttpRequest,
    dossier: Dossier,
    *,
    failed_action: str = "",
    failed_form: Any = None,
    error: str = "",
) -> dict[str, Any]:
    user = request.user
    task = current_task(dossier.pk)
    actions = selectors.actions_now(
        available_actions(user, dossier),  # type: ignore[arg-type]
        task,
        _roles(request),
    )
    needs_units = {"forward", "send_back"} & set(actions)
    units = selectors.forward_targets(dossier, on=local_now().date()) if needs_units else None
    forms = []
    for action in actions:
        if action == failed_action and failed_form is not None:
            form = failed_form
        else:
            form = action_form(action, units=units)
        forms.append(
            {
                "action": action,
                "label": ACTION_BUTTONS[action],
                "form": form,
                "reason_required": TRANSITIONS[action].reason_required,
                "open": action == failed_action,
                "has_fields": bool(form.fields),
            }
        )
    events = list(
        DossierEvent.objects.filter(dossier=dossier)
        .select_related("actor", "actor_unit", "to_unit")
        .order_by("seq")
    )
    version: ProcedureVersion = dossier.procedure_version
    slips = [a for a in dossier.attachments.all() if a.role != AttachmentRole.RESULT]
    return {
        "dossier": dossier,
        "procedure_name": version.name_en if _english() and version.name_en else version.name,
        "status_label": Status(dossier.status).label,
        "form_rows": _form_rows(dossier),
        "components": dossier.components.all(),
        "events": [
            (e, ACTION_LABELS.get(e.action, e.action), (e.data or {}).get("items")) for e in events
        ],
        "current_task": task,
        "section": "queues",
        "steps": control_steps(dossier, events),
        "slips": slips,
        "results": [a for a in dossier.attachments.all() if a.role == AttachmentRole.RESULT],
        "actions": forms,
        "error": error,
        "late": bool(
            dossier.due_at and dossier.due_at < local_now() and dossier.status in _RUNNING
        ),
    }


_RUNNING = {Status.RECEIVED, Status.PROCESSING, Status.AWAITING_PAYMENT}


@require_GET
@officer_required
def dossier_page(request: HttpRequest, public_id: str) -> HttpResponseBase:
    dossier = _dossier_for(request, public_id)
    return _private(render(request, "backoffice/dossier.html", _dossier_context(request, dossier)))


@require_POST
@officer_required
def dossier_action(request: HttpRequest, public_id: str, action: str) -> HttpResponseBase:
    if action not in TRANSITIONS:
        raise Http404
    dossier = _dossier_for(request, public_id)
    units = (
        selectors.forward_targets(dossier, on=local_now().date())
        if action in {"forward", "send_back"}
        else None
    )
    form = action_form(action, request.POST, units=units)
    status = 400
    error = ""
    if form.is_valid():
        try:
            result = dossier_act(
                actor=request.user,  # type: ignore[arg-type]
                action=action,
                public_id=dossier.public_id,
                **form.params(),  # type: ignore[attr-defined]
            )
        except InvalidInput as exc:
            for field, field_errors in exc.errors.items():
                name = field if field in form.fields else None
                for message in field_errors:
                    form.add_error(name, message)
            error = exc.message
        except PermissionDenied as exc:
            status, error = 403, exc.message
        except Conflict as exc:
            status, error = 409, exc.message
        except DomainError as exc:
            status, error = 422, exc.message
        except DossierNotFound:
            raise Http404 from None
        else:
            done = result.dossier
            messages.success(
                request,
                _("Done: %(action)s.") % {"action": ACTION_BUTTONS[action]},
            )
            if result.slip is not None:
                messages.info(
                    request,
                    _("The notice for the applicant is ready in “Slips”: print or send it."),
                )
            response = redirect("backoffice:dossier", public_id=done.public_id)
            response.status_code = 303
            return response
    else:
        error = _("Please correct the fields marked below.")
    dossier.refresh_from_db()
    dossier = _dossier_for(request, dossier.public_id)
    context = _dossier_context(
        request, dossier, failed_action=action, failed_form=form, error=error
    )
    return _private(render(request, "backoffice/dossier.html", context, status=status))


@require_POST
@officer_required
def control_sheet(request: HttpRequest, public_id: str) -> HttpResponseBase:
    try:
        attachment = control_sheet_issue(actor=request.user, public_id=public_id)  # type: ignore[arg-type]
    except DossierNotFound:
        raise Http404 from None
    return redirect(
        "backoffice:attachment", public_id=attachment.dossier.public_id, pk=attachment.pk
    )


def _file(document: Document) -> HttpResponseBase:
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.filename,
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)


@require_GET
@officer_required
def attachment_download(request: HttpRequest, public_id: str, pk: int) -> HttpResponseBase:
    """A slip or result of the dossier, through the access gate, always as a download."""
    try:
        dossier = access_dossier(request.user, public_id)  # type: ignore[arg-type]
    except DossierNotFound:
        raise Http404 from None
    attachment = get_object_or_404(
        DossierAttachment.objects.select_related("document"), pk=pk, dossier=dossier
    )
    return _file(attachment.document)


@require_GET
@officer_required
def component_document(request: HttpRequest, public_id: str, reference: str) -> HttpResponseBase:
    """A document of one of the dossier's components (uploads, counter scans)."""
    try:
        dossier = access_dossier(request.user, public_id)  # type: ignore[arg-type]
    except DossierNotFound:
        raise Http404 from None
    document = None
    if HAS_COMPONENT_DOCUMENTS:
        component = (
            DossierComponent.objects.filter(dossier=dossier, documents__reference=reference)
            .only("pk")
            .first()
        )
        if component is not None:
            document = component.documents.filter(reference=reference).first()  # type: ignore[attr-defined]
    if document is None:
        raise Http404
    return _file(document)


# --- counter reception ----------------------------------------------------------------------
def _reception_units(roles: ActorRoles) -> Any:
    return (
        Unit.objects.valid_on(local_now().date())
        .filter(pk__in=[u for u, r in roles.roles if r == StaffRole.ONE_STOP_OFFICER])
        .order_by("name")
    )


@require_GET
@officer_required
def counter_search(request: HttpRequest) -> HttpResponseBase:
    roles = _roles(request)
    if not _reception_units(roles).exists():
        raise HttpForbidden(_("You do not receive dossiers at any unit."))
    form = CaseSearchForm(request.GET or None)
    versions: list[ProcedureVersion] = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
    if query:
        try:
            today = local_now().date()
            ranked = [p.code for p in catalog_search(CatalogFilter(query=query), on=today)[:20]]
            found = {
                v.procedure.code: v
                for v in ProcedureVersion.objects.in_force(today)
                .filter(procedure__code__in=ranked)
                .select_related("procedure")
                .prefetch_related(
                    Prefetch(
                        "cases",
                        queryset=ProcedureCase.objects.filter(ways__channel=Channel.IN_PERSON)
                        .distinct()
                        .order_by("position"),
                    )
                )
            }
            versions = [found[code] for code in ranked if code in found]
        except QueryTooLong:
            form.add_error("q", _("The search text is too long."))
    context = {
        "form": form,
        "versions": versions,
        "query": query,
        "english": _english(),
        "section": "counter",
    }
    return _private(render(request, "backoffice/counter_search.html", context))


def _population_lookup(
    request: HttpRequest, form_kwargs: dict[str, Any], receiving_units: Any
) -> tuple[CounterForm, str]:
    """Look the applicant up in the national population database (logged, audited).

    Uses the ID number, full name and date of birth typed at the counter; on success the
    form comes back filled with the official name, residence and e-form fields. Runs
    outside any transaction (the look-up log must survive whatever follows).
    """
    posted = request.POST.dict()
    unit = receiving_units.filter(pk=posted.get("receiving_unit") or 0).first()
    initial = {k: v for k, v in posted.items() if k not in {"csrfmiddlewaretoken", "lookup"}}
    try:
        born = date.fromisoformat(posted.get("applicant_birth_date", ""))
    except ValueError:
        born = None
    id_number = posted.get("applicant_id_number", "").strip()
    full_name = posted.get("applicant_name", "").strip()
    if unit is None or born is None or not id_number or not full_name:
        message = _("To look up, enter the ID number, full name and date of birth.")
        return CounterForm(initial=initial, **form_kwargs), message
    try:
        citizen = population_lookup(
            id_number=id_number,
            full_name=full_name,
            date_of_birth=born,
            purpose=LookupPurpose.COUNTER_IDENTITY,
            actor=request.user,  # type: ignore[arg-type]
            unit=unit,
        )
    except DomainError as exc:
        return CounterForm(initial=initial, **form_kwargs), exc.message
    if citizen is None:
        message = _("The population database has no resident with these details.")
        return CounterForm(initial=initial, **form_kwargs), message
    initial.update(
        applicant_name=citizen.full_name,
        applicant_address=citizen.permanent_residence.text,
    )
    form = CounterForm(initial=initial, **form_kwargs)
    form.initial.update(form.prefill_field_names(prefill_values(citizen)))
    messages.success(request, _("Found in the population database: the form is filled in."))
    return form, ""


@require_http_methods(["GET", "POST"])
@officer_required
def counter_receive_view(request: HttpRequest, case_pk: int) -> HttpResponseBase:
    roles = _roles(request)
    today = local_now().date()
    receiving_units = _reception_units(roles)
    if not receiving_units.exists():
        raise HttpForbidden(_("You do not receive dossiers at any unit."))
    case = get_object_or_404(
        ProcedureCase.objects.select_related("version__procedure")
        .filter(
            version__in=ProcedureVersion.objects.in_force(today),
            ways__channel=Channel.IN_PERSON,
        )
        .distinct(),
        pk=case_pk,
    )
    first_unit = receiving_units.first()
    assert first_unit is not None
    communes = (
        Unit.objects.valid_on(today)
        .filter(level="commune", province_code=first_unit.province_code)
        .order_by("name")
    )
    kwargs: dict[str, Any] = {
        "case": case,
        "receiving_units": receiving_units,
        "communes": communes,
        "english": _english(),
    }
    done: dict[str, str] = request.session.get("counter_done", {})
    status = 200
    lookup_error = ""
    if request.method == "POST" and request.POST.get("lookup"):
        form, lookup_error = _population_lookup(request, kwargs, receiving_units)
    elif request.method == "POST":
        form = CounterForm(request.POST, **kwargs)
        token = request.POST.get("token", "")
        if token and token in done:  # a double submit: show the dossier received the first time
            return redirect("backoffice:dossier", public_id=done[token])
        if form.is_valid():
            response = _counter_submit(request, form, case, today)
            if response is not None:
                done[token] = response.url.rstrip("/").rsplit("/", 1)[-1]  # type: ignore[attr-defined]
                request.session["counter_done"] = dict(list(done.items())[-20:])
                return response
        status = 400
    else:
        initial = {"token": secrets.token_urlsafe(16), "receiving_unit": first_unit.pk}
        form = CounterForm(initial=initial, **kwargs)
    context = {
        "form": form,
        "case": case,
        "version": case.version,
        "english": _english(),
        "lookup_error": lookup_error,
        "section": "counter",
    }
    return _private(render(request, "backoffice/counter_form.html", context, status=status))


def _counter_submit(
    request: HttpRequest, form: CounterForm, case: ProcedureCase, today: date
) -> Any:
    data = form.cleaned_data
    receiving: Unit = data["receiving_unit"]
    commune: Unit | None = data.get("applicant_commune")
    try:
        competent = routing.competent_unit(
            case=case, receiving_unit=receiving, applicant_commune=commune, on=today
        )
    except ValueError:
        form.add_error("applicant_commune", _("Choose a commune of this province."))
        return None
    applicant = Applicant(
        kind=data["applicant_kind"],
        name=data["applicant_name"],
        id_number=data["applicant_id_number"].strip(),
        address=data["applicant_address"],
        phone=data["applicant_phone"],
        email=data["applicant_email"],
        representative_name=data["representative_name"],
        representative_id_number=data["representative_id_number"].strip(),
    )
    components = [ComponentInput(code, as_, count) for code, as_, count in form.component_inputs()]
    try:
        result = counter_receive(
            actor=request.user,  # type: ignore[arg-type]
            case=case,
            applicant=applicant,
            receiving_unit=receiving,
            form_data=form.form_data(),
            components=components,
            competent=competent,
        )
    except InvalidInput as exc:
        _counter_errors(form, exc)
        return None
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None
    messages.success(
        request,
        _("Dossier %(code)s received. Print the receipt slip for the applicant.")
        % {"code": result.dossier.code},
    )
    return redirect("backoffice:dossier", public_id=result.dossier.public_id)


def _counter_errors(form: CounterForm, exc: InvalidInput) -> None:
    for field, field_errors in exc.errors.items():
        if field.startswith("applicant."):
            name = "applicant_" + field.split(".", 1)[1]
            name = name.replace("applicant_representative", "representative")
        elif field.startswith("form_data."):
            name = "f_" + field.split(".", 1)[1]
        else:
            name = ""
        for message in field_errors:
            form.add_error(name if name in form.fields else None, message)


# --- form 7: the register -------------------------------------------------------------------
@require_GET
@officer_required
def register(request: HttpRequest) -> HttpResponseBase:
    roles = _roles(request)
    today = local_now().date()
    units = selectors.register_units(roles, on=today)
    initial = {"start": today.replace(day=1), "end": today, "format": "xlsx"}
    form = RegisterForm(request.GET or None, units=units, initial=initial)
    if not request.GET or not form.is_valid():
        status = 400 if request.GET else 200
        return _private(
            render(
                request,
                "backoffice/register.html",
                {"form": form, "section": "register"},
                status=status,
            )
        )
    unit: Unit = form.cleaned_data["unit"]
    start: date = form.cleaned_data["start"]
    end: date = form.cleaned_data["end"]
    rows = [
        RegisterRow(
            code=v["code"] or "",
            procedure=v["procedure_version__name"],
            applicant=v["applicant_name"],
            lead_unit=v["handling_unit__name"],
            received_at=v["received_at"],
            due_at=v["due_at"],
            returned_at=v["returned_at"],
            return_method=(v["return_data"] or {}).get("method", "")
            if isinstance(v["return_data"], dict)
            else "",
            status=v["status"],
        )
        for v in selectors.register_dossiers(
            request.user,  # type: ignore[arg-type]
            roles,
            unit=unit,
            start=start,
            end=end,
        )
    ]
    stem = f"so-theo-doi-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}"
    if form.cleaned_data["format"] == "pdf":
        content = register_pdf(rows, unit_name=unit.name, start=start, end=end)
        content_type, filename = "application/pdf", f"{stem}.pdf"
    else:
        content = register_xlsx(rows, unit_name=unit.name, start=start, end=end)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        filename = f"{stem}.xlsx"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)
