"""Back-office pages under ``/can-bo/`` (Vietnamese paths, like the rest of the site)."""

from django.urls import URLPattern, path, re_path

from motcua.backoffice import views

app_name = "backoffice"

# A dossier code (``H15.50.05.13-261008-0975``) or, before reception, its reference UUID.
PUBLIC_ID = r"(?P<public_id>[0-9A-Za-z][0-9A-Za-z._-]{0,63})"
QUEUE = "|".join(views.QUEUE_SLUGS.values())

urlpatterns: list[URLPattern] = [
    path("", views.queue, name="home"),
    re_path(rf"^hang-doi/(?P<slug>{QUEUE})/$", views.queue, name="queue"),
    re_path(rf"^ho-so/{PUBLIC_ID}/$", views.dossier_page, name="dossier"),
    re_path(
        rf"^ho-so/{PUBLIC_ID}/thao-tac/(?P<action>[a-z_]{{1,40}})/$",
        views.dossier_action,
        name="action",
    ),
    re_path(rf"^ho-so/{PUBLIC_ID}/phieu-kiem-soat/$", views.control_sheet, name="control_sheet"),
    re_path(
        rf"^ho-so/{PUBLIC_ID}/giay-to/(?P<pk>[0-9]{{1,18}})/$",
        views.attachment_download,
        name="attachment",
    ),
    re_path(
        rf"^ho-so/{PUBLIC_ID}/tai-lieu/(?P<reference>[0-9a-f-]{{36}})/$",
        views.component_document,
        name="component_document",
    ),
    path("tiep-nhan/", views.counter_search, name="counter"),
    path("tiep-nhan/<int:case_pk>/", views.counter_receive_view, name="counter_case"),
    path("so-theo-doi/", views.register, name="register"),
]
