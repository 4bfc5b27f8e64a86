"""Reader pages. Thin: look up, hand to a template."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from masthead.core import clock
from masthead.paywall.services import article_view_for
from masthead.publishing import selectors
from masthead.publishing.models import Article, Author

from . import page_cache

PAGE_SIZE = 12


def front(request: HttpRequest) -> HttpResponse:
    return page_cache.listing(request, "front", "publishing/front.html", selectors.front_page)


def section(request: HttpRequest, section_slug: str) -> HttpResponse:
    section = selectors.section_by_slug(section_slug)
    if section is None:
        raise Http404("No such section")
    number = selectors.page_number(request.GET.get("page"))

    def context() -> dict:
        return {"section": section, "page": selectors.list_page(selectors.section_articles(section), number, PAGE_SIZE)}

    return page_cache.listing(request, f"section:{section.slug}:{number}", "publishing/section.html", context)


def author(request: HttpRequest, author_slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=author_slug)
    number = selectors.page_number(request.GET.get("page"))

    def context() -> dict:
        return {"author": author, "page": selectors.list_page(selectors.author_articles(author), number, PAGE_SIZE)}

    return page_cache.listing(request, f"author:{author.slug}:{number}", "publishing/author.html", context)


def _article_response(
    request: HttpRequest, head: selectors.ArticleHead, template: str, *, preview: bool = False
) -> HttpResponse:
    """The article with only what the paywall lets this reader have, composed around a cached shell."""
    page = page_cache.article_page(
        article_pk=head.pk, version=head.version, template=template, request=request, preview=preview
    )
    if page is None:
        raise Http404("No such article")
    # A HEAD request shows nothing, so it must not spend a free article either.
    view = article_view_for(request, page.article, count=request.method == "GET" and not preview)
    response = HttpResponse(page_cache.compose(page, request, view))
    if preview:
        response["X-Robots-Tag"] = "noindex"
    return view.finish(response)


def _visible_head_or_404(slug: str) -> selectors.ArticleHead:
    head = selectors.article_head(slug)
    if head is None or not head.is_visible(clock.now()):
        raise Http404("No such article")
    return head


def _published_article(request: HttpRequest, section_slug: str, slug: str, url_name: str, template: str):
    head = _visible_head_or_404(slug)
    if head.section_slug != section_slug:
        return HttpResponsePermanentRedirect(reverse(url_name, args=[head.section_slug, head.slug]))
    return _article_response(request, head, template)


def article(request: HttpRequest, section_slug: str, slug: str) -> HttpResponse:
    return _published_article(request, section_slug, slug, "publishing:article", "publishing/article.html")


def article_print(request: HttpRequest, section_slug: str, slug: str) -> HttpResponse:
    return _published_article(request, section_slug, slug, "publishing:article_print", "publishing/article_print.html")


def _admin_lets_view(request: HttpRequest, pk: int) -> bool:
    """Whether the newsroom admin would show this staff member the article: the admin's own rule, asked."""
    article_admin = admin.site.get_model_admin(Article)
    if not article_admin.has_view_permission(request):
        return False
    article = article_admin.get_queryset(request).filter(pk=pk).first()
    return article is not None and article_admin.has_view_permission(request, article)


@staff_member_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """An article in any state, as a reader would see it, for whoever in the newsroom may see it in the admin.

    An author previews their own articles, an editor any; a publisher (no article permission) none.
    Anything else is "not found", so a draft's existence is not told either.
    """
    head = selectors.article_head_by_pk(pk) if _admin_lets_view(request, pk) else None
    if head is None:
        raise Http404("No such article")
    return _article_response(request, head, "publishing/article.html", preview=True)
