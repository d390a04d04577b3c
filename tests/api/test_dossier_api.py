"""The dossier API: the whole lifecycle, error mapping, access, lists — and nothing else changes."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.core.models import IdempotencyRecord
from motcua.dossiers.api import COMMANDS
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import Applicant, dossier_receive
from motcua.integrations.models import OutboxMessage
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import CITIZEN_ID, World

world = dossier_fixtures.world  # the shared fixture, used by name

pytestmark = pytest.mark.django_db

API = "/api/v1/dossiers/"


def api(user: User | None = None, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def post(client: Client, url: str, body: Any = None, **headers: str) -> Any:
    return client.post(
        url,
        data=json.dumps({} if body is None else body),
        content_type="application/json",
        headers=headers,
    )


def submission(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "procedure": "1.001193",
        "case": "1",
        "channel": "online",
        "receiving_unit": "H01.00070.MC",
        "applicant": {
            "kind": "citizen",
            "name": "Nguyễn Thị Lan",
            "id_number": CITIZEN_ID,
            "address": "12 Hàng Bài, Hoàn Kiếm",
            "phone": "0912345678",
            "email": "lan@example.invalid",
        },
        "form_data": {"full_name": "Nguyễn Thị Lan", "id_number": CITIZEN_ID},
        "components": [{"code": "TP1", "received_as": "electronic", "count": 1}, {"code": "TP2"}],
    }
    body.update(changes)
    return body


def effects() -> tuple[int, int, int, int, int, list[str]]:
    return (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        AuditEntry.objects.count(),
        OutboxMessage.objects.count(),
        IdempotencyRecord.objects.count(),
        list(Dossier.objects.order_by("id").values_list("status", flat=True)),
    )


def test_the_whole_lifecycle_through_the_api(world: World) -> None:
    citizen, reception = api(world.citizen), api(world.reception)
    created = post(citizen, API, submission())
    assert created.status_code == 201, created.json()
    body = created.json()
    ref = body["id"]
    assert uuid.UUID(ref) and body["code"] is None and body["national_status"] == 1
    assert created["Location"].endswith(f"{API}{ref}/")
    assert [c["code"] for c in body["components"]] == ["TP1", "TP2"]
    assert body["available_actions"] == ["withdraw"]

    def act(client: Client, action: str, payload: Any = None, expect: int = 200) -> Any:
        response = post(client, f"{API}{ref}/{action}/", payload)
        assert response.status_code == expect, response.json()
        return response.json()

    received = act(reception, "receive")
    code = received["code"]
    assert re.fullmatch(r"H01\.00070\.MC-\d{6}-0001", code)
    assert received["national_status"] == 2 and received["due_at"]
    ref = code  # from now on the dossier is addressed by its code
    act(
        reception,
        "request_supplement",
        {"items": ["Giấy chứng sinh bản chính"], "reason": "Thiếu giấy tờ"},
    )
    assert act(citizen, "supplement", {"note": "Đã bổ sung"})["status"] == "received"
    assert act(reception, "forward")["status"] == "processing"
    moved = act(api(world.specialist), "forward", {"to_unit": "H01.00073", "note": "Lấy ý kiến"})
    assert moved["handling_unit"]["code"] == "H01.00073"
    assert [u["code"] for u in moved["supporting_units"]] == ["H01.00070"]
    act(api(world.other_specialist), "forward", {"to_unit": "H01.00070"})
    assert act(api(world.leader), "approve")["approved"] is True
    ready = act(api(world.specialist), "mark_result_ready")
    assert ready["national_status"] == 9
    returned = act(reception, "return_result", {"method": "warehouse"})
    assert returned["status"] == "result_returned" and returned["national_status"] == 10

    detail = citizen.get(f"{API}{code}/")
    assert detail.status_code == 200
    timeline = detail.json()["timeline"]
    assert [e["action"] for e in timeline] == [
        "submit",
        "receive",
        "request_supplement",
        "supplement",
        "forward",
        "forward",
        "forward",
        "approve",
        "mark_result_ready",
        "return_result",
    ]
    assert timeline[1]["actor"] == world.reception.pk
    assert timeline[1]["actor_unit"] == "H01.00070.MC"
    assert timeline[2]["reason"] == "Thiếu giấy tờ"
    assert timeline[5]["to_unit"] == "H01.00073"
    assert detail.json()["available_actions"] == []

    public = Client().get(f"/api/v1/public/dossiers/{code}/", {"id_number": CITIZEN_ID})
    assert public.status_code == 200
    shown = public.json()
    assert shown["national_status"] == 10 and shown["code"] == code
    assert [s["action"] for s in shown["timeline"]][:2] == ["submit", "receive"]
    assert set(shown["timeline"][0]) == {"action", "label", "occurred_at"}
    text = public.content.decode()
    for private in [
        "Nguyễn Thị Lan",
        CITIZEN_ID,
        "Hàng Bài",
        "0912345678",
        "lan@example.invalid",
        "Thiếu giấy tờ",
        "Lấy ý kiến",
        "H01.00073",
        "chuyenvien",
    ]:
        assert private not in text, private


def test_the_detail_is_read_through_the_access_gate(world: World) -> None:
    dossier = world.submit()
    ref = str(dossier.reference)
    mine = api(world.citizen).get(f"{API}{ref}/")
    assert mine.status_code == 200 and mine.json()["applicant"]["id_number"] == CITIZEN_ID
    assert api(world.reception).get(f"{API}{ref}/").status_code == 200
    hidden = api(world.stranger).get(f"{API}{ref}/")
    absent = api(world.stranger).get(f"{API}{uuid.uuid4()}/")
    other_unit = api(world.other_specialist).get(f"{API}{ref}/")
    assert hidden.status_code == absent.status_code == other_unit.status_code == 404
    assert hidden.json() == absent.json() == other_unit.json()
    assert hidden.json()["code"] == "not_found"
    anonymous = api().get(f"{API}{ref}/")
    assert anonymous.status_code == 403 and anonymous.json()["code"] == "not_authenticated"


def test_the_list_shows_only_visible_dossiers_with_filters_and_cursor(world: World) -> None:
    mine = [world.submit() for _ in range(3)]
    other = world.submit(
        actor=world.stranger,
        applicant=Applicant(kind="citizen", name="Trần Văn Bình", id_number="001090054321"),
    )
    dossier_receive(actor=world.reception, public_id=str(mine[0].reference))
    citizen = api(world.citizen)
    page = citizen.get(API, {"page_size": 2})
    assert page.status_code == 200
    first = page.json()
    assert [d["reference"] for d in first["results"]] == [
        str(mine[2].reference),
        str(mine[1].reference),
    ]
    second = citizen.get(first["next"]).json()
    assert [d["reference"] for d in second["results"]] == [str(mine[0].reference)]
    assert second["next"] is None
    seen = {d["reference"] for d in citizen.get(API).json()["results"]}
    assert str(other.reference) not in seen and len(seen) == 3
    received = citizen.get(API, {"status": "received"}).json()["results"]
    assert [d["code"] for d in received] == [Dossier.objects.get(pk=mine[0].pk).code]
    assert citizen.get(API, {"procedure": "9.999999"}).json()["results"] == []
    assert len(citizen.get(API, {"procedure": "1.001193"}).json()["results"]) == 3
    assert len(api(world.reception).get(API).json()["results"]) == 4
    assert api(world.other_specialist).get(API).json()["results"] == []
    bad = citizen.get(API, {"status": "lost", "page_size": "x"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]
    assert citizen.get(API, {"cursor": "garbage"}).status_code == 404
    assert api().get(API).status_code == 403


def test_input_errors_are_400_with_field_names_and_change_nothing(world: World) -> None:
    citizen = api(world.citizen)
    before = effects()
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({}, {"procedure", "case", "channel", "receiving_unit", "applicant"}),
        (
            submission(applicant={"kind": "citizen", "name": "", "id_number": "12"}),
            {
                "applicant.name",
            },
        ),
        (submission(procedure="9.999999"), {"procedure"}),
        (submission(case="99"), {"case"}),
        (submission(receiving_unit="H99"), {"receiving_unit"}),
        (
            submission(components=[{"code": "TP9"}, {"code": "TP2", "count": 0}]),
            {
                "components[1].count",
            },
        ),
        (submission(components=[{"code": "TP9"}]), {"components[0].code", "components"}),
        (submission(form_data={"full_name": "Lan"}), {"form_data.id_number"}),
        (submission(form_data=[1]), {"form_data"}),
        (submission(channel="fax"), {"channel"}),
        (submission(components="TP1"), {"components"}),
    ]
    for body, fields in cases:
        response = post(citizen, API, body)
        assert response.status_code == 400, (body, response.content)
        errors = response.json()["errors"]
        assert fields <= set(errors), (fields, errors)
        assert all(isinstance(m, str) for msgs in errors.values() for m in msgs)
    wrong_id = post(
        citizen,
        API,
        submission(applicant={"kind": "citizen", "name": "Lan", "id_number": "001090099999"}),
    )
    assert wrong_id.status_code == 400
    assert "applicant.id_number" in wrong_id.json()["errors"]
    assert effects() == before


def test_domain_errors_map_to_403_409_422_and_change_nothing(world: World) -> None:
    dossier = world.submit()
    ref = str(dossier.reference)
    citizen, reception = api(world.citizen), api(world.reception)
    before = effects()
    denied = post(citizen, f"{API}{ref}/receive/")
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    no_reason = post(reception, f"{API}{ref}/refuse/", {"reason": "  "})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    assert effects() == before

    code = post(reception, f"{API}{ref}/receive/").json()["code"]
    again = post(reception, f"{API}{ref}/receive/")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    asked = post(reception, f"{API}{code}/request_supplement/", {"items": ["A"], "reason": "r"})
    assert asked.status_code == 200
    post(citizen, f"{API}{code}/supplement/")
    before = effects()
    twice = post(reception, f"{API}{code}/request_supplement/", {"items": ["B"], "reason": "r"})
    assert twice.status_code == 422
    assert twice.json()["code"] == "refused" and "once" in twice.json()["detail"]
    no_items = post(reception, f"{API}{code}/request_supplement/", {"items": [], "reason": "r"})
    assert no_items.status_code == 400 and "items" in no_items.json()["errors"]
    not_ready = post(reception, f"{API}{code}/forward/", {"to_unit": "NOPE"})
    assert not_ready.status_code == 400 and "to_unit" in not_ready.json()["errors"]
    amount = post(reception, f"{API}{code}/request_payment/", {"amount": "many"})
    assert amount.status_code == 400 and "amount" in amount.json()["errors"]
    method = post(reception, f"{API}{code}/return_result/", {"method": "pigeon"})
    assert method.status_code == 400 and "method" in method.json()["errors"]
    new_due = post(reception, f"{API}{code}/apologise_extend/", {"new_due": "soon", "reason": "x"})
    assert new_due.status_code == 400 and "new_due" in new_due.json()["errors"]
    assert effects() == before


def test_messages_come_in_the_requests_language(world: World) -> None:
    english = post(api(world.citizen, "en"), API, {}).json()["errors"]["procedure"]
    vietnamese = post(api(world.citizen, "vi"), API, {}).json()["errors"]["procedure"]
    assert english == ["This field is required."]
    assert vietnamese == ["Trường này là bắt buộc."]


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b'{"a": NaN}', "application/json", 400),
        (b'{"form_data": {"x": 1e400}}', "application/json", 400),
        (b'{"form_data": {"x": 1' + b"0" * 5000 + b"}}", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'"text"', "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b'{"procedure": "1\\u0000"}', "application/json", 400),
        (b'{"procedure": "\\ud800"}', "application/json", 400),
        (b"[" * 5000 + b"]" * 5000, "application/json", 400),
        (b"procedure=1", "application/x-www-form-urlencoded", 415),
        (
            b'{"procedure": 1, "case": [], "applicant": "x", "components": {}}',
            "application/json",
            400,
        ),
        (b"{" + b'"x":"' + b"a" * (1024 * 1024) + b'"}', "application/json", 413),
    ],
)
def test_bad_bodies_are_refused_plainly(
    world: World, raw: bytes, content_type: str, status: int
) -> None:
    before = effects()
    response = api(world.citizen).post(API, data=raw, content_type=content_type)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert effects() == before


def test_bad_addresses_are_json_404s(world: World) -> None:
    ref = str(world.submit().reference)
    reception = api(world.reception)
    before = effects()
    for url in [
        f"{API}{ref}/teleport/",
        f"{API}{ref}/receive",  # no final slash: not redirected, not lost
        f"{API}not-a-uuid-nor-a-code/receive/",
        f"{API}%00/receive/",
        f"{API}{'x' * 300}/receive/",
        f"{API}{ref[:-1]}g/",
        f"{API}H01.00070.MC-261008-0001/",
    ]:
        response = post(reception, url)
        assert response.status_code in (404, 405), url
        assert response["Content-Type"] == "application/json", url
        got = reception.get(url)
        assert got.status_code in (404, 405) and got["Content-Type"] == "application/json", url
    assert effects() == before


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner),
    max_leaves=10,
)
FIELDS = [
    ("procedure",),
    ("case",),
    ("channel",),
    ("receiving_unit",),
    ("applicant",),
    ("applicant", "kind"),
    ("applicant", "name"),
    ("applicant", "id_number"),
    ("applicant", "email"),
    ("applicant", "representative_id_number"),
    ("form_data",),
    ("form_data", "full_name"),
    ("components",),
]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=st.sampled_from(FIELDS), value=JSON, action=st.sampled_from(sorted(COMMANDS)))
def test_no_body_makes_a_500(world: World, where: tuple[str, ...], value: Any, action: str) -> None:
    body = submission()
    target = body
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    response = post(api(world.citizen), API, body)
    assert response.status_code < 500 and response["Content-Type"] == "application/json"
    ref = str(world.submit().reference)
    command = post(api(world.reception), f"{API}{ref}/{action}/", {"reason": value, "items": value})
    assert command.status_code < 500
    for key in ("to_unit", "new_due", "amount", "method", "note", "receipt"):
        command = post(api(world.reception), f"{API}{ref}/{action}/", {key: value})
        assert command.status_code < 500, (action, key, value)
