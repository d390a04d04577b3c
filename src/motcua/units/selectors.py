from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from motcua.units.models import RoleAssignment, StaffRole, Unit


def roles_of(user_id: int, *, on: date) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.active_on(on).filter(user_id=user_id).select_related("unit")


def units_where(user_id: int, role: StaffRole, *, on: date) -> QuerySet[Unit]:
    return Unit.objects.filter(
        pk__in=RoleAssignment.objects.active_on(on)
        .filter(user_id=user_id, role=role)
        .values("unit_id")
    )
