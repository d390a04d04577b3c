"""Health check, request ids and logs without personal data."""

from __future__ import annotations

import json
import logging

import pytest
import structlog
from django.test import Client

from motcua.core.logging import scrub_personal_data


@pytest.mark.django_db
def test_healthz_checks_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_request_id_is_kept_or_made(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-req").headers["X-Request-ID"] == (
        "abc12345-req"
    )
    made = client.get("/healthz", HTTP_X_REQUEST_ID="<script>").headers["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()


def test_log_lines_never_carry_personal_data(capsys: pytest.CaptureFixture[str]) -> None:
    event = scrub_personal_data(
        None,
        "info",
        {
            "event": "lookup",
            "full_name": "Nguyễn Văn A",
            "detail": "id 001203012345 phone 0912345678 mail a.b@example.vn",
            "nested": {"address": "12 Hàng Bài"},
            "dossier": "H01.00070-261008-0975",
        },
    )
    text = json.dumps(event, ensure_ascii=False)
    for secret in ("Nguyễn", "001203012345", "0912345678", "a.b@example.vn", "Hàng Bài"):
        assert secret not in text
    assert event["dossier"] == "H01.00070-261008-0975"


def test_generated_request_ids_stay_whole_in_log_lines() -> None:
    made = "3d534f0012345678bd7d24fd4d054287"  # uuid4 hex with a run of ten digits
    event = scrub_personal_data(None, "info", {"event": "x", "request_id": made})
    assert event["request_id"] == made
    # A client-chosen id is not trusted that way: digits that look like an ID go.
    chosen = scrub_personal_data(None, "info", {"event": "x", "request_id": "id-001203012345"})
    assert "001203012345" not in chosen["request_id"]


def test_stdlib_and_structlog_lines_are_structured(caplog: pytest.LogCaptureFixture) -> None:
    structlog.get_logger("t").info("named_event", dossier_id=5)
    logging.getLogger("t").info("plain")
