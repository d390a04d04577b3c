"""Citizen login with the national e-ID (OpenID Connect relying party), at /accounts/oidc/."""

from django.urls import path

from motcua.accounts import oidc

app_name = "oidc"
urlpatterns = [
    path("", oidc.signin, name="signin"),
    path("login/", oidc.login, name="login"),
    path("callback/", oidc.callback, name="callback"),
    path("logout/", oidc.logout, name="logout"),
]
