"""The applicant rates the service once, after the result; nobody else, never twice."""

from __future__ import annotations

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.dossiers import services as S
from motcua.dossiers.access import DossierNotFound
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Rating, Satisfaction
from motcua.feedback.services import may_rate, rating_submit
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import World

world = dossier_fixtures.world

pytestmark = pytest.mark.django_db


def result_ready(world: World) -> Dossier:
    d = S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))
    assert d.code
    S.dossier_forward(actor=world.reception, public_id=d.code)
    S.dossier_forward(actor=world.specialist, public_id=d.code)
    S.dossier_approve(actor=world.leader, public_id=d.code)
    return S.dossier_mark_result_ready(actor=world.specialist, public_id=d.code)


def test_the_applicant_rates_once_after_the_result(world: World) -> None:
    d = result_ready(world)
    assert may_rate(world.citizen, d)
    rating = rating_submit(
        actor=world.citizen,
        public_id=d.public_id,
        satisfaction=Satisfaction.VERY_SATISFIED,
        comment="  Nhanh và đúng hẹn.  ",
    )
    assert rating.comment == "Nhanh và đúng hẹn." and rating.province_code == "01"
    assert not may_rate(world.citizen, d)
    entry = AuditEntry.objects.get(action="feedback.rate")
    assert entry.data == {"satisfaction": "very_satisfied", "with_comment": True}
    with pytest.raises(Conflict):
        rating_submit(actor=world.citizen, public_id=d.public_id, satisfaction="dissatisfied")
    assert Rating.objects.get().satisfaction == "very_satisfied"


def test_before_the_result_there_is_nothing_to_rate(world: World) -> None:
    d = S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))
    assert not may_rate(world.citizen, d)
    with pytest.raises(DomainError):
        rating_submit(actor=world.citizen, public_id=d.public_id, satisfaction="satisfied")
    assert Rating.objects.count() == 0


def test_others_cannot_rate(world: World) -> None:
    d = result_ready(world)
    with pytest.raises(DossierNotFound):
        rating_submit(actor=world.stranger, public_id=d.public_id, satisfaction="satisfied")
    with pytest.raises(PermissionDenied):
        rating_submit(actor=world.reception, public_id=d.public_id, satisfaction="satisfied")
    assert not may_rate(world.stranger, d) and not may_rate(world.reception, d)
    assert Rating.objects.count() == 0
    assert not AuditEntry.objects.filter(action="feedback.rate").exists()


@pytest.mark.parametrize(
    ("satisfaction", "comment", "field"),
    [
        ("ok", "", "satisfaction"),
        ("", "", "satisfaction"),
        ("satisfied", "x" * 2001, "comment"),
        ("satisfied", "bad\x00byte", "comment"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    world: World, satisfaction: str, comment: str, field: str
) -> None:
    d = result_ready(world)
    with pytest.raises(S.InvalidInput) as refused:
        rating_submit(
            actor=world.citizen, public_id=d.public_id, satisfaction=satisfaction, comment=comment
        )
    assert field in refused.value.errors
    assert Rating.objects.count() == 0


def test_a_returned_result_can_be_rated_without_a_comment(world: World) -> None:
    d = result_ready(world)
    S.dossier_return_result(actor=world.reception, public_id=d.public_id, method="warehouse")
    rating = rating_submit(actor=world.citizen, public_id=d.public_id, satisfaction="dissatisfied")
    assert rating.comment == "" and rating.satisfaction == Satisfaction.DISSATISFIED
