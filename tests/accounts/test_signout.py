import pytest
from django.contrib.auth.models import User

from masthead.publishing.selectors import current_publication
from tests.controls import assert_article_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = User.objects.create_user("reader@example.com", email="reader@example.com", password="a sturdy passphrase")
    client.force_login(user)
    return user


def test_pages_link_to_sign_out_instead_of_carrying_a_form(client, reader, make_article):
    article = make_article(body_html="<p>One.</p><p>Two.</p>")
    response = client.get(article.get_absolute_url())
    html = assert_article_page(response, article)
    assert '<a href="/accounts/signout/">Sign out</a>' in html
    assert "csrfmiddlewaretoken" not in html
    assert "csrftoken" not in response.cookies  # reading never hands out a CSRF cookie


def test_sign_out_asks_first_and_signs_out_only_on_post(client, reader):
    page = client.get("/accounts/signout/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Sign out of {current_publication().name}?" in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert client.get("/accounts/").status_code == 200  # still signed in after the question

    done = client.post("/accounts/signout/", {"next": "/politics/"})
    assert done.status_code == 302 and done["Location"] == "/politics/"
    assert client.get("/accounts/").status_code == 302  # signed out: the account page sends to sign-in


def test_sign_out_ignores_a_next_on_another_site(client, reader):
    done = client.post("/accounts/signout/", {"next": "https://evil.example.com/"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.get("/accounts/").status_code == 302  # signed out all the same


def test_sign_out_when_signed_out_goes_home(client):
    response = client.get("/accounts/signout/")
    assert response.status_code == 302 and response["Location"] == "/"
