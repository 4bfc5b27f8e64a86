from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("payments/webhooks/<slug:provider>/", views.webhook, name="webhook"),
    path("payments/local/checkout/<slug:reference>/", views.local_checkout, name="local_checkout"),
]
