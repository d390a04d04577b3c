"""URL patterns of one feature area, included by the project's URL configuration."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
