"""The page shells are keyed by the site's address, from a bounded set: a Host header cannot churn them.

Any port passes ALLOWED_HOSTS, so keying by ``request.get_host()`` made a new shell for every
``Host: site:1…65535``. ``core.site_url.site_base`` is MASTHEAD_SITE_URL when set; else the request's
host when ALLOWED_HOSTS names it exactly, with its port only when that is the server's own port.
"""

import pytest
from django.test import RequestFactory, override_settings

from masthead.core import memo
from masthead.core.site_url import site_base
from masthead.site.page_cache import ArticleShellKey, ListingKey

pytestmark = pytest.mark.django_db


def request_to(host: str, server_port: str = "80", secure: bool = False):
    return RequestFactory().get("/", HTTP_HOST=host, SERVER_PORT=server_port, secure=secure)


@pytest.mark.parametrize(
    ("host", "server_port", "expected"),
    [
        ("testserver", "80", "http://testserver"),
        ("TestServer", "80", "http://testserver"),
        ("127.0.0.1:8000", "8000", "http://127.0.0.1:8000"),  # the server's own port is kept (make run)
        ("127.0.0.1:8001", "8000", "http://127.0.0.1"),
        ("testserver:1234", "80", "http://testserver"),
        ("localhost:65535", "80", "http://localhost"),
    ],
)
def test_the_base_is_the_request_host_with_the_servers_own_port_only(settings, host, server_port, expected):
    settings.MASTHEAD_SITE_URL = ""
    assert site_base(request_to(host, server_port)) == expected


def test_the_configured_address_wins(settings):
    settings.MASTHEAD_SITE_URL = "https://news.example.com/"
    assert site_base(request_to("testserver:1234")) == "https://news.example.com"


@override_settings(ALLOWED_HOSTS=[".example.com", "news.example.com", "*"], MASTHEAD_SITE_URL="")
def test_a_host_allowed_only_by_a_wildcard_is_the_first_exact_host():
    assert site_base(request_to("news.example.com")) == "http://news.example.com"
    assert site_base(request_to("anything.example.com")) == "http://news.example.com"
    assert site_base(request_to("elsewhere.test:8080")) == "http://news.example.com"


@override_settings(ALLOWED_HOSTS=["*"], MASTHEAD_SITE_URL="")
def test_with_no_exact_host_at_all_the_base_is_localhost():
    assert site_base(request_to("a.example")) == "http://localhost"
    assert site_base(request_to("b.example:443", secure=True)) == "https://localhost"


@pytest.fixture
def shell_keys(monkeypatch):
    """The keys of every page shell asked of the memory."""
    keys = []
    remembered = memo.remembered

    def spy(key, build, **kwargs):
        if isinstance(key, ArticleShellKey | ListingKey):
            keys.append(key)
        return remembered(key, build, **kwargs)

    monkeypatch.setattr(memo, "remembered", spy)
    return keys


def test_a_thousand_ports_make_one_front_page_shell(client, make_article, shell_keys, settings):
    settings.MASTHEAD_SITE_URL = ""
    article = make_article(dek="The lead's dek.")
    first = client.get("/")
    assert first.status_code == 200 and article.headline in first.content.decode()
    for port in range(1, 1001):
        assert client.get("/", HTTP_HOST=f"testserver:{port}").status_code == 200
    assert len(shell_keys) == 1001
    assert {key.base_url for key in shell_keys} == {"http://testserver"}


def test_many_ports_make_one_article_shell_with_the_sites_own_links(client, make_article, shell_keys, settings):
    settings.MASTHEAD_SITE_URL = ""
    article = make_article(access="free")
    for port in range(1, 101):
        page = client.get(article.get_absolute_url(), HTTP_HOST=f"testserver:{port}")
        assert page.status_code == 200 and article.headline in page.content.decode()
        assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in page.content.decode()
    assert len({key for key in shell_keys if isinstance(key, ArticleShellKey)}) == 1
