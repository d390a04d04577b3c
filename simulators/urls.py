"""Simulators mounted in-process under ``/sim/`` (development and tests only).

* ``/sim/national-id/`` — the national e-ID OpenID Connect provider
  (``simulators/national_id``); its issuer is this server's ``/sim/national-id``.
* ``/sim/population/`` — the population database (``simulators/population``).
* ``/sim/national-portal/`` — the national portal's dossier sync receiver
  (``simulators/national_portal``).
"""

from django.urls import URLPattern, URLResolver, re_path

from simulators.national_id.provider import in_process_application as national_id_app
from simulators.national_portal.app import in_process_application as national_portal_app
from simulators.population.app import in_process_application as population_app
from simulators.wsgi import django_view

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(
        r"^national-id/(?P<rest>.*)$",
        django_view(national_id_app, "/sim/national-id"),
        name="sim-national-id",
    ),
    re_path(
        r"^population/(?P<rest>.*)$",
        django_view(population_app, "/sim/population"),
        name="sim-population",
    ),
    re_path(
        r"^national-portal/(?P<rest>.*)$",
        django_view(national_portal_app, "/sim/national-portal"),
        name="sim-national-portal",
    ),
]
