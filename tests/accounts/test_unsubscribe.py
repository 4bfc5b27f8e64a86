"""The one-click unsubscribe link of marketing email (RFC 8058): POST opts out, GET only asks; bad links 404."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client

from masthead.accounts import marketing, verification
from masthead.accounts.models import ReaderProfile
from masthead.publishing.selectors import current_publication

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"
INVALID = "This unsubscribe link is not valid"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.MASTHEAD_SITE_URL = "https://news.example.com"


@pytest.fixture
def reader(db) -> User:
    return User.objects.create_user("reader@example.com", email="reader@example.com", password="a passphrase 42")


def link(user) -> str:
    return urlsplit(marketing.unsubscribe_url(user)).path


def opted_out(user) -> bool:
    return ReaderProfile.objects.filter(user=user, marketing_opt_out=True).exists()


def one_click(path: str):
    """A mail client's POST: the RFC 8058 body, no session, and CSRF checks on."""
    return Client(enforce_csrf_checks=True).post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")


def test_the_link_is_on_the_public_address_and_names_the_reader(reader):
    url = marketing.unsubscribe_url(reader)
    assert url.startswith("https://news.example.com/accounts/unsubscribe/") and url.endswith("/")
    assert marketing.user_for_token(url.rstrip("/").rsplit("/", 1)[1]) == reader


def test_one_click_post_opts_out_without_a_session_or_csrf_token(reader):
    response = one_click(link(reader))
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert opted_out(reader)
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    again = one_click(link(reader))  # a second click, or a mail client's retry
    assert again.status_code == 200 and opted_out(reader)


def test_a_get_shows_a_button_that_works_without_javascript_and_changes_nothing(reader):
    page = Client().get(link(reader))
    html = page.content.decode()
    assert page.status_code == 200 and "Unsubscribe from offers by email" in html
    assert '<form method="post">' in html and 'name="List-Unsubscribe" value="One-Click"' in html
    assert not opted_out(reader)  # a link scanner that opens the link unsubscribes no one
    form_post = Client(enforce_csrf_checks=True).post(link(reader), {"List-Unsubscribe": "One-Click"})
    assert form_post.status_code == 200 and opted_out(reader)


def test_opting_out_keeps_the_rest_of_the_profile(reader):
    ReaderProfile.objects.create(user=reader, complimentary_access=True)
    one_click(link(reader))
    profile = ReaderProfile.objects.get(user=reader)
    assert profile.marketing_opt_out and profile.complimentary_access


def _tampered(token: str) -> str:
    head, signature = token.rsplit(":", 1)
    return f"{head}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


BAD_TOKENS = {
    "garbage": lambda user: "not-a-token",
    "tampered signature": lambda user: _tampered(marketing.unsubscribe_token(user)),
    "another user's id, re-signed without the key": lambda user: signing.dumps(
        {"user": user.pk}, salt=marketing.SALT, key="x" * 50
    ),
    "a verification token (another salt)": lambda user: verification.verification_token(user),
    "a signed string, not an id": lambda user: signing.dumps({"user": str(user.pk)}, salt=marketing.SALT),
    "a signed list": lambda user: signing.dumps([user.pk], salt=marketing.SALT),
    "a signed bool": lambda user: signing.dumps({"user": True}, salt=marketing.SALT),
    "colons only": lambda user: ":::",
    "very long": lambda user: "a" * 5000,
    "unicode": lambda user: "日本語:トークン",
}


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_or_garbled_link_is_a_clear_404_and_changes_nothing(reader, kind, method):
    assert one_click(link(reader)).status_code == 200  # the real link works...
    ReaderProfile.objects.filter(user=reader).update(marketing_opt_out=False)
    path = f"/accounts/unsubscribe/{BAD_TOKENS[kind](reader)}/"
    client = Client(enforce_csrf_checks=True)
    response = client.get(path) if method == "get" else client.post(path, ONE_CLICK, content_type="text/plain")
    assert response.status_code == 404
    assert INVALID in response.content.decode()
    assert not opted_out(reader)  # ...and this one does nothing


def test_the_link_of_a_deleted_or_deactivated_account_is_a_404(reader):
    path = link(reader)
    reader.is_active = False
    reader.save()
    assert INVALID in one_click(path).content.decode() and one_click(path).status_code == 404
    reader.delete()
    assert one_click(path).status_code == 404


def test_other_methods_are_refused(reader):
    assert Client().put(link(reader)).status_code == 405
    assert not opted_out(reader)


def test_the_page_speaks_japanese(reader):
    publication = current_publication()
    publication.language = "ja"
    publication.save()
    html = Client().get(link(reader)).content.decode()
    assert "メールでのご案内の配信停止" in html
    assert "配信を停止しました" in one_click(link(reader)).content.decode()
    assert "この配信停止リンクは無効です" in Client().get("/accounts/unsubscribe/nonsense/").content.decode()


def test_the_header_is_written_on_one_line_however_long_the_link():
    import email.policy

    from django.core.mail import EmailMessage

    url = "https://news.example.com/accounts/unsubscribe/" + "x" * 300 + "/"
    headers = marketing.unsubscribe_headers(url)
    wire = EmailMessage("Hi", "Text", "a@example.com", ["b@example.com"], headers=headers)
    raw = wire.message(policy=email.policy.SMTP).as_bytes()
    assert f"\r\nList-Unsubscribe: <{url}>\r\n".encode() in raw
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw
    # A value that is not plain ASCII is left to the email package (encoded, but the mail still goes).
    odd = marketing.unsubscribe_headers("https://ニュース.example/accounts/unsubscribe/t/")
    assert odd["List-Unsubscribe"] == "<https://ニュース.example/accounts/unsubscribe/t/>"
    assert type(odd["List-Unsubscribe"]) is str
