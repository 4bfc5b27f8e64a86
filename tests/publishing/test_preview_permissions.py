"""Finding 13: /preview/<pk>/ follows the article admin's view permission and ownership rule."""

import pytest
from django.contrib.auth.models import User

from masthead.publishing.models import ArticleStatus, Author
from masthead.publishing.roles import AUTHORS, EDITORS, PUBLISHERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(make_article):
    return make_article(status=ArticleStatus.DRAFT, headline="The embargoed scoop", body_html="<p>Secret words.</p>")


def preview(client, article):
    return client.get(f"/preview/{article.pk}/")


def test_an_editor_previews_any_draft(client, staff, draft):
    client.force_login(staff("desk", EDITORS))
    page = preview(client, draft)
    assert page.status_code == 200
    assert "Secret words." in page.content.decode()


def test_an_author_previews_their_own_draft(client, staff, make_article):
    writer = staff("writer", AUTHORS)
    own = make_article(status=ArticleStatus.DRAFT, created_by=writer, body_html="<p>My own words.</p>")
    client.force_login(writer)
    page = preview(client, own)
    assert page.status_code == 200
    assert "My own words." in page.content.decode()


def test_an_author_previews_a_draft_they_are_in_the_byline_of(client, staff, make_article):
    writer = staff("writer", AUTHORS)
    profile = Author.objects.create(name="Writer", slug="writer", user=writer)
    shared = make_article(status=ArticleStatus.DRAFT, authors=[profile], body_html="<p>Shared words.</p>")
    client.force_login(writer)
    assert "Shared words." in preview(client, shared).content.decode()


def test_an_author_cannot_preview_someone_elses_draft(client, staff, draft):
    client.force_login(staff("desk", EDITORS))
    assert "Secret words." in preview(client, draft).content.decode()  # the positive control
    client.force_login(staff("writer", AUTHORS))
    page = preview(client, draft)
    assert page.status_code == 404
    assert "Secret words." not in page.content.decode()


@pytest.mark.parametrize("role", [PUBLISHERS, None])
def test_staff_without_article_permission_preview_nothing(client, staff, draft, role):
    client.force_login(staff("desk", EDITORS))
    assert "Secret words." in preview(client, draft).content.decode()  # the positive control
    client.force_login(staff("business", role))
    page = preview(client, draft)
    assert page.status_code == 404
    assert "Secret words." not in page.content.decode()


def test_readers_are_sent_to_sign_in(client, draft):
    User.objects.create_user("reader", password="a long enough password")
    assert preview(client, draft).status_code == 302
    client.login(username="reader", password="a long enough password")
    assert preview(client, draft).status_code == 302


def test_a_preview_of_an_id_too_large_for_the_database_is_not_found(client, staff):
    client.force_login(staff("desk", EDITORS))
    assert client.get(f"/preview/{2**70}/").status_code == 404
