"""A first migrate gives the role groups every permission of theirs, those of the apps above publishing too."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from masthead.publishing.roles import EDITORS, PUBLISHERS, ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db(transaction=True)


def granted(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_a_first_migrate_grants_the_permissions_of_apps_above_publishing():
    # As on a new database: the permissions of the apps above publishing are created by this migrate.
    Permission.objects.filter(content_type__app_label__in=["insights", "subscriptions"]).delete()
    Group.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert granted(PUBLISHERS) == set(ROLE_PERMISSIONS[PUBLISHERS])
    assert "insights.view_business" in granted(PUBLISHERS) and "subscriptions.view_plan" in granted(PUBLISHERS)
    assert granted(EDITORS) == set(ROLE_PERMISSIONS[EDITORS])
    assert "insights.view_funnel" in granted(EDITORS)
