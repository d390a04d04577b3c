"""A small world for dossier tests: units, officers with roles, a citizen, a procedure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from motcua.accounts.models import AccountKind, User
from motcua.accounts.services import officer_create
from motcua.catalog.models import ProcedureCase
from motcua.catalog.services import catalog_import
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, ComponentInput, dossier_submit
from motcua.units.models import StaffRole, Unit, UnitLevel
from motcua.units.services import role_assign
from tests.catalog.samples import document

CITIZEN_ID = "001090012345"


@dataclass
class World:
    province: Unit
    committee: Unit
    section: Unit
    other_committee: Unit
    reception: User
    specialist: User
    leader: User
    other_specialist: User
    other_leader: User
    supervisor: User
    citizen: User
    stranger: User
    case: ProcedureCase

    def submit(self, *, actor: User | None = None, **changes: object) -> Dossier:
        actor = actor or self.citizen
        kwargs: dict[str, object] = {
            "actor": actor,
            "case": self.case,
            "applicant": Applicant(
                kind="citizen",
                name="Nguyễn Thị Lan",
                id_number=CITIZEN_ID,
                address="12 Hàng Bài, Hoàn Kiếm",
                phone="0912345678",
                email="lan@example.invalid",
            ),
            "channel": "online",
            "receiving_unit": self.section,
            "form_data": {"full_name": "Nguyễn Thị Lan", "id_number": CITIZEN_ID},
            "components": [ComponentInput("TP1"), ComponentInput("TP2")],
        }
        kwargs.update(changes)
        return dossier_submit(**kwargs)  # type: ignore[arg-type]


def _unit(code: str, level: str, parent: Unit | None = None) -> Unit:
    return Unit.objects.create(
        code=code, name=f"Đơn vị {code}", level=level, parent=parent, province_code="01"
    )


def _officer(username: str, unit: Unit, role: StaffRole) -> User:
    user, _device = officer_create(
        username=username,
        full_name=f"Cán bộ {username}",
        email=f"{username}@example.invalid",
        password="Correct-Horse-Battery-9",
    )
    role_assign(user=user, unit=unit, role=role, valid_from=date(2025, 7, 1), actor=None)
    return user


@pytest.fixture
def world(db: None) -> World:
    catalog_import(document())
    province = _unit("H01", UnitLevel.PROVINCE)
    committee = _unit("H01.00070", UnitLevel.COMMUNE, province)
    section = _unit("H01.00070.MC", UnitLevel.ONE_STOP, committee)
    other = _unit("H01.00073", UnitLevel.COMMUNE, province)
    citizen = User.objects.create_user(
        username="lan", password="x" * 12, kind=AccountKind.CITIZEN, personal_id=CITIZEN_ID
    )
    stranger = User.objects.create_user(
        username="binh", password="x" * 12, kind=AccountKind.CITIZEN, personal_id="001090054321"
    )
    return World(
        province=province,
        committee=committee,
        section=section,
        other_committee=other,
        reception=_officer("motcua", section, StaffRole.ONE_STOP_OFFICER),
        specialist=_officer("chuyenvien", committee, StaffRole.SPECIALIST),
        leader=_officer("lanhdao", committee, StaffRole.LEADER),
        other_specialist=_officer("chuyenvien2", other, StaffRole.SPECIALIST),
        other_leader=_officer("lanhdao2", other, StaffRole.LEADER),
        supervisor=_officer("giamsat", province, StaffRole.SUPERVISOR),
        citizen=citizen,
        stranger=stranger,
        case=ProcedureCase.objects.get(),
    )
