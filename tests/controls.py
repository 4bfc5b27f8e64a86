"""Positive controls: what a test asserts it is looking at before it asserts that something is absent.

A test that only asserts absence ("the paywalled paragraph is not in the page") passes just as well
when the page is a 404, an error page or another page altogether. Each such test first calls one of
these, so that breaking the page breaks the test.
"""

from __future__ import annotations

import re

from django.utils.html import escape


def assert_shows_article(page: str, *, headline: str, opening: str) -> None:
    """``page`` shows the article headed ``headline`` whose first block's HTML is ``opening``."""
    heading = re.compile(rf"<h1\b[^>]*>\s*{re.escape(escape(headline))}\s*</h1>")
    assert heading.search(page), f"no <h1> with the headline {headline!r}: not the article's page"
    assert opening in page, f"the article's first block {opening!r} is missing: not the article's page"


def assert_article_page(response, article) -> str:
    """``response`` is ``article``'s page: status 200, its headline, and the opening block of its teaser.

    Returns the page's HTML, for the assertions of absence that follow.
    """
    page = response.content.decode()
    assert response.status_code == 200, f"status {response.status_code}, not the page of {article.headline!r}"
    assert_shows_article(page, headline=article.headline, opening=article.content_blocks[0]["html"])
    return page


def assert_lists_article(response, article) -> str:
    """``response`` is a listing (front, section, feed, sitemap) that links to ``article``; returns its body."""
    page = response.content.decode()
    assert response.status_code == 200, f"status {response.status_code}, not a listing"
    assert article.get_absolute_url() in page, f"{article.headline!r} is not listed"
    return page
