"""The public look-up (page and API): a matching pair shows progress without personal data,
a wrong pair looks like an unknown code, and both doors are rate-limited."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.throttling import ScopedRateThrottle

from motcua.dossiers import services as S
from motcua.dossiers.models import Dossier
from motcua.portal import lookup
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import CITIZEN_ID, World

world = dossier_fixtures.world  # the shared fixture, used by name

pytestmark = pytest.mark.django_db

PAGE = "/tra-cuu-ho-so/"
PRIVATE = [
    "Nguyễn Thị Lan",
    CITIZEN_ID,
    "Hàng Bài",
    "0912345678",
    "lan@example.invalid",
    "Thiếu giấy tờ",
    "Cán bộ",
    "Đơn vị H01",
]


@pytest.fixture
def dossier(world: World) -> Dossier:
    d = S.dossier_receive(actor=world.reception, public_id=str(world.submit().reference))
    assert d.code
    S.dossier_request_supplement(
        actor=world.reception, public_id=d.code, items=["A"], reason="Thiếu giấy tờ"
    )
    return S.dossier_supplement(actor=world.citizen, public_id=d.code)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_form_ties_labels_to_inputs_and_prefills_the_code(client: Client) -> None:
    response = client.get(PAGE, {"code": "H01.00070.MC-261008-0001"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert '<html lang="vi">' in html
    for name in ("code", "id_number"):
        assert f'<label for="id_{name}">' in html
        assert f'id="id_{name}"' in html
        assert f'aria-describedby="id_{name}_helptext"' in html
    assert 'value="H01.00070.MC-261008-0001"' in html
    assert 'name="viewport"' in html


def test_a_matching_pair_shows_progress_without_personal_data(
    client: Client, dossier: Dossier
) -> None:
    response = client.post(PAGE, {"code": dossier.code, "id_number": CITIZEN_ID})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thủ tục đăng ký khai sinh" in html
    assert "national status code 2" in html or "2)" in html
    assert html.count("<time") >= 2 + 4  # received, due, four steps
    for private in PRIVATE:  # not even the ID number typed into the form
        assert private not in html, private


def test_a_wrong_pair_looks_exactly_like_an_unknown_code(client: Client, dossier: Dossier) -> None:
    wrong_id = client.post(PAGE, {"code": dossier.code, "id_number": "001090054321"})
    unknown = client.post(PAGE, {"code": "H01.00070.MC-261008-9999", "id_number": "001090054321"})
    assert wrong_id.status_code == unknown.status_code == 404
    assert without_csrf(wrong_id.content.decode()).replace(dossier.code or "", "X") == (
        without_csrf(unknown.content.decode()).replace("H01.00070.MC-261008-9999", "X")
    )
    assert "Thủ tục đăng ký khai sinh" not in wrong_id.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"code": "x" * 500, "id_number": CITIZEN_ID},
        {"code": "H01\x00", "id_number": CITIZEN_ID},
        {"code": "H01", "id_number": "' OR 1=1 --"},
    ],
)
def test_bad_input_is_a_plain_answer(client: Client, dossier: Dossier, data: dict) -> None:
    response = client.post(PAGE, data)
    assert response.status_code in (400, 404)
    assert "Thủ tục đăng ký khai sinh" not in response.content.decode()


def test_the_page_limits_look_ups_per_address(
    client: Client, dossier: Dossier, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lookup, "LOOKUP_LIMIT", 3)
    for _ in range(3):
        assert client.post(PAGE, {"code": "nope", "id_number": CITIZEN_ID}).status_code == 404
    limited = client.post(PAGE, {"code": dossier.code, "id_number": CITIZEN_ID})
    assert limited.status_code == 429 and limited["Retry-After"] == "600"
    html = limited.content.decode()
    assert 'role="alert"' in html and "Thủ tục đăng ký khai sinh" not in html
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(PAGE, {"code": dossier.code, "id_number": CITIZEN_ID}).status_code == 200


def test_the_api_answers_the_same_way(client: Client, dossier: Dossier) -> None:
    url = f"/api/v1/public/dossiers/{dossier.code}/"
    found = client.get(url, {"id_number": CITIZEN_ID}, HTTP_ACCEPT_LANGUAGE="en")
    assert found.status_code == 200 and found["Cache-Control"] == "no-store"
    body = found.json()
    assert body["status"] == "received" and body["national_status"] == 2
    assert body["status_label"] == "received"
    assert [s["label"] for s in body["timeline"]] == [
        "Submitted",
        "Received",
        "Supplement requested",
        "Supplement provided",
    ]
    assert body["received_at"] and body["due_at"]
    for private in PRIVATE:
        assert private not in found.content.decode(), private
    wrong = client.get(url, {"id_number": "001090054321"})
    unknown = client.get("/api/v1/public/dossiers/H01-261008-9999/", {"id_number": CITIZEN_ID})
    odd = client.get("/api/v1/public/dossiers/%00/", {"id_number": "x" * 15})
    assert wrong.status_code == unknown.status_code == odd.status_code == 404
    assert wrong.json() == unknown.json() == odd.json()
    missing = client.get(url)
    assert missing.status_code == 400 and "id_number" in missing.json()["errors"]
    reference = client.get(
        f"/api/v1/public/dossiers/{dossier.reference}/", {"id_number": CITIZEN_ID}
    )
    assert reference.status_code == 404  # only the code, as printed on the slip


def test_the_api_is_throttled(
    client: Client, dossier: Dossier, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "public", "3/min")
    url = f"/api/v1/public/dossiers/{dossier.code}/"
    for _ in range(3):
        assert client.get(url, {"id_number": "001090054321"}).status_code == 404
    throttled = client.get(url, {"id_number": CITIZEN_ID})
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert "Retry-After" in throttled
