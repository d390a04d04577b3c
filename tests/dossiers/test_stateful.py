"""Random sequences of actions by random actors keep the dossier's invariants.

A hypothesis state machine drives a few dossiers with every service of
``motcua.dossiers.services``, taken by every kind of actor of the ``world`` (officers of
the receiving and handling units, of another unit, the province supervisor, the
applicant, a stranger), with random arguments (missing reasons, empty supplement lists,
bad amounts, units that no longer exist) and a clock that moves forward by random
amounts over weekends, an admin day off and an extra working Saturday.

A small model predicts every outcome from the lifecycle table, the role rule and the
default internal process (not from ``access.py`` or the workflow code): success with
the new status, or the refusal class. The process (``workflow/processes/default.bpmn``:
reception → processing → approval ⟲ send back → result → return) decides who may hand
the dossier over now; a leader may take over their unit's specialist step; a forward to
another unit transfers a processing step there (or routes the dossier from reception).
After every step the invariants below hold:

* a successful action moves the status as the table says and writes one event, one
  audit entry and one outbox message; a refused one changes nothing at all;
* at most one supplement request and one extension per dossier;
* the timeline is complete: one event per successful action, seq 1..n, times never
  going back, each event starting from the status the previous one ended in;
* the audit chains verify;
* due instants follow the calendar: equal to what ``core.calendar`` computes from the
  reception, the pause and the extension, always inside office hours of a working day;
* codes are unique, ``{agency}-{YYMMDD}-{NNNN}`` with the reception's local date, and
  numbered 1..n per agency and day;
* nobody sees a dossier outside the rule (the stranger never, the other unit's officers
  only once it was forwarded there);
* the open step of the process (``workflow.selectors.current_task``) is the one the
  model expects, in the expected unit, and the control sheet has a row per step opened.

The tests at the end pin, one by one, the bugs the machine found (fixed since).
"""

from __future__ import annotations

import copy
import itertools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.audit.services import audit_verify
from motcua.catalog.models import ProcedureCase
from motcua.catalog.services import catalog_import
from motcua.core.calendar import (
    DEFAULT_OFFICE_HOURS,
    VN_TZ,
    DurationUnit,
    WorkCalendar,
    due_at,
    extend_for_pause,
    working_time_between,
)
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.dossiers import services as S
from motcua.dossiers.access import DossierNotFound, visible_dossiers
from motcua.dossiers.lifecycle import ACTIONS, TRANSITIONS, Side
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.integrations.models import OutboxMessage
from motcua.units.models import AdjustmentKind, CalendarAdjustment, StaffRole, Unit, UnitLevel
from motcua.workflow.selectors import control_sheet, current_task
from tests.catalog.samples import document, record
from tests.dossiers.conftest import World

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 1, 8, 0, tzinfo=VN_TZ)  # a Monday
DAY_OFF = date(2027, 3, 3)  # Wednesday: a day off decided for the province
EXTRA_SATURDAY = date(2027, 3, 6)  # a make-up Saturday for the whole country
CALENDAR = WorkCalendar(
    extra_days_off=frozenset({DAY_OFF}), extra_working_days=frozenset({EXTRA_SATURDAY})
)
ONE_WORKING_DAY = timedelta(hours=8)

# Who holds which role where: the oracle's own copy of the world's role assignments.
ROLES: dict[str, set[tuple[str, str]]] = {
    "reception": {("section", StaffRole.ONE_STOP_OFFICER)},
    "specialist": {("committee", StaffRole.SPECIALIST)},
    "leader": {("committee", StaffRole.LEADER)},
    "other_specialist": {("other", StaffRole.SPECIALIST)},
    "other_leader": {("other", StaffRole.LEADER)},
    "supervisor": {("province", StaffRole.SUPERVISOR)},
}
CITIZENS = ("citizen", "stranger")
ACTORS = (*CITIZENS, *ROLES)
# Cases: (same-day rule, duration in working days).
CASES = {"same_day": (True, 1), "three_days": (False, 3)}

ENDING = {"refuse", "withdraw", "stop"}

# The default internal process: step → (role, unit side, actions that complete it).
STEPS: dict[str, tuple[str, str, frozenset[str]]] = {
    "reception": (StaffRole.ONE_STOP_OFFICER, "receiving", frozenset({"forward"})),
    "processing": (StaffRole.SPECIALIST, "handling", frozenset({"forward"})),
    "approval": (StaffRole.LEADER, "handling", frozenset({"approve", "send_back"})),
    "result": (StaffRole.SPECIALIST, "handling", frozenset({"mark_result_ready"})),
    "return": (StaffRole.ONE_STOP_OFFICER, "receiving", frozenset({"return_result"})),
}
HAND_OVERS = {"forward", "send_back", "approve", "mark_result_ready", "return_result"}


def next_step(step: str, action: str) -> str | None:
    if step == "approval":
        return "processing" if action == "send_back" else "result"
    order = list(STEPS)
    i = order.index(step)
    return order[i + 1] if i + 1 < len(order) else None


class Clock:
    """The one clock every service reads (``django.utils.timezone.now``), moved by hand."""

    def __init__(self) -> None:
        self.value = START

    def __call__(self) -> datetime:
        return self.value


@dataclass
class Model:
    """What the oracle knows about one dossier."""

    pk: int
    public_id: str
    case: str
    applicant: str | None
    receiving: str
    handling: str
    status: str = Status.NEW
    supporting: set[str] = field(default_factory=set)
    supplements: int = 0
    extensions: int = 0
    approved: bool = False
    before_pause: str = ""
    received_at: datetime | None = None
    due: datetime | None = None
    paused_at: datetime | None = None
    timeline: list[tuple[str, datetime | None]] = field(default_factory=list)
    # The internal process: the open step and its unit, the lead unit, steps opened.
    step: str | None = None
    step_unit: str | None = None
    lead: str | None = None
    steps_opened: int = 0


@dataclass(frozen=True)
class Args:
    reason: str
    items: tuple[str, ...]
    to_unit: str | None
    amount: int
    method: str
    extend: str


ANY_ARGS = st.builds(
    Args,
    reason=st.sampled_from(["", "   ", "Thiếu giấy tờ theo quy định"]),
    items=st.sampled_from([(), ("  ",), ("Giấy chứng sinh bản chính",)]),
    to_unit=st.sampled_from([None, "committee", "other", "dead"]),
    amount=st.sampled_from([0, -5, 50_000]),
    method=st.sampled_from(["counter", "post", "warehouse", "email", "pigeon"]),
    extend=st.sampled_from(["earlier", "one_day", "three_days", "sunday_night"]),
)
GOOD_ARGS = st.builds(
    Args,
    reason=st.sampled_from(["Thiếu giấy tờ theo quy định", "Đề nghị xem xét", ""]),
    items=st.just(("Giấy chứng sinh bản chính", "Tờ khai có chữ ký")),
    to_unit=st.sampled_from([None, None, "committee", "other"]),
    amount=st.just(50_000),
    method=st.sampled_from(["counter", "warehouse"]),
    extend=st.sampled_from(["one_day", "three_days", "earlier", "sunday_night"]),
)


def sees(actor: str, m: Model) -> bool:
    if actor in CITIZENS:
        return m.applicant == actor
    if actor == "supervisor":
        return True  # every dossier of the world belongs to the supervised province
    units = {unit for unit, _role in ROLES[actor]}
    return bool(units & ({m.receiving, m.handling} | m.supporting))


def permitted(actor: str, m: Model, action: str) -> bool:
    t = TRANSITIONS[action]
    if actor in CITIZENS:
        return t.applicant and m.applicant == actor
    for side, role in t.roles:
        unit = m.receiving if side == Side.RECEIVING else m.handling
        if (unit, role) in ROLES[actor]:
            return True
    return False


def in_office_hours(instant: datetime) -> bool:
    local = instant.astimezone(VN_TZ)
    return CALENDAR.is_working_day(local.date()) and any(
        start <= local.time() <= end for start, end in DEFAULT_OFFICE_HOURS.periods
    )


@dataclass
class Hand:
    """What the process will do with a hand-over (the oracle's prediction)."""

    step: str | None
    step_unit: str | None
    lead: str | None
    opened: int
    holder: str | None  # the unit now holding the dossier, when not the receiving unit


def process_outcome(actor: str, m: Model, action: str, to_unit: str | None) -> Hand | None:
    """The process's answer to a hand-over: the new state, or None when it refuses."""
    assert m.step is not None and m.step_unit is not None and m.lead is not None
    roles = ROLES.get(actor, set())
    step, unit, lead, opened = m.step, m.step_unit, m.lead, 0

    def holds(step: str, unit: str) -> bool:
        return (unit, STEPS[step][0]) in roles

    def leads(step: str, unit: str) -> bool:
        return STEPS[step][0] == StaffRole.SPECIALIST and (unit, StaffRole.LEADER) in roles

    def resolve(step: str) -> str:
        return m.receiving if STEPS[step][1] == "receiving" else lead

    if to_unit == unit:
        to_unit = None
    if action == "forward" and to_unit is not None and STEPS[step][1] != "receiving":
        if not ("forward" in STEPS[step][2] and (holds(step, unit) or leads(step, unit))):
            return None
        return Hand(step, to_unit, lead, 1, to_unit)  # transferred
    takeovers = 0
    while not (action in STEPS[step][2] and (holds(step, unit) or leads(step, unit))):
        if not (leads(step, unit) and "forward" in STEPS[step][2]) or takeovers >= 3:
            return None
        step = next_step(step, "forward")  # type: ignore[assignment]
        unit = resolve(step)
        opened += 1
        takeovers += 1
    if action == "forward" and to_unit is not None:
        lead, to_unit = to_unit, None  # routed at reception
    following = next_step(step, action)
    if following is None:
        return Hand(None, None, lead, opened, None)
    if to_unit is not None and STEPS[following][1] == "receiving":
        return None
    new_unit = to_unit or resolve(following)
    holder = None if STEPS[following][1] == "receiving" else new_unit
    return Hand(following, new_unit, lead, opened + 1, holder)


class DossierMachine(RuleBasedStateMachine):
    def __init__(self, world: World, units: dict[str, Unit], cases: dict[str, ProcedureCase]):
        super().__init__()
        self.world = world
        self.units = units
        self.cases = cases
        self.users: dict[str, User] = {name: getattr(world, name) for name in ACTORS}
        self.clock: Clock = timezone.now  # type: ignore[assignment]
        self.clock.value = START
        self.models: list[Model] = []
        self.changes, self.checked = 0, -1
        # Every example starts from the same world and leaves nothing behind.
        self._example = transaction.atomic()
        self._example.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._example.__exit__(None, None, None)

    @property
    def now(self) -> datetime:
        return self.clock.value

    # --- the outside world ----------------------------------------------------------------
    @rule(minutes=st.sampled_from([0, 10, 95, 300, 17 * 60, 24 * 60, 3 * 24 * 60]))
    def time_passes(self, minutes: int) -> None:
        self.clock.value += timedelta(minutes=minutes)

    @precondition(lambda self: len(self.models) < 4)
    @rule(
        actor=st.sampled_from(["citizen", "citizen", "reception", "stranger"]),
        receiving=st.sampled_from(["section", "section", "committee"]),
        case=st.sampled_from(sorted(CASES)),
    )
    def submit(self, actor: str, receiving: str, case: str) -> None:
        expected: type[Exception] | None = None
        if actor == "stranger":
            expected = S.InvalidInput  # a citizen submits for themselves only
        elif actor == "reception" and receiving != "section":
            expected = PermissionDenied
        before = self._counts()
        try:
            dossier = self.world.submit(
                actor=self.users[actor],
                case=self.cases[case],
                channel="online" if actor in CITIZENS else "in_person",
                receiving_unit=self.units[receiving],
            )
        except DomainError as exc:
            assert type(exc) is expected, f"submit by {actor} at {receiving}: {exc!r}"
            assert self._counts() == before
            return
        assert expected is None, f"submit by {actor} at {receiving} succeeded"
        handling = "committee"  # the section hands dossiers to its committee
        model = Model(
            pk=dossier.pk,
            public_id=str(dossier.reference),
            case=case,
            applicant=actor if actor in CITIZENS else None,
            receiving=receiving,
            handling=handling,
            timeline=[("submit", None)],
        )
        self.models.append(model)
        self.changes += 1
        assert dossier.status == Status.NEW and dossier.code is None
        assert self._counts() == tuple(n + 1 for n in before)

    # --- actions --------------------------------------------------------------------------
    @precondition(lambda self: self.models)
    @rule(data=st.data())
    def anyone_tries_anything(self, data: st.DataObject) -> None:
        m = data.draw(st.sampled_from(self.models), label="dossier")
        action = data.draw(st.sampled_from(ACTIONS), label="action")
        actor = data.draw(st.sampled_from(ACTORS), label="actor")
        self._attempt(m, action, actor, data.draw(ANY_ARGS, label="args"))

    @precondition(lambda self: self.models)
    @rule(data=st.data())
    def someone_entitled_acts(self, data: st.DataObject) -> None:
        """Bias towards progress: an actor the rule allows takes an action open now."""
        for _ in range(data.draw(st.integers(1, 3), label="actions in a row")):
            self._entitled_acts(data)

    def _entitled_acts(self, data: st.DataObject) -> None:
        m = data.draw(st.sampled_from(self.models), label="dossier")
        candidates = [
            (action, actor)
            for action in ACTIONS
            for actor in ACTORS
            if m.status in TRANSITIONS[action].sources
            and sees(actor, m)
            and permitted(actor, m, action)
            and (
                action not in HAND_OVERS
                or m.step is None
                or process_outcome(actor, m, action, None) is not None
            )
        ]
        if not candidates:
            return
        # Ending actions are drawn less often (and last), so dossiers travel further.
        weighted = [c for c in candidates if c[0] not in ENDING for _ in range(4)]
        weighted += [c for c in candidates if c[0] in ENDING]
        action, actor = data.draw(st.sampled_from(weighted), label="action, actor")
        self._attempt(m, action, actor, data.draw(GOOD_ARGS, label="args"))

    @precondition(lambda self: self.models)
    @rule(data=st.data(), method=st.sampled_from(["counter", "warehouse", "post"]))
    def the_unit_finishes(self, data: st.DataObject, method: str) -> None:
        """The usual end of the road: hand over, approve, result ready, result returned."""
        m = data.draw(st.sampled_from(self.models), label="dossier")
        args = Args("", (), None, 0, method, "one_day")
        prefix = "" if m.handling == "committee" else "other_"
        for action, actor in [
            ("forward", "reception"),
            ("approve", f"{prefix}leader"),
            ("mark_result_ready", f"{prefix}specialist"),
            ("return_result", "reception"),
        ]:
            if not self._attempt(m, action, actor, args):
                break

    # --- the oracle -----------------------------------------------------------------------
    def _new_due(self, m: Model, a: Args) -> datetime:
        if m.due is None:
            return self.now + timedelta(days=5)
        if a.extend == "earlier":
            return m.due - timedelta(hours=1)
        if a.extend == "sunday_night":  # after the due, but not an office instant
            due = m.due.astimezone(VN_TZ)
            sunday = due.date() + timedelta(days=6 - due.weekday())
            return datetime.combine(sunday, time(3, 0), tzinfo=VN_TZ)
        hours = 8 if a.extend == "one_day" else 24
        return CALENDAR.add_working_time(m.due, timedelta(hours=hours))

    def _expect(self, action: str, actor: str, m: Model, a: Args, new_due: datetime) -> Any:
        """The refusal class, or the status after success."""
        t = TRANSITIONS[action]
        if action == "request_supplement" and not [i for i in a.items if i.strip()]:
            return S.InvalidInput
        if action == "request_payment" and a.amount <= 0:
            return S.InvalidInput
        if action == "return_result" and a.method not in S.RETURN_METHODS:
            return S.InvalidInput
        if t.reason_required and not a.reason.strip():
            return S.InvalidInput
        if not sees(actor, m):
            return DossierNotFound
        if not permitted(actor, m, action):
            return PermissionDenied
        if m.status not in t.sources:
            return Conflict
        if action == "request_supplement" and m.supplements >= 1:
            return DomainError
        if action in {"forward", "send_back"} and a.to_unit == "dead":
            return S.InvalidInput  # the unit no longer exists
        if action == "mark_result_ready" and not m.approved:
            return DomainError
        if action in HAND_OVERS and m.step is not None:
            to_unit = a.to_unit if action in {"forward", "send_back"} else None
            if process_outcome(actor, m, action, to_unit) is None:
                return S.StepRefused
        if action == "apologise_extend":
            assert m.due is not None
            if m.extensions >= 1:
                return DomainError
            if self.now >= m.due:
                return DomainError
            if working_time_between(self.now, m.due, calendar=CALENDAR) < ONE_WORKING_DAY:
                return DomainError
            if new_due <= m.due or not in_office_hours(new_due):
                return S.InvalidInput
        if t.target is not None:
            return t.target
        if action == "supplement":
            return m.before_pause or Status.RECEIVED
        if action == "confirm_payment":
            return m.before_pause or Status.PROCESSING
        return m.status

    def _apply(
        self, m: Model, action: str, actor: str, a: Args, new_due: datetime, status: str
    ) -> None:
        if action in HAND_OVERS and m.step is not None:
            to_unit = a.to_unit if action in {"forward", "send_back"} else None
            hand = process_outcome(actor, m, action, to_unit)
            assert hand is not None
            m.step, m.step_unit, m.lead = hand.step, hand.step_unit, hand.lead
            m.steps_opened += hand.opened
            if hand.holder is not None and hand.holder != m.handling:
                m.supporting.add(m.handling)
                m.handling = hand.holder
            if action in {"forward", "send_back"}:
                m.approved = False
        elif action in {"forward", "send_back"}:  # no process: the lifecycle table alone
            if a.to_unit is not None and a.to_unit != m.handling:
                m.supporting.add(m.handling)
                m.handling = a.to_unit
            m.approved = False
        if action == "receive":
            m.step, m.step_unit, m.lead, m.steps_opened = "reception", m.receiving, m.handling, 1
            same_day, days = CASES[m.case]
            m.received_at = self.now
            m.due = due_at(
                self.now,
                days,
                DurationUnit.WORKING_DAYS,
                same_day=same_day,
                calendar=CALENDAR,
            )
        elif action == "request_supplement":
            m.supplements += 1
            m.paused_at = self.now
            m.before_pause = m.status
        elif action == "supplement":
            assert m.due is not None and m.paused_at is not None
            m.due = extend_for_pause(m.due, m.paused_at, self.now, CALENDAR)
            m.paused_at = None
            m.before_pause = ""
        elif action == "approve":
            m.approved = True
        elif action == "request_payment":
            m.before_pause = m.status
        elif action == "confirm_payment":
            m.before_pause = ""
        elif action in {"withdraw", "stop"}:
            m.paused_at = None
            m.step = m.step_unit = None
        elif action == "apologise_extend":
            m.due = new_due
            m.extensions += 1
        m.status = status
        m.timeline.append((action, m.due))

    def _call(self, action: str, actor: str, m: Model, a: Args, new_due: datetime) -> Dossier:
        user = self.users[actor]
        to_unit = self.units[a.to_unit] if a.to_unit else None
        calls: dict[str, Callable[[], Dossier]] = {
            "receive": lambda: S.dossier_receive(actor=user, public_id=m.public_id),
            "refuse": lambda: S.dossier_refuse(actor=user, public_id=m.public_id, reason=a.reason),
            "request_supplement": lambda: S.dossier_request_supplement(
                actor=user, public_id=m.public_id, items=list(a.items), reason=a.reason
            ),
            "supplement": lambda: S.dossier_supplement(
                actor=user, public_id=m.public_id, note=a.reason
            ),
            "forward": lambda: S.dossier_forward(
                actor=user, public_id=m.public_id, to_unit=to_unit, note=a.reason
            ),
            "send_back": lambda: S.dossier_send_back(
                actor=user, public_id=m.public_id, reason=a.reason, to_unit=to_unit
            ),
            "approve": lambda: S.dossier_approve(actor=user, public_id=m.public_id, note=a.reason),
            "mark_result_ready": lambda: S.dossier_mark_result_ready(
                actor=user, public_id=m.public_id
            ),
            "request_payment": lambda: S.dossier_request_payment(
                actor=user, public_id=m.public_id, amount=a.amount, note=a.reason
            ),
            "confirm_payment": lambda: S.dossier_confirm_payment(
                actor=user, public_id=m.public_id, receipt="BL-2027-000123"
            ),
            "return_result": lambda: S.dossier_return_result(
                actor=user, public_id=m.public_id, method=a.method
            ),
            "withdraw": lambda: S.dossier_withdraw(
                actor=user, public_id=m.public_id, reason=a.reason
            ),
            "stop": lambda: S.dossier_stop(actor=user, public_id=m.public_id, reason=a.reason),
            "apologise_extend": lambda: S.dossier_apologise_extend(
                actor=user, public_id=m.public_id, new_due=new_due, reason=a.reason
            ),
        }
        assert set(calls) == set(ACTIONS)
        return calls[action]()

    def _attempt(self, m: Model, action: str, actor: str, a: Args) -> bool:
        """Take the action, check the outcome against the oracle; True when it succeeded."""
        new_due = self._new_due(m, a)
        expected = self._expect(action, actor, m, a, new_due)
        before = self._snapshot(m)
        try:
            dossier = self._call(action, actor, m, a, new_due)
        except (DomainError, DossierNotFound) as exc:
            assert isinstance(expected, type), (
                f"{action} by {actor} from {m.status} refused with {exc!r}, expected {expected}"
            )
            assert type(exc) is expected, f"{action} by {actor}: {exc!r}, expected {expected}"
            assert self._snapshot(m) == before, f"refused {action} changed something"
            return False
        assert not isinstance(expected, type), (
            f"{action} by {actor} from {m.status} succeeded, expected {expected.__name__}"
        )
        assert m.status in TRANSITIONS[action].sources
        self._apply(m, action, actor, a, new_due, expected)
        self.changes += 1
        assert dossier.status == expected
        _row, _supporting, events, audits, messages, dossiers = before
        after = self._snapshot(m)
        assert after[2:] == (events + 1, audits + 1, messages + 1, dossiers)
        if action == "receive":
            assert dossier.code and m.public_id != dossier.code
            m.public_id = dossier.code  # from now on addressed by its code
        return True

    # --- reading the database -------------------------------------------------------------
    def _counts(self) -> tuple[int, int, int]:
        return (Dossier.objects.count(), AuditEntry.objects.count(), OutboxMessage.objects.count())

    def _snapshot(self, m: Model) -> tuple[Any, ...]:
        dossier = Dossier.objects.get(pk=m.pk)
        row = model_to_dict(dossier, exclude=["supporting_units"])
        return (
            row,
            frozenset(dossier.supporting_units.values_list("pk", flat=True)),
            DossierEvent.objects.filter(dossier_id=m.pk).count(),
            AuditEntry.objects.count(),
            OutboxMessage.objects.count(),
            Dossier.objects.count(),
        )

    # --- invariants -----------------------------------------------------------------------
    @invariant()
    def the_invariants_hold(self) -> None:
        """Checked whenever the database changed (refusals are checked to change nothing)."""
        if self.checked == self.changes:
            return
        self.dossiers_match_the_model()
        self.timelines_are_complete()
        self.audit_chains_verify()
        self.due_instants_follow_the_calendar()
        self.codes_are_unique_and_well_formed()
        self.nobody_sees_beyond_the_rule()
        self.processes_match_the_model()
        self.checked = self.changes

    def dossiers_match_the_model(self) -> None:
        assert Dossier.objects.count() == len(self.models)
        for m in self.models:
            d = Dossier.objects.get(pk=m.pk)
            assert d.status == m.status
            assert d.handling_unit_id == self.units[m.handling].pk
            assert d.receiving_unit_id == self.units[m.receiving].pk
            supporting = set(d.supporting_units.values_list("pk", flat=True))
            assert supporting == {self.units[u].pk for u in m.supporting}
            assert d.supplement_count == m.supplements <= 1
            assert d.extension_count == m.extensions <= 1
            assert d.approved == m.approved
            assert d.received_at == m.received_at
            assert d.due_at == m.due
            assert d.paused_at == m.paused_at

    def timelines_are_complete(self) -> None:
        for m in self.models:
            d = Dossier.objects.get(pk=m.pk)
            events = list(DossierEvent.objects.filter(dossier_id=m.pk).order_by("seq"))
            assert [(e.action, e.due_at) for e in events] == m.timeline
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            assert events[0].from_status == "" and events[0].to_status == Status.NEW
            for previous, event in itertools.pairwise(events):
                assert event.occurred_at >= previous.occurred_at
                assert event.from_status == previous.to_status
            assert events[-1].to_status == d.status
            actions = [e.action for e in events]
            assert actions.count("request_supplement") <= 1
            assert actions.count("apologise_extend") <= 1

    def audit_chains_verify(self) -> None:
        assert audit_verify() == []

    def due_instants_follow_the_calendar(self) -> None:
        for d in Dossier.objects.exclude(status__in=[Status.NEW, Status.REFUSED]):
            if d.received_at is None:  # withdrawn before reception
                assert d.status == Status.WITHDRAWN and d.due_at is None
                continue
            assert d.due_at is not None and d.due_at >= d.received_at
            assert in_office_hours(d.due_at), d.due_at.astimezone(VN_TZ)

    def codes_are_unique_and_well_formed(self) -> None:
        numbers: dict[tuple[str, str], list[int]] = defaultdict(list)
        codes = []
        for d in Dossier.objects.select_related("receiving_unit"):
            if d.received_at is None:
                assert d.code is None
                continue
            codes.append(d.code)
            agency = d.receiving_unit.code
            match = re.fullmatch(rf"{re.escape(agency)}-(\d{{6}})-(\d{{4,}})", d.code or "")
            assert match, d.code
            assert match[1] == d.received_at.astimezone(VN_TZ).strftime("%y%m%d")
            numbers[(agency, match[1])].append(int(match[2]))
        assert len(codes) == len(set(codes))
        for found in numbers.values():
            assert sorted(found) == list(range(1, len(found) + 1))

    def nobody_sees_beyond_the_rule(self) -> None:
        pks = [m.pk for m in self.models]
        for actor, user in self.users.items():
            seen = set(visible_dossiers(user).filter(pk__in=pks).values_list("pk", flat=True))
            assert seen == {m.pk for m in self.models if sees(actor, m)}, actor

    def processes_match_the_model(self) -> None:
        for m in self.models:
            task = current_task(m.pk)
            if m.step is None:
                assert task is None, (m.status, task)
            else:
                assert task is not None and task.step == m.step, (m.step, task)
                assert task.unit_id == self.units[m.step_unit or ""].pk, (m.step_unit, task)
            assert len(control_sheet(m.pk)) == m.steps_opened


SETTINGS = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _three_day_record() -> dict[str, Any]:
    """A second procedure: three working days, no same-day rule (extensions are possible)."""
    rec = record("1.004194", "Đăng ký tạm trú", "Temporary residence registration")
    case = rec["cases"][0]
    case["same_day_rule"] = False
    for way in case["ways"]:
        way["duration"] = 3
    return rec


@pytest.fixture
def machine_world(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[World, dict, dict]:
    catalog_import(document(copy.deepcopy(_three_day_record())))
    dead = Unit.objects.create(
        code="H01.00999",
        name="Ủy ban nhân dân Phường Cũ (đã sáp nhập)",
        level=UnitLevel.COMMUNE,
        parent=world.province,
        province_code="01",
        valid_from=date(2024, 1, 1),
        valid_to=date(2025, 7, 1),
    )
    CalendarAdjustment.objects.create(
        day=DAY_OFF, kind=AdjustmentKind.DAY_OFF, province_code="01", reason="Nghỉ bù"
    )
    CalendarAdjustment.objects.create(
        day=EXTRA_SATURDAY, kind=AdjustmentKind.WORKING_DAY, reason="Làm bù"
    )
    monkeypatch.setattr(timezone, "now", Clock())
    units = {
        "section": world.section,
        "committee": world.committee,
        "other": world.other_committee,
        "province": world.province,
        "dead": dead,
    }
    cases = {
        "same_day": world.case,
        "three_days": ProcedureCase.objects.get(version__procedure__code="1.004194"),
    }
    return world, units, cases


def test_random_action_sequences_keep_the_invariants(
    machine_world: tuple[World, dict, dict],
) -> None:
    world, units, cases = machine_world
    run_state_machine_as_test(lambda: DossierMachine(world, units, cases), settings=SETTINGS)


# --- regressions: bugs the machine found (fixed in 6e74e8d) ---------------------------------
def _received(world: World, monkeypatch: pytest.MonkeyPatch, case: ProcedureCase) -> Dossier:
    monkeypatch.setattr(timezone, "now", lambda: START)
    return S.dossier_receive(
        actor=world.reception, public_id=str(world.submit(case=case).reference)
    )


def test_apology_for_an_overdue_dossier_is_refused_cleanly(
    machine_world: tuple[World, dict, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    world, _units, cases = machine_world
    d = _received(world, monkeypatch, cases["three_days"])
    assert d.due_at is not None
    monkeypatch.setattr(timezone, "now", lambda: d.due_at + timedelta(days=1))
    with pytest.raises(DomainError):
        S.dossier_apologise_extend(
            actor=world.specialist,
            public_id=d.code or "",
            new_due=d.due_at + timedelta(days=7),
            reason="Xin lỗi vì chậm trễ",
        )


def test_extension_promises_an_office_instant_of_a_working_day(
    machine_world: tuple[World, dict, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    world, _units, cases = machine_world
    d = _received(world, monkeypatch, cases["three_days"])
    before = (d.due_at, AuditEntry.objects.count())
    sunday_night = datetime(2027, 3, 14, 3, 0, tzinfo=VN_TZ)
    with pytest.raises(S.InvalidInput) as refused:
        S.dossier_apologise_extend(
            actor=world.specialist, public_id=d.code or "", new_due=sunday_night, reason="r"
        )
    assert "new_due" in refused.value.errors
    d.refresh_from_db()
    assert (d.due_at, AuditEntry.objects.count()) == before and d.extension_count == 0


def test_send_back_to_a_unit_that_no_longer_exists(
    machine_world: tuple[World, dict, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    world, units, cases = machine_world
    d = _received(world, monkeypatch, cases["same_day"])
    S.dossier_forward(actor=world.reception, public_id=d.code or "")
    with pytest.raises(S.InvalidInput):
        S.dossier_send_back(
            actor=world.specialist, public_id=d.code or "", reason="r", to_unit=units["dead"]
        )
