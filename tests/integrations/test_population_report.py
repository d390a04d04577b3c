"""The auditors' report: every population look-up appears, scoped to the auditor, read-only,
filterable and exportable as CSV — and nothing in it names the person looked up."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from simulators.population.generator import Resident, population

from motcua.accounts.models import AccountKind, User
from motcua.accounts.services import officer_create
from motcua.audit.models import AuditEntry
from motcua.integrations.models import PopulationLookup
from motcua.integrations.population import PopulationUnavailable, population_lookup
from motcua.units.models import RoleAssignment, StaffRole, Unit, UnitLevel

pytestmark = pytest.mark.django_db
REPORT = "/admin/integrations/populationlookup/"
EXPORT = REPORT + "export.csv"
SINCE = date(2025, 7, 1)


def officer(username: str, *roles: tuple[Unit, str], superuser: bool = False) -> Client:
    user, device = officer_create(
        username=username,
        full_name="Cán Bộ Kiểm Tra",
        email=f"{username}@example.invalid",
        password="Correct-Horse-Battery-9",
        is_superuser=superuser,
    )
    for unit, role in roles:
        RoleAssignment.objects.create(user=user, unit=unit, role=role, valid_from=SINCE)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def world(db: None) -> dict[str, object]:
    hanoi = Unit.objects.create(
        code="H01.MC", name="Một cửa Hà Nội", level=UnitLevel.ONE_STOP, province_code="01"
    )
    danang = Unit.objects.create(
        code="H48.MC", name="Một cửa Đà Nẵng", level=UnitLevel.ONE_STOP, province_code="48"
    )
    police = Unit.objects.create(
        code="G02.BCA", name="Bộ Công an", level=UnitLevel.MINISTRY, province_code="00"
    )
    counter = User.objects.create(username="canbo.hn", kind=AccountKind.OFFICER, is_staff=True)
    RoleAssignment.objects.create(
        user=counter, unit=hanoi, role=StaffRole.ONE_STOP_OFFICER, valid_from=SINCE
    )
    counter_dn = User.objects.create(username="canbo.dn", kind=AccountKind.OFFICER, is_staff=True)
    RoleAssignment.objects.create(
        user=counter_dn, unit=danang, role=StaffRole.ONE_STOP_OFFICER, valid_from=SINCE
    )
    return {
        "hanoi": hanoi,
        "danang": danang,
        "police": police,
        "counter": counter,
        "counter_dn": counter_dn,
    }


def ask(resident: Resident, **kwargs: object) -> None:
    population_lookup(
        id_number=resident.id_number,
        full_name=kwargs.pop("full_name", resident.full_name),  # type: ignore[arg-type]
        date_of_birth=resident.date_of_birth,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def lookups(world: dict[str, object]) -> list[Resident]:
    """Look-ups of every kind: officers in two provinces, a citizen, a failure."""
    people = population()
    residents = [people.resident(i) for i in (100, 200, 300, 400)]
    ask(
        residents[0],
        purpose="counter_identity",
        actor=world["counter"],
        unit=world["hanoi"],
        reference="1.001193",
    )
    ask(
        residents[1],
        purpose="counter_identity",
        actor=world["counter"],
        unit=world["hanoi"],
        full_name="Sai Tên",
    )
    ask(residents[2], purpose="dossier_processing", actor=world["counter_dn"], unit=world["danang"])
    citizen = User.objects.create(
        username="dan.1",
        kind=AccountKind.CITIZEN,
        personal_id=residents[3].id_number,
        full_name=residents[3].full_name,
        date_of_birth=residents[3].date_of_birth,
    )
    ask(residents[3], purpose="eform_prefill", actor=citizen)
    ask(residents[0], purpose="eform_prefill", actor=citizen)  # a stranger: refused
    with (
        override_settings(POPULATION_URL="http://127.0.0.1:9", POPULATION_API_KEY="x"),
        pytest.raises(PopulationUnavailable),
    ):
        ask(residents[2], purpose="dossier_processing", actor=None, unit=world["danang"])
    assert PopulationLookup.objects.count() == 6
    return residents


def exported(client: Client, query: str = "") -> list[dict[str, str]]:
    response = client.get(EXPORT + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="population-lookups-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_ministry_auditor_sees_every_look_up(
    world: dict[str, object], lookups: list[Resident]
) -> None:
    client = officer("kiemtra.bca", (world["police"], StaffRole.POPULATION_AUDITOR))
    page = client.get(REPORT)
    assert page.status_code == 200
    rows = exported(client)
    assert {r["request id"] for r in rows} == set(
        PopulationLookup.objects.values_list("request_id", flat=True)
    )
    assert sorted(r["result"] for r in rows) == sorted(
        ["found", "not_found", "found", "found", "refused", "failed"]
    )
    by_kind = {r["who"] for r in rows}
    assert by_kind == {"officer", "citizen", "system"}
    assert {r["account"] for r in rows if r["who"] == "officer"} == {"canbo.hn", "canbo.dn"}
    text = "\n".join(",".join(r.values()) for r in rows)
    for resident in lookups:
        for value in (resident.id_number, resident.full_name, resident.date_of_birth.isoformat()):
            assert value not in text
    export = AuditEntry.objects.get(action="population_lookup.export")
    assert export.data == {"rows": 6}


def test_a_provincial_auditor_sees_their_province_only(
    world: dict[str, object], lookups: list[Resident]
) -> None:
    client = officer("kiemtra.hn", (world["hanoi"], StaffRole.POPULATION_AUDITOR))
    rows = exported(client)
    assert {r["unit"] for r in rows} == {"H01.MC"}
    assert len(rows) == 2
    assert client.get(REPORT).status_code == 200


def test_filters_narrow_the_list_and_the_export(
    world: dict[str, object], lookups: list[Resident]
) -> None:
    client = officer("kiemtra.bca", (world["police"], StaffRole.POPULATION_AUDITOR))
    found = exported(client, "?outcome__exact=found")
    assert {r["result"] for r in found} == {"found"} and len(found) == 3
    prefill = exported(client, "?purpose__exact=eform_prefill&actor_kind__exact=citizen")
    assert {r["result"] for r in prefill} == {"found", "refused"}
    one = PopulationLookup.objects.filter(outcome="not_found").get()
    searched = client.get(REPORT, {"q": one.request_id})
    assert one.request_id in searched.content.decode()
    assert exported(client, f"?q={one.request_id}")[0]["request id"] == one.request_id
    page = client.get(REPORT, {"outcome__exact": "failed"}).content.decode()
    assert "Export CSV" in page and "export.csv?outcome__exact=failed" in page


def test_other_officers_see_nothing(world: dict[str, object], lookups: list[Resident]) -> None:
    client = officer("motcua.hn", (world["hanoi"], StaffRole.ONE_STOP_OFFICER))
    assert client.get(REPORT).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert "populationlookup" not in client.get("/admin/").content.decode()
    assert not AuditEntry.objects.filter(action="population_lookup.export").exists()


def test_the_report_is_read_only(world: dict[str, object], lookups: list[Resident]) -> None:
    client = officer("admin.root", superuser=True)
    entry = PopulationLookup.objects.first()
    assert entry is not None
    detail = client.get(f"{REPORT}{entry.pk}/change/")
    assert detail.status_code == 200
    before = list(PopulationLookup.objects.order_by("id").values())
    assert client.post(f"{REPORT}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{REPORT}{entry.pk}/change/", {"outcome": "not_found"}).status_code == 403
    assert client.get(f"{REPORT}add/").status_code == 403
    assert list(PopulationLookup.objects.order_by("id").values()) == before
