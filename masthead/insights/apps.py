from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """The publisher's view of the paywall: the decision funnel, conversions, the business, the leak monitor."""

    name = "masthead.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from masthead.accounts.hooks import on_registration
        from masthead.paywall import hooks
        from masthead.subscriptions.hooks import on_milestone

        from . import checks, metrics  # noqa: F401 -- checks registers the operator metrics' system checks
        from .conversions import milestone_heard, registration_heard
        from .recording import record

        hooks.on_decision(record)  # the publisher's funnel: counts in memory, written in batches
        hooks.on_decision(metrics.record_decision)  # operator metrics: one counter increment per decision
        # Conversions: every sign-up, trial start and first payment, heard from the layers below.
        on_registration(registration_heard)
        on_milestone(milestone_heard)
