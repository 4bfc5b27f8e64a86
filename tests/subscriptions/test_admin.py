"""Editors run the newsroom and never see payment data; publishers run the business."""

import pytest

from masthead.publishing.roles import EDITORS, PUBLISHERS
from tests.admin_forms import staff_user

pytestmark = pytest.mark.django_db

PAYMENT_PAGES = [
    "/admin/subscriptions/subscription/",
    "/admin/subscriptions/payment/",
    "/admin/subscriptions/plan/",
    "/admin/payments/webhookevent/",
]


@pytest.mark.parametrize("page", PAYMENT_PAGES)
def test_an_editor_cannot_see_payment_data(client, page):
    client.force_login(staff_user("desk", EDITORS))
    assert client.get("/admin/publishing/article/").status_code == 200  # the newsroom is theirs
    assert client.get(page).status_code in (403, 404)  # forbidden, or not in the admin at all
    index = client.get("/admin/")
    assert index.status_code == 200 and "/admin/publishing/article/" in index.content.decode()
    assert "Subscriptions" not in index.content.decode()


def test_a_publisher_sees_subscribers_and_offers(client):
    client.force_login(staff_user("business", PUBLISHERS))
    assert client.get("/admin/subscriptions/subscription/").status_code == 200
    assert client.get("/admin/subscriptions/offer/").status_code == 200
    assert client.get("/admin/paywall/metersettings/").status_code == 200


def test_a_publisher_sets_the_publications_business_settings(client):
    from masthead.publishing.selectors import current_publication
    from tests.admin_forms import publication_admin_form

    publication = current_publication()
    client.force_login(staff_user("business", PUBLISHERS))
    change = f"/admin/publishing/publication/{publication.pk}/change/"
    form = client.get(change)
    assert form.status_code == 200 and 'name="winback_days"' in form.content.decode()
    saved = client.post(change, publication_admin_form(publication, winback_days="21", prices_include_tax="on"))
    assert saved.status_code == 302
    publication.refresh_from_db()
    assert publication.winback_days == 21 and publication.prices_include_tax


def test_an_editor_cannot_change_the_publication(client):
    from masthead.publishing.selectors import current_publication

    client.force_login(staff_user("desk", EDITORS))
    assert client.get("/admin/publishing/article/").status_code == 200
    change = f"/admin/publishing/publication/{current_publication().pk}/change/"
    assert client.get(change).status_code in (403, 404)
