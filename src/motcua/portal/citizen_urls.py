"""The citizen area ``/ca-nhan/``: applications, dossiers, documents (namespace ``citizen``)."""

import re
from typing import cast

from django.urls import URLPattern, URLResolver, path, re_path

from motcua.catalog.models import CODE_VALIDATOR
from motcua.portal.citizen import apply, dossiers, warehouse

app_name = "citizen"

CODE = cast(re.Pattern[str], CODE_VALIDATOR.regex).pattern.strip("^$")
PUBLIC_ID = r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}"

urlpatterns: list[URLPattern | URLResolver] = [
    path("ca-nhan/", dossiers.dashboard, name="dashboard"),
    path("ca-nhan/nop-ho-so/", apply.new_application, name="new_application"),
    re_path(
        rf"^ca-nhan/nop-ho-so/(?P<code>{CODE})/(?P<case_code>{CODE})/$",
        apply.start,
        name="start",
    ),
    path(
        "ca-nhan/ho-so-nhap/<uuid:reference>/buoc-<int:step>/",
        apply.draft_step,
        name="draft_step",
    ),
    path(
        "ca-nhan/ho-so-nhap/<uuid:reference>/giay-to/",
        apply.draft_documents,
        name="draft_documents",
    ),
    path("ca-nhan/ho-so-nhap/<uuid:reference>/nop/", apply.draft_review, name="draft_review"),
    path("ca-nhan/ho-so-nhap/<uuid:reference>/xoa/", apply.draft_delete, name="draft_delete"),
    re_path(
        rf"^ca-nhan/ho-so/(?P<public_id>{PUBLIC_ID})/$", dossiers.dossier_detail, name="dossier"
    ),
    re_path(
        rf"^ca-nhan/ho-so/(?P<public_id>{PUBLIC_ID})/tai-lieu/(?P<reference>[0-9a-f-]{{36}})/$",
        dossiers.dossier_document,
        name="dossier_document",
    ),
    re_path(
        rf"^ca-nhan/ho-so/(?P<public_id>{PUBLIC_ID})/bo-sung/$",
        dossiers.supplement,
        name="supplement",
    ),
    re_path(
        rf"^ca-nhan/ho-so/(?P<public_id>{PUBLIC_ID})/rut/$", dossiers.withdraw, name="withdraw"
    ),
    re_path(rf"^ca-nhan/ho-so/(?P<public_id>{PUBLIC_ID})/danh-gia/$", dossiers.rate, name="rate"),
    path("ca-nhan/kho-du-lieu/", warehouse.warehouse, name="warehouse"),
    path(
        "ca-nhan/kho-du-lieu/<uuid:reference>/",
        warehouse.warehouse_download,
        name="warehouse_document",
    ),
]
