from __future__ import annotations

from .models import ReaderProfile


def has_full_access(user) -> bool:
    """Whether a signed-in reader may read everything: newsroom staff and complimentary readers."""
    if user.is_staff:
        return True
    return ReaderProfile.objects.filter(user_id=user.pk, complimentary_access=True).exists()
