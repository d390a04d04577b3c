"""Dossier codes ``{agency e-ID}-{YYMMDD}-{daily sequence ≥ 4 digits}`` (DOMAIN §4)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from motcua.core.calendar import VN_TZ
from motcua.dossiers import services as S
from motcua.dossiers.access import access_dossier
from motcua.dossiers.codes import next_dossier_code
from motcua.dossiers.models import Dossier, DossierCodeSequence
from motcua.units.models import StaffRole, Unit, UnitLevel
from tests.dossiers.conftest import World, _officer

pytestmark = pytest.mark.django_db

MONDAY = datetime(2027, 3, 1, 9, 0, tzinfo=VN_TZ)


class Clock:
    def __init__(self, value: datetime) -> None:
        self.value = value

    def __call__(self) -> datetime:
        return self.value


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    c = Clock(MONDAY)
    monkeypatch.setattr(timezone, "now", c)
    yield c


def receive(world: World, actor=None, **submit: object) -> Dossier:  # type: ignore[no-untyped-def]
    return S.dossier_receive(
        actor=actor or world.reception, public_id=str(world.submit(**submit).reference)
    )


def test_the_code_names_agency_day_and_number(world: World, clock: Clock) -> None:
    d = receive(world)
    assert d.code == "H01.00070.MC-270301-0001"
    assert re.fullmatch(r"H01\.00070\.MC-\d{6}-\d{4,}", d.code)
    # The code addresses the dossier from now on; the reference keeps working.
    assert access_dossier(world.citizen, d.code).pk == d.pk
    assert access_dossier(world.citizen, str(d.reference)).pk == d.pk


def test_the_day_is_the_day_in_vietnam(world: World, clock: Clock) -> None:
    # 00:30 on 2 March in Hà Nội is still 1 March in UTC.
    clock.value = datetime(2027, 3, 2, 0, 30, tzinfo=VN_TZ)
    assert clock.value.astimezone(UTC).date() == date(2027, 3, 1)
    assert receive(world).code == "H01.00070.MC-270302-0001"


def test_the_sequence_counts_per_day_and_restarts(world: World, clock: Clock) -> None:
    codes = [receive(world).code for _ in range(3)]
    clock.value = MONDAY + timedelta(days=1)
    codes += [receive(world).code for _ in range(2)]
    assert codes == [
        "H01.00070.MC-270301-0001",
        "H01.00070.MC-270301-0002",
        "H01.00070.MC-270301-0003",
        "H01.00070.MC-270302-0001",
        "H01.00070.MC-270302-0002",
    ]


def test_each_agency_has_its_own_sequence(world: World, clock: Clock) -> None:
    other = Unit.objects.create(
        code="H01.00073.MC",
        name="Bộ phận Một cửa Phường Cửa Nam",
        level=UnitLevel.ONE_STOP,
        parent=world.other_committee,
        province_code="01",
    )
    officer = _officer("motcua.cuanam", other, StaffRole.ONE_STOP_OFFICER)
    first = receive(world).code
    there = [receive(world, officer, receiving_unit=other).code for _ in range(2)]
    second = receive(world).code
    assert (first, second) == ("H01.00070.MC-270301-0001", "H01.00070.MC-270301-0002")
    assert there == ["H01.00073.MC-270301-0001", "H01.00073.MC-270301-0002"]


def test_the_sequence_grows_past_four_digits(world: World, clock: Clock) -> None:
    DossierCodeSequence.objects.create(
        agency_code=world.section.code, day=date(2027, 3, 1), last_value=9999
    )
    assert receive(world).code == "H01.00070.MC-270301-10000"


def test_a_failed_reception_gives_its_number_back(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = world.submit()

    def broken(*args: object, **kwargs: object) -> datetime:
        raise RuntimeError("calendar unavailable")

    with monkeypatch.context() as patch:
        patch.setattr(S, "_calendar_due", broken)
        with pytest.raises(RuntimeError):
            S.dossier_receive(actor=world.reception, public_id=str(d.reference))
    d.refresh_from_db()
    assert d.code is None and d.status == "new"
    assert receive(world).code == "H01.00070.MC-270301-0001"
    assert S.dossier_receive(actor=world.reception, public_id=str(d.reference)).code == (
        "H01.00070.MC-270301-0002"
    )


def test_refusal_and_withdrawal_before_reception_take_no_number(world: World, clock: Clock) -> None:
    S.dossier_refuse(actor=world.reception, public_id=str(world.submit().reference), reason="r")
    S.dossier_withdraw(actor=world.citizen, public_id=str(world.submit().reference))
    assert not DossierCodeSequence.objects.exists()
    assert list(Dossier.objects.values_list("code", flat=True)) == [None, None]


def test_codes_from_a_national_system_are_kept_as_external_identifiers(
    world: World, clock: Clock
) -> None:
    """Centrally run systems use ``…-YYMMDD-AAXXXX``; the dossier still gets its own code."""
    d = world.submit(actor=None, external_code="G22.BTP-270301-280975")
    d = S.dossier_receive(actor=world.reception, public_id=str(d.reference))
    assert d.external_code == "G22.BTP-270301-280975"
    assert d.code == "H01.00070.MC-270301-0001"


@pytest.mark.django_db(transaction=True)
def test_a_number_is_taken_only_inside_the_reception_transaction() -> None:
    with pytest.raises(RuntimeError, match="inside the reception transaction"):
        next_dossier_code("H01.00070.MC", date(2027, 3, 1))
    with transaction.atomic():
        assert next_dossier_code("H01.00070.MC", date(2027, 3, 1)) == "H01.00070.MC-270301-0001"
