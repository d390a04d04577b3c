"""Public catalog pages: parse the request, ask the catalog selectors, render.

Every part of a procedure that the law requires to be public is on its page; older
published versions stay readable with ``?version=N``. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_safe

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import (
    MAX_VERSION_NUMBER,
    CatalogPaginator,
    QueryTooLong,
    catalog_search,
    published_version,
    published_versions,
    sectors,
    version_in_force,
    version_number_in_force,
    versions_in_force,
)
from motcua.core.clock import local_now
from motcua.portal.display import result_summaries
from motcua.portal.forms import CatalogSearchForm

PAGE_SIZE = 20


@dataclass(frozen=True)
class SectorSummary:
    code: str
    name: str
    name_en: str
    procedures: int


def _today() -> date:
    return local_now().date()


def _page(paginator: Paginator, raw: str | None) -> Page:
    """The requested page; anything that is not a page of these results gives page 1."""
    try:
        return paginator.page(raw or 1)
    except InvalidPage:
        return paginator.page(1)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    rows = (
        versions_in_force(_today())
        .values("sector__code", "sector__name", "sector__name_en")
        .annotate(procedures=Count("id"))
        .order_by("sector__name")
    )
    context = {
        "form": CatalogSearchForm(None, sectors=sectors()),
        "sectors": [
            SectorSummary(
                code=row["sector__code"],
                name=row["sector__name"],
                name_en=row["sector__name_en"],
                procedures=row["procedures"],
            )
            for row in rows
        ],
    }
    return render(request, "portal/home.html", context)


@require_safe
def catalog(request: HttpRequest) -> HttpResponse:
    form = CatalogSearchForm(request.GET, sectors=sectors())
    context: dict[str, object] = {"form": form, "page": None}
    if not form.is_valid():
        return render(request, "portal/catalog.html", context, status=400)
    filters = form.catalog_filter()
    try:
        results = catalog_search(filters, on=_today(), durations=True)
    except QueryTooLong:  # the form already refuses it; kept as a guard
        return render(request, "portal/catalog.html", context, status=400)
    page = _page(CatalogPaginator(results, PAGE_SIZE), request.GET.get("page"))
    query = QueryDict(mutable=True)
    for name in ("q", "sector", "level", "online_level"):
        if form.cleaned_data[name]:
            query[name] = form.cleaned_data[name]
    context.update(
        page=page,
        results=result_summaries(page),
        page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        query=query,
    )
    return render(request, "portal/catalog.html", context)


def _requested_version(request: HttpRequest) -> int | None:
    """``?version=N`` as a number; ``0`` stands for a value that names no version."""
    raw = request.GET.get("version")
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return 0
    number = int(raw)
    return number if 1 <= number <= MAX_VERSION_NUMBER else 0


def _not_found(request: HttpRequest, code: str, number: int | None = None) -> HttpResponse:
    context = {"code": code, "number": number}
    return render(request, "portal/procedure_not_found.html", context, status=404)


@require_safe
def procedure(request: HttpRequest, code: str) -> HttpResponse:
    today = _today()
    number = _requested_version(request)
    if number is None:
        try:
            version = version_in_force(code, on=today)
        except ProcedureVersion.DoesNotExist:
            return _not_found(request, code)
        in_force_number: int | None = version.number
    else:
        in_force_number = version_number_in_force(code, on=today)
        try:
            version = published_version(code, number)
        except ProcedureVersion.DoesNotExist:
            return _not_found(request, code, number)
    versions = (
        published_versions(code)
        .only("number", "status", "effective_from", "effective_to")
        .order_by("-number")
    )
    context = {
        "today": today,
        "version": version,
        "in_force": version.number == in_force_number,
        "in_force_number": in_force_number,
        "versions": list(versions),
    }
    return render(request, "portal/procedure.html", context)
