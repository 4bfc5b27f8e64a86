from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "accounts"

urlpatterns = [
    path("signin/", auth_views.LoginView.as_view(template_name="accounts/signin.html"), name="signin"),
    path("signout/", auth_views.LogoutView.as_view(), name="signout"),
]
