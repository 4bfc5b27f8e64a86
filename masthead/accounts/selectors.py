from __future__ import annotations

from dataclasses import dataclass

from .models import ReaderProfile


@dataclass(frozen=True, slots=True)
class Standing:
    full_access: bool  # newsroom staff, or granted complimentary access
    email_verified: bool


def reader_standing(user) -> Standing:
    """What a signed-in reader's account grants, in one query (none for staff)."""
    if user.is_staff:
        return Standing(full_access=True, email_verified=True)
    row = ReaderProfile.objects.filter(user_id=user.pk).values_list("complimentary_access", "email_verified_at").first()
    if row is None:
        return Standing(full_access=False, email_verified=False)
    complimentary, verified_at = row
    return Standing(full_access=complimentary, email_verified=verified_at is not None)


def has_full_access(user) -> bool:
    """Whether a signed-in reader may read everything: newsroom staff and complimentary readers."""
    return reader_standing(user).full_access


def marketing_allowed(user) -> bool:
    """Whether ``user`` may be sent marketing email (offers): an active account with an address that has not
    opted out. Transactional mail does not ask."""
    if not user.is_active or not user.email:
        return False
    return not ReaderProfile.objects.filter(user_id=user.pk, marketing_opt_out=True).exists()
