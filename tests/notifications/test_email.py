"""E-mail is stored, then sent over SMTP in the recipient's language; failures are retried."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.audit.models import AuditEntry
from motcua.notifications.models import MAX_ATTEMPTS, EmailStatus, OutgoingEmail
from motcua.notifications.services import email_queue, email_send, emails_send_pending
from tests.notifications.conftest import use_smtp
from tests.notifications.smtp import SmtpServer, free_port

pytestmark = pytest.mark.django_db

CONTEXT = {
    "name": "Nguyễn Thị Lan",
    "code": "H01.00070.MC-261008-0001",
    "procedure": "Đăng ký khai sinh",
    "status": "received",
    "link": "https://dichvucong.example/ca-nhan/ho-so/H01/",
}


def _queue(key: str = "k1", language: str = "vi", **changes: Any) -> OutgoingEmail:
    kwargs: dict[str, Any] = {
        "key": key,
        "topic": "dossier.status",
        "recipient": "lan@example.invalid",
        "language": language,
        "template": "dossier_status",
        "context": CONTEXT,
        "province_code": "01",
    }
    kwargs.update(changes)
    message = email_queue(**kwargs)
    assert message is not None
    return message


def test_a_message_goes_over_smtp_with_its_subject_body_and_headers(smtp: SmtpServer) -> None:
    message = _queue(language="en")
    assert email_send(message=message)
    [received] = smtp.messages
    assert received.rcpt_tos == ["lan@example.invalid"]
    assert received.message["Subject"] == "Dossier H01.00070.MC-261008-0001: received"
    assert received.message["Content-Language"] == "en"
    assert received.message["Auto-Submitted"] == "auto-generated"
    assert "no-reply@motcua.example" in received.message["From"]
    body = received.body
    assert "Dear Nguyễn Thị Lan," in body
    assert "“Đăng ký khai sinh”" in body  # not HTML-escaped
    assert CONTEXT["link"] in body
    message.refresh_from_db()
    assert message.status == EmailStatus.SENT and message.sent_at and message.attempts == 1
    entry = AuditEntry.objects.get(action="email.queue")
    assert entry.data == {"topic": "dossier.status", "language": "en"}


def test_queuing_the_same_key_twice_sends_one_message(smtp: SmtpServer) -> None:
    first = _queue()
    second = _queue()
    assert first.pk == second.pk
    assert emails_send_pending() == 1
    assert emails_send_pending() == 0
    assert len(smtp.messages) == 1 and OutgoingEmail.objects.count() == 1


def test_no_address_no_message() -> None:
    assert (
        email_queue(
            key="k",
            topic="t",
            recipient="  ",
            language="vi",
            template="dossier_status",
            context=CONTEXT,
        )
        is None
    )
    assert OutgoingEmail.objects.count() == 0


def test_an_unknown_language_falls_back_to_vietnamese() -> None:
    assert _queue(language="xx").language == "vi"


def test_a_failed_delivery_stays_pending_and_is_retried(settings: Any) -> None:
    port = free_port()  # nothing listens here yet
    use_smtp(settings, port)
    message = _queue()
    assert not email_send(message=message)
    message.refresh_from_db()
    assert message.status == EmailStatus.PENDING and message.attempts == 1
    assert message.last_error.startswith("ConnectionRefusedError")
    assert "lan@" not in message.last_error
    server = SmtpServer(port)
    server.start()
    try:
        assert emails_send_pending() == 1
    finally:
        server.stop()
    message.refresh_from_db()
    assert message.status == EmailStatus.SENT and message.attempts == 2
    assert len(server.messages) == 1


def test_after_the_last_attempt_a_message_is_marked_failed(settings: Any) -> None:
    use_smtp(settings, free_port())
    message = _queue()
    for _ in range(MAX_ATTEMPTS):
        email_send(message=message)
    message.refresh_from_db()
    assert message.status == EmailStatus.FAILED and message.attempts == MAX_ATTEMPTS
    assert emails_send_pending() == 0
