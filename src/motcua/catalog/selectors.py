"""Catalog reads shared by the portal, the API and the back office."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from motcua.catalog.models import ProcedureCase, ProcedureVersion
from motcua.catalog.text import fold

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8


class QueryTooLong(ValueError):
    pass


@dataclass(frozen=True)
class CatalogFilter:
    query: str = ""
    sector: str = ""
    level: str = ""
    online_level: str = ""


def versions_in_force(on: date) -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.in_force(on).select_related("procedure", "sector")


def catalog_search(filters: CatalogFilter, *, on: date) -> QuerySet[ProcedureVersion]:
    """Procedures in force on ``on`` matching the filters; name matches rank first.

    The query is folded (case, diacritics, NFC/NFD) and split into at most eight
    terms; every term must occur in the folded search text. Ranking: name starts
    with the query, then name contains it, then name contains every term, then the
    rest (code, sector, result), each by code.
    """
    if len(filters.query) > MAX_QUERY_LENGTH:
        raise QueryTooLong(filters.query[:20])
    qs = versions_in_force(on)
    if filters.sector:
        qs = qs.filter(sector__code=filters.sector)
    if filters.level:
        qs = (
            qs.filter(levels__contains=filters.level)
            if _json_contains_ok()
            else qs.filter(levels__icontains=f'"{filters.level}"')
        )
    if filters.online_level:
        qs = qs.filter(online_level=filters.online_level)
    folded = fold(filters.query)
    terms = folded.split()[:MAX_TERMS]
    if not terms:
        return qs.order_by("procedure__code")
    for term in terms:
        qs = qs.filter(search_text__contains=term)
    name_all = When(search_name__contains=terms[0], then=Value(2)) if len(terms) == 1 else None
    whens = [
        When(search_name__startswith=folded, then=Value(0)),
        When(search_name__contains=folded, then=Value(1)),
    ]
    if name_all is None:
        name_q = None
        for term in terms:
            clause = ProcedureVersion.objects.filter(search_name__contains=term).values("pk")
            name_q = clause if name_q is None else name_q.filter(pk__in=clause)
        whens.append(When(pk__in=name_q, then=Value(2)))
    return qs.annotate(rank=Case(*whens, default=Value(3), output_field=IntegerField())).order_by(
        "rank", "procedure__code"
    )


def _json_contains_ok() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def version_detail(pk: int) -> ProcedureVersion:
    return (
        ProcedureVersion.objects.select_related("procedure", "sector")
        .prefetch_related(
            "legal_bases",
            Prefetch(
                "cases",
                queryset=ProcedureCase.objects.prefetch_related("ways", "fees", "components"),
            ),
        )
        .get(pk=pk)
    )


def version_in_force(code: str, *, on: date) -> ProcedureVersion:
    version = versions_in_force(on).filter(procedure__code=code).order_by("-number").first()
    if version is None:
        raise ProcedureVersion.DoesNotExist(code)
    return version_detail(version.pk)
