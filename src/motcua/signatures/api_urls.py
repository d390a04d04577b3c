"""Verification and revocation endpoints, mounted under ``/api/v1/``."""

from django.urls import URLPattern, URLResolver, path, re_path

from motcua.signatures import api

CODE = r"(?P<token>[A-Za-z0-9_-]{16,32})"

urlpatterns: list[URLPattern | URLResolver] = [
    path("verify/", api.VerifyUploadView.as_view(), name="verify"),
    re_path(rf"^verify/{CODE}/$", api.VerifyTokenView.as_view(), name="verify-token"),
    re_path(
        rf"^signed-documents/{CODE}/revoke/$",
        api.RevokeView.as_view(),
        name="signed-document-revoke",
    ),
]
