"""Authors edit their own drafts; editors publish anything."""

import pytest

from masthead.publishing.models import Article, ArticleStatus, Author
from masthead.publishing.roles import AUTHORS, EDITORS
from tests.admin_forms import article_admin_form

pytestmark = pytest.mark.django_db


def test_an_author_creates_drafts_only_and_is_put_in_the_byline(client, staff, section):
    writer = staff("writer", AUTHORS)
    profile = Author.objects.create(name="Writer", slug="writer", user=writer)
    client.force_login(writer)
    response = client.post("/admin/publishing/article/add/", article_admin_form(section))
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="a-story")
    assert article.status == ArticleStatus.DRAFT
    assert list(article.authors.all()) == [profile]


def test_an_author_cannot_edit_someone_elses_article(client, staff, make_article):
    writer = staff("writer", AUTHORS)
    own = make_article(status=ArticleStatus.DRAFT, created_by=writer)
    other = make_article(status=ArticleStatus.DRAFT)
    client.force_login(writer)
    assert client.get(f"/admin/publishing/article/{own.pk}/change/").status_code == 200
    assert client.get(f"/admin/publishing/article/{other.pk}/change/").status_code in (302, 403, 404)
    listing = client.get("/admin/publishing/article/")
    assert listing.status_code == 200 and own.headline in listing.content.decode()
    assert other.headline not in listing.content.decode()


def test_an_author_cannot_change_their_article_once_published(client, staff, make_article):
    writer = staff("writer", AUTHORS)
    article = make_article(status=ArticleStatus.PUBLISHED, created_by=writer)
    client.force_login(writer)
    page = client.get(f"/admin/publishing/article/{article.pk}/change/")
    assert page.status_code == 200 and article.headline in page.content.decode()
    assert 'name="headline"' not in page.content.decode()  # read-only view


def test_an_editor_publishes_any_article(client, staff, make_article, section):
    editor = staff("desk", EDITORS)
    draft = make_article(status=ArticleStatus.DRAFT)
    client.force_login(editor)
    data = article_admin_form(section, headline=draft.headline, slug=draft.slug, status="published")
    response = client.post(f"/admin/publishing/article/{draft.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.PUBLISHED
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_staff_preview_shows_a_draft_but_readers_get_404(client, staff, make_article):
    draft = make_article(status=ArticleStatus.DRAFT, body_html="<p>Embargoed scoop.</p>")
    assert client.get(f"/preview/{draft.pk}/").status_code == 302  # to the admin login
    client.force_login(staff("desk", EDITORS))
    page = client.get(f"/preview/{draft.pk}/")
    assert page.status_code == 200
    assert "Embargoed scoop." in page.content.decode()
    assert "Preview" in page.content.decode()


def test_the_body_help_names_tags_without_the_admin_printing_them(client, staff):
    client.force_login(staff("desk", EDITORS))
    html = client.get("/admin/publishing/article/add/").content.decode()
    assert "Paragraphs, &lt;h2&gt; subheads, &lt;blockquote&gt;" in html
    assert "Put &lt;hr class=&quot;paywall&quot;&gt; where the paywall should cut." in html
    assert "<h2> subheads" not in html
