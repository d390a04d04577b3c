"""Idempotency-Key on submit and commands: one effect, the first answer again, races."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from motcua.core.clock import now
from motcua.core.models import IdempotencyRecord
from motcua.dossiers.models import Dossier, DossierEvent
from tests.api.test_dossier_api import API, api, effects, post, submission
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import World

world = dossier_fixtures.world  # the shared fixture, used by name


@pytest.mark.django_db
def test_the_same_key_twice_gives_one_dossier_and_the_same_answer(world: World) -> None:
    citizen = api(world.citizen)
    first = post(citizen, API, submission(), **{"Idempotency-Key": "submit-1"})
    second = post(citizen, API, submission(), **{"Idempotency-Key": "submit-1"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert second["Location"] == first["Location"]
    assert Dossier.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert record.scope == f"user:{world.citizen.pk}" and record.response_status == 201
    # Key order and spacing do not matter: the body is compared in canonical JSON.
    reordered = json.dumps(dict(reversed(list(submission().items()))), indent=2)
    third = citizen.post(
        API,
        data=reordered,
        content_type="application/json",
        headers={"Idempotency-Key": "submit-1"},
    )
    assert third.status_code == 201 and third.json() == first.json()
    assert Dossier.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422_and_changes_nothing(world: World) -> None:
    citizen = api(world.citizen)
    post(citizen, API, submission(), **{"Idempotency-Key": "k"})
    before = effects()
    other = post(citizen, API, submission(channel="in_person"), **{"Idempotency-Key": "k"})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    elsewhere = post(
        citizen,
        f"{API}{Dossier.objects.get().reference}/withdraw/",
        None,
        **{"Idempotency-Key": "k"},
    )
    assert elsewhere.status_code == 422  # same key, other path
    assert effects() == before


@pytest.mark.django_db
def test_keys_belong_to_their_principal(world: World) -> None:
    post(api(world.citizen), API, submission(), **{"Idempotency-Key": "shared"})
    stranger_body = submission(
        applicant={"kind": "citizen", "name": "Trần Văn Bình", "id_number": "001090054321"},
        form_data={"full_name": "Trần Văn Bình", "id_number": "001090054321"},
    )
    other = post(api(world.stranger), API, stranger_body, **{"Idempotency-Key": "shared"})
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert Dossier.objects.count() == 2


@pytest.mark.django_db
def test_refusals_are_not_stored_so_the_key_can_be_retried(world: World) -> None:
    citizen = api(world.citizen)
    before = effects()
    bad = post(citizen, API, submission(channel="fax"), **{"Idempotency-Key": "retry"})
    assert bad.status_code == 400
    assert effects() == before
    good = post(citizen, API, submission(), **{"Idempotency-Key": "retry"})
    assert good.status_code == 201


@pytest.mark.django_db
def test_a_repeated_command_replays_instead_of_conflicting(world: World) -> None:
    ref = str(world.submit().reference)
    reception = api(world.reception)
    first = post(reception, f"{API}{ref}/receive/", None, **{"Idempotency-Key": "rcv"})
    events = DossierEvent.objects.count()
    again = post(reception, f"{API}{ref}/receive/", None, **{"Idempotency-Key": "rcv"})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.json()["code"]
    assert DossierEvent.objects.count() == events
    without_key = post(reception, f"{API}{ref}/receive/")
    assert without_key.status_code == 409


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 201, "has space", "tiếng việt"])
def test_malformed_keys_are_400(world: World, key: str) -> None:
    before = effects()
    response = api(world.citizen).post(
        API,
        data=json.dumps(submission()),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert effects() == before


@pytest.mark.django_db
def test_purge_keeps_a_day_at_least(world: World) -> None:
    citizen = api(world.citizen)
    for key in ("old", "new"):
        post(citizen, API, submission(), **{"Idempotency-Key": key})
    IdempotencyRecord.objects.filter(key="old").update(created_at=now() - timedelta(hours=49))
    out = StringIO()
    call_command("purge_idempotency", stdout=out)
    assert "Deleted 1" in out.getvalue()
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    with pytest.raises(CommandError, match="at least 24"):
        call_command("purge_idempotency", "--hours", "12")


def _in_threads(count: int, work: Any) -> list[Any]:
    results: list[Any] = [None] * count
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _logged_in_copy(session_client: Client) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies = session_client.cookies
    return client


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_submissions_with_one_key_make_one_dossier(
    on_postgres: None, world: World
) -> None:
    logged_in = api(world.citizen)
    body = json.dumps(submission())

    def submit() -> tuple[int, Any]:
        response = _logged_in_copy(logged_in).post(
            API, data=body, content_type="application/json", headers={"Idempotency-Key": "race"}
        )
        return response.status_code, response.json()

    results = _in_threads(10, submit)
    statuses = Counter(status for status, _ in results)
    assert set(statuses) <= {201, 409} and statuses[201] >= 1, statuses
    assert Dossier.objects.count() == 1
    created = [b for s, b in results if s == 201]
    assert all(b == created[0] for b in created)
    assert all(b["code"] == "idempotency_in_flight" for s, b in results if s == 409)


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_receptions_one_wins(on_postgres: None, world: World) -> None:
    ref = str(world.submit().reference)
    logged_in = api(world.reception)

    def receive() -> tuple[int, Any]:
        response = _logged_in_copy(logged_in).post(
            f"{API}{ref}/receive/", data="{}", content_type="application/json"
        )
        return response.status_code, response.json()

    results = _in_threads(10, receive)
    assert Counter(status for status, _ in results) == {200: 1, 409: 9}
    dossier = Dossier.objects.get()
    assert dossier.code and dossier.code.endswith("-0001")
    assert [b["code"] for s, b in results if s == 200] == [dossier.code]
    assert DossierEvent.objects.filter(action="receive").count() == 1
