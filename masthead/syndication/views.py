import functools
import hashlib

from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.cache import patch_response_headers

from masthead.core.site_url import site_base

from .sitemaps import index_sitemaps, sitemap_for

# Sitemaps are kept a while in the shared cache: crawlers ask for them far more often than they change.
SITEMAP_SECONDS = 600


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /accounts/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def cached_by_path(view):
    """Keep a sitemap in the shared cache once per path and site address, whatever else the request says.

    The cache holds the sessions and the meter too, so no client may grow it: Django's cache_page keys
    by the full URL (a copy per query string) and the Host header (a copy per port). Here the query
    string is dropped before the view sees it (a sitemap is one file: ``?p=`` means nothing), and the
    key is the path and ``core.site_url.site_base``, a bounded set. Django's views write links with the
    request's own host, so only a request that came to that very address stores its answer; any other
    is served the stored one (whose links are the site's), or rendered for itself and not kept.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.GET = QueryDict()
        base = site_base(request)
        cacheable = request.method in ("GET", "HEAD")
        key = "syndication:sitemap:" + hashlib.sha256(f"{base}{request.path}".encode()).hexdigest()
        if cacheable and (stored := cache.get(key)) is not None:
            return stored
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        patch_response_headers(response, SITEMAP_SECONDS)
        own_address = f"{request.scheme}://{request.get_host()}".lower() == base.lower()
        if cacheable and own_address and response.status_code == 200:
            cache.set(key, response, SITEMAP_SECONDS)
        return response

    return wrapper


@cached_by_path
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """Django's sitemap index over the sections and every month of articles."""
    return sitemap_views.index(request, index_sitemaps(), sitemap_url_name="sitemap_section")


@cached_by_path
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """Django's sitemap of one section or month (404 for a name that is neither)."""
    return sitemap_views.sitemap(request, sitemap_for(section), section=section)
