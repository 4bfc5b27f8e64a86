from django.urls import path

from . import cancel
from . import subscribe as views

app_name = "subscriptions"

urlpatterns = [
    path("subscribe/", views.offers, name="offers"),
    path("subscribe/checkout/", views.checkout, name="checkout"),
    path("subscribe/continue/", views.checkout_continue, name="continue"),
    path("subscribe/thank-you/", views.confirmation, name="confirmation"),
    path("account/subscription/cancel/", cancel.cancel, name="cancel"),
    path("account/subscription/resume/", views.resume, name="resume"),
    path("account/subscription/plan/", views.change_plan, name="change_plan"),
    path("account/subscription/<str:subscription_id>/card/", views.update_card, name="update_card"),
    path("payments/local/checkout/<slug:reference>/", views.local_checkout, name="local_checkout"),
    path("payments/local/card/<slug:subscription_id>/", views.local_card, name="local_card"),
]
