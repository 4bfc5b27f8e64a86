"""Tax end to end on the local provider: /subscribe says whether prices include it, checkout shows the tax line,
the charge includes it (added) or splits it out (included), and receipts and the payment history show it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core import mail

from masthead.payments.billing import TaxRate
from masthead.payments.models import LocalSubscription
from masthead.publishing.selectors import current_publication
from masthead.subscriptions.models import Payment
from masthead.subscriptions.services import subscription_change_plan, subscriptions_tick
from tests.admin_forms import publication_admin_form
from tests.mailserver import Mailbox, smtp_mailers, smtp_server

from .conftest import CARD_OK, pay, start_checkout

pytestmark = pytest.mark.django_db(transaction=True)  # emails are sent when changes commit

VAT_20 = TaxRate("VAT", Decimal("20"))


def prices_include_tax(include: bool, *, language: str = "en") -> None:
    publication = current_publication()
    publication.prices_include_tax = include
    publication.language = language
    publication.save()


@pytest.fixture
def vat(settings):
    settings.MASTHEAD_LOCAL_TAX_RATE = VAT_20
    return VAT_20


def text(html: str) -> str:
    """The page's words, tags taken out and spaces joined, to read "Due today: $14.40" across its markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def offers_note(client) -> str:
    """The tax note on /subscribe ("" when there is none), asked of a page that lists the monthly plan."""
    html = client.get("/subscribe/").content.decode()
    assert 'id="plan-monthly"' in html, "not the offers page"
    note = re.search(r'<p class="tax-note">(.*?)</p>', html)
    return note.group(1) if note else ""


def receipts() -> list:
    return [message for message in mail.outbox if message.subject.startswith("Your receipt")]


# -- /subscribe says which --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "include", "rate", "note"),
    [
        ("en", True, VAT_20, "Prices include tax."),
        ("en", True, None, "Prices include tax."),  # the publisher's word, whoever collects the tax
        ("en", False, VAT_20, "Tax is added at checkout."),
        ("en", False, None, ""),  # no tax is charged: nothing is said to be added
        ("ja", True, VAT_20, "表示価格は税込みです。"),
        ("ja", False, VAT_20, "税はお支払い手続きの際に加算されます。"),
        ("ja", False, None, ""),
    ],
)
def test_the_offers_page_says_whether_prices_include_tax(client, settings, commerce, language, include, rate, note):
    settings.MASTHEAD_LOCAL_TAX_RATE = rate
    prices_include_tax(include, language=language)
    assert offers_note(client) == note


def test_stripe_tax_makes_the_offers_page_say_tax_is_added(client, stripe_settings, commerce):
    prices_include_tax(False)
    assert offers_note(client) == ""
    stripe_settings.MASTHEAD_STRIPE_TAX = True
    assert offers_note(client) == "Tax is added at checkout."


# -- checkout, charge, receipt: the tax added to the price ------------------------------------------------
def test_tax_added_to_the_price_is_on_the_checkout_in_the_charge_and_on_the_receipt(client, commerce, reader, vat):
    prices_include_tax(False)
    checkout_path = start_checkout(client, commerce.monthly)
    page = text(client.get(checkout_path).content.decode())
    assert "Price before tax $12" in page and "Tax (VAT 20%) $2.40" in page and "Due today: $14.40" in page
    assert "Tax is added at checkout." in page

    assert pay(client, checkout_path, CARD_OK).status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount_minor, payment.tax_minor, payment.tax_label) == (1440, 240, "VAT 20%")
    (receipt,) = receipts()
    assert "We received your payment of $14.40 for Monthly." in receipt.body
    assert "Price before tax: $12\nTax (VAT 20%): $2.40\nTotal: $14.40\n" in receipt.body


def test_an_introductory_price_is_taxed_each_interval_and_the_plans_price_after_it(
    client, clock, commerce, reader, vat
):
    prices_include_tax(False)
    assert pay(client, start_checkout(client, commerce.monthly, commerce.intro), CARD_OK).status_code == 302
    for _ in range(3):  # the 2nd and 3rd $3 months, then the first at $12
        clock.set(LocalSubscription.objects.get().period_end + dt.timedelta(minutes=1))
        subscriptions_tick()
    charged = list(Payment.objects.order_by("at").values_list("amount_minor", "tax_minor"))
    assert charged == [(360, 60), (360, 60), (360, 60), (1440, 240)]


# -- prices that include the tax --------------------------------------------------------------------------
def test_tax_included_in_the_price_is_split_out_and_the_reader_pays_the_price(client, commerce, reader, vat):
    prices_include_tax(True)
    checkout_path = start_checkout(client, commerce.monthly)
    page = text(client.get(checkout_path).content.decode())
    assert "Price before tax $10" in page and "Tax (VAT 20%) $2" in page and "Due today: $12" in page
    assert "Prices include tax." in page

    pay(client, checkout_path, CARD_OK)
    payment = Payment.objects.get()
    assert (payment.amount_minor, payment.tax_minor) == (1200, 200)
    (receipt,) = receipts()
    assert "Price before tax: $10\nTax (VAT 20%): $2\nTotal: $12\n" in receipt.body

    account = text(client.get("/accounts/").content.decode())
    assert "Price before tax Tax Total Result" in account  # the payment history's columns
    assert "$10 $2 (VAT 20%) $12 Paid" in account


def test_a_subscription_keeps_the_tax_treatment_it_started_with(client, clock, commerce, reader, vat):
    prices_include_tax(True)
    pay(client, start_checkout(client, commerce.monthly), CARD_OK)
    prices_include_tax(False)  # the publisher changes its prices' terms: new subscriptions only
    clock.set(LocalSubscription.objects.get().period_end + dt.timedelta(minutes=1))
    subscriptions_tick()
    assert list(Payment.objects.order_by("at").values_list("amount_minor", "tax_minor")) == [(1200, 200), (1200, 200)]


def test_a_change_of_plan_charges_its_difference_with_tax(client, clock, commerce, reader, vat):
    prices_include_tax(False)
    pay(client, start_checkout(client, commerce.monthly), CARD_OK)
    subscription = Payment.objects.get().subscription
    subscription_change_plan(user=reader, subscription_id=subscription.pk, plan=commerce.annual)  # at once: $120 - $12
    latest = Payment.objects.order_by("-at", "-id").first()
    assert (latest.amount_minor, latest.tax_minor) == (12960, 2160)  # $108 + 20%


def test_a_free_trial_shows_no_tax_today_and_taxes_its_first_charge(client, clock, commerce, reader, vat):
    prices_include_tax(True)
    checkout_path = start_checkout(client, commerce.monthly, commerce.trial)
    page = text(client.get(checkout_path).content.decode())
    assert "Due today: $0" in page and "Prices include tax." in page
    assert "Tax (VAT 20%)" not in page
    pay(client, checkout_path, CARD_OK)
    assert not Payment.objects.exists()
    clock.set(LocalSubscription.objects.get().period_end + dt.timedelta(minutes=1))
    subscriptions_tick()
    assert list(Payment.objects.values_list("amount_minor", "tax_minor", "tax_label")) == [(1200, 200, "VAT 20%")]


# -- without a rate, nothing changes -----------------------------------------------------------------------
def test_without_a_rate_there_is_no_tax_line_anywhere(client, commerce, reader):
    prices_include_tax(False)
    checkout_path = start_checkout(client, commerce.monthly)
    page = text(client.get(checkout_path).content.decode())
    assert "Due today: $12" in page
    assert "Tax" not in page and "tax" not in page
    pay(client, checkout_path, CARD_OK)
    assert list(Payment.objects.values_list("amount_minor", "tax_minor")) == [(1200, 0)]
    (receipt,) = receipts()
    assert "We received your payment of $12 for Monthly." in receipt.body
    assert "tax" not in receipt.body.lower()
    account = text(client.get("/accounts/").content.decode())
    assert "Date Amount Result" in account and "$12 Paid" in account
    assert "Price before tax" not in account


# -- the receipt over a real SMTP server, in both languages -----------------------------------------------
@pytest.mark.parametrize(
    ("language", "subject", "lines"),
    [
        ("en", "Your receipt from The Masthead Review", ["Price before tax: $10", "Tax (VAT 20%): $2", "Total: $12"]),
        ("ja", "The Masthead Reviewからの領収書", ["税抜価格： $10", "税（VAT 20%）： $2", "合計： $12"]),
    ],
)
def test_the_receipt_with_its_tax_lines_arrives_over_smtp(
    client, settings, commerce, reader, vat, language, subject, lines
):
    settings.MASTHEAD_SITE_URL = "https://news.example.com"
    prices_include_tax(True, language=language)
    with smtp_server() as (mailbox, port):
        settings.MAILERS = smtp_mailers(port)
        pay(client, start_checkout(client, commerce.monthly), CARD_OK)
        arrived = mailbox.wait_for(2)  # the welcome and the receipt
    assert not mail.outbox  # everything went over the wire
    (receipt,) = [message for message in arrived if message["Subject"] == subject]
    assert receipt["To"] == "reader@example.com"
    body = Mailbox.text(receipt)
    for line in lines:
        assert line in body


# -- the admin -------------------------------------------------------------------------------------------
def test_the_publisher_says_in_the_admin_whether_prices_include_tax(client, commerce, vat):
    publication = current_publication()
    client.force_login(User.objects.create_superuser("owner", password="an owner's passphrase 1"))
    page = client.get(f"/admin/publishing/publication/{publication.pk}/change/").content.decode()
    assert 'name="prices_include_tax"' in page and "Off: tax is added at checkout." in page
    form = publication_admin_form(publication)
    assert client.post(f"/admin/publishing/publication/{publication.pk}/change/", form).status_code == 302
    assert offers_note(client) == "Tax is added at checkout."
    form["prices_include_tax"] = "on"
    assert client.post(f"/admin/publishing/publication/{publication.pk}/change/", form).status_code == 302
    assert offers_note(client) == "Prices include tax."


def test_staff_see_a_payments_tax_and_cannot_change_it(client, commerce, reader, vat):
    prices_include_tax(True)
    pay(client, start_checkout(client, commerce.monthly), CARD_OK)
    payment = Payment.objects.get()
    client.force_login(User.objects.create_superuser("owner", password="an owner's passphrase 1"))
    page = client.get(f"/admin/subscriptions/subscription/{payment.subscription_id}/change/").content.decode()
    assert re.search(r'<td class="field-tax_minor">\s*<p>200</p>', page)
    assert re.search(r'<td class="field-tax_label">\s*<p>VAT 20%</p>', page)
    assert 'name="payments-0-tax_minor"' not in page


def test_the_account_page_says_the_next_charge_is_plus_tax_only_when_tax_is_added(client, commerce, reader, vat):
    prices_include_tax(False)
    pay(client, start_checkout(client, commerce.monthly), CARD_OK)
    account = text(client.get("/accounts/").content.decode())
    assert "Next charge" in account and "plus tax" in account

    prices_include_tax(True)
    account = text(client.get("/accounts/").content.decode())
    assert "Next charge" in account and "plus tax" not in account
