"""JSON-LD and OpenGraph for an article, built only from what the reader may read."""

from __future__ import annotations

import json

from masthead.paywall.gating import GatedBody
from masthead.publishing.access import AccessLevel
from masthead.publishing.images import default_src
from masthead.publishing.models import Article, Publication

PAYWALLED_SELECTOR = ".paywalled-content"


def article_json_ld(*, article: Article, body: GatedBody, url: str, publication: Publication, absolute) -> str:
    """NewsArticle JSON-LD with Google's paywalled-content markup, safe to print inside <script>."""
    free = article.effective_access == AccessLevel.FREE
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": article.dek,
        "mainEntityOfPage": url,
        "url": url,
        "datePublished": article.publish_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "articleSection": article.section.name,
        "author": [
            {"@type": "Person", "name": entry.author.name, "url": absolute(entry.author.get_absolute_url())}
            for entry in getattr(article, "byline", [])
        ],
        "publisher": {"@type": "Organization", "name": publication.name},
        "isAccessibleForFree": free,
        "articleBody": body.text,
    }
    if article.lead_image:
        data["image"] = [absolute(default_src(article.lead_image))]
    if not free:
        data["hasPart"] = {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": PAYWALLED_SELECTOR}
    # "</" must not close the script element; escaping "<", ">" and "&" keeps it valid JSON.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def open_graph(*, article: Article, url: str, publication: Publication, absolute) -> list[tuple[str, str, str]]:
    """(attribute, name, content) triples for OpenGraph and Twitter card tags: the dek, never the body."""
    tags = [
        ("property", "og:type", "article"),
        ("property", "og:site_name", publication.name),
        ("property", "og:title", article.headline),
        ("property", "og:description", article.dek),
        ("property", "og:url", url),
        ("property", "article:published_time", article.publish_at.isoformat()),
        ("property", "article:section", article.section.name),
        ("name", "twitter:card", "summary_large_image" if article.lead_image else "summary"),
        ("name", "twitter:title", article.headline),
        ("name", "twitter:description", article.dek),
    ]
    if article.lead_image:
        image = absolute(default_src(article.lead_image))
        tags += [
            ("property", "og:image", image),
            ("property", "og:image:alt", article.lead_image.alt),
            ("name", "twitter:image", image),
        ]
    return tags
