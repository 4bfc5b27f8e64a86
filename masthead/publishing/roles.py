"""The newsroom's roles as Django groups: authors write their own drafts, editors publish anything,
publishers run the business (plans, offers, subscribers, meter rules)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from .selectors import image_released

AUTHORS = "Authors"
EDITORS = "Editors"
PUBLISHERS = "Publishers"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    AUTHORS: [
        "publishing.add_article",
        "publishing.change_article",
        "publishing.view_article",
        "publishing.delete_article",
        "publishing.add_image",
        "publishing.change_image",
        "publishing.view_image",
        "publishing.view_section",
        "publishing.view_author",
    ],
    EDITORS: [
        "publishing.add_article",
        "publishing.change_article",
        "publishing.view_article",
        "publishing.delete_article",
        "publishing.publish_article",
        "publishing.add_image",
        "publishing.change_image",
        "publishing.view_image",
        "publishing.delete_image",
        "publishing.add_author",
        "publishing.change_author",
        "publishing.view_author",
        "publishing.view_section",
        # The insights dashboard's article and section tables (its business tables stay the publishers').
        "insights.view_funnel",
    ],
    # The business side: plans, offers, subscribers and payments, which editors never see.
    PUBLISHERS: [
        "subscriptions.add_plan",
        "subscriptions.change_plan",
        "subscriptions.view_plan",
        "subscriptions.add_offer",
        "subscriptions.change_offer",
        "subscriptions.view_offer",
        "subscriptions.view_subscription",
        "subscriptions.view_payment",
        "subscriptions.view_checkout",
        "subscriptions.view_subscriptionchange",
        "subscriptions.view_trialcard",
        "subscriptions.view_cancellationfeedback",
        "payments.view_webhookevent",
        "paywall.view_metersettings",
        "paywall.change_metersettings",
        # The publication's business settings: whether prices include tax, the win-back delay.
        "publishing.view_publication",
        "publishing.change_publication",
        # The leak monitor's runs (insights), which the admin index sums up.
        "insights.view_auditrun",
        "insights.view_auditroadresult",
        # Every table of the insights dashboard.
        "insights.view_funnel",
        "insights.view_business",
    ],
}


def roles_ensure() -> None:
    """Create or refresh the role groups with exactly their permissions (safe to run repeatedly)."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)


def can_publish(user) -> bool:
    return user.is_superuser or user.has_perm("publishing.publish_article")


def can_change_image(user, image) -> bool:
    """Whether ``user`` may replace ``image``'s picture or words (given they may change images at all).

    Once an editor has released an article (published or scheduled), the images it shows are the
    editors' too: an author could otherwise change a published story, its lead picture included, by
    way of the image library. An image no released article shows stays the authors' to edit.
    """
    return image.pk is None or can_publish(user) or not image_released(image)
