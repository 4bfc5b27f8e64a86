"""A reader past the meter takes the offer, pays on the local checkout, reads in full, then cancels."""

from playwright.sync_api import expect

from e2e.cancel_steps import cancel_with_reason_declining_offer
from e2e.conftest import confirmation_link
from e2e.controls import expect_article
from masthead.publishing.models import Article
from masthead.subscriptions.models import Subscription


def test_offer_checkout_full_access_and_cancel(page, demo_site, screenshot):
    metered = list(Article.objects.visible().filter(access="metered", sponsor="").select_related("section")[:4])
    for article in metered[:3]:
        page.goto(demo_site.url + article.get_absolute_url())
    walled = metered[3]
    expect_article(page, walled, page.goto(demo_site.url + walled.get_absolute_url()))
    expect(page.locator(".paywall-panel")).to_be_visible()
    page.get_by_role("link", name="See all offers and subscribe").click()

    expect(page.locator("#offer-three-months-for-9")).to_contain_text("Try 3 months for $9")
    expect(page.locator("#offer-three-months-for-9 .offer-deadline")).to_contain_text("Offer ends April 30th")
    screenshot("subscribe-1-offers")
    page.locator("#offer-three-months-for-9 button").click()

    # Not signed in yet: create an account, confirm it from the mail, and go on to the offer's checkout.
    page.get_by_label("Email").fill("subscriber@example.com")
    page.get_by_label("Password").fill("a sturdy passphrase 42")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(confirmation_link())

    expect(page.locator(".checkout-due")).to_contain_text("$3")
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_role("button", name="Pay and subscribe").click()
    expect(page.locator(".form-error")).to_contain_text("Your card was declined")
    screenshot("subscribe-2-declined")
    assert not Subscription.objects.exists()

    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Pay and subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for subscribing")
    page.goto(demo_site.url + "/accounts/")
    expect(page.locator(".subscription-status")).to_have_text("Active")
    expect(page.locator(".subscription-plan")).to_contain_text("Monthly")
    expect(page.locator("table.payments")).to_contain_text("$3")
    screenshot("subscribe-3-account")

    expect_article(page, walled, page.goto(demo_site.url + walled.get_absolute_url()))
    expect(page.locator(".paywall-panel")).to_have_count(0)
    last_block = walled.content_blocks[-1]["text"]
    assert last_block[:60] in page.content()
    screenshot("subscribe-4-full-article")

    cancel_with_reason_declining_offer(page, demo_site.url, screenshot=screenshot, name="subscribe-5-cancel")
    assert Subscription.objects.get().status == "canceled"
