"""Overdue handling: the apology letter goes on the holder's list in time, once; counts.

The sample case is made a three-working-day procedure: received Monday 1 March 2027 at
08:00, it is due Thursday 08:00. The scan lists it while its due time is within 16
working hours (the last working day on which the apology may be sent starts within one
working day) and at least 8 working hours remain (the law's "one working day before").
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command

from motcua.core.calendar import VN_TZ
from motcua.dossiers import services as S
from motcua.dossiers.models import Dossier
from motcua.dossiers.overdue import overdue_counts, overdue_scan
from motcua.dossiers.tasks import overdue_scan_task
from motcua.units.models import StaffRole
from motcua.workflow.models import FollowUp, FollowUpKind
from motcua.workflow.selectors import followups_for
from tests.dossiers.conftest import World

pytestmark = pytest.mark.django_db

MONDAY = date(2027, 3, 1)


def at(day: int, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    d = MONDAY + timedelta(days=day)
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=VN_TZ)


@pytest.fixture
def w(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    world.case.same_day_rule = False
    world.case.save(update_fields=["same_day_rule"])
    world.case.ways.update(duration=3)
    monkeypatch.setattr(S, "now", lambda: at(0, "08:00"))
    return world


def received(w: World) -> Dossier:
    d = S.dossier_receive(actor=w.reception, public_id=str(w.submit().reference))
    assert d.due_at == at(3, "08:00")
    return d


def follow_ups() -> list[tuple[int, int, str, str]]:
    return list(
        FollowUp.objects.order_by("pk").values_list(
            "subject_id", "unit_id", "role", "closed_reason"
        )
    )


def test_the_scan_lists_a_dossier_once_within_the_notice_window(w: World) -> None:
    d = received(w)
    assert overdue_scan(at=at(0, "17:00")).listed == 0  # 17 working hours left
    first = overdue_scan(at=at(1, "08:00"))  # Tuesday 08:00: 16 working hours left
    assert first.opened == [d.pk] and first.listed == 1
    again = overdue_scan(at=at(1, "09:00"))
    assert again.opened == [] and again.listed == 1 and again.closed == 0
    assert follow_ups() == [(d.pk, w.section.pk, StaffRole.ONE_STOP_OFFICER, "")]
    row = followups_for([(w.section.pk, StaffRole.ONE_STOP_OFFICER)]).get()
    assert (row.kind, row.due_at) == (FollowUpKind.APOLOGY, at(3, "08:00"))
    assert list(followups_for([(w.committee.pk, StaffRole.SPECIALIST)])) == []


def test_the_list_follows_the_dossier_to_its_new_holder(w: World) -> None:
    d = received(w)
    overdue_scan(at=at(1, "08:00"))
    S.dossier_forward(actor=w.reception, public_id=d.code)
    result = overdue_scan(at=at(1, "09:00"))
    assert result.opened == [d.pk] and result.closed == 1
    assert follow_ups() == [
        (d.pk, w.section.pk, StaffRole.ONE_STOP_OFFICER, "moved"),
        (d.pk, w.committee.pk, StaffRole.SPECIALIST, ""),
    ]


def test_the_apology_closes_it_for_good(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    d = received(w)
    S.dossier_forward(actor=w.reception, public_id=d.code)
    overdue_scan(at=at(1, "08:00"))
    monkeypatch.setattr(S, "now", lambda: at(1, "10:00"))
    S.dossier_apologise_extend(
        actor=w.specialist,
        public_id=d.code,
        new_due=at(7, "16:00"),
        reason="Chờ kết quả xác minh của cơ quan liên quan",
    )
    assert follow_ups() == [(d.pk, w.committee.pk, StaffRole.SPECIALIST, "done")]
    assert overdue_scan(at=at(6, "16:00")).listed == 0  # one re-promise only: not listed again
    assert follow_ups()[0][3] == "done"


def test_too_late_for_an_apology_and_paused_dossiers_leave_the_list(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    late, paused = received(w), received(w)
    overdue_scan(at=at(1, "08:00"))
    monkeypatch.setattr(S, "now", lambda: at(1, "09:00"))
    S.dossier_request_supplement(
        actor=w.reception, public_id=paused.code, items=["Giấy chứng sinh"], reason="Thiếu"
    )
    result = overdue_scan(at=at(2, "09:00"))  # 7 working hours left: the letter is too late
    assert result.listed == 0 and result.closed == 2
    assert {(s, reason) for s, _u, _r, reason in follow_ups()} == {
        (late.pk, "too_late"),
        (paused.pk, "cleared"),
    }


def test_withdrawal_ends_the_follow_up(w: World) -> None:
    d = received(w)
    overdue_scan(at=at(1, "08:00"))
    S.dossier_withdraw(actor=w.citizen, public_id=d.code, reason="Nộp nhầm")
    assert follow_ups()[0][3] == "ended"


def test_working_hours_not_calendar_hours_decide(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Received Wednesday 08:00, due Monday 08:00: Thursday 09:00, four calendar days before,
    leaves 15 working hours (6 on Thursday, 8 on Friday, 1 on Monday)."""
    monkeypatch.setattr(S, "now", lambda: at(2, "08:00"))
    d = S.dossier_receive(actor=w.reception, public_id=str(w.submit().reference))
    assert d.due_at == at(7, "08:00")
    assert overdue_scan(at=at(2, "16:00")).listed == 0  # Wednesday 16:00: 18 hours left
    assert overdue_scan(at=at(3, "09:00")).opened == [d.pk]


def test_overdue_counts_per_unit_and_officer(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    on_time, late = received(w), received(w)
    S.dossier_forward(actor=w.reception, public_id=late.code)
    Dossier.objects.filter(pk=on_time.pk).update(due_at=at(9, "08:00"))
    monkeypatch.setattr(S, "now", lambda: at(3, "09:00"))  # processing step due Tue 14:00
    S.dossier_forward(actor=w.specialist, public_id=late.code)  # finished late
    counts = overdue_counts(at=at(3, "10:00"))
    assert counts.by_unit == {w.committee.pk: 1}
    # The specialist finished a step late; the one-stop officer who received the other
    # dossier still holds its reception step, due Monday 10:24.
    assert counts.by_officer == {w.specialist.pk: 1, w.reception.pk: 1}
    assert overdue_counts(at=at(3, "10:00"), province_code="48") == type(counts)({}, {})
    recent = overdue_counts(at=at(3, "10:00"), since=at(3, "09:30"))
    assert recent.by_officer == {w.reception.pk: 1}


def test_command_and_task_run_the_same_scan(w: World) -> None:
    d = received(w)
    out = io.StringIO()
    call_command("overdue_scan", "--at", "2027-03-02 08:00", stdout=out)
    assert "1 dossier(s) listed" in out.getvalue() and "1 new" in out.getvalue()
    assert follow_ups() == [(d.pk, w.section.pk, StaffRole.ONE_STOP_OFFICER, "")]
    assert overdue_scan_task.apply().get() == {"listed": 0, "opened": 0, "closed": 1}
