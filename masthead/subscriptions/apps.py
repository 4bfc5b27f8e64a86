from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "masthead.subscriptions"
    label = "subscriptions"
    verbose_name = "Subscriptions"

    def ready(self) -> None:
        from masthead.payments.providers.local.provider import register_checkout_guard

        from . import checks  # noqa: F401 -- registers the subscription settings' system checks
        from .checkouts import payment_guard
        from .handlers import register_handlers

        register_handlers()
        register_checkout_guard(payment_guard)
