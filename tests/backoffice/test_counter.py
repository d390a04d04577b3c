"""Counter reception of walk-in applicants and routing by competence."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from motcua.backoffice.routing import competent_unit
from motcua.catalog.models import ProcedureCase
from motcua.dossiers.models import AttachmentRole, Dossier, DossierAttachment, Status
from motcua.units.models import Unit, UnitLevel
from tests.backoffice.conftest import World, verified_client

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def form_for(world: World, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "token": "tok-1",
        "receiving_unit": world.section.pk,
        "applicant_commune": "",
        "applicant_kind": "citizen",
        "applicant_name": "Trần Thị Ngọc Ánh",
        "applicant_id_number": "001090012345",
        "applicant_address": "5 Lý Thường Kiệt, Hà Nội",
        "applicant_phone": "0987654321",
        "applicant_email": "",
        "representative_name": "",
        "representative_id_number": "",
        "f_full_name": "Trần Thị Ngọc Ánh",
        "f_id_number": "001090012345",
        "f_purpose": "",
        "c_TP1_as": "original",
        "c_TP1_count": "1",
        "c_TP2_as": "certified_copy",
        "c_TP2_count": "2",
    }
    data.update(changes)
    return data


def counter_url(case: ProcedureCase) -> str:
    return reverse("backoffice:counter_case", args=[case.pk])


def test_search_finds_the_case_without_diacritics(world: World) -> None:
    client = verified_client(world.reception)
    response = client.get(reverse("backoffice:counter"), {"q": "khai sinh"})
    assert response.status_code == 200
    assert counter_url(world.case) in response.content.decode()


def test_only_one_stop_officers_use_the_counter(world: World) -> None:
    assert verified_client(world.specialist).get(reverse("backoffice:counter")).status_code == 403
    assert verified_client(world.specialist).get(counter_url(world.case)).status_code == 403


def test_walk_in_dossier_is_received_with_its_slip_in_one_go(world: World) -> None:
    client = verified_client(world.reception)
    form = client.get(counter_url(world.case))
    assert form.status_code == 200
    response = client.post(counter_url(world.case), form_for(world))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("backoffice:dossier", args=[dossier.code])
    assert dossier.channel == "in_person" and dossier.status == Status.RECEIVED
    assert dossier.applicant_name == "Trần Thị Ngọc Ánh"
    assert dossier.handling_unit == world.committee  # the section's own committee
    received = {c.code: (c.received_as, c.count) for c in dossier.components.all()}
    assert received == {"TP1": ("original", 1), "TP2": ("certified_copy", 2)}
    assert DossierAttachment.objects.filter(
        dossier=dossier, role=AttachmentRole.RECEIPT_SLIP
    ).exists()
    # The same form posted again (double click, reload) does not make a second dossier.
    again = client.post(counter_url(world.case), form_for(world))
    assert again.status_code == 302 and Dossier.objects.count() == 1


def test_a_dossier_for_another_commune_goes_to_that_commune(world: World) -> None:
    client = verified_client(world.reception)
    response = client.post(
        counter_url(world.case), form_for(world, applicant_commune=world.other_committee.pk)
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.receiving_unit == world.section
    assert dossier.handling_unit == world.other_committee
    assert dossier.status == Status.PROCESSING
    forward = dossier.events.get(action="forward")
    assert forward.to_unit == world.other_committee
    # The competent commune's officers find it in their tasks.
    tasks = verified_client(world.other_specialist).get(
        reverse("backoffice:queue", args=["viec-cua-toi"])
    )
    assert [r.code for r in tasks.context["page"].rows] == [dossier.code]


def test_missing_required_component_is_refused_and_nothing_is_stored(world: World) -> None:
    client = verified_client(world.reception)
    response = client.post(counter_url(world.case), form_for(world, c_TP2_as=""))
    assert response.status_code == 400
    assert "Giấy chứng sinh" in response.content.decode()  # named in the error
    assert not Dossier.objects.exists()


def test_invalid_id_number_is_refused_on_its_field(world: World) -> None:
    client = verified_client(world.reception)
    response = client.post(counter_url(world.case), form_for(world, applicant_id_number="123"))
    assert response.status_code == 400
    assert response.context["form"].errors.get("applicant_id_number")
    assert not Dossier.objects.exists()


def test_routing_rule(world: World) -> None:
    case = world.case  # commune level
    assert competent_unit(case=case, receiving_unit=world.section, on=TODAY) == world.committee
    assert (
        competent_unit(
            case=case,
            receiving_unit=world.section,
            applicant_commune=world.other_committee,
            on=TODAY,
        )
        == world.other_committee
    )
    version = case.version
    version.levels = ["province"]
    version.save(update_fields=["levels"])
    case.refresh_from_db()
    assert competent_unit(case=case, receiving_unit=world.section, on=TODAY) == world.province
    # A commune chosen for a province-level procedure does not change the province rule.
    assert (
        competent_unit(
            case=case,
            receiving_unit=world.section,
            applicant_commune=world.other_committee,
            on=TODAY,
        )
        == world.province
    )
    elsewhere = Unit.objects.create(
        code="H48", name="Đà Nẵng", level=UnitLevel.COMMUNE, province_code="48"
    )
    with pytest.raises(ValueError):
        competent_unit(
            case=case, receiving_unit=world.section, applicant_commune=elsewhere, on=TODAY
        )


def test_population_lookup_fills_the_applicant_and_is_logged(world: World) -> None:
    from simulators.population.generator import population

    from motcua.integrations.models import LookupOutcome, PopulationLookup

    resident = next(r for r in (population().resident(i) for i in range(50)) if r.e_id_level > 0)
    client = verified_client(world.reception)
    response = client.post(
        counter_url(world.case),
        form_for(
            world,
            lookup="1",
            applicant_name=resident.full_name,
            applicant_id_number=resident.id_number,
            applicant_birth_date=resident.date_of_birth.isoformat(),
            f_full_name="",
            f_id_number="",
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["applicant_name"] == resident.full_name
    assert form.initial["applicant_address"]  # the permanent residence, as written
    assert form.initial["f_full_name"] == resident.full_name  # the case's prefill map
    assert form.initial["f_id_number"] == resident.id_number
    log = PopulationLookup.objects.get()
    assert log.outcome == LookupOutcome.FOUND and log.unit_id == world.section.pk
    assert not Dossier.objects.exists()  # a look-up receives nothing


def test_population_lookup_needs_the_date_of_birth(world: World) -> None:
    from motcua.integrations.models import PopulationLookup

    client = verified_client(world.reception)
    response = client.post(counter_url(world.case), form_for(world, lookup="1"))
    assert response.status_code == 200
    assert response.context["lookup_error"]
    assert not PopulationLookup.objects.exists()
