"""Dunning with the local provider, the clock moved day by day: a failed renewal starts the grace period;
the reader is told on days 0, 3 and 6 (each time with a link to update the card), the card is retried on days
3 and 6, then access ends. A payment stops it all. Every tick runs twice: nothing is sent or retried twice.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from masthead.payments.models import LocalSubscription, WebhookEvent
from masthead.subscriptions.models import Payment, Subscription
from masthead.subscriptions.selectors import reader_entitlement
from masthead.subscriptions.services import subscriptions_tick

from .conftest import CARD_FAILS_AT_RENEWAL, CARD_OK, subscribe

pytestmark = pytest.mark.django_db(transaction=True)  # emails are sent when changes commit

FAILED = "Your payment failed"
REMINDER = "Reminder: your payment failed"
EXPIRED = "Your full access to The Masthead Review has expired"  # the default publication's name
CARD_EXPIRING = "Your card expires next month"
RECEIPT = "Your receipt from The Masthead Review"


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def attempts(subscription: Subscription) -> int:
    """How many times the provider tried to charge the renewal (each try is one failed-invoice event)."""
    return WebhookEvent.objects.filter(
        subscription_id=subscription.provider_subscription_id, event_type="invoice.payment_failed"
    ).count()


def day(subscription: Subscription, number: int) -> dt.datetime:
    """A minute into day ``number`` of the grace period: day 0 is the renewal that fails."""
    return subscription.renewal_at + dt.timedelta(days=number, minutes=1)


def tick_twice() -> None:
    subscriptions_tick()
    subscriptions_tick()


def run_day(clock, subscription: Subscription, number: int) -> tuple[list[str], int]:
    """Move to the day, tick twice; the emails sent and the charge attempts made that day."""
    mail.outbox.clear()
    before = attempts(subscription)
    clock.set(day(subscription, number))
    tick_twice()
    subjects = [message.subject for message in mail.outbox if message.to == [subscription.user.email]]
    return subjects, attempts(subscription) - before


@pytest.fixture
def failing(client, commerce, reader) -> Subscription:
    subscription = subscribe(client, commerce.monthly, card=CARD_FAILS_AT_RENEWAL)
    subscription.renewal_at = subscription.current_period_end  # the renewal that will fail: day 0
    return subscription


def test_emails_and_retries_on_days_0_3_and_6_then_access_ends(client, clock, failing, reader):
    seen = {}
    for number in range(9):
        seen[number] = run_day(clock, failing, number)
        failing.refresh_from_db()
        access = reader_entitlement(reader).full_access
        seen[number] += (failing.status, access)
    assert seen == {
        0: ([FAILED], 1, "past_due", True),
        1: ([], 0, "past_due", True),
        2: ([], 0, "past_due", True),
        3: ([REMINDER], 1, "past_due", True),
        4: ([], 0, "past_due", True),
        5: ([], 0, "past_due", True),
        6: ([REMINDER], 1, "past_due", True),
        7: ([EXPIRED], 0, "expired", False),
        8: ([], 0, "expired", False),
    }
    assert failing.dunning_step == 3
    assert list(Payment.objects.values_list("outcome", flat=True)) == ["failed", "paid"]  # one invoice, retried


def test_each_dunning_email_carries_the_update_card_link_and_the_day_access_ends(clock, failing):
    access_ends = date_format(timezone.localtime(failing.current_period_end + dt.timedelta(days=7)), "DATE_FORMAT")
    link = f"/account/subscription/{failing.pk}/card/"
    for number in (0, 3, 6):
        clock.set(day(failing, number))
        mail.outbox.clear()
        tick_twice()
        (message,) = mail.outbox
        assert link in message.body
        assert f"Your access ends on {access_ends} unless a payment goes through." in message.body


def test_a_payment_on_day_4_stops_the_sequence(client, clock, failing):
    run_day(clock, failing, 0)
    assert run_day(clock, failing, 3) == ([REMINDER], 1)  # positive control: the sequence was running
    clock.set(day(failing, 4))
    card_page = client.get(f"/account/subscription/{failing.pk}/card/")
    assert card_page.status_code == 302
    local_page = card_page["Location"]
    assert local_page == f"/payments/local/card/{failing.provider_subscription_id}/"
    mail.outbox.clear()
    response = client.post(local_page, {"card_number": CARD_OK, "expiry": "08/29", "cvc": "123"}, follow=True)
    assert "Your card is updated. Your payment went through: your subscription continues." in text(response)
    assert [message.subject for message in mail.outbox] == [RECEIPT]
    failing.refresh_from_db()
    assert failing.status == "active" and failing.dunning_started_at is None and failing.dunning_step == 0
    assert failing.current_period_end > day(failing, 27)  # the period that was due is paid

    for number in range(5, 12):
        clock.set(day(failing, number))
        mail.outbox.clear()
        tick_twice()
        assert mail.outbox == []
    failing.refresh_from_db()
    assert failing.status == "active" and reader_entitlement(failing.user).full_access
    local = LocalSubscription.objects.get()
    assert local.card_last4 == "4242" and (local.card_exp_month, local.card_exp_year) == (8, 2029)
    assert list(Payment.objects.order_by("at", "id").values_list("outcome", flat=True)) == ["paid", "paid"]


def test_a_retry_that_pays_on_day_3_sends_no_reminder(clock, failing):
    run_day(clock, failing, 0)
    # The bank lets the card through now (as if the reader had fixed it with the bank).
    LocalSubscription.objects.update(fails_at_renewal=False)
    subjects, tries = run_day(clock, failing, 3)
    assert subjects == [RECEIPT] and tries == 0
    failing.refresh_from_db()
    assert failing.status == "active" and failing.dunning_step == 0
    assert run_day(clock, failing, 6) == ([], 0)


def test_a_tick_that_missed_days_takes_one_step_not_two(clock, failing):
    run_day(clock, failing, 0)
    assert run_day(clock, failing, 6) == ([REMINDER], 1)  # days 3 and 6 both due: one retry, one email
    failing.refresh_from_db()
    assert failing.dunning_step == 3


def test_the_account_page_says_payment_failed_until_when_with_an_update_card_link(client, clock, failing):
    page = text(client.get("/accounts/"))
    assert "Active" in page  # presence first: the page shows the subscription
    assert "Payment failed — access ends on" not in page
    run_day(clock, failing, 0)
    response = client.get("/accounts/")
    access_ends = date_format(timezone.localtime(failing.current_period_end + dt.timedelta(days=7)), "DATE_FORMAT")
    assert f"Payment failed — access ends on {access_ends} — Update card" in text(response)
    assert f'href="/account/subscription/{failing.pk}/card/"' in response.content.decode()


def test_the_account_page_notice_speaks_japanese(client, clock, failing):
    from masthead.publishing.selectors import current_publication

    run_day(clock, failing, 0)
    publication = current_publication()
    publication.language = "ja"
    publication.save()
    page = text(client.get("/accounts/"))
    assert "お支払いに失敗しました — アクセスは" in page
    assert "カードを更新" in page


# -- the card-update page under hostile input -------------------------------------------------------------
def test_the_card_page_refuses_bad_cards_and_expiries_clearly_and_changes_nothing(client, clock, failing):
    run_day(clock, failing, 0)
    page = f"/payments/local/card/{failing.provider_subscription_id}/"
    assert client.get(page).status_code == 200
    cases = {
        "1234 5678 9012 3456": "That card number is not valid.",
        "4242 4242 4242 424２": "That card number is not valid.",
        "x" * 10_000: "That card number is not valid.",
        "4000 0000 0000 0002": "Your card was declined.",
    }
    for number, error in cases.items():
        response = client.post(page, {"card_number": number, "expiry": "12/30"})
        assert response.status_code == 400 and error in text(response)
    for expiry in ("13/30", "01/20", "1230", "ab/cd", "12/" + "9" * 5000, "", "０１/３０"):
        response = client.post(page, {"card_number": CARD_OK, "expiry": expiry})
        assert response.status_code == 400 and "That expiry date is not valid." in text(response)
    # A card that pays now but not at renewal is declined for the retry, and the old card stays.
    response = client.post(page, {"card_number": CARD_FAILS_AT_RENEWAL, "expiry": "12/30"})
    assert response.status_code == 400 and "Your card was declined." in text(response)
    failing.refresh_from_db()
    assert failing.status == "past_due"
    local = LocalSubscription.objects.get()
    assert (local.card_last4, local.card_exp_year, local.status) == ("0341", 2034, "past_due")
    assert client.post(page, {"card_number": CARD_OK, "expiry": "12/30"}).status_code == 302  # positive control


def test_the_card_pages_of_another_readers_subscription_are_not_found(client, clock, failing, reader):
    from django.contrib.auth.models import User

    other_card_page = f"/payments/local/card/{failing.provider_subscription_id}/"
    other_entry = f"/account/subscription/{failing.pk}/card/"
    assert client.get(other_card_page).status_code == 200  # positive control: its owner sees it
    intruder = User.objects.create_user("intruder@example.com", email="intruder@example.com", password="x" * 20)
    client.force_login(intruder)
    for response in (client.get(other_card_page), client.post(other_card_page, {"card_number": CARD_OK})):
        assert response.status_code == 404
        assert "That subscription could not be found." in text(response)
    for path in (other_entry, "/account/subscription/0/card/", "/account/subscription/99999999999999999999/card/"):
        response = client.get(path, follow=True)
        assert response.redirect_chain[-1][0] == "/accounts/"
        assert "That subscription could not be found." in text(response)
    assert client.get("/account/subscription/١/card/", follow=True).status_code == 200
    assert client.get("/payments/local/card/sub_local_nothing/").status_code == 404
    assert LocalSubscription.objects.get().card_last4 == "0341"  # nothing changed


def test_signed_out_readers_are_sent_to_sign_in(client, failing):
    client.logout()
    for path in (
        f"/account/subscription/{failing.pk}/card/",
        f"/payments/local/card/{failing.provider_subscription_id}/",
    ):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/signin/")


# -- "Your card expires next month", once per card -------------------------------------------------------
def test_the_card_expiry_notice_goes_out_once_per_card(client, clock, commerce, reader):
    from .conftest import pay, start_checkout

    assert clock.now.month == 11 and clock.now.year == 2026
    pay(client, start_checkout(client, commerce.monthly), CARD_OK)  # the fixture's card expires 12/34
    subscription = Subscription.objects.get()
    mail.outbox.clear()
    tick_twice()
    assert mail.outbox == []  # not next month
    client.post(
        f"/payments/local/card/{subscription.provider_subscription_id}/",
        {"card_number": "5555 5555 5555 4444", "expiry": "12/26"},
    )
    mail.outbox.clear()
    tick_twice()
    (message,) = mail.outbox
    assert message.subject == CARD_EXPIRING
    assert (
        "The card ending 4444 that pays for The Masthead Review expires at the end of next month (12/2026)."
        in message.body
    )
    assert f"/account/subscription/{subscription.pk}/card/" in message.body
    for _ in range(5):
        clock.advance(days=1)
        tick_twice()
    assert [m.subject for m in mail.outbox] == [CARD_EXPIRING]  # once, however many ticks

    # Another card expiring next month is another card to warn about; a card that does not expire soon is not.
    client.post(
        f"/payments/local/card/{subscription.provider_subscription_id}/",
        {"card_number": CARD_OK, "expiry": "12/26"},
    )
    mail.outbox.clear()
    tick_twice()
    assert [m.subject for m in mail.outbox] == [CARD_EXPIRING]


# -- one dunning email over SMTP, and its link ---------------------------------------------------------------
def test_the_day_0_email_arrives_over_smtp_and_its_link_opens_the_card_page(client, clock, failing, settings):
    from tests.mailserver import Mailbox, smtp_mailers, smtp_server

    site = "https://news.example.com"
    settings.MASTHEAD_SITE_URL = site
    with smtp_server() as (mailbox, port):
        settings.MAILERS = smtp_mailers(port)
        mail.outbox.clear()
        clock.set(day(failing, 0))
        tick_twice()
        (message,) = mailbox.wait_for(1)
        assert mail.outbox == []  # it went over the wire, not to the in-memory outbox
    assert message["To"] == "reader@example.com" and message["Subject"] == FAILED
    body = Mailbox.text(message)
    link = re.search(re.escape(site) + r"(/\S+)", body).group(1)
    assert link == f"/account/subscription/{failing.pk}/card/"
    card_page = client.get(client.get(link)["Location"])
    assert card_page.status_code == 200 and "Card ending 0341, expires 12/2034" in text(card_page)


def test_the_checkout_refuses_an_expiry_that_is_no_date_and_keeps_a_good_one(client, commerce, reader):
    from .conftest import start_checkout

    path = start_checkout(client, commerce.monthly)
    for expiry in ("13/30", "01/20", "12/" + "9" * 4000):
        response = client.post(path, {"card_number": CARD_OK, "expiry": expiry[:4100], "cvc": "123"})
        assert response.status_code == 200 and "That expiry date is not valid." in text(response)
    assert not Subscription.objects.exists()
    assert client.post(path, {"card_number": CARD_OK, "expiry": "7 / 31", "cvc": "123"}).status_code == 302
    local = LocalSubscription.objects.get()
    assert (local.card_exp_month, local.card_exp_year) == (7, 2031)


def test_a_retry_charges_the_renewal_with_its_discount(client, clock, failing):
    from masthead.payments.interface import DiscountTerms
    from masthead.payments.providers.local.provider import LocalProvider

    LocalProvider().apply_discount(
        subscription_id=failing.provider_subscription_id, discount=DiscountTerms(percent_off=50, intervals=3, months=3)
    )
    run_day(clock, failing, 0)
    clock.set(day(failing, 4))
    response = client.post(
        f"/payments/local/card/{failing.provider_subscription_id}/", {"card_number": CARD_OK, "expiry": "08/29"}
    )
    assert response.status_code == 302
    assert list(Payment.objects.order_by("at", "id").values_list("amount_minor", "outcome")) == [
        (1200, "paid"),
        (600, "paid"),  # the failed renewal, paid at half price by the retry
    ]
