"""A publisher opens the admin after the leak monitor caught a planted leak: the box on the index says so, in red,
names the leaking roads and leads to the run, with no axe-core violation and no CSP violation."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from masthead.insights.monitor import monitor_leaks
from masthead.paywall import gating

ERROR_RED = "rgb(186, 33, 33)"  # the admin's --error-fg


def test_the_publisher_sees_the_planted_leak_on_the_admin_index(page, demo_site, screenshot, settings, monkeypatch):
    def leaky_gate(blocks, decision, teaser_length):
        return gating.GatedBody(tuple(blocks), (), truncated=not decision.full)

    monkeypatch.setattr("masthead.paywall.services.gate", leaky_gate)
    settings.MASTHEAD_SITE_URL = demo_site.url
    run = monitor_leaks()
    monkeypatch.undo()
    assert run.leaks_found > 0 and not run.error

    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(demo_site.url + "/admin/")
    page.get_by_label("Username").fill("publisher")
    page.get_by_label("Password").fill("demo-e2e-password")
    page.get_by_role("button", name="Log in").click()

    box = page.locator("#leak-monitor")
    expect(box.get_by_role("heading", name="Leak monitor")).to_be_visible()
    expect(box.locator(".roads-checked")).to_have_text(str(run.roads_checked))
    expect(box.locator(".leaks-found")).to_have_text(str(run.leaks_found))
    expect(box.locator(".leaks-found")).to_have_css("color", ERROR_RED)
    expect(box.locator(".leaking-roads")).to_contain_text("GET page: ")
    screenshot("admin-leak-monitor-index")
    results = Axe().run(page, context="#leak-monitor")
    assert results.violations_count == 0, results.generate_report()

    box.get_by_role("link", name="All runs").click()
    expect(page.locator("#result_list")).to_contain_text(demo_site.url)
    page.go_back()
    page.locator("#leak-monitor time").click()
    expect(page.locator("body")).to_contain_text("GET page /")
    screenshot("admin-leak-monitor-run")
    assert not violations, violations
