from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from masthead.publishing.images import image_html
from masthead.subscriptions.selectors import tax_terms

register = template.Library()


@register.simple_tag
def figure(image, lazy: bool = True, css_class: str = "", sizes: str = "(min-width: 60rem) 44rem, 100vw") -> SafeString:
    """Render an Image with its caption and credit; nothing when there is no image."""
    if image is None:
        return mark_safe("")
    return image_html(image, lazy=lazy, css_class=css_class, sizes=sizes)


@register.simple_tag
def body_blocks(blocks: list[dict], images: dict) -> SafeString:
    """Print body blocks: their HTML was sanitised when the article was saved; a library image is
    rendered here from its reference, so an edit of its caption or credit shows on every page."""
    return mark_safe("".join(_block_html(block, images) for block in blocks))


def _block_html(block: dict, images: dict) -> str:
    if "image_id" not in block:
        return block["html"]
    image = images.get(block["image_id"])
    return image_html(image) if image is not None else ""  # a deleted image leaves its reference behind


@register.filter
def byline_names(article) -> list:
    entries = getattr(article, "byline", None)
    if entries is None:
        entries = list(article.articleauthor_set.select_related("author"))
    return [entry.author for entry in entries]


@register.inclusion_tag("includes/tax_note.html")
def tax_note() -> dict:
    """The tax note under what is on sale: prices include tax, or tax is added at checkout (when it is charged)."""
    terms = tax_terms()
    return {"prices_include_tax": terms.prices_include_tax, "tax_collected": terms.collected}
