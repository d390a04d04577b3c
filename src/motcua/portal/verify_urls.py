"""The public verification pages: ``/xac-thuc/`` and ``/xac-thuc/<code>/`` (the QR code)."""

from django.urls import URLPattern, URLResolver, path, re_path

from motcua.portal import verify
from motcua.signatures.services import VERIFY_PATH

app_name = "verify"

urlpatterns: list[URLPattern | URLResolver] = [
    path(VERIFY_PATH, verify.verify_upload, name="upload"),
    re_path(
        rf"^{VERIFY_PATH}(?P<token>[A-Za-z0-9_-]{{16,32}})/$", verify.verify_token, name="code"
    ),
]
