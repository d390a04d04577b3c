"""Loading the demo: officers with roles, citizen accounts and dossiers (idempotent).

Every dossier is created and moved along through ``motcua.dossiers.services`` — never
by setting a status — and then given a realistic past by the demo-only
``demo.retime.demo_dossier_retime``.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from motcua.accounts.models import AccountKind, User
from motcua.accounts.services import officer_create
from motcua.catalog.models import ProcedureCase, ProcedureVersion
from motcua.core.calendar import add_working_time
from motcua.core.clock import local_now
from motcua.demo.people import PEOPLE, Person, person_id_numbers_check
from motcua.demo.retime import demo_dossier_retime
from motcua.demo.scenarios import OFFICES, Scenario, Step, form_data, scenarios
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, ReceivedAs
from motcua.units.models import StaffRole, Unit
from motcua.units.selectors import work_calendar
from motcua.units.services import role_assign

DEMO_OFFICERS: list[tuple[str, str, str | None, StaffRole | None]] = [
    ("admin", "Quản trị Hệ thống", None, None),
    # Phường Hoàn Kiếm, Hà Nội
    ("motcua.hoankiem", "Nguyễn Thị Hồng", "H01.00070.MC", StaffRole.ONE_STOP_OFFICER),
    ("chuyenvien.hoankiem", "Trần Văn Bình", "H01.00070", StaffRole.SPECIALIST),
    ("lanhdao.hoankiem", "Lê Minh Châu", "H01.00070", StaffRole.LEADER),
    ("quantri.hoankiem", "Phạm Quốc Dũng", "H01.00070", StaffRole.UNIT_ADMIN),
    # Phường Cửa Nam, Hà Nội
    ("motcua.cuanam", "Vũ Thị Thanh Hương", "H01.00073.MC", StaffRole.ONE_STOP_OFFICER),
    ("chuyenvien.cuanam", "Đặng Quốc Huy", "H01.00073", StaffRole.SPECIALIST),
    ("lanhdao.cuanam", "Bùi Thị Ngọc Anh", "H01.00073", StaffRole.LEADER),
    # Hà Nội: the Public Administration Service Centre and the city
    ("motcua.ttpvhcc.hanoi", "Ngô Thị Mai Phương", "H01.TTPVHCC", StaffRole.ONE_STOP_OFFICER),
    ("chuyenvien.hanoi", "Phan Văn Toàn", "H01", StaffRole.SPECIALIST),
    ("lanhdao.hanoi", "Trịnh Minh Đức", "H01", StaffRole.LEADER),
    ("giamsat.hanoi", "Hoàng Thu Hà", "H01", StaffRole.SUPERVISOR),
    ("kiemtra.congan", "Đỗ Văn Kiên", "H01", StaffRole.POPULATION_AUDITOR),
    # Phường Hải Châu, Đà Nẵng
    ("motcua.haichau", "Lê Thị Thu Trang", "H48.20242.MC", StaffRole.ONE_STOP_OFFICER),
    ("chuyenvien.haichau", "Huỳnh Văn Phúc", "H48.20242", StaffRole.SPECIALIST),
    ("lanhdao.haichau", "Trương Công Minh", "H48.20242", StaffRole.LEADER),
    ("giamsat.danang", "Nguyễn Văn Sơn", "H48", StaffRole.SUPERVISOR),
]
DEMO_UNIT_CODES = sorted({unit for _u, _n, unit, _r in DEMO_OFFICERS if unit})


def demo_officers_load() -> list[str]:
    """Create the missing demo officers with their roles; their login lines."""
    lines: list[str] = []
    with transaction.atomic():
        for username, full_name, unit_code, role in DEMO_OFFICERS:
            if User.objects.filter(username=username).exists():
                continue
            password = secrets.token_urlsafe(9)
            user, _device = officer_create(
                username=username,
                full_name=full_name,
                email=f"{username}@example.invalid",
                password=password,
                is_superuser=unit_code is None,
            )
            if unit_code and role:
                role_assign(
                    user=user,
                    unit=Unit.objects.get(code=unit_code),
                    role=role,
                    valid_from=date(2025, 7, 1),
                    actor=None,
                )
            lines.append(f"{username:22} {password}   {role or 'superuser'} @ {unit_code or '-'}")
    return lines


def demo_citizens_load() -> int:
    """Citizen accounts of the demo applicants (they sign in with the national e-ID)."""
    person_id_numbers_check()
    created = 0
    for person in PEOPLE.values():
        if User.objects.filter(personal_id=person.id_number).exists():
            continue
        user = User(
            username=person.username,
            full_name=person.name,
            email=person.email,
            phone=person.phone,
            personal_id=person.id_number,
            kind=AccountKind.CITIZEN,
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        created += 1
    return created


@dataclass
class DemoReport:
    created: int = 0
    existing: int = 0


def _exists(scenario: Scenario) -> bool:
    person, procedure, unit = scenario.key
    return Dossier.objects.filter(
        applicant_id_number=PEOPLE[person].id_number,
        procedure_version__procedure__code=procedure,
        receiving_unit__code=unit,
    ).exists()


def _case(procedure: str, case: str) -> ProcedureCase:
    version = (
        ProcedureVersion.objects.in_force(local_now().date())
        .filter(procedure__code=procedure)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise LookupError(f"procedure {procedure} is not in the catalog (import the seed)")
    return version.cases.get(code=case)


def _components(case: ProcedureCase, channel: str) -> list[services.ComponentInput]:
    received_as = {"online": ReceivedAs.ELECTRONIC, "post": ReceivedAs.CERTIFIED_COPY}.get(
        channel, ReceivedAs.ORIGINAL
    )
    return [
        services.ComponentInput(c.code, received_as=received_as)
        for c in case.components.all()
        if c.required and not c.registry
    ]


def _actor(scenario: Scenario, who: str) -> User:
    if who == "applicant":
        return User.objects.get(personal_id=PEOPLE[scenario.person].id_number)
    office_key, _dot, role = who.rpartition(".")
    office = OFFICES[office_key or scenario.office]
    return User.objects.get(username=getattr(office, role))


def _take(dossier: Dossier, scenario: Scenario, step: Step) -> Dossier:
    actor, p, args = _actor(scenario, step.actor), dossier.public_id, dict(step.args)
    if "to_unit" in args:
        args["to_unit"] = Unit.objects.get(code=args["to_unit"])
    if step.action == "apologise_extend":
        days = args.pop("working_days")
        assert dossier.due_at is not None
        args["new_due"] = add_working_time(
            dossier.due_at,
            timedelta(hours=8 * days),
            calendar=work_calendar(dossier.province_code),
        )
    service: Callable[..., Dossier] = getattr(services, f"dossier_{step.action}")
    return service(actor=actor, public_id=p, **args)


def _applicant(person: Person) -> services.Applicant:
    return services.Applicant(
        kind="citizen",
        name=person.name,
        id_number=person.id_number,
        address=person.address,
        phone=person.phone,
        email=person.email,
    )


def _create(scenario: Scenario) -> Dossier:
    person = PEOPLE[scenario.person]
    office = OFFICES[scenario.office]
    case = _case(scenario.procedure, scenario.case)
    with transaction.atomic():
        dossier = services.dossier_submit(
            actor=_actor(scenario, scenario.submitter),
            case=case,
            applicant=_applicant(person),
            channel=scenario.channel,
            receiving_unit=Unit.objects.get(code=office.receiving),
            form_data=form_data(
                scenario.procedure, person, office.province, scenario.submitted.date()
            ),
            components=_components(case, scenario.channel),
            verified_with_national_id=scenario.channel == "online",
        )
        for step in scenario.steps:
            dossier = _take(dossier, scenario, step)
        return demo_dossier_retime(
            dossier, [scenario.submitted, *(step.at for step in scenario.steps)]
        )


def _reception_instant(scenario: Scenario) -> Any:
    received = [s.at for s in scenario.steps if s.action == "receive"]
    return received[0] if received else scenario.submitted


def demo_dossiers_load() -> DemoReport:
    """Create the demo dossiers that do not exist yet (in order of reception)."""
    report = DemoReport()
    stories = scenarios(local_now())
    keys = Counter(s.key for s in stories)
    duplicated = [k for k, n in keys.items() if n > 1]
    if duplicated:
        raise ValueError(f"demo scenarios must differ in person, procedure or unit: {duplicated}")
    for scenario in sorted(stories, key=_reception_instant):
        if _exists(scenario):
            report.existing += 1
            continue
        _create(scenario)
        report.created += 1
    return report


def demo_summary() -> dict[str, Any]:
    """What the demo holds now (for the one-line summary)."""
    people = [p.id_number for p in PEOPLE.values()]
    dossiers = Dossier.objects.filter(applicant_id_number__in=people)
    statuses = Counter(dossiers.values_list("status", flat=True))
    return {
        "dossiers": sum(statuses.values()),
        "statuses": statuses,
        "units": dossiers.values("receiving_unit").distinct().count(),
        "provinces": dossiers.values("province_code").distinct().count(),
        "officers": User.objects.filter(username__in=[o[0] for o in DEMO_OFFICERS]).count(),
        "citizens": User.objects.filter(personal_id__in=people).count(),
    }
