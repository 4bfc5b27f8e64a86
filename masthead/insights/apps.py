from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """The publisher's view of the paywall: the decision funnel, conversions, the business, the leak monitor."""

    name = "masthead.insights"
    label = "insights"
    verbose_name = "Insights"
