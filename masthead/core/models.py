from django.db import models


class ThrottleCount(models.Model):
    """Uses of one throttled action by one subject in one fixed window (masthead.core.throttle)."""

    key = models.CharField(max_length=100, unique=True)  # scope, hashed subject and window number
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
