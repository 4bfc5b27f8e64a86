from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """The publisher's view of the paywall: the decision funnel, conversions, the business, the leak monitor."""

    name = "masthead.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from masthead.paywall import hooks

        from . import checks, metrics  # noqa: F401 -- checks registers the operator metrics' system checks
        from .recording import record

        hooks.on_decision(record)  # the publisher's funnel: counts in memory, written in batches
        hooks.on_decision(metrics.record_decision)  # operator metrics: one counter increment per decision
