"""Concurrent receptions on PostgreSQL: one winner per dossier, codes without gaps or repeats.

Each worker thread has its own database connection (closed at the end of the thread);
a barrier releases them together so they really race for the row locks.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from motcua.audit.services import audit_verify
from motcua.core.calendar import VN_TZ
from motcua.core.errors import Conflict
from motcua.dossiers import services as S
from motcua.dossiers.codes import next_dossier_code
from motcua.dossiers.models import Dossier, DossierCodeSequence, DossierEvent, Status
from motcua.integrations.models import OutboxMessage
from motcua.units.models import StaffRole, Unit, UnitLevel
from tests.dossiers.conftest import World, _officer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = datetime(2027, 3, 2, 9, 30, tzinfo=VN_TZ)  # a Tuesday morning
DAY = NOW.strftime("%y%m%d")


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """One instant for every thread: all receptions fall on the same day."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def race(n: int, work: Callable[[int], Any]) -> list[tuple[str, Any]]:
    """Run ``work(i)`` in ``n`` threads released together; (``ok``|``error``, value) each."""
    barrier = threading.Barrier(n)
    results: list[tuple[str, Any]] = [("missing", None)] * n

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", work(i))
        except Exception as exc:  # the caller inspects every outcome
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a worker is stuck"
    return results


def section_with_officer(code: str, committee: Unit, username: str) -> tuple[Unit, Any]:
    section = Unit.objects.create(
        code=f"{code}.MC",
        name=f"Bộ phận Một cửa {committee.name}",
        level=UnitLevel.ONE_STOP,
        parent=committee,
        province_code=committee.province_code,
    )
    return section, _officer(username, section, StaffRole.ONE_STOP_OFFICER)


def numbers(codes: list[str], agency: str) -> list[int]:
    found = []
    for code in codes:
        match = re.fullmatch(rf"{re.escape(agency)}-{DAY}-(\d{{4,}})", code)
        assert match, code
        found.append(int(match[1]))
    return sorted(found)


def test_ten_receptions_of_one_dossier_one_wins(on_postgres: None, world: World, frozen) -> None:
    ref = str(world.submit().reference)
    results = race(10, lambda _i: S.dossier_receive(actor=world.reception, public_id=ref).code)
    wins = [value for kind, value in results if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    assert len(wins) == 1, results
    assert len(errors) == 9 and all(isinstance(e, Conflict) for e in errors), errors
    d = Dossier.objects.get(reference=ref)
    assert d.status == Status.RECEIVED and d.code == wins[0]
    assert d.code == f"{world.section.code}-{DAY}-0001"
    # The losers took no number and wrote nothing.
    assert DossierCodeSequence.objects.get(agency_code=world.section.code).last_value == 1
    assert list(DossierEvent.objects.filter(dossier=d).values_list("action", flat=True)) == [
        "submit",
        "receive",
    ]
    assert OutboxMessage.objects.filter(key=ref).count() == 2
    assert audit_verify() == []


def test_twenty_receptions_at_one_agency_number_without_gaps(
    on_postgres: None, world: World, frozen
) -> None:
    refs = [str(world.submit().reference) for _ in range(20)]
    results = race(20, lambda i: S.dossier_receive(actor=world.reception, public_id=refs[i]).code)
    assert all(kind == "ok" for kind, _v in results), results
    codes = [code for _k, code in results]
    assert numbers(codes, world.section.code) == list(range(1, 21))
    assert sorted(Dossier.objects.values_list("code", flat=True)) == sorted(codes)
    assert DossierCodeSequence.objects.get(agency_code=world.section.code).last_value == 20
    assert audit_verify() == []


def test_receptions_at_two_agencies_do_not_interfere(
    on_postgres: None, world: World, frozen
) -> None:
    other_section, other_reception = section_with_officer(
        world.other_committee.code, world.other_committee, "motcua2"
    )
    jobs = [(world.reception, str(world.submit().reference)) for _ in range(10)]
    jobs += [
        (other_reception, str(world.submit(receiving_unit=other_section).reference))
        for _ in range(10)
    ]
    results = race(
        len(jobs), lambda i: S.dossier_receive(actor=jobs[i][0], public_id=jobs[i][1]).code
    )
    assert all(kind == "ok" for kind, _v in results), results
    codes = [code for _k, code in results]
    first = [c for c in codes if c.startswith(f"{world.section.code}-")]
    second = [c for c in codes if c.startswith(f"{other_section.code}-")]
    assert numbers(first, world.section.code) == list(range(1, 11))
    assert numbers(second, other_section.code) == list(range(1, 11))
    assert audit_verify() == []


def _hold_while(hold: Callable[[], None], held: threading.Event, release: threading.Event):
    def worker() -> None:
        try:
            with transaction.atomic():
                hold()
                held.set()
                release.wait(timeout=20)
        finally:
            connection.close()

    return threading.Thread(target=worker)


def _receive_without_waiting(actor: Any, public_id: str) -> Dossier:
    """Receive, but give up after 3 s waiting for a lock (instead of queueing)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '3s'")
        return S.dossier_receive(actor=actor, public_id=public_id)


def test_an_open_code_counter_does_not_block_another_agency(
    on_postgres: None, world: World, frozen
) -> None:
    """An agency's counter row is locked by its reception only; a neighbour goes on."""
    other_section, other_reception = section_with_officer(
        world.other_committee.code, world.other_committee, "motcua2"
    )
    ref = str(world.submit(receiving_unit=other_section).reference)
    held, release = threading.Event(), threading.Event()
    holder = _hold_while(
        lambda: next_dossier_code(world.section.code, date(2027, 3, 2)), held, release
    )
    holder.start()
    try:
        assert held.wait(timeout=10)
        d = _receive_without_waiting(other_reception, ref)
        assert d.code == f"{other_section.code}-{DAY}-0001"
    finally:
        release.set()
        holder.join(timeout=20)


def test_a_reception_in_one_province_does_not_block_another_province(
    on_postgres: None, world: World, frozen
) -> None:
    """A whole reception left open in Hà Nội (code, event, audit chain, outbox) does not
    delay one in Đà Nẵng: nothing they write is shared."""
    province = Unit.objects.create(
        code="H48", name="Ủy ban nhân dân Thành phố Đà Nẵng", level=UnitLevel.PROVINCE,
        province_code="48",
    )  # fmt: skip
    committee = Unit.objects.create(
        code="H48.20242", name="Ủy ban nhân dân Phường Hải Châu", level=UnitLevel.COMMUNE,
        parent=province, province_code="48",
    )  # fmt: skip
    section, reception = section_with_officer(committee.code, committee, "motcua.haichau")
    hanoi_ref = str(world.submit().reference)
    danang_ref = str(world.submit(receiving_unit=section).reference)
    held, release = threading.Event(), threading.Event()
    holder = _hold_while(
        lambda: S.dossier_receive(actor=world.reception, public_id=hanoi_ref), held, release
    )
    holder.start()
    try:
        assert held.wait(timeout=10)
        try:
            d = _receive_without_waiting(reception, danang_ref)
        except OperationalError as exc:  # lock_timeout: it queued behind Hà Nội
            pytest.fail(f"a reception in Đà Nẵng waited for one in Hà Nội: {exc}")
        assert d.code == f"{section.code}-{DAY}-0001"
    finally:
        release.set()
        holder.join(timeout=20)
    assert Dossier.objects.get(reference=hanoi_ref).code == f"{world.section.code}-{DAY}-0001"
    assert audit_verify() == []
