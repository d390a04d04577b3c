"""Every status change of a dossier e-mails its applicant, in the applicant's language.

The hook runs after the transaction commits (``dossiers.events.register_after_change``,
registered by the feedback app), so the tests execute the on-commit callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from motcua.dossiers import services as S
from motcua.dossiers.models import Dossier
from motcua.notifications.models import OutgoingEmail
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import World
from tests.notifications.smtp import SmtpServer

world = dossier_fixtures.world

pytestmark = pytest.mark.django_db


def test_each_status_change_sends_one_email_in_vietnamese(
    world: World, smtp: SmtpServer, committed: Callable[..., Any]
) -> None:
    dossier: Dossier = committed(world.submit)
    d = committed(S.dossier_receive, actor=world.reception, public_id=str(dossier.reference))
    committed(
        S.dossier_request_supplement,
        actor=world.reception,
        public_id=d.code,
        items=["Bản sao giấy chứng sinh", "Ảnh 4x6"],
        reason="Thiếu giấy tờ",
    )
    committed(S.dossier_supplement, actor=world.citizen, public_id=d.code)
    subjects = [m.message["Subject"] for m in smtp.messages]
    assert len(subjects) == 4
    assert subjects[0].endswith("mới đăng ký, chờ tiếp nhận")
    assert subjects[1] == f"Dossier {d.code}: được tiếp nhận" or "được tiếp nhận" in subjects[1]
    assert all(m.rcpt_tos == ["lan@example.invalid"] for m in smtp.messages)
    assert all(m.message["Content-Language"] == "vi" for m in smtp.messages)
    supplement = smtp.messages[2].body
    assert "1. Bản sao giấy chứng sinh" in supplement and "2. Ảnh 4x6" in supplement
    assert "Thiếu giấy tờ" in supplement
    assert f"/ca-nhan/ho-so/{d.code}/" in smtp.messages[1].body
    assert OutgoingEmail.objects.filter(status="sent").count() == 4


def test_the_applicants_language_is_used(
    world: World, smtp: SmtpServer, committed: Callable[..., Any]
) -> None:
    world.citizen.preferred_language = "en"
    world.citizen.save()
    dossier: Dossier = committed(world.submit)
    committed(S.dossier_receive, actor=world.reception, public_id=str(dossier.reference))
    received = smtp.messages[1]
    assert received.message["Content-Language"] == "en"
    assert received.message["Subject"].endswith(": received")
    assert "The result is due at" in received.body


def test_steps_that_do_not_change_the_status_send_nothing(
    world: World, smtp: SmtpServer, committed: Callable[..., Any]
) -> None:
    d = S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))
    committed(S.dossier_forward, actor=world.reception, public_id=d.code)  # → processing
    committed(S.dossier_forward, actor=world.specialist, public_id=d.code)  # unchanged
    committed(S.dossier_approve, actor=world.leader, public_id=d.code)  # unchanged
    assert len(smtp.messages) == 1  # only the move to "processing"


def test_the_result_email_invites_the_applicant_to_rate(
    world: World, smtp: SmtpServer, committed: Callable[..., Any], settings: Any
) -> None:
    settings.LANGUAGE_CODE = "vi"
    world.citizen.preferred_language = "en"
    world.citizen.save()
    d = S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))
    S.dossier_forward(actor=world.reception, public_id=d.code)
    S.dossier_forward(actor=world.specialist, public_id=d.code)
    S.dossier_approve(actor=world.leader, public_id=d.code)
    committed(S.dossier_mark_result_ready, actor=world.specialist, public_id=d.code)
    [message] = smtp.messages
    assert f"/ca-nhan/ho-so/{d.code}/danh-gia/" in message.body
    assert "how satisfied" in message.body


def test_an_smtp_failure_does_not_undo_the_change(
    world: World, committed: Callable[..., Any], settings: Any
) -> None:
    from tests.notifications.conftest import use_smtp
    from tests.notifications.smtp import free_port

    use_smtp(settings, free_port())  # no server: delivery fails
    dossier: Dossier = committed(world.submit)
    d = committed(S.dossier_receive, actor=world.reception, public_id=str(dossier.reference))
    assert Dossier.objects.get(pk=d.pk).status == "received"
    assert OutgoingEmail.objects.filter(status="pending").count() == 2
