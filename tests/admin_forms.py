"""What the tests need to work the admin: staff users in a newsroom role."""

from __future__ import annotations

from django.contrib.auth.models import Group, User

from masthead.publishing.roles import roles_ensure

STAFF_PASSWORD = "a long enough password"


def staff_user(username: str, role: str | None, *, password: str = STAFF_PASSWORD) -> User:
    """A staff user in the group ``role`` (one of ``publishing.roles``), or in no group when ``role`` is None."""
    roles_ensure()
    user = User.objects.create_user(username, password=password, is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user
