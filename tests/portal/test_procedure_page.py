"""The public page of one procedure /thu-tuc/<code>/: every part the law requires."""

from __future__ import annotations

import itertools
import re

import pytest
from django.test import Client
from django.utils import translation

from motcua.catalog.models import (
    Channel,
    FeeKind,
    FeeMode,
    Level,
    OnlineLevel,
    Registry,
    Subject,
)
from motcua.catalog.services import catalog_import
from tests.catalog.samples import document, record
from tests.portal.documents import PASSPORT, complete_record, versions_document

URL = f"/thu-tuc/{PASSPORT}/"


@pytest.fixture
def passport(db: None) -> None:
    catalog_import(document(complete_record()))


@pytest.fixture
def versions(db: None) -> None:
    catalog_import(versions_document())


def labels(lang: str) -> list[str]:
    """The translated choice labels and sentences the page must show."""
    with translation.override(lang):
        gt, ngt = translation.gettext, translation.ngettext
        return [
            str(Level.PROVINCE.label),
            str(Level.MINISTRY.label),
            str(Subject.CITIZEN.label),
            str(Subject.ORGANISATION.label),
            str(OnlineLevel.FULL.label),
            str(Channel.IN_PERSON.label),
            str(Channel.ONLINE.label),
            str(Channel.POST.label),
            str(FeeKind.FEE.label),
            str(FeeMode.BEFORE.label),
            str(Registry.POPULATION.label),
            gt("Can be replaced by data from"),
            ngt("%(count)s working day", "%(count)s working days", 8) % {"count": 8},
            ngt("%(count)s working day", "%(count)s working days", 5) % {"count": 5},
            ngt("%(count)s working day", "%(count)s working days", 10) % {"count": 10},
            gt("%(amount)s VND") % {"amount": "1.200.000" if lang == "vi" else "1,200,000"},
            gt("%(amount)s VND") % {"amount": "960.000" if lang == "vi" else "960,000"},
        ]


DATA_TEXTS = [
    PASSPORT,
    "Xuất nhập cảnh",
    "Phòng Quản lý xuất nhập cảnh Công an tỉnh",
    "Bộ phận Một cửa Công an tỉnh",
    "Bước 1: Khai tờ khai đề nghị cấp hộ chiếu.",
    "Bước 2: Nhận hộ chiếu.",
    "Công dân Việt Nam có căn cước còn hiệu lực.",
    "Nộp tại Công an tỉnh",
    "Nộp trên Cổng dịch vụ công",
    "Qua bưu chính công ích",
    "Lệ phí cấp hộ chiếu",
    "Tờ khai đề nghị cấp hộ chiếu",
    "Bản sao căn cước",
    "49/2019/QH14",
    "Luật Xuất cảnh, nhập cảnh của công dân Việt Nam",
    "22/11/2019",
    "Quốc hội",
    "2345/QĐ-BCA",
    "20/06/2025",
    "Bộ Công an",
]


def test_the_page_shows_every_part_the_law_requires(vi: Client, passport: None) -> None:
    response = vi.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Cấp hộ chiếu phổ thông trong nước",
        "Cấp lần đầu",
        "Hộ chiếu phổ thông",
        *DATA_TEXTS,
        *labels("vi"),
    ]:
        assert text in html, text


def test_components_show_originals_copies_and_whether_required(vi: Client, passport: None) -> None:
    html = vi.get(URL).content.decode()
    copy = html[html.index("Bản sao căn cước") :]
    copy = copy[: copy.index("</li>")]
    with translation.override("vi"):
        assert f"<dt>{translation.gettext('Copies')}</dt><dd>2</dd>" in copy
        assert f"<dt>{translation.gettext('Originals')}</dt><dd>0</dd>" in copy
        assert translation.gettext("no, optional") in copy
        assert str(Registry.POPULATION.label) in copy


def test_a_fee_for_one_channel_names_it(vi: Client, passport: None) -> None:
    html = vi.get(URL).content.decode()
    online_fee = html[html.index("Lệ phí cấp hộ chiếu trực tuyến") :]
    online_fee = online_fee[: online_fee.index("</li>")]
    with translation.override("vi"):
        assert str(Channel.ONLINE.label) in online_fee


def test_ways_are_listed_in_person_online_post(vi: Client, passport: None) -> None:
    html = vi.get(URL).content.decode()
    positions = [html.index(t) for t in ("Nộp tại Công an", "Nộp trên Cổng", "Qua bưu chính")]
    assert positions == sorted(positions)


def test_headings_are_in_order(vi: Client, passport: None) -> None:
    html = vi.get(URL).content.decode()
    assert html.count("<h1") == 1
    levels = [int(c) for c in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_english_page_shows_english_names(en: Client, passport: None) -> None:
    response = en.get(URL)
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "<h1>Ordinary passport issuance</h1>" in html
    for text in [
        "First issuance",
        "Ordinary passport",
        "Immigration",
        "Passport fee",
        "Copy of the identity card",
        *labels("en"),
    ]:
        assert text in html, text
    # The official Vietnamese name stays visible, marked as Vietnamese.
    assert '<dd lang="vi">Cấp hộ chiếu phổ thông trong nước</dd>' in html


def test_a_missing_english_name_falls_back_to_vietnamese(en: Client, db: None) -> None:
    catalog_import(document(record()))  # the sector "Hộ tịch" has no English name
    html = en.get("/thu-tuc/1.001193/").content.decode()
    assert "<h1>Birth registration</h1>" in html
    assert "<dd>Hộ tịch</dd>" in html


def test_unknown_code_is_404(vi: Client, passport: None) -> None:
    response = vi.get("/thu-tuc/9.999999/")
    assert response.status_code == 404
    assert "9.999999" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/thu-tuc/%00/", "/thu-tuc/<script>/", "/thu-tuc/" + "1" * 41 + "/"]
)
def test_malformed_code_is_404(vi: Client, passport: None, path: str) -> None:
    assert vi.get(path).status_code == 404


def test_data_is_escaped(vi: Client, db: None) -> None:
    rec = record()
    rec["steps"] = "Bước 1: <script>alert(1)</script>"
    catalog_import(document(rec))
    html = vi.get("/thu-tuc/1.001193/").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class TestVersions:
    def test_the_version_in_force_is_shown_without_a_notice(
        self, vi: Client, versions: None
    ) -> None:
        html = vi.get(URL).content.decode()
        assert "<h1>Cấp hộ chiếu phổ thông trong nước</h1>" in html
        assert 'class="notice"' not in html
        # Every published version is listed; the draft is not.
        assert f'href="{URL}?version=1"' in html
        assert f'href="{URL}?version=3"' in html
        assert "version=4" not in html
        with translation.override("vi"):
            in_force = translation.gettext("in force today")
        listed = html[html.index('id="versions-heading"') : html.index("</article>")]
        items = listed.split("<li>")[1:]
        assert len(items) == 3
        (current,) = [item for item in items if 'aria-current="page"' in item]
        assert in_force in current
        assert listed.count(in_force) == 1

    def test_an_older_version_is_shown_with_a_notice(self, vi: Client, versions: None) -> None:
        response = vi.get(URL, {"version": "1"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Cấp hộ chiếu (bản cũ)</h1>" in html
        assert 'class="notice"' in html
        with translation.override("vi"):
            notice = translation.gettext(
                "You are reading version %(number)s, which is not the version in force today."
            ) % {"number": 1}
            period = translation.gettext(
                "It applied from %(start)s and stopped applying on %(end)s."
            ) % {"start": "01/01/2020", "end": "01/01/2021"}
        assert notice in html
        assert period in html
        assert f'<a href="{URL}">' in html

    def test_a_future_version_says_when_it_takes_effect(self, en: Client, versions: None) -> None:
        html = en.get(URL, {"version": "3"}).content.decode()
        assert "<h1>Passport (new)</h1>" in html
        assert "It takes effect on 01/01/2999." in html

    def test_asking_for_the_version_in_force_by_number_shows_no_notice(
        self, vi: Client, versions: None
    ) -> None:
        html = vi.get(URL, {"version": "2"}).content.decode()
        assert 'class="notice"' not in html

    @pytest.mark.parametrize("number", ["4", "5", "0", "-1", "abc", "1e3", "9" * 30, "٣", "\x00"])
    def test_a_draft_or_unknown_version_is_404(
        self, vi: Client, versions: None, number: str
    ) -> None:
        assert vi.get(URL, {"version": number}).status_code == 404

    def test_a_retired_procedure_has_no_page_but_keeps_its_versions(
        self, vi: Client, db: None
    ) -> None:
        old = record(effective_from="2020-01-01")
        old["status"] = "retired"
        old["effective_to"] = "2021-01-01"
        catalog_import(document(old))
        assert vi.get("/thu-tuc/1.001193/").status_code == 404
        response = vi.get("/thu-tuc/1.001193/", {"version": "1"})
        assert response.status_code == 200
        with translation.override("vi"):
            assert (
                translation.gettext("This procedure has no version in force today.")
                in response.content.decode()
            )


def test_detail_page_query_count(vi: Client, versions: None, django_assert_max_num_queries) -> None:
    # version in force, its legal bases, cases, ways, fees, components, version list: 8.
    with django_assert_max_num_queries(8):
        assert vi.get(URL).status_code == 200
    with django_assert_max_num_queries(9):
        assert vi.get(URL, {"version": "1"}).status_code == 200
