"""REST API v1: each domain's endpoints, mounted under ``/api/v1/``."""

import re
from typing import cast

from django.urls import URLPattern, URLResolver, include, path, re_path

from motcua.catalog import api as catalog
from motcua.catalog.models import CODE_VALIDATOR
from motcua.dossiers import api as dossiers
from motcua.dossiers import api_lookup as dossier_lookup
from motcua.dossiers.lifecycle import ACTIONS

app_name = "api"

# Only a well-formed national code reaches a view (anything else is a plain 404).
CODE = cast(re.Pattern[str], CODE_VALIDATOR.regex).pattern.strip("^$")

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("motcua.signatures.api_urls")),
    path("", include("motcua.documents.api_urls")),
    path("", include("motcua.backoffice.api_urls")),
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
    # Dossiers: {id} is the code or, before reception, the reference UUID; the views check it.
    path("dossiers/", dossiers.DossierListView.as_view(), name="dossier-list"),
    path("dossiers/<str:id>/", dossiers.DossierDetailView.as_view(), name="dossier-detail"),
    *(
        path(
            f"dossiers/<str:id>/{action}/",
            dossiers.command_view(action).as_view(),
            name=f"dossier-{action}",
        )
        for action in ACTIONS
    ),
    path("intake/dossiers/", dossiers.IntakeView.as_view(), name="intake-dossiers"),
    path(
        "public/dossiers/<str:code>/",
        dossier_lookup.PublicDossierLookupView.as_view(),
        name="dossier-public-lookup",
    ),
    # Anything else under these prefixes (an unknown action, a missing final slash): JSON 404.
    re_path(r"^(?:dossiers|intake|public)(?:/.*)?$", dossiers.UnknownAddressView.as_view()),
]
