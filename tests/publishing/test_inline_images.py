"""Inline images: ``<figure data-image="ID">`` in a body names an image of the library."""

import pytest
from django.contrib.auth.models import User

from masthead.publishing.models import Article

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["²", "①", "٣", "-1", "1.0", "0x1", "", "99999999999999999999"])
def test_an_odd_image_id_in_the_admin_is_dropped_not_a_500(client, section, value):
    client.force_login(User.objects.create_superuser("chief", password="a long enough password"))
    data = {
        "headline": "A story",
        "dek": "",
        "slug": "a-story",
        "section": section.pk,
        "dateline": "",
        "body_html": f'<p>Kept words.</p><figure data-image="{value}"><figcaption>x</figcaption></figure>',
        "lead_image": "",
        "status": "published",
        "publish_at_0": "2026-01-01",
        "publish_at_1": "09:00:00",
        "access": "free",
        "sponsor": "",
        "sponsor_disclosure": "",
        "articleauthor_set-TOTAL_FORMS": "0",
        "articleauthor_set-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/publishing/article/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="a-story")
    assert [block["text"] for block in article.blocks] == ["Kept words."]
