"""The e-form renderer: steps, labels in two languages, types, read-only prefilled fields."""

from __future__ import annotations

import copy
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from motcua.portal.eform import EForm
from tests.portal.citizen import FORM, POPULATION


def form(language: str = "en", prefill: dict[str, str] | None = None, **ui: Any) -> EForm:
    hints = copy.deepcopy(FORM["ui"]) | ui
    return EForm(FORM["schema"], hints, language=language, prefill=prefill or POPULATION)


def test_steps_follow_the_hints_and_unplaced_fields_get_a_last_step() -> None:
    with translation.override("en"):
        steps = form().step_names()
    assert [title for title, _names in steps] == ["Declarant", "The change", "Other information"]
    assert steps[2][1] == ["note"]
    assert [t for t, _n in form("vi").step_names()][:2] == ["Người khai", "Nội dung thay đổi"]


def test_a_long_form_without_hints_comes_in_steps_of_eight() -> None:
    schema = {
        "type": "object",
        "properties": {f"f{i}": {"type": "string", "title": f"Ô {i}"} for i in range(19)},
    }
    with translation.override("en"):
        steps = EForm(schema, {}, language="en").step_names()
    assert [len(names) for _t, names in steps] == [8, 8, 3]
    assert [t for t, _n in steps] == ["Part 1", "Part 2", "Part 3"]


def test_labels_are_english_with_a_vietnamese_fallback_marked_as_such() -> None:
    f = form(labels_en={"full_name": "Full name"})
    assert f.label("full_name") == ("Full name", "")
    assert f.label("note") == ("Ghi chú", "vi")
    assert form("vi").label("full_name") == ("Họ, chữ đệm và tên", "")


def test_population_values_are_read_only_account_values_are_suggestions() -> None:
    f = form()
    assert set(f.readonly_names) == {"full_name", "id_number", "date_of_birth", "sex"}
    assert f.initial()["phone"] == "0912345678" and not f.is_readonly("phone")
    # Without a population answer nothing is read-only (the citizen types it).
    bare = form(prefill={"account.email": "a@example.invalid"})
    assert bare.readonly_names == [] and bare.initial() == {"email": "a@example.invalid"}


def test_a_choice_value_is_matched_by_its_label_and_without_diacritics() -> None:
    assert form(prefill=POPULATION | {"population.sex": "Nữ"}).server_value("sex") == "nu"
    assert form(prefill=POPULATION | {"population.sex": "NAM"}).server_value("sex") == "nam"


def test_parse_types_values_and_re_derives_read_only_ones() -> None:
    f = form()
    parsed = f.parse(
        {"members": " 3 ", "agree": "on", "new_address": " 5  Tràng Tiền ", "id_number": ""},
        ["members", "agree", "new_address", "id_number", "note"],
    )
    assert parsed.data == {
        "members": 3,
        "agree": True,
        "new_address": "5  Tràng Tiền",
        "id_number": "001090012345",
    }
    assert not parsed.tampered and parsed.errors == {}
    unchecked = f.parse({}, ["agree"])
    assert unchecked.data == {"agree": False}


def test_parse_flags_an_edited_read_only_value() -> None:
    with translation.override("en"):
        parsed = form().parse({"id_number": "001090099999"}, ["id_number"])
        assert "cannot be changed" in str(parsed.errors["id_number"][0])
    assert parsed.tampered
    assert parsed.data == {"id_number": "001090012345"}


def test_parse_names_bad_numbers_and_nul() -> None:
    with translation.override("en"):
        parsed = form().parse({"members": "hai", "note": "a\x00b"}, ["members", "note"])
    assert parsed.errors == {
        "members": ["Enter a whole number."],
        "note": ["Text may not contain the NUL character."],
    }


def test_validation_of_one_step_reports_only_its_fields() -> None:
    with translation.override("en"):
        errors = form().validate({}, ["new_address", "reason"])
    assert set(errors) == {"new_address", "reason"}


def test_the_field_markup_ties_label_hint_and_error() -> None:
    f = form()
    field = f.field("id_number", {}, {"id_number": ["Bad."]})
    with translation.override("en"):
        html = render_to_string("portal/citizen/_field.html", {"field": field})
    assert '<label for="f-id_number">Personal ID number <span class="req">(required)</span>' in html
    assert 'aria-describedby="f-id_number-hint f-id_number-error"' in html
    assert 'id="f-id_number-error"' in html and 'aria-invalid="true"' in html
    assert "readonly" in html and "national population database" in html
    radio = f.field("reason", {"reason": "Mua nhà"}, {})
    html = render_to_string("portal/citizen/_field.html", {"field": radio})
    assert "<select" in html and 'value="Mua nhà" lang="vi" selected' in html
