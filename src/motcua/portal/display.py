"""How catalog values read on the portal: names in the active language, money, durations.

Every sentence is a whole translatable string with placeholders (no gluing of pieces),
so a translator sees ``%(count)s working days`` and can order the words freely.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal
from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext, to_locale

from motcua.catalog.models import (
    Channel,
    DurationUnit,
    Level,
    OnlineLevel,
    ProcedureCase,
    Subject,
    WayOfPerforming,
)
from motcua.catalog.selectors import ProcedureSummary

CHANNEL_ORDER: list[str] = [channel.value for channel in Channel]
UNIT_ORDER: list[str] = [
    DurationUnit.WORKING_HOURS.value,
    DurationUnit.WORKING_DAYS.value,
    DurationUnit.CALENDAR_DAYS.value,
]


def english_active() -> bool:
    return (get_language() or "vi").lower().startswith("en")


def localized(obj: Any, field: str = "name") -> str:
    """``obj.<field>_en`` when English is active and it is filled, else ``obj.<field>``."""
    if english_active():
        english = getattr(obj, f"{field}_en", "")
        if english:
            return str(english)
    return str(getattr(obj, field))


def money_vnd(amount: int) -> str:
    """An amount in đồng with the thousands separator of the active language."""
    locale = to_locale(get_language() or "vi")
    return gettext("%(amount)s VND") % {"amount": format_decimal(amount, locale=locale)}


def duration_text(count: int, unit: str) -> str:
    if unit == DurationUnit.WORKING_HOURS:
        text = ngettext("%(count)s working hour", "%(count)s working hours", count)
    elif unit == DurationUnit.CALENDAR_DAYS:
        text = ngettext("%(count)s calendar day", "%(count)s calendar days", count)
    else:
        text = ngettext("%(count)s working day", "%(count)s working days", count)
    return text % {"count": count}


def duration_range_text(low: int, high: int, unit: str) -> str:
    if low == high:
        return duration_text(low, unit)
    if unit == DurationUnit.WORKING_HOURS:
        text = gettext("%(low)s to %(high)s working hours")
    elif unit == DurationUnit.CALENDAR_DAYS:
        text = gettext("%(low)s to %(high)s calendar days")
    else:
        text = gettext("%(low)s to %(high)s working days")
    return text % {"low": low, "high": high}


def duration_spans_text(spans: Mapping[str, tuple[int, int]]) -> str:
    """``{unit: (shortest, longest)}`` as text, hours before working days before calendar days."""
    ordered = sorted(spans, key=lambda u: UNIT_ORDER.index(u) if u in UNIT_ORDER else 99)
    return "; ".join(duration_range_text(*spans[unit], unit) for unit in ordered)


@dataclass(frozen=True)
class ResultSummary:
    """One line of the search results, every text ready in the active language."""

    code: str
    url: str
    name: str
    sector: str
    levels: str
    duration: str
    online_level: str
    online_level_label: str
    essential: bool


# A valid procedure code that stands in for each real one in a URL reversed once per page.
URL_CODE_PLACEHOLDER = "CODE"


def result_summaries(results: Iterable[ProcedureSummary]) -> list[ResultSummary]:
    """The lines of a page of search results (read with ``durations``); the page URL is
    reversed once, with a placeholder for the code (codes are URL-safe)."""
    url = reverse("portal:procedure", args=[URL_CODE_PLACEHOLDER])
    before, _placeholder, after = url.rpartition(URL_CODE_PLACEHOLDER)
    online_labels = dict(OnlineLevel.choices)
    return [
        ResultSummary(
            code=result.code,
            url=f"{before}{result.code}{after}",
            name=localized(result),
            sector=localized(result.sector),
            levels=", ".join(level_labels(result.levels)),
            duration=duration_spans_text(result.durations),
            online_level=result.online_level,
            online_level_label=str(online_labels.get(result.online_level, result.online_level)),
            essential=result.essential,
        )
        for result in results
    ]


def ordered_ways(case: ProcedureCase) -> list[WayOfPerforming]:
    """The ways of a case in the legal order: in person, online, by post."""
    return sorted(
        case.ways.all(),
        key=lambda w: CHANNEL_ORDER.index(w.channel) if w.channel in CHANNEL_ORDER else 99,
    )


def level_labels(values: Iterable[str]) -> list[str]:
    labels = dict(Level.choices)
    return [str(labels.get(value, value)) for value in values]


def subject_labels(values: Iterable[str]) -> list[str]:
    labels = dict(Subject.choices)
    return [str(labels.get(value, value)) for value in values]
