"""Reusable browser steps for canceling (the two steps of issue 11): reason, retention offer, then the outcome.

Each step asserts what the reader must see before it acts, so a journey that calls it proves the page, not
just the click. ``screenshot`` is the conftest fixture (or any callable taking a file name stem).
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

REASON_IT_COSTS_TOO_MUCH = "It costs too much"


def open_cancel_page(page: Page, base_url: str) -> None:
    """Step 1: from the account page, the plain "Cancel subscription" link (not a button, and not the first
    control on the page) opens the reason page."""
    page.goto(base_url + "/accounts/")
    link = page.get_by_role("link", name="Cancel subscription", exact=True)
    expect(link).to_be_visible()
    expect(page.get_by_role("button", name="Cancel subscription")).to_have_count(0)
    link.click()
    expect(page.get_by_role("heading", name="Cancel your subscription")).to_be_visible()
    expect(page.get_by_text("Why are you canceling? (optional)")).to_be_visible()


def cancel_with_reason_declining_offer(
    page: Page,
    base_url: str,
    *,
    reason: str = REASON_IT_COSTS_TOO_MUCH,
    text: str = "",
    expect_offer: str | None = "50% off your next 3 months",
    screenshot: Callable[[str], object] | None = None,
    name: str = "cancel",
) -> None:
    """Cancel the signed-in reader's subscription: give ``reason`` (and ``text``), see the retention offer
    named ``expect_offer`` (None: no offer must show), decline it with "Cancel my subscription", and land on
    the account page that says the subscription is canceled and until when access lasts."""
    open_cancel_page(page, base_url)
    page.get_by_label(reason, exact=True).check()
    if text:
        page.get_by_label("Anything else you would like to tell us? (optional)").fill(text)
    offer = page.locator(".retention-offer")
    if expect_offer:
        expect(offer).to_contain_text(f"Before you go: {expect_offer}")
    else:
        expect(page.get_by_role("button", name="Cancel my subscription")).to_be_visible()
        expect(offer).to_have_count(0)
    if screenshot:
        screenshot(f"{name}-1-reason-and-offer")
    page.get_by_role("button", name="Cancel my subscription").click()
    expect(page.locator(".messages")).to_contain_text("Your subscription is canceled. You keep full access until")
    expect(page.locator(".subscription-status")).to_contain_text("Canceled")
    expect(page.locator(".access-until")).to_be_visible()
    expect(page.get_by_role("button", name="Resume subscription")).to_be_visible()
    if screenshot:
        screenshot(f"{name}-2-canceled")


def stay_with_retention_offer(
    page: Page,
    base_url: str,
    *,
    offer: str = "50% off your next 3 months",
    screenshot: Callable[[str], object] | None = None,
    name: str = "stay",
) -> None:
    """Open the cancel page and take the retention offer instead: the subscription stays, with the discount."""
    open_cancel_page(page, base_url)
    expect(page.locator(".retention-offer")).to_contain_text(f"Before you go: {offer}")
    if screenshot:
        screenshot(f"{name}-1-offer")
    page.get_by_role("button", name=f"Stay, with {offer}").click()
    expect(page.locator(".messages")).to_contain_text("Thank you for staying with us.")
    expect(page.locator(".subscription-status")).to_have_text("Active")
    expect(page.locator(".discount-schedule")).to_be_visible()
    if screenshot:
        screenshot(f"{name}-2-discounted")
