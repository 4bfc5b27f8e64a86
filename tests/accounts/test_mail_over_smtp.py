"""Every account mail, sent through Django's SMTP backend to a real SMTP server, works from what arrives."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

from masthead.accounts.models import ReaderProfile
from tests.mailserver import Mailbox, smtp_mailers, smtp_server

pytestmark = pytest.mark.django_db

SITE = "https://news.example.com"


@pytest.fixture
def mailbox(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MASTHEAD_SITE_URL = SITE
    with smtp_server() as (box, port):
        settings.MAILERS = smtp_mailers(port)
        yield box
    assert not mail.outbox  # nothing went to the in-memory outbox instead


def path_in(message) -> str:
    return re.search(re.escape(SITE) + r"(/\S+)", Mailbox.text(message)).group(1)


def test_the_sign_up_link_arrives_over_smtp_and_confirms_the_address(client, mailbox):
    client.post("/accounts/signup/", {"email": "new@example.com", "password": "a sturdy passphrase 42"})
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "new@example.com" and message["Subject"] == "Confirm your email address"
    assert client.get(path_in(message))["Location"] == "/accounts/"
    assert ReaderProfile.objects.get(user__username="new@example.com").email_verified_at is not None


def test_the_notice_to_an_existing_owner_arrives_over_smtp(client, mailbox):
    User.objects.create_user("owner@example.com", "owner@example.com", "the owner's password 1")
    client.post("/accounts/signup/", {"email": "owner@example.com", "password": "a sturdy passphrase 42"})
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "owner@example.com"
    assert message["Subject"] == "Someone tried to create an account with your address"
    assert client.get(path_in(message)).status_code == 200  # the sign-in page it points to


def test_a_reset_link_arrives_over_smtp_and_sets_a_new_password(client, mailbox):
    User.objects.create_user("forgetful@example.com", "forgetful@example.com", "the old password 1")
    client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "forgetful@example.com"
    form_page = client.get(path_in(message), follow=True)
    new_password = "a brand new passphrase 7"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert User.objects.get(username="forgetful@example.com").check_password(new_password)


def test_a_resent_verification_arrives_over_smtp(client, mailbox):
    reader = User.objects.create_user("reader@example.com", "reader@example.com", "a sturdy passphrase 42")
    client.force_login(reader)
    client.post("/accounts/verify/send/")
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "reader@example.com"
    client.get(path_in(message))
    assert ReaderProfile.objects.get(user=reader).email_verified_at is not None
