"""The data warehouse API, mounted under ``/api/v1/`` (``motcua.documents.warehouse_api``)."""

from django.urls import URLPattern, URLResolver, path

from motcua.documents import warehouse_api as api

urlpatterns: list[URLPattern | URLResolver] = [
    path("documents/", api.WarehouseListView.as_view(), name="document-list"),
    path(
        "documents/<uuid:reference>/", api.WarehouseDocumentView.as_view(), name="document-detail"
    ),
    path(
        "documents/<uuid:reference>/content/",
        api.WarehouseContentView.as_view(),
        name="document-content",
    ),
]
