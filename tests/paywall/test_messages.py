"""The meter's words come from gettext with real plural forms, in English, Japanese and beyond."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from masthead.paywall.types import Message, Window
from masthead.site.fragments import MeterBanner, render_uncached
from tests.controls import assert_article_page

HERE = Path(__file__).parent


def banner(remaining: int) -> str:
    fragment = MeterBanner(
        language=translation.get_language(),
        path="/politics/x/",
        message=Message.ARTICLES_LEFT,
        remaining=remaining,
        window=Window.CALENDAR_MONTH,
        signed_in=False,
    )
    return " ".join(render_uncached(fragment).split())


def test_english_singular_and_plural():
    with translation.override("en"):
        assert "You have 1 free article left this month" in banner(1)
        assert "You have 2 free articles left this month" in banner(2)


def test_japanese_catalogue_is_shipped_and_used():
    with translation.override("ja"):
        assert "今月の無料記事はあと2本です" in banner(2)
        assert "今月の無料記事はあと1本です" in banner(1)


@pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="msgfmt (Debian's gettext) is needed to compile the test catalogue"
)
def test_a_language_with_three_plural_forms_gets_each_form(settings, tmp_path):
    target = tmp_path / "locale" / "pl" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run(
        ["msgfmt", "-o", str(target / "django.mo"), str(HERE / "locale/pl/LC_MESSAGES/django.po")], check=True
    )
    settings.LOCALE_PATHS = [tmp_path / "locale", *settings.LOCALE_PATHS]
    with translation.override("pl"):
        assert "Został Ci 1 darmowy artykuł w tym miesiącu" in banner(1)
        assert "Zostały Ci 2 darmowe artykuły w tym miesiącu" in banner(2)
        assert "Zostało Ci 5 darmowych artykułów w tym miesiącu" in banner(5)
        assert "Zostały Ci 22 darmowe artykuły w tym miesiącu" in banner(22)
        assert "Zostało Ci 12 darmowych artykułów w tym miesiącu" in banner(12)


@pytest.mark.django_db
def test_the_publications_language_sets_the_page_language(client, make_article):
    from masthead.publishing.selectors import current_publication

    publication = current_publication()
    publication.language = "ja"
    publication.save()
    article = make_article()
    html = assert_article_page(client.get(article.get_absolute_url()), article)
    assert '<html lang="ja">' in html
    assert "今月の無料記事はあと2本です" in html
    assert "{{" not in html and "%(" not in html
