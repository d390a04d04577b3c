"""The access matrix: (actor × dossier situation × action) → allowed or not, one gate.

``MATRIX`` is written out by hand from DOMAIN §2–§3 and the lifecycle table: for every
situation, the actors who see the dossier and the actions each may take now (actors
not listed see nothing). For every cell the test asserts that all the doors agree:

* ``visible_dossiers`` lists the dossier exactly for the listed actors;
* ``access_dossier`` returns it to them and raises ``DossierNotFound`` to anyone else;
* ``available_actions`` is exactly the listed actions, and ``may_take`` agrees with it
  (an action is available ⇔ its status fits and ``may_take``);
* the service itself (tried in a rolled-back savepoint) lets through exactly those
  actions, answering ``DossierNotFound`` to those who cannot see, ``PermissionDenied``
  to those whose role does not allow, ``Conflict`` when the status does not fit.

Actors: the applicant, a stranger citizen, the one-stop officer of the receiving
section, the specialist and leader of the handling committee, those of another
commune, the province supervisor (sees everything in the province, acts on nothing),
a superuser without roles, an officer whose role assignment ended (valid_to in the
past) or has not begun, and a disabled officer — the last three see nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.services import account_disable, officer_create
from motcua.core.calendar import VN_TZ
from motcua.core.errors import Conflict, PermissionDenied
from motcua.dossiers import services as S
from motcua.dossiers.access import (
    DossierNotFound,
    access_dossier,
    available_actions,
    may_take,
    visible_dossiers,
)
from motcua.dossiers.lifecycle import ACTIONS, TRANSITIONS
from motcua.dossiers.models import Dossier, Status
from motcua.units.models import RoleAssignment, StaffRole
from tests.dossiers.conftest import World

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=VN_TZ)  # a Monday morning

OPEN_AT_RECEIVING = "request_supplement forward request_payment withdraw apologise_extend"
SPECIALIST_PROCESSING = (
    "request_supplement forward send_back mark_result_ready request_payment apologise_extend"
)
LEADER_PROCESSING = "forward send_back approve mark_result_ready stop apologise_extend"
WATCHERS = {"supervisor": "", "superuser": ""}  # see everything, act on nothing
ENDED = {"citizen": "", "reception": "", "specialist": "", "leader": "", **WATCHERS}

# situation → {actor who sees it: the actions open to them now}; unlisted actors see nothing.
MATRIX: dict[str, dict[str, str]] = {
    "new": {
        "citizen": "withdraw",
        "reception": "receive refuse withdraw",
        "specialist": "",
        "leader": "",
        **WATCHERS,
    },
    "new_walk_in": {  # submitted at the counter: no applicant account
        "reception": "receive refuse withdraw",
        "specialist": "",
        "leader": "",
        **WATCHERS,
    },
    "received": {
        "citizen": "withdraw",
        "reception": OPEN_AT_RECEIVING,
        "specialist": "request_supplement forward request_payment apologise_extend",
        "leader": "forward stop apologise_extend",
        **WATCHERS,
    },
    "processing": {
        "citizen": "withdraw",
        "reception": OPEN_AT_RECEIVING,
        "specialist": SPECIALIST_PROCESSING,
        "leader": LEADER_PROCESSING,
        **WATCHERS,
    },
    "approved": {
        "citizen": "withdraw",
        "reception": OPEN_AT_RECEIVING,
        "specialist": SPECIALIST_PROCESSING,
        "leader": LEADER_PROCESSING,
        **WATCHERS,
    },
    "forwarded_to_other_unit": {  # handled by the other commune, ours supports
        "citizen": "withdraw",
        "reception": OPEN_AT_RECEIVING,
        "specialist": "",
        "leader": "",
        "other_specialist": SPECIALIST_PROCESSING,
        "other_leader": LEADER_PROCESSING,
        **WATCHERS,
    },
    "supplement_requested": {
        "citizen": "supplement withdraw",
        "reception": "supplement withdraw",
        "specialist": "",
        "leader": "stop",
        **WATCHERS,
    },
    "awaiting_payment": {
        "citizen": "withdraw",
        "reception": "confirm_payment withdraw",
        "specialist": "",
        "leader": "stop",
        **WATCHERS,
    },
    "result_ready": {
        "citizen": "",
        "reception": "return_result",
        "specialist": "",
        "leader": "",
        **WATCHERS,
    },
    "result_returned": ENDED,
    "refused": ENDED,
    "withdrawn": ENDED,
    "stopped": ENDED,
}
STATUS_OF = {
    "new_walk_in": Status.NEW,
    "approved": Status.PROCESSING,
    "forwarded_to_other_unit": Status.PROCESSING,
}
ACTORS = (
    "citizen",
    "stranger",
    "reception",
    "specialist",
    "leader",
    "other_specialist",
    "other_leader",
    "supervisor",
    "superuser",
    "expired_officer",
    "future_officer",
    "disabled_officer",
)


def _situation(world: World, name: str) -> Dossier:
    """Bring a dossier into the situation through the services only."""
    w = world
    if name == "new_walk_in":
        return w.submit(actor=w.reception, channel="in_person")

    def receive(p: str) -> Dossier:
        return S.dossier_receive(actor=w.reception, public_id=p)

    def forward(p: str) -> Dossier:
        return S.dossier_forward(actor=w.reception, public_id=p)

    def approve(p: str) -> Dossier:
        return S.dossier_approve(actor=w.leader, public_id=p)

    def ready(p: str) -> Dossier:
        return S.dossier_mark_result_ready(actor=w.specialist, public_id=p)

    steps: dict[str, list[Callable[[str], Dossier]]] = {
        "new": [],
        "refused": [lambda p: S.dossier_refuse(actor=w.reception, public_id=p, reason="Sai")],
        "received": [receive],
        "processing": [receive, forward],
        "approved": [receive, forward, approve],
        "forwarded_to_other_unit": [
            receive,
            forward,
            lambda p: S.dossier_forward(
                actor=w.specialist, public_id=p, to_unit=w.other_committee, note="Chuyển"
            ),
        ],
        "supplement_requested": [
            receive,
            lambda p: S.dossier_request_supplement(
                actor=w.reception, public_id=p, items=["Giấy chứng sinh"], reason="Thiếu"
            ),
        ],
        "awaiting_payment": [
            receive,
            forward,
            lambda p: S.dossier_request_payment(actor=w.specialist, public_id=p, amount=8000),
        ],
        "result_ready": [receive, forward, approve, ready],
        "result_returned": [
            receive,
            forward,
            approve,
            ready,
            lambda p: S.dossier_return_result(actor=w.reception, public_id=p),
        ],
        "withdrawn": [
            receive,
            lambda p: S.dossier_withdraw(actor=w.citizen, public_id=p, reason="Nộp nhầm"),
        ],
        "stopped": [
            receive,
            forward,
            lambda p: S.dossier_stop(actor=w.leader, public_id=p, reason="Không đủ điều kiện"),
        ],
    }
    d = w.submit()
    for step in steps[name]:
        d = step(d.public_id)
    d.refresh_from_db()
    return d


def _extra_officer(username: str, world: World, *, since: date, until: date | None) -> User:
    """A one-stop officer of the section and leader of the committee, in a given period."""
    user, _device = officer_create(
        username=username,
        full_name=f"Cán bộ {username}",
        email=f"{username}@example.invalid",
        password="Correct-Horse-Battery-9",
    )
    for unit, role in [
        (world.section, StaffRole.ONE_STOP_OFFICER),
        (world.committee, StaffRole.LEADER),
    ]:
        RoleAssignment.objects.create(
            user=user, unit=unit, role=role, valid_from=since, valid_to=until
        )
    return user


@dataclass
class Cast:
    users: dict[str, User]


@pytest.fixture
def cast(world: World, monkeypatch: pytest.MonkeyPatch) -> Cast:
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    superuser, _device = officer_create(
        username="quantri",
        full_name="Quản trị",
        email="quantri@example.invalid",
        password="Correct-Horse-Battery-9",
        is_superuser=True,
    )
    disabled = _extra_officer("danghi", world, since=date(2025, 7, 1), until=None)
    account_disable(account=disabled, actor=None)
    disabled.refresh_from_db()
    users = {name: getattr(world, name) for name in ACTORS if hasattr(world, name)}
    users |= {
        "superuser": superuser,
        "expired_officer": _extra_officer(
            "dachuyen", world, since=date(2025, 7, 1), until=date(2026, 12, 31)
        ),
        "future_officer": _extra_officer("sapden", world, since=date(2027, 6, 1), until=None),
        "disabled_officer": disabled,
    }
    assert set(users) == set(ACTORS)
    return Cast(users)


class _RolledBack(Exception):
    pass


def _service_call(action: str, user: User, d: Dossier) -> Callable[[], Any]:
    p = d.public_id
    new_due = (d.due_at or NOW) + timedelta(days=10)
    calls: dict[str, Callable[[], Any]] = {
        "receive": lambda: S.dossier_receive(actor=user, public_id=p),
        "refuse": lambda: S.dossier_refuse(actor=user, public_id=p, reason="Lý do"),
        "request_supplement": lambda: S.dossier_request_supplement(
            actor=user, public_id=p, items=["Giấy tờ"], reason="Lý do"
        ),
        "supplement": lambda: S.dossier_supplement(actor=user, public_id=p),
        "forward": lambda: S.dossier_forward(actor=user, public_id=p),
        "send_back": lambda: S.dossier_send_back(actor=user, public_id=p, reason="Lý do"),
        "approve": lambda: S.dossier_approve(actor=user, public_id=p),
        "mark_result_ready": lambda: S.dossier_mark_result_ready(actor=user, public_id=p),
        "request_payment": lambda: S.dossier_request_payment(
            actor=user, public_id=p, amount=50_000
        ),
        "confirm_payment": lambda: S.dossier_confirm_payment(actor=user, public_id=p),
        "return_result": lambda: S.dossier_return_result(actor=user, public_id=p),
        "withdraw": lambda: S.dossier_withdraw(actor=user, public_id=p, reason="Lý do"),
        "stop": lambda: S.dossier_stop(actor=user, public_id=p, reason="Lý do"),
        "apologise_extend": lambda: S.dossier_apologise_extend(
            actor=user, public_id=p, new_due=new_due, reason="Lý do"
        ),
    }
    return calls[action]


def _gate_answer(call: Callable[[], Any]) -> str:
    """What the service's gate said: passed (whatever the action's own rules said after)."""
    try:
        with transaction.atomic():
            call()
            raise _RolledBack
    except (_RolledBack, S.InvalidInput):
        return "passed"
    except DossierNotFound:
        return "not found"
    except PermissionDenied:
        return "forbidden"
    except Conflict:
        return "conflict"
    except S.DomainError:  # a rule of the action itself (approval missing, too late…)
        return "passed"


@pytest.mark.parametrize("situation", list(MATRIX))
def test_access_matrix(world: World, cast: Cast, situation: str) -> None:
    d = _situation(world, situation)
    assert d.status == STATUS_OF.get(situation, situation)
    row = MATRIX[situation]
    problems: list[str] = []
    for actor in ACTORS:
        user = cast.users[actor]
        sees = actor in row
        expected = row.get(actor, "").split()
        if visible_dossiers(user).filter(pk=d.pk).exists() != sees:
            problems.append(f"{actor}: visible_dossiers says {not sees}")
        try:
            found = access_dossier(user, d.public_id)
            if not sees or found.pk != d.pk:
                problems.append(f"{actor}: access_dossier returned it")
        except DossierNotFound:
            if sees:
                problems.append(f"{actor}: access_dossier refused")
        actions = available_actions(user, d)
        if actions != expected:
            problems.append(f"{actor}: available_actions {actions}, expected {expected}")
        by_may_take = [
            a for a in ACTIONS if d.status in TRANSITIONS[a].sources and may_take(user, d, a)
        ]
        if by_may_take != actions:
            problems.append(f"{actor}: may_take gives {by_may_take}")
        for action in ACTIONS:
            answer = _gate_answer(_service_call(action, user, d))
            if not sees:
                want = "not found"
            elif action in expected:
                want = "passed"
            elif d.status in TRANSITIONS[action].sources:
                want = "forbidden"  # open now, but not to this role
            else:  # the role is checked before the status: the gate and may_take agree
                want = "conflict" if may_take(user, d, action) else "forbidden"
            if answer != want:
                problems.append(f"{actor} {action}: service says {answer}, expected {want}")
    assert not problems, "\n".join(problems)


def test_every_situation_and_status_is_in_the_matrix() -> None:
    assert set(Status.values) <= {STATUS_OF.get(s, s) for s in MATRIX}


def test_no_role_acts_without_seeing(world: World, cast: Cast) -> None:
    """Whoever may take an action on a dossier also sees it (for every actor and action)."""
    dossiers = [_situation(world, s) for s in ("received", "forwarded_to_other_unit")]
    for actor, user in cast.users.items():
        visible = set(visible_dossiers(user).values_list("pk", flat=True))
        for d in dossiers:
            for action in ACTIONS:
                if may_take(user, d, action):
                    assert d.pk in visible, (actor, action)


@pytest.mark.parametrize("who", ["disabled_officer", "disabled_applicant"])
def test_a_disabled_account_is_offered_no_action(world: World, cast: Cast, who: str) -> None:
    """Regression (fixed in 6e74e8d): may_take/available_actions ignored is_active."""
    d = _situation(world, "received")
    if who == "disabled_applicant":
        account_disable(account=world.citizen, actor=None)
        world.citizen.refresh_from_db()
        user = world.citizen
    else:
        user = cast.users[who]
    assert not visible_dossiers(user).filter(pk=d.pk).exists()
    assert available_actions(user, d) == []
    assert not any(may_take(user, d, action) for action in ACTIONS)
