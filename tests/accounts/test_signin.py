import pytest
from django.contrib.auth.models import User

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
    assert response.status_code == 302 and response["Location"] == articles[2].get_absolute_url()
    user = User.objects.get(username="new.reader@example.com")
    assert user.password.startswith("argon2")
    page = client.get(articles[2].get_absolute_url()).content.decode()
    assert "You have 7 free articles left this month" in page  # 10 for registered readers, 3 used
    # Re-reading what was read anonymously stays free after signing in.
    assert "You have 7 free articles left this month" in client.get(articles[0].get_absolute_url()).content.decode()


def test_sign_up_rejects_bad_input_with_clear_errors(client):
    User.objects.create_user("taken@example.com", password="x")
    response = client.post("/accounts/signup/", {"email": "taken@example.com", "password": "123"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "already exists" in html
    response = client.post("/accounts/signup/", {"email": "not-an-email", "password": ""})
    assert response.status_code == 200 and "Enter a valid email address" in response.content.decode()


def test_sign_in_attempts_are_rate_limited(client):
    User.objects.create_user("victim@example.com", password="the real password 1")
    for _ in range(5):
        assert (
            client.post("/accounts/signin/", {"username": "victim@example.com", "password": "guess"}).status_code == 200
        )
    blocked = client.post("/accounts/signin/", {"username": "victim@example.com", "password": "the real password 1"})
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.content.decode()


def test_behind_our_proxy_one_guessers_attempts_do_not_lock_out_another_reader(client, settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    User.objects.create_user("victim@example.com", password="the real password 1")
    guesser = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for _ in range(5):
        client.post("/accounts/signin/", {"username": "victim@example.com", "password": "guess"}, **guesser)
    guess = client.post("/accounts/signin/", {"username": "victim@example.com", "password": "guess"}, **guesser)
    assert guess.status_code == 429
    owner = client.post(
        "/accounts/signin/",
        {"username": "victim@example.com", "password": "the real password 1"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert owner.status_code == 302


def test_signing_in_with_email_and_an_unsafe_next_goes_home(client):
    User.objects.create_user("r@example.com", password="the real password 1")
    response = client.post(
        "/accounts/signin/",
        {"username": "R@example.com", "password": "the real password 1", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"
