import re
from typing import cast

from django.urls import URLPattern, path, re_path

from motcua.catalog.models import CODE_VALIDATOR
from motcua.portal import lookup, views

app_name = "portal"

# Only a well-formed national code reaches a view (anything else is a plain 404).
CODE = cast(re.Pattern[str], CODE_VALIDATOR.regex).pattern.strip("^$")

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.catalog, name="catalog"),
    re_path(rf"^thu-tuc/(?P<code>{CODE})/$", views.procedure, name="procedure"),
    path("tra-cuu-ho-so/", lookup.dossier_lookup, name="dossier_lookup"),
]
