"""A new reader spends the monthly meter, meets the paywall, signs up and reads on."""

from playwright.sync_api import expect

from e2e.conftest import confirmation_link
from e2e.controls import expect_article
from masthead.publishing.models import Article


def test_new_reader_meter_paywall_and_sign_up(page, demo_site, screenshot):
    metered = list(Article.objects.visible().filter(access="metered", sponsor="").select_related("section")[:4])
    expected = [
        "You have 2 free articles left this month",
        "You have 1 free article left this month",
        "This is your last free article this month",
    ]
    for number, (article, message) in enumerate(zip(metered, expected, strict=False), start=1):
        expect_article(page, article, page.goto(demo_site.url + article.get_absolute_url()))
        expect(page.locator(".meter-banner")).to_contain_text(message)
        expect(page.locator(".paywall-panel")).to_have_count(0)
        screenshot(f"meter-{number}")

    walled = metered[3]
    expect_article(page, walled, page.goto(demo_site.url + walled.get_absolute_url()))
    panel = page.locator(".paywall-panel")
    expect(panel).to_contain_text("You have read all 3 free articles this month")
    expect(panel).to_contain_text("Read all stories with unlimited access")
    expect(panel.get_by_role("link", name="See all offers and subscribe")).to_be_visible()
    paragraphs = page.locator(".article-body > p:not(.dateline)")
    expect(paragraphs).to_have_count(2)  # the teaser, and nothing else in the page
    hidden = walled.content_blocks[-1]["text"]
    assert hidden[:60] not in page.content()
    screenshot("meter-4-paywall")

    panel.get_by_role("link", name="Create a free account").click()
    page.get_by_label("Email").fill("new.reader@example.com")
    page.get_by_label("Password").fill("a sturdy passphrase 42")
    screenshot("meter-5-sign-up")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(confirmation_link())  # the link in the mail confirms the address and signs in

    expect(page).to_have_url(demo_site.url + walled.get_absolute_url())
    expect_article(page, walled)
    expect(page.locator(".paywall-panel")).to_have_count(0)
    expect(page.locator(".meter-banner")).to_contain_text("You have 6 free articles left this month")
    assert hidden[:60] in page.content()
    screenshot("meter-6-reading-on")
