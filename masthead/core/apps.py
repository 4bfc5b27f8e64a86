from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "masthead.core"
    label = "core"

    def ready(self) -> None:
        from . import checks  # noqa: F401 -- registers Masthead's system checks
