from django.urls import path

from . import views

app_name = "paywall"

urlpatterns = [path("subscribe/", views.offers, name="offers")]
