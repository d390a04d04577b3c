from django.contrib.admin.apps import AdminConfig


class MotcuaAdminConfig(AdminConfig):
    """Django admin with motcua's site: officers need a verified second factor."""

    default_site = "motcua.core.admin_site.MotcuaAdminSite"
