"""Reader pages. Thin: look up, hand to a template."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render

from masthead.paywall.services import article_view_for
from masthead.syndication.structured_data import article_json_ld, open_graph

from . import selectors
from .models import Author, Section
from .share import share_links

PAGE_SIZE = 12


def front(request: HttpRequest) -> HttpResponse:
    return render(request, "publishing/front.html", selectors.front_page())


def section(request: HttpRequest, section_slug: str) -> HttpResponse:
    section = get_object_or_404(Section, slug=section_slug)
    page = Paginator(selectors.section_articles(section), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publishing/section.html", {"section": section, "page": page})


def author(request: HttpRequest, author_slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=author_slug)
    page = Paginator(selectors.author_articles(author), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publishing/author.html", {"author": author, "page": page})


def _article_response(request: HttpRequest, article, template: str, *, preview: bool = False) -> HttpResponse:
    """Render an article with only what the paywall lets this reader have."""
    # A HEAD request shows nothing, so it must not spend a free article either.
    view = article_view_for(request, article, count=request.method == "GET" and not preview)
    url = request.build_absolute_uri(article.get_absolute_url())
    publication = request.publication
    context = {
        "article": article,
        "decision": view.decision,
        "lapse": view.identified.lapse,
        "body": view.body,
        "canonical_url": url,
        "share_links": share_links(url=url, title=article.headline),
        "related": selectors.related_articles(article),
        "preview": preview,
        "json_ld": article_json_ld(
            article=article, body=view.body, url=url, publication=publication, absolute=request.build_absolute_uri
        ),
        "open_graph": open_graph(
            article=article, url=url, publication=publication, absolute=request.build_absolute_uri
        ),
    }
    return view.finish(render(request, template, context))


def _visible_article_or_404(section_slug: str, slug: str):
    article = selectors.article_for_reader(section_slug=section_slug, slug=slug)
    if article is None:
        raise Http404("No such article")
    return article


def article(request: HttpRequest, section_slug: str, slug: str) -> HttpResponse:
    article = _visible_article_or_404(section_slug, slug)
    if article.section.slug != section_slug:
        return HttpResponsePermanentRedirect(article.get_absolute_url())
    return _article_response(request, article, "publishing/article.html")


def article_print(request: HttpRequest, section_slug: str, slug: str) -> HttpResponse:
    article = _visible_article_or_404(section_slug, slug)
    if article.section.slug != section_slug:
        return HttpResponsePermanentRedirect(article.get_print_url())
    return _article_response(request, article, "publishing/article_print.html")


@staff_member_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """An article in any state, as a reader would see it, for the newsroom."""
    article = selectors.article_for_preview(pk)
    if article is None:
        raise Http404("No such article")
    response = _article_response(request, article, "publishing/article.html", preview=True)
    response["X-Robots-Tag"] = "noindex"
    return response
