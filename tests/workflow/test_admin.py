"""Admins upload or replace a process file; a bad one is refused with the parser's reason."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from motcua.accounts.services import officer_create
from motcua.audit.models import AuditEntry
from motcua.workflow.models import ProcessDefinition
from tests.workflow.conftest import linear, process_xml

pytestmark = pytest.mark.django_db

ADD = "/admin/workflow/processdefinition/add/"
GOOD = process_xml(linear('motcua:role="specialist" motcua:allotment="P2D"'))
NO_START = GOOD.replace('<bpmn:startEvent id="start"/>', "")


@pytest.fixture
def admin_client_verified(db: None) -> Client:
    user, device = officer_create(
        username="quantri",
        full_name="Quản trị quy trình",
        email="quantri@example.invalid",
        password="Correct-Horse-Battery-9",
        is_superuser=True,
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def upload(client: Client, xml: str, **fields: str) -> object:
    data = {"province_code": "", "procedure_code": "", "case_code": "", "reference": "", "name": ""}
    data.update(fields)
    data["bpmn_file"] = SimpleUploadedFile("process.bpmn", xml.encode(), "application/xml")
    return client.post(ADD, data)


def test_a_bad_file_is_refused_on_the_form_with_its_reason(admin_client_verified: Client) -> None:
    page = admin_client_verified.get(ADD)
    assert page.status_code == 200 and 'type="file"' in page.content.decode()
    response = upload(admin_client_verified, NO_START, procedure_code="1.001193")
    assert response.status_code == 200
    assert "The process has no start event." in response.content.decode()
    bad_role = GOOD.replace('"specialist"', '"chief"')
    response = upload(admin_client_verified, bad_role, procedure_code="1.001193")
    assert "“chief”, which does not exist" in response.content.decode()
    response = upload(admin_client_verified, GOOD, case_code="2")
    assert "A case code needs its procedure code." in response.content.decode()
    assert not ProcessDefinition.objects.exclude(procedure_code="").exists()  # the default only
    assert not AuditEntry.objects.filter(action="workflow.definition_upload").exists()


def test_upload_then_replace_makes_versions(admin_client_verified: Client) -> None:
    response = upload(admin_client_verified, GOOD, procedure_code="1.001193", case_code="1")
    assert response.status_code == 302
    first = ProcessDefinition.objects.get(procedure_code="1.001193")
    assert (first.version, first.procedure_code, first.case_code, first.parsed_ok) == (
        1,
        "1.001193",
        "1",
        True,
    )
    assert first.uploaded_by is not None and first.steps[0]["allotment"] == "P2D"
    page = admin_client_verified.get(f"/admin/workflow/processdefinition/{first.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Upload a new version" in html and "procedure_code=1.001193" in html
    assert "P2D" in html and "specialist" in html
    replaced = upload(admin_client_verified, GOOD, procedure_code="1.001193", case_code="1")
    assert replaced.status_code == 302
    ours = ProcessDefinition.objects.filter(procedure_code="1.001193", case_code="1")
    assert list(ours.values_list("version", flat=True).order_by("version")) == [1, 2]
    assert AuditEntry.objects.filter(action="workflow.definition_upload").count() == 2
