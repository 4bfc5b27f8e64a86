"""Positive controls for the browser journeys: what a page must show before its lack of something counts."""

from __future__ import annotations

from playwright.sync_api import Page, Response, expect


def expect_article(page: Page, article, response: Response | None = None) -> None:
    """``page`` shows ``article``: status 200 (when the navigation's response is given), its headline, and the
    opening of its teaser."""
    if response is not None:
        assert response.status == 200, f"{response.url} answered {response.status}"
    expect(page.locator("h1.headline")).to_have_text(article.headline)
    expect(page.locator(".article-body")).to_contain_text(article.content_blocks[0]["text"][:60])
