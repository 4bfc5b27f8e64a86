"""Saving through the services derives what the article's row holds; a bulk write derives nothing."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User

from masthead.core import memo
from masthead.publishing.models import Article, ArticleStatus, Section
from masthead.publishing.roles import AUTHORS, roles_ensure
from masthead.publishing.selectors import article_head, navigation_sections
from masthead.publishing.services import article_save

pytestmark = pytest.mark.django_db


def new_article(section, **fields) -> Article:
    values = {"headline": "Harbour talks", "slug": "harbour-talks", "section": section, "status": "published"}
    return Article(**(values | fields))


def test_a_save_through_the_service_derives_blocks_and_moves_the_version(section):
    article = article_save(
        article=new_article(section, body_html='<p>One.</p><script>alert(1)</script><hr class="paywall"><p>Two.</p>')
    )
    assert article.version == 1
    assert [b["kind"] for b in article.blocks] == ["paragraph", "paywall_break", "paragraph"]
    assert [b["text"] for b in article.content_blocks] == ["One.", "Two."]
    assert article.paywall_break_index == 1

    article.body_html = "<p>Only.</p>"
    article_save(article=article)
    assert article.version == 2
    # The same instance forgets what it had derived from the old blocks.
    assert [b["text"] for b in article.content_blocks] == ["Only."]
    assert article.paywall_break_index is None
    stored = Article.objects.get(pk=article.pk)
    assert (stored.version, [b["text"] for b in stored.blocks]) == (2, ["Only."])


def test_a_bulk_update_derives_nothing(make_article):
    article = make_article(body_html="<p>Before.</p>")
    assert (article.version, [b["text"] for b in article.blocks]) == (1, ["Before."])
    Article.objects.filter(pk=article.pk).update(body_html="<p>After.</p>")
    article.refresh_from_db()
    assert article.body_html == "<p>After.</p>"
    # Bulk writes skip the service: whoever uses one sets blocks and version too (see bench/archive.py).
    assert (article.version, [b["text"] for b in article.blocks]) == (1, ["Before."])


def test_the_status_follows_the_publish_time(clock, section):
    later = article_save(article=new_article(section, publish_at=clock.now + dt.timedelta(hours=1)))
    assert later.status == ArticleStatus.SCHEDULED
    earlier = article_save(article=new_article(section, slug="earlier", publish_at=clock.now - dt.timedelta(hours=1)))
    assert earlier.status == ArticleStatus.PUBLISHED
    draft = article_save(article=new_article(section, slug="draft", status=ArticleStatus.DRAFT))
    assert draft.status == ArticleStatus.DRAFT


def test_someone_who_may_not_publish_saves_a_draft_and_is_its_creator(section):
    roles_ensure()
    writer = User.objects.create_user("writer", is_staff=True)
    writer.groups.add(Group.objects.get(name=AUTHORS))
    article = article_save(article=new_article(section), by=writer)
    assert (article.status, article.created_by) == (ArticleStatus.DRAFT, writer)


def test_a_save_forgets_the_remembered_head_under_the_old_and_new_slug(make_article):
    article = make_article(slug="first-name")
    assert article_head("first-name").version == 1
    article.body_html = "<p>Corrected.</p>"
    article_save(article=article)
    assert article_head("first-name").version == 2

    article.slug = "second-name"
    article_save(article=article)
    assert article_head("first-name") is None
    assert article_head("second-name").version == 3

    article.delete()
    assert article_head("second-name") is None


def test_a_section_edit_or_delete_is_seen_at_once(section):
    memo.forget_everything()
    assert [s.name for s in navigation_sections()] == ["Politics"]
    section.name = "Government"
    section.save()
    assert [s.name for s in navigation_sections()] == ["Government"]
    Section.objects.create(name="World", slug="world", position=1)
    assert [s.name for s in navigation_sections()] == ["Government", "World"]
    section.delete()
    assert [s.name for s in navigation_sections()] == ["World"]
