"""Issue 10, finding 14: each throw-away account gave 7 more free articles. The registered allowance now
counts only once the account's address is confirmed; until then an account reads on the anonymous one."""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from masthead.accounts.models import ReaderProfile

pytestmark = pytest.mark.django_db


def paragraphs(tag: str) -> str:
    return "".join(f"<p>{tag} paragraph {i}.</p>" for i in range(1, 7))


def body(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_finding_14_an_unconfirmed_account_reads_on_the_anonymous_allowance(client, make_article):
    articles = [make_article(body_html=paragraphs(f"S{n}")) for n in range(5)]
    reader = User.objects.create_user("new@example.com", "new@example.com", "a sturdy passphrase 42")
    ReaderProfile.objects.create(user=reader)
    client.force_login(reader)

    first = body(client.get(articles[0].get_absolute_url()))
    assert "S0 paragraph 6." in first
    assert "You have 2 free articles left this month" in first  # 3, not 10
    assert "Confirm your email for more" in first and "Sign up free for more" not in first
    body(client.get(articles[1].get_absolute_url()))
    assert "This is your last free article this month" in body(client.get(articles[2].get_absolute_url()))
    walled = body(client.get(articles[3].get_absolute_url()))
    assert "S3 paragraph 2." in walled  # the teaser is there
    assert "S3 paragraph 6." not in walled
    assert "You have read all 3 free articles this month" in walled
    assert "Confirm your email address" in walled

    # Confirming the address raises the allowance to the registered one, counting what was read.
    ReaderProfile.objects.filter(user=reader).update(email_verified_at=timezone.now())
    opened = body(client.get(articles[3].get_absolute_url()))
    assert "S3 paragraph 6." in opened
    assert "You have 6 free articles left this month" in opened
    assert "Confirm your email" not in opened


def test_an_account_with_no_profile_counts_as_unconfirmed(client, make_article):
    article = make_article(body_html=paragraphs("P"))
    client.force_login(User.objects.create_user("old@example.com", "old@example.com", "a sturdy passphrase 42"))
    assert "You have 2 free articles left this month" in body(client.get(article.get_absolute_url()))


def test_registration_walled_articles_open_for_any_signed_in_reader(client, make_article):
    article = make_article(access="registered", body_html=paragraphs("Members"))
    client.force_login(User.objects.create_user("new@example.com", "new@example.com", "a sturdy passphrase 42"))
    assert "Members paragraph 6." in body(client.get(article.get_absolute_url()))


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Confirm your email for more"), ("ja", "メールアドレスの確認でさらに読めます")],
)
def test_the_banner_for_an_unconfirmed_account_reads_right_in_each_language(language, words):
    from masthead.paywall.types import Message, Window
    from masthead.site.fragments import MeterBanner, render_uncached

    banner = MeterBanner(
        language=language,
        path="/politics/x/",
        message=Message.ARTICLES_LEFT,
        remaining=2,
        window=Window.CALENDAR_MONTH,
        signed_in=True,
        verify_email=True,
    )
    html = render_uncached(banner)
    assert words in html and 'href="/accounts/"' in html
    assert "/accounts/signup/" not in html
