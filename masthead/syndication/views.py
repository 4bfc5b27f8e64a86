from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .sitemaps import index_sitemaps, sitemap_for


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /accounts/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def sitemap_index(request: HttpRequest) -> HttpResponse:
    """Django's sitemap index over the sections and every month of articles."""
    return sitemap_views.index(request, index_sitemaps(), sitemap_url_name="sitemap_section")


def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """Django's sitemap of one section or month (404 for a name that is neither)."""
    return sitemap_views.sitemap(request, sitemap_for(section), section=section)
