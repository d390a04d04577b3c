"""Integration clients: token authentication, scopes, and the intake of handed-over dossiers."""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from motcua.dossiers.models import Dossier, Status
from motcua.integrations.clients import integration_client_create
from motcua.integrations.models import IntegrationClient
from motcua.units.models import Unit, UnitLevel
from tests.api.test_dossier_api import API, effects, submission
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import World

world = dossier_fixtures.world  # the shared fixture, used by name

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/intake/dossiers/"
EXTERNAL = "G22.01-261008-000123"


def handover(**changes: Any) -> dict[str, Any]:
    body = submission(external_code=EXTERNAL, verified_with_national_id=True)
    del body["receiving_unit"]  # the client's unit by default
    body.update(changes)
    return body


def send(token: str | None, body: Any, **headers: str) -> Any:
    if token is not None:
        headers["Authorization"] = f"Token {token}"
    return Client(HTTP_ACCEPT_LANGUAGE="en").post(
        INTAKE, data=json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.fixture
def token(world: World) -> str:
    out, err = StringIO(), StringIO()
    call_command(
        "create_integration_client",
        "national-portal",
        "--unit",
        world.section.code,
        "--scope",
        "intake",
        stdout=out,
        stderr=err,
    )
    assert "shown only now" in err.getvalue()
    return out.getvalue().strip()


def test_the_token_is_printed_once_and_stored_as_a_hash(token: str) -> None:
    client = IntegrationClient.objects.get()
    assert len(token) >= 40 and client.scopes == ["intake"]
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(list(IntegrationClient.objects.values()), default=str)


def test_the_command_refuses_unknown_units_and_scopes(world: World) -> None:
    with pytest.raises(CommandError, match="no unit"):
        call_command("create_integration_client", "x", "--unit", "NOPE", "--scope", "intake")
    with pytest.raises(CommandError, match="Unknown scope"):
        call_command(
            "create_integration_client", "x", "--unit", world.section.code, "--scope", "all"
        )
    assert not IntegrationClient.objects.exists()


def test_a_handed_over_dossier_is_created_once(world: World, token: str) -> None:
    first = send(token, handover())
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["external_code"] == EXTERNAL and body["status"] == "new"
    assert body["receiving_unit"] == world.section.code
    dossier = Dossier.objects.get()
    assert dossier.verified_with_national_id and dossier.applicant_account is None
    assert dossier.events.get().actor is None
    again = send(token, handover())
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    changed = send(token, handover(form_data={"full_name": "Other", "id_number": "001090012345"}))
    assert changed.status_code == 200 and changed.json()["id"] == body["id"]
    assert Dossier.objects.count() == 1
    # The officers of the receiving unit take it from there.
    reception = Client()
    reception.force_login(world.reception)
    response = reception.post(f"{API}{body['id']}/receive/", content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == Status.RECEIVED


def test_intake_accepts_an_idempotency_key_too(token: str) -> None:
    first = send(token, handover(), **{"Idempotency-Key": "h-1"})
    second = send(token, handover(), **{"Idempotency-Key": "h-1"})
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true" and second.json() == first.json()


def test_a_named_unit_must_be_in_the_clients_province(world: World, token: str) -> None:
    other = Unit.objects.create(
        code="H79", name="Đơn vị H79", level=UnitLevel.PROVINCE, province_code="79"
    )
    before = effects()
    refused = send(token, handover(receiving_unit=other.code))
    assert refused.status_code == 400 and "receiving_unit" in refused.json()["errors"]
    assert effects() == before
    elsewhere = send(token, handover(receiving_unit=world.committee.code))
    assert elsewhere.status_code == 201 and elsewhere.json()["receiving_unit"] == "H01.00070"
    clash = send(token, handover())  # same external code, another unit
    assert clash.status_code == 409
    assert Dossier.objects.count() == 1


def test_input_errors_name_fields_and_change_nothing(token: str) -> None:
    before = effects()
    for body, field in [
        (handover(external_code=""), "external_code"),
        (handover(external_code="bad code!"), "external_code"),
        (handover(verified_with_national_id="maybe"), "verified_with_national_id"),
        (handover(applicant={"kind": "citizen", "name": "X", "id_number": "1"}), None),
        ({"external_code": EXTERNAL}, "procedure"),
    ]:
        response = send(token, body)
        assert response.status_code == 400, body
        if field:
            assert field in response.json()["errors"], response.json()
    assert effects() == before


def test_authentication_and_scopes(world: World, token: str) -> None:
    _client, no_scope = integration_client_create(name="reader", unit=world.section, scopes=[])
    before = effects()
    missing = send(None, handover())
    assert missing.status_code == 401 and missing["WWW-Authenticate"] == "Token"
    assert send("not-a-token", handover()).status_code == 401
    malformed = Client().post(
        INTAKE, data="{}", content_type="application/json", headers={"Authorization": "Token"}
    )
    assert malformed.status_code == 401
    forbidden = send(no_scope, handover())
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "permission_denied"
    IntegrationClient.objects.filter(name="national-portal").update(is_active=False)
    assert send(token, handover()).status_code == 401
    # A logged-in person is not an integration client.
    officer = Client()
    officer.force_login(world.reception)
    assert officer.post(INTAKE, data="{}", content_type="application/json").status_code == 401
    assert effects() == before


def test_a_token_opens_nothing_but_its_endpoints(world: World, token: str) -> None:
    world.submit()
    headers = {"Authorization": f"Token {token}"}
    assert Client().get(API, headers=headers).status_code == 403
    ref = Dossier.objects.get().reference
    response = Client().post(
        f"{API}{ref}/receive/", data="{}", content_type="application/json", headers=headers
    )
    assert response.status_code == 403
    assert Dossier.objects.get().status == Status.NEW
