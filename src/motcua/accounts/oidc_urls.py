"""Citizen login with the national e-ID (OpenID Connect relying party)."""

from django.urls import URLPattern, URLResolver

app_name = "oidc"
urlpatterns: list[URLPattern | URLResolver] = []
