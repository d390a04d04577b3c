"""The official two-tier structure, loaded idempotently; reorganisation keeps history."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.units.models import AdministrativeArea, RoleAssignment, StaffRole, Unit, UnitLevel
from motcua.units.services import role_assign, unit_merge

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> None:
    call_command("load_units", verbosity=0)


def test_34_provinces_and_3321_communes(loaded: None) -> None:
    assert AdministrativeArea.objects.filter(parent__isnull=True).count() == 34
    assert AdministrativeArea.objects.filter(parent__isnull=False).count() == 3321
    hanoi = AdministrativeArea.objects.get(code="01")
    assert hanoi.name == "Thành phố Hà Nội"
    assert hanoi.children.filter(name="Phường Hoàn Kiếm").exists()


def test_every_area_has_a_committee_and_a_one_stop_section(loaded: None) -> None:
    assert Unit.objects.filter(level=UnitLevel.PROVINCE).count() == 34
    assert Unit.objects.filter(level=UnitLevel.COMMUNE).count() == 3321
    assert Unit.objects.filter(level=UnitLevel.ONE_STOP).count() == 34 + 3321
    section = Unit.objects.get(code="H01.00070.MC")
    assert section.parent.code == "H01.00070"
    assert section.parent.parent.code == "H01"
    assert section.province_code == "01"


def test_loading_twice_changes_nothing(loaded: None) -> None:
    before = (
        list(Unit.objects.order_by("pk").values()),
        list(AdministrativeArea.objects.order_by("code").values()),
        AuditEntry.objects.count(),
    )
    call_command("load_units", verbosity=0)
    after = (
        list(Unit.objects.order_by("pk").values()),
        list(AdministrativeArea.objects.order_by("code").values()),
        AuditEntry.objects.count(),
    )
    assert before == after


def test_a_merge_ends_the_sources_and_names_the_successor(loaded: None) -> None:
    a, b = Unit.objects.filter(level=UnitLevel.COMMUNE, province_code="01")[:2]
    unit_merge(sources=[a], into=b, effective=date(2027, 1, 1), actor=None)
    a.refresh_from_db()
    assert a.valid_to == date(2027, 1, 1) and a.successor == b
    assert Unit.objects.valid_on(date(2026, 12, 31)).filter(pk=a.pk).exists()
    assert not Unit.objects.valid_on(date(2027, 1, 1)).filter(pk=a.pk).exists()
    with pytest.raises(ValidationError):
        unit_merge(sources=[a], into=b, effective=date(2027, 6, 1), actor=None)


def test_roles_are_scoped_to_a_unit_and_only_for_officers(loaded: None, officer: User) -> None:
    unit = Unit.objects.get(code="H01.00070")
    role_assign(
        user=officer, unit=unit, role=StaffRole.SPECIALIST, valid_from=date(2025, 7, 1), actor=None
    )
    assert RoleAssignment.objects.get(user=officer).unit == unit
    citizen = User.objects.create_user(username="dan", password="x" * 12)
    with pytest.raises(ValidationError) as exc:
        role_assign(
            user=citizen, unit=unit, role=StaffRole.LEADER, valid_from=date(2025, 7, 1), actor=None
        )
    assert "user" in exc.value.message_dict
    assert not RoleAssignment.objects.filter(user=citizen).exists()
