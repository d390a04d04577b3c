"""The population database simulator: a deterministic, plausible synthetic population
behind the look-up protocol, over real HTTP."""

from __future__ import annotations

import collections
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from simulators.population.app import PopulationSimulator
from simulators.population.generator import (
    OLD_CODES_OF_PROVINCE,
    REFERENCE_DATE,
    Population,
    population,
)
from simulators.wsgi import serve_in_thread
from vietnam_provinces import Ward

from motcua.accounts.validators import (
    BIRTH_PROVINCE_CODES,
    personal_id_birth_year,
    validate_personal_id,
)

KEY = "population-key-for-tests-0123456789"


@pytest.fixture(scope="module")
def people() -> Population:
    return population()


@pytest.fixture(scope="module")
def base_url(people: Population) -> Iterator[str]:
    server = serve_in_thread(PopulationSimulator(api_keys=[KEY], people=people))
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def lookup(
    base_url: str, body: dict, *, key: str = KEY, request_id: str = "req-0001-abcd"
) -> httpx.Response:
    return httpx.post(
        f"{base_url}/v1/citizens/lookup",
        json=body,
        headers={"X-API-Key": key, "X-Request-ID": request_id},
    )


def test_the_population_has_100000_residents_with_valid_unique_id_numbers(
    people: Population,
) -> None:
    assert people.size == 100_000
    seen: set[str] = set()
    sexes: collections.Counter[str] = collections.Counter()
    for index in range(people.size):
        resident = people.resident(index)
        number = resident.id_number
        validate_personal_id(number)  # raises on an invalid number
        assert personal_id_birth_year(number) == resident.date_of_birth.year
        female_digit = int(number[3]) % 2 == 1
        assert female_digit == (resident.sex == "female")
        assert number[:3] in OLD_CODES_OF_PROVINCE[resident.birth_registration_place.province_code]
        assert resident.date_of_birth <= REFERENCE_DATE
        seen.add(number)
        sexes[resident.sex] += 1
    assert len(seen) == people.size
    assert {n[:3] for n in seen} <= BIRTH_PROVINCE_CODES
    assert 0.4 < sexes["female"] / people.size < 0.6


def test_the_old_province_codes_cover_every_pre_2025_province_once() -> None:
    codes = [c for olds in OLD_CODES_OF_PROVINCE.values() for c in olds]
    assert len(codes) == len(set(codes)) == 63
    assert set(codes) == BIRTH_PROVINCE_CODES


def test_the_same_seed_gives_the_same_people_and_another_seed_others() -> None:
    one, again, other = Population(seed=7), Population(seed=7), Population(seed=8)
    indices = [0, 1, 2, 999, 54_321, 99_999]
    assert [one.resident(i) for i in indices] == [again.resident(i) for i in indices]
    assert [one.resident(i).id_number for i in indices] != [
        other.resident(i).id_number for i in indices
    ]


def test_an_id_number_leads_back_to_its_resident(people: Population) -> None:
    for index in (0, 5, 777, 31_337, 99_999):
        resident = people.resident(index)
        assert people.find(resident.id_number) == resident
    resident = people.resident(42)
    changed = resident.id_number[:-1] + str((int(resident.id_number[-1]) + 1) % 10)
    assert people.find(changed) is None or people.find(changed).id_number == changed
    assert people.find("001099") is None
    assert people.find("abcdefghijkl") is None


def test_households_are_families_living_in_real_communes(people: Population) -> None:
    communes = {f"{int(w.code):05d}": f"{int(w.province_code):02d}" for w in Ward.iter_all()}
    provinces_used: set[str] = set()
    for number in range(0, people.household_count, 97):
        household = people.household(number)
        head = household.head
        assert head.relation_to_head == "head" and head.age >= 18
        home = head.permanent_residence
        assert communes[home.commune_code] == home.province_code
        provinces_used.add(home.province_code)
        spouse = people.spouse_of(head)
        for member in household.members:
            assert member.household == number
            assert member.permanent_residence == home
            current = member.current_residence
            assert communes[current.commune_code] == current.province_code
            if member.relation_to_head == "child":
                (father, father_id), (_mother, mother_id) = people.parents_of(member)
                parents = [p for p in (head, spouse) if p is not None]
                assert {father_id, mother_id} & {p.id_number for p in parents}
                for parent in parents:
                    assert parent.age - member.age >= 20
                if father_id:
                    assert member.family_name == father.split()[0]
                assert member.marital_status == "single"
        if spouse is not None:
            assert people.spouse_of(spouse) == head
            assert {head.sex, spouse.sex} == {"male", "female"}
            assert head.marital_status == spouse.marital_status == "married"
    assert len(provinces_used) == 34


def test_the_look_up_answers_a_full_record_over_http(base_url: str, people: Population) -> None:
    child = next(
        r
        for r in (people.resident(i) for i in range(200))
        if r.relation_to_head == "child" and r.age < 18
    )
    response = lookup(
        base_url,
        {
            "id_number": child.id_number,
            "full_name": "  " + child.full_name.upper().replace(" ", "  ") + " ",
            "date_of_birth": child.date_of_birth.isoformat(),
            "purpose": "eform_prefill",
            "requester": "H01",
        },
        request_id="req-child-0001",
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    answer = response.json()
    assert answer["request_id"] == "req-child-0001" and answer["found"] is True
    record = answer["citizen"]
    assert record["id_number"] == child.id_number
    assert record["full_name"] == child.full_name
    assert record["date_of_birth"] == child.date_of_birth.isoformat()
    assert record["nationality"] == {"code": "VN", "name": "Việt Nam"}
    assert record["household"]["relation_to_head"] == "child"
    head = people.household(child.household).head
    assert record["household"]["head"] == {"full_name": head.full_name, "id_number": head.id_number}
    residence = record["permanent_residence"]
    assert set(residence) == {
        "province_code",
        "province_name",
        "commune_code",
        "commune_name",
        "detail",
    }
    assert residence["detail"]
    parent_ids = {record["father"]["id_number"], record["mother"]["id_number"]} - {None}
    assert record["representative"]["id_number"] in parent_ids | {head.id_number}
    for key in (
        "birth_registration_place",
        "home_town",
        "current_residence",
        "ethnicity",
        "religion",
    ):
        assert record[key]


@pytest.mark.parametrize(
    "change",
    [
        {"full_name": "Nguyễn Văn Không Có"},
        {"date_of_birth": "1900-01-01"},
        {"id_number": "001090000000"},
    ],
)
def test_a_partial_match_is_simply_not_found(
    base_url: str, people: Population, change: dict
) -> None:
    resident = people.resident(1234)
    body = {
        "id_number": resident.id_number,
        "full_name": resident.full_name,
        "date_of_birth": resident.date_of_birth.isoformat(),
        "purpose": "counter_identity",
    } | change
    response = lookup(base_url, body)
    assert response.status_code == 200
    assert response.json() == {"request_id": "req-0001-abcd", "found": False}


def test_a_wrong_or_missing_key_is_refused(base_url: str) -> None:
    body = {
        "id_number": "001090000000",
        "full_name": "A",
        "date_of_birth": "1990-01-01",
        "purpose": "x",
    }
    assert lookup(base_url, body, key="wrong").status_code == 401
    response = httpx.post(
        f"{base_url}/v1/citizens/lookup", json=body, headers={"X-Request-ID": "abcdefgh"}
    )
    assert response.status_code == 401
    assert "X-API-Key" in response.headers["www-authenticate"]


def test_malformed_requests_name_their_fields(base_url: str) -> None:
    response = lookup(base_url, {"id_number": "12", "date_of_birth": "yesterday"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"id_number", "full_name", "date_of_birth", "purpose"}
    response = lookup(base_url, {}, request_id="no")
    assert response.status_code == 400 and "X-Request-ID" in response.json()["fields"]
    response = httpx.post(
        f"{base_url}/v1/citizens/lookup",
        content=b"not json",
        headers={"X-API-Key": KEY, "X-Request-ID": "abcdefgh", "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_the_simulator_keeps_its_own_log_by_request_id(base_url: str, people: Population) -> None:
    resident = people.resident(3)
    lookup(
        base_url,
        {
            "id_number": resident.id_number,
            "full_name": resident.full_name,
            "date_of_birth": resident.date_of_birth.isoformat(),
            "purpose": "counter_identity",
            "requester": "H48.TEST",
        },
        request_id="req-logged-42",
    )
    log = httpx.get(f"{base_url}/v1/requests", headers={"X-API-Key": KEY}).json()["requests"]
    assert {
        "request_id": "req-logged-42",
        "purpose": "counter_identity",
        "requester": "H48.TEST",
        "found": True,
    } in log
    assert httpx.get(f"{base_url}/v1/requests").status_code == 401
    assert httpx.get(f"{base_url}/v1/health").json()["residents"] == 100_000


def test_e_id_holders_are_at_least_14(people: Population) -> None:
    holders = people.with_e_id(limit=50)
    assert len(holders) == 50
    assert all(r.age >= 14 and r.e_id_level in {1, 2} for r in holders)
    assert all(
        people.resident(i).e_id_level == 0 for i in range(2000) if people.resident(i).age < 14
    )
    assert date(2025, 7, 1) == REFERENCE_DATE
