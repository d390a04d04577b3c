from django.urls import path

from motcua.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.OfficerLoginView.as_view(), name="login"),
    path("logout/", views.OfficerLogoutView.as_view(), name="logout"),
]
