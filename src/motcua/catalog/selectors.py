"""Catalog reads shared by the portal, the API and the back office.

Search, the same on every database:

- the query is folded (:func:`motcua.catalog.text.fold`: case, diacritics, NFC/NFD) and
  split into at most eight terms;
- a term matches a procedure when a word of its folded search text (name, English
  name, code, sector, result) *starts with* the term — words are what the spaces
  separate, so ``ho`` finds ``hộ``, ``hồ sơ`` and ``hoạt động`` but not ``thọ``, and a
  code such as ``1.001193`` is one word; every term must match;
- ranking: the name starts with the query, then the name holds the query from the
  start of a word, then every term starts a word of the name, then the rest (matches in
  the code, sector or result only); each group by code.

The word test is ``(' ' || search_text) LIKE '% ho%'`` per term on every database, so
SQLite and PostgreSQL select exactly the same rows. On PostgreSQL a pg_trgm GIN index on
``' ' || search_text`` (migration 0003) serves it: the space before the term anchors it
at a word start, which gives the index whole trigrams (``"  h"``, ``" ho"``) even for
one- and two-letter terms. The ranking is one ``CASE`` over the folded name, evaluated
only on the rows that matched.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    Window,
)
from django.db.models.functions import Cast, Concat
from django.db.models.sql.compiler import SQLCompiler

from motcua.catalog.models import (
    ProcedureCase,
    ProcedureVersion,
    Sector,
    VersionStatus,
    WayOfPerforming,
)
from motcua.catalog.text import fold

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
PUBLIC_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.RETIRED)
# ProcedureVersion.number is a PositiveIntegerField: larger numbers cannot exist.
MAX_VERSION_NUMBER = 2_147_483_647
# The columns a result list shows (API summary, portal result): the long texts (steps,
# requirements, notes, search text) stay in the database.
SUMMARY_FIELDS = (
    "number",
    "name",
    "name_en",
    "levels",
    "online_level",
    "essential",
    "procedure__code",
    "sector__code",
    "sector__name",
    "sector__name_en",
)
_FOLDED = re.compile(r"^[0-9a-z. ]*$")


class QueryTooLong(ValueError):
    pass


@dataclass(frozen=True)
class CatalogFilter:
    query: str = ""
    sector: str = ""
    level: str = ""
    online_level: str = ""


def search_terms(query: str) -> tuple[str, list[str]]:
    """The folded query and its terms (at most ``MAX_TERMS``).

    :func:`fold` keeps only letters, digits, dots and single spaces, so neither holds a
    LIKE wildcard (``%``, ``_``) or a quote; checked here, since the SQL relies on it.
    """
    folded = fold(query)
    if not _FOLDED.match(folded):
        raise ValueError(f"unexpected character in the folded query {folded!r}")
    return folded, folded.split()[:MAX_TERMS]


class WordsStartWith(Func):
    """True where every term starts a word of the folded text column (LIKE, any database).

    ``(' ' || col) LIKE '% term%'``: the term follows a space or the start of the text.
    The terms come from :func:`search_terms`, so they hold no LIKE wildcard.
    """

    output_field = BooleanField()

    def __init__(self, column: str, terms: Sequence[str]) -> None:
        if not terms:
            raise ValueError("at least one term")
        super().__init__(F(column))
        self.terms = tuple(terms)

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.source_expressions[0])
        clause = " AND ".join([f"(' ' || {column}) LIKE %s"] * len(self.terms))
        return f"({clause})", (*params, *(f"% {term}%" for term in self.terms))


class NameRank(Func):
    """0: the name starts with the query; 1: it holds the query from the start of a word;
    2: every term starts a word of the name; 3: the rest. One ``CASE``, no subquery."""

    output_field = IntegerField()

    def __init__(self, column: str, folded: str, terms: Sequence[str]) -> None:
        super().__init__(F(column))
        self.folded = folded
        self.terms = tuple(terms)

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.source_expressions[0])
        padded = f"(' ' || {column})"
        whens = [f"WHEN {column} LIKE %s THEN 0", f"WHEN {padded} LIKE %s THEN 1"]
        values: list[Any] = [*params, f"{self.folded}%", *params, f"% {self.folded}%"]
        if len(self.terms) > 1:
            whens.append(f"WHEN {' AND '.join([f'{padded} LIKE %s'] * len(self.terms))} THEN 2")
            for term in self.terms:
                values += [*params, f"% {term}%"]
        return f"CASE {' '.join(whens)} ELSE 3 END", tuple(values)


def versions_in_force(on: date) -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.in_force(on).select_related("procedure", "sector")


def catalog_search(filters: CatalogFilter, *, on: date) -> QuerySet[ProcedureVersion]:
    """Procedures in force on ``on`` matching the filters, best first (see the module doc).

    The versions carry only the columns of a result list (``SUMMARY_FIELDS``), with
    their procedure and sector joined. With words, each also carries ``result_count``,
    the number of matches, which :class:`CatalogPaginator` reads instead of counting.
    """
    if len(filters.query) > MAX_QUERY_LENGTH:
        raise QueryTooLong(filters.query[:20])
    conditions: list[Any] = []
    if filters.sector:
        conditions.append(Q(sector__code=filters.sector))
    if filters.level:
        conditions.append(
            Q(levels__contains=filters.level)
            if _json_contains_ok()
            else Q(levels__icontains=f'"{filters.level}"')
        )
    if filters.online_level:
        conditions.append(Q(online_level=filters.online_level))
    folded, terms = search_terms(filters.query)
    if terms:
        conditions.append(WordsStartWith("search_text", terms))
    qs = versions_in_force(on).filter(*conditions).only(*SUMMARY_FIELDS)
    if not terms:
        return qs.order_by("procedure__code")
    return qs.annotate(result_count=Window(Count("*"))).order_by(
        NameRank("search_name", folded, terms).asc(), "procedure__code"
    )


def _json_contains_ok() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


class CatalogPaginator(Paginator):
    """A paginator that takes the total from the page query when the rows carry it.

    A ranked search (:func:`catalog_search` with words) annotates every row with
    ``result_count`` (``COUNT(*) OVER ()``): the database sorts every match anyway, so
    the count costs next to nothing there, and one query answers both the page and the
    total where Django's paginator runs a count and then the page. A plain listing
    (no words) is counted apart: ordered by code, its page query stops after one page.
    A separate count also runs when no row comes back (a page past the end) or for a
    page number too large to be real. Behaviour is Django's: same pages, same errors.
    """

    MAX_FUSED_PAGE = 10_000

    def page(self, number: Any) -> Page:
        qs = self.object_list
        if (
            "count" in self.__dict__
            or not isinstance(qs, QuerySet)
            or "result_count" not in qs.query.annotations
        ):
            return super().page(number)
        number = self._page_number(number)
        if number > self.MAX_FUSED_PAGE:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(qs[bottom : bottom + self.per_page + self.orphans])
        if rows:
            self.__dict__["count"] = rows[0].result_count
        elif number == 1:
            self.__dict__["count"] = 0
        number = self.validate_number(number)  # counts here only when no row came back
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(rows[: top - bottom], number, self)

    def _page_number(self, number: Any) -> int:
        """``validate_number`` without the upper bound (which needs the count)."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


class _TextAgg(Aggregate):
    """The texts of a group joined by spaces: ``STRING_AGG`` (PostgreSQL), ``GROUP_CONCAT``."""

    function = "STRING_AGG"
    output_field = TextField()

    def __init__(self, expression: Any) -> None:
        super().__init__(expression, Value(" "))

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def with_durations(versions: QuerySet[ProcedureVersion]) -> QuerySet[ProcedureVersion]:
    """``versions`` with ``way_durations``: every time limit of every case and channel.

    One correlated subquery, in the same query as the page; PostgreSQL evaluates it
    after the sort and limit, so only for the rows of the page. Read it with
    :func:`duration_spans`.
    """
    return versions.annotate(way_durations=_way_durations())


@functools.cache
def _way_durations() -> Subquery:
    """Built once: the expression is the same for every query (Django copies it on use)."""
    ways = (
        WayOfPerforming.objects.filter(case__version_id=OuterRef("pk"))
        .order_by()
        .values("case__version_id")
        .annotate(
            text=_TextAgg(
                Concat(
                    "duration_unit",
                    Value(":"),
                    Cast("duration", TextField()),
                    output_field=TextField(),
                )
            )
        )
        .values("text")
    )
    return Subquery(ways, output_field=TextField())


def duration_spans(version: ProcedureVersion) -> dict[str, tuple[int, int]]:
    """Shortest and longest time limit per unit of a version from :func:`with_durations`."""
    spans: dict[str, tuple[int, int]] = {}
    if "way_durations" not in vars(version):
        raise ValueError("read the versions through with_durations() first")
    text: str | None = vars(version)["way_durations"]  # None: a version without ways
    for item in (text or "").split():
        unit, _colon, number = item.partition(":")
        duration = int(number)
        low, high = spans.get(unit, (duration, duration))
        spans[unit] = (min(low, duration), max(high, duration))
    return spans


def sectors() -> QuerySet[Sector]:
    """Every sector, by name (the choices of the sector filter)."""
    return Sector.objects.order_by("name")


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
    """The version of ``code`` in force on ``on``, in full; ``DoesNotExist`` when none is."""
    pk = (
        ProcedureVersion.objects.in_force(on)
        .filter(procedure__code=code)
        .order_by("-number")
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        raise ProcedureVersion.DoesNotExist(code)
    return version_detail(pk)


def version_number_in_force(code: str, *, on: date) -> int | None:
    """The number of the version of ``code`` in force on ``on``; ``None`` when none is."""
    return (
        ProcedureVersion.objects.in_force(on)
        .filter(procedure__code=code)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )


def published_versions(code: str) -> QuerySet[ProcedureVersion]:
    """Every published or retired version of ``code``, oldest first (drafts are not public)."""
    return ProcedureVersion.objects.filter(
        procedure__code=code, status__in=PUBLIC_STATUSES
    ).order_by("number")


def published_version(code: str, number: int) -> ProcedureVersion:
    """Version ``number`` of ``code`` in full; ``DoesNotExist`` for a draft or none."""
    if not 1 <= number <= MAX_VERSION_NUMBER:
        raise ProcedureVersion.DoesNotExist(code, number)
    pk = published_versions(code).filter(number=number).values_list("pk", flat=True).first()
    if pk is None:
        raise ProcedureVersion.DoesNotExist(code, number)
    return version_detail(pk)
