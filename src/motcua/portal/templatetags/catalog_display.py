"""Template filters for catalog pages: ``{% load catalog_display %}``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.http import QueryDict

from motcua.catalog.models import ProcedureCase, WayOfPerforming
from motcua.portal import display

register = template.Library()


@register.filter
def localized(obj: Any, field: str = "name") -> str:
    """``{{ version|localized }}``, ``{{ case|localized:"result_name" }}``."""
    return display.localized(obj, field)


@register.filter
def vnd(amount: int) -> str:
    return display.money_vnd(amount)


@register.filter
def duration(way: WayOfPerforming) -> str:
    return display.duration_text(way.duration, way.duration_unit)


@register.filter
def ordered_ways(case: ProcedureCase) -> list[WayOfPerforming]:
    return display.ordered_ways(case)


@register.filter
def level_labels(values: Iterable[str]) -> list[str]:
    return display.level_labels(values)


@register.filter
def subject_labels(values: Iterable[str]) -> list[str]:
    return display.subject_labels(values)


@register.simple_tag
def page_query(params: QueryDict, number: int) -> str:
    """The current query string with ``page`` set to ``number`` (for pagination links)."""
    query = params.copy()
    query["page"] = str(number)
    return query.urlencode()
