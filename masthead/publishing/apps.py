from django.apps import AppConfig
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

        # Permissions exist only after migrate, so the role groups are refreshed then.
        post_migrate.connect(_ensure_roles, sender=self)
        signals.connect()
