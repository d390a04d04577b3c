from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from motcua.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("motcua.accounts.urls")),
    path("accounts/oidc/", include("motcua.accounts.oidc_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("motcua.api.urls")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("", include("motcua.portal.urls")),
    path("", include("motcua.portal.citizen_urls")),
    path("", include("motcua.portal.verify_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.SIMULATORS_IN_PROCESS:
    urlpatterns.append(path("sim/", include("simulators.urls")))
