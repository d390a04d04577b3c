"""The public catalog API /api/v1/procedures/ and /api/v1/sectors/ as an integrator uses it."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle

from motcua.catalog.api import ProcedureSummarySerializer
from motcua.catalog.selectors import versions_in_force
from motcua.catalog.services import catalog_import
from motcua.core.clock import local_now
from tests.catalog.samples import document, record, varied_document
from tests.portal.documents import (
    PASSPORT,
    complete_record,
    many_document,
    ranking_document,
    versions_document,
)

LIST = "/api/v1/procedures/"
PASSPORT_CODES = ["1.010000", "2.000635"]


def codes(body: dict[str, Any]) -> list[str]:
    return [item["code"] for item in body["results"]]


class TestList:
    def test_public_without_login(self, client: Client, catalog: None) -> None:
        response = client.get(LIST)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["count"] == 6
        assert body["next"] is None

    def test_item_shape(self, client: Client, catalog: None) -> None:
        item = client.get(LIST, {"q": "cap ho chieu pho thong"}).json()["results"][0]
        assert item == {
            "code": "2.000635",
            "version": 1,
            "name": "Cấp hộ chiếu phổ thông trong nước",
            "name_en": "Ordinary passport issuance",
            "sector": {"code": "XNC", "name": "Xuất nhập cảnh", "name_en": ""},
            "levels": ["province"],
            "online_level": "full",
            "essential": True,
            "url": "http://testserver/api/v1/procedures/2.000635/",
        }

    @pytest.mark.parametrize(
        "query",
        [
            "ho chieu",
            "hộ chiếu",
            "HỘ CHIẾU",
            unicodedata.normalize("NFD", "hộ chiếu"),
            unicodedata.normalize("NFD", "HỘ") + " chiếu",
        ],
    )
    def test_search_ignores_case_diacritics_and_unicode_form(
        self, client: Client, catalog: None, query: str
    ) -> None:
        assert codes(client.get(LIST, {"q": query}).json()) == PASSPORT_CODES

    def test_name_matches_rank_before_matches_only_in_the_sector(
        self, client: Client, catalog: None
    ) -> None:
        catalog_import(ranking_document())
        found = codes(client.get(LIST, {"q": "ho tich"}).json())
        assert found[0] == "9.999999"
        assert found[1:] == ["1.000894", "1.001193", "8.000001"]

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"sector": "XNC"}, ["1.010000", "2.000635"]),
            ({"level": "province"}, ["1.010000", "2.000635", "2.001023"]),
            ({"online_level": "none"}, ["1.004227"]),
            # "khai sinh" is in the name of 1.001193, only in the result of 1.000894
            (
                {"q": "khai sinh", "level": "commune", "online_level": "full"},
                ["1.001193", "1.000894"],
            ),
            ({"q": "", "sector": "", "level": "", "online_level": ""}, None),
        ],
    )
    def test_filters(
        self, client: Client, catalog: None, params: dict[str, str], expected: list[str] | None
    ) -> None:
        body = client.get(LIST, params).json()
        if expected is None:
            assert body["count"] == 6
        else:
            assert codes(body) == expected

    def test_pagination(self, client: Client, catalog: None) -> None:
        catalog_import(many_document(25))
        first = client.get(LIST).json()
        assert first["count"] == 31
        assert len(first["results"]) == 20
        assert first["next"] == "http://testserver/api/v1/procedures/?page=2"
        second = client.get(first["next"]).json()
        assert len(second["results"]) == 11
        assert second["previous"] is not None
        small = client.get(LIST, {"page_size": "5", "page": "3"}).json()
        assert codes(small) == codes(first)[10:15]
        assert len(client.get(LIST, {"page_size": "100"}).json()["results"]) == 31

    @pytest.mark.parametrize("query", ["", "ho chieu"])
    @pytest.mark.parametrize("page", ["2", "10001", "1" + "0" * 30])
    def test_a_page_past_the_end_is_404(
        self, client: Client, catalog: None, query: str, page: str
    ) -> None:
        response = client.get(LIST, {"q": query, "page": page})
        assert response.status_code == 404
        assert set(response.json()) == {"detail"}

    def test_search_pages_count_every_match(self, client: Client, catalog: None) -> None:
        catalog_import(many_document(25))
        first = client.get(LIST, {"q": "thu nghiem", "page_size": "10"}).json()
        last = client.get(LIST, {"q": "thu nghiem", "page_size": "10", "page": "3"}).json()
        assert first["count"] == last["count"] == 25
        assert first["next"].endswith("page=2&page_size=10&q=thu+nghiem")
        assert len(last["results"]) == 5
        assert last["next"] is None

    def test_items_are_what_the_summary_serializer_gives(self, client: Client, db: None) -> None:
        """The list builds its items directly; they are the serializer's, key for key."""
        catalog_import(varied_document())
        catalog_import(
            document(complete_record(code="3.000001"), many_document(3)["procedures"][0])
        )
        body = client.get(LIST, {"page_size": "100"}).json()
        request = RequestFactory().get(LIST)
        versions = versions_in_force(local_now().date()).order_by("procedure__code")
        expected = [
            dict(ProcedureSummarySerializer(v, context={"request": Request(request)}).data)
            for v in versions
        ]
        assert len(expected) == 8
        assert body["results"] == json.loads(json.dumps(expected))


BAD_PARAMS = [
    ({"q": "a" * 201}, "q"),
    ({"q": "x" * 10_240}, "q"),
    ({"q": "ho\x00chieu"}, "q"),
    ({"sector": "NOPE"}, "sector"),
    ({"sector": "\x00"}, "sector"),
    ({"sector": "x" * 41}, "sector"),
    ({"level": "district"}, "level"),
    ({"online_level": "4"}, "online_level"),
    ({"page": "0"}, "page"),
    ({"page": "abc"}, "page"),
    ({"page": "9" * 5000}, "page"),
    ({"page_size": "0"}, "page_size"),
    ({"page_size": "101"}, "page_size"),
    ({"page_size": "many"}, "page_size"),
]


@pytest.mark.parametrize(("params", "field"), BAD_PARAMS)
def test_bad_input_is_400_naming_the_field(
    client: Client, catalog: None, params: dict[str, str], field: str
) -> None:
    response = client.get(LIST, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert isinstance(body[field], list)
    assert body[field][0]
    assert "Cache-Control" not in response or "public" not in response["Cache-Control"]


def test_a_too_long_query_is_explained_in_the_users_language(client: Client, catalog: None) -> None:
    for lang in ("vi", "en"):
        response = client.get(LIST, {"q": "x" * 300}, HTTP_ACCEPT_LANGUAGE=lang)
        with translation.override(lang):
            message = translation.gettext(
                "The search text is too long: use at most {max_length} characters."
            ).format(max_length=200)
        assert response.json() == {"q": [message]}


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "%_\\",
        "\u202e🙂",
        unicodedata.normalize("NFD", "ộ" * 200),
    ],
)
def test_odd_queries_are_answered(client: Client, catalog: None, query: str) -> None:
    response = client.get(LIST, {"q": query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


class TestDetail:
    def test_the_version_in_force_in_full(self, client: Client, db: None) -> None:
        catalog_import(document(complete_record()))
        response = client.get(f"{LIST}{PASSPORT}/")
        assert response.status_code == 200
        body = response.json()
        assert body["code"] == PASSPORT
        assert body["version"] == 1
        assert body["status"] == "published"
        assert body["levels"] == ["province", "ministry"]
        assert body["subjects"] == ["citizen", "organisation"]
        assert body["implementing_agency"] == "Phòng Quản lý xuất nhập cảnh Công an tỉnh"
        assert body["requirements"] == "Công dân Việt Nam có căn cước còn hiệu lực."
        assert body["result"] == {
            "code": "KQ-HC",
            "name": "Hộ chiếu phổ thông",
            "name_en": "Ordinary passport",
        }
        assert body["legal_basis"] == [
            {
                "number": "49/2019/QH14",
                "title": "Luật Xuất cảnh, nhập cảnh của công dân Việt Nam",
                "date": "2019-11-22",
                "issuer": "Quốc hội",
            }
        ]
        assert body["publication"] == {
            "decision": "2345/QĐ-BCA",
            "date": "2025-06-20",
            "issuer": "Bộ Công an",
        }
        (case,) = body["cases"]
        assert [w["channel"] for w in case["ways"]] == ["in_person", "online", "post"]
        assert case["ways"][1] == {
            "channel": "online",
            "duration": 5,
            "duration_unit": "working-days",
            "description": "Nộp trên Cổng dịch vụ công",
        }
        assert case["fees"][0]["amount"] == 1200000
        assert case["fees"][0]["channel"] is None
        assert case["fees"][1]["channel"] == "online"
        assert case["components"][1] == {
            "code": "CC",
            "name": "Bản sao căn cước",
            "name_en": "Copy of the identity card",
            "originals": 0,
            "copies": 2,
            "required": False,
            "registry": "population",
        }
        assert case["components"][0]["registry"] is None
        assert case["form"]["schema"]["required"] == ["full_name", "id_number"]
        assert case["form"]["ui"]["readonly"] == ["id_number"]
        assert "process" not in case

    def test_unknown_code_is_404_with_a_detail(self, client: Client, catalog: None) -> None:
        response = client.get(f"{LIST}9.999999/")
        assert response.status_code == 404
        assert set(response.json()) == {"detail"}

    @pytest.mark.parametrize("path", ["%00/", "<b>/", "1" * 41 + "/"])
    def test_malformed_code_is_404(self, client: Client, catalog: None, path: str) -> None:
        assert client.get(f"{LIST}{path}").status_code == 404


class TestVersions:
    @pytest.fixture
    def versions(self, db: None) -> None:
        catalog_import(versions_document())

    def test_detail_is_the_version_in_force(self, client: Client, versions: None) -> None:
        assert client.get(f"{LIST}{PASSPORT}/").json()["version"] == 2

    def test_list_of_public_versions(self, client: Client, versions: None) -> None:
        response = client.get(f"{LIST}{PASSPORT}/versions/")
        assert response.status_code == 200
        body = response.json()
        assert [
            (v["number"], v["status"], v["effective_from"], v["effective_to"]) for v in body
        ] == [
            (1, "published", "2020-01-01", "2021-01-01"),
            (2, "published", "2021-01-01", None),
            (3, "published", "2999-01-01", None),
        ]
        assert body[0]["url"] == f"http://testserver{LIST}{PASSPORT}/versions/1/"

    def test_one_older_version_in_full(self, client: Client, versions: None) -> None:
        body = client.get(f"{LIST}{PASSPORT}/versions/1/").json()
        assert body["version"] == 1
        assert body["name"] == "Cấp hộ chiếu (bản cũ)"
        assert body["effective_to"] == "2021-01-01"
        assert body["cases"][0]["fees"][0]["amount"] == 1200000

    @pytest.mark.parametrize("number", ["4", "5", "0", "9" * 10])
    def test_a_draft_or_unknown_version_is_404(
        self, client: Client, versions: None, number: str
    ) -> None:
        response = client.get(f"{LIST}{PASSPORT}/versions/{number}/")
        assert response.status_code == 404
        assert set(response.json()) == {"detail"}

    @pytest.mark.parametrize("number", ["-1", "abc", "9" * 11])
    def test_a_malformed_number_is_404(self, client: Client, versions: None, number: str) -> None:
        assert client.get(f"{LIST}{PASSPORT}/versions/{number}/").status_code == 404

    def test_unknown_code_has_no_versions(self, client: Client, versions: None) -> None:
        assert client.get(f"{LIST}9.999999/versions/").status_code == 404


def test_sectors(client: Client, catalog: None) -> None:
    response = client.get("/api/v1/sectors/")
    assert response.status_code == 200
    assert response.json() == [
        {"code": "CT", "name": "Chứng thực", "name_en": ""},
        {"code": "HOTICH", "name": "Hộ tịch", "name_en": ""},
        {"code": "LLTP", "name": "Lý lịch tư pháp", "name_en": ""},
        {"code": "XNC", "name": "Xuất nhập cảnh", "name_en": ""},
    ]


def test_read_only(client: Client, catalog: None) -> None:
    for path in (LIST, f"{LIST}1.001193/", "/api/v1/sectors/"):
        assert client.post(path, {}).status_code in (403, 405)
        assert client.delete(path).status_code in (403, 405)


class TestCaching:
    PATHS = [
        LIST,
        f"{LIST}?q=ho+chieu&page_size=1",
        f"{LIST}1.001193/",
        f"{LIST}1.001193/versions/",
        f"{LIST}1.001193/versions/1/",
        "/api/v1/sectors/",
    ]

    @pytest.mark.parametrize("path", PATHS)
    def test_etag_and_304(self, client: Client, catalog: None, path: str) -> None:
        first = client.get(path)
        assert first.status_code == 200
        assert first["Cache-Control"] == "public, max-age=300"
        etag = first["ETag"]
        assert etag.startswith('"') and etag.endswith('"')
        again = client.get(path, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == etag
        assert again["Cache-Control"] == "public, max-age=300"
        assert client.get(path, HTTP_IF_NONE_MATCH='"stale"').status_code == 200
        assert client.head(path, HTTP_IF_NONE_MATCH=etag).status_code == 304

    def test_the_etag_changes_with_the_content(self, client: Client, catalog: None) -> None:
        before = client.get(LIST)["ETag"]
        assert client.get(LIST, {"sector": "XNC"})["ETag"] != before
        catalog_import(document(record("3.000001", "Thủ tục mới", "New procedure")))
        after = client.get(LIST, HTTP_IF_NONE_MATCH=before)
        assert after.status_code == 200
        assert after["ETag"] != before

    def test_errors_are_not_cached(self, client: Client, catalog: None) -> None:
        for response in (client.get(LIST, {"level": "x"}), client.get(f"{LIST}9.9/")):
            assert "ETag" not in response
            assert "public" not in response.get("Cache-Control", "")


def test_anonymous_clients_are_throttled(
    client: Client, catalog: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    statuses = [client.get("/api/v1/sectors/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_query_counts(
    client: Client, catalog: None, django_assert_num_queries, django_assert_max_num_queries
) -> None:
    catalog_import(many_document(25))
    with django_assert_num_queries(2):  # count, page (sector, level: no join per row)
        assert len(client.get(LIST).json()["results"]) == 20
    with django_assert_num_queries(2):  # the sector exists; the page brings its count
        assert client.get(LIST, {"sector": "THU", "q": "thu nghiem"}).json()["count"] == 25
    with django_assert_num_queries(1):
        assert len(client.get(LIST, {"q": "thu nghiem", "page": "2"}).json()["results"]) == 5
    with django_assert_max_num_queries(7):  # find, version, legal bases, cases, ways, fees, parts
        client.get(f"{LIST}1.001193/")
    with django_assert_max_num_queries(7):
        client.get(f"{LIST}1.001193/versions/1/")
