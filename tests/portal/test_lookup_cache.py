"""Kept look-up answers: served from the cache, dropped the moment the dossier changes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.dossiers import services as S
from motcua.dossiers.models import Dossier
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import CITIZEN_ID, World

world = dossier_fixtures.world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kept(settings: Any) -> Iterator[None]:
    settings.MOTCUA_LOOKUP_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def look(code: str, id_number: str = CITIZEN_ID, language: str = "vi") -> tuple[int, Any, int]:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(f"/api/v1/public/dossiers/{code}/", {"id_number": id_number})
    return answer.status_code, answer.json(), len(queries)


def test_a_kept_answer_is_served_without_the_database_until_the_dossier_changes(
    world: World, committed: Callable[..., Any]
) -> None:
    d: Dossier = committed(
        S.dossier_receive, actor=world.reception, public_id=str(world.submit().reference)
    )
    status, first, queries = look(d.code)
    assert status == 200 and first["status"] == "received" and queries >= 1
    status, again, queries = look(d.code)
    assert (status, again, queries) == (200, first, 0)
    # English is kept apart (labels differ).
    assert look(d.code, language="en")[1]["status_label"] != first["status_label"]
    # A change drops both languages when it commits: the next look shows it.
    committed(
        S.dossier_request_supplement,
        actor=world.reception,
        public_id=d.code,
        items=["Bản sao giấy chứng sinh"],
        reason="Thiếu giấy tờ",
    )
    status, after, queries = look(d.code)
    assert after["status"] == "supplement_requested" and queries >= 1
    assert [s["action"] for s in after["timeline"]][-1] == "request_supplement"
    assert look(d.code, language="en")[1]["status"] == "supplement_requested"


def test_wrong_pairs_are_never_kept(world: World, committed: Callable[..., Any]) -> None:
    d: Dossier = committed(
        S.dossier_receive, actor=world.reception, public_id=str(world.submit().reference)
    )
    for _ in range(2):
        status, _body, queries = look(d.code, "001090054321")
        assert status == 404 and queries >= 1  # every guess goes to the database


def test_zero_seconds_turns_the_cache_off(
    world: World, settings: Any, committed: Callable[..., Any]
) -> None:
    settings.MOTCUA_LOOKUP_CACHE_SECONDS = 0
    d: Dossier = committed(
        S.dossier_receive, actor=world.reception, public_id=str(world.submit().reference)
    )
    assert look(d.code)[2] >= 1 and look(d.code)[2] >= 1
