from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _ensure_roles(sender, **kwargs) -> None:
    from .roles import roles_ensure

    roles_ensure()


class PublishingConfig(AppConfig):
    name = "masthead.publishing"
    label = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from . import signals

        # The roles hold permissions of apps above this one (subscriptions, paywall, insights), and Django
        # creates each app's permissions at that app's post_migrate: the groups are refreshed at the last
        # app's, once every permission exists. (At this app's own, a first migrate left them without.)
        last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
        post_migrate.connect(_ensure_roles, sender=last)
        signals.connect()
