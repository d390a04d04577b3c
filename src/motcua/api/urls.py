"""REST API v1: each domain's endpoints, mounted under ``/api/v1/``."""

import re
from typing import cast

from django.urls import URLPattern, path, re_path

from motcua.catalog import api as catalog
from motcua.catalog.models import CODE_VALIDATOR

app_name = "api"

# Only a well-formed national code reaches a view (anything else is a plain 404).
CODE = cast(re.Pattern[str], CODE_VALIDATOR.regex).pattern.strip("^$")

urlpatterns: list[URLPattern] = [
    path("procedures/", catalog.ProcedureListView.as_view(), name="procedure-list"),
    re_path(
        rf"^procedures/(?P<code>{CODE})/$",
        catalog.ProcedureDetailView.as_view(),
        name="procedure-detail",
    ),
    re_path(
        rf"^procedures/(?P<code>{CODE})/versions/$",
        catalog.ProcedureVersionListView.as_view(),
        name="procedure-versions",
    ),
    re_path(
        rf"^procedures/(?P<code>{CODE})/versions/(?P<number>[0-9]{{1,10}})/$",
        catalog.ProcedureVersionDetailView.as_view(),
        name="procedure-version",
    ),
    path("sectors/", catalog.SectorListView.as_view(), name="sector-list"),
]
