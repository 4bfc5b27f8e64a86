"""Email verification and password reset, as a reader uses them."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

from masthead.accounts.models import ReaderProfile

pytestmark = pytest.mark.django_db


def link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def test_signing_up_sends_a_verification_link_that_confirms_the_address(client):
    client.post("/accounts/signup/", {"email": "new@example.com", "password": "a sturdy passphrase 42"})
    assert mail.outbox[-1].subject == "Confirm your email address"
    response = client.get(link_in(mail.outbox[-1]), follow=True)
    assert "your email address is confirmed" in response.content.decode()
    assert ReaderProfile.objects.get(user__username="new@example.com").email_verified_at is not None
    assert "email verified" in client.get("/accounts/").content.decode()


def test_a_tampered_verification_link_is_refused(client):
    client.post("/accounts/signup/", {"email": "new@example.com", "password": "a sturdy passphrase 42"})
    response = client.get("/accounts/verify/not-a-real-token/", follow=True)
    assert "not valid any more" in response.content.decode()


def test_password_reset_by_email(client):
    User.objects.create_user("forgetful@example.com", email="forgetful@example.com", password="the old password 1")
    client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})
    assert mail.outbox[-1].subject == "Reset your password for The Masthead Review"
    form_page = client.get(link_in(mail.outbox[-1]), follow=True)
    new_password = "a brand new passphrase 7"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert client.login(username="forgetful@example.com", password=new_password)


def test_an_unknown_address_gets_the_same_answer(client):
    User.objects.create_user("known@example.com", email="known@example.com", password="the old password 1")
    known = client.post("/accounts/password/reset/", {"email": "known@example.com"}, follow=True)
    assert known.status_code == 200 and len(mail.outbox) == 1  # a known address does get an email
    mail.outbox.clear()
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain == known.redirect_chain
    assert "If an account uses that address, we have sent it a link" in response.content.decode()
    assert not mail.outbox
