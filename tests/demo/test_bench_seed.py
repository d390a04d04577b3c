"""``motcua bench seed``: the data the benchmarks rely on, at a small size, on PostgreSQL.

The generator writes with COPY into the real tables (its own connection, committed
batches), so the test is transactional (tables are flushed afterwards) and skipped on
SQLite, where the command refuses to run.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from motcua.accounts.services import officer_create
from motcua.accounts.validators import validate_personal_id, validate_tax_code
from motcua.backoffice.selectors import QueueFilter, queue_counts, queue_page
from motcua.catalog.models import ProcedureCase, ProcedureVersion
from motcua.core.calendar import VN_TZ
from motcua.demo.people import PEOPLE
from motcua.demo.scenarios import BIRTH, form_data
from motcua.dossiers import services
from motcua.dossiers.access import actor_roles
from motcua.dossiers.lifecycle import TRANSITIONS
from motcua.dossiers.models import (
    ENDED_STATUSES,
    Dossier,
    DossierCodeSequence,
    DossierEvent,
    ReceivedAs,
)
from motcua.units.models import REFORM_DATE, Unit
from motcua.units.services import role_assign
from motcua.workflow.models import ProcessInstance, WorkTask

SIZE = 2500
IN_FLIGHT = {"received", "processing", "supplement_requested", "awaiting_payment", "result_ready"}


def seed(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("bench_seed", "--dossiers", str(SIZE), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def check_dossiers() -> None:
    rows = Dossier.objects.values(
        "pk", "code", "status", "channel", "applicant_kind", "applicant_id_number",
        "submitted_at", "received_at", "due_at", "original_due_at", "paused_at",
        "result_ready_at", "returned_at", "ended_at", "status_before_pause",
        "receiving_unit__code",
    )  # fmt: skip
    ids: Counter[str] = Counter()
    for d in rows:
        ids[d["applicant_kind"]] += 1
        if d["applicant_kind"] == "citizen":
            validate_personal_id(d["applicant_id_number"])
        else:
            validate_tax_code(d["applicant_id_number"])
        status = d["status"]
        if d["received_at"] is None:
            assert status in {"new", "refused", "withdrawn"}, d
            assert d["code"] is None
        else:
            day = d["received_at"].astimezone(VN_TZ).strftime("%y%m%d")
            agency = re.escape(d["receiving_unit__code"])
            assert re.fullmatch(rf"{agency}-{day}-\d{{4,}}", d["code"]), d
            assert d["due_at"] > d["received_at"] >= d["submitted_at"], d
            assert d["due_at"] >= d["original_due_at"]
        assert (d["ended_at"] is not None) == (status in ENDED_STATUSES)
        if status in {"result_ready", "result_returned"}:
            assert d["result_ready_at"] is not None and d["result_ready_at"] == d["ended_at"]
        assert (d["returned_at"] is not None) == (status == "result_returned")
        if status == "result_returned":
            assert d["returned_at"] >= d["result_ready_at"]
        assert (d["paused_at"] is not None) == (status == "supplement_requested")
        if status in {"supplement_requested", "awaiting_payment"}:
            assert d["status_before_pause"] in {"received", "processing"}
        elif status not in {"withdrawn", "stopped"}:  # the services leave it set on those
            assert d["status_before_pause"] == "", d
    assert ids["citizen"] > ids["organisation"] > 0


def check_timelines() -> None:
    """Seq 1..n, each event a transition of the lifecycle table, ending at the status."""
    statuses = dict(Dossier.objects.values_list("pk", "status"))
    events = DossierEvent.objects.order_by("dossier_id", "seq").values_list(
        "dossier_id", "seq", "action", "from_status", "to_status"
    )
    last: dict[int, tuple[int, str]] = {}
    for dossier_id, seq, action, before, after in events:
        prev_seq, prev_status = last.get(dossier_id, (0, ""))
        assert seq == prev_seq + 1, (dossier_id, seq)
        assert before == prev_status, (dossier_id, seq, action)
        if action == "submit":
            assert (seq, before, after) == (1, "", "new")
        else:
            transition = TRANSITIONS[action]
            assert before in transition.sources, (dossier_id, action, before)
            if transition.target is not None:
                assert after == transition.target, (dossier_id, action, after)
        last[dossier_id] = (seq, after)
    assert set(last) == set(statuses)
    assert all(last[pk][1] == status for pk, status in statuses.items())


def check_processes() -> None:
    """Dossiers in flight have a running process with exactly one open step."""
    flying = set(Dossier.objects.filter(status__in=IN_FLIGHT).values_list("pk", flat=True))
    instances = dict(ProcessInstance.objects.values_list("subject_id", "current_task_id"))
    assert flying and set(instances) == flying
    open_steps = dict(
        WorkTask.objects.filter(finished_at__isnull=True).values_list("subject_id", "pk")
    )
    assert open_steps == instances


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_bench_seed_writes_what_the_benchmarks_rely_on(on_postgres: None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out, _err = seed("--officers", "--seed", "7")
    assert Dossier.objects.count() == SIZE
    assert f"{SIZE:,} dossiers" in out
    assert Dossier.objects.values("province_code").distinct().count() == 34
    statuses = Counter(Dossier.objects.values_list("status", flat=True))
    assert statuses["result_returned"] > SIZE * 0.8  # a system that has run for a year
    for status in ("new", "received", "processing", "result_ready", "refused", "withdrawn"):
        assert statuses[status] > 0, status
    channels = Counter(Dossier.objects.values_list("channel", flat=True))
    assert 0.5 < channels["online"] / SIZE < 0.7
    ended = Dossier.objects.filter(result_ready_at__isnull=False)
    late = ended.filter(result_ready_at__gt=F("due_at")).count() / ended.count()
    assert 0.02 < late < 0.07
    check_dossiers()
    check_timelines()
    check_processes()

    # The officers: normal officers; "my tasks" finds exactly the open steps of their
    # roles, and their default queues are not all empty (at this size some may be).
    officers = json.loads(out.strip().splitlines()[-1])["officers"]
    assert len(officers) == 6
    non_empty = 0
    for row in officers:
        user = User.objects.get(username=row["username"])
        assert user.kind == "officer" and not user.is_superuser
        assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        roles = actor_roles(user)
        counts = queue_counts(user, roles, QueueFilter())
        unit = Unit.objects.get(code=row["unit"])
        steps = WorkTask.objects.filter(unit=unit, role=row["role"], finished_at=None)
        assert counts["mine"] == steps.count(), row
        for queue, count in counts.items():
            page = queue_page(user, roles, queue, QueueFilter())
            assert len(page.rows) == min(count, 25), (row, queue)
        non_empty += sum(counts.values()) > 0
    assert non_empty >= 3
    one_stop = User.objects.get(username="bench.motcua.xa")

    # A live reception at a seeded agency on a seeded day takes the next number.
    section = Unit.objects.get(code=officers[0]["unit"])
    counter = DossierCodeSequence.objects.filter(agency_code=section.code).latest("day")
    moment = datetime.combine(counter.day, time(10, 0), tzinfo=VN_TZ)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    version = ProcedureVersion.objects.in_force(counter.day).filter(procedure__code=BIRTH).get()
    case = ProcedureCase.objects.get(version=version, code="1")
    lan = PEOPLE["lan"]
    dossier = services.dossier_submit(
        actor=one_stop,
        case=case,
        applicant=services.Applicant(kind="citizen", name=lan.name, id_number=lan.id_number),
        channel="in_person",
        receiving_unit=section,
        form_data=form_data(BIRTH, lan, "01", counter.day),
        components=[
            services.ComponentInput(c.code, received_as=ReceivedAs.ORIGINAL)
            for c in case.components.all()
            if c.required and not c.registry
        ],
    )
    received = services.dossier_receive(actor=one_stop, public_id=str(dossier.reference))
    assert received.code == (f"{section.code}-{counter.day:%y%m%d}-{counter.last_value + 1:04d}")
    assert Dossier.objects.filter(code=received.code).count() == 1
    monkeypatch.undo()

    # Seeded processes run on through the real services, one open step of each kind.
    acted = set()
    open_steps = WorkTask.objects.filter(finished_at=None).select_related("unit").order_by("pk")
    for step in open_steps:
        dossier = Dossier.objects.get(pk=step.subject_id)
        if step.step in acted or dossier.status not in {"received", "processing", "result_ready"}:
            continue
        officer, _device = officer_create(
            username=f"test.{step.pk}", full_name="Cán bộ Thử", email="", password="x" * 20
        )
        role_assign(
            user=officer, unit=step.unit, role=step.role, valid_from=REFORM_DATE, actor=None
        )
        action = step.actions[0]
        events = dossier.events.count()
        getattr(services, f"dossier_{action}")(actor=officer, public_id=dossier.code)
        assert dossier.events.count() == events + 1
        assert WorkTask.objects.get(pk=step.pk).finished_at is not None
        acted.add(step.step)
    assert {"reception", "processing", "approval", "result", "return"} <= acted

    # A second run adds as many again, without collisions.
    seed("--seed", "7")
    assert Dossier.objects.count() == 2 * SIZE + 1
    check_dossiers()
    check_timelines()
    codes = Dossier.objects.exclude(code=None)
    assert codes.values("code").distinct().count() == codes.count()
    with connection.cursor() as cur:  # every counter at least the highest number used
        cur.execute(
            """
            SELECT count(*) FROM dossiers_dossier d
            JOIN units_unit u ON u.id = d.receiving_unit_id
            LEFT JOIN dossiers_dossiercodesequence s
              ON s.agency_code = u.code
             AND s.day = (d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
            WHERE d.code IS NOT NULL
              AND (s.id IS NULL OR s.last_value < split_part(d.code, '-', 3)::int)
            """
        )
        assert cur.fetchone()[0] == 0


@pytest.mark.django_db
def test_bench_seed_refuses_sqlite() -> None:
    if connection.vendor == "postgresql":
        pytest.skip("checks the refusal on SQLite")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("bench_seed", "--dossiers", "10", stdout=StringIO(), stderr=StringIO())
