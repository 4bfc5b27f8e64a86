"""Sign-up answers the same whether or not the address has an account, survives races, and is throttled."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

from masthead.accounts import services
from masthead.accounts.models import ReaderProfile

pytestmark = pytest.mark.django_db

PASSWORD = "a sturdy passphrase 42"


@pytest.fixture(autouse=True)
def _quick_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_up(client, email, password=PASSWORD, **extra):
    return client.post("/accounts/signup/", {"email": email, "password": password, "next": "/politics/"}, **extra)


def answer(response, email: str) -> str:
    """The page, with the address typed in and the per-request tokens taken out."""
    html = response.content.decode().replace(email, "ADDRESS")
    return re.sub(r'(csrfmiddlewaretoken" value=|nonce=)"[^"]*"', r"\1", html)


def test_finding_17_sign_up_answers_the_same_whether_or_not_the_address_has_an_account(client):
    owner = User.objects.create_user("owner@example.com", "owner@example.com", "the owner's password 1")
    new = sign_up(client, "new@example.com")
    taken = sign_up(client, "owner@example.com")
    assert new.status_code == taken.status_code == 200
    assert "Check your email" in new.content.decode()
    assert answer(new, "new@example.com") == answer(taken, "owner@example.com")
    assert "already" not in taken.content.decode()
    assert "_auth_user_id" not in client.session  # neither answer signs anyone in
    # What differs goes to the mailboxes: a link for the new address, a notice for the owner.
    to_new, to_owner = mail.outbox
    assert to_new.to == ["new@example.com"] and to_new.subject == "Confirm your email address"
    assert to_owner.to == ["owner@example.com"]
    assert to_owner.subject == "Someone tried to create an account with your address"
    assert "http://testserver/accounts/signin/" in to_owner.body
    assert "http://testserver/accounts/password/reset/" in to_owner.body
    owner.refresh_from_db()
    assert owner.check_password("the owner's password 1")
    assert User.objects.filter(username__iexact="owner@example.com").count() == 1


def test_finding_16_a_sign_up_that_loses_a_race_for_its_address_gets_the_ordinary_answer(client, monkeypatch):
    create = services.reader_create

    def loses_the_race(*, email, password):
        create(email=email, password="the other request's password")  # a simultaneous sign-up wins
        return create(email=email, password=password)

    monkeypatch.setattr(services, "reader_create", loses_the_race)
    response = sign_up(client, "twice@example.com")
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    assert User.objects.filter(username="twice@example.com").count() == 1
    assert mail.outbox[-1].subject == "Someone tried to create an account with your address"


def test_finding_14_sign_ups_are_throttled_per_client(client):
    for n in range(5):
        assert sign_up(client, f"reader{n}@example.com").status_code == 200
    refused = sign_up(client, "reader5@example.com")
    assert refused.status_code == 429
    assert "Too many accounts were created from your network" in refused.content.decode()
    assert not User.objects.filter(username="reader5@example.com").exists()
    # Positive control: another client still signs up.
    assert sign_up(client, "reader5@example.com", REMOTE_ADDR="198.51.100.7").status_code == 200
    assert User.objects.filter(username="reader5@example.com").exists()


def test_notices_to_one_owner_are_throttled(client):
    User.objects.create_user("owner@example.com", "owner@example.com", "the owner's password 1")
    for n in range(5):
        response = sign_up(client, "owner@example.com", REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert response.status_code == 200 and "Check your email" in response.content.decode()
    assert len(mail.outbox) == 3


def test_the_link_confirms_signs_in_once_and_returns_to_the_story(client):
    sign_up(client, "new@example.com")
    link = re.search(r"http://testserver(/\S+)", mail.outbox[-1].body).group(1)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == "/politics/"
    assert client.session["_auth_user_id"] == str(User.objects.get(username="new@example.com").pk)
    assert ReaderProfile.objects.get(user__username="new@example.com").email_verified_at is not None
    # A second use confirms nothing new and signs no one in.
    client.logout()
    again = client.get(link)
    assert again.status_code == 302 and again["Location"] == "/accounts/signin/"
    assert "_auth_user_id" not in client.session


def test_bad_input_gets_clear_errors(client):
    response = client.post("/accounts/signup/", {"email": "not-an-email", "password": ""})
    assert response.status_code == 200 and "Enter a valid email address" in response.content.decode()
    response = sign_up(client, "new@example.com", password="123")
    assert response.status_code == 200 and "This password is too short" in response.content.decode()
    assert not User.objects.filter(username="new@example.com").exists()
