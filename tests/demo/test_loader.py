"""The demo loader builds the newsroom once; running it again changes nothing."""

import pytest
from django.core.management import call_command

from masthead.demo.loader import demo_articles, demo_load
from masthead.publishing.models import Article, ArticleAuthor, Author, Image, Publication, Section

pytestmark = pytest.mark.django_db

MODELS = [Publication, Section, Author, Image, Article, ArticleAuthor]


def snapshot() -> dict:
    return {model.__name__: sorted(model.objects.values_list(), key=str) for model in MODELS}


def test_loading_twice_changes_nothing(settings, tmp_path):
    settings.MASTHEAD_VAR_DIR = tmp_path
    first = demo_load()
    assert first.changed
    before = snapshot()
    second = demo_load()
    assert not second.changed, second.updated
    assert snapshot() == before


def test_the_demo_has_the_seed_and_at_least_fifteen_more_articles(settings, tmp_path):
    settings.MASTHEAD_VAR_DIR = tmp_path
    demo_load()
    assert Article.objects.count() == len(demo_articles()) >= 16
    assert Section.objects.filter(articles__isnull=False).distinct().count() >= 5
    seed = Article.objects.get(slug="tense-us-russia-relations-complicate-abes-diplomacy")
    assert seed.section.name == "Politics" and seed.dateline == "TOKYO" and seed.access == "metered"
    assert seed.lead_image.credit == "© Kyodo"
    assert any(b["kind"] == "subhead" and b["text"] == "Charm offensive" for b in seed.blocks)
    assert "You have" not in seed.body_html and "Sponsored" not in seed.body_html  # body only, no page furniture
    assert Article.objects.exclude(sponsor="").count() == 1
    assert Article.objects.filter(access="free").exists() and Article.objects.filter(access="subscribers").exists()
    assert all(article.lead_image.renditions for article in Article.objects.select_related("lead_image"))


def test_the_command_prints_the_admin_login(settings, tmp_path, capsys):
    settings.MASTHEAD_VAR_DIR = tmp_path
    call_command("load_demo", site_url="http://127.0.0.1:8123")
    output = capsys.readouterr().out
    assert "http://127.0.0.1:8123/admin/" in output and "user: admin" in output
    call_command("load_demo")
    assert "nothing changed" in capsys.readouterr().out
