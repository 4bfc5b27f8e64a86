"""What the tests need to work the admin: staff users in a newsroom role, and the article, offer and publication
forms' data."""

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


def article_admin_form(section, **fields) -> dict:
    """The POST data of the article admin's add/change form: a published, metered story in ``section``.

    ``fields`` replace or add form fields (``publish_at_0``/``publish_at_1`` are the date and the time).
    """
    return {
        "headline": "A story",
        "dek": "",
        "slug": "a-story",
        "section": section.pk,
        "dateline": "",
        "body_html": "<p>Text</p>",
        "lead_image": "",
        "status": "published",
        "publish_at_0": "2026-01-01",
        "publish_at_1": "09:00:00",
        "access": "metered",
        "sponsor": "",
        "sponsor_disclosure": "",
        "articleauthor_set-TOTAL_FORMS": "0",
        "articleauthor_set-INITIAL_FORMS": "0",
    } | fields


def offer_admin_form(plan, **fields) -> dict:
    """The POST data of the offer admin's add form: a 14-day free trial of ``plan`` open through 2026, for new readers.

    ``fields`` replace or add form fields (``starts_at_0``/``ends_at_0`` are the window's first and last dates).
    """
    return {
        "name": "Try it free",
        "slug": "try-it-free",
        "plan": plan.pk,
        "kind": "free_trial",
        "intro_amount_minor": "",
        "intro_intervals": "0",
        "percent_off": "0",
        "percent_off_intervals": "0",
        "trial_days": "14",
        "starts_at_0": "2026-01-01",
        "starts_at_1": "00:00:00",
        "ends_at_0": "2026-12-31",
        "ends_at_1": "00:00:00",
        "eligibility": "new",
        "code": "",
        "redemption_cap": "",
        "provider_coupon_id": "",
        "active": "on",
        "purpose": "sale",
    } | fields


def publication_admin_form(publication, **fields) -> dict:
    """The POST data of the publication admin's change form: ``publication`` as it is (prices without tax).

    ``fields`` replace or add form fields; a checkbox is on with "on" and off when left out.
    """
    return {
        "name": publication.name,
        "tagline": publication.tagline,
        "time_zone": publication.time_zone,
        "language": publication.language,
        "winback_days": str(publication.winback_days),
    } | fields
