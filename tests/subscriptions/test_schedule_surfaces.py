"""The one schedule writer on the account page and in the subscription emails (receipt over real SMTP)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.mailserver import Mailbox, smtp_mailers, smtp_server

from .conftest import subscribe

pytestmark = pytest.mark.django_db(transaction=True)  # receipts are sent when payments commit


def test_the_account_page_writes_the_schedule_out(client, commerce, reader):
    subscribe(client, commerce.monthly, commerce.intro)
    html = client.get("/accounts/").content.decode()
    assert '<dd class="subscription-plan">Monthly — Try 3 months for $9</dd>' in html
    assert "$3 a month for 2 months from December 15, then $12 a month from February 15, 2027" in html


@pytest.fixture
def mailbox(settings):
    settings.MASTHEAD_SITE_URL = "https://news.example.com"
    with smtp_server() as (box, port):
        settings.MAILERS = smtp_mailers(port)
        yield box
    assert not mail.outbox


def test_the_receipt_writes_the_schedule_out_over_smtp(client, commerce, reader, mailbox):
    subscribe(client, commerce.monthly, commerce.intro)
    messages = mailbox.wait_for(2)
    receipt = next(message for message in messages if message["Subject"].startswith("Your receipt"))
    text = re.sub(r"\s+", " ", Mailbox.text(receipt))
    assert "We received your payment of $3 for Monthly." in text
    assert (
        "What you will be charged next: $3 a month for 2 months from December 15, "
        "then $12 a month from February 15, 2027." in text
    )
    welcome = next(message for message in messages if message["Subject"].startswith("Welcome"))
    assert "What you will be charged next:" in Mailbox.text(welcome)
    # The welcome claims only what the site delivers: unlimited reading, not apps that do not exist yet.
    assert "every story on our site with unlimited access" in Mailbox.text(welcome)
    assert "apps" not in Mailbox.text(welcome)
