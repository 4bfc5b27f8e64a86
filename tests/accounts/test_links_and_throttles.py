"""Issue 10, finding 18: links in mails take their host from MASTHEAD_SITE_URL, not from the request (any
port passed ALLOWED_HOSTS); reset mails are throttled per address and offer-code guesses per client."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

from masthead.subscriptions.models import Offer, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def links(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


@pytest.fixture
def owner(db):
    return User.objects.create_user("owner@example.com", "owner@example.com", "the owner's password 1")


def test_finding_18_reset_and_verification_links_use_the_site_url(client, settings, owner):
    settings.MASTHEAD_SITE_URL = "https://news.example.com"
    elsewhere = {"HTTP_HOST": "testserver:6666"}  # a port ALLOWED_HOSTS lets through
    assert client.post("/accounts/password/reset/", {"email": "owner@example.com"}, **elsewhere).status_code == 302
    client.post("/accounts/signup/", {"email": "new@example.com", "password": "a sturdy passphrase 42"}, **elsewhere)
    client.post("/accounts/signup/", {"email": "owner@example.com", "password": "a sturdy passphrase 42"}, **elsewhere)
    reset, verification, notice = mail.outbox
    for message in (reset, verification, notice):
        assert links(message), message.body
        for link in links(message):
            assert link.startswith("https://news.example.com/"), link
    assert "/accounts/password/reset/" in links(reset)[0] and "/accounts/verify/" in links(verification)[0]


def test_without_a_site_url_development_links_use_the_request(client, settings, owner):
    settings.MASTHEAD_SITE_URL = ""
    client.post("/accounts/password/reset/", {"email": "owner@example.com"})
    assert links(mail.outbox[-1])[0].startswith("http://testserver/accounts/password/reset/")


def test_finding_18_reset_mails_are_throttled_per_address(client, owner):
    User.objects.create_user("other@example.com", "other@example.com", "another password 1")
    for n in range(5):
        response = client.post("/accounts/password/reset/", {"email": "owner@example.com"}, REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert [m.to for m in mail.outbox] == [["owner@example.com"]] * 3
    # Positive control: another address still gets its mail.
    client.post("/accounts/password/reset/", {"email": "other@example.com"})
    assert mail.outbox[-1].to == ["other@example.com"]


@pytest.fixture
def coded_offer(clock):
    plan = Plan.objects.create(name="Annual", slug="annual", amount_minor=12000, interval="year")
    return Offer.objects.create(
        name="Readers club",
        slug="readers-club",
        plan=plan,
        kind="percent_off",
        percent_off=50,
        percent_off_intervals=1,
        code="CLUB2026",
        starts_at=clock.now - dt.timedelta(days=1),
        ends_at=clock.now + dt.timedelta(days=30),
    )


def test_finding_18_offer_code_guesses_are_throttled_per_client(client, coded_offer):
    # Positive control: the right code shows its offer.
    assert "Readers club" in client.get("/subscribe/", {"code": "CLUB2026"}).content.decode()
    for n in range(19):
        wrong = client.get("/subscribe/", {"code": f"GUESS{n}"})
        assert wrong.status_code == 200 and "That offer code is not valid." in wrong.content.decode()
    refused = client.get("/subscribe/", {"code": "CLUB2026"})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Too many offer codes were tried" in html and "Readers club" not in html
    # Another client is not held back by this one.
    other = client.get("/subscribe/", {"code": "CLUB2026"}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200 and "Readers club" in other.content.decode()
