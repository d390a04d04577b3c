"""``motcua load-demo``: idempotent demo data in every status, through the services."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import timedelta

import pytest

from motcua.accounts.validators import validate_personal_id
from motcua.audit.services import audit_verify
from motcua.core.calendar import DEFAULT_OFFICE_HOURS, VN_TZ
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierCodeSequence, DossierEvent, Status
from motcua.integrations.models import OutboxMessage
from motcua.units.selectors import work_calendar
from tests.demo.conftest import NOW, load_everything

pytestmark = pytest.mark.django_db


def _state() -> tuple[object, ...]:
    return (
        sorted(Dossier.objects.values_list("reference", "status", "code", "due_at")),
        DossierEvent.objects.count(),
        OutboxMessage.objects.count(),
        sorted(DossierCodeSequence.objects.values_list("agency_code", "day", "last_value")),
    )


def test_the_demo_loads_once_and_only_once(demo: str, settings) -> None:  # type: ignore[no-untyped-def]
    first = _state()
    assert "Demo data ready: 41 dossiers (41 created now)" in demo
    second = load_everything()
    assert "Demo data ready: 41 dossiers (0 created now)" in second
    assert _state() == first
    assert len(second.strip().splitlines()) == 1
    logins = (settings.VAR_DIR / "demo-logins.txt").read_text(encoding="utf-8").splitlines()
    assert len(logins) == 17 and len({line.split()[0] for line in logins}) == 17
    assert audit_verify() == []


def test_every_status_at_several_units_of_two_provinces(demo: str) -> None:
    statuses = Counter(Dossier.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values), statuses
    assert Dossier.objects.count() >= 40
    by_unit = Counter(Dossier.objects.values_list("receiving_unit__code", flat=True))
    assert {"H01.00070.MC", "H01.00073.MC", "H01.TTPVHCC", "H48.20242.MC"} == set(by_unit)
    assert set(Dossier.objects.values_list("province_code", flat=True)) == {"01", "48"}
    procedures = set(Dossier.objects.values_list("procedure_version__procedure__code", flat=True))
    assert {"1.001193", "3.000333", "1.000894"} <= procedures
    # Someone forwarded a dossier to another commune for verification.
    assert Dossier.objects.filter(supporting_units__code="H01.00070").exists()


def test_applicants_have_names_and_valid_id_numbers(demo: str) -> None:
    for name, id_number in Dossier.objects.values_list("applicant_name", "applicant_id_number"):
        validate_personal_id(id_number)
        assert len(name.split()) >= 3 and name == name.strip()
    online = Dossier.objects.filter(channel="online")
    assert online.exists() and not online.filter(applicant_account__isnull=True).exists()


def test_times_look_real_and_follow_the_rules(demo: str) -> None:
    now = NOW
    overdue = due_today = 0
    for d in Dossier.objects.select_related("receiving_unit"):
        events = list(d.events.order_by("seq"))
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        times = [e.occurred_at for e in events]
        assert times == sorted(times) and times[-1] <= now
        assert d.submitted_at == times[0] and d.submitted_at < now - timedelta(minutes=10)
        assert all(b.from_status == a.to_status for a, b in itertools.pairwise(events))
        assert events[-1].to_status == d.status
        if d.received_at is None:
            assert d.code is None
            continue
        # The code names the (past) day of reception.
        day = d.received_at.astimezone(VN_TZ).strftime("%y%m%d")
        assert re.fullmatch(rf"{re.escape(d.receiving_unit.code)}-{day}-\d{{4}}", d.code or "")
        due = d.due_at.astimezone(VN_TZ)
        assert d.due_at > d.received_at
        # The demo's replay of the reception rule is the services' own rule.
        assert d.original_due_at == services._calendar_due(d, d.received_at)
        if not {"supplement", "apologise_extend"} & {e.action for e in events}:
            assert d.due_at == d.original_due_at
        assert work_calendar(d.province_code).is_working_day(due.date())
        assert any(a <= due.time() <= b for a, b in DEFAULT_OFFICE_HOURS.periods)
        if d.status in {Status.RECEIVED, Status.PROCESSING}:
            overdue += d.due_at < now
            due_today += due.date() == now.date() and d.due_at >= now
    assert overdue >= 2 and due_today >= 2, (overdue, due_today)
    # Codes: unique, numbered 1..n per agency and day; today's counter gave its numbers back.
    numbers: dict[tuple[str, str], list[int]] = {}
    for code in Dossier.objects.exclude(code=None).values_list("code", flat=True):
        agency, day, number = code.rsplit("-", 2)
        numbers.setdefault((agency, day), []).append(int(number))
    for key, found in numbers.items():
        assert sorted(found) == list(range(1, len(found) + 1)), key
    counters = {(a, d.strftime("%y%m%d")): n for a, d, n in DossierCodeSequence.objects.values_list(
        "agency_code", "day", "last_value")}  # fmt: skip
    assert counters == {key: len(found) for key, found in numbers.items()}


def test_outbox_messages_carry_the_demo_times(demo: str) -> None:
    d = Dossier.objects.filter(status=Status.RESULT_RETURNED).order_by("received_at").first()
    assert d is not None
    last = OutboxMessage.objects.filter(key=str(d.reference)).order_by("id").last()
    assert last is not None
    stamp = d.received_at.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")
    assert last.payload["NgayTiepNhan"] == stamp and last.payload["MaHoSo"] == d.code
    assert last.payload["TrangThaiHoSo"] == 10
