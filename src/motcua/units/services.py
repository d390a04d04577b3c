"""Unit use cases: loading the official structure, reorganisation, role assignment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from vietnam_provinces import Province, VietNamDivisionType, Ward

from motcua.accounts.models import AccountKind, User
from motcua.audit.services import audit_record
from motcua.units.models import (
    REFORM_DATE,
    AdministrativeArea,
    AreaKind,
    RoleAssignment,
    StaffRole,
    Unit,
    UnitLevel,
)

_AREA_KIND = {
    VietNamDivisionType.TINH: AreaKind.PROVINCE,
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: AreaKind.CITY,
    VietNamDivisionType.XA: AreaKind.COMMUNE,
    VietNamDivisionType.PHUONG: AreaKind.WARD,
    VietNamDivisionType.DAC_KHU: AreaKind.SPECIAL_ZONE,
}


@dataclass(frozen=True)
class LoadReport:
    created: int
    updated: int
    unchanged: int


def province_code(value: int) -> str:
    return f"{int(value):02d}"


def commune_code(value: int) -> str:
    return f"{int(value):05d}"


def province_agency_id(pcode: str) -> str:
    """Provisional electronic agency ID of a provincial People's Committee.

    Decision 20/2020 assigns these codes by list; until an administrator enters the
    official one, motcua derives a stable provisional ID from the official
    administrative code (``H`` + the 2-digit province code). Admins may edit it.
    """
    return f"H{pcode}"


def _sync(
    model: type[models.Model], wanted: Sequence[models.Model], fields: list[str], key: str
) -> LoadReport:
    manager = model._default_manager
    existing = {getattr(obj, key): obj for obj in manager.all()}
    to_create, to_update, unchanged = [], [], 0
    for obj in wanted:
        current = existing.get(getattr(obj, key))
        if current is None:
            to_create.append(obj)
        elif any(getattr(current, f) != getattr(obj, f) for f in fields):
            for f in fields:
                setattr(current, f, getattr(obj, f))
            to_update.append(current)
        else:
            unchanged += 1
    manager.bulk_create(to_create, batch_size=1000)
    if to_update:
        manager.bulk_update(to_update, fields, batch_size=1000)
    return LoadReport(created=len(to_create), updated=len(to_update), unchanged=unchanged)


def _official_areas() -> tuple[list[AdministrativeArea], list[AdministrativeArea]]:
    provinces = [
        AdministrativeArea(
            code=province_code(p.code),
            name=p.name,
            kind=_AREA_KIND[p.division_type],
            codename=p.codename,
            parent_id=None,
        )
        for p in sorted(Province.iter_all(), key=lambda p: int(p.code))
    ]
    communes = [
        AdministrativeArea(
            code=commune_code(w.code),
            name=w.name,
            kind=_AREA_KIND[w.division_type],
            codename=w.codename,
            parent_id=province_code(w.province_code),
        )
        for w in sorted(Ward.iter_all(), key=lambda w: int(w.code))
    ]
    return provinces, communes


def units_load_official(*, actor: User | None = None) -> dict[str, LoadReport]:
    """Load the post-2025 structure: areas, People's Committees, one-stop sections.

    Idempotent: a second run creates and changes nothing. Units an administrator
    edited keep their edits to code, except name/level/area which follow the source.
    """
    provinces, communes = _official_areas()
    area_fields = ["name", "kind", "codename", "parent_id"]
    with transaction.atomic():
        reports = {
            "provinces": _sync(AdministrativeArea, provinces, area_fields, "code"),
            "communes": _sync(AdministrativeArea, communes, area_fields, "code"),
        }
        unit_fields = ["name", "name_en", "level", "province_code", "area_id", "parent_id"]
        pc_units = [
            Unit(
                code=province_agency_id(a.code),
                name=f"Ủy ban nhân dân {a.name}",
                name_en=f"People's Committee of {a.codename.replace('_', ' ').title()}",
                level=UnitLevel.PROVINCE,
                province_code=a.code,
                area_id=a.code,
                parent_id=None,
                valid_from=REFORM_DATE,
            )
            for a in provinces
        ]
        reports["province_committees"] = _sync(Unit, pc_units, unit_fields, "code")
        by_code = dict(Unit.objects.filter(level=UnitLevel.PROVINCE).values_list("code", "pk"))
        centres = [
            Unit(
                code=f"{province_agency_id(a.code)}.TTPVHCC",
                name=f"Trung tâm Phục vụ hành chính công {a.name}",
                name_en="Public Administration Service Centre",
                level=UnitLevel.ONE_STOP,
                province_code=a.code,
                area_id=a.code,
                parent_id=by_code[province_agency_id(a.code)],
                valid_from=REFORM_DATE,
            )
            for a in provinces
        ]
        reports["province_centres"] = _sync(Unit, centres, unit_fields, "code")
        commune_units = [
            Unit(
                code=f"{province_agency_id(a.parent_id or '')}.{a.code}",
                name=f"Ủy ban nhân dân {a.name}",
                name_en="Commune People's Committee",
                level=UnitLevel.COMMUNE,
                province_code=a.parent_id or "",
                area_id=a.code,
                parent_id=by_code[province_agency_id(a.parent_id or "")],
                valid_from=REFORM_DATE,
            )
            for a in communes
        ]
        reports["commune_committees"] = _sync(Unit, commune_units, unit_fields, "code")
        by_code = dict(Unit.objects.filter(level=UnitLevel.COMMUNE).values_list("code", "pk"))
        sections = [
            Unit(
                code=f"{u.code}.MC",
                name=f"Bộ phận Một cửa {u.name}",
                name_en="One-stop section",
                level=UnitLevel.ONE_STOP,
                province_code=u.province_code,
                area_id=u.area_id,
                parent_id=by_code[u.code],
                valid_from=REFORM_DATE,
            )
            for u in commune_units
        ]
        reports["commune_sections"] = _sync(Unit, sections, unit_fields, "code")
        if any(r.created or r.updated for r in reports.values()):
            audit_record(
                action="units.loaded",
                actor=actor,
                object_type="unit",
                data={k: {"created": r.created, "updated": r.updated} for k, r in reports.items()},
            )
    return reports


def unit_merge(*, sources: list[Unit], into: Unit, effective: date, actor: User | None) -> None:
    """Merge units into another from ``effective`` on: the sources end, history stays."""
    if into in sources:
        raise ValidationError({"into": _("A unit cannot be merged into itself.")})
    if not into.is_valid_on(effective):
        raise ValidationError({"into": _("The receiving unit is not valid on that date.")})
    with transaction.atomic():
        for unit in Unit.objects.select_for_update().filter(pk__in=[u.pk for u in sources]):
            if unit.valid_to is not None and unit.valid_to <= effective:
                raise ValidationError(
                    {"sources": _("%(code)s had already ended.") % {"code": unit.code}}
                )
            if effective <= unit.valid_from:
                raise ValidationError(
                    {
                        "effective": _("The merger date must be after %(code)s began.")
                        % {"code": unit.code}
                    }
                )
            unit.valid_to = effective
            unit.successor = into
            unit.save(update_fields=["valid_to", "successor"])
            audit_record(
                action="unit.merged",
                actor=actor,
                object_type="unit",
                object_id=unit.pk,
                chain=unit.province_code or "national",
                data={"into": into.pk, "effective": effective.isoformat()},
            )


def role_assign(
    *, user: User, unit: Unit, role: StaffRole, valid_from: date, actor: User | None
) -> RoleAssignment:
    if user.kind != AccountKind.OFFICER:
        raise ValidationError({"user": _("Only officer accounts can hold a role in a unit.")})
    with transaction.atomic():
        assignment = RoleAssignment(user=user, unit=unit, role=role, valid_from=valid_from)
        assignment.full_clean()
        assignment.save()
        audit_record(
            action="role.assigned",
            actor=actor,
            object_type="role_assignment",
            object_id=assignment.pk,
            chain=unit.province_code or "national",
            data={"user": user.pk, "unit": unit.pk, "role": str(role)},
        )
    return assignment
