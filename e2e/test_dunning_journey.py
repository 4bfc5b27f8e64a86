"""A renewal fails: the account page says until when access lasts, the reader updates the card, and pays."""

import datetime as dt
import re

from django.contrib.auth.models import User
from playwright.sync_api import expect

from masthead.core import clock
from masthead.subscriptions.models import Subscription
from masthead.subscriptions.services import subscriptions_tick


def test_a_failed_renewal_is_fixed_from_the_account_page(page, demo_site, screenshot):
    User.objects.create_user("renewing@example.com", email="renewing@example.com", password="a sturdy passphrase 42")
    page.goto(demo_site.url + "/accounts/signin/")
    page.get_by_label("Email").fill("renewing@example.com")
    page.get_by_label("Password").fill("a sturdy passphrase 42")
    page.get_by_role("button", name="Sign in").click()
    page.goto(demo_site.url + "/subscribe/")
    page.get_by_role("button", name=re.compile(r"^Subscribe: ")).first.click()
    page.get_by_label("Card number").fill("4000 0000 0000 0341")  # pays now, fails at renewal
    page.get_by_role("button", name="Pay and subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for subscribing")
    page.goto(demo_site.url + "/accounts/")
    expect(page.locator(".subscription-status")).to_have_text("Active")
    expect(page.locator(".dunning-notice")).to_have_count(0)

    subscription = Subscription.objects.get()
    clock.set_now(subscription.current_period_end + dt.timedelta(minutes=1))  # the renewal is due, and fails
    subscriptions_tick()
    page.goto(demo_site.url + "/accounts/")
    notice = page.locator(".dunning-notice")
    expect(notice).to_contain_text("Payment failed — access ends on")
    screenshot("dunning-1-account-past-due")

    notice.get_by_role("link", name="Update card").click()
    expect(page.get_by_role("heading", name="Update your card")).to_be_visible()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("13/29")
    page.get_by_role("button", name="Save card").click()
    expect(page.locator(".form-error")).to_contain_text("That expiry date is not valid")
    screenshot("dunning-2-card-page-error")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")  # a card number is never shown back
    page.get_by_label("Expiry (MM/YY)").fill("08/29")
    page.get_by_role("button", name="Save card").click()
    expect(page.locator(".subscription-status")).to_have_text("Active")
    expect(page.locator(".messages")).to_contain_text("Your payment went through")
    expect(page.locator(".dunning-notice")).to_have_count(0)
    screenshot("dunning-3-paid")
    assert Subscription.objects.get().status == "active"
