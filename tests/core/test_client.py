"""Which address a request came from: X-Forwarded-For counts only when our own proxy sent it."""

import pytest
from django.test import RequestFactory

from masthead.core.client import client_address


def address(remote: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = []
    assert address("198.51.100.7", "66.249.66.1") == "198.51.100.7"


@pytest.fixture
def behind_nginx(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]


def test_our_proxy_names_the_client(behind_nginx):
    assert address("127.0.0.1", "66.249.66.1") == "66.249.66.1"


def test_a_client_cannot_forge_its_way_past_our_proxy(behind_nginx):
    # The client sent "X-Forwarded-For: 66.249.66.1"; nginx appended the address it really saw.
    assert address("127.0.0.1", "66.249.66.1, 203.0.113.9") == "203.0.113.9"


def test_a_chain_of_our_own_proxies_is_walked_back(behind_nginx):
    assert address("127.0.0.1", "203.0.113.9, 10.1.2.3") == "203.0.113.9"


def test_a_request_from_elsewhere_is_not_believed(behind_nginx):
    assert address("203.0.113.9", "66.249.66.1") == "203.0.113.9"


@pytest.mark.parametrize("forwarded", ["", "not-an-ip", "66.249.66.1, garbage", "10.1.2.3"])
def test_a_missing_garbled_or_all_internal_chain_gives_the_proxy(behind_nginx, forwarded):
    assert address("127.0.0.1", forwarded) == "127.0.0.1"
