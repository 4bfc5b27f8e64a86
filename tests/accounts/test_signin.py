import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

pytestmark = pytest.mark.django_db


def paragraphs(tag: str) -> str:
    return "".join(f"<p>{tag} paragraph {i}.</p>" for i in range(1, 7))


def test_signing_up_merges_this_windows_anonymous_reads(client, make_article):
    articles = [make_article(body_html=paragraphs(f"A{n}")) for n in range(4)]
    client.get(articles[0].get_absolute_url())
    client.get(articles[1].get_absolute_url())
    response = client.post(
        "/accounts/signup/",
        {
            "email": "New.Reader@Example.com",
            "password": "a sturdy passphrase 42",
            "next": articles[2].get_absolute_url(),
        },
    )
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    user = User.objects.get(username="new.reader@example.com")
    assert user.password.startswith("argon2")
    # The link in the mail confirms the address and signs in, in the browser that read anonymously.
    link = re.search(r"http://testserver(/\S+)", mail.outbox[-1].body).group(1)
    assert client.get(link)["Location"] == articles[2].get_absolute_url()
    page = client.get(articles[2].get_absolute_url()).content.decode()
    assert "You have 7 free articles left this month" in page  # 10 for registered readers, 3 used
    # Re-reading what was read anonymously stays free after signing in.
    assert "You have 7 free articles left this month" in client.get(articles[0].get_absolute_url()).content.decode()


def test_signing_in_with_email_and_an_unsafe_next_goes_home(client):
    User.objects.create_user("r@example.com", password="the real password 1")
    response = client.post(
        "/accounts/signin/",
        {"username": "R@example.com", "password": "the real password 1", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"
