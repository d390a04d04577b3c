"""Small display helpers of the back office."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def working_left(value: timedelta | None) -> str:
    """Office time left, e.g. ``3 h 05 min left`` (working hours, not wall-clock)."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return _("%(hours)s h %(minutes)02d min of office time left") % {
        "hours": hours,
        "minutes": minutes,
    }


@register.filter
def localized(obj: Any, field: str = "name") -> str:
    """The English variant of ``field`` when English is active and it exists."""
    english = (get_language() or "vi").lower().startswith("en")
    if english:
        value = getattr(obj, f"{field}_en", "") or ""
        if value:
            return str(value)
    return str(getattr(obj, field, "") or "")
