"""The catalog search form: every GET parameter is checked before it reaches a query."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Level, OnlineLevel, Sector
from motcua.catalog.selectors import MAX_QUERY_LENGTH, CatalogFilter
from motcua.portal.display import localized


class SearchTextField(forms.CharField):
    """Free text, NFC-normalised first so an NFD keyboard is not penalised on length."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return unicodedata.normalize("NFC", text) if text else ""


class CatalogSearchForm(forms.Form):
    q = SearchTextField(
        label=_("Search for a procedure"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text=_("For example: hộ chiếu, khai sinh or a procedure code such as 1.001193."),
        error_messages={
            "max_length": _(
                "The search text is too long: use at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    level = forms.ChoiceField(
        label=_("Implementing level"),
        required=False,
        choices=[("", _("All levels")), *Level.choices],
    )
    online_level = forms.ChoiceField(
        label=_("Online service level"),
        required=False,
        choices=[("", _("All service levels")), *OnlineLevel.choices],
    )

    def __init__(self, data: Mapping[str, Any] | None, *, sectors: Iterable[Sector]) -> None:
        super().__init__(data)
        sector_field = self.fields["sector"]
        assert isinstance(sector_field, forms.ChoiceField)
        sector_field.choices = [
            ("", _("All sectors")),
            *((sector.code, localized(sector, "name")) for sector in sectors),
        ]

    def catalog_filter(self) -> CatalogFilter:
        """The validated filter; call only after ``is_valid()`` returned True."""
        data = self.cleaned_data
        return CatalogFilter(
            query=data["q"],
            sector=data["sector"],
            level=data["level"],
            online_level=data["online_level"],
        )
