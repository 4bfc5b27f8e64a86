from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signin/", views.SignInView.as_view(), name="signin"),
    path("signout/", auth_views.LogoutView.as_view(), name="signout"),
]
