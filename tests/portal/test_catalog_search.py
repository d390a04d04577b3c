"""The public catalog search page /thu-tuc/: search, filters, pagination, odd input."""

from __future__ import annotations

import re
import unicodedata

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import translation

from motcua.catalog.models import Level, OnlineLevel
from motcua.catalog.services import catalog_import
from motcua.portal.forms import CatalogSearchForm, QuickSelect
from tests.catalog.samples import document, record
from tests.portal.documents import many_document, ranking_document

URL = "/thu-tuc/"
PASSPORT_CODES = ["1.010000", "2.000635"]  # both names contain "hộ chiếu"


def result_codes(html: str) -> list[str]:
    """The procedure codes of the result list, in order."""
    return re.findall(r'<h3><a href="/thu-tuc/([^/]+)/">', html)


def test_urls_are_named() -> None:
    assert reverse("portal:catalog") == URL
    assert reverse("portal:procedure", args=["1.001193"]) == "/thu-tuc/1.001193/"
    assert reverse("portal:home") == "/"


@pytest.mark.parametrize(
    "query",
    [
        "ho chieu",
        "hộ chiếu",
        "HỘ CHIẾU",
        unicodedata.normalize("NFD", "hộ chiếu"),
        "  Hộ   CHIẾU ",
        unicodedata.normalize("NFD", "hộ") + " " + unicodedata.normalize("NFC", "chiếu"),
    ],
)
def test_search_ignores_case_diacritics_and_unicode_form(
    vi: Client, catalog: None, query: str
) -> None:
    response = vi.get(URL, {"q": query})
    assert response.status_code == 200
    assert result_codes(response.content.decode()) == PASSPORT_CODES


def test_a_name_that_starts_with_the_query_comes_first(vi: Client, catalog: None) -> None:
    response = vi.get(URL, {"q": "cap ho chieu"})
    assert result_codes(response.content.decode())[0] == "2.000635"


def test_name_matches_rank_before_matches_only_in_the_sector(vi: Client, catalog: None) -> None:
    catalog_import(ranking_document())
    response = vi.get(URL, {"q": "hộ tịch"})
    codes = result_codes(response.content.decode())
    # 9.999999 has "hộ tịch" in its name; the others only in their sector "Hộ tịch".
    assert codes[0] == "9.999999"
    assert set(codes[1:]) == {"1.000894", "1.001193", "8.000001"}
    assert codes[1:] == sorted(codes[1:])


def test_english_words_find_procedures_too(en: Client, catalog: None) -> None:
    response = en.get(URL, {"q": "passport"})
    html = response.content.decode()
    assert result_codes(html) == PASSPORT_CODES
    assert "Ordinary passport issuance" in html


def test_an_empty_query_lists_every_procedure_by_code(vi: Client, catalog: None) -> None:
    response = vi.get(URL, {"q": ""})
    codes = result_codes(response.content.decode())
    assert codes == sorted(codes)
    assert len(codes) == 6


def test_each_result_shows_code_name_sector_level_online_level_and_duration(
    vi: Client, catalog: None
) -> None:
    html = vi.get(URL, {"q": "lý lịch tư pháp"}).content.decode()
    assert result_codes(html) == ["2.001023"]
    with translation.override("vi"):
        expected = [
            "2.001023",
            "Cấp Phiếu lý lịch tư pháp",
            "Lý lịch tư pháp",
            str(Level.PROVINCE.label),
            str(OnlineLevel.PARTIAL.label),
            translation.ngettext("%(count)s working day", "%(count)s working days", 1)
            % {"count": 1},
        ]
    for text in expected:
        assert text in html, text
    assert 'class="badge badge-partial"' in html


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"sector": "XNC"}, ["1.010000", "2.000635"]),
        ({"level": "province"}, ["1.010000", "2.000635", "2.001023"]),
        ({"level": "commune", "online_level": "none"}, ["1.004227"]),
        ({"online_level": "partial"}, ["2.001023"]),
        ({"q": "dang ky", "sector": "HOTICH"}, ["1.000894", "1.001193"]),
        ({"q": "ho chieu", "sector": "HOTICH"}, []),
        ({"level": "ministry"}, []),
    ],
)
def test_filters(vi: Client, catalog: None, params: dict[str, str], codes: list[str]) -> None:
    response = vi.get(URL, params)
    assert response.status_code == 200
    assert result_codes(response.content.decode()) == codes


def test_filters_keep_their_values_in_the_form(vi: Client, catalog: None) -> None:
    html = vi.get(URL, {"sector": "XNC", "level": "province"}).content.decode()
    assert '<option value="XNC" selected>' in html
    assert '<option value="province" selected>' in html


def test_no_result_says_so(vi: Client, catalog: None) -> None:
    response = vi.get(URL, {"q": "không có thủ tục này"})
    assert response.status_code == 200
    assert result_codes(response.content.decode()) == []
    assert 'role="status"' in response.content.decode()


class TestPagination:
    @pytest.fixture
    def many(self, catalog: None) -> None:
        catalog_import(many_document(25))  # 31 procedures in all

    def test_twenty_per_page(self, vi: Client, many: None) -> None:
        first = result_codes(vi.get(URL).content.decode())
        second = result_codes(vi.get(URL, {"page": "2"}).content.decode())
        assert len(first) == 20
        assert len(second) == 11
        assert not set(first) & set(second)

    def test_the_current_page_is_marked_and_links_keep_the_filters(
        self, vi: Client, many: None
    ) -> None:
        html = vi.get(URL, {"q": "thu nghiem", "sector": "THU", "page": "2"}).content.decode()
        assert len(result_codes(html)) == 5
        assert re.search(
            r'href="\?q=thu\+nghiem&amp;sector=THU&amp;page=2"[^>]*aria-current="page"', html
        )
        assert 'href="?q=thu+nghiem&amp;sector=THU&amp;page=1"' in html
        assert 'rel="prev"' in html
        assert 'rel="next"' not in html

    @pytest.mark.parametrize(
        "page", ["0", "-1", "999", "10001", "1" + "0" * 30, "abc", "1.5", "9" * 5000, "\x00"]
    )
    def test_a_bad_page_gives_the_first_page(self, vi: Client, many: None, page: str) -> None:
        response = vi.get(URL, {"page": page})
        assert response.status_code == 200
        assert result_codes(response.content.decode())[0] == "1.000894"
        assert re.search(r'aria-current="page">1<', response.content.decode())


ODD_QUERIES = [
    "",
    " ",
    "' OR 1=1 --",
    '"; DROP TABLE catalog_procedure; --',
    "%",
    "_",
    "\\",
    "<script>alert('x')</script>",
    "\u200b\u202e",
    "🙂 hộ chiếu",
    unicodedata.normalize("NFD", "Hộ Chiếu") + " " + "đăng ký",
    "a" * 200,
    unicodedata.normalize("NFD", "ộ" * 200),  # 600 code points in NFD, 200 in NFC
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_queries_are_answered(vi: Client, catalog: None, query: str) -> None:
    response = vi.get(URL, {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "a" * 201}, "q"),
        ({"q": "hộ chiếu " * 1200}, "q"),  # about 10 KB
        ({"q": "ho\x00chieu"}, "q"),
        ({"sector": "NOPE"}, "sector"),
        ({"sector": "<script>alert(1)</script>"}, "sector"),
        ({"sector": "\x00"}, "sector"),
        ({"level": "district"}, "level"),
        ({"online_level": "4"}, "online_level"),
    ],
)
def test_bad_input_is_refused_with_400_and_the_error_tied_to_its_field(
    vi: Client, catalog: None, params: dict[str, str], field: str
) -> None:
    response = vi.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert f'id="id_{field}_error"' in html
    assert re.search(rf'aria-invalid="true" aria-describedby="[^"]*id_{field}_error"', html)
    assert "<script>alert" not in html
    assert result_codes(html) == []


def test_a_too_long_query_explains_the_limit_in_english(en: Client, catalog: None) -> None:
    response = en.get(URL, {"q": "x" * 10_240})
    assert response.status_code == 400
    assert "The search text is too long: use at most 200 characters" in response.content.decode()


def test_a_too_long_query_is_explained_in_vietnamese_by_default(
    client: Client, catalog: None
) -> None:
    response = client.get(URL, {"q": "x" * 300})
    assert response.status_code == 400
    assert response["Content-Language"] == "vi"
    with translation.override("vi"):
        message = translation.gettext(
            "The search text is too long: use at most %(limit_value)d characters "
            "(it has %(show_value)d)."
        ) % {"limit_value": 200, "show_value": 300}
    assert message in response.content.decode()


def test_search_text_is_escaped_when_shown_again(vi: Client, catalog: None) -> None:
    html = vi.get(URL, {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_home_lists_the_sectors_with_their_procedures(vi: Client, catalog: None) -> None:
    response = vi.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/thu-tuc/?sector=XNC">Xuất nhập cảnh</a>' in html
    assert 'action="/thu-tuc/"' in html
    assert '<label for="id_q">' in html


def test_pages_are_read_only(vi: Client, catalog: None) -> None:
    assert vi.post(URL, {"q": "x"}).status_code == 405
    assert vi.post("/thu-tuc/1.001193/").status_code == 405


def test_list_page_query_count_does_not_grow_with_the_results(
    vi: Client, catalog: None, django_assert_num_queries
) -> None:
    catalog_import(many_document(25))
    # sectors for the filter, count, page (with the time limits): whatever the page holds.
    with django_assert_num_queries(3):
        response = vi.get(URL)
    assert len(result_codes(response.content.decode())) == 20
    # a search: sectors, then the page, which brings its count and time limits along.
    with django_assert_num_queries(2):
        response = vi.get(URL, {"q": "thu nghiem", "level": "commune"})
    assert len(result_codes(response.content.decode())) == 20
    with django_assert_num_queries(2):
        vi.get(URL, {"q": "thu nghiem", "page": "2"})


def test_each_result_shows_the_shortest_and_longest_time_limit(vi: Client, db: None) -> None:
    rec = record("3.000001", "Cấp giấy phép thử nghiệm", "Test permit")
    slow = {**rec["cases"][0]["ways"][0], "duration": 7}
    hours = {**rec["cases"][0]["ways"][1], "duration": 4, "duration_unit": "working-hours"}
    rec["cases"][0]["ways"] = [slow, hours, {**slow, "channel": "post", "duration": 2}]
    catalog_import(document(rec))
    html = vi.get(URL, {"q": "giay phep thu"}).content.decode()
    with translation.override("vi"):
        hours_text = translation.ngettext(
            "%(count)s working hour", "%(count)s working hours", 4
        ) % {"count": 4}
        days_text = translation.gettext("%(low)s to %(high)s working days") % {
            "low": 2,
            "high": 7,
        }
    assert f"<dd>{hours_text}; {days_text}</dd>" in html


class TestQuickSelect:
    """The sector filter renders in Python exactly what Django's template Select renders."""

    CHOICES = [("", "Tất cả"), ("XNC", "Xuất nhập cảnh"), ("A&B", 'Tên "có" <dấu>')]

    @pytest.mark.parametrize("value", ["", "XNC", "A&B", None, "NOPE"])
    @pytest.mark.parametrize(
        "attrs",
        [
            None,
            {"id": "id_sector"},
            {
                "id": "id_sector",
                "aria-invalid": "true",
                "aria-describedby": "x y",
                "disabled": True,
            },
            {"id": "id_sector", "required": False, "data-x": 'a"b'},
        ],
    )
    def test_same_markup_as_django(self, value: str | None, attrs: dict | None) -> None:
        quick = QuickSelect(choices=self.CHOICES).render("sector", value, attrs)
        django = forms.Select(choices=self.CHOICES).render("sector", value, attrs)
        assert quick == django

    def test_the_form_fields_use_it(self) -> None:
        form = CatalogSearchForm({"sector": "XNC"}, sectors=[])
        for name in ("sector", "level", "online_level"):
            assert isinstance(form.fields[name].widget, QuickSelect)
