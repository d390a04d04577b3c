from __future__ import annotations

from datetime import date, time

from django.db.models import Q, QuerySet

from motcua.core.calendar import DEFAULT_OFFICE_HOURS, OfficeHours, WorkCalendar
from motcua.units.models import (
    AdjustmentKind,
    CalendarAdjustment,
    RoleAssignment,
    StaffRole,
    Unit,
)


def roles_of(user_id: int, *, on: date) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.active_on(on).filter(user_id=user_id).select_related("unit")


def units_where(user_id: int, role: StaffRole, *, on: date) -> QuerySet[Unit]:
    return Unit.objects.filter(
        pk__in=RoleAssignment.objects.active_on(on)
        .filter(user_id=user_id, role=role)
        .values("unit_id")
    )


def work_calendar(province_code: str) -> WorkCalendar:
    """The national calendar with the adjustments admins keep for the country and province."""
    rows = CalendarAdjustment.objects.filter(
        Q(province_code="") | Q(province_code=province_code)
    ).values_list("day", "kind", "province_code")
    off: dict[date, bool] = {}
    for day, kind, _scope in sorted(rows, key=lambda r: r[2]):  # province overrides national
        off[day] = kind == AdjustmentKind.DAY_OFF
    return WorkCalendar(
        extra_days_off=frozenset(d for d, is_off in off.items() if is_off),
        extra_working_days=frozenset(d for d, is_off in off.items() if not is_off),
    )


def office_hours(unit: Unit) -> OfficeHours:
    if not unit.office_hours:
        return DEFAULT_OFFICE_HOURS
    periods = tuple(
        (time.fromisoformat(start), time.fromisoformat(end)) for start, end in unit.office_hours
    )
    return OfficeHours(periods=periods)
