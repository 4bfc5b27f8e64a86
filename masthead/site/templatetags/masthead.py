from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from masthead.publishing.images import image_html

register = template.Library()


@register.simple_tag
def figure(image, lazy: bool = True, css_class: str = "", sizes: str = "(min-width: 60rem) 44rem, 100vw") -> SafeString:
    """Render an Image with its caption and credit; nothing when there is no image."""
    if image is None:
        return mark_safe("")
    return image_html(image, lazy=lazy, css_class=css_class, sizes=sizes)


@register.simple_tag
def body_blocks(blocks: list[dict]) -> SafeString:
    """Print sanitised body blocks (their HTML was cleaned when the article was saved)."""
    return mark_safe("".join(block["html"] for block in blocks))


@register.filter
def byline_names(article) -> list:
    entries = getattr(article, "byline", None)
    if entries is None:
        entries = list(article.articleauthor_set.select_related("author"))
    return [entry.author for entry in entries]
