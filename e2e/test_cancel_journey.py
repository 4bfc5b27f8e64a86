"""A paying reader opens the cancel page, takes the retention offer once, later cancels with a reason.

Run with JavaScript on, and again with it off on a 390 px wide screen: the two steps need no script.
"""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from e2e.cancel_steps import cancel_with_reason_declining_offer, stay_with_retention_offer
from masthead.subscriptions.models import CancellationFeedback, Subscription

PASSWORD = "a sturdy passphrase 42"


def _subscribe_monthly(page, base_url: str, email: str) -> None:
    User.objects.create_user(email, email=email, password=PASSWORD)
    page.goto(base_url + "/accounts/signin/?next=/subscribe/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#plan-monthly button").click()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Pay and subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for subscribing")
    page.goto(base_url + "/accounts/")
    expect(page.locator(".subscription-status")).to_have_text("Active")


@pytest.mark.parametrize(("javascript", "width"), [(True, 1280), (False, 390)], ids=["js", "no-js-390px"])
def test_stay_with_the_offer_then_cancel_with_a_reason(browser, demo_site, javascript, width):
    from e2e.conftest import SCREENSHOTS

    context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 900})
    page = context.new_page()
    tag = "js" if javascript else "nojs-390"

    def screenshot(name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    try:
        _subscribe_monthly(page, demo_site.url, f"stayer-{tag}@example.com")
        stay_with_retention_offer(page, demo_site.url, screenshot=screenshot, name=f"cancel-{tag}-a-stay")
        expect(page.locator(".discount-schedule")).to_contain_text("$6 a month for 3 months")
        expect(page.locator(".next-charge")).to_contain_text("$6")
        cancel_with_reason_declining_offer(
            page,
            demo_site.url,
            reason="I get my news elsewhere",
            text="Still, thank you.",
            expect_offer=None,  # taken once this year: not offered again
            screenshot=screenshot,
            name=f"cancel-{tag}-b-cancel",
        )
    finally:
        context.close()
    subscription = Subscription.objects.get(user__email=f"stayer-{tag}@example.com")
    assert subscription.status == "canceled" and subscription.discount_percent_off == 50
    reasons = list(CancellationFeedback.objects.filter(subscription=subscription).values_list("reason", "outcome"))
    assert sorted(reasons) == [("", "kept"), ("elsewhere", "canceled")]
