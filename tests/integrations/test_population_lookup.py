"""The population database adapter: real HTTP client, the one look-up door, its log,
and the e-form prefill."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import translation
from simulators.population.app import PopulationSimulator
from simulators.population.generator import Population, Resident, population
from simulators.wsgi import Router, json_response, serve_in_thread

from motcua.accounts.models import AccountKind, User
from motcua.audit.models import AuditEntry
from motcua.catalog.exchange import PREFILL_SOURCES
from motcua.core.errors import DomainError, PermissionDenied
from motcua.integrations.models import AppendOnly, LookupOutcome, PopulationLookup
from motcua.integrations.population import (
    HttpPopulationDirectory,
    IdentityIncomplete,
    PopulationNotFound,
    PopulationProtocolError,
    PopulationRefused,
    PopulationUnavailable,
    population_lookup,
    prefill_for,
)
from motcua.units.models import RoleAssignment, StaffRole, Unit, UnitLevel

KEY = "adapter-test-key-abcdefghijklmnop"
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def people() -> Population:
    return population()


@pytest.fixture(scope="module")
def simulator_url(people: Population) -> Iterator[str]:
    server = serve_in_thread(PopulationSimulator(api_keys=[KEY], people=people))
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def real_http(simulator_url: str) -> Iterator[str]:
    """motcua configured with the population database at a URL, as in production."""
    with override_settings(POPULATION_URL=simulator_url, POPULATION_API_KEY=KEY):
        yield simulator_url


@pytest.fixture
def unit(db: None) -> Unit:
    return Unit.objects.create(
        code="H01.TEST.MC", name="Bộ phận Một cửa thử", level=UnitLevel.ONE_STOP, province_code="01"
    )


@pytest.fixture
def counter_officer(officer: User, unit: Unit) -> User:
    RoleAssignment.objects.create(
        user=officer, unit=unit, role=StaffRole.ONE_STOP_OFFICER, valid_from=date(2025, 7, 1)
    )
    return officer


def family(people: Population) -> tuple[Resident, Resident, Resident]:
    """A household with a head, a spouse and a child."""
    for number in range(people.household_count):
        members = people.household(number).members
        kinds = [m.relation_to_head for m in members]
        if kinds[:3] == ["head", "wife", "child"]:
            return members[0], members[1], members[2]
    raise AssertionError("no family found")


def citizen_account(resident: Resident, *, with_birth_date: bool = True) -> User:
    return User.objects.create(
        username=f"citizen-{resident.index}",
        kind=AccountKind.CITIZEN,
        full_name=resident.full_name,
        personal_id=resident.id_number,
        date_of_birth=resident.date_of_birth if with_birth_date else None,
        email="nguoidan@example.invalid",
        phone="0912345678",
    )


def personal_values(resident: Resident) -> set[str]:
    return {
        resident.id_number,
        resident.full_name,
        resident.date_of_birth.isoformat(),
        resident.permanent_residence.detail,
    }


def assert_log_holds_no_personal_data(resident: Resident) -> None:
    for row in PopulationLookup.objects.values():
        text = " ".join(str(v) for v in row.values())
        for value in personal_values(resident):
            assert value not in text


def test_an_officer_verifies_identity_at_the_counter_over_http(
    real_http: str, people: Population, counter_officer: User, unit: Unit
) -> None:
    resident = people.resident(2024)
    citizen = population_lookup(
        id_number=resident.id_number,
        full_name=resident.full_name,
        date_of_birth=resident.date_of_birth,
        purpose="counter_identity",
        actor=counter_officer,
        unit=unit,
        reference="1.001193",
    )
    assert citizen is not None
    assert citizen.id_number == resident.id_number
    assert citizen.full_name == resident.full_name
    assert citizen.date_of_birth == resident.date_of_birth
    assert citizen.permanent_residence.commune_code == resident.permanent_residence.commune_code
    assert citizen.permanent_residence.text.endswith(resident.permanent_residence.province_name)
    entry = PopulationLookup.objects.get()
    assert (entry.actor, entry.actor_kind, entry.unit, entry.province_code) == (
        counter_officer,
        "officer",
        unit,
        "01",
    )
    assert (entry.purpose, entry.reference, entry.outcome) == (
        "counter_identity",
        "1.001193",
        "found",
    )
    assert len(entry.request_id) == 32
    # The population database logged the same request id: the two logs join on it.
    seen = httpx.get(f"{real_http}/v1/requests", headers={"X-API-Key": KEY}).json()["requests"]
    assert {
        "request_id": entry.request_id,
        "purpose": "counter_identity",
        "requester": "H01.TEST.MC",
        "found": True,
    } in seen
    audit = AuditEntry.objects.get(action="population.lookup")
    assert audit.object_id == str(entry.pk) and audit.chain == "01"
    assert audit.data == {"purpose": "counter_identity", "outcome": "found", "unit": "H01.TEST.MC"}
    assert_log_holds_no_personal_data(resident)


def test_not_found_is_logged_too(
    real_http: str, people: Population, counter_officer: User, unit: Unit
) -> None:
    resident = people.resident(2025)
    found = population_lookup(
        id_number=resident.id_number,
        full_name="Tên Khác Hẳn",
        date_of_birth=resident.date_of_birth,
        purpose="counter_identity",
        actor=counter_officer,
        unit=unit,
    )
    assert found is None
    assert list(PopulationLookup.objects.values_list("outcome", flat=True)) == ["not_found"]


def test_an_officer_without_a_role_in_the_unit_may_not_look_up(
    real_http: str, people: Population, officer: User, unit: Unit
) -> None:
    resident = people.resident(1)
    for target in (unit, None):
        with pytest.raises(PermissionDenied):
            population_lookup(
                id_number=resident.id_number,
                full_name=resident.full_name,
                date_of_birth=resident.date_of_birth,
                purpose="counter_identity",
                actor=officer,
                unit=target,
            )
    assert not PopulationLookup.objects.exists()
    assert not AuditEntry.objects.filter(action="population.lookup").exists()


def test_an_unknown_purpose_is_refused_before_asking(
    real_http: str, people: Population, unit: Unit
) -> None:
    resident = people.resident(1)
    with pytest.raises(DomainError):
        population_lookup(
            id_number=resident.id_number,
            full_name=resident.full_name,
            date_of_birth=resident.date_of_birth,
            purpose="curiosity",
            actor=None,
            unit=unit,
        )
    assert not PopulationLookup.objects.exists()


def test_a_citizen_sees_themselves_and_their_child_but_no_stranger(
    real_http: str, people: Population
) -> None:
    head, _spouse, child = family(people)
    stranger = people.resident(people.household(10).members[0].index)
    account = citizen_account(head)
    for person in (head, child):
        found = population_lookup(
            id_number=person.id_number,
            full_name=person.full_name,
            date_of_birth=person.date_of_birth,
            purpose="eform_prefill",
            actor=account,
        )
        assert found is not None and found.id_number == person.id_number
    hidden = population_lookup(
        id_number=stranger.id_number,
        full_name=stranger.full_name,
        date_of_birth=stranger.date_of_birth,
        purpose="eform_prefill",
        actor=account,
    )
    assert hidden is None
    assert list(PopulationLookup.objects.order_by("id").values_list("outcome", "actor_kind")) == [
        ("found", "citizen"),
        ("found", "citizen"),
        ("refused", "citizen"),
    ]
    assert set(PopulationLookup.objects.values_list("province_code", flat=True)) == {""}


def test_prefill_gives_every_population_source_of_the_catalog(
    real_http: str, people: Population
) -> None:
    head, _spouse, _child = family(people)
    account = citizen_account(head)
    values = prefill_for(account, purpose="eform_prefill", actor=account, reference="1.001193")
    assert set(values) == set(PREFILL_SOURCES)
    assert values["population.id_number"] == head.id_number
    assert values["population.full_name"] == head.full_name
    assert values["population.date_of_birth"] == head.date_of_birth.isoformat()
    assert values["population.sex"] == {"male": "nam", "female": "nu"}[head.sex]
    assert values["population.nationality"] == "Việt Nam"
    assert values["population.ethnicity"] == head.ethnicity[1]
    residence = head.permanent_residence
    assert values["population.permanent_residence"] == (
        f"{residence.detail}, {residence.commune_name}, {residence.province_name}"
    )
    assert values["account.email"] == "nguoidan@example.invalid"
    assert values["account.phone"] == "0912345678"
    entry = PopulationLookup.objects.get()
    assert (entry.actor, entry.purpose, entry.outcome) == (account, "eform_prefill", "found")


def test_prefill_needs_a_verified_identity_and_an_existing_resident(
    real_http: str, people: Population
) -> None:
    resident = people.resident(77)
    incomplete = citizen_account(resident, with_birth_date=False)
    with pytest.raises(IdentityIncomplete) as excinfo:
        prefill_for(incomplete, purpose="eform_prefill", actor=incomplete)
    assert "VNeID" in excinfo.value.message
    assert not PopulationLookup.objects.exists()
    User.objects.filter(pk=incomplete.pk).update(date_of_birth=date(1950, 1, 1))
    incomplete.refresh_from_db()
    with pytest.raises(PopulationNotFound):
        prefill_for(incomplete, purpose="eform_prefill", actor=incomplete)
    assert list(PopulationLookup.objects.values_list("outcome", flat=True)) == ["not_found"]


def test_the_embedded_default_talks_to_the_in_process_simulator(people: Population) -> None:
    """No POPULATION_URL: the same protocol through the in-process simulator."""
    resident = people.resident(500)
    account = citizen_account(resident)
    values = prefill_for(account, purpose="eform_prefill", actor=account)
    assert values["population.id_number"] == resident.id_number


# --- failures: each is a clear error, logged as failed -------------------------------------


def unanswering_port() -> tuple[socket.socket, int]:
    """A socket that accepts connections (backlog) but never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    return listener, listener.getsockname()[1]


def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def ask(directory: HttpPopulationDirectory, resident: Resident, request_id: str = "req-fail-0001"):  # type: ignore[no-untyped-def]
    return directory.lookup(
        id_number=resident.id_number,
        full_name=resident.full_name,
        date_of_birth=resident.date_of_birth,
        purpose="eform_prefill",
        requester="",
        request_id=request_id,
    )


def test_a_database_that_does_not_answer_times_out_clearly(people: Population) -> None:
    listener, port = unanswering_port()
    try:
        directory = HttpPopulationDirectory(
            base_url=f"http://127.0.0.1:{port}", api_key=KEY, timeout=0.5
        )
        with translation.override("en"), pytest.raises(PopulationUnavailable) as excinfo:
            ask(directory, people.resident(1))
        assert excinfo.value.code == "timeout"
        assert "did not answer" in excinfo.value.message
    finally:
        listener.close()


def test_a_database_that_is_down_is_unavailable(people: Population) -> None:
    directory = HttpPopulationDirectory(
        base_url=f"http://127.0.0.1:{closed_port()}", api_key=KEY, timeout=2
    )
    with pytest.raises(PopulationUnavailable) as excinfo:
        ask(directory, people.resident(1))
    assert excinfo.value.code.startswith("connection:")


def test_wrong_credentials_are_refused(simulator_url: str, people: Population) -> None:
    directory = HttpPopulationDirectory(base_url=simulator_url, api_key="not-the-key", timeout=5)
    with pytest.raises(PopulationRefused) as excinfo:
        ask(directory, people.resident(1))
    assert excinfo.value.code == "http_401"


@pytest.mark.parametrize(
    ("status", "body", "error", "code"),
    [
        (503, {"error": "maintenance"}, PopulationUnavailable, "http_503"),
        (
            200,
            {"request_id": "someone-else", "found": False},
            PopulationProtocolError,
            "bad_answer:request_id",
        ),
        (
            200,
            {"request_id": "req-fail-0001", "found": "yes"},
            PopulationProtocolError,
            "bad_answer:found",
        ),
        (
            200,
            {"request_id": "req-fail-0001", "found": True, "citizen": {"id_number": "1"}},
            PopulationProtocolError,
            "bad_answer:date_of_birth",
        ),
        (302, {}, PopulationProtocolError, "bad_answer:http_302"),
    ],
)
def test_odd_answers_are_errors_not_guesses(
    people: Population, status: int, body: dict, error: type[Exception], code: str
) -> None:
    router = Router()
    router.add("/v1/citizens/lookup", lambda request: json_response(body, status), ["POST"])
    server = serve_in_thread(router)
    try:
        directory = HttpPopulationDirectory(
            base_url=f"http://127.0.0.1:{server.server_port}", api_key=KEY, timeout=5
        )
        with pytest.raises(error) as excinfo:
            ask(directory, people.resident(1))
        assert excinfo.value.code == code  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def test_a_failed_look_up_is_logged_as_failed_and_raised(people: Population, unit: Unit) -> None:
    resident = people.resident(9)
    with (
        override_settings(
            POPULATION_URL=f"http://127.0.0.1:{closed_port()}", POPULATION_API_KEY=KEY
        ),
        pytest.raises(PopulationUnavailable),
    ):
        population_lookup(
            id_number=resident.id_number,
            full_name=resident.full_name,
            date_of_birth=resident.date_of_birth,
            purpose="dossier_processing",
            actor=None,
            unit=unit,
        )
    entry = PopulationLookup.objects.get()
    assert (entry.outcome, entry.actor_kind) == (LookupOutcome.FAILED, "system")
    assert entry.error.startswith("connection:")


# --- the log is append-only ---------------------------------------------------------------


def test_the_log_cannot_be_changed_or_removed(
    real_http: str, people: Population, unit: Unit
) -> None:
    resident = people.resident(11)
    population_lookup(
        id_number=resident.id_number,
        full_name=resident.full_name,
        date_of_birth=resident.date_of_birth,
        purpose="dossier_processing",
        actor=None,
        unit=unit,
    )
    entry = PopulationLookup.objects.get()
    entry.outcome = LookupOutcome.NOT_FOUND
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        PopulationLookup.objects.filter(pk=entry.pk).update(outcome=LookupOutcome.NOT_FOUND)
    if connection.vendor == "postgresql":  # SQLite keeps DELETE for the test flush
        with pytest.raises(DatabaseError), transaction.atomic():
            PopulationLookup.objects.filter(pk=entry.pk).delete()
    assert PopulationLookup.objects.get().outcome == LookupOutcome.FOUND
