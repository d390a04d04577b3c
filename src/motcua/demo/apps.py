from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for the embedded default (development only). Top layer: uses every app."""

    name = "motcua.demo"
    label = "demo"
    verbose_name = _("Demo data")
