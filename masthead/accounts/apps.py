from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "masthead.accounts"
    label = "accounts"

    def ready(self) -> None:
        from .signals import forget_user_row

        # A password change, a deactivation or a deletion is seen at once in this worker.
        post_save.connect(forget_user_row, sender=get_user_model(), dispatch_uid="accounts:forget-user-row")
        post_delete.connect(forget_user_row, sender=get_user_model(), dispatch_uid="accounts:forget-user-row-del")
