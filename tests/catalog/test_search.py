"""The catalog search selector: word-start matching, ranking, filters, counting pages.

Runs on SQLite and on PostgreSQL (DATABASE_URL); every assertion must hold on both, so
the two backends give the same results.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger

from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.selectors import (
    MAX_QUERY_LENGTH,
    CatalogFilter,
    CatalogPaginator,
    QueryTooLong,
    catalog_search,
    search_terms,
)
from motcua.catalog.services import catalog_import, procedure_retire
from motcua.catalog.synthetic import synthetic_document
from motcua.catalog.text import fold
from tests.catalog.samples import document, record, varied_document
from tests.portal.documents import versions_document

TODAY = date(2026, 6, 1)


def codes(filters: CatalogFilter) -> list[str]:
    results = catalog_search(filters, on=TODAY)
    return [r.code for r in CatalogPaginator(results, 1000).page(1).object_list]


def search(query: str, **filters: str) -> list[str]:
    return codes(CatalogFilter(query=query, **filters))


@pytest.fixture
def ranking(db: None) -> None:
    """Names chosen so each rank has members, out of code order."""
    catalog_import(
        document(
            record("1.000001", "Đăng ký lại khai sinh", "Re-registration of a birth"),
            record("1.000002", "Cấp bản sao giấy khai sinh", "Copy of a birth certificate"),
            record("1.000003", "Khai sinh cho trẻ bị bỏ rơi", "Birth of an abandoned child"),
            record("1.000004", "Sinh con thứ ba, khai báo", "Third child, declaration"),
            record("1.000005", "Ghi vào sổ việc khai sinh", "Recording a birth abroad"),
            record("1.000006", "Đăng ký kết hôn", "Marriage registration"),
            record(
                "1.000007", "Thay đổi hộ tịch", "Civil status change", sector=("KS", "Khai sinh")
            ),
        )
    )


class TestMatching:
    @pytest.fixture(autouse=True)
    def _catalog(self, db: None) -> None:
        catalog_import(varied_document())

    @pytest.mark.parametrize(
        "query",
        [
            "hộ chiếu",
            "HỘ CHIẾU",
            "ho chieu",
            unicodedata.normalize("NFD", "Hộ Chiếu"),
            "  hộ \t chiếu ",
        ],
    )
    def test_case_diacritics_and_unicode_form_do_not_matter(self, query: str) -> None:
        assert search(query) == ["1.010000", "2.000635"]

    def test_a_term_matches_the_start_of_a_word(self) -> None:
        assert search("chie") == ["1.010000", "2.000635"]  # chiếu
        assert search("hieu") == []  # inside "chiếu", at no word start
        assert search("ket") == ["1.000894"]  # kết hôn

    def test_every_term_must_match(self) -> None:
        assert search("ho chieu pho thong") == ["2.000635"]
        assert search("ho chieu ket hon") == []

    def test_a_code_is_one_word(self) -> None:
        assert search("2.000635") == ["2.000635"]
        assert search("2.0006") == ["2.000635"]
        assert search("000635") == []

    def test_english_names_sectors_and_results_are_searched(self) -> None:
        assert search("passport") == ["1.010000", "2.000635"]  # "A passport-like name"
        assert search("xuat nhap canh") == ["1.010000", "2.000635"]
        assert search("giay khai sinh") == [
            "1.000894",
            "1.001193",
            "1.004227",
            "1.010000",
            "2.000635",
            "2.001023",
        ]

    @pytest.mark.parametrize("query", ["%", "_", "\\", "%_", "🙂", "\u200b", "' --"])
    def test_wildcards_and_symbols_match_nothing_special(self, query: str) -> None:
        assert search(query) == search("")  # no term left after folding: everything

    def test_at_most_eight_terms_count(self) -> None:
        nine = "ho chieu pho thong trong nuoc cap xuat khong_co"
        assert search(nine) == ["2.000635"]  # the ninth word is ignored

    def test_filters_combine_with_the_words(self) -> None:
        assert search("ho chieu", sector="XNC", level="province") == ["1.010000", "2.000635"]
        assert search("ho chieu", online_level="full") == ["1.010000", "2.000635"]
        assert search("ho chieu", sector="HOTICH") == []
        assert search("", level="commune", online_level="none") == ["1.004227"]

    def test_a_too_long_query_is_refused(self) -> None:
        with pytest.raises(QueryTooLong):
            search("a" * (MAX_QUERY_LENGTH + 1))


class TestRanking:
    def test_name_start_then_query_then_every_term_then_the_rest(self, ranking: None) -> None:
        assert search("khai sinh") == [
            "1.000003",  # 0: the name starts with the query
            "1.000001",  # 1: the name holds "khai sinh" (by code)
            "1.000002",
            "1.000005",
            "1.000004",  # 2: every term starts a word of the name
            "1.000006",  # 3: elsewhere only (result, sector), by code
            "1.000007",
        ]

    def test_one_term(self, ranking: None) -> None:
        assert search("sinh") == [
            "1.000004",  # starts with it
            "1.000001",
            "1.000002",
            "1.000003",
            "1.000005",
            "1.000006",
            "1.000007",
        ]

    def test_no_words_lists_by_code(self, ranking: None) -> None:
        assert search("") == [f"1.00000{i}" for i in range(1, 8)]


def reference_search(versions: list[ProcedureVersion], query: str) -> list[str]:
    """The documented rules in plain Python, to hold the SQL of every backend to them."""
    folded, terms = search_terms(query)
    if not terms:
        return sorted(v.procedure.code for v in versions)

    def starts_words(text: str, words: list[str]) -> bool:
        return all(f" {word}" in f" {text}" for word in words)

    def rank(v: ProcedureVersion) -> int:
        if v.search_name.startswith(folded):
            return 0
        if f" {folded}" in f" {v.search_name}":
            return 1
        return 2 if starts_words(v.search_name, terms) else 3

    found = [v for v in versions if starts_words(v.search_text, terms)]
    return [v.procedure.code for v in sorted(found, key=lambda v: (rank(v), v.procedure.code))]


@pytest.mark.parametrize(
    "query",
    [
        "giấy phép xây dựng",
        "DANG KY",
        "cap lai giay phep lai xe",
        "dat dai",
        "an toàn thực phẩm",
        "gia han",
        "g",
        "ho chieu pho",
        "9.00012",
        "9.0001",
        "Cấp",
        "certificate",
    ],
)
def test_a_synthetic_catalog_is_searched_as_documented(db: None, query: str) -> None:
    catalog_import(synthetic_document(150))
    versions = list(ProcedureVersion.objects.select_related("procedure"))
    assert search(query) == reference_search(versions, query)


def test_search_terms_are_folded_words() -> None:
    assert search_terms(" Giấy  phép ") == ("giay phep", ["giay", "phep"])
    assert search_terms("a b c d e f g h i j")[1] == list("abcdefgh")
    assert fold("Đ.") == "d."


class TestPagination:
    @pytest.fixture(autouse=True)
    def _catalog(self, db: None) -> None:
        catalog_import(synthetic_document(45))

    def page(self, query: str, number: Any, per_page: int = 20) -> Any:
        results = catalog_search(CatalogFilter(query=query), on=TODAY)
        return CatalogPaginator(results, per_page).page(number)

    def test_a_ranked_page_and_its_count_are_one_query(
        self, django_assert_num_queries: Any
    ) -> None:
        total = len(search("gia"))
        assert total > 20
        with django_assert_num_queries(1):
            page = self.page("gia", 1)
            assert page.paginator.count == total
            assert len(page.object_list) == 20
            assert page.has_next()

    def test_pages_follow_each_other(self) -> None:
        every = search("gia")
        pages = [self.page("gia", n, per_page=7) for n in range(1, (len(every) + 6) // 7 + 1)]
        assert [r.code for p in pages for r in p.object_list] == every
        assert {p.paginator.count for p in pages} == {len(every)}

    def test_the_last_page(self) -> None:
        total = len(search("gia"))
        last = (total + 6) // 7
        page = self.page("gia", last, per_page=7)
        assert len(page.object_list) == total - 7 * (last - 1)
        assert not page.has_next()

    @pytest.mark.parametrize("number", [99, 10_001, 10**30])
    def test_a_page_past_the_end_is_an_empty_page_error(self, number: int) -> None:
        with pytest.raises(EmptyPage):
            self.page("gia", number)

    @pytest.mark.parametrize("number", ["abc", "1.5", None, 1.5])
    def test_a_page_that_is_no_number(self, number: Any) -> None:
        with pytest.raises(PageNotAnInteger):
            self.page("gia", number)

    def test_page_zero(self) -> None:
        with pytest.raises(EmptyPage):
            self.page("gia", 0)

    def test_no_match_is_one_empty_first_page(self, django_assert_num_queries: Any) -> None:
        with django_assert_num_queries(1):
            page = self.page("khong co thu tuc nay", 1)
            assert page.paginator.count == 0
            assert list(page.object_list) == []

    def test_a_listing_without_words_is_counted_apart(self, django_assert_num_queries: Any) -> None:
        with django_assert_num_queries(2):  # count, page (ordered by code, it stops early)
            page = self.page("", 2)
            assert page.paginator.count == 45
            assert len(page.object_list) == 20


def test_a_result_line_holds_what_a_list_shows(db: None) -> None:
    catalog_import(varied_document())
    (line,) = CatalogPaginator(
        catalog_search(CatalogFilter(query="ly lich tu phap"), on=TODAY), 20
    ).page(1)
    assert (line.code, line.number, line.name, line.name_en) == (
        "2.001023",
        1,
        "Cấp Phiếu lý lịch tư pháp",
        "Judicial record certificate",
    )
    assert (line.sector.code, line.sector.name, line.sector.name_en) == (
        "LLTP",
        "Lý lịch tư pháp",
        "",
    )
    assert (line.levels, line.online_level, line.essential) == (("province",), "partial", True)
    assert line.durations == {}  # not asked for


def test_durations_come_with_the_page(db: None, django_assert_num_queries: Any) -> None:
    rec = record("3.000001", "Cấp giấy phép thử", "Test permit")
    rec["cases"].append(
        {
            **rec["cases"][0],
            "code": "2",
            "ways": [
                {
                    "channel": "in_person",
                    "duration": 15,
                    "duration_unit": "calendar-days",
                    "description": "",
                },
                {
                    "channel": "post",
                    "duration": 3,
                    "duration_unit": "working-days",
                    "description": "",
                },
            ],
        }
    )
    catalog_import(document(rec, record()))
    results = catalog_search(CatalogFilter(query="giay phep"), on=TODAY, durations=True)
    with django_assert_num_queries(1):
        (line,) = CatalogPaginator(results, 20).page(1).object_list
    assert line.durations == {"working-days": (1, 3), "calendar-days": (15, 15)}


@pytest.fixture
def versions(db: None) -> None:
    """Passport v1 (ended 2021), v2 (in force), v3 (from 2999), a draft v4; one retired."""
    catalog_import(versions_document())
    retired = record("5.000001", "Cấp hộ chiếu ngoại giao", "Diplomatic passport")
    catalog_import(document(retired))
    procedure_retire(
        procedure=Procedure.objects.get(code="5.000001"), effective_to=date(2026, 1, 1)
    )


@pytest.mark.parametrize("day", [date(2020, 6, 1), date(2025, 12, 31), TODAY, date(2999, 6, 1)])
def test_the_versions_searched_are_the_versions_in_force(versions: None, day: date) -> None:
    expected = sorted(
        (v.procedure.code, v.number)
        for v in ProcedureVersion.objects.in_force(day).select_related("procedure")
    )
    results = CatalogPaginator(catalog_search(CatalogFilter(), on=day), 100).page(1)
    assert sorted((r.code, r.number) for r in results) == expected
    ranked = CatalogPaginator(catalog_search(CatalogFilter(query="ho chieu"), on=day), 100)
    assert sorted((r.code, r.number) for r in ranked.page(1)) == expected


@pytest.mark.parametrize(
    "filters",
    [
        CatalogFilter(level="district"),
        CatalogFilter(online_level="4"),
        CatalogFilter(level="%"),
    ],
)
def test_filter_values_outside_the_choices_are_refused(filters: CatalogFilter) -> None:
    with pytest.raises(ValueError):
        catalog_search(filters, on=TODAY)
