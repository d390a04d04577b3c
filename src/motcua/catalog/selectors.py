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
one- and two-letter terms.

The search is one hand-written statement, the same text on both databases but for the
level filter and the string aggregate: it is the hottest read of the public site, and
building it with the ORM cost as much Python time as PostgreSQL spent running it. An
inner query ranks the narrow rows (id, code, rank) and counts every match with
``COUNT(*) OVER ()``; the outer one joins the columns a list shows for that page only.
``tests/catalog/test_search.py`` holds it to a plain-Python statement of these rules and
to ``ProcedureVersionQuerySet.in_force``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import Prefetch, QuerySet

from motcua.catalog.models import (
    Level,
    OnlineLevel,
    ProcedureCase,
    ProcedureVersion,
    Sector,
    VersionStatus,
)
from motcua.catalog.text import fold

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
PUBLIC_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.RETIRED)
# ProcedureVersion.number is a PositiveIntegerField: larger numbers cannot exist.
MAX_VERSION_NUMBER = 2_147_483_647
# The most rows one read of the results returns (the API allows 100 per page).
MAX_PAGE_ROWS = 1000
_FOLDED = re.compile(r"^[0-9a-z. ]*$")


class QueryTooLong(ValueError):
    pass


@dataclass(frozen=True)
class CatalogFilter:
    query: str = ""
    sector: str = ""
    level: str = ""
    online_level: str = ""


@dataclass(frozen=True)
class SectorLine:
    code: str
    name: str
    name_en: str


@dataclass(frozen=True)
class ProcedureSummary:
    """One procedure of a result list: its version in force, as much as a list shows."""

    code: str
    number: int
    name: str
    name_en: str
    sector: SectorLine
    levels: tuple[str, ...]
    online_level: str
    essential: bool
    # Shortest and longest time limit per unit over every case and channel; filled when
    # the search was asked for ``durations``.
    durations: Mapping[str, tuple[int, int]] = field(default_factory=dict)


def search_terms(query: str) -> tuple[str, list[str]]:
    """The folded query and its terms (at most ``MAX_TERMS``).

    :func:`fold` keeps only letters, digits, dots and single spaces, so neither holds a
    LIKE wildcard (``%``, ``_``) or a quote; checked here, since the SQL relies on it.
    """
    folded = fold(query)
    if not _FOLDED.match(folded):
        raise ValueError(f"unexpected character in the folded query {folded!r}")
    return folded, folded.split()[:MAX_TERMS]


def versions_in_force(on: date) -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.in_force(on).select_related("procedure", "sector")


# {rank}, {total}, {where}, {durations}: fragments below; v is the version, p its procedure.
_PAGE_SQL = """
SELECT m.code, m.total, v.number, v.name, v.name_en, v.levels, v.online_level, v.essential,
       s.code, s.name, s.name_en{durations}
FROM (
    SELECT v.id AS id, p.code AS code, {rank} AS rank, {total} AS total
    FROM catalog_procedureversion v
    JOIN catalog_procedure p ON p.id = v.procedure_id
    WHERE {where}
    ORDER BY 3, 2
    LIMIT %s OFFSET %s
) m
JOIN catalog_procedureversion v ON v.id = m.id
JOIN catalog_sector s ON s.id = v.sector_id
ORDER BY m.rank, m.code
"""
_COUNT_SQL = "SELECT COUNT(*) FROM catalog_procedureversion v WHERE {where}"
# Every time limit of the version as "unit:duration" words; evaluated for the page only.
_DURATIONS_SQL = """,
       (SELECT {aggregate}(w.duration_unit || ':' || CAST(w.duration AS TEXT), ' ')
        FROM catalog_wayofperforming w
        JOIN catalog_procedurecase c ON c.id = w.case_id
        WHERE c.version_id = v.id)"""


def _words_sql(column: str, terms: list[str]) -> tuple[str, list[str]]:
    """Every term starts a word of ``column``: it follows a space or the start."""
    return " AND ".join([f"(' ' || {column}) LIKE %s"] * len(terms)), [f"% {t}%" for t in terms]


def _rank_sql(folded: str, terms: list[str]) -> tuple[str, list[str]]:
    """0: the name starts with the query; 1: it holds the query from the start of a word;
    2: every term starts a word of the name; 3: the rest. One ``CASE``, no subquery."""
    sql = "CASE WHEN v.search_name LIKE %s THEN 0 WHEN (' ' || v.search_name) LIKE %s THEN 1"
    params = [f"{folded}%", f"% {folded}%"]
    if len(terms) > 1:
        every, every_params = _words_sql("v.search_name", terms)
        sql += f" WHEN {every} THEN 2"
        params += every_params
    return f"{sql} ELSE 3 END", params


def catalog_search(filters: CatalogFilter, *, on: date, durations: bool = False) -> CatalogResults:
    """Procedures in force on ``on`` matching the filters, best first (see the module doc).

    With ``durations``, each result also carries its time limits (for the portal).
    Nothing is read until a page (or the count) is asked for.
    """
    if len(filters.query) > MAX_QUERY_LENGTH:
        raise QueryTooLong(filters.query[:20])
    if filters.level and filters.level not in Level.values:
        raise ValueError(f"unknown level {filters.level!r}")
    if filters.online_level and filters.online_level not in OnlineLevel.values:
        raise ValueError(f"unknown online level {filters.online_level!r}")
    day = connection.ops.adapt_datefield_value(on)
    # ProcedureVersionQuerySet.in_force, in SQL (a test keeps the two the same).
    where = [
        "v.status IN (%s, %s)",
        "v.effective_from <= %s",
        "(v.effective_to IS NULL OR v.effective_to > %s)",
    ]
    params: list[Any] = [*PUBLIC_STATUSES, day, day]
    if filters.sector:
        where.append("v.sector_id IN (SELECT id FROM catalog_sector WHERE code = %s)")
        params.append(filters.sector)
    if filters.level and connection.vendor == "postgresql":
        where.append("v.levels @> %s::jsonb")
        params.append(json.dumps([filters.level]))
    elif filters.level:  # the JSON text holds the quoted value (values are plain words)
        where.append("v.levels LIKE %s")
        params.append(f'%"{filters.level}"%')
    if filters.online_level:
        where.append("v.online_level = %s")
        params.append(filters.online_level)
    folded, terms = search_terms(filters.query)
    if terms:
        words, words_params = _words_sql("v.search_text", terms)
        where.append(words)
        params += words_params
        rank, rank_params = _rank_sql(folded, terms)
    else:
        rank, rank_params = "0", []
    return CatalogResults(
        where=" AND ".join(where),
        params=params,
        rank=rank,
        rank_params=rank_params,
        ranked=bool(terms),
        durations=durations,
    )


class CatalogResults:
    """The matches of one search, read a page at a time: the object list of a paginator.

    A ranked search (with words) counts in the page query (``COUNT(*) OVER ()``): the
    database sorts every match anyway, so the count costs next to nothing there, and
    :class:`CatalogPaginator` reads it instead of counting apart. A plain listing (no
    words) is counted apart: ordered by code, its page query stops after one page.
    """

    ordered = True  # for Django's paginator: the order is the ranking

    def __init__(
        self,
        *,
        where: str,
        params: list[Any],
        rank: str,
        rank_params: list[Any],
        ranked: bool,
        durations: bool,
    ) -> None:
        self._where, self._params = where, params
        self._rank, self._rank_params = rank, rank_params
        self.ranked = ranked
        self._durations = durations

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(_COUNT_SQL.format(where=self._where), self._params)
            return int(cursor.fetchone()[0])

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[ProcedureSummary]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("catalog results are read by pages: results[start:stop]")
        start = index.start or 0
        stop = index.stop if index.stop is not None else start + MAX_PAGE_ROWS
        return self.fetch(start, max(stop - start, 0))[0]

    def fetch(self, offset: int, limit: int) -> tuple[list[ProcedureSummary], int | None]:
        """``limit`` results from ``offset``, and the number of matches when ranked."""
        if limit <= 0:
            return [], None
        aggregate = "GROUP_CONCAT" if connection.vendor == "sqlite" else "STRING_AGG"
        sql = _PAGE_SQL.format(
            rank=self._rank,
            total="COUNT(*) OVER ()" if self.ranked else "NULL",
            where=self._where,
            durations=_DURATIONS_SQL.format(aggregate=aggregate) if self._durations else "",
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self._rank_params, *self._params, limit, offset])
            rows = cursor.fetchall()
        total = rows[0][1] if rows and self.ranked else None
        return [self._summary(row) for row in rows], total

    @staticmethod
    def _summary(row: tuple[Any, ...]) -> ProcedureSummary:
        code, _total, number, name, name_en, levels, online_level, essential = row[:8]
        return ProcedureSummary(
            code=code,
            number=number,
            name=name,
            name_en=name_en,
            sector=SectorLine(*row[8:11]),
            levels=tuple(json.loads(levels) if isinstance(levels, str) else levels),
            online_level=online_level,
            essential=bool(essential),
            durations=_duration_spans(row[11]) if len(row) > 11 else {},
        )


def _duration_spans(text: str | None) -> dict[str, tuple[int, int]]:
    """``"working-days:5 working-days:8 …"`` as ``{unit: (shortest, longest)}``."""
    spans: dict[str, tuple[int, int]] = {}
    for item in (text or "").split():
        unit, _colon, number = item.partition(":")
        duration = int(number)
        low, high = spans.get(unit, (duration, duration))
        spans[unit] = (min(low, duration), max(high, duration))
    return spans


class CatalogPaginator(Paginator):
    """Django's paginator over :class:`CatalogResults`, taking a ranked search's count from
    its page query: one query per page where Django's paginator counts first.

    A separate count still runs when no row comes back (a page past the end) or for a
    page number too large to be real. Behaviour is Django's: same pages, same errors.
    """

    MAX_FUSED_PAGE = 10_000

    def page(self, number: Any) -> Page:
        results = self.object_list
        if (
            "count" in self.__dict__
            or not isinstance(results, CatalogResults)
            or not results.ranked
        ):
            return super().page(number)
        number = self._page_number(number)
        if number > self.MAX_FUSED_PAGE:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows, total = results.fetch(bottom, self.per_page + self.orphans)
        if rows:
            self.__dict__["count"] = total
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
